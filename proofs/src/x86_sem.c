// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * x86-64 semantics of the instruction subset the Kops emitters produce,
 * decoded from the bytes (Intel SDM vol. 2): ROL/ROR r/m, imm8; CMP/TEST/XOR
 * r/m, r; CMOVcc r, r/m; MOV r, r/m and r/m, r; MOV r32, imm32; MOV r/m64,
 * imm32; LEA; MOVBE r, m; PREFETCHh m; VEX BEXTR.  32-bit destinations are
 * zero-extended into the full register (a rotate by 0 included).  Flags: CF ZF SF OF; flags the SDM
 * leaves undefined become fresh unknowns.  Anything else is rejected.
 */
#include <stdio.h>
#include <string.h>
#include "model.h"

enum { CF, ZF, SF, OF };

static int undef_cnt;

static Z3_ast undef(void)
{
	char name[32];

	snprintf(name, sizeof(name), "x86_undef_%d", undef_cnt++);
	return boolvar(name);
}

static Z3_ast rd(struct mstate *s, int r, unsigned w)
{
	return w == 64 ? s->r[r] : ext(s->r[r], w - 1, 0);
}

static void wr(struct mstate *s, int r, unsigned w, Z3_ast v)
{
	s->r[r] = w == 64 ? v : zext(v, 64);	/* 32-bit writes zero-extend */
}

static Z3_ast msb(Z3_ast v, unsigned w) { return mk_eq(ext(v, w - 1, w - 1), bv(1, 1)); }

static void flags_zs(struct mstate *s, Z3_ast r, unsigned w)
{
	s->f[ZF] = mk_eq(r, bv(0, w));
	s->f[SF] = msb(r, w);
}

static Z3_ast cc(struct mstate *s, int c)
{
	Z3_ast x;

	switch (c >> 1) {
	case 0: x = s->f[OF]; break;
	case 1: x = s->f[CF]; break;
	case 2: x = s->f[ZF]; break;
	case 3: x = mk_or2(s->f[CF], s->f[ZF]); break;
	case 4: x = s->f[SF]; break;
	case 6: x = mk_not(mk_eq(s->f[SF], s->f[OF])); break;
	case 7: x = mk_or2(s->f[ZF], mk_not(mk_eq(s->f[SF], s->f[OF]))); break;
	default: return NULL;	/* parity is not modelled */
	}
	return c & 1 ? mk_not(x) : x;
}

struct modrm {
	int mod, reg, rm;	/* reg and rm with REX.R / REX.B applied */
	Z3_ast ea;		/* effective address if mod != 3 */
};

static int decode_modrm(const uint8_t *c, int len, int *pos, int rex, struct mstate *s,
			struct modrm *m)
{
	int p = *pos, base, index, scale;
	uint8_t b;
	int32_t disp = 0;
	Z3_ast ea = NULL;

	if (p >= len)
		return -1;
	b = c[p++];
	m->mod = b >> 6;
	m->reg = ((b >> 3) & 7) | (rex & 4 ? 8 : 0);
	m->rm = (b & 7) | (rex & 1 ? 8 : 0);
	m->ea = NULL;
	if (m->mod == 3) {
		*pos = p;
		return 0;
	}
	if ((b & 7) == 4) {		/* SIB */
		uint8_t sib;
		if (p >= len)
			return -1;
		sib = c[p++];
		scale = sib >> 6;
		index = ((sib >> 3) & 7) | (rex & 2 ? 8 : 0);
		base = (sib & 7) | (rex & 1 ? 8 : 0);
		if (!(m->mod == 0 && (sib & 7) == 5))
			ea = s->r[base];
		if (index != 4)
			ea = ea ? Z3_mk_bvadd(ctx, ea, Z3_mk_bvshl(ctx, s->r[index], bv(scale, 64)))
				: Z3_mk_bvshl(ctx, s->r[index], bv(scale, 64));
		if (m->mod == 0 && (sib & 7) == 5) {
			if (p + 4 > len)
				return -1;
			memcpy(&disp, c + p, 4);
			p += 4;
		}
	} else if (m->mod == 0 && (b & 7) == 5) {
		snprintf(model_err, sizeof(model_err), "x86: RIP-relative not modelled");
		return -1;
	} else {
		ea = s->r[m->rm];
	}
	if (m->mod == 1) {
		if (p >= len)
			return -1;
		disp = (int8_t)c[p++];
	} else if (m->mod == 2) {
		if (p + 4 > len)
			return -1;
		memcpy(&disp, c + p, 4);
		p += 4;
	}
	m->ea = ea ? Z3_mk_bvadd(ctx, ea, bv((uint64_t)(int64_t)disp, 64))
		   : bv((uint64_t)(int64_t)disp, 64);
	*pos = p;
	return 0;
}

static int one(const uint8_t *c, int len, int *pos, struct mstate *s)
{
	int p = *pos, rex = 0, op;
	struct modrm m;
	unsigned w;

	if (p < len && (c[p] & 0xF0) == 0x40)
		rex = c[p++];
	w = rex & 8 ? 64 : 32;
	if (p >= len)
		goto trunc;
	op = c[p++];
	if (op == 0xC4 && !rex) {		/* 3-byte VEX */
		uint8_t b1, b2;
		int vvvv, vw;
		if (p + 3 > len)
			goto trunc;
		b1 = c[p++];
		b2 = c[p++];
		op = c[p++];
		vw = b2 & 0x80 ? 64 : 32;
		vvvv = (~b2 >> 3) & 0xf;
		rex = (b1 & 0x80 ? 0 : 4) | (b1 & 0x40 ? 0 : 2) | (b1 & 0x20 ? 0 : 1);
		if ((b1 & 0x1f) == 2 && op == 0xF7 && (b2 & 7) == 0) {	/* BEXTR */
			Z3_ast src, ctl, r, start, l;
			if (decode_modrm(c, len, &p, rex, s, &m) || m.mod != 3)
				goto bad;
			src = rd(s, m.rm, vw);
			ctl = rd(s, vvvv, vw);
			start = zext(ext(ctl, 7, 0), vw);
			l = zext(ext(ctl, 15, 8), vw);
			/* shifts by >= width give 0, so 1 << len - 1 is all ones then */
			r = Z3_mk_bvand(ctx, Z3_mk_bvlshr(ctx, src, start),
					Z3_mk_bvsub(ctx, Z3_mk_bvshl(ctx, bv(1, vw), l), bv(1, vw)));
			wr(s, m.reg, vw, r);
			s->f[ZF] = mk_eq(r, bv(0, vw));
			s->f[CF] = mk_false();
			s->f[OF] = mk_false();
			s->f[SF] = undef();
			goto done;
		}
		goto bad;
	}
	switch (op) {
	case 0xC1: {				/* group 2 r/m, imm8 */
		unsigned k;
		Z3_ast v, r;
		if (decode_modrm(c, len, &p, rex, s, &m) || m.mod != 3 || p >= len)
			goto bad;
		k = (c[p++] + model_fault) & (w - 1);	/* model_fault: self-test only */
		if ((m.reg & 7) > 1)
			goto bad;
		if (!k) {
			/* flags unaffected, but a 32-bit destination is written
			 * (its upper half zeroed) even so */
			if (w == 32 && !(model_old & MODEL_OLD_ROT0))
				wr(s, m.rm, w, rd(s, m.rm, w));
			goto done;
		}
		v = rd(s, m.rm, w);
		r = (m.reg & 7) == 0 ? Z3_mk_rotate_left(ctx, k, v)
				     : Z3_mk_rotate_right(ctx, k, v);
		wr(s, m.rm, w, r);
		s->f[CF] = (m.reg & 7) == 0 ? mk_eq(ext(r, 0, 0), bv(1, 1)) : msb(r, w);
		s->f[OF] = undef();
		goto done;
	}
	case 0x39:				/* CMP r/m, r */
	case 0x85:				/* TEST r/m, r */
	case 0x31: {				/* XOR r/m, r */
		Z3_ast a, b, r;
		if (decode_modrm(c, len, &p, rex, s, &m) || m.mod != 3)
			goto bad;
		a = rd(s, m.rm, w);
		b = rd(s, m.reg, w);
		if (op == 0x39) {
			r = Z3_mk_bvsub(ctx, a, b);
			s->f[CF] = Z3_mk_bvult(ctx, a, b);
			s->f[OF] = msb(Z3_mk_bvand(ctx, Z3_mk_bvxor(ctx, a, b), Z3_mk_bvxor(ctx, a, r)), w);
		} else {
			r = op == 0x85 ? Z3_mk_bvand(ctx, a, b) : Z3_mk_bvxor(ctx, a, b);
			s->f[CF] = mk_false();
			s->f[OF] = mk_false();
			if (op == 0x31)
				wr(s, m.rm, w, r);
		}
		flags_zs(s, r, w);
		goto done;
	}
	case 0x8B:				/* MOV r, r/m */
		if (decode_modrm(c, len, &p, rex, s, &m))
			goto bad;
		wr(s, m.reg, w, m.mod == 3 ? rd(s, m.rm, w) : mem_load(s, m.ea, w / 8));
		goto done;
	case 0x89:				/* MOV r/m, r */
		if (decode_modrm(c, len, &p, rex, s, &m))
			goto bad;
		if (m.mod == 3)
			wr(s, m.rm, w, rd(s, m.reg, w));
		else
			mem_store(s, m.ea, w / 8, rd(s, m.reg, w));
		goto done;
	case 0x8D:				/* LEA */
		if (decode_modrm(c, len, &p, rex, s, &m) || m.mod == 3)
			goto bad;
		wr(s, m.reg, w, w == 64 ? m.ea : ext(m.ea, 31, 0));
		goto done;
	case 0xC7: {				/* MOV r/m, imm32 */
		int32_t imm;
		if (decode_modrm(c, len, &p, rex, s, &m) || m.mod != 3 || (m.reg & 7) || p + 4 > len)
			goto bad;
		memcpy(&imm, c + p, 4);
		p += 4;
		wr(s, m.rm, w, bv((uint64_t)(int64_t)imm, w));
		goto done;
	}
	case 0x0F:
		if (p >= len)
			goto trunc;
		op = c[p++];
		if (op >= 0x40 && op <= 0x4F) {	/* CMOVcc r, r/m */
			Z3_ast t = cc(s, op & 0xf);
			if (!t || decode_modrm(c, len, &p, rex, s, &m) || m.mod != 3)
				goto bad;
			/* the 32-bit form zero-extends even when it does not move */
			wr(s, m.reg, w, mk_ite(t, rd(s, m.rm, w), rd(s, m.reg, w)));
			goto done;
		}
		if (op == 0x18) {		/* PREFETCHh m: no architectural effect */
			if (decode_modrm(c, len, &p, rex, s, &m) || m.mod == 3 || (m.reg & 7) > 3)
				goto bad;
			goto done;
		}
		if (op == 0x38 && p < len && c[p] == 0xF0) {	/* MOVBE r, m */
			p++;
			if (decode_modrm(c, len, &p, rex, s, &m) || m.mod == 3)
				goto bad;
			wr(s, m.reg, w, bswap(mem_load(s, m.ea, w / 8), w / 8));
			goto done;
		}
		goto bad;
	default:
		if (op >= 0xB8 && op <= 0xBF) {	/* MOV r, imm32 / imm64 */
			uint64_t imm = 0;
			if (p + (int)w / 8 > len)
				goto trunc;
			memcpy(&imm, c + p, w / 8);
			p += w / 8;
			wr(s, (op & 7) | (rex & 1 ? 8 : 0), w, bv(imm, w));
			goto done;
		}
		goto bad;
	}
done:
	*pos = p;
	return 0;
trunc:
	snprintf(model_err, sizeof(model_err), "x86: truncated instruction at %d", *pos);
	return -1;
bad:
	if (!model_err[0])
		snprintf(model_err, sizeof(model_err), "x86: instruction at byte %d not modelled", *pos);
	return -1;
}

int x86_exec(const uint8_t *code, int len, struct mstate *s)
{
	int pos = 0;

	model_err[0] = 0;
	while (pos < len)
		if (one(code, len, &pos, s))
			return -1;
	return model_err[0] ? -1 : 0;
}
