// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Static safety analysis in the spirit of the kernel verifier, run on a
 * linked program before any kernel load.
 *
 * A forward abstract interpretation over the control-flow graph: one
 * abstract state per basic-block leader, joined where paths meet
 * (path-insensitive), with the branch refinements the kernel relies on
 * (NULL checks of map_value_or_null, `pkt + N > data_end` checks giving
 * a verified packet range, comparisons with constants narrowing scalar
 * bounds).  Loops are widened after a few visits of their head.
 *
 * Soundness relative to the kernel: the kernel explores paths
 * separately, so a join can make a state coarser than any path the
 * kernel sees.  Every value a lossy join, a widening or an unmodelled
 * source produced carries an "approx" mark; a violation that involves
 * such a value is not reported as unsafe but as unknown (the kernel
 * verifier decides).  Only a violation on exact values is "unsafe".
 * Two rules are deliberately stricter than a privileged 6.1 verifier
 * (which lets root read uninitialized stack and return a pointer): they
 * follow its unprivileged mode, and no compiled program of the corpus
 * trips them.
 *
 * Values the loader sets (the linked program's ->ltv: CO-RE-relocated
 * immediates and offsets, __ksym addresses) are not what the object
 * says: what such an instruction defines is unknown and approximate,
 * and a violation at it is unknown, never unsafe (issue #12).
 *
 * bpf-to-bpf calls are analysed in the caller's context (the callee's
 * own stack frame, arguments as the caller passed them), up to 8 deep.
 * Accesses to a caller's stack frame from a callee, callbacks
 * (BPF_PSEUDO_FUNC), pointers of BTF types and similar constructs are
 * reported as unknown.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "analysis/safety.h"
#include "isa/alu.h"

/* ---- values ---- */

/* Add @off to the variable part of @r; false if the bounds overflow. */
static bool shift_var(struct reg *r, int64_t off)
{
	int64_t smin, smax, umin, umax;

	if (r->umax > (uint64_t)INT64_MAX ||
	    __builtin_add_overflow(r->smin, off, &smin) ||
	    __builtin_add_overflow(r->smax, off, &smax) ||
	    __builtin_add_overflow((int64_t)r->umin, off, &umin) ||
	    __builtin_add_overflow((int64_t)r->umax, off, &umax) || umin < 0)
		return false;
	r->smin = smin;
	r->smax = smax;
	r->umin = (uint64_t)umin;
	r->umax = (uint64_t)umax;
	return true;
}

/* Tighten unsigned bounds from signed ones and back. */
static void sync_bounds(struct reg *r)
{
	if (r->smin >= 0) {
		if ((uint64_t)r->smin > r->umin)
			r->umin = r->smin;
		if ((uint64_t)r->smax < r->umax)
			r->umax = r->smax;
	}
	if (r->umax <= (uint64_t)INT64_MAX) {
		if ((int64_t)r->umin > r->smin)
			r->smin = r->umin;
		if ((int64_t)r->umax < r->smax)
			r->smax = r->umax;
	}
}

static bool bounds_empty(const struct reg *r)
{
	return r->umin > r->umax || r->smin > r->smax;
}

static bool reg_eq(const struct reg *a, const struct reg *b)
{
	return a->type == b->type && a->approx == b->approx &&
	       a->frame == b->frame && a->map == b->map && a->id == b->id &&
	       a->off == b->off && a->range == b->range &&
	       a->umin == b->umin && a->umax == b->umax &&
	       a->smin == b->smin && a->smax == b->smax;
}

static void widen_bounds(struct reg *a, const struct reg *b)
{
	a->umin = a->umin < b->umin ? a->umin : b->umin;
	a->umax = a->umax > b->umax ? a->umax : b->umax;
	a->smin = a->smin < b->smin ? a->smin : b->smin;
	a->smax = a->smax > b->smax ? a->smax : b->smax;
}

/*
 * *a = *a ⊔ *b; @widen: give up on bounds that still move.  @jid: the
 * id two packet pointers of different ids get (fixed per join point and
 * register, so that joining again gives the same).
 */
static void join_reg(struct reg *a, const struct reg *b, bool widen, uint32_t jid)
{
	bool same_bounds = a->umin == b->umin && a->umax == b->umax &&
			   a->smin == b->smin && a->smax == b->smax;

	if (reg_eq(a, b))
		return;
	if (a->type == T_NOT_INIT && b->type == T_NOT_INIT)
		return;
	if (a->type == T_NOT_INIT || b->type == T_NOT_INIT ||
	    a->type == T_MAYBE_INIT || b->type == T_MAYBE_INIT) {
		set_type(a, T_MAYBE_INIT);
		a->approx = true;
		return;
	}
	if (a->type != b->type) {
		/* map_value and its or_null form of the same map */
		if ((a->type == T_MAP_VALUE || a->type == T_MAP_VALUE_OR_NULL) &&
		    (b->type == T_MAP_VALUE || b->type == T_MAP_VALUE_OR_NULL) &&
		    a->map == b->map && a->off == b->off) {
			a->type = T_MAP_VALUE_OR_NULL;
			widen_bounds(a, b);
			a->approx = true;
			return;
		}
		set_type(a, T_UNKNOWN);
		a->approx = true;
		return;
	}
	switch (a->type) {
	case T_SCALAR:
		widen_bounds(a, b);
		if (widen && !same_bounds)
			set_unknown_scalar(a);
		a->id = a->id == b->id ? a->id : 0;
		a->approx = true;
		return;
	case T_PKT:
		if (a->id == b->id && a->off == b->off && same_bounds) {
			a->range = a->range < b->range ? a->range : b->range;
			a->approx |= b->approx;
			return;
		}
		/*
		 * Each path's range holds from its own base: the smaller one
		 * holds on both, under a new id.  Copies lose their link.
		 */
		if (a->off == b->off && a->smin >= 0 && b->smin >= 0) {
			a->range = a->range < b->range ? a->range : b->range;
			widen_bounds(a, b);
			if (widen)
				a->umax = UINT64_MAX;
			a->id = jid;
			a->approx = true;
			return;
		}
		set_type(a, T_UNKNOWN);
		a->approx = true;
		return;
	case T_MAP_VALUE:
	case T_MAP_VALUE_OR_NULL:
		if (a->map != b->map) {
			set_type(a, T_UNKNOWN);
			a->approx = true;
			return;
		}
		if (a->off != b->off) {
			/* fold the fixed offsets into the variable part */
			struct reg t = *b;

			if (shift_var(&t, t.off) && shift_var(a, a->off)) {
				a->off = 0;
				widen_bounds(a, &t);
			} else {
				a->off = 0;
				widen = true;	/* bounds lost */
			}
		} else {
			widen_bounds(a, b);
		}
		if (widen) {
			a->umin = 0;
			a->umax = UINT64_MAX;
			a->smin = INT64_MIN;
			a->smax = INT64_MAX;
		}
		a->id = a->id == b->id ? a->id : 0;
		a->approx = true;
		return;
	default:
		if (a->off == b->off && a->frame == b->frame && same_bounds &&
		    a->map == b->map) {
			a->approx |= b->approx;
			a->id = a->id == b->id ? a->id : 0;
			return;
		}
		set_type(a, T_UNKNOWN);
		a->approx = true;
		return;
	}
}

/* *a = *a ⊔ *b; true if *a changed. */
static bool join_state(struct state *a, const struct state *b, bool widen,
		       uint32_t jid)
{
	bool changed = false;
	struct reg old;
	int i;

	for (i = 0; i < 11; i++) {
		old = a->r[i];
		join_reg(&a->r[i], &b->r[i], widen, jid + i);
		changed |= !reg_eq(&old, &a->r[i]);
	}
	for (i = 0; i < STACK_SIZE; i++) {
		if (a->stk[i] != b->stk[i] && a->stk[i] != B_MAYBE) {
			a->stk[i] = B_MAYBE;
			changed = true;
		}
	}
	for (i = 0; i < SLOTS; i++) {
		struct reg bs = b->spill[i];

		if (a->spill[i].type == T_NOT_INIT && bs.type == T_NOT_INIT)
			continue;
		old = a->spill[i];
		/* a spill against plain initialized bytes: an unknown scalar */
		if (a->spill[i].type == T_NOT_INIT) {
			set_unknown_scalar(&a->spill[i]);
			a->spill[i].approx = true;
		}
		if (bs.type == T_NOT_INIT) {
			set_unknown_scalar(&bs);
			bs.approx = true;
		}
		join_reg(&a->spill[i], &bs, widen, jid + 11 + i);
		changed |= !reg_eq(&old, &a->spill[i]);
	}
	return changed;
}

/* ---- reporting ---- */

/*
 * A violation (@unsafe) or something the analysis cannot decide.  The
 * first violation stops the analysis; the first unknown is kept while
 * the analysis goes on looking for a violation.
 */
void bpfext_safety_verdict(struct ctx *c, size_t insn, bool unsafe, const char *fmt, ...)
{
	struct bpfext_safety_report *rep = c->rep;
	va_list ap;

	if (c->stop)
		return;
	/* the object's value there is not the kernel's */
	if (c->loadtime && insn < c->lp->cnt && c->loadtime[insn])
		unsafe = false;
	if (!unsafe && rep->verdict == BPFEXT_SAFETY_UNKNOWN)
		return;
	va_start(ap, fmt);
	vsnprintf(rep->reason, sizeof(rep->reason), fmt, ap);
	va_end(ap);
	rep->insn = insn;
	rep->verdict = unsafe ? BPFEXT_SAFETY_UNSAFE : BPFEXT_SAFETY_UNKNOWN;
	if (unsafe)
		c->stop = true;
}

/* Reading register @n; false if it cannot be used. */
bool bpfext_safety_check_read(struct ctx *c, const struct state *s, size_t insn, int n)
{
	if (s->r[n].type == T_NOT_INIT) {
		bpfext_safety_verdict(c, insn, true, "R%d !read_ok (uninitialized register)", n);
		return false;
	}
	if (s->r[n].type == T_MAYBE_INIT) {
		bpfext_safety_verdict(c, insn, false, "R%d may be uninitialized", n);
		return false;
	}
	return true;
}

/* ---- ALU ---- */

/* Interval transfer of a scalar operation; @b is the source operand. */
static void scalar_alu(struct reg *d, const struct reg *b, uint8_t op, bool is64,
		       const struct bpf_insn *x)
{
	bool approx = d->approx || b->approx;
	uint64_t lo = 0, hi = UINT64_MAX;

	if (op == BPF_END && bpfext_alu_end_swaps(x->code)) {
		/* byte swaps on little-endian: bounds are lost */
		if (x->imm == 16)
			hi = 0xffff;
		else if (x->imm == 32)
			hi = UINT32_MAX;
		if (is_const(d))
			lo = hi = bpfext_alu_end(true, x->imm, d->umin);
		set_scalar(d, lo, hi);
		d->approx = approx;
		return;
	}
	if (is_const(d) && is_const(b)) {
		uint64_t v = op == BPF_END ? bpfext_alu_end(false, x->imm, d->umin) :
			     bpfext_alu(op, false, is64, d->umin, b->umin);

		set_const(d, v);
		d->approx = approx;
		return;
	}
	switch (op) {
	case BPF_ADD:
		if (d->umax + b->umax >= d->umax && d->umin + b->umin >= d->umin) {
			lo = d->umin + b->umin;
			hi = d->umax + b->umax;
		}
		break;
	case BPF_SUB:
		if (d->umin >= b->umax) {
			lo = d->umin - b->umax;
			hi = d->umax - b->umin;
		}
		break;
	case BPF_MUL:
		if (d->umax <= UINT32_MAX && b->umax <= UINT32_MAX) {
			lo = d->umin * b->umin;
			hi = d->umax * b->umax;
		}
		break;
	case BPF_AND:
		hi = d->umax < b->umax ? d->umax : b->umax;
		break;
	case BPF_OR:
	case BPF_XOR:
		if (d->umax <= UINT32_MAX && b->umax <= UINT32_MAX)
			hi = UINT32_MAX;
		if (d->umax < 256 && b->umax < 256)
			hi = 255;
		if (op == BPF_OR)
			lo = d->umin > b->umin ? d->umin : b->umin;
		break;
	case BPF_DIV:
		hi = d->umax;
		break;
	case BPF_MOD:
		if (b->umin > 0)
			hi = b->umax - 1;
		if (d->umax < hi)
			hi = d->umax;
		break;
	case BPF_RSH:
		if (is_const(b) && b->umin < (is64 ? 64u : 32u)) {
			uint64_t m = is64 ? d->umax : (d->umax > UINT32_MAX ?
						       UINT32_MAX : d->umax);

			lo = (is64 || d->umax <= UINT32_MAX) ? d->umin >> b->umin : 0;
			hi = m >> b->umin;
		}
		break;
	case BPF_LSH:
		if (is_const(b) && b->umin < 64 && is64 &&
		    (d->umax << b->umin) >> b->umin == d->umax) {
			lo = d->umin << b->umin;
			hi = d->umax << b->umin;
		}
		break;
	case BPF_MOV:
		*d = *b;
		d->approx = b->approx;
		if (!is64) {
			if (d->umax > UINT32_MAX)
				set_scalar(d, 0, UINT32_MAX);
			d->approx = b->approx;
		}
		return;
	case BPF_END:	/* to little-endian: truncation */
		hi = x->imm == 16 ? 0xffff : x->imm == 32 ? UINT32_MAX : UINT64_MAX;
		if (d->umax <= hi) {
			lo = d->umin;
			hi = d->umax;
		}
		break;
	default:
		break;
	}
	if (!is64 && (hi > UINT32_MAX || lo > hi)) {
		lo = 0;
		hi = UINT32_MAX;
	}
	set_scalar(d, lo, hi);
	d->approx = approx;
}

static const char *alu_name(uint8_t op)
{
	static const char *const n[] = {
		"+=", "-=", "*=", "/=", "|=", "&=", "<<=", ">>=", "neg", "%=",
		"^=", "=", "s>>=", "endian",
	};

	return op >> 4 < ARRAY_SIZE(n) ? n[op >> 4] : "?";
}

/* Add @sc (scalar) to pointer @p; @sub: subtract. */
static void ptr_add(struct reg *p, const struct reg *sc, bool sub, size_t insn)
{
	bool approx = p->approx || sc->approx;

	if (is_const(sc)) {
		int64_t v = (int64_t)sc->umin, n;

		if (sub)
			v = v == INT64_MIN ? INT64_MAX : -v;
		n = sadd(p->off, v);
		if (n >= INT32_MIN && n <= INT32_MAX) {
			p->off = (int32_t)n;
			p->approx = approx;
			return;
		}
		set_type(p, T_UNKNOWN);
		p->approx = true;
		return;
	}
	/* a variable part: the kernel gives packet pointers a new id */
	if (sub) {
		set_type(p, T_UNKNOWN);
		p->approx = true;
		return;
	}
	if (p->umax + sc->umax < p->umax || sc->umax > (1ull << 32)) {
		p->umin = 0;
		p->umax = UINT64_MAX;
		p->smin = INT64_MIN;
		p->smax = INT64_MAX;
	} else {
		p->umin += sc->umin;
		p->umax += sc->umax;
		p->smin = (int64_t)p->umin;
		p->smax = (int64_t)p->umax;
		if (sc->smin < 0)
			p->smin = INT64_MIN;
	}
	if (p->type == T_PKT) {
		p->id = (uint32_t)insn + 1 + (1u << 30);
		p->range = 0;
	}
	p->approx = approx;
}

static void do_alu(struct ctx *c, struct state *s, size_t i, const struct bpf_insn *x)
{
	uint8_t op = BPF_OP(x->code);
	bool is64 = BPF_CLASS(x->code) == BPF_ALU64;
	bool use_src = BPF_SRC(x->code) == BPF_X && op != BPF_END && op != BPF_NEG;
	struct reg *d = &s->r[x->dst_reg], k;

	if (use_src) {
		if (!bpfext_safety_check_read(c, s, i, x->src_reg)) {
			set_type(d, T_UNKNOWN);
			d->approx = true;
			return;
		}
		k = s->r[x->src_reg];
	} else {
		set_const(&k, is64 ? (uint64_t)(int64_t)x->imm : (uint32_t)x->imm);
	}
	if (op == BPF_MOV) {
		if (is64) {
			*d = k;
			/* copies share an id, so refinements reach both */
			if (use_src && k.type == T_SCALAR && !is_const(&k) && !k.id) {
				uint32_t id = (uint32_t)i + 1;
				int n;

				/* a stale copy from an earlier pass must not share it */
				for (n = 0; n < 11; n++)
					if (s->r[n].type == T_SCALAR && s->r[n].id == id)
						s->r[n].id = 0;
				for (n = 0; n < SLOTS; n++)
					if (s->spill[n].type == T_SCALAR && s->spill[n].id == id)
						s->spill[n].id = 0;
				s->r[x->src_reg].id = d->id = id;
			}
		} else if (is_ptr(&k) || k.type == T_UNKNOWN) {
			set_scalar(d, 0, UINT32_MAX);	/* partial copy of a pointer */
			d->approx = k.approx || k.type == T_UNKNOWN;
		} else {
			scalar_alu(d, &k, op, false, x);
			d->id = 0;
		}
		return;
	}
	if (!bpfext_safety_check_read(c, s, i, x->dst_reg)) {
		set_type(d, T_UNKNOWN);
		d->approx = true;
		return;
	}
	if (d->type == T_UNKNOWN || k.type == T_UNKNOWN) {
		bool ptr = is_ptr(d) || is_ptr(&k);

		if (ptr && (!is64 || (op != BPF_ADD && op != BPF_SUB)))
			bpfext_safety_verdict(c, i, false, "operation on a value that may be a pointer");
		set_type(d, T_UNKNOWN);
		d->approx = true;
		return;
	}
	if (!is_ptr(d) && !is_ptr(&k)) {
		scalar_alu(d, &k, op, is64, x);
		d->id = 0;
		return;
	}
	if (op == BPF_NEG || op == BPF_END) {
		/* privileged: the pointer becomes an unknown scalar */
		set_unknown_scalar(d);
		d->approx = true;
		return;
	}
	if (!is64) {
		/* privileged: a 32-bit subtraction gives a meaningless scalar */
		if (op != BPF_SUB)
			VIOLATION(c, i, is_ptr(d) ? d : &k,
				  "R%d 32-bit pointer arithmetic prohibited", x->dst_reg);
		set_scalar(d, 0, UINT32_MAX);
		d->approx = true;
		return;
	}
	if (is_ptr(d) && is_ptr(&k)) {
		if (op == BPF_SUB) {
			set_unknown_scalar(d);		/* allowed when privileged */
			d->approx = d->approx || k.approx;
			return;
		}
		VIOLATION(c, i, d, "R%d pointer %s pointer prohibited", x->dst_reg,
			  alu_name(op));
		set_unknown_scalar(d);
		return;
	}
	if (op != BPF_ADD && op != BPF_SUB) {
		VIOLATION(c, i, is_ptr(d) ? d : &k,
			  "R%d pointer arithmetic with %s operator prohibited",
			  x->dst_reg, alu_name(op));
		set_unknown_scalar(d);
		return;
	}
	if (!is_ptr(d)) {
		/* scalar + pointer */
		struct reg sc = *d;

		if (op == BPF_SUB) {
			VIOLATION(c, i, &k, "R%d tried to subtract pointer from scalar",
				  x->dst_reg);
			set_unknown_scalar(d);
			return;
		}
		*d = k;
		k = sc;
	}
	switch (d->type) {
	case T_PKT_END:
	case T_MAP_VALUE_OR_NULL:
		VIOLATION(c, i, d, "R%d pointer arithmetic on %s prohibited", x->dst_reg,
			  type_name(d->type));
		set_unknown_scalar(d);
		return;
	case T_MAP_PTR:
		if (is_const(&k) && k.umin == 0)
			return;
		VIOLATION(c, i, d, "R%d pointer arithmetic on map_ptr prohibited", x->dst_reg);
		set_unknown_scalar(d);
		return;
	default:
		ptr_add(d, &k, op == BPF_SUB, i);
		return;
	}
}

/* ---- branches ---- */

static bool is_signed_op(uint8_t op)
{
	return op == BPF_JSGT || op == BPF_JSGE || op == BPF_JSLT || op == BPF_JSLE;
}

/* Refine scalar @r by "r op v" being true (unsigned or signed per op). */
static void refine(struct reg *r, uint8_t op, uint64_t v)
{
	int64_t sv = (int64_t)v;

	switch (op) {
	case BPF_JEQ:
		r->umin = r->umin > v ? r->umin : v;
		r->umax = r->umax < v ? r->umax : v;
		r->smin = r->smin > sv ? r->smin : sv;
		r->smax = r->smax < sv ? r->smax : sv;
		break;
	case BPF_JNE:
		if (r->umin == v && r->umin < r->umax)
			r->umin++;
		else if (r->umax == v && r->umin < r->umax)
			r->umax--;
		else if (r->umin == r->umax && r->umin == v)
			r->umin = 1, r->umax = 0;	/* empty */
		if (r->smin == sv && r->smin < r->smax)
			r->smin++;
		else if (r->smax == sv && r->smin < r->smax)
			r->smax--;
		break;
	case BPF_JGT: if (v == UINT64_MAX) { r->umin = 1; r->umax = 0; } else if (r->umin < v + 1) r->umin = v + 1; break;
	case BPF_JGE: if (r->umin < v) r->umin = v; break;
	case BPF_JLT: if (v == 0) { r->umin = 1; r->umax = 0; } else if (r->umax > v - 1) r->umax = v - 1; break;
	case BPF_JLE: if (r->umax > v) r->umax = v; break;
	case BPF_JSGT: if (sv == INT64_MAX) { r->smin = 1; r->smax = 0; } else if (r->smin < sv + 1) r->smin = sv + 1; break;
	case BPF_JSGE: if (r->smin < sv) r->smin = sv; break;
	case BPF_JSLT: if (sv == INT64_MIN) { r->smin = 1; r->smax = 0; } else if (r->smax > sv - 1) r->smax = sv - 1; break;
	case BPF_JSLE: if (r->smax > sv) r->smax = sv; break;
	}
	sync_bounds(r);
}

static uint8_t negate(uint8_t op)
{
	switch (op) {
	case BPF_JEQ: return BPF_JNE;
	case BPF_JNE: return BPF_JEQ;
	case BPF_JGT: return BPF_JLE;
	case BPF_JGE: return BPF_JLT;
	case BPF_JLT: return BPF_JGE;
	case BPF_JLE: return BPF_JGT;
	case BPF_JSGT: return BPF_JSLE;
	case BPF_JSGE: return BPF_JSLT;
	case BPF_JSLT: return BPF_JSGE;
	case BPF_JSLE: return BPF_JSGT;
	default: return 0;
	}
}

/* "a op b" is the same as "b swap(op) a". */
static uint8_t swap_op(uint8_t op)
{
	switch (op) {
	case BPF_JGT: return BPF_JLT;
	case BPF_JGE: return BPF_JLE;
	case BPF_JLT: return BPF_JGT;
	case BPF_JLE: return BPF_JGE;
	case BPF_JSGT: return BPF_JSLT;
	case BPF_JSGE: return BPF_JSLE;
	case BPF_JSLT: return BPF_JSGT;
	case BPF_JSLE: return BPF_JSGE;
	default: return op;
	}
}

/* Apply @f to every register and spill with scalar/pointer id @id. */
static void for_each_id(struct state *s, uint32_t id, uint8_t type,
			void (*f)(struct reg *, void *), void *arg)
{
	int n;

	for (n = 0; n < 11; n++)
		if (s->r[n].id == id && s->r[n].type == type)
			f(&s->r[n], arg);
	for (n = 0; n < SLOTS; n++)
		if (s->spill[n].id == id && s->spill[n].type == type)
			f(&s->spill[n], arg);
}

struct refine_arg {
	uint8_t op;
	uint64_t v;
};

static void refine_cb(struct reg *r, void *arg)
{
	struct refine_arg *a = arg;

	refine(r, a->op, a->v);
}

static void null_cb(struct reg *r, void *arg)
{
	bool is_null = *(bool *)arg;
	bool approx = r->approx;

	if (is_null) {
		set_const(r, 0);
	} else {
		r->type = T_MAP_VALUE;
		r->id = 0;
	}
	r->approx = approx;
}

static void range_cb(struct reg *r, void *arg)
{
	uint32_t range = *(uint32_t *)arg;

	if (r->range < range)
		r->range = range;
}

/* Refine @s knowing "dst op src" holds (@src: the comparand register). */
static bool refine_state(struct state *s, const struct bpf_insn *x, uint8_t op,
			 bool is32)
{
	struct reg *d = &s->r[x->dst_reg];
	struct reg k, *sr = NULL;

	if (BPF_SRC(x->code) == BPF_X) {
		sr = &s->r[x->src_reg];
		k = *sr;
	} else {
		set_const(&k, is32 ? (uint32_t)x->imm : (uint64_t)(int64_t)x->imm);
	}
	/* NULL checks of map_value_or_null */
	if (!is32 && is_const(&k) && k.umin == 0 &&
	    d->type == T_MAP_VALUE_OR_NULL && (op == BPF_JEQ || op == BPF_JNE)) {
		bool is_null = op == BPF_JEQ;

		if (d->id)
			for_each_id(s, d->id, T_MAP_VALUE_OR_NULL, null_cb, &is_null);
		else
			null_cb(d, &is_null);
		return true;
	}
	/* packet bounds: pkt op pkt_end */
	if (!is32 && sr && ((d->type == T_PKT && sr->type == T_PKT_END) ||
			    (d->type == T_PKT_END && sr->type == T_PKT))) {
		struct reg *p = d->type == T_PKT ? d : sr;
		uint8_t o = d->type == T_PKT ? op : swap_op(op);
		int64_t range = -1;

		/* p <= end: bytes before p are in; p < end: one more */
		if (o == BPF_JLE)
			range = p->off;
		else if (o == BPF_JLT)
			range = (int64_t)p->off + 1;
		if (range > 0 && range <= 0xffff && p->smin >= 0) {
			uint32_t r32 = (uint32_t)range;

			for_each_id(s, p->id, T_PKT, range_cb, &r32);
		}
		return true;
	}
	if (d->type == T_SCALAR && k.type == T_SCALAR) {
		if (is32 && (d->umax > UINT32_MAX || k.umax > UINT32_MAX ||
			     is_signed_op(op) || op == BPF_JSET)) {
			d->approx = true;
			if (sr)
				sr->approx = true;
			return true;
		}
		if (op == BPF_JSET) {
			d->approx = true;
			return true;
		}
		if (is_const(&k)) {
			struct refine_arg a = { op, k.umin };

			if (d->id)
				for_each_id(s, d->id, T_SCALAR, refine_cb, &a);
			else
				refine(d, op, k.umin);
			return !bounds_empty(d);
		}
		if (is_const(d) && sr) {
			struct refine_arg a = { swap_op(op), d->umin };

			if (sr->id)
				for_each_id(s, sr->id, T_SCALAR, refine_cb, &a);
			else
				refine(sr, swap_op(op), d->umin);
			return !bounds_empty(sr);
		}
		/* two variables: bounds not refined, so not exact either */
		d->approx = true;
		sr->approx = true;
		return true;
	}
	/* anything else the kernel may refine in ways not modelled here */
	if (d->type == T_SCALAR)
		d->approx = true;
	if (sr && sr->type == T_SCALAR)
		sr->approx = true;
	return true;
}

/* Whether "a op b" is decided: 1 always, 0 never, -1 unknown. */
static int decided(const struct reg *a, const struct reg *b, uint8_t op, bool is32)
{
	uint64_t amin = a->umin, amax = a->umax, bmin = b->umin, bmax = b->umax;

	if (a->type != T_SCALAR || b->type != T_SCALAR)
		goto ptr;
	if (is32) {
		if (amax > UINT32_MAX || bmax > UINT32_MAX)
			return -1;
		if (is_signed_op(op) && (amax > INT32_MAX || bmax > INT32_MAX))
			return -1;
	}
	/* signed comparisons go by the signed bounds, constants too */
	if (amin == amax && bmin == bmax && !is_signed_op(op))
		return bpfext_jmp(op, is32, amin, bmin);
	switch (op) {
	case BPF_JEQ:
		return amax < bmin || bmax < amin ? 0 : -1;
	case BPF_JNE:
		return amax < bmin || bmax < amin ? 1 : -1;
	case BPF_JGT: return amin > bmax ? 1 : amax <= bmin ? 0 : -1;
	case BPF_JGE: return amin >= bmax ? 1 : amax < bmin ? 0 : -1;
	case BPF_JLT: return amax < bmin ? 1 : amin >= bmax ? 0 : -1;
	case BPF_JLE: return amax <= bmin ? 1 : amin > bmax ? 0 : -1;
	case BPF_JSGT: return a->smin > b->smax ? 1 : a->smax <= b->smin ? 0 : -1;
	case BPF_JSGE: return a->smin >= b->smax ? 1 : a->smax < b->smin ? 0 : -1;
	case BPF_JSLT: return a->smax < b->smin ? 1 : a->smin >= b->smax ? 0 : -1;
	case BPF_JSLE: return a->smax <= b->smin ? 1 : a->smin > b->smax ? 0 : -1;
	case BPF_JSET:
		return -1;
	}
	return -1;
ptr:
	/* a non-NULL pointer compared with 0 */
	if (!is32 && (op == BPF_JEQ || op == BPF_JNE) && is_const(b) && b->umin == 0 &&
	    (a->type == T_CTX || a->type == T_STACK || a->type == T_MAP_VALUE ||
	     a->type == T_MAP_PTR))
		return op == BPF_JNE;
	return -1;
}

/* R0 must be set at the program's exit, unless it may return void. */
static bool check_r0_at_exit(struct ctx *c, const struct state *s, size_t i)
{
	enum bpf_prog_type t = c->lp->type;

	if (s->r[0].type == T_NOT_INIT &&
	    (t == BPF_PROG_TYPE_STRUCT_OPS || t == BPF_PROG_TYPE_LSM ||
	     t == BPF_PROG_TYPE_TRACING || t == BPF_PROG_TYPE_EXT)) {
		bpfext_safety_verdict(c, i, false, "R0 not set at exit (the function may return void)");
		return false;
	}
	return bpfext_safety_check_read(c, s, i, 0);
}

/* ---- the fixpoint ---- */

struct frame_an {
	struct state **st;		/* per leader, NULL: not reached */
	uint16_t *visits;
	bool *pending;
	struct reg ret;			/* r0 joined over the exits */
	bool returned;
};

static int analyse(struct ctx *c, size_t entry, const struct state *in, int depth,
		   struct reg *ret);

static struct state *leader_state(struct ctx *c, struct frame_an *f, size_t insn)
{
	uint32_t l = c->leader[insn];

	if (!l)
		return NULL;
	if (!f->st[l - 1]) {
		f->st[l - 1] = malloc(sizeof(struct state));
		if (!f->st[l - 1]) {
			c->err = -ENOMEM;
			return NULL;
		}
		f->st[l - 1]->r[0].type = 0xff;	/* marks "nothing yet" */
	}
	return f->st[l - 1];
}

/* Propagate @s to leader @to. */
static void flow(struct ctx *c, struct frame_an *f, size_t to, const struct state *s)
{
	struct state *t;
	uint32_t l;

	if (to >= c->lp->cnt || !c->leader[to]) {
		bpfext_safety_verdict(c, to, false, "jump to a slot the analysis does not know");
		return;
	}
	t = leader_state(c, f, to);
	if (!t)
		return;
	l = c->leader[to] - 1;
	if (t->r[0].type == 0xff) {
		*t = *s;
		f->pending[l] = true;
		return;
	}
	f->visits[l]++;
	/* ids of joined packet pointers: 1 << 29 | leader << 7 | register */
	if (join_state(t, s, f->visits[l] > WIDEN_AFTER, (1u << 29) | l << 7))
		f->pending[l] = true;
}

/*
 * What a load-time instruction defined: a scalar nothing is known of, or
 * a pointer whose offset is unknown; approximate either way.
 */
static void loadtime_def(struct reg *d)
{
	if (d->type == T_SCALAR) {
		set_unknown_scalar(d);
	} else {
		d->umin = 0;
		d->umax = UINT64_MAX;
		d->smin = INT64_MIN;
		d->smax = INT64_MAX;
	}
	d->approx = true;
}

/* Run the block starting at leader slot @start with state @s. */
/* What run_block() does after an instruction. */
enum step { STEP_NEXT, STEP_DONE };

/* LD: ld_imm64 (constants, maps, map values) and LD_ABS/LD_IND. */
static void do_ld(struct ctx *c, struct state *s, size_t i, const struct bpf_insn *x)
{
	const struct bpfext_linked_prog *lp = c->lp;
	int n;

	if (bpfext_insn_is_ldimm64(x)) {
		struct reg *d = &s->r[x->dst_reg];
		uint64_t v = (uint32_t)x->imm;

		if (i + 1 < lp->cnt)
			v |= (uint64_t)lp->insns[i + 1].imm << 32;
		switch (x->src_reg) {
		case 0:
			set_const(d, v);
			break;
		case BPF_PSEUDO_MAP_FD:
		case BPF_PSEUDO_MAP_IDX:
			set_type(d, T_MAP_PTR);
			d->map = (uint32_t)x->imm;
			break;
		case BPF_PSEUDO_MAP_VALUE:
		case BPF_PSEUDO_MAP_IDX_VALUE:
			set_type(d, T_MAP_VALUE);
			d->map = (uint32_t)x->imm;
			d->off = i + 1 < lp->cnt ? lp->insns[i + 1].imm : 0;
			break;
		case BPF_PSEUDO_FUNC:
			bpfext_safety_verdict(c, i, false, "callback functions are not analysed");
			/* fall through */
		default:
			set_type(d, T_UNKNOWN);
			d->approx = true;
			break;
		}
		if (c->loadtime && c->loadtime[i] && !x->src_reg)
			loadtime_def(d);
		return;
	}
	/* LD_ABS / LD_IND: an implicit skb access through r6 */
	if (!bpfext_safety_check_read(c, s, i, 6))
		return;
	if (s->r[6].type != T_CTX)
		VIOLATION(c, i, &s->r[6], "BPF_LD_[ABS|IND] uses R6 of type %s, not ctx",
			  type_name(s->r[6].type));
	if (BPF_MODE(x->code) == BPF_IND)
		bpfext_safety_check_read(c, s, i, x->src_reg);
	for (n = 1; n <= 5; n++)
		set_type(&s->r[n], T_NOT_INIT);
	set_scalar(&s->r[0], 0, BPF_SIZE(x->code) == BPF_W ? UINT32_MAX :
		   BPF_SIZE(x->code) == BPF_H ? 0xffff : 0xff);
}

/* A bpf-to-bpf call: the callee analysed with a frame of its own. */
static enum step do_pseudo_call(struct ctx *c, struct state *s, size_t i,
				const struct bpf_insn *x, int depth)
{
	long t = (long)i + x->imm + 1;
	struct reg r0;
	struct state in = *s;
	int n, ret;

	if (depth + 1 >= MAX_DEPTH || t < 0 || (size_t)t >= c->lp->cnt) {
		bpfext_safety_verdict(c, i, false, "call depth or target not analysed");
		set_type(&r0, T_UNKNOWN);
		r0.approx = true;
	} else {
		for (n = 0; n < 11; n++)
			if (n == 0 || n > 5)
				set_type(&in.r[n], T_NOT_INIT);
		in.r[10].type = T_STACK;
		in.r[10].frame = (uint8_t)(depth + 1);
		memset(in.stk, B_UNINIT, sizeof(in.stk));
		for (n = 0; n < SLOTS; n++)
			in.spill[n].type = T_NOT_INIT;
		c->caller[depth] = s;
		ret = analyse(c, (size_t)t, &in, depth + 1, &r0);
		c->caller[depth] = NULL;
		if (ret || c->stop)
			return STEP_DONE;
	}
	/* the callee may have written our stack through pointers */
	for (n = 1; n <= 5; n++) {
		const struct reg *a = &s->r[n];
		int b;

		if (a->type != T_STACK || a->frame != depth)
			continue;
		for (b = 0; b < STACK_SIZE; b++) {
			if (b - STACK_SIZE < sadd(a->off, a->smin))
				continue;
			if (s->stk[b] == B_UNINIT)
				s->stk[b] = B_MAYBE;
			/* it may even have stored a pointer */
			set_type(&s->spill[b / 8], T_UNKNOWN);
			s->spill[b / 8].approx = true;
		}
	}
	for (n = 1; n <= 5; n++)
		set_type(&s->r[n], T_NOT_INIT);
	if (r0.type == T_STACK && r0.frame > depth) {
		set_type(&r0, T_UNKNOWN);
		r0.approx = true;
	}
	s->r[0] = r0;
	return STEP_NEXT;
}

/* A conditional jump: follow the sides it can take, refined. */
static enum step do_cond_jmp(struct ctx *c, struct frame_an *f, struct state *s,
			     size_t i, const struct bpf_insn *x)
{
	uint8_t op = BPF_OP(x->code);
	bool is32 = BPF_CLASS(x->code) == BPF_JMP32;
	size_t tgt = (size_t)((long)i + x->off + 1);
	struct state *taken;
	struct reg k;
	int dec;

	if (!bpfext_safety_check_read(c, s, i, x->dst_reg))
		return STEP_DONE;
	if (BPF_SRC(x->code) == BPF_X) {
		if (!bpfext_safety_check_read(c, s, i, x->src_reg))
			return STEP_DONE;
		k = s->r[x->src_reg];
	} else {
		set_const(&k, is32 ? (uint32_t)x->imm : (uint64_t)(int64_t)x->imm);
	}
	dec = decided(&s->r[x->dst_reg], &k, op, is32);
	if (dec == 1) {
		flow(c, f, tgt, s);
		return STEP_DONE;
	}
	if (dec == 0)
		return STEP_NEXT;
	taken = malloc(sizeof(*taken));
	if (!taken) {
		c->err = -ENOMEM;
		return STEP_DONE;
	}
	*taken = *s;
	if (refine_state(taken, x, op, is32))
		flow(c, f, tgt, taken);
	free(taken);
	if (op == BPF_JSET)
		refine_state(s, x, op, is32);
	else if (!refine_state(s, x, negate(op), is32))
		return STEP_DONE;
	return STEP_NEXT;
}

/* JMP, JMP32: exit, calls, goto and conditional jumps. */
static enum step do_jmp(struct ctx *c, struct frame_an *f, struct state *s,
			size_t i, const struct bpf_insn *x, int depth)
{
	uint8_t op = BPF_OP(x->code);
	int n;

	if (op == BPF_EXIT) {
		/* a subprogram may return nothing (void) */
		if (depth == 0 && !check_r0_at_exit(c, s, i))
			return STEP_DONE;
		if (depth == 0 && is_ptr(&s->r[0])) {
			VIOLATION(c, i, &s->r[0], "R0 leaks addr as return value (%s)",
				  type_name(s->r[0].type));
			return STEP_DONE;
		}
		if (f->returned)
			join_reg(&f->ret, &s->r[0], false, 1u << 28);
		else
			f->ret = s->r[0];
		f->returned = true;
		return STEP_DONE;
	}
	if (op == BPF_CALL) {
		if (bpfext_insn_is_helper_call(x)) {
			bpfext_safety_helper(c, s, i, x, depth);
			return STEP_NEXT;
		}
		if (bpfext_insn_is_pseudo_call(x))
			return do_pseudo_call(c, s, i, x, depth);
		bpfext_safety_verdict(c, i, false, "kfunc calls are not modelled");
		for (n = 1; n <= 5; n++)
			set_type(&s->r[n], T_NOT_INIT);
		set_type(&s->r[0], T_UNKNOWN);
		s->r[0].approx = true;
		return STEP_NEXT;
	}
	if (op == BPF_JA) {
		flow(c, f, (size_t)((long)i + bpfext_insn_branch_off(x) + 1), s);
		return STEP_DONE;
	}
	return do_cond_jmp(c, f, s, i, x);
}

static void run_block(struct ctx *c, struct frame_an *f, size_t start,
		      struct state *s, int depth)
{
	const struct bpfext_linked_prog *lp = c->lp;
	size_t i = start;

	for (;;) {
		const struct bpf_insn *x;
		uint8_t cls;

		if (c->stop || c->err)
			return;
		if (i >= lp->cnt) {
			bpfext_safety_verdict(c, i, true, "fall through the end of the program");
			return;
		}
		if (i != start && c->leader[i]) {
			flow(c, f, i, s);
			return;
		}
		if (++c->steps > c->max_steps) {
			bpfext_safety_verdict(c, i, false, "analysis budget exhausted");
			c->stop = true;
			return;
		}
		x = &lp->insns[i];
		cls = BPF_CLASS(x->code);
		switch (cls) {
		case BPF_ALU:
		case BPF_ALU64:
			do_alu(c, s, i, x);
			break;
		case BPF_LDX:
		case BPF_ST:
		case BPF_STX:
			if (BPF_MODE(x->code) != BPF_MEM && BPF_MODE(x->code) != BPF_ATOMIC) {
				bpfext_safety_verdict(c, i, false, "unsupported load/store mode");
				set_type(&s->r[x->dst_reg], T_UNKNOWN);
				s->r[x->dst_reg].approx = true;
				break;
			}
			/* the kernel's offset (and load width), not the object's */
			if (c->loadtime && c->loadtime[i])
				bpfext_safety_verdict(c, i, false, "access at an offset the loader sets (CO-RE)");
			bpfext_safety_mem_access(c, s, i, x, depth);
			break;
		case BPF_LD:
			do_ld(c, s, i, x);
			break;
		case BPF_JMP:
		case BPF_JMP32:
			if (do_jmp(c, f, s, i, x, depth) == STEP_DONE)
				return;
			break;
		default:
			bpfext_safety_verdict(c, i, false, "unsupported instruction class");
			return;
		}
		if (c->loadtime && c->loadtime[i] &&
		    (cls == BPF_ALU || cls == BPF_ALU64 || cls == BPF_LDX))
			loadtime_def(&s->r[x->dst_reg]);
		i += bpfext_insn_slots(x);
	}
}

/* Analyse the function entered at @entry with state @in. */
static int analyse(struct ctx *c, size_t entry, const struct state *in, int depth,
		   struct reg *ret)
{
	struct frame_an f = { 0 };
	size_t l, n = c->nr_leaders;
	int rc = 0;

	f.st = calloc(n, sizeof(*f.st));
	f.visits = calloc(n, sizeof(*f.visits));
	f.pending = calloc(n, sizeof(*f.pending));
	if (!f.st || !f.visits || !f.pending) {
		rc = -ENOMEM;
		goto out;
	}
	flow(c, &f, entry, in);
	for (;;) {
		struct state *s;

		if (c->stop || c->err)
			break;
		for (l = 0; l < n && !f.pending[l]; l++)
			;
		if (l == n)
			break;
		f.pending[l] = false;
		s = malloc(sizeof(*s));
		if (!s) {
			c->err = -ENOMEM;
			break;
		}
		*s = *f.st[l];
		run_block(c, &f, c->leader_slot[l], s, depth);
		free(s);
	}
	rc = c->err;
	if (f.returned) {
		*ret = f.ret;
	} else {
		set_type(ret, T_UNKNOWN);
		ret->approx = true;
	}
out:
	for (l = 0; f.st && l < n; l++)
		free(f.st[l]);
	free(f.st);
	free(f.visits);
	free(f.pending);
	return rc;
}

/* Slots that start a basic block. */
static int find_leaders(struct ctx *c)
{
	const struct bpfext_linked_prog *lp = c->lp;
	size_t i, n = 0;
	bool *is = calloc(lp->cnt + 1, sizeof(*is));

	if (!is)
		return -ENOMEM;
	is[0] = true;
	for (i = 0; i < lp->cnt; i += bpfext_insn_slots(&lp->insns[i])) {
		const struct bpf_insn *x = &lp->insns[i];
		long t;

		if (bpfext_insn_is_branch(x)) {
			t = (long)i + bpfext_insn_branch_off(x) + 1;
			if (t >= 0 && (size_t)t < lp->cnt)
				is[t] = true;
			is[i + 1] = true;
		} else if (bpfext_insn_is_exit(x)) {
			is[i + 1] = true;
		} else if (bpfext_insn_is_pseudo_call(x)) {
			t = (long)i + x->imm + 1;
			if (t >= 0 && (size_t)t < lp->cnt)
				is[t] = true;
		}
	}
	c->leader = calloc(lp->cnt + 1, sizeof(*c->leader));
	c->leader_slot = calloc(lp->cnt + 1, sizeof(*c->leader_slot));
	if (!c->leader || !c->leader_slot) {
		free(is);
		return -ENOMEM;
	}
	for (i = 0; i < lp->cnt; i++)
		if (is[i]) {
			c->leader_slot[n] = i;
			c->leader[i] = (uint32_t)++n;
		}
	c->nr_leaders = n;
	free(is);
	return 0;
}

int bpfext_safety_check_linked(const struct bpfext_linked_prog *lp,
			       const struct bpfext_safety_opts *user_opts,
			       struct bpfext_safety_report *rep,
			       struct bpfext_error *err)
{
	struct bpfext_safety_opts o;
	struct ctx c = { .lp = lp, .opts = &o, .rep = rep };
	const struct bpfext_safety_opts *opts = &o;
	struct state *s;
	struct reg r0;
	size_t i;
	int ret, n;

	memset(rep, 0, sizeof(*rep));
	if (BPFEXT_OPTS_GET(&o, user_opts, bpfext_safety_opts))
		return bpfext_errf(err, EINVAL, "invalid bpfext_safety_opts");
	rep->verdict = BPFEXT_SAFETY_SAFE;
	if (!lp->cnt)
		return bpfext_errf(err, EINVAL, "empty program");
	for (i = 0; i < lp->cnt; i += bpfext_insn_slots(&lp->insns[i])) {
		struct bpfext_error why;

		if (bpfext_insn_check(&lp->insns[i], lp->cnt - i, &why) < 0) {
			rep->verdict = BPFEXT_SAFETY_UNSAFE;
			rep->insn = i;
			snprintf(rep->reason, sizeof(rep->reason), "invalid instruction: %.127s",
				 why.msg);
			return 0;
		}
	}
	c.max_steps = opts && opts->max_steps ? opts->max_steps : DEFAULT_STEPS;
	ret = find_leaders(&c);
	s = calloc(1, sizeof(*s));
	c.loadtime = lp->nr_ltv ? calloc(lp->cnt + 1, sizeof(*c.loadtime)) : NULL;
	if (ret || !s || (lp->nr_ltv && !c.loadtime)) {
		free(c.leader);
		free(c.leader_slot);
		free(c.loadtime);
		free(s);
		return bpfext_errf(err, ENOMEM, "out of memory");
	}
	for (i = 0; i < lp->nr_ltv; i++)
		if (lp->ltv[i].slot < lp->cnt)
			c.loadtime[lp->ltv[i].slot] = true;
	for (n = 0; n < 11; n++)
		set_type(&s->r[n], T_NOT_INIT);
	set_type(&s->r[1], T_CTX);
	set_type(&s->r[10], T_STACK);
	for (n = 0; n < SLOTS; n++)
		s->spill[n].type = T_NOT_INIT;
	ret = analyse(&c, 0, s, 0, &r0);
	rep->steps = c.steps;
	free(s);
	free(c.leader);
	free(c.leader_slot);
	free(c.loadtime);
	if (ret)
		return bpfext_errf(err, -ret, "out of memory");
	return 0;
}

int bpfext_safety_check(struct bpfext_object *obj, const struct bpfext_prog *prog,
			const struct bpfext_safety_opts *opts,
			struct bpfext_safety_report *rep, struct bpfext_error *err)
{
	struct bpfext_linked_prog lp = { 0 };
	int ret;

	memset(rep, 0, sizeof(*rep));
	ret = bpfext_prog__linked_insns(obj, prog, &lp, err);
	if (ret && ret != -ENOMEM) {
		rep->verdict = BPFEXT_SAFETY_UNKNOWN;
		snprintf(rep->reason, sizeof(rep->reason), "cannot link: %.200s",
			 err ? err->msg : "unsupported relocation");
		return 0;
	}
	if (ret)
		return ret;
	ret = bpfext_safety_check_linked(&lp, opts, rep, err);
	bpfext_linked_prog__free(&lp);
	return ret;
}

const char *bpfext_safety_name(enum bpfext_safety v)
{
	switch (v) {
	case BPFEXT_SAFETY_SAFE: return "safe";
	case BPFEXT_SAFETY_UNSAFE: return "unsafe";
	default: return "unknown";
	}
}
