/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Helpers by prototype (helper_proto.c): the helpers of tracing
 * programs (and a few of every program) that the checker and the
 * interpreter treat as opaque functions of what they are given.
 *
 * A call reads its scalar arguments, the map it names and the bytes of
 * its input buffers, and gives back r0 and the bytes of its output
 * buffer.  What the kernel answers is unknown, but the same for the
 * same history: the world behind every opaque call of a run is a
 * function of all the opaque calls made before it and their inputs (so
 * two runs that make the same calls get the same answers, and a time or
 * a random number read twice may differ).  The history itself is an
 * output (a helper may have effects: output to user space, signals), so
 * two programs are only equivalent if they make the same opaque calls
 * with the same inputs in the same order.
 *
 * Concretely a history is a key chain: FNV-1a over, call by call, the
 * helper id, the scalar and map arguments (8 bytes each, little endian)
 * and the input buffers' bytes.  The interpreter keeps it, and looks up
 * the answers a counterexample gives by it (bpfext_interp_call).
 */
#ifndef BPFEXT_HELPER_PROTO_H
#define BPFEXT_HELPER_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfext.h"

enum bpfext_harg {
	HARG_NONE,
	HARG_SCALAR,		/* a number: part of the history */
	HARG_PTR,		/* a pointer not looked into (ctx, kernel memory) */
	HARG_MAP,		/* a map: its index is part of the history */
	HARG_IN,		/* a buffer read: its bytes are part of the history */
	HARG_OUT,		/* a buffer written with the answer's bytes */
	HARG_INOUT,		/* both: read into the history, then written */
};

#define BPFEXT_CALL_KEY_INIT	0xcbf29ce484222325ull
/*
 * A pointer where a helper takes a number (a string for trace_printk,
 * say) enters the history as its place: its offset in the context, or
 * in the program's own stack frame (offset 512 is the frame pointer),
 * or-ed with one of these.
 */
#define BPFEXT_CALL_PTR_CTX	(1ull << 60)
#define BPFEXT_CALL_PTR_STACK	(2ull << 60)

struct bpfext_helper_proto {
	int32_t id;
	uint8_t nargs;
	uint8_t arg[5];			/* enum bpfext_harg of r1-r5 */
	uint8_t size_arg[5];		/* HARG_IN/OUT/INOUT: 1-5, the argument with its size */
	bool str;			/* OUT holds r0 bytes when r0 > 0 (a string) */
	/*
	 * r1 = dst, r2 = size, r3 = src: when src points into memory the
	 * program has (stack, context, a map value), a plain copy that
	 * returns 0 and is no opaque call (bpf_probe_read_kernel of a
	 * global, CO-RE reads of local data).
	 */
	bool copy;
	/*
	 * Bit a: the helper may read or write memory through the number
	 * in r(a + 1) (a string's address, the source of a read).  What
	 * lies there is no part of the history, so the checker only takes
	 * such a number that is no pointer to memory the program has.
	 */
	uint8_t deref;
};

/*
 * The flags bpf_redirect_map takes for a map of type @type: broadcast
 * only to devmaps; any other bit makes it return XDP_ABORTED.
 */
static inline uint64_t bpfext_redirect_map_flags(uint32_t type)
{
	return type == BPF_MAP_TYPE_DEVMAP || type == BPF_MAP_TYPE_DEVMAP_HASH ?
	       3 | BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS : 3;
}

/* The prototype of helper @id if it is modelled this way, or NULL. */
const struct bpfext_helper_proto *bpfext_helper_proto(int32_t id);

/* The key chain: @key extended by a number or by bytes. */
uint64_t bpfext_call_key_u64(uint64_t key, uint64_t v);
uint64_t bpfext_call_key_bytes(uint64_t key, const uint8_t *p, size_t n);

/* What an opaque call answers when no counterexample says (interpreter). */
uint64_t bpfext_call_default(uint64_t key, uint64_t j);

#endif
