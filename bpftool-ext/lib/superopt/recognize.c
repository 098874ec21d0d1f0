// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The EInsn recognizer; see recognize.h.
 *
 * Matching is syntactic and cheap: each matcher looks at a few contiguous
 * slots from a start position and, for the shapes clang -O2 emits (the
 * canonical proof sequence itself, its middle two shifts swapped for
 * rotates, "if A cond B goto +1; D = C" for selects, a load and a
 * register copy before a byte swap, 32-bit shift-and-mask, ...), proposes
 * a replacement: kept instructions, the marker, then the proof sequence
 * from bpfext_kops_instantiate().  Whether a proposal is right is not the
 * matcher's business: the clobber rule and the solver decide.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "analysis/liveness.h"
#include "superopt/recognize.h"
#include "semantics/symbolic.h"

#define CODE(cls, op, src)	((uint8_t)((cls) | (op) | (src)))

struct cand {
	unsigned int op;
	size_t len;			/* original slots replaced */
	struct bpf_insn insns[BPFEXT_RECOG_MAX];
	size_t cnt;
	uint16_t clobber;
};

static bool is(const struct bpf_insn *x, uint8_t code)
{
	return x->code == code;
}

static bool is_mov_x(const struct bpf_insn *x, uint8_t cls)
{
	return is(x, CODE(cls, BPF_MOV, BPF_X)) && !x->off && !x->imm;
}

/* Append @marker and its proof sequence to @c. */
static bool add_region(struct cand *c, struct bpf_insn marker)
{
	struct bpf_insn proof[BPFEXT_KOPS_MAX_LEN];
	uint16_t clobber;
	int n = bpfext_kops_instantiate(&marker, proof, &clobber, NULL);

	if (n <= 0 || c->cnt + 1 + (size_t)n > BPFEXT_RECOG_MAX)
		return false;
	c->op = (uint32_t)marker.imm & 0xff;
	c->insns[c->cnt++] = marker;
	memcpy(&c->insns[c->cnt], proof, (size_t)n * sizeof(*proof));
	c->cnt += (size_t)n;
	c->clobber |= clobber;
	return true;
}

static void keep(struct cand *c, const struct bpf_insn *x)
{
	c->insns[c->cnt++] = *x;
}

/*
 * rotate from two copies of S: "A = S; A >>= w - k; D = S; D <<= k;
 * D |= A" (or the two halves the other way round) is "D = S" kept, then
 * rotate(dst D, scratch A): the scratch ends up as S >> (w - k) both ways.
 */
static int match_rotate2(const struct bpf_insn *x, size_t n, struct cand *out)
{
	const struct bpf_insn *ma = &x[0], *ra = &x[1], *md = &x[2], *ld = &x[3];
	uint8_t cls = BPF_CLASS(x[0].code);
	unsigned int w = cls == BPF_ALU ? 32 : 64;

	if (n < 5 || (cls != BPF_ALU && cls != BPF_ALU64))
		return 0;
	if (is(&x[1], CODE(cls, BPF_LSH, BPF_K))) {
		ma = &x[2];
		ra = &x[3];
		md = &x[0];
		ld = &x[1];
	}
	if (!is_mov_x(ma, cls) || !is_mov_x(md, cls) || ma->src_reg != md->src_reg ||
	    ma->dst_reg == md->dst_reg || ma->dst_reg == ma->src_reg ||
	    md->dst_reg == md->src_reg ||
	    !is(ra, CODE(cls, BPF_RSH, BPF_K)) || ra->dst_reg != ma->dst_reg ||
	    !is(ld, CODE(cls, BPF_LSH, BPF_K)) || ld->dst_reg != md->dst_reg ||
	    ld->imm <= 0 || (unsigned int)ld->imm >= w ||
	    (unsigned int)ra->imm != w - (unsigned int)ld->imm ||
	    !is(&x[4], CODE(cls, BPF_OR, BPF_X)) || x[4].dst_reg != md->dst_reg ||
	    x[4].src_reg != ma->dst_reg)
		return 0;
	out->len = 5;
	keep(out, md);
	return add_region(out, bpfext_kops_rotate(md->dst_reg, ma->dst_reg,
						  (unsigned int)ld->imm, w == 32));
}

/*
 * rotate: "A = D; D <<= k; A >>= w - k; D |= A" (the shifts in either
 * order), 64 or 32 bit; or the same ending in "A |= D", which is a rotate
 * of the copy: "A = D" kept, then rotate(dst A, scratch D).
 */
static int match_rotate(const struct bpf_insn *x, size_t n, struct cand *out)
{
	const struct bpf_insn *l, *r;
	uint8_t cls, d, a;
	unsigned int k, w;
	bool alu32;

	if (n < 4)
		return 0;
	cls = BPF_CLASS(x[0].code);
	if ((cls != BPF_ALU && cls != BPF_ALU64) || !is_mov_x(&x[0], cls))
		return 0;
	a = x[0].dst_reg;
	d = x[0].src_reg;
	alu32 = cls == BPF_ALU;
	w = alu32 ? 32 : 64;
	l = &x[1];
	r = &x[2];
	if (is(l, CODE(cls, BPF_RSH, BPF_K))) {
		l = &x[2];
		r = &x[1];
	}
	if (!is(l, CODE(cls, BPF_LSH, BPF_K)) || !is(r, CODE(cls, BPF_RSH, BPF_K)) ||
	    l->dst_reg != d || r->dst_reg != a || l->imm <= 0 ||
	    (unsigned int)l->imm >= w || (unsigned int)r->imm != w - (unsigned int)l->imm)
		return 0;
	k = (unsigned int)l->imm;
	if (!is(&x[3], CODE(cls, BPF_OR, BPF_X)))
		return 0;
	out->len = 4;
	if (x[3].dst_reg == d && x[3].src_reg == a)
		return add_region(out, bpfext_kops_rotate(d, a, k, alu32));
	if (x[3].dst_reg == a && x[3].src_reg == d) {
		keep(out, &x[0]);
		return add_region(out, bpfext_kops_rotate(a, d, k, alu32));
	}
	return 0;
}

/* Mask 2^w - 1 with 1 <= w <= 31, or 0. */
static unsigned int mask_width(int32_t m)
{
	unsigned int w;

	for (w = 1; w <= 31; w++)
		if ((uint32_t)m == (1u << w) - 1)
			return w;
	return 0;
}

/*
 * clang writes (x >> 56) & 15 on a u64 as a 64-bit shift and a 32-bit and:
 * with a mask of at most 31 bits the and's zero extension changes nothing.
 */
static bool and32_after64(uint8_t cls, const struct bpf_insn *x)
{
	return cls == BPF_ALU64 && is(x, CODE(BPF_ALU, BPF_AND, BPF_K));
}

/*
 * bfext: "[D = A;] D >>= s; D &= 2^w - 1" in 64 or 32 bit (the 32-bit
 * form is right when s + w <= 32, which the proof finds out), or
 * "D &= (2^w - 1) << s; D >>= s".
 */
static int match_bfext(const struct bpf_insn *x, size_t n, struct cand *out)
{
	static const uint8_t classes[] = { BPF_ALU64, BPF_ALU };
	size_t ci;

	for (ci = 0; ci < 2; ci++) {
		uint8_t cls = classes[ci];
		const struct bpf_insn *y = x;
		uint8_t d, a;
		size_t len = 0;
		unsigned int w;

		if (n >= 3 && is_mov_x(&x[0], cls) && x[0].dst_reg != x[0].src_reg) {
			a = x[0].src_reg;
			y = &x[1];
			len = 1;
		}
		if ((size_t)(y - x) + 2 > n)
			continue;
		d = y[0].dst_reg;
		if (!len)
			a = d;
		if (is(&y[0], CODE(cls, BPF_RSH, BPF_K)) &&
		    (is(&y[1], CODE(cls, BPF_AND, BPF_K)) || and32_after64(cls, &y[1])) &&
		    y[1].dst_reg == d &&
		    y[0].imm >= 0 && y[0].imm < 64 && (w = mask_width(y[1].imm)) &&
		    (unsigned int)y[0].imm + w <= 64) {
			if (len && x[0].dst_reg != d)
				continue;
			out->len = len + 2;
			return add_region(out, bpfext_kops_bfext(d, a, (unsigned int)y[0].imm, w));
		}
		if (!len && is(&y[0], CODE(cls, BPF_AND, BPF_K)) &&
		    is(&y[1], CODE(cls, BPF_RSH, BPF_K)) && y[1].dst_reg == d &&
		    y[1].imm > 0 && y[1].imm < 32 && y[0].imm > 0) {
			uint32_t m = (uint32_t)y[0].imm >> y[1].imm;

			w = mask_width((int32_t)m);
			if (!w || m << y[1].imm != (uint32_t)y[0].imm)
				continue;
			out->len = 2;
			return add_region(out, bpfext_kops_bfext(d, d, (unsigned int)y[1].imm, w));
		}
	}
	return 0;
}

static bool is_be(const struct bpf_insn *x, uint8_t d, uint8_t size)
{
	return is(x, BPF_ALU | BPF_END | BPF_TO_BE) && x->dst_reg == d &&
	       x->imm == (size == BPF_DW ? 64 : 32);
}

/*
 * ldbswap: "D = *(size *)(A + off); D = be D", or with a copy between:
 * "X = *(size *)(A + off); D = X; D = be D", where the load into X is
 * kept (after the region, or before it if D is A) unless X is dead.
 */
static int match_ldbswap(const struct bpf_insn *x, size_t n, uint16_t live_out3,
			 struct cand *out)
{
	uint8_t size, d, a;

	if (n < 2 || BPF_CLASS(x[0].code) != BPF_LDX || BPF_MODE(x[0].code) != BPF_MEM)
		return 0;
	size = BPF_SIZE(x[0].code);
	if ((size != BPF_W && size != BPF_DW) || x[0].off < -512 || x[0].off > 511)
		return 0;
	a = x[0].src_reg;
	d = x[0].dst_reg;
	if (is_be(&x[1], d, size)) {
		out->len = 2;
		return add_region(out, bpfext_kops_ldbswap(d, a, size, x[0].off));
	}
	if (n < 3 || !is_mov_x(&x[1], BPF_ALU64) || x[1].src_reg != d ||
	    !is_be(&x[2], x[1].dst_reg, size))
		return 0;
	out->len = 3;
	d = x[1].dst_reg;
	if (!(live_out3 & (1u << x[0].dst_reg)))
		return add_region(out, bpfext_kops_ldbswap(d, a, size, x[0].off));
	if (d != a) {
		if (!add_region(out, bpfext_kops_ldbswap(d, a, size, x[0].off)))
			return 0;
		keep(out, &x[0]);
		return 1;
	}
	keep(out, &x[0]);
	return add_region(out, bpfext_kops_ldbswap(d, a, size, x[0].off));
}

static int invert_jmp(uint8_t op)
{
	switch (op) {
	case BPF_JEQ: return BPF_JNE;
	case BPF_JNE: return BPF_JEQ;
	case BPF_JGT: return BPF_JLE;
	case BPF_JLE: return BPF_JGT;
	case BPF_JGE: return BPF_JLT;
	case BPF_JLT: return BPF_JGE;
	case BPF_JSGT: return BPF_JSLE;
	case BPF_JSLE: return BPF_JSGT;
	case BPF_JSGE: return BPF_JSLT;
	case BPF_JSLT: return BPF_JSGE;
	default: return -1;
	}
}

static bool is_reg_cond(const struct bpf_insn *x)
{
	uint8_t cls = BPF_CLASS(x->code), op = BPF_OP(x->code);

	return (cls == BPF_JMP || cls == BPF_JMP32) && BPF_SRC(x->code) == BPF_X &&
	       op != BPF_JA && op != BPF_CALL && op != BPF_EXIT && !x->imm;
}

static bool is_mov64(const struct bpf_insn *x)
{
	return is(x, CODE(BPF_ALU64, BPF_MOV, BPF_X)) ? !x->off && !x->imm :
	       is(x, CODE(BPF_ALU64, BPF_MOV, BPF_K)) && !x->off && !x->src_reg;
}

/*
 * select: "if A cond B goto +1; D = C" is D = (A !cond B) ? C : D;
 * "D = V; if A cond B goto +1; D = E" is D = (A cond B) ? V : E (the
 * non-register one of V and E is kept as the initial move).
 */
static int match_select(const struct bpf_insn *x, size_t n, struct cand *out)
{
	int inv;

	if (n >= 2 && is_reg_cond(&x[0]) && x[0].off == 1 &&
	    is_mov_x(&x[1], BPF_ALU64) && x[1].dst_reg <= BPF_REG_9) {
		inv = invert_jmp(BPF_OP(x[0].code));
		if (inv < 0)
			return 0;
		out->len = 2;
		return add_region(out, bpfext_kops_select(x[1].dst_reg, x[0].dst_reg,
				  x[0].src_reg, x[1].src_reg, (uint8_t)inv,
				  BPF_CLASS(x[0].code) == BPF_JMP32));
	}
	if (n >= 3 && is_mov64(&x[0]) && is_reg_cond(&x[1]) && x[1].off == 1 &&
	    is_mov64(&x[2]) && x[0].dst_reg == x[2].dst_reg &&
	    x[0].dst_reg <= BPF_REG_9) {
		bool jmp32 = BPF_CLASS(x[1].code) == BPF_JMP32;
		uint8_t d = x[0].dst_reg;

		out->len = 3;
		if (BPF_SRC(x[0].code) == BPF_X) {
			keep(out, &x[2]);
			return add_region(out, bpfext_kops_select(d, x[1].dst_reg,
					  x[1].src_reg, x[0].src_reg,
					  BPF_OP(x[1].code), jmp32));
		}
		inv = invert_jmp(BPF_OP(x[1].code));
		if (BPF_SRC(x[2].code) != BPF_X || inv < 0)
			return 0;
		keep(out, &x[0]);
		return add_region(out, bpfext_kops_select(d, x[1].dst_reg,
				  x[1].src_reg, x[2].src_reg, (uint8_t)inv, jmp32));
	}
	return 0;
}

/*
 * lea: "D = X; [D <<= s;] then D += Y and [D += disp] in either order"
 * with a shift or a displacement, or "X <<= s; D = Y; D += X; [D += disp]"
 * (X dead after, which the proof checks).
 */
static int match_lea(const struct bpf_insn *x, size_t n, struct cand *out)
{
	const uint8_t add_x = CODE(BPF_ALU64, BPF_ADD, BPF_X);
	const uint8_t add_k = CODE(BPF_ALU64, BPF_ADD, BPF_K);
	const uint8_t lsh_k = CODE(BPF_ALU64, BPF_LSH, BPF_K);
	unsigned int s = 0;
	int32_t disp = 0;
	int base = -1, index, d;
	size_t i = 0;

	if (n >= 3 && is(&x[0], lsh_k) && x[0].imm >= 1 && x[0].imm <= 3 &&
	    is_mov_x(&x[1], BPF_ALU64) && is(&x[2], add_x) &&
	    x[2].dst_reg == x[1].dst_reg && x[2].src_reg == x[0].dst_reg &&
	    x[1].dst_reg != x[0].dst_reg && x[1].dst_reg != x[1].src_reg) {
		d = x[1].dst_reg;
		s = (unsigned int)x[0].imm;
		index = x[0].dst_reg;
		base = x[1].src_reg;
		i = 3;
		if (i < n && is(&x[i], add_k) && x[i].dst_reg == d &&
		    x[i].imm >= -512 && x[i].imm <= 511 && x[i].imm)
			disp = x[i++].imm;
		out->len = i;
		return add_region(out, bpfext_kops_lea((uint8_t)d, (uint8_t)base,
					(uint8_t)index, s, disp));
	}
	if (n < 3 || !is_mov_x(&x[0], BPF_ALU64) || x[0].dst_reg == x[0].src_reg)
		return 0;
	d = x[0].dst_reg;
	index = x[0].src_reg;
	i = 1;
	if (is(&x[i], lsh_k) && x[i].dst_reg == d && x[i].imm >= 1 && x[i].imm <= 3)
		s = (unsigned int)x[i++].imm;
	while (i < n && i < 4 && x[i].dst_reg == d) {
		if (is(&x[i], add_x) && base < 0 && x[i].src_reg != d)
			base = x[i].src_reg;
		else if (is(&x[i], add_k) && !disp && x[i].imm &&
			 x[i].imm >= -512 && x[i].imm <= 511)
			disp = x[i].imm;
		else
			break;
		i++;
	}
	if (base < 0 || (!s && !disp))
		return 0;
	out->len = i;
	return add_region(out, bpfext_kops_lea((uint8_t)d, (uint8_t)base,
				(uint8_t)index, s, disp));
}

/*
 * memcpy: "B = *(u64 *)(A + so + 8 i); *(u64 *)(D + do + 8 i) = B" for
 * i = 0..n-1, n >= 2, offsets multiples of 8 within the 6-bit word range.
 */
static int match_memcpy(const struct bpf_insn *x, size_t n, struct cand *out)
{
	const uint8_t ldx = BPF_LDX | BPF_MEM | BPF_DW, stx = BPF_STX | BPF_MEM | BPF_DW;
	uint8_t a, b, d;
	int so, dof;
	size_t k, words = 0;

	if (n < 4 || !is(&x[0], ldx) || !is(&x[1], stx))
		return 0;
	a = x[0].src_reg;
	b = x[0].dst_reg;
	d = x[1].dst_reg;
	so = x[0].off;
	dof = x[1].off;
	if (x[1].src_reg != b || b == a || b == d || so % 8 || dof % 8 ||
	    so / 8 < -32 || so / 8 > 31 || dof / 8 < -32 || dof / 8 > 31)
		return 0;
	for (k = 0; 2 * k + 1 < n && words < 7; k++) {
		const struct bpf_insn *l = &x[2 * k], *st = &x[2 * k + 1];

		if (!is(l, ldx) || !is(st, stx) || l->dst_reg != b || l->src_reg != a ||
		    st->dst_reg != d || st->src_reg != b ||
		    l->off != so + 8 * (int)k || st->off != dof + 8 * (int)k)
			break;
		words++;
	}
	if (words < 2)
		return 0;
	out->len = 2 * words;
	return add_region(out, bpfext_kops_memcpy(d, a, b, (unsigned int)words,
						  so / 8, dof / 8));
}

static const uint8_t match_order[] = {
	BPF_EINSN_MEMCPY, BPF_EINSN_ROTATE, BPF_EINSN_LDBSWAP,
	BPF_EINSN_BFEXT, BPF_EINSN_LEA, BPF_EINSN_SELECT,
};

static int match(unsigned int op, const struct bpf_insn *x, size_t n,
		 const uint16_t *live, struct cand *c)
{
	memset(c, 0, sizeof(*c));
	switch (op) {
	case BPF_EINSN_ROTATE:
		if (match_rotate(x, n, c) > 0)
			return 1;
		memset(c, 0, sizeof(*c));
		return match_rotate2(x, n, c);
	case BPF_EINSN_SELECT: return match_select(x, n, c);
	case BPF_EINSN_BFEXT: return match_bfext(x, n, c);
	case BPF_EINSN_LDBSWAP:
		return match_ldbswap(x, n, n >= 3 ? live[3] : 0, c);
	case BPF_EINSN_MEMCPY: return match_memcpy(x, n, c);
	case BPF_EINSN_LEA: return match_lea(x, n, c);
	default: return 0;
	}
}

/* The proposal without its marker, for the window check. */
static size_t strip_markers(const struct cand *c, struct bpf_insn *out)
{
	size_t i, m = 0;

	for (i = 0; i < c->cnt; i++)
		if (!bpfext_kops_is_marker(&c->insns[i]))
			out[m++] = c->insns[i];
	return m;
}

int bpfext_recognize_func(const struct bpf_insn *insns, size_t cnt,
			  const bool *blocked,
			  const struct bpfext_recog_opts *opts,
			  struct bpfext_recog_site **sites, size_t *nr,
			  struct bpfext_recog_stats *st,
			  struct bpfext_error *err)
{
	BPFEXT_OPTS(bpfext_sym_opts, so,
		    .timeout_ms = opts->timeout_ms ? opts->timeout_ms : 2000);
	struct bpfext_recog_stats dummy = { 0 };
	struct bpfext_recog_site *out = NULL;
	uint16_t *live = NULL;
	bool *target = NULL;
	size_t i, nout = 0, cap = 0;
	int ret = 0;

	*sites = NULL;
	*nr = 0;
	if (!st)
		st = &dummy;
	if (!cnt || !(opts->ops & 0xfe))
		return 0;
	live = calloc(cnt + 1, sizeof(*live));
	target = calloc(cnt + 1, sizeof(*target));
	if (!live || !target || bpfext_liveness(insns, cnt, live)) {
		ret = bpfext_errf(err, ENOMEM, "out of memory");
		goto out;
	}
	live[cnt] = 0;
	for (i = 0; i < cnt; i += bpfext_insn_slots(&insns[i])) {
		long t;

		if (!bpfext_insn_is_branch(&insns[i]) && !bpfext_insn_is_pseudo_call(&insns[i]))
			continue;
		if (bpfext_insn_is_pseudo_call(&insns[i]))
			t = (long)i + insns[i].imm + 1;
		else
			t = (long)i + bpfext_insn_branch_off(&insns[i]) + 1;
		if (t >= 0 && (size_t)t <= cnt)
			target[t] = true;
	}
	for (i = 0; i < cnt;) {
		size_t region = bpfext_kops_region_len(&insns[i], cnt - i);
		size_t avail, k, o;
		bool done = false;

		if (region) {
			i += region;
			continue;
		}
		/* Slots usable from i: no target past i, no block, no marker. */
		for (avail = 0; i + avail < cnt && avail < 14; avail++) {
			const struct bpf_insn *x = &insns[i + avail];

			if ((avail && target[i + avail]) || (blocked && blocked[i + avail]) ||
			    bpfext_insn_is_ldimm64(x) || bpfext_kops_is_marker(x))
				break;
		}
		for (o = 0; o < sizeof(match_order) && !done && avail; o++) {
			unsigned int op = match_order[o];
			struct bpf_insn b[BPFEXT_RECOG_MAX];
			struct bpfext_error e;
			struct cand c;
			uint16_t live_out;
			size_t nb;
			int r;

			if (!(opts->ops & (1u << op)) ||
			    match(op, &insns[i], avail, &live[i], &c) <= 0)
				continue;
			/* A branch in the window must stay inside it. */
			for (k = 0; k < c.len; k++) {
				const struct bpf_insn *x = &insns[i + k];

				if (bpfext_insn_is_branch(x) &&
				    k + bpfext_insn_branch_off(x) + 1 > c.len)
					break;
			}
			if (k < c.len)
				continue;
			st->candidates++;
			live_out = live[i + c.len];
			if (c.clobber & live_out) {
				st->clobbered++;
				continue;
			}
			nb = strip_markers(&c, b);
			r = bpfext_sym_equiv_window(&insns[i], c.len, b, nb, live_out,
						    &so, NULL, &e);
			if (r != BPFEXT_EQUIVALENT) {
				st->unproven++;
				continue;
			}
			if (bpfext_grow(&out, &cap, nout + 1, sizeof(*out))) {
				ret = bpfext_errf(err, ENOMEM, "out of memory");
				goto out;
			}
			out[nout].start = i;
			out[nout].len = c.len;
			out[nout].op = c.op;
			memcpy(out[nout].insns, c.insns, c.cnt * sizeof(c.insns[0]));
			out[nout].cnt = c.cnt;
			nout++;
			st->sites[c.op]++;
			i += c.len;
			done = true;
		}
		if (!done)
			i += bpfext_insn_slots(&insns[i]);
	}
out:
	free(live);
	free(target);
	if (ret) {
		free(out);
		return ret;
	}
	*sites = out;
	*nr = nout;
	return 0;
}

int bpfext_recognize_section(const struct bpfext_section *sec,
			     const struct bpfext_recog_opts *opts,
			     struct bpfext_rewrite **rw, size_t *nr,
			     unsigned int **ops_of,
			     struct bpfext_recog_stats *st,
			     struct bpfext_error *err)
{
	struct bpfext_rewrite *out = NULL;
	unsigned int *ops = NULL;
	uint8_t *lt = malloc(sec->cnt + 1);
	size_t f, nout = 0;
	int ret = 0;

	*rw = NULL;
	*nr = 0;
	if (ops_of)
		*ops_of = NULL;
	if (!lt)
		return bpfext_errf(err, ENOMEM, "out of memory");
	/* No idiom takes in a value the loader sets (loadtime.c). */
	bpfext_section__loadtime(sec, lt);
	for (f = 0; f < sec->nr_funcs && !ret; f++) {
		const struct bpfext_func *fn = &sec->funcs[f];
		struct bpfext_recog_site *sites = NULL;
		bool *blocked = calloc(fn->cnt + 1, sizeof(*blocked));
		size_t ns = 0, k;

		if (!blocked) {
			ret = bpfext_errf(err, ENOMEM, "out of memory");
			break;
		}
		for (k = 0; k < fn->cnt; k++)
			blocked[k] = lt[fn->start + k];
		ret = bpfext_recognize_func(&sec->insns[fn->start], fn->cnt, blocked,
					    opts, &sites, &ns, st, err);
		free(blocked);
		if (!ret && ns) {
			size_t c_out = nout, c_ops = nout;

			if (bpfext_grow(&out, &c_out, nout + ns, sizeof(*out)) ||
			    bpfext_grow(&ops, &c_ops, nout + ns, sizeof(*ops)))
				ret = bpfext_errf(err, ENOMEM, "out of memory");
		}
		for (k = 0; !ret && k < ns; k++) {
			struct bpfext_rewrite *r = &out[nout];

			memset(r, 0, sizeof(*r));
			r->shndx = sec->shndx;
			snprintf(r->sec_name, sizeof(r->sec_name), "%s", sec->name);
			r->start = fn->start + sites[k].start;
			r->len = sites[k].len;
			memcpy(r->old, &sec->insns[r->start], r->len * sizeof(r->old[0]));
			memcpy(r->insns, sites[k].insns, sites[k].cnt * sizeof(r->insns[0]));
			r->cnt = sites[k].cnt;
			r->cost_before = r->len;
			r->cost_after = sites[k].cnt;
			ops[nout++] = sites[k].op;
		}
		free(sites);
	}
	free(lt);
	if (ret) {
		free(out);
		free(ops);
		return ret;
	}
	*rw = out;
	*nr = nout;
	if (ops_of)
		*ops_of = ops;
	else
		free(ops);
	return 0;
}

uint32_t bpfext_recog_table_ops(const struct bpfext_kops_op *ops, size_t cnt)
{
	uint32_t mask = 0;
	size_t i;

	/* An op counts when both its id and its name are the EInsn ones. */
	for (i = 0; i < cnt; i++) {
		const char *name = bpfext_einsn_name(ops[i].id);

		if (name && !strcmp(name, ops[i].name))
			mask |= 1u << ops[i].id;
	}
	return mask;
}

int bpfext_recog_parse_ops(const char *list, uint32_t *ops,
			   struct bpfext_error *err)
{
	char buf[256], *tok, *save = NULL;

	*ops = 0;
	if (snprintf(buf, sizeof(buf), "%s", list) >= (int)sizeof(buf))
		return bpfext_errf(err, EINVAL, "kops op list too long");
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int id = bpfext_einsn_id(tok);
		char *end;

		if (id < 0) {
			long v = strtol(tok, &end, 10);

			if (*end || v < 1 || v >= BPFEXT_EINSN_NR)
				return bpfext_errf(err, EINVAL, "unknown kops op '%s'", tok);
			id = (int)v;
		}
		*ops |= 1u << id;
	}
	if (!*ops)
		return bpfext_errf(err, EINVAL, "empty kops op list");
	return 0;
}
