// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * CO-RE relocations on loads and stores (issue #12): libbpf rewrites
 * their offsets, and a load's width when the kernel's field is wider
 * or narrower than the local one.  The struct lives in .bss, large
 * enough for the running kernel's offsets, so a raw_tp program can use
 * it and BPF_PROG_TEST_RUN can run it.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct task_struct___mem {
	unsigned char flags;		/* u32 in the kernel, elsewhere */
	unsigned long ptrace;		/* u32 in the kernel */
	int pid;
} __attribute__((preserve_access_index));

union {
	struct task_struct___mem t;
	char room[16384];
} glob;

unsigned long out[4];

SEC("raw_tp/sys_enter")
int core_mem(void *ctx)
{
	unsigned long v = glob.t.flags;		/* a u8 load: u32 once relocated */

	out[0] = v + 1;
	out[1] = v >> 4;
	out[2] = glob.t.ptrace * 2;		/* a u64 load: u32 once relocated */
	glob.t.pid = (int)v + 3;		/* a store at the kernel's offset */
	out[3] = glob.t.pid;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
