/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The Z3 encoding's state and what its parts share: the memory model
 * (symbolic_mem.c: byte chains per region, maps, the accesses of a
 * pointer), the helper calls (symbolic_helpers.c) and the instruction
 * encoders and checks (symbolic.c).  Not part of the API.
 */
#ifndef BPFEXT_SEMANTICS_SYMBOLIC_INT_H
#define BPFEXT_SEMANTICS_SYMBOLIC_INT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <z3.h>

#include "semantics/symbolic.h"

#ifndef BPF_MEMSX
#define BPF_MEMSX 0x80
#endif

enum tag { T_SCALAR, T_CTX, T_PKT, T_PKT_END, T_STACK, T_MAP, T_MAPVAL,
	   T_CONFLICT };
enum region { M_FLAT, M_STACK, M_PKT, M_CTX, M_MAP, NR_REGIONS };
enum ctxk { C_NONE, C_XDP, C_SKB, C_OPAQUE };

struct val {
	Z3_ast v;		/* BV64; for pointers the offset in the region */
	enum tag tag;
	int map;		/* T_MAP, T_MAPVAL: map index */
	Z3_ast key;		/* T_MAPVAL: key of the element */
	Z3_ast nonnull;		/* T_MAPVAL: lookup found it */
	bool nullable;		/* T_MAPVAL: NULL (scalar 0) on a merged path */
	bool from_bytes;	/* T_MAPVAL: a stack slot joined with plain bytes */
	size_t gen;		/* T_MAPVAL: the map's operations before the lookup */
};

/* Map operations of one side, in program order. */
/*
 * MOP_EVICT: an LRU hash took a free node, which may evict any element;
 * MOP_TOUCH: an LRU lookup marked an element referenced (what is evicted
 * later depends on it).  Both change only the history and presence.
 */
enum mop_kind { MOP_UPDATE, MOP_DELETE, MOP_STORE, MOP_EVICT, MOP_TOUCH };

struct mop {
	enum mop_kind kind;
	Z3_ast guard;		/* executed and succeeded */
	Z3_ast key;
	Z3_ast off;		/* MOP_STORE: byte offset (BV64) */
	Z3_ast byte;		/* MOP_STORE: the byte */
	Z3_ast hist;		/* the map's history before it */
	Z3_ast value;		/* MOP_UPDATE: value_size bytes */
};

struct mops {
	struct mop *o;
	size_t n, cap;
	Z3_ast hist;		/* the updates and deletes so far (BV64), or NULL */
};

/* Keys seen, for counterexamples. */
struct seen_key {
	int map;
	Z3_ast key;
};

/* A lookup in an LPM trie: the key it was given and the entry it finds. */
struct lpm_lookup {
	int map;
	Z3_ast key;
	Z3_ast entry;
};

struct store {
	Z3_ast guard;
	Z3_ast addr;		/* BV64 */
	Z3_ast byte;		/* BV8 */
};

struct chain {
	struct store *s;
	size_t n, cap;
};

/*
 * The per-path state: r0-r10, then the 64 eight-byte stack slots, which
 * say whether a slot holds a spilled pointer (with its type), then the
 * history of opaque helper calls (helper_proto.h).
 */
#define NSLOTS		64
#define STACK_FRAME	512	/* program: frame k is [k * 512, k * 512 + 512) */
#define HIST		(11 + NSLOTS)
#define NVALS		(HIST + 1)

struct edge {
	Z3_ast cond;
	struct val r[NVALS];
};

struct inbox {
	struct edge *e;
	size_t n, cap;
};

/* Inputs shared by both sides of a check. */
struct shared {
	Z3_context z;
	Z3_sort bv8, bv64;
	bool prog;
	enum ctxk ctx;
	uint32_t l2_hdr;		/* bytes before data in the test packet */
	uint32_t ctx_size;
	Z3_ast regs0[11];		/* window: initial registers */
	Z3_ast m0;			/* window: initial flat memory */
	Z3_ast pkt0;			/* program: packet bytes */
	Z3_ast ctx0;			/* program: context bytes */
	Z3_ast stk0;			/* program: the entry frame's bytes */
	Z3_ast len;			/* program: packet length from data */
	Z3_ast cpu;			/* program: smp_processor_id, BV64 */
	Z3_ast tail_ok;			/* program: prog arrays are filled */
	const struct bpfext_map_desc *maps;
	size_t nr_maps;
	Z3_func_decl *present0;		/* per map: key -> present initially */
	Z3_func_decl *val0;		/* per map: key, offset -> byte */
	struct seen_key *keys;
	size_t nr_keys, cap_keys;
	Z3_func_decl *match0;		/* per LPM trie: prefix -> entry found */
	Z3_ast *tfills;			/* prog array slots a tail call asked for */
	size_t nr_tfills, cap_tfills;
	struct lpm_lookup *lpm;
	size_t nr_lpm, cap_lpm;
	/* window: addresses read from initial memory, for counterexamples */
	Z3_ast *reads;
	size_t nr_reads, cap_reads;
	bool offset_conc;		/* BPFEXT_SYM_OFFSET_CONC */
	/* program: opaque helper calls */
	Z3_func_decl call_f;		/* history, helper, r1-r5 -> history */
	Z3_func_decl feed_f;		/* history, an input byte -> history */
	Z3_func_decl ret_f;		/* history -> r0 */
	Z3_func_decl out_f;		/* history, offset -> output byte */
	/* program: load-time values, one unknown per key */
	struct {
		const char *key;
		Z3_ast v;		/* BV64 */
	} lts[BPFEXT_SYM_MAX_LTV];
	size_t nr_lts;
	/* the widths of relocated loads and stores, and their local ones */
	struct {
		const char *key;
		Z3_ast w;		/* BV64 */
		unsigned int local;
	} widths[BPFEXT_SYM_MAX_LTV];
	size_t nr_widths;
	struct bpfext_error *err;
};

/* An opaque helper call of one side, for counterexamples. */
struct ocall {
	int32_t id;
	Z3_ast reach;
	Z3_ast *parts;			/* what the key chain takes, in order */
	bool *byte;			/* ... a byte (else 8 bytes) */
	size_t nparts, cap;
	Z3_ast h;			/* the history after the call */
	uint32_t nout;			/* output buffer bytes */
};

/* A successful redirect helper call. */
struct redir {
	Z3_ast guard;
	Z3_ast ifindex, flags, map;	/* map: ~0 for bpf_redirect */
};

/* A tail call of one side: its frame 0 is the tail callee's. */
struct tailpt {
	Z3_ast hit;			/* taken here */
	size_t nstk;			/* the stack stores before it */
	struct val slot[NSLOTS];	/* the frame's slots */
};

/* The result of encoding one side. */
struct side {
	struct shared *sh;
	struct chain mem[NR_REGIONS];
	struct mops *mops;		/* per map */
	struct inbox *in;		/* per slot, + 1 for the end */
	size_t cnt;
	Z3_ast exit_cond;		/* some exit was taken */
	Z3_ast r0;			/* r0 at the exit taken */
	Z3_ast tail_cond;		/* left through a tail call */
	Z3_ast tail_target;		/* map << 32 | index */
	struct redir *redir;		/* redirect helpers, program order */
	size_t nr_redir, cap_redir;
	struct tailpt *tails;		/* tail calls, program order */
	size_t nr_tails, cap_tails;
	Z3_ast end_cond;		/* fell off the end */
	struct val end_regs[NVALS];	/* registers there */
	struct val *cur;		/* state being encoded */
	unsigned int frames;		/* bpf-to-bpf calls encoded */
	/*
	 * Program: what callee frames hold before the callee writes them.
	 * Earlier calls of the same side left it there, so each side has
	 * its own.
	 */
	Z3_ast stk_callee;
	Z3_ast hist;			/* opaque call history at the exit taken */
	struct ocall *calls;		/* opaque calls, program order */
	size_t nr_calls, cap_calls;
	const struct bpfext_ltv **ltv_at;	/* per slot, or NULL */
};

static inline int fail(struct shared *sh, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Fill the error with a reason; returns -@code. */
static inline int fail(struct shared *sh, int code, const char *fmt, ...)
{
	va_list ap;

	if (sh->err) {
		va_start(ap, fmt);
		vsnprintf(sh->err->msg, sizeof(sh->err->msg), fmt, ap);
		va_end(ap);
	}
	return -code;
}

/* ---- bit-vector helpers ---- */

static inline Z3_ast k64(struct shared *sh, uint64_t v)
{
	return Z3_mk_unsigned_int64(sh->z, v, sh->bv64);
}

static inline Z3_ast k8(struct shared *sh, uint8_t v)
{
	return Z3_mk_unsigned_int64(sh->z, v, sh->bv8);
}

static inline Z3_ast lo32(struct shared *sh, Z3_ast x)
{
	return Z3_mk_extract(sh->z, 31, 0, x);
}

static inline Z3_ast zext32(struct shared *sh, Z3_ast x32)
{
	return Z3_mk_zero_ext(sh->z, 32, x32);
}

static inline Z3_ast and2(struct shared *sh, Z3_ast a, Z3_ast b)
{
	Z3_ast v[2] = { a, b };

	return Z3_mk_and(sh->z, 2, v);
}

static inline Z3_ast or2(struct shared *sh, Z3_ast a, Z3_ast b)
{
	Z3_ast v[2] = { a, b };

	return Z3_mk_or(sh->z, 2, v);
}

static inline bool is_false(struct shared *sh, Z3_ast c)
{
	return Z3_get_bool_value(sh->z, c) == Z3_L_FALSE;
}

/* Concrete value of a (simplified) term, if it is a numeral. */
static inline bool numeral(struct shared *sh, Z3_ast x, uint64_t *v)
{
	Z3_ast s = Z3_simplify(sh->z, x);

	return Z3_is_numeral_ast(sh->z, s) && Z3_get_numeral_uint64(sh->z, s, v);
}

/* Is map @m there to use (present in the initial state)? */
/* Maps of devices, CPUs and sockets: a lookup gives a kernel object. */
static inline bool is_devmap(uint32_t t)
{
	return t == BPF_MAP_TYPE_DEVMAP || t == BPF_MAP_TYPE_DEVMAP_HASH ||
	       t == BPF_MAP_TYPE_CPUMAP || t == BPF_MAP_TYPE_XSKMAP;
}

static inline bool is_lru(uint32_t t)
{
	return t == BPF_MAP_TYPE_LRU_HASH || t == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

static inline bool map_usable(struct shared *sh, int m)
{
	return m >= 0 && (size_t)m < sh->nr_maps && sh->present0 &&
	       sh->present0[m];
}

static inline Z3_ast bswap(struct shared *sh, Z3_ast x, unsigned int bits)
{
	Z3_ast r = NULL;
	unsigned int i;

	for (i = 0; i < bits / 8; i++) {
		Z3_ast b = Z3_mk_extract(sh->z, i * 8 + 7, i * 8, x);

		r = r ? Z3_mk_concat(sh->z, r, b) : b;
	}
	return bits == 64 ? r : Z3_mk_zero_ext(sh->z, 64 - bits, r);
}

/* ---- the memory model (symbolic_mem.c) ---- */

struct access {
	enum region r;
	Z3_ast addr;		/* address in the region, or value offset */
	int map;
	Z3_ast key;
};

/* Where a pointer register plus @off points. */
int bpfext_sym_access_of(struct side *sd, const struct val *p, int16_t off,
			 struct access *a, size_t slot);
/*
 * A load from the stack: 1 if it is a plain scalar, 0 with @out set for
 * the fill of a spilled pointer, or a negative errno.
 */
int bpfext_sym_stack_fill(struct side *sd, Z3_ast addr, unsigned int size,
			  struct val *out, size_t slot);
/* A helper reads @n bytes of the stack: 0, or ENOTSUP over a spilled pointer. */
int bpfext_sym_stack_bytes(struct side *sd, Z3_ast addr, uint64_t n, size_t slot);
/* @n bytes little endian as a BV(n * 8). */
Z3_ast bpfext_sym_acc_read_raw(struct side *sd, const struct access *a,
			       unsigned int n);
Z3_ast bpfext_sym_acc_read(struct side *sd, const struct access *a,
			   unsigned int size);
int bpfext_sym_acc_write(struct side *sd, const struct access *a, Z3_ast guard,
			 Z3_ast val, unsigned int size);
/* A load from the context at a concrete offset. */
int bpfext_sym_ctx_load(struct side *sd, Z3_ast addr, unsigned int size,
			struct val *out, size_t slot);
/* Maps. */
/* symbolic_helpers.c: the helper call @id at @slot, on r1-r5 in @r */
int bpfext_sym_helper(struct side *sd, int32_t id, struct val *r, Z3_ast *reachp,
		      size_t slot);

bool bpfext_sym_map_is_array(uint32_t t);
bool bpfext_sym_map_supported(uint32_t t);
int bpfext_sym_note_key(struct shared *sh, int m, Z3_ast key);
int bpfext_sym_lpm_lookup(struct side *sd, int m, Z3_ast key, Z3_ast *entry,
			  Z3_ast *found);
Z3_ast bpfext_sym_lpm_facts(struct shared *sh);
int bpfext_sym_mop_add(struct side *sd, int m, const struct mop *o);
Z3_ast bpfext_sym_present_at(struct side *sd, int m, Z3_ast key);
Z3_ast bpfext_sym_map_room(struct side *sd, int m, Z3_ast key);
Z3_ast bpfext_sym_map_unknown(struct side *sd, const char *what, int m, Z3_ast key);
Z3_ast bpfext_sym_max_entries(struct shared *sh, int m, Z3_sort sort);
Z3_ast bpfext_sym_val_at(struct side *sd, int m, Z3_ast key, Z3_ast off);
/*
 * Memory offset concretization (BPFEXT_SYM_OFFSET_CONC): a store at a
 * known address other than the one read is left out of the read's chain.
 * Addresses are known where pointers are (the program check gives stack
 * and packet numeric bases).  For base + constant addresses on unknown
 * bases (the window check) the solver is faster on the plain chain than
 * with such stores left out by their syntax, as measured with bench_equiv.
 */
Z3_ast bpfext_sym_read_byte(struct side *sd, enum region r, Z3_ast a);
Z3_ast bpfext_sym_mem_read(struct side *sd, enum region r, Z3_ast addr,
			   unsigned int size);

#endif /* BPFEXT_SEMANTICS_SYMBOLIC_INT_H */
