// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Tests for lib/isa/insn.c: exact printing in the kernel's notation,
 * rejection of invalid encodings, parse(print(x)) == x over a sweep of
 * every opcode byte, and program-level branch checks.  TAP output.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfext.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define I(c, d, s, o, i) \
	{ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) }
#define LDIMM64 (BPF_LD | BPF_IMM | BPF_DW)

#include "tap.h"

static void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static void raw(const struct bpf_insn *insn, char *buf, size_t len)
{
	snprintf(buf, len, "{0x%02x %u %u %d %d}", insn->code, insn->dst_reg,
		 insn->src_reg, insn->off, insn->imm);
}

/* ------------------------------------------------------------------ */
/* Exact print strings                                                 */
/* ------------------------------------------------------------------ */

struct print_case {
	struct bpf_insn insn[2];
	const char *want;
};

/*
 * Expected strings follow the formats of kernel/bpf/disasm.c (6.1) with
 * the "(op) " prefix dropped, plus the documented extensions.
 */
static const struct print_case print_cases[] = {
	/* ALU64 / ALU32, register and immediate sources */
	{ { I(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 2) }, "r0 = 2" },
	{ { I(BPF_ALU | BPF_MOV | BPF_K, 0, 0, 0, 2) }, "w0 = 2" },
	{ { I(BPF_ALU64 | BPF_MOV | BPF_K, 3, 0, 0, -7) }, "r3 = -7" },
	{ { I(BPF_ALU64 | BPF_MOV | BPF_X, 1, 10, 0, 0) }, "r1 = r10" },
	{ { I(BPF_ALU | BPF_MOV | BPF_X, 1, 2, 0, 0) }, "w1 = w2" },
	{ { I(BPF_ALU64 | BPF_ADD | BPF_X, 1, 2, 0, 0) }, "r1 += r2" },
	{ { I(BPF_ALU64 | BPF_ADD | BPF_K, 10, 0, 0, 0) }, "invalid" },
	{ { I(BPF_ALU64 | BPF_SUB | BPF_K, 3, 0, 0, -5) }, "r3 -= -5" },
	{ { I(BPF_ALU64 | BPF_MUL | BPF_X, 1, 2, 0, 0) }, "r1 *= r2" },
	{ { I(BPF_ALU | BPF_DIV | BPF_K, 1, 0, 0, 7) }, "w1 /= 7" },
	{ { I(BPF_ALU64 | BPF_OR | BPF_K, 4, 0, 0, 0x10) }, "r4 |= 16" },
	{ { I(BPF_ALU | BPF_AND | BPF_X, 5, 6, 0, 0) }, "w5 &= w6" },
	{ { I(BPF_ALU | BPF_LSH | BPF_K, 1, 0, 0, 3) }, "w1 <<= 3" },
	{ { I(BPF_ALU64 | BPF_RSH | BPF_K, 1, 0, 0, 63) }, "r1 >>= 63" },
	{ { I(BPF_ALU64 | BPF_MOD | BPF_X, 7, 8, 0, 0) }, "r7 %= r8" },
	{ { I(BPF_ALU | BPF_XOR | BPF_K, 9, 0, 0, -1) }, "w9 ^= -1" },
	{ { I(BPF_ALU64 | BPF_ARSH | BPF_K, 2, 0, 0, 1) }, "r2 s>>= 1" },
	{ { I(BPF_ALU | BPF_ARSH | BPF_X, 2, 3, 0, 0) }, "w2 s>>= w3" },
	{ { I(BPF_ALU64 | BPF_NEG, 1, 0, 0, 0) }, "r1 = -r1" },
	{ { I(BPF_ALU | BPF_NEG, 4, 0, 0, 0) }, "w4 = -w4" },
	{ { I(BPF_ALU | BPF_END | BPF_TO_BE, 0, 0, 0, 16) }, "r0 = be16 r0" },
	{ { I(BPF_ALU | BPF_END | BPF_TO_BE, 3, 0, 0, 32) }, "r3 = be32 r3" },
	{ { I(BPF_ALU | BPF_END | BPF_TO_LE, 0, 0, 0, 64) }, "r0 = le64 r0" },
	{ { I(BPF_ALU | BPF_END | BPF_TO_LE, 9, 0, 0, 16) }, "r9 = le16 r9" },
	/* memory */
	{ { I(BPF_LDX | BPF_MEM | BPF_W, 1, 2, 4, 0) }, "r1 = *(u32 *)(r2 +4)" },
	{ { I(BPF_LDX | BPF_MEM | BPF_B, 0, 10, -1, 0) }, "r0 = *(u8 *)(r10 -1)" },
	{ { I(BPF_LDX | BPF_MEM | BPF_H, 3, 1, 0, 0) }, "r3 = *(u16 *)(r1 +0)" },
	{ { I(BPF_LDX | BPF_MEM | BPF_DW, 4, 1, 32767, 0) }, "r4 = *(u64 *)(r1 +32767)" },
	{ { I(BPF_STX | BPF_MEM | BPF_DW, 10, 1, -8, 0) }, "*(u64 *)(r10 -8) = r1" },
	{ { I(BPF_STX | BPF_MEM | BPF_B, 1, 2, -32768, 0) }, "*(u8 *)(r1 -32768) = r2" },
	{ { I(BPF_ST | BPF_MEM | BPF_W, 10, 0, -4, 0) }, "*(u32 *)(r10 -4) = 0" },
	{ { I(BPF_ST | BPF_MEM | BPF_H, 1, 0, 2, -1) }, "*(u16 *)(r1 +2) = -1" },
	/* atomics */
	{ { I(BPF_STX | BPF_ATOMIC | BPF_DW, 1, 2, 0, BPF_ADD) }, "lock *(u64 *)(r1 +0) += r2" },
	{ { I(BPF_STX | BPF_ATOMIC | BPF_W, 1, 2, -4, BPF_ADD) }, "lock *(u32 *)(r1 -4) += r2" },
	{ { I(BPF_STX | BPF_ATOMIC | BPF_DW, 1, 2, 8, BPF_AND) }, "lock *(u64 *)(r1 +8) &= r2" },
	{ { I(BPF_STX | BPF_ATOMIC | BPF_W, 1, 2, 0, BPF_OR) }, "lock *(u32 *)(r1 +0) |= r2" },
	{ { I(BPF_STX | BPF_ATOMIC | BPF_DW, 10, 3, -16, BPF_XOR) }, "lock *(u64 *)(r10 -16) ^= r3" },
	{ { I(BPF_STX | BPF_ATOMIC | BPF_DW, 1, 2, 0, BPF_ADD | BPF_FETCH) },
	  "r2 = atomic64_fetch_add((u64 *)(r1 +0), r2)" },
	{ { I(BPF_STX | BPF_ATOMIC | BPF_W, 1, 2, 0, BPF_AND | BPF_FETCH) },
	  "r2 = atomic_fetch_and((u32 *)(r1 +0), r2)" },
	{ { I(BPF_STX | BPF_ATOMIC | BPF_DW, 1, 3, 8, BPF_OR | BPF_FETCH) },
	  "r3 = atomic64_fetch_or((u64 *)(r1 +8), r3)" },
	{ { I(BPF_STX | BPF_ATOMIC | BPF_W, 1, 3, -8, BPF_XOR | BPF_FETCH) },
	  "r3 = atomic_fetch_xor((u32 *)(r1 -8), r3)" },
	{ { I(BPF_STX | BPF_ATOMIC | BPF_DW, 1, 2, 0, BPF_CMPXCHG) },
	  "r0 = atomic64_cmpxchg((u64 *)(r1 +0), r0, r2)" },
	{ { I(BPF_STX | BPF_ATOMIC | BPF_W, 1, 2, -4, BPF_CMPXCHG) },
	  "r0 = atomic_cmpxchg((u32 *)(r1 -4), r0, r2)" },
	{ { I(BPF_STX | BPF_ATOMIC | BPF_DW, 1, 2, 0, BPF_XCHG) },
	  "r2 = atomic64_xchg((u64 *)(r1 +0), r2)" },
	{ { I(BPF_STX | BPF_ATOMIC | BPF_W, 10, 3, -4, BPF_XCHG) },
	  "r3 = atomic_xchg((u32 *)(r10 -4), r3)" },
	/* jumps */
	{ { I(BPF_JMP | BPF_JGT | BPF_K, 1, 0, 3, 5) }, "if r1 > 0x5 goto pc+3" },
	{ { I(BPF_JMP32 | BPF_JSLT | BPF_X, 1, 2, -2, 0) }, "if w1 s< w2 goto pc-2" },
	{ { I(BPF_JMP | BPF_JEQ | BPF_X, 1, 2, 0, 0) }, "if r1 == r2 goto pc+0" },
	{ { I(BPF_JMP | BPF_JNE | BPF_K, 2, 0, 1, -1) }, "if r2 != 0xffffffff goto pc+1" },
	{ { I(BPF_JMP | BPF_JSET | BPF_K, 1, 0, 4, 1) }, "if r1 & 0x1 goto pc+4" },
	{ { I(BPF_JMP32 | BPF_JSET | BPF_X, 1, 2, 4, 0) }, "if w1 & w2 goto pc+4" },
	{ { I(BPF_JMP | BPF_JGE | BPF_X, 3, 10, 7, 0) }, "if r3 >= r10 goto pc+7" },
	{ { I(BPF_JMP | BPF_JLT | BPF_K, 3, 0, 7, 100) }, "if r3 < 0x64 goto pc+7" },
	{ { I(BPF_JMP32 | BPF_JLE | BPF_K, 3, 0, -7, 0) }, "if w3 <= 0x0 goto pc-7" },
	{ { I(BPF_JMP | BPF_JSGT | BPF_K, 3, 0, 1, -2) }, "if r3 s> 0xfffffffe goto pc+1" },
	{ { I(BPF_JMP32 | BPF_JSGE | BPF_K, 3, 0, 4, 0) }, "if w3 s>= 0x0 goto pc+4" },
	{ { I(BPF_JMP | BPF_JSLE | BPF_X, 3, 4, 4, 0) }, "if r3 s<= r4 goto pc+4" },
	{ { I(BPF_JMP32 | BPF_JEQ | BPF_K, 0, 0, 32767, 0x7fffffff) },
	  "if w0 == 0x7fffffff goto pc+32767" },
	{ { I(BPF_JMP | BPF_JA, 0, 0, 1, 0) }, "goto pc+1" },
	{ { I(BPF_JMP | BPF_JA, 0, 0, -32768, 0) }, "goto pc-32768" },
	{ { I(BPF_JMP32 | BPF_JA, 0, 0, 0, 5) }, "gotol pc+5" },
	{ { I(BPF_JMP32 | BPF_JA, 0, 0, 0, -100000) }, "gotol pc-100000" },
	/* Kops markers (Documentation/bpf/kops.rst of the Kops series) */
	{ { I(BPF_JMP | BPF_JA, 3, 1, 0, 0x00d00201) },
	  "goto pc+0 [kops rotate dst=3 imm=0x00d00201]" },
	{ { I(BPF_JMP | BPF_JA, 15, 1, 0, (int32_t)0xfffff040) },
	  "goto pc+0 [kops op dst=15 imm=0xfffff040]" },
	{ { I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0) }, "exit" },
	{ { I(BPF_JMP | BPF_EXIT, 0, 0, 3, 0) }, "exit [off=3]" },
	/* calls */
	{ { I(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem) },
	  "call bpf_map_lookup_elem#1" },
	{ { I(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_tail_call) }, "call bpf_tail_call#12" },
	{ { I(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_ktime_get_ns) },
	  "call bpf_ktime_get_ns#5" },
	{ { I(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 5) }, "call pc+5" },
	{ { I(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, -3) }, "call pc-3" },
	{ { I(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 0, 1234) },
	  "call kernel-function#1234" },
	{ { I(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 2, 1234) },
	  "call kernel-function#1234 [off=2]" },
	/* 64-bit immediate loads */
	{ { I(LDIMM64, 1, 0, 0, 0x1234), I(0, 0, 0, 0, 0) }, "r1 = 0x1234" },
	{ { I(LDIMM64, 1, 0, 0, 0), I(0, 0, 0, 0, 0) }, "r1 = 0x0" },
	{ { I(LDIMM64, 9, 0, 0, -1), I(0, 0, 0, 0, -1) }, "r9 = 0xffffffffffffffff" },
	{ { I(LDIMM64, 2, 0, 0, 0), I(0, 0, 0, 0, 1) }, "r2 = 0x100000000" },
	{ { I(LDIMM64, 1, BPF_PSEUDO_MAP_FD, 0, 3), I(0, 0, 0, 0, 0) }, "r1 = map[fd:3]" },
	{ { I(LDIMM64, 2, BPF_PSEUDO_MAP_VALUE, 0, 3), I(0, 0, 0, 0, 8) },
	  "r2 = map[fd:3][0]+8" },
	{ { I(LDIMM64, 3, BPF_PSEUDO_BTF_ID, 0, 123), I(0, 0, 0, 0, 0) }, "r3 = btf_id[123]" },
	{ { I(LDIMM64, 3, BPF_PSEUDO_BTF_ID, 0, 123), I(0, 0, 0, 0, 4) },
	  "r3 = btf_id[123] [imm2=4]" },
	{ { I(LDIMM64, 4, BPF_PSEUDO_FUNC, 0, 5), I(0, 0, 0, 0, 0) }, "r4 = subprog[+5]" },
	{ { I(LDIMM64, 4, BPF_PSEUDO_FUNC, 0, -3), I(0, 0, 0, 0, 0) }, "r4 = subprog[-3]" },
	{ { I(LDIMM64, 1, BPF_PSEUDO_MAP_IDX, 0, 2), I(0, 0, 0, 0, 0) }, "r1 = map[idx:2]" },
	{ { I(LDIMM64, 1, BPF_PSEUDO_MAP_IDX_VALUE, 0, 2), I(0, 0, 0, 0, 16) },
	  "r1 = map[idx:2]+16" },
	/* legacy packet loads */
	{ { I(BPF_LD | BPF_ABS | BPF_B, 0, 0, 0, 12) }, "r0 = *(u8 *)skb[12]" },
	{ { I(BPF_LD | BPF_ABS | BPF_W, 0, 0, 0, -4) }, "r0 = *(u32 *)skb[-4]" },
	{ { I(BPF_LD | BPF_IND | BPF_H, 0, 1, 0, 4) }, "r0 = *(u16 *)skb[r1 + 4]" },
	{ { I(BPF_LD | BPF_IND | BPF_W, 0, 7, 0, -2) }, "r0 = *(u32 *)skb[r7 + -2]" },
};

static void test_print(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(print_cases); i++) {
		const struct print_case *c = &print_cases[i];
		char buf[BPFEXT_INSN_STR_MAX], r[64];
		bool want_bad = !strcmp(c->want, "invalid");
		int n;

		n = bpfext_insn_print(c->insn, 2, buf, sizeof(buf));
		raw(c->insn, r, sizeof(r));
		if (want_bad)
			ok(n == -EINVAL && !strncmp(buf, "invalid insn", 12),
			   "print %s is rejected (\"%s\")", r, buf);
		else
			ok(n == bpfext_insn_slots(c->insn) && !strcmp(buf, c->want),
			   "print %s -> \"%s\" (got \"%s\", %d)", r, c->want, buf, n);
	}
}

/* ------------------------------------------------------------------ */
/* Rejections                                                          */
/* ------------------------------------------------------------------ */

struct reject_case {
	struct bpf_insn insn[2];
	size_t cnt;
	const char *what;	/* substring of the error */
};

static const struct reject_case reject_cases[] = {
	{ { I(0xff, 0, 0, 0, 0) }, 1, "invalid opcode 0xff" },
	{ { I(BPF_ALU64 | BPF_END | BPF_TO_LE, 0, 0, 0, 16) }, 1, "invalid opcode 0xd7" },
	{ { I(BPF_ALU64 | BPF_END | BPF_TO_BE, 0, 0, 0, 16) }, 1, "invalid opcode 0xdf" },
	{ { I(BPF_ALU | BPF_NEG | BPF_X, 0, 0, 0, 0) }, 1, "invalid opcode 0x8c" },
	{ { I(BPF_ALU64 | 0xe0 | BPF_K, 0, 0, 0, 0) }, 1, "invalid opcode 0xe7" },
	{ { I(BPF_ALU | 0xf0 | BPF_X, 0, 0, 0, 0) }, 1, "invalid opcode 0xfc" },
	{ { I(BPF_LDX | BPF_ABS | BPF_W, 0, 1, 0, 0) }, 1, "invalid opcode 0x21" },
	{ { I(BPF_LDX | BPF_ATOMIC | BPF_W, 0, 1, 0, 0) }, 1, "invalid opcode 0xc1" },
	{ { I(BPF_ST | BPF_ATOMIC | BPF_W, 1, 0, 0, 0) }, 1, "invalid opcode 0xc2" },
	{ { I(BPF_STX | BPF_ATOMIC | BPF_B, 1, 2, 0, BPF_ADD) }, 1, "invalid opcode 0xd3" },
	{ { I(BPF_STX | BPF_ATOMIC | BPF_H, 1, 2, 0, BPF_ADD) }, 1, "invalid opcode 0xcb" },
	{ { I(BPF_LD | BPF_IMM | BPF_W, 1, 0, 0, 0) }, 1, "invalid opcode 0x00" },
	{ { I(BPF_LD | BPF_ABS | BPF_DW, 0, 0, 0, 0) }, 1, "invalid opcode 0x38" },
	{ { I(BPF_LD | BPF_MEM | BPF_W, 0, 0, 0, 0) }, 1, "invalid opcode 0x60" },
	{ { I(BPF_JMP32 | BPF_CALL, 0, 0, 0, 1) }, 1, "invalid opcode 0x86" },
	{ { I(BPF_JMP | BPF_CALL | BPF_X, 0, 0, 0, 1) }, 1, "invalid opcode 0x8d" },
	{ { I(BPF_JMP32 | BPF_EXIT, 0, 0, 0, 0) }, 1, "invalid opcode 0x96" },
	{ { I(BPF_JMP | BPF_JA | BPF_X, 0, 0, 0, 0) }, 1, "invalid opcode 0x0d" },
	{ { I(BPF_JMP | 0xe0 | BPF_K, 0, 0, 0, 0) }, 1, "invalid opcode 0xe5" },
	{ { I(BPF_JMP32 | 0xf0 | BPF_X, 0, 0, 0, 0) }, 1, "invalid opcode 0xfe" },
	/* registers */
	{ { I(BPF_ALU64 | BPF_MOV | BPF_K, 11, 0, 0, 0) }, 1, "dst_reg=11" },
	{ { I(BPF_ALU64 | BPF_MOV | BPF_X, 1, 11, 0, 0) }, 1, "src_reg=11" },
	{ { I(BPF_LDX | BPF_MEM | BPF_W, 1, 15, 0, 0) }, 1, "src_reg=15" },
	{ { I(BPF_JMP | BPF_JEQ | BPF_X, 12, 1, 0, 0) }, 1, "dst_reg=12" },
	{ { I(BPF_LD | BPF_IND | BPF_W, 0, 11, 0, 0) }, 1, "src_reg=11" },
	{ { I(BPF_ALU64 | BPF_MOV | BPF_K, 10, 0, 0, 0) }, 1, "frame pointer" },
	{ { I(BPF_ALU | BPF_ADD | BPF_X, 10, 1, 0, 0) }, 1, "frame pointer" },
	{ { I(BPF_ALU64 | BPF_NEG, 10, 0, 0, 0) }, 1, "frame pointer" },
	{ { I(BPF_ALU | BPF_END, 10, 0, 0, 16) }, 1, "frame pointer" },
	{ { I(BPF_LDX | BPF_MEM | BPF_DW, 10, 1, 0, 0) }, 1, "frame pointer" },
	{ { I(LDIMM64, 10, 0, 0, 0), I(0, 0, 0, 0, 0) }, 2, "frame pointer" },
	{ { I(BPF_STX | BPF_ATOMIC | BPF_DW, 1, 10, 0, BPF_ADD | BPF_FETCH) }, 1,
	  "frame pointer" },
	{ { I(BPF_STX | BPF_ATOMIC | BPF_W, 1, 10, 0, BPF_XCHG) }, 1, "frame pointer" },
	/* ALU reserved fields */
	{ { I(BPF_ALU64 | BPF_MOV | BPF_X, 1, 2, 3, 0) }, 1, "reserved field off=3 in BPF_MOV" },
	{ { I(BPF_ALU64 | BPF_MOV | BPF_X, 1, 2, 0, 1) }, 1, "reserved field imm=1 in BPF_MOV" },
	{ { I(BPF_ALU | BPF_MOV | BPF_K, 1, 2, 0, 1) }, 1, "reserved field src_reg=2 in BPF_MOV" },
	{ { I(BPF_ALU | BPF_MOV | BPF_K, 1, 0, 1, 1) }, 1, "reserved field off=1 in BPF_MOV" },
	{ { I(BPF_ALU64 | BPF_ADD | BPF_X, 1, 2, 0, 5) }, 1, "reserved field imm=5 in BPF_ADD" },
	{ { I(BPF_ALU64 | BPF_SUB | BPF_X, 1, 2, -1, 0) }, 1, "reserved field off=-1 in BPF_SUB" },
	{ { I(BPF_ALU | BPF_XOR | BPF_K, 1, 3, 0, 5) }, 1, "reserved field src_reg=3 in BPF_XOR" },
	{ { I(BPF_ALU | BPF_OR | BPF_K, 1, 0, 9, 5) }, 1, "reserved field off=9 in BPF_OR" },
	{ { I(BPF_ALU64 | BPF_NEG, 1, 0, 0, 1) }, 1, "reserved field imm=1 in BPF_NEG" },
	{ { I(BPF_ALU64 | BPF_NEG, 1, 2, 0, 0) }, 1, "reserved field src_reg=2 in BPF_NEG" },
	{ { I(BPF_ALU | BPF_NEG, 1, 0, 4, 0) }, 1, "reserved field off=4 in BPF_NEG" },
	{ { I(BPF_ALU | BPF_END | BPF_TO_BE, 1, 0, 0, 8) }, 1, "BPF_END size imm=8" },
	{ { I(BPF_ALU | BPF_END | BPF_TO_LE, 1, 0, 0, 0) }, 1, "BPF_END size imm=0" },
	{ { I(BPF_ALU | BPF_END | BPF_TO_LE, 1, 2, 0, 16) }, 1, "reserved field src_reg=2 in BPF_END" },
	{ { I(BPF_ALU | BPF_END | BPF_TO_LE, 1, 0, 1, 16) }, 1, "reserved field off=1 in BPF_END" },
	{ { I(BPF_ALU | BPF_LSH | BPF_K, 1, 0, 0, 32) }, 1, "invalid shift 32" },
	{ { I(BPF_ALU | BPF_RSH | BPF_K, 1, 0, 0, -1) }, 1, "invalid shift -1" },
	{ { I(BPF_ALU | BPF_ARSH | BPF_K, 1, 0, 0, 40) }, 1, "invalid shift 40" },
	{ { I(BPF_ALU64 | BPF_LSH | BPF_K, 1, 0, 0, 64) }, 1, "invalid shift 64" },
	{ { I(BPF_ALU64 | BPF_ARSH | BPF_K, 1, 0, 0, 1000) }, 1, "invalid shift 1000" },
	{ { I(BPF_ALU64 | BPF_DIV | BPF_K, 1, 0, 0, 0) }, 1, "BPF_DIV by zero" },
	{ { I(BPF_ALU | BPF_DIV | BPF_K, 1, 0, 0, 0) }, 1, "BPF_DIV by zero" },
	{ { I(BPF_ALU64 | BPF_MOD | BPF_K, 1, 0, 0, 0) }, 1, "BPF_MOD by zero" },
	{ { I(BPF_ALU | BPF_MOD | BPF_K, 1, 0, 0, 0) }, 1, "BPF_MOD by zero" },
	/* memory */
	{ { I(BPF_LDX | BPF_MEM | BPF_W, 1, 2, 0, 1) }, 1, "reserved field imm=1 in BPF_LDX" },
	{ { I(BPF_ST | BPF_MEM | BPF_W, 1, 2, 0, 1) }, 1, "reserved field src_reg=2 in BPF_ST" },
	{ { I(BPF_STX | BPF_MEM | BPF_W, 1, 2, 0, 1) }, 1, "reserved field imm=1 in BPF_STX" },
	{ { I(BPF_STX | BPF_ATOMIC | BPF_W, 1, 2, 0, BPF_SUB) }, 1, "invalid atomic operation imm=0x10" },
	{ { I(BPF_STX | BPF_ATOMIC | BPF_DW, 1, 2, 0, 0x03) }, 1, "invalid atomic operation imm=0x3" },
	{ { I(BPF_STX | BPF_ATOMIC | BPF_DW, 1, 2, 0, 0xe0) }, 1, "invalid atomic operation imm=0xe0" },
	{ { I(BPF_STX | BPF_ATOMIC | BPF_DW, 1, 2, 0, 0xf0) }, 1, "invalid atomic operation imm=0xf0" },
	{ { I(BPF_STX | BPF_ATOMIC | BPF_DW, 1, 2, 0, 0x100) }, 1, "invalid atomic operation imm=0x100" },
	/* LD_IMM64 */
	{ { I(LDIMM64, 1, 0, 0, 0) }, 1, "missing its second slot" },
	{ { I(LDIMM64, 1, 0, 0, 0), I(BPF_ALU64, 0, 0, 0, 0) }, 2, "second slot has code 0x07" },
	{ { I(LDIMM64, 1, 0, 0, 0), I(0, 1, 0, 0, 0) }, 2, "reserved field dst_reg=1 in BPF_LD_IMM64 second slot" },
	{ { I(LDIMM64, 1, 0, 0, 0), I(0, 0, 1, 0, 0) }, 2, "reserved field src_reg=1 in BPF_LD_IMM64 second slot" },
	{ { I(LDIMM64, 1, 0, 0, 0), I(0, 0, 0, 1, 0) }, 2, "reserved field off=1 in BPF_LD_IMM64 second slot" },
	{ { I(LDIMM64, 1, 0, 5, 0), I(0, 0, 0, 0, 0) }, 2, "reserved field off=5 in BPF_LD_IMM64" },
	{ { I(LDIMM64, 1, 7, 0, 0), I(0, 0, 0, 0, 0) }, 2, "pseudo src_reg 7" },
	{ { I(LDIMM64, 1, 15, 0, 0), I(0, 0, 0, 0, 0) }, 2, "pseudo src_reg 15" },
	{ { I(LDIMM64, 1, BPF_PSEUDO_MAP_FD, 0, 3), I(0, 0, 0, 0, 1) }, 2, "nonzero second imm" },
	{ { I(LDIMM64, 1, BPF_PSEUDO_MAP_IDX, 0, 3), I(0, 0, 0, 0, -1) }, 2, "nonzero second imm" },
	{ { I(LDIMM64, 1, BPF_PSEUDO_MAP_VALUE, 0, 3), I(0, 0, 0, 0, 1 << 29) }, 2,
	  "offset 536870912 too large" },
	{ { I(LDIMM64, 1, BPF_PSEUDO_MAP_IDX_VALUE, 0, 3), I(0, 0, 0, 0, -1) }, 2,
	  "offset 4294967295 too large" },
	/* LD_ABS / LD_IND */
	{ { I(BPF_LD | BPF_ABS | BPF_W, 1, 0, 0, 0) }, 1, "reserved field dst_reg=1" },
	{ { I(BPF_LD | BPF_ABS | BPF_W, 0, 1, 0, 0) }, 1, "reserved field src_reg=1 in BPF_LD_ABS" },
	{ { I(BPF_LD | BPF_IND | BPF_B, 0, 1, 2, 0) }, 1, "reserved field off=2" },
	/* calls */
	{ { I(BPF_JMP | BPF_CALL, 1, 0, 0, 1) }, 1, "reserved field dst_reg=1 in BPF_CALL" },
	{ { I(BPF_JMP | BPF_CALL, 0, 0, 1, 1) }, 1, "reserved field off=1 in BPF_CALL" },
	{ { I(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 1, 1) }, 1, "reserved field off=1 in BPF_CALL" },
	{ { I(BPF_JMP | BPF_CALL, 0, 3, 0, 1) }, 1, "reserved field src_reg=3 in BPF_CALL" },
	{ { I(BPF_JMP | BPF_CALL, 0, 0, 0, 0) }, 1, "invalid helper id 0" },
	{ { I(BPF_JMP | BPF_CALL, 0, 0, 0, -1) }, 1, "invalid helper id -1" },
	{ { I(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, -1, 5) }, 1, "negative kfunc" },
	{ { I(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 0, -5) }, 1, "invalid kfunc BTF id -5" },
	{ { I(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 1, 0) }, 1, "invalid kfunc BTF id 0" },
	/* exit, ja, conditional jumps */
	{ { I(BPF_JMP | BPF_EXIT, 0, 0, 0, 1) }, 1, "reserved field imm=1 in BPF_EXIT" },
	{ { I(BPF_JMP | BPF_EXIT, 0, 1, 0, 0) }, 1, "reserved field src_reg=1 in BPF_EXIT" },
	{ { I(BPF_JMP | BPF_EXIT, 1, 0, 0, 0) }, 1, "reserved field dst_reg=1 in BPF_EXIT" },
	{ { I(BPF_JMP | BPF_JA, 0, 0, 1, 1) }, 1, "reserved field imm=1 in BPF_JA" },
	{ { I(BPF_JMP | BPF_JA, 1, 0, 1, 0) }, 1, "reserved field dst_reg=1 in BPF_JA" },
	{ { I(BPF_JMP | BPF_JA, 0, 1, 1, 0) }, 1, "reserved field src_reg=1 in BPF_JA" },
	{ { I(BPF_JMP | BPF_JA, 0, 2, 0, 0) }, 1, "reserved field src_reg=2 in BPF_JA" },
	{ { I(BPF_JMP32 | BPF_JA, 0, 1, 0, 1) }, 1, "reserved field src_reg=1 in BPF_JA" },
	{ { I(BPF_JMP32 | BPF_JA, 0, 0, 1, 1) }, 1, "reserved field off=1 in BPF_JMP32 BPF_JA" },
	{ { I(BPF_JMP | BPF_JEQ | BPF_X, 1, 2, 0, 1) }, 1, "reserved field imm=1 in BPF_JMP" },
	{ { I(BPF_JMP32 | BPF_JEQ | BPF_K, 1, 2, 0, 1) }, 1, "reserved field src_reg=2 in BPF_JMP32" },
	{ { I(BPF_JMP32 | BPF_JSET | BPF_X, 1, 2, 0, -1) }, 1, "reserved field imm=-1 in BPF_JMP32" },
};

static void test_reject(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(reject_cases); i++) {
		const struct reject_case *c = &reject_cases[i];
		char buf[BPFEXT_INSN_STR_MAX], r[64];
		struct bpfext_error err = { "" };
		int n, m;

		n = bpfext_insn_check(c->insn, c->cnt, &err);
		m = bpfext_insn_print(c->insn, c->cnt, buf, sizeof(buf));
		raw(c->insn, r, sizeof(r));
		ok(n == -EINVAL && m == -EINVAL && strstr(err.msg, c->what) &&
		   !strchr(err.msg, '\n') && !strncmp(buf, "invalid insn", 12),
		   "reject %s: want \"%s\", got \"%s\"", r, c->what, err.msg);
	}
}

/* Encodings at the edge of the rules that the 6.1 verifier accepts. */
static const struct reject_case accept_cases[] = {
	{ { I(BPF_JMP | BPF_CALL, 0, 0, 0, 999) }, 1, "call unknown#999" },
	{ { I(BPF_JMP | BPF_CALL, 0, 0, 0, 0xbad2310) }, 1, "call unknown#195896080" },
	{ { I(BPF_ALU | BPF_LSH | BPF_K, 1, 0, 0, 31) }, 1, "w1 <<= 31" },
	{ { I(BPF_ALU64 | BPF_ARSH | BPF_K, 1, 0, 0, 63) }, 1, "r1 s>>= 63" },
	{ { I(BPF_ALU | BPF_RSH | BPF_K, 1, 0, 0, 0) }, 1, "w1 >>= 0" },
	{ { I(BPF_ALU64 | BPF_LSH | BPF_X, 1, 2, 0, 0) }, 1, "r1 <<= r2" },
	{ { I(BPF_ALU64 | BPF_DIV | BPF_K, 1, 0, 0, -1) }, 1, "r1 /= -1" },
	{ { I(BPF_ALU64 | BPF_DIV | BPF_X, 1, 10, 0, 0) }, 1, "r1 /= r10" },
	{ { I(BPF_STX | BPF_MEM | BPF_DW, 10, 10, -8, 0) }, 1, "*(u64 *)(r10 -8) = r10" },
	{ { I(BPF_LDX | BPF_MEM | BPF_DW, 0, 10, -8, 0) }, 1, "r0 = *(u64 *)(r10 -8)" },
	{ { I(BPF_STX | BPF_ATOMIC | BPF_DW, 10, 2, -8, BPF_ADD) }, 1, "lock *(u64 *)(r10 -8) += r2" },
	{ { I(BPF_STX | BPF_ATOMIC | BPF_DW, 10, 10, -8, BPF_CMPXCHG) }, 1,
	  "r0 = atomic64_cmpxchg((u64 *)(r10 -8), r0, r10)" },
	{ { I(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 0, 0) }, 1, "call kernel-function#0" },
	{ { I(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, -1) }, 1, "call pc-1" },
	{ { I(BPF_JMP | BPF_CALL, 0, 0, 0, __BPF_FUNC_MAX_ID - 1) }, 1, "call bpf_" },
	{ { I(BPF_JMP | BPF_JA, 0, 0, 0, 0) }, 1, "goto pc+0" },
	{ { I(BPF_JMP | BPF_EXIT, 0, 0, -1, 0) }, 1, "exit [off=-1]" },
	{ { I(LDIMM64, 0, BPF_PSEUDO_MAP_VALUE, 0, -1), I(0, 0, 0, 0, (1 << 29) - 1) }, 2,
	  "r0 = map[fd:4294967295][0]+536870911" },
	{ { I(LDIMM64, 0, BPF_PSEUDO_FUNC, 0, 7), I(0, 0, 0, 0, -9) }, 2,
	  "r0 = subprog[+7] [imm2=-9]" },
	{ { I(BPF_LD | BPF_IND | BPF_B, 0, 10, 0, 0) }, 1, "r0 = *(u8 *)skb[r10 + 0]" },
	{ { I(BPF_ST | BPF_MEM | BPF_DW, 10, 0, -8, 0x7fffffff) }, 1,
	  "*(u64 *)(r10 -8) = 2147483647" },
};

static void test_accept(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(accept_cases); i++) {
		const struct reject_case *c = &accept_cases[i];
		char buf[BPFEXT_INSN_STR_MAX];
		struct bpfext_error err = { "" };
		int n, m;

		n = bpfext_insn_check(c->insn, c->cnt, &err);
		m = bpfext_insn_print(c->insn, c->cnt, buf, sizeof(buf));
		ok(n == (int)c->cnt && m == n && !strncmp(buf, c->what, strlen(c->what)),
		   "accept \"%s\" (got %d \"%s\", err.msg \"%s\")", c->what, n, buf, err.msg);
	}
}

/* ------------------------------------------------------------------ */
/* Sweep: every opcode byte, many field combinations                  */
/* ------------------------------------------------------------------ */

/* Valid opcodes, spelled out independently of the library's table. */
static bool opcode_expected_valid(unsigned int code)
{
	static const unsigned char alu_ops[] = {
		BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_OR, BPF_AND, BPF_LSH,
		BPF_RSH, BPF_MOD, BPF_XOR, BPF_MOV, BPF_ARSH,
	};
	static const unsigned char jmp_ops[] = {
		BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET, BPF_JNE, BPF_JSGT, BPF_JSGE,
		BPF_JLT, BPF_JLE, BPF_JSLT, BPF_JSLE,
	};
	static const unsigned char sizes[] = { BPF_B, BPF_H, BPF_W, BPF_DW };
	size_t i;

	for (i = 0; i < sizeof(alu_ops); i++)
		if (code == (BPF_ALU | alu_ops[i] | BPF_K) ||
		    code == (BPF_ALU | alu_ops[i] | BPF_X) ||
		    code == (BPF_ALU64 | alu_ops[i] | BPF_K) ||
		    code == (BPF_ALU64 | alu_ops[i] | BPF_X))
			return true;
	for (i = 0; i < sizeof(jmp_ops); i++)
		if (code == (BPF_JMP | jmp_ops[i] | BPF_K) ||
		    code == (BPF_JMP | jmp_ops[i] | BPF_X) ||
		    code == (BPF_JMP32 | jmp_ops[i] | BPF_K) ||
		    code == (BPF_JMP32 | jmp_ops[i] | BPF_X))
			return true;
	for (i = 0; i < sizeof(sizes); i++)
		if (code == (BPF_LDX | BPF_MEM | sizes[i]) ||
		    code == (BPF_ST | BPF_MEM | sizes[i]) ||
		    code == (BPF_STX | BPF_MEM | sizes[i]) ||
		    (sizes[i] != BPF_DW && (code == (BPF_LD | BPF_ABS | sizes[i]) ||
					    code == (BPF_LD | BPF_IND | sizes[i]))))
			return true;
	switch (code) {
	case BPF_ALU | BPF_NEG:
	case BPF_ALU64 | BPF_NEG:
	case BPF_ALU | BPF_END | BPF_TO_LE:
	case BPF_ALU | BPF_END | BPF_TO_BE:
	case BPF_JMP | BPF_JA:
	case BPF_JMP32 | BPF_JA:
	case BPF_JMP | BPF_CALL:
	case BPF_JMP | BPF_EXIT:
	case BPF_STX | BPF_ATOMIC | BPF_W:
	case BPF_STX | BPF_ATOMIC | BPF_DW:
	case BPF_LD | BPF_IMM | BPF_DW:
		return true;
	}
	return false;
}

static const int regs[] = { 0, 1, 10, 11 };
/* src_reg also selects pseudo kinds of LD_IMM64 and calls. */
static const int srcs[] = { 0, 1, 10, 11, 2, 3, 4, 5, 6, 7, 15 };
static const int offs[] = { 0, 1, -1, 3, -8, 255, 32767, -32768 };
static const int imms[] = {
	0, 1, -1, 2, 3, 5, 6, 7, 12, 16, 31, 32, 63, 64, 100, 4096,
	BPF_ADD | BPF_FETCH, BPF_AND, BPF_AND | BPF_FETCH, BPF_OR,
	BPF_OR | BPF_FETCH, BPF_XOR, BPF_XOR | BPF_FETCH, BPF_XCHG, BPF_CMPXCHG,
	0xe0, 0x11, __BPF_FUNC_MAX_ID - 1, __BPF_FUNC_MAX_ID, 0x7fffffff,
	-0x7fffffff - 1, (1 << 29) - 1, 1 << 29, 123456, -123456,
};
static const struct bpf_insn second_slots[] = {
	I(0, 0, 0, 0, 0), I(0, 0, 0, 0, 1), I(0, 0, 0, 0, -1),
	I(0, 0, 0, 0, 8), I(0, 0, 0, 0, 1 << 29), I(0, 0, 0, 0, 0x7fffffff),
	I(0, 1, 0, 0, 0), I(0, 0, 2, 0, 0), I(0, 0, 0, 4, 0),
	I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0), I(LDIMM64, 0, 0, 0, 0),
};

struct sweep_stats {
	unsigned long accepted, rejected, bad;
	char first_bad[512];
};

static void sweep_one(const struct bpf_insn *insn, size_t cnt,
		      struct sweep_stats *st)
{
	char buf[BPFEXT_INSN_STR_MAX], r[64];
	struct bpfext_error err = { "" };
	struct bpf_insn back[2];
	const char *why = NULL;
	int n, m, k;

	n = bpfext_insn_check(insn, cnt, &err);
	m = bpfext_insn_print(insn, cnt, buf, sizeof(buf));
	if (n < 0) {
		st->rejected++;
		if (n != -EINVAL || m != -EINVAL)
			why = "rejected insn not -EINVAL from print";
		else if (!err.msg[0] || strchr(err.msg, '\n'))
			why = "bad error text";
		else if (bpfext_insn_parse(buf, back, NULL) != -EINVAL)
			why = "print text of an invalid insn parsed";
	} else {
		char prefixed[BPFEXT_INSN_STR_MAX + 16];

		st->accepted++;
		k = bpfext_insn_parse(buf, back, &err);
		if (m != n)
			why = "print slot count differs from check";
		else if (strlen(buf) >= sizeof(buf) - 1)
			why = "print text truncated";
		else if (k != n)
			why = "parse failed";
		else if (memcmp(back, insn, (size_t)n * sizeof(*insn)))
			why = "round trip differs";
		snprintf(prefixed, sizeof(prefixed), " 7: (%02x) %s ", insn->code, buf);
		if (!why && (bpfext_insn_parse(prefixed, back, &err) != n ||
			     memcmp(back, insn, (size_t)n * sizeof(*insn))))
			why = "parse with (op) prefix differs";
	}
	if (why) {
		if (!st->bad++) {
			raw(insn, r, sizeof(r));
			snprintf(st->first_bad, sizeof(st->first_bad),
				 "%s: %s -> \"%s\" (%s)", why, r, buf, err.msg);
		}
	}
}

static void test_sweep(void)
{
	unsigned long total_ok = 0;
	unsigned int code;

	for (code = 0; code < 256; code++) {
		struct sweep_stats st;
		size_t d, s, o, i, k, nsrc = ARRAY_SIZE(regs);

		if (BPF_CLASS(code) == BPF_LD || BPF_CLASS(code) == BPF_JMP)
			nsrc = ARRAY_SIZE(srcs);
		memset(&st, 0, sizeof(st));
		for (d = 0; d < ARRAY_SIZE(regs); d++)
		for (s = 0; s < nsrc; s++)
		for (o = 0; o < ARRAY_SIZE(offs); o++)
		for (i = 0; i < ARRAY_SIZE(imms); i++) {
			struct bpf_insn insn[2];

			memset(insn, 0, sizeof(insn));
			insn[0].code = (uint8_t)code;
			insn[0].dst_reg = regs[d] & 0xf;
			insn[0].src_reg = srcs[s] & 0xf;
			insn[0].off = (int16_t)offs[o];
			insn[0].imm = imms[i];
			if (code != LDIMM64) {
				sweep_one(insn, 1, &st);
				/* A following slot must not matter. */
				if ((o + i) % 4)
					continue;
				insn[1] = second_slots[(d + i) % ARRAY_SIZE(second_slots)];
				sweep_one(insn, 2, &st);
				continue;
			}
			sweep_one(insn, 1, &st);
			for (k = 0; k < ARRAY_SIZE(second_slots); k++) {
				insn[1] = second_slots[k];
				insn[1].imm ^= imms[(i + k) % ARRAY_SIZE(imms)] & 0x30000;
				sweep_one(insn, 2, &st);
			}
		}
		if (st.bad)
			diag("%s", st.first_bad);
		ok(!st.bad && (st.accepted > 0) == opcode_expected_valid(code),
		   "opcode 0x%02x: %lu accepted, %lu rejected, %lu problems%s",
		   code, st.accepted, st.rejected, st.bad,
		   (st.accepted > 0) != opcode_expected_valid(code) ?
		   " (validity of the opcode is wrong)" : "");
		total_ok += st.accepted;
	}
	diag("%lu valid encodings round-tripped", total_ok);
}

/* ------------------------------------------------------------------ */
/* Parser                                                              */
/* ------------------------------------------------------------------ */

struct parse_case {
	const char *text;
	int ret;
	struct bpf_insn insn[2];
};

static const struct parse_case parse_cases[] = {
	{ "(bf) r1 = r2", 1, { I(BPF_ALU64 | BPF_MOV | BPF_X, 1, 2, 0, 0) } },
	{ "12: (85) call bpf_map_lookup_elem#1", 1,
	  { I(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem) } },
	{ "call bpf_map_lookup_elem", 1,
	  { I(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem) } },
	{ "call map_update_elem", 1,
	  { I(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_update_elem) } },
	{ "call kfunc#77", 1, { I(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 0, 77) } },
	{ "r1 = 0x1234 ll", 2, { I(LDIMM64, 1, 0, 0, 0x1234), I(0, 0, 0, 0, 0) } },
	{ "r1 = 4660 ll", 2, { I(LDIMM64, 1, 0, 0, 0x1234), I(0, 0, 0, 0, 0) } },
	{ "r1 = -1 ll", 2, { I(LDIMM64, 1, 0, 0, -1), I(0, 0, 0, 0, -1) } },
	{ "r1 = 18446744073709551615 ll", 2, { I(LDIMM64, 1, 0, 0, -1), I(0, 0, 0, 0, -1) } },
	{ "r1 = 4660", 1, { I(BPF_ALU64 | BPF_MOV | BPF_K, 1, 0, 0, 0x1234) } },
	{ "w1 = 0xffffffff", 1, { I(BPF_ALU | BPF_MOV | BPF_K, 1, 0, 0, -1) } },
	{ "w1 = 4294967295", 1, { I(BPF_ALU | BPF_MOV | BPF_K, 1, 0, 0, -1) } },
	{ "r1 = map[id:3]", 2, { I(LDIMM64, 1, BPF_PSEUDO_MAP_FD, 0, 3), I(0, 0, 0, 0, 0) } },
	{ "r1 = map[id:3][0]+4 ll", 2,
	  { I(LDIMM64, 1, BPF_PSEUDO_MAP_VALUE, 0, 3), I(0, 0, 0, 0, 4) } },
	{ "   r1   +=   r2  ", 1, { I(BPF_ALU64 | BPF_ADD | BPF_X, 1, 2, 0, 0) } },
	{ "r1 = *(u32 *)(r2+4)", 1, { I(BPF_LDX | BPF_MEM | BPF_W, 1, 2, 4, 0) } },
	{ "r1=*(u32*)(r2)", 1, { I(BPF_LDX | BPF_MEM | BPF_W, 1, 2, 0, 0) } },
	{ "*(u8 *)(r10 - 1) = 0x7f", 1, { I(BPF_ST | BPF_MEM | BPF_B, 10, 0, -1, 0x7f) } },
	{ "if w1 s<= -1 goto pc+2", 1, { I(BPF_JMP32 | BPF_JSLE | BPF_K, 1, 0, 2, -1) } },
	{ "if r1 > 5 goto pc+3", 1, { I(BPF_JMP | BPF_JGT | BPF_K, 1, 0, 3, 5) } },
	{ "goto pc-1", 1, { I(BPF_JMP | BPF_JA, 0, 0, -1, 0) } },
	{ "gotol pc+70000", 1, { I(BPF_JMP32 | BPF_JA, 0, 0, 0, 70000) } },
	{ "r0 = *(u8 *)skb[r3 + -1]", 1, { I(BPF_LD | BPF_IND | BPF_B, 0, 3, 0, -1) } },
	{ "w1 += 2147483648", 1, { I(BPF_ALU | BPF_ADD | BPF_K, 1, 0, 0, -0x7fffffff - 1) } },
	{ "*(u32 *)(r1 +0) = 0xffffffff", 1, { I(BPF_ST | BPF_MEM | BPF_W, 1, 0, 0, -1) } },
	{ "if r1 == 4294967295 goto pc+1", 1, { I(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 1, -1) } },
	{ "(06) if w0 jmp 0x5 goto pc+0", 1, { I(BPF_JMP32 | BPF_JA, 0, 0, 0, 5) } },
	{ "call pc+0", 1, { I(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 0) } },
	/* errors */
	{ "", -EINVAL, { I(0, 0, 0, 0, 0) } },
	{ "foo", -EINVAL, { I(0, 0, 0, 0, 0) } },
	{ "r11 = 1", -EINVAL, { I(0, 0, 0, 0, 0) } },
	{ "r10 = 1", -EINVAL, { I(0, 0, 0, 0, 0) } },
	{ "r1 = be16 r2", -EINVAL, { I(0, 0, 0, 0, 0) } },
	{ "r1 <<= 64", -EINVAL, { I(0, 0, 0, 0, 0) } },
	{ "w1 <<= 32", -EINVAL, { I(0, 0, 0, 0, 0) } },
	{ "r1 /= 0", -EINVAL, { I(0, 0, 0, 0, 0) } },
	{ "w1 = 0x1 ll", -EINVAL, { I(0, 0, 0, 0, 0) } },
	{ "r1 += w2", -EINVAL, { I(0, 0, 0, 0, 0) } },
	{ "r1 = -r2", -EINVAL, { I(0, 0, 0, 0, 0) } },
	{ "call bpf_map_lookup_elem#2", -EINVAL, { I(0, 0, 0, 0, 0) } },
	{ "call bpf_no_such_helper", -EINVAL, { I(0, 0, 0, 0, 0) } },
	{ "r1 = r2 r3", -EINVAL, { I(0, 0, 0, 0, 0) } },
	{ "r1 = *(u32 *)(r2 +40000)", -EINVAL, { I(0, 0, 0, 0, 0) } },
	{ "goto pc+32768", -EINVAL, { I(0, 0, 0, 0, 0) } },
	{ "r1 = 0x10000000000000000", -EINVAL, { I(0, 0, 0, 0, 0) } },
	{ "r1 = 4294967296", -EINVAL, { I(0, 0, 0, 0, 0) } },
	{ "w1 = 4294967296", -EINVAL, { I(0, 0, 0, 0, 0) } },
	{ "w1 = 18446744073709551615", -EINVAL, { I(0, 0, 0, 0, 0) } },
	{ "r1 = 18446744073709551615", -EINVAL, { I(0, 0, 0, 0, 0) } },
	{ "r1 = 2147483648", -EINVAL, { I(0, 0, 0, 0, 0) } },
	{ "r1 += 2147483648", -EINVAL, { I(0, 0, 0, 0, 0) } },
	{ "r1 = -2147483649", -EINVAL, { I(0, 0, 0, 0, 0) } },
	{ "*(u64 *)(r1 +0) = 0xffffffff", -EINVAL, { I(0, 0, 0, 0, 0) } },
	{ "call pc+0xffffffff", -EINVAL, { I(0, 0, 0, 0, 0) } },
	{ "(06) if w0 jmp 0x5 goto pc+1", -EINVAL, { I(0, 0, 0, 0, 0) } },
	{ "if r1 s> 0x100000000 goto pc+1", -EINVAL, { I(0, 0, 0, 0, 0) } },
	{ "r2 = atomic64_fetch_add((u64 *)(r1 +0), r3)", -EINVAL, { I(0, 0, 0, 0, 0) } },
	{ "r2 = atomic64_fetch_add((u32 *)(r1 +0), r2)", -EINVAL, { I(0, 0, 0, 0, 0) } },
	{ "r1 = atomic_cmpxchg((u32 *)(r1 +0), r0, r2)", -EINVAL, { I(0, 0, 0, 0, 0) } },
	{ "lock *(u64 *)(r1 +0) -= r2", -EINVAL, { I(0, 0, 0, 0, 0) } },
	{ "r1 = *(u8 *)skb[4]", -EINVAL, { I(0, 0, 0, 0, 0) } },
	{ "r0 = *(u64 *)skb[4]", -EINVAL, { I(0, 0, 0, 0, 0) } },
	{ "r1 = map[fd:1]+0 extra", -EINVAL, { I(0, 0, 0, 0, 0) } },
	{ "exit [off=0]", -EINVAL, { I(0, 0, 0, 0, 0) } },
	{ "r1 = 12abc", -EINVAL, { I(0, 0, 0, 0, 0) } },
	{ "r1 = $", -EINVAL, { I(0, 0, 0, 0, 0) } },
	{ "invalid insn 0xff dst=0 src=0 off=0 imm=0", -EINVAL, { I(0, 0, 0, 0, 0) } },
};

static void test_parse(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(parse_cases); i++) {
		const struct parse_case *c = &parse_cases[i];
		struct bpfext_error err = { "" };
		struct bpf_insn out[2];
		int n;

		n = bpfext_insn_parse(c->text, out, &err);
		if (c->ret < 0)
			ok(n == c->ret && err.msg[0] && !strchr(err.msg, '\n'),
			   "parse \"%s\" fails (%s)", c->text, err.msg);
		else
			ok(n == c->ret && !memcmp(out, c->insn, (size_t)n * sizeof(out[0])),
			   "parse \"%s\" (%d, %s)", c->text, n, err.msg);
	}
}

/* ------------------------------------------------------------------ */
/* Program checks, helpers, buffers                                    */
/* ------------------------------------------------------------------ */

static int parse_prog(const char *const *lines, struct bpf_insn *prog, size_t max)
{
	size_t n = 0;

	for (; *lines; lines++) {
		struct bpfext_error err = { "" };
		int k;

		if (n + 2 > max)
			return -1;
		k = bpfext_insn_parse(*lines, prog + n, &err);
		if (k < 0) {
			diag("cannot parse \"%s\": %s", *lines, err.msg);
			return -1;
		}
		n += (size_t)k;
	}
	return (int)n;
}

struct prog_case {
	const char *name;
	const char *lines[8];
	int ret;
	size_t bad;
	int truncate;		/* drop this many trailing slots */
};

static const struct prog_case prog_cases[] = {
	{ "minimal program", { "r0 = 0", "exit" }, 0, 0, 0 },
	{ "forward and backward branches",
	  { "r0 = 0", "if r0 == 0x0 goto pc+1", "r0 = 1", "if w0 != w1 goto pc-3", "exit" },
	  0, 0, 0 },
	{ "jump over LD_IMM64", { "goto pc+2", "r1 = 0x1", "exit" }, 0, 0, 0 },
	{ "branch past the end", { "r0 = 0", "goto pc+5", "exit" }, -EINVAL, 1, 0 },
	{ "branch to the end", { "r0 = 0", "goto pc+1", "exit" }, -EINVAL, 1, 0 },
	{ "branch before the start", { "if r1 > 0x1 goto pc-2", "exit" }, -EINVAL, 0, 0 },
	{ "gotol out of range", { "gotol pc+70000", "exit" }, -EINVAL, 0, 0 },
	{ "gotol in range", { "gotol pc+0", "exit" }, 0, 0, 0 },
	{ "branch into LD_IMM64",
	  { "r0 = 0", "if r0 == 0x0 goto pc+1", "r1 = 0x1234", "exit" }, -EINVAL, 1, 0 },
	{ "backward branch into LD_IMM64",
	  { "r1 = map[fd:1]", "goto pc-2", "exit" }, -EINVAL, 2, 0 },
	{ "call into LD_IMM64", { "call pc+1", "r1 = 0x1", "exit" }, -EINVAL, 0, 0 },
	{ "call out of range", { "call pc+3", "exit" }, -EINVAL, 0, 0 },
	{ "call in range", { "call pc+1", "exit", "r0 = 0", "exit" }, 0, 0, 0 },
	{ "subprog reference out of range", { "r1 = subprog[+2]", "exit" }, -EINVAL, 0, 0 },
	{ "subprog reference in range",
	  { "r1 = subprog[+1]", "exit", "r0 = 0", "exit" }, 0, 0, 0 },
	{ "truncated LD_IMM64", { "r0 = 0", "r1 = 0x1" }, -EINVAL, 1, 1 },
};

static void test_prog(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(prog_cases); i++) {
		const struct prog_case *c = &prog_cases[i];
		struct bpf_insn prog[16];
		struct bpfext_error err = { "" };
		size_t bad = (size_t)-1;
		int n, ret;

		n = parse_prog(c->lines, prog, ARRAY_SIZE(prog));
		if (n < 0) {
			ok(0, "insns_check: %s (parse failed)", c->name);
			continue;
		}
		n -= c->truncate;
		ret = bpfext_insns_check(prog, (size_t)n, &bad, &err);
		if (c->ret == 0)
			ok(ret == 0, "insns_check: %s (%s)", c->name, err.msg);
		else
			ok(ret == c->ret && bad == c->bad && err.msg[0] && !strchr(err.msg, '\n'),
			   "insns_check: %s rejected at %zu (%s)", c->name, bad, err.msg);
	}

	{
		struct bpf_insn prog[3] = {
			I(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0),
			I(BPF_ALU64 | BPF_MOV | BPF_X, 0, 0, 3, 0),
			I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
		};
		struct bpfext_error err = { "" };
		size_t bad = 0;

		ok(bpfext_insns_check(prog, 3, &bad, &err) == -EINVAL &&
		   bad == 1 && strstr(err.msg, "off=3"),
		   "insns_check: invalid insn reported at its index (%s)", err.msg);
		ok(bpfext_insns_check(prog, 0, NULL, NULL) == 0,
		   "insns_check: empty program passes");
	}
}

static void test_helpers(void)
{
	int id, bad = 0;

	ok(bpfext_helper_name(BPF_FUNC_map_lookup_elem) &&
	   !strcmp(bpfext_helper_name(BPF_FUNC_map_lookup_elem), "map_lookup_elem"),
	   "helper name of 1");
	ok(bpfext_helper_id("bpf_map_lookup_elem") == 1, "helper id with bpf_ prefix");
	ok(bpfext_helper_id("map_lookup_elem") == 1, "helper id without prefix");
	ok(bpfext_helper_id("no_such_helper") == -1, "unknown helper name");
	ok(bpfext_helper_id(NULL) == -1, "NULL helper name");
	ok(!bpfext_helper_name(-1) && !bpfext_helper_name(__BPF_FUNC_MAX_ID),
	   "helper ids out of range");
	for (id = 1; id < __BPF_FUNC_MAX_ID; id++)
		if (!bpfext_helper_name(id) ||
		    bpfext_helper_id(bpfext_helper_name(id)) != id)
			bad++;
	ok(!bad, "all %d helper names map back to their ids", __BPF_FUNC_MAX_ID - 1);
	ok(bpfext_helper_name(BPF_FUNC_user_ringbuf_drain) &&
	   !strcmp(bpfext_helper_name(BPF_FUNC_user_ringbuf_drain), "user_ringbuf_drain"),
	   "newest 6.1 helper has a name");
}

static void test_classify(void)
{
	struct bpf_insn ld[2] = { I(LDIMM64, 1, BPF_PSEUDO_FUNC, 0, 3), I(0, 0, 0, 0, 0) };
	struct bpf_insn ja = I(BPF_JMP | BPF_JA, 0, 0, 4, 0);
	struct bpf_insn gotol = I(BPF_JMP32 | BPF_JA, 0, 0, 0, 9);
	struct bpf_insn jeq = I(BPF_JMP32 | BPF_JEQ | BPF_X, 1, 2, -3, 0);
	struct bpf_insn ex = I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	struct bpf_insn helper = I(BPF_JMP | BPF_CALL, 0, 0, 0, 1);
	struct bpf_insn pcall = I(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 1);
	struct bpf_insn kcall = I(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 0, 1);

	ok(bpfext_insn_slots(ld) == 2 && bpfext_insn_slots(&ja) == 1, "slots");
	ok(bpfext_insn_is_ldimm64(ld) && bpfext_insn_is_pseudo_func(ld) &&
	   !bpfext_insn_is_ldimm64(&ja), "ldimm64 / pseudo func");
	ok(bpfext_insn_is_branch(&ja) && !bpfext_insn_is_cond_branch(&ja) &&
	   bpfext_insn_branch_off(&ja) == 4, "goto is an unconditional branch");
	ok(bpfext_insn_is_branch(&gotol) && !bpfext_insn_is_cond_branch(&gotol) &&
	   bpfext_insn_branch_off(&gotol) == 9, "gotol is a branch with imm offset");
	ok(bpfext_insn_is_cond_branch(&jeq) && bpfext_insn_branch_off(&jeq) == -3,
	   "jmp32 jeq is a conditional branch");
	ok(bpfext_insn_is_exit(&ex) && !bpfext_insn_is_branch(&ex) &&
	   !bpfext_insn_is_branch(&helper), "exit and call are not branches");
	ok(bpfext_insn_is_helper_call(&helper) && !bpfext_insn_is_pseudo_call(&helper) &&
	   bpfext_insn_is_pseudo_call(&pcall) && !bpfext_insn_is_kfunc_call(&pcall) &&
	   bpfext_insn_is_kfunc_call(&kcall) && !bpfext_insn_is_helper_call(&kcall),
	   "call kinds");
}

static void test_buffers(void)
{
	struct bpf_insn insn = I(BPF_STX | BPF_ATOMIC | BPF_DW, 1, 2, -32768, BPF_CMPXCHG);
	char small[8], big[BPFEXT_INSN_STR_MAX];
	struct bpfext_error err = { "" };
	char sentinel[4] = "xyz";
	int n;

	memset(small, 'X', sizeof(small));
	n = bpfext_insn_print(&insn, 1, small, 5);
	ok(n == 1 && small[4] == '\0' && small[5] == 'X' && !strcmp(small, "r0 ="),
	   "print truncates and terminates (\"%s\")", small);
	n = bpfext_insn_print(&insn, 1, sentinel, 0);
	ok(n == 1 && !strcmp(sentinel, "xyz"), "print with len 0 writes nothing");
	n = bpfext_insn_print(&insn, 1, NULL, 0);
	ok(n == 1, "print with NULL buffer only returns the slot count");
	n = bpfext_insn_print(&insn, 0, big, sizeof(big));
	ok(n == -EINVAL, "print with cnt 0 fails");
	n = bpfext_insn_check(&insn, 1, NULL);
	ok(n == 1, "check with a NULL error");
	n = bpfext_insn_check(NULL, 0, &err);
	ok(n == -EINVAL && err.msg[0], "check with no instruction (%s)", err.msg);
}

int main(void)
{
	test_print();
	test_reject();
	test_accept();
	test_parse();
	test_prog();
	test_helpers();
	test_classify();
	test_buffers();
	test_sweep();
	return tap_finish();
}
