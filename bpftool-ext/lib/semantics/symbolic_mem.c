// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The Z3 encoding's memory model: each region (flat window memory,
 * stack, packet, context, map values) a guarded chain of byte stores
 * read newest-first; maps as operations on unknown initial contents;
 * and where a typed pointer plus an offset points.  See symbolic.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "semantics/symbolic_int.h"

/* ---- memory ---- */

static int chain_add(struct shared *sh, struct chain *c, Z3_ast guard,
		     Z3_ast addr, Z3_ast byte)
{
	if (bpfext_grow(&c->s, &c->cap, c->n + 1, sizeof(*c->s)))
		return fail(sh, ENOMEM, "out of memory");
	c->s[c->n].guard = guard;
	c->s[c->n].addr = addr;
	c->s[c->n].byte = byte;
	c->n++;
	return 0;
}

/*
 * Nothing clears the stack: the entry frame holds what the kernel left
 * there, the same input for both sides; the callee frames encoded so far
 * follow it, at 512, 1024, ...  An address outside all of them (a
 * relocated offset, say) is one the verifier rejects; it reads the
 * entry bytes.
 */
static Z3_ast init_stack_byte(struct side *sd, Z3_ast a)
{
	struct shared *sh = sd->sh;
	uint64_t end = (uint64_t)STACK_FRAME * (sd->frames + 1), ka;
	Z3_ast entry = Z3_mk_select(sh->z, sh->stk0, a);
	Z3_ast callee, in;

	if (!sd->frames)
		return entry;
	callee = Z3_mk_select(sh->z, sd->stk_callee, a);
	if (numeral(sh, a, &ka))
		return ka >= STACK_FRAME && ka < end ? callee : entry;
	in = and2(sh, Z3_mk_bvuge(sh->z, a, k64(sh, STACK_FRAME)),
		  Z3_mk_bvult(sh->z, a, k64(sh, end)));
	return Z3_mk_ite(sh->z, in, callee, entry);
}

static Z3_ast init_byte(struct side *sd, enum region r, Z3_ast a)
{
	struct shared *sh = sd->sh;

	switch (r) {
	case M_FLAT:
		if (sh->nr_reads < BPFEXT_SYM_MAX_MEM &&
		    !bpfext_grow(&sh->reads, &sh->cap_reads, sh->nr_reads + 1, sizeof(*sh->reads)))
			sh->reads[sh->nr_reads++] = a;
		return Z3_mk_select(sh->z, sh->m0, a);
	case M_PKT:
		return Z3_mk_select(sh->z, sh->pkt0, a);
	case M_CTX:
		return Z3_mk_select(sh->z, sh->ctx0, a);
	case M_STACK:
		return init_stack_byte(sd, a);
	default:
		return k8(sh, 0);
	}
}

/*
 * Memory offset concretization (BPFEXT_SYM_OFFSET_CONC): a store at a
 * known address other than the one read is left out of the read's chain.
 * Addresses are known where pointers are (the program check gives stack
 * and packet numeric bases).  For base + constant addresses on unknown
 * bases (the window check) the solver is faster on the plain chain than
 * with such stores left out by their syntax, as measured with bench_equiv.
 */
Z3_ast bpfext_sym_read_byte(struct side *sd, enum region r, Z3_ast a)
{
	struct shared *sh = sd->sh;
	const struct chain *c = &sd->mem[r];
	Z3_ast acc = init_byte(sd, r, a);
	uint64_t ka = 0, ks;
	bool ca = sh->offset_conc && numeral(sh, a, &ka);
	size_t i;

	for (i = 0; i < c->n; i++) {
		const struct store *s = &c->s[i];

		if (ca && numeral(sh, s->addr, &ks) && ks != ka)
			continue;
		acc = Z3_mk_ite(sh->z, and2(sh, s->guard,
					    Z3_mk_eq(sh->z, s->addr, a)),
				s->byte, acc);
	}
	return acc;
}

Z3_ast bpfext_sym_mem_read(struct side *sd, enum region r, Z3_ast addr,
			   unsigned int size)
{
	struct shared *sh = sd->sh;
	Z3_ast v = NULL;
	unsigned int i;

	for (i = 0; i < size; i++) {
		Z3_ast b = bpfext_sym_read_byte(sd, r, Z3_mk_bvadd(sh->z, addr, k64(sh, i)));

		v = v ? Z3_mk_concat(sh->z, b, v) : b;
	}
	return size == 8 ? v : Z3_mk_zero_ext(sh->z, 64 - size * 8, v);
}

static int mem_write(struct side *sd, enum region r, Z3_ast guard,
		     Z3_ast addr, Z3_ast val, unsigned int size)
{
	struct shared *sh = sd->sh;
	unsigned int i;
	int ret;

	for (i = 0; i < size; i++) {
		ret = chain_add(sh, &sd->mem[r], guard,
				Z3_simplify(sh->z, Z3_mk_bvadd(sh->z, addr,
							       k64(sh, i))),
				Z3_mk_extract(sh->z, i * 8 + 7, i * 8, val));
		if (ret)
			return ret;
	}
	return 0;
}

/* ---- maps ---- */

bool bpfext_sym_map_is_array(uint32_t t)
{
	return t == BPF_MAP_TYPE_ARRAY || t == BPF_MAP_TYPE_PERCPU_ARRAY;
}

bool bpfext_sym_map_supported(uint32_t t)
{
	return bpfext_sym_map_is_array(t) || t == BPF_MAP_TYPE_DEVMAP ||
	       t == BPF_MAP_TYPE_DEVMAP_HASH || t == BPF_MAP_TYPE_CPUMAP ||
	       t == BPF_MAP_TYPE_XSKMAP || t == BPF_MAP_TYPE_HASH ||
	       t == BPF_MAP_TYPE_PERCPU_HASH || t == BPF_MAP_TYPE_LRU_HASH ||
	       t == BPF_MAP_TYPE_LRU_PERCPU_HASH || t == BPF_MAP_TYPE_LPM_TRIE;
}

int bpfext_sym_note_key(struct shared *sh, int m, Z3_ast key)
{
	if (bpfext_grow(&sh->keys, &sh->cap_keys, sh->nr_keys + 1, sizeof(*sh->keys)))
		return fail(sh, ENOMEM, "out of memory");
	sh->keys[sh->nr_keys].map = m;
	sh->keys[sh->nr_keys].key = key;
	sh->nr_keys++;
	return 0;
}

/*
 * Whether a hash has room for one more element, and which elements an
 * LRU hash evicts, depend on what it held and what was done to it: each
 * is an unknown function of the map's history, which starts the same on
 * both sides and takes in every update and delete.  Sides that do the
 * same get the same answers.
 */
static Z3_ast map_hist(struct side *sd, int m)
{
	struct shared *sh = sd->sh;
	struct mops *ms = &sd->mops[m];
	char name[32];

	if (!ms->hist) {
		snprintf(name, sizeof(name), "mhist%d", m);
		ms->hist = Z3_mk_const(sh->z, Z3_mk_string_symbol(sh->z, name), sh->bv64);
	}
	return ms->hist;
}

static Z3_ast map_fn(struct shared *sh, const char *what, int m, Z3_ast h, Z3_ast x,
		     Z3_sort range)
{
	Z3_sort dom[2] = { sh->bv64, Z3_get_sort(sh->z, x) };
	Z3_ast args[2] = { h, x };
	char name[32];

	snprintf(name, sizeof(name), "%s%d", what, m);
	return Z3_mk_app(sh->z, Z3_mk_func_decl(sh->z, Z3_mk_string_symbol(sh->z, name),
						2, dom, range), 2, args);
}

Z3_ast bpfext_sym_map_room(struct side *sd, int m, Z3_ast key)
{
	return bpfext_sym_map_unknown(sd, "room", m, key);
}

/* An unknown yes or no about @key, given the history of map @m so far. */
Z3_ast bpfext_sym_map_unknown(struct side *sd, const char *what, int m, Z3_ast key)
{
	return map_fn(sd->sh, what, m, map_hist(sd, m), key, Z3_mk_bool_sort(sd->sh->z));
}

int bpfext_sym_mop_add(struct side *sd, int m, const struct mop *o)
{
	struct shared *sh = sd->sh;
	struct mops *ms = &sd->mops[m];
	struct mop *n;

	if (bpfext_grow(&ms->o, &ms->cap, ms->n + 1, sizeof(*ms->o)))
		return fail(sh, ENOMEM, "out of memory");
	n = &ms->o[ms->n++];
	*n = *o;
	if (o->kind == MOP_STORE)
		return 0;
	n->hist = map_hist(sd, m);
	ms->hist = Z3_mk_ite(sh->z, o->guard,
			     map_fn(sh, "mix", m, Z3_mk_bvadd(sh->z, n->hist,
				    k64(sh, (uint64_t)o->kind + 1)), o->key, sh->bv64),
			     n->hist);
	return 0;
}

/*
 * The size of map @m as a bit-vector of @sort.  One the object leaves
 * unsized (max_entries 0, which the kernel refuses) gets its size from
 * the program's own loader: an unknown both sides share.
 */
Z3_ast bpfext_sym_max_entries(struct shared *sh, int m, Z3_sort sort)
{
	unsigned int w = Z3_get_bv_sort_size(sh->z, sort);
	char name[32];
	Z3_ast n;

	if (sh->maps[m].max_entries)
		return Z3_mk_unsigned_int64(sh->z, sh->maps[m].max_entries, sort);
	snprintf(name, sizeof(name), "max_entries%d", m);
	n = Z3_mk_const(sh->z, Z3_mk_string_symbol(sh->z, name), Z3_mk_bv_sort(sh->z, 32));
	return w > 32 ? Z3_mk_zero_ext(sh->z, w - 32, n) :
	       w < 32 ? Z3_mk_extract(sh->z, w - 1, 0, n) : n;
}

Z3_ast bpfext_sym_present_at(struct side *sd, int m, Z3_ast key)
{
	struct shared *sh = sd->sh;
	const struct mops *ms = &sd->mops[m];
	Z3_ast acc;
	size_t i;

	if (bpfext_sym_map_is_array(sh->maps[m].type))
		return Z3_mk_bvult(sh->z, key, bpfext_sym_max_entries(sh, m, Z3_get_sort(sh->z, key)));
	acc = Z3_mk_app(sh->z, sh->present0[m], 1, &key);
	/* devmap, cpumap, xskmap: slots of an array, filled or not */
	if (sh->maps[m].type == BPF_MAP_TYPE_DEVMAP || sh->maps[m].type == BPF_MAP_TYPE_CPUMAP ||
	    sh->maps[m].type == BPF_MAP_TYPE_XSKMAP)
		acc = and2(sh, acc, Z3_mk_bvult(sh->z, key,
						bpfext_sym_max_entries(sh, m, Z3_get_sort(sh->z, key))));
	for (i = 0; i < ms->n; i++) {
		const struct mop *o = &ms->o[i];

		if (o->kind == MOP_STORE || o->kind == MOP_TOUCH)
			continue;
		/* an LRU hash that took a free node may have evicted any element */
		if (o->kind == MOP_EVICT) {
			acc = Z3_mk_ite(sh->z, and2(sh, o->guard, map_fn(sh, "evict", m, o->hist, key,
								 Z3_mk_bool_sort(sh->z))),
					Z3_mk_false(sh->z), acc);
			continue;
		}
		acc = Z3_mk_ite(sh->z, and2(sh, o->guard, Z3_mk_eq(sh->z, o->key, key)),
				o->kind == MOP_UPDATE ? Z3_mk_true(sh->z) :
							Z3_mk_false(sh->z), acc);
	}
	return acc;
}

/*
 * LPM tries.  A key is a u32 prefix length (the low 32 bits) and data
 * bytes, whose bits count most significant first.  An entry is named by
 * its key with the data bits past its prefix cleared.  A lookup finds
 * match0(its key, so cleared): an unknown entry that the facts below tie
 * to the trie's contents, which are present0 and val0 as for hashes.
 * Programs that update or delete entries are not encoded.
 */
static Z3_ast k32(struct shared *sh, uint32_t v)
{
	return Z3_mk_unsigned_int(sh->z, v, Z3_mk_bv_sort(sh->z, 32));
}

static Z3_ast lpm_plen(struct shared *sh, Z3_ast key)
{
	return Z3_mk_extract(sh->z, 31, 0, key);
}

/* The data of @key with the bits past the first @bits (BV32) cleared. */
static Z3_ast lpm_data(struct shared *sh, int m, Z3_ast key, Z3_ast bits)
{
	Z3_context z = sh->z;
	uint32_t i, nd = sh->maps[m].key_size - 4;
	Z3_ast acc = NULL;

	for (i = 0; i < nd; i++) {
		Z3_ast b = Z3_mk_extract(z, 8 * (4 + i) + 7, 8 * (4 + i), key);
		Z3_ast n = Z3_mk_ite(z, Z3_mk_bvuge(z, bits, k32(sh, 8 * i + 8)), k32(sh, 8),
				     Z3_mk_ite(z, Z3_mk_bvule(z, bits, k32(sh, 8 * i)), k32(sh, 0),
					       Z3_mk_bvsub(z, bits, k32(sh, 8 * i))));

		b = Z3_mk_bvand(z, b, Z3_mk_extract(z, 7, 0,
				Z3_mk_bvlshr(z, k32(sh, 0xff00), n)));
		acc = acc ? Z3_mk_concat(z, b, acc) : b;
	}
	return acc;
}

static Z3_ast lpm_norm(struct shared *sh, int m, Z3_ast key)
{
	return Z3_mk_concat(sh->z, lpm_data(sh, m, key, lpm_plen(sh, key)),
			    lpm_plen(sh, key));
}

/* Is entry @e a prefix of key @k? */
static Z3_ast lpm_prefix(struct shared *sh, int m, Z3_ast e, Z3_ast k)
{
	Z3_ast bits = lpm_plen(sh, e);

	return and2(sh, Z3_mk_bvule(sh->z, bits, lpm_plen(sh, k)),
		    Z3_mk_eq(sh->z, lpm_data(sh, m, e, bits), lpm_data(sh, m, k, bits)));
}

static Z3_ast lpm_valid(struct shared *sh, int m, Z3_ast key)
{
	return Z3_mk_bvule(sh->z, lpm_plen(sh, key),
			   k32(sh, (sh->maps[m].key_size - 4) * 8));
}

int bpfext_sym_lpm_lookup(struct side *sd, int m, Z3_ast key, Z3_ast *entry,
			  Z3_ast *found)
{
	struct shared *sh = sd->sh;
	Z3_context z = sh->z;
	struct lpm_lookup *l;
	Z3_ast norm;
	int ret;

	if (!sh->match0[m]) {
		Z3_sort ks = Z3_mk_bv_sort(z, sh->maps[m].key_size * 8);
		char name[32];

		snprintf(name, sizeof(name), "match%d", m);
		sh->match0[m] = Z3_mk_func_decl(z, Z3_mk_string_symbol(z, name), 1, &ks, ks);
	}
	if (bpfext_grow(&sh->lpm, &sh->cap_lpm, sh->nr_lpm + 1, sizeof(*sh->lpm)))
		return fail(sh, ENOMEM, "out of memory");
	norm = lpm_norm(sh, m, key);
	l = &sh->lpm[sh->nr_lpm++];
	l->map = m;
	l->key = key;
	l->entry = Z3_mk_app(z, sh->match0[m], 1, &norm);
	ret = bpfext_sym_note_key(sh, m, l->entry);
	if (ret)
		return ret;
	*entry = l->entry;
	*found = and2(sh, lpm_valid(sh, m, key), bpfext_sym_present_at(sd, m, l->entry));
	return 0;
}

/*
 * What holds of every trie, for the keys noted (entries found, keys where
 * the final maps are compared) and the lookups made: an entry is named by
 * its cleared key; a lookup finds a prefix of its key; and if an entry is
 * a prefix of a lookup's key, the lookup finds one at least as long.
 * Every counterexample is then a trie whose real lookups give what the
 * model says.
 */
Z3_ast bpfext_sym_lpm_facts(struct shared *sh)
{
	Z3_context z = sh->z;
	Z3_ast acc = Z3_mk_true(z);
	size_t i, j;

	for (j = 0; j < sh->nr_lpm; j++) {
		const struct lpm_lookup *l = &sh->lpm[j];
		Z3_ast pe = Z3_mk_app(z, sh->present0[l->map], 1, &l->entry);

		acc = and2(sh, acc, Z3_mk_implies(z, and2(sh, lpm_valid(sh, l->map, l->key), pe),
						  lpm_prefix(sh, l->map, l->entry, l->key)));
	}
	for (i = 0; i < sh->nr_keys; i++) {
		int m = sh->keys[i].map;
		Z3_ast k = sh->keys[i].key, pk;

		if (sh->maps[m].type != BPF_MAP_TYPE_LPM_TRIE)
			continue;
		pk = Z3_mk_app(z, sh->present0[m], 1, &k);
		acc = and2(sh, acc, Z3_mk_implies(z, pk, and2(sh, lpm_valid(sh, m, k),
						  Z3_mk_eq(z, k, lpm_norm(sh, m, k)))));
		for (j = 0; j < sh->nr_lpm; j++) {
			const struct lpm_lookup *l = &sh->lpm[j];
			Z3_ast v[3], w[2];

			if (l->map != m)
				continue;
			v[0] = lpm_valid(sh, m, l->key);
			v[1] = pk;
			v[2] = lpm_prefix(sh, m, k, l->key);
			w[0] = Z3_mk_app(z, sh->present0[m], 1, &l->entry);
			w[1] = Z3_mk_bvuge(z, lpm_plen(sh, l->entry), lpm_plen(sh, k));
			acc = and2(sh, acc, Z3_mk_implies(z, Z3_mk_and(z, 3, v),
							  Z3_mk_and(z, 2, w)));
		}
	}
	return acc;
}

/* Byte @off (BV64) of a value_size-byte bit-vector. */
static Z3_ast byte_of(struct shared *sh, Z3_ast value, uint32_t vs, Z3_ast off)
{
	uint64_t k;
	Z3_ast acc;
	uint32_t i;

	if (numeral(sh, off, &k))
		return k < vs ? Z3_mk_extract(sh->z, (unsigned int)k * 8 + 7,
					      (unsigned int)k * 8, value) : k8(sh, 0);
	acc = k8(sh, 0);
	for (i = 0; i < vs; i++)
		acc = Z3_mk_ite(sh->z, Z3_mk_eq(sh->z, off, k64(sh, i)),
				Z3_mk_extract(sh->z, i * 8 + 7, i * 8, value), acc);
	return acc;
}

Z3_ast bpfext_sym_val_at(struct side *sd, int m, Z3_ast key, Z3_ast off)
{
	struct shared *sh = sd->sh;
	const struct mops *ms = &sd->mops[m];
	Z3_ast args[2] = { key, off };
	Z3_ast acc = Z3_mk_app(sh->z, sh->val0[m], 2, args);
	size_t i;

	for (i = 0; i < ms->n; i++) {
		const struct mop *o = &ms->o[i];
		Z3_ast hit = and2(sh, o->guard, Z3_mk_eq(sh->z, o->key, key));

		if (o->kind == MOP_STORE)
			acc = Z3_mk_ite(sh->z, and2(sh, hit, Z3_mk_eq(sh->z, o->off, off)),
					o->byte, acc);
		else if (o->kind == MOP_UPDATE)
			acc = Z3_mk_ite(sh->z, hit, byte_of(sh, o->value,
							     sh->maps[m].value_size, off),
					acc);
	}
	return acc;
}

/* ---- accesses ---- */

/* Where a pointer register plus @off points. */
int bpfext_sym_access_of(struct side *sd, const struct val *p, int16_t off,
			 struct access *a, size_t slot)
{
	struct shared *sh = sd->sh;

	a->addr = Z3_mk_bvadd(sh->z, p->v, k64(sh, (uint64_t)(int64_t)off));
	a->map = -1;
	a->key = NULL;
	if (!sh->prog) {
		a->r = M_FLAT;
		return 0;
	}
	switch (p->tag) {
	case T_STACK: a->r = M_STACK; return 0;
	case T_PKT: a->r = M_PKT; return 0;
	case T_CTX: a->r = M_CTX; return 0;
	case T_MAPVAL:
		if (p->nullable)
			return fail(sh, ENOTSUP, "insn %zu: access through a pointer that is NULL on some path",
				    slot);
		/*
		 * An update puts a new element in a hash or a trie; what an
		 * earlier lookup gave keeps the old one (or, once freed, another
		 * key's): not modelled.
		 */
		if (!bpfext_sym_map_is_array(sh->maps[p->map].type)) {
			const struct mops *ms = &sd->mops[p->map];
			size_t i;

			for (i = p->gen; i < ms->n; i++)
				if (ms->o[i].kind == MOP_UPDATE || ms->o[i].kind == MOP_EVICT)
					return fail(sh, ENOTSUP, "insn %zu: access through a pointer into map %s from before an update of it",
						    slot, sh->maps[p->map].name);
		}
		if (is_devmap(sh->maps[p->map].type))
			return fail(sh, ENOTSUP, "insn %zu: access to what a lookup in map %s gives (a device, CPU or socket)",
				    slot, sh->maps[p->map].name);
		a->r = M_MAP;
		a->map = p->map;
		a->key = p->key;
		return 0;
	default:
		return fail(sh, ENOTSUP, "insn %zu: memory access through a %s",
			    slot, p->tag == T_CONFLICT ? "register of mixed types" :
			    p->tag == T_PKT_END ? "packet end pointer" :
			    p->tag == T_MAP ? "map pointer" : "scalar");
	}
}

/*
 * A store to the stack: a spilled pointer it overwrites whole is gone.
 * One it overwrites in part leaves bytes of the pointer, which the
 * model does not have (it holds a pointer's offset, not its address):
 * the slot is of mixed type, and reads of it fail.
 */
static void clear_slots(struct side *sd, Z3_ast addr, unsigned int size)
{
	struct val *sp = sd->cur ? sd->cur + 11 : NULL;
	uint64_t o;
	int k;

	if (!sp)
		return;
	if (numeral(sd->sh, addr, &o)) {
		for (k = 0; k < NSLOTS; k++) {
			if (!(o < (uint64_t)k * 8 + 8 && o + size > (uint64_t)k * 8))
				continue;
			if (o <= (uint64_t)k * 8 && o + size >= (uint64_t)k * 8 + 8)
				sp[k].tag = T_SCALAR;
			else if (sp[k].tag != T_SCALAR)
				sp[k].tag = T_CONFLICT;
		}
		return;
	}
	for (k = 0; k < NSLOTS; k++)
		if (sp[k].tag != T_SCALAR)
			sp[k].tag = T_CONFLICT;	/* maybe overwritten */
}

/*
 * A load from the stack: 1 if it is a plain scalar, 0 with @out set for
 * the fill of a spilled pointer, or a negative errno.
 */
int bpfext_sym_stack_fill(struct side *sd, Z3_ast addr, unsigned int size,
			  struct val *out, size_t slot)
{
	struct val *sp = sd->cur + 11;
	uint64_t o;
	int k;

	if (!numeral(sd->sh, addr, &o)) {
		for (k = 0; k < NSLOTS; k++)
			if (sp[k].tag != T_SCALAR)
				return fail(sd->sh, ENOTSUP,
					    "insn %zu: stack load at a variable offset near a spilled pointer", slot);
		return 1;
	}
	for (k = 0; k < NSLOTS; k++) {
		if (!(o < (uint64_t)k * 8 + 8 && o + size > (uint64_t)k * 8) ||
		    sp[k].tag == T_SCALAR)
			continue;
		if (sp[k].tag == T_CONFLICT || size != 8 || o != (uint64_t)k * 8 ||
		    (sp[k].tag == T_MAPVAL && sp[k].from_bytes))
			return fail(sd->sh, ENOTSUP,
				    "insn %zu: partial or mixed-type fill of a stack slot", slot);
		*out = sp[k];
		return 0;
	}
	return 1;
}

/*
 * A helper (or an atomic operation) reads @n bytes of the stack at @addr
 * as bytes: it fails where they may hold a spilled pointer, whose bytes
 * the model does not have.
 */
int bpfext_sym_stack_bytes(struct side *sd, Z3_ast addr, uint64_t n, size_t slot)
{
	struct val *sp = sd->cur ? sd->cur + 11 : NULL;
	uint64_t o;
	int k;
	bool known = numeral(sd->sh, addr, &o);

	if (!sp)
		return 0;
	for (k = 0; k < NSLOTS; k++) {
		if (sp[k].tag == T_SCALAR)
			continue;
		if (!known || (o < (uint64_t)k * 8 + 8 && o + n > (uint64_t)k * 8))
			return fail(sd->sh, ENOTSUP,
				    "insn %zu: reads the bytes of a spilled pointer, which the checker does not model",
				    slot);
	}
	return 0;
}

/* @n bytes little endian as a BV(n * 8). */
Z3_ast bpfext_sym_acc_read_raw(struct side *sd, const struct access *a,
			       unsigned int n)
{
	struct shared *sh = sd->sh;
	Z3_ast v = NULL;
	unsigned int i;

	for (i = 0; i < n; i++) {
		Z3_ast at = Z3_simplify(sh->z, Z3_mk_bvadd(sh->z, a->addr, k64(sh, i)));
		Z3_ast b = a->r == M_MAP ?
			   bpfext_sym_val_at(sd, a->map, a->key, at) :
			   bpfext_sym_read_byte(sd, a->r, at);

		v = v ? Z3_mk_concat(sh->z, b, v) : b;
	}
	return v;
}

Z3_ast bpfext_sym_acc_read(struct side *sd, const struct access *a,
			   unsigned int size)
{
	Z3_ast v = bpfext_sym_acc_read_raw(sd, a, size);

	return size == 8 ? v : Z3_mk_zero_ext(sd->sh->z, 64 - size * 8, v);
}

int bpfext_sym_acc_write(struct side *sd, const struct access *a, Z3_ast guard,
			 Z3_ast val, unsigned int size)
{
	struct shared *sh = sd->sh;
	unsigned int i;
	int ret;

	if (a->r == M_STACK)
		clear_slots(sd, a->addr, size);
	if (a->r != M_MAP)
		return mem_write(sd, a->r, guard, a->addr, val, size);
	for (i = 0; i < size; i++) {
		struct mop o = {
			.kind = MOP_STORE, .guard = guard, .key = a->key,
			.off = Z3_simplify(sh->z, Z3_mk_bvadd(sh->z, a->addr, k64(sh, i))),
			.byte = Z3_mk_extract(sh->z, i * 8 + 7, i * 8, val),
		};

		ret = bpfext_sym_mop_add(sd, a->map, &o);
		if (ret)
			return ret;
	}
	return 0;
}

/* A load from the context at a concrete offset. */
int bpfext_sym_ctx_load(struct side *sd, Z3_ast addr, unsigned int size,
			struct val *out, size_t slot)
{
	struct shared *sh = sd->sh;
	uint64_t off;

	out->tag = T_SCALAR;
	/* an opaque context is bytes, wherever (a CO-RE offset, say) */
	if (sh->ctx == C_OPAQUE && (!numeral(sh, addr, &off) || off + size <= sh->ctx_size)) {
		out->v = bpfext_sym_mem_read(sd, M_CTX, addr, size);
		return 0;
	}
	if (!numeral(sh, addr, &off) || off + size > sh->ctx_size)
		return fail(sh, ENOTSUP, "insn %zu: context access at a variable or bad offset",
			    slot);
	if (sh->ctx == C_XDP && size == 4 && (off == 0 || off == 8)) {
		out->tag = T_PKT;
		out->v = k64(sh, 0);
		return 0;
	}
	if (sh->ctx == C_XDP && size == 4 && off == 4) {
		out->tag = T_PKT_END;
		out->v = sh->len;
		return 0;
	}
	if (sh->ctx == C_SKB && size == 4 && (off == 76 || off == 140)) {
		out->tag = T_PKT;
		out->v = k64(sh, 0);
		return 0;
	}
	if (sh->ctx == C_SKB && size == 4 && off == 80) {
		out->tag = T_PKT_END;
		out->v = sh->len;
		return 0;
	}
	if (sh->ctx == C_SKB && (off == 144 || off == 168)) {
		out->v = k64(sh, 0);
		return 0;
	}
	if (sh->ctx == C_SKB && off < 4) {
		Z3_ast l = lo32(sh, sh->len);

		if (off + size > 4)
			return fail(sh, ENOTSUP, "insn %zu: context load across skb->len", slot);

		l = Z3_mk_extract(sh->z, (unsigned int)(off + size) * 8 - 1,
				  (unsigned int)off * 8, l);
		out->v = Z3_mk_zero_ext(sh->z, 64 - size * 8, l);
		return 0;
	}
	out->v = bpfext_sym_mem_read(sd, M_CTX, addr, size);
	return 0;
}

