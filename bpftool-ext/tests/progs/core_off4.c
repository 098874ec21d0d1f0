// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Issue #12: the same with a local offset of 4, which the optimizer
 * folded into "r0 -= -4" before load-time values were kept opaque.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct task_struct___local4 {
	int pad;
	int tgid;
} __attribute__((preserve_access_index));

int out_tgid;

SEC("raw_tp/sys_enter")
int core_off4(void *ctx)
{
	struct task_struct___local4 *t = (void *)bpf_get_current_task();
	unsigned long off = bpf_core_field_offset(struct task_struct___local4, tgid);
	int v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), (void *)t + off);
	out_tgid = v;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
