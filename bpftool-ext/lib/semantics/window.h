/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Windows: straight-line pieces of a function that the optimizer rewrites
 * one at a time, checked modularly (same live-out registers, same memory).
 * A window may hold side exits: conditional jumps to slots past its end.
 * They stay where they are in every candidate, and the state each one
 * leaves with (registers live at its target, memory) must be the
 * original's, so a candidate is a straight line checked at every exit.
 *
 * The concrete evaluator runs a window on a machine state of eleven
 * registers and one flat byte-addressed memory, the same model the
 * symbolic window check proves equivalence in, so candidates that fail
 * here never reach the solver.
 */
#ifndef BPFEXT_WINDOW_H
#define BPFEXT_WINDOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>

#define BPFEXT_WIN_MAX_INSNS	24
#define BPFEXT_WIN_MAX_WRITES	(BPFEXT_WIN_MAX_INSNS * 8)
#define BPFEXT_WIN_MAX_MEMSET	64
#define BPFEXT_WIN_MAX_EXITS	4

/* Initial state: registers, and memory bytes a counterexample fixed. */
struct bpfext_win_input {
	uint64_t regs[11];
	uint64_t mem_seed;		/* other bytes: a hash of the address */
	size_t nr_mem;
	uint64_t mem_addr[BPFEXT_WIN_MAX_MEMSET];
	uint8_t mem_val[BPFEXT_WIN_MAX_MEMSET];
};

struct bpfext_win_state {
	uint64_t regs[11];
	size_t nr_writes;
	uint64_t w_addr[BPFEXT_WIN_MAX_WRITES];
	uint8_t w_val[BPFEXT_WIN_MAX_WRITES];
};

/*
 * Side exits of a window: every conditional jump in it is one, and
 * these are their live sets in slot order (the registers live at the
 * target and those the jump reads).
 */
struct bpfext_win_exits {
	unsigned int n;
	uint16_t live[BPFEXT_WIN_MAX_EXITS];
};

/* Can the window machinery handle this instruction? */
bool bpfext_win_insn_supported(const struct bpf_insn *insn);

/* A conditional jump, which can be a window's side exit. */
bool bpfext_win_insn_is_exit(const struct bpf_insn *insn);

/*
 * Is @b the side exit @a in another version of the window?  The offset
 * may differ: it counts the slots left after the exit.
 */
bool bpfext_win_same_exit(const struct bpf_insn *a, const struct bpf_insn *b);

/*
 * Registers live before each slot of @w (@live has n + 1 entries):
 * @live_out at the end, and at each side exit also what @exits says
 * is live where it goes (NULL: nothing more).
 */
void bpfext_win_liveness(const struct bpf_insn *w, size_t n, uint16_t live_out,
			 const struct bpfext_win_exits *exits, uint16_t *live);

/*
 * Run @cnt slots on @in.  NOP slots (goto pc+0) are skipped, and so are
 * side exits: the state is the one a jump leaves with, taken or not.
 * Return: 0, or -EINVAL for an instruction outside the supported subset.
 */
int bpfext_win_eval(const struct bpf_insn *insns, size_t cnt,
		    const struct bpfext_win_input *in, struct bpfext_win_state *out);

/*
 * Run @stops[nstops - 1] slots on @in, @out[k] getting the state before
 * slot @stops[k] (ascending; the last is the end): one run for every
 * checkpoint of a window.  Return: as bpfext_win_eval().
 */
int bpfext_win_eval_at(const struct bpf_insn *insns, const size_t *stops,
		       unsigned int nstops, const struct bpfext_win_input *in,
		       struct bpfext_win_state *out);

/*
 * Distance between two outcomes on the same input: differing bits of
 * the live-out registers plus 8 per differing memory byte.
 */
uint64_t bpfext_win_distance(const struct bpfext_win_state *a, const struct bpfext_win_state *b,
			     const struct bpfext_win_input *in, uint16_t live_out);

#endif
