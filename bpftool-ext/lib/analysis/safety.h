/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The safety analysis's abstract state and what its parts share: the
 * fixpoint, values and ALU (safety.c), memory accesses (safety_mem.c)
 * and helper calls (safety_helpers.c).  Not part of the API.
 */
#ifndef BPFEXT_ANALYSIS_SAFETY_H
#define BPFEXT_ANALYSIS_SAFETY_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "util/util.h"

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

static inline const char *type_name(uint8_t t)
{
	static const char *const names[] = {
		[T_NOT_INIT] = "!read_ok", [T_MAYBE_INIT] = "maybe uninit",
		[T_SCALAR] = "scalar", [T_UNKNOWN] = "unknown",
		[T_CTX] = "ctx", [T_PKT] = "pkt", [T_PKT_END] = "pkt_end",
		[T_STACK] = "fp", [T_MAP_PTR] = "map_ptr",
		[T_MAP_VALUE] = "map_value",
		[T_MAP_VALUE_OR_NULL] = "map_value_or_null",
	};

	return t < ARRAY_SIZE(names) ? names[t] : "?";
}

/* ---- values ---- */

static inline void set_scalar(struct reg *r, uint64_t umin, uint64_t umax)
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

static inline void set_const(struct reg *r, uint64_t v)
{
	set_scalar(r, v, v);
}

static inline void set_unknown_scalar(struct reg *r)
{
	set_scalar(r, 0, UINT64_MAX);
}

static inline void set_type(struct reg *r, enum rtype t)
{
	memset(r, 0, sizeof(*r));
	r->type = t;
}

static inline bool is_const(const struct reg *r)
{
	return r->type == T_SCALAR && r->umin == r->umax;
}

static inline bool is_ptr(const struct reg *r)
{
	return r->type >= T_CTX;
}

static inline bool var_zero(const struct reg *r)
{
	return r->umin == 0 && r->umax == 0;
}

/* a + b, saturated to the int64_t range */
static inline int64_t sadd(int64_t a, int64_t b)
{
	int64_t r;

	if (__builtin_add_overflow(a, b, &r))
		return b < 0 ? INT64_MIN : INT64_MAX;
	return r;
}

/* ---- reporting (safety.c) ---- */

/*
 * A violation (@unsafe) or something the analysis cannot decide.  The
 * first violation stops the analysis; the first unknown is kept while
 * the analysis goes on looking for a violation.
 */
void bpfext_safety_verdict(struct ctx *c, size_t insn, bool unsafe, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* A violation on @r: unsafe if @r is exact, unknown otherwise. */
#define VIOLATION(c, insn, r, ...) bpfext_safety_verdict(c, insn, !(r)->approx, __VA_ARGS__)

/* Reading register @n; false if it cannot be used. */
bool bpfext_safety_check_read(struct ctx *c, const struct state *s, size_t insn, int n);

/* ---- memory (safety_mem.c) ---- */

const struct bpfext_map_desc *bpfext_safety_map_of(const struct ctx *c,
						   const struct reg *r);
void bpfext_safety_check_pkt_access(struct ctx *c, struct state *s, size_t i,
			     const struct bpf_insn *x, int base, int size,
			     bool write, struct reg *out);

void bpfext_safety_check_map_access(struct ctx *c, struct state *s, size_t i,
			     const struct bpf_insn *x, int base, int size,
			     bool write, struct reg *out);

/*
 * A callee's access to a caller's frame, judged on the caller's state at
 * the call: the callee may have written the frame since, so what is
 * read is approximate, and bytes uninitialized at the call are unknown.
 * The caller forgets what it knew of its frame after the call.
 */
void bpfext_safety_check_caller_stack(struct ctx *c, size_t i, const struct reg *r,
			       int base, int64_t off, int size, bool write,
			       struct reg *out);

/* Load, store or atomic at instruction @i. */
void bpfext_safety_mem_access(struct ctx *c, struct state *s, size_t i,
		       const struct bpf_insn *x, int depth);

/* ---- helpers (safety_helpers.c) ---- */

void bpfext_safety_helper(struct ctx *c, struct state *s, size_t i,
		      const struct bpf_insn *x, int depth);

#endif /* BPFEXT_ANALYSIS_SAFETY_H */
