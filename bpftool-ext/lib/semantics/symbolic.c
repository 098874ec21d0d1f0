// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Symbolic BPF semantics over Z3 bit-vectors and equivalence checks of
 * instruction windows and of whole programs: the instruction encoders
 * (emit_*()) and the checks; the memory model is symbolic_mem.c, the
 * helper calls symbolic_helpers.c.  See symbolic.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <z3.h>

#include "util/util.h"
#include "isa/alu.h"
#include "semantics/symbolic.h"
#include "semantics/symbolic_int.h"

static void z3_error(Z3_context c, Z3_error_code e)
{
	(void)c;
	(void)e;	/* checked with Z3_get_error_code() */
}


/* ---- instruction encoding ---- */

static int push_box(struct side *sd, struct inbox *ib, Z3_ast cond,
		    const struct val *r)
{
	if (is_false(sd->sh, cond))
		return 0;
	if (bpfext_grow(&ib->e, &ib->cap, ib->n + 1, sizeof(*ib->e)))
		return fail(sd->sh, ENOMEM, "out of memory");
	ib->e[ib->n].cond = cond;
	memcpy(ib->e[ib->n].r, r, sizeof(ib->e[ib->n].r));
	ib->n++;
	return 0;
}

static int push_edge(struct side *sd, size_t to, Z3_ast cond,
		     const struct val *r)
{
	return push_box(sd, &sd->in[to], cond, r);
}

/*
 * @a is the scalar 0 a null check left on one path, @b what the lookup
 * gave on another: as a pointer that is NULL on @a's path, @a joins @b.
 * The verifier keeps the paths apart; the merged pointer may be compared
 * with 0 and moved, nothing else until a null check (emit_jmp) ends it.
 */
static bool null_joins(struct shared *sh, struct val *a, const struct val *b)
{
	uint64_t v;

	if (a->tag != T_SCALAR || b->tag != T_MAPVAL || !numeral(sh, a->v, &v) || v)
		return false;
	a->tag = T_MAPVAL;
	a->map = b->map;
	a->key = b->key;
	a->gen = b->gen;
	a->nonnull = Z3_mk_false(sh->z);
	a->nullable = true;
	a->from_bytes = false;
	return true;
}

/* Merge the edges of @ib: reach condition and registers. */
static Z3_ast merge_box(struct side *sd, struct inbox *ib, struct val *r)
{
	struct shared *sh = sd->sh;
	Z3_ast reach;
	size_t e;
	int k;

	if (!ib->n) {
		for (k = 0; k < NVALS; k++) {
			r[k].v = k64(sh, 0);
			r[k].tag = T_SCALAR;
		}
		return Z3_mk_false(sh->z);
	}
	memcpy(r, ib->e[ib->n - 1].r, sizeof(ib->e[0].r));
	reach = ib->e[ib->n - 1].cond;
	for (e = ib->n - 1; e-- > 0;) {
		for (k = 0; k < NVALS; k++) {
			struct val ov = ib->e[e].r[k], *o = &ov;

			if (!null_joins(sh, o, &r[k])) {
				if (null_joins(sh, &r[k], o) && k >= 11)
					r[k].from_bytes = true;
			} else if (k >= 11) {
				o->from_bytes = true;
			}
			if (r[k].tag == T_MAPVAL) {
				r[k].nullable |= o->nullable;
				r[k].from_bytes |= o->from_bytes;
				if (o->tag == T_MAPVAL && o->gen < r[k].gen)
					r[k].gen = o->gen;
			}
			if (o->tag != r[k].tag ||
			    ((o->tag == T_MAP || o->tag == T_MAPVAL) && o->map != r[k].map))
				r[k].tag = T_CONFLICT;
			if (o->v != r[k].v)
				r[k].v = Z3_mk_ite(sh->z, ib->e[e].cond, o->v, r[k].v);
			if (r[k].tag == T_MAPVAL && o->key != r[k].key)
				r[k].key = Z3_mk_ite(sh->z, ib->e[e].cond, o->key, r[k].key);
			if (r[k].tag == T_MAPVAL && o->nonnull != r[k].nonnull)
				r[k].nonnull = Z3_mk_ite(sh->z, ib->e[e].cond,
							 o->nonnull, r[k].nonnull);
		}
		reach = or2(sh, ib->e[e].cond, reach);
	}
	return reach;
}

static Z3_ast merge(struct side *sd, size_t slot, struct val *r)
{
	return merge_box(sd, &sd->in[slot], r);
}

static Z3_ast alu(struct shared *sh, uint8_t op, bool is64, Z3_ast a,
		  Z3_ast b)
{
	Z3_context z = sh->z;
	unsigned int w = is64 ? 64 : 32;
	Z3_ast zero = Z3_mk_unsigned_int64(z, 0, Z3_mk_bv_sort(z, w));
	Z3_ast mask = Z3_mk_unsigned_int64(z, w - 1, Z3_mk_bv_sort(z, w));
	Z3_ast r;

	if (!is64) {
		a = lo32(sh, a);
		b = lo32(sh, b);
	}
	switch (op) {
	case BPF_ADD: r = Z3_mk_bvadd(z, a, b); break;
	case BPF_SUB: r = Z3_mk_bvsub(z, a, b); break;
	case BPF_MUL: r = Z3_mk_bvmul(z, a, b); break;
	case BPF_DIV:
		r = Z3_mk_ite(z, Z3_mk_eq(z, b, zero), zero, Z3_mk_bvudiv(z, a, b));
		break;
	case BPF_MOD:
		r = Z3_mk_ite(z, Z3_mk_eq(z, b, zero), a, Z3_mk_bvurem(z, a, b));
		break;
	case BPF_OR: r = Z3_mk_bvor(z, a, b); break;
	case BPF_AND: r = Z3_mk_bvand(z, a, b); break;
	case BPF_XOR: r = Z3_mk_bvxor(z, a, b); break;
	case BPF_LSH: r = Z3_mk_bvshl(z, a, Z3_mk_bvand(z, b, mask)); break;
	case BPF_RSH: r = Z3_mk_bvlshr(z, a, Z3_mk_bvand(z, b, mask)); break;
	case BPF_ARSH: r = Z3_mk_bvashr(z, a, Z3_mk_bvand(z, b, mask)); break;
	case BPF_MOV: r = b; break;
	case BPF_NEG: r = Z3_mk_bvneg(z, a); break;
	default: return NULL;
	}
	return is64 ? r : zext32(sh, r);
}

static Z3_ast sdivmod(struct shared *sh, bool div, bool is64, Z3_ast a,
		      Z3_ast b)
{
	Z3_context z = sh->z;
	unsigned int w = is64 ? 64 : 32;
	Z3_ast zero = Z3_mk_unsigned_int64(z, 0, Z3_mk_bv_sort(z, w));
	Z3_ast r;

	if (!is64) {
		a = lo32(sh, a);
		b = lo32(sh, b);
	}
	/* bvsdiv/bvsrem wrap on INT_MIN / -1 as BPF does */
	r = Z3_mk_ite(z, Z3_mk_eq(z, b, zero), div ? zero : a,
		      div ? Z3_mk_bvsdiv(z, a, b) : Z3_mk_bvsrem(z, a, b));
	return is64 ? r : zext32(sh, r);
}

static Z3_ast cond_of(struct shared *sh, uint8_t op, bool is64, Z3_ast a,
		      Z3_ast b)
{
	Z3_context z = sh->z;

	if (!is64) {
		a = lo32(sh, a);
		b = lo32(sh, b);
	}
	switch (op) {
	case BPF_JEQ: return Z3_mk_eq(z, a, b);
	case BPF_JNE: return Z3_mk_not(z, Z3_mk_eq(z, a, b));
	case BPF_JGT: return Z3_mk_bvugt(z, a, b);
	case BPF_JGE: return Z3_mk_bvuge(z, a, b);
	case BPF_JLT: return Z3_mk_bvult(z, a, b);
	case BPF_JLE: return Z3_mk_bvule(z, a, b);
	case BPF_JSGT: return Z3_mk_bvsgt(z, a, b);
	case BPF_JSGE: return Z3_mk_bvsge(z, a, b);
	case BPF_JSLT: return Z3_mk_bvslt(z, a, b);
	case BPF_JSLE: return Z3_mk_bvsle(z, a, b);
	case BPF_JSET:
		return Z3_mk_not(z, Z3_mk_eq(z, Z3_mk_bvand(z, a, b),
					     Z3_mk_unsigned_int64(z, 0, Z3_get_sort(z, a))));
	default: return NULL;
	}
}

static bool is_ptr(enum tag t)
{
	return t != T_SCALAR;
}

static bool offsetable(enum tag t)
{
	return t == T_CTX || t == T_PKT || t == T_STACK || t == T_MAPVAL;
}

/* Pointer arithmetic and moves; 1 if not a pointer case. */
static int ptr_alu(struct side *sd, const struct bpf_insn *x, struct val *r,
		   const struct val *src, size_t slot)
{
	struct shared *sh = sd->sh;
	struct val *d = &r[x->dst_reg];
	uint8_t op = BPF_OP(x->code);
	bool is64 = BPF_CLASS(x->code) == BPF_ALU64;

	if (!sh->prog || (!is_ptr(d->tag) && !is_ptr(src->tag)))
		return 1;
	if (op == BPF_MOV) {
		if (!is_ptr(src->tag))
			return 1;		/* a scalar over a pointer */
		if (!is64 || x->off || src->tag == T_CONFLICT)
			goto bad;
		*d = *src;
		return 0;
	}
	if (d->tag == T_CONFLICT || src->tag == T_CONFLICT ||
	    (d->tag == T_MAPVAL && d->nullable) || (src->tag == T_MAPVAL && src->nullable))
		goto bad;
	/* pointer difference, also in 32 bits: the region base cancels */
	if (op == BPF_SUB && ((d->tag == src->tag && offsetable(d->tag) &&
			       d->tag != T_MAPVAL) ||
			      (d->tag == T_PKT_END && src->tag == T_PKT))) {
		d->v = Z3_mk_bvsub(sh->z, d->v, src->v);
		if (!is64)
			d->v = zext32(sh, lo32(sh, d->v));
		d->tag = T_SCALAR;
		return 0;
	}
	if (!is64)
		goto bad;
	if ((op == BPF_ADD || op == BPF_SUB) && offsetable(d->tag) &&
	    src->tag == T_SCALAR) {
		d->v = op == BPF_ADD ? Z3_mk_bvadd(sh->z, d->v, src->v) :
				       Z3_mk_bvsub(sh->z, d->v, src->v);
		return 0;
	}
	if (op == BPF_ADD && d->tag == T_SCALAR && offsetable(src->tag)) {
		Z3_ast v = Z3_mk_bvadd(sh->z, d->v, src->v);

		*d = *src;
		d->v = v;
		return 0;
	}
bad:
	return fail(sh, ENOTSUP, "insn %zu: unsupported arithmetic on a pointer", slot);
}

static int ld_map(struct side *sd, const struct bpf_insn *x, struct val *d,
		  size_t slot)
{
	struct shared *sh = sd->sh;
	int m = x->imm;

	memset(d, 0, sizeof(*d));
	d->v = k64(sh, 0);
	if (x->src_reg == BPF_PSEUDO_FUNC)
		return fail(sh, ENOTSUP, "insn %zu: callbacks are not encoded", slot);
	if (m < 0 || (size_t)m >= sh->nr_maps)
		return fail(sh, EINVAL, "insn %zu: no map %d", slot, m);
	switch (x->src_reg) {
	case BPF_PSEUDO_MAP_FD:
	case BPF_PSEUDO_MAP_IDX:
		d->tag = T_MAP;
		d->map = m;
		return 0;
	case BPF_PSEUDO_MAP_VALUE:
	case BPF_PSEUDO_MAP_IDX_VALUE:
		if (!map_usable(sh, m) || !bpfext_sym_map_is_array(sh->maps[m].type))
			return fail(sh, ENOTSUP, "insn %zu: value of map %s is not encoded",
				    slot, sh->maps[m].name);
		d->tag = T_MAPVAL;
		d->map = m;
		d->key = Z3_mk_unsigned_int64(sh->z, 0,
					      Z3_mk_bv_sort(sh->z, sh->maps[m].key_size * 8));
		d->nonnull = Z3_mk_true(sh->z);
		d->nullable = false;
		d->from_bytes = false;
		d->gen = 0;
		d->v = k64(sh, (uint64_t)(int64_t)x[1].imm);
		return bpfext_sym_note_key(sh, m, d->key);
	default:
		return fail(sh, ENOTSUP, "insn %zu: ld_imm64 with src %u", slot, x->src_reg);
	}
}

/* Final redirect state: was one set, and the last one's fields. */
static Z3_ast redir_final(struct side *sd, int field)
{
	struct shared *sh = sd->sh;
	Z3_ast acc = field ? k64(sh, 0) : Z3_mk_false(sh->z);
	size_t i;

	for (i = 0; i < sd->nr_redir; i++) {
		const struct redir *d = &sd->redir[i];
		Z3_ast v = field == 0 ? Z3_mk_true(sh->z) : field == 1 ? d->ifindex :
			   field == 2 ? d->flags : d->map;

		acc = Z3_mk_ite(sh->z, d->guard, v, acc);
	}
	return acc;
}

/* The unknown a load-time value is, the same for both sides (BV64). */
static Z3_ast ltv_value(struct shared *sh, const struct bpfext_ltv *lt, size_t slot)
{
	char name[BPFEXT_LTV_KEY_MAX + 8];
	size_t i;

	for (i = 0; i < sh->nr_lts; i++)
		if (!strcmp(sh->lts[i].key, lt->key))
			return sh->lts[i].v;
	if (sh->nr_lts == BPFEXT_SYM_MAX_LTV) {
		fail(sh, ENOTSUP, "insn %zu: more than %d load-time values", slot,
		     BPFEXT_SYM_MAX_LTV);
		return NULL;
	}
	snprintf(name, sizeof(name), "lt:%s", lt->key);
	sh->lts[sh->nr_lts].key = lt->key;
	sh->lts[sh->nr_lts].v = Z3_mk_const(sh->z, Z3_mk_string_symbol(sh->z, name),
					    sh->bv64);
	return sh->lts[sh->nr_lts++].v;
}

/*
 * The width of a load or store the loader relocates: libbpf makes it the
 * kernel field's (1, 2, 4 or 8 bytes) when that differs from the local
 * one (@size), the same for every access of the relocation.  Other
 * values of the unknown stand for the local width.
 */
static Z3_ast ltv_width(struct shared *sh, const struct bpfext_ltv *lt,
			unsigned int size, size_t slot)
{
	char name[BPFEXT_LTV_KEY_MAX + 8];
	Z3_ast w, v;
	size_t i;

	for (i = 0; i < sh->nr_widths && strcmp(sh->widths[i].key, lt->key); i++)
		;
	if (i == BPFEXT_SYM_MAX_LTV) {
		fail(sh, ENOTSUP, "insn %zu: more than %d relocated accesses", slot,
		     BPFEXT_SYM_MAX_LTV);
		return NULL;
	}
	if (i == sh->nr_widths) {
		snprintf(name, sizeof(name), "width:%s", lt->key);
		sh->widths[i].key = lt->key;
		sh->widths[i].w = Z3_mk_const(sh->z, Z3_mk_string_symbol(sh->z, name),
					      sh->bv64);
		sh->widths[i].local = size;
		sh->nr_widths++;
	}
	w = sh->widths[i].w;
	v = k64(sh, size);
	for (i = 1; i <= 8; i *= 2)
		v = Z3_mk_ite(sh->z, Z3_mk_eq(sh->z, w, k64(sh, i)), k64(sh, i), v);
	return v;
}

/* A relocated load: @width bytes at @a (width the value ltv_width() gave). */
static Z3_ast ltv_load(struct side *sd, const struct access *a, Z3_ast width)
{
	struct shared *sh = sd->sh;
	Z3_ast v8 = a->r == M_CTX ? bpfext_sym_mem_read(sd, M_CTX, a->addr, 8) : bpfext_sym_acc_read(sd, a, 8);
	Z3_ast v = v8;
	unsigned int b;

	for (b = 1; b < 8; b *= 2)
		v = Z3_mk_ite(sh->z, Z3_mk_eq(sh->z, width, k64(sh, b)),
			      Z3_mk_zero_ext(sh->z, 64 - 8 * b,
					     Z3_mk_extract(sh->z, 8 * b - 1, 0, v8)), v);
	return v;
}

/* ---- helper calls: symbolic_helpers.c ---- */


/* Address of an access whose offset the loader sets: @base plus it. */
static Z3_ast ltv_addr(struct shared *sh, const struct val *base, Z3_ast ltv)
{
	return Z3_mk_bvadd(sh->z, base->v,
			   Z3_mk_sign_ext(sh->z, 48, Z3_mk_extract(sh->z, 15, 0, ltv)));
}

static int encode_range(struct side *sd, const struct bpf_insn *insns,
			size_t cnt, size_t start, int depth, struct inbox *ret_box);

static int encode(struct side *sd, const struct bpf_insn *insns, size_t cnt)
{
	struct shared *sh = sd->sh;
	Z3_context z = sh->z;
	struct val r[NVALS];
	int k, ret;

	sd->cnt = cnt;
	sd->in = calloc(cnt + 1, sizeof(*sd->in));
	sd->mops = calloc(sh->nr_maps + 1, sizeof(*sd->mops));
	if (!sd->in || !sd->mops)
		return fail(sh, ENOMEM, "out of memory");
	sd->exit_cond = Z3_mk_false(z);
	sd->r0 = k64(sh, 0);
	sd->hist = k64(sh, 0);
	sd->tail_cond = Z3_mk_false(z);
	sd->tail_target = k64(sh, 0);
	memset(r, 0, sizeof(r));
	for (k = 0; k < NVALS; k++) {
		r[k].tag = T_SCALAR;
		r[k].v = sh->prog || k >= 11 ? k64(sh, 0) : sh->regs0[k];
	}
	if (sh->prog) {
		r[1].tag = T_CTX;
		r[10].tag = T_STACK;
		r[10].v = k64(sh, STACK_FRAME);
	}
	ret = push_edge(sd, 0, Z3_mk_true(z), r);
	if (ret)
		return ret;
	ret = encode_range(sd, insns, cnt, 0, 0, NULL);
	if (ret)
		return ret;
	sd->end_cond = merge(sd, cnt, sd->end_regs);
	return 0;
}

static bool pending(const struct side *sd, size_t from, size_t cnt)
{
	size_t k;

	for (k = from; k <= cnt; k++)
		if (sd->in[k].n)
			return true;
	return false;
}

/*
 * A bpf-to-bpf call at @i: the callee runs from its own inboxes with a
 * fresh stack frame; r6-r10 come back, r0 is its result.  *@reach
 * becomes the condition that the call returns (NULL: it never does).
 */
static int call_fn(struct side *sd, const struct bpf_insn *insns, size_t cnt,
		   size_t i, struct val *r, Z3_ast *reach, int depth)
{
	struct shared *sh = sd->sh;
	long t = (long)i + insns[i].imm + 1;
	struct inbox *caller_in = sd->in, retbox = { 0 };
	struct val entry[NVALS], back[NVALS];
	size_t k;
	int ret;

	if (depth + 1 >= 8)
		return fail(sh, ENOTSUP, "insn %zu: calls nested over 8 deep", i);
	if (t < 0 || (size_t)t >= cnt)
		return fail(sh, EINVAL, "insn %zu: call out of the program", i);
	memcpy(entry, r, sizeof(entry));
	sd->frames++;
	entry[10].tag = T_STACK;
	entry[10].v = k64(sh, (uint64_t)STACK_FRAME * (sd->frames + 1));
	sd->in = calloc(cnt + 1, sizeof(*sd->in));
	if (!sd->in) {
		sd->in = caller_in;
		return fail(sh, ENOMEM, "out of memory");
	}
	ret = push_edge(sd, (size_t)t, *reach, entry);
	if (!ret)
		ret = encode_range(sd, insns, cnt, (size_t)t, depth + 1, &retbox);
	for (k = 0; k <= cnt; k++)
		free(sd->in[k].e);
	free(sd->in);
	sd->in = caller_in;
	if (ret) {
		free(retbox.e);
		return ret;
	}
	if (!retbox.n) {
		*reach = NULL;
		return 0;
	}
	*reach = merge_box(sd, &retbox, back);
	free(retbox.e);
	for (k = 6; k <= 10; k++)
		back[k] = r[k];		/* callee-saved, and the frame */
	memcpy(r, back, sizeof(back));
	return 0;
}

/* Bytes a load or store of @code moves. */
static unsigned int mem_size(uint8_t code)
{
	return BPF_SIZE(code) == BPF_B ? 1 : BPF_SIZE(code) == BPF_H ? 2 :
	       BPF_SIZE(code) == BPF_W ? 4 : 8;
}

/* One instruction being encoded: what emit_*() take and give back. */
struct enc {
	struct side *sd;
	const struct bpf_insn *insns;
	size_t cnt, i;
	const struct bpf_insn *x;
	struct val *r, *d;		/* the registers, the destination */
	struct val src;			/* the source operand */
	Z3_ast reach;			/* reach condition; calls and LD_ABS narrow it */
	size_t next;			/* fall-through slot, (size_t)-1: none */
	int depth;			/* bpf-to-bpf call depth */
	struct inbox *ret_box;		/* where a callee's exits go */
	const struct bpfext_ltv *lt;	/* the load-time value at x, or NULL */
	Z3_ast ltv;
};

/* ALU, ALU64: bit-vector arithmetic; pointer arithmetic in ptr_alu(). */
static int emit_alu(struct enc *e)
{
	struct shared *sh = e->sd->sh;
	Z3_context z = sh->z;
	const struct bpf_insn *x = e->x;
	uint8_t cls = BPF_CLASS(x->code);
	uint8_t op = BPF_OP(x->code);
	bool is64 = cls == BPF_ALU64 || cls == BPF_JMP;
	struct val *r = e->r, *d = e->d;
	struct val src = e->src;
	Z3_ast ltv = e->ltv;
	int ret;

	if (op == BPF_END) {
		if (bpfext_alu_end_swaps(x->code))
			d->v = bswap(sh, d->v, (unsigned int)x->imm);
		else if (x->imm < 64)
			d->v = Z3_mk_zero_ext(z, 64 - x->imm,
					      Z3_mk_extract(z, x->imm - 1, 0, d->v));
		d->tag = d->tag == T_SCALAR ? T_SCALAR : T_CONFLICT;
		return 0;
	}
	if (cls == BPF_ALU && BPF_SRC(x->code) == BPF_K)
		src.v = k64(sh, (uint32_t)x->imm);
	/* the immediate the loader writes, extended as the class says */
	if (ltv && BPF_SRC(x->code) == BPF_K)
		src.v = cls == BPF_ALU64 ?
			Z3_mk_sign_ext(z, 32, lo32(sh, ltv)) :
			zext32(sh, lo32(sh, ltv));
	ret = ptr_alu(e->sd, x, r, &src, e->i);
	if (ret < 0)
		return ret;
	if (!ret)
		return 0;
	if (d->tag != T_SCALAR && op != BPF_MOV)
		return fail(sh, ENOTSUP, "insn %zu: unsupported arithmetic on a pointer", e->i);
	if (op == BPF_MOV && x->off) {
		Z3_ast s = Z3_mk_extract(z, x->off - 1, 0, src.v);

		d->v = Z3_mk_sign_ext(z, (is64 ? 64 : 32) - x->off, s);
		if (!is64)
			d->v = zext32(sh, d->v);
	} else if ((op == BPF_DIV || op == BPF_MOD) && x->off) {
		d->v = sdivmod(sh, op == BPF_DIV, is64, d->v, src.v);
	} else {
		d->v = alu(sh, op, is64, d->v, src.v);
		if (!d->v)
			return fail(sh, ENOTSUP, "insn %zu: bad ALU op", e->i);
	}
	d->tag = T_SCALAR;
	return 0;
}

/* JMP, JMP32: exit, calls, and branches as edges with their conditions. */
static int emit_jmp(struct enc *e)
{
	struct shared *sh = e->sd->sh;
	Z3_context z = sh->z;
	const struct bpf_insn *x = e->x;
	const struct bpf_insn *insns = e->insns;
	struct val *r = e->r, *d = e->d;
	struct val src = e->src;
	size_t cnt = e->cnt;
	uint8_t cls = BPF_CLASS(x->code);
	uint8_t op = BPF_OP(x->code);
	bool is64 = cls == BPF_ALU64 || cls == BPF_JMP;
	int depth = e->depth;
	struct inbox *ret_box = e->ret_box;
	Z3_ast c;
	int ret;

	if (op == BPF_EXIT && depth) {
		ret = push_box(e->sd, ret_box, e->reach, r);
		if (ret)
			return ret;
		e->next = (size_t)-1;
		return 0;
	}
	if (op == BPF_EXIT) {
		if (sh->prog && r[0].tag != T_SCALAR)
			return fail(sh, ENOTSUP, "insn %zu: returns a pointer", e->i);
		e->sd->r0 = Z3_mk_ite(z, e->reach, r[0].v, e->sd->r0);
		e->sd->hist = Z3_mk_ite(z, e->reach, r[HIST].v, e->sd->hist);
		e->sd->exit_cond = or2(sh, e->reach, e->sd->exit_cond);
		e->next = (size_t)-1;
		return 0;
	}
	if (op == BPF_CALL && x->src_reg == BPF_PSEUDO_CALL && sh->prog) {
		ret = call_fn(e->sd, insns, cnt, e->i, r, &e->reach, depth);
		if (ret)
			return ret;
		if (!e->reach)
			e->next = (size_t)-1;
		return 0;
	}
	if (op == BPF_CALL) {
		if (!sh->prog || x->src_reg)
			return fail(sh, ENOTSUP, "insn %zu: calls are not encoded yet", e->i);
		/* the tail callee returns to the caller, which goes on */
		if (x->imm == BPF_FUNC_tail_call && depth)
			return fail(sh, ENOTSUP, "insn %zu: tail call in a bpf-to-bpf callee", e->i);
		ret = bpfext_sym_helper(e->sd, x->imm, r, &e->reach, e->i);
		if (ret)
			return ret;
		return 0;
	}
	{
		int32_t boff = bpfext_insn_branch_off(x);
		size_t t = (size_t)((long)e->i + boff + 1);

		if (boff < 0)
			return fail(sh, ENOTSUP, "insn %zu: backward jump", e->i);
		if (t > cnt)
			return fail(sh, EINVAL, "insn %zu: jump out of the code", e->i);
		if (op == BPF_JA) {
			ret = push_edge(e->sd, t, e->reach, r);
			if (ret)
				return ret;
			e->next = (size_t)-1;
			return 0;
		}
		if (cls == BPF_JMP32 && BPF_SRC(x->code) == BPF_K)
			src.v = k64(sh, (uint32_t)x->imm);
		if (sh->prog && d->tag == T_MAPVAL && src.tag == T_SCALAR &&
		    BPF_SRC(x->code) == BPF_K && !x->imm && cls == BPF_JMP &&
		    (op == BPF_JEQ || op == BPF_JNE)) {
			struct val nr[NVALS];

			/* as the verifier does: NULL on one side is scalar 0 */
			memcpy(nr, r, sizeof(nr));
			memset(&nr[x->dst_reg], 0, sizeof(nr[0]));
			nr[x->dst_reg].tag = T_SCALAR;
			nr[x->dst_reg].v = k64(sh, 0);
			c = Z3_mk_not(z, d->nonnull);
			ret = push_edge(e->sd, op == BPF_JEQ ? t : e->next,
					and2(sh, e->reach, c), nr);
			/* past the check it is not NULL, whatever the paths */
			memcpy(nr, r, sizeof(nr));
			nr[x->dst_reg].nullable = false;
			if (!ret)
				ret = push_edge(e->sd, op == BPF_JEQ ? e->next : t,
						and2(sh, e->reach, Z3_mk_not(z, c)), nr);
			if (ret)
				return ret;
			e->next = (size_t)-1;
			return 0;
		}
		if (sh->prog && (d->tag != src.tag) &&
		    !((d->tag == T_PKT && src.tag == T_PKT_END) ||
		      (d->tag == T_PKT_END && src.tag == T_PKT)))
			return fail(sh, ENOTSUP, "insn %zu: comparison of a pointer", e->i);
		if (sh->prog && d->tag == T_CONFLICT)
			return fail(sh, ENOTSUP, "insn %zu: comparison of mixed types", e->i);
		if (sh->prog && (d->tag == T_MAPVAL || d->tag == T_MAP))
			return fail(sh, ENOTSUP, "insn %zu: comparison of map pointers", e->i);
		c = cond_of(sh, op, is64, d->v, src.v);
		if (!c)
			return fail(sh, ENOTSUP, "insn %zu: bad jump op", e->i);
		ret = push_edge(e->sd, t, and2(sh, e->reach, c), r);
		if (ret)
			return ret;
		ret = push_edge(e->sd, e->next, and2(sh, e->reach, Z3_mk_not(z, c)), r);
		if (ret)
			return ret;
		e->next = (size_t)-1;
	}
	return 0;
}

/* LDX: a load from the region the address lies in. */
static int emit_ldx(struct enc *e)
{
	struct shared *sh = e->sd->sh;
	Z3_context z = sh->z;
	const struct bpf_insn *x = e->x;
	struct val *d = e->d;
	struct val src = e->src;
	const struct bpfext_ltv *lt = e->lt;
	Z3_ast ltv = e->ltv;
	unsigned int size = mem_size(x->code);
	int ret;
	struct access a;
	struct val v;

	memset(&v, 0, sizeof(v));
	ret = bpfext_sym_access_of(e->sd, &src, x->off, &a, e->i);
	if (ret)
		return ret;
	if (ltv)
		a.addr = ltv_addr(sh, &src, ltv);
	ret = a.r == M_STACK ? bpfext_sym_stack_fill(e->sd, a.addr, size, &v, e->i) : 1;
	if (ret < 0)
		return ret;
	if (!ret) {
		/* a spilled pointer comes back */
	} else if (ltv && BPF_MODE(x->code) == BPF_MEM &&
		   (a.r != M_CTX || sh->ctx == C_OPAQUE)) {
		Z3_ast w = ltv_width(sh, lt, size, e->i);

		if (!w)
			return -ENOTSUP;
		v.tag = T_SCALAR;
		v.v = ltv_load(e->sd, &a, w);
	} else if (a.r == M_CTX) {
		ret = bpfext_sym_ctx_load(e->sd, a.addr, size, &v, e->i);
		if (ret)
			return ret;
	} else {
		v.tag = T_SCALAR;
		v.v = bpfext_sym_acc_read(e->sd, &a, size);
	}
	if (BPF_MODE(x->code) == BPF_MEMSX && size < 8)
		v.v = Z3_mk_sign_ext(z, 64 - size * 8,
				     Z3_mk_extract(z, size * 8 - 1, 0, v.v));
	*d = v;
	return 0;
}

/* ST, STX: stores, spills of pointers, atomics. */
static int emit_st(struct enc *e)
{
	struct shared *sh = e->sd->sh;
	Z3_context z = sh->z;
	const struct bpf_insn *x = e->x;
	unsigned int size = mem_size(x->code);
	uint8_t cls = BPF_CLASS(x->code);
	const struct bpfext_ltv *lt = e->lt;
	struct val *r = e->r, *d = e->d;
	struct val src = e->src;
	Z3_ast ltv = e->ltv;
	struct access a;
	int ret;

	ret = bpfext_sym_access_of(e->sd, d, x->off, &a, e->i);
	if (ret)
		return ret;
	if (ltv)
		a.addr = ltv_addr(sh, d, ltv);
	if (sh->prog && src.tag != T_SCALAR) {
		uint64_t o;

		/* spills: 8 aligned bytes at a known stack slot */
		if (a.r != M_STACK || cls != BPF_STX ||
		    BPF_MODE(x->code) != BPF_MEM || size != 8 ||
		    src.tag == T_CONFLICT || !numeral(sh, a.addr, &o) ||
		    (o & 7) || o >= 8 * NSLOTS)
			return fail(sh, ENOTSUP, "insn %zu: pointer stored to memory", e->i);
		ret = bpfext_sym_acc_write(e->sd, &a, e->reach, src.v, size);
		if (ret)
			return ret;
		r[11 + o / 8] = src;
		return 0;
	}
	if (BPF_MODE(x->code) == BPF_ATOMIC && a.r == M_STACK) {
		ret = bpfext_sym_stack_bytes(e->sd, a.addr, size, e->i);
		if (ret)
			return ret;
	}
	if (BPF_MODE(x->code) == BPF_ATOMIC) {
		Z3_ast old = bpfext_sym_acc_read(e->sd, &a, size), nv;
		Z3_ast s = size == 4 ? zext32(sh, lo32(sh, src.v)) : src.v;
		int32_t aop = x->imm & ~BPF_FETCH;

		if (x->imm == BPF_XCHG)
			nv = s;
		else if (x->imm == BPF_CMPXCHG) {
			Z3_ast r0 = size == 4 ? lo32(sh, r[0].v) : r[0].v;
			Z3_ast o = size == 4 ? lo32(sh, old) : old;

			nv = Z3_mk_ite(z, Z3_mk_eq(z, o, r0), s, old);
		} else if (aop == BPF_ADD)
			nv = Z3_mk_bvadd(z, old, s);
		else if (aop == BPF_AND)
			nv = Z3_mk_bvand(z, old, s);
		else if (aop == BPF_OR)
			nv = Z3_mk_bvor(z, old, s);
		else if (aop == BPF_XOR)
			nv = Z3_mk_bvxor(z, old, s);
		else
			return fail(sh, ENOTSUP, "insn %zu: atomic op", e->i);
		ret = bpfext_sym_acc_write(e->sd, &a, e->reach, nv, size);
		if (ret)
			return ret;
		if (x->imm == BPF_CMPXCHG) {
			r[0].v = old;
			r[0].tag = T_SCALAR;
		} else if (x->imm & BPF_FETCH) {
			r[x->src_reg].v = old;
			r[x->src_reg].tag = T_SCALAR;
		}
		return 0;
	}
	if (a.r == M_CTX) {
		uint64_t off;

		if (!numeral(sh, a.addr, &off))
			return fail(sh, ENOTSUP, "insn %zu: context store at a variable offset", e->i);
	}
	if (ltv && BPF_MODE(x->code) == BPF_MEM) {
		/* as wide as the kernel's field: byte by byte */
		Z3_ast w = ltv_width(sh, lt, size, e->i);
		unsigned int b;

		if (!w)
			return -ENOTSUP;
		for (b = 0; b < 8 && !ret; b++) {
			struct access at = a;

			at.addr = Z3_mk_bvadd(z, a.addr, k64(sh, b));
			ret = bpfext_sym_acc_write(e->sd, &at, and2(sh, e->reach,
				Z3_mk_bvugt(z, w, k64(sh, b))),
				Z3_mk_zero_ext(z, 56, Z3_mk_extract(z, b * 8 + 7,
								      b * 8, src.v)), 1);
		}
		if (ret)
			return ret;
		return 0;
	}
	ret = bpfext_sym_acc_write(e->sd, &a, e->reach, src.v, size);
	if (ret)
		return ret;
	return 0;
}

/* LD: ld_imm64 (constants, maps, load-time values), LD_ABS and LD_IND. */
static int emit_ld(struct enc *e)
{
	struct shared *sh = e->sd->sh;
	Z3_context z = sh->z;
	const struct bpf_insn *x = e->x;
	struct val *r = e->r, *d = e->d;
	Z3_ast ltv = e->ltv;
	int ret;

	if (bpfext_insn_is_ldimm64(x)) {
		if (x->src_reg) {
			ret = ld_map(e->sd, x, d, e->i);
			if (ret)
				return ret;
			return 0;
		}
		d->tag = T_SCALAR;
		d->v = ltv ? ltv : k64(sh, (uint32_t)x->imm |
					((uint64_t)(uint32_t)x[1].imm << 32));
		return 0;
	}
	if (!sh->prog || sh->ctx != C_SKB)
		return fail(sh, ENOTSUP, "insn %zu: LD_ABS/LD_IND outside an skb program", e->i);
	{
		unsigned int size = BPF_SIZE(x->code) == BPF_B ? 1 :
				    BPF_SIZE(x->code) == BPF_H ? 2 : 4;
		Z3_ast k32 = Z3_mk_unsigned_int64(z, (uint32_t)x->imm,
						  Z3_mk_bv_sort(z, 32));
		Z3_ast kk, pos, ok, bad, v;
		int64_t net = sh->l2_hdr ? 0 : 14;	/* from data */
		int64_t mac = -(int64_t)sh->l2_hdr;

		if (BPF_MODE(x->code) == BPF_IND) {
			/* not src: BPF_SRC() is a size bit in BPF_LD */
			const struct val *ir = &r[x->src_reg];

			if (ir->tag != T_SCALAR)
				return fail(sh, ENOTSUP, "insn %zu: LD_IND through a pointer", e->i);
			k32 = Z3_mk_bvadd(z, lo32(sh, ir->v), k32);
		}
		/* kernel: k >= 0 from data; SKF_NET_OFF and SKF_LL_OFF
		 * ranges from the network and MAC headers */
		kk = Z3_mk_sign_ext(z, 32, k32);
		pos = Z3_mk_ite(z, Z3_mk_bvsge(z, kk, k64(sh, 0)), kk,
			Z3_mk_ite(z, Z3_mk_bvsge(z, kk, k64(sh, (uint64_t)-0x100000)),
				  Z3_mk_bvadd(z, kk, k64(sh, 0x100000 + (uint64_t)net)),
				  Z3_mk_bvadd(z, kk, k64(sh, 0x200000 + (uint64_t)mac))));
		ok = and2(sh, Z3_mk_bvsge(z, kk, k64(sh, (uint64_t)-0x200000)),
			  and2(sh, Z3_mk_bvsge(z, pos, k64(sh, (uint64_t)mac)),
			       Z3_mk_bvsle(z, Z3_mk_bvadd(z, pos, k64(sh, size)),
					   sh->len)));
		bad = Z3_mk_not(z, ok);
		v = bpfext_sym_mem_read(e->sd, M_PKT, pos, size);
		/* out of bounds: the program returns 0 */
		e->sd->r0 = Z3_mk_ite(z, and2(sh, e->reach, bad), k64(sh, 0), e->sd->r0);
		e->sd->hist = Z3_mk_ite(z, and2(sh, e->reach, bad), r[HIST].v, e->sd->hist);
		e->sd->exit_cond = or2(sh, and2(sh, e->reach, bad), e->sd->exit_cond);
		e->reach = and2(sh, e->reach, ok);
		memset(&r[0], 0, sizeof(r[0]));
		r[0].tag = T_SCALAR;
		r[0].v = size == 1 ? v :
			 bswap(sh, Z3_mk_extract(z, size * 8 - 1, 0, v), size * 8);
	}
	return 0;
}

static int encode_body(struct side *sd, const struct bpf_insn *insns,
		       size_t cnt, size_t start, int depth, struct inbox *ret_box,
		       struct val *r);

static int encode_range(struct side *sd, const struct bpf_insn *insns,
			size_t cnt, size_t start, int depth, struct inbox *ret_box)
{
	struct val *outer = sd->cur;
	struct val *r = calloc(NVALS, sizeof(*r));
	int ret;

	if (!r)
		return fail(sd->sh, ENOMEM, "out of memory");
	sd->cur = r;
	ret = encode_body(sd, insns, cnt, start, depth, ret_box, r);
	sd->cur = outer;
	free(r);
	return ret;
}

static int encode_body(struct side *sd, const struct bpf_insn *insns,
		       size_t cnt, size_t start, int depth, struct inbox *ret_box,
		       struct val *r)
{
	struct shared *sh = sd->sh;
	Z3_context z = sh->z;
	size_t i;
	int ret;

	for (i = start; i < cnt; i++) {
		const struct bpf_insn *x = &insns[i];
		uint8_t cls = BPF_CLASS(x->code);
		const struct bpfext_ltv *lt;
		struct val src, *d;
		Z3_ast reach, ltv;
		size_t next = i + 1;
		struct enc e;

		reach = merge(sd, i, r);
		if (bpfext_insn_is_ldimm64(x))
			next = i + 2;
		if (is_false(sh, reach)) {
			i = next - 1;
			continue;
		}
		lt = sd->ltv_at ? sd->ltv_at[i] : NULL;
		ltv = lt ? ltv_value(sh, lt, i) : NULL;
		if (lt && !ltv)
			return -ENOTSUP;
		d = &r[x->dst_reg];
		src.tag = T_SCALAR;
		/* BPF_SRC() is a size bit in the load and store classes */
		if (cls == BPF_LDX || cls == BPF_STX ||
		    ((cls == BPF_ALU || cls == BPF_ALU64 || cls == BPF_JMP ||
		      cls == BPF_JMP32) && BPF_SRC(x->code) == BPF_X))
			src = r[x->src_reg];
		else
			src.v = k64(sh, (uint64_t)(int64_t)x->imm);

		e = (struct enc){
			.sd = sd, .insns = insns, .cnt = cnt, .i = i, .x = x,
			.r = r, .d = d, .src = src, .reach = reach, .next = next,
			.depth = depth, .ret_box = ret_box, .lt = lt, .ltv = ltv,
		};
		switch (cls) {
		case BPF_ALU:
		case BPF_ALU64:
			ret = emit_alu(&e);
			break;
		case BPF_JMP:
		case BPF_JMP32:
			ret = emit_jmp(&e);
			break;
		case BPF_LDX:
			ret = emit_ldx(&e);
			break;
		case BPF_ST:
		case BPF_STX:
			ret = emit_st(&e);
			break;
		case BPF_LD:
			ret = emit_ld(&e);
			break;
		default:
			return fail(sh, ENOTSUP, "insn %zu: unsupported class", i);
		}
		if (ret)
			return ret;
		reach = e.reach;
		next = e.next;
		if (Z3_get_error_code(z) != Z3_OK)
			return fail(sh, EINVAL, "insn %zu: Z3 error: %s", i,
				    Z3_get_error_msg(z, Z3_get_error_code(z)));
		if (next != (size_t)-1) {
			if (next > cnt)
				return fail(sh, EINVAL, "insn %zu: runs past the end", i);
			ret = push_edge(sd, next, reach, r);
			if (ret)
				return ret;
		}
		/* a callee is done when no path is left in it */
		if (depth && !pending(sd, i + 1, cnt))
			break;
	}
	if (depth && sd->in[cnt].n)
		return fail(sh, ENOTSUP, "a subprogram runs past the end");
	return 0;
}

static void side_free(struct side *sd)
{
	size_t i;

	for (i = 0; i < NR_REGIONS; i++)
		free(sd->mem[i].s);
	for (i = 0; sd->mops && i < sd->sh->nr_maps; i++)
		free(sd->mops[i].o);
	free(sd->mops);
	free(sd->redir);
	free(sd->tails);
	for (i = 0; sd->in && i <= sd->cnt; i++)
		free(sd->in[i].e);
	free(sd->in);
	for (i = 0; i < sd->nr_calls; i++) {
		free(sd->calls[i].parts);
		free(sd->calls[i].byte);
	}
	free(sd->calls);
	free(sd->ltv_at);
}

/* Final memory of both sides agrees at every address either wrote. */
static Z3_ast mem_same(struct side *a, struct side *b, enum region r)
{
	struct shared *sh = a->sh;
	Z3_ast acc = Z3_mk_true(sh->z);
	struct side *s[2] = { a, b };
	size_t k, i;

	for (k = 0; k < 2; k++)
		for (i = 0; i < s[k]->mem[r].n; i++) {
			Z3_ast addr = s[k]->mem[r].s[i].addr;

			acc = and2(sh, acc, Z3_mk_eq(sh->z, bpfext_sym_read_byte(a, r, addr),
						     bpfext_sym_read_byte(b, r, addr)));
		}
	return acc;
}

static Z3_context new_ctx(unsigned int timeout_ms)
{
	Z3_config cfg = Z3_mk_config();
	Z3_context z;
	char t[32];

	if (!cfg)
		return NULL;
	if (timeout_ms) {
		snprintf(t, sizeof(t), "%u", timeout_ms);
		Z3_set_param_value(cfg, "timeout", t);
	}
	z = Z3_mk_context(cfg);
	Z3_del_config(cfg);
	if (z)
		Z3_set_error_handler(z, z3_error);
	return z;
}

static uint64_t eval_u64(Z3_context z, Z3_model m, Z3_ast t)
{
	Z3_ast v = NULL;
	uint64_t u = 0;

	if (Z3_model_eval(z, m, t, true, &v) && v)
		Z3_get_numeral_uint64(z, v, &u);
	return u;
}

/* Solve "not @same"; fill @cex through @fill on SAT. */
static int solve(struct shared *sh, Z3_ast pre, Z3_ast same,
		 void (*fill)(struct shared *, Z3_model, void *), void *arg)
{
	Z3_context z = sh->z;
	/*
	 * Measured on the corpus: the plain SMT solver has the lower median
	 * on small windows; Z3's default combined solver avoids the
	 * multi-second outliers of whole programs.
	 */
	Z3_solver s = sh->prog ? Z3_mk_solver(z) : Z3_mk_simple_solver(z);
	Z3_lbool res;
	int ret;

	Z3_solver_inc_ref(z, s);
	if (pre)
		Z3_solver_assert(z, s, pre);
	Z3_solver_assert(z, s, Z3_mk_not(z, same));
	res = Z3_solver_check(z, s);
	if (res == Z3_L_FALSE) {
		ret = BPFEXT_EQUIVALENT;
	} else if (res == Z3_L_TRUE) {
		Z3_model m = Z3_solver_get_model(z, s);

		Z3_model_inc_ref(z, m);
		if (fill)
			fill(sh, m, arg);
		Z3_model_dec_ref(z, m);
		ret = BPFEXT_DIFFERENT;
	} else {
		if (sh->err)
			snprintf(sh->err->msg, sizeof(sh->err->msg),
				 "solver: %s", Z3_solver_get_reason_unknown(z, s));
		ret = BPFEXT_UNDECIDED;
	}
	Z3_solver_dec_ref(z, s);
	return ret;
}

/* ---- window check ---- */

struct wfill {
	struct side *sd[2];
	struct bpfext_sym_cex *cex;
};

static void fill_window(struct shared *sh, Z3_model m, void *arg)
{
	struct wfill *w = arg;
	struct bpfext_sym_cex *cex = w->cex;
	Z3_context z = sh->z;
	size_t i, j, k;

	if (!cex)
		return;
	memset(cex, 0, sizeof(*cex));
	for (k = 0; k < 11; k++)
		cex->regs[k] = eval_u64(z, m, sh->regs0[k]);
	for (i = 0; i < sh->nr_reads && cex->nr_mem < BPFEXT_SYM_MAX_MEM; i++) {
		uint64_t a = eval_u64(z, m, sh->reads[i]);

		for (j = 0; j < cex->nr_mem && cex->mem_addr[j] != a; j++)
			;
		if (j < cex->nr_mem)
			continue;
		cex->mem_addr[cex->nr_mem] = a;
		cex->mem_val[cex->nr_mem++] =
			(uint8_t)eval_u64(z, m, Z3_mk_select(z, sh->m0, k64(sh, a)));
	}
	for (i = 0; i < 2; i++) {
		Z3_ast e = NULL;

		Z3_model_eval(z, m, w->sd[i]->exit_cond, true, &e);
		cex->exited[i] = e && Z3_get_bool_value(z, e) == Z3_L_TRUE;
		if (cex->exited[i]) {
			cex->out_regs[i][0] = eval_u64(z, m, w->sd[i]->r0);
			continue;
		}
		for (k = 0; k < 11; k++)
			cex->out_regs[i][k] = eval_u64(z, m, w->sd[i]->end_regs[k].v);
	}
}

int bpfext_sym_equiv_window(const struct bpf_insn *a, size_t na,
			    const struct bpf_insn *b, size_t nb,
			    uint16_t live_out,
			    const struct bpfext_sym_opts *opts,
			    struct bpfext_sym_cex *cex,
			    struct bpfext_error *err)
{
	struct shared sh = { .err = err };
	struct side sa = { .sh = &sh }, sb = { .sh = &sh };
	struct wfill wf = { { &sa, &sb }, cex };
	Z3_ast same, regs, pre;
	char name[16];
	int k, ret;

	sh.z = new_ctx(opts ? opts->timeout_ms : 0);
	sh.offset_conc = opts && (opts->flags & BPFEXT_SYM_OFFSET_CONC);
	if (!sh.z)
		return fail(&sh, ENOMEM, "cannot create a Z3 context");
	sh.bv8 = Z3_mk_bv_sort(sh.z, 8);
	sh.bv64 = Z3_mk_bv_sort(sh.z, 64);
	for (k = 0; k < 11; k++) {
		snprintf(name, sizeof(name), "r%d", k);
		sh.regs0[k] = Z3_mk_const(sh.z, Z3_mk_string_symbol(sh.z, name), sh.bv64);
	}
	sh.m0 = Z3_mk_const(sh.z, Z3_mk_string_symbol(sh.z, "mem"),
			    Z3_mk_array_sort(sh.z, sh.bv64, sh.bv8));
	ret = encode(&sa, a, na);
	if (!ret)
		ret = encode(&sb, b, nb);
	if (ret)
		goto out;
	/* same way out; r0 on exit; live-out registers on fall-through */
	regs = Z3_mk_true(sh.z);
	for (k = 0; k < 11; k++)
		if (live_out & (1u << k))
			regs = and2(&sh, regs, Z3_mk_eq(sh.z, sa.end_regs[k].v,
							sb.end_regs[k].v));
	same = Z3_mk_eq(sh.z, sa.exit_cond, sb.exit_cond);
	same = and2(&sh, same, Z3_mk_implies(sh.z, sa.exit_cond,
					     Z3_mk_eq(sh.z, sa.r0, sb.r0)));
	same = and2(&sh, same, Z3_mk_implies(sh.z, sa.end_cond, regs));
	same = and2(&sh, same, mem_same(&sa, &sb, M_FLAT));
	/* What static analysis knows of the inputs (modular checking). */
	pre = Z3_mk_true(sh.z);
	for (k = 0; opts && opts->known_zero && k < 11; k++)
		if (opts->known_zero[k])
			pre = and2(&sh, pre,
				   Z3_mk_eq(sh.z, Z3_mk_bvand(sh.z, sh.regs0[k],
							      k64(&sh, opts->known_zero[k])),
					    k64(&sh, 0)));
	for (k = 0; opts && opts->known_one && k < 11; k++)
		if (opts->known_one[k])
			pre = and2(&sh, pre,
				   Z3_mk_eq(sh.z, Z3_mk_bvand(sh.z, sh.regs0[k],
							      k64(&sh, opts->known_one[k])),
					    k64(&sh, opts->known_one[k])));
	ret = solve(&sh, pre, same, fill_window, &wf);
out:
	side_free(&sa);
	side_free(&sb);
	free(sh.reads);
	free(sh.keys);
	Z3_del_context(sh.z);
	return ret;
}

/* ---- program check ---- */

struct pfill {
	struct side *sd[2];
	struct bpfext_sym_cex *cex;
	uint32_t max_pkt;
	bool beyond;		/* what the interpreter cannot replay is open */
};

static bool model_true(Z3_context z, Z3_model m, Z3_ast c)
{
	Z3_ast v = NULL;

	return Z3_model_eval(z, m, c, true, &v) && v &&
	       Z3_get_bool_value(z, v) == Z3_L_TRUE;
}

/*
 * The answers of the opaque calls one side makes under the model, keyed
 * by their history as the interpreter computes it (helper_proto.h).
 */
static void fill_calls(struct shared *sh, Z3_model m, const struct side *sd,
		       struct bpfext_sym_cex *cex)
{
	Z3_context z = sh->z;
	uint64_t key = BPFEXT_CALL_KEY_INIT;
	size_t i, j, k;

	for (i = 0; i < sd->nr_calls; i++) {
		const struct ocall *oc = &sd->calls[i];

		if (!model_true(z, m, oc->reach))
			continue;
		for (j = 0; j < oc->nparts; j++) {
			uint64_t v = eval_u64(z, m, oc->parts[j]);
			uint8_t b = (uint8_t)v;

			key = oc->byte[j] ? bpfext_call_key_bytes(key, &b, 1) :
					    bpfext_call_key_u64(key, v);
		}
		for (k = 0; k < cex->nr_calls && cex->calls[k].key != key; k++)
			;
		if (k < cex->nr_calls || k == BPFEXT_SYM_MAX_CALLS)
			continue;
		cex->calls[k].id = oc->id;
		cex->calls[k].key = key;
		cex->calls[k].r0 = eval_u64(z, m, Z3_mk_app(z, sh->ret_f, 1, &oc->h));
		cex->calls[k].nr_out = oc->nout;
		for (j = 0; j < oc->nout; j++) {
			Z3_ast fa[2] = { oc->h, k64(sh, j) };

			cex->calls[k].out[j] = (uint8_t)eval_u64(z, m,
				Z3_mk_app(z, sh->out_f, 2, fa));
		}
		cex->nr_calls++;
	}
}

static void fill_prog(struct shared *sh, Z3_model m, void *arg)
{
	struct pfill *p = arg;
	struct bpfext_sym_cex *cex = p->cex;
	Z3_context z = sh->z;
	uint32_t i, len;

	if (!cex)
		return;
	memset(cex, 0, sizeof(*cex));
	len = (uint32_t)eval_u64(z, m, sh->len);
	if (len > p->max_pkt)
		len = p->max_pkt;
	/* bytes before data (the MAC header of socket filters) are at
	 * negative offsets */
	for (i = 0; i < sh->l2_hdr; i++)
		cex->pkt[i] = (uint8_t)eval_u64(z, m, Z3_mk_select(z, sh->pkt0,
			k64(sh, (uint64_t)i - sh->l2_hdr)));
	for (i = 0; i < len; i++)
		cex->pkt[sh->l2_hdr + i] = (uint8_t)eval_u64(z, m,
			Z3_mk_select(z, sh->pkt0, k64(sh, i)));
	cex->pkt_len = sh->ctx == C_OPAQUE ? 0 : sh->l2_hdr + len;
	for (i = 0; i < sh->ctx_size; i++)
		cex->ctx[i] = (uint8_t)eval_u64(z, m,
			Z3_mk_select(z, sh->ctx0, k64(sh, i)));
	cex->ctx_len = sh->ctx_size;
	cex->beyond_interp = p->beyond;
	for (i = 0; i < STACK_FRAME; i++)
		cex->stack[i] = (uint8_t)eval_u64(z, m,
			Z3_mk_select(z, sh->stk0, k64(sh, i)));
	cex->r0[0] = eval_u64(z, m, p->sd[0]->r0);
	cex->r0[1] = eval_u64(z, m, p->sd[1]->r0);
	cex->cpu = (uint32_t)eval_u64(z, m, sh->cpu);
	{
		Z3_ast tv = NULL;

		cex->tail_call_ok = Z3_model_eval(z, m, sh->tail_ok, true, &tv) && tv &&
				    Z3_get_bool_value(z, tv) == Z3_L_TRUE;
	}
	for (i = 0; i < sh->nr_lts && cex->nr_ltv < BPFEXT_SYM_MAX_LTV; i++) {
		snprintf(cex->ltv[cex->nr_ltv].key, sizeof(cex->ltv[0].key), "%s",
			 sh->lts[i].key);
		cex->ltv[cex->nr_ltv++].value = eval_u64(z, m, sh->lts[i].v);
	}
	fill_calls(sh, m, p->sd[0], cex);
	fill_calls(sh, m, p->sd[1], cex);
	/* initial entries at every key either side used */
	/* newest first: the keys where the final maps are compared come last */
	for (i = (uint32_t)sh->nr_keys; i-- > 0 && cex->nr_entries < BPFEXT_SYM_MAX_ENTRIES;) {
		int mi = sh->keys[i].map;
		const struct bpfext_map_desc *md = &sh->maps[mi];
		uint8_t key[BPFEXT_SYM_MAX_KEY];
		Z3_ast kv = NULL, pres = NULL;
		uint32_t b;
		size_t e;

		if (!Z3_model_eval(z, m, sh->keys[i].key, true, &kv) || !kv)
			continue;
		for (b = 0; b < md->key_size; b++)
			key[b] = (uint8_t)eval_u64(z, m, Z3_mk_extract(z, b * 8 + 7, b * 8, kv));
		for (e = 0; e < cex->nr_entries; e++)
			if (cex->entries[e].map == (uint32_t)mi &&
			    !memcmp(cex->entries[e].key, key, md->key_size))
				break;
		/* global data larger than an entry goes to cex->big, if it fits */
		if (e < cex->nr_entries ||
		    (md->value_size > BPFEXT_SYM_MAX_VALUE &&
		     md->value_size > BPFEXT_SYM_MAX_BIG - cex->nr_big))
			continue;
		if (bpfext_sym_map_is_array(md->type)) {
			uint32_t idx;

			memcpy(&idx, key, 4);
			if (idx >= md->max_entries)
				continue;
		} else {
			Z3_ast app = Z3_mk_app(z, sh->present0[mi], 1, &kv);

			if (!Z3_model_eval(z, m, app, true, &pres) || !pres ||
			    Z3_get_bool_value(z, pres) != Z3_L_TRUE)
				continue;
		}
		e = cex->nr_entries++;
		cex->entries[e].map = (uint32_t)mi;
		memcpy(cex->entries[e].key, key, md->key_size);
		if (md->value_size > BPFEXT_SYM_MAX_VALUE) {
			cex->entries[e].big_at = cex->nr_big + 1;
			cex->nr_big += md->value_size;
		}
		for (b = 0; b < md->value_size; b++) {
			Z3_ast args[2] = { kv, k64(sh, b) };

			((uint8_t *)bpfext_sym_cex__value(cex, e))[b] = (uint8_t)eval_u64(z, m,
				Z3_mk_app(z, sh->val0[mi], 2, args));
		}
	}
}

bool bpfext_sym_opaque_ctx(enum bpf_prog_type t)
{
	switch (t) {
	case BPF_PROG_TYPE_KPROBE:
	case BPF_PROG_TYPE_TRACEPOINT:
	case BPF_PROG_TYPE_PERF_EVENT:
	case BPF_PROG_TYPE_RAW_TRACEPOINT:
	case BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE:
	case BPF_PROG_TYPE_TRACING:
	case BPF_PROG_TYPE_LSM:
		return true;
	default:
		return false;
	}
}

/* Which slots of @lp hold load-time values, for its side's encoding. */
static int ltv_slots(struct shared *sh, struct side *sd,
		     const struct bpfext_linked_prog *lp)
{
	size_t i;

	if (!lp->nr_ltv)
		return 0;
	sd->ltv_at = calloc(lp->cnt + 1, sizeof(*sd->ltv_at));
	if (!sd->ltv_at)
		return fail(sh, ENOMEM, "out of memory");
	for (i = 0; i < lp->nr_ltv; i++)
		if (lp->ltv[i].slot < lp->cnt)
			sd->ltv_at[lp->ltv[i].slot] = &lp->ltv[i];
	return 0;
}

/* The program type's context and packet, for the program check. */
static int prog_kind(struct shared *sh, enum bpf_prog_type type, uint32_t *min_len)
{
	switch (type) {
	case BPF_PROG_TYPE_XDP:
		sh->ctx = C_XDP;
		sh->ctx_size = 24;
		break;
	case BPF_PROG_TYPE_SCHED_CLS:
	case BPF_PROG_TYPE_SCHED_ACT:
		sh->ctx = C_SKB;
		sh->ctx_size = 192;
		break;
	case BPF_PROG_TYPE_SOCKET_FILTER:
	case BPF_PROG_TYPE_CGROUP_SKB:
		sh->ctx = C_SKB;
		sh->ctx_size = 192;
		sh->l2_hdr = 14;
		*min_len = 0;
		break;
	default:
		if (!bpfext_sym_opaque_ctx(type))
			return fail(sh, ENOTSUP, "program type %s is not supported",
				    bpfext_prog_type_name(type));
		/* no packet; the context an opaque pointer */
		sh->ctx = C_OPAQUE;
		sh->ctx_size = BPFEXT_SYM_MAX_CTX;
	}
	return 0;
}

/*
 * The unknowns both sides share: packet, context, length, CPU, prog
 * arrays filled, the opaque call functions, each map's initial contents.
 */
static int prog_unknowns(struct shared *sh)
{
	uint32_t i;

	sh->bv8 = Z3_mk_bv_sort(sh->z, 8);
	sh->bv64 = Z3_mk_bv_sort(sh->z, 64);
	sh->pkt0 = Z3_mk_const(sh->z, Z3_mk_string_symbol(sh->z, "pkt"),
			      Z3_mk_array_sort(sh->z, sh->bv64, sh->bv8));
	sh->ctx0 = Z3_mk_const(sh->z, Z3_mk_string_symbol(sh->z, "ctx"),
			      Z3_mk_array_sort(sh->z, sh->bv64, sh->bv8));
	sh->stk0 = Z3_mk_const(sh->z, Z3_mk_string_symbol(sh->z, "stack"),
			      Z3_mk_array_sort(sh->z, sh->bv64, sh->bv8));
	sh->len = Z3_mk_const(sh->z, Z3_mk_string_symbol(sh->z, "len"), sh->bv64);
	sh->cpu = Z3_mk_zero_ext(sh->z, 32, Z3_mk_const(sh->z, Z3_mk_string_symbol(sh->z, "cpu"),
						       Z3_mk_bv_sort(sh->z, 32)));
	sh->tail_ok = Z3_mk_const(sh->z, Z3_mk_string_symbol(sh->z, "tail_ok"),
				 Z3_mk_bool_sort(sh->z));
	{
		Z3_sort dom[7] = { sh->bv64, sh->bv64, sh->bv64, sh->bv64, sh->bv64,
				   sh->bv64, sh->bv64 };
		Z3_sort fdom[2] = { sh->bv64, sh->bv8 };

		sh->call_f = Z3_mk_func_decl(sh->z, Z3_mk_string_symbol(sh->z, "call"),
					    7, dom, sh->bv64);
		sh->feed_f = Z3_mk_func_decl(sh->z, Z3_mk_string_symbol(sh->z, "feed"),
					    2, fdom, sh->bv64);
		sh->ret_f = Z3_mk_func_decl(sh->z, Z3_mk_string_symbol(sh->z, "ret"),
					   1, dom, sh->bv64);
		sh->out_f = Z3_mk_func_decl(sh->z, Z3_mk_string_symbol(sh->z, "out"),
					   2, dom, sh->bv8);
	}
	sh->present0 = calloc(sh->nr_maps + 1, sizeof(*sh->present0));
	sh->val0 = calloc(sh->nr_maps + 1, sizeof(*sh->val0));
	sh->match0 = calloc(sh->nr_maps + 1, sizeof(*sh->match0));
	if (!sh->present0 || !sh->val0 || !sh->match0) {
		return fail(sh, ENOMEM, "out of memory");
	}
	for (i = 0; i < sh->nr_maps; i++) {
		const struct bpfext_map_desc *md = &sh->maps[i];
		Z3_sort ks, dom[2];
		char name[32];

		if (!bpfext_sym_map_supported(md->type) || !md->key_size ||
		    md->key_size > BPFEXT_SYM_MAX_KEY || !md->value_size ||
		    (md->value_size > BPFEXT_SYM_MAX_VALUE && !md->is_data) ||
		    (bpfext_sym_map_is_array(md->type) && md->key_size != 4))
			continue;
		ks = Z3_mk_bv_sort(sh->z, md->key_size * 8);
		dom[0] = ks;
		dom[1] = sh->bv64;
		snprintf(name, sizeof(name), "present%u", i);
		sh->present0[i] = Z3_mk_func_decl(sh->z, Z3_mk_string_symbol(sh->z, name),
						 1, &ks, Z3_mk_bool_sort(sh->z));
		snprintf(name, sizeof(name), "val%u", i);
		sh->val0[i] = Z3_mk_func_decl(sh->z, Z3_mk_string_symbol(sh->z, name),
					     2, dom, sh->bv8);
	}
	return 0;
}

/*
 * Both sides leave through tail calls: the callee inherits frame 0, so
 * the bytes there either side stored before its tail call must agree
 * (those neither stored are the shared entry bytes).
 */
static int tail_frames_same(struct shared *sh, struct side *sa, struct side *sb,
			    Z3_ast *samep)
{
	struct side *sides[2] = { sa, sb };
	Z3_ast same = Z3_mk_true(sh->z);
	size_t ia, ib, k, j;

	for (ia = 0; ia < sa->nr_tails; ia++)
		for (ib = 0; ib < sb->nr_tails; ib++) {
			const struct tailpt *tp[2] = { &sa->tails[ia], &sb->tails[ib] };
			size_t saved[2] = { sa->mem[M_STACK].n, sb->mem[M_STACK].n };
			Z3_ast both = and2(sh, tp[0]->hit, tp[1]->hit), eq = Z3_mk_true(sh->z);
			bool seen[STACK_FRAME] = { false };

			if (is_false(sh, Z3_simplify(sh->z, both)))
				continue;
			/* a pointer's bytes are its offset only against the same kind */
			for (k = 0; k < NSLOTS; k++) {
				const struct val *va = &tp[0]->slot[k], *vb = &tp[1]->slot[k];

				if (va->tag != vb->tag)
					return fail(sh, ENOTSUP,
						    "a tail call passes on a stack frame with a spilled pointer where the other program's holds something else, which the checker does not compare");
				if ((va->tag == T_MAP || va->tag == T_MAPVAL) && va->map != vb->map)
					eq = Z3_mk_false(sh->z);	/* other maps: other addresses */
				if (va->tag == T_MAPVAL && va->map == vb->map &&
				    Z3_get_sort(sh->z, va->key) == Z3_get_sort(sh->z, vb->key))
					eq = and2(sh, eq, and2(sh, Z3_mk_eq(sh->z, va->key, vb->key),
							       Z3_mk_eq(sh->z, va->nonnull, vb->nonnull)));
			}
			/* the chains as they were at the tail calls */
			for (k = 0; k < 2; k++)
				sides[k]->mem[M_STACK].n = tp[k]->nstk;
			for (k = 0; k < 2; k++)
				for (j = 0; j < tp[k]->nstk; j++) {
					Z3_ast at = sides[k]->mem[M_STACK].s[j].addr, t;
					uint64_t ka;
					bool known = numeral(sh, at, &ka);

					if (known && (ka >= STACK_FRAME || seen[ka]))
						continue;	/* a callee frame, or done */
					if (known)
						seen[ka] = true;
					t = Z3_mk_eq(sh->z, bpfext_sym_read_byte(sa, M_STACK, at),
						     bpfext_sym_read_byte(sb, M_STACK, at));
					if (!known)
						t = Z3_mk_implies(sh->z, Z3_mk_bvult(sh->z, at,
										      k64(sh, STACK_FRAME)), t);
					eq = and2(sh, eq, t);
				}
			for (k = 0; k < 2; k++)
				sides[k]->mem[M_STACK].n = saved[k];
			same = and2(sh, same, Z3_mk_implies(sh->z, both, eq));
		}
	*samep = same;
	return 0;
}

/*
 * What the two sides must agree on: how they leave, r0, the opaque call
 * history, the redirect target, the packet bytes either stores, the
 * context, every map at a key and offset the solver picks.
 */
static int prog_same(struct shared *sh, struct side *sa, struct side *sb,
		     Z3_ast *samep)
{
	Z3_ast same, t, same_hist;
	uint32_t i;
	int ret;

	/* the same opaque helper calls, wherever the program leaves */
	same_hist = Z3_mk_implies(sh->z, or2(sh, sa->exit_cond, sa->tail_cond),
				  Z3_mk_eq(sh->z, sa->hist, sb->hist));
	/* falling off the end faults in the interpreter: same on both */
	same = Z3_mk_eq(sh->z, sa->end_cond, sb->end_cond);
	same = and2(sh, same, Z3_mk_eq(sh->z, sa->tail_cond, sb->tail_cond));
	same = and2(sh, same, Z3_mk_implies(sh->z, sa->tail_cond,
					     Z3_mk_eq(sh->z, sa->tail_target, sb->tail_target)));
	same = and2(sh, same, Z3_mk_implies(sh->z, sa->exit_cond,
					     Z3_mk_eq(sh->z, sa->r0, sb->r0)));
	same = and2(sh, same, same_hist);
	/* redirect target: whether set, and the last one */
	t = Z3_mk_eq(sh->z, redir_final(sa, 0), redir_final(sb, 0));
	for (i = 1; i < 4; i++)
		t = and2(sh, t, Z3_mk_implies(sh->z, redir_final(sa, 0),
					       Z3_mk_eq(sh->z, redir_final(sa, (int)i),
							redir_final(sb, (int)i))));
	same = and2(sh, same, t);
	/* packet bytes below len: only those either side stored can differ */
	{
		struct side *sides[2] = { sa, sb };
		size_t k, j;

		for (k = 0; k < 2; k++)
			for (j = 0; j < sides[k]->mem[M_PKT].n; j++) {
				Z3_ast at = sides[k]->mem[M_PKT].s[j].addr;

				t = Z3_mk_eq(sh->z, bpfext_sym_read_byte(sa, M_PKT, at),
					     bpfext_sym_read_byte(sb, M_PKT, at));
				same = and2(sh, same, Z3_mk_implies(sh->z,
					Z3_mk_bvult(sh->z, at, sh->len), t));
			}
	}
	same = and2(sh, same, mem_same(sa, sb, M_CTX));
	ret = tail_frames_same(sh, sa, sb, &t);
	if (ret)
		return ret;
	same = and2(sh, same, t);
	/* maps: same presence and value at a key and offset chosen by the solver */
	for (i = 0; i < sh->nr_maps; i++) {
		const struct bpfext_map_desc *md = &sh->maps[i];
		Z3_ast kq, oq, pa, pb;
		char name[32];

		if (!sh->present0[i])
			continue;
		snprintf(name, sizeof(name), "kq%u", i);
		kq = Z3_mk_const(sh->z, Z3_mk_string_symbol(sh->z, name),
				 Z3_mk_bv_sort(sh->z, md->key_size * 8));
		snprintf(name, sizeof(name), "oq%u", i);
		oq = Z3_mk_const(sh->z, Z3_mk_string_symbol(sh->z, name), sh->bv64);
		ret = bpfext_sym_note_key(sh, (int)i, kq);
		if (ret)
			return ret;
		pa = bpfext_sym_present_at(sa, (int)i, kq);
		pb = bpfext_sym_present_at(sb, (int)i, kq);
		t = Z3_mk_implies(sh->z, and2(sh, pa, Z3_mk_bvult(sh->z, oq, k64(sh, md->value_size))),
				  Z3_mk_eq(sh->z, bpfext_sym_val_at(sa, (int)i, kq, oq),
					   bpfext_sym_val_at(sb, (int)i, kq, oq)));
		same = and2(sh, same, and2(sh, Z3_mk_eq(sh->z, pa, pb), t));
	}
	*samep = same;
	return 0;
}

int bpfext_sym_equiv_prog(const struct bpfext_linked_prog *a,
			  const struct bpfext_linked_prog *b,
			  const struct bpfext_sym_opts *user_opts,
			  struct bpfext_sym_cex *cex,
			  struct bpfext_error *err)
{
	struct shared sh = { .err = err, .prog = true };
	struct side sa = { .sh = &sh }, sb = { .sh = &sh };
	struct pfill pf = { { &sa, &sb }, cex, 0, false };
	const struct bpfext_sym_opts *opts;
	struct bpfext_sym_opts o;
	Z3_ast same, pre;
	uint32_t i, min_len = 14, max_pkt;
	int ret;

	if (BPFEXT_OPTS_GET(&o, user_opts, bpfext_sym_opts))
		return bpfext_errf(err, EINVAL, "invalid bpfext_sym_opts");
	opts = &o;
	max_pkt = o.max_pkt ? o.max_pkt : 128;
	if (a->type != b->type)
		return fail(&sh, EINVAL, "program types differ");
	if (a->nr_maps != b->nr_maps)
		return fail(&sh, EINVAL, "the programs use different maps");
	for (i = 0; i < a->nr_maps; i++)
		if (a->maps[i].type != b->maps[i].type ||
		    a->maps[i].key_size != b->maps[i].key_size ||
		    a->maps[i].value_size != b->maps[i].value_size ||
		    a->maps[i].max_entries != b->maps[i].max_entries)
			return fail(&sh, EINVAL, "map %u differs between the programs", i);
	sh.maps = a->maps;
	sh.nr_maps = a->nr_maps;
	ret = prog_kind(&sh, a->type, &min_len);
	if (ret)
		return ret;
	if (max_pkt + sh.l2_hdr > BPFEXT_SYM_MAX_PKT)
		max_pkt = BPFEXT_SYM_MAX_PKT - sh.l2_hdr;
	pf.max_pkt = max_pkt;
	sh.z = new_ctx(opts ? opts->timeout_ms : 0);
	sh.offset_conc = opts && (opts->flags & BPFEXT_SYM_OFFSET_CONC);
	if (!sh.z)
		return fail(&sh, ENOMEM, "cannot create a Z3 context");
	ret = prog_unknowns(&sh);
	if (ret)
		goto out;
	sa.stk_callee = Z3_mk_const(sh.z, Z3_mk_string_symbol(sh.z, "callee_stack_a"),
				    Z3_mk_array_sort(sh.z, sh.bv64, sh.bv8));
	sb.stk_callee = Z3_mk_const(sh.z, Z3_mk_string_symbol(sh.z, "callee_stack_b"),
				    Z3_mk_array_sort(sh.z, sh.bv64, sh.bv8));
	ret = ltv_slots(&sh, &sa, a);
	if (!ret)
		ret = ltv_slots(&sh, &sb, b);
	if (!ret)
		ret = encode(&sa, a->insns, a->cnt);
	if (!ret)
		ret = encode(&sb, b->insns, b->cnt);
	if (ret)
		goto out;
	pre = and2(&sh, Z3_mk_bvuge(sh.z, sh.len, k64(&sh, min_len)),
		   Z3_mk_bvule(sh.z, sh.len, k64(&sh, max_pkt)));
	ret = prog_same(&sh, &sa, &sb, &same);
	if (ret)
		goto out;
	if (sh.nr_lpm)
		pre = and2(&sh, pre, bpfext_sym_lpm_facts(&sh));
	if (Z3_get_error_code(sh.z) != Z3_OK) {
		ret = fail(&sh, EINVAL, "Z3 error: %s",
			   Z3_get_error_msg(sh.z, Z3_get_error_code(sh.z)));
		goto out;
	}
	/*
	 * First what the interpreter can replay: relocated accesses of the
	 * object's widths, callee frames that start zeroed, and prog arrays
	 * filled in every slot or none.  Only if there is no counterexample
	 * there, every width the kernel's fields may have, whatever earlier
	 * calls left in callee frames, and each slot on its own.
	 */
	if (sh.nr_widths || sa.frames || sb.frames || sh.nr_tfills) {
		Z3_ast zero = Z3_mk_const_array(sh.z, sh.bv64, k8(&sh, 0));
		Z3_ast local = and2(&sh, Z3_mk_eq(sh.z, sa.stk_callee, zero),
				    Z3_mk_eq(sh.z, sb.stk_callee, zero));

		/* the interpreter fills every prog array slot or none */
		for (i = 0; i < sh.nr_tfills; i++)
			local = and2(&sh, local, Z3_mk_eq(sh.z, sh.tfills[i], sh.tail_ok));
		for (i = 0; i < sh.nr_widths; i++)
			local = and2(&sh, local, Z3_mk_eq(sh.z, sh.widths[i].w,
					      k64(&sh, sh.widths[i].local)));
		ret = solve(&sh, and2(&sh, pre, local), same, fill_prog, &pf);
		if (ret != BPFEXT_EQUIVALENT)
			goto out;
		pf.beyond = true;
	}
	ret = solve(&sh, pre, same, fill_prog, &pf);
out:
	side_free(&sa);
	side_free(&sb);
	free(sh.reads);
	free(sh.keys);
	free(sh.present0);
	free(sh.val0);
	free(sh.match0);
	free(sh.lpm);
	free(sh.tfills);
	Z3_del_context(sh.z);
	return ret;
}

const uint8_t *bpfext_sym_cex__value(const struct bpfext_sym_cex *cex, size_t i)
{
	return cex->entries[i].big_at ? &cex->big[cex->entries[i].big_at - 1] :
					cex->entries[i].value;
}

void bpfext_sym_cex__input(struct bpfext_sym_cex *cex,
			   struct bpfext_interp_input *input)
{
	size_t i;

	memset(input, 0, sizeof(*input));
	for (i = 0; i < cex->nr_entries; i++) {
		cex->kv[i].map = cex->entries[i].map;
		cex->kv[i].key = cex->entries[i].key;
		cex->kv[i].value = bpfext_sym_cex__value(cex, i);
	}
	input->tail_call_ok = cex->tail_call_ok;
	input->entries = cex->kv;
	input->nr_entries = cex->nr_entries;
	input->cpu = cex->cpu;
	input->pkt = cex->pkt;
	input->pkt_len = cex->pkt_len;
	input->ctx = cex->ctx_len ? cex->ctx : NULL;	/* 0: defaults */
	input->ctx_len = cex->ctx_len;
	input->stack = cex->stack;
	for (i = 0; i < cex->nr_ltv; i++) {
		cex->iltv[i].key = cex->ltv[i].key;
		cex->iltv[i].value = cex->ltv[i].value;
	}
	input->ltv = cex->iltv;
	input->nr_ltv = cex->nr_ltv;
	for (i = 0; i < cex->nr_calls; i++) {
		cex->icalls[i].key = cex->calls[i].key;
		cex->icalls[i].r0 = cex->calls[i].r0;
		cex->icalls[i].out = cex->calls[i].out;
		cex->icalls[i].nr_out = cex->calls[i].nr_out;
	}
	input->opaque = true;
	input->calls = cex->icalls;
	input->nr_calls = cex->nr_calls;
}
