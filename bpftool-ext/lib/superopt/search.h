/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Stochastic search for a cheaper equivalent of one window (K2 / STOKE
 * style MCMC): candidates are scored on test states by the concrete
 * window evaluator, and only a zero-error candidate that is cheaper than
 * the best so far and passes the safety rules goes to the solver.  A
 * counterexample becomes a new test state.
 */
#ifndef BPFEXT_SEARCH_H
#define BPFEXT_SEARCH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>

#include "bpfext_opt.h"
#include "semantics/window.h"


struct bpfext_search_opts {
	uint64_t seed;
	uint64_t iters;			/* proposals to make */
	double deadline;		/* absolute CLOCK_MONOTONIC seconds, 0: none */
	enum bpfext_cost_model cost;
	struct bpfext_jit_probe *jit;	/* BPFEXT_COST_JIT: measured sizes, or NULL */
	struct bpfext_proof_cache *proofs; /* pairs proven before, or NULL */
	const uint64_t *known_zero;	/* input bits known zero (11), or NULL */
	const uint64_t *known_one;	/* input bits known one (11), or NULL */
	const struct bpfext_win_exits *exits;	/* side exits of the window, or NULL */
	unsigned int solver_timeout_ms;
	atomic_bool *stop;		/* set (by a signal handler too) to stop early */
};

struct bpfext_search_result {
	/* NOPs removed; side exits kept, their offsets fixed for the new
	 * length (the target is the same slot after the window). */
	struct bpf_insn insns[BPFEXT_WIN_MAX_INSNS];
	size_t cnt;
	bool improved;
	uint64_t cost_before, cost_after;
	uint64_t iters;
	unsigned int solver_calls;
	unsigned int counterexamples;
	double time_to_best;		/* seconds from the start of this search */
};

struct bpfext_jit_probe;
struct bpfext_sym_cex;

/*
 * Cost of a sequence under @model (NOP slots are free); for
 * BPFEXT_COST_JIT, sizes measured by @jit, or modelled when it is NULL.
 */
uint64_t bpfext_cost(const struct bpf_insn *insns, size_t cnt,
		     enum bpfext_cost_model model, struct bpfext_jit_probe *jit);

/*
 * Conservative static safety of @cand against the window it replaces:
 * it writes no frame pointer, reads only registers live into the window
 * or written before, and touches memory only through a pointer that is
 * the same sum of input registers plus a constant as one the original
 * window used, within bytes the original accessed through it (reads
 * within what it read or wrote, writes within what it wrote); stack
 * accesses aligned unless the original made the same access.
 *
 * With side exits (@exits not NULL), @cand has the same jumps in the
 * same order, and an access between two exits must have been made by
 * the original before the later exit: no access moves above a jump that
 * may leave (a bounds check, typically).
 */
bool bpfext_window_safe(const struct bpf_insn *orig, size_t n,
			const struct bpf_insn *cand, size_t m,
			uint16_t live_in, const struct bpfext_win_exits *exits);

/*
 * Prove @cand equivalent to the window @win: the same registers @live_out
 * and memory at the end, and at each side exit (the same jumps, in the
 * same order, with @opts->exits' registers and memory).  Each compared
 * straight line goes through @opts->proofs.
 * Return: a BPFEXT_* verdict (@cex set for BPFEXT_DIFFERENT), or
 * -EINVAL when the jumps do not correspond.
 */
int bpfext_window_prove(const struct bpf_insn *win, size_t n,
			const struct bpf_insn *cand, size_t m, uint16_t live_out,
			const struct bpfext_search_opts *opts, unsigned int *solver_calls,
			struct bpfext_sym_cex *cex);

/*
 * @c without its NOPs into @out, side exits kept with their offsets
 * fixed for the shorter length.  Return: the slots left.
 */
size_t bpfext_window_compact(const struct bpf_insn *c, size_t n,
			     struct bpf_insn *out);

/*
 * bpfext_search_window - look for a cheaper equivalent of a window
 * @win, @n: the window (bpfext_win_insn_supported() everywhere but at
 *	the side exits @opts->exits)
 * @live_in, @live_out: registers live before and after it
 *
 * Return: 0 (with ->improved telling whether anything better was proven
 * equivalent), or a negative errno.
 */
int bpfext_search_window(const struct bpf_insn *win, size_t n,
			 uint16_t live_in, uint16_t live_out,
			 const struct bpfext_search_opts *opts,
			 struct bpfext_search_result *res, struct bpfext_error *err);

#endif
