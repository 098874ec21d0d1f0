// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Concrete BPF interpreter: predecoded instructions, computed-goto
 * dispatch, region-checked memory; the helper models are in
 * interp_helpers.c.  See bpfext.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "isa/alu.h"
#include "semantics/helper_proto.h"
#include "semantics/interp.h"

/* ---- predecoded program ---- */

#define OPS(X) \
	X(INVALID) \
	X(ADD64_K) X(ADD64_X) X(SUB64_K) X(SUB64_X) X(MUL64_K) X(MUL64_X) \
	X(DIV64_K) X(DIV64_X) X(SDIV64_K) X(SDIV64_X) X(MOD64_K) X(MOD64_X) \
	X(SMOD64_K) X(SMOD64_X) X(OR64_K) X(OR64_X) X(AND64_K) X(AND64_X) \
	X(LSH64_K) X(LSH64_X) X(RSH64_K) X(RSH64_X) X(ARSH64_K) X(ARSH64_X) \
	X(XOR64_K) X(XOR64_X) X(MOV64_K) X(MOV64_X) X(MOVSX64_8) \
	X(MOVSX64_16) X(MOVSX64_32) X(NEG64) \
	X(ADD32_K) X(ADD32_X) X(SUB32_K) X(SUB32_X) X(MUL32_K) X(MUL32_X) \
	X(DIV32_K) X(DIV32_X) X(SDIV32_K) X(SDIV32_X) X(MOD32_K) X(MOD32_X) \
	X(SMOD32_K) X(SMOD32_X) X(OR32_K) X(OR32_X) X(AND32_K) X(AND32_X) \
	X(LSH32_K) X(LSH32_X) X(RSH32_K) X(RSH32_X) X(ARSH32_K) X(ARSH32_X) \
	X(XOR32_K) X(XOR32_X) X(MOV32_K) X(MOV32_X) X(MOVSX32_8) \
	X(MOVSX32_16) X(NEG32) \
	X(LE16) X(LE32) X(LE64) X(BE16) X(BE32) X(BE64) \
	X(JA) \
	X(JEQ_K) X(JEQ_X) X(JNE_K) X(JNE_X) X(JGT_K) X(JGT_X) X(JGE_K) X(JGE_X) \
	X(JLT_K) X(JLT_X) X(JLE_K) X(JLE_X) X(JSGT_K) X(JSGT_X) X(JSGE_K) \
	X(JSGE_X) X(JSLT_K) X(JSLT_X) X(JSLE_K) X(JSLE_X) X(JSET_K) X(JSET_X) \
	X(JEQ32_K) X(JEQ32_X) X(JNE32_K) X(JNE32_X) X(JGT32_K) X(JGT32_X) \
	X(JGE32_K) X(JGE32_X) X(JLT32_K) X(JLT32_X) X(JLE32_K) X(JLE32_X) \
	X(JSGT32_K) X(JSGT32_X) X(JSGE32_K) X(JSGE32_X) X(JSLT32_K) \
	X(JSLT32_X) X(JSLE32_K) X(JSLE32_X) X(JSET32_K) X(JSET32_X) \
	X(CALL) X(CALL_PSEUDO) X(EXIT) \
	X(LDX_B) X(LDX_H) X(LDX_W) X(LDX_DW) X(LDXSX_B) X(LDXSX_H) X(LDXSX_W) \
	X(ST_B) X(ST_H) X(ST_W) X(ST_DW) X(STX_B) X(STX_H) X(STX_W) X(STX_DW) \
	X(ATOMIC_W) X(ATOMIC_DW) \
	X(LDABS_B) X(LDABS_H) X(LDABS_W) X(LDIND_B) X(LDIND_H) X(LDIND_W) \
	X(LDIMM64)

#define X_ENUM(n) OP_##n,
enum op { OPS(X_ENUM) NR_OPS };

struct dinsn {
	uint16_t op;
	uint8_t dst;
	uint8_t src;
	int32_t off;		/* memory offset, or branch displacement */
	int32_t imm;
	uint64_t k;		/* sign-extended imm, or the 64-bit constant */
};

struct frame {
	const struct dinsn *ret;
	uint64_t saved[5];	/* r6-r10 */
};

static void *arena_alloc(struct bpfext_interp *in, size_t n)
{
	struct chunk *c = in->cur;

	n = (n + 7) & ~(size_t)7;
	while (c && c->used + n > c->size) {
		if (!c->next) {
			size_t sz = n > 65536 ? n : 65536;
			struct chunk *nc = malloc(sizeof(*nc) + sz);

			if (!nc) {
				in->oom = true;
				return NULL;
			}
			nc->next = NULL;
			nc->size = sz;
			nc->used = 0;
			c->next = nc;
		}
		c = c->next;
		c->used = 0;
		in->cur = c;
	}
	if (!c)
		return NULL;
	c->used += n;
	return c->data + c->used - n;
}

static int set_region(struct bpfext_interp *in, uint32_t id, uint8_t *mem,
		      uint32_t size, bool wr)
{
	if (id > MAX_REGIONS)
		return -E2BIG;
	if (bpfext_grow(&in->regions, &in->cap_regions, id, sizeof(*in->regions))) {
		in->oom = true;
		return -ENOMEM;
	}
	while (in->nr_regions < id) {
		struct region *z = &in->regions[in->nr_regions++];

		memset(z, 0, sizeof(*z));
	}
	in->regions[id - 1].mem = mem;
	in->regions[id - 1].lo = 0;
	in->regions[id - 1].hi = size;
	in->regions[id - 1].wr = wr;
	return 0;
}

/* ---- maps ---- */

bool bpfext_interp_is_array(uint32_t type)
{
	return type == BPF_MAP_TYPE_ARRAY || type == BPF_MAP_TYPE_PERCPU_ARRAY ||
	       type == BPF_MAP_TYPE_PROG_ARRAY ||
	       type == BPF_MAP_TYPE_PERF_EVENT_ARRAY ||
	       type == BPF_MAP_TYPE_CGROUP_ARRAY ||
	       type == BPF_MAP_TYPE_ARRAY_OF_MAPS ||
	       type == BPF_MAP_TYPE_DEVMAP || type == BPF_MAP_TYPE_CPUMAP ||
	       type == BPF_MAP_TYPE_XSKMAP;
}

struct mentry *bpfext_interp_map_find(struct bpfext_interp *in, uint32_t m,
				      const uint8_t *key)
{
	const struct bpfext_map_desc *d = &in->lp->maps[m];
	struct mstate *ms = &in->maps[m];
	size_t i;

	for (i = 0; i < ms->n; i++)
		if (ms->e[i].live && !memcmp(ms->e[i].key, key, d->key_size))
			return &ms->e[i];
	return NULL;
}

struct mentry *bpfext_interp_map_add(struct bpfext_interp *in, uint32_t m,
				     const uint8_t *key, const uint8_t *value)
{
	const struct bpfext_map_desc *d = &in->lp->maps[m];
	struct mstate *ms = &in->maps[m];
	struct mentry *e;
	uint8_t *k, *v;
	uint32_t id;

	if (bpfext_grow(&ms->e, &ms->cap, ms->n + 1, sizeof(*ms->e))) {
		in->oom = true;
		return NULL;
	}
	k = arena_alloc(in, d->key_size);
	v = arena_alloc(in, d->value_size ? d->value_size : 1);
	if (!k || !v)
		return NULL;
	memcpy(k, key, d->key_size);
	if (value)
		memcpy(v, value, d->value_size);
	else
		memset(v, 0, d->value_size);
	/* Element 0 of an array has a fixed region: global data addresses
	 * are constants of the program. */
	if (bpfext_interp_is_array(d->type) && d->key_size == 4 && !ld_le(key, 4))
		id = R_MAP0 + m;
	else
		id = in->nr_regions + 1 > R_MAP0 + in->lp->nr_maps ?
		     in->nr_regions + 1 : R_MAP0 + (uint32_t)in->lp->nr_maps;
	if (set_region(in, id, v, d->value_size, !d->rdonly_prog))
		return NULL;
	e = &ms->e[ms->n++];
	e->key = k;
	e->region = id;
	e->live = 1;
	return e;
}

/* ---- contexts ---- */

static void skb_default_ctx(struct bpfext_interp *in)
{
	const uint8_t *p = in->pkt + in->mac_off;
	uint32_t len = in->end_off - in->data_off;
	uint32_t frame = in->end_off - in->mac_off;
	uint16_t proto = 0;
	static const uint8_t zero6[6];

	memset(in->ctx, 0, SKB_CTX_SIZE);
	if (frame >= ETH_HLEN) {
		memcpy(&proto, p + 12, 2);	/* stays big endian */
		if (p[0] & 1)
			in->ctx[4] = memcmp(p, "\xff\xff\xff\xff\xff\xff", 6) ? 2 : 1;
		else if (memcmp(p, zero6, 6))
			in->ctx[4] = 3;		/* PACKET_OTHERHOST */
	}
	st_le(in->ctx + 0, 4, len);			/* len */
	st_le(in->ctx + 16, 4, proto);			/* protocol */
	st_le(in->ctx + 40, 4, 1);			/* ifindex: lo */
	st_le(in->ctx + 160, 4, len);			/* wire_len */
	if (proto == 0x0008 && frame >= ETH_HLEN + 20) {
		st_le(in->ctx + 88, 4, 2);		/* AF_INET */
		memcpy(in->ctx + 92, p + ETH_HLEN + 16, 4);	/* remote: daddr */
		memcpy(in->ctx + 96, p + ETH_HLEN + 12, 4);	/* local: saddr */
	} else if (proto == 0xdd86 && frame >= ETH_HLEN + 40) {
		st_le(in->ctx + 88, 4, 10);		/* AF_INET6 */
		memcpy(in->ctx + 100, p + ETH_HLEN + 24, 16);
		memcpy(in->ctx + 116, p + ETH_HLEN + 8, 16);
	} else if (proto == 0x0008 || proto == 0xdd86) {
		st_le(in->ctx + 88, 4, proto == 0x0008 ? 2 : 10);
	}
}

/* A load from the context; 0 or -EFAULT. */
static int ctx_load(struct bpfext_interp *in, uint64_t addr, uint32_t size,
		    uint64_t *val)
{
	uint32_t off = (uint32_t)addr;

	if ((addr >> 32) != R_CTX || (uint64_t)off + size > in->ctx_size)
		return -EFAULT;
	if (in->ctx_kind == CTX_XDP) {
		if (size != 4 || (off & 3))
			return -EFAULT;
		switch (off) {
		case 0: *val = ADDR(R_PKT, in->data_off); return 0;
		case 4: *val = ADDR(R_PKT, in->end_off); return 0;
		case 8: *val = ADDR(R_PKT, in->meta_off); return 0;
		}
	} else if (in->ctx_kind == CTX_SKB) {
		st_le(in->ctx, 4, in->end_off - in->data_off);	/* len */
		switch (off) {
		case 76: case 80: case 140:
			if (size != 4)
				return -EFAULT;
			*val = ADDR(R_PKT, off == 76 ? in->data_off :
					   off == 80 ? in->end_off : in->meta_off);
			return 0;
		case 144: case 168:
			*val = 0;		/* flow_keys, sk: NULL */
			return 0;
		}
	}
	*val = ld_le(in->ctx + off, size);
	return 0;
}

static int ctx_store(struct bpfext_interp *in, uint64_t addr, uint32_t size,
		     uint64_t val)
{
	uint32_t off = (uint32_t)addr;

	if ((addr >> 32) != R_CTX || (uint64_t)off + size > in->ctx_size)
		return -EFAULT;
	if (in->ctx_kind == CTX_SKB) {
		/* mark, queue_mapping, priority, tc_index, cb, tc_classid, tstamp */
		if (!((off >= 8 && off + size <= 16) ||
		      (off >= 32 && off + size <= 36) ||
		      (off >= 44 && off + size <= 68) ||
		      (off >= 72 && off + size <= 76) ||
		      (off >= 152 && off + size <= 160)))
			return -EFAULT;
	} else {
		return -EFAULT;
	}
	st_le(in->ctx + off, size, val);
	return 0;
}

/* LD_ABS/LD_IND: 0 and *v, or -1 when out of bounds (program returns 0). */
static int skb_ld(struct bpfext_interp *in, int64_t k, uint32_t size,
		  uint64_t *v)
{
	int64_t pos;
	uint64_t x = 0;
	uint32_t i;

	if (k >= 0)
		pos = (int64_t)in->data_off + k;
	else if (k >= -0x100000)
		pos = (int64_t)in->data_off + (in->skb_l2 ? ETH_HLEN : 0) +
		      k + 0x100000;
	else if (k >= -0x200000)
		pos = (int64_t)in->mac_off + k + 0x200000;
	else
		return -1;
	if (pos < (k >= 0 ? (int64_t)in->data_off : (int64_t)in->mac_off) ||
	    pos + size > (int64_t)in->end_off)
		return -1;
	for (i = 0; i < size; i++)
		x = (x << 8) | in->pkt[pos + i];
	*v = x;
	return 0;
}

/* ---- setup ---- */

/* ALU, ALU64: the handler of the operation for its width and source. */
static void decode_alu(struct dinsn *d, const struct bpf_insn *x)
{
	uint8_t cls = BPF_CLASS(x->code), op = BPF_OP(x->code);
	bool reg = BPF_SRC(x->code) == BPF_X;
	int base = cls == BPF_ALU64 ? OP_ADD64_K : OP_ADD32_K;

	switch (op) {
	case BPF_ADD: d->op = base + 0; break;
	case BPF_SUB: d->op = base + 2; break;
	case BPF_MUL: d->op = base + 4; break;
	case BPF_DIV: d->op = base + (x->off ? 8 : 6); break;
	case BPF_MOD: d->op = base + (x->off ? 12 : 10); break;
	case BPF_OR: d->op = base + 14; break;
	case BPF_AND: d->op = base + 16; break;
	case BPF_LSH: d->op = base + 18; break;
	case BPF_RSH: d->op = base + 20; break;
	case BPF_ARSH: d->op = base + 22; break;
	case BPF_XOR: d->op = base + 24; break;
	case BPF_MOV:
		if (reg && x->off) {
			if (cls == BPF_ALU64)
				d->op = x->off == 8 ? OP_MOVSX64_8 :
					x->off == 16 ? OP_MOVSX64_16 : OP_MOVSX64_32;
			else
				d->op = x->off == 8 ? OP_MOVSX32_8 : OP_MOVSX32_16;
			return;
		}
		d->op = base + 26;
		break;
	case BPF_NEG:
		d->op = cls == BPF_ALU64 ? OP_NEG64 : OP_NEG32;
		return;
	case BPF_END:
		if (bpfext_alu_end_swaps(x->code))
			d->op = x->imm == 16 ? OP_BE16 : x->imm == 32 ? OP_BE32 : OP_BE64;
		else
			d->op = x->imm == 16 ? OP_LE16 : x->imm == 32 ? OP_LE32 : OP_LE64;
		return;
	}
	if (reg)
		d->op++;
	if (cls == BPF_ALU)
		d->k = (uint32_t)x->imm;
}

/* JMP, JMP32: calls, exit, goto and the conditional jumps. */
static void decode_jmp(struct dinsn *d, const struct bpf_insn *x)
{
	uint8_t cls = BPF_CLASS(x->code), op = BPF_OP(x->code);
	int base = cls == BPF_JMP ? OP_JEQ_K : OP_JEQ32_K;

	if (op == BPF_CALL) {
		if (x->src_reg == BPF_PSEUDO_CALL) {
			d->op = OP_CALL_PSEUDO;
			d->off = x->imm;
		} else if (x->src_reg == 0) {
			d->op = OP_CALL;
		}
		return;
	}
	if (op == BPF_EXIT) {
		d->op = OP_EXIT;
		return;
	}
	if (op == BPF_JA) {
		d->op = OP_JA;
		d->off = bpfext_insn_branch_off(x);
		return;
	}
	switch (op) {
	case BPF_JEQ: d->op = base + 0; break;
	case BPF_JNE: d->op = base + 2; break;
	case BPF_JGT: d->op = base + 4; break;
	case BPF_JGE: d->op = base + 6; break;
	case BPF_JLT: d->op = base + 8; break;
	case BPF_JLE: d->op = base + 10; break;
	case BPF_JSGT: d->op = base + 12; break;
	case BPF_JSGE: d->op = base + 14; break;
	case BPF_JSLT: d->op = base + 16; break;
	case BPF_JSLE: d->op = base + 18; break;
	case BPF_JSET: d->op = base + 20; break;
	}
	if (BPF_SRC(x->code) == BPF_X)
		d->op++;
	if (cls == BPF_JMP32)
		d->k = (uint32_t)x->imm;
}

/* LDX, ST, STX: loads, stores and atomics by mode and size. */
static void decode_mem(struct dinsn *d, const struct bpf_insn *x)
{
	static const uint16_t ldx[4] = { OP_LDX_W, OP_LDX_H, OP_LDX_B, OP_LDX_DW };
	static const uint16_t ldsx[4] = { OP_LDXSX_W, OP_LDXSX_H, OP_LDXSX_B,
					  OP_INVALID };
	static const uint16_t st[4] = { OP_ST_W, OP_ST_H, OP_ST_B, OP_ST_DW };
	static const uint16_t stx[4] = { OP_STX_W, OP_STX_H, OP_STX_B, OP_STX_DW };
	uint8_t cls = BPF_CLASS(x->code);

	if (cls == BPF_LDX) {
		if (BPF_MODE(x->code) == BPF_MEM)
			d->op = ldx[BPF_SIZE(x->code) >> 3];
		else if (BPF_MODE(x->code) == BPF_MEMSX)
			d->op = ldsx[BPF_SIZE(x->code) >> 3];
		return;
	}
	if (BPF_MODE(x->code) == BPF_MEM)
		d->op = (cls == BPF_ST ? st : stx)[BPF_SIZE(x->code) >> 3];
	else if (BPF_MODE(x->code) == BPF_ATOMIC && BPF_SIZE(x->code) == BPF_W)
		d->op = OP_ATOMIC_W;
	else if (BPF_MODE(x->code) == BPF_ATOMIC)
		d->op = OP_ATOMIC_DW;
}

/* LD: ld_imm64 (maps and functions by tag) and the legacy packet loads. */
static int decode_ld(struct bpfext_interp *in, size_t *i, struct dinsn *d,
		     const struct bpf_insn *x, struct bpfext_error *err)
{
	const struct bpfext_linked_prog *lp = in->lp;
	uint64_t v;

	if (!bpfext_insn_is_ldimm64(x)) {
		if (in->ctx_kind != CTX_SKB)
			return bpfext_errf(err, EINVAL,
					   "insn %zu: ld_abs/ld_ind outside an skb program", *i);
		if (BPF_MODE(x->code) == BPF_ABS)
			d->op = BPF_SIZE(x->code) == BPF_B ? OP_LDABS_B :
				BPF_SIZE(x->code) == BPF_H ? OP_LDABS_H : OP_LDABS_W;
		else
			d->op = BPF_SIZE(x->code) == BPF_B ? OP_LDIND_B :
				BPF_SIZE(x->code) == BPF_H ? OP_LDIND_H : OP_LDIND_W;
		return 0;
	}
	v = (uint32_t)x->imm | ((uint64_t)(uint32_t)x[1].imm << 32);
	switch (x->src_reg) {
	case 0:
		break;
	case BPF_PSEUDO_MAP_FD:
	case BPF_PSEUDO_MAP_IDX:
		if ((uint32_t)x->imm >= lp->nr_maps)
			return bpfext_errf(err, EINVAL, "insn %zu: no map %d", *i, x->imm);
		v = ADDR(MAP_TAG, (uint32_t)x->imm);
		break;
	case BPF_PSEUDO_MAP_VALUE:
	case BPF_PSEUDO_MAP_IDX_VALUE:
		if ((uint32_t)x->imm >= lp->nr_maps ||
		    !bpfext_interp_is_array(lp->maps[x->imm].type))
			return bpfext_errf(err, EINVAL, "insn %zu: no array map %d",
					   *i, x->imm);
		v = ADDR(R_MAP0 + (uint32_t)x->imm, 0) + (uint64_t)(int64_t)x[1].imm;
		break;
	case BPF_PSEUDO_FUNC:
		v = ADDR(FUNC_TAG, *i + x->imm + 1);
		break;
	default:
		return bpfext_errf(err, ENOTSUP,
				   "insn %zu: ld_imm64 with src %u is not supported",
				   *i, x->src_reg);
	}
	d->op = OP_LDIMM64;
	d->k = v;
	(*i)++;
	in->code[*i].op = OP_INVALID;
	return 0;
}

static int predecode(struct bpfext_interp *in, struct bpfext_error *err)
{
	const struct bpfext_linked_prog *lp = in->lp;
	struct bpfext_error why;
	size_t i, bad;
	int ret;

	ret = bpfext_insns_check(lp->insns, lp->cnt, &bad, &why);
	if (ret)
		return bpfext_errf(err, EINVAL, "insn %zu: %s", bad, why.msg);
	in->code = calloc(lp->cnt + 1, sizeof(*in->code));
	if (!in->code)
		return bpfext_errf(err, ENOMEM, "out of memory");
	in->cnt = lp->cnt;
	for (i = 0; i < lp->cnt; i++) {
		const struct bpf_insn *x = &lp->insns[i];
		struct dinsn *d = &in->code[i];

		d->dst = x->dst_reg;
		d->src = x->src_reg;
		d->off = x->off;
		d->imm = x->imm;
		d->k = (uint64_t)(int64_t)x->imm;
		d->op = OP_INVALID;
		switch (BPF_CLASS(x->code)) {
		case BPF_ALU64:
		case BPF_ALU:
			decode_alu(d, x);
			break;
		case BPF_JMP:
		case BPF_JMP32:
			decode_jmp(d, x);
			break;
		case BPF_LDX:
		case BPF_ST:
		case BPF_STX:
			decode_mem(d, x);
			break;
		case BPF_LD:
			ret = decode_ld(in, &i, d, x, err);
			if (ret)
				return ret;
			break;
		}
		if (d->op == OP_INVALID)
			return bpfext_errf(err, ENOTSUP,
					   "insn %zu: instruction 0x%02x is not supported",
					   i, x->code);
	}
	/* Falling off the end executes this. */
	in->code[lp->cnt].op = OP_INVALID;
	if (lp->nr_ltv) {
		in->local = calloc(lp->nr_ltv, sizeof(*in->local));
		if (!in->local)
			return bpfext_errf(err, ENOMEM, "out of memory");
		for (i = 0; i < lp->nr_ltv; i++) {
			if (lp->ltv[i].slot >= lp->cnt)
				return bpfext_errf(err, EINVAL,
						   "load-time value at insn %zu is outside the program",
						   lp->ltv[i].slot);
			in->local[i] = in->code[lp->ltv[i].slot];
		}
	}
	return 0;
}

/* The load-time values of the run: the input's, or the local ones. */
static void set_ltv(struct bpfext_interp *in, const struct bpfext_interp_input *ip)
{
	const struct bpfext_linked_prog *lp = in->lp;
	size_t i, k;

	for (i = 0; i < lp->nr_ltv; i++) {
		const struct bpfext_ltv *l = &lp->ltv[i];
		struct dinsn *d = &in->code[l->slot];
		const struct bpf_insn *x = &lp->insns[l->slot];

		*d = in->local[i];
		for (k = 0; k < ip->nr_ltv; k++)
			if (ip->ltv[k].key && !strcmp(ip->ltv[k].key, l->key))
				break;
		if (k == ip->nr_ltv)
			continue;
		switch (l->field) {
		case BPFEXT_LTV_OFF:
			d->off = (int16_t)ip->ltv[k].value;
			break;
		case BPFEXT_LTV_IMM64:
			d->k = ip->ltv[k].value;
			break;
		default:
			/* the 32-bit immediate, as the instruction extends it */
			d->imm = (int32_t)ip->ltv[k].value;
			d->k = BPF_CLASS(x->code) == BPF_ALU64 ?
			       (uint64_t)(int64_t)d->imm : (uint32_t)d->imm;
		}
	}
}

struct bpfext_interp *bpfext_interp__new(const struct bpfext_linked_prog *lp,
					 struct bpfext_error *err)
{
	struct bpfext_interp *in = calloc(1, sizeof(*in));
	int ret;

	if (!in) {
		errno = ENOMEM;
		return NULL;
	}
	in->lp = lp;
	switch (lp->type) {
	case BPF_PROG_TYPE_XDP:
		in->ctx_kind = CTX_XDP;
		in->ctx_size = XDP_CTX_SIZE;
		break;
	case BPF_PROG_TYPE_SCHED_CLS:
	case BPF_PROG_TYPE_SCHED_ACT:
		in->skb_l2 = true;
		/* fall through */
	case BPF_PROG_TYPE_SOCKET_FILTER:
	case BPF_PROG_TYPE_CGROUP_SKB:
	case BPF_PROG_TYPE_LWT_IN:
	case BPF_PROG_TYPE_LWT_OUT:
	case BPF_PROG_TYPE_LWT_XMIT:
		in->ctx_kind = CTX_SKB;
		in->ctx_size = SKB_CTX_SIZE;
		break;
	default:
		in->ctx_kind = CTX_RAW;
		in->ctx_size = RAW_CTX_SIZE;
		break;
	}
	ret = predecode(in, err);
	if (!ret) {
		in->maps = calloc(lp->nr_maps + 1, sizeof(*in->maps));
		in->arena = malloc(sizeof(*in->arena) + 65536);
		if (!in->maps || !in->arena)
			ret = bpfext_errf(err, ENOMEM, "out of memory");
		else {
			in->arena->next = NULL;
			in->arena->size = 65536;
			in->arena->used = 0;
		}
	}
	if (ret) {
		bpfext_interp__free(in);
		errno = -ret;
		return NULL;
	}
	return in;
}

void bpfext_interp__free(struct bpfext_interp *in)
{
	struct chunk *c, *n;
	size_t i;

	if (!in)
		return;
	for (c = in->arena; c; c = n) {
		n = c->next;
		free(c);
	}
	for (i = 0; in->maps && i < in->lp->nr_maps; i++)
		free(in->maps[i].e);
	free(in->maps);
	free(in->regions);
	free(in->code);
	free(in->local);
	free(in);
}

uint32_t bpfext_interp__ctx_size(const struct bpfext_interp *in)
{
	return in->ctx_kind == CTX_RAW ? 0 : in->ctx_size;
}

static int reset(struct bpfext_interp *in, const struct bpfext_interp_input *ip)
{
	const struct bpfext_linked_prog *lp = in->lp;
	uint32_t hdr, i;
	size_t k;

	if (ip->pkt_len > MAX_PKT || (ip->pkt_len && !ip->pkt))
		return -EINVAL;
	in->input = ip;
	set_ltv(in, ip);
	in->oom = false;
	in->prandom_i = in->ktime_i = 0;
	in->cur = in->arena;
	in->arena->used = 0;
	in->nr_regions = 0;

	/* packet */
	hdr = in->ctx_kind == CTX_XDP ? XDP_HEADROOM : SKB_HEADROOM;
	memset(in->pkt, 0, hdr);
	if (ip->pkt_len)
		memcpy(in->pkt + hdr, ip->pkt, ip->pkt_len);
	/* Bytes past the end are only exposed by adjust_tail, which zeroes. */
	in->mac_off = hdr;
	in->meta_off = in->data_off = hdr;
	in->end_off = hdr + ip->pkt_len;
	if (in->ctx_kind == CTX_SKB && !in->skb_l2) {
		if (ip->pkt_len < ETH_HLEN)
			return -EINVAL;
		in->meta_off = in->data_off = hdr + ETH_HLEN;
	}
	if (set_region(in, R_CTX, in->ctx, 0, false) ||
	    set_region(in, R_PKT, in->pkt, in->end_off,
		       in->ctx_kind != CTX_RAW))
		return -ENOMEM;
	in->regions[R_PKT - 1].lo = in->meta_off;
	if (in->ctx_kind == CTX_RAW)
		in->regions[R_PKT - 1].hi = 0;
	/* Callee frames are zeroed when called. */
	if (ip->stack)
		memcpy(in->stack[0], ip->stack, STACK_SIZE);
	else
		memset(in->stack[0], 0, STACK_SIZE);
	for (i = 0; i < MAX_FRAMES; i++) {
		if (set_region(in, R_STACK0 + i, in->stack[i], STACK_SIZE, true))
			return -ENOMEM;
	}
	if (set_region(in, R_MAP0 + (uint32_t)lp->nr_maps, NULL, 0, false))
		return -ENOMEM;
	in->nr_regions--;	/* R_MAP0 .. R_MAP0 + nr_maps - 1 reserved */

	/* context */
	memset(in->ctx, 0, in->ctx_size);
	if (ip->ctx) {
		if (ip->ctx_len > in->ctx_size)
			return -EINVAL;
		memcpy(in->ctx, ip->ctx, ip->ctx_len);
	} else if (in->ctx_kind == CTX_SKB) {
		skb_default_ctx(in);
	} else if (in->ctx_kind == CTX_XDP) {
		st_le(in->ctx + 12, 4, 1);	/* ingress_ifindex: lo */
	}
	if (in->ctx_kind == CTX_RAW)
		in->regions[R_CTX - 1].hi = in->ctx_size;	/* plain bytes */

	/* maps */
	for (k = 0; k < lp->nr_maps; k++)
		in->maps[k].n = 0;
	for (k = 0; k < lp->nr_maps; k++) {
		uint8_t zero[4] = { 0 };

		if (lp->maps[k].is_data && !bpfext_interp_map_add(in, (uint32_t)k, zero,
						   lp->maps[k].init))
			return -ENOMEM;
	}
	for (k = 0; k < ip->nr_entries; k++) {
		const struct bpfext_interp_kv *kv = &ip->entries[k];
		const struct bpfext_map_desc *d;
		struct mentry *e;

		if (kv->map >= lp->nr_maps || !kv->key)
			return -EINVAL;
		d = &lp->maps[kv->map];
		if (bpfext_interp_is_array(d->type) && (d->key_size != 4 ||
					  ld_le(kv->key, 4) >= d->max_entries))
			return -EINVAL;
		e = bpfext_interp_map_find(in, kv->map, kv->key);
		if (!e)
			e = bpfext_interp_map_add(in, kv->map, kv->key, kv->value);
		else if (kv->value)
			memcpy(in->regions[e->region - 1].mem, kv->value,
			       d->value_size);
		if (!e)
			return -ENOMEM;
	}
	return 0;
}

static void finish(struct bpfext_interp *in, struct bpfext_interp_output *out)
{
	uint32_t start = in->ctx_kind == CTX_XDP ? in->meta_off : in->data_off;

	if (in->ctx_kind == CTX_SKB && !in->skb_l2) {
		start -= ETH_HLEN;
		memset(in->pkt + start, 0, ETH_HLEN);
	}
	out->pkt = in->ctx_kind == CTX_RAW ? NULL : in->pkt + start;
	out->pkt_len = in->ctx_kind == CTX_RAW ? 0 : in->end_off - start;
	out->head_delta = (int32_t)in->data_off -
			  (int32_t)(in->ctx_kind == CTX_XDP ? XDP_HEADROOM :
				    SKB_HEADROOM + (in->skb_l2 ? 0 : ETH_HLEN));
	out->ctx = in->ctx;
	out->ctx_len = in->ctx_kind == CTX_RAW ? 0 : in->ctx_size;
	if (in->ctx_kind == CTX_SKB)
		st_le(in->ctx, 4, in->end_off - in->data_off);
}

/* ---- the interpreter loop ---- */

/*
 * One function of some 250 lines on purpose (70 of them the handler
 * macros): computed-goto dispatch needs every handler in the function
 * that jumps to it.  The handlers of the ALU and JMP operations come
 * from isa/alu.h's tables.
 */
int bpfext_interp__run(struct bpfext_interp *in,
		       const struct bpfext_interp_input *ip,
		       struct bpfext_interp_output *out)
{
#define X_LABEL(n) [OP_##n] = &&L_##n,
	static const void *const labels[NR_OPS] = { OPS(X_LABEL) };
	const struct dinsn *const code = in->code;
	const struct dinsn *pc = code;
	struct frame frames[MAX_FRAMES];
	unsigned int depth = 0;
	uint64_t regs[11 + 1];
	uint64_t max, n = 0, v;
	uint8_t *p;
	int ret;

	memset(out, 0, sizeof(*out));
	out->redirect_map = -1;
	out->calls_key = BPFEXT_CALL_KEY_INIT;
	in->out = out;
	ret = reset(in, ip);
	if (ret)
		return ret;
	max = ip->max_insns ? ip->max_insns : 1000000;
	memset(regs, 0, sizeof(regs));
	regs[1] = ADDR(R_CTX, 0);
	regs[10] = ADDR(R_STACK0, STACK_SIZE);

#define DST regs[pc->dst]
#define SRC regs[pc->src]
#define DISPATCH() goto *labels[pc->op]
#define NEXT() do { pc++; n++; DISPATCH(); } while (0)
#define FAULT(...) do { \
		snprintf(out->fault, sizeof(out->fault), __VA_ARGS__); \
		goto fault; } while (0)

#define ALU64(name, expr) \
	L_##name##64_K: { uint64_t a = DST, b = pc->k; (void)a; DST = (expr); NEXT(); } \
	L_##name##64_X: { uint64_t a = DST, b = SRC; (void)a; DST = (expr); NEXT(); }
#define ALU32(name, expr) \
	L_##name##32_K: { uint32_t a = (uint32_t)DST, b = (uint32_t)pc->k; (void)a; \
		DST = (uint32_t)(expr); NEXT(); } \
	L_##name##32_X: { uint32_t a = (uint32_t)DST, b = (uint32_t)SRC; (void)a; \
		DST = (uint32_t)(expr); NEXT(); }
#define TAKE() do { if (pc->off < 0 && n > max) goto budget; \
		pc += pc->off; } while (0)
#define JMP(name, expr) \
	L_##name##_K: { uint64_t a = DST, b = pc->k; int64_t sa = (int64_t)a, \
		sb = (int64_t)b; (void)sa; (void)sb; \
		if (expr) { TAKE(); } NEXT(); } \
	L_##name##_X: { uint64_t a = DST, b = SRC; int64_t sa = (int64_t)a, \
		sb = (int64_t)b; (void)sa; (void)sb; \
		if (expr) { TAKE(); } NEXT(); } \
	L_##name##32_K: { uint32_t a = (uint32_t)DST, b = (uint32_t)pc->k; \
		int32_t sa = (int32_t)a, sb = (int32_t)b; (void)sa; (void)sb; \
		if (expr) { TAKE(); } NEXT(); } \
	L_##name##32_X: { uint32_t a = (uint32_t)DST, b = (uint32_t)SRC; \
		int32_t sa = (int32_t)a, sb = (int32_t)b; (void)sa; (void)sb; \
		if (expr) { TAKE(); } NEXT(); }
#define LDX(name, size, conv) \
	L_##name: { uint64_t a = SRC + (uint64_t)(int64_t)pc->off; \
		p = mem_ptr(in, a, size, false); \
		if (p) v = ld_le(p, size); \
		else if (ctx_load(in, a, size, &v)) \
			FAULT("invalid read of %d bytes at 0x%llx", size, \
			      (unsigned long long)a); \
		DST = conv; NEXT(); }
#define STORE(name, size, val) \
	L_##name: { uint64_t a = DST + (uint64_t)(int64_t)pc->off; \
		p = mem_ptr(in, a, size, true); \
		if (p) st_le(p, size, val); \
		else if (ctx_store(in, a, size, val)) \
			FAULT("invalid write of %d bytes at 0x%llx", size, \
			      (unsigned long long)a); \
		NEXT(); }

	DISPATCH();

L_INVALID:
	FAULT("invalid instruction or fell off the end");

#define INTERP_ALU(name, code, sgn, e64, e32) ALU64(name, e64) ALU32(name, e32)
	BPFEXT_ALU_OPS(INTERP_ALU)
#undef INTERP_ALU

L_MOVSX64_8:  DST = (uint64_t)(int64_t)(int8_t)SRC; NEXT();
L_MOVSX64_16: DST = (uint64_t)(int64_t)(int16_t)SRC; NEXT();
L_MOVSX64_32: DST = (uint64_t)(int64_t)(int32_t)SRC; NEXT();
L_MOVSX32_8:  DST = (uint32_t)(int32_t)(int8_t)SRC; NEXT();
L_MOVSX32_16: DST = (uint32_t)(int32_t)(int16_t)SRC; NEXT();
L_NEG64: DST = bpfext_alu(BPF_NEG, false, true, DST, 0); NEXT();
L_NEG32: DST = bpfext_alu(BPF_NEG, false, false, DST, 0); NEXT();
L_LE16: DST = bpfext_alu_end(false, 16, DST); NEXT();
L_LE32: DST = bpfext_alu_end(false, 32, DST); NEXT();
L_LE64: NEXT();
L_BE16: DST = bpfext_alu_end(true, 16, DST); NEXT();
L_BE32: DST = bpfext_alu_end(true, 32, DST); NEXT();
L_BE64: DST = bpfext_alu_end(true, 64, DST); NEXT();

L_JA:
	TAKE();
	NEXT();
#define INTERP_JMP(name, code, e) JMP(name, e)
	BPFEXT_JMP_OPS(INTERP_JMP)
#undef INTERP_JMP

	LDX(LDX_B, 1, v)
	LDX(LDX_H, 2, v)
	LDX(LDX_W, 4, v)
	LDX(LDX_DW, 8, v)
	LDX(LDXSX_B, 1, (uint64_t)(int64_t)(int8_t)v)
	LDX(LDXSX_H, 2, (uint64_t)(int64_t)(int16_t)v)
	LDX(LDXSX_W, 4, (uint64_t)(int64_t)(int32_t)v)
	STORE(ST_B, 1, pc->k)
	STORE(ST_H, 2, pc->k)
	STORE(ST_W, 4, pc->k)
	STORE(ST_DW, 8, pc->k)
	STORE(STX_B, 1, SRC)
	STORE(STX_H, 2, SRC)
	STORE(STX_W, 4, SRC)
	STORE(STX_DW, 8, SRC)

L_ATOMIC_W:
L_ATOMIC_DW: {
	unsigned int size = pc->op == OP_ATOMIC_W ? 4 : 8;
	uint64_t a = DST + (uint64_t)(int64_t)pc->off, old, src = SRC, res;
	uint64_t mask = size == 4 ? 0xffffffffull : ~0ull;

	p = mem_ptr(in, a, size, true);
	if (!p)
		FAULT("invalid atomic access of %u bytes at 0x%llx", size,
		      (unsigned long long)a);
	old = ld_le(p, size);
	switch (pc->imm & ~BPF_FETCH) {
	case BPF_ADD: res = old + src; break;
	case BPF_AND: res = old & src; break;
	case BPF_OR:  res = old | src; break;
	case BPF_XOR: res = old ^ src; break;
	default:
		if (pc->imm == BPF_XCHG) {
			res = src;
		} else if (pc->imm == BPF_CMPXCHG) {
			res = (old & mask) == (regs[0] & mask) ? src : old;
		} else {
			FAULT("atomic op 0x%x is not supported", pc->imm);
		}
	}
	st_le(p, size, res & mask);
	if (pc->imm == BPF_CMPXCHG)
		regs[0] = old & mask;
	else if (pc->imm & BPF_FETCH)
		SRC = old & mask;
	NEXT();
}

L_LDABS_B: v = 1; goto ldabs;
L_LDABS_H: v = 2; goto ldabs;
L_LDABS_W: v = 4; goto ldabs;
L_LDIND_B: v = 1; goto ldind;
L_LDIND_H: v = 2; goto ldind;
L_LDIND_W: v = 4; goto ldind;
ldind:
	if (skb_ld(in, (int64_t)(int32_t)((uint32_t)SRC + (uint32_t)pc->imm),
		   (uint32_t)v, &regs[0]))
		goto ldabs_fail;
	NEXT();
ldabs:
	if (skb_ld(in, pc->imm, (uint32_t)v, &regs[0]))
		goto ldabs_fail;
	NEXT();
ldabs_fail:
	regs[0] = 0;
	n++;
	goto done;

L_LDIMM64:
	DST = pc->k;
	pc++;
	NEXT();

L_CALL:
	ret = bpfext_interp_helper(in, pc->imm, regs);
	if (ret == 1) {
		n++;
		out->status = BPFEXT_INTERP_TAIL_CALL;
		goto finish;
	}
	if (ret == -ENOMEM)
		goto nomem;
	if (ret) {
		out->fault_pc = (size_t)(pc - code);
		goto fault_set;
	}
	NEXT();

L_CALL_PSEUDO:
	if (depth + 1 >= MAX_FRAMES)
		FAULT("call depth over %d", MAX_FRAMES);
	if (n > max)
		FAULT("instruction budget of %llu exhausted",
		      (unsigned long long)max);
	frames[depth].ret = pc;
	memcpy(frames[depth].saved, &regs[6], sizeof(frames[depth].saved));
	depth++;
	regs[10] = ADDR(R_STACK0 + depth, STACK_SIZE);
	memset(in->stack[depth], 0, STACK_SIZE);
	pc += pc->off;
	NEXT();

L_EXIT:
	if (depth) {
		depth--;
		pc = frames[depth].ret;
		memcpy(&regs[6], frames[depth].saved, sizeof(frames[depth].saved));
		NEXT();
	}
	n++;
done:
	out->status = BPFEXT_INTERP_EXIT;
	out->r0 = regs[0];
finish:
	out->insns = n;
	finish(in, out);
	return 0;

budget:
	snprintf(out->fault, sizeof(out->fault),
		 "instruction budget of %llu exhausted", (unsigned long long)max);
fault:
	out->fault_pc = (size_t)(pc - code);
fault_set:
	out->status = BPFEXT_INTERP_FAULT;
	out->insns = n;
	finish(in, out);
	return 0;
nomem:
	return -ENOMEM;

#undef DST
#undef SRC
#undef DISPATCH
#undef NEXT
#undef FAULT
#undef ALU64
#undef ALU32
#undef JMP
#undef TAKE
#undef LDX
#undef STORE
}

/* ---- results ---- */

size_t bpfext_interp__map_entry_cnt(const struct bpfext_interp *in,
				    uint32_t map)
{
	size_t i, n = 0;

	if (map >= in->lp->nr_maps)
		return 0;
	for (i = 0; i < in->maps[map].n; i++)
		n += in->maps[map].e[i].live;
	return n;
}

int bpfext_interp__map_entry(const struct bpfext_interp *in, uint32_t map,
			     size_t i, const uint8_t **key,
			     const uint8_t **value)
{
	size_t k;

	if (map >= in->lp->nr_maps)
		return -EINVAL;
	for (k = 0; k < in->maps[map].n; k++) {
		const struct mentry *e = &in->maps[map].e[k];

		if (!e->live)
			continue;
		if (!i--) {
			*key = e->key;
			*value = in->regions[e->region - 1].mem;
			return 0;
		}
	}
	return -ENOENT;
}

static const uint8_t *find_val(const struct bpfext_interp *in, uint32_t m,
			       const uint8_t *key)
{
	const struct bpfext_map_desc *d = &in->lp->maps[m];
	size_t i;

	for (i = 0; i < in->maps[m].n; i++) {
		const struct mentry *e = &in->maps[m].e[i];

		if (e->live && !memcmp(e->key, key, d->key_size))
			return in->regions[e->region - 1].mem;
	}
	return NULL;
}

/* Every entry of @a's map @m is in @b's with the same value. */
static int map_sub(const struct bpfext_interp *a, const struct bpfext_interp *b,
		   uint32_t m, char *why, size_t len)
{
	const struct bpfext_map_desc *d = &a->lp->maps[m];
	bool arr = bpfext_interp_is_array(d->type);
	size_t i;

	for (i = 0; i < a->maps[m].n; i++) {
		const struct mentry *e = &a->maps[m].e[i];
		const uint8_t *va, *vb;
		uint32_t k;

		if (!e->live)
			continue;
		va = a->regions[e->region - 1].mem;
		vb = find_val(b, m, e->key);
		if (!vb && arr) {
			for (k = 0; k < d->value_size && !va[k]; k++)
				;
			if (k == d->value_size)
				continue;
		}
		if (!vb || memcmp(va, vb, d->value_size)) {
			snprintf(why, len, "map %s differs (%s entry)", d->name,
				 vb ? "changed" : "missing");
			return 1;
		}
	}
	return 0;
}

int bpfext_interp__cmp(const struct bpfext_interp *a,
		       const struct bpfext_interp_output *oa,
		       const struct bpfext_interp *b,
		       const struct bpfext_interp_output *ob,
		       char *why, size_t len)
{
	uint32_t m;

	if (a->lp->nr_maps != b->lp->nr_maps)
		return -EINVAL;
	for (m = 0; m < a->lp->nr_maps; m++)
		if (a->lp->maps[m].type != b->lp->maps[m].type ||
		    a->lp->maps[m].key_size != b->lp->maps[m].key_size ||
		    a->lp->maps[m].value_size != b->lp->maps[m].value_size)
			return -EINVAL;
	if (why && len)
		why[0] = 0;
	if (oa->status != ob->status) {
		snprintf(why, len, "status %d vs %d", oa->status, ob->status);
		return 1;
	}
	if (oa->status == BPFEXT_INTERP_FAULT)
		return 0;
	if (oa->status == BPFEXT_INTERP_EXIT && oa->r0 != ob->r0) {
		snprintf(why, len, "r0 0x%llx vs 0x%llx",
			 (unsigned long long)oa->r0, (unsigned long long)ob->r0);
		return 1;
	}
	if (oa->status == BPFEXT_INTERP_TAIL_CALL &&
	    (oa->tail_call_map != ob->tail_call_map ||
	     oa->tail_call_index != ob->tail_call_index)) {
		snprintf(why, len, "tail call target differs");
		return 1;
	}
	/* the tail callee runs on the caller's frame and may read it */
	if (oa->status == BPFEXT_INTERP_TAIL_CALL &&
	    memcmp(a->stack[0], b->stack[0], STACK_SIZE)) {
		snprintf(why, len, "stack frame passed to the tail call differs");
		return 1;
	}
	if (oa->pkt_len != ob->pkt_len || oa->head_delta != ob->head_delta ||
	    (oa->pkt_len && memcmp(oa->pkt, ob->pkt, oa->pkt_len))) {
		snprintf(why, len, "packet differs");
		return 1;
	}
	if (oa->ctx_len != ob->ctx_len ||
	    (oa->ctx_len && memcmp(oa->ctx, ob->ctx, oa->ctx_len))) {
		snprintf(why, len, "context differs");
		return 1;
	}
	if (oa->redirect != ob->redirect ||
	    (oa->redirect && (oa->redirect_ifindex != ob->redirect_ifindex ||
			      oa->redirect_flags != ob->redirect_flags ||
			      oa->redirect_map != ob->redirect_map))) {
		snprintf(why, len, "redirect differs");
		return 1;
	}
	if (oa->perf_events != ob->perf_events || oa->perf_hash != ob->perf_hash) {
		snprintf(why, len, "perf output differs");
		return 1;
	}
	if (oa->opaque_calls != ob->opaque_calls || oa->calls_key != ob->calls_key) {
		snprintf(why, len, "helper calls differ (%u and %u opaque calls)",
			 oa->opaque_calls, ob->opaque_calls);
		return 1;
	}
	for (m = 0; m < a->lp->nr_maps; m++)
		if (map_sub(a, b, m, why, len) || map_sub(b, a, m, why, len))
			return 1;
	return 0;
}
