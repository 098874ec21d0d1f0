// SPDX-License-Identifier: GPL-2.0
/*
 * The envelope of every EInsn op: each parameter at its extremes and next
 * to them, with registers that the JITs map to registers of their own
 * kind (x86-64: rbp for r10, r13 for r7, the r8-r15 of r5 and r7-r9;
 * arm64: x25 for r10), same-register operands, and both bases a memory
 * access can have (ctx, stack).  Each program is run with native emits,
 * with native emits off, with constant blinding and in the interpreter,
 * and all must agree; invalid neighbours of each parameter must be
 * rejected with the op's reason.
 */
#include <stdio.h>
#include <string.h>

#include "kops_test.h"

#define ENV_INPUTS	8

static int nr_progs;

/*
 * A program for @u: ctx in r6, the scalar registers r0, r2-r5, r7-r9 from
 * ctx[0..7], 32 words of stack (fp - 256 to fp - 8) from ctx[16..47]; the
 * region; then every register the region does not clobber to ctx[8..15]
 * and the stack back to ctx[48..79].
 */
static int envelope_prog(const struct kops_use *u, struct bpf_insn *insns)
{
	unsigned int clobber;
	int n = 0, i;

	insns[n++] = MOV64_REG(6, 1);
	for (i = 0; i < 32; i++) {
		insns[n++] = LDX_MEM(BPF_DW, 0, 6, 8 * (16 + i));
		insns[n++] = STX_MEM(BPF_DW, 10, 0, -256 + 8 * i);
	}
	for (i = 0; i < 8; i++)
		insns[n++] = LDX_MEM(BPF_DW, io_regs[i], 6, 8 * i);
	n += kops_emit(u, insns + n, &clobber);
	for (i = 0; i < 8; i++)
		if (!(clobber & (1u << io_regs[i])))
			insns[n++] = STX_MEM(BPF_DW, 6, io_regs[i], 64 + 8 * i);
	for (i = 0; i < 32; i++) {
		insns[n++] = LDX_MEM(BPF_DW, 0, 10, -256 + 8 * i);
		insns[n++] = STX_MEM(BPF_DW, 6, 0, 8 * (48 + i));
	}
	return epilogue(insns, n);
}

static void envelope(const char *what, const struct kops_use *u)
{
	uint8_t pat[512], nopat[512];
	struct bpf_insn insns[MAX_INSNS];
	int n, plen, noplen;
	char name[160];

	n = envelope_prog(u, insns);
	plen = op_patterns(u, pat, nopat, &noplen);
	snprintf(name, sizeof(name), "envelope %s d=r%d a=r%d b=r%d c=%d p=%#x",
		 what, u->d, u->a, u->b, u->c, u->p);
	check_prog(name, insns, n, pat, plen, nopat, noplen, ENV_INPUTS, 1);
	nr_progs++;
}

/* A marker for @u whose operands the op must refuse with @why */
static void invalid(const char *what, const struct kops_use *u, const char *why)
{
	struct bpf_insn insns[MAX_INSNS];
	char name[160], msg[160];
	int n, i;

	n = prologue(insns);
	/* the operands are checked before the proof sequence */
	insns[n++] = KOPS_MARKER(u->id, u->d, u->a, u->b, u->c, u->p);
	for (i = 0; i < 4; i++)
		insns[n++] = MOV64_REG(0, 0);
	n = epilogue(insns, n);
	snprintf(name, sizeof(name), "envelope %s (invalid)", what);
	snprintf(msg, sizeof(msg), "malformed marker for op %s at insn 9: %s",
		 what, why);
	expect_reject(name, insns, n, msg);
}

static const int scalars[] = { 0, 2, 3, 4, 5, 7, 8, 9 };
#define NSCALARS ((int)(sizeof(scalars) / sizeof(scalars[0])))

static void envelope_rotate(void)
{
	static const int k64[] = { 1, 2, 31, 32, 33, 62, 63 };
	static const int k32[] = { 1, 2, 15, 16, 30, 31 };
	struct kops_use u = { .id = BPF_EINSN_ROTATE };
	int i, j;

	/* every amount, 64- and 32-bit, in r7 (r13 on x86-64) */
	for (i = 0; i < (int)(sizeof(k64) / sizeof(k64[0])); i++) {
		u.d = 7, u.a = 0, u.p = k64[i];
		envelope("rotate", &u);
	}
	for (i = 0; i < (int)(sizeof(k32) / sizeof(k32[0])); i++) {
		u.d = 9, u.a = 5, u.p = k32[i] | 0x40;
		envelope("rotate", &u);
	}
	/* every pair of scalar registers at amount 63 */
	for (i = 0; i < NSCALARS; i++)
		for (j = 0; j < NSCALARS; j++) {
			if (i == j)
				continue;
			u.d = scalars[i], u.a = scalars[j], u.p = 63;
			envelope("rotate", &u);
		}
	u = (struct kops_use){ BPF_EINSN_ROTATE, 2, 3, 0, 0, 0 };
	invalid("rotate", &u, "rotate amount out of range");
	u.p = 0x40 | 32;
	invalid("rotate", &u, "rotate amount out of range");
	u.p = 0x80 | 1;
	invalid("rotate", &u, "reserved operand bits set");
	u = (struct kops_use){ BPF_EINSN_ROTATE, 10, 3, 0, 0, 1 };
	invalid("rotate", &u, "dst and scratch must be distinct registers r0-r9");
	u = (struct kops_use){ BPF_EINSN_ROTATE, 2, 10, 0, 0, 1 };
	invalid("rotate", &u, "dst and scratch must be distinct registers r0-r9");
}

static void envelope_select(void)
{
	static const int conds[] = { 1, 2, 3, 4, 5, 6, 7, 0xa, 0xb, 0xc, 0xd };
	struct kops_use u = { .id = BPF_EINSN_SELECT };
	int i, w;

	/* every condition, 64- and 32-bit, with all four registers aliased
	 * in turn
	 */
	for (i = 0; i < (int)(sizeof(conds) / sizeof(conds[0])); i++)
		for (w = 0; w < 2; w++) {
			u.p = conds[i] | w << 4;
			u.d = 7, u.a = 8, u.b = 9, u.c = 5;
			envelope("select", &u);
			u.d = 0, u.a = 0, u.b = 2, u.c = 3;	/* D == A */
			envelope("select", &u);
			u.d = 4, u.a = 2, u.b = 2, u.c = 4;	/* A == B, C == D */
			envelope("select", &u);
		}
	u = (struct kops_use){ BPF_EINSN_SELECT, 0, 2, 3, 4, 0 };
	invalid("select", &u, "invalid condition");
	u.p = 8;	/* BPF_JA */
	invalid("select", &u, "invalid condition");
	u.p = 0xe;	/* BPF_JCOND */
	invalid("select", &u, "invalid condition");
	u.p = 1 | 0x20;
	invalid("select", &u, "reserved operand bits set");
	u = (struct kops_use){ BPF_EINSN_SELECT, 10, 2, 3, 4, 1 };
	invalid("select", &u, "invalid register");
	u = (struct kops_use){ BPF_EINSN_SELECT, 0, 11, 3, 4, 1 };
	invalid("select", &u, "invalid register");
}

static void envelope_bfext(void)
{
	static const int shifts[] = { 0, 1, 31, 32, 33, 62, 63 };
	static const int widths[] = { 1, 2, 15, 16, 30, 31 };
	struct kops_use u = { .id = BPF_EINSN_BFEXT };
	int i, j;

	for (i = 0; i < (int)(sizeof(shifts) / sizeof(shifts[0])); i++)
		for (j = 0; j < (int)(sizeof(widths) / sizeof(widths[0])); j++) {
			if (shifts[i] + widths[j] > 64)
				continue;
			u.d = (i + j) % 2 ? 7 : 3;
			u.a = j % 3 ? 9 : u.d;	/* dst == src too */
			u.p = shifts[i] | widths[j] << 6;
			envelope("bfext", &u);
		}
	u = (struct kops_use){ BPF_EINSN_BFEXT, 2, 3, 0, 0, 0 };
	invalid("bfext", &u, "field out of range");
	u.p = 33 | 32 << 6;
	invalid("bfext", &u, "field out of range");
	u.p = 34 | 31 << 6;	/* s + w = 65 */
	invalid("bfext", &u, "field out of range");
	u = (struct kops_use){ BPF_EINSN_BFEXT, 2, 10, 0, 0, 1 << 6 };
	invalid("bfext", &u, "dst and src must be registers r0-r9");
}

static void envelope_ldbswap(void)
{
	/* ctx (r6, aligned accesses only): offsets 0, around the 8-bit
	 * displacement limit and the largest; stack (r10): the deepest and
	 * the nearest slot
	 */
	static const struct { int base, size, off; } at[] = {
		{ 6, 0, 0 }, { 6, 3, 0 }, { 6, 0, 124 }, { 6, 3, 120 },
		{ 6, 0, 128 }, { 6, 3, 128 }, { 6, 0, 508 }, { 6, 3, 504 },
		{ 10, 0, -256 }, { 10, 3, -256 }, { 10, 0, -4 }, { 10, 3, -8 },
	};
	struct kops_use u = { .id = BPF_EINSN_LDBSWAP };
	int i, j;

	for (i = 0; i < (int)(sizeof(at) / sizeof(at[0])); i++) {
		u.d = scalars[i % NSCALARS];
		u.a = at[i].base;
		u.p = P_LDBSWAP(at[i].size, at[i].off);
		envelope("ldbswap", &u);
	}
	/* every destination register */
	for (j = 0; j < NSCALARS; j++) {
		u.d = scalars[j], u.a = 10, u.p = P_LDBSWAP(3, -136);
		envelope("ldbswap", &u);
	}
	u = (struct kops_use){ BPF_EINSN_LDBSWAP, 2, 6, 0, 0, P_LDBSWAP(1, 0) };
	invalid("ldbswap", &u, "size must be BPF_W or BPF_DW");
	u.p = P_LDBSWAP(2, 0);
	invalid("ldbswap", &u, "size must be BPF_W or BPF_DW");
	u = (struct kops_use){ BPF_EINSN_LDBSWAP, 10, 6, 0, 0, P_LDBSWAP(0, 0) };
	invalid("ldbswap", &u, "invalid register");
}

static void envelope_prefetch(void)
{
	static const int offs[] = { -2048, -2047, -129, -128, -1, 0, 1, 127, 128, 2047 };
	struct kops_use u = { .id = BPF_EINSN_PREFETCH };
	int i;

	/* of a pointer (ctx) and of arbitrary scalars: never faults */
	for (i = 0; i < (int)(sizeof(offs) / sizeof(offs[0])); i++) {
		u.a = i % 2 ? 6 : scalars[i % NSCALARS];
		u.p = offs[i] & 0xfff;
		envelope("prefetch", &u);
	}
	u = (struct kops_use){ BPF_EINSN_PREFETCH, 0, 10, 0, 0, 0 };
	invalid("prefetch", &u, "address must be in r0-r9");
	u = (struct kops_use){ BPF_EINSN_PREFETCH, 1, 2, 0, 0, 0 };
	invalid("prefetch", &u, "reserved operand bits set");
}

static void envelope_memcpy(void)
{
	/* (dst, src, words, dst off, src off) in words */
	static const struct { int d, a, c, doff, soff; } at[] = {
		{ 6, 6, 0, 0, 1 }, { 6, 6, 15, 31, 0 }, { 6, 6, 15, 0, 31 },
		{ 6, 6, 15, 16, 17 }, { 6, 6, 15, 17, 16 },	/* overlapping */
		{ 10, 10, 15, -32, -16 }, { 10, 10, 15, -16, -32 },
		{ 10, 10, 0, -1, -32 }, { 10, 10, 15, -32, -32 },
		{ 10, 6, 15, -32, 31 }, { 6, 10, 15, 16, -32 },
		{ 10, 6, 0, -1, 0 }, { 6, 10, 7, 0, -8 },
	};
	struct kops_use u = { .id = BPF_EINSN_MEMCPY };
	int i;

	for (i = 0; i < (int)(sizeof(at) / sizeof(at[0])); i++) {
		u.d = at[i].d, u.a = at[i].a, u.c = at[i].c;
		u.b = scalars[i % NSCALARS];
		u.p = P_MEMCPY(at[i].soff, at[i].doff);
		envelope("memcpy", &u);
	}
	u = (struct kops_use){ BPF_EINSN_MEMCPY, 6, 6, 6, 0, P_MEMCPY(0, 1) };
	invalid("memcpy", &u, "scratch must be r0-r9 and differ from dst and src");
	u = (struct kops_use){ BPF_EINSN_MEMCPY, 6, 2, 10, 0, P_MEMCPY(0, 1) };
	invalid("memcpy", &u, "scratch must be r0-r9 and differ from dst and src");
}

static void envelope_lea(void)
{
	static const int disps[] = { -512, -511, -129, -128, -1, 0, 1, 127, 128, 511 };
	struct kops_use u = { .id = BPF_EINSN_LEA };
	int i, s;

	for (s = 0; s < 4; s++)
		for (i = 0; i < (int)(sizeof(disps) / sizeof(disps[0])); i++) {
			u.d = scalars[(s + i) % NSCALARS];
			u.a = scalars[(s + i + 3) % NSCALARS];
			u.b = i % 3 ? scalars[(s + 2 * i) % NSCALARS] : u.a;
			if (u.d == u.a)
				u.a = u.d == 9 ? 8 : 9;
			u.p = P_LEA(s, disps[i]);
			envelope("lea", &u);
		}
	u = (struct kops_use){ BPF_EINSN_LEA, 2, 2, 3, 0, 0 };
	invalid("lea", &u, "dst must be r0-r9 and differ from base");
	u = (struct kops_use){ BPF_EINSN_LEA, 10, 2, 3, 0, 0 };
	invalid("lea", &u, "dst must be r0-r9 and differ from base");
	u = (struct kops_use){ BPF_EINSN_LEA, 2, 3, 4, 1, 0 };
	invalid("lea", &u, "reserved operand bits set");
}

void test_envelope(void)
{
	envelope_rotate();
	envelope_select();
	envelope_bfext();
	envelope_ldbswap();
	envelope_prefetch();
	envelope_memcpy();
	envelope_lea();
	printf("# envelope: %d programs, each native, proof, hardened%s\n",
	       nr_progs, have_interp ? " and interpreted" : "");
}
