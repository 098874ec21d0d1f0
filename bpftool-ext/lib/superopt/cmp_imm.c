// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Comparisons with 64-bit constants.  To compare a zero-extended 32-bit
 * value with a constant whose 32-bit form is negative (an errno as u32,
 * say), clang loads the constant with ld_imm64 and compares registers:
 *
 *     r2 = 0xffffffa5 ll;  if r1 s> r2 goto L		(3 slots)
 *
 * When the upper half of r1 is known zero and r2 is dead wherever the
 * jump leads, both sides are below 2^32, so every 64-bit comparison,
 * signed or not, is the unsigned 32-bit one of the low halves:
 *
 *     if w1 > -91 goto L				(1 slot)
 *
 * The search never sees this: ld_imm64 and jumps are outside what it
 * rewrites.  Each replacement is proven with the window check (the jump
 * taken falls off the end, not taken reaches an exit) before use.
 */
#include "util/util.h"
#include "superopt/cmp_imm.h"
#include "semantics/symbolic.h"

/* The unsigned 32-bit form of a 64-bit comparison of two values < 2^32. */
static int op32(uint8_t op)
{
	switch (op) {
	case BPF_JEQ:
	case BPF_JNE:
	case BPF_JSET:
	case BPF_JGT:
	case BPF_JGE:
	case BPF_JLT:
	case BPF_JLE:
		return op;
	case BPF_JSGT:
		return BPF_JGT;
	case BPF_JSGE:
		return BPF_JGE;
	case BPF_JSLT:
		return BPF_JLT;
	case BPF_JSLE:
		return BPF_JLE;
	default:
		return -1;
	}
}

bool bpfext_cmp_imm(const struct bpf_insn *x, uint16_t live_after, uint64_t kz_y,
		    int16_t off, struct bpf_insn *out)
{
	const struct bpf_insn *j = &x[2];
	uint64_t v = (uint32_t)x[0].imm | (uint64_t)(uint32_t)x[1].imm << 32;
	int op = op32(BPF_OP(j->code));

	if (!bpfext_insn_is_ldimm64(&x[0]) || x[0].src_reg ||
	    BPF_CLASS(j->code) != BPF_JMP || BPF_SRC(j->code) != BPF_X ||
	    op < 0 || j->src_reg != x[0].dst_reg || j->dst_reg == j->src_reg ||
	    j->dst_reg > BPF_REG_10)
		return false;
	if (v >> 32 || (kz_y >> 32) != 0xffffffffu ||
	    (live_after & (1u << x[0].dst_reg)))
		return false;
	*out = (struct bpf_insn){
		.code = BPF_JMP32 | (uint8_t)op | BPF_K,
		.dst_reg = j->dst_reg,
		.off = off,
		.imm = (int32_t)(uint32_t)v,
	};
	return true;
}

int bpfext_cmp_imm_prove(const struct bpf_insn *x, const struct bpf_insn *repl,
			 uint16_t live_after, const struct bpfext_sym_opts *opts)
{
	static const struct bpf_insn exit_insn = { .code = BPF_JMP | BPF_EXIT };
	struct bpf_insn a[4] = { x[0], x[1], x[2], exit_insn };
	struct bpf_insn b[2] = { *repl, exit_insn };
	struct bpfext_error err;

	/* Taken: past the exit to the end, where @live_after is compared. */
	a[2].off = 1;
	b[0].off = 1;
	return bpfext_sym_equiv_window(a, 4, b, 2, live_after, opts, NULL, &err);
}
