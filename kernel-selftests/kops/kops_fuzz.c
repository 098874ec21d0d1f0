// SPDX-License-Identifier: GPL-2.0
/*
 * In-guest fuzzer of the Kops verifier checks and native emits.
 *
 * Random programs mix ordinary code (64- and 32-bit ALU, ctx loads and
 * stores, forward branches of both widths, bpf-to-bpf calls) with random
 * EInsn regions over the whole operand space, and, in some programs,
 * malformed regions (a changed proof insn, reserved operand bits, a marker
 * with off != 0, a cut region, a jump into a region).  Every program must
 * either be rejected with a verifier message or load, be JITed and give
 * the same results with native emits, with native emits off, with
 * constant blinding and (where the kernel has one) in the interpreter.  A
 * well-formed program must load.  KASAN, lockdep and the kernel log check
 * at the end of the run catch what the comparisons cannot see.
 */
#include <stdio.h>
#include <string.h>

#include "kops_test.h"

#define FUZZ_INPUTS	4
#define MAIN_MAX	400

struct gen {
	struct bpf_insn *insns;
	int n;
	/* jump targets that do not enter a region: insn index is safe */
	unsigned char safe[MAX_INSNS];
	/* forward branches to patch: index, and a safe or any target */
	int br[64], br_any[64], nbr;
	int malformed;		/* a malformation was injected */
};

static unsigned int pick(unsigned int n)
{
	return rnd() % n;
}

static void put(struct gen *g, struct bpf_insn insn)
{
	g->safe[g->n] = 1;
	g->insns[g->n++] = insn;
}

static const int scal[] = { 0, 2, 3, 4, 5, 7, 8, 9 };
#define NSCAL 8

static int scalar(void)
{
	return scal[pick(NSCAL)];
}

static void gen_alu(struct gen *g)
{
	static const int ops[] = { BPF_ADD, BPF_SUB, BPF_MUL, BPF_OR, BPF_AND,
				   BPF_XOR, BPF_LSH, BPF_RSH, BPF_ARSH, BPF_MOV };
	int op = ops[pick(10)], d = scalar(), is32 = pick(3) == 0;
	int imm = op == BPF_LSH || op == BPF_RSH || op == BPF_ARSH ?
		  (int)pick(is32 ? 32 : 64) : (int)rnd();

	if (pick(2))
		put(g, is32 ? ALU32_IMM(op, d, imm) : ALU64_IMM(op, d, imm));
	else if (op != BPF_LSH && op != BPF_RSH && op != BPF_ARSH)
		put(g, is32 ? ALU32_REG(op, d, scalar()) :
		       ALU64_REG(op, d, scalar()));
	else
		put(g, ALU64_IMM(op, d, imm));
}

/* A random well-formed EInsn use whose memory accesses stay in ctx (r6,
 * 1024 bytes, of which the first 512 are free to overwrite) and in the
 * initialised stack (fp - 256 to fp - 8; the interpreter rounds a
 * callee's frame up to 32 bytes, and a call chain has 512).
 */
static struct kops_use gen_use(void)
{
	struct kops_use u = { .id = 1 + pick(7) };
	int w, s, c;

	switch (u.id) {
	case BPF_EINSN_ROTATE:
		u.d = scalar();
		do
			u.a = scalar();
		while (u.a == u.d);
		u.p = pick(2) ? 1 + pick(63) : 0x40 | (1 + pick(31));
		break;
	case BPF_EINSN_SELECT: {
		static const int conds[] = { 1, 2, 3, 4, 5, 6, 7, 0xa, 0xb, 0xc, 0xd };

		u.d = scalar(), u.a = scalar(), u.b = scalar(), u.c = scalar();
		u.p = conds[pick(11)] | pick(2) << 4;
		break;
	}
	case BPF_EINSN_BFEXT:
		u.d = scalar(), u.a = scalar();
		w = 1 + pick(31);
		s = pick(65 - w);
		u.p = s | w << 6;
		break;
	case BPF_EINSN_LDBSWAP:
		u.d = scalar();
		if (pick(2)) {
			/* ctx accesses must be aligned */
			u.a = 6;
			u.p = pick(2) ? P_LDBSWAP(3, 8 * (int)pick(64)) :
					P_LDBSWAP(0, 4 * (int)pick(128));
		} else {
			u.a = 10;
			u.p = pick(2) ? P_LDBSWAP(3, -8 * (1 + (int)pick(32))) :
					P_LDBSWAP(0, -4 * (1 + (int)pick(64)));
		}
		break;
	case BPF_EINSN_PREFETCH:
		u.a = pick(4) ? scalar() : 6;
		u.p = pick(4096);
		break;
	case BPF_EINSN_MEMCPY:
		c = pick(16);
		u.c = c;
		u.d = pick(2) ? 6 : 10;
		u.a = pick(2) ? 6 : 10;
		u.b = scalar();
		/* words: ctx 0..63 writable, stack -32..-1 */
		s = u.a == 6 ? (int)pick(32) : -(int)(c + 1 + pick(32 - c));
		w = u.d == 6 ? (int)pick(32) : -(int)(c + 1 + pick(32 - c));
		u.p = P_MEMCPY(s, w);
		break;
	case BPF_EINSN_LEA:
		u.d = scalar(), u.a = scalar(), u.b = scalar();
		while (u.a == u.d)
			u.a = scalar();
		u.p = P_LEA(pick(4), (int)pick(1024) - 512);
		break;
	}
	return u;
}

/* Append a region for @u; with @bad, damage it so that it must be
 * rejected, or at least not run as anything but its proof sequence.
 */
static void gen_region(struct gen *g, const struct kops_use *u, int bad)
{
	int n, i, start, how = bad ? (int)pick(5) : -1;
	unsigned int clobber;
	struct bpf_insn *m;

	if (how == 4) {
		/* a jump from just before the region into it */
		g->malformed = 1;
		start = g->n;
		n = kops_emit(u, g->insns + g->n + 1, &clobber);
		put(g, JMP_IMM(BPF_JNE, scalar(), 0,
			       n > 1 ? 1 + (int)pick(n - 1) : 1));
		how = -1;
	}
	start = g->n;
	n = kops_emit(u, g->insns + g->n, &clobber);
	for (i = 0; i < n; i++)
		g->safe[g->n + i] = i == 0;
	g->n += n;
	m = &g->insns[start];
	switch (how) {
	case 0:	/* a proof insn changed */
		i = 1 + pick(n - 1);
		g->insns[start + i].imm ^= 1 + pick(255);
		g->insns[start + i].off ^= pick(2);
		break;
	case 1:	/* reserved operand bits, other operands or another op */
		m->imm ^= 1 << pick(32);
		break;
	case 2:
		m->off = 1 + pick(3);
		break;
	case 3:	/* the region cut short */
		g->n--;
		break;
	}
	if (how >= 0)
		g->malformed = 1;
	/* the scratch registers are unreadable: write them again */
	for (i = 0; i < 10; i++)
		if (clobber & (1u << i))
			put(g, MOV64_IMM(i, (int)rnd()));
}

static void gen_branch(struct gen *g)
{
	static const int ops[] = { BPF_JEQ, BPF_JNE, BPF_JGT, BPF_JSLT, BPF_JSET };
	int op = ops[pick(5)];

	if (g->nbr >= 64)
		return;
	g->br[g->nbr] = g->n;
	g->br_any[g->nbr++] = pick(20) == 0;
	if (pick(3))
		put(g, JMP_IMM(op, scalar(), (int)pick(16), 0));
	else
		put(g, INSN(BPF_JMP32 | op | BPF_X, scalar(), scalar(), 0, 0));
}

/* Resolve the forward branches to safe targets (or any, when asked) */
static void gen_fix_branches(struct gen *g, int end)
{
	int i, t, tries;

	for (i = 0; i < g->nbr; i++) {
		int at = g->br[i];

		if (at < 0)
			continue;
		for (tries = 0; tries < 20; tries++) {
			t = at + 1 + pick(end - at);
			if (g->br_any[i] || g->safe[t])
				break;
		}
		if (!g->br_any[i] && !g->safe[t])
			t = end;
		if (g->br_any[i] && !g->safe[t])
			g->malformed = 1;
		g->insns[at].off = t - at - 1;
	}
}

/*
 * main: ctx in r6, stack fp-256..fp-8 and the scalars from ctx, a random
 * body, everything back to ctx; a callee (maybe) with regions of its own.
 */
static int gen_prog(struct gen *g, int allow_bad)
{
	int i, call = -1, len = 20 + pick(MAIN_MAX - 60);
	struct kops_use u;

	g->n = g->nbr = g->malformed = 0;
	put(g, MOV64_REG(6, 1));
	for (i = 0; i < 32; i++) {
		put(g, LDX_MEM(BPF_DW, 0, 6, 8 * (64 + i)));
		put(g, STX_MEM(BPF_DW, 10, 0, -256 + 8 * i));
	}
	for (i = 0; i < NSCAL; i++)
		put(g, LDX_MEM(BPF_DW, scal[i], 6, 8 * i));
	while (g->n < len) {
		switch (pick(8)) {
		case 0:
		case 1:
		case 2:
			gen_alu(g);
			break;
		case 3:
			gen_branch(g);
			break;
		case 4:
			if (call < 0 && pick(3) == 0) {
				put(g, MOV64_REG(1, scalar()));
				call = g->n;
				put(g, CALL_REL(0));
				/* no branch skips r1's move */
				g->safe[call] = 0;
				put(g, MOV64_REG(scalar(), 0));
				for (i = 1; i <= 5; i++)
					put(g, MOV64_IMM(i, (int)rnd()));
				break;
			}
			/* fall through */
		default:
			u = gen_use();
			gen_region(g, &u, allow_bad && pick(12) == 0);
			break;
		}
	}
	for (i = 0; i < NSCAL; i++)
		put(g, STX_MEM(BPF_DW, 6, scal[i], 8 * (8 + i)));
	gen_fix_branches(g, g->n - NSCAL);
	for (i = 0; i < 32; i++) {
		put(g, LDX_MEM(BPF_DW, 0, 10, -256 + 8 * i));
		put(g, STX_MEM(BPF_DW, 6, 0, 8 * (16 + i)));
	}
	g->n = epilogue(g->insns, g->n);
	if (call >= 0) {
		/* callee(r1 scalar): r0..r5 only, then exit */
		g->insns[call].imm = g->n - call - 1;
		put(g, MOV64_REG(0, 1));
		put(g, MOV64_IMM(2, (int)rnd()));
		for (i = 0; i < 4; i++) {
			u = (struct kops_use){ BPF_EINSN_ROTATE, 0, 2, 0, 0,
					       1 + pick(63) };
			if (i & 1)
				u = (struct kops_use){ BPF_EINSN_BFEXT, 0, 0, 0, 0,
						       pick(32) | (1 + pick(31)) << 6 };
			gen_region(g, &u, 0);
			put(g, ALU64_IMM(BPF_XOR, 0, (int)rnd()));
		}
		put(g, EXIT_INSN());
	}
	return g->n;
}

void test_fuzz(int programs)
{
	static struct bpf_insn insns[MAX_INSNS];
	static struct gen g;
	uint64_t ctx[4][CTX_SIZE / 8], in[CTX_SIZE / 8];
	int tried = 0, loaded = 0, rejected = 0, compared = 0, mismatches = 0;
	int good_rejected = 0, bad_loaded = 0, unjited = 0, silent = 0;
	int p, m, k, fds[4], n, modes;
	uint32_t ret[4];

	if (programs <= 0) {
		printf("# fuzz: skipped\n");
		return;
	}
	g.insns = insns;
	for (p = 0; p < programs; p++) {
		n = gen_prog(&g, p % 4 == 3);
		tried++;
		set_jit(1);
		set_native(1);
		fds[0] = load(insns, n, BPF_PROG_TYPE_SYSCALL);
		if (fds[0] < 0) {
			rejected++;
			if (!strstr(vlog, "\n") && !strlen(vlog))
				silent++;
			if (!g.malformed) {
				good_rejected++;
				if (good_rejected <= 3) {
					printf("# well-formed program %d rejected (%d):\n",
					       p, fds[0]);
					diag(strrchr(vlog, '\n') && strlen(vlog) > 300 ?
					     vlog + strlen(vlog) - 300 : vlog);
				}
			}
			continue;
		}
		loaded++;
		bad_loaded += g.malformed;
		if (jited(fds[0], img, sizeof(img)) <= 0)
			unjited++;
		set_native(0);
		fds[1] = load(insns, n, BPF_PROG_TYPE_SYSCALL);
		set_native(1);
		write_file("/proc/sys/net/core/bpf_jit_harden", "2");
		fds[2] = load(insns, n, BPF_PROG_TYPE_SYSCALL);
		write_file("/proc/sys/net/core/bpf_jit_harden", "0");
		fds[3] = -1;
		modes = 3;
		if (have_interp) {
			set_jit(0);
			fds[3] = load(insns, n, BPF_PROG_TYPE_SYSCALL);
			set_jit(1);
			modes = 4;
		}
		for (m = 1; m < modes; m++)
			if (fds[m] < 0) {
				mismatches++;
				printf("# program %d: loads natively, not in mode %d (%d)\n",
				       p, m, fds[m]);
				if (mismatches <= 3)
					diag(strlen(vlog) > 300 ?
					     vlog + strlen(vlog) - 300 : vlog);
				modes = 0;
			}
		for (k = 0; k < FUZZ_INPUTS && modes; k++) {
			gen_input(in, p + k);
			for (m = 0; m < modes; m++) {
				memcpy(ctx[m], in, sizeof(in));
				ret[m] = 0;
				if (run(fds[m], ctx[m], &ret[m]))
					ret[m] = ~0u;
			}
			compared++;
			for (m = 1; m < modes; m++) {
				if (ret[0] == ret[m] &&
				    !memcmp(ctx[0], ctx[m], sizeof(ctx[0])))
					continue;
				mismatches++;
				if (mismatches <= 3)
					printf("# program %d input %d: native differs from mode %d\n",
					       p, k, m);
				break;
			}
		}
		close_fds(fds, 4);
	}
	printf("# fuzz: %d programs, %d loaded (%d with damaged regions), %d rejected (%d without a message), %d runs compared in %d modes, %d mismatches, %d not jitted\n",
	       tried, loaded, bad_loaded, rejected, silent, compared,
	       have_interp ? 4 : 3, mismatches, unjited);
	tap(!mismatches, "fuzz: %d programs, native == proof == hardened%s on every run",
	    tried, have_interp ? " == interpreter" : "");
	tap(!good_rejected, "fuzz: every well-formed program loads (%d rejected)",
	    good_rejected);
	tap(!silent, "fuzz: every rejection has a verifier message");
	tap(!unjited, "fuzz: every loaded program is jitted");
	tap(loaded > programs / 2, "fuzz: most programs load (%d of %d)", loaded,
	    programs);
}
