/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Register values as sums: a register holds the sum of distinct input
 * registers plus a constant when only 64-bit moves and additions made
 * it (r3 = r10; r3 += -64; r3 += r1 is r10 + r1 - 64), and something
 * unknown otherwise.  The window safety rules compare addresses this
 * way, and a rule finds recomputed addresses with it.
 */
#ifndef BPFEXT_SUMS_H
#define BPFEXT_SUMS_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/bpf.h>

struct bpfext_sum {
	bool known;
	uint16_t regs;			/* input registers added up */
	uint64_t k;			/* modulo 2^64, as addresses */
};

/* r0-r10 as the inputs they are. */
void bpfext_sums_init(struct bpfext_sum *r);

/* The sums of r0-r10 after @x. */
void bpfext_sum_step(struct bpfext_sum *r, const struct bpf_insn *x);

#endif
