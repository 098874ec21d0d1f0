// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The proven-pair cache (one of K2's speed-ups): the search meets the
 * same window more than once (identical code in several programs or
 * sections) and proposes the same candidates for it, so an equivalence
 * once proven is remembered.  Pairs are stored whole and compared
 * exactly: a hash collision costs a solver call, never a wrong answer.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "superopt/proof_cache.h"

#define BUCKETS		4096
#define MAX_PAIR	64		/* slots of both sides together */

struct pair {
	struct pair *next;
	uint64_t hash;
	uint64_t pre[BPFEXT_PROOF_PRE];	/* known bits assumed of the inputs */
	uint16_t live_out;
	uint8_t na, nb;
	struct bpf_insn insns[];	/* a then b */
};

struct bpfext_proof_cache {
	pthread_mutex_t lock;
	struct pair *bucket[BUCKETS];
	size_t hits;
};

static const uint64_t no_pre[BPFEXT_PROOF_PRE];

static uint64_t hash_pair(const struct bpf_insn *a, size_t na,
			  const struct bpf_insn *b, size_t nb, uint16_t live_out,
			  const uint64_t *pre)
{
	const unsigned char *p;
	uint64_t h = 0xcbf29ce484222325ull ^ live_out ^ (na << 16) ^ (nb << 24);
	size_t i;

	for (i = 0; i < BPFEXT_PROOF_PRE; i++)
		h = (h ^ pre[i]) * 0x100000001b3ull;
	p = (const unsigned char *)a;
	for (i = 0; i < na * sizeof(*a); i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	p = (const unsigned char *)b;
	for (i = 0; i < nb * sizeof(*b); i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

static bool same(const struct pair *x, uint64_t h, const struct bpf_insn *a,
		 size_t na, const struct bpf_insn *b, size_t nb, uint16_t live_out,
		 const uint64_t *pre)
{
	return x->hash == h && x->na == na && x->nb == nb &&
	       x->live_out == live_out && !memcmp(x->pre, pre, sizeof(x->pre)) &&
	       !memcmp(x->insns, a, na * sizeof(*a)) &&
	       !memcmp(x->insns + na, b, nb * sizeof(*b));
}

struct bpfext_proof_cache *bpfext_proof_cache__new(void)
{
	struct bpfext_proof_cache *pc = calloc(1, sizeof(*pc));

	if (pc)
		pthread_mutex_init(&pc->lock, NULL);
	return pc;
}

void bpfext_proof_cache__free(struct bpfext_proof_cache *pc)
{
	size_t i;

	if (!pc)
		return;
	for (i = 0; i < BUCKETS; i++) {
		while (pc->bucket[i]) {
			struct pair *x = pc->bucket[i];

			pc->bucket[i] = x->next;
			free(x);
		}
	}
	pthread_mutex_destroy(&pc->lock);
	free(pc);
}

bool bpfext_proof_cache__has(struct bpfext_proof_cache *pc,
			     const struct bpf_insn *a, size_t na,
			     const struct bpf_insn *b, size_t nb,
			     uint16_t live_out, const uint64_t *pre)
{
	uint64_t h;
	struct pair *x;
	bool found = false;

	if (!pc || na + nb > MAX_PAIR)
		return false;
	if (!pre)
		pre = no_pre;
	h = hash_pair(a, na, b, nb, live_out, pre);
	pthread_mutex_lock(&pc->lock);
	for (x = pc->bucket[h % BUCKETS]; x && !found; x = x->next)
		found = same(x, h, a, na, b, nb, live_out, pre);
	pc->hits += found;
	pthread_mutex_unlock(&pc->lock);
	return found;
}

void bpfext_proof_cache__add(struct bpfext_proof_cache *pc,
			     const struct bpf_insn *a, size_t na,
			     const struct bpf_insn *b, size_t nb,
			     uint16_t live_out, const uint64_t *pre)
{
	struct pair *x;
	uint64_t h;

	if (!pc || na + nb > MAX_PAIR)
		return;
	x = malloc(sizeof(*x) + (na + nb) * sizeof(*a));
	if (!x)
		return;
	if (!pre)
		pre = no_pre;
	h = hash_pair(a, na, b, nb, live_out, pre);
	x->hash = h;
	memcpy(x->pre, pre, sizeof(x->pre));
	x->live_out = live_out;
	x->na = na;
	x->nb = nb;
	memcpy(x->insns, a, na * sizeof(*a));
	memcpy(x->insns + na, b, nb * sizeof(*b));
	pthread_mutex_lock(&pc->lock);
	x->next = pc->bucket[h % BUCKETS];
	pc->bucket[h % BUCKETS] = x;
	pthread_mutex_unlock(&pc->lock);
}

size_t bpfext_proof_cache__hits(const struct bpfext_proof_cache *pc)
{
	return pc ? pc->hits : 0;
}
