// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The pattern of libbpf-tools' bindsnoop that issue #12 was found on,
 * on a struct a raw_tp program can reach (the current task): several
 * BPF_CORE_READ_BITFIELD_PROBED() of bit-fields that sit at byte offset
 * 0 of the program's local flavour ("r1 = 0" with a CO-RE record, then
 * "r3 += r1"), and elsewhere in the kernel's.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct task_struct___bind {
	unsigned int in_execve:1;
	unsigned int in_iowait:1;
	unsigned int restore_sigmask:1;
	unsigned int no_cgroup_migration:1;
	unsigned int frozen:1;
	unsigned int flags;
} __attribute__((preserve_access_index));

union bind_opts {
	struct {
		unsigned char in_execve:1;
		unsigned char in_iowait:1;
		unsigned char restore_sigmask:1;
		unsigned char no_cgroup_migration:1;
		unsigned char frozen:1;
	} fields;
	unsigned char data;
};

unsigned long out[2];

SEC("raw_tp/sys_enter")
int bind_pattern(void *ctx)
{
	struct task_struct___bind *t = (void *)bpf_get_current_task();
	union bind_opts opts = { 0 };

	opts.fields.in_execve = BPF_CORE_READ_BITFIELD_PROBED(t, in_execve);
	opts.fields.in_iowait = BPF_CORE_READ_BITFIELD_PROBED(t, in_iowait);
	opts.fields.restore_sigmask = BPF_CORE_READ_BITFIELD_PROBED(t, restore_sigmask);
	opts.fields.no_cgroup_migration = BPF_CORE_READ_BITFIELD_PROBED(t, no_cgroup_migration);
	opts.fields.frozen = BPF_CORE_READ_BITFIELD_PROBED(t, frozen);
	out[0] = opts.data;
	out[1] = BPF_CORE_READ(t, flags);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
