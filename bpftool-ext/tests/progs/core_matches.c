// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The "type matches" CO-RE relocation (issue #12), which clang 14 cannot
 * emit: built with clang-19 where it is installed.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct task_struct___matches {
	long no_such_field___matches;
} __attribute__((preserve_access_index));

unsigned long out[2];

SEC("raw_tp/sys_enter")
int type_matches(void *ctx)
{
	unsigned long m = bpf_core_type_matches(struct task_struct___matches);

	out[0] = m + 100;
	out[1] = m << 4;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
