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
#include "isa/alu.h"

#define STACK_SIZE	512
#define SLOTS		(STACK_SIZE / 8)
#define MAX_DEPTH	8
#define WIDEN_AFTER	8
#define DEFAULT_STEPS	2000000
#define XDP_CTX		24
#define SKB_CTX		192

enum rtype {
	T_NOT_INIT,
	T_MAYBE_INIT,		/* initialized on some paths only */
	T_SCALAR,
	T_UNKNOWN,		/* scalar or pointer, not modelled */
	T_CTX,
	T_PKT,
	T_PKT_END,
	T_STACK,
	T_MAP_PTR,
	T_MAP_VALUE,
	T_MAP_VALUE_OR_NULL,
};

static const char *const type_names[] = {
	[T_NOT_INIT] = "!read_ok", [T_MAYBE_INIT] = "maybe uninit",
	[T_SCALAR] = "scalar", [T_UNKNOWN] = "unknown",
	[T_CTX] = "ctx", [T_PKT] = "pkt", [T_PKT_END] = "pkt_end",
	[T_STACK] = "fp", [T_MAP_PTR] = "map_ptr",
	[T_MAP_VALUE] = "map_value",
	[T_MAP_VALUE_OR_NULL] = "map_value_or_null",
};

/*
 * A register (or a spilled one).  Scalars: the value lies in
 * [umin, umax] and [smin, smax].  Pointers: ->off is the fixed offset,
 * [umin, umax]/[smin, smax] the variable part added to it.
 */
struct reg {
	uint8_t type;
	bool approx;
	uint8_t frame;		/* T_STACK: call depth of the frame */
	uint32_t map;		/* T_MAP_*: index into the linked maps */
	uint32_t id;		/* packet / or_null / scalar copy identity */
	int32_t off;
	uint32_t range;		/* T_PKT: bytes verified from the id's base */
	uint64_t umin, umax;
	int64_t smin, smax;
};

enum { B_UNINIT, B_INIT, B_MAYBE };

struct state {
	struct reg r[11];
	uint8_t stk[STACK_SIZE];	/* byte at fp - STACK_SIZE + i */
	struct reg spill[SLOTS];	/* 8-byte aligned spills */
};

struct ctx {
	const struct bpfext_linked_prog *lp;
	const struct bpfext_safety_opts *opts;
	struct bpfext_safety_report *rep;
	uint32_t *leader;		/* cnt entries: leader index + 1, 0: none */
	size_t *leader_slot;		/* leader index to slot */
	size_t nr_leaders;
	uint64_t steps, max_steps;
	/* callers' states at their call, by depth (valid during the callee) */
	const struct state *caller[MAX_DEPTH];
	bool *loadtime;			/* cnt entries: the loader sets the slot */
	bool stop;			/* a violation was found */
	int err;
};

/* ---- values ---- */

static void set_scalar(struct reg *r, uint64_t umin, uint64_t umax)
{
	memset(r, 0, sizeof(*r));
	r->type = T_SCALAR;
	r->umin = umin;
	r->umax = umax;
	if (umax <= (uint64_t)INT64_MAX) {
		r->smin = (int64_t)umin;
		r->smax = (int64_t)umax;
	} else if (umin > (uint64_t)INT64_MAX) {
		r->smin = (int64_t)umin;
		r->smax = (int64_t)umax;
	} else {
		r->smin = INT64_MIN;
		r->smax = INT64_MAX;
	}
}

static void set_const(struct reg *r, uint64_t v)
{
	set_scalar(r, v, v);
}

static void set_unknown_scalar(struct reg *r)
{
	set_scalar(r, 0, UINT64_MAX);
}

static void set_type(struct reg *r, enum rtype t)
{
	memset(r, 0, sizeof(*r));
	r->type = t;
}

static bool is_const(const struct reg *r)
{
	return r->type == T_SCALAR && r->umin == r->umax;
}

static bool is_ptr(const struct reg *r)
{
	return r->type >= T_CTX;
}

static bool var_zero(const struct reg *r)
{
	return r->umin == 0 && r->umax == 0;
}

/* a + b, saturated to the int64_t range */
static int64_t sadd(int64_t a, int64_t b)
{
	int64_t r;

	if (__builtin_add_overflow(a, b, &r))
		return b < 0 ? INT64_MIN : INT64_MAX;
	return r;
}

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

static void verdict(struct ctx *c, size_t insn, bool unsafe, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * A violation (@unsafe) or something the analysis cannot decide.  The
 * first violation stops the analysis; the first unknown is kept while
 * the analysis goes on looking for a violation.
 */
static void verdict(struct ctx *c, size_t insn, bool unsafe, const char *fmt, ...)
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

/* A violation on @r: unsafe if @r is exact, unknown otherwise. */
#define VIOLATION(c, insn, r, ...) verdict(c, insn, !(r)->approx, __VA_ARGS__)

/* Reading register @n; false if it cannot be used. */
static bool check_read(struct ctx *c, const struct state *s, size_t insn, int n)
{
	if (s->r[n].type == T_NOT_INIT) {
		verdict(c, insn, true, "R%d !read_ok (uninitialized register)", n);
		return false;
	}
	if (s->r[n].type == T_MAYBE_INIT) {
		verdict(c, insn, false, "R%d may be uninitialized", n);
		return false;
	}
	return true;
}

/* ---- memory ---- */

static const struct bpfext_map_desc *map_of(const struct ctx *c,
					    const struct reg *r)
{
	return r->map < c->lp->nr_maps ? &c->lp->maps[r->map] : NULL;
}

static bool skb_type(enum bpf_prog_type t)
{
	switch (t) {
	case BPF_PROG_TYPE_SOCKET_FILTER:
	case BPF_PROG_TYPE_SCHED_CLS:
	case BPF_PROG_TYPE_SCHED_ACT:
	case BPF_PROG_TYPE_CGROUP_SKB:
	case BPF_PROG_TYPE_LWT_IN:
	case BPF_PROG_TYPE_LWT_OUT:
	case BPF_PROG_TYPE_LWT_XMIT:
		return true;
	default:
		return false;
	}
}

/* Read-only contexts of plain numbers: pt_regs, trace records, args. */
static bool scalar_ctx_type(enum bpf_prog_type t)
{
	return t == BPF_PROG_TYPE_KPROBE || t == BPF_PROG_TYPE_TRACEPOINT ||
	       t == BPF_PROG_TYPE_PERF_EVENT || t == BPF_PROG_TYPE_RAW_TRACEPOINT;
}

/* The value a context load gives. */
static void ctx_load(const struct ctx *c, int32_t off, int size, struct reg *dst)
{
	enum bpf_prog_type t = c->lp->type;

	set_unknown_scalar(dst);
	if (t == BPF_PROG_TYPE_XDP) {
		if (off == 0)
			set_type(dst, T_PKT);
		else if (off == 4)
			set_type(dst, T_PKT_END);
		else if (off == 8)
			set_type(dst, T_UNKNOWN);	/* data_meta */
		else
			set_scalar(dst, 0, UINT32_MAX);
	} else if (skb_type(t)) {
		if (off == 76 && size == 4)
			set_type(dst, T_PKT);
		else if (off == 80 && size == 4)
			set_type(dst, T_PKT_END);
		else if (off == 140 || off == 144 || off == 168)
			set_type(dst, T_UNKNOWN);	/* meta, flow_keys, sk */
		else if (size < 8)
			set_scalar(dst, 0, (1ull << (size * 8)) - 1);
	} else if (scalar_ctx_type(t)) {
		if (size < 8)
			set_scalar(dst, 0, (1ull << (size * 8)) - 1);
	} else {
		/* tracing contexts hold BTF pointers, pt_regs, ... */
		set_type(dst, T_UNKNOWN);
		dst->approx = true;
	}
}

static bool ctx_write_in(const struct bpfext_ctx_write *w, size_t n,
			 int32_t off, uint32_t size)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (w[i].off == off && w[i].size == size)
			return true;
	return false;
}

static void note_ctx_write(struct ctx *c, int32_t off, uint32_t size)
{
	struct bpfext_safety_report *rep = c->rep;

	if (ctx_write_in(rep->ctx_writes, rep->nr_ctx_writes, off, size))
		return;
	if (rep->nr_ctx_writes < BPFEXT_SAFETY_CTX_WRITES_MAX) {
		rep->ctx_writes[rep->nr_ctx_writes].off = off;
		rep->ctx_writes[rep->nr_ctx_writes].size = size;
		rep->nr_ctx_writes++;
	} else {
		rep->ctx_writes_truncated = true;
	}
}

/* __sk_buff fields the kernel lets tc programs write. */
static bool skb_writable(int32_t off, uint32_t size)
{
	return (off >= 8 && off + size <= 16) ||	/* mark, queue_mapping */
	       (off >= 32 && off + size <= 36) ||	/* priority */
	       (off >= 44 && off + size <= 68) ||	/* tc_index, cb[] */
	       (off >= 72 && off + size <= 76) ||	/* tc_classid */
	       (off >= 152 && off + size <= 160);	/* tstamp */
}

static void check_ctx_access(struct ctx *c, struct state *s, size_t i,
			     const struct bpf_insn *x, int base, int size,
			     bool write, struct reg *out)
{
	const struct reg *r = &s->r[base];
	enum bpf_prog_type t = c->lp->type;
	int32_t off = x->off;
	uint32_t ctx_size = t == BPF_PROG_TYPE_XDP ? XDP_CTX :
			    skb_type(t) ? SKB_CTX : 0;

	if (r->off || !var_zero(r)) {
		VIOLATION(c, i, r, "dereference of modified ctx ptr R%d off=%d disallowed",
			  base, r->off);
		return;
	}
	if (ctx_size && (off < 0 || (uint32_t)off + size > ctx_size)) {
		verdict(c, i, true, "invalid bpf_context access off=%d size=%d", off, size);
		return;
	}
	if ((ctx_size || scalar_ctx_type(t)) && off % size) {
		verdict(c, i, true, "misaligned context access off=%d size=%d", off, size);
		return;
	}
	if (t == BPF_PROG_TYPE_XDP && size != 4) {
		verdict(c, i, true, "invalid bpf_context access off=%d size=%d", off, size);
		return;
	}
	if (BPF_CLASS(x->code) == BPF_STX && BPF_MODE(x->code) == BPF_ATOMIC) {
		verdict(c, i, true, "BPF_ATOMIC stores into R%d ctx is not allowed", base);
		return;
	}
	if (!write) {
		ctx_load(c, off, size, out);
		return;
	}
	note_ctx_write(c, off, size);
	if (c->opts && c->opts->ctx_writes_given) {
		if (!ctx_write_in(c->opts->ctx_writes, c->opts->nr_ctx_writes, off, size))
			verdict(c, i, true,
				"write to ctx off=%d size=%d that the original program does not make",
				off, size);
		return;
	}
	if (t == BPF_PROG_TYPE_XDP || scalar_ctx_type(t))
		verdict(c, i, true, "invalid bpf_context access off=%d size=%d (write)",
			off, size);
	else if (skb_type(t) && off >= 48 && off + size <= 68)
		return;		/* cb[]: scratch space every skb program may write */
	else if (t != BPF_PROG_TYPE_SCHED_CLS && t != BPF_PROG_TYPE_SCHED_ACT)
		verdict(c, i, false, "ctx write off=%d size=%d not modelled for this program type",
			off, size);
	else if (!skb_writable(off, size))
		verdict(c, i, true, "invalid bpf_context access off=%d size=%d (write)",
			off, size);
}

static void check_pkt_access(struct ctx *c, struct state *s, size_t i,
			     const struct bpf_insn *x, int base, int size,
			     bool write, struct reg *out)
{
	const struct reg *r = &s->r[base];
	int64_t off = (int64_t)r->off + x->off;

	if (BPF_CLASS(x->code) == BPF_STX && BPF_MODE(x->code) == BPF_ATOMIC) {
		verdict(c, i, true, "BPF_ATOMIC stores into R%d pkt is not allowed", base);
		return;
	}
	if (r->smin < 0 || r->umax > 0xffff) {
		VIOLATION(c, i, r, "R%d unbounded packet pointer (var offset)", base);
		return;
	}
	if (off < 0 || off + size > r->range) {
		VIOLATION(c, i, r,
			  "invalid access to packet, off=%lld size=%d, R%d(id=%u,off=%d,r=%u)",
			  (long long)x->off, size, base, r->id, r->off, r->range);
		return;
	}
	if (!write)
		set_scalar(out, 0, size == 8 ? UINT64_MAX :
			   (1ull << (size * 8)) - 1);
}

static void check_map_access(struct ctx *c, struct state *s, size_t i,
			     const struct bpf_insn *x, int base, int size,
			     bool write, struct reg *out)
{
	const struct reg *r = &s->r[base];
	const struct bpfext_map_desc *m = map_of(c, r);
	int64_t lo, hi;

	if (!m) {
		verdict(c, i, false, "R%d points into a map the program does not list", base);
		return;
	}
	lo = sadd((int64_t)r->off + x->off, r->smin);
	hi = (int64_t)r->off + x->off + (r->umax > (1u << 29) ? (1ll << 40) :
					 (int64_t)r->umax) + size;
	if (r->smin < -(1 << 29) || lo < 0 || hi > m->value_size) {
		VIOLATION(c, i, r,
			  "invalid access to map value, value_size=%u off=%lld size=%d",
			  m->value_size, (long long)r->off + x->off, size);
		return;
	}
	if (write && m->rdonly_prog) {
		verdict(c, i, true, "write into map forbidden (read-only %s)", m->name);
		return;
	}
	if (!write) {
		/* an 8-byte field may be a kernel pointer (kptr) */
		if (size == 8) {
			set_type(out, T_UNKNOWN);
			out->approx = true;
		} else {
			set_scalar(out, 0, (1ull << (size * 8)) - 1);
		}
	}
}

/* Mark stack bytes [lo, hi) (fp-relative) written with plain data. */
static void stack_write_bytes(struct state *s, int lo, int hi, uint8_t how)
{
	int b;

	for (b = lo; b < hi; b++) {
		s->stk[b + STACK_SIZE] = how;
		s->spill[(b + STACK_SIZE) / 8].type = T_NOT_INIT;
	}
}

/*
 * A callee's access to a caller's frame, judged on the caller's state at
 * the call: the callee may have written the frame since, so what is
 * read is approximate, and bytes uninitialized at the call are unknown.
 * The caller forgets what it knew of its frame after the call.
 */
static void check_caller_stack(struct ctx *c, size_t i, const struct reg *r,
			       int base, int64_t off, int size, bool write,
			       struct reg *out)
{
	const struct state *cs = r->frame < MAX_DEPTH ? c->caller[r->frame] : NULL;
	int64_t lo = sadd(off, r->smin), hi = sadd(sadd(off, r->smax), size), b;

	if (!cs) {
		verdict(c, i, false, "access to a caller's stack frame through R%d", base);
		return;
	}
	if (r->smin < -STACK_SIZE || r->smax > STACK_SIZE || lo < -STACK_SIZE || hi > 0) {
		VIOLATION(c, i, r, "invalid access to the caller's stack off=%lld size=%d",
			  (long long)lo, size);
		return;
	}
	if (write)
		return;
	for (b = lo; b < hi; b++) {
		if (cs->stk[b + STACK_SIZE] != B_INIT) {
			verdict(c, i, false,
				"R%d reads caller stack off %lld that was not initialized at the call",
				base, (long long)b);
			return;
		}
	}
	if (var_zero(r) && size == 8 && !((off + STACK_SIZE) % 8) &&
	    cs->spill[(off + STACK_SIZE) / 8].type != T_NOT_INIT)
		*out = cs->spill[(off + STACK_SIZE) / 8];
	else
		set_scalar(out, 0, size == 8 ? UINT64_MAX : (1ull << (size * 8)) - 1);
	out->approx = true;
}

/*
 * A stack access at fp + @off + [smin, smax] of @r (privileged programs
 * may do this): every byte it may touch must be inside the frame, and
 * for a read, initialized.  A write initializes none of them for sure.
 */
static void check_stack_var_access(struct ctx *c, struct state *s, size_t i,
				   const struct reg *r, int64_t off, int size,
				   bool write, struct reg *out)
{
	int64_t lo, hi, b;
	bool maybe = false;

	if (r->smin < -STACK_SIZE || r->smax > STACK_SIZE) {
		VIOLATION(c, i, r, "unbounded variable-offset stack access off=%lld",
			  (long long)off);
		return;
	}
	lo = off + r->smin;
	hi = off + r->smax + size;
	if (lo < -STACK_SIZE || hi > 0) {
		VIOLATION(c, i, r, "invalid variable-offset stack access off=%lld size=%d",
			  (long long)lo, (int)(hi - lo));
		return;
	}
	for (b = lo; b < hi; b++) {
		uint8_t *st = &s->stk[b + STACK_SIZE];
		struct reg *sp = &s->spill[(b + STACK_SIZE) / 8];

		if (write) {
			if (*st == B_UNINIT)
				*st = B_MAYBE;
			if (sp->type != T_NOT_INIT) {
				set_type(sp, T_UNKNOWN);
				sp->approx = true;
			}
			continue;
		}
		if (*st == B_UNINIT) {
			VIOLATION(c, i, r, "invalid variable-offset read from stack off %lld+%lld size %d",
				  (long long)lo, (long long)(b - lo), size);
			return;
		}
		maybe |= *st == B_MAYBE || (sp->type != T_NOT_INIT && is_ptr(sp));
	}
	if (!write) {
		set_scalar(out, 0, size == 8 ? UINT64_MAX : (1ull << (size * 8)) - 1);
		out->approx = maybe || r->approx;
	}
}

static void check_stack_access(struct ctx *c, struct state *s, size_t i,
			       const struct bpf_insn *x, int base, int size,
			       bool write, struct reg *out, int src, int depth)
{
	const struct reg *r = &s->r[base];
	int64_t off = (int64_t)r->off + x->off;
	bool atomic = BPF_CLASS(x->code) == BPF_STX && BPF_MODE(x->code) == BPF_ATOMIC;
	int b, slot;

	if (r->frame != depth) {
		check_caller_stack(c, i, r, base, off, size, write && !atomic, out);
		return;
	}
	if (!var_zero(r)) {
		check_stack_var_access(c, s, i, r, off, size, write && !atomic, out);
		return;
	}
	if (off < -STACK_SIZE || off + size > 0) {
		VIOLATION(c, i, r, "invalid stack off=%lld size=%d", (long long)off, size);
		return;
	}
	if (off % size) {
		VIOLATION(c, i, r, "misaligned stack access off %lld size %d",
			  (long long)off, size);
		return;
	}
	slot = (int)(off + STACK_SIZE) / 8;
	if (!write || atomic) {
		bool maybe = false;

		for (b = (int)off; b < off + size; b++) {
			if (s->stk[b + STACK_SIZE] == B_UNINIT) {
				VIOLATION(c, i, r, "invalid read from stack off %lld+%d size %d",
					  (long long)off, b - (int)off, size);
				return;
			}
			maybe |= s->stk[b + STACK_SIZE] == B_MAYBE;
		}
		if (!atomic) {
			struct reg *sp = &s->spill[slot];

			if (sp->type != T_NOT_INIT && size == 8) {
				*out = *sp;
			} else if (sp->type != T_NOT_INIT && is_ptr(sp)) {
				verdict(c, i, !sp->approx,
					"invalid size of register fill (%d bytes of a spilled pointer)",
					size);
				set_type(out, T_UNKNOWN);
				out->approx = true;
			} else if (sp->type == T_UNKNOWN) {
				set_type(out, T_UNKNOWN);
				out->approx = true;
			} else {
				set_scalar(out, 0, size == 8 ? UINT64_MAX :
					   (1ull << (size * 8)) - 1);
				out->approx = maybe || (sp->type != T_NOT_INIT &&
							sp->approx);
			}
			if (maybe && out->type != T_SCALAR)
				out->approx = true;
			return;
		}
		/* atomics: the slot now holds data, the old spill is gone */
		if (s->spill[slot].type != T_NOT_INIT && is_ptr(&s->spill[slot])) {
			verdict(c, i, !s->spill[slot].approx,
				"BPF_ATOMIC on a spilled pointer at fp%lld", (long long)off);
			return;
		}
		stack_write_bytes(s, (int)off, (int)off + size, maybe ? B_MAYBE : B_INIT);
		return;
	}
	if (size == 8 && src >= 0) {
		stack_write_bytes(s, (int)off, (int)off + 8, B_INIT);
		s->spill[slot] = s->r[src];
		return;
	}
	if (src < 0 && size == 8) {
		stack_write_bytes(s, (int)off, (int)off + 8, B_INIT);
		set_const(&s->spill[slot], (uint64_t)(int64_t)x->imm);
		return;
	}
	stack_write_bytes(s, (int)off, (int)off + size, B_INIT);
}

/* Load, store or atomic at instruction @i. */
static void mem_access(struct ctx *c, struct state *s, size_t i,
		       const struct bpf_insn *x, int depth)
{
	uint8_t cls = BPF_CLASS(x->code);
	static const int sizes[] = { 4, 2, 1, 8 };
	int size = sizes[BPF_SIZE(x->code) >> 3];
	bool write = cls != BPF_LDX;
	int base = write ? x->dst_reg : x->src_reg;
	int dst = x->dst_reg, src = cls == BPF_STX ? x->src_reg : -1;
	bool atomic = cls == BPF_STX && BPF_MODE(x->code) == BPF_ATOMIC;
	const struct reg *r = &s->r[base];
	struct reg res;

	/* what a load gives when the access cannot be judged */
	set_type(&res, T_UNKNOWN);
	res.approx = true;
	/* atomics: the fetched old value lands in src (r0 for cmpxchg) */
	if (atomic)
		dst = x->imm == BPF_CMPXCHG ? 0 : src;
	if (!check_read(c, s, i, base) || (src >= 0 && !check_read(c, s, i, src)) ||
	    (atomic && x->imm == BPF_CMPXCHG && !check_read(c, s, i, 0)))
		goto out;
	switch (r->type) {
	case T_SCALAR:
		VIOLATION(c, i, r, "R%d invalid mem access 'scalar'", base);
		break;
	case T_UNKNOWN:
		verdict(c, i, false, "R%d: access through a pointer the analysis does not model",
			base);
		break;
	case T_CTX:
		check_ctx_access(c, s, i, x, base, size, write, &res);
		break;
	case T_PKT:
		check_pkt_access(c, s, i, x, base, size, write, &res);
		break;
	case T_STACK:
		check_stack_access(c, s, i, x, base, size, write, &res, src, depth);
		break;
	case T_MAP_VALUE:
		check_map_access(c, s, i, x, base, size, write, &res);
		break;
	case T_MAP_VALUE_OR_NULL:
		VIOLATION(c, i, r, "R%d invalid mem access 'map_value_or_null' (no NULL check)",
			  base);
		break;
	default:
		VIOLATION(c, i, r, "R%d invalid mem access '%s'", base, type_names[r->type]);
		break;
	}
	if (atomic && (x->imm & BPF_FETCH) && r->type != T_UNKNOWN)
		set_unknown_scalar(&res);
out:
	if (!write || (atomic && (x->imm & BPF_FETCH)))
		s->r[dst] = res;
}

/* ---- ALU ---- */

/* Interval transfer of a scalar operation; @b is the source operand. */
static void scalar_alu(struct reg *d, const struct reg *b, uint8_t op, bool is64,
		       const struct bpf_insn *x)
{
	bool approx = d->approx || b->approx;
	uint64_t lo = 0, hi = UINT64_MAX;

	if (op == BPF_END && BPF_SRC(x->code) == BPF_TO_BE) {
		/* byte swaps on little-endian: bounds are lost */
		if (x->imm == 16)
			hi = 0xffff;
		else if (x->imm == 32)
			hi = UINT32_MAX;
		if (is_const(d)) {
			uint64_t v = d->umin, s = 0;
			int k;

			for (k = 0; k < x->imm / 8; k++)
				s = s << 8 | ((v >> (8 * k)) & 0xff);
			lo = hi = s;
		}
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
		if (!check_read(c, s, i, x->src_reg)) {
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
	if (!check_read(c, s, i, x->dst_reg)) {
		set_type(d, T_UNKNOWN);
		d->approx = true;
		return;
	}
	if (d->type == T_UNKNOWN || k.type == T_UNKNOWN) {
		bool ptr = is_ptr(d) || is_ptr(&k);

		if (ptr && (!is64 || (op != BPF_ADD && op != BPF_SUB)))
			verdict(c, i, false, "operation on a value that may be a pointer");
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
			  type_names[d->type]);
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

/* ---- helpers ---- */

static bool changes_pkt_data(int id)
{
	switch (id) {
	case BPF_FUNC_skb_store_bytes: case BPF_FUNC_l3_csum_replace:
	case BPF_FUNC_l4_csum_replace: case BPF_FUNC_clone_redirect:
	case BPF_FUNC_skb_vlan_push: case BPF_FUNC_skb_vlan_pop:
	case BPF_FUNC_skb_change_proto: case BPF_FUNC_skb_change_type:
	case BPF_FUNC_skb_change_tail: case BPF_FUNC_skb_pull_data:
	case BPF_FUNC_skb_change_head: case BPF_FUNC_xdp_adjust_head:
	case BPF_FUNC_xdp_adjust_meta: case BPF_FUNC_skb_adjust_room:
	case BPF_FUNC_xdp_adjust_tail: case BPF_FUNC_msg_pull_data:
	case BPF_FUNC_msg_push_data: case BPF_FUNC_msg_pop_data:
	case BPF_FUNC_lwt_push_encap: case BPF_FUNC_lwt_seg6_store_bytes:
	case BPF_FUNC_lwt_seg6_adjust_srh: case BPF_FUNC_lwt_seg6_action:
		return true;
	default:
		return false;
	}
}

/* Helpers whose result is a pointer (or may be): not modelled. */
static bool returns_ptr(int id)
{
	switch (id) {
	case BPF_FUNC_get_local_storage: case BPF_FUNC_sk_lookup_tcp:
	case BPF_FUNC_sk_lookup_udp: case BPF_FUNC_sk_fullsock:
	case BPF_FUNC_tcp_sock: case BPF_FUNC_get_listener_sock:
	case BPF_FUNC_skc_lookup_tcp: case BPF_FUNC_sk_storage_get:
	case BPF_FUNC_ringbuf_reserve: case BPF_FUNC_skc_to_tcp6_sock:
	case BPF_FUNC_skc_to_tcp_sock: case BPF_FUNC_skc_to_tcp_timewait_sock:
	case BPF_FUNC_skc_to_tcp_request_sock: case BPF_FUNC_skc_to_udp6_sock:
	case BPF_FUNC_inode_storage_get: case BPF_FUNC_per_cpu_ptr:
	case BPF_FUNC_this_cpu_ptr: case BPF_FUNC_task_storage_get:
	case BPF_FUNC_get_current_task_btf: case BPF_FUNC_sock_from_file:
	case BPF_FUNC_task_pt_regs: case BPF_FUNC_skc_to_unix_sock:
	case BPF_FUNC_kptr_xchg: case BPF_FUNC_map_lookup_percpu_elem:
	case BPF_FUNC_skc_to_mptcp_sock: case BPF_FUNC_dynptr_data:
		return true;
	default:
		return false;
	}
}

/* Maps whose lookup gives a map, a socket or an xsk, not a value. */
static bool map_of_maps_or_socks(uint32_t type)
{
	return type == BPF_MAP_TYPE_ARRAY_OF_MAPS || type == BPF_MAP_TYPE_HASH_OF_MAPS ||
	       type == BPF_MAP_TYPE_SOCKMAP || type == BPF_MAP_TYPE_SOCKHASH ||
	       type == BPF_MAP_TYPE_XSKMAP || type == BPF_MAP_TYPE_DEVMAP ||
	       type == BPF_MAP_TYPE_CPUMAP || type == BPF_MAP_TYPE_PROG_ARRAY;
}

/* @r must point to @size readable, initialized bytes (a key or value). */
static void check_mem_arg(struct ctx *c, struct state *s, size_t i, int n,
			  uint32_t size, const char *what, int depth)
{
	const struct reg *r = &s->r[n];
	int64_t off;
	uint32_t b;

	if (!check_read(c, s, i, n))
		return;
	switch (r->type) {
	case T_STACK:
		if (r->frame != depth && var_zero(r)) {
			struct reg ignored;
			int64_t at;

			/* byte by byte, so that no alignment is asked for */
			for (at = 0; at < size && !c->stop; at++)
				check_caller_stack(c, i, r, n, r->off + at, 1, false, &ignored);
			return;
		}
		if (r->frame != depth || !var_zero(r)) {
			verdict(c, i, false, "R%d %s on a stack the analysis does not track",
				n, what);
			return;
		}
		off = r->off;
		if (off < -STACK_SIZE || off + (int64_t)size > 0) {
			VIOLATION(c, i, r, "invalid indirect access to stack R%d off=%lld size=%u",
				  n, (long long)off, size);
			return;
		}
		for (b = 0; b < size; b++) {
			uint8_t st = s->stk[off + b + STACK_SIZE];

			if (st == B_UNINIT) {
				VIOLATION(c, i, r,
					  "invalid indirect read from stack R%d off %lld+%u size %u (%s)",
					  n, (long long)off, b, size, what);
				return;
			}
			if (st == B_MAYBE) {
				verdict(c, i, false, "R%d %s may be uninitialized", n, what);
				return;
			}
		}
		return;
	case T_PKT:
	case T_MAP_VALUE:
		/* bounds are checked like a load of the whole key */
		{
			struct bpf_insn ld = {
				.code = BPF_LDX | BPF_MEM | BPF_B, .src_reg = n,
			};
			struct reg ignored;
			uint32_t last = size ? size - 1 : 0;

			ld.off = (int16_t)(last < 0x7fff ? last : 0x7fff);
			if (r->type == T_PKT)
				check_pkt_access(c, s, i, &ld, n, 1, false, &ignored);
			else
				check_map_access(c, s, i, &ld, n, 1, false, &ignored);
		}
		return;
	case T_SCALAR:
	case T_MAP_VALUE_OR_NULL:
	case T_CTX:
	case T_PKT_END:
	case T_MAP_PTR:
		VIOLATION(c, i, r, "R%d type=%s expected=fp (%s)", n, type_names[r->type], what);
		return;
	default:
		verdict(c, i, false, "R%d %s of a type the analysis does not model", n, what);
		return;
	}
}

static void do_helper(struct ctx *c, struct state *s, size_t i,
		      const struct bpf_insn *x, int depth)
{
	int id = x->imm, n;
	struct reg *r0 = &s->r[0];
	const struct bpfext_map_desc *m = NULL;
	long local_storage = -1;

	if (id == BPF_FUNC_get_local_storage && s->r[1].type == T_MAP_PTR &&
	    !s->r[1].approx && map_of(c, &s->r[1]))
		local_storage = (long)s->r[1].map;

	if (id == BPF_FUNC_map_lookup_elem || id == BPF_FUNC_map_update_elem ||
	    id == BPF_FUNC_map_delete_elem) {
		const struct reg *r1 = &s->r[1];

		if (!check_read(c, s, i, 1))
			goto out;
		if (r1->type != T_MAP_PTR) {
			if (r1->type == T_UNKNOWN)
				verdict(c, i, false, "R1 of %s may not be a map", bpfext_helper_name(id));
			else
				VIOLATION(c, i, r1, "R1 type=%s expected=map_ptr", type_names[r1->type]);
			goto out;
		}
		m = map_of(c, r1);
		if (!m) {
			verdict(c, i, false, "unknown map");
			goto out;
		}
		check_mem_arg(c, s, i, 2, m->key_size, "map key", depth);
		if (id == BPF_FUNC_map_update_elem) {
			check_mem_arg(c, s, i, 3, m->value_size, "map value", depth);
			check_read(c, s, i, 4);
		}
	} else {
		/* other helpers: stack buffers they are handed may be written */
		for (n = 1; n <= 5; n++) {
			const struct reg *r = &s->r[n];
			int64_t lo, hi = 0;

			if (r->type != T_STACK || !var_zero(r) || r->frame != depth ||
			    r->off >= 0 || r->off < -STACK_SIZE)
				continue;
			lo = r->off;
			if (n < 5 && is_const(&s->r[n + 1]) &&
			    s->r[n + 1].umin <= STACK_SIZE)
				hi = lo + (int64_t)s->r[n + 1].umin;
			if (hi > 0)
				hi = 0;
			for (; lo < hi; lo++)
				if (s->stk[lo + STACK_SIZE] != B_INIT) {
					s->stk[lo + STACK_SIZE] = B_INIT;
					s->spill[(lo + STACK_SIZE) / 8].type = T_NOT_INIT;
				}
			/* unknown size: whatever lies above may be written */
			for (lo = r->off; hi == 0 && lo < 0; lo++)
				if (s->stk[lo + STACK_SIZE] == B_UNINIT)
					s->stk[lo + STACK_SIZE] = B_MAYBE;
		}
	}
out:
	if (changes_pkt_data(id)) {
		for (n = 0; n < 11; n++)
			if (s->r[n].type == T_PKT || s->r[n].type == T_PKT_END) {
				set_type(&s->r[n], T_UNKNOWN);
				s->r[n].approx = true;
			}
		for (n = 0; n < SLOTS; n++)
			if (s->spill[n].type == T_PKT || s->spill[n].type == T_PKT_END) {
				set_type(&s->spill[n], T_UNKNOWN);
				s->spill[n].approx = true;
			}
	}
	for (n = 1; n <= 5; n++)
		set_type(&s->r[n], T_NOT_INIT);
	if (id == BPF_FUNC_get_local_storage && local_storage >= 0) {
		/* never NULL: the cgroup storage of the map in r1 */
		set_type(r0, T_MAP_VALUE);
		r0->map = (uint32_t)local_storage;
	} else if (id == BPF_FUNC_map_lookup_elem && m && !map_of_maps_or_socks(m->type)) {
		set_type(r0, T_MAP_VALUE_OR_NULL);
		r0->map = (uint32_t)(m - c->lp->maps);
		r0->id = (uint32_t)i + 1 + (1u << 31);
	} else if (id == BPF_FUNC_map_lookup_elem || returns_ptr(id)) {
		set_type(r0, T_UNKNOWN);
		r0->approx = true;
	} else {
		set_unknown_scalar(r0);
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
		verdict(c, i, false, "R0 not set at exit (the function may return void)");
		return false;
	}
	return check_read(c, s, i, 0);
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
		verdict(c, to, false, "jump to a slot the analysis does not know");
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
static void run_block(struct ctx *c, struct frame_an *f, size_t start,
		      struct state *s, int depth)
{
	const struct bpfext_linked_prog *lp = c->lp;
	size_t i = start;

	for (;;) {
		const struct bpf_insn *x;
		uint8_t cls, op;

		if (c->stop || c->err)
			return;
		if (i >= lp->cnt) {
			verdict(c, i, true, "fall through the end of the program");
			return;
		}
		if (i != start && c->leader[i]) {
			flow(c, f, i, s);
			return;
		}
		if (++c->steps > c->max_steps) {
			verdict(c, i, false, "analysis budget exhausted");
			c->stop = true;
			return;
		}
		x = &lp->insns[i];
		cls = BPF_CLASS(x->code);
		op = BPF_OP(x->code);
		switch (cls) {
		case BPF_ALU:
		case BPF_ALU64:
			do_alu(c, s, i, x);
			break;
		case BPF_LDX:
		case BPF_ST:
		case BPF_STX:
			if (BPF_MODE(x->code) != BPF_MEM && BPF_MODE(x->code) != BPF_ATOMIC) {
				verdict(c, i, false, "unsupported load/store mode");
				set_type(&s->r[x->dst_reg], T_UNKNOWN);
				s->r[x->dst_reg].approx = true;
				break;
			}
			/* the kernel's offset (and load width), not the object's */
			if (c->loadtime && c->loadtime[i])
				verdict(c, i, false, "access at an offset the loader sets (CO-RE)");
			mem_access(c, s, i, x, depth);
			break;
		case BPF_LD:
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
					verdict(c, i, false, "callback functions are not analysed");
					/* fall through */
				default:
					set_type(d, T_UNKNOWN);
					d->approx = true;
					break;
				}
				if (c->loadtime && c->loadtime[i] && !x->src_reg)
					loadtime_def(d);
				i += 2;
				continue;
			}
			/* LD_ABS / LD_IND: an implicit skb access through r6 */
			if (!check_read(c, s, i, 6))
				break;
			if (s->r[6].type != T_CTX)
				VIOLATION(c, i, &s->r[6], "BPF_LD_[ABS|IND] uses R6 of type %s, not ctx",
					  type_names[s->r[6].type]);
			if (BPF_MODE(x->code) == BPF_IND)
				check_read(c, s, i, x->src_reg);
			{
				int n;

				for (n = 1; n <= 5; n++)
					set_type(&s->r[n], T_NOT_INIT);
				set_scalar(&s->r[0], 0, BPF_SIZE(x->code) == BPF_W ? UINT32_MAX :
					   BPF_SIZE(x->code) == BPF_H ? 0xffff : 0xff);
			}
			break;
		case BPF_JMP:
		case BPF_JMP32:
			if (op == BPF_EXIT) {
				/* a subprogram may return nothing (void) */
				if (depth == 0 && !check_r0_at_exit(c, s, i))
					return;
				if (depth == 0 && is_ptr(&s->r[0])) {
					VIOLATION(c, i, &s->r[0], "R0 leaks addr as return value (%s)",
						  type_names[s->r[0].type]);
					return;
				}
				if (f->returned)
					join_reg(&f->ret, &s->r[0], false, 1u << 28);
				else
					f->ret = s->r[0];
				f->returned = true;
				return;
			}
			if (op == BPF_CALL) {
				if (bpfext_insn_is_helper_call(x)) {
					do_helper(c, s, i, x, depth);
				} else if (bpfext_insn_is_pseudo_call(x)) {
					long t = (long)i + x->imm + 1;
					struct reg r0;
					struct state in = *s;
					int n, ret;

					if (depth + 1 >= MAX_DEPTH || t < 0 || (size_t)t >= lp->cnt) {
						verdict(c, i, false, "call depth or target not analysed");
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
							return;
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
				} else {
					int n;

					verdict(c, i, false, "kfunc calls are not modelled");
					for (n = 1; n <= 5; n++)
						set_type(&s->r[n], T_NOT_INIT);
					set_type(&s->r[0], T_UNKNOWN);
					s->r[0].approx = true;
				}
				break;
			}
			if (op == BPF_JA) {
				flow(c, f, (size_t)((long)i + bpfext_insn_branch_off(x) + 1), s);
				return;
			}
			{
				bool is32 = cls == BPF_JMP32;
				size_t tgt = (size_t)((long)i + x->off + 1);
				struct state *taken;
				struct reg k;
				int dec;

				if (!check_read(c, s, i, x->dst_reg))
					return;
				if (BPF_SRC(x->code) == BPF_X) {
					if (!check_read(c, s, i, x->src_reg))
						return;
					k = s->r[x->src_reg];
				} else {
					set_const(&k, is32 ? (uint32_t)x->imm :
						  (uint64_t)(int64_t)x->imm);
				}
				dec = decided(&s->r[x->dst_reg], &k, op, is32);
				if (dec == 1) {
					flow(c, f, tgt, s);
					return;
				}
				if (dec == 0) {
					i++;
					continue;
				}
				taken = malloc(sizeof(*taken));
				if (!taken) {
					c->err = -ENOMEM;
					return;
				}
				*taken = *s;
				if (refine_state(taken, x, op, is32))
					flow(c, f, tgt, taken);
				free(taken);
				if (op == BPF_JSET) {
					refine_state(s, x, op, is32);
				} else if (!refine_state(s, x, negate(op), is32)) {
					return;
				}
			}
			break;
		default:
			verdict(c, i, false, "unsupported instruction class");
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
