// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Native code size of one BPF instruction as the Linux 6.1 x86-64 JIT
 * (arch/x86/net/bpf_jit_comp.c) emits it: the encoding choices there
 * (REX prefixes for r5, r7-r9, imm8 against imm32 forms, the short
 * forms for rax, xor for zero, the push/mov/pop around variable
 * shifts and divisions) decide the byte count, so the same choices are
 * made here.  Jump and call sizes depend on the layout and are not
 * modelled exactly; the search only rewrites straight-line code.
 *
 * test_jit_cost loads each form in the running kernel and compares
 * jited_prog_len with this model.
 */
#include <stdbool.h>
#include <stdint.h>

#include "kernel/jit_cost.h"

#define AUX	11			/* r11, the JIT's temporary */

/* BPF registers the JIT maps to r8-r15, which need a REX prefix. */
static bool ereg(unsigned int r)
{
	return r == 5 || r == 7 || r == 8 || r == 9 || r == AUX;
}

/* Also SIL/DIL/BPL need REX as byte registers. */
static bool ereg_8l(unsigned int r)
{
	return ereg(r) || r == 1 || r == 2 || r == 10;
}

static bool imm8(long v)
{
	return v >= -128 && v <= 127;
}

static unsigned int rex2(bool is64, unsigned int a, unsigned int b)
{
	return is64 || ereg(a) || ereg(b);
}

static unsigned int mov_reg(bool is64, unsigned int dst, unsigned int src)
{
	if (is64)
		return dst == src ? 0 : 3;
	return rex2(false, dst, src) + 2;
}

static unsigned int mov_imm32(bool sign_propagate, unsigned int dst, int32_t imm)
{
	if (sign_propagate && imm < 0)
		return 7;
	if (!imm)
		return ereg(dst) + 2;
	return ereg(dst) + 5;
}

static unsigned int disp(int off)
{
	return imm8(off) ? 2 : 5;	/* ModRM and displacement */
}

static unsigned int alu(const struct bpf_insn *x)
{
	bool is64 = BPF_CLASS(x->code) == BPF_ALU64, k = BPF_SRC(x->code) == BPF_K;
	unsigned int dst = x->dst_reg, src = x->src_reg, n;

	switch (BPF_OP(x->code)) {
	case BPF_ADD:
	case BPF_SUB:
	case BPF_AND:
	case BPF_OR:
	case BPF_XOR:
		if (!k)
			return rex2(is64, dst, src) + 2;
		n = rex2(is64, dst, dst);
		if (imm8(x->imm))
			return n + 3;
		return n + (dst == BPF_REG_0 ? 5 : 6);
	case BPF_MOV:
		return k ? mov_imm32(is64, dst, x->imm) : mov_reg(is64, dst, src);
	case BPF_NEG:
		return rex2(is64, dst, dst) + 2;
	case BPF_MUL:
		if (!k)
			return rex2(is64, src, dst) + 3;
		return rex2(is64, dst, dst) + (imm8(x->imm) ? 3 : 6);
	case BPF_LSH:
	case BPF_RSH:
	case BPF_ARSH:
		if (k)
			return rex2(is64, dst, dst) + (x->imm == 1 ? 2 : 3);
		n = 0;
		if (dst == BPF_REG_4) {
			n += 3;			/* mov r11, rcx ... */
			dst = AUX;
		}
		if (src != BPF_REG_4)
			n += 1 + mov_reg(true, BPF_REG_4, src) + 1; /* push, mov, pop */
		n += rex2(is64, dst, dst) + 2;
		if (x->dst_reg == BPF_REG_4)
			n += 3;			/* ... mov rcx, r11 */
		return n;
	case BPF_DIV:
	case BPF_MOD:
		n = (dst != BPF_REG_0) + (dst != BPF_REG_3);	/* push rax, rdx */
		if (!k && (src == BPF_REG_0 || src == BPF_REG_3)) {
			n += 3;
			src = AUX;
		} else if (k) {
			n += 7;
			src = AUX;
		}
		if (dst != BPF_REG_0)
			n += mov_reg(is64, BPF_REG_0, dst);
		n += 2;						/* xor edx, edx */
		n += rex2(is64, src, src) + 2;			/* div */
		if (BPF_OP(x->code) == BPF_MOD && dst != BPF_REG_3)
			n += mov_reg(is64, dst, BPF_REG_3);
		else if (BPF_OP(x->code) == BPF_DIV && dst != BPF_REG_0)
			n += mov_reg(is64, dst, BPF_REG_0);
		n += (dst != BPF_REG_0) + (dst != BPF_REG_3);	/* pops */
		return n;
	case BPF_END:
		if (BPF_SRC(x->code) == BPF_TO_BE) {
			switch (x->imm) {
			case 16:		/* ror ax, 8; movzwl eax, ax */
				return 7 + 2 * ereg(dst);
			case 32:
				return 2 + ereg(dst);
			default:
				return 3;
			}
		}
		switch (x->imm) {
		case 16:
			return 3 + ereg(dst);
		case 32:
			return 2 + ereg(dst);
		default:
			return 0;
		}
	}
	return 0;
}

unsigned int bpfext_x86_jit_bytes(const struct bpf_insn *x)
{
	unsigned int sz = BPF_SIZE(x->code), dst = x->dst_reg, src = x->src_reg;

	switch (BPF_CLASS(x->code)) {
	case BPF_ALU:
	case BPF_ALU64:
		return alu(x);
	case BPF_LDX:
		if (BPF_MODE(x->code) != BPF_MEM)
			break;
		if (sz == BPF_B || sz == BPF_H)
			return 3 + disp(x->off);
		if (sz == BPF_W)
			return rex2(false, dst, src) + 1 + disp(x->off);
		return 2 + disp(x->off);
	case BPF_STX:
		if (BPF_MODE(x->code) != BPF_MEM)
			break;
		switch (sz) {
		case BPF_B:
			return (ereg(dst) || ereg_8l(src)) + 1 + disp(x->off);
		case BPF_H:
			return 1 + rex2(false, dst, src) + 1 + disp(x->off);
		case BPF_W:
			return rex2(false, dst, src) + 1 + disp(x->off);
		default:
			return 2 + disp(x->off);
		}
	case BPF_ST:
		if (BPF_MODE(x->code) != BPF_MEM)
			break;
		switch (sz) {
		case BPF_B:
			return ereg(dst) + 1 + disp(x->off) + 1;
		case BPF_H:
			return 1 + ereg(dst) + 1 + disp(x->off) + 2;
		case BPF_W:
			return ereg(dst) + 1 + disp(x->off) + 4;
		default:
			return 2 + disp(x->off) + 4;
		}
	case BPF_LD:
		if (x->code != (BPF_LD | BPF_IMM | BPF_DW))
			break;
		/* Only the low word is known here: the common 32-bit case. */
		return mov_imm32(false, dst, x->imm);
	case BPF_JMP:
		if (x->code == (BPF_JMP | BPF_JA))
			return x->off ? 2 : 0;	/* nop jumps are dropped */
		break;
	}
	/* Jumps, calls and the rest: a typical short encoding. */
	return 5;
}
