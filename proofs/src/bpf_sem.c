// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * BPF semantics of proof sequences (Documentation/bpf/instruction-set.rst):
 * ALU/ALU64, MOV, shifts by immediates, endianness (BPF_TO_BE, BPF_TO_LE
 * on a little- or big-endian machine: mstate.be), LDX/STX, conditional
 * and unconditional forward jumps.  ALU (32-bit) results are zero-extended.
 * Forward jumps are executed symbolically: the states reaching an
 * instruction are merged under their path conditions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <linux/bpf.h>
#include "model.h"

static const unsigned size_bytes[4] = { 4, 2, 1, 8 };	/* BPF_W, H, B, DW >> 3 */

static Z3_ast cond(unsigned op, Z3_ast a, Z3_ast b)
{
	switch (op) {
	case BPF_JEQ:  return mk_eq(a, b);
	case BPF_JNE:  return mk_not(mk_eq(a, b));
	case BPF_JGT:  return Z3_mk_bvugt(ctx, a, b);
	case BPF_JGE:  return Z3_mk_bvuge(ctx, a, b);
	case BPF_JLT:  return Z3_mk_bvult(ctx, a, b);
	case BPF_JLE:  return Z3_mk_bvule(ctx, a, b);
	case BPF_JSGT: return Z3_mk_bvsgt(ctx, a, b);
	case BPF_JSGE: return Z3_mk_bvsge(ctx, a, b);
	case BPF_JSLT: return Z3_mk_bvslt(ctx, a, b);
	case BPF_JSLE: return Z3_mk_bvsle(ctx, a, b);
	case BPF_JSET: {
		unsigned w = Z3_get_bv_sort_size(ctx, Z3_get_sort(ctx, a));
		return mk_not(mk_eq(Z3_mk_bvand(ctx, a, b), bv(0, w)));
	}
	}
	return NULL;
}

static int alu(const struct bpf_insn *in, struct mstate *s)
{
	bool is64 = BPF_CLASS(in->code) == BPF_ALU64;
	unsigned w = is64 ? 64 : 32;
	Z3_ast d = s->r[in->dst_reg], v, r;

	if (BPF_OP(in->code) == BPF_END) {
		if (is64 || (in->imm != 16 && in->imm != 32 && in->imm != 64)) {
			snprintf(model_err, sizeof(model_err), "BPF: only to_be/to_le modelled");
			return -1;
		}
		/* the low imm bits, zero-extended; byte-swapped when the order
		 * asked for is not the machine's (to_be on little-endian, to_le
		 * on big-endian: kernel/bpf/core.c, cpu_to_be and cpu_to_le) */
		r = ext(d, in->imm - 1, 0);
		if ((BPF_SRC(in->code) == BPF_TO_BE) != s->be)
			r = bswap(r, in->imm / 8);
		s->r[in->dst_reg] = zext(r, 64);
		return 0;
	}
	if (BPF_SRC(in->code) == BPF_X)
		v = s->r[in->src_reg];
	else
		v = bv((uint64_t)(int64_t)in->imm, 64);	/* sign-extended */
	if (!is64) {
		d = ext(d, 31, 0);
		v = ext(v, 31, 0);
	}
	switch (BPF_OP(in->code)) {
	case BPF_MOV: r = v; break;
	case BPF_ADD: r = Z3_mk_bvadd(ctx, d, v); break;
	case BPF_SUB: r = Z3_mk_bvsub(ctx, d, v); break;
	case BPF_AND: r = Z3_mk_bvand(ctx, d, v); break;
	case BPF_OR:  r = Z3_mk_bvor(ctx, d, v); break;
	case BPF_XOR: r = Z3_mk_bvxor(ctx, d, v); break;
	/* the verifier rejects out-of-range immediate shifts; registers mask */
	case BPF_LSH: r = Z3_mk_bvshl(ctx, d, Z3_mk_bvand(ctx, v, bv(w - 1, w))); break;
	case BPF_RSH: r = Z3_mk_bvlshr(ctx, d, Z3_mk_bvand(ctx, v, bv(w - 1, w))); break;
	case BPF_ARSH: r = Z3_mk_bvashr(ctx, d, Z3_mk_bvand(ctx, v, bv(w - 1, w))); break;
	default:
		snprintf(model_err, sizeof(model_err), "BPF: alu op %#x not modelled", in->code);
		return -1;
	}
	if (BPF_SRC(in->code) == BPF_K && (BPF_OP(in->code) == BPF_LSH ||
	    BPF_OP(in->code) == BPF_RSH || BPF_OP(in->code) == BPF_ARSH) &&
	    (in->imm < 0 || (unsigned)in->imm >= w)) {
		snprintf(model_err, sizeof(model_err), "BPF: shift out of range");
		return -1;
	}
	s->r[in->dst_reg] = zext(r, 64);
	return 0;
}

int bpf_exec(const struct bpf_insn *p, int n, struct mstate *s)
{
	struct mstate *at = calloc(n + 1, sizeof(*at));
	bool *live = calloc(n + 1, sizeof(*live));
	int ret = -1;

	at[0] = *s;
	live[0] = true;
	for (int pc = 0; pc < n; pc++) {
		const struct bpf_insn *in = &p[pc];
		struct mstate cur = at[pc];
		int cls = BPF_CLASS(in->code);

		if (!live[pc])
			continue;
#define FLOW_TO(t, st) do {							\
		int t_ = (t);							\
		if (t_ <= pc || t_ > n) {					\
			snprintf(model_err, sizeof(model_err), "BPF: jump out of the sequence"); \
			goto out;						\
		}								\
		if (live[t_]) state_merge(&at[t_], &(st), &at[t_]);		\
		else { at[t_] = (st); live[t_] = true; }			\
	} while (0)
		switch (cls) {
		case BPF_ALU:
		case BPF_ALU64:
			if (alu(in, &cur))
				goto out;
			FLOW_TO(pc + 1, cur);
			break;
		case BPF_LDX:
			if (BPF_MODE(in->code) != BPF_MEM)
				goto bad;
			cur.r[in->dst_reg] = zext(mem_load(&cur, Z3_mk_bvadd(ctx, cur.r[in->src_reg],
						  bv((uint64_t)(int64_t)in->off, 64)),
						  size_bytes[BPF_SIZE(in->code) >> 3]), 64);
			FLOW_TO(pc + 1, cur);
			break;
		case BPF_STX: {
			unsigned sz = size_bytes[BPF_SIZE(in->code) >> 3];
			if (BPF_MODE(in->code) != BPF_MEM)
				goto bad;
			mem_store(&cur, Z3_mk_bvadd(ctx, cur.r[in->dst_reg],
				  bv((uint64_t)(int64_t)in->off, 64)), sz,
				  ext(cur.r[in->src_reg], 8 * sz - 1, 0));
			FLOW_TO(pc + 1, cur);
			break;
		}
		case BPF_JMP:
		case BPF_JMP32: {
			unsigned op = BPF_OP(in->code);
			Z3_ast a, b, c;
			struct mstate taken, fall;

			if (op == BPF_JA && cls == BPF_JMP) {
				FLOW_TO(pc + 1 + in->off, cur);
				break;
			}
			a = cur.r[in->dst_reg];
			b = BPF_SRC(in->code) == BPF_X ? cur.r[in->src_reg]
						       : bv((uint64_t)(int64_t)in->imm, 64);
			if (cls == BPF_JMP32) {
				a = ext(a, 31, 0);
				b = ext(b, 31, 0);
			}
			c = cond(op, a, b);
			if (!c)
				goto bad;
			taken = cur;
			fall = cur;
			taken.path = mk_and2(cur.path, c);
			fall.path = mk_and2(cur.path, mk_not(c));
			FLOW_TO(pc + 1 + in->off, taken);
			FLOW_TO(pc + 1, fall);
			break;
		}
		default:
			goto bad;
		}
	}
	if (!live[n]) {
		snprintf(model_err, sizeof(model_err), "BPF: sequence end unreachable");
		goto out;
	}
	*s = at[n];
	ret = 0;
	goto out;
bad:
	snprintf(model_err, sizeof(model_err), "BPF: insn %#x not modelled", p[0].code);
out:
	free(at);
	free(live);
	return ret;
}
