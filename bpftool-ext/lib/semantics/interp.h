/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The concrete BPF interpreter.
 *
 * The interpreter runs a linked program (bpfext.h) on a concrete input (context
 * fields, packet bytes, initial map contents, helper results) and
 * reports every output that matters for equivalence: r0, the packet,
 * the context, the maps, redirect and tail-call targets, perf output.
 * Every memory access is checked against the region it falls in; a bad
 * access, an unsupported helper or running out of the instruction
 * budget ends the run with a fault outcome, never undefined behaviour.
 *
 * Memory model: pointers are (region << 32 | offset) with region >= 1,
 * so NULL is 0 and pointer arithmetic and comparisons within a region
 * behave as in the kernel.  Regions: the context, the packet buffer
 * (with XDP headroom), one 512-byte stack per call frame, and one region
 * per map value.  Maps start empty (arrays read as zeroes) except for
 * the entries the input supplies and global data, which starts with the
 * object's initial contents.
 */
#ifndef BPFEXT_INTERP_H
#define BPFEXT_INTERP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>

#include "bpfext.h"

/* Initial map entry supplied by an input. */
struct bpfext_interp_kv {
	uint32_t map;			/* index into the linked program's maps */
	const uint8_t *key;		/* key_size bytes */
	const uint8_t *value;		/* value_size bytes */
};

/* A load-time value an input sets (bpfext_linked_prog.ltv, by key). */
struct bpfext_interp_ltv {
	const char *key;
	uint64_t value;			/* the immediate, 64-bit value or offset */
};

/*
 * The answer to one opaque helper call (helper_proto.h): the call whose
 * history key chain, the call included, is ->key.
 */
struct bpfext_interp_call {
	uint64_t key;
	uint64_t r0;
	const uint8_t *out;		/* its output buffer's bytes */
	uint32_t nr_out;
};

/*
 * One input.  Everything not supplied is zero.  Helper result streams are
 * consumed in order; when a stream runs out, its last value repeats (0 if
 * empty).
 */
struct bpfext_interp_input {
	const uint8_t *pkt;		/* packet bytes as given to test_run */
	uint32_t pkt_len;
	/*
	 * Context: raw bytes of the program type's context structure
	 * (struct xdp_md, struct __sk_buff, a tracepoint record, ...).
	 * Packet pointer fields (data, data_end, data_meta) are ignored and
	 * derived from the packet.  NULL: the defaults BPF_PROG_TEST_RUN
	 * uses without ctx_in (see bpfext_interp__default_ctx()).
	 */
	const uint8_t *ctx;
	uint32_t ctx_len;
	const struct bpfext_interp_kv *entries;
	size_t nr_entries;
	const uint64_t *prandom;	/* bpf_get_prandom_u32 results */
	size_t nr_prandom;
	const uint64_t *ktime;		/* bpf_ktime_get_*ns results */
	size_t nr_ktime;
	uint32_t cpu;			/* bpf_get_smp_processor_id */
	bool tail_call_ok;		/* prog arrays hold every index */
	bool perf_ok;			/* perf event arrays are connected */
	uint64_t max_insns;		/* budget; 0: 1,000,000 */
	/* load-time values; those not given keep the object's local value */
	const struct bpfext_interp_ltv *ltv;
	size_t nr_ltv;
	/*
	 * Helpers by prototype (helper_proto.h): every helper with such a
	 * prototype is an opaque call, answered from @calls by its history
	 * key, or by bpfext_call_default() of it (time and random numbers
	 * included, instead of the streams above).
	 */
	bool opaque;
	const struct bpfext_interp_call *calls;
	size_t nr_calls;
};

enum bpfext_interp_status {
	BPFEXT_INTERP_EXIT = 0,		/* the program returned */
	BPFEXT_INTERP_TAIL_CALL,	/* left through a successful tail call */
	BPFEXT_INTERP_FAULT,		/* bad access, helper misuse, budget */
};

struct bpfext_interp_output {
	enum bpfext_interp_status status;
	uint64_t r0;
	/* Packet from data to data_end after the run; points into the
	 * interpreter, valid until the next run. */
	const uint8_t *pkt;
	uint32_t pkt_len;
	int32_t head_delta;		/* data moved by adjust_head */
	const uint8_t *ctx;		/* context after the run */
	uint32_t ctx_len;
	bool redirect;			/* a redirect helper succeeded */
	uint64_t redirect_ifindex;
	uint64_t redirect_flags;
	int32_t redirect_map;		/* map index, -1: bpf_redirect */
	uint32_t tail_call_map;
	uint32_t tail_call_index;
	uint32_t perf_events;		/* successful perf_event_output calls */
	uint64_t perf_hash;		/* FNV-1a of their data, in order */
	uint64_t insns;			/* instructions executed */
	uint64_t calls_key;		/* history of the opaque calls (opaque) */
	uint32_t opaque_calls;
	size_t fault_pc;		/* linked-program slot of a fault */
	char fault[128];		/* its reason */
};

struct bpfext_interp;

/**
 * bpfext_interp__new - prepare a linked program for interpretation
 * @lp: the program; must stay valid while the interpreter exists
 *
 * Validates and predecodes the instructions.  Programs of types without
 * a context model get a raw read-only context of up to 4 KiB.
 *
 * Return: the interpreter, or NULL with errno set and a reason in @err.
 */
struct bpfext_interp *bpfext_interp__new(const struct bpfext_linked_prog *lp,
					 struct bpfext_error *err);
void bpfext_interp__free(struct bpfext_interp *in);

/**
 * bpfext_interp__run - run the program once
 *
 * Resets the machine (maps, stack, packet) from @input and runs.  A fault
 * of the program is an outcome in @out, not an error.
 *
 * Return: 0, or a negative errno for an invalid input (packet over 3,000
 * bytes, a map entry naming a bad map, out of memory).
 */
int bpfext_interp__run(struct bpfext_interp *in,
		       const struct bpfext_interp_input *input,
		       struct bpfext_interp_output *out);

/* Context size of the program type (0 for a raw context). */
uint32_t bpfext_interp__ctx_size(const struct bpfext_interp *in);

/*
 * Map state after the last run.  Arrays list only the elements the run
 * or the input touched; an absent array element reads as zeroes.
 */
size_t bpfext_interp__map_entry_cnt(const struct bpfext_interp *in,
				    uint32_t map);
int bpfext_interp__map_entry(const struct bpfext_interp *in, uint32_t map,
			     size_t i, const uint8_t **key,
			     const uint8_t **value);

/**
 * bpfext_interp__cmp - compare the last outcomes of two interpreters
 *
 * The two must run programs with the same maps (same count, types and
 * sizes).  Compares status, r0, packet, context, redirect, tail-call and
 * perf outputs and the final map contents.
 *
 * Return: 0 if equal, 1 if they differ (with the first difference
 * described in @why), or a negative errno.
 */
int bpfext_interp__cmp(const struct bpfext_interp *a,
		       const struct bpfext_interp_output *oa,
		       const struct bpfext_interp *b,
		       const struct bpfext_interp_output *ob,
		       char *why, size_t len);

#endif /* BPFEXT_INTERP_H */
