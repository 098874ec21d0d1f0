/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Concrete semantics of the ALU and conditional jump operations: one
 * table, used by the interpreter (which expands it into one handler per
 * opcode), the window evaluator and the safety analysis (through
 * bpfext_alu() and bpfext_jmp()).  The Z3 encoding (semantics/symbolic.c)
 * states the same on bit-vectors.
 */
#ifndef BPFEXT_ISA_ALU_H
#define BPFEXT_ISA_ALU_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/bpf.h>

/*
 * X(NAME, OP, SIGNED, E64, E32): "dst OP= src" as BPF_ALU64 (E64, on
 * uint64_t a and b) and as BPF_ALU (E32, on uint32_t a and b; the result
 * is zero-extended).  SIGNED: the signed division and modulo of cpu v4
 * (off 1).  Division by zero gives 0, modulo by zero leaves dst; shift
 * amounts are masked.
 */
#define BPFEXT_ALU_OPS(X)						\
	X(ADD, BPF_ADD, 0, a + b, a + b)				\
	X(SUB, BPF_SUB, 0, a - b, a - b)				\
	X(MUL, BPF_MUL, 0, a * b, a * b)				\
	X(DIV, BPF_DIV, 0, b ? a / b : 0, b ? a / b : 0)		\
	X(SDIV, BPF_DIV, 1,						\
	  !b ? 0 : b == (uint64_t)-1 ? -a : (uint64_t)((int64_t)a / (int64_t)b), \
	  !b ? 0 : b == (uint32_t)-1 ? -a : (uint32_t)((int32_t)a / (int32_t)b)) \
	X(MOD, BPF_MOD, 0, b ? a % b : a, b ? a % b : a)		\
	X(SMOD, BPF_MOD, 1,						\
	  !b ? a : b == (uint64_t)-1 ? 0 : (uint64_t)((int64_t)a % (int64_t)b), \
	  !b ? a : b == (uint32_t)-1 ? 0 : (uint32_t)((int32_t)a % (int32_t)b)) \
	X(OR, BPF_OR, 0, a | b, a | b)					\
	X(AND, BPF_AND, 0, a & b, a & b)				\
	X(LSH, BPF_LSH, 0, a << (b & 63), a << (b & 31))		\
	X(RSH, BPF_RSH, 0, a >> (b & 63), a >> (b & 31))		\
	X(ARSH, BPF_ARSH, 0, (uint64_t)((int64_t)a >> (b & 63)),	\
	  (uint32_t)((int32_t)a >> (b & 31)))				\
	X(XOR, BPF_XOR, 0, a ^ b, a ^ b)				\
	X(MOV, BPF_MOV, 0, b, b)

/*
 * X(NAME, OP, E): whether "if dst OP src" jumps, the same expression for
 * BPF_JMP and BPF_JMP32: a and b are the operands as unsigned numbers of
 * the width, sa and sb as signed ones.
 */
#define BPFEXT_JMP_OPS(X)						\
	X(JEQ, BPF_JEQ, a == b)						\
	X(JNE, BPF_JNE, a != b)						\
	X(JGT, BPF_JGT, a > b)						\
	X(JGE, BPF_JGE, a >= b)						\
	X(JLT, BPF_JLT, a < b)						\
	X(JLE, BPF_JLE, a <= b)						\
	X(JSGT, BPF_JSGT, sa > sb)					\
	X(JSGE, BPF_JSGE, sa >= sb)					\
	X(JSLT, BPF_JSLT, sa < sb)					\
	X(JSLE, BPF_JSLE, sa <= sb)					\
	X(JSET, BPF_JSET, (a & b) != 0)

/*
 * "dst op= src" for a two-operand ALU operation @op (BPF_OP()), and
 * BPF_NEG (-dst, @b unused); 64-bit when @is64, else 32-bit with the
 * result zero-extended; @sdiv for the signed BPF_DIV and BPF_MOD.
 * BPF_END is bpfext_alu_end(); an unknown @op gives 0.
 */
static inline uint64_t bpfext_alu(uint8_t op, bool sdiv, bool is64,
				  uint64_t dst, uint64_t src)
{
	if (is64) {
		uint64_t a = dst, b = src;

		if (op == BPF_NEG)
			return -a;
#define BPFEXT_ALU_CASE64(name, code, sgn, e64, e32)			\
		if (op == (code) && sdiv == (sgn))			\
			return e64;
		BPFEXT_ALU_OPS(BPFEXT_ALU_CASE64)
#undef BPFEXT_ALU_CASE64
	} else {
		uint32_t a = (uint32_t)dst, b = (uint32_t)src;

		if (op == BPF_NEG)
			return (uint32_t)-a;
#define BPFEXT_ALU_CASE32(name, code, sgn, e64, e32)			\
		if (op == (code) && sdiv == (sgn))			\
			return (uint32_t)(e32);
		BPFEXT_ALU_OPS(BPFEXT_ALU_CASE32)
#undef BPFEXT_ALU_CASE32
	}
	return 0;
}

/*
 * Whether the BPF_END of @code swaps bytes: BPF_TO_BE on this
 * little-endian host, and BPF_ALU64's unconditional bswap (cpu v4; the
 * validator, isa/insn.c, refuses it today, but every semantics agrees).
 */
static inline bool bpfext_alu_end_swaps(uint8_t code)
{
	return BPF_CLASS(code) == BPF_ALU64 || BPF_SRC(code) == BPF_TO_BE;
}

/*
 * BPF_END: a byte swap of the low @bits bits when @swap (to big endian
 * on this little-endian host, or BPF_ALU64's unconditional swap), else
 * their zero extension.
 */
static inline uint64_t bpfext_alu_end(bool swap, int bits, uint64_t v)
{
	switch (bits) {
	case 16:
		return swap ? __builtin_bswap16((uint16_t)v) : (uint16_t)v;
	case 32:
		return swap ? __builtin_bswap32((uint32_t)v) : (uint32_t)v;
	default:
		return swap ? __builtin_bswap64(v) : v;
	}
}

/* Whether "if dst op src" jumps (@op: BPF_OP(), BPF_JMP32 when @is32). */
static inline bool bpfext_jmp(uint8_t op, bool is32, uint64_t dst, uint64_t src)
{
	if (is32) {
		uint32_t a = (uint32_t)dst, b = (uint32_t)src;
		int32_t sa = (int32_t)a, sb = (int32_t)b;

		(void)sa;
		(void)sb;
#define BPFEXT_JMP_CASE(name, code, e)					\
		if (op == (code))					\
			return e;
		BPFEXT_JMP_OPS(BPFEXT_JMP_CASE)
	} else {
		uint64_t a = dst, b = src;
		int64_t sa = (int64_t)a, sb = (int64_t)b;

		(void)sa;
		(void)sb;
		BPFEXT_JMP_OPS(BPFEXT_JMP_CASE)
#undef BPFEXT_JMP_CASE
	}
	return false;
}

#endif /* BPFEXT_ISA_ALU_H */
