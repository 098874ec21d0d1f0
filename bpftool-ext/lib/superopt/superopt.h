/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The superoptimizer driver: windows, parallel search, patches. */
#ifndef BPFEXT_SUPEROPT_H
#define BPFEXT_SUPEROPT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfext_opt.h"
#include "superopt/search.h"
#include "superopt/rule_cache.h"

struct bpfext_opt_opts {
	double budget;			/* seconds for the section */
	/*
	 * Absolute CLOCK_MONOTONIC seconds, 0: none.  A window not started
	 * by then is not searched, not even by the rules, and the solver
	 * gets no more time than is left: the caller's whole run ends then.
	 */
	double deadline;
	unsigned int jobs;		/* threads */
	uint64_t seed;
	enum bpfext_cost_model cost;
	struct bpfext_jit_probe *jit;	/* for BPFEXT_COST_JIT, or NULL */
	struct bpfext_proof_cache *proofs; /* pairs proven before, or NULL */
	atomic_bool *stop;		/* set (by a signal handler too) to stop early */
	unsigned int solver_timeout_ms;	/* per window query, 0: 10 s */
	/* Rewrites found before, proposed again; learns new ones. NULL: none */
	struct bpfext_rule_cache *rule_cache;
	/* Called (serialised) as windows finish. */
	void (*progress)(void *arg, size_t done, size_t total);
	void *progress_arg;
};


struct bpfext_opt_result {
	struct bpfext_rewrite *rewrites;
	size_t nr_rewrites;
	size_t windows;
	uint64_t proposals;
	unsigned int solver_calls;
	size_t cache_hits;		/* rewrites that started from a cached rule */
	size_t unsearched;		/* windows the deadline left out */
};

/*
 * Search every window of @sec; the rewrites found are not applied.
 * Return: 0 or a negative errno.
 */
int bpfext_optimize_section(struct bpfext_object *obj,
			    struct bpfext_section *sec,
			    const struct bpfext_opt_opts *opts,
			    struct bpfext_opt_result *out,
			    struct bpfext_error *err);

/*
 * Apply those of @rw[0..n) that belong to @sec (by section index, so the
 * rewrites may come from another copy of the object), all or nothing.
 */
int bpfext_apply_rewrites(struct bpfext_object *obj, struct bpfext_section *sec,
			  const struct bpfext_rewrite *rw, size_t n,
			  struct bpfext_error *err);

void bpfext_opt_result__free(struct bpfext_opt_result *r);

#endif
