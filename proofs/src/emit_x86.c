// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The x86-64 EInsn emitters, compiled from arch/x86/net/bpf_jit_comp.c
 * (gen/x86_emit.inc, extracted verbatim), plus the deliberately wrong
 * emitters used as mutants.
 */
#include "kshim.h"
#include "mutants.h"

#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wsign-compare"

/* The JIT emits BEXTR and MOVBE only when the CPU has them; prove both. */
#define boot_cpu_has(f)		(f)
#define X86_FEATURE_BMI1	1
#define X86_FEATURE_MOVBE	1

#define BUILD_BUG_ON(c)		((void)sizeof(char[1 - 2 * !!(c)]))

/*
 * emit_kops() hands ops with an ->emit callback (module ops) to
 * emit_kops_op(); the EInsn ops have none, and that path is not under proof.
 */
struct bpf_kops_op {
	int (*emit)(u32 arch, const struct bpf_insn *marker, const u8 *hwreg,
		    u8 *buf, u32 size);
};
static const struct bpf_kops_op einsn_op;
static int emit_kops_op(u8 **pprog, const struct bpf_kops_op *op, const struct bpf_insn *m)
{
	return -EOPNOTSUPP;
}

#include "../gen/x86_emit.inc"

/* ---- mutants: wrong emitters that must be refuted ---- */

/* rotate the wrong way: ror dst, k (C1 /1) */
static int mut_rotate_dir(u8 **pprog, const struct bpf_insn *m)
{
	u32 dst = BPF_KOPS_D(m), par = BPF_KOPS_P(m);
	u8 *prog = *pprog;

	maybe_emit_1mod(&prog, dst, !(par & 0x40));
	EMIT3(0xC1, add_1reg(0xC8, dst), par & 0x3f);
	*pprog = prog;
	return 0;
}

/* select with the inverted condition code (cc ^ 1) */
static int mut_select_cond(u8 **pprog, const struct bpf_insn *m)
{
	u32 dst = BPF_KOPS_D(m), lhs = BPF_KOPS_A(m), rhs = BPF_KOPS_B(m);
	u32 src = BPF_KOPS_C(m), par = BPF_KOPS_P(m), op = (par & 0xf) << 4;
	u8 *prog = *pprog;

	maybe_emit_mod(&prog, lhs, rhs, !(par & 0x10));
	EMIT2(op == BPF_JSET ? 0x85 : 0x39, add_2reg(0xC0, lhs, rhs));
	EMIT4(add_2mod(0x48, src, dst), 0x0F, (kops_x86_cond(op) - 0x30) ^ 1,
	      add_2reg(0xC0, src, dst));
	*pprog = prog;
	return 0;
}

/* bfext with the control word in a BPF register (r2 = rsi), not r11 */
static int mut_bfext_tmp(u8 **pprog, const struct bpf_insn *m)
{
	u32 dst = BPF_KOPS_D(m), src = BPF_KOPS_A(m), par = BPF_KOPS_P(m);
	u32 tmp = BPF_REG_2;
	u8 *prog = *pprog;

	emit_mov_imm32(&prog, false, tmp, (par & 0x3f) | (par >> 6) << 8);
	EMIT5(0xC4, (is_ereg(dst) ? 0 : 0x80) | 0x40 |
	      (is_ereg(src) ? 0 : 0x20) | 0x02,
	      0x80 | (~reg2hex[tmp] & 0xf) << 3, 0xF7,
	      add_2reg(0xC0, src, dst));
	*pprog = prog;
	return 0;
}

/* bfext extracting one bit too many */
static int mut_bfext_width(u8 **pprog, const struct bpf_insn *m)
{
	u32 dst = BPF_KOPS_D(m), src = BPF_KOPS_A(m), par = BPF_KOPS_P(m);
	u8 *prog = *pprog;

	emit_mov_imm32(&prog, false, AUX_REG, (par & 0x3f) | ((par >> 6) + 1) << 8);
	EMIT5(0xC4, (is_ereg(dst) ? 0 : 0x80) | 0x40 |
	      (is_ereg(src) ? 0 : 0x20) | 0x02,
	      0x80 | (~(reg2hex[AUX_REG] + 8) & 0xf) << 3, 0xF7,
	      add_2reg(0xC0, src, dst));
	*pprog = prog;
	return 0;
}

/* memcpy that copies one word past the end */
static int mut_memcpy_len(u8 **pprog, const struct bpf_insn *m)
{
	u32 dst = BPF_KOPS_D(m), src = BPF_KOPS_A(m), par = BPF_KOPS_P(m);
	s32 soff = sign_extend32(par & 0x3f, 5) * 8;
	s32 doff = sign_extend32(par >> 6, 5) * 8;
	u32 i, n = BPF_KOPS_C(m) + 2;
	u8 *prog = *pprog;

	for (i = 0; i < n; i++) {
		emit_ldx(&prog, BPF_DW, AUX_REG, src, soff + 8 * i);
		emit_stx(&prog, BPF_DW, dst, AUX_REG, doff + 8 * i);
	}
	*pprog = prog;
	return 0;
}

/*
 * The JIT emits a region in steps, one per instruction of the region (0:
 * the marker), each into do_jit()'s per-insn buffer, which takes
 * BPF_MAX_INSN_SIZE bytes: -E2BIG if a step is longer than the
 * BPF_KOPS_MAX_NATIVE the JIT promises (by a BUILD_BUG_ON) to fit there.
 */
static int emit_steps(const struct bpf_insn *m, u8 **pprog, int *longest)
{
	struct bpf_insn proof[64];
	const char *why;
	int n, step, err;
	u16 clobber;
	u8 *start;

	n = einsn_instantiate(m, proof, &clobber, &why);
	if (n < 0)
		return n;
	for (step = 0; step <= n; step++) {
		start = *pprog;
		err = emit_kops(pprog, &einsn_op, m, step);
		if (err)
			return step ? -EFAULT : err;
		if (longest && *pprog - start > *longest)
			*longest = *pprog - start;
		if (*pprog - start > BPF_KOPS_MAX_NATIVE ||
		    *pprog - start > BPF_MAX_INSN_SIZE)
			return -E2BIG;
	}
	return 0;
}

/*
 * The first version's memcpy: the whole copy in one step, at the marker,
 * into do_jit()'s temp buffer (for the length sweep: it must exceed it).
 */
int x86_emit_memcpy_v1(const struct bpf_insn *m, u8 *buf)
{
	u8 *prog = buf;
	u32 i;

	for (i = 0; i <= BPF_KOPS_C(m); i++)
		emit_kops_memcpy_word(&prog, m, i);
	return prog - buf;
}

/* The JIT's emit of @m and, in @longest, the length of its longest step. */
int x86_emit_steps(const struct bpf_insn *m, u8 *buf, int *longest)
{
	u8 *prog = buf;
	int err;

	*longest = 0;
	err = emit_steps(m, &prog, longest);
	return err ? err : (int)(prog - buf);
}

int x86_emit(const struct bpf_insn *m, u8 *buf, int mutant)
{
	u8 *prog = buf;
	int err;

	switch (mutant) {
	case MUT_NONE:		 err = emit_steps(m, &prog, NULL); break;
	case MUT_ROTATE_DIR:	 err = mut_rotate_dir(&prog, m); break;
	case MUT_SELECT_COND:	 err = mut_select_cond(&prog, m); break;
	case MUT_BFEXT_TMP:	 err = mut_bfext_tmp(&prog, m); break;
	case MUT_BFEXT_WIDTH:	 err = mut_bfext_width(&prog, m); break;
	case MUT_MEMCPY_LEN:	 err = mut_memcpy_len(&prog, m); break;
	default:		 return -EOPNOTSUPP;
	}
	return err ? err : (int)(prog - buf);
}
