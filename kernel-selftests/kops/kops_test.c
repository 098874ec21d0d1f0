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
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/capability.h>
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
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kops_test.h"

int run(int fd, void *ctx, uint32_t *retval)
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

int run_skb(int fd, void *data, uint32_t size, uint32_t *retval)
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

const int io_regs[8] = { 0, 2, 3, 4, 5, 7, 8, 9 };

int build_prog(const struct kops_use *u, int nuses, struct bpf_insn *insns)
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

uint64_t rnd(void)
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

void gen_input(uint64_t *ctx, int iter)
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

uint8_t img[1 << 20];

/* 0 on kernels with CONFIG_BPF_JIT_ALWAYS_ON, which have no interpreter */
int have_interp = 1;

void close_fds(int *fds, int n)
{
	while (n--)
		if (fds[n] >= 0)
			close(fds[n]);
}

/*
 * Load @insns with native emits, with native emits off and interpreted
 * (and with constant blinding if @harden); check that the native code
 * @pat (if @plen > 0) is in the first image only, and that all agree over
 * @inputs inputs.  @nopat: the pattern the native emit would have had on a
 * CPU with every feature, which must not be in the image then.
 */
void check_prog(const char *name, const struct bpf_insn *insns, int n,
		const uint8_t *pat, int plen, const uint8_t *nopat, int noplen,
		int inputs, int harden)
{
	int fds[4], len, i, m, ok = 1, modes = harden ? 4 : 3;
	uint64_t ctx[4][CTX_SIZE / 8], in[CTX_SIZE / 8];
	uint32_t ret[4] = { 0 };

	set_jit(1);
	set_native(1);
	fds[0] = load(insns, n, BPF_PROG_TYPE_SYSCALL);
	set_native(0);
	fds[1] = load(insns, n, BPF_PROG_TYPE_SYSCALL);
	set_native(1);
	fds[2] = fds[3] = -1;
	if (have_interp) {
		set_jit(0);
		fds[2] = load(insns, n, BPF_PROG_TYPE_SYSCALL);
		set_jit(1);
	}
	if (harden) {
		write_file("/proc/sys/net/core/bpf_jit_harden", "2");
		fds[3] = load(insns, n, BPF_PROG_TYPE_SYSCALL);
		write_file("/proc/sys/net/core/bpf_jit_harden", "0");
	}
	for (m = 0; m < modes; m++)
		ok &= m == 2 && !have_interp ? 1 : fds[m] >= 0;
	if (!ok) {
		tap(0, "%s: load (%d %d %d %d)", name, fds[0], fds[1], fds[2],
		    fds[3]);
		diag(vlog);
		close_fds(fds, 4);
		return;
	}
	tap(1, "%s: loads (jit native, jit proof, interpreter%s)", name,
	    harden ? ", jit hardened" : "");

	len = jited(fds[0], img, sizeof(img));
	if (plen > 0)
		tap(len > 0 && contains(img, len, pat, plen),
		    "%s: jit image has the native code", name);
	if (noplen > 0 && plen <= 0)
		tap(len > 0 && !contains(img, len, nopat, noplen),
		    "%s: no native emit on this CPU: proof sequence jitted", name);
	len = jited(fds[1], img, sizeof(img));
	tap(len > 0 && !contains(img, len, nopat, noplen),
	    "%s: native emits off: proof sequence jitted", name);
	if (harden) {
		len = jited(fds[3], img, sizeof(img));
		tap(len > 0 && !contains(img, len, nopat, noplen),
		    "%s: constant blinding: proof sequence jitted", name);
	}
	if (have_interp) {
		len = jited(fds[2], img, sizeof(img));
		tap(len == 0, "%s: jit off: interpreted", name);
	}

	ok = 1;
	for (i = 0; i < inputs && ok; i++) {
		gen_input(in, i);
		for (m = 0; m < modes; m++) {
			if (fds[m] < 0)
				continue;
			memcpy(ctx[m], in, sizeof(in));
			if (run(fds[m], ctx[m], &ret[m])) {
				ok = 0;
				printf("# run failed mode %d\n", m);
			}
		}
		for (m = 1; m < modes; m++) {
			if (fds[m] < 0 ||
			    (!memcmp(ctx[0], ctx[m], sizeof(ctx[0])) &&
			    ret[0] == ret[m]))
				continue;
			ok = 0;
			printf("# mismatch at input %d, mode %d, ret %u %u\n",
			       i, m, ret[0], ret[m]);
			for (int k = 0; k < CTX_SIZE / 8; k++)
				if (ctx[0][k] != ctx[m][k])
					printf("#  ctx[%d] native %016llx other %016llx\n",
					       k, (unsigned long long)ctx[0][k],
					       (unsigned long long)ctx[m][k]);
		}
	}
	tap(ok, "%s: native == jitted proof == interpreter%s over %d inputs",
	    name, harden ? " == hardened" : "", inputs);
	close_fds(fds, 4);
}

/* The native pattern of @u, and the one it would have on a CPU with every
 * feature (@nopat); return the length of the first.
 */
int op_patterns(const struct kops_use *u, uint8_t *pat, uint8_t *nopat,
		int *noplen)
{
	int plen = expected_native(u, pat);

	ignore_features = 1;
	*noplen = expected_native(u, nopat);
	ignore_features = 0;
	return plen;
}

void check_op(const char *name, const struct kops_use *u, int nuses)
{
	struct bpf_insn insns[MAX_INSNS];
	uint8_t pat[512], nopat[512];
	int n, plen, noplen;

	n = build_prog(u, nuses, insns);
	plen = op_patterns(&u[0], pat, nopat, &noplen);
	check_prog(name, insns, n, pat, plen, nopat, noplen, NR_INPUTS, 0);
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
		{ BPF_EINSN_ROTATE, 2, 3, 0, 0, 13 },
		{ BPF_EINSN_ROTATE, 7, 9, 0, 0, 1 },
		{ BPF_EINSN_ROTATE, 5, 0, 0, 0, 63 },
		{ BPF_EINSN_ROTATE, 2, 3, 0, 0, 7 | 0x40 },
		{ BPF_EINSN_ROTATE, 8, 4, 0, 0, 31 | 0x40 },
	};
	for (i = 0; i < sizeof(rot) / sizeof(rot[0]); i++) {
		snprintf(name, sizeof(name), "rotate#%u", i);
		check_op(name, &rot[i], 1);
		check_reference(name, &rot[i], ref_rotate);
	}

	for (i = 0; i < sizeof(conds) / sizeof(conds[0]); i++) {
		u = (struct kops_use){ BPF_EINSN_SELECT, 0, 2, 3, 4, conds[i].op };
		snprintf(name, sizeof(name), "select/%s", conds[i].name);
		check_op(name, &u, 1);
		check_reference(name, &u, ref_select);
		u = (struct kops_use){ BPF_EINSN_SELECT, 9, 7, 8, 5, conds[i].op | 0x10 };
		snprintf(name, sizeof(name), "select/%s32", conds[i].name);
		check_op(name, &u, 1);
		check_reference(name, &u, ref_select);
	}

	struct kops_use bfe[] = {
		{ BPF_EINSN_BFEXT, 0, 2, 0, 0, 0 | 8 << 6 },
		{ BPF_EINSN_BFEXT, 7, 8, 0, 0, 13 | 31 << 6 },
		{ BPF_EINSN_BFEXT, 3, 3, 0, 0, 60 | 4 << 6 },
		{ BPF_EINSN_BFEXT, 9, 5, 0, 0, 32 | 17 << 6 },
	};
	for (i = 0; i < sizeof(bfe) / sizeof(bfe[0]); i++) {
		snprintf(name, sizeof(name), "bfext#%u", i);
		check_op(name, &bfe[i], 1);
		check_reference(name, &bfe[i], ref_bfext);
	}

	struct kops_use lbs[] = {
		{ BPF_EINSN_LDBSWAP, 0, 6, 0, 0, P_LDBSWAP(0, 128) },
		{ BPF_EINSN_LDBSWAP, 7, 6, 0, 0, P_LDBSWAP(3, 136) },
		{ BPF_EINSN_LDBSWAP, 9, 6, 0, 0, P_LDBSWAP(3, 200) },
		{ BPF_EINSN_LDBSWAP, 3, 6, 0, 0, P_LDBSWAP(0, 20) },
	};
	for (i = 0; i < sizeof(lbs) / sizeof(lbs[0]); i++) {
		snprintf(name, sizeof(name), "ldbswap#%u", i);
		check_op(name, &lbs[i], 1);
		check_reference(name, &lbs[i], ref_ldbswap);
	}

	struct kops_use pf[] = {
		{ BPF_EINSN_PREFETCH, 0, 6, 0, 0, 0 },
		{ BPF_EINSN_PREFETCH, 0, 6, 0, 0, 100 },
		{ BPF_EINSN_PREFETCH, 0, 9, 0, 0, 2047 },
		{ BPF_EINSN_PREFETCH, 0, 2, 0, 0, -2048 & 0xfff },
	};
	for (i = 0; i < sizeof(pf) / sizeof(pf[0]); i++) {
		snprintf(name, sizeof(name), "prefetch#%u", i);
		check_op(name, &pf[i], 1);
	}

	struct kops_use mc[] = {
		{ BPF_EINSN_MEMCPY, 6, 6, 3, 1, P_MEMCPY(16, 24) },
		{ BPF_EINSN_MEMCPY, 6, 6, 9, 4, P_MEMCPY(16, 22) },
		{ BPF_EINSN_MEMCPY, 6, 6, 0, 7, P_MEMCPY(16, 24) },
		{ BPF_EINSN_MEMCPY, 6, 6, 5, 0, P_MEMCPY(17, 30) },
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
		{ "fwd", { BPF_EINSN_MEMCPY, 1, 6, 3, 3, P_MEMCPY(16, 17) } },
		{ "back", { BPF_EINSN_MEMCPY, 1, 6, 3, 3, P_MEMCPY(17, 16) } },
		{ "fwd/one-base", { BPF_EINSN_MEMCPY, 6, 6, 3, 3, P_MEMCPY(16, 17) } },
		{ "back/one-base", { BPF_EINSN_MEMCPY, 6, 6, 3, 4, P_MEMCPY(17, 16) } },
		{ "same/two-bases", { BPF_EINSN_MEMCPY, 6, 1, 9, 2, P_MEMCPY(20, 20) } },
	};
	for (i = 0; i < sizeof(mco) / sizeof(mco[0]); i++) {
		snprintf(name, sizeof(name), "memcpy/overlap/%s", mco[i].name);
		check_op(name, &mco[i].u, 1);
	}

	struct kops_use lea[] = {
		{ BPF_EINSN_LEA, 0, 2, 3, 0, P_LEA(3, 0) },
		{ BPF_EINSN_LEA, 7, 8, 9, 0, P_LEA(2, -100) },
		{ BPF_EINSN_LEA, 3, 2, 3, 0, P_LEA(1, 511) },
		{ BPF_EINSN_LEA, 5, 4, 0, 0, P_LEA(3, -512) },
	};
	for (i = 0; i < sizeof(lea) / sizeof(lea[0]); i++) {
		snprintf(name, sizeof(name), "lea#%u", i);
		check_op(name, &lea[i], 1);
		check_reference(name, &lea[i], ref_lea);
	}

	/* several regions in one program, back to back */
	struct kops_use multi[] = {
		{ BPF_EINSN_LEA, 0, 2, 3, 0, P_LEA(3, 8) },
		{ BPF_EINSN_ROTATE, 0, 3, 0, 0, 17 },
		{ BPF_EINSN_SELECT, 4, 0, 5, 7, 6 },
		{ BPF_EINSN_BFEXT, 8, 4, 0, 0, 5 | 20 << 6 },
	};
	check_op("multi", multi, 4);
}

/* ------------------------------------------------------------------ */
/* Rejections                                                          */

void expect_reject(const char *name, const struct bpf_insn *insns,
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

int prologue(struct bpf_insn *insns)
{
	int n = 0, i;

	insns[n++] = MOV64_REG(6, 1);
	for (i = 0; i < 8; i++)
		insns[n++] = LDX_MEM(BPF_DW, io_regs[i], 6, 8 * i);
	return n;
}

int epilogue(struct bpf_insn *insns, int n)
{
	insns[n++] = MOV64_IMM(0, 0);
	insns[n++] = EXIT_INSN();
	return n;
}

static void test_rejects(void)
{
	struct kops_use rot = { BPF_EINSN_ROTATE, 2, 3, 0, 0, 13 };
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
	n += kops_emit(&(struct kops_use){ BPF_EINSN_ROTATE, 2, 2, 0, 0, 13 }, insns + n, &cl);
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
	n += kops_emit(&(struct kops_use){ BPF_EINSN_LEA, 0, 2, 3, 0, P_LEA(3, 0) }, insns + n, &cl);
	insns[9].imm = BPF_EINSN_BFEXT | 2 << 8 | (8 << 6) << 20;
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
	n += kops_emit(&(struct kops_use){ BPF_EINSN_LDBSWAP, 0, 2, 0, 0, P_LDBSWAP(3, 0) },
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
	struct kops_use sel = { BPF_EINSN_SELECT, 0, 2, 3, 4, 1 /* jeq */ };
	struct kops_use rot = { BPF_EINSN_ROTATE, 2, 3, 0, 0, 13 };
	struct kops_use bfe = { BPF_EINSN_BFEXT, 5, 2, 0, 0, 13 | 31 << 6 };
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

	/* a blinded program runs its proof sequences: blinding rewrites the
	 * immediates of the templates after bpf_kops_finalize() decided
	 */
	write_file("/proc/sys/net/core/bpf_jit_harden", "2");
	n = build_prog(&rot, 1, insns);
	fd = load_check_native("rotate under constant blinding", insns, n, &rot, 0);
	if (fd >= 0) {
		memset(ctx, 0, sizeof(ctx));
		ctx[1] = 0xfedcba9876543210ULL;	/* r2 */
		tap(!run(fd, ctx, &ret) &&
		    ctx[9] == (0xfedcba9876543210ULL << 13 | 0xfedcba9876543210ULL >> 51),
		    "blinded rotate: result");
		close(fd);
	}
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
		struct kops_use lb = { BPF_EINSN_LDBSWAP, 0, 1, 0, 0,
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

/* Keep only the capabilities @caps (effective and permitted) */
int capset_keep(uint64_t caps)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2] = {
		{ .effective = (uint32_t)caps, .permitted = (uint32_t)caps },
		{ .effective = caps >> 32, .permitted = caps >> 32 },
	};

	return syscall(__NR_capset, &hdr, data) ? -errno : 0;
}

/*
 * Load @insns as a socket filter in a child with only the capabilities
 * @caps (none: as user nobody); return the program fd (in this process)
 * or -errno, and the verifier log in vlog.
 */
static int load_caps(const struct bpf_insn *insns, int n, uint64_t caps)
{
	int sv[2], fd, val = 0;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv))
		return -errno;
	pid = fork();
	if (!pid) {
		close(sv[0]);
		if (!caps && (setresgid(65534, 65534, 65534) ||
			      setresuid(65534, 65534, 65534)))
			_exit(1);
		if (caps && capset_keep(caps))
			_exit(1);
		fd = load(insns, n, BPF_PROG_TYPE_SOCKET_FILTER);
		send_fd(sv[1], fd);
		/* the verifier log, for the parent's checks */
		if (write(sv[1], vlog, strlen(vlog) + 1) < 0)
			_exit(1);
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

/*
 * Who may use a marker: native emits are trusted code, so every marker
 * needs CAP_BPF; prefetch of an arbitrary address probes whether it is
 * mapped, so it needs CAP_PERFMON as well.  (The first version let the
 * unprivileged use every op but prefetch.)
 */
static void test_privileges(void)
{
	struct kops_use lea = { BPF_EINSN_LEA, 3, 10, 2, 0, P_LEA(0, 8) };
	struct kops_use pf = { BPF_EINSN_PREFETCH, 0, 1, 0, 0, 0 };
	/* CAP_SYSLOG: the JIT image of a program is only shown to a loader
	 * that may see kernel addresses; it does not change what the
	 * verifier allows
	 */
	const uint64_t cap_bpf = CAP_BIT(CAP_BPF) | CAP_BIT(CAP_SYSLOG);
	const uint64_t cap_perfmon = CAP_BIT(CAP_PERFMON);
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
	insns[n++] = ST_MEM(BPF_DW, 3, 0, 42);
	insns[n++] = LDX_MEM(BPF_DW, 0, 10, -8);
	insns[n++] = EXIT_INSN();
	fd = load_caps(insns, n, 0);
	tap(fd < 0 && strstr(vlog, "kops: marker at insn 1 requires CAP_BPF"),
	    "reject unprivileged lea: \"kops: marker at insn 1 requires CAP_BPF\"");
	if (fd >= 0)
		close(fd);
	/* without CAP_PERFMON the misc fixups may sanitize the pointer
	 * arithmetic on fp (Spectre v1; where the kernel mitigates it),
	 * which changes the region: then its proof sequence runs
	 */
	fd = load_caps(insns, n, cap_bpf);
	tap(fd >= 0, "lea with CAP_BPF alone loads (%d)", fd);
	if (fd >= 0) {
		int patched = xlated_cnt(fd) != n;

		len = jited(fd, img, sizeof(img));
		tap(len > 0 && contains(img, len, pat, plen) == !patched,
		    "lea of fp with CAP_BPF alone: %s", patched ?
		    "sanitized by the verifier, native emit dropped" :
		    "left alone by the verifier, native emit kept");
		len = run_skb(fd, pkt, sizeof(pkt), &ret);
		tap(!len && ret == 42, "lea with CAP_BPF: result %u", ret);
		close(fd);
	}
	fd = load_caps(insns, n, cap_bpf | cap_perfmon);
	if (fd >= 0) {
		len = jited(fd, img, sizeof(img));
		tap(len > 0 && contains(img, len, pat, plen),
		    "lea of fp with CAP_BPF and CAP_PERFMON: native emit kept");
		len = run_skb(fd, pkt, sizeof(pkt), &ret);
		tap(!len && ret == 42, "lea with CAP_PERFMON: result %u", ret);
		close(fd);
	} else {
		tap(0, "lea with CAP_BPF and CAP_PERFMON: load %d", fd);
	}

	n = 0;
	n += kops_emit(&pf, insns + n, &cl);
	insns[n++] = MOV64_IMM(0, 0);
	insns[n++] = EXIT_INSN();
	fd = load_caps(insns, n, 0);
	tap(fd < 0 && strstr(vlog, "kops: marker at insn 0 requires CAP_BPF"),
	    "reject unprivileged prefetch: \"kops: marker at insn 0 requires CAP_BPF\"");
	if (fd >= 0)
		close(fd);
	fd = load_caps(insns, n, cap_bpf);
	tap(fd < 0 && strstr(vlog, "kops: op prefetch at insn 0 requires CAP_PERFMON"),
	    "reject prefetch with CAP_BPF alone: \"kops: op prefetch at insn 0 requires CAP_PERFMON\"");
	if (fd >= 0)
		close(fd);
	fd = load_caps(insns, n, cap_bpf | cap_perfmon);
	tap(fd >= 0, "prefetch with CAP_BPF and CAP_PERFMON loads (%d)", fd);
	if (fd >= 0)
		close(fd);
	write_file("/proc/sys/kernel/unprivileged_bpf_disabled", "2");
}

/* ------------------------------------------------------------------ */
/* Discovery and the test module                                       */

/* Read /sys/kernel/bpf_kops/ops/@op/@file into @buf, without the newline */
static int op_attr(const char *op, const char *file, char *buf, size_t size)
{
	char path[256];
	int n;

	snprintf(path, sizeof(path), "/sys/kernel/bpf_kops/ops/%s/%s", op, file);
	n = read_file(path, buf, size);
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = 0;
	return n;
}

/* The id of op @name, or -1 */
static int find_op(const char *name)
{
	char buf[32];

	return op_attr(name, "id", buf, sizeof(buf)) > 0 ? atoi(buf) : -1;
}

/* Number of entries of /sys/kernel/bpf_kops/ops */
static int count_ops(void)
{
	DIR *d = opendir("/sys/kernel/bpf_kops/ops");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void test_discovery(void)
{
	static const char *names[] = {
		"rotate", "select", "bfext", "ldbswap", "prefetch", "memcpy", "lea",
	};
	static const char *const files[][2] = {
		{ "id", "1" }, { "form", "D:dst,A:scratch,P0-5:amount,P6:alu32" },
		{ "len", "4" }, { "archs", "x86_64 arm64" }, { "flags", "" },
		{ "users", "0" }, { "owner", "vmlinux" },
	};
	char buf[256];
	unsigned int i;

	tap(count_ops() == 7, "discovery: 7 ops in /sys/kernel/bpf_kops/ops (%d)",
	    count_ops());
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		tap(find_op(names[i]) == (int)i + 1,
		    "discovery: %s has id %u", names[i], i + 1);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		int n = op_attr("rotate", files[i][0], buf, sizeof(buf));

		tap(n >= 0 && !strcmp(buf, files[i][1]),
		    "discovery: rotate/%s is \"%s\" (\"%s\")", files[i][0],
		    files[i][1], n >= 0 ? buf : "unreadable");
	}
	tap(op_attr("prefetch", "flags", buf, sizeof(buf)) > 0 &&
	    !strcmp(buf, "perfmon"), "discovery: prefetch/flags is \"perfmon\"");
	tap(op_attr("memcpy", "len", buf, sizeof(buf)) > 0 &&
	    !strcmp(buf, "32"), "discovery: memcpy/len is 32");
	tap(read_file("/sys/kernel/bpf_kops/native", buf, sizeof(buf)) > 0 &&
	    !strcmp(buf, "1\n"), "discovery: native emits on by default");
}

/*
 * The native emit of the test module's umin/umax (lib/test_bpf_kops.c):
 * cmp D, A; cmovCC D, A (x86-64, @cmov) or csel D, A, D, CC (arm64, @cond)
 */
static int cmp_select_native(int d, int a, int cmov, int cond, uint8_t *b)
{
#if defined(__x86_64__)
	int hd = x86_hex[d] | x86_ereg(d) << 3, ha = x86_hex[a] | x86_ereg(a) << 3;

	b[0] = 0x48 | (ha >> 3) << 2 | hd >> 3;
	b[1] = 0x39;
	b[2] = 0xc0 | (ha & 7) << 3 | (hd & 7);
	b[3] = 0x48 | (hd >> 3) << 2 | ha >> 3;
	b[4] = 0x0f;
	b[5] = cmov;
	b[6] = 0xc0 | (hd & 7) << 3 | (ha & 7);
	return 7;
#elif defined(__aarch64__)
	return put32(b, put32(b, 0, 0xeb000000 | a64[a] << 16 | a64[d] << 5 | 31),
		     0x9a800000 | a64[d] << 16 | cond << 12 | a64[a] << 5 | a64[d]);
#else
	return -1;
#endif
}

static int insmod(const char *path, const char *params)
{
	int mfd = open(path, O_RDONLY), err;

	if (mfd < 0)
		return -errno;
	err = syscall(__NR_finit_module, mfd, params, 0) ? -errno : 0;
	close(mfd);
	return err;
}

/* rmmod, waiting for the programs that hold the module to be freed */
static int rmmod(const char *name)
{
	int i;

	for (i = 0; i < 250; i++) {
		if (!syscall(__NR_delete_module, name, O_NONBLOCK))
			return 0;
		usleep(20000);
	}
	return -errno;
}

/*
 * A program with the module's @op (D = r2, A = r3, B = r4) whose result,
 * min or max of ctx[1] and ctx[2], goes to ctx[8]; check its JIT image and
 * results.  Return the fd.
 */
static int check_module_op(const char *op, int id, int want_native, int cmov,
			   int cond, int is_max)
{
	struct bpf_insn insns[MAX_INSNS];
	uint64_t ctx[CTX_SIZE / 8];
	uint8_t pat[64];
	int n, fd, i, ok, len, plen;
	uint32_t ret = 0;

	n = prologue(insns);
	insns[n++] = KOPS_MARKER(id, 2, 3, is_max ? 4 : 0, 0, 0);
	if (is_max)
		insns[n++] = MOV64_REG(4, 3);
	insns[n++] = JMP_REG(is_max ? BPF_JGE : BPF_JLE, 2, is_max ? 4 : 3, 1);
	insns[n++] = MOV64_REG(2, is_max ? 4 : 3);
	insns[n++] = STX_MEM(BPF_DW, 6, 2, 64);
	n = epilogue(insns, n);
	fd = load(insns, n, BPF_PROG_TYPE_SYSCALL);
	tap(fd >= 0, "module: program using %s loads", op);
	if (fd < 0) {
		diag(vlog);
		return fd;
	}
	len = jited(fd, img, sizeof(img));
	plen = cmp_select_native(2, 3, cmov, cond, pat);
	tap(len > 0 && (plen < 0 || contains(img, len, pat, plen) == want_native),
	    "module: %s: %s", op, want_native ?
	    "jit image has the module's native emit" :
	    "module's native emit not copied, proof sequence jitted");
	ok = 1;
	for (i = 0; i < NR_INPUTS; i++) {
		gen_input(ctx, i);
		uint64_t a = ctx[1], b = ctx[2];
		uint64_t want = is_max ? (a > b ? a : b) : (a < b ? a : b);

		if (run(fd, ctx, &ret) || ctx[8] != want)
			ok = 0;
	}
	tap(ok, "module: %s results", op);
	return fd;
}

/*
 * A module's op must not be usable while the module's init runs: if the
 * init then fails, the module is freed whatever references programs hold
 * (review of v2: a program that loaded umin meanwhile left the op in the
 * registry and sysfs pointing into the freed module).  The init here
 * fails after registering umin at id 64 and 189 more ops; meanwhile
 * another process keeps loading a program that uses id 64.  Meaningful
 * with more than one CPU (arm64 boots with -smp 2).
 */
static void test_module_init_race(const char *path, int before)
{
	struct bpf_insn insns[MAX_INSNS];
	int n, fd, status = 0, tries = 0, loaded = 0;
	pid_t pid;

	n = 0;
	insns[n++] = MOV64_IMM(2, 5);
	insns[n++] = MOV64_IMM(3, 7);
	insns[n++] = KOPS_MARKER(64, 2, 3, 0, 0, 0);
	insns[n++] = JMP_REG(BPF_JLE, 2, 3, 1);
	insns[n++] = MOV64_REG(2, 3);
	insns[n++] = MOV64_REG(0, 2);
	insns[n++] = EXIT_INSN();
	pid = fork();
	if (!pid)
		_exit(-insmod(path, "nr_extra=190"));
	while (waitpid(pid, &status, WNOHANG) == 0) {
		fd = load(insns, n, BPF_PROG_TYPE_SOCKET_FILTER);
		tries++;
		if (fd >= 0) {
			loaded++;
			close(fd);
		}
	}
	printf("# module init race: %d loads while the module loaded\n", tries);
	tap(WIFEXITED(status) && WEXITSTATUS(status) == ENOSPC && !loaded &&
	    count_ops() == before,
	    "module: no op of a module whose init is running is usable (%d of %d loads did)",
	    loaded, tries);
	expect_reject("op of a module whose init failed", insns, n,
		      "kops: unknown op id 64");
}

static void test_module(const char *path)
{
	struct bpf_insn insns[MAX_INSNS];
	char buf[64];
	int id, n, fd, fd2, ok, before;

	before = count_ops();
	ok = !insmod(path, "");
	tap(ok, "module: insmod test_bpf_kops (it checks it cannot take an in-tree id)");
	if (!ok)
		return;
	id = find_op("umin");
	tap(id >= 64 && id <= 255, "module: umin has a dynamic id (%d)", id);
	tap(op_attr("umin", "owner", buf, sizeof(buf)) > 0 &&
	    !strcmp(buf, "test_bpf_kops"), "module: umin/owner is test_bpf_kops");
	tap(op_attr("umin", "archs", buf, sizeof(buf)) > 0 &&
	    !strcmp(buf, "x86_64 arm64"), "module: umin/archs");
	tap(count_ops() == before + 3, "module: 3 more ops listed");

	/* umin: D = min(D, A): if D <= A goto +1; D = A */
	fd = check_module_op("umin", id, 1, 0x47, 0x8, 0);
	tap(op_attr("umin", "users", buf, sizeof(buf)) > 0 && !strcmp(buf, "1"),
	    "module: umin/users is 1 while a program uses it");
	/* umax: D = max(D, A) through scratch B, jumping to the region's end */
	fd2 = check_module_op("umax", find_op("umax"), 1, 0x42, 0x3, 1);
	if (fd2 >= 0)
		close(fd2);
	/* badlen claims more bytes than its buffer holds */
	fd2 = check_module_op("badlen", find_op("badlen"), 0, 0x47, 0x8, 0);
	if (fd2 >= 0)
		close(fd2);

	/*
	 * The clobber rule holds on the jump that leaves umax's region from
	 * inside too: r4 (B) is unreadable after it on both paths.  Review
	 * of the first version: only the fall-through path clobbered it.
	 */
	n = prologue(insns);
	insns[n++] = KOPS_MARKER(find_op("umax"), 2, 3, 4, 0, 0);
	insns[n++] = MOV64_REG(4, 3);
	insns[n++] = JMP_REG(BPF_JGE, 2, 4, 1);
	insns[n++] = MOV64_REG(2, 4);
	insns[n++] = STX_MEM(BPF_DW, 6, 4, 64);
	n = epilogue(insns, n);
	expect_reject("read of umax's scratch after its region's inner jump",
		      insns, n, "R4 !read_ok");

	if (fd >= 0) {
		tap(syscall(__NR_delete_module, "test_bpf_kops", O_NONBLOCK) < 0 &&
		    errno == EWOULDBLOCK, "module: rmmod refused while a program uses it");
		close(fd);
	}
	tap(!rmmod("test_bpf_kops"), "module: rmmod after the program is gone");
	tap(count_ops() == before, "module: its ops are gone from sysfs");
	n = prologue(insns);
	insns[n++] = KOPS_MARKER(id, 2, 3, 0, 0, 0);
	insns[n++] = JMP_REG(BPF_JLE, 2, 3, 1);
	insns[n++] = MOV64_REG(2, 3);
	n = epilogue(insns, n);
	expect_reject("op of a removed module", insns, n, "kops: unknown op id");

	/* more ops than fit a page of the first version's one-file listing */
	ok = !insmod(path, "nr_extra=180");
	tap(ok && count_ops() == before + 183 && find_op("umin180") > 0 &&
	    find_op("umin180") <= 255,
	    "module: 180 extra ops, each with its directory (%d ops)", count_ops());
	/* ids 64-255 are all there is: 192 dynamic ids */
	if (ok)
		tap(!rmmod("test_bpf_kops"), "module: rmmod with 183 ops");
	tap(insmod(path, "nr_extra=190") == -ENOSPC && count_ops() == before,
	    "module: registering more ops than there are dynamic ids fails cleanly");
	test_module_init_race(path, before);
}

/* ------------------------------------------------------------------ */
/* Regression tests of the defects a review of the first version found */

/* Lines of the kernel log with @what, printed as diagnostics */
int klog_clean(const char *what)
{
	static char buf[1 << 20];
	int n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, sizeof(buf) - 1);
	char *line, *save = NULL;
	int found = 0;

	if (n < 0)
		return 0;
	buf[n] = 0;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strstr(line, what)) {
			printf("# %s\n", line);
			found = 1;
		}
	}
	return !found;
}

/*
 * The longest memcpy (16 words) with offsets that need 32-bit
 * displacements, r10 as both bases: 224 bytes of x86 code, which the first
 * version wrote into do_jit()'s 192-byte buffer before its size check
 * (a stack overflow; KASAN reports it).  The stack is filled from ctx
 * first and copied back after, so the copies are observable.
 */
static void test_memcpy_longest(void)
{
	static const struct kops_use copies[] = {
		/* 16 words at fp - 256 onto themselves */
		{ BPF_EINSN_MEMCPY, 10, 10, 1, 15, P_MEMCPY(-32, -32) },
		/* 16 words from fp - 256 to fp - 128, overlapping forward */
		{ BPF_EINSN_MEMCPY, 10, 10, 2, 15, P_MEMCPY(-32, -16) },
		/* and backward */
		{ BPF_EINSN_MEMCPY, 10, 10, 3, 15, P_MEMCPY(-16, -32) },
	};
	uint8_t pat[512], nopat[512];
	struct bpf_insn insns[MAX_INSNS];
	int n, i, k, plen, noplen;
	unsigned int cl;
	char name[80];

	for (k = 0; k < 3; k++) {
		n = 0;
		insns[n++] = MOV64_REG(6, 1);
		for (i = 0; i < 32; i++) {
			insns[n++] = LDX_MEM(BPF_DW, 0, 6, 8 * i);
			insns[n++] = STX_MEM(BPF_DW, 10, 0, -256 + 8 * i);
		}
		n += kops_emit(&copies[k], insns + n, &cl);
		for (i = 0; i < 32; i++) {
			insns[n++] = LDX_MEM(BPF_DW, 0, 10, -256 + 8 * i);
			insns[n++] = STX_MEM(BPF_DW, 6, 0, 8 * i);
		}
		n = epilogue(insns, n);
		plen = op_patterns(&copies[k], pat, nopat, &noplen);
		snprintf(name, sizeof(name), "memcpy of 16 words, r10 bases, %s",
			 k == 0 ? "fp-256 onto itself" : k == 1 ?
			 "fp-256 to fp-128" : "fp-128 to fp-256");
		check_prog(name, insns, n, pat, plen, nopat, noplen, 20, 1);
	}
	tap(klog_clean("bpf_jit: fatal"), "memcpy of 16 words: no JIT size error");
}

/*
 * A region right after a bpf-to-bpf call: the first version decided per
 * JIT pass whether a region may go native, reading the call's imm, which
 * jit_subprogs() changes between passes, so the passes disagreed
 * ("bpf_jit: fatal error" on x86, "multi-func JIT bug" on arm64).
 */
static void test_region_after_call(void)
{
	struct kops_use rot = { BPF_EINSN_ROTATE, 0, 3, 0, 0, 13 };
	uint8_t pat[512], nopat[512];
	struct bpf_insn insns[MAX_INSNS];
	int n = 0, call1, call2, plen, noplen;
	unsigned int cl;

	insns[n++] = MOV64_REG(6, 1);
	call1 = n;
	insns[n++] = CALL_REL(0);
	n += kops_emit(&rot, insns + n, &cl);
	insns[n++] = STX_MEM(BPF_DW, 6, 0, 64);
	/* a second call, and a region in the callee too */
	insns[n++] = MOV64_REG(1, 6);
	call2 = n;
	insns[n++] = CALL_REL(0);
	n += kops_emit(&rot, insns + n, &cl);
	insns[n++] = STX_MEM(BPF_DW, 6, 0, 72);
	n = epilogue(insns, n);
	/* the callee: r0 = rol(ctx[0], 13) */
	insns[call1].imm = n - call1 - 1;
	insns[call2].imm = n - call2 - 1;
	insns[n++] = LDX_MEM(BPF_DW, 0, 1, 0);
	n += kops_emit(&rot, insns + n, &cl);
	insns[n++] = EXIT_INSN();

	plen = op_patterns(&rot, pat, nopat, &noplen);
	check_prog("rotate after a bpf-to-bpf call, and in the callee", insns, n,
		   pat, plen, nopat, noplen, NR_INPUTS, 1);
	tap(klog_clean("bpf_jit: fatal") && klog_clean("multi-func JIT bug"),
	    "region after a call: JIT passes agree");
}

/*
 * 100,000 regions in one program: the first version scanned the whole
 * program for every marker on every JIT pass (quadratic: a soft lockup at
 * this size).  Report how long loading takes.
 */
static void test_many_regions(void)
{
	static struct bpf_insn insns[600000];
	struct kops_use rot = { BPF_EINSN_ROTATE, 2, 3, 0, 0, 13 };
	const int regions = 100000;
	uint64_t ctx[CTX_SIZE / 8], want;
	struct timespec t0, t1;
	union bpf_attr attr;
	int n, i, fd, len;
	unsigned int cl;
	uint32_t ret = 0;
	double secs;

	n = 0;
	insns[n++] = MOV64_REG(6, 1);
	insns[n++] = LDX_MEM(BPF_DW, 2, 6, 0);
	for (i = 0; i < regions; i++)
		n += kops_emit(&rot, insns + n, &cl);
	insns[n++] = STX_MEM(BPF_DW, 6, 2, 64);
	n = epilogue(insns, n);

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SYSCALL;
	attr.prog_flags = BPF_F_SLEEPABLE;
	attr.insns = (uintptr_t)insns;
	attr.insn_cnt = n;
	attr.license = (uintptr_t)"GPL";
	set_jit(1);
	set_native(1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	fd = sys_bpf(BPF_PROG_LOAD, &attr);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("# %d regions (%d insns): verified and jitted in %.2f s\n",
	       regions, n, secs);
	tap(fd >= 0 && secs < 300, "%d regions load in bounded time (%.2f s)",
	    regions, secs);
	if (fd < 0) {
		printf("# load: %s\n", strerror(errno));
		return;
	}
	len = jited(fd, img, sizeof(img));
	tap(len > 0 && len < 10 * regions,
	    "%d regions: native rotates (%d bytes of code)", regions, len);
	memset(ctx, 0, sizeof(ctx));
	ctx[0] = 0x0123456789abcdefULL;
	/* 13 * 100000 = 1300000 = 20312 * 64 + 32 */
	want = ctx[0] << 32 | ctx[0] >> 32;
	tap(!run(fd, ctx, &ret) && ctx[8] == want, "%d regions: result", regions);
	close(fd);
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
	struct kops_use rot = { BPF_EINSN_ROTATE, 2, 3, 0, 0, 13 };
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
	insns[n++] = KOPS_MARKER(BPF_EINSN_PREFETCH, 0, 0, 0, 0, 0);
	insns[n++] = MOV64_REG(0, 0);
	insns[n++] = EXIT_INSN();
	fd = load(insns, n, BPF_PROG_TYPE_SOCKET_FILTER);
	tap(fd < 0, "old kernel: program with an unreachable marker rejected (%d)", fd);
	diag(vlog);
	return failures ? 1 : 0;
}

/*
 * Environment (from the kernel command line when this is /init):
 *   KOPS_FUZZ=N   programs for the fuzzer (default 2000, 0 to skip)
 *   KOPS_QUICK=1  skip the envelope and the 100,000-region program
 *   KOPS_ONLY=A,B run only the test groups named (discovery, ops,
 *                 rejects, rewrites, privileges, memcpy_longest,
 *                 region_after_call, many_regions, envelope, module, fuzz)
 */
static int want(const char *group)
{
	const char *only = getenv("KOPS_ONLY"), *quick = getenv("KOPS_QUICK");
	size_t len = strlen(group);
	const char *p;

	if (quick && !strcmp(quick, "1") &&
	    (!strcmp(group, "envelope") || !strcmp(group, "many_regions")))
		return 0;
	if (!only)
		return 1;
	for (p = only; (p = strstr(p, group)); p += len)
		if ((p == only || p[-1] == ',') && (!p[len] || p[len] == ','))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	const char *module = argc > 1 ? argv[1] : "/test_bpf_kops.ko";
	const char *fuzz = getenv("KOPS_FUZZ");
	char buf[16];

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
	/* with CONFIG_BPF_JIT_ALWAYS_ON the JIT cannot be switched off */
	set_jit(0);
	have_interp = read_file("/proc/sys/net/core/bpf_jit_enable", buf,
				sizeof(buf)) > 0 && buf[0] == '0';
	set_jit(1);
	printf("# interpreter: %s\n", have_interp ? "yes" : "no (JIT always on)");

	if (want("discovery"))
		test_discovery();
	if (want("ops"))
		test_ops();
	if (want("rejects"))
		test_rejects();
	if (want("rewrites"))
		test_rewrites();
	if (want("privileges"))
		test_privileges();
	if (want("memcpy_longest"))
		test_memcpy_longest();
	if (want("region_after_call"))
		test_region_after_call();
	if (want("many_regions"))
		test_many_regions();
	if (want("envelope"))
		test_envelope();
	if (want("module"))
		test_module(module);
	if (want("fuzz"))
		test_fuzz(fuzz ? atoi(fuzz) : 2000);
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
