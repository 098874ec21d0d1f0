// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * A typed __ksym (issue #12): libbpf turns "r1 = 0 ll" into a BTF id
 * load.  Kernels without the variable in kallsyms refuse it, so this
 * object is for the static checks only.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern const int bpf_prog_active __ksym;

unsigned long out[2];

SEC("raw_tp/sys_enter")
int ksym_typed(void *ctx)
{
	unsigned long a = (unsigned long)&bpf_prog_active;

	out[0] = a + 8;
	out[1] = a >> 3;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
