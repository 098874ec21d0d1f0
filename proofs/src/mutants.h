/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Deliberately wrong emitters; each must be refuted with a counterexample. */
#ifndef PROOFS_MUTANTS_H
#define PROOFS_MUTANTS_H
enum {
	MUT_ROTATE_DIR = 1,	/* rotate right instead of left */
	MUT_SELECT_COND,	/* inverted condition code */
	MUT_BFEXT_TMP,		/* control word in a live BPF register */
	MUT_BFEXT_WIDTH,	/* field one bit too wide */
	MUT_MEMCPY_LEN,		/* one word too many */
	MUT_A64_ROTATE_DIR,	/* extr by k instead of width - k */
	MUT_A64_SELECT_COND,	/* csel with the inverted condition */
	MUT_A64_BFEXT_WIDTH,	/* ubfx one bit too wide */
	MUT_A64_MEMCPY_TMP,	/* odd word through x19 (r6), not x10 */
	MUT_A64_OTHER_ENDIAN,	/* the emit of the other byte order's kernel */
	MUT_COUNT
};
#endif
