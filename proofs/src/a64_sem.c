// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * arm64 semantics of the instruction subset the Kops emitters produce,
 * decoded from the 32-bit instruction words (Arm ARM, A64 base): EXTR;
 * ADD, SUBS, ANDS (shifted register); ADD/SUB (immediate); CSEL; UBFM;
 * MOVZ/MOVN/MOVK; LDR/STR (register offset); LDP/STP (64-bit, signed
 * offset); REV/REV32; PRFM (immediate).  W-register results are
 * zero-extended.  Register 31 is XZR or SP as the encoding says.  Flags:
 * N Z C V.  Anything else (including the JIT's BRK for an unencodable
 * instruction) is rejected.
 */
#include <stdio.h>
#include "model.h"

enum { N_, Z_, C_, V_ };

static Z3_ast rd_zr(struct mstate *s, int r, unsigned w)
{
	if (r == 31)
		return bv(0, w);
	return w == 64 ? s->r[r] : ext(s->r[r], w - 1, 0);
}

static Z3_ast rd_sp(struct mstate *s, int r, unsigned w)
{
	return w == 64 ? s->r[r] : ext(s->r[r], w - 1, 0);	/* r[31] is sp */
}

static void wr_zr(struct mstate *s, int r, unsigned w, Z3_ast v)
{
	if (r != 31)
		s->r[r] = w == 64 ? v : zext(v, 64);
}

static void wr_sp(struct mstate *s, int r, unsigned w, Z3_ast v)
{
	s->r[r] = w == 64 ? v : zext(v, 64);
}

static Z3_ast isneg(Z3_ast v, unsigned w) { return mk_eq(ext(v, w - 1, w - 1), bv(1, 1)); }

static Z3_ast cond(struct mstate *s, unsigned c)
{
	Z3_ast x;

	switch (c >> 1) {
	case 0: x = s->f[Z_]; break;
	case 1: x = s->f[C_]; break;
	case 2: x = s->f[N_]; break;
	case 3: x = s->f[V_]; break;
	case 4: x = mk_and2(s->f[C_], mk_not(s->f[Z_])); break;
	case 5: x = mk_eq(s->f[N_], s->f[V_]); break;
	case 6: x = mk_and2(mk_not(s->f[Z_]), mk_eq(s->f[N_], s->f[V_])); break;
	default: return mk_true();	/* AL, NV */
	}
	return (c & 1) && c != 15 ? mk_not(x) : x;
}

static Z3_ast shift(Z3_ast v, unsigned type, unsigned amt, unsigned w)
{
	if (!amt)
		return v;
	switch (type) {
	case 0: return Z3_mk_bvshl(ctx, v, bv(amt, w));
	case 1: return Z3_mk_bvlshr(ctx, v, bv(amt, w));
	case 2: return Z3_mk_bvashr(ctx, v, bv(amt, w));
	default: return Z3_mk_rotate_right(ctx, amt, v);
	}
}

static Z3_ast ones(unsigned n, unsigned w)
{
	return n >= w ? bv(~0ULL >> (64 - w), w) : bv((1ULL << n) - 1, w);
}

/* an undefined (unallocated) encoding: rejected, never given a meaning */
static int undefined(uint32_t i, const char *why)
{
	snprintf(model_err, sizeof(model_err), "arm64: %08x is undefined (%s)", i, why);
	return -1;
}

static int one(uint32_t i, struct mstate *s)
{
	unsigned sf = i >> 31, w = sf ? 64 : 32;
	unsigned rd = i & 31, rn = (i >> 5) & 31, rm = (i >> 16) & 31;

	if ((i & 0x7FA00000) == 0x13800000) {			/* EXTR */
		unsigned imms = (i >> 10) & 63, lsb;
		if (((i >> 22) & 1) != sf)
			return undefined(i, "EXTR with N != sf");
		if (imms >= w && !(model_old & MODEL_OLD_EXTR))
			return undefined(i, "EXTR of W registers with imms >= 32");
		lsb = (imms + model_fault) & (w - 1);	/* model_fault: self-test only */
		Z3_ast cat = Z3_mk_concat(ctx, rd_zr(s, rn, w), rd_zr(s, rm, w));
		wr_zr(s, rd, w, ext(cat, lsb + w - 1, lsb));
		return 0;
	}
	if ((i & 0x1F200000) == 0x0B000000 || (i & 0x1F200000) == 0x0A000000) {
		/* ADD/SUB/ADDS/SUBS (shifted register) and AND/ANDS..: op, S */
		unsigned type = (i >> 22) & 3, amt = (i >> 10) & 63;
		bool logical = !((i >> 24) & 1);
		unsigned opc = (i >> 29) & 3;
		Z3_ast a, b, r;
		if (amt >= w)
			return -1;
		a = rd_zr(s, rn, w);
		b = shift(rd_zr(s, rm, w), type, amt, w);
		if (logical) {
			if ((i >> 21) & 1)		/* N: BIC etc. */
				return -1;
			if (opc != 0 && opc != 3)	/* AND, ANDS only */
				return -1;
			r = Z3_mk_bvand(ctx, a, b);
			if (opc == 3) {
				s->f[N_] = isneg(r, w);
				s->f[Z_] = mk_eq(r, bv(0, w));
				s->f[C_] = mk_false();
				s->f[V_] = mk_false();
			}
		} else {
			if (type == 3)
				return -1;
			if (opc & 2) {			/* SUB(S) */
				r = Z3_mk_bvsub(ctx, a, b);
				if (opc & 1) {
					s->f[C_] = Z3_mk_bvuge(ctx, a, b);
					s->f[V_] = isneg(Z3_mk_bvand(ctx, Z3_mk_bvxor(ctx, a, b),
								     Z3_mk_bvxor(ctx, a, r)), w);
				}
			} else {			/* ADD(S) */
				r = Z3_mk_bvadd(ctx, a, b);
				if (opc & 1) {
					s->f[C_] = Z3_mk_bvult(ctx, r, a);
					s->f[V_] = isneg(Z3_mk_bvand(ctx, Z3_mk_bvnot(ctx, Z3_mk_bvxor(ctx, a, b)), Z3_mk_bvxor(ctx, a, r)), w);
				}
			}
			if (opc & 1) {
				s->f[N_] = isneg(r, w);
				s->f[Z_] = mk_eq(r, bv(0, w));
			}
		}
		wr_zr(s, rd, w, r);
		return 0;
	}
	if ((i & 0x1F800000) == 0x11000000) {			/* ADD/SUB (immediate) */
		unsigned imm = (i >> 10) & 0xfff, sh = (i >> 22) & 1, opc = (i >> 29) & 3;
		Z3_ast a = rd_sp(s, rn, w), b = bv((uint64_t)imm << (sh ? 12 : 0), w), r;
		if (opc & 1)				/* ADDS/SUBS (CMP imm) not used */
			return -1;
		r = opc & 2 ? Z3_mk_bvsub(ctx, a, b) : Z3_mk_bvadd(ctx, a, b);
		wr_sp(s, rd, w, r);
		return 0;
	}
	if ((i & 0x7FE00C00) == 0x1A800000) {			/* CSEL */
		Z3_ast c = cond(s, (i >> 12) & 15);
		wr_zr(s, rd, w, mk_ite(c, rd_zr(s, rn, w), rd_zr(s, rm, w)));
		return 0;
	}
	if ((i & 0x7F800000) == 0x53000000) {			/* UBFM */
		unsigned immr = (i >> 16) & 63, imms = (i >> 10) & 63;
		Z3_ast src = rd_zr(s, rn, w), r;
		if (((i >> 22) & 1) != sf)
			return undefined(i, "UBFM with N != sf");
		if (immr >= w || imms >= w)
			return undefined(i, "UBFM of W registers with immr or imms >= 32");
		if (imms >= immr)	/* UBFX: field [imms:immr] to bit 0 */
			r = Z3_mk_bvand(ctx, Z3_mk_bvlshr(ctx, src, bv(immr, w)), ones(imms - immr + 1, w));
		else			/* UBFIZ/LSL: low imms+1 bits to bit w-immr */
			r = Z3_mk_bvshl(ctx, Z3_mk_bvand(ctx, src, ones(imms + 1, w)), bv(w - immr, w));
		wr_zr(s, rd, w, r);
		return 0;
	}
	if ((i & 0x1F800000) == 0x12800000) {			/* MOVN/MOVZ/MOVK */
		unsigned opc = (i >> 29) & 3, hw = (i >> 21) & 3;
		uint64_t imm = (uint64_t)((i >> 5) & 0xffff) << (16 * hw);
		if (opc == 1 || (!sf && hw > 1))
			return -1;
		if (opc == 0)
			wr_zr(s, rd, w, bv(~imm & (~0ULL >> (64 - w)), w));
		else if (opc == 2)
			wr_zr(s, rd, w, bv(imm, w));
		else {
			Z3_ast old = rd_zr(s, rd, w);
			Z3_ast keep = Z3_mk_bvand(ctx, old, bv(~(0xffffULL << (16 * hw)) & (~0ULL >> (64 - w)), w));
			wr_zr(s, rd, w, Z3_mk_bvor(ctx, keep, bv(imm, w)));
		}
		return 0;
	}
	if ((i & 0x3FE00C00) == 0x38600800 || (i & 0x3FE00C00) == 0x38200800) {
		/* LDR/STR (register offset) */
		unsigned size = i >> 30, opt = (i >> 13) & 7, S = (i >> 12) & 1;
		bool load = (i >> 22) & 1;
		Z3_ast off, addr;
		if (opt != 3 && opt != 7)		/* LSL (UXTX) or SXTX */
			return -1;
		if (size < 2)
			return -1;
		/* the index register 31 is XZR, scaled or not */
		off = rm == 31 && (model_old & MODEL_OLD_XZR) ? s->r[0] : rd_zr(s, rm, 64);
		if (S)
			off = Z3_mk_bvshl(ctx, off, bv(size, 64));
		addr = Z3_mk_bvadd(ctx, rd_sp(s, rn, 64), off);
		if (load)
			wr_zr(s, rd, 64, zext(mem_load(s, addr, 1u << size), 64));
		else
			mem_store(s, addr, 1u << size, rd_zr(s, rd, 8u << size));
		return 0;
	}
	if ((i & 0xFFC00000) == 0xA9400000 || (i & 0xFFC00000) == 0xA9000000) {
		/* LDP/STP Xt, Xt2, [Xn, #imm] */
		int imm = ((int)((i >> 15) & 0x7f) << 25) >> 25;
		unsigned rt2 = (i >> 10) & 31;
		bool load = (i >> 22) & 1;
		Z3_ast addr = Z3_mk_bvadd(ctx, rd_sp(s, rn, 64), bv((uint64_t)(int64_t)(imm * 8), 64));
		if (load) {
			Z3_ast v1, v2;
			if (rd == rt2) {
				snprintf(model_err, sizeof(model_err), "arm64: LDP with Rt == Rt2 is unpredictable");
				return -1;
			}
			v1 = mem_load(s, addr, 8);
			v2 = mem_load(s, Z3_mk_bvadd(ctx, addr, bv(8, 64)), 8);
			wr_zr(s, rd, 64, v1);
			wr_zr(s, rt2, 64, v2);
		} else {
			Z3_ast v1 = rd_zr(s, rd, 64), v2 = rd_zr(s, rt2, 64);
			mem_store(s, addr, 8, v1);
			mem_store(s, Z3_mk_bvadd(ctx, addr, bv(8, 64)), 8, v2);
		}
		return 0;
	}
	if ((i & 0x7FFFF000) == 0x5AC00000) {			/* REV16/REV/REV32 */
		unsigned opc = (i >> 10) & 3;
		Z3_ast v = rd_zr(s, rn, w), r;
		if (opc == 3 && sf)
			r = bswap(v, 8);
		else if (opc == 2 && !sf)
			r = bswap(v, 4);
		else if (opc == 2 && sf)
			r = Z3_mk_concat(ctx, bswap(ext(v, 63, 32), 4), bswap(ext(v, 31, 0), 4));
		else
			return -1;
		wr_zr(s, rd, w, r);
		return 0;
	}
	if ((i & 0xFFC00000) == 0xF9800000)			/* PRFM (immediate): a hint */
		return 0;
	return -1;
}

int a64_exec(const uint32_t *code, int n, struct mstate *s)
{
	model_err[0] = 0;
	for (int k = 0; k < n; k++) {
		if (one(code[k], s)) {
			if (!model_err[0])
				snprintf(model_err, sizeof(model_err),
					 "arm64: instruction %d (%08x) not modelled", k, code[k]);
			return -1;
		}
	}
	return model_err[0] ? -1 : 0;
}
