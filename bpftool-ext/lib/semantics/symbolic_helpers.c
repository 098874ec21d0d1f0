// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The Z3 encoding's helper calls, as interp_helpers.c is the
 * interpreter's: tail calls, redirects, map lookups and updates, XDP
 * buffer bytes, copies of memory the program has, and any other helper
 * by its prototype (an unknown function of the history of such calls).
 * The encoders (symbolic.c) call bpfext_sym_helper().
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <z3.h>

#include "util/util.h"
#include "semantics/symbolic.h"
#include "semantics/symbolic_int.h"

static Z3_ast kerr(struct shared *sh, int e)
{
	return k64(sh, (uint64_t)(int64_t)-e);
}

static int add_redir(struct side *sd, Z3_ast guard, Z3_ast ifindex,
		     Z3_ast flags, Z3_ast map)
{
	if (bpfext_grow(&sd->redir, &sd->cap_redir, sd->nr_redir + 1, sizeof(*sd->redir)))
		return fail(sd->sh, ENOMEM, "out of memory");
	sd->redir[sd->nr_redir].guard = guard;
	sd->redir[sd->nr_redir].ifindex = ifindex;
	sd->redir[sd->nr_redir].flags = flags;
	sd->redir[sd->nr_redir].map = map;
	sd->nr_redir++;
	return 0;
}

static int ocall_part(struct shared *sh, struct ocall *oc, Z3_ast v, bool byte)
{
	size_t cap = oc->cap;

	if (bpfext_grow(&oc->parts, &cap, oc->nparts + 1, sizeof(*oc->parts)) ||
	    bpfext_grow(&oc->byte, &oc->cap, oc->nparts + 1, sizeof(*oc->byte)))
		return fail(sh, ENOMEM, "out of memory");
	oc->parts[oc->nparts] = v;
	oc->byte[oc->nparts++] = byte;
	return 0;
}

/*
 * Size argument @n (1-5) of the helper buffer @buf: a known number, or
 * (in *@sym, else NULL) a value only known at run time - a CO-RE field
 * size, say - of at most what @buf can hold: the rest of its stack
 * frame or of its map value; *@max is the number, or that bound.
 */
static int buf_size(struct shared *sh, const struct val *r, unsigned int n,
		    const struct access *buf, uint64_t *max, Z3_ast *sym,
		    size_t slot)
{
	uint64_t off;

	*sym = NULL;
	if (r[n].tag == T_SCALAR && numeral(sh, r[n].v, max) &&
	    *max <= BPFEXT_HELPER_BUF_MAX)
		return 0;
	if (r[n].tag == T_SCALAR && numeral(sh, buf->addr, &off) &&
	    ((buf->r == M_STACK && off < STACK_FRAME * 9) ||
	     (buf->r == M_MAP && off < sh->maps[buf->map].value_size))) {
		*max = buf->r == M_STACK ? STACK_FRAME * (off / STACK_FRAME + 1) - off :
					   sh->maps[buf->map].value_size - off;
		if (*max > BPFEXT_HELPER_BUF_MAX)
			*max = BPFEXT_HELPER_BUF_MAX;
		*sym = r[n].v;
		return 0;
	}
	return fail(sh, ENOTSUP, "insn %zu: helper buffer size in r%u is not a known number up to %d",
		    slot, n, BPFEXT_HELPER_BUF_MAX);
}

/* @n bytes a helper reads at @a: not those of a spilled pointer. */
static int read_ok(struct side *sd, const struct access *a, uint64_t n, size_t slot)
{
	return a->r == M_STACK ? bpfext_sym_stack_bytes(sd, a->addr, n, slot) : 0;
}

/* The guard of byte @j of a buffer of *symbolic* size @sym (NULL: none). */
static Z3_ast within(struct shared *sh, Z3_ast guard, Z3_ast sym, uint64_t j)
{
	return sym ? and2(sh, guard, Z3_mk_bvugt(sh->z, sym, k64(sh, j))) : guard;
}

/* bpf_probe_read_kernel(dst, size, src) of memory the program has. */
static int copy_helper(struct side *sd, struct val *r, Z3_ast reach, size_t slot)
{
	struct shared *sh = sd->sh;
	struct access from, to;
	uint64_t size, j;
	Z3_ast sym;
	int ret;

	ret = bpfext_sym_access_of(sd, &r[3], 0, &from, slot);
	if (!ret)
		ret = bpfext_sym_access_of(sd, &r[1], 0, &to, slot);
	if (!ret)
		ret = buf_size(sh, r, 2, &to, &size, &sym, slot);
	if (!ret)
		ret = read_ok(sd, &from, size, slot);
	if (ret)
		return ret;
	if (to.r == M_CTX)
		return fail(sh, ENOTSUP, "insn %zu: helper buffer in the context", slot);
	for (j = 0; j < size && !ret; j++) {
		struct access f = from, t = to;

		f.addr = Z3_mk_bvadd(sh->z, from.addr, k64(sh, j));
		t.addr = Z3_mk_bvadd(sh->z, to.addr, k64(sh, j));
		ret = bpfext_sym_acc_write(sd, &t, within(sh, reach, sym, j),
					   bpfext_sym_acc_read_raw(sd, &f, 1), 1);
	}
	memset(&r[0], 0, sizeof(r[0]));
	r[0].v = k64(sh, 0);
	return ret;
}

/*
 * A helper by prototype (helper_proto.h): the history takes the call,
 * r0 and the output buffer are unknown functions of the new history.
 */
static int opaque_helper(struct side *sd, const struct bpfext_helper_proto *hp,
			 struct val *r, Z3_ast reach, size_t slot)
{
	struct shared *sh = sd->sh;
	Z3_context z = sh->z;
	Z3_ast args[7], h, ret, osym = NULL, sym;
	struct access out = { 0 };
	struct ocall *oc;
	uint64_t osize = 0, size, j, flags;
	int a, ret_code;

	if (bpfext_grow(&sd->calls, &sd->cap_calls, sd->nr_calls + 1, sizeof(*sd->calls)))
		return fail(sh, ENOMEM, "out of memory");
	/* a read of the program's own memory is a copy (helper_proto.h) */
	if (hp->copy && r[3].tag != T_SCALAR)
		return copy_helper(sd, r, reach, slot);
	oc = &sd->calls[sd->nr_calls++];
	memset(oc, 0, sizeof(*oc));
	oc->id = hp->id;
	oc->reach = reach;
	/* what perf_event_output takes of the packet (flags) is not modelled */
	if (hp->id == BPF_FUNC_perf_event_output && sh->ctx != C_OPAQUE &&
	    (r[3].tag != T_SCALAR || !numeral(sh, r[3].v, &flags) ||
	     (flags & BPF_F_CTXLEN_MASK)))
		return fail(sh, ENOTSUP, "insn %zu: perf_event_output of packet bytes", slot);
	args[0] = r[HIST].v;
	args[1] = k64(sh, (uint64_t)hp->id);
	ret_code = ocall_part(sh, oc, args[1], false);
	for (a = 0; a < 5; a++)
		args[2 + a] = k64(sh, 0);
	for (a = 0; a < hp->nargs && !ret_code; a++) {
		const struct val *v = &r[a + 1];
		struct access acc;

		switch (hp->arg[a]) {
		case HARG_SCALAR:
			/*
			 * The bytes behind a pointer the helper reads through
			 * (a %s string, a str read's source) are not in the
			 * history: only its place would be.
			 */
			if (v->tag != T_SCALAR && (hp->deref & (1u << a)))
				return fail(sh, ENOTSUP,
					    "insn %zu: helper %s reads memory through r%d, which the checker does not model",
					    slot, bpfext_helper_name(hp->id) ? bpfext_helper_name(hp->id) : "?",
					    a + 1);
			/* a pointer into the context or the frame: its place */
			if (v->tag == T_CTX || (v->tag == T_STACK && numeral(sh, v->v, &flags) &&
						flags <= 512))
				args[2 + a] = Z3_mk_bvor(z, v->v, k64(sh, v->tag == T_CTX ?
							BPFEXT_CALL_PTR_CTX : BPFEXT_CALL_PTR_STACK));
			else if (v->tag == T_SCALAR)
				args[2 + a] = v->v;
			else
				return fail(sh, ENOTSUP, "insn %zu: helper %d: r%d is a pointer",
					    slot, hp->id, a + 1);
			ret_code = ocall_part(sh, oc, args[2 + a], false);
			break;
		case HARG_MAP:
			if (v->tag != T_MAP)
				return fail(sh, ENOTSUP, "insn %zu: helper %d: r%d is not a known map",
					    slot, hp->id, a + 1);
			args[2 + a] = k64(sh, (uint64_t)v->map);
			ret_code = ocall_part(sh, oc, args[2 + a], false);
			break;
		case HARG_IN:
		case HARG_OUT:
		case HARG_INOUT:
			ret_code = bpfext_sym_access_of(sd, v, 0, &acc, slot);
			if (!ret_code)
				ret_code = buf_size(sh, r, hp->size_arg[a], &acc, &size,
						    &sym, slot);
			if (ret_code)
				break;
			if (acc.r == M_CTX)
				return fail(sh, ENOTSUP, "insn %zu: helper buffer in the context", slot);
			if (hp->arg[a] != HARG_IN) {
				out = acc;
				osize = size;
				osym = sym;
			}
			if (hp->arg[a] == HARG_OUT)
				break;
			if (sym)
				return fail(sh, ENOTSUP, "insn %zu: helper input of a size known at run time",
					    slot);
			ret_code = read_ok(sd, &acc, size, slot);
			for (j = 0; j < size && !ret_code; j++) {
				struct access at = acc;

				at.addr = Z3_mk_bvadd(z, acc.addr, k64(sh, j));
				ret_code = ocall_part(sh, oc, bpfext_sym_acc_read_raw(sd, &at, 1), true);
			}
			break;
		default:
			break;
		}
	}
	if (ret_code)
		return ret_code;
	h = Z3_mk_app(z, sh->call_f, 7, args);
	for (j = 0; j < oc->nparts; j++) {
		Z3_ast fa[2] = { h, oc->parts[j] };

		if (oc->byte[j])
			h = Z3_mk_app(z, sh->feed_f, 2, fa);
	}
	ret = Z3_mk_app(z, sh->ret_f, 1, &h);
	for (j = 0; j < osize; j++) {
		Z3_ast fa[2] = { h, k64(sh, j) };
		Z3_ast guard = hp->str ? and2(sh, reach, Z3_mk_bvsgt(z, ret, k64(sh, j))) :
					 reach;
		struct access at = out;

		guard = within(sh, guard, osym, j);
		at.addr = Z3_mk_bvadd(z, out.addr, k64(sh, j));
		ret_code = bpfext_sym_acc_write(sd, &at, guard, Z3_mk_app(z, sh->out_f, 2, fa), 1);
		/*
		 * A string read that fails (r0 < 0) zeroes the whole buffer
		 * (the kernel memsets it), not only the bytes before r0.
		 */
		if (!ret_code && hp->str)
			ret_code = bpfext_sym_acc_write(sd, &at,
							within(sh, and2(sh, reach,
									Z3_mk_bvslt(z, ret, k64(sh, 0))),
							       osym, j),
							k8(sh, 0), 1);
		if (ret_code)
			return ret_code;
	}
	oc->h = h;
	oc->nout = (uint32_t)osize;
	memset(&r[0], 0, sizeof(r[0]));
	r[0].v = ret;
	r[HIST].v = h;
	return 0;
}

/* bpf_tail_call: leaves the program when the input fills the prog array. */
static int helper_tail_call(struct side *sd, struct val *r, Z3_ast *reachp,
			    size_t slot)
{
	Z3_ast reach = *reachp;
	struct shared *sh = sd->sh;
	Z3_context z = sh->z;
	Z3_ast idx = Z3_mk_zero_ext(z, 32, lo32(sh, r[3].v)), hit;
	int k;

	if (r[2].tag != T_MAP || sh->maps[r[2].map].type != BPF_MAP_TYPE_PROG_ARRAY ||
	    r[3].tag != T_SCALAR)
		return fail(sh, ENOTSUP, "insn %zu: tail call without a known prog array", slot);
	/*
	 * Taken when the slot is filled: each slot on its own, an unknown
	 * both sides share; tail_ok is what the interpreter can replay (every
	 * slot filled or none).
	 */
	{
		Z3_sort bv64 = sh->bv64;
		char name[32];
		Z3_ast filled;

		snprintf(name, sizeof(name), "tfill%d", r[2].map);
		filled = Z3_mk_app(z, Z3_mk_func_decl(z, Z3_mk_string_symbol(z, name), 1, &bv64,
						      Z3_mk_bool_sort(z)), 1, &idx);
		if (bpfext_grow(&sh->tfills, &sh->cap_tfills, sh->nr_tfills + 1,
				sizeof(*sh->tfills)))
			return fail(sh, ENOMEM, "out of memory");
		sh->tfills[sh->nr_tfills++] = filled;
		hit = and2(sh, reach, and2(sh, and2(sh, sh->tail_ok, filled),
			   Z3_mk_bvult(z, idx, bpfext_sym_max_entries(sh, r[2].map, sh->bv64))));
	}
	/*
	 * The tail callee runs on this stack frame and may read it: its
	 * bytes are an output (prog_same() compares those either side
	 * stored).  A spilled pointer there is the kernel's address: the
	 * same on both sides where both spill the same kind of pointer to
	 * a base both share at the same offset (the context, the packet,
	 * the frame, a map, an array element by its key), which the
	 * model's bytes (the offset) then say.
	 */
	if (!is_false(sh, Z3_simplify(z, hit))) {
		struct tailpt *tp;

		if (bpfext_grow(&sd->tails, &sd->cap_tails, sd->nr_tails + 1, sizeof(*sd->tails)))
			return fail(sh, ENOMEM, "out of memory");
		tp = &sd->tails[sd->nr_tails];
		for (k = 0; k < NSLOTS; k++) {
			const struct val *v = &r[11 + k];

			if (v->tag == T_CONFLICT ||
			    (v->tag == T_MAPVAL && (!map_usable(sh, v->map) ||
						    !bpfext_sym_map_is_array(sh->maps[v->map].type))))
				return fail(sh, ENOTSUP,
					    "insn %zu: a tail call passes on the stack frame a spilled pointer (at fp%d) into a hash map or of mixed type, which the checker does not compare",
					    slot, k * 8 - STACK_FRAME);
			tp->slot[k] = *v;
		}
		tp->hit = hit;
		tp->nstk = sd->mem[M_STACK].n;
		sd->nr_tails++;
	}
	sd->tail_target = Z3_mk_ite(z, hit, Z3_mk_bvor(z, idx,
				    k64(sh, (uint64_t)r[2].map << 32)), sd->tail_target);
	sd->tail_cond = or2(sh, hit, sd->tail_cond);
	sd->hist = Z3_mk_ite(z, hit, r[HIST].v, sd->hist);
	*reachp = and2(sh, reach, Z3_mk_not(z, hit));
	return 0;	/* falls through with r0 unchanged */
}

/* bpf_redirect: its target is an output. */
static int helper_redirect(struct side *sd, struct val *r, Z3_ast reach, size_t slot)
{
	struct shared *sh = sd->sh;
	Z3_context z = sh->z;
	Z3_ast ifx = Z3_mk_zero_ext(z, 32, lo32(sh, r[1].v)), okf;
	Z3_ast f = r[2].v;

	if (r[1].tag != T_SCALAR || r[2].tag != T_SCALAR)
		return fail(sh, ENOTSUP, "insn %zu: redirect of a pointer", slot);
	memset(&r[0], 0, sizeof(r[0]));
	if (sh->ctx == C_XDP) {
		okf = Z3_mk_eq(z, f, k64(sh, 0));
		r[0].v = Z3_mk_ite(z, okf, k64(sh, XDP_REDIRECT), k64(sh, XDP_ABORTED));
	} else {
		okf = Z3_mk_eq(z, Z3_mk_bvand(z, f, k64(sh, ~(uint64_t)BPF_F_INGRESS)),
			       k64(sh, 0));
		r[0].v = Z3_mk_ite(z, okf, k64(sh, 7), k64(sh, 2));
	}
	return add_redir(sd, and2(sh, reach, okf), ifx, f, k64(sh, ~0ull));
}

/* bpf_redirect_map on device, CPU and XSK maps of unknown contents. */
static int helper_redirect_map(struct side *sd, struct val *r, Z3_ast reach,
			       size_t slot)
{
	struct shared *sh = sd->sh;
	Z3_context z = sh->z;
	uint64_t f;
	Z3_ast rkey, rpres;
	int mi, ret;

	if (sh->ctx != C_XDP || r[1].tag != T_MAP || r[2].tag != T_SCALAR ||
	    r[3].tag != T_SCALAR || !numeral(sh, r[3].v, &f))
		return fail(sh, ENOTSUP, "insn %zu: redirect_map with variable flags or outside XDP", slot);
	mi = r[1].map;
	if (!map_usable(sh, mi) || !is_devmap(sh->maps[mi].type) ||
	    sh->maps[mi].key_size != 4)
		return fail(sh, ENOTSUP, "insn %zu: redirect_map on map %s", slot,
			    sh->maps[mi].name);
	memset(&r[0], 0, sizeof(r[0]));
	if (f & ~bpfext_redirect_map_flags(sh->maps[mi].type)) {
		r[0].v = k64(sh, XDP_ABORTED);
		return 0;
	}
	rkey = lo32(sh, r[2].v);
	ret = bpfext_sym_note_key(sh, mi, rkey);
	if (ret)
		return ret;
	rpres = (f & BPF_F_BROADCAST) ? Z3_mk_true(z) : bpfext_sym_present_at(sd, mi, rkey);
	r[0].v = Z3_mk_ite(z, rpres, k64(sh, XDP_REDIRECT), k64(sh, f & 3));
	return add_redir(sd, and2(sh, reach, rpres), Z3_mk_zero_ext(z, 32, rkey),
			 k64(sh, f), k64(sh, (uint64_t)mi));
}

/* bpf_xdp_load_bytes, bpf_xdp_store_bytes: bytes between packet and buffer. */
static int helper_xdp_bytes(struct side *sd, int32_t id, struct val *r, Z3_ast reach,
			    size_t slot)
{
	struct shared *sh = sd->sh;
	Z3_context z = sh->z;
	Z3_ast off = Z3_mk_zero_ext(z, 32, lo32(sh, r[2].v)), err;
	struct access pa;
	uint64_t n;
	unsigned int j;
	struct access va;
	Z3_ast ok;
	int ret;

	if (sh->ctx != C_XDP)
		return fail(sh, ENOTSUP, "insn %zu: xdp helper outside XDP", slot);
	if (r[2].tag != T_SCALAR || r[4].tag != T_SCALAR ||
	    !numeral(sh, lo32(sh, r[4].v), &n) || !n || n > 512)
		return fail(sh, ENOTSUP, "insn %zu: xdp_load/store_bytes with a variable length", slot);
	ret = bpfext_sym_access_of(sd, &r[3], 0, &va, slot);
	if (ret)
		return ret;
	if (va.r == M_CTX)
		return fail(sh, ENOTSUP, "insn %zu: buffer in the context", slot);
	if (id == BPF_FUNC_xdp_store_bytes) {
		ret = read_ok(sd, &va, n, slot);
		if (ret)
			return ret;
	}
	/* -EFAULT over 0xffff, -EINVAL past the end, else copy */
	ok = and2(sh, Z3_mk_bvule(z, off, k64(sh, 0xffff)),
		  Z3_mk_bvule(z, Z3_mk_bvadd(z, off, k64(sh, n)), sh->len));
	err = Z3_mk_ite(z, Z3_mk_bvugt(z, off, k64(sh, 0xffff)),
			kerr(sh, EFAULT), kerr(sh, EINVAL));
	memset(&pa, 0, sizeof(pa));
	pa.r = M_PKT;
	pa.addr = off;
	pa.map = -1;
	for (j = 0; j < n; j++) {
		struct access from = id == BPF_FUNC_xdp_load_bytes ? pa : va;
		struct access to = id == BPF_FUNC_xdp_load_bytes ? va : pa;
		Z3_ast b;

		from.addr = Z3_mk_bvadd(z, from.addr, k64(sh, j));
		to.addr = Z3_mk_bvadd(z, to.addr, k64(sh, j));
		b = bpfext_sym_acc_read_raw(sd, &from, 1);
		ret = bpfext_sym_acc_write(sd, &to, and2(sh, reach, ok), b, 1);
		if (ret)
			return ret;
	}
	memset(&r[0], 0, sizeof(r[0]));
	r[0].v = Z3_mk_ite(z, ok, k64(sh, 0), err);
	return 0;
}

/* What a lookup gives: the value at @key of map @m, if @nonnull. */
static void set_mapval(struct side *sd, struct val *r0, int m, Z3_ast key, Z3_ast nonnull)
{
	memset(r0, 0, sizeof(*r0));
	r0->tag = T_MAPVAL;
	r0->v = k64(sd->sh, 0);
	r0->map = m;
	r0->key = key;
	r0->nonnull = nonnull;
	r0->gen = sd->mops[m].n;
}

/* bpf_map_lookup_elem, _update_elem, _delete_elem: operations on the map. */
static int helper_map(struct side *sd, int32_t id, struct val *r, Z3_ast reach,
		      size_t slot)
{
	struct shared *sh = sd->sh;
	Z3_context z = sh->z;
	const struct bpfext_map_desc *md;
	struct access ka, va;
	Z3_ast key, pres, val, ok, busy;
	struct mop o;
	uint64_t flags;
	int m, ret;

	if (r[1].tag != T_MAP)
		return fail(sh, ENOTSUP, "insn %zu: r1 is not a known map", slot);
	m = r[1].map;
	md = &sh->maps[m];
	/* in a devmap, cpumap or xskmap only whether a key is there */
	if (!map_usable(sh, m) || (is_devmap(md->type) && id != BPF_FUNC_map_lookup_elem)) {
		if (md->key_size > BPFEXT_SYM_MAX_KEY ||
		    (md->value_size > BPFEXT_SYM_MAX_VALUE && !md->is_data))
			return fail(sh, ENOTSUP, "insn %zu: map %s: %s over %d bytes are not encoded",
				    slot, md->name,
				    md->key_size > BPFEXT_SYM_MAX_KEY ? "keys" : "values",
				    md->key_size > BPFEXT_SYM_MAX_KEY ? BPFEXT_SYM_MAX_KEY :
									BPFEXT_SYM_MAX_VALUE);
		return fail(sh, ENOTSUP, "insn %zu: map %s (type %u) is not encoded",
			    slot, md->name, md->type);
	}
	if (md->type == BPF_MAP_TYPE_LPM_TRIE &&
	    (id != BPF_FUNC_map_lookup_elem || md->key_size < 5))
		return fail(sh, ENOTSUP, "insn %zu: map %s: %s", slot, md->name,
			    md->key_size < 5 ? "LPM trie keys under 5 bytes" :
			    "updates and deletes of an LPM trie are not encoded");
	ret = bpfext_sym_access_of(sd, &r[2], 0, &ka, slot);
	if (ret)
		return ret;
	if (ka.r == M_CTX)
		return fail(sh, ENOTSUP, "insn %zu: key in the context", slot);
	ret = read_ok(sd, &ka, md->key_size, slot);
	if (ret)
		return ret;
	key = bpfext_sym_acc_read_raw(sd, &ka, md->key_size);
	if (md->type == BPF_MAP_TYPE_LPM_TRIE) {
		Z3_ast entry, found;

		ret = bpfext_sym_lpm_lookup(sd, m, key, &entry, &found);
		if (!ret)
			set_mapval(sd, &r[0], m, entry, found);
		return ret;
	}
	ret = bpfext_sym_note_key(sh, m, key);
	if (ret)
		return ret;
	pres = bpfext_sym_present_at(sd, m, key);
	memset(&o, 0, sizeof(o));
	o.key = key;

	if (id == BPF_FUNC_map_lookup_elem) {
		set_mapval(sd, &r[0], m, key, pres);
		if (!is_lru(md->type))
			return 0;
		o.kind = MOP_TOUCH;
		o.guard = reach;
		return bpfext_sym_mop_add(sd, m, &o);
	}
	/*
	 * A hash's bucket lock refuses a program that runs while it is held
	 * on this CPU (a tracing program in the middle of an update): -EBUSY.
	 */
	busy = sh->ctx == C_OPAQUE && !bpfext_sym_map_is_array(md->type) ?
	       bpfext_sym_map_unknown(sd, "busy", m, key) : Z3_mk_false(z);
	if (id == BPF_FUNC_map_delete_elem) {
		memset(&r[0], 0, sizeof(r[0]));
		if (bpfext_sym_map_is_array(md->type)) {
			r[0].v = kerr(sh, EINVAL);
			return 0;
		}
		r[0].v = Z3_mk_ite(z, busy, kerr(sh, EBUSY),
				   Z3_mk_ite(z, pres, k64(sh, 0), kerr(sh, ENOENT)));
		o.kind = MOP_DELETE;
		o.guard = and2(sh, reach, and2(sh, pres, Z3_mk_not(z, busy)));
		return bpfext_sym_mop_add(sd, m, &o);
	}
	/* update */
	if (r[4].tag != T_SCALAR || !numeral(sh, r[4].v, &flags))
		return fail(sh, ENOTSUP, "insn %zu: map update flags are not a constant", slot);
	ret = bpfext_sym_access_of(sd, &r[3], 0, &va, slot);
	if (ret)
		return ret;
	if (va.r == M_CTX)
		return fail(sh, ENOTSUP, "insn %zu: value in the context", slot);
	if (md->value_size > BPFEXT_SYM_MAX_VALUE)
		return fail(sh, ENOTSUP, "insn %zu: update of a %u-byte value", slot,
			    md->value_size);
	ret = read_ok(sd, &va, md->value_size, slot);
	if (ret)
		return ret;
	val = bpfext_sym_acc_read_raw(sd, &va, md->value_size);
	memset(&r[0], 0, sizeof(r[0]));
	if ((flags & ~(uint64_t)BPF_F_LOCK) > BPF_EXIST) {
		r[0].v = kerr(sh, EINVAL);
		return 0;
	}
	/* -EINVAL unless the value holds a bpf_spin_lock, which maps do not say */
	if (flags & BPF_F_LOCK)
		return fail(sh, ENOTSUP, "insn %zu: map %s: update with BPF_F_LOCK", slot,
			    md->name);
	if (md->rdonly_prog) {
		r[0].v = kerr(sh, EPERM);
		return 0;
	}
	if (bpfext_sym_map_is_array(md->type)) {
		ok = pres;	/* in range */
		if ((flags & 3) == BPF_NOEXIST) {
			r[0].v = Z3_mk_ite(z, pres, kerr(sh, EEXIST), kerr(sh, E2BIG));
			return 0;
		}
		r[0].v = Z3_mk_ite(z, pres, k64(sh, 0), kerr(sh, E2BIG));
	} else {
		Z3_ast room, flagerr, flagcode, fail_alloc, failcode, res;

		/*
		 * An LRU hash takes a free node first, whatever the flags (but
		 * a per-CPU one for BPF_EXIST): that may evict any element, the
		 * key too, or find none (-ENOMEM).  The flags are checked on
		 * what is there after.
		 */
		if (is_lru(md->type) && !(md->type == BPF_MAP_TYPE_LRU_PERCPU_HASH &&
					  (flags & 3) == BPF_EXIST)) {
			struct mop ev = { .kind = MOP_EVICT, .guard = reach, .key = key };

			ret = bpfext_sym_mop_add(sd, m, &ev);
			if (ret)
				return ret;
			pres = bpfext_sym_present_at(sd, m, key);
			room = bpfext_sym_map_room(sd, m, key);
			fail_alloc = Z3_mk_not(z, room);
			failcode = kerr(sh, ENOMEM);
		} else if (is_lru(md->type)) {
			fail_alloc = Z3_mk_false(z);
			failcode = kerr(sh, ENOMEM);
		} else {
			/*
			 * A new element needs room: a full hash says -E2BIG.  One
			 * without preallocated elements allocates to replace one
			 * too, and either may fail to allocate (-ENOMEM); per-CPU
			 * hashes replace in place.
			 */
			bool nopre = md->map_flags & BPF_F_NO_PREALLOC;
			Z3_ast need = nopre && md->type == BPF_MAP_TYPE_HASH ? Z3_mk_true(z) :
									  Z3_mk_not(z, pres);

			room = bpfext_sym_map_room(sd, m, key);
			fail_alloc = and2(sh, need, Z3_mk_not(z, room));
			failcode = !nopre ? kerr(sh, E2BIG) :
				   Z3_mk_ite(z, or2(sh, pres, bpfext_sym_map_unknown(sd, "nomem", m, key)),
					     kerr(sh, ENOMEM), kerr(sh, E2BIG));
		}
		flagerr = (flags & 3) == BPF_NOEXIST ? pres :
			  (flags & 3) == BPF_EXIST ? Z3_mk_not(z, pres) : Z3_mk_false(z);
		flagcode = kerr(sh, (flags & 3) == BPF_NOEXIST ? EEXIST : ENOENT);
		if (is_lru(md->type))	/* the node first, then the lock, then the flags */
			res = Z3_mk_ite(z, fail_alloc, failcode,
					Z3_mk_ite(z, busy, kerr(sh, EBUSY),
						  Z3_mk_ite(z, flagerr, flagcode, k64(sh, 0))));
		else			/* the lock, the flags, then the element */
			res = Z3_mk_ite(z, busy, kerr(sh, EBUSY),
					Z3_mk_ite(z, flagerr, flagcode,
						  Z3_mk_ite(z, fail_alloc, failcode, k64(sh, 0))));
		r[0].v = res;
		ok = Z3_mk_not(z, or2(sh, busy, or2(sh, flagerr, fail_alloc)));
	}
	o.kind = MOP_UPDATE;
	o.guard = and2(sh, reach, ok);
	o.value = val;
	return bpfext_sym_mop_add(sd, m, &o);
}

int bpfext_sym_helper(struct side *sd, int32_t id, struct val *r, Z3_ast *reachp,
		      size_t slot)
{
	struct shared *sh = sd->sh;

	switch (id) {
	case BPF_FUNC_get_smp_processor_id:
		memset(&r[0], 0, sizeof(r[0]));
		r[0].v = sh->cpu;
		return 0;
	case BPF_FUNC_tail_call:
		return helper_tail_call(sd, r, reachp, slot);
	case BPF_FUNC_redirect:
		return helper_redirect(sd, r, *reachp, slot);
	case BPF_FUNC_redirect_map:
		return helper_redirect_map(sd, r, *reachp, slot);
	case BPF_FUNC_map_lookup_elem:
	case BPF_FUNC_map_update_elem:
	case BPF_FUNC_map_delete_elem:
		return helper_map(sd, id, r, *reachp, slot);
	case BPF_FUNC_xdp_get_buff_len:
		if (sh->ctx != C_XDP)
			return fail(sh, ENOTSUP, "insn %zu: xdp helper outside XDP", slot);
		memset(&r[0], 0, sizeof(r[0]));
		r[0].v = sh->len;
		return 0;
	case BPF_FUNC_xdp_load_bytes:
	case BPF_FUNC_xdp_store_bytes:
		return helper_xdp_bytes(sd, id, r, *reachp, slot);
	default:
		if (bpfext_helper_proto(id) && sh->call_f)
			return opaque_helper(sd, bpfext_helper_proto(id), r, *reachp, slot);
		return fail(sh, ENOTSUP, "insn %zu: helper %d (%s) is not encoded yet",
			    slot, id, bpfext_helper_name(id) ? bpfext_helper_name(id) : "?");
	}
}
