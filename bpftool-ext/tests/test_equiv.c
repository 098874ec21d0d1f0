// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Tests for lib/semantics/symbolic.c: equivalent and non-equivalent pairs of
 * instruction windows and of whole programs; every counterexample is
 * replayed in the interpreter, which must see the difference too.  TAP.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfext_opt.h"
#include "semantics/symbolic.h"

#include "tap.h"
#include "asm.h"

#define R(n) (1u << (n))

struct wcase {
	const char *a, *b;
	uint16_t live;
	int want;
	bool replay;		/* registers only: replay in the interpreter */
};

static const struct wcase wcases[] = {
	/* equivalent */
	{ "r0 = r1;r0 <<= 1", "r0 = r1;r0 += r1", R(0), BPFEXT_EQUIVALENT, false },
	{ "r2 = r1;r2 *= 8", "r2 = r1;r2 <<= 3", R(2), BPFEXT_EQUIVALENT, false },
	{ "r1 = 0;r0 /= r1", "r0 = 0", R(0), BPFEXT_EQUIVALENT, false },
	{ "r1 = 0;r0 %= r1", "r1 = 0", R(0) | R(1), BPFEXT_EQUIVALENT, false },
	{ "w1 = 0;w0 %= w1", "w1 = 0;w0 = w0", R(0) | R(1), BPFEXT_EQUIVALENT, false },
	{ "r1 = 65;r0 <<= r1", "r1 = 65;r0 <<= 1", R(0) | R(1), BPFEXT_EQUIVALENT, false },
	{ "w1 = 33;w0 >>= w1", "w1 = 33;w0 >>= 1", R(0) | R(1), BPFEXT_EQUIVALENT, false },
	{ "r0 = 0;if r1 > 5 goto pc+1;r0 = 1", "r0 = 1;if r1 <= 5 goto pc+1;r0 = 0",
	  R(0), BPFEXT_EQUIVALENT, false },
	{ "r0 = 0;if w1 s< 0 goto pc+1;r0 = 1", "r0 = 1;if w1 s>= 0 goto pc+1;r0 = 0",
	  R(0), BPFEXT_EQUIVALENT, false },
	{ "*(u64 *)(r10 -8) = r1;r0 = *(u64 *)(r10 -8)", "*(u64 *)(r10 -8) = r1;r0 = r1",
	  R(0), BPFEXT_EQUIVALENT, false },
	{ "*(u32 *)(r10 -8) = r1;r0 = *(u32 *)(r10 -8)",
	  "*(u32 *)(r10 -8) = r1;w0 = w1", R(0), BPFEXT_EQUIVALENT, false },
	{ "r0 = be16 r0;r0 = be16 r0", "r0 &= 0xffff", R(0), BPFEXT_EQUIVALENT, false },
	/* stores of immediates of every size (BPF_SRC() is a size bit there) */
	{ "*(u16 *)(r10 -2) = 0x1234;r0 = *(u16 *)(r10 -2)", "*(u16 *)(r10 -2) = 0x1234;r0 = 0x1234", R(0),
	  BPFEXT_EQUIVALENT, false },
	{ "*(u64 *)(r10 -8) = -1;r0 = *(u64 *)(r10 -8)", "*(u64 *)(r10 -8) = -1;r0 = -1", R(0),
	  BPFEXT_EQUIVALENT, false },
	{ "*(u8 *)(r10 -1) = 0x7f;r0 = *(u8 *)(r10 -1)", "*(u8 *)(r10 -1) = 0x7f;r0 = 0x7f", R(0),
	  BPFEXT_EQUIVALENT, false },
	{ "*(u32 *)(r10 -4) = -1;r0 = *(u32 *)(r10 -4)", "*(u32 *)(r10 -4) = -1;r0 = 0xffffffff", R(0),
	  BPFEXT_EQUIVALENT, false },
	{ "*(u16 *)(r10 -2) = 0x1234;r0 = *(u16 *)(r10 -2)", "*(u16 *)(r10 -2) = 0x1234;r0 = 0x1235", R(0),
	  BPFEXT_DIFFERENT, false },
	{ "r0 = be32 r0;r0 = le32 r0;r0 = be32 r0", "w0 = w0", R(0), BPFEXT_EQUIVALENT, false },
	{ "lock *(u64 *)(r1 +0) += r2",
	  "r3 = *(u64 *)(r1 +0);r3 += r2;*(u64 *)(r1 +0) = r3", 0, BPFEXT_EQUIVALENT, false },
	{ "r2 = atomic64_xchg((u64 *)(r1 +0), r2)",
	  "r3 = *(u64 *)(r1 +0);*(u64 *)(r1 +0) = r2;r2 = r3", R(2), BPFEXT_EQUIVALENT, false },
	{ "r0 = 1;exit", "r0 = 0;r0 += 1;exit", 0, BPFEXT_EQUIVALENT, false },
	{ "r0 ^= r0", "r0 = 0", R(0), BPFEXT_EQUIVALENT, false },
	{ "r0 = -1", "r0 = 0;r0 -= 1", R(0), BPFEXT_EQUIVALENT, false },
	{ "w0 = -1", "r0 = 0xffffffff", R(0), BPFEXT_EQUIVALENT, false },
	{ "r0 = r1;r0 s>>= 63;r0 = -r0", "r0 = r1;r0 >>= 63", R(0), BPFEXT_EQUIVALENT, false },
	{ "*(u16 *)(r1 +0) = r2;*(u16 *)(r1 +2) = r3",
	  "*(u16 *)(r1 +2) = r3;*(u16 *)(r1 +0) = r2", 0, BPFEXT_EQUIVALENT, false },
	{ "r0 = *(u8 *)(r1 +1);r0 <<= 8;r2 = *(u8 *)(r1 +0);r0 |= r2",
	  "r0 = *(u16 *)(r1 +0)", R(0), BPFEXT_EQUIVALENT, false },
	{ "if r1 == 0 goto pc+1;r0 = 5", "if r1 != 0 goto pc+1;goto pc+1;r0 = 5",
	  R(0), BPFEXT_EQUIVALENT, false },
	/* different */
	{ "r0 = r1;r0 <<= 1", "r0 = r1;r0 <<= 2", R(0), BPFEXT_DIFFERENT, true },
	{ "w0 = -1", "r0 = -1", R(0), BPFEXT_DIFFERENT, true },
	{ "r0 /= r1", "r0 *= 1", R(0), BPFEXT_DIFFERENT, true },
	{ "r0 = 0;if w1 > 5 goto pc+1;r0 = 1", "r0 = 0;if r1 > 5 goto pc+1;r0 = 1",
	  R(0), BPFEXT_DIFFERENT, true },
	{ "r0 = 0;if r1 s> 5 goto pc+1;r0 = 1", "r0 = 0;if r1 > 5 goto pc+1;r0 = 1",
	  R(0), BPFEXT_DIFFERENT, true },
	{ "w1 = 0;w0 %= w1", "w1 = 0", R(0), BPFEXT_DIFFERENT, true },
	{ "r0 s>>= 1", "r0 >>= 1", R(0), BPFEXT_DIFFERENT, true },
	{ "w0 s>>= 1", "r0 s>>= 1", R(0), BPFEXT_DIFFERENT, true },
	{ "r0 = be16 r0", "r0 = le16 r0", R(0), BPFEXT_DIFFERENT, true },
	{ "r2 = 0;r0 -= r2", "r2 = 0", R(0) | R(2), BPFEXT_EQUIVALENT, false },
	{ "r2 = 1", "r2 = 2", R(0), BPFEXT_EQUIVALENT, false },
	{ "r2 = 1", "r2 = 2", R(2), BPFEXT_DIFFERENT, true },
	{ "*(u32 *)(r1 +0) = r2", "*(u64 *)(r1 +0) = r2", 0, BPFEXT_DIFFERENT, false },
	{ "*(u8 *)(r1 +0) = r2", "*(u8 *)(r1 +1) = r2", 0, BPFEXT_DIFFERENT, false },
	{ "r0 = 1;exit", "r0 = 1", R(0), BPFEXT_DIFFERENT, false },
	{ "r0 = *(u16 *)(r1 +0)", "r0 = *(u16 *)(r1 +1)", R(0), BPFEXT_DIFFERENT, false },
	{ "lock *(u32 *)(r1 +0) += r2", "lock *(u64 *)(r1 +0) += r2", 0, BPFEXT_DIFFERENT, false },
};

/* Replay a register-only counterexample: prologue + window + exit. */
static bool replay_window(const struct wcase *c, const struct bpfext_sym_cex *cex)
{
	struct bpfext_linked_prog lp[2];
	struct bpfext_interp_output out[2];
	struct bpfext_interp_input ip = { 0 };
	uint64_t res[2] = { 0, 0 };
	int side, k, reg = 0;
	bool differ = false;

	for (k = 0; k < 11; k++)
		if (c->live & (1u << k))
			reg = k;
	for (side = 0; side < 2; side++) {
		struct bpf_insn *insns = calloc(64, sizeof(*insns));
		struct bpfext_interp *in;
		size_t n = 0;

		memset(&lp[side], 0, sizeof(lp[side]));
		if (!insns)
			return false;
		for (k = 0; k < 10; k++) {
			insns[n].code = BPF_LD | BPF_IMM | BPF_DW;
			insns[n].dst_reg = (uint8_t)k;
			insns[n].imm = (int32_t)(uint32_t)cex->regs[k];
			insns[n + 1].imm = (int32_t)(uint32_t)(cex->regs[k] >> 32);
			n += 2;
		}
		n += asm_text(side ? c->b : c->a, insns + n, 64 - n - 2);
		/* r0 = the live-out register; exit */
		insns[n].code = BPF_ALU64 | BPF_MOV | BPF_X;
		insns[n].dst_reg = 0;
		insns[n].src_reg = (uint8_t)reg;
		insns[n + 1].code = BPF_JMP | BPF_EXIT;
		n += 2;
		lp[side].type = BPF_PROG_TYPE_XDP;
		lp[side].insns = insns;
		lp[side].cnt = n;
		in = bpfext_interp__new(&lp[side], NULL);
		if (!in || bpfext_interp__run(in, &ip, &out[side])) {
			bpfext_interp__free(in);
			free(insns);
			return false;
		}
		res[side] = out[side].r0;
		bpfext_interp__free(in);
		free(insns);
	}
	differ = res[0] != res[1];
	if (!differ)
		printf("# replay: both give 0x%llx\n", (unsigned long long)res[0]);
	return differ;
}

static void test_windows(void)
{
	size_t i;

	for (i = 0; i < sizeof(wcases) / sizeof(wcases[0]); i++) {
		const struct wcase *c = &wcases[i];
		struct bpf_insn a[64], b[64];
		struct bpfext_sym_cex cex;
		struct bpfext_error err = { "" };
		BPFEXT_OPTS(bpfext_sym_opts, opts, .timeout_ms = 10000);
		size_t na = asm_text(c->a, a, 64), nb = asm_text(c->b, b, 64);
		int ret = bpfext_sym_equiv_window(a, na, b, nb, c->live, &opts,
						  &cex, &err);
		ok(ret == c->want, "window %s: [%s] vs [%s]%s%s",
		   c->want == BPFEXT_EQUIVALENT ? "equivalent" : "different",
		   c->a, c->b, ret < 0 ? ": " : "", ret < 0 ? err.msg : "");
		if (ret == BPFEXT_DIFFERENT && c->replay)
			ok(replay_window(c, &cex),
			   "  counterexample r0=0x%llx r1=0x%llx r2=0x%llx replays",
			   (unsigned long long)cex.regs[0],
			   (unsigned long long)cex.regs[1],
			   (unsigned long long)cex.regs[2]);
	}
}

struct pcase {
	enum bpf_prog_type type;
	const char *a, *b;
	int want;
};

#define XDP_GUARD "r2 = *(u32 *)(r1 +0);r3 = *(u32 *)(r1 +4);r4 = r2;r4 += 14;" \
		  "if r4 > r3 goto pc+%s;"

static const struct pcase pcases[] = {
	{ BPF_PROG_TYPE_XDP, "r0 = 2;exit", "r0 = 1;r0 <<= 1;exit", BPFEXT_EQUIVALENT },
	{ BPF_PROG_TYPE_XDP,
	  "r2 = *(u32 *)(r1 +0);r3 = *(u32 *)(r1 +4);r4 = r2;r4 += 14;"
	  "if r4 > r3 goto pc+2;r0 = *(u8 *)(r2 +12);exit;r0 = 1;exit",
	  "r2 = *(u32 *)(r1 +0);r3 = *(u32 *)(r1 +4);r4 = r2;r4 += 14;"
	  "if r4 > r3 goto pc+3;r0 = *(u16 *)(r2 +12);r0 &= 0xff;exit;r0 = 1;exit",
	  BPFEXT_EQUIVALENT },
	{ BPF_PROG_TYPE_XDP,
	  "r2 = *(u32 *)(r1 +0);r3 = *(u32 *)(r1 +4);r4 = r2;r4 += 14;"
	  "if r4 > r3 goto pc+2;r0 = *(u8 *)(r2 +12);exit;r0 = 1;exit",
	  "r2 = *(u32 *)(r1 +0);r3 = *(u32 *)(r1 +4);r4 = r2;r4 += 14;"
	  "if r4 > r3 goto pc+2;r0 = *(u8 *)(r2 +13);exit;r0 = 1;exit",
	  BPFEXT_DIFFERENT },
	/* every packet has at least 14 bytes: the checks never fail */
	{ BPF_PROG_TYPE_XDP,
	  "r2 = *(u32 *)(r1 +0);r3 = *(u32 *)(r1 +4);r4 = r2;r4 += 14;"
	  "if r4 > r3 goto pc+2;r0 = 2;exit;r0 = 1;exit",
	  "r2 = *(u32 *)(r1 +0);r3 = *(u32 *)(r1 +4);r4 = r2;r4 += 13;"
	  "if r4 > r3 goto pc+2;r0 = 2;exit;r0 = 1;exit",
	  BPFEXT_EQUIVALENT },
	{ BPF_PROG_TYPE_XDP,
	  "r2 = *(u32 *)(r1 +0);r3 = *(u32 *)(r1 +4);r4 = r2;r4 += 15;"
	  "if r4 > r3 goto pc+2;r0 = 2;exit;r0 = 1;exit",
	  "r2 = *(u32 *)(r1 +0);r3 = *(u32 *)(r1 +4);r4 = r2;r4 += 14;"
	  "if r4 > r3 goto pc+2;r0 = 2;exit;r0 = 1;exit",
	  BPFEXT_DIFFERENT },
	/* packet writes */
	{ BPF_PROG_TYPE_XDP,
	  "r2 = *(u32 *)(r1 +0);r3 = *(u32 *)(r1 +4);r4 = r2;r4 += 14;"
	  "if r4 > r3 goto pc+1;*(u8 *)(r2 +0) = 0xab;r0 = 2;exit",
	  "r2 = *(u32 *)(r1 +0);r3 = *(u32 *)(r1 +4);r4 = r2;r4 += 14;"
	  "if r4 > r3 goto pc+4;r5 = *(u16 *)(r2 +0);r5 &= 0xff00;r5 |= 0xab;"
	  "*(u16 *)(r2 +0) = r5;r0 = 2;exit",
	  BPFEXT_EQUIVALENT },
	{ BPF_PROG_TYPE_XDP,
	  "r2 = *(u32 *)(r1 +0);r3 = *(u32 *)(r1 +4);r4 = r2;r4 += 14;"
	  "if r4 > r3 goto pc+1;*(u8 *)(r2 +0) = 0xab;r0 = 2;exit",
	  "r2 = *(u32 *)(r1 +0);r3 = *(u32 *)(r1 +4);r4 = r2;r4 += 14;"
	  "if r4 > r3 goto pc+4;r5 = *(u16 *)(r2 +0);r5 &= 0xff;r5 |= 0xab00;"
	  "*(u16 *)(r2 +0) = r5;r0 = 2;exit",
	  BPFEXT_DIFFERENT },
	/* swap MAC addresses two ways */
	{ BPF_PROG_TYPE_XDP,
	  "r2 = *(u32 *)(r1 +0);r3 = *(u32 *)(r1 +4);r4 = r2;r4 += 14;"
	  "if r4 > r3 goto pc+9;r5 = *(u32 *)(r2 +0);r6 = *(u16 *)(r2 +4);"
	  "r7 = *(u32 *)(r2 +6);r8 = *(u16 *)(r2 +10);*(u32 *)(r2 +0) = r7;"
	  "*(u16 *)(r2 +4) = r8;*(u32 *)(r2 +6) = r5;*(u16 *)(r2 +10) = r6;r0 = 3;exit",
	  "r2 = *(u32 *)(r1 +0);r3 = *(u32 *)(r1 +4);r4 = r2;r4 += 14;"
	  "if r4 > r3 goto pc+9;r5 = *(u16 *)(r2 +0);r6 = *(u32 *)(r2 +2);"
	  "r7 = *(u16 *)(r2 +6);r8 = *(u32 *)(r2 +8);*(u16 *)(r2 +0) = r7;"
	  "*(u32 *)(r2 +2) = r8;*(u16 *)(r2 +6) = r5;*(u32 *)(r2 +8) = r6;r0 = 3;exit",
	  BPFEXT_EQUIVALENT },
	/* the stack as scratch space */
	{ BPF_PROG_TYPE_XDP,
	  "r1 = *(u32 *)(r1 +12);*(u32 *)(r10 -4) = r1;r0 = *(u16 *)(r10 -4);exit",
	  "r0 = *(u32 *)(r1 +12);r0 &= 0xffff;exit", BPFEXT_EQUIVALENT },
	{ BPF_PROG_TYPE_XDP,
	  "r1 = *(u32 *)(r1 +12);*(u32 *)(r10 -4) = r1;r0 = *(u16 *)(r10 -4);exit",
	  "r0 = *(u32 *)(r1 +12);r0 &= 0xfff;exit", BPFEXT_DIFFERENT },
	{ BPF_PROG_TYPE_XDP, "r0 = *(u32 *)(r10 -8);exit", "r0 = 0;exit",
	  BPFEXT_DIFFERENT },
	/* a spilled packet pointer comes back with its type */
	{ BPF_PROG_TYPE_XDP,
	  "r2 = *(u32 *)(r1 +0);*(u64 *)(r10 -8) = r2;r3 = *(u32 *)(r1 +4);r2 = 0;"
	  "r2 = *(u64 *)(r10 -8);r4 = r2;r4 += 14;if r4 > r3 goto pc+2;"
	  "r0 = *(u8 *)(r2 +12);exit;r0 = 1;exit",
	  "r2 = *(u32 *)(r1 +0);r3 = *(u32 *)(r1 +4);r4 = r2;r4 += 14;"
	  "if r4 > r3 goto pc+2;r0 = *(u8 *)(r2 +12);exit;r0 = 1;exit",
	  BPFEXT_EQUIVALENT },
	{ BPF_PROG_TYPE_XDP,
	  "r2 = *(u32 *)(r1 +0);*(u64 *)(r10 -8) = r2;r3 = *(u32 *)(r1 +4);r2 += 1;"
	  "r2 = *(u64 *)(r10 -8);r4 = r2;r4 += 14;if r4 > r3 goto pc+2;"
	  "r0 = *(u8 *)(r2 +13);exit;r0 = 1;exit",
	  "r2 = *(u32 *)(r1 +0);r3 = *(u32 *)(r1 +4);r4 = r2;r4 += 14;"
	  "if r4 > r3 goto pc+2;r0 = *(u8 *)(r2 +12);exit;r0 = 1;exit",
	  BPFEXT_DIFFERENT },
	/* bpf-to-bpf calls: own frame, r6-r9 kept, called twice */
	{ BPF_PROG_TYPE_XDP, "r1 = 5;call pc+2;r0 += 1;exit;r0 = r1;r0 *= 3;exit",
	  "r0 = 16;exit", BPFEXT_EQUIVALENT },
	{ BPF_PROG_TYPE_XDP, "r1 = 5;call pc+2;r0 += 1;exit;r0 = r1;r0 *= 3;exit",
	  "r0 = 17;exit", BPFEXT_DIFFERENT },
	{ BPF_PROG_TYPE_XDP, "r6 = 1;call pc+2;r0 = r6;exit;r6 = 2;r0 = 0;exit",
	  "r0 = 1;exit", BPFEXT_EQUIVALENT },
	{ BPF_PROG_TYPE_XDP,
	  "*(u64 *)(r10 -8) = 4;call pc+3;r0 = *(u64 *)(r10 -8);exit;exit;"
	  "*(u64 *)(r10 -8) = 5;exit", "r0 = 4;exit", BPFEXT_EQUIVALENT },
	{ BPF_PROG_TYPE_XDP,
	  "r1 = 2;call pc+5;r6 = r0;r1 = 3;call pc+2;r0 += r6;exit;"
	  "*(u64 *)(r10 -8) = r1;r0 = *(u64 *)(r10 -8);r0 += r1;exit",
	  "r0 = 10;exit", BPFEXT_EQUIVALENT },
	/* bpf_fib_lookup: an opaque call that reads and rewrites its parameters */
	{ BPF_PROG_TYPE_XDP,
	  "*(u32 *)(r10 -64) = 2;r2 = r10;r2 += -64;r3 = 64;r4 = 0;call bpf_fib_lookup#69;"
	  "r0 = *(u32 *)(r10 -60);exit",
	  "*(u32 *)(r10 -64) = 2;r2 = r10;r2 += -64;r3 = 64;r4 = 0;call bpf_fib_lookup#69;"
	  "r0 = *(u16 *)(r10 -60);r1 = *(u16 *)(r10 -58);r1 <<= 16;r0 |= r1;exit",
	  BPFEXT_EQUIVALENT },
	{ BPF_PROG_TYPE_XDP,
	  "*(u32 *)(r10 -64) = 2;r2 = r10;r2 += -64;r3 = 64;r4 = 0;call bpf_fib_lookup#69;"
	  "r0 = *(u32 *)(r10 -60);exit",
	  "*(u32 *)(r10 -64) = 10;r2 = r10;r2 += -64;r3 = 64;r4 = 0;call bpf_fib_lookup#69;"
	  "r0 = *(u32 *)(r10 -60);exit", BPFEXT_DIFFERENT },
	{ BPF_PROG_TYPE_XDP,
	  "*(u32 *)(r10 -64) = 2;r2 = r10;r2 += -64;r3 = 64;r4 = 0;call bpf_fib_lookup#69;"
	  "r0 = *(u32 *)(r10 -60);exit",
	  "*(u32 *)(r10 -64) = 2;r2 = r10;r2 += -64;r3 = 64;r4 = 0;call bpf_fib_lookup#69;"
	  "r0 = *(u32 *)(r10 -64);exit", BPFEXT_DIFFERENT },
	/* the stack is not cleared: the entry frame holds what it held */
	{ BPF_PROG_TYPE_XDP, "r0 = *(u32 *)(r10 -8);exit",
	  "*(u32 *)(r10 -8) = 0;r0 = *(u32 *)(r10 -8);exit", BPFEXT_DIFFERENT },
	{ BPF_PROG_TYPE_XDP, "r1 = 3;call pc+2;r0 = *(u64 *)(r10 -8);exit;r0 = 0;exit",
	  "*(u64 *)(r10 -8) = 3;r0 = *(u64 *)(r10 -8);exit", BPFEXT_DIFFERENT },
	{ BPF_PROG_TYPE_XDP, "*(u32 *)(r10 -8) = 2;r0 = *(u32 *)(r10 -12);exit",
	  "*(u32 *)(r10 -12) = 2;r0 = *(u32 *)(r10 -12);exit", BPFEXT_DIFFERENT },
	{ BPF_PROG_TYPE_XDP, "r0 = *(u8 *)(r10 -1);exit",
	  "r0 = *(u16 *)(r10 -2);r0 >>= 8;exit", BPFEXT_EQUIVALENT },
	{ BPF_PROG_TYPE_XDP,
	  "r2 = *(u32 *)(r1 +0);r3 = *(u32 *)(r1 +4);r1 = r2;r1 += 14;"
	  "if r1 > r3 goto pc+3;r1 = r2;call pc+3;exit;r0 = 1;exit;"
	  "r0 = *(u8 *)(r1 +12);exit",
	  "r2 = *(u32 *)(r1 +0);r3 = *(u32 *)(r1 +4);r4 = r2;r4 += 14;"
	  "if r4 > r3 goto pc+2;r0 = *(u8 *)(r2 +12);exit;r0 = 1;exit",
	  BPFEXT_EQUIVALENT },
	{ BPF_PROG_TYPE_XDP,
	  "r2 = *(u32 *)(r1 +0);r3 = *(u32 *)(r1 +4);r1 = r2;r1 += 14;"
	  "if r1 > r3 goto pc+3;r1 = r2;call pc+3;exit;r0 = 1;exit;"
	  "r0 = *(u8 *)(r1 +13);exit",
	  "r2 = *(u32 *)(r1 +0);r3 = *(u32 *)(r1 +4);r4 = r2;r4 += 14;"
	  "if r4 > r3 goto pc+2;r0 = *(u8 *)(r2 +12);exit;r0 = 1;exit",
	  BPFEXT_DIFFERENT },
	/* tc: context writes */
	{ BPF_PROG_TYPE_SCHED_CLS, "*(u32 *)(r1 +8) = 1;r0 = 0;exit",
	  "r2 = 1;*(u32 *)(r1 +8) = r2;r0 = 0;exit", BPFEXT_EQUIVALENT },
	{ BPF_PROG_TYPE_SCHED_CLS, "*(u32 *)(r1 +8) = 1;r0 = 0;exit",
	  "*(u32 *)(r1 +8) = 2;r0 = 0;exit", BPFEXT_DIFFERENT },
	{ BPF_PROG_TYPE_SCHED_CLS, "r0 = *(u32 *)(r1 +0);exit",
	  "r2 = *(u32 *)(r1 +76);r3 = *(u32 *)(r1 +80);r3 -= r2;r0 = r3;exit",
	  BPFEXT_EQUIVALENT },
	{ BPF_PROG_TYPE_SCHED_CLS, "r0 = *(u32 *)(r1 +0);exit",
	  "r0 = *(u32 *)(r1 +8);exit", BPFEXT_DIFFERENT },
	{ BPF_PROG_TYPE_XDP, "r2 = *(u32 *)(r1 +0);r3 = *(u32 *)(r1 +4);w3 -= w2;r0 = r3;exit",
	  "r2 = *(u32 *)(r1 +0);r3 = *(u32 *)(r1 +4);r3 -= r2;r0 = r3;exit",
	  BPFEXT_EQUIVALENT },
	{ BPF_PROG_TYPE_XDP, "r2 = *(u32 *)(r1 +0);r3 = *(u32 *)(r1 +4);w3 -= w2;r0 = r3;exit",
	  "r2 = *(u32 *)(r1 +0);r3 = *(u32 *)(r1 +4);r3 -= r2;r0 = r3;r0 += 1;exit",
	  BPFEXT_DIFFERENT },
	/* socket filters: LD_ABS */
	{ BPF_PROG_TYPE_SOCKET_FILTER, "r6 = r1;r0 = *(u8 *)skb[9];exit",
	  "r6 = r1;r0 = *(u16 *)skb[8];r0 &= 0xff;exit", BPFEXT_EQUIVALENT },
	{ BPF_PROG_TYPE_SOCKET_FILTER, "r6 = r1;r0 = *(u8 *)skb[9];exit",
	  "r6 = r1;r0 = *(u8 *)skb[10];exit", BPFEXT_DIFFERENT },
	/* LD_IND of a word: the index register, not BPF_SRC(), matters */
	{ BPF_PROG_TYPE_SOCKET_FILTER, "r6 = r1;r7 = 4;r0 = *(u32 *)skb[r7 + 0];exit",
	  "r6 = r1;r0 = *(u32 *)skb[4];exit", BPFEXT_EQUIVALENT },
	{ BPF_PROG_TYPE_SOCKET_FILTER, "r6 = r1;r7 = 4;r0 = *(u32 *)skb[r7 + 0];exit",
	  "r6 = r1;r0 = *(u32 *)skb[0];exit", BPFEXT_DIFFERENT },
	{ BPF_PROG_TYPE_SOCKET_FILTER, "r6 = r1;r7 = *(u32 *)(r6 +48);r0 = *(u8 *)skb[r7 + 2];exit",
	  "r6 = r1;r7 = *(u32 *)(r6 +48);r7 += 2;r0 = *(u8 *)skb[r7 + 0];exit",
	  BPFEXT_EQUIVALENT },
	{ BPF_PROG_TYPE_SOCKET_FILTER, "r6 = r1;r0 = *(u32 *)skb[0];r0 >>= 24;exit",
	  "r6 = r1;r0 = *(u8 *)skb[0];exit", BPFEXT_DIFFERENT },
};

static bool replay_prog(const struct bpfext_linked_prog *a,
			const struct bpfext_linked_prog *b,
			struct bpfext_sym_cex *cex, char *why, size_t len)
{
	struct bpfext_interp *ia = bpfext_interp__new(a, NULL);
	struct bpfext_interp *ib = bpfext_interp__new(b, NULL);
	struct bpfext_interp_output oa, ob;
	struct bpfext_interp_input ip;
	bool differ = false;

	bpfext_sym_cex__input(cex, &ip);
	if (ia && ib && !bpfext_interp__run(ia, &ip, &oa) &&
	    !bpfext_interp__run(ib, &ip, &ob))
		differ = bpfext_interp__cmp(ia, &oa, ib, &ob, why, len) == 1;
	bpfext_interp__free(ia);
	bpfext_interp__free(ib);
	return differ;
}

/* Every case with offset concretization off (the default) and on. */
static void test_progs(unsigned int flags)
{
	size_t i;

	for (i = 0; i < sizeof(pcases) / sizeof(pcases[0]); i++) {
		const struct pcase *c = &pcases[i];
		struct bpfext_linked_prog a, b;
		struct bpfext_sym_cex cex;
		struct bpfext_error err = { "" };
		BPFEXT_OPTS(bpfext_sym_opts, opts,
			    .timeout_ms = 10000, .max_pkt = 64,
			    .flags = flags);
		int ret = -EINVAL;
		char why[128] = "";

		if (!asm_linked(&a, c->type, c->a) && !asm_linked(&b, c->type, c->b))
			ret = bpfext_sym_equiv_prog(&a, &b, &opts, &cex, &err);
		ok(ret == c->want, "program %zu %s (%s)%s%s%s", i,
		   c->want == BPFEXT_EQUIVALENT ? "equivalent" : "different",
		   bpfext_prog_type_name(c->type),
		   flags & BPFEXT_SYM_OFFSET_CONC ? ", offset concretization" : "",
		   ret < 0 ? ": " : "", ret < 0 ? err.msg : "");
		if (ret == BPFEXT_DIFFERENT)
			ok(replay_prog(&a, &b, &cex, why, sizeof(why)),
			   "  counterexample (packet of %u bytes) replays: %s",
			   cex.pkt_len, why);
		bpfext_linked_prog__free(&a);
		bpfext_linked_prog__free(&b);
	}
}

static void test_unsupported(void)
{
	struct bpfext_linked_prog a, b;
	struct bpfext_error err = { "" };
	int ret;

	asm_linked(&a, BPF_PROG_TYPE_XDP, "r0 = 0;r0 += 1;if r0 < 5 goto pc-2;exit");
	asm_linked(&b, BPF_PROG_TYPE_XDP, "r0 = 5;exit");
	ret = bpfext_sym_equiv_prog(&a, &b, NULL, NULL, &err);
	ok(ret == -ENOTSUP && strstr(err.msg, "backward"),
	   "loops are reported as unsupported (%s)", err.msg);
	bpfext_linked_prog__free(&a);
	bpfext_linked_prog__free(&b);
	asm_linked(&a, BPF_PROG_TYPE_XDP,
	      "r2 = *(u32 *)(r1 +0);*(u64 *)(r10 -8) = r2;*(u32 *)(r10 -4) = 0;"
	      "r2 = *(u64 *)(r10 -8);r0 = *(u8 *)(r2 +0);exit");
	asm_linked(&b, BPF_PROG_TYPE_XDP, "r0 = 5;exit");
	ret = bpfext_sym_equiv_prog(&a, &b, NULL, NULL, &err);
	ok(ret == -ENOTSUP, "a partly overwritten spill is not a pointer (%s)", err.msg);
	bpfext_linked_prog__free(&a);
	bpfext_linked_prog__free(&b);
	asm_linked(&a, BPF_PROG_TYPE_XDP, "call bpf_per_cpu_ptr#153;exit");
	asm_linked(&b, BPF_PROG_TYPE_XDP, "r0 = 5;exit");
	ret = bpfext_sym_equiv_prog(&a, &b, NULL, NULL, &err);
	ok(ret == -ENOTSUP, "helpers without a prototype are reported as unsupported (%s)",
	   err.msg);
	bpfext_linked_prog__free(&a);
	bpfext_linked_prog__free(&b);
}

static const struct {
	const char *a, *b;
	int want;
} mcases[] = {
	/*
	 * map 0: hash u32 -> u64, 1: prog array, 2: devmap, 3: array, 4: cpumap,
	 * 5: LPM trie of IPv4 prefixes -> u32, 6: LRU hash u32 -> u64,
	 * 7: array its loader sizes (max_entries 0 in the object),
	 * 8: per-CPU hash u32 -> u64
	 */
	{ "*(u32 *)(r10 -4) = 5;r1 = map[idx:0];r2 = r10;r2 += -4;"
	  "call bpf_map_lookup_elem#1;if r0 == 0x0 goto pc+4;r1 = *(u64 *)(r0 +0);"
	  "r1 += 1;*(u64 *)(r0 +0) = r1;r0 = 2;exit",
	  "*(u32 *)(r10 -4) = 5;r1 = map[idx:0];r2 = r10;r2 += -4;"
	  "call bpf_map_lookup_elem#1;if r0 == 0x0 goto pc+4;r1 = 1;"
	  "lock *(u64 *)(r0 +0) += r1;r0 = 2;exit;r0 = 0;exit", BPFEXT_EQUIVALENT },
	{ "*(u32 *)(r10 -4) = 5;r1 = map[idx:0];r2 = r10;r2 += -4;"
	  "call bpf_map_lookup_elem#1;if r0 == 0x0 goto pc+4;r1 = *(u64 *)(r0 +0);"
	  "r1 += 1;*(u64 *)(r0 +0) = r1;r0 = 2;exit",
	  "*(u32 *)(r10 -4) = 5;r1 = map[idx:0];r2 = r10;r2 += -4;"
	  "call bpf_map_lookup_elem#1;if r0 == 0x0 goto pc+4;r1 = *(u64 *)(r0 +0);"
	  "r1 += 2;*(u64 *)(r0 +0) = r1;r0 = 2;exit", BPFEXT_DIFFERENT },
	{ "*(u32 *)(r10 -4) = 5;*(u64 *)(r10 -16) = 7;r1 = map[idx:0];r2 = r10;r2 += -4;"
	  "r3 = r10;r3 += -16;r4 = 0;call bpf_map_update_elem#2;r0 = 2;exit",
	  "*(u32 *)(r10 -4) = 5;*(u64 *)(r10 -16) = 7;r1 = map[idx:0];r2 = r10;r2 += -4;"
	  "r3 = r10;r3 += -16;r4 = 1;call bpf_map_update_elem#2;r0 = 2;exit",
	  BPFEXT_DIFFERENT },
	{ "*(u32 *)(r10 -4) = 5;r1 = map[idx:0];r2 = r10;r2 += -4;"
	  "call bpf_map_delete_elem#3;r0 = 2;exit",
	  "*(u32 *)(r10 -4) = 6;r1 = map[idx:0];r2 = r10;r2 += -4;"
	  "call bpf_map_delete_elem#3;r0 = 2;exit", BPFEXT_DIFFERENT },
	{ "*(u32 *)(r10 -4) = 3;r1 = map[idx:3];r2 = r10;r2 += -4;"
	  "call bpf_map_lookup_elem#1;if r0 == 0x0 goto pc+2;r0 = *(u32 *)(r0 +0);exit;r0 = 9;exit",
	  "*(u32 *)(r10 -4) = 3;r1 = map[idx:3];r2 = r10;r2 += -4;"
	  "call bpf_map_lookup_elem#1;r0 = *(u32 *)(r0 +0);exit", BPFEXT_EQUIVALENT },
	{ "r2 = map[idx:1];r3 = 1;call bpf_tail_call#12;r0 = 2;exit",
	  "r2 = map[idx:1];r3 = 0;r3 += 1;call bpf_tail_call#12;r0 = 2;exit",
	  BPFEXT_EQUIVALENT },
	{ "r2 = map[idx:1];r3 = 1;call bpf_tail_call#12;r0 = 2;exit",
	  "r2 = map[idx:1];r3 = 2;call bpf_tail_call#12;r0 = 2;exit", BPFEXT_DIFFERENT },
	{ "r2 = map[idx:1];r3 = 9;call bpf_tail_call#12;r0 = 2;exit",
	  "r0 = 2;exit", BPFEXT_EQUIVALENT },	/* index past max_entries */
	/* the tail callee inherits the stack frame: what was stored there */
	{ "*(u64 *)(r10 -8) = 1;r2 = map[idx:1];r3 = 1;call bpf_tail_call#12;r0 = 2;exit",
	  "*(u64 *)(r10 -8) = 2;r2 = map[idx:1];r3 = 1;call bpf_tail_call#12;r0 = 2;exit",
	  BPFEXT_DIFFERENT },
	{ "r2 = map[idx:1];r3 = 1;call bpf_tail_call#12;r0 = 2;exit",
	  "*(u64 *)(r10 -8) = 0;r2 = map[idx:1];r3 = 1;call bpf_tail_call#12;r0 = 2;exit",
	  BPFEXT_DIFFERENT },
	{ "*(u64 *)(r10 -8) = 1;r2 = map[idx:1];r3 = 1;call bpf_tail_call#12;r0 = 2;exit",
	  "*(u32 *)(r10 -4) = 0;*(u32 *)(r10 -8) = 1;r2 = map[idx:1];r3 = 1;"
	  "call bpf_tail_call#12;r0 = 2;exit", BPFEXT_EQUIVALENT },
	/* ... but not what is stored after it */
	{ "r2 = map[idx:1];r3 = 1;call bpf_tail_call#12;*(u64 *)(r10 -8) = 1;r0 = 2;exit",
	  "r2 = map[idx:1];r3 = 1;call bpf_tail_call#12;r0 = 2;exit", BPFEXT_EQUIVALENT },
	{ "r1 = 5;r2 = 0;call bpf_redirect#23;exit",
	  "r1 = 5;r2 = 0;call bpf_redirect#23;r0 = 4;exit", BPFEXT_EQUIVALENT },
	{ "r1 = 5;r2 = 0;call bpf_redirect#23;exit",
	  "r1 = 6;r2 = 0;call bpf_redirect#23;exit", BPFEXT_DIFFERENT },
	{ "r1 = map[idx:2];r2 = 3;r3 = 2;call bpf_redirect_map#51;exit",
	  "r0 = 2;exit", BPFEXT_DIFFERENT },
	{ "r1 = map[idx:2];r2 = 3;r3 = 2;call bpf_redirect_map#51;exit",
	  "r1 = map[idx:2];r2 = 3;r3 = 2;call bpf_redirect_map#51;r1 = r0;r0 = r1;exit",
	  BPFEXT_EQUIVALENT },
	/* broadcast is for devmaps: a cpumap aborts */
	{ "r1 = map[idx:4];r2 = 0;r3 = 8;call bpf_redirect_map#51;exit",
	  "r0 = 0;exit", BPFEXT_EQUIVALENT },
	{ "r1 = map[idx:4];r2 = 0;r3 = 8;call bpf_redirect_map#51;exit",
	  "r1 = map[idx:4];r2 = 0;r3 = 8;call bpf_redirect_map#51;r0 = 4;exit",
	  BPFEXT_DIFFERENT },
	/* a devmap lookup: whether the device is there (xdp_fwd) */
	{ "*(u32 *)(r10 -4) = 3;r1 = map[idx:2];r2 = r10;r2 += -4;call bpf_map_lookup_elem#1;"
	  "if r0 == 0x0 goto pc+6;r1 = map[idx:2];r2 = 3;r3 = 0;call bpf_redirect_map#51;exit;"
	  "r0 = 2;exit",
	  "*(u32 *)(r10 -4) = 3;r1 = map[idx:2];r2 = r10;r2 += -4;call bpf_map_lookup_elem#1;"
	  "if r0 != 0x0 goto pc+2;r0 = 2;exit;r1 = map[idx:2];r2 = 3;r3 = 0;"
	  "call bpf_redirect_map#51;exit", BPFEXT_EQUIVALENT },
	{ "*(u32 *)(r10 -4) = 3;r1 = map[idx:2];r2 = r10;r2 += -4;call bpf_map_lookup_elem#1;"
	  "if r0 == 0x0 goto pc+2;r0 = 4;exit;r0 = 2;exit",
	  "r0 = 4;exit", BPFEXT_DIFFERENT },
	/* LPM trie: the data bits past the prefix do not count */
	{ "*(u32 *)(r10 -8) = 16;*(u32 *)(r10 -4) = 0x0201a8c0;r1 = map[idx:5];r2 = r10;r2 += -8;call bpf_map_lookup_elem#1;"
	  "if r0 == 0x0 goto pc+2;r0 = *(u32 *)(r0 +0);exit;r0 = 2;exit",
	  "*(u32 *)(r10 -8) = 16;*(u32 *)(r10 -4) = 0x0403a8c0;r1 = map[idx:5];r2 = r10;r2 += -8;call bpf_map_lookup_elem#1;"
	  "if r0 == 0x0 goto pc+2;r0 = *(u32 *)(r0 +0);exit;r0 = 2;exit",
	  BPFEXT_EQUIVALENT },
	/* ... those in it do, and so does the prefix length */
	{ "*(u32 *)(r10 -8) = 24;*(u32 *)(r10 -4) = 0x0201a8c0;r1 = map[idx:5];r2 = r10;r2 += -8;call bpf_map_lookup_elem#1;"
	  "if r0 == 0x0 goto pc+2;r0 = *(u32 *)(r0 +0);exit;r0 = 2;exit",
	  "*(u32 *)(r10 -8) = 24;*(u32 *)(r10 -4) = 0x0202a8c0;r1 = map[idx:5];r2 = r10;r2 += -8;call bpf_map_lookup_elem#1;"
	  "if r0 == 0x0 goto pc+2;r0 = *(u32 *)(r0 +0);exit;r0 = 2;exit",
	  BPFEXT_DIFFERENT },
	{ "*(u32 *)(r10 -8) = 32;*(u32 *)(r10 -4) = 0x0201a8c0;r1 = map[idx:5];r2 = r10;r2 += -8;call bpf_map_lookup_elem#1;"
	  "if r0 == 0x0 goto pc+2;r0 = *(u32 *)(r0 +0);exit;r0 = 2;exit",
	  "*(u32 *)(r10 -8) = 24;*(u32 *)(r10 -4) = 0x0201a8c0;r1 = map[idx:5];r2 = r10;r2 += -8;call bpf_map_lookup_elem#1;"
	  "if r0 == 0x0 goto pc+2;r0 = *(u32 *)(r0 +0);exit;r0 = 2;exit",
	  BPFEXT_DIFFERENT },
	/* a prefix longer than the data finds nothing */
	{ "*(u32 *)(r10 -8) = 33;*(u32 *)(r10 -4) = 0x0201a8c0;r1 = map[idx:5];r2 = r10;r2 += -8;call bpf_map_lookup_elem#1;"
	  "if r0 == 0x0 goto pc+2;r0 = *(u32 *)(r0 +0);exit;r0 = 2;exit",
	  "r0 = 2;exit", BPFEXT_EQUIVALENT },
	/* two lookups of different keys may find one entry */
	{ "*(u32 *)(r10 -8) = 32;*(u32 *)(r10 -4) = 0x0201a8c0;r1 = map[idx:5];r2 = r10;r2 += -8;call bpf_map_lookup_elem#1;"
	  "if r0 == 0x0 goto pc+10;r6 = r0;*(u32 *)(r10 -8) = 24;r1 = map[idx:5];r2 = r10;r2 += -8;call bpf_map_lookup_elem#1;"
	  "if r0 == 0x0 goto pc+4;*(u32 *)(r6 +0) = 1;r0 = *(u32 *)(r0 +0);exit;r0 = 2;exit",
	  "*(u32 *)(r10 -8) = 32;*(u32 *)(r10 -4) = 0x0201a8c0;r1 = map[idx:5];r2 = r10;r2 += -8;call bpf_map_lookup_elem#1;"
	  "if r0 == 0x0 goto pc+10;r6 = r0;*(u32 *)(r10 -8) = 24;r1 = map[idx:5];r2 = r10;r2 += -8;call bpf_map_lookup_elem#1;"
	  "if r0 == 0x0 goto pc+4;r0 = *(u32 *)(r0 +0);*(u32 *)(r6 +0) = 1;exit;r0 = 2;exit",
	  BPFEXT_DIFFERENT },
	/* a pointer that the null check made 0 on one path, checked again after the join */
	{ "*(u32 *)(r10 -4) = 5;r1 = map[idx:0];r2 = r10;r2 += -4;call bpf_map_lookup_elem#1;if r0 == 0x0 goto pc+2;r1 = 7;*(u64 *)(r0 +0) = r1;"
	  "if r0 == 0x0 goto pc+2;r0 = *(u64 *)(r0 +0);exit;r0 = 2;exit",
	  "*(u32 *)(r10 -4) = 5;r1 = map[idx:0];r2 = r10;r2 += -4;call bpf_map_lookup_elem#1;if r0 == 0x0 goto pc+4;r1 = 7;*(u64 *)(r0 +0) = r1;r0 = 7;exit;r0 = 2;exit",
	  BPFEXT_EQUIVALENT },
	{ "*(u32 *)(r10 -4) = 5;r1 = map[idx:0];r2 = r10;r2 += -4;call bpf_map_lookup_elem#1;if r0 == 0x0 goto pc+2;r1 = 8;*(u64 *)(r0 +0) = r1;"
	  "if r0 == 0x0 goto pc+2;r0 = *(u64 *)(r0 +0);exit;r0 = 2;exit",
	  "*(u32 *)(r10 -4) = 5;r1 = map[idx:0];r2 = r10;r2 += -4;call bpf_map_lookup_elem#1;if r0 == 0x0 goto pc+4;r1 = 7;*(u64 *)(r0 +0) = r1;r0 = 7;exit;r0 = 2;exit",
	  BPFEXT_DIFFERENT },
};

/* The maps of mcases. */
static void add_maps(struct bpfext_linked_prog *lp)
{
	asm_add_map(lp, BPF_MAP_TYPE_HASH, 4, 8, 16);
	asm_add_map(lp, BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4);
	asm_add_map(lp, BPF_MAP_TYPE_DEVMAP, 4, 4, 8);
	asm_add_map(lp, BPF_MAP_TYPE_ARRAY, 4, 4, 8);
	asm_add_map(lp, BPF_MAP_TYPE_CPUMAP, 4, 4, 8);
	asm_add_map(lp, BPF_MAP_TYPE_LPM_TRIE, 8, 4, 16);
	asm_add_map(lp, BPF_MAP_TYPE_LRU_HASH, 4, 8, 8);
	asm_add_map(lp, BPF_MAP_TYPE_ARRAY, 4, 4, 0);
	asm_add_map(lp, BPF_MAP_TYPE_PERCPU_HASH, 4, 8, 16);
}

static void test_maps_helpers(void)
{
	size_t i;

	for (i = 0; i < sizeof(mcases) / sizeof(mcases[0]); i++) {
		struct bpfext_linked_prog lp[2];
		struct bpfext_sym_cex cex;
		struct bpfext_error err = { "" };
		BPFEXT_OPTS(bpfext_sym_opts, opts, .timeout_ms = 10000, .max_pkt = 64);
		char why[128] = "";
		int k, ret = -EINVAL;

		for (k = 0; k < 2; k++) {
			asm_linked(&lp[k], BPF_PROG_TYPE_XDP, k ? mcases[i].b : mcases[i].a);
			add_maps(&lp[k]);
		}
		if (lp[0].cnt && lp[1].cnt)
			ret = bpfext_sym_equiv_prog(&lp[0], &lp[1], &opts, &cex, &err);
		ok(ret == mcases[i].want, "maps/helpers %zu %s%s%s", i,
		   mcases[i].want == BPFEXT_EQUIVALENT ? "equivalent" : "different",
		   ret < 0 ? ": " : "", ret < 0 ? err.msg : "");
		if (ret == BPFEXT_DIFFERENT)
			ok(replay_prog(&lp[0], &lp[1], &cex, why, sizeof(why)),
			   "  counterexample (%zu map entries) replays: %s",
			   cex.nr_entries, why);
		bpfext_linked_prog__free(&lp[0]);
		bpfext_linked_prog__free(&lp[1]);
	}
}

/*
 * Pairs the kernel can run differently, found by a review; the checker
 * must not call them equivalent (undecided or different).  @maps: 0 the
 * maps of mcases, 1 one LRU hash u32 -> u64 of 1 entry.  (@ifx and @fill:
 * the context and map contents on which the review showed the difference
 * in the interpreter, where it models it.)
 */
static const struct {
	int maps;
	const char *what, *a, *b;
	uint32_t ifx;
	int fill;
} ncases[] = {
	/* a stack slot of plain bytes on one path, a spilled map pointer on the other */
	{ 0, "null_joins of a scalar stack slot",
	  "r6 = *(u32 *)(r1 +12);r2 = 42;*(u64 *)(r10 -8) = r2;if r6 == 0x0 goto pc+7;"
	  "*(u32 *)(r10 -12) = 5;r1 = map[idx:0];r2 = r10;r2 += -12;call bpf_map_lookup_elem#1;"
	  "*(u64 *)(r10 -8) = r0;r1 = *(u64 *)(r10 -8);if r1 == 0x0 goto pc+2;r0 = 1;exit;r0 = 2;exit",
	  "r6 = *(u32 *)(r1 +12);if r6 == 0x0 goto pc+9;"
	  "*(u32 *)(r10 -12) = 5;r1 = map[idx:0];r2 = r10;r2 += -12;call bpf_map_lookup_elem#1;"
	  "if r0 == 0x0 goto pc+2;r0 = 1;exit;r0 = 2;exit", 0, 0 },
	/* the same with the entry frame's bytes (nothing stored on that path) */
	{ 0, "null_joins of an untouched stack slot",
	  "r6 = *(u32 *)(r1 +12);if r6 == 0x0 goto pc+7;"
	  "*(u32 *)(r10 -12) = 5;r1 = map[idx:0];r2 = r10;r2 += -12;call bpf_map_lookup_elem#1;"
	  "*(u64 *)(r10 -8) = r0;r1 = *(u64 *)(r10 -8);if r1 != 0x0 goto pc+2;r0 = 2;exit;r0 = 1;exit",
	  "r6 = *(u32 *)(r1 +12);if r6 == 0x0 goto pc+9;"
	  "*(u32 *)(r10 -12) = 5;r1 = map[idx:0];r2 = r10;r2 += -12;call bpf_map_lookup_elem#1;"
	  "if r0 == 0x0 goto pc+2;r0 = 1;exit;r0 = 2;exit", 0, 0 },
	/* a slot whose spilled pointer was overwritten by a number keeps the pointer's offset 0 */
	{ 0, "null_joins of a slot whose spill was overwritten",
	  "r6 = *(u32 *)(r1 +12);*(u64 *)(r10 -8) = r1;r2 = 7;*(u64 *)(r10 -8) = r2;if r6 == 0x0 goto pc+7;"
	  "*(u32 *)(r10 -12) = 5;r1 = map[idx:0];r2 = r10;r2 += -12;call bpf_map_lookup_elem#1;"
	  "*(u64 *)(r10 -8) = r0;r1 = *(u64 *)(r10 -8);if r1 == 0x0 goto pc+2;r0 = 1;exit;r0 = 2;exit",
	  "r6 = *(u32 *)(r1 +12);if r6 == 0x0 goto pc+9;"
	  "*(u32 *)(r10 -12) = 5;r1 = map[idx:0];r2 = r10;r2 += -12;call bpf_map_lookup_elem#1;"
	  "if r0 == 0x0 goto pc+2;r0 = 1;exit;r0 = 2;exit", 0, 0 },
	/* an update of a new key in a full hash is -E2BIG */
	{ 0, "update of a new key in a full hash map",
	  "*(u32 *)(r10 -4) = 99;*(u64 *)(r10 -16) = 7;r1 = map[idx:0];r2 = r10;r2 += -4;"
	  "r3 = r10;r3 += -16;r4 = 0;call bpf_map_update_elem#2;exit",
	  "*(u32 *)(r10 -4) = 99;*(u64 *)(r10 -16) = 7;r1 = map[idx:0];r2 = r10;r2 += -4;"
	  "r3 = r10;r3 += -16;r4 = 0;call bpf_map_update_elem#2;r0 = 0;exit", 0, 16 },
	/* an update of a new key in a full LRU hash evicts another */
	{ 1, "update of a new key in a full LRU hash evicts",
	  "*(u32 *)(r10 -4) = 99;*(u64 *)(r10 -16) = 7;r1 = map[idx:0];r2 = r10;r2 += -4;"
	  "r3 = r10;r3 += -16;r4 = 0;call bpf_map_update_elem#2;"
	  "*(u32 *)(r10 -4) = 0;r1 = map[idx:0];r2 = r10;r2 += -4;call bpf_map_lookup_elem#1;"
	  "if r0 == 0x0 goto pc+2;r0 = 1;exit;r0 = 2;exit",
	  "*(u32 *)(r10 -4) = 0;r1 = map[idx:0];r2 = r10;r2 += -4;call bpf_map_lookup_elem#1;"
	  "r6 = 2;if r0 == 0x0 goto pc+1;r6 = 1;"
	  "*(u32 *)(r10 -4) = 99;*(u64 *)(r10 -16) = 7;r1 = map[idx:0];r2 = r10;r2 += -4;"
	  "r3 = r10;r3 += -16;r4 = 0;call bpf_map_update_elem#2;r0 = r6;exit", 0, 1 },
	/* stale pointer: delete, then update of another key may reuse the element */
	{ 0, "stale pointer after delete and update of another key",
	  "*(u32 *)(r10 -4) = 0;r1 = map[idx:0];r2 = r10;r2 += -4;call bpf_map_lookup_elem#1;"
	  "if r0 == 0x0 goto pc+18;r6 = r0;r1 = map[idx:0];r2 = r10;r2 += -4;call bpf_map_delete_elem#3;"
	  "*(u32 *)(r10 -4) = 99;*(u64 *)(r10 -16) = 7;r1 = map[idx:0];r2 = r10;r2 += -4;"
	  "r3 = r10;r3 += -16;r4 = 0;call bpf_map_update_elem#2;r0 = *(u64 *)(r6 +0);exit;r0 = 0;exit",
	  "*(u32 *)(r10 -4) = 0;r1 = map[idx:0];r2 = r10;r2 += -4;call bpf_map_lookup_elem#1;"
	  "if r0 == 0x0 goto pc+18;r6 = *(u64 *)(r0 +0);r1 = map[idx:0];r2 = r10;r2 += -4;call bpf_map_delete_elem#3;"
	  "*(u32 *)(r10 -4) = 99;*(u64 *)(r10 -16) = 7;r1 = map[idx:0];r2 = r10;r2 += -4;"
	  "r3 = r10;r3 += -16;r4 = 0;call bpf_map_update_elem#2;r0 = r6;exit;r0 = 0;exit", 0, 1 },
	/* the merged pointer passed to a helper that takes NULL, or as a key */
	{ 0, "nullable pointer as csum_diff's from",
	  "*(u32 *)(r10 -4) = 5;r1 = map[idx:0];r2 = r10;r2 += -4;call bpf_map_lookup_elem#1;"
	  "if r0 == 0x0 goto pc+0;r1 = r0;r2 = 0;r3 = r10;r3 += -8;*(u64 *)(r10 -8) = 0;r4 = 8;r5 = 0;"
	  "call bpf_csum_diff#28;exit",
	  "r0 = 0;exit", 0, 0 },
	{ 0, "three paths: a real 0, a found pointer, a NULL",
	  "r6 = *(u32 *)(r1 +12);r7 = 0;if r6 == 0x0 goto pc+7;"
	  "*(u32 *)(r10 -4) = 5;r1 = map[idx:0];r2 = r10;r2 += -4;call bpf_map_lookup_elem#1;"
	  "r7 = r0;if r7 == 0x0 goto pc+2;r0 = *(u64 *)(r7 +0);exit;r0 = 2;exit",
	  "r6 = *(u32 *)(r1 +12);r7 = 0;if r6 == 0x0 goto pc+7;"
	  "*(u32 *)(r10 -4) = 5;r1 = map[idx:0];r2 = r10;r2 += -4;call bpf_map_lookup_elem#1;"
	  "r7 = r0;if r7 == 0x0 goto pc+2;r0 = *(u64 *)(r7 +0);exit;r0 = 3;exit", 0, 0 },
	/* gen: an update in a callee, the pointer held by the caller */
	{ 0, "gen: update in a callee (expect undecided)",
	  "*(u32 *)(r10 -4) = 0;r1 = map[idx:0];r2 = r10;r2 += -4;call bpf_map_lookup_elem#1;"
	  "if r0 == 0x0 goto pc+4;r6 = r0;call pc+4;r0 = *(u64 *)(r6 +0);exit;r0 = 0;exit;"
	  "*(u32 *)(r10 -4) = 0;*(u64 *)(r10 -16) = 7;r1 = map[idx:0];r2 = r10;r2 += -4;"
	  "r3 = r10;r3 += -16;r4 = 0;call bpf_map_update_elem#2;r0 = 0;exit",
	  "*(u32 *)(r10 -4) = 0;r1 = map[idx:0];r2 = r10;r2 += -4;call bpf_map_lookup_elem#1;"
	  "if r0 == 0x0 goto pc+4;r6 = 7;call pc+4;r0 = r6;exit;r0 = 0;exit;"
	  "*(u32 *)(r10 -4) = 0;*(u64 *)(r10 -16) = 7;r1 = map[idx:0];r2 = r10;r2 += -4;"
	  "r3 = r10;r3 += -16;r4 = 0;call bpf_map_update_elem#2;r0 = 0;exit", 0, 1 },
	/* gen: a pointer a callee looked up, spilled, the update in the caller */
	{ 0, "gen: callee's pointer spilled across an update (expect undecided)",
	  "call pc+17;*(u64 *)(r10 -24) = r0;*(u32 *)(r10 -4) = 0;*(u64 *)(r10 -16) = 7;r1 = map[idx:0];r2 = r10;r2 += -4;"
	  "r3 = r10;r3 += -16;r4 = 0;call bpf_map_update_elem#2;r1 = *(u64 *)(r10 -24);if r1 == 0x0 goto pc+2;r0 = *(u64 *)(r1 +0);exit;r0 = 0;exit;"
	  "*(u32 *)(r10 -4) = 0;r1 = map[idx:0];r2 = r10;r2 += -4;call bpf_map_lookup_elem#1;exit",
	  "r0 = 7;exit", 0, 1 },
};

/*
 * A pair the checker must not call equivalent.  @maps: 0 the maps of
 * mcases; 1 one LRU hash u32 -> u64 of 1 entry instead; 9 those and an
 * LRU per-CPU hash as map 9; -1 those with map 0 BPF_F_NO_PREALLOC.
 */
static void check_not_equivalent(const char *label, size_t i, enum bpf_prog_type type,
				 int maps, const char *what, const char *pa, const char *pb)
{
	struct bpfext_linked_prog lp[2];
	struct bpfext_sym_cex cex;
	struct bpfext_error err = { "" };
	BPFEXT_OPTS(bpfext_sym_opts, opts, .timeout_ms = 20000, .max_pkt = 64);
	int k, ret = -EINVAL;

	for (k = 0; k < 2; k++) {
		asm_linked(&lp[k], type, k ? pb : pa);
		if (maps == 1) {
			asm_add_map(&lp[k], BPF_MAP_TYPE_LRU_HASH, 4, 8, 1);
			continue;
		}
		add_maps(&lp[k]);
		if (maps == 9)
			asm_add_map(&lp[k], BPF_MAP_TYPE_LRU_PERCPU_HASH, 4, 8, 8);
		if (maps == -1 && lp[k].nr_maps)
			lp[k].maps[0].map_flags = BPF_F_NO_PREALLOC;
	}
	if (lp[0].cnt && lp[1].cnt)
		ret = bpfext_sym_equiv_prog(&lp[0], &lp[1], &opts, &cex, &err);
	ok(lp[0].cnt && lp[1].cnt && ret != BPFEXT_EQUIVALENT,
	   "%s %zu (%s): %s%s", label, i, what,
	   ret == BPFEXT_EQUIVALENT ? "EQUIVALENT" : ret == BPFEXT_DIFFERENT ? "different" :
	   ret == BPFEXT_UNDECIDED ? "undecided" : "", ret < 0 ? err.msg : "");
	bpfext_linked_prog__free(&lp[0]);
	bpfext_linked_prog__free(&lp[1]);
}

static void test_not_equivalent(void)
{
	size_t i;

	for (i = 0; i < sizeof(ncases) / sizeof(ncases[0]); i++)
		check_not_equivalent("not equivalent", i, BPF_PROG_TYPE_XDP, ncases[i].maps,
				     ncases[i].what, ncases[i].a, ncases[i].b);
}

/*
 * More pairs (a third review) the kernel (6.12 hashtab.c, bpf_lru_list.c) can run
 * differently; the checker must not call them equivalent.  @extra: 9 adds
 * an LRU per-CPU hash as map 9, -1 makes map 0 BPF_F_NO_PREALLOC.
 */
static const struct {
	enum bpf_prog_type type;
	int extra;
	const char *what, *a, *b;
} r3cases[] = {
	{ BPF_PROG_TYPE_XDP, 0, "LRU: a lookup sets the ref bit, which decides what an update evicts",
	  "*(u32 *)(r10 -4) = 1;r1 = map[idx:6];r2 = r10;r2 += -4;call bpf_map_lookup_elem#1;*(u32 *)"
	  "(r10 -4) = 99;*(u64 *)(r10 -16) = 7;r1 = map[idx:6];r2 = r10;r2 += -4;r3 = r10;r3 += -16;r"
	  "4 = 0;call bpf_map_update_elem#2;*(u32 *)(r10 -4) = 1;r1 = map[idx:6];r2 = r10;r2 += -4;ca"
	  "ll bpf_map_lookup_elem#1;if r0 == 0x0 goto pc+2;r0 = 1;exit;r0 = 2;exit",
	  "*(u32 *)(r10 -4) = 99;*(u64 *)(r10 -16) = 7;r1 = map[idx:6];r2 = r10;r2 += -4;r3 = r10;r3 "
	  "+= -16;r4 = 0;call bpf_map_update_elem#2;*(u32 *)(r10 -4) = 1;r1 = map[idx:6];r2 = r10;r2 "
	  "+= -4;call bpf_map_lookup_elem#1;if r0 == 0x0 goto pc+2;r0 = 1;exit;r0 = 2;exit" },
	{ BPF_PROG_TYPE_XDP, 0, "LRU: BPF_EXIST update of a present key pops a node first (-ENOMEM, or -ENOENT if it evicts the key)",
	  "*(u32 *)(r10 -4) = 5;r1 = map[idx:6];r2 = r10;r2 += -4;call bpf_map_lookup_elem#1;if r0 =="
	  " 0x0 goto pc+11;*(u32 *)(r10 -4) = 5;*(u64 *)(r10 -16) = 7;r1 = map[idx:6];r2 = r10;r2 += "
	  "-4;r3 = r10;r3 += -16;r4 = 2;call bpf_map_update_elem#2;exit;r0 = 0;exit",
	  "*(u32 *)(r10 -4) = 5;r1 = map[idx:6];r2 = r10;r2 += -4;call bpf_map_lookup_elem#1;if r0 =="
	  " 0x0 goto pc+12;*(u32 *)(r10 -4) = 5;*(u64 *)(r10 -16) = 7;r1 = map[idx:6];r2 = r10;r2 += "
	  "-4;r3 = r10;r3 += -16;r4 = 2;call bpf_map_update_elem#2;r0 = 0;exit;r0 = 0;exit" },
	{ BPF_PROG_TYPE_XDP, 0, "LRU: BPF_NOEXIST update of a present key: -ENOMEM before -EEXIST, 0 if it evicts the key",
	  "*(u32 *)(r10 -4) = 5;r1 = map[idx:6];r2 = r10;r2 += -4;call bpf_map_lookup_elem#1;if r0 =="
	  " 0x0 goto pc+11;*(u32 *)(r10 -4) = 5;*(u64 *)(r10 -16) = 7;r1 = map[idx:6];r2 = r10;r2 += "
	  "-4;r3 = r10;r3 += -16;r4 = 1;call bpf_map_update_elem#2;exit;r0 = 0;exit",
	  "*(u32 *)(r10 -4) = 5;r1 = map[idx:6];r2 = r10;r2 += -4;call bpf_map_lookup_elem#1;if r0 =="
	  " 0x0 goto pc+12;*(u32 *)(r10 -4) = 5;*(u64 *)(r10 -16) = 7;r1 = map[idx:6];r2 = r10;r2 += "
	  "-4;r3 = r10;r3 += -16;r4 = 1;call bpf_map_update_elem#2;r0 = -17;exit;r0 = 0;exit" },
	{ BPF_PROG_TYPE_XDP, 0, "LRU: an update failing with -EEXIST has popped a node (evicted)",
	  "*(u32 *)(r10 -4) = 5;r1 = map[idx:6];r2 = r10;r2 += -4;call bpf_map_lookup_elem#1;if r0 =="
	  " 0x0 goto pc+10;*(u32 *)(r10 -4) = 5;*(u64 *)(r10 -16) = 7;r1 = map[idx:6];r2 = r10;r2 += "
	  "-4;r3 = r10;r3 += -16;r4 = 1;call bpf_map_update_elem#2;r0 = 0;exit",
	  "*(u32 *)(r10 -4) = 5;r1 = map[idx:6];r2 = r10;r2 += -4;call bpf_map_lookup_elem#1;r0 = 0;e"
	  "xit" },
	{ BPF_PROG_TYPE_XDP, 0, "LRU: an update failing with -ENOENT has popped a node (evicted)",
	  "*(u32 *)(r10 -4) = 5;r1 = map[idx:6];r2 = r10;r2 += -4;call bpf_map_lookup_elem#1;if r0 !="
	  " 0x0 goto pc+10;*(u32 *)(r10 -4) = 5;*(u64 *)(r10 -16) = 7;r1 = map[idx:6];r2 = r10;r2 += "
	  "-4;r3 = r10;r3 += -16;r4 = 2;call bpf_map_update_elem#2;r0 = 0;exit",
	  "*(u32 *)(r10 -4) = 5;r1 = map[idx:6];r2 = r10;r2 += -4;call bpf_map_lookup_elem#1;r0 = 0;e"
	  "xit" },
	{ BPF_PROG_TYPE_XDP, 9, "LRU per-CPU: an update failing with -EEXIST has popped a node (evicted)",
	  "*(u32 *)(r10 -4) = 5;r1 = map[idx:9];r2 = r10;r2 += -4;call bpf_map_lookup_elem#1;if r0 =="
	  " 0x0 goto pc+10;*(u32 *)(r10 -4) = 5;*(u64 *)(r10 -16) = 7;r1 = map[idx:9];r2 = r10;r2 += "
	  "-4;r3 = r10;r3 += -16;r4 = 1;call bpf_map_update_elem#2;r0 = 0;exit",
	  "*(u32 *)(r10 -4) = 5;r1 = map[idx:9];r2 = r10;r2 += -4;call bpf_map_lookup_elem#1;r0 = 0;e"
	  "xit" },
	{ BPF_PROG_TYPE_XDP, 0, "tail call: each slot of a prog array is filled or not on its own",
	  "r6 = r1;r2 = map[idx:1];r3 = 0;call bpf_tail_call#12;r1 = r6;r2 = map[idx:1];r3 = 1;call b"
	  "pf_tail_call#12;r0 = 2;exit",
	  "r6 = r1;r2 = map[idx:1];r3 = 0;call bpf_tail_call#12;r0 = 2;exit" },
	{ BPF_PROG_TYPE_KPROBE, 0, "kprobe: a hash update may say -EBUSY (htab_lock_bucket)",
	  "*(u32 *)(r10 -4) = 5;*(u64 *)(r10 -16) = 7;r1 = map[idx:0];r2 = r10;r2 += -4;r3 = r10;r3 +"
	  "= -16;r4 = 0;call bpf_map_update_elem#2;exit",
	  "*(u32 *)(r10 -4) = 5;*(u64 *)(r10 -16) = 7;r1 = map[idx:0];r2 = r10;r2 += -4;r3 = r10;r3 +"
	  "= -16;r4 = 0;call bpf_map_update_elem#2;if r0 == 0x0 goto pc+2;r0 = -7;exit;r0 = 0;exit" },
	{ BPF_PROG_TYPE_KPROBE, 0, "kprobe: a hash delete may say -EBUSY (htab_lock_bucket)",
	  "*(u32 *)(r10 -4) = 5;r1 = map[idx:0];r2 = r10;r2 += -4;call bpf_map_delete_elem#3;exit",
	  "*(u32 *)(r10 -4) = 5;r1 = map[idx:0];r2 = r10;r2 += -4;call bpf_map_delete_elem#3;if r0 =="
	  " 0x0 goto pc+2;r0 = -2;exit;r0 = 0;exit" },
	{ BPF_PROG_TYPE_XDP, -1, "BPF_F_NO_PREALLOC hash: replacing a present key allocates (-ENOMEM)",
	  "*(u32 *)(r10 -4) = 5;r1 = map[idx:0];r2 = r10;r2 += -4;call bpf_map_lookup_elem#1;if r0 =="
	  " 0x0 goto pc+11;*(u32 *)(r10 -4) = 5;*(u64 *)(r10 -16) = 7;r1 = map[idx:0];r2 = r10;r2 += "
	  "-4;r3 = r10;r3 += -16;r4 = 0;call bpf_map_update_elem#2;exit;r0 = 0;exit",
	  "*(u32 *)(r10 -4) = 5;r1 = map[idx:0];r2 = r10;r2 += -4;call bpf_map_lookup_elem#1;if r0 =="
	  " 0x0 goto pc+12;*(u32 *)(r10 -4) = 5;*(u64 *)(r10 -16) = 7;r1 = map[idx:0];r2 = r10;r2 += "
	  "-4;r3 = r10;r3 += -16;r4 = 0;call bpf_map_update_elem#2;r0 = 0;exit;r0 = 0;exit" },
	{ BPF_PROG_TYPE_XDP, -1, "BPF_F_NO_PREALLOC hash: a new key may get -ENOMEM, not only -E2BIG",
	  "*(u32 *)(r10 -4) = 99;*(u64 *)(r10 -16) = 7;r1 = map[idx:0];r2 = r10;r2 += -4;r3 = r10;r3 "
	  "+= -16;r4 = 0;call bpf_map_update_elem#2;exit",
	  "*(u32 *)(r10 -4) = 99;*(u64 *)(r10 -16) = 7;r1 = map[idx:0];r2 = r10;r2 += -4;r3 = r10;r3 "
	  "+= -16;r4 = 0;call bpf_map_update_elem#2;if r0 == 0x0 goto pc+2;r0 = -7;exit;r0 = 0;exit" },
};

static void test_not_equivalent_types(void)
{
	size_t i;

	for (i = 0; i < sizeof(r3cases) / sizeof(r3cases[0]); i++)
		check_not_equivalent("not equivalent, typed", i, r3cases[i].type,
				     r3cases[i].extra, r3cases[i].what, r3cases[i].a, r3cases[i].b);
}

/*
 * Pairs the checker cannot decide (-ENOTSUP, with a reason) because it
 * would have to know what it does not model; each was once called
 * equivalent.  @maps: the maps of mcases.
 */
static const struct {
	enum bpf_prog_type type;
	bool maps;
	const char *a, *b;
	const char *why;	/* in the reason */
} ucases[] = {
	/* bytes of a spilled pointer: the model has its offset, not its address */
	{ BPF_PROG_TYPE_XDP, false,
	  "*(u64 *)(r10 -8) = r10;*(u32 *)(r10 -4) = 0;r0 = *(u64 *)(r10 -8);exit",
	  "r0 = 512;exit", "mixed-type" },
	{ BPF_PROG_TYPE_XDP, false,
	  "*(u64 *)(r10 -8) = r1;*(u8 *)(r10 -8) = 0;r0 = *(u8 *)(r10 -7);exit",
	  "r0 = 0;exit", "mixed-type" },
	{ BPF_PROG_TYPE_RAW_TRACEPOINT, false,
	  "*(u64 *)(r10 -8) = r1;r1 = r10;r1 += -16;r2 = 8;r3 = r10;r3 += -8;"
	  "call bpf_probe_read_kernel#113;r0 = *(u64 *)(r10 -16);exit",
	  "r0 = 0;exit", "spilled pointer" },
	{ BPF_PROG_TYPE_XDP, true,
	  "*(u64 *)(r10 -8) = r10;r1 = map[idx:0];r2 = r10;r2 += -8;"
	  "call bpf_map_lookup_elem#1;if r0 == 0x0 goto pc+2;r0 = 1;exit;r0 = 2;exit",
	  "*(u64 *)(r10 -8) = 512;r1 = map[idx:0];r2 = r10;r2 += -8;"
	  "call bpf_map_lookup_elem#1;if r0 == 0x0 goto pc+2;r0 = 1;exit;r0 = 2;exit",
	  "spilled pointer" },
	/* what a devmap lookup gives is a kernel object */
	{ BPF_PROG_TYPE_XDP, true,
	  "*(u32 *)(r10 -4) = 3;r1 = map[idx:2];r2 = r10;r2 += -4;call bpf_map_lookup_elem#1;"
	  "if r0 == 0x0 goto pc+1;r0 = *(u32 *)(r0 +0);exit",
	  "r0 = 0;exit", "a device, CPU or socket" },
	/* a spilled pointer passed on to a tail callee */
	{ BPF_PROG_TYPE_XDP, true,
	  "*(u64 *)(r10 -8) = r1;r2 = map[idx:1];r3 = 1;call bpf_tail_call#12;r0 = 2;exit",
	  "*(u64 *)(r10 -8) = r10;r2 = map[idx:1];r3 = 1;call bpf_tail_call#12;r0 = 2;exit",
	  "spilled pointer" },
	/* a tail callee's r0 goes back to the caller of the subprogram */
	{ BPF_PROG_TYPE_XDP, true,
	  "call pc+1;exit;r2 = map[idx:1];r3 = 1;call bpf_tail_call#12;r0 = 0;exit",
	  "call pc+2;r0 = 0;exit;r2 = map[idx:1];r3 = 1;call bpf_tail_call#12;r0 = 0;exit",
	  "bpf-to-bpf callee" },
	/* what an update does to other prefixes' lookups is not modelled */
	{ BPF_PROG_TYPE_XDP, true,
	  "*(u32 *)(r10 -8) = 24;*(u32 *)(r10 -4) = 0x0201a8c0;r1 = map[idx:5];r2 = r10;r2 += -8;"
	  "r3 = r10;r3 += -4;r4 = 0;call bpf_map_update_elem#2;exit",
	  "r0 = 0;exit", "updates and deletes of an LPM trie" },
	/* a number the null check left, merged with the pointer, then changed */
	{ BPF_PROG_TYPE_XDP, true,
	  "*(u32 *)(r10 -4) = 5;r1 = map[idx:0];r2 = r10;r2 += -4;call bpf_map_lookup_elem#1;"
	  "if r0 == 0x0 goto pc+0;r0 += 1;if r0 == 0x0 goto pc+1;r0 = 3;exit",
	  "r0 = 3;exit", "arithmetic on a pointer" },
	{ BPF_PROG_TYPE_XDP, true,
	  "*(u32 *)(r10 -4) = 5;r1 = map[idx:0];r2 = r10;r2 += -4;call bpf_map_lookup_elem#1;"
	  "if r0 == 0x0 goto pc+0;r0 = *(u32 *)(r0 +0);exit",
	  "r0 = 3;exit", "NULL on some path" },
	/*
	 * an update puts a new element in a hash: what an earlier lookup
	 * gave keeps the old value (the kernel: 1 then 2 through the old and
	 * a new pointer), which the model does not have
	 */
	{ BPF_PROG_TYPE_XDP, true,
	  "*(u32 *)(r10 -4) = 5;r1 = map[idx:0];r2 = r10;r2 += -4;call bpf_map_lookup_elem#1;"
	  "if r0 == 0x0 goto pc+12;r6 = r0;*(u64 *)(r10 -16) = 1;r1 = map[idx:0];r2 = r10;r2 += -4;"
	  "r3 = r10;r3 += -16;r4 = 0;call bpf_map_update_elem#2;r0 = *(u64 *)(r6 +0);exit;r0 = 2;exit",
	  "*(u32 *)(r10 -4) = 5;r1 = map[idx:0];r2 = r10;r2 += -4;call bpf_map_lookup_elem#1;"
	  "if r0 == 0x0 goto pc+12;r6 = r0;*(u64 *)(r10 -16) = 1;r1 = map[idx:0];r2 = r10;r2 += -4;"
	  "r3 = r10;r3 += -16;r4 = 0;call bpf_map_update_elem#2;r0 = 1;exit;r0 = 2;exit",
	  "from before an update" },
	/* BPF_F_LOCK: -EINVAL unless the value holds a bpf_spin_lock */
	{ BPF_PROG_TYPE_XDP, true,
	  "*(u32 *)(r10 -4) = 5;*(u64 *)(r10 -16) = 7;r1 = map[idx:0];r2 = r10;r2 += -4;"
	  "r3 = r10;r3 += -16;r4 = 4;call bpf_map_update_elem#2;exit",
	  "*(u32 *)(r10 -4) = 5;*(u64 *)(r10 -16) = 7;r1 = map[idx:0];r2 = r10;r2 += -4;"
	  "r3 = r10;r3 += -16;r4 = 0;call bpf_map_update_elem#2;exit",
	  "BPF_F_LOCK" },
	/* a helper reads the program's memory through a number: a str read's source */
	{ BPF_PROG_TYPE_RAW_TRACEPOINT, false,
	  "*(u64 *)(r10 -8) = 0x61;r1 = r10;r1 += -16;r2 = 8;r3 = r10;r3 += -8;"
	  "call bpf_probe_read_kernel_str#115;r0 = *(u64 *)(r10 -16);exit",
	  "*(u64 *)(r10 -8) = 0x62;r1 = r10;r1 += -16;r2 = 8;r3 = r10;r3 += -8;"
	  "call bpf_probe_read_kernel_str#115;r0 = *(u64 *)(r10 -16);exit",
	  "reads memory through r3" },
	/* ... a %s argument of trace_printk */
	{ BPF_PROG_TYPE_RAW_TRACEPOINT, false,
	  "*(u32 *)(r10 -12) = 0x7325;*(u64 *)(r10 -8) = 0x61;r1 = r10;r1 += -12;r2 = 3;"
	  "r3 = r10;r3 += -8;call bpf_trace_printk#6;r0 = 0;exit",
	  "*(u32 *)(r10 -12) = 0x7325;*(u64 *)(r10 -8) = 0x62;r1 = r10;r1 += -12;r2 = 3;"
	  "r3 = r10;r3 += -8;call bpf_trace_printk#6;r0 = 0;exit",
	  "reads memory through r3" },
};

static void test_undecided(void)
{
	static struct bpfext_sym_cex cex;
	size_t i;

	for (i = 0; i < sizeof(ucases) / sizeof(ucases[0]); i++) {
		struct bpfext_linked_prog lp[2];
		struct bpfext_error err = { "" };
		BPFEXT_OPTS(bpfext_sym_opts, opts, .timeout_ms = 10000, .max_pkt = 64);
		int k, ret = -EINVAL;

		for (k = 0; k < 2; k++) {
			asm_linked(&lp[k], ucases[i].type, k ? ucases[i].b : ucases[i].a);
			if (ucases[i].maps)
				add_maps(&lp[k]);
		}
		if (lp[0].cnt && lp[1].cnt)
			ret = bpfext_sym_equiv_prog(&lp[0], &lp[1], &opts, &cex, &err);
		ok(ret == -ENOTSUP && strstr(err.msg, ucases[i].why),
		   "undecided %zu: %d (%s)", i, ret, err.msg);
		bpfext_linked_prog__free(&lp[0]);
		bpfext_linked_prog__free(&lp[1]);
	}
}

/*
 * Tracing programs: an opaque context, helpers by prototype
 * (helper_proto.h), load-time values shared by both sides.  @lt_a and
 * @lt_b: "SLOT:FIELD:KEY" (FIELD i, l or o: immediate, ld_imm64,
 * offset), or NULL.
 */
static const struct {
	const char *a, *lt_a, *b, *lt_b;
	int want;
	bool width;		/* different only at a width the kernel's field may have */
} tcases[] = {
	{ "call bpf_get_current_pid_tgid#14;r0 >>= 32;exit", NULL,
	  "call bpf_get_current_pid_tgid#14;r1 = r0;r1 >>= 32;r0 = r1;exit", NULL,
	  BPFEXT_EQUIVALENT, false },
	/* time read twice: two answers */
	{ "call bpf_ktime_get_ns#5;r6 = r0;call bpf_ktime_get_ns#5;r0 -= r6;exit", NULL,
	  "call bpf_ktime_get_ns#5;r6 = r0;call bpf_ktime_get_ns#5;r0 = 0;exit", NULL,
	  BPFEXT_DIFFERENT, false },
	/* the same calls, or not */
	{ "call bpf_ktime_get_ns#5;r0 = 1;exit", NULL, "r0 = 1;exit", NULL,
	  BPFEXT_DIFFERENT, false },
	/* kernel memory read at the same address, computed otherwise */
	{ "r1 = r10;r1 += -8;r2 = 8;r3 = 4096;call bpf_probe_read_kernel#113;"
	  "r0 = *(u64 *)(r10 -8);exit", NULL,
	  "r1 = r10;r1 += -8;r2 = 8;r3 = 2048;r3 += 2048;call bpf_probe_read_kernel#113;"
	  "r0 = *(u64 *)(r10 -8);exit", NULL, BPFEXT_EQUIVALENT, false },
	{ "r1 = r10;r1 += -8;r2 = 8;r3 = 4096;call bpf_probe_read_kernel#113;"
	  "r0 = *(u64 *)(r10 -8);exit", NULL,
	  "r1 = r10;r1 += -8;r2 = 8;r3 = 4104;call bpf_probe_read_kernel#113;"
	  "r0 = *(u64 *)(r10 -8);exit", NULL, BPFEXT_DIFFERENT, false },
	/* an effect: what trace_printk prints */
	{ "*(u32 *)(r10 -4) = 2660;r1 = r10;r1 += -4;r2 = 4;call bpf_trace_printk#6;"
	  "r0 = 0;exit", NULL,
	  "*(u32 *)(r10 -4) = 2661;r1 = r10;r1 += -4;r2 = 4;call bpf_trace_printk#6;"
	  "r0 = 0;exit", NULL, BPFEXT_DIFFERENT, false },
	/* a string read that fails zeroes the whole buffer, whatever it held */
	{ "r1 = r10;r1 += -8;r2 = 8;r3 = 0;call bpf_probe_read_kernel_str#115;"
	  "if r0 s>= 0 goto pc+2;r0 = *(u64 *)(r10 -8);exit;r0 = 0;exit", NULL,
	  "r1 = r10;r1 += -8;r2 = 8;r3 = 0;call bpf_probe_read_kernel_str#115;r0 = 0;exit",
	  NULL, BPFEXT_EQUIVALENT, false },
	{ "r1 = r10;r1 += -8;r2 = 8;r3 = 0;call bpf_probe_read_user_str#114;"
	  "if r0 s>= 0 goto pc+2;r0 = *(u64 *)(r10 -8);exit;r0 = 0;exit", NULL,
	  "r1 = r10;r1 += -8;r2 = 8;r3 = 0;call bpf_probe_read_user_str#114;r0 = 1;exit",
	  NULL, BPFEXT_DIFFERENT, false },
	/* the context: opaque bytes */
	{ "r0 = *(u64 *)(r1 +8);exit", NULL, "r2 = *(u64 *)(r1 +8);r0 = r2;exit", NULL,
	  BPFEXT_EQUIVALENT, false },
	{ "r0 = *(u64 *)(r1 +8);exit", NULL, "r0 = *(u64 *)(r1 +16);exit", NULL,
	  BPFEXT_DIFFERENT, false },
	/* a CO-RE immediate: the same relocation, or its local value folded */
	{ "r1 = 0;r0 = 5;r0 += r1;exit", "0:i:core:field_byte_offset:t:0:1",
	  "r1 = 0;r0 = 5;r0 += r1;exit", "0:i:core:field_byte_offset:t:0:1",
	  BPFEXT_EQUIVALENT, false },
	{ "r1 = 0;r0 = 5;r0 += r1;exit", "0:i:core:field_byte_offset:t:0:1",
	  "r1 = 0;r0 = 5;exit", "0:i:core:field_byte_offset:t:0:1", BPFEXT_DIFFERENT, false },
	{ "r1 = 4;r0 = 5;r0 += r1;exit", "0:i:core:field_byte_offset:t:0:1",
	  "r0 = 9;exit", NULL, BPFEXT_DIFFERENT, false },
	{ "r1 = 4;r0 = 5;r0 += r1;exit", "0:i:core:field_byte_offset:t:0:1",
	  "r1 = 4;r0 = 5;r0 += r1;exit", "0:i:core:field_byte_offset:t:0:2",
	  BPFEXT_DIFFERENT, false },
	/* 32-bit: zero-extended, 64-bit: sign-extended */
	{ "w1 = 0;r0 = r1;exit", "0:i:core:field_byte_size:t:0:1",
	  "w1 = 0;r0 = r1;r0 <<= 32;r0 >>= 32;exit", "0:i:core:field_byte_size:t:0:1",
	  BPFEXT_EQUIVALENT, false },
	/* a relocated offset */
	{ "*(u64 *)(r10 -8) = 7;r0 = *(u8 *)(r10 -8);exit", "1:o:core:field_byte_offset:t:0:2",
	  "*(u64 *)(r10 -8) = 7;r0 = 7;exit", NULL, BPFEXT_DIFFERENT, false },
	/* a relocated load may be wider than the local field: the mask matters */
	{ "r2 = *(u64 *)(r1 +0);*(u64 *)(r10 -8) = r2;r0 = *(u8 *)(r10 -8);exit",
	  "2:o:core:field_byte_offset:t:0:3",
	  "r2 = *(u64 *)(r1 +0);*(u64 *)(r10 -8) = r2;r0 = *(u8 *)(r10 -8);r0 &= 255;exit",
	  "2:o:core:field_byte_offset:t:0:3", BPFEXT_DIFFERENT, true },
	{ "r2 = *(u64 *)(r1 +0);*(u64 *)(r10 -8) = r2;r0 = *(u8 *)(r10 -8);exit",
	  "2:o:core:field_byte_offset:t:0:3",
	  "r2 = *(u64 *)(r1 +0);*(u64 *)(r10 -8) = r2;r0 = *(u8 *)(r10 -8);r0 += 0;exit",
	  "2:o:core:field_byte_offset:t:0:3", BPFEXT_EQUIVALENT, false },
	/* a __ksym address */
	{ "r1 = 0x0;r0 = r1;r0 >>= 3;exit", "0:l:ksym:bpf_prog_active",
	  "r0 = 0;exit", NULL, BPFEXT_DIFFERENT, false },
	{ "r1 = 0x0;r0 = r1;r0 >>= 3;exit", "0:l:ksym:bpf_prog_active",
	  "r1 = 0x0;r1 >>= 3;r0 = r1;exit", "0:l:ksym:bpf_prog_active",
	  BPFEXT_EQUIVALENT, false },
};

static void add_ltv(struct bpfext_linked_prog *lp, const char *spec)
{
	char f;
	int n = 0;

	if (!spec)
		return;
	lp->ltv = calloc(1, sizeof(*lp->ltv));
	if (!lp->ltv || sscanf(spec, "%zu:%c:%n", &lp->ltv->slot, &f, &n) != 2)
		abort();
	lp->ltv->field = f == 'o' ? BPFEXT_LTV_OFF : f == 'l' ? BPFEXT_LTV_IMM64 :
			 BPFEXT_LTV_IMM;
	snprintf(lp->ltv->key, sizeof(lp->ltv->key), "%s", spec + n);
	lp->nr_ltv = 1;
}

static void test_tracing(void)
{
	static struct bpfext_sym_cex cex;
	size_t i;

	for (i = 0; i < sizeof(tcases) / sizeof(tcases[0]); i++) {
		struct bpfext_linked_prog a, b;
		struct bpfext_error err = { "" };
		BPFEXT_OPTS(bpfext_sym_opts, opts, .timeout_ms = 10000);
		char why[128] = "";
		int ret = -EINVAL;

		if (!asm_linked(&a, BPF_PROG_TYPE_RAW_TRACEPOINT, tcases[i].a) &&
		    !asm_linked(&b, BPF_PROG_TYPE_RAW_TRACEPOINT, tcases[i].b)) {
			add_ltv(&a, tcases[i].lt_a);
			add_ltv(&b, tcases[i].lt_b);
			ret = bpfext_sym_equiv_prog(&a, &b, &opts, &cex, &err);
		}
		ok(ret == tcases[i].want, "raw_tp %zu %s%s%s", i,
		   tcases[i].want == BPFEXT_EQUIVALENT ? "equivalent" : "different",
		   ret < 0 ? ": " : "", ret < 0 ? err.msg : "");
		/* the interpreter runs the object's widths */
		if (ret == BPFEXT_DIFFERENT && !tcases[i].width)
			ok(replay_prog(&a, &b, &cex, why, sizeof(why)),
			   "  counterexample (%zu load-time values, %zu helper answers) replays: %s",
			   cex.nr_ltv, cex.nr_calls, why);
		bpfext_linked_prog__free(&a);
		bpfext_linked_prog__free(&b);
	}
}

static void test_equiv_progs(void)
{
	static struct bpfext_equiv_report rep;
	struct bpfext_linked_prog a, b, c;
	BPFEXT_OPTS(bpfext_sym_opts, opts, .timeout_ms = 10000, .max_pkt = 64);
	struct bpfext_error err = { "" };
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int ret;

	/* found by a test input: any IPv4 packet */
	asm_linked(&a, BPF_PROG_TYPE_XDP, "r0 = 2;exit");
	asm_linked(&b, BPF_PROG_TYPE_XDP,
	      "r2 = *(u32 *)(r1 +0);r3 = *(u32 *)(r1 +4);r4 = r2;r4 += 14;"
	      "if r4 > r3 goto pc+3;r0 = *(u16 *)(r2 +12);if r0 == 0x8 goto pc+2;"
	      "r0 = 2;exit;r0 = 1;exit");
	ret = bpfext_equiv_progs(&a, &b, &opts, 50, &rep, &err);
	ok(!ret && rep.verdict == BPFEXT_DIFFERENT && rep.by_test &&
	   rep.side[0].r0 == 2 && rep.side[1].r0 == 1,
	   "equiv_progs: difference found by a test packet (%s)", rep.reason);
	f = open_memstream(&text, &len);
	if (f) {
		bpfext_equiv_report__print(&rep, &a, "", f);
		fclose(f);
	}
	ok(text && strstr(text, "counterexample") && strstr(text, "r0 2") &&
	   strstr(text, "r0 1"), "equiv_progs: report names both outcomes");
	free(text);
	bpfext_linked_prog__free(&a);
	bpfext_linked_prog__free(&b);

	/* only the solver finds a two-byte magic value */
	asm_linked(&a, BPF_PROG_TYPE_XDP, "r0 = 2;exit");
	asm_linked(&b, BPF_PROG_TYPE_XDP,
	      "r2 = *(u32 *)(r1 +0);r3 = *(u32 *)(r1 +4);r4 = r2;r4 += 14;"
	      "if r4 > r3 goto pc+3;r0 = *(u16 *)(r2 +6);if r0 == 0x1234 goto pc+2;"
	      "r0 = 2;exit;r0 = 1;exit");
	ret = bpfext_equiv_progs(&a, &b, &opts, 50, &rep, &err);
	ok(!ret && rep.verdict == BPFEXT_DIFFERENT && !rep.by_test &&
	   rep.cex.pkt[6] == 0x34 && rep.cex.pkt[7] == 0x12 &&
	   rep.side[1].r0 == 1, "equiv_progs: difference found by the solver (%s)",
	   rep.reason);
	bpfext_linked_prog__free(&a);
	bpfext_linked_prog__free(&b);

	asm_linked(&a, BPF_PROG_TYPE_XDP, "r0 = 2;exit");
	asm_linked(&b, BPF_PROG_TYPE_XDP, "r0 = 1;r0 <<= 1;exit");
	ret = bpfext_equiv_progs(&a, &b, &opts, 50, &rep, &err);
	ok(!ret && rep.verdict == BPFEXT_EQUIVALENT && rep.tests_run == 50,
	   "equiv_progs: proof after 50 tests (%s)", rep.reason);
	bpfext_linked_prog__free(&b);

	/*
	 * What a callee reads before writing is what an earlier call left
	 * at that depth (in the JIT, the same bytes): 1 against 2 here.
	 * The interpreter zeroes callee frames, so it is not decided.
	 */
	asm_linked(&b, BPF_PROG_TYPE_XDP,
		   "call pc+2;call pc+4;exit;*(u64 *)(r10 -8) = 1;r0 = 0;exit;"
		   "r0 = *(u64 *)(r10 -8);exit");
	asm_linked(&c, BPF_PROG_TYPE_XDP,
		   "call pc+2;call pc+4;exit;*(u64 *)(r10 -8) = 2;r0 = 0;exit;"
		   "r0 = *(u64 *)(r10 -8);exit");
	ret = bpfext_equiv_progs(&b, &c, &opts, 50, &rep, &err);
	ok(!ret && rep.verdict == BPFEXT_UNDECIDED && strstr(rep.reason, "callee"),
	   "equiv_progs: what earlier calls left in a callee frame is not assumed zero (%s)",
	   rep.reason);
	bpfext_linked_prog__free(&b);
	bpfext_linked_prog__free(&c);

	/* found by a test input with stack bytes that are not zero */
	asm_linked(&b, BPF_PROG_TYPE_XDP, "r0 = *(u8 *)(r10 -5);r0 &= 1;r0 += 1;exit");
	asm_linked(&c, BPF_PROG_TYPE_XDP, "r0 = *(u8 *)(r10 -6);r0 &= 1;r0 += 1;exit");
	ret = bpfext_equiv_progs(&b, &c, &opts, 50, &rep, &err);
	ok(!ret && rep.verdict == BPFEXT_DIFFERENT && rep.by_test,
	   "equiv_progs: reads of different stack bytes differ on a test input (%s)",
	   rep.reason);
	bpfext_linked_prog__free(&b);
	bpfext_linked_prog__free(&c);

	asm_linked(&b, BPF_PROG_TYPE_XDP, "r0 = 0;r0 += 1;if r0 < 2 goto pc-2;exit");
	ret = bpfext_equiv_progs(&a, &b, &opts, 10, &rep, &err);
	ok(!ret && rep.verdict == BPFEXT_UNDECIDED && strstr(rep.reason, "backward"),
	   "equiv_progs: undecided with the reason (%s)", rep.reason);
	bpfext_linked_prog__free(&a);
	bpfext_linked_prog__free(&b);

	/*
	 * An LPM trie update replaces the node: a pointer from an earlier
	 * lookup keeps the old value, so both return 1 in the kernel.  The
	 * interpreter once wrote the new value into the old entry, and its
	 * tests called the pair different.
	 */
	asm_linked(&a, BPF_PROG_TYPE_XDP,
		   "*(u32 *)(r10 -8) = 32;*(u32 *)(r10 -4) = 0x0100000a;*(u32 *)(r10 -12) = 1;"
		   "r1 = map[idx:5];r2 = r10;r2 += -8;r3 = r10;r3 += -12;r4 = 0;call bpf_map_update_elem#2;"
		   "r1 = map[idx:5];r2 = r10;r2 += -8;call bpf_map_lookup_elem#1;if r0 == 0x0 goto pc+12;"
		   "r6 = r0;*(u32 *)(r10 -12) = 2;r1 = map[idx:5];r2 = r10;r2 += -8;r3 = r10;r3 += -12;"
		   "r4 = 0;call bpf_map_update_elem#2;r0 = *(u32 *)(r6 +0);exit;r0 = 9;exit");
	asm_linked(&b, BPF_PROG_TYPE_XDP,
		   "*(u32 *)(r10 -8) = 32;*(u32 *)(r10 -4) = 0x0100000a;*(u32 *)(r10 -12) = 1;"
		   "r1 = map[idx:5];r2 = r10;r2 += -8;r3 = r10;r3 += -12;r4 = 0;call bpf_map_update_elem#2;"
		   "r1 = map[idx:5];r2 = r10;r2 += -8;call bpf_map_lookup_elem#1;if r0 == 0x0 goto pc+13;"
		   "r6 = r0;r7 = *(u32 *)(r6 +0);*(u32 *)(r10 -12) = 2;r1 = map[idx:5];r2 = r10;r2 += -8;"
		   "r3 = r10;r3 += -12;r4 = 0;call bpf_map_update_elem#2;r0 = r7;exit;r0 = 9;exit");
	add_maps(&a);
	add_maps(&b);
	ret = bpfext_equiv_progs(&a, &b, &opts, 10, &rep, &err);
	ok(!ret && a.cnt && b.cnt && rep.verdict != BPFEXT_DIFFERENT,
	   "equiv_progs: an LPM update leaves what an earlier lookup gave alone (%s)", rep.reason);
	bpfext_linked_prog__free(&a);
	bpfext_linked_prog__free(&b);

	/*
	 * A hash that is full says -E2BIG to a new key; an LRU hash makes
	 * room by evicting another element; an array the object leaves
	 * unsized has the size its loader gives it.  No pair is equivalent,
	 * though the interpreter, whose maps start nearly empty and unsized,
	 * does not show it.
	 */
	{
		static const char *const pairs[][2] = {
			{ "*(u32 *)(r10 -4) = 5;*(u64 *)(r10 -16) = 7;r1 = map[idx:0];r2 = r10;r2 += -4;"
			  "r3 = r10;r3 += -16;r4 = 0;call bpf_map_update_elem#2;exit",
			  "*(u32 *)(r10 -4) = 5;*(u64 *)(r10 -16) = 7;r1 = map[idx:0];r2 = r10;r2 += -4;"
			  "r3 = r10;r3 += -16;r4 = 0;call bpf_map_update_elem#2;r0 = 0;exit" },
			{ "*(u32 *)(r10 -4) = 5;r1 = map[idx:6];r2 = r10;r2 += -4;call bpf_map_lookup_elem#1;"
			  "if r0 == 0x0 goto pc+19;*(u32 *)(r10 -4) = 6;*(u64 *)(r10 -16) = 7;r1 = map[idx:6];"
			  "r2 = r10;r2 += -4;r3 = r10;r3 += -16;r4 = 0;call bpf_map_update_elem#2;"
			  "*(u32 *)(r10 -4) = 5;r1 = map[idx:6];r2 = r10;r2 += -4;call bpf_map_lookup_elem#1;"
			  "if r0 == 0x0 goto pc+2;r0 = 2;exit;r0 = 1;exit",
			  "*(u32 *)(r10 -4) = 5;r1 = map[idx:6];r2 = r10;r2 += -4;call bpf_map_lookup_elem#1;"
			  "if r0 == 0x0 goto pc+18;*(u32 *)(r10 -4) = 6;*(u64 *)(r10 -16) = 7;r1 = map[idx:6];"
			  "r2 = r10;r2 += -4;r3 = r10;r3 += -16;r4 = 0;call bpf_map_update_elem#2;"
			  "*(u32 *)(r10 -4) = 5;r1 = map[idx:6];r2 = r10;r2 += -4;call bpf_map_lookup_elem#1;"
			  "r0 = 2;exit;r0 = 1;exit" },
			{ "*(u32 *)(r10 -4) = 3;r1 = map[idx:7];r2 = r10;r2 += -4;call bpf_map_lookup_elem#1;"
			  "if r0 == 0x0 goto pc+2;r0 = 1;exit;r0 = 2;exit",
			  "r0 = 2;exit" },
		};
		static const char *const what[] = {
			"an update of a hash that may be full", "an LRU update that may evict",
			"a lookup in an array its loader sizes",
		};
		size_t k;

		for (k = 0; k < sizeof(pairs) / sizeof(pairs[0]); k++) {
			asm_linked(&a, BPF_PROG_TYPE_XDP, pairs[k][0]);
			asm_linked(&b, BPF_PROG_TYPE_XDP, pairs[k][1]);
			add_maps(&a);
			add_maps(&b);
			ret = bpfext_equiv_progs(&a, &b, &opts, 10, &rep, &err);
			ok(!ret && a.cnt && b.cnt && rep.verdict != BPFEXT_EQUIVALENT,
			   "equiv_progs: %s is not equivalent (%s)", what[k],
			   ret ? err.msg : rep.reason);
			bpfext_linked_prog__free(&a);
			bpfext_linked_prog__free(&b);
		}
	}

	/*
	 * A per-CPU hash updates an element in place: what an earlier lookup
	 * gave sees the new value, so both return 7 in the kernel.  The
	 * interpreter once gave the old value there, and its tests called
	 * the pair different.
	 */
	asm_linked(&a, BPF_PROG_TYPE_XDP,
		   "*(u32 *)(r10 -4) = 0;*(u64 *)(r10 -16) = 5;r1 = map[idx:8];r2 = r10;r2 += -4;"
		   "r3 = r10;r3 += -16;r4 = 0;call bpf_map_update_elem#2;"
		   "r1 = map[idx:8];r2 = r10;r2 += -4;call bpf_map_lookup_elem#1;if r0 == 0x0 goto pc+11;"
		   "r6 = r0;*(u64 *)(r10 -16) = 7;r1 = map[idx:8];r2 = r10;r2 += -4;r3 = r10;r3 += -16;"
		   "r4 = 0;call bpf_map_update_elem#2;r0 = *(u64 *)(r6 +0);exit;r0 = 9;exit");
	asm_linked(&b, BPF_PROG_TYPE_XDP,
		   "*(u32 *)(r10 -4) = 0;*(u64 *)(r10 -16) = 5;r1 = map[idx:8];r2 = r10;r2 += -4;"
		   "r3 = r10;r3 += -16;r4 = 0;call bpf_map_update_elem#2;"
		   "r1 = map[idx:8];r2 = r10;r2 += -4;call bpf_map_lookup_elem#1;if r0 == 0x0 goto pc+11;"
		   "r6 = r0;*(u64 *)(r10 -16) = 7;r1 = map[idx:8];r2 = r10;r2 += -4;r3 = r10;r3 += -16;"
		   "r4 = 0;call bpf_map_update_elem#2;r0 = 7;exit;r0 = 9;exit");
	add_maps(&a);
	add_maps(&b);
	ret = bpfext_equiv_progs(&a, &b, &opts, 10, &rep, &err);
	ok(!ret && a.cnt && b.cnt && rep.verdict != BPFEXT_DIFFERENT,
	   "equiv_progs: a per-CPU hash updates in place (%s)", rep.reason);
	bpfext_linked_prog__free(&a);
	bpfext_linked_prog__free(&b);

	asm_linked(&a, BPF_PROG_TYPE_XDP, "r0 = 2;exit");
	asm_linked(&b, BPF_PROG_TYPE_SCHED_CLS, "r0 = 2;exit");
	ret = bpfext_equiv_progs(&a, &b, &opts, 10, &rep, &err);
	ok(ret == -EINVAL, "equiv_progs: different types are an error (%s)", err.msg);
	bpfext_linked_prog__free(&a);
	bpfext_linked_prog__free(&b);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_windows();
	test_progs(0);
	test_progs(BPFEXT_SYM_OFFSET_CONC);
	test_unsupported();
	test_maps_helpers();
	test_undecided();
	test_not_equivalent();
	test_not_equivalent_types();
	test_tracing();
	test_equiv_progs();
	return tap_finish();
}
