// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <stdio.h>
#include <string.h>
#include <linux/bpf.h>
#include "model.h"

Z3_context ctx;
char model_err[256];
int model_fault;
unsigned model_old;

Z3_ast bv(uint64_t v, unsigned w)
{
	return Z3_mk_unsigned_int64(ctx, v, Z3_mk_bv_sort(ctx, w));
}

Z3_ast bvvar(const char *name, unsigned w)
{
	return Z3_mk_const(ctx, Z3_mk_string_symbol(ctx, name), Z3_mk_bv_sort(ctx, w));
}

Z3_ast boolvar(const char *name)
{
	return Z3_mk_const(ctx, Z3_mk_string_symbol(ctx, name), Z3_mk_bool_sort(ctx));
}

Z3_ast ext(Z3_ast a, unsigned hi, unsigned lo) { return Z3_mk_extract(ctx, hi, lo, a); }

static unsigned width(Z3_ast a) { return Z3_get_bv_sort_size(ctx, Z3_get_sort(ctx, a)); }

Z3_ast zext(Z3_ast a, unsigned to)
{
	unsigned w = width(a);
	return w == to ? a : Z3_mk_zero_ext(ctx, to - w, a);
}

Z3_ast sext(Z3_ast a, unsigned to)
{
	unsigned w = width(a);
	return w == to ? a : Z3_mk_sign_ext(ctx, to - w, a);
}

Z3_ast low32_zx(Z3_ast a) { return zext(ext(a, 31, 0), 64); }

Z3_ast mk_and2(Z3_ast a, Z3_ast b) { Z3_ast x[2] = { a, b }; return Z3_mk_and(ctx, 2, x); }
Z3_ast mk_or2(Z3_ast a, Z3_ast b) { Z3_ast x[2] = { a, b }; return Z3_mk_or(ctx, 2, x); }
Z3_ast mk_not(Z3_ast a) { return Z3_mk_not(ctx, a); }
Z3_ast mk_eq(Z3_ast a, Z3_ast b) { return Z3_mk_eq(ctx, a, b); }
Z3_ast mk_ite(Z3_ast c, Z3_ast a, Z3_ast b) { return Z3_mk_ite(ctx, c, a, b); }
Z3_ast mk_true(void) { return Z3_mk_true(ctx); }
Z3_ast mk_false(void) { return Z3_mk_false(ctx); }

Z3_ast bswap(Z3_ast a, unsigned bytes)
{
	Z3_ast r = ext(a, 7, 0);
	for (unsigned i = 1; i < bytes; i++)
		r = Z3_mk_concat(ctx, r, ext(a, 8 * i + 7, 8 * i));
	return r;
}

static void record(struct mstate *s, Z3_ast addr, unsigned size, bool store)
{
	if (s->nacc < MAX_ACC)
		s->acc[s->nacc++] = (struct access){ s->path, addr, size, store };
	else
		snprintf(model_err, sizeof(model_err), "too many memory accesses");
}

/* the offset from addr of the byte of significance k (0: least) */
static unsigned byte_at(const struct mstate *s, unsigned k, unsigned size)
{
	return s->be ? size - 1 - k : k;
}

Z3_ast mem_load(struct mstate *s, Z3_ast addr, unsigned size)
{
	Z3_ast r = NULL;

	record(s, addr, size, false);
	for (unsigned k = 0; k < size; k++) {
		Z3_ast b = Z3_mk_select(ctx, s->mem, Z3_mk_bvadd(ctx, addr, bv(byte_at(s, k, size), 64)));
		r = r ? Z3_mk_concat(ctx, b, r) : b;
	}
	return r;
}

void mem_store(struct mstate *s, Z3_ast addr, unsigned size, Z3_ast val)
{
	record(s, addr, size, true);
	for (unsigned k = 0; k < size; k++)
		s->mem = Z3_mk_store(ctx, s->mem, Z3_mk_bvadd(ctx, addr, bv(byte_at(s, k, size), 64)),
				     ext(val, 8 * k + 7, 8 * k));
}

void state_fresh(struct mstate *s, const char *prefix, int nregs)
{
	char name[64];

	memset(s, 0, sizeof(*s));
	for (int i = 0; i < 32; i++) {
		snprintf(name, sizeof(name), "%s_r%d", prefix, i);
		s->r[i] = i < nregs ? bvvar(name, 64) : bv(0, 64);
	}
	for (int i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "%s_f%d", prefix, i);
		s->f[i] = boolvar(name);
	}
	snprintf(name, sizeof(name), "%s_mem", prefix);
	Z3_sort bv64 = Z3_mk_bv_sort(ctx, 64), bv8 = Z3_mk_bv_sort(ctx, 8);
	s->mem = Z3_mk_const(ctx, Z3_mk_string_symbol(ctx, name), Z3_mk_array_sort(ctx, bv64, bv8));
	s->path = mk_true();
}

/* join two states reaching the same instruction; a->path, b->path disjoint */
void state_merge(struct mstate *out, const struct mstate *a, const struct mstate *b)
{
	struct mstate m = *a;

	/* terms are hash-consed: equal terms need no ite (keeps arrays out of
	 * the queries of paths that do not touch memory) */
#define JOIN(x, y) (Z3_is_eq_ast(ctx, (x), (y)) ? (x) : mk_ite(a->path, (x), (y)))
	for (int i = 0; i < 32; i++)
		m.r[i] = JOIN(a->r[i], b->r[i]);
	for (int i = 0; i < 4; i++)
		m.f[i] = JOIN(a->f[i], b->f[i]);
	m.mem = JOIN(a->mem, b->mem);
#undef JOIN
	m.path = mk_or2(a->path, b->path);
	for (int i = 0; i < b->nacc && m.nacc < MAX_ACC; i++)
		m.acc[m.nacc++] = b->acc[i];
	*out = m;
}
