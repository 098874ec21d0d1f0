// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Issue #12: a CO-RE field offset whose local value is 0 (the field is
 * first in the program's flavour of the struct).  libbpf patches the 0
 * to the running kernel's offset of task_struct.tgid, so "r0 += r1"
 * after it must stay.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct task_struct___local {
	int tgid;
} __attribute__((preserve_access_index));

int out_tgid;

SEC("raw_tp/sys_enter")
int core_off(void *ctx)
{
	struct task_struct___local *t = (void *)bpf_get_current_task();
	unsigned long off = bpf_core_field_offset(struct task_struct___local, tgid);
	int v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), (void *)t + off);
	out_tgid = v;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
