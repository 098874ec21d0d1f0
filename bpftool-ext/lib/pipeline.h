/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The whole optimizing pipeline on one object image:
 *   clean up → recognize EInsn idioms (Kops form) → search every window
 *   outside the Kops regions → apply proven rewrites →
 *   check with the static safety analysis (lib/analysis/safety.c), dropping
 *   rewrites that make a program unsafe that was not →
 *   check with the running kernel's verifier, keeping only the rewrites
 *   under which every program that loaded before still loads.
 */
#ifndef BPFEXT_PIPELINE_H
#define BPFEXT_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>

#include "bpfext.h"
#include "superopt/superopt.h"
#include "superopt/recognize.h"

struct bpfext_pipeline_opts {
	const char *prog;		/* only this program's section, or NULL */
	const char *type;		/* program type override, or NULL */
	struct bpfext_opt_opts search;	/* budget is for the whole object */
	bool kernel_check;		/* load in the running kernel */
	const char *btf_custom_path;	/* ... with CO-RE against this BTF */
	bool no_search;			/* clean-ups only */
	uint32_t kops_ops;		/* EInsn op ids to emit (bit n: id n), 0: none */
	unsigned int kops_timeout_ms;	/* per recognizer proof, 0: default */
	bool select_measured;		/* search under every cost model, time
					 * the results, keep the fastest */
	unsigned int measure_repeat;	/* test_run repeat, 0: default */
};

/* A site rewritten into Kops form. */
struct bpfext_kops_site {
	size_t shndx;			/* section */
	char func[64];			/* function symbol it lies in */
	unsigned int op;		/* EInsn id */
	size_t start, len, cnt;		/* slots in the cleaned-up input, new length */
};

/* A search rewrite the safety analysis refused, and why. */
struct bpfext_safety_drop {
	struct bpfext_rewrite rw;	/* the rewrite */
	char prog[64];			/* the program it made unsafe */
	size_t insn;			/* slot of the violation in that program */
	char reason[256];
};

struct bpfext_pipeline_result {
	void *img;			/* the output object, malloc()ed */
	size_t size;
	struct bpfext_rewrite *rewrites;	/* the rewrites kept */
	size_t nr_rewrites;
	size_t windows;
	size_t rejected_by_kernel;	/* proven rewrites the verifier refused */
	size_t rejected_by_safety;	/* ... the safety analysis refused */
	struct bpfext_safety_drop *safety_drops;	/* malloc()ed, that many */
	unsigned int solver_calls;
	uint64_t proposals;
	size_t cache_hits;		/* rewrites that began as a cached rule */
	size_t proofs_reused;		/* solver calls the proven-pair cache saved */
	/*
	 * The kernel was asked, and every program of the input loaded: then
	 * each still loads (a program the kernel refused before cannot
	 * tell anything, and is no check of its rewrites).
	 */
	bool kernel_checked;
	bool *orig_loaded;		/* per program, when the kernel was asked */
	struct bpfext_kops_site *kops_sites;	/* malloc()ed */
	struct bpfext_rewrite *kops_rewrites;	/* the same sites, malloc()ed */
	size_t nr_kops_sites;
	struct bpfext_recog_stats kops_stats;
	/* select measured */
	bool measured;			/* the candidates could be timed */
	const char *selected;		/* cost model of the build kept, "none" */
	size_t candidates;
	uint64_t *ns_before, *ns_after;	/* per program, test_run ns, 0: not timed */
};

int bpfext_pipeline_run(const void *img, size_t size, const char *name,
			const struct bpfext_pipeline_opts *opts,
			struct bpfext_pipeline_result *res,
			struct bpfext_error *err);

void bpfext_pipeline_result__free(struct bpfext_pipeline_result *res);

/*
 * bpfext_pipeline_safety_filter - the pipeline's safety step on its own
 * @img, @size: the object the rewrites refer to
 * @type: program type override, or NULL
 * @res: ->rewrites[0..nr_rewrites) to check; those under which a program
 *       becomes unsafe (its original being safe or unknown) are removed,
 *       counted in ->rejected_by_safety and described in ->safety_drops
 *
 * Return: 0 or a negative errno.
 */
int bpfext_pipeline_safety_filter(const void *img, size_t size, const char *name,
				  const char *type, struct bpfext_pipeline_result *res,
				  struct bpfext_error *err);

#endif
