/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Instruction builders for the Kops selftests, and a user-space copy of the
 * EInsn proof-sequence templates (kernel/bpf/einsn.c).  Building programs
 * from this copy also checks that user space can produce exactly what the
 * kernel expects from Documentation/bpf/kops.rst alone.  The marker
 * encoding and the op ids come from the series' UAPI header
 * <linux/bpf_kops.h> (KHDR: the patched tree's installed headers).
 */
#ifndef KOPS_INSN_H
#define KOPS_INSN_H

#include <linux/bpf.h>
#include <linux/bpf_kops.h>
#include <stdint.h>

#define INSN(CODE, DST, SRC, OFF, IMM) \
	((struct bpf_insn){ .code = (CODE), .dst_reg = (DST), .src_reg = (SRC), \
			    .off = (OFF), .imm = (IMM) })
#define MOV64_REG(D, S)		INSN(BPF_ALU64 | BPF_MOV | BPF_X, D, S, 0, 0)
#define MOV32_REG(D, S)		INSN(BPF_ALU | BPF_MOV | BPF_X, D, S, 0, 0)
#define MOV64_IMM(D, I)		INSN(BPF_ALU64 | BPF_MOV | BPF_K, D, 0, 0, I)
#define ALU64_IMM(OP, D, I)	INSN(BPF_ALU64 | (OP) | BPF_K, D, 0, 0, I)
#define ALU32_IMM(OP, D, I)	INSN(BPF_ALU | (OP) | BPF_K, D, 0, 0, I)
#define ALU64_REG(OP, D, S)	INSN(BPF_ALU64 | (OP) | BPF_X, D, S, 0, 0)
#define ALU32_REG(OP, D, S)	INSN(BPF_ALU | (OP) | BPF_X, D, S, 0, 0)
#define LDX_MEM(SZ, D, S, O)	INSN(BPF_LDX | BPF_MEM | (SZ), D, S, O, 0)
#define STX_MEM(SZ, D, S, O)	INSN(BPF_STX | BPF_MEM | (SZ), D, S, O, 0)
#define ST_MEM(SZ, D, O, I)	INSN(BPF_ST | BPF_MEM | (SZ), D, 0, O, I)
#define JMP_REG(OP, D, S, O)	INSN(BPF_JMP | (OP) | BPF_X, D, S, O, 0)
#define JMP32_REG(OP, D, S, O)	INSN(BPF_JMP32 | (OP) | BPF_X, D, S, O, 0)
#define JMP_IMM(OP, D, I, O)	INSN(BPF_JMP | (OP) | BPF_K, D, 0, O, I)
#define JMP_A(O)		INSN(BPF_JMP | BPF_JA, 0, 0, O, 0)
#define ENDIAN_BE(D, LEN)	INSN(BPF_ALU | BPF_END | BPF_TO_BE, D, 0, 0, LEN)
#define CALL_REL(O)		INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, O)
#define CALL_HELPER(F)		INSN(BPF_JMP | BPF_CALL, 0, 0, 0, F)
#define EXIT_INSN()		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* The marker: BPF_JMP | BPF_JA | BPF_K, src_reg BPF_PSEUDO_KOPS, off 0 */
#define KOPS_MARKER(ID, D, A, B, C, P)					\
	INSN(BPF_JMP | BPF_JA | BPF_K, D, BPF_PSEUDO_KOPS, 0,		\
	     BPF_KOPS_IMM(ID, A, B, C, P))

struct kops_use {
	int id, d, a, b, c;
	uint32_t p;
};

static inline int32_t kops_sext(uint32_t v, int bits)
{
	return (int32_t)(v << (32 - bits)) >> (32 - bits);
}

/*
 * Append marker and proof sequence of @u to @buf; return the number of
 * instructions and the clobbered registers in @clobber.
 */
static inline int kops_emit(const struct kops_use *u, struct bpf_insn *buf,
			    unsigned int *clobber)
{
	struct bpf_insn *p = buf + 1;
	int n = 0, i;

	buf[0] = KOPS_MARKER(u->id, u->d, u->a, u->b, u->c, u->p);
	*clobber = 0;
	switch (u->id) {
	case BPF_EINSN_ROTATE: {
		int k = u->p & 0x3f, w32 = (u->p >> 6) & 1;

		if (w32) {
			p[n++] = MOV32_REG(u->a, u->d);
			p[n++] = ALU32_IMM(BPF_LSH, u->d, k);
			p[n++] = ALU32_IMM(BPF_RSH, u->a, 32 - k);
			p[n++] = ALU32_REG(BPF_OR, u->d, u->a);
		} else {
			p[n++] = MOV64_REG(u->a, u->d);
			p[n++] = ALU64_IMM(BPF_LSH, u->d, k);
			p[n++] = ALU64_IMM(BPF_RSH, u->a, 64 - k);
			p[n++] = ALU64_REG(BPF_OR, u->d, u->a);
		}
		*clobber = 1u << u->a;
		break;
	}
	case BPF_EINSN_SELECT:
		if (u->p & 0x10)
			p[n++] = JMP32_REG((u->p & 0xf) << 4, u->a, u->b, 1);
		else
			p[n++] = JMP_REG((u->p & 0xf) << 4, u->a, u->b, 1);
		p[n++] = JMP_A(1);
		p[n++] = MOV64_REG(u->d, u->c);
		break;
	case BPF_EINSN_BFEXT:
		p[n++] = MOV64_REG(u->d, u->a);
		p[n++] = ALU64_IMM(BPF_RSH, u->d, u->p & 0x3f);
		p[n++] = ALU64_IMM(BPF_AND, u->d, (1u << (u->p >> 6)) - 1);
		break;
	case BPF_EINSN_LDBSWAP: {
		int sz = (u->p & 3) << 3;

		p[n++] = LDX_MEM(sz, u->d, u->a, kops_sext(u->p >> 2, 10));
		p[n++] = ENDIAN_BE(u->d, sz == BPF_DW ? 64 : 32);
		break;
	}
	case BPF_EINSN_PREFETCH:
		p[n++] = MOV64_REG(u->a, u->a);
		break;
	case BPF_EINSN_MEMCPY: {
		int soff = kops_sext(u->p & 0x3f, 6) * 8;
		int doff = kops_sext(u->p >> 6, 6) * 8;

		for (i = 0; i <= u->c; i++) {
			p[n++] = LDX_MEM(BPF_DW, u->b, u->a, soff + 8 * i);
			p[n++] = STX_MEM(BPF_DW, u->d, u->b, doff + 8 * i);
		}
		*clobber = 1u << u->b;
		break;
	}
	case BPF_EINSN_LEA: {
		int s = u->p & 3, disp = kops_sext(u->p >> 2, 10);

		p[n++] = MOV64_REG(u->d, u->b);
		if (s)
			p[n++] = ALU64_IMM(BPF_LSH, u->d, s);
		p[n++] = ALU64_REG(BPF_ADD, u->d, u->a);
		if (disp)
			p[n++] = ALU64_IMM(BPF_ADD, u->d, disp);
		break;
	}
	}
	return n + 1;
}

#endif
