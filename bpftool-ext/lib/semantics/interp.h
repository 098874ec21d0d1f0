/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The interpreter's machine, shared by its loop (interp.c) and its
 * helper models (interp_helpers.c); not part of the API.
 */
#ifndef BPFEXT_SEMANTICS_INTERP_H
#define BPFEXT_SEMANTICS_INTERP_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "bpfext.h"

#ifndef BPF_MEMSX
#define BPF_MEMSX 0x80
#endif

#define MAX_FRAMES	8
#define STACK_SIZE	BPFEXT_INTERP_STACK
#define PKT_BUF		4096
#define XDP_HEADROOM	256
#define SKB_HEADROOM	256
#define XDP_FRAME_SZ	40	/* sizeof(struct xdp_frame) */
#define SHINFO_SZ	320	/* SKB_DATA_ALIGN(sizeof(skb_shared_info)) */
#define ETH_HLEN	14
#define MAX_PKT		3000
#define RAW_CTX_SIZE	4096
#define SKB_CTX_SIZE	192	/* sizeof(struct __sk_buff) */
#define XDP_CTX_SIZE	24	/* sizeof(struct xdp_md) */
#define MAX_REGIONS	(1u << 20)

/* Region ids (1-based); map value regions follow. */
enum { R_CTX = 1, R_PKT = 2, R_STACK0 = 3, R_MAP0 = R_STACK0 + MAX_FRAMES };

#define ADDR(r, off)	(((uint64_t)(r) << 32) + (uint64_t)(off))
#define MAP_TAG		0x80000000u
#define FUNC_TAG	0x90000000u

enum ctx_kind { CTX_RAW, CTX_XDP, CTX_SKB };

struct dinsn;

/* ---- per-run machine state ---- */

struct region {
	uint8_t *mem;
	uint32_t lo, hi;	/* accessible offsets [lo, hi) */
	uint32_t wr;
};

struct mentry {
	uint8_t *key;
	uint32_t region;	/* value region id */
	uint32_t live;
};

struct mstate {
	struct mentry *e;
	size_t n, cap;
};

struct chunk {
	struct chunk *next;
	size_t size, used;
	uint8_t data[];
};


struct bpfext_interp {
	const struct bpfext_linked_prog *lp;
	struct dinsn *code;
	struct dinsn *local;		/* the load-time slots as predecoded */
	size_t cnt;
	enum ctx_kind ctx_kind;
	bool skb_l2;
	uint32_t ctx_size;

	/* state */
	const struct bpfext_interp_input *input;
	struct region *regions;
	uint32_t nr_regions;
	size_t cap_regions;
	struct mstate *maps;
	struct chunk *arena, *cur;
	uint8_t stack[MAX_FRAMES][STACK_SIZE];
	uint8_t pkt[PKT_BUF];
	uint8_t ctx[RAW_CTX_SIZE];
	uint32_t data_off, end_off, meta_off, mac_off;
	size_t prandom_i, ktime_i;
	bool oom;
	struct bpfext_interp_output *out;
};

/* ---- little helpers ---- */

static inline uint64_t ld_le(const uint8_t *p, unsigned int size)
{
	uint8_t b; uint16_t h; uint32_t w; uint64_t d;

	switch (size) {
	case 1: memcpy(&b, p, 1); return b;
	case 2: memcpy(&h, p, 2); return h;
	case 4: memcpy(&w, p, 4); return w;
	default: memcpy(&d, p, 8); return d;
	}
}

static inline void st_le(uint8_t *p, unsigned int size, uint64_t v)
{
	uint8_t b = (uint8_t)v; uint16_t h = (uint16_t)v; uint32_t w = (uint32_t)v;

	switch (size) {
	case 1: memcpy(p, &b, 1); break;
	case 2: memcpy(p, &h, 2); break;
	case 4: memcpy(p, &w, 4); break;
	default: memcpy(p, &v, 8); break;
	}
}

static inline uint8_t *mem_ptr(const struct bpfext_interp *in, uint64_t addr,
			       uint32_t size, bool wr)
{
	uint64_t r = (addr >> 32) - 1;
	uint32_t off = (uint32_t)addr;
	const struct region *rg;

	if (r >= in->nr_regions)
		return NULL;
	rg = &in->regions[r];
	if (off < rg->lo || (uint64_t)off + size > rg->hi || (wr && !rg->wr))
		return NULL;
	return rg->mem + off;
}

/* Maps (interp.c). */
bool bpfext_interp_is_array(uint32_t type);
struct mentry *bpfext_interp_map_find(struct bpfext_interp *in, uint32_t m,
				      const uint8_t *key);
/* A new element, its value @value or zeroes; NULL when out of memory. */
struct mentry *bpfext_interp_map_add(struct bpfext_interp *in, uint32_t m,
				     const uint8_t *key, const uint8_t *value);

/*
 * Run helper @id on the registers @r (r0-r5) (interp_helpers.c).
 * Return: 0, -EFAULT for a fault (reason in in->out->fault), -ENOMEM,
 * or 1 for a tail call taken.
 */
int bpfext_interp_helper(struct bpfext_interp *in, int32_t id, uint64_t *r);

#endif /* BPFEXT_SEMANTICS_INTERP_H */
