/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Machine states as Z3 terms, shared by the BPF, x86-64 and arm64 models.
 * Registers are 64-bit vectors, flags Booleans, memory an array from 64-bit
 * addresses to bytes.  Every memory access is recorded with the path
 * condition under which it happens, for the fault-freedom obligation.
 */
#ifndef PROOFS_MODEL_H
#define PROOFS_MODEL_H
#include <stdbool.h>
#include <stdint.h>
#include <z3.h>

struct bpf_insn;

#define MAX_ACC 80

struct access {
	Z3_ast guard;	/* Bool: the access happens */
	Z3_ast addr;	/* BV64 */
	unsigned size;	/* bytes */
	bool store;
};

struct mstate {
	Z3_ast r[32];	/* BV64; x86: rax..r15 by hardware number; arm64: x0..x30, [31] = sp */
	Z3_ast f[4];	/* Bool; x86: CF ZF SF OF; arm64: N Z C V */
	Z3_ast mem;	/* Array BV64 -> BV8 */
	Z3_ast path;	/* Bool: this state is reached (BPF jumps) */
	bool be;	/* data accesses big-endian (most significant byte first) */
	struct access acc[MAX_ACC];
	int nacc;
};

extern Z3_context ctx;
extern char model_err[256];	/* why a decoder rejected its input */
extern int model_fault;		/* validation self-test: deliberately wrong native models */
/* model tests (prove -U) only: put back the defects fixed in the models, to
 * show that the tests detect them */
extern unsigned model_old;
enum {
	MODEL_OLD_ROT0 = 1,	/* x86 ROL/ROR r32 by a count masking to 0 left the upper half */
	MODEL_OLD_EXTR = 2,	/* arm64 EXTR W with imms >= 32 (undefined) taken mod 32 */
	MODEL_OLD_XZR = 4,	/* arm64 LDR/STR [Xn, XZR, LSL #s] indexed by x0 */
};

Z3_ast bv(uint64_t v, unsigned w);
Z3_ast bvvar(const char *name, unsigned w);
Z3_ast boolvar(const char *name);
Z3_ast ext(Z3_ast a, unsigned hi, unsigned lo);
Z3_ast zext(Z3_ast a, unsigned to);
Z3_ast sext(Z3_ast a, unsigned to);
Z3_ast low32_zx(Z3_ast a);	/* zero-extend the low 32 bits to 64 */
Z3_ast mk_and2(Z3_ast a, Z3_ast b);
Z3_ast mk_or2(Z3_ast a, Z3_ast b);
Z3_ast mk_not(Z3_ast a);
Z3_ast mk_eq(Z3_ast a, Z3_ast b);
Z3_ast mk_ite(Z3_ast c, Z3_ast a, Z3_ast b);
Z3_ast bswap(Z3_ast a, unsigned bytes);
Z3_ast mk_true(void);
Z3_ast mk_false(void);

/* memory in the state's byte order (s->be) */
Z3_ast mem_load(struct mstate *s, Z3_ast addr, unsigned size);
void mem_store(struct mstate *s, Z3_ast addr, unsigned size, Z3_ast val);

/* a little-endian state; set ->be for a big-endian one */
void state_fresh(struct mstate *s, const char *prefix, int nregs);
void state_merge(struct mstate *out, const struct mstate *a, const struct mstate *b);

/* semantics: 0 on success, -1 (model_err set) on something unmodelled */
int bpf_exec(const struct bpf_insn *p, int n, struct mstate *s);
int x86_exec(const uint8_t *code, int len, struct mstate *s);
int a64_exec(const uint32_t *code, int n, struct mstate *s);
#endif
