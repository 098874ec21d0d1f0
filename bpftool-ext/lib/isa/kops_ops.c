// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * EInsn templates in user space; see kops_ops.h.
 *
 * Every instantiate function below follows the function of the same name
 * in kernel/bpf/einsn.c (Kops series, patch 0002), check for check and
 * instruction for instruction, including its error strings; the templates
 * are also documented in Documentation/bpf/kops.rst ("EInsn ops").
 */
#include <errno.h>
#include <string.h>

#include "isa/kops_ops.h"

static struct bpf_insn mk(uint8_t code, uint8_t dst, uint8_t src, int16_t off,
			  int32_t imm)
{
	struct bpf_insn x = {
		.code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm,
	};

	return x;
}

static int32_t sext(uint32_t v, unsigned int sign_bit)
{
	unsigned int shift = 31 - sign_bit;

	return (int32_t)(v << shift) >> shift;
}

static const char *const einsn_names[BPFEXT_EINSN_NR] = {
	[BPF_EINSN_ROTATE] = "rotate",
	[BPF_EINSN_SELECT] = "select",
	[BPF_EINSN_BFEXT] = "bfext",
	[BPF_EINSN_LDBSWAP] = "ldbswap",
	[BPF_EINSN_PREFETCH] = "prefetch",
	[BPF_EINSN_MEMCPY] = "memcpy",
	[BPF_EINSN_LEA] = "lea",
};

const char *bpfext_einsn_name(unsigned int id)
{
	return id && id < BPFEXT_EINSN_NR ? einsn_names[id] : NULL;
}

int bpfext_einsn_id(const char *name)
{
	int i;

	for (i = 1; i < BPFEXT_EINSN_NR; i++)
		if (!strcmp(einsn_names[i], name))
			return i;
	return -1;
}

struct bpf_insn bpfext_kops_marker_encode(const struct bpfext_kops_marker *m)
{
	return mk(BPF_JMP | BPF_JA | BPF_K, m->d & 0xf, BPF_PSEUDO_KOPS, 0,
		  BPF_KOPS_IMM(m->id, m->a, m->b, m->c, m->p));
}

int bpfext_kops_marker_decode(const struct bpf_insn *insn,
			      struct bpfext_kops_marker *m)
{
	uint32_t imm = (uint32_t)insn->imm;

	if (!bpfext_kops_is_marker(insn) || insn->off)
		return -EINVAL;
	m->id = BPF_KOPS_IMM_ID(imm);
	m->a = BPF_KOPS_IMM_A(imm);
	m->b = BPF_KOPS_IMM_B(imm);
	m->c = BPF_KOPS_IMM_C(imm);
	m->p = BPF_KOPS_IMM_P(imm);
	m->d = insn->dst_reg;
	return 0;
}

static bool cond_ok(uint32_t op)
{
	switch (op << 4) {
	case BPF_JEQ: case BPF_JGT: case BPF_JGE: case BPF_JSET:
	case BPF_JNE: case BPF_JSGT: case BPF_JSGE: case BPF_JLT:
	case BPF_JLE: case BPF_JSLT: case BPF_JSLE:
		return true;
	default:
		return false;
	}
}

/* einsn_rotate: A = D; D <<= k; A >>= width - k; D |= A */
static int inst_rotate(const struct bpfext_kops_marker *m, struct bpf_insn *p,
		       uint16_t *clobber, const char **why)
{
	uint32_t k = m->p & 0x3f, w32 = (m->p >> 6) & 1, width = w32 ? 32 : 64;
	uint8_t alu = w32 ? BPF_ALU : BPF_ALU64;

	if (m->b || m->c || m->p >> 7) {
		*why = "reserved operand bits set";
		return -EINVAL;
	}
	if (m->d > BPF_REG_9 || m->a > BPF_REG_9 || m->d == m->a) {
		*why = "dst and scratch must be distinct registers r0-r9";
		return -EINVAL;
	}
	if (!k || k >= width) {
		*why = "rotate amount out of range";
		return -EINVAL;
	}
	p[0] = mk(alu | BPF_MOV | BPF_X, m->a, m->d, 0, 0);
	p[1] = mk(alu | BPF_LSH | BPF_K, m->d, 0, 0, (int32_t)k);
	p[2] = mk(alu | BPF_RSH | BPF_K, m->a, 0, 0, (int32_t)(width - k));
	p[3] = mk(alu | BPF_OR | BPF_X, m->d, m->a, 0, 0);
	*clobber = 1u << m->a;
	return 4;
}

/* einsn_select: if A cond B goto +1; goto +1; D = C */
static int inst_select(const struct bpfext_kops_marker *m, struct bpf_insn *p,
		       uint16_t *clobber, const char **why)
{
	uint32_t cond = m->p & 0xf;

	if (m->p >> 5) {
		*why = "reserved operand bits set";
		return -EINVAL;
	}
	if (m->d > BPF_REG_9 || m->a > BPF_REG_10 || m->b > BPF_REG_10 ||
	    m->c > BPF_REG_10) {
		*why = "invalid register";
		return -EINVAL;
	}
	if (!cond_ok(cond)) {
		*why = "invalid condition";
		return -EINVAL;
	}
	p[0] = mk((m->p & 0x10 ? BPF_JMP32 : BPF_JMP) | cond << 4 | BPF_X,
		  m->a, m->b, 1, 0);
	p[1] = mk(BPF_JMP | BPF_JA, 0, 0, 1, 0);
	p[2] = mk(BPF_ALU64 | BPF_MOV | BPF_X, m->d, m->c, 0, 0);
	return 3;
}

/* einsn_bfext: D = A; D >>= s; D &= (1 << w) - 1 */
static int inst_bfext(const struct bpfext_kops_marker *m, struct bpf_insn *p,
		      uint16_t *clobber, const char **why)
{
	uint32_t s = m->p & 0x3f, w = m->p >> 6;

	if (m->b || m->c) {
		*why = "reserved operand bits set";
		return -EINVAL;
	}
	if (m->d > BPF_REG_9 || m->a > BPF_REG_9) {
		*why = "dst and src must be registers r0-r9";
		return -EINVAL;
	}
	if (!w || w > 31 || s + w > 64) {
		*why = "field out of range";
		return -EINVAL;
	}
	p[0] = mk(BPF_ALU64 | BPF_MOV | BPF_X, m->d, m->a, 0, 0);
	p[1] = mk(BPF_ALU64 | BPF_RSH | BPF_K, m->d, 0, 0, (int32_t)s);
	p[2] = mk(BPF_ALU64 | BPF_AND | BPF_K, m->d, 0, 0,
		  (int32_t)((1u << w) - 1));
	return 3;
}

/* einsn_ldbswap: D = *(size *)(A + off); D = be(size) D */
static int inst_ldbswap(const struct bpfext_kops_marker *m, struct bpf_insn *p,
			uint16_t *clobber, const char **why)
{
	uint32_t size = (m->p & 3u) << 3;
	int32_t off = sext(m->p >> 2, 9);

	if (m->b || m->c) {
		*why = "reserved operand bits set";
		return -EINVAL;
	}
	if (m->d > BPF_REG_9 || m->a > BPF_REG_10) {
		*why = "invalid register";
		return -EINVAL;
	}
	if (size != BPF_W && size != BPF_DW) {
		*why = "size must be BPF_W or BPF_DW";
		return -EINVAL;
	}
	p[0] = mk(BPF_LDX | size | BPF_MEM, m->d, m->a, (int16_t)off, 0);
	p[1] = mk(BPF_ALU | BPF_END | BPF_TO_BE, m->d, 0, 0,
		  size == BPF_DW ? 64 : 32);
	return 2;
}

/* einsn_prefetch: A = A */
static int inst_prefetch(const struct bpfext_kops_marker *m, struct bpf_insn *p,
			 uint16_t *clobber, const char **why)
{
	if (m->d || m->b || m->c) {
		*why = "reserved operand bits set";
		return -EINVAL;
	}
	if (m->a > BPF_REG_9) {
		*why = "address must be in r0-r9";
		return -EINVAL;
	}
	p[0] = mk(BPF_ALU64 | BPF_MOV | BPF_X, m->a, m->a, 0, 0);
	return 1;
}

/* einsn_memcpy: B = *(u64 *)(A + soff + 8 i); *(u64 *)(D + doff + 8 i) = B */
static int inst_memcpy(const struct bpfext_kops_marker *m, struct bpf_insn *p,
		       uint16_t *clobber, const char **why)
{
	uint32_t n = m->c + 1u, i;
	int32_t soff = sext(m->p & 0x3f, 5) * 8;
	int32_t doff = sext(m->p >> 6, 5) * 8;

	if (m->d > BPF_REG_10 || m->a > BPF_REG_10 || m->b > BPF_REG_9 ||
	    m->b == m->a || m->b == m->d) {
		*why = "scratch must be r0-r9 and differ from dst and src";
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		p[2 * i] = mk(BPF_LDX | BPF_DW | BPF_MEM, m->b, m->a,
			      (int16_t)(soff + 8 * (int32_t)i), 0);
		p[2 * i + 1] = mk(BPF_STX | BPF_DW | BPF_MEM, m->d, m->b,
				  (int16_t)(doff + 8 * (int32_t)i), 0);
	}
	*clobber = 1u << m->b;
	return (int)(2 * n);
}

/* einsn_lea: D = B; [D <<= s]; D += A; [D += disp] */
static int inst_lea(const struct bpfext_kops_marker *m, struct bpf_insn *p,
		    uint16_t *clobber, const char **why)
{
	uint32_t s = m->p & 3;
	int32_t disp = sext(m->p >> 2, 9);
	int n = 0;

	if (m->c) {
		*why = "reserved operand bits set";
		return -EINVAL;
	}
	if (m->d > BPF_REG_9 || m->a > BPF_REG_10 || m->b > BPF_REG_10 ||
	    m->d == m->a) {
		*why = "dst must be r0-r9 and differ from base";
		return -EINVAL;
	}
	p[n++] = mk(BPF_ALU64 | BPF_MOV | BPF_X, m->d, m->b, 0, 0);
	if (s)
		p[n++] = mk(BPF_ALU64 | BPF_LSH | BPF_K, m->d, 0, 0, (int32_t)s);
	p[n++] = mk(BPF_ALU64 | BPF_ADD | BPF_X, m->d, m->a, 0, 0);
	if (disp)
		p[n++] = mk(BPF_ALU64 | BPF_ADD | BPF_K, m->d, 0, 0, disp);
	return n;
}

int bpfext_kops_instantiate(const struct bpf_insn *marker,
			    struct bpf_insn *proof, uint16_t *clobber,
			    const char **why)
{
	static int (*const fns[BPFEXT_EINSN_NR])(const struct bpfext_kops_marker *,
						 struct bpf_insn *, uint16_t *,
						 const char **) = {
		[BPF_EINSN_ROTATE] = inst_rotate,
		[BPF_EINSN_SELECT] = inst_select,
		[BPF_EINSN_BFEXT] = inst_bfext,
		[BPF_EINSN_LDBSWAP] = inst_ldbswap,
		[BPF_EINSN_PREFETCH] = inst_prefetch,
		[BPF_EINSN_MEMCPY] = inst_memcpy,
		[BPF_EINSN_LEA] = inst_lea,
	};
	struct bpfext_kops_marker m;
	const char *dummy_why;
	uint16_t dummy_clobber;

	if (!why)
		why = &dummy_why;
	if (!clobber)
		clobber = &dummy_clobber;
	*clobber = 0;
	*why = NULL;
	if (bpfext_kops_marker_decode(marker, &m)) {
		*why = "not a marker with off 0";
		return -EINVAL;
	}
	if (!m.id || m.id >= BPFEXT_EINSN_NR) {
		*why = "unknown op id";
		return -ENOENT;
	}
	return fns[m.id](&m, proof, clobber, why);
}

size_t bpfext_kops_region_len(const struct bpf_insn *insns, size_t cnt)
{
	struct bpf_insn proof[BPFEXT_KOPS_MAX_LEN];
	int n;

	if (!cnt || !bpfext_kops_is_marker(insns))
		return 0;
	n = bpfext_kops_instantiate(insns, proof, NULL, NULL);
	if (n <= 0 || (size_t)n >= cnt ||
	    memcmp(proof, insns + 1, (size_t)n * sizeof(*proof)))
		return 1;
	return 1 + (size_t)n;
}

static struct bpf_insn marker(uint8_t id, uint8_t d, uint8_t a, uint8_t b,
			      uint8_t c, uint32_t p)
{
	struct bpfext_kops_marker m = {
		.id = id, .d = d, .a = a, .b = b, .c = c, .p = p & 0xfff,
	};

	return bpfext_kops_marker_encode(&m);
}

struct bpf_insn bpfext_kops_rotate(uint8_t d, uint8_t scratch, unsigned int k,
				   bool alu32)
{
	return marker(BPF_EINSN_ROTATE, d, scratch, 0, 0,
		      (k & 0x3f) | (alu32 ? 1u << 6 : 0));
}

struct bpf_insn bpfext_kops_select(uint8_t d, uint8_t lhs, uint8_t rhs,
				   uint8_t src, uint8_t jmp_op, bool jmp32)
{
	return marker(BPF_EINSN_SELECT, d, lhs, rhs, src,
		      (BPF_OP(jmp_op) >> 4) | (jmp32 ? 0x10u : 0));
}

struct bpf_insn bpfext_kops_bfext(uint8_t d, uint8_t a, unsigned int shift,
				  unsigned int width)
{
	return marker(BPF_EINSN_BFEXT, d, a, 0, 0,
		      (shift & 0x3f) | (width & 0x3f) << 6);
}

struct bpf_insn bpfext_kops_ldbswap(uint8_t d, uint8_t a, uint8_t size,
				    int off)
{
	return marker(BPF_EINSN_LDBSWAP, d, a, 0, 0,
		      (uint32_t)(BPF_SIZE(size) >> 3) | ((uint32_t)off & 0x3ff) << 2);
}

struct bpf_insn bpfext_kops_prefetch(uint8_t a, int off)
{
	return marker(BPF_EINSN_PREFETCH, 0, a, 0, 0, (uint32_t)off & 0xfff);
}

struct bpf_insn bpfext_kops_memcpy(uint8_t d, uint8_t a, uint8_t scratch,
				   unsigned int words, int swoff, int dwoff)
{
	return marker(BPF_EINSN_MEMCPY, d, a, scratch, (words - 1) & 0xf,
		      ((uint32_t)swoff & 0x3f) | ((uint32_t)dwoff & 0x3f) << 6);
}

struct bpf_insn bpfext_kops_lea(uint8_t d, uint8_t a, uint8_t b,
				unsigned int scale, int disp)
{
	return marker(BPF_EINSN_LEA, d, a, b, 0,
		      (scale & 3) | ((uint32_t)disp & 0x3ff) << 2);
}
