/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Concrete evaluation of model terms (model validation), see eval.c. */
#ifndef PROOFS_EVAL_H
#define PROOFS_EVAL_H
#include "model.h"

struct evin {
	const Z3_ast *var;	/* BV and Bool constants ... */
	const uint64_t *val;	/* ... and their values */
	int nvar;
	Z3_ast mem0;		/* the input memory constant ... */
	uint32_t seed;		/* ... whose byte at addr is mem(seed, addr) */
	uint64_t (*mem)(uint32_t seed, uint64_t addr);
};

/* start evaluating for one input (forgets the previous input's values) */
void eval_begin(const struct evin *in);
/* value of a bit-vector (<= 64 bits) or Bool term; *ok = false if the
 * term uses an operator the evaluator does not know */
uint64_t eval_bv(Z3_ast e, bool *ok);
/* byte at addr of an array term */
uint8_t eval_byte(Z3_ast mem, uint64_t addr, bool *ok);
#endif
