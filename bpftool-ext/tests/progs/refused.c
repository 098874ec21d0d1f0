// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * A program the kernel refuses (it reads the context past its end) with
 * code the optimizer rewrites (a value computed again from the one it
 * came from): its report must not claim a kernel check (issue #12).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("raw_tp/sys_enter")
__attribute__((naked)) int refused(void *ctx)
{
	asm volatile("r1 = *(u64 *)(r1 + 160);"
		     "r2 = r1;"
		     "r2 += 4;"
		     "r3 = r2;"
		     "r3 += -4;"
		     "r0 = r3;"
		     "exit;");
}

char LICENSE[] SEC("license") = "GPL";
