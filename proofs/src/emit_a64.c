// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The arm64 EInsn emitters, compiled from arch/arm64/net/bpf_jit_comp.c
 * (gen/a64_emit.inc) with the A64_* macros of arch/arm64/net/bpf_jit.h
 * (gen/a64_jit.inc) and the instruction encoders of arch/arm64/lib/insn.c
 * (gen/a64_insn.inc), all extracted verbatim, plus the mutants.  The
 * instruction words are little-endian in memory on both byte orders
 * (emit() stores cpu_to_le32()).
 */
#include "kshim.h"
#include "mutants.h"

#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wsign-compare"

#undef __always_inline
#define __always_inline		inline __attribute__((always_inline))
#define __kprobes
#define BUILD_BUG_ON(c)		((void)sizeof(char[1 - 2 * !!(c)]))
/* arch/arm64/include/asm/debug-monitors.h: brk #0x100 */
#define AARCH64_BREAK_FAULT	(0xd4200000 | (0x100 << 5))
#define SZ_32			0x20
#define SZ_64			0x40
#define SZ_4K			0x1000
#define SZ_64K			0x10000
#define SZ_1M			0x100000
#define SZ_2M			0x200000
#define GENMASK(h, l)		(((~0UL) << (l)) & (~0UL >> (63 - (h))))
/*
 * Compiled twice (Makefile): little-endian arm64, and with -DA64_BE=1 the
 * big-endian kernel's code paths, whose entry point is a64be_emit().
 */
#define IS_ENABLED(option)	(option)
#ifndef A64_BE
#define A64_BE			0
#endif
#define CONFIG_CPU_BIG_ENDIAN	A64_BE
#if A64_BE
#define a64_emit		a64be_emit
#endif

#include "../gen/a64_insn.inc"
#include "../gen/a64_jit.inc"

struct jit_ctx {		/* the members emit() uses */
	int idx;
	__le32 *image;
	bool write;
};

/* build_kops() hands module ops (->emit set) to build_kops_op(); not under proof */
struct bpf_kops_op {
	int (*emit)(u32 arch, const struct bpf_insn *marker, const u8 *hwreg,
		    u8 *buf, u32 size);
};
static const struct bpf_kops_op einsn_op;
static int build_kops_op(const struct bpf_kops_op *op, const struct bpf_insn *m,
			 struct jit_ctx *ctx)
{
	return -EOPNOTSUPP;
}

#include "../gen/a64_emit.inc"

/* ---- mutants ---- */

/* rotate right by k: ror dst, dst, #k */
static int mut_rotate_dir(const struct bpf_insn *m, struct jit_ctx *ctx)
{
	const u8 dst = bpf2a64[BPF_KOPS_D(m)];
	const u32 par = BPF_KOPS_P(m);

	emit(A64_EXTR(!(par & 0x40), dst, dst, dst, par & 0x3f), ctx);
	return 0;
}

/* csel with the inverted condition */
static int mut_select_cond(const struct bpf_insn *m, struct jit_ctx *ctx)
{
	const u8 dst = bpf2a64[BPF_KOPS_D(m)], lhs = bpf2a64[BPF_KOPS_A(m)];
	const u8 rhs = bpf2a64[BPF_KOPS_B(m)], src = bpf2a64[BPF_KOPS_C(m)];
	const u32 par = BPF_KOPS_P(m), op = (par & 0xf) << 4;
	const bool is64 = !(par & 0x10);

	if (op == BPF_JSET)
		emit(A64_TST(is64, lhs, rhs), ctx);
	else
		emit(A64_CMP(is64, lhs, rhs), ctx);
	emit(A64_CSEL(dst, src, dst, kops_a64_cond(op) ^ 1), ctx);
	return 0;
}

/* ubfx one bit too wide (where it still fits) */
static int mut_bfext_width(const struct bpf_insn *m, struct jit_ctx *ctx)
{
	const u8 dst = bpf2a64[BPF_KOPS_D(m)], src = bpf2a64[BPF_KOPS_A(m)];
	const u32 shift = BPF_KOPS_P(m) & 0x3f, width = (BPF_KOPS_P(m) >> 6) + 1;

	emit(A64_UBFM(1, dst, src, shift, shift + width - 1 > 63 ? 63 : shift + width - 1), ctx);
	return 0;
}

/* memcpy with the odd word's offset in x19 (BPF r6) instead of x12 */
static int mut_memcpy_tmp(const struct bpf_insn *m, struct jit_ctx *ctx)
{
	const u8 dst = bpf2a64[BPF_KOPS_D(m)], src = bpf2a64[BPF_KOPS_A(m)];
	const u8 tmp = bpf2a64[TMP_REG_1], tmp2 = bpf2a64[TMP_REG_2];
	const u8 tmp3 = bpf2a64[BPF_REG_6];
	const u32 par = BPF_KOPS_P(m), n = BPF_KOPS_C(m) + 1;
	const s32 soff = sign_extend32(par & 0x3f, 5) * 8;
	const s32 doff = sign_extend32(par >> 6, 5) * 8;
	u32 i;

	for (i = 0; i + 1 < n; i += 2) {
		emit(A64_LDP64(tmp, tmp2, src, soff + 8 * i), ctx);
		emit(A64_STP64(tmp, tmp2, dst, doff + 8 * i), ctx);
	}
	if (i < n) {
		emit_a64_mov_i(1, tmp3, soff + 8 * i, ctx);
		emit(A64_LDR64(tmp, src, tmp3), ctx);
		emit_a64_mov_i(1, tmp3, doff + 8 * i, ctx);
		emit(A64_STR64(tmp, dst, tmp3), ctx);
	}
	return 0;
}

int a64_emit(const struct bpf_insn *m, u32 *buf, int mutant)
{
	struct jit_ctx ctx = { .idx = 0, .image = buf, .write = true };
	int err;

	switch (mutant) {
	case MUT_NONE:		  err = build_kops(&einsn_op, m, &ctx); break;
	case MUT_A64_ROTATE_DIR:  err = mut_rotate_dir(m, &ctx); break;
	case MUT_A64_SELECT_COND: err = mut_select_cond(m, &ctx); break;
	case MUT_A64_BFEXT_WIDTH: err = mut_bfext_width(m, &ctx); break;
	case MUT_A64_MEMCPY_TMP:  err = mut_memcpy_tmp(m, &ctx); break;
	default:		  return -EOPNOTSUPP;
	}
	return err ? err : ctx.idx;
}
