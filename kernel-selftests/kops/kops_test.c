// SPDX-License-Identifier: GPL-2.0
/*
 * Kops / EInsn selftest, run as /init of a QEMU initramfs (or as a normal
 * program on a Kops kernel).  Output is kselftest TAP.
 *
 * For every EInsn op: programs using it load, the JIT image holds the
 * native instruction, and results over many inputs (edge values included)
 * equal those of the same program JITed with native emits disabled and of
 * the interpreter.  Rejections are checked by their verifier messages.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kops_util.h"

#define CTX_SIZE	256
#define NR_INPUTS	200
#define MAX_INSNS	128

static int run(int fd, void *ctx, uint32_t *retval)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = fd;
	attr.test.ctx_in = (uintptr_t)ctx;
	attr.test.ctx_size_in = CTX_SIZE;
	if (sys_bpf(BPF_PROG_TEST_RUN, &attr))
		return -errno;
	*retval = attr.test.retval;
	return 0;
}

static int run_skb(int fd, void *data, uint32_t size, uint32_t *retval)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = fd;
	attr.test.data_in = (uintptr_t)data;
	attr.test.data_size_in = size;
	attr.test.repeat = 1;
	if (sys_bpf(BPF_PROG_TEST_RUN, &attr))
		return -errno;
	*retval = attr.test.retval;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Program builder: inputs in ctx[0..7], outputs in ctx[8..15]         */

static const int io_regs[] = { 0, 2, 3, 4, 5, 7, 8, 9 };

static int build_prog(const struct kops_use *u, int nuses, struct bpf_insn *insns)
{
	unsigned int clobber = 0, cl;
	int n = 0, i;

	insns[n++] = MOV64_REG(6, 1);
	for (i = 0; i < 8; i++)
		insns[n++] = LDX_MEM(BPF_DW, io_regs[i], 6, 8 * i);
	for (i = 0; i < nuses; i++) {
		n += kops_emit(&u[i], insns + n, &cl);
		clobber |= cl;
	}
	for (i = 0; i < 8; i++)
		if (!(clobber & (1u << io_regs[i])))
			insns[n++] = STX_MEM(BPF_DW, 6, io_regs[i], 64 + 8 * i);
	insns[n++] = MOV64_IMM(0, 0);
	insns[n++] = EXIT_INSN();
	return n;
}

static uint64_t rng_state = 0x2545f4914f6cdd1dULL;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static const uint64_t edges[] = {
	0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff,
	0x7fffffffULL, 0x80000000ULL, 0xffffffffULL, 0x100000000ULL,
	0x7fffffffffffffffULL, 0x8000000000000000ULL, 0xffffffffffffffffULL,
	0xfffffffffffffffeULL, 0x8000000080000000ULL, 0x0123456789abcdefULL,
};

static void gen_input(uint64_t *ctx, int iter)
{
	int i;

	for (i = 0; i < CTX_SIZE / 8; i++) {
		switch (rnd() % 4) {
		case 0:
			ctx[i] = edges[(iter + i) % (sizeof(edges) / sizeof(edges[0]))];
			break;
		case 1:
			ctx[i] = i ? ctx[rnd() % i] : 0;	/* equal operands */
			break;
		default:
			ctx[i] = rnd();
		}
	}
	if (iter < (int)(sizeof(edges) / sizeof(edges[0]))) {
		for (i = 0; i < 8; i++)
			ctx[i] = edges[(iter + i) % (sizeof(edges) / sizeof(edges[0]))];
	}
}

static uint8_t img[65536];

/*
 * Load @u with native emits, with native emits off and interpreted; check
 * the native bytes and that all three agree over NR_INPUTS inputs.
 */
static void check_op(const char *name, const struct kops_use *u, int nuses)
{
	struct bpf_insn insns[MAX_INSNS];
	uint8_t pat[512];
	int fds[3], n, plen, len, i, m, ok = 1, here;
	uint64_t ctx[3][CTX_SIZE / 8], in[CTX_SIZE / 8];
	uint32_t ret = 0;

	n = build_prog(u, nuses, insns);
	set_jit(1);
	set_native(1);
	fds[0] = load(insns, n, BPF_PROG_TYPE_SYSCALL);
	set_native(0);
	fds[1] = load(insns, n, BPF_PROG_TYPE_SYSCALL);
	set_native(1);
	set_jit(0);
	fds[2] = load(insns, n, BPF_PROG_TYPE_SYSCALL);
	set_jit(1);
	if (fds[0] < 0 || fds[1] < 0 || fds[2] < 0) {
		tap(0, "%s: load (%d %d %d)", name, fds[0], fds[1], fds[2]);
		diag(vlog);
		for (i = 0; i < 3; i++)
			if (fds[i] >= 0)
				close(fds[i]);
		return;
	}
	tap(1, "%s: loads (jit native, jit proof, interpreter)", name);

	plen = expected_native(&u[0], pat);
	here = plen > 0;
	len = jited(fds[0], img, sizeof(img));
	if (plen > 0) {
		ok = len > 0 && contains(img, len, pat, plen);
		tap(ok, "%s: jit image has the native instruction", name);
	}
	/* the native pattern, had the CPU the feature */
	ignore_features = 1;
	plen = expected_native(&u[0], pat);
	ignore_features = 0;
	if (!here)
		tap(len > 0 && !contains(img, len, pat, plen),
		    "%s: no native emit on this CPU: proof sequence jitted", name);
	len = jited(fds[1], img, sizeof(img));
	tap(len > 0 && !contains(img, len, pat, plen),
	    "%s: native emits off: proof sequence jitted", name);
	len = jited(fds[2], img, sizeof(img));
	tap(len == 0, "%s: jit off: interpreted", name);

	ok = 1;
	for (i = 0; i < NR_INPUTS && ok; i++) {
		gen_input(in, i);
		for (m = 0; m < 3; m++) {
			memcpy(ctx[m], in, sizeof(in));
			if (run(fds[m], ctx[m], &ret) || ret) {
				ok = 0;
				printf("# run failed mode %d\n", m);
			}
		}
		if (memcmp(ctx[0], ctx[1], sizeof(ctx[0])) ||
		    memcmp(ctx[0], ctx[2], sizeof(ctx[0]))) {
			ok = 0;
			printf("# mismatch at input %d\n", i);
			for (m = 0; m < CTX_SIZE / 8; m++) {
				if (ctx[0][m] == ctx[1][m] && ctx[0][m] == ctx[2][m])
					continue;
				printf("#  ctx[%d] native %016llx proof %016llx interp %016llx\n",
				       m, (unsigned long long)ctx[0][m],
				       (unsigned long long)ctx[1][m],
				       (unsigned long long)ctx[2][m]);
			}
		}
	}
	tap(ok, "%s: native == jitted proof == interpreter over %d inputs",
	    name, NR_INPUTS);
	for (i = 0; i < 3; i++)
		close(fds[i]);
}

/* Reference semantics, to check the proof sequences themselves */
static int check_reference(const char *name, const struct kops_use *u,
			   uint64_t (*ref)(const struct kops_use *, const uint64_t *))
{
	struct bpf_insn insns[MAX_INSNS];
	uint64_t ctx[CTX_SIZE / 8], in[CTX_SIZE / 8];
	int fd, n, i, ok = 1, di = -1;
	uint32_t ret = 0;

	for (i = 0; i < 8; i++)
		if (io_regs[i] == u->d)
			di = i;
	n = build_prog(u, 1, insns);
	fd = load(insns, n, BPF_PROG_TYPE_SYSCALL);
	if (fd < 0 || di < 0) {
		tap(0, "%s: reference load %d", name, fd);
		return 0;
	}
	for (i = 0; i < NR_INPUTS && ok; i++) {
		gen_input(in, i);
		memcpy(ctx, in, sizeof(in));
		if (run(fd, ctx, &ret) || ctx[8 + di] != ref(u, in)) {
			printf("# input %d: got %016llx want %016llx\n", i,
			       (unsigned long long)ctx[8 + di],
			       (unsigned long long)ref(u, in));
			ok = 0;
		}
	}
	close(fd);
	tap(ok, "%s: results equal the C reference", name);
	return ok;
}

static uint64_t reg_in(const uint64_t *in, int r)
{
	int i;

	for (i = 0; i < 8; i++)
		if (io_regs[i] == r)
			return in[i];
	return 0;
}

static uint64_t ref_rotate(const struct kops_use *u, const uint64_t *in)
{
	uint64_t x = reg_in(in, u->d);
	int k = u->p & 0x3f;

	if (u->p & 0x40) {
		uint32_t w = x;

		return (uint32_t)(w << k | w >> (32 - k));
	}
	return x << k | x >> (64 - k);
}

static uint64_t ref_select(const struct kops_use *u, const uint64_t *in)
{
	uint64_t a = reg_in(in, u->a), b = reg_in(in, u->b);
	int64_t sa = a, sb = b, t;

	if (u->p & 0x10) {
		a = (uint32_t)a;
		b = (uint32_t)b;
		sa = (int32_t)a;
		sb = (int32_t)b;
	}
	switch (u->p & 0xf) {
	case 1: t = a == b; break;
	case 2: t = a > b; break;
	case 3: t = a >= b; break;
	case 4: t = (a & b) != 0; break;
	case 5: t = a != b; break;
	case 6: t = sa > sb; break;
	case 7: t = sa >= sb; break;
	case 0xa: t = a < b; break;
	case 0xb: t = a <= b; break;
	case 0xc: t = sa < sb; break;
	default: t = sa <= sb; break;
	}
	return t ? reg_in(in, u->c) : reg_in(in, u->d);
}

static uint64_t ref_bfext(const struct kops_use *u, const uint64_t *in)
{
	return (reg_in(in, u->a) >> (u->p & 0x3f)) & ((1ULL << (u->p >> 6)) - 1);
}

static uint64_t ref_ldbswap(const struct kops_use *u, const uint64_t *in)
{
	int off = kops_sext(u->p >> 2, 10);
	const uint8_t *m = (const uint8_t *)in + off;
	uint64_t v = 0;
	int i, sz = (u->p & 3) == 3 ? 8 : 4;

	for (i = 0; i < sz; i++)
		v = v << 8 | m[i];
	return v;
}

static uint64_t ref_lea(const struct kops_use *u, const uint64_t *in)
{
	return reg_in(in, u->a) + (reg_in(in, u->b) << (u->p & 3)) +
	       (int64_t)kops_sext(u->p >> 2, 10);
}

#define P_LDBSWAP(size, off)	((size) | ((off) & 0x3ff) << 2)
#define P_MEMCPY(sw, dw)	(((sw) & 0x3f) | ((dw) & 0x3f) << 6)
#define P_LEA(s, disp)		((s) | ((disp) & 0x3ff) << 2)

static void test_ops(void)
{
	static const struct { const char *name; int op; } conds[] = {
		{ "jeq", 1 }, { "jgt", 2 }, { "jge", 3 }, { "jset", 4 },
		{ "jne", 5 }, { "jsgt", 6 }, { "jsge", 7 }, { "jlt", 0xa },
		{ "jle", 0xb }, { "jslt", 0xc }, { "jsle", 0xd },
	};
	struct kops_use u;
	char name[64];
	unsigned int i;

	struct kops_use rot[] = {
		{ EINSN_ROTATE, 2, 3, 0, 0, 13 },
		{ EINSN_ROTATE, 7, 9, 0, 0, 1 },
		{ EINSN_ROTATE, 5, 0, 0, 0, 63 },
		{ EINSN_ROTATE, 2, 3, 0, 0, 7 | 0x40 },
		{ EINSN_ROTATE, 8, 4, 0, 0, 31 | 0x40 },
	};
	for (i = 0; i < sizeof(rot) / sizeof(rot[0]); i++) {
		snprintf(name, sizeof(name), "rotate#%u", i);
		check_op(name, &rot[i], 1);
		check_reference(name, &rot[i], ref_rotate);
	}

	for (i = 0; i < sizeof(conds) / sizeof(conds[0]); i++) {
		u = (struct kops_use){ EINSN_SELECT, 0, 2, 3, 4, conds[i].op };
		snprintf(name, sizeof(name), "select/%s", conds[i].name);
		check_op(name, &u, 1);
		check_reference(name, &u, ref_select);
		u = (struct kops_use){ EINSN_SELECT, 9, 7, 8, 5, conds[i].op | 0x10 };
		snprintf(name, sizeof(name), "select/%s32", conds[i].name);
		check_op(name, &u, 1);
		check_reference(name, &u, ref_select);
	}

	struct kops_use bfe[] = {
		{ EINSN_BFEXT, 0, 2, 0, 0, 0 | 8 << 6 },
		{ EINSN_BFEXT, 7, 8, 0, 0, 13 | 31 << 6 },
		{ EINSN_BFEXT, 3, 3, 0, 0, 60 | 4 << 6 },
		{ EINSN_BFEXT, 9, 5, 0, 0, 32 | 17 << 6 },
	};
	for (i = 0; i < sizeof(bfe) / sizeof(bfe[0]); i++) {
		snprintf(name, sizeof(name), "bfext#%u", i);
		check_op(name, &bfe[i], 1);
		check_reference(name, &bfe[i], ref_bfext);
	}

	struct kops_use lbs[] = {
		{ EINSN_LDBSWAP, 0, 6, 0, 0, P_LDBSWAP(0, 128) },
		{ EINSN_LDBSWAP, 7, 6, 0, 0, P_LDBSWAP(3, 136) },
		{ EINSN_LDBSWAP, 9, 6, 0, 0, P_LDBSWAP(3, 200) },
		{ EINSN_LDBSWAP, 3, 6, 0, 0, P_LDBSWAP(0, 20) },
	};
	for (i = 0; i < sizeof(lbs) / sizeof(lbs[0]); i++) {
		snprintf(name, sizeof(name), "ldbswap#%u", i);
		check_op(name, &lbs[i], 1);
		check_reference(name, &lbs[i], ref_ldbswap);
	}

	struct kops_use pf[] = {
		{ EINSN_PREFETCH, 0, 6, 0, 0, 0 },
		{ EINSN_PREFETCH, 0, 6, 0, 0, 100 },
		{ EINSN_PREFETCH, 0, 9, 0, 0, 2047 },
		{ EINSN_PREFETCH, 0, 2, 0, 0, -2048 & 0xfff },
	};
	for (i = 0; i < sizeof(pf) / sizeof(pf[0]); i++) {
		snprintf(name, sizeof(name), "prefetch#%u", i);
		check_op(name, &pf[i], 1);
	}

	struct kops_use mc[] = {
		{ EINSN_MEMCPY, 6, 6, 3, 1, P_MEMCPY(16, 24) },
		{ EINSN_MEMCPY, 6, 6, 9, 4, P_MEMCPY(16, 22) },
		{ EINSN_MEMCPY, 6, 6, 0, 7, P_MEMCPY(16, 24) },
		{ EINSN_MEMCPY, 6, 6, 5, 0, P_MEMCPY(17, 30) },
	};
	for (i = 0; i < sizeof(mc) / sizeof(mc[0]); i++) {
		snprintf(name, sizeof(name), "memcpy#%u", i);
		check_op(name, &mc[i], 1);
	}

	/*
	 * Overlapping copies, one word apart in both directions: the proof
	 * sequence stores word i before it loads word i + 1, so a forward
	 * copy replicates the first word.  r1 and r6 both hold the ctx
	 * pointer, so the two-register forms overlap as well, with a
	 * distance the JIT cannot see.
	 */
	struct {
		const char *name;
		struct kops_use u;
	} mco[] = {
		{ "fwd", { EINSN_MEMCPY, 1, 6, 3, 3, P_MEMCPY(16, 17) } },
		{ "back", { EINSN_MEMCPY, 1, 6, 3, 3, P_MEMCPY(17, 16) } },
		{ "fwd/one-base", { EINSN_MEMCPY, 6, 6, 3, 3, P_MEMCPY(16, 17) } },
		{ "back/one-base", { EINSN_MEMCPY, 6, 6, 3, 4, P_MEMCPY(17, 16) } },
		{ "same/two-bases", { EINSN_MEMCPY, 6, 1, 9, 2, P_MEMCPY(20, 20) } },
	};
	for (i = 0; i < sizeof(mco) / sizeof(mco[0]); i++) {
		snprintf(name, sizeof(name), "memcpy/overlap/%s", mco[i].name);
		check_op(name, &mco[i].u, 1);
	}

	struct kops_use lea[] = {
		{ EINSN_LEA, 0, 2, 3, 0, P_LEA(3, 0) },
		{ EINSN_LEA, 7, 8, 9, 0, P_LEA(2, -100) },
		{ EINSN_LEA, 3, 2, 3, 0, P_LEA(1, 511) },
		{ EINSN_LEA, 5, 4, 0, 0, P_LEA(3, -512) },
	};
	for (i = 0; i < sizeof(lea) / sizeof(lea[0]); i++) {
		snprintf(name, sizeof(name), "lea#%u", i);
		check_op(name, &lea[i], 1);
		check_reference(name, &lea[i], ref_lea);
	}

	/* several regions in one program, back to back */
	struct kops_use multi[] = {
		{ EINSN_LEA, 0, 2, 3, 0, P_LEA(3, 8) },
		{ EINSN_ROTATE, 0, 3, 0, 0, 17 },
		{ EINSN_SELECT, 4, 0, 5, 7, 6 },
		{ EINSN_BFEXT, 8, 4, 0, 0, 5 | 20 << 6 },
	};
	check_op("multi", multi, 4);
}

/* ------------------------------------------------------------------ */
/* Rejections                                                          */

static void expect_reject(const char *name, const struct bpf_insn *insns,
			  int n, const char *msg)
{
	int fd = load(insns, n, BPF_PROG_TYPE_SYSCALL);
	int ok = fd < 0 && strstr(vlog, msg);

	if (fd >= 0)
		close(fd);
	tap(ok, "reject %s: \"%s\"", name, msg);
	if (!ok) {
		printf("# fd %d, verifier log:\n", fd);
		diag(vlog);
	}
}

static int prologue(struct bpf_insn *insns)
{
	int n = 0, i;

	insns[n++] = MOV64_REG(6, 1);
	for (i = 0; i < 8; i++)
		insns[n++] = LDX_MEM(BPF_DW, io_regs[i], 6, 8 * i);
	return n;
}

static int epilogue(struct bpf_insn *insns, int n)
{
	insns[n++] = MOV64_IMM(0, 0);
	insns[n++] = EXIT_INSN();
	return n;
}

static void test_rejects(void)
{
	struct kops_use rot = { EINSN_ROTATE, 2, 3, 0, 0, 13 };
	struct bpf_insn insns[MAX_INSNS];
	unsigned int cl;
	int n, m;

	/* marker with off != 0 */
	n = prologue(insns);
	m = n;
	n += kops_emit(&rot, insns + n, &cl);
	insns[m].off = 1;
	n = epilogue(insns, n);
	expect_reject("marker off", insns, n, "kops: marker at insn 9 has off 1, must be 0");

	/* reserved operand bits */
	n = prologue(insns);
	m = n;
	n += kops_emit(&rot, insns + n, &cl);
	insns[m].imm |= 5 << 12;
	n = epilogue(insns, n);
	expect_reject("reserved bits", insns, n,
		      "kops: malformed marker for op rotate at insn 9: reserved operand bits set");

	/* out-of-range operand */
	n = prologue(insns);
	n += kops_emit(&(struct kops_use){ EINSN_ROTATE, 2, 2, 0, 0, 13 }, insns + n, &cl);
	n = epilogue(insns, n);
	expect_reject("dst == scratch", insns, n,
		      "kops: malformed marker for op rotate at insn 9: dst and scratch must be distinct");

	/* proof sequence does not match the template */
	n = prologue(insns);
	n += kops_emit(&rot, insns + n, &cl);
	insns[n - 2].imm = 50;
	n = epilogue(insns, n);
	expect_reject("proof mismatch", insns, n,
		      "kops: insn 12 does not match the proof sequence of op rotate at insn 9");

	/* a different op's proof sequence */
	n = prologue(insns);
	n += kops_emit(&(struct kops_use){ EINSN_LEA, 0, 2, 3, 0, P_LEA(3, 0) }, insns + n, &cl);
	insns[9].imm = EINSN_BFEXT | 2 << 8 | (8 << 6) << 20;
	n = epilogue(insns, n);
	expect_reject("other op's proof", insns, n,
		      "kops: insn 10 does not match the proof sequence of op bfext at insn 9");

	/* jump into the region */
	n = prologue(insns);
	insns[n++] = JMP_IMM(BPF_JEQ, 2, 0, 2);
	n += kops_emit(&rot, insns + n, &cl);
	n = epilogue(insns, n);
	expect_reject("jump into region", insns, n,
		      "kops: jump from insn 9 into the region of the marker at insn 10");

	/* jump to the first proof insn, past the marker */
	n = prologue(insns);
	insns[n++] = JMP_IMM(BPF_JEQ, 2, 0, 1);
	n += kops_emit(&rot, insns + n, &cl);
	n = epilogue(insns, n);
	expect_reject("jump past marker", insns, n,
		      "kops: jump from insn 9 into the region of the marker at insn 10");

	/* backward jump into the region from after it */
	n = prologue(insns);
	n += kops_emit(&rot, insns + n, &cl);
	insns[n++] = JMP_IMM(BPF_JEQ, 2, 0, -3);
	n = epilogue(insns, n);
	expect_reject("backward jump into region", insns, n,
		      "kops: jump from insn 14 into the region of the marker at insn 9");

	/* unknown op id */
	n = prologue(insns);
	insns[n++] = KOPS_MARKER(200, 2, 3, 0, 0, 0);
	n = epilogue(insns, n);
	expect_reject("unknown op", insns, n, "kops: unknown op id 200 at insn 9");

	/* region cut by the end of the program (caught before Kops looks) */
	n = prologue(insns);
	n += kops_emit(&rot, insns + n, &cl);
	n -= 2;
	expect_reject("truncated region", insns, n, "last insn is not an exit or jmp");

	/* scratch register is clobbered after the region */
	n = prologue(insns);
	n += kops_emit(&rot, insns + n, &cl);
	insns[n++] = MOV64_REG(0, 3);
	insns[n++] = EXIT_INSN();
	expect_reject("read of clobbered scratch", insns, n, "R3 !read_ok");

	/* the proof sequence itself is verified: unsafe load */
	n = prologue(insns);
	n += kops_emit(&(struct kops_use){ EINSN_LDBSWAP, 0, 2, 0, 0, P_LDBSWAP(3, 0) },
		       insns + n, &cl);
	n = epilogue(insns, n);
	expect_reject("unsafe proof sequence", insns, n, "R2 invalid mem access 'scalar'");
}

/* ------------------------------------------------------------------ */
/* Verifier and JIT rewrites: the site must fall back to the proof     */

static int load_check_native(const char *name, struct bpf_insn *insns, int n,
			     const struct kops_use *u, int want_native)
{
	uint8_t pat[512];
	int fd, len, plen, has;

	fd = load(insns, n, BPF_PROG_TYPE_SYSCALL);
	if (fd < 0) {
		tap(0, "%s: load %d", name, fd);
		diag(vlog);
		return -1;
	}
	plen = expected_native(u, pat);
	len = jited(fd, img, sizeof(img));
	has = contains(img, len, pat, plen);
	tap(len > 0 && has == want_native, "%s: native emit %s", name,
	    want_native ? "kept" : "dropped, proof sequence jitted");
	return fd;
}

static void test_rewrites(void)
{
	struct kops_use sel = { EINSN_SELECT, 0, 2, 3, 4, 1 /* jeq */ };
	struct kops_use rot = { EINSN_ROTATE, 2, 3, 0, 0, 13 };
	struct kops_use bfe = { EINSN_BFEXT, 5, 2, 0, 0, 13 | 31 << 6 };
	struct bpf_insn insns[MAX_INSNS];
	uint64_t ctx[CTX_SIZE / 8];
	unsigned int cl;
	uint32_t ret = 0;
	int n, fd;

	/* hard-wired branch + dead code removal: condition always true */
	n = prologue(insns);
	insns[n++] = MOV64_IMM(2, 5);
	insns[n++] = MOV64_IMM(3, 5);
	n += kops_emit(&sel, insns + n, &cl);
	insns[n++] = STX_MEM(BPF_DW, 6, 0, 64);
	n = epilogue(insns, n);
	fd = load_check_native("always-true select (hard-wired, dead code)",
			       insns, n, &sel, 0);
	if (fd >= 0) {
		memset(ctx, 0, sizeof(ctx));
		ctx[3] = 0x1234;	/* r4 */
		tap(!run(fd, ctx, &ret) && ctx[8] == 0x1234,
		    "always-true select: result");
		close(fd);
	}

	/* hard-wired branch + nop removal: condition always false */
	n = prologue(insns);
	insns[n++] = MOV64_IMM(2, 5);
	insns[n++] = MOV64_IMM(3, 6);
	n += kops_emit(&sel, insns + n, &cl);
	insns[n++] = STX_MEM(BPF_DW, 6, 0, 64);
	n = epilogue(insns, n);
	fd = load_check_native("always-false select (hard-wired, nop removal)",
			       insns, n, &sel, 0);
	if (fd >= 0) {
		memset(ctx, 0, sizeof(ctx));
		ctx[0] = 0x5678;	/* r0 */
		ctx[3] = 0x1234;	/* r4 */
		tap(!run(fd, ctx, &ret) && ctx[8] == 0x5678,
		    "always-false select: result");
		close(fd);
	}

	/* control: same shape with unknown operands keeps the native emit */
	n = prologue(insns);
	n += kops_emit(&sel, insns + n, &cl);
	n = epilogue(insns, n);
	fd = load_check_native("select with unknown operands", insns, n, &sel, 1);
	if (fd >= 0)
		close(fd);

	/* constant blinding rewrites the mask of bfext (shifts are not blinded) */
	write_file("/proc/sys/net/core/bpf_jit_harden", "2");
	n = build_prog(&rot, 1, insns);
	fd = load_check_native("rotate under constant blinding", insns, n, &rot, 1);
	if (fd >= 0)
		close(fd);
	n = build_prog(&bfe, 1, insns);
	fd = load_check_native("bfext under constant blinding", insns, n, &bfe, 0);
	write_file("/proc/sys/net/core/bpf_jit_harden", "0");
	if (fd >= 0) {
		memset(ctx, 0, sizeof(ctx));
		ctx[1] = 0xfedcba9876543210ULL;	/* r2 */
		tap(!run(fd, ctx, &ret) && ctx[12] == ((0xfedcba9876543210ULL >> 13) & 0x7fffffff),
		    "blinded bfext: result");
		close(fd);
	}

	/* context access conversion: ldbswap of __sk_buff->len */
	{
		struct kops_use lb = { EINSN_LDBSWAP, 0, 1, 0, 0,
				       P_LDBSWAP(0, 0) /* offsetof(len) */ };
		uint8_t pkt[64] = { 0 }, pat[512];
		int len, plen;

		n = 0;
		n += kops_emit(&lb, insns + n, &cl);
		insns[n++] = EXIT_INSN();
		fd = load(insns, n, BPF_PROG_TYPE_SOCKET_FILTER);
		if (fd < 0) {
			tap(0, "ldbswap of ctx: load %d", fd);
			diag(vlog);
		} else {
			plen = expected_native(&lb, pat);
			len = jited(fd, img, sizeof(img));
			tap(len > 0 && !contains(img, len, pat, plen),
			    "ldbswap of __sk_buff->len (ctx conversion): native emit dropped");
			/* skb->len is the packet less the pulled MAC header */
			len = run_skb(fd, pkt, sizeof(pkt), &ret);
			tap(!len &&
			    (ret == __builtin_bswap32(sizeof(pkt) - 14) ||
			     ret == __builtin_bswap32(sizeof(pkt))),
			    "ldbswap of __sk_buff->len: result %#x", ret);
			close(fd);
		}
	}
}

/* Send @fd over the unix socket @sock */
static void send_fd(int sock, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = &fd, .iov_len = sizeof(fd) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	if (fd >= 0) {
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(fd));
	} else {
		msg.msg_control = NULL;
		msg.msg_controllen = 0;
	}
	sendmsg(sock, &msg, 0);
}

static int recv_fd(int sock, int *val)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = val, .iov_len = sizeof(*val) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;
	int fd = -1;

	if (recvmsg(sock, &msg, 0) <= 0)
		return -1;
	cm = CMSG_FIRSTHDR(&msg);
	if (cm && cm->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(cm), sizeof(fd));
	return fd;
}

/*
 * Load @insns as an unprivileged socket filter in a child without
 * capabilities; return the program fd (in this process) or -errno, and
 * the verifier log in vlog.
 */
static int load_unpriv(const struct bpf_insn *insns, int n)
{
	int sv[2], fd, val = 0;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv))
		return -errno;
	pid = fork();
	if (!pid) {
		close(sv[0]);
		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(1);
		fd = load(insns, n, BPF_PROG_TYPE_SOCKET_FILTER);
		send_fd(sv[1], fd);
		/* the verifier log, for the parent's checks */
		write(sv[1], vlog, strlen(vlog) + 1);
		_exit(0);
	}
	close(sv[1]);
	fd = recv_fd(sv[0], &val);
	if (fd < 0)
		fd = val < 0 ? val : -EINVAL;
	memset(vlog, 0, sizeof(vlog));
	if (read(sv[0], vlog, sizeof(vlog) - 1) < 0)
		vlog[0] = 0;
	close(sv[0]);
	waitpid(pid, NULL, 0);
	return fd;
}

/* Spectre sanitation of pointer arithmetic, patched in by the misc fixups */
static void test_unpriv(void)
{
	struct kops_use lea = { EINSN_LEA, 3, 10, 2, 0, P_LEA(0, 8) };
	struct kops_use pf = { EINSN_PREFETCH, 0, 1, 0, 0, 0 };
	struct bpf_insn insns[MAX_INSNS];
	uint8_t pkt[64] = { 0 }, pat[512];
	int n = 0, fd, len, plen = expected_native(&lea, pat);
	unsigned int cl;
	uint32_t ret = 0;

	if (write_file("/proc/sys/kernel/unprivileged_bpf_disabled", "0")) {
		tap(0, "unprivileged bpf: cannot enable");
		return;
	}
	/* r3 = fp + r2 + 8 with r2 = -16: *(u64 *)(fp - 8) = 42; r0 = it */
	insns[n++] = MOV64_IMM(2, -16);
	n += kops_emit(&lea, insns + n, &cl);
	insns[n++] = INSN(BPF_ST | BPF_MEM | BPF_DW, 3, 0, 0, 42);
	insns[n++] = LDX_MEM(BPF_DW, 0, 10, -8);
	insns[n++] = EXIT_INSN();
	fd = load_unpriv(insns, n);
	if (fd < 0) {
		tap(0, "unprivileged lea: load %d", fd);
		diag(vlog);
	} else {
		len = jited(fd, img, sizeof(img));
		tap(len > 0 && !contains(img, len, pat, plen),
		    "unprivileged lea of fp (ptr alu sanitation by misc fixups): native emit dropped");
		len = run_skb(fd, pkt, sizeof(pkt), &ret);
		tap(!len && ret == 42, "unprivileged lea: result %u", ret);
		close(fd);
	}
	/* control: the same program loaded with privileges keeps it */
	fd = load(insns, n, BPF_PROG_TYPE_SOCKET_FILTER);
	if (fd >= 0) {
		len = jited(fd, img, sizeof(img));
		tap(len > 0 && contains(img, len, pat, plen),
		    "privileged lea of fp: native emit kept");
		close(fd);
	} else {
		tap(0, "privileged lea of fp: load %d", fd);
	}

	n = 0;
	n += kops_emit(&pf, insns + n, &cl);
	insns[n++] = MOV64_IMM(0, 0);
	insns[n++] = EXIT_INSN();
	fd = load_unpriv(insns, n);
	tap(fd < 0 && strstr(vlog, "kops: op prefetch at insn 0 requires CAP_BPF"),
	    "reject unprivileged prefetch: \"kops: op prefetch at insn 0 requires CAP_BPF\"");
	if (fd >= 0)
		close(fd);
	write_file("/proc/sys/kernel/unprivileged_bpf_disabled", "2");
}

/* ------------------------------------------------------------------ */
/* Discovery and the test module                                       */

static int find_op(const char *list, const char *name)
{
	char key[80];
	const char *p;

	snprintf(key, sizeof(key), " name=%s ", name);
	p = strstr(list, key);
	if (!p)
		return -1;
	while (p > list && p[-1] != '\n')
		p--;
	return atoi(p + 3);
}

static void test_discovery(void)
{
	static const char *names[] = {
		"rotate", "select", "bfext", "ldbswap", "prefetch", "memcpy", "lea",
	};
	char list[4096];
	unsigned int i;
	int ok;

	ok = read_file("/sys/kernel/bpf_kops/ops", list, sizeof(list)) > 0;
	tap(ok, "discovery: /sys/kernel/bpf_kops/ops readable");
	if (ok)
		diag(list);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		tap(find_op(list, names[i]) == (int)i + 1,
		    "discovery: %s has id %u", names[i], i + 1);
	tap(strstr(list, "id=1 name=rotate form=D:dst,A:scratch,P0-5:amount,P6:alu32 len=4 archs=x86_64,arm64 flags=none users=0 owner=vmlinux\n") != NULL,
	    "discovery: line format");
}

/* umin's native emit (lib/test_bpf_kops.c) for D = @d, A = @a */
static int umin_native(int d, int a, uint8_t *b)
{
#if defined(__x86_64__)
	int hd = x86_hex[d] | x86_ereg(d) << 3, ha = x86_hex[a] | x86_ereg(a) << 3;

	b[0] = 0x48 | (ha >> 3) << 2 | hd >> 3;
	b[1] = 0x39;
	b[2] = 0xc0 | (ha & 7) << 3 | (hd & 7);
	b[3] = 0x48 | (hd >> 3) << 2 | ha >> 3;
	b[4] = 0x0f;
	b[5] = 0x47;
	b[6] = 0xc0 | (hd & 7) << 3 | (ha & 7);
	return 7;
#elif defined(__aarch64__)
	return put32(b, put32(b, 0, 0xeb000000 | a64[a] << 16 | a64[d] << 5 | 31),
		     0x9a800000 | a64[d] << 16 | 0x8 << 12 | a64[a] << 5 | a64[d]);
#else
	return -1;
#endif
}

static void test_module(const char *path)
{
	struct bpf_insn insns[MAX_INSNS];
	uint64_t ctx[CTX_SIZE / 8];
	char list[4096];
	uint8_t pat[512];
	int mfd, id, n, fd, i, ok, len, plen;
	uint32_t ret = 0;

	mfd = open(path, O_RDONLY);
	if (mfd < 0) {
		tap(0, "module: open %s", path);
		return;
	}
	ok = !syscall(__NR_finit_module, mfd, "", 0);
	close(mfd);
	tap(ok, "module: insmod test_bpf_kops");
	if (!ok)
		return;
	read_file("/sys/kernel/bpf_kops/ops", list, sizeof(list));
	id = find_op(list, "umin");
	tap(id >= 64 && strstr(list, "name=umin form=D:dst,A:src len=2 archs=x86_64,arm64 flags=none users=0 owner=test_bpf_kops\n"),
	    "module: op umin listed with a dynamic id (%d), its archs and owner", id);

	/* umin: D = min(D, A): if D <= A goto +1; D = A */
	n = prologue(insns);
	insns[n++] = KOPS_MARKER(id, 2, 3, 0, 0, 0);
	insns[n++] = JMP_REG(BPF_JLE, 2, 3, 1);
	insns[n++] = MOV64_REG(2, 3);
	insns[n++] = STX_MEM(BPF_DW, 6, 2, 64);
	n = epilogue(insns, n);
	fd = load(insns, n, BPF_PROG_TYPE_SYSCALL);
	tap(fd >= 0, "module: program using umin loads");
	if (fd >= 0) {
		len = jited(fd, img, sizeof(img));
		plen = umin_native(2, 3, pat);
		tap(len > 0 && (plen < 0 || contains(img, len, pat, plen)),
		    "module: jit image has umin's native emit (from the module)");
	}
	if (fd >= 0) {
		ok = 1;
		for (i = 0; i < NR_INPUTS; i++) {
			gen_input(ctx, i);
			uint64_t a = ctx[1], b = ctx[2];

			if (run(fd, ctx, &ret) || ctx[8] != (a < b ? a : b))
				ok = 0;
		}
		tap(ok, "module: umin results");
		tap(syscall(__NR_delete_module, "test_bpf_kops", O_NONBLOCK) < 0 &&
		    errno == EWOULDBLOCK, "module: rmmod refused while a program uses it");
		close(fd);
	}
	/* the program is freed from a work item */
	for (i = 0; i < 100; i++) {
		if (!syscall(__NR_delete_module, "test_bpf_kops", O_NONBLOCK))
			break;
		usleep(20000);
	}
	tap(i < 100, "module: rmmod after the program is gone");
	expect_reject("op of a removed module", insns, n, "kops: unknown op id");
}

/* ------------------------------------------------------------------ */

static void check_kernel_log(void)
{
	static const char * const bad_words[] = {
		"WARNING:", "BUG:", "Oops", "Call Trace", "bpf_jit: ",
		"cannot register", "kernel BUG", "general protection",
	};
	static char buf[1 << 20];
	int n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, sizeof(buf) - 1);
	char *line, *save = NULL;
	unsigned int i;
	int bad = 0;

	if (n < 0)
		n = 0;
	buf[n] = 0;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		/* x86 reports enabling unprivileged eBPF on Spectre-v2 CPUs */
		if (strstr(line, "Unprivileged eBPF is enabled"))
			continue;
		for (i = 0; i < sizeof(bad_words) / sizeof(bad_words[0]); i++) {
			if (strstr(line, bad_words[i])) {
				printf("# %s\n", line);
				bad = 1;
			}
		}
	}
	tap(n > 0 && !bad, "kernel log has no warnings or splats");
}

/*
 * --old-kernel: on a kernel without Kops, a program with a marker must be
 * rejected, never run.
 */
static int test_old_kernel(void)
{
	struct kops_use rot = { EINSN_ROTATE, 2, 3, 0, 0, 13 };
	struct bpf_insn insns[MAX_INSNS];
	int n, fd;

	printf("TAP version 13\n1..2\n");
	n = build_prog(&rot, 1, insns);
	fd = load(insns, n, BPF_PROG_TYPE_SYSCALL);
	tap(fd < 0, "old kernel: program with a marker rejected (%d)", fd);
	diag(vlog);
	n = 0;
	insns[n++] = MOV64_IMM(0, 0);
	insns[n++] = EXIT_INSN();
	insns[n++] = KOPS_MARKER(EINSN_PREFETCH, 0, 0, 0, 0, 0);
	insns[n++] = MOV64_REG(0, 0);
	insns[n++] = EXIT_INSN();
	fd = load(insns, n, BPF_PROG_TYPE_SOCKET_FILTER);
	tap(fd < 0, "old kernel: program with an unreachable marker rejected (%d)", fd);
	diag(vlog);
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *module = argc > 1 ? argv[1] : "/test_bpf_kops.ko";

	if (argc > 1 && !strcmp(argv[1], "--old-kernel"))
		return test_old_kernel();

	is_init = getpid() == 1;
	if (is_init) {
		mount("proc", "/proc", "proc", 0, NULL);
		mount("sysfs", "/sys", "sysfs", 0, NULL);
		mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
		module = "/test_bpf_kops.ko";
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("\nTAP version 13\n");
	cpu_features();
	write_file("/proc/sys/net/core/bpf_jit_harden", "0");

	test_discovery();
	test_ops();
	test_rejects();
	test_rewrites();
	test_unpriv();
	test_module(module);
	set_jit(1);
	set_native(1);
	check_kernel_log();

	printf("1..%d\n", test_nr);
	printf("# kops selftests: %d tests, %d failures\n", test_nr, failures);
	printf("KOPS-RESULT: %s\n", failures ? "FAIL" : "PASS");
	fflush(stdout);
	if (is_init) {
		sync();
		reboot(RB_AUTOBOOT);
	}
	return failures ? 1 : 0;
}
