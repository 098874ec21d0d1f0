// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The interpreter's helper models, by family: maps, time and random
 * numbers, tail calls and redirects, perf output, checksums, skb and XDP
 * packet access; and opaque calls of helpers by prototype.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util/util.h"
#include "semantics/helper_proto.h"
#include "semantics/interp.h"

/* Maps whose elements a program can read and write through lookup. */
static bool is_data_map(uint32_t type)
{
	switch (type) {
	case BPF_MAP_TYPE_ARRAY:
	case BPF_MAP_TYPE_PERCPU_ARRAY:
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_LRU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
	case BPF_MAP_TYPE_LPM_TRIE:
		return true;
	default:
		return false;
	}
}

/* Element of an array map, created (zeroed) on first use. */
static struct mentry *array_elem(struct bpfext_interp *in, uint32_t m,
				 const uint8_t *key)
{
	const struct bpfext_map_desc *d = &in->lp->maps[m];
	struct mentry *e;

	if (ld_le(key, 4) >= d->max_entries)
		return NULL;
	e = bpfext_interp_map_find(in, m, key);
	return e ? e : bpfext_interp_map_add(in, m, key, NULL);
}

/* ---- checksums (x86-64 kernel definitions) ---- */

static uint32_t csum_add(uint32_t a, uint32_t b)
{
	uint32_t r = a + b;

	return r + (r < b);
}

static uint16_t csum_fold(uint32_t s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static uint32_t csum_partial(const uint8_t *p, uint32_t len, uint32_t seed)
{
	uint64_t s = seed;
	uint32_t i;

	for (i = 0; i + 4 <= len; i += 4)
		s += ld_le(p + i, 4);
	if (len & 2) {
		s += ld_le(p + i, 2);
		i += 2;
	}
	if (len & 1)
		s += p[i];
	while (s >> 32)
		s = (s & 0xffffffff) + (s >> 32);
	return (uint32_t)s;
}

static uint16_t csum16_add(uint16_t c, uint16_t a)
{
	uint16_t r = (uint16_t)(c + a);

	return (uint16_t)(r + (r < a));
}

/* ---- helpers ---- */

static uint64_t next_val(const uint64_t *s, size_t n, size_t *i)
{
	if (!n)
		return 0;
	if (*i < n)
		return s[(*i)++];
	return s[n - 1];
}

static int map_arg(struct bpfext_interp *in, uint64_t v, uint32_t *m)
{
	if ((uint32_t)(v >> 32) != MAP_TAG || (uint32_t)v >= in->lp->nr_maps)
		return -EFAULT;
	*m = (uint32_t)v;
	return 0;
}

#define HFAULT(...) do { \
	snprintf(in->out->fault, sizeof(in->out->fault), __VA_ARGS__); \
	return -EFAULT; } while (0)

/* Packet bytes [off, off + len) relative to skb->data, or NULL. */
static uint8_t *skb_bytes(struct bpfext_interp *in, uint64_t off, uint64_t len)
{
	uint64_t avail = in->end_off - in->data_off;

	if (off > avail || len > avail - off)
		return NULL;
	return in->pkt + in->data_off + off;
}

static bool is_xdp(const struct bpfext_interp *in)
{
	return in->ctx_kind == CTX_XDP;
}

/*
 * An opaque helper call (helper_proto.h): extend the history key chain
 * by what the call reads, answer from the input's calls by it.
 */
static int opaque_call(struct bpfext_interp *in, const struct bpfext_helper_proto *hp,
		       uint64_t *r)
{
	const struct bpfext_interp_input *ip = in->input;
	struct bpfext_interp_output *out = in->out;
	const struct bpfext_interp_call *ans = NULL;
	uint64_t key = bpfext_call_key_u64(out->calls_key, (uint64_t)hp->id);
	uint8_t *obuf = NULL, *src;
	uint64_t osize = 0, j;
	size_t i;
	uint32_t m;
	int a;

	/* a read of the program's own memory is a copy */
	if (hp->copy && r[2] <= BPFEXT_HELPER_BUF_MAX &&
	    (src = mem_ptr(in, r[3], (uint32_t)r[2], false))) {
		obuf = mem_ptr(in, r[1], (uint32_t)r[2], true);
		if (!obuf)
			HFAULT("helper %d: bad buffer in r1", hp->id);
		memmove(obuf, src, r[2]);
		r[0] = 0;
		return 0;
	}

	for (a = 0; a < hp->nargs; a++) {
		uint64_t v = r[a + 1], size = hp->size_arg[a] ? r[hp->size_arg[a]] : 0;
		uint8_t *p;

		switch (hp->arg[a]) {
		case HARG_SCALAR:
			/* pointers into the context or frame 0 by their place */
			if ((v >> 32) == R_CTX)
				v = BPFEXT_CALL_PTR_CTX | (uint32_t)v;
			else if ((v >> 32) == R_STACK0)
				v = BPFEXT_CALL_PTR_STACK | (uint32_t)v;
			key = bpfext_call_key_u64(key, v);
			break;
		case HARG_MAP:
			if (map_arg(in, v, &m))
				HFAULT("helper %d: r%d is not a map", hp->id, a + 1);
			key = bpfext_call_key_u64(key, m);
			break;
		case HARG_IN:
		case HARG_OUT:
		case HARG_INOUT:
			if (size > BPFEXT_HELPER_BUF_MAX)
				HFAULT("helper %d: buffer of %llu bytes", hp->id,
				       (unsigned long long)size);
			p = size ? mem_ptr(in, v, (uint32_t)size, hp->arg[a] != HARG_IN) :
				   NULL;
			if (size && !p)
				HFAULT("helper %d: bad buffer in r%d", hp->id, a + 1);
			if (hp->arg[a] != HARG_OUT)
				key = bpfext_call_key_bytes(key, p, size);
			if (hp->arg[a] != HARG_IN) {
				obuf = p;
				osize = size;
			}
			break;
		default:
			break;
		}
	}
	for (i = 0; i < ip->nr_calls && !ans; i++)
		if (ip->calls[i].key == key)
			ans = &ip->calls[i];
	r[0] = ans ? ans->r0 : bpfext_call_default(key, 0);
	/* a failed string read leaves the whole buffer zeroed (the kernel's memset) */
	if (hp->str && (int64_t)r[0] < 0 && osize)
		memset(obuf, 0, osize);
	for (j = 0; j < osize; j++) {
		if (hp->str && !((int64_t)r[0] > (int64_t)j))
			break;
		obuf[j] = ans ? (j < ans->nr_out ? ans->out[j] : 0) :
			  (uint8_t)bpfext_call_default(key, j + 1);
	}
	out->calls_key = key;
	out->opaque_calls++;
	return 0;
}

/*
 * LPM trie keys are a u32 prefix length and the data it counts bits of,
 * most significant bit of the first byte first.  An entry is named by its
 * prefix length and those bits; the data bits past them are kept as the
 * last update wrote them, as the kernel keeps them.
 */
static uint32_t lpm_plen(const uint8_t *key)
{
	return (uint32_t)ld_le(key, 4);
}

static bool lpm_prefix_eq(const uint8_t *a, const uint8_t *b, uint32_t bits)
{
	uint32_t n = bits / 8, rest = bits % 8;

	if (memcmp(a + 4, b + 4, n))
		return false;
	return !rest || !((a[4 + n] ^ b[4 + n]) & (0xff00 >> rest));
}

/* What a lookup of @key finds: the entry with its longest prefix. */
static struct mentry *lpm_lookup(struct bpfext_interp *in, uint32_t m, const uint8_t *key)
{
	struct mstate *ms = &in->maps[m];
	struct mentry *best = NULL;
	uint32_t plen = lpm_plen(key);
	size_t i;

	if (plen > (in->lp->maps[m].key_size - 4) * 8)
		return NULL;
	for (i = 0; i < ms->n; i++) {
		struct mentry *e = &ms->e[i];
		uint32_t ep = lpm_plen(e->key);

		if (e->live && ep <= plen && lpm_prefix_eq(e->key, key, ep) &&
		    (!best || ep > lpm_plen(best->key)))
			best = e;
	}
	return best;
}

/* What an update or a delete of @key replaces: the entry of that prefix. */
static struct mentry *lpm_exact(struct bpfext_interp *in, uint32_t m, const uint8_t *key)
{
	struct mstate *ms = &in->maps[m];
	uint32_t plen = lpm_plen(key);
	size_t i;

	for (i = 0; i < ms->n; i++)
		if (ms->e[i].live && lpm_plen(ms->e[i].key) == plen &&
		    lpm_prefix_eq(ms->e[i].key, key, plen))
			return &ms->e[i];
	return NULL;
}

/* Helpers: map_lookup_elem, map_update_elem, map_delete_elem on the maps the
 * interpreter models (arrays, hashes, LRU hashes, LPM tries). */
static int helper_map(struct bpfext_interp *in, int32_t id, uint64_t *r)
{
	const struct bpfext_map_desc *d;
	struct mentry *e;
	uint8_t *p, *q;
	uint32_t m;
	bool lpm;

	switch (id) {
	case BPF_FUNC_map_lookup_elem:
	case BPF_FUNC_map_update_elem:
	case BPF_FUNC_map_delete_elem:
		if (map_arg(in, r[1], &m))
			HFAULT("helper %d: r1 is not a map", id);
		d = &in->lp->maps[m];
		p = mem_ptr(in, r[2], d->key_size, false);
		if (!p)
			HFAULT("helper %d: bad key pointer", id);
		if (!is_data_map(d->type)) {
			/* what the entries say is there, as redirect_map reads them */
			if (id == BPF_FUNC_map_lookup_elem &&
			    (d->type == BPF_MAP_TYPE_DEVMAP ||
			     d->type == BPF_MAP_TYPE_DEVMAP_HASH ||
			     d->type == BPF_MAP_TYPE_CPUMAP ||
			     d->type == BPF_MAP_TYPE_XSKMAP)) {
				e = bpfext_interp_map_find(in, m, p);
				r[0] = e ? ADDR(e->region, 0) : 0;
				return in->oom ? -ENOMEM : 0;
			}
			HFAULT("helper %d: map %s of type %u is not modelled",
			       id, d->name, d->type);
		}
		lpm = d->type == BPF_MAP_TYPE_LPM_TRIE;
		if (lpm && d->key_size < 5)
			HFAULT("helper %d: LPM trie %s with %u-byte keys", id, d->name,
			       d->key_size);
		if (lpm && id != BPF_FUNC_map_lookup_elem &&
		    lpm_plen(p) > (d->key_size - 4) * 8) {
			r[0] = (uint64_t)-EINVAL;
			return 0;
		}
		if (id == BPF_FUNC_map_lookup_elem) {
			e = bpfext_interp_is_array(d->type) ? array_elem(in, m, p) :
			    lpm ? lpm_lookup(in, m, p) : bpfext_interp_map_find(in, m, p);
			r[0] = e ? ADDR(e->region, 0) : 0;
			if (in->oom)
				return -ENOMEM;
			return 0;
		}
		if (id == BPF_FUNC_map_delete_elem) {
			if (bpfext_interp_is_array(d->type)) {
				r[0] = (uint64_t)-EINVAL;
				return 0;
			}
			e = lpm ? lpm_exact(in, m, p) : bpfext_interp_map_find(in, m, p);
			if (e)
				e->live = 0;
			r[0] = e ? 0 : (uint64_t)-ENOENT;
			return 0;
		}
		q = mem_ptr(in, r[3], d->value_size, false);
		if (!q)
			HFAULT("map_update_elem: bad value pointer");
		if ((r[4] & ~(uint64_t)BPF_F_LOCK) > BPF_EXIST || (lpm && r[4] > BPF_EXIST)) {
			r[0] = (uint64_t)-EINVAL;
			return 0;
		}
		/* -EINVAL unless the value holds a bpf_spin_lock, which maps do not say */
		if (r[4] & BPF_F_LOCK)
			HFAULT("map_update_elem: BPF_F_LOCK on map %s is not modelled", d->name);
		if (d->rdonly_prog) {
			r[0] = (uint64_t)-EPERM;
			return 0;
		}
		if (bpfext_interp_is_array(d->type)) {
			if (ld_le(p, 4) >= d->max_entries) {
				r[0] = (uint64_t)-E2BIG;
				return 0;
			}
			if ((r[4] & 3) == BPF_NOEXIST) {
				r[0] = (uint64_t)-EEXIST;
				return 0;
			}
			e = array_elem(in, m, p);
			if (!e)
				return -ENOMEM;
			memmove(in->regions[e->region - 1].mem, q, d->value_size);
			r[0] = 0;
			return 0;
		}
		e = lpm ? lpm_exact(in, m, p) : bpfext_interp_map_find(in, m, p);
		if (e && (r[4] & 3) == BPF_NOEXIST) {
			r[0] = (uint64_t)-EEXIST;
			return 0;
		}
		if (!e && (r[4] & 3) == BPF_EXIST) {
			r[0] = (uint64_t)-ENOENT;
			return 0;
		}
		/*
		 * A hash or a trie puts a new element in the old one's place:
		 * what an earlier lookup gave keeps the old value.  Per-CPU
		 * hashes update in place.
		 */
		if (e && (d->type == BPF_MAP_TYPE_PERCPU_HASH ||
			  d->type == BPF_MAP_TYPE_LRU_PERCPU_HASH)) {
			memmove(in->regions[e->region - 1].mem, q, d->value_size);
			r[0] = 0;
			return 0;
		}
		if (e) {
			e->live = 0;
			e = bpfext_interp_map_add(in, m, p, q);
			if (!e)
				return in->oom ? -ENOMEM : -EFAULT;
			r[0] = 0;
			return 0;
		}
		{
			size_t i, live = 0;

			for (i = 0; i < in->maps[m].n; i++)
				live += in->maps[m].e[i].live;
			if (live >= d->max_entries) {
				r[0] = (uint64_t)(lpm ? -ENOSPC : -E2BIG);
				return 0;
			}
		}
		/* @q may move if it points into the arena: it does not, arena
		 * chunks never move. */
		e = bpfext_interp_map_add(in, m, p, q);
		if (!e)
			return in->oom ? -ENOMEM : -EFAULT;
		r[0] = 0;
		return 0;
	}
	return -EINVAL;	/* the dispatcher calls each family with its ids */
}

/* Helpers: time, random numbers, the CPU, trace_printk: from the input's streams. */
static int helper_misc(struct bpfext_interp *in, int32_t id, uint64_t *r)
{
	const struct bpfext_interp_input *ip = in->input;

	switch (id) {
	case BPF_FUNC_ktime_get_ns:
	case BPF_FUNC_ktime_get_boot_ns:
	case BPF_FUNC_ktime_get_coarse_ns:
	case BPF_FUNC_ktime_get_tai_ns:
		r[0] = next_val(ip->ktime, ip->nr_ktime, &in->ktime_i);
		return 0;
	case BPF_FUNC_get_prandom_u32:
		r[0] = (uint32_t)next_val(ip->prandom, ip->nr_prandom,
					  &in->prandom_i);
		return 0;
	case BPF_FUNC_get_smp_processor_id:
		r[0] = ip->cpu;
		return 0;
	case BPF_FUNC_trace_printk:
		if (!mem_ptr(in, r[1], (uint32_t)r[2], false))
			HFAULT("trace_printk: bad format pointer");
		r[0] = 0;
		return 0;
	}
	return -EINVAL;	/* the dispatcher calls each family with its ids */
}

/* Helpers: tail calls and redirects: outputs of the run. */
static int helper_control(struct bpfext_interp *in, int32_t id, uint64_t *r)
{
	const struct bpfext_interp_input *ip = in->input;
	struct bpfext_interp_output *out = in->out;
	uint32_t m;

	switch (id) {
	case BPF_FUNC_tail_call:
		if (map_arg(in, r[2], &m) ||
		    in->lp->maps[m].type != BPF_MAP_TYPE_PROG_ARRAY)
			HFAULT("tail_call: r2 is not a prog array");
		if (ip->tail_call_ok &&
		    (uint32_t)r[3] < in->lp->maps[m].max_entries) {
			out->tail_call_map = m;
			out->tail_call_index = (uint32_t)r[3];
			return 1;
		}
		return 0;	/* falls through, r0 unchanged */
	case BPF_FUNC_redirect:
		if (is_xdp(in)) {
			if (r[2]) {
				r[0] = XDP_ABORTED;
				return 0;
			}
			r[0] = XDP_REDIRECT;
		} else {
			if (r[2] & ~(uint64_t)BPF_F_INGRESS) {
				r[0] = 2;	/* TC_ACT_SHOT */
				return 0;
			}
			r[0] = 7;		/* TC_ACT_REDIRECT */
		}
		out->redirect = true;
		out->redirect_ifindex = (uint32_t)r[1];
		out->redirect_flags = r[2];
		out->redirect_map = -1;
		return 0;
	case BPF_FUNC_redirect_map: {
		uint32_t key = (uint32_t)r[2];

		if (map_arg(in, r[1], &m))
			HFAULT("redirect_map: r1 is not a map");
		if (r[3] & ~bpfext_redirect_map_flags(in->lp->maps[m].type)) {
			r[0] = XDP_ABORTED;
			return 0;
		}
		if (!(r[3] & BPF_F_BROADCAST) &&
		    !bpfext_interp_map_find(in, m, (const uint8_t *)&key)) {
			r[0] = r[3] & 3;
			return 0;
		}
		out->redirect = true;
		out->redirect_ifindex = key;
		out->redirect_flags = r[3];
		out->redirect_map = (int32_t)m;
		r[0] = XDP_REDIRECT;
		return 0;
	}
	}
	return -EINVAL;	/* the dispatcher calls each family with its ids */
}

/* Helpers: perf_event_output: counted and hashed in the output. */
static int helper_perf(struct bpfext_interp *in, int32_t id, uint64_t *r)
{
	const struct bpfext_interp_input *ip = in->input;
	struct bpfext_interp_output *out = in->out;
	uint8_t *p;
	uint32_t m;

	switch (id) {
	case BPF_FUNC_perf_event_output: {
		uint64_t idx = r[3] & BPF_F_INDEX_MASK;
		uint64_t h = out->perf_hash;
		uint64_t i;

		if (map_arg(in, r[2], &m) ||
		    in->lp->maps[m].type != BPF_MAP_TYPE_PERF_EVENT_ARRAY)
			HFAULT("perf_event_output: r2 is not a perf event array");
		p = mem_ptr(in, r[4], (uint32_t)r[5], false);
		if (!p || r[5] > 0xffffffff)
			HFAULT("perf_event_output: bad data pointer");
		if (r[3] & ~(uint64_t)(BPF_F_INDEX_MASK | BPF_F_CTXLEN_MASK)) {
			r[0] = (uint64_t)-EINVAL;
			return 0;
		}
		if (idx == BPF_F_CURRENT_CPU)
			idx = ip->cpu;
		if (idx >= in->lp->maps[m].max_entries) {
			r[0] = (uint64_t)-E2BIG;
			return 0;
		}
		if (!ip->perf_ok) {
			r[0] = (uint64_t)-ENOENT;
			return 0;
		}
		if (!out->perf_events)
			h = 0xcbf29ce484222325ull;
		for (i = 0; i < r[5]; i++)
			h = (h ^ p[i]) * 0x100000001b3ull;
		out->perf_hash = h;
		out->perf_events++;
		r[0] = 0;
		return 0;
	}
	}
	return -EINVAL;	/* the dispatcher calls each family with its ids */
}

/* Helpers: checksums, as the x86-64 kernel computes them. */
static int helper_csum(struct bpfext_interp *in, int32_t id, uint64_t *r)
{
	uint8_t *p, *q;

	switch (id) {
	case BPF_FUNC_csum_diff: {
		uint64_t fs = r[2], ts = r[4];
		uint32_t i, n = 0;
		uint32_t diff[128];

		if (((fs | ts) & 3) || fs + ts > sizeof(diff) ||
		    fs > 0xffffffff || ts > 0xffffffff) {
			r[0] = (uint64_t)-EINVAL;
			return 0;
		}
		p = fs ? mem_ptr(in, r[1], (uint32_t)fs, false) : NULL;
		q = ts ? mem_ptr(in, r[3], (uint32_t)ts, false) : NULL;
		if ((fs && !p) || (ts && !q))
			HFAULT("csum_diff: bad buffer");
		for (i = 0; i < fs; i += 4)
			diff[n++] = ~(uint32_t)ld_le(p + i, 4);
		for (i = 0; i < ts; i += 4)
			diff[n++] = (uint32_t)ld_le(q + i, 4);
		r[0] = csum_partial((const uint8_t *)diff, n * 4, (uint32_t)r[5]);
		return 0;
	}
	case BPF_FUNC_l3_csum_replace:
	case BPF_FUNC_l4_csum_replace: {
		uint64_t flags = r[5];
		bool l4 = id == BPF_FUNC_l4_csum_replace;
		uint64_t allowed = BPF_F_HDR_FIELD_MASK |
			(l4 ? (BPF_F_MARK_MANGLED_0 | BPF_F_MARK_ENFORCE |
			       BPF_F_PSEUDO_HDR | BPF_F_IPV6) : 0);
		uint16_t sum;

		if (in->ctx_kind != CTX_SKB)
			HFAULT("csum_replace: not an skb program");
		if (flags & ~allowed) {
			r[0] = (uint64_t)-EINVAL;
			return 0;
		}
		if (r[2] > 0xffff || (r[2] & 1) || !(p = skb_bytes(in, r[2], 2))) {
			r[0] = (uint64_t)-EFAULT;
			return 0;
		}
		sum = (uint16_t)ld_le(p, 2);
		if (l4 && (flags & BPF_F_MARK_MANGLED_0) &&
		    !(flags & BPF_F_MARK_ENFORCE) && !sum) {
			r[0] = 0;
			return 0;
		}
		switch (flags & BPF_F_HDR_FIELD_MASK) {
		case 0:
			if (r[3]) {
				r[0] = (uint64_t)-EINVAL;
				return 0;
			}
			sum = csum_fold(csum_add((uint32_t)r[4], ~(uint32_t)sum));
			break;
		case 2:
			if (l4) {
				uint32_t dd[2] = { ~(uint32_t)(uint16_t)r[3],
						   (uint16_t)r[4] };

				sum = csum_fold(csum_partial((uint8_t *)dd, 8,
							     ~(uint32_t)sum));
			} else {
				sum = (uint16_t)~csum16_add(
					csum16_add((uint16_t)~sum,
						   (uint16_t)~(uint16_t)r[3]),
					(uint16_t)r[4]);
			}
			break;
		case 4:
			if (l4) {
				uint32_t dd[2] = { ~(uint32_t)r[3], (uint32_t)r[4] };

				sum = csum_fold(csum_partial((uint8_t *)dd, 8,
							     ~(uint32_t)sum));
			} else {
				uint32_t t = csum_add(~(uint32_t)sum,
						      ~(uint32_t)r[3]);

				sum = csum_fold(csum_add(t, (uint32_t)r[4]));
			}
			break;
		default:
			r[0] = (uint64_t)-EINVAL;
			return 0;
		}
		if (l4 && (flags & BPF_F_MARK_MANGLED_0) && !sum)
			sum = 0xffff;
		st_le(p, 2, sum);
		r[0] = 0;
		return 0;
	}
	}
	return -EINVAL;	/* the dispatcher calls each family with its ids */
}

/* Helpers: skb_load_bytes, skb_store_bytes. */
static int helper_skb(struct bpfext_interp *in, int32_t id, uint64_t *r)
{
	uint8_t *p, *q;

	switch (id) {
	case BPF_FUNC_skb_load_bytes:
		if (in->ctx_kind != CTX_SKB)
			HFAULT("skb_load_bytes: not an skb program");
		q = mem_ptr(in, r[3], (uint32_t)r[4], true);
		if (!q || !r[4] || r[4] > 0xffffffff)
			HFAULT("skb_load_bytes: bad destination");
		p = (uint32_t)r[2] > 0x7fffffff ? NULL :
		    skb_bytes(in, (uint32_t)r[2], r[4]);
		if (!p) {
			memset(q, 0, r[4]);
			r[0] = (uint64_t)-EFAULT;
			return 0;
		}
		memmove(q, p, r[4]);
		r[0] = 0;
		return 0;
	case BPF_FUNC_skb_store_bytes:
		if (in->ctx_kind != CTX_SKB)
			HFAULT("skb_store_bytes: not an skb program");
		q = mem_ptr(in, r[3], (uint32_t)r[4], false);
		if (!q || !r[4] || r[4] > 0xffffffff)
			HFAULT("skb_store_bytes: bad source");
		if (r[5] & ~(uint64_t)(BPF_F_RECOMPUTE_CSUM | BPF_F_INVALIDATE_HASH)) {
			r[0] = (uint64_t)-EINVAL;
			return 0;
		}
		p = (uint32_t)r[2] > 0xffff ? NULL :
		    skb_bytes(in, (uint32_t)r[2], r[4]);
		if (!p) {
			r[0] = (uint64_t)-EFAULT;
			return 0;
		}
		memmove(p, q, r[4]);
		r[0] = 0;
		return 0;
	}
	return -EINVAL;	/* the dispatcher calls each family with its ids */
}

/* Helpers: XDP packet helpers: adjust head, meta and tail, buffer length,
 * load and store bytes. */
static int helper_xdp(struct bpfext_interp *in, int32_t id, uint64_t *r)
{
	uint8_t *p, *q;

	switch (id) {
	case BPF_FUNC_xdp_adjust_head: {
		int64_t delta = (int32_t)r[2];
		uint32_t metalen = in->data_off - in->meta_off;
		int64_t data = (int64_t)in->data_off + delta;

		if (!is_xdp(in))
			HFAULT("xdp_adjust_head: not an XDP program");
		if (data < XDP_FRAME_SZ + (int64_t)metalen ||
		    data > (int64_t)in->end_off - ETH_HLEN) {
			r[0] = (uint64_t)-EINVAL;
			return 0;
		}
		if (metalen)
			memmove(in->pkt + in->meta_off + delta,
				in->pkt + in->meta_off, metalen);
		in->meta_off = (uint32_t)(in->meta_off + delta);
		in->data_off = (uint32_t)data;
		in->regions[R_PKT - 1].lo = in->meta_off;
		r[0] = 0;
		return 0;
	}
	case BPF_FUNC_xdp_adjust_meta: {
		int64_t meta = (int64_t)in->meta_off + (int32_t)r[2];
		int64_t metalen = (int64_t)in->data_off - meta;

		if (!is_xdp(in))
			HFAULT("xdp_adjust_meta: not an XDP program");
		if (meta < XDP_FRAME_SZ || meta > in->data_off) {
			r[0] = (uint64_t)-EINVAL;
			return 0;
		}
		if ((metalen & 3) || metalen > 32) {
			r[0] = (uint64_t)-EACCES;
			return 0;
		}
		in->meta_off = (uint32_t)meta;
		in->regions[R_PKT - 1].lo = in->meta_off;
		r[0] = 0;
		return 0;
	}
	case BPF_FUNC_xdp_adjust_tail: {
		int64_t end = (int64_t)in->end_off + (int32_t)r[2];

		if (!is_xdp(in))
			HFAULT("xdp_adjust_tail: not an XDP program");
		if (end > PKT_BUF - SHINFO_SZ ||
		    end < (int64_t)in->data_off + ETH_HLEN) {
			r[0] = (uint64_t)-EINVAL;
			return 0;
		}
		if (end > in->end_off)
			memset(in->pkt + in->end_off, 0, end - in->end_off);
		in->end_off = (uint32_t)end;
		in->regions[R_PKT - 1].hi = in->end_off;
		r[0] = 0;
		return 0;
	}
	case BPF_FUNC_xdp_get_buff_len:
		if (!is_xdp(in))
			HFAULT("xdp_get_buff_len: not an XDP program");
		r[0] = in->end_off - in->data_off;
		return 0;
	case BPF_FUNC_xdp_load_bytes:
	case BPF_FUNC_xdp_store_bytes: {
		bool load = id == BPF_FUNC_xdp_load_bytes;
		uint32_t off = (uint32_t)r[2], len = (uint32_t)r[4];

		if (!is_xdp(in))
			HFAULT("xdp_load/store_bytes: not an XDP program");
		q = mem_ptr(in, r[3], len, load);
		if (!q || !len)
			HFAULT("xdp_load/store_bytes: bad buffer");
		if (off > 0xffff || len > 0xffff) {
			r[0] = (uint64_t)-EFAULT;
			return 0;
		}
		if (off + len > in->end_off - in->data_off) {
			r[0] = (uint64_t)-EINVAL;
			return 0;
		}
		p = in->pkt + in->data_off + off;
		if (load)
			memmove(q, p, len);
		else
			memmove(p, q, len);
		r[0] = 0;
		return 0;
	}
	}
	return -EINVAL;	/* the dispatcher calls each family with its ids */
}

/* Run helper @id; 0, -EFAULT for a fault, 1 for a successful tail call. */
int bpfext_interp_helper(struct bpfext_interp *in, int32_t id, uint64_t *r)
{
	const struct bpfext_helper_proto *hp = bpfext_helper_proto(id);

	if (in->input->opaque && hp)
		return opaque_call(in, hp, r);
	switch (id) {
	case BPF_FUNC_map_lookup_elem:
	case BPF_FUNC_map_update_elem:
	case BPF_FUNC_map_delete_elem:
		return helper_map(in, id, r);
	case BPF_FUNC_ktime_get_ns:
	case BPF_FUNC_ktime_get_boot_ns:
	case BPF_FUNC_ktime_get_coarse_ns:
	case BPF_FUNC_ktime_get_tai_ns:
	case BPF_FUNC_get_prandom_u32:
	case BPF_FUNC_get_smp_processor_id:
	case BPF_FUNC_trace_printk:
		return helper_misc(in, id, r);
	case BPF_FUNC_tail_call:
	case BPF_FUNC_redirect:
	case BPF_FUNC_redirect_map:
		return helper_control(in, id, r);
	case BPF_FUNC_perf_event_output:
		return helper_perf(in, id, r);
	case BPF_FUNC_csum_diff:
	case BPF_FUNC_l3_csum_replace:
	case BPF_FUNC_l4_csum_replace:
		return helper_csum(in, id, r);
	case BPF_FUNC_skb_load_bytes:
	case BPF_FUNC_skb_store_bytes:
		return helper_skb(in, id, r);
	case BPF_FUNC_xdp_adjust_head:
	case BPF_FUNC_xdp_adjust_meta:
	case BPF_FUNC_xdp_adjust_tail:
	case BPF_FUNC_xdp_get_buff_len:
	case BPF_FUNC_xdp_load_bytes:
	case BPF_FUNC_xdp_store_bytes:
		return helper_xdp(in, id, r);
	default:
		HFAULT("helper %d (%s) is not modelled", id,
		       bpfext_helper_name(id) ? bpfext_helper_name(id) : "?");
	}
}

