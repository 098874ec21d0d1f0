// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Tests for lib/semantics/interp.c: hand-written programs in verifier notation
 * covering every instruction class, the BPF corner cases (division by
 * zero, shift masking, sign extension, JMP32, BPF_END, atomics,
 * LD_ABS/LD_IND), the memory model and the helper models.  TAP output.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfext.h"

#include "asm.h"
#include "tap.h"

static int build(struct bpfext_linked_prog *lp, enum bpf_prog_type type,
		 const char *text)
{
	return asm_linked(lp, type, text);
}

/* Run @text with @ip; fills @out; returns the interpreter (caller frees). */
static struct bpfext_interp *run(struct bpfext_linked_prog *lp,
				 const struct bpfext_interp_input *ip,
				 struct bpfext_interp_output *out)
{
	struct bpfext_interp_input none = { 0 };
	struct bpfext_error err = { "" };
	struct bpfext_interp *in = bpfext_interp__new(lp, &err);

	if (!in) {
		printf("# interp__new: %s\n", err.msg);
		return NULL;
	}
	if (bpfext_interp__run(in, ip ? ip : &none, out)) {
		printf("# run failed\n");
		bpfext_interp__free(in);
		return NULL;
	}
	return in;
}

struct r0_case {
	const char *name;
	const char *text;
	uint64_t r0;
};

static const struct r0_case r0_cases[] = {
	/* ALU64, immediate and register */
	{ "add64", "r0 = 5;r0 += 7;r1 = 3;r0 += r1;exit", 15 },
	{ "sub64", "r0 = 5;r0 -= 7;exit", (uint64_t)-2 },
	{ "mul64", "r0 = 0x100000000;r1 = 3;r0 *= r1;exit", 0x300000000ull },
	{ "div64", "r0 = 100;r0 /= 7;exit", 14 },
	{ "div64 unsigned", "r0 = -1;r1 = 2;r0 /= r1;exit", 0x7fffffffffffffffull },
	{ "div64 by zero reg", "r0 = 7;r1 = 0;r0 /= r1;exit", 0 },
	{ "mod64", "r0 = 100;r0 %= 7;exit", 2 },
	{ "mod64 by zero keeps dst", "r0 = -5;r1 = 0;r0 %= r1;exit", (uint64_t)-5 },
	{ "or/and/xor64", "r0 = 0xf0;r0 |= 0xf;r0 &= 0x3c;r0 ^= 0x1;exit", 0x3d },
	{ "lsh64", "r0 = 1;r0 <<= 63;exit", 0x8000000000000000ull },
	{ "lsh64 masks reg amount", "r0 = 1;r1 = 65;r0 <<= r1;exit", 2 },
	{ "rsh64", "r0 = -1;r0 >>= 60;exit", 15 },
	{ "rsh64 masks", "r0 = 256;r1 = 68;r0 >>= r1;exit", 16 },
	{ "arsh64", "r0 = -16;r0 s>>= 2;exit", (uint64_t)-4 },
	{ "neg64", "r0 = 5;r0 = -r0;exit", (uint64_t)-5 },
	{ "mov64 imm sign-extends", "r0 = -1;exit", ~0ull },
	{ "add64 imm sign-extends", "r0 = 0;r0 += -1;exit", ~0ull },
	{ "ld_imm64", "r0 = 0x1122334455667788;exit", 0x1122334455667788ull },
	/* ALU32 */
	{ "alu32 zero-extends", "r0 = -1;w0 += 1;exit", 0 },
	{ "mov32 imm", "w0 = -1;exit", 0xffffffffull },
	{ "mov32 reg truncates", "r1 = -1;w0 = w1;exit", 0xffffffffull },
	{ "add32 imm", "r0 = 0;w0 += -1;exit", 0xffffffffull },
	{ "sub32 wraps", "w0 = 0;w0 -= 1;exit", 0xffffffffull },
	{ "mul32", "w0 = 0x10000;w0 *= w0;exit", 0 },
	{ "div32 by zero", "w0 = 9;w1 = 0;w0 /= w1;exit", 0 },
	{ "div32 uses low bits", "r0 = 0x100000010;w0 /= 4;exit", 4 },
	{ "mod32 by zero zero-extends", "r0 = -1;w1 = 0;w0 %= w1;exit", 0xffffffffull },
	{ "mod32", "w0 = 10;w1 = 3;w0 %= w1;exit", 1 },
	{ "lsh32 masks", "w0 = 1;w1 = 33;w0 <<= w1;exit", 2 },
	{ "rsh32", "r0 = -1;w0 >>= 28;exit", 15 },
	{ "arsh32", "w0 = -16;w0 s>>= 2;exit", 0xfffffffcull },
	{ "arsh32 masks", "w0 = -16;w1 = 34;w0 s>>= w1;exit", 0xfffffffcull },
	{ "neg32", "w0 = 1;w0 = -w0;exit", 0xffffffffull },
	{ "or32/and32/xor32", "r0 = -1;w0 &= 0xff;w0 |= 0x100;w0 ^= 0x1;exit", 0x1fe },
	/* BPF_END */
	{ "be16", "r0 = 0x1122334455667788;r0 = be16 r0;exit", 0x8877 },
	{ "be32", "r0 = 0x1122334455667788;r0 = be32 r0;exit", 0x88776655 },
	{ "be64", "r0 = 0x1122334455667788;r0 = be64 r0;exit", 0x8877665544332211ull },
	{ "le16", "r0 = 0x1122334455667788;r0 = le16 r0;exit", 0x7788 },
	{ "le32", "r0 = 0x1122334455667788;r0 = le32 r0;exit", 0x55667788 },
	{ "le64", "r0 = 0x1122334455667788;r0 = le64 r0;exit", 0x1122334455667788ull },
	/* JMP */
	{ "ja", "r0 = 1;goto pc+1;r0 = 2;exit", 1 },
	{ "jeq imm sign-extended", "r0 = 0xffffffff;if r0 == -1 goto pc+1;exit;r0 = 9;exit", 0xffffffff },
	{ "jeq32 imm", "r0 = 0xffffffff;if w0 == -1 goto pc+1;exit;r0 = 9;exit", 9 },
	{ "jne", "r0 = 1;r1 = 2;if r0 != r1 goto pc+1;exit;r0 = 7;exit", 7 },
	{ "jgt unsigned", "r0 = -1;if r0 > 5 goto pc+1;exit;r0 = 3;exit", 3 },
	{ "jsgt signed", "r0 = -1;if r0 s> 5 goto pc+2;r0 = 4;exit;r0 = 3;exit", 4 },
	{ "jge", "r0 = 5;if r0 >= 5 goto pc+1;exit;r0 = 8;exit", 8 },
	{ "jlt", "r0 = 4;if r0 < 5 goto pc+1;exit;r0 = 8;exit", 8 },
	{ "jle reg", "r0 = 5;r1 = 5;if r0 <= r1 goto pc+1;exit;r0 = 8;exit", 8 },
	{ "jslt", "r0 = -3;if r0 s< -2 goto pc+1;exit;r0 = 8;exit", 8 },
	{ "jsge", "r0 = -2;if r0 s>= -2 goto pc+1;exit;r0 = 8;exit", 8 },
	{ "jsle reg", "r0 = -9;r1 = 0;if r0 s<= r1 goto pc+1;exit;r0 = 8;exit", 8 },
	{ "jset", "r0 = 6;if r0 & 0x4 goto pc+1;exit;r0 = 8;exit", 8 },
	{ "jset not taken", "r0 = 6;if r0 & 0x1 goto pc+1;exit;r0 = 8;exit", 6 },
	{ "jmp32 ignores upper bits", "r0 = 0x100000001;if w0 == 1 goto pc+1;exit;r0 = 8;exit", 8 },
	{ "jmp32 signed", "r0 = 0x80000000;if w0 s< 0 goto pc+1;exit;r0 = 8;exit", 8 },
	{ "jmp64 signed same value", "r0 = 0x80000000;if r0 s< 0 goto pc+1;exit;r0 = 8;exit", 0x80000000 },
	{ "jgt32 reg", "r0 = 0x1ffffffff;r1 = 2;if w0 > w1 goto pc+1;exit;r0 = 8;exit", 8 },
	{ "jset32", "r0 = 0x100000000;if w0 & 0x1 goto pc+1;r0 = 5;exit", 5 },
	{ "backward loop", "r0 = 0;r1 = 10;r0 += r1;r1 -= 1;if r1 != 0 goto pc-3;exit", 55 },
	/* memory */
	{ "stack dw/w/h/b", "r1 = 0x1122334455667788;*(u64 *)(r10 -8) = r1;r0 = *(u32 *)(r10 -8);exit", 0x55667788 },
	{ "stack byte", "r1 = 0x1122334455667788;*(u64 *)(r10 -8) = r1;r0 = *(u8 *)(r10 -1);exit", 0x11 },
	{ "stack half", "r1 = 0x1122334455667788;*(u64 *)(r10 -8) = r1;r0 = *(u16 *)(r10 -6);exit", 0x5566 },
	{ "st imm sign-extends", "*(u64 *)(r10 -8) = -1;r0 = *(u64 *)(r10 -8);exit", ~0ull },
	{ "st imm w", "*(u64 *)(r10 -8) = 0;*(u32 *)(r10 -4) = -1;r0 = *(u64 *)(r10 -8);exit", 0xffffffff00000000ull },
	{ "st b h", "*(u16 *)(r10 -2) = 0x1234;*(u8 *)(r10 -2) = 0x56;r0 = *(u16 *)(r10 -2);exit", 0x1256 },
	/* atomics */
	{ "atomic add64", "r1 = 5;*(u64 *)(r10 -8) = r1;r2 = 3;lock *(u64 *)(r10 -8) += r2;r0 = *(u64 *)(r10 -8);exit", 8 },
	{ "atomic and32", "r1 = -1;*(u64 *)(r10 -8) = r1;w2 = 0xf0;lock *(u32 *)(r10 -8) &= r2;r0 = *(u64 *)(r10 -8);exit", 0xffffffff000000f0ull },
	{ "atomic or/xor", "*(u64 *)(r10 -8) = 1;r2 = 6;lock *(u64 *)(r10 -8) |= r2;r2 = 3;lock *(u64 *)(r10 -8) ^= r2;r0 = *(u64 *)(r10 -8);exit", 4 },
	{ "fetch_add returns old", "*(u64 *)(r10 -8) = 10;r0 = 5;r0 = atomic64_fetch_add((u64 *)(r10 -8), r0);r1 = *(u64 *)(r10 -8);r0 <<= 8;r0 += r1;exit", (10 << 8) + 15 },
	{ "fetch_and32 zero-extends", "r1 = -1;*(u64 *)(r10 -8) = r1;r2 = -1;r2 = atomic_fetch_and((u32 *)(r10 -8), r2);r0 = r2;exit", 0xffffffff },
	{ "fetch_or", "*(u64 *)(r10 -8) = 1;r3 = 2;r3 = atomic64_fetch_or((u64 *)(r10 -8), r3);r0 = *(u64 *)(r10 -8);r0 += r3;exit", 4 },
	{ "fetch_xor32", "*(u32 *)(r10 -4) = 3;r3 = 1;r3 = atomic_fetch_xor((u32 *)(r10 -4), r3);r0 = *(u32 *)(r10 -4);r0 <<= 4;r0 += r3;exit", 0x23 },
	{ "xchg64", "*(u64 *)(r10 -8) = 7;r2 = 9;r2 = atomic64_xchg((u64 *)(r10 -8), r2);r0 = *(u64 *)(r10 -8);r0 <<= 4;r0 += r2;exit", 0x97 },
	{ "xchg32", "*(u64 *)(r10 -8) = -1;r3 = 2;r3 = atomic_xchg((u32 *)(r10 -8), r3);r0 = r3;exit", 0xffffffff },
	{ "cmpxchg64 hit", "*(u64 *)(r10 -8) = 7;r0 = 7;r2 = 9;r0 = atomic64_cmpxchg((u64 *)(r10 -8), r0, r2);r1 = *(u64 *)(r10 -8);r0 <<= 4;r0 += r1;exit", 0x79 },
	{ "cmpxchg64 miss", "*(u64 *)(r10 -8) = 7;r0 = 6;r2 = 9;r0 = atomic64_cmpxchg((u64 *)(r10 -8), r0, r2);r1 = *(u64 *)(r10 -8);r0 <<= 4;r0 += r1;exit", 0x77 },
	{ "cmpxchg32 compares low bits", "*(u32 *)(r10 -4) = 7;r0 = 0x100000007;r2 = 9;r0 = atomic_cmpxchg((u32 *)(r10 -4), r0, r2);r1 = *(u32 *)(r10 -4);r0 <<= 4;r0 += r1;exit", 0x79 },
	/* bpf-to-bpf calls */
	{ "call", "r1 = 5;call pc+2;r0 += 1;exit;r0 = r1;r0 *= 3;exit", 16 },
	{ "call keeps r6-r9", "r6 = 1;call pc+2;r0 = r6;exit;r6 = 2;r0 = 0;exit", 1 },
	{ "call has own stack", "*(u64 *)(r10 -8) = 4;call pc+3;r0 = *(u64 *)(r10 -8);exit;exit;*(u64 *)(r10 -8) = 5;exit", 4 },
	{ "nested calls", "r1 = 1;call pc+2;exit;exit;r1 += 1;call pc+2;r0 = r1;exit;r1 *= 10;exit", 20 },
};

static void test_r0_cases(void)
{
	size_t i;

	for (i = 0; i < sizeof(r0_cases) / sizeof(r0_cases[0]); i++) {
		const struct r0_case *c = &r0_cases[i];
		struct bpfext_linked_prog lp;
		struct bpfext_interp_output out;
		struct bpfext_interp *in = NULL;

		if (!build(&lp, BPF_PROG_TYPE_SCHED_CLS, c->text))
			in = run(&lp, NULL, &out);
		ok(in && out.status == BPFEXT_INTERP_EXIT && out.r0 == c->r0,
		   "%s: r0 = 0x%llx (want 0x%llx)%s%s", c->name,
		   in ? (unsigned long long)out.r0 : 0ull,
		   (unsigned long long)c->r0,
		   in && out.status == BPFEXT_INTERP_FAULT ? " fault: " : "",
		   in && out.status == BPFEXT_INTERP_FAULT ? out.fault : "");
		bpfext_interp__free(in);
		bpfext_linked_prog__free(&lp);
	}
}

static const struct {
	const char *name;
	enum bpf_prog_type type;
	const char *text;
} fault_cases[] = {
	{ "stack above r10", BPF_PROG_TYPE_XDP, "r0 = *(u64 *)(r10 +0);exit" },
	{ "stack below frame", BPF_PROG_TYPE_XDP, "r0 = *(u8 *)(r10 -513);exit" },
	{ "null deref", BPF_PROG_TYPE_XDP, "r1 = 0;r0 = *(u32 *)(r1 +0);exit" },
	{ "scalar deref", BPF_PROG_TYPE_XDP, "r1 = 0x12345678;r0 = *(u32 *)(r1 +0);exit" },
	{ "packet past data_end", BPF_PROG_TYPE_XDP,
	  "r2 = *(u32 *)(r1 +4);r0 = *(u8 *)(r2 +0);exit" },
	{ "xdp ctx write", BPF_PROG_TYPE_XDP, "*(u32 *)(r1 +0) = 0;r0 = 0;exit" },
	{ "xdp ctx 8-byte read", BPF_PROG_TYPE_XDP, "r0 = *(u64 *)(r1 +0);exit" },
	{ "xdp ctx past end", BPF_PROG_TYPE_XDP, "r0 = *(u32 *)(r1 +24);exit" },
	{ "skb write to len", BPF_PROG_TYPE_SCHED_CLS, "*(u32 *)(r1 +0) = 0;r0 = 0;exit" },
	{ "infinite loop hits budget", BPF_PROG_TYPE_XDP, "r0 = 0;goto pc-1;exit" },
	{ "unmodelled helper", BPF_PROG_TYPE_XDP, "call bpf_get_current_pid_tgid#14;exit" },
	{ "lookup with bad key", BPF_PROG_TYPE_XDP,
	  "r1 = map[idx:0];r2 = 0;call bpf_map_lookup_elem#1;r0 = 0;exit" },
	{ "write to .rodata", BPF_PROG_TYPE_XDP,
	  "r1 = map[idx:1][0]+0;*(u8 *)(r1 +0) = 1;r0 = 0;exit" },
	{ "read past map value", BPF_PROG_TYPE_XDP,
	  "r1 = map[idx:1][0]+8;r0 = *(u8 *)(r1 +0);exit" },
	{ "call depth", BPF_PROG_TYPE_XDP, "call pc-1;exit" },
};

static void test_faults(void)
{
	size_t i;

	for (i = 0; i < sizeof(fault_cases) / sizeof(fault_cases[0]); i++) {
		struct bpfext_linked_prog lp;
		struct bpfext_interp_output out;
		struct bpfext_interp *in = NULL;
		static const uint8_t pkt[64];
		struct bpfext_interp_input ip = { .pkt = pkt, .pkt_len = 60 };

		if (!build(&lp, fault_cases[i].type, fault_cases[i].text)) {
			asm_add_map(&lp, BPF_MAP_TYPE_HASH, 4, 8, 16);
			asm_add_map(&lp, BPF_MAP_TYPE_ARRAY, 4, 8, 1);
			lp.maps[1].rdonly_prog = true;
			in = run(&lp, &ip, &out);
		}
		ok(in && out.status == BPFEXT_INTERP_FAULT,
		   "fault: %s (%s)", fault_cases[i].name, in ? out.fault : "-");
		bpfext_interp__free(in);
		bpfext_linked_prog__free(&lp);
	}
}

/* An Ethernet + IPv4 + UDP packet. */
static void make_pkt(uint8_t *p, uint32_t *len)
{
	static const uint8_t hdr[] = {
		0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99,
		0xaa, 0xbb, 0x08, 0x00,
		0x45, 0x00, 0x00, 0x24, 0x12, 0x34, 0x40, 0x00, 0x40, 0x11,
		0x00, 0x00, 10, 0, 0, 1, 10, 0, 0, 2,
		0x30, 0x39, 0x00, 0x35, 0x00, 0x10, 0x00, 0x00,
		'h', 'e', 'l', 'l', 'o', '!', '!', '!',
	};
	uint32_t s = 0;
	int i;

	memcpy(p, hdr, sizeof(hdr));
	for (i = 0; i < 20; i += 2)
		s += (p[14 + i] << 8) | p[15 + i];
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	s = ~s & 0xffff;
	p[24] = s >> 8;
	p[25] = s & 0xff;
	*len = sizeof(hdr);
}

static int ip_csum_ok(const uint8_t *ip)
{
	uint32_t s = 0;
	int i;

	for (i = 0; i < 20; i += 2)
		s += (ip[i] << 8) | ip[i + 1];
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s == 0xffff;
}

static struct bpfext_interp *run_text(struct bpfext_linked_prog *lp,
				      enum bpf_prog_type type, const char *text,
				      const struct bpfext_interp_input *ip,
				      struct bpfext_interp_output *out)
{
	if (build(lp, type, text))
		return NULL;
	return run(lp, ip, out);
}

static void test_packets(void)
{
	struct bpfext_linked_prog lp;
	struct bpfext_interp_output out;
	struct bpfext_interp *in;
	struct bpfext_interp_input ip = { 0 };
	uint8_t pkt[128];
	uint32_t len;

	make_pkt(pkt, &len);
	ip.pkt = pkt;
	ip.pkt_len = len;

	/* XDP: bounds-checked read of the ethertype */
	in = run_text(&lp, BPF_PROG_TYPE_XDP,
		      "r2 = *(u32 *)(r1 +0);r3 = *(u32 *)(r1 +4);r4 = r2;r4 += 14;"
		      "if r4 > r3 goto pc+2;r0 = *(u16 *)(r2 +12);exit;r0 = 1;exit",
		      &ip, &out);
	ok(in && out.status == BPFEXT_INTERP_EXIT && out.r0 == 0x0008,
	   "xdp: ethertype read through data/data_end");
	bpfext_interp__free(in);
	bpfext_linked_prog__free(&lp);

	/* XDP: write to the packet shows in the output */
	in = run_text(&lp, BPF_PROG_TYPE_XDP,
		      "r2 = *(u32 *)(r1 +0);r3 = *(u32 *)(r1 +4);r4 = r2;r4 += 14;"
		      "if r4 > r3 goto pc+2;*(u8 *)(r2 +0) = 0xab;r0 = 3;exit",
		      &ip, &out);
	ok(in && out.r0 == 3 && out.pkt_len == len && out.pkt[0] == 0xab &&
	   !memcmp(out.pkt + 1, pkt + 1, len - 1), "xdp: packet write");
	bpfext_interp__free(in);
	bpfext_linked_prog__free(&lp);

	/* xdp_md fields */
	in = run_text(&lp, BPF_PROG_TYPE_XDP,
		      "r0 = *(u32 *)(r1 +12);r2 = *(u32 *)(r1 +16);r0 += r2;exit",
		      &ip, &out);
	ok(in && out.r0 == 1, "xdp: ingress_ifindex defaults to lo");
	bpfext_interp__free(in);
	bpfext_linked_prog__free(&lp);

	/* adjust_head: pop the Ethernet header */
	in = run_text(&lp, BPF_PROG_TYPE_XDP,
		      "r6 = r1;r2 = 14;call bpf_xdp_adjust_head#44;if r0 != 0 goto pc+5;"
		      "r2 = *(u32 *)(r6 +0);r3 = *(u32 *)(r6 +4);r0 = r3;r0 -= r2;exit;"
		      "r0 = -1;exit", &ip, &out);
	ok(in && out.r0 == len - 14 && out.pkt_len == len - 14 &&
	   !memcmp(out.pkt, pkt + 14, len - 14) && out.head_delta == 14,
	   "xdp_adjust_head +14");
	bpfext_interp__free(in);
	bpfext_linked_prog__free(&lp);

	in = run_text(&lp, BPF_PROG_TYPE_XDP,
		      "r6 = r1;r2 = -217;call bpf_xdp_adjust_head#44;r7 = r0;"
		      "r1 = r6;r2 = -216;call bpf_xdp_adjust_head#44;r0 += r7;exit",
		      &ip, &out);
	ok(in && out.r0 == (uint64_t)-EINVAL && out.pkt_len == len + 216,
	   "xdp_adjust_head limits (headroom minus xdp_frame)");
	bpfext_interp__free(in);
	bpfext_linked_prog__free(&lp);

	in = run_text(&lp, BPF_PROG_TYPE_XDP,
		      "r6 = r1;r2 = 4;call bpf_xdp_adjust_tail#65;r0 = 0;exit",
		      &ip, &out);
	ok(in && out.pkt_len == len + 4 && !out.pkt[len], "xdp_adjust_tail grows with zeroes");
	bpfext_interp__free(in);
	bpfext_linked_prog__free(&lp);

	/* socket filter: LD_ABS is relative to the network header */
	in = run_text(&lp, BPF_PROG_TYPE_SOCKET_FILTER,
		      "r6 = r1;r0 = *(u8 *)skb[9];exit", &ip, &out);
	ok(in && out.r0 == 0x11, "ld_abs: socket filter starts at the IP header");
	ok(in && out.pkt_len == len && out.pkt[0] == 0 && out.pkt[13] == 0 &&
	   out.pkt[14] == 0x45, "socket filter output zeroes the MAC header");
	bpfext_interp__free(in);
	bpfext_linked_prog__free(&lp);

	in = run_text(&lp, BPF_PROG_TYPE_SCHED_CLS,
		      "r6 = r1;r0 = *(u16 *)skb[12];r7 = r0;r2 = 26;r0 = *(u32 *)skb[r2 + 4];"
		      "r0 += r7;exit", &ip, &out);
	ok(in && out.r0 == 0x0800 + 0x0a000002, "ld_abs/ld_ind big endian at L2 for tc");
	bpfext_interp__free(in);
	bpfext_linked_prog__free(&lp);

	in = run_text(&lp, BPF_PROG_TYPE_SCHED_CLS,
		      "r6 = r1;r0 = 5;r0 = *(u32 *)skb[48];r0 = 7;exit", &ip, &out);
	ok(in && out.status == BPFEXT_INTERP_EXIT && out.r0 == 0,
	   "ld_abs out of bounds returns 0");
	bpfext_interp__free(in);
	bpfext_linked_prog__free(&lp);

	in = run_text(&lp, BPF_PROG_TYPE_SOCKET_FILTER,
		      "r6 = r1;r0 = *(u16 *)skb[-2097140];exit", &ip, &out);
	ok(in && out.r0 == 0x0800, "ld_abs SKF_LL_OFF reaches the MAC header");
	bpfext_interp__free(in);
	bpfext_linked_prog__free(&lp);

	/* __sk_buff fields */
	in = run_text(&lp, BPF_PROG_TYPE_SCHED_CLS,
		      "r0 = *(u32 *)(r1 +0);r2 = *(u32 *)(r1 +16);r0 <<= 16;r0 |= r2;exit",
		      &ip, &out);
	ok(in && out.r0 == ((uint64_t)len << 16 | 0x0008), "skb len and protocol");
	bpfext_interp__free(in);
	bpfext_linked_prog__free(&lp);

	in = run_text(&lp, BPF_PROG_TYPE_SCHED_CLS,
		      "*(u32 *)(r1 +8) = 42;r0 = *(u32 *)(r1 +8);exit", &ip, &out);
	ok(in && out.r0 == 42 && out.ctx[8] == 42, "skb mark is writable");
	bpfext_interp__free(in);
	bpfext_linked_prog__free(&lp);

	/* skb_load_bytes */
	in = run_text(&lp, BPF_PROG_TYPE_SCHED_CLS,
		      "r2 = 42;r3 = r10;r3 += -8;r4 = 5;call bpf_skb_load_bytes#26;"
		      "r6 = r0;r0 = *(u8 *)(r10 -4);r0 <<= 8;r0 |= r6;exit", &ip, &out);
	ok(in && out.r0 == ('o' << 8), "skb_load_bytes copies");
	bpfext_interp__free(in);
	bpfext_linked_prog__free(&lp);

	in = run_text(&lp, BPF_PROG_TYPE_SCHED_CLS,
		      "*(u64 *)(r10 -8) = -1;r2 = 48;r3 = r10;r3 += -8;r4 = 4;"
		      "call bpf_skb_load_bytes#26;r1 = *(u32 *)(r10 -8);r0 += r1;exit",
		      &ip, &out);
	ok(in && out.r0 == (uint64_t)-EFAULT, "skb_load_bytes out of bounds zeroes and fails");
	bpfext_interp__free(in);
	bpfext_linked_prog__free(&lp);

	/* l3_csum_replace after rewriting the TTL/protocol word */
	in = run_text(&lp, BPF_PROG_TYPE_SCHED_CLS,
		      "r6 = r1;r2 = *(u32 *)(r6 +76);r3 = *(u32 *)(r6 +80);r4 = r2;r4 += 34;"
		      "if r4 > r3 goto pc+9;r7 = *(u16 *)(r2 +22);r8 = r7;r8 &= 0xff00;r8 |= 0x20;"
		      "*(u16 *)(r2 +22) = r8;r1 = r6;r2 = 24;r3 = r7;r4 = r8;r5 = 2;"
		      "call bpf_l3_csum_replace#10;exit;r0 = -1;exit", &ip, &out);
	ok(in && out.r0 == 0 && out.pkt[22] == 0x20 && ip_csum_ok(out.pkt + 14),
	   "l3_csum_replace (2 bytes) keeps the IPv4 checksum valid");
	bpfext_interp__free(in);
	bpfext_linked_prog__free(&lp);

	in = run_text(&lp, BPF_PROG_TYPE_SCHED_CLS,
		      "r6 = r1;r2 = *(u32 *)(r6 +76);r3 = *(u32 *)(r6 +80);r4 = r2;r4 += 34;"
		      "if r4 > r3 goto pc+9;r7 = *(u32 *)(r2 +26);r8 = 0x0101a8c0;"
		      "*(u32 *)(r2 +26) = r8;r1 = r6;r2 = 24;r3 = r7;r4 = r8;r5 = 4;"
		      "call bpf_l3_csum_replace#10;r0 = 0;exit;r0 = -1;exit", &ip, &out);
	ok(in && out.r0 == 0 && out.pkt[26] == 0xc0 && ip_csum_ok(out.pkt + 14),
	   "l3_csum_replace (4 bytes) keeps the IPv4 checksum valid");
	bpfext_interp__free(in);
	bpfext_linked_prog__free(&lp);

	/* csum_diff of the old and new address, folded into the header */
	in = run_text(&lp, BPF_PROG_TYPE_SCHED_CLS,
		      "r6 = r1;r2 = *(u32 *)(r6 +76);r3 = *(u32 *)(r6 +80);r4 = r2;r4 += 34;"
		      "if r4 > r3 goto pc+14;r7 = *(u32 *)(r2 +26);*(u32 *)(r10 -4) = r7;"
		      "r8 = 0x0101a8c0;*(u32 *)(r10 -8) = r8;*(u32 *)(r2 +26) = r8;"
		      "r1 = r10;r1 += -4;r2 = 4;r3 = r10;r3 += -8;r4 = 4;r5 = 0;"
		      "call bpf_csum_diff#28;r4 = r0;r1 = r6;r2 = 24;r3 = 0;r5 = 0;"
		      "call bpf_l3_csum_replace#10;exit", &ip, &out);
	ok(in && out.r0 == 0 && ip_csum_ok(out.pkt + 14),
	   "csum_diff + l3_csum_replace by diff");
	bpfext_interp__free(in);
	bpfext_linked_prog__free(&lp);

	in = run_text(&lp, BPF_PROG_TYPE_SCHED_CLS,
		      "r1 = r10;r1 += -4;r2 = 3;r3 = 0;r4 = 0;r5 = 0;call bpf_csum_diff#28;exit",
		      &ip, &out);
	ok(in && out.r0 == (uint64_t)-EINVAL, "csum_diff rejects sizes not multiple of 4");
	bpfext_interp__free(in);
	bpfext_linked_prog__free(&lp);

	/* redirect */
	in = run_text(&lp, BPF_PROG_TYPE_XDP,
		      "r1 = 7;r2 = 0;call bpf_redirect#23;exit", &ip, &out);
	ok(in && out.r0 == XDP_REDIRECT && out.redirect && out.redirect_ifindex == 7 &&
	   out.redirect_map == -1, "xdp redirect");
	bpfext_interp__free(in);
	bpfext_linked_prog__free(&lp);

	in = run_text(&lp, BPF_PROG_TYPE_XDP,
		      "r1 = 7;r2 = 1;call bpf_redirect#23;exit", &ip, &out);
	ok(in && out.r0 == XDP_ABORTED && !out.redirect, "xdp redirect with flags aborts");
	bpfext_interp__free(in);
	bpfext_linked_prog__free(&lp);

	in = run_text(&lp, BPF_PROG_TYPE_SCHED_CLS,
		      "r1 = 3;r2 = 1;call bpf_redirect#23;exit", &ip, &out);
	ok(in && out.r0 == 7 && out.redirect && out.redirect_flags == 1,
	   "tc redirect to ingress");
	bpfext_interp__free(in);
	bpfext_linked_prog__free(&lp);

	/* tc: ctx writes and output */
	ip.pkt = pkt;
}

static void test_maps(void)
{
	struct bpfext_linked_prog lp;
	struct bpfext_interp_output out;
	struct bpfext_interp *in = NULL;
	struct bpfext_interp_input ip = { 0 };
	const uint8_t *k, *v;
	uint8_t key[4] = { 5, 0, 0, 0 }, val[8] = { 9 };
	struct bpfext_interp_kv kv = { 0, key, val };
	static const uint8_t pkt[60];

	ip.pkt = pkt;
	ip.pkt_len = sizeof(pkt);
	/* hash: miss, update, hit, delete */
	if (!build(&lp, BPF_PROG_TYPE_XDP,
		   "*(u32 *)(r10 -4) = 5;r1 = map[idx:0];r2 = r10;r2 += -4;"
		   "call bpf_map_lookup_elem#1;if r0 != 0 goto pc+11;"
		   "*(u64 *)(r10 -16) = 77;r1 = map[idx:0];r2 = r10;r2 += -4;r3 = r10;r3 += -16;"
		   "r4 = 0;call bpf_map_update_elem#2;r0 = 1;exit;"
		   "r1 = *(u64 *)(r0 +0);r1 += 1;*(u64 *)(r0 +0) = r1;r0 = 2;exit")) {
		asm_add_map(&lp, BPF_MAP_TYPE_HASH, 4, 8, 16);
		in = run(&lp, &ip, &out);
	}
	ok(in && out.r0 == 1 && bpfext_interp__map_entry_cnt(in, 0) == 1 &&
	   !bpfext_interp__map_entry(in, 0, 0, &k, &v) && k[0] == 5 && v[0] == 77,
	   "hash: miss then update");
	if (in) {
		ip.entries = &kv;
		ip.nr_entries = 1;
		ok(!bpfext_interp__run(in, &ip, &out) && out.r0 == 2 &&
		   !bpfext_interp__map_entry(in, 0, 0, &k, &v) && v[0] == 10,
		   "hash: input entry found and incremented in place");
		ip.entries = NULL;
		ip.nr_entries = 0;
		ok(!bpfext_interp__run(in, &ip, &out) && out.r0 == 1,
		   "hash: state reset between runs");
	}
	bpfext_interp__free(in);
	bpfext_linked_prog__free(&lp);

	/* update flags and delete */
	in = NULL;
	if (!build(&lp, BPF_PROG_TYPE_XDP,
		   "*(u32 *)(r10 -4) = 5;*(u64 *)(r10 -16) = 1;"
		   "r1 = map[idx:0];r2 = r10;r2 += -4;r3 = r10;r3 += -16;r4 = 2;"
		   "call bpf_map_update_elem#2;r6 = r0;r6 &= 0xff;"
		   "r1 = map[idx:0];r2 = r10;r2 += -4;r3 = r10;r3 += -16;r4 = 1;"
		   "call bpf_map_update_elem#2;"
		   "r1 = map[idx:0];r2 = r10;r2 += -4;r3 = r10;r3 += -16;r4 = 1;"
		   "call bpf_map_update_elem#2;r0 &= 0xff;r0 <<= 8;r6 |= r0;"
		   "r1 = map[idx:0];r2 = r10;r2 += -4;call bpf_map_delete_elem#3;r7 = r0;"
		   "r1 = map[idx:0];r2 = r10;r2 += -4;call bpf_map_delete_elem#3;"
		   "r0 &= 0xff;r0 <<= 16;r6 |= r0;r0 = r6;exit")) {
		asm_add_map(&lp, BPF_MAP_TYPE_HASH, 4, 8, 16);
		in = run(&lp, &ip, &out);
	}
	ok(in && out.r0 == ((uint64_t)(uint8_t)-ENOENT | (uint8_t)-EEXIST << 8 |
			    (uint8_t)-ENOENT << 16) &&
	   bpfext_interp__map_entry_cnt(in, 0) == 0,
	   "hash: BPF_EXIST, BPF_NOEXIST and delete results");
	bpfext_interp__free(in);
	bpfext_linked_prog__free(&lp);

	/* array: lookup in and out of range, delete fails, global data */
	in = NULL;
	if (!build(&lp, BPF_PROG_TYPE_XDP,
		   "*(u32 *)(r10 -4) = 3;r1 = map[idx:0];r2 = r10;r2 += -4;"
		   "call bpf_map_lookup_elem#1;if r0 == 0 goto pc+13;"
		   "lock *(u64 *)(r0 +0) += r10;*(u64 *)(r0 +0) = 6;"
		   "*(u32 *)(r10 -4) = 4;r1 = map[idx:0];r2 = r10;r2 += -4;"
		   "call bpf_map_lookup_elem#1;if r0 != 0 goto pc+4;"
		   "r0 = map[idx:1][0]+4;r0 = *(u32 *)(r0 +0);exit;r0 = -1;exit")) {
		asm_add_map(&lp, BPF_MAP_TYPE_ARRAY, 4, 8, 4);
		asm_add_map(&lp, BPF_MAP_TYPE_ARRAY, 4, 8, 1);
		lp.maps[1].is_data = true;
		lp.maps[1].init = calloc(1, 8);
		if (lp.maps[1].init)
			lp.maps[1].init[4] = 0x42;
		in = run(&lp, &ip, &out);
	}
	ok(in && out.status == BPFEXT_INTERP_EXIT && out.r0 == 0x42 &&
	   bpfext_interp__map_entry_cnt(in, 0) == 1 &&
	   !bpfext_interp__map_entry(in, 0, 0, &k, &v) && k[0] == 3 && v[0] == 6,
	   "array: in-range element, out-of-range NULL, global data initial value");
	bpfext_interp__free(in);
	bpfext_linked_prog__free(&lp);

	/* helper streams */
	{
		static const uint64_t rnd[] = { 0x100000005ull, 7 };
		static const uint64_t kt[] = { 1000 };

		ip.prandom = rnd;
		ip.nr_prandom = 2;
		ip.ktime = kt;
		ip.nr_ktime = 1;
		ip.cpu = 3;
		in = run_text(&lp, BPF_PROG_TYPE_XDP,
			      "call bpf_get_prandom_u32#7;r6 = r0;call bpf_get_prandom_u32#7;"
			      "r6 += r0;call bpf_get_prandom_u32#7;r6 += r0;call bpf_ktime_get_ns#5;"
			      "r6 += r0;call bpf_ktime_get_ns#5;r6 += r0;"
			      "call bpf_get_smp_processor_id#8;r0 += r6;exit", &ip, &out);
		ok(in && out.r0 == 5 + 7 + 7 + 1000 + 1000 + 3,
		   "prandom (u32), ktime and cpu streams");
		bpfext_interp__free(in);
		bpfext_linked_prog__free(&lp);
		memset(&ip, 0, sizeof(ip));
		ip.pkt = pkt;
		ip.pkt_len = sizeof(pkt);
	}

	/* tail call: empty prog array falls through; full one exits */
	in = NULL;
	if (!build(&lp, BPF_PROG_TYPE_XDP,
		   "r0 = 5;r2 = map[idx:0];r3 = 1;call bpf_tail_call#12;r0 = 9;exit")) {
		asm_add_map(&lp, BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4);
		in = run(&lp, &ip, &out);
	}
	ok(in && out.status == BPFEXT_INTERP_EXIT && out.r0 == 9,
	   "tail_call to an empty slot falls through");
	if (in) {
		ip.tail_call_ok = true;
		ok(!bpfext_interp__run(in, &ip, &out) &&
		   out.status == BPFEXT_INTERP_TAIL_CALL && out.tail_call_index == 1,
		   "tail_call exits with its target");
		ip.tail_call_ok = false;
	}
	bpfext_interp__free(in);
	bpfext_linked_prog__free(&lp);

	/* redirect_map: miss returns the flags' action, hit redirects */
	in = NULL;
	if (!build(&lp, BPF_PROG_TYPE_XDP,
		   "r1 = map[idx:0];r2 = 5;r3 = 2;call bpf_redirect_map#51;exit")) {
		asm_add_map(&lp, BPF_MAP_TYPE_DEVMAP, 4, 4, 8);
		in = run(&lp, &ip, &out);
	}
	ok(in && out.r0 == XDP_PASS && !out.redirect, "redirect_map miss returns flags action");
	if (in) {
		uint8_t ifx[4] = { 3 };

		kv.map = 0;
		kv.key = key;
		kv.value = ifx;
		ip.entries = &kv;
		ip.nr_entries = 1;
		ok(!bpfext_interp__run(in, &ip, &out) && out.r0 == XDP_REDIRECT &&
		   out.redirect && out.redirect_map == 0 && out.redirect_ifindex == 5,
		   "redirect_map hit");
		ip.entries = NULL;
		ip.nr_entries = 0;
	}
	bpfext_interp__free(in);
	bpfext_linked_prog__free(&lp);

	/* perf_event_output */
	in = NULL;
	if (!build(&lp, BPF_PROG_TYPE_XDP,
		   "*(u64 *)(r10 -8) = 1;r2 = map[idx:0];r3 = 0xffffffff ll;r4 = r10;r4 += -8;"
		   "r5 = 8;call bpf_perf_event_output#25;exit")) {
		asm_add_map(&lp, BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 4);
		in = run(&lp, &ip, &out);
	}
	ok(in && out.r0 == (uint64_t)-ENOENT && !out.perf_events,
	   "perf_event_output without a listener");
	if (in) {
		ip.perf_ok = true;
		ok(!bpfext_interp__run(in, &ip, &out) && out.r0 == 0 &&
		   out.perf_events == 1, "perf_event_output records the event");
		ip.perf_ok = false;
	}
	bpfext_interp__free(in);
	bpfext_linked_prog__free(&lp);
}

static void test_cmp(void)
{
	struct bpfext_linked_prog la, lb;
	struct bpfext_interp_output oa, ob;
	struct bpfext_interp *a = NULL, *b = NULL;
	static const uint8_t pkt[60];
	struct bpfext_interp_input ip = { .pkt = pkt, .pkt_len = 60 };
	char why[128];

	a = run_text(&la, BPF_PROG_TYPE_XDP, "r0 = 2;r0 <<= 1;exit", &ip, &oa);
	b = run_text(&lb, BPF_PROG_TYPE_XDP, "r0 = 2;r0 += r0;exit", &ip, &ob);
	ok(a && b && bpfext_interp__cmp(a, &oa, b, &ob, why, sizeof(why)) == 0,
	   "cmp: equal outcomes");
	bpfext_interp__free(b);
	bpfext_linked_prog__free(&lb);
	b = run_text(&lb, BPF_PROG_TYPE_XDP, "r0 = 2;r0 += 1;exit", &ip, &ob);
	ok(a && b && bpfext_interp__cmp(a, &oa, b, &ob, why, sizeof(why)) == 1 &&
	   strstr(why, "r0"), "cmp: r0 differs (%s)", why);
	bpfext_interp__free(a);
	bpfext_interp__free(b);
	bpfext_linked_prog__free(&la);
	bpfext_linked_prog__free(&lb);
}

int main(void)
{
	test_r0_cases();
	test_faults();
	test_packets();
	test_maps();
	test_cmp();
	return tap_finish();
}
