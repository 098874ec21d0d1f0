/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Window pairs already proven equivalent; see proof_cache.c. */
#ifndef BPFEXT_PROOF_CACHE_H
#define BPFEXT_PROOF_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>

struct bpfext_proof_cache;

/* An empty cache, or NULL when out of memory. */
struct bpfext_proof_cache *bpfext_proof_cache__new(void);
void bpfext_proof_cache__free(struct bpfext_proof_cache *pc);

/* Known bits assumed of r0-r10: 11 known-zero masks, then 11 known-one. */
#define BPFEXT_PROOF_PRE	22

/*
 * Was @a[0, na) proven equivalent to @b[0, nb) for @live_out, assuming
 * the known input bits @pre (BPFEXT_PROOF_PRE masks, or NULL for none)?
 * Thread-safe.
 */
bool bpfext_proof_cache__has(struct bpfext_proof_cache *pc,
			     const struct bpf_insn *a, size_t na,
			     const struct bpf_insn *b, size_t nb,
			     uint16_t live_out, const uint64_t *pre);

/* Remember a proof of that.  Thread-safe. */
void bpfext_proof_cache__add(struct bpfext_proof_cache *pc,
			     const struct bpf_insn *a, size_t na,
			     const struct bpf_insn *b, size_t nb,
			     uint16_t live_out, const uint64_t *pre);

/* Lookups answered from the cache. */
size_t bpfext_proof_cache__hits(const struct bpfext_proof_cache *pc);

#endif
