/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Register values as sums: a register holds the sum of distinct input
 * registers plus a constant when only 64-bit moves and additions made
 * it (r3 = r10; r3 += -64; r3 += r1 is r10 + r1 - 64), and something
 * unknown otherwise.  A pointer loaded in the window (ctx->data, a
 * spilled pointer) is an input too, one symbol per loaded address and
 * size; a store to that address in between is not looked at (this only
 * steers the search: the safety analysis and the kernel verifier check
 * every rewritten program as a whole).  The window safety rules compare
 * addresses this way, and a rule finds recomputed addresses with it.
 */
#ifndef BPFEXT_SUMS_H
#define BPFEXT_SUMS_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/bpf.h>

#define BPFEXT_SUM_SYMS	5		/* symbols for loaded values: bits 11-15 */

struct bpfext_sum {
	bool known;
	uint16_t regs;			/* inputs added up: r0-r10, symbols */
	uint64_t k;			/* modulo 2^64, as addresses */
};

struct bpfext_sums {
	struct bpfext_sum r[11];
	bool frozen;			/* no new symbols */
	unsigned int nr_syms;
	struct {
		uint16_t regs;
		uint64_t k;
		uint8_t code;
	} sym[BPFEXT_SUM_SYMS];		/* the address and size each was loaded from */
};

/*
 * r0-r10 as the inputs they are.  With @syms, the loads that named its
 * symbols name them again and no others do: a candidate is judged by
 * the symbols of the window it replaces.
 */
void bpfext_sums_init(struct bpfext_sums *s, const struct bpfext_sums *syms);

/* Registers with every bit known (@kz, @ko: 11 masks, or NULL) are constants. */
void bpfext_sums_assume(struct bpfext_sums *s, const uint64_t *kz,
			const uint64_t *ko);

/* The sums of r0-r10 after @x. */
void bpfext_sum_step(struct bpfext_sums *s, const struct bpf_insn *x);

#endif
