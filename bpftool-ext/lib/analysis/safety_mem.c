// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The safety analysis's memory rules: context fields by program type,
 * packet accesses within the verified range, map values, the stack
 * (initialized bytes, spills, alignment, callers' frames).
 */
#include <stdio.h>
#include <string.h>

#include "util/util.h"
#include "analysis/safety.h"

const struct bpfext_map_desc *bpfext_safety_map_of(const struct ctx *c,
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
		bpfext_safety_verdict(c, i, true, "invalid bpf_context access off=%d size=%d", off, size);
		return;
	}
	if ((ctx_size || scalar_ctx_type(t)) && off % size) {
		bpfext_safety_verdict(c, i, true, "misaligned context access off=%d size=%d", off, size);
		return;
	}
	if (t == BPF_PROG_TYPE_XDP && size != 4) {
		bpfext_safety_verdict(c, i, true, "invalid bpf_context access off=%d size=%d", off, size);
		return;
	}
	if (BPF_CLASS(x->code) == BPF_STX && BPF_MODE(x->code) == BPF_ATOMIC) {
		bpfext_safety_verdict(c, i, true, "BPF_ATOMIC stores into R%d ctx is not allowed", base);
		return;
	}
	if (!write) {
		ctx_load(c, off, size, out);
		return;
	}
	note_ctx_write(c, off, size);
	if (c->opts && c->opts->ctx_writes_given) {
		if (!ctx_write_in(c->opts->ctx_writes, c->opts->nr_ctx_writes, off, size))
			bpfext_safety_verdict(c, i, true,
				"write to ctx off=%d size=%d that the original program does not make",
				off, size);
		return;
	}
	if (t == BPF_PROG_TYPE_XDP || scalar_ctx_type(t))
		bpfext_safety_verdict(c, i, true, "invalid bpf_context access off=%d size=%d (write)",
			off, size);
	else if (skb_type(t) && off >= 48 && off + size <= 68)
		return;		/* cb[]: scratch space every skb program may write */
	else if (t != BPF_PROG_TYPE_SCHED_CLS && t != BPF_PROG_TYPE_SCHED_ACT)
		bpfext_safety_verdict(c, i, false, "ctx write off=%d size=%d not modelled for this program type",
			off, size);
	else if (!skb_writable(off, size))
		bpfext_safety_verdict(c, i, true, "invalid bpf_context access off=%d size=%d (write)",
			off, size);
}

void bpfext_safety_check_pkt_access(struct ctx *c, struct state *s, size_t i,
			     const struct bpf_insn *x, int base, int size,
			     bool write, struct reg *out)
{
	const struct reg *r = &s->r[base];
	int64_t off = (int64_t)r->off + x->off;

	if (BPF_CLASS(x->code) == BPF_STX && BPF_MODE(x->code) == BPF_ATOMIC) {
		bpfext_safety_verdict(c, i, true, "BPF_ATOMIC stores into R%d pkt is not allowed", base);
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

void bpfext_safety_check_map_access(struct ctx *c, struct state *s, size_t i,
			     const struct bpf_insn *x, int base, int size,
			     bool write, struct reg *out)
{
	const struct reg *r = &s->r[base];
	const struct bpfext_map_desc *m = bpfext_safety_map_of(c, r);
	int64_t lo, hi;

	if (!m) {
		bpfext_safety_verdict(c, i, false, "R%d points into a map the program does not list", base);
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
		bpfext_safety_verdict(c, i, true, "write into map forbidden (read-only %s)", m->name);
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
void bpfext_safety_check_caller_stack(struct ctx *c, size_t i, const struct reg *r,
			       int base, int64_t off, int size, bool write,
			       struct reg *out)
{
	const struct state *cs = r->frame < MAX_DEPTH ? c->caller[r->frame] : NULL;
	int64_t lo = sadd(off, r->smin), hi = sadd(sadd(off, r->smax), size), b;

	if (!cs) {
		bpfext_safety_verdict(c, i, false, "access to a caller's stack frame through R%d", base);
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
			bpfext_safety_verdict(c, i, false,
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
		bpfext_safety_check_caller_stack(c, i, r, base, off, size, write && !atomic, out);
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
				bpfext_safety_verdict(c, i, !sp->approx,
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
			bpfext_safety_verdict(c, i, !s->spill[slot].approx,
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
void bpfext_safety_mem_access(struct ctx *c, struct state *s, size_t i,
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
	if (!bpfext_safety_check_read(c, s, i, base) || (src >= 0 && !bpfext_safety_check_read(c, s, i, src)) ||
	    (atomic && x->imm == BPF_CMPXCHG && !bpfext_safety_check_read(c, s, i, 0)))
		goto out;
	switch (r->type) {
	case T_SCALAR:
		VIOLATION(c, i, r, "R%d invalid mem access 'scalar'", base);
		break;
	case T_UNKNOWN:
		bpfext_safety_verdict(c, i, false, "R%d: access through a pointer the analysis does not model",
			base);
		break;
	case T_CTX:
		check_ctx_access(c, s, i, x, base, size, write, &res);
		break;
	case T_PKT:
		bpfext_safety_check_pkt_access(c, s, i, x, base, size, write, &res);
		break;
	case T_STACK:
		check_stack_access(c, s, i, x, base, size, write, &res, src, depth);
		break;
	case T_MAP_VALUE:
		bpfext_safety_check_map_access(c, s, i, x, base, size, write, &res);
		break;
	case T_MAP_VALUE_OR_NULL:
		VIOLATION(c, i, r, "R%d invalid mem access 'map_value_or_null' (no NULL check)",
			  base);
		break;
	default:
		VIOLATION(c, i, r, "R%d invalid mem access '%s'", base, type_name(r->type));
		break;
	}
	if (atomic && (x->imm & BPF_FETCH) && r->type != T_UNKNOWN)
		set_unknown_scalar(&res);
out:
	if (!write || (atomic && (x->imm & BPF_FETCH)))
		s->r[dst] = res;
}

