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

#include "bpfext_opt.h"
#include "semantics/helper_proto.h"

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


#endif /* BPFEXT_SYMBOLIC_H */
