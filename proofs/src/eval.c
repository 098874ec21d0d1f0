// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Concrete evaluation of model terms, for model validation.
 *
 * The validators need the model's outputs for concrete inputs.  Asking Z3
 * (substitute, simplify) is slow for memory-heavy terms: a memcpy state is
 * a chain of byte stores whose loads Z3's rewriter resolves by walking the
 * chain, per output.  This evaluates the same terms directly, with the
 * SMT-LIB semantics of the few operators the models build (bit-vectors up
 * to 128 bits, Booleans, arrays of bytes), every shared subterm once.  The
 * caller cross-checks a sample of the results against Z3's.
 */
#include <stdlib.h>
#include <string.h>
#include "eval.h"

typedef unsigned __int128 u128;
typedef __int128 s128;

struct anode {			/* array value: a store over a parent, or a base */
	int parent;		/* -1: base */
	uint64_t addr;
	uint8_t byte;
	bool input;		/* base: the input memory (else a constant array of byte) */
};

static struct {
	const struct evin *in;
	struct anode *a;
	int na, capa;
	/* memo: ast id + 1 -> value, open addressing */
	unsigned *key;
	u128 *val;
	size_t cap, n;
	bool bad;
} E;

static bool memo_get(unsigned id, u128 *v)
{
	if (!E.cap)
		return false;
	for (size_t h = (id * 2654435761u) & (E.cap - 1); E.key[h]; h = (h + 1) & (E.cap - 1))
		if (E.key[h] == id + 1) {
			*v = E.val[h];
			return true;
		}
	return false;
}

static void memo_put(unsigned id, u128 v)
{
	size_t h;

	if (2 * (E.n + 1) > E.cap) {
		unsigned *ok = E.key;
		u128 *ov = E.val;
		size_t oc = E.cap;

		E.cap = oc ? 2 * oc : 1 << 12;
		E.key = calloc(E.cap, sizeof(*E.key));
		E.val = calloc(E.cap, sizeof(*E.val));
		E.n = 0;
		for (size_t i = 0; i < oc; i++)
			if (ok[i])
				memo_put(ok[i] - 1, ov[i]);
		free(ok);
		free(ov);
	}
	for (h = (id * 2654435761u) & (E.cap - 1); E.key[h]; h = (h + 1) & (E.cap - 1))
		;
	E.key[h] = id + 1;
	E.val[h] = v;
	E.n++;
}

static int new_anode(int parent, uint64_t addr, uint8_t byte, bool input)
{
	if (E.na == E.capa) {
		E.capa = E.capa ? 2 * E.capa : 1024;
		E.a = realloc(E.a, E.capa * sizeof(*E.a));
	}
	E.a[E.na] = (struct anode){ parent, addr, byte, input };
	return E.na++;
}

static u128 mask(u128 v, unsigned w)
{
	return w >= 128 ? v : v & (((u128)1 << w) - 1);
}

static s128 sx(u128 v, unsigned w)
{
	return w >= 128 ? (s128)v : (s128)(v << (128 - w)) >> (128 - w);
}

/* a numeral of up to 128 bits */
static u128 num(Z3_ast e)
{
	uint64_t x;
	u128 v = 0;

	if (Z3_get_numeral_uint64(ctx, e, &x))
		return x;
	for (const char *p = Z3_get_numeral_string(ctx, e); *p; p++) {
		if (*p < '0' || *p > '9' || v >> 124) {
			E.bad = true;
			return 0;
		}
		v = v * 10 + (*p - '0');
	}
	return v;
}

static unsigned bvw(Z3_ast e)
{
	Z3_sort s = Z3_get_sort(ctx, e);

	return Z3_get_sort_kind(ctx, s) == Z3_BV_SORT ? Z3_get_bv_sort_size(ctx, s) : 1;
}

static u128 ev(Z3_ast e);

static u128 arg(Z3_app app, unsigned i)
{
	return ev(Z3_get_app_arg(ctx, app, i));
}

static u128 select_byte(int a, u128 addr)
{
	for (; a >= 0; a = E.a[a].parent) {
		if (E.a[a].parent < 0)
			return E.a[a].input ? E.in->mem(E.in->seed, (uint64_t)addr) : E.a[a].byte;
		if (E.a[a].addr == addr)
			return E.a[a].byte;
	}
	E.bad = true;
	return 0;
}

static u128 ev_app(Z3_ast e)
{
	Z3_app app = Z3_to_app(ctx, e);
	Z3_func_decl d = Z3_get_app_decl(ctx, app);
	unsigned n = Z3_get_app_num_args(ctx, app), w = bvw(e), aw;
	u128 x, y;

	switch (Z3_get_decl_kind(ctx, d)) {
	case Z3_OP_TRUE: return 1;
	case Z3_OP_FALSE: return 0;
	case Z3_OP_BNUM:
		return num(e);
	case Z3_OP_UNINTERPRETED:
		for (int i = 0; i < E.in->nvar; i++)
			if (Z3_is_eq_ast(ctx, e, E.in->var[i]))
				return E.in->val[i];
		if (Z3_is_eq_ast(ctx, e, E.in->mem0))
			return new_anode(-1, 0, 0, true);
		break;
	case Z3_OP_AND:
		x = 1;
		for (unsigned i = 0; i < n; i++)
			x &= arg(app, i);
		return x;
	case Z3_OP_OR:
		x = 0;
		for (unsigned i = 0; i < n; i++)
			x |= arg(app, i);
		return x;
	case Z3_OP_NOT: return !arg(app, 0);
	case Z3_OP_IMPLIES: return !arg(app, 0) || arg(app, 1);
	case Z3_OP_XOR: return arg(app, 0) ^ arg(app, 1);
	case Z3_OP_ITE: return arg(app, 0) ? arg(app, 1) : arg(app, 2);
	case Z3_OP_EQ:
		if (Z3_get_sort_kind(ctx, Z3_get_sort(ctx, Z3_get_app_arg(ctx, app, 0))) == Z3_ARRAY_SORT)
			break;
		return arg(app, 0) == arg(app, 1);
	case Z3_OP_BADD:
		x = 0;
		for (unsigned i = 0; i < n; i++)
			x += arg(app, i);
		return mask(x, w);
	case Z3_OP_BMUL:
		x = 1;
		for (unsigned i = 0; i < n; i++)
			x *= arg(app, i);
		return mask(x, w);
	case Z3_OP_BAND:
		x = ~(u128)0;
		for (unsigned i = 0; i < n; i++)
			x &= arg(app, i);
		return mask(x, w);
	case Z3_OP_BOR:
		x = 0;
		for (unsigned i = 0; i < n; i++)
			x |= arg(app, i);
		return x;
	case Z3_OP_BXOR:
		x = 0;
		for (unsigned i = 0; i < n; i++)
			x ^= arg(app, i);
		return x;
	case Z3_OP_BSUB: return mask(arg(app, 0) - arg(app, 1), w);
	case Z3_OP_BNEG: return mask(-arg(app, 0), w);
	case Z3_OP_BNOT: return mask(~arg(app, 0), w);
	case Z3_OP_BSHL:
		x = arg(app, 0), y = arg(app, 1);
		return y >= w ? 0 : mask(x << y, w);
	case Z3_OP_BLSHR:
		x = arg(app, 0), y = arg(app, 1);
		return y >= w ? 0 : x >> y;
	case Z3_OP_BASHR:
		x = arg(app, 0), y = arg(app, 1);
		return mask((u128)(sx(x, w) >> (y >= w ? w - 1 : (unsigned)y)), w);
	case Z3_OP_ROTATE_LEFT:
	case Z3_OP_ROTATE_RIGHT: {
		unsigned k = Z3_get_decl_int_parameter(ctx, d, 0) % w;
		x = arg(app, 0);
		if (Z3_get_decl_kind(ctx, d) == Z3_OP_ROTATE_RIGHT)
			k = (w - k) % w;
		return k ? mask(x << k | x >> (w - k), w) : x;
	}
	case Z3_OP_ULEQ: case Z3_OP_UGEQ: case Z3_OP_ULT: case Z3_OP_UGT:
	case Z3_OP_SLEQ: case Z3_OP_SGEQ: case Z3_OP_SLT: case Z3_OP_SGT: {
		Z3_decl_kind k = Z3_get_decl_kind(ctx, d);
		aw = bvw(Z3_get_app_arg(ctx, app, 0));
		x = arg(app, 0), y = arg(app, 1);
		switch (k) {
		case Z3_OP_ULEQ: return x <= y;
		case Z3_OP_UGEQ: return x >= y;
		case Z3_OP_ULT: return x < y;
		case Z3_OP_UGT: return x > y;
		case Z3_OP_SLEQ: return sx(x, aw) <= sx(y, aw);
		case Z3_OP_SGEQ: return sx(x, aw) >= sx(y, aw);
		case Z3_OP_SLT: return sx(x, aw) < sx(y, aw);
		default: return sx(x, aw) > sx(y, aw);
		}
	}
	case Z3_OP_EXTRACT: {
		unsigned hi = Z3_get_decl_int_parameter(ctx, d, 0), lo = Z3_get_decl_int_parameter(ctx, d, 1);
		return mask(arg(app, 0) >> lo, hi - lo + 1);
	}
	case Z3_OP_CONCAT:
		x = 0;
		for (unsigned i = 0; i < n; i++) {
			aw = bvw(Z3_get_app_arg(ctx, app, i));
			x = (aw >= 128 ? 0 : x << aw) | arg(app, i);
		}
		return x;
	case Z3_OP_ZERO_EXT:
		return arg(app, 0);
	case Z3_OP_SIGN_EXT:
		return mask((u128)sx(arg(app, 0), bvw(Z3_get_app_arg(ctx, app, 0))), w);
	case Z3_OP_CONST_ARRAY:
		return new_anode(-1, 0, (uint8_t)arg(app, 0), false);
	case Z3_OP_STORE:
		x = arg(app, 0);
		return new_anode((int)x, (uint64_t)arg(app, 1), (uint8_t)arg(app, 2), false);
	case Z3_OP_SELECT:
		x = arg(app, 0);
		return select_byte((int)x, arg(app, 1));
	default:
		break;
	}
	E.bad = true;
	return 0;
}

static u128 ev(Z3_ast e)
{
	unsigned id = Z3_get_ast_id(ctx, e);
	u128 v;

	if (memo_get(id, &v))
		return v;
	if (bvw(e) > 128) {
		E.bad = true;
		v = 0;
	} else if (Z3_get_ast_kind(ctx, e) == Z3_NUMERAL_AST) {
		v = num(e);
	} else if (Z3_get_ast_kind(ctx, e) == Z3_APP_AST) {
		v = ev_app(e);
	} else {
		E.bad = true;
		v = 0;
	}
	memo_put(id, v);
	return v;
}

void eval_begin(const struct evin *in)
{
	E.in = in;
	E.na = 0;
	E.bad = false;
	if (E.cap)
		memset(E.key, 0, E.cap * sizeof(*E.key));
	E.n = 0;
}

uint64_t eval_bv(Z3_ast e, bool *ok)
{
	u128 v = ev(e);

	if (E.bad || bvw(e) > 64)
		*ok = false;
	return (uint64_t)v;
}

uint8_t eval_byte(Z3_ast mem, uint64_t addr, bool *ok)
{
	u128 v = select_byte((int)ev(mem), addr);

	if (E.bad)
		*ok = false;
	return (uint8_t)v;
}
