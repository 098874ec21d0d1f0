/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The EInsn recognizer: finds rotates, conditional selects, bit-field
 * extracts, byte-swapped loads, bulk copies and address arithmetic in
 * straight-line code and rewrites each into Kops form (marker + the op's
 * canonical proof sequence, kops_ops.h).
 *
 * Every rewrite is proven: the replaced instructions and the new ones
 * (without the marker, which is a no-op jump) are checked equivalent with
 * bpfext_sym_equiv_window() for the registers live after the window, and
 * the op's scratch registers must be dead there (the clobber rule of
 * Documentation/bpf/kops.rst).  A window never starts inside a Kops
 * region, contains no slot some branch targets except its first, and no
 * slot with a relocation or CO-RE record.
 */
#ifndef BPFEXT_RECOGNIZE_H
#define BPFEXT_RECOGNIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>

#include "bpfext_opt.h"
#include "isa/kops_ops.h"
#include "superopt/superopt.h"

#define BPFEXT_RECOG_MAX	BPFEXT_WIN_MAX_INSNS	/* slots of a replacement */

struct bpfext_recog_opts {
	uint32_t ops;			/* bit n set: EInsn op id n may be used */
	unsigned int timeout_ms;	/* per proof; 0: 2000 */
};


/* One rewrite: slots [start, start + len) become insns[0..cnt). */
struct bpfext_recog_site {
	size_t start, len;
	unsigned int op;		/* EInsn id */
	struct bpf_insn insns[BPFEXT_RECOG_MAX];
	size_t cnt;
};


/**
 * bpfext_recognize_func - recognize idioms in one function
 * @insns, @cnt: the function (branches stay inside it)
 * @blocked: cnt entries, true for slots a rewrite must not touch (a
 *	relocation or CO-RE record); may be NULL
 * @sites, @nr: receive a malloc()ed array of non-overlapping rewrites, in
 *	increasing order, slots relative to @insns
 * @st: statistics are added here; may be NULL
 *
 * Return: 0 or a negative errno.
 */
int bpfext_recognize_func(const struct bpf_insn *insns, size_t cnt,
			  const bool *blocked,
			  const struct bpfext_recog_opts *opts,
			  struct bpfext_recog_site **sites, size_t *nr,
			  struct bpfext_recog_stats *st,
			  struct bpfext_error *err);

/*
 * bpfext_recognize_section - recognize idioms in every function of @sec
 * @rw, @nr: receive malloc()ed rewrites for bpfext_apply_rewrites()
 * @ops_of: if not NULL, receives a malloc()ed array of @nr EInsn ids
 *
 * Return: 0 or a negative errno.
 */
int bpfext_recognize_section(const struct bpfext_section *sec,
			     const struct bpfext_recog_opts *opts,
			     struct bpfext_rewrite **rw, size_t *nr,
			     unsigned int **ops_of,
			     struct bpfext_recog_stats *st,
			     struct bpfext_error *err);

#endif
