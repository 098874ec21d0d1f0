/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Symbolic BPF semantics in Z3 (bit-vectors) and equivalence checking.
 *
 * Both checks encode loop-free code whose branches all go forward, by
 * instruction-order symbolic execution: each instruction gets a reach
 * condition, registers are merged with if-then-else at join points, and
 * memory is a guarded chain of byte stores read newest-first (a store
 * is visible to a later load exactly when its instruction executed,
 * since execution order is program order).  Division and modulo by zero,
 * shift masking, 32-bit zero extension, sign extension of immediates,
 * JMP32, BPF_END and the atomic operations follow the kernel.
 *
 * Window check (bpfext_sym_equiv_window): two instruction sequences
 * that start in the same state - every register and every byte of one
 * flat memory unknown - are equivalent when they leave through the same
 * exit or fall-through, with the same r0 on exit, the same live-out
 * registers on fall-through, and the same memory.  Helper and
 * bpf-to-bpf calls are not supported yet.
 *
 * Program check (bpfext_sym_equiv_prog): two whole programs of the same
 * XDP or skb type, run on the same packet (up to max_pkt bytes, at least
 * 14) and the same context, are equivalent when they return the same r0
 * and leave the same packet bytes and context fields.  Tracing types
 * (kprobe, tracepoint, raw_tp, perf_event, fentry/fexit/iterators, LSM)
 * have no packet; their context is an opaque read-only pointer to
 * BPFEXT_SYM_MAX_CTX unknown bytes.  Values the loader sets (the
 * linked programs' ->ltv: CO-RE-relocated immediates and offsets,
 * __ksym addresses) are unknowns named by their relocation, shared by
 * both sides; maps, global data (initial contents unknown: a skeleton
 * may set them) and __kconfig externs are maps.  Helpers of
 * helper_proto.h are opaque calls: r0 and the output buffer are
 * unknown functions of the history of opaque calls (helper, scalar and
 * map arguments, input buffer bytes), and that history must be the
 * same on both sides.  Registers carry a
 * pointer type found along the way (context, packet, packet end, stack;
 * memory-type concretization), so each region is its own memory: stack
 * starts zeroed, packet bytes and non-pointer context fields are
 * unknowns.  A pointer spilled to an aligned 8-byte stack slot keeps its
 * type until the slot is overwritten; pointer differences (also in 32
 * bits) are scalars.  Only the packet bytes either side stores, below
 * the packet length, can differ, so only those are compared.  Maps (array, hash, LRU hash and their per-CPU forms, on one
 * CPU) are known by index from their ld_imm64 (map-type concretization);
 * their initial contents are unknown functions of the key, lookups give
 * a pointer to the element of that key that is non-null when present,
 * and update, delete and stores through value pointers are a guarded
 * chain of operations; the final contents of every map must agree at
 * every key.  bpf_get_smp_processor_id is an unknown shared by both
 * sides; a tail call leaves the program when the input fills the prog
 * arrays (one unknown), and its target is an output; bpf_redirect and
 * bpf_redirect_map (device, CPU and XSK maps with unknown contents) set
 * a redirect target that is an output.  Programs with other helper calls, bpf-to-bpf calls, loops or
 * pointer use it cannot type are reported as not supported.  Known
 * gaps: hash map capacity (an update into a full map fails in the
 * kernel and the interpreter) is not modelled, and a pointer kept across
 * a delete and re-insert of its key sees the new value.  A
 * counterexample is a concrete packet, context, CPU and set of initial
 * map entries that the interpreter replays (bpfext_sym_cex__input()).
 */
#ifndef BPFEXT_SYMBOLIC_H
#define BPFEXT_SYMBOLIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>

#include "bpfext.h"
#include "semantics/helper_proto.h"
#include "semantics/interp.h"

enum bpfext_equiv {
	BPFEXT_EQUIVALENT = 0,
	BPFEXT_DIFFERENT = 1,
	BPFEXT_UNDECIDED = 2,		/* solver timeout or unknown */
};

/*
 * Memory offset concretization (K2): a load's chain leaves out older
 * stores whose address is a known number other than the load's.  Off by
 * default: on the whole-program queries of the samples (67, bench_equiv
 * -s modular) Z3 was faster without it (median 16 against 20 ms, mean 18
 * against 79 ms), and window queries have no numeric addresses for it.
 */
#define BPFEXT_SYM_OFFSET_CONC		(1u << 0)

struct bpfext_sym_opts {
	unsigned int timeout_ms;	/* 0: none */
	uint32_t max_pkt;		/* program check: bytes; 0: 128 */
	unsigned int flags;		/* BPFEXT_SYM_NO_* */
	/* window check: bits of r0-r10 known to be zero / one on entry, or NULL */
	const uint64_t *known_zero;
	const uint64_t *known_one;
};

#define BPFEXT_SYM_MAX_PKT	1500
#define BPFEXT_SYM_MAX_MEM	64
#define BPFEXT_SYM_MAX_KEY	64
#define BPFEXT_SYM_MAX_VALUE	512
#define BPFEXT_SYM_MAX_ENTRIES	64
#define BPFEXT_SYM_MAX_CTX	512	/* opaque contexts: bytes modelled */
#define BPFEXT_SYM_MAX_LTV	32
#define BPFEXT_SYM_MAX_CALLS	16
#define BPFEXT_SYM_MAX_BIG	(1u << 16)	/* bytes of larger global data */

/* A counterexample. */
struct bpfext_sym_cex {
	/* window check: initial registers and the memory bytes read */
	uint64_t regs[11];
	size_t nr_mem;
	uint64_t mem_addr[BPFEXT_SYM_MAX_MEM];
	uint8_t mem_val[BPFEXT_SYM_MAX_MEM];
	/* window check: what each side produced */
	bool exited[2];
	uint64_t out_regs[2][11];
	/* program check: the input */
	uint8_t pkt[BPFEXT_SYM_MAX_PKT];
	uint32_t pkt_len;
	uint8_t ctx[BPFEXT_SYM_MAX_CTX];
	uint32_t ctx_len;
	/* program check: r0 each side returns */
	uint64_t r0[2];
	/* program check: initial map entries, CPU, prog arrays filled */
	uint32_t cpu;
	bool tail_call_ok;
	size_t nr_entries;
	struct {
		uint32_t map;
		uint8_t key[BPFEXT_SYM_MAX_KEY];
		uint8_t value[BPFEXT_SYM_MAX_VALUE];
		/* a value over BPFEXT_SYM_MAX_VALUE bytes: at big[big_at - 1] */
		uint32_t big_at;
	} entries[BPFEXT_SYM_MAX_ENTRIES];
	struct bpfext_interp_kv kv[BPFEXT_SYM_MAX_ENTRIES];
	uint8_t big[BPFEXT_SYM_MAX_BIG];
	uint32_t nr_big;
	/* program check: the load-time values the loader chose */
	size_t nr_ltv;
	struct {
		char key[BPFEXT_LTV_KEY_MAX];
		uint64_t value;
	} ltv[BPFEXT_SYM_MAX_LTV];
	struct bpfext_interp_ltv iltv[BPFEXT_SYM_MAX_LTV];
	/* program check: what the opaque helper calls of either side answered */
	size_t nr_calls;
	struct {
		int32_t id;
		uint64_t key, r0;
		uint32_t nr_out;
		uint8_t out[BPFEXT_HELPER_BUF_MAX];
	} calls[BPFEXT_SYM_MAX_CALLS];
	struct bpfext_interp_call icalls[BPFEXT_SYM_MAX_CALLS];
};

/**
 * bpfext_sym_equiv_window - are two instruction windows equivalent?
 * @a, @na: first window (slots)
 * @b, @nb: second window
 * @live_out: bit i set when register i is live after the windows
 * @cex: filled when the result is BPFEXT_DIFFERENT (may be NULL)
 *
 * Return: a enum bpfext_equiv value, or a negative errno (-ENOTSUP with
 * a reason in @err for code outside the supported subset).
 */
int bpfext_sym_equiv_window(const struct bpf_insn *a, size_t na,
			    const struct bpf_insn *b, size_t nb,
			    uint16_t live_out,
			    const struct bpfext_sym_opts *opts,
			    struct bpfext_sym_cex *cex,
			    struct bpfext_error *err);

/**
 * bpfext_sym_equiv_prog - are two linked programs equivalent?
 *
 * Both must have the same program type (XDP, socket filter, tc or
 * another skb type).  See the file comment for what is compared.
 *
 * Return: a enum bpfext_equiv value, or a negative errno.
 */
int bpfext_sym_equiv_prog(const struct bpfext_linked_prog *a,
			  const struct bpfext_linked_prog *b,
			  const struct bpfext_sym_opts *opts,
			  struct bpfext_sym_cex *cex,
			  struct bpfext_error *err);

/* The initial value of the counterexample's map entry @i. */
const uint8_t *bpfext_sym_cex__value(const struct bpfext_sym_cex *cex, size_t i);

/* Program types the program check gives an opaque context (no packet). */
bool bpfext_sym_opaque_ctx(enum bpf_prog_type t);

/* Interpreter input replaying a program-check counterexample; points
 * into @cex (whose ->kv it fills). */
void bpfext_sym_cex__input(struct bpfext_sym_cex *cex,
			   struct bpfext_interp_input *input);

#endif /* BPFEXT_SYMBOLIC_H */
