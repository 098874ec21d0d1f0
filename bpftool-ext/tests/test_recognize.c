// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_recognize - the EInsn templates, Kops markers and the recognizer.
 *
 * Template expectations are written out from kernel/bpf/einsn.c and the
 * "EInsn ops" section of Documentation/bpf/kops.rst (Kops series, patch
 * 0002), and compared with the sequences kernel-selftests/kops/kops_insn.h
 * builds for the kernel selftests.
 * The last part optimizes build/examples/kops_idioms.o for
 * bpftool-ext/tests/data/kops-x86_64.txt (paths relative to the
 * repository root; other paths as arguments) and runs the original and
 * the optimized programs in the interpreter on the same packets.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "bpfext.h"
#include "isa/kops_ops.h"
#include "bpfext_opt.h"
#include "superopt/recognize.h"
#include "semantics/symbolic.h"
#include "tap.h"
/* The selftests' own copy of the templates, to compare with ours. */
#include "../../kernel-selftests/kops/kops_insn.h"

#define I(CODE, DST, SRC, OFF, IMM) \
	((struct bpf_insn){ .code = (CODE), .dst_reg = (DST), .src_reg = (SRC), \
			    .off = (OFF), .imm = (IMM) })
#define MOV64(D, S)	I(BPF_ALU64 | BPF_MOV | BPF_X, D, S, 0, 0)
#define MOV32(D, S)	I(BPF_ALU | BPF_MOV | BPF_X, D, S, 0, 0)
#define MOV64K(D, K)	I(BPF_ALU64 | BPF_MOV | BPF_K, D, 0, 0, K)
#define ALU64K(OP, D, K) I(BPF_ALU64 | (OP) | BPF_K, D, 0, 0, K)
#define ALU32K(OP, D, K) I(BPF_ALU | (OP) | BPF_K, D, 0, 0, K)
#define ALU64X(OP, D, S) I(BPF_ALU64 | (OP) | BPF_X, D, S, 0, 0)
#define ALU32X(OP, D, S) I(BPF_ALU | (OP) | BPF_X, D, S, 0, 0)
#define LDX(SZ, D, S, O) I(BPF_LDX | BPF_MEM | (SZ), D, S, O, 0)
#define STX(SZ, D, S, O) I(BPF_STX | BPF_MEM | (SZ), D, S, O, 0)
#define JMPX(OP, D, S, O) I(BPF_JMP | (OP) | BPF_X, D, S, O, 0)
#define JMP32X(OP, D, S, O) I(BPF_JMP32 | (OP) | BPF_X, D, S, O, 0)
#define JA(O)		I(BPF_JMP | BPF_JA, 0, 0, O, 0)
#define BE(D, N)	I(BPF_ALU | BPF_END | BPF_TO_BE, D, 0, 0, N)
#define EXIT()		I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
/* The marker as kops.rst writes it. */
#define MARKER(ID, D, A, B, C, P) \
	I(BPF_JMP | BPF_JA | BPF_K, D, 1, 0, \
	  (int32_t)((uint32_t)(ID) | (uint32_t)(A) << 8 | (uint32_t)(B) << 12 | \
		    (uint32_t)(C) << 16 | ((uint32_t)(P) & 0xfff) << 20))

static bool same(const struct bpf_insn *a, const struct bpf_insn *b, size_t n)
{
	return !memcmp(a, b, n * sizeof(*a));
}

/* Instantiate @m and compare with @want[0..n). */
static void check_template(const char *what, struct bpf_insn m,
			   const struct bpf_insn *want, int n, uint16_t clobber)
{
	struct bpf_insn p[BPFEXT_KOPS_MAX_LEN];
	uint16_t c = 0xffff;
	const char *why = NULL;
	int r = bpfext_kops_instantiate(&m, p, &c, &why);

	ok(r == n && same(p, want, (size_t)n) && c == clobber,
	   "template %s: %d insns, clobber %#x%s%s", what, r, c, why ? ": " : "",
	   why ? why : "");
}

static void check_bad(const char *what, struct bpf_insn m, const char *reason)
{
	struct bpf_insn p[BPFEXT_KOPS_MAX_LEN];
	const char *why = NULL;
	int r = bpfext_kops_instantiate(&m, p, NULL, &why);

	ok(r == -EINVAL && why && !strcmp(why, reason),
	   "malformed %s refused: %s", what, why ? why : "(none)");
}

static void test_templates(void)
{
	/* einsn_rotate, 64 and 32 bit */
	const struct bpf_insn rot64[] = {
		MOV64(2, 3), ALU64K(BPF_LSH, 3, 13), ALU64K(BPF_RSH, 2, 51),
		ALU64X(BPF_OR, 3, 2),
	};
	const struct bpf_insn rot32[] = {
		MOV32(4, 1), ALU32K(BPF_LSH, 1, 5), ALU32K(BPF_RSH, 4, 27),
		ALU32X(BPF_OR, 1, 4),
	};
	/* einsn_select */
	const struct bpf_insn sel[] = { JMPX(BPF_JGT, 1, 2, 1), JA(1), MOV64(0, 3) };
	const struct bpf_insn sel32[] = { JMP32X(BPF_JSLE, 1, 10, 1), JA(1), MOV64(9, 10) };
	/* einsn_bfext */
	const struct bpf_insn bf[] = {
		MOV64(5, 6), ALU64K(BPF_RSH, 5, 12), ALU64K(BPF_AND, 5, 0xff),
	};
	const struct bpf_insn bf31[] = {
		MOV64(5, 5), ALU64K(BPF_RSH, 5, 33), ALU64K(BPF_AND, 5, 0x7fffffff),
	};
	/* einsn_ldbswap */
	const struct bpf_insn lw[] = { LDX(BPF_W, 0, 1, -4), BE(0, 32) };
	const struct bpf_insn ldw[] = { LDX(BPF_DW, 7, 10, 511), BE(7, 64) };
	/* einsn_prefetch */
	const struct bpf_insn pf[] = { MOV64(6, 6) };
	/* einsn_memcpy */
	const struct bpf_insn mc[] = {
		LDX(BPF_DW, 3, 10, -24), STX(BPF_DW, 0, 3, 8),
		LDX(BPF_DW, 3, 10, -16), STX(BPF_DW, 0, 3, 16),
		LDX(BPF_DW, 3, 10, -8), STX(BPF_DW, 0, 3, 24),
	};
	/* einsn_lea */
	const struct bpf_insn lea[] = {
		MOV64(3, 1), ALU64K(BPF_LSH, 3, 3), ALU64X(BPF_ADD, 3, 10),
		ALU64K(BPF_ADD, 3, -96),
	};
	const struct bpf_insn lea0[] = { MOV64(3, 1), ALU64X(BPF_ADD, 3, 2) };
	struct bpf_insn p[BPFEXT_KOPS_MAX_LEN];
	struct bpf_insn m;

	check_template("rotate64", MARKER(1, 3, 2, 0, 0, 13), rot64, 4, 1 << 2);
	m = bpfext_kops_rotate(3, 2, 13, false);
	ok(same(&m, &MARKER(1, 3, 2, 0, 0, 13), 1), "rotate builder encodes the marker");
	check_template("rotate32", bpfext_kops_rotate(1, 4, 5, true), rot32, 4, 1 << 4);
	ok(bpfext_kops_rotate(1, 4, 5, true).code == 0x05,
	   "marker opcode is 0x05");
	check_template("select", MARKER(2, 0, 1, 2, 3, BPF_JGT >> 4), sel, 3, 0);
	check_template("select jmp32", bpfext_kops_select(9, 1, 10, 10, BPF_JSLE, true),
		       sel32, 3, 0);
	check_template("bfext", MARKER(3, 5, 6, 0, 0, 12 | 8 << 6), bf, 3, 0);
	check_template("bfext w31", bpfext_kops_bfext(5, 5, 33, 31), bf31, 3, 0);
	check_template("ldbswap w", MARKER(4, 0, 1, 0, 0, 0 | (-4 & 0x3ff) << 2), lw, 2, 0);
	check_template("ldbswap dw", bpfext_kops_ldbswap(7, 10, BPF_DW, 511), ldw, 2, 0);
	check_template("prefetch", bpfext_kops_prefetch(6, -64), pf, 1, 0);
	check_template("memcpy", MARKER(6, 0, 10, 3, 2, (-3 & 0x3f) | 1 << 6), mc, 6, 1 << 3);
	check_template("lea", bpfext_kops_lea(3, 10, 1, 3, -96), lea, 4, 0);
	check_template("lea s0 d0", MARKER(7, 3, 2, 1, 0, 0), lea0, 2, 0);
	ok(bpfext_kops_instantiate(&MARKER(6, 0, 1, 2, 15, 0), p, NULL, NULL) == 32,
	   "memcpy of 16 words is 32 insns");

	check_bad("rotate d == a", MARKER(1, 3, 3, 0, 0, 13),
		  "dst and scratch must be distinct registers r0-r9");
	check_bad("rotate k 0", MARKER(1, 3, 2, 0, 0, 0), "rotate amount out of range");
	check_bad("rotate32 k 32", MARKER(1, 3, 2, 0, 0, 32 | 64), "rotate amount out of range");
	check_bad("rotate P7", MARKER(1, 3, 2, 0, 0, 13 | 128), "reserved operand bits set");
	check_bad("select JSET>>4 bad op", MARKER(2, 0, 1, 2, 3, 0xe), "invalid condition");
	check_bad("select d r10", MARKER(2, 10, 1, 2, 3, 1), "invalid register");
	check_bad("bfext w 0", MARKER(3, 1, 2, 0, 0, 4), "field out of range");
	check_bad("bfext s+w > 64", MARKER(3, 1, 2, 0, 0, 40 | 30 << 6), "field out of range");
	check_bad("ldbswap size H", MARKER(4, 1, 2, 0, 0, 1), "size must be BPF_W or BPF_DW");
	check_bad("prefetch d set", MARKER(5, 1, 2, 0, 0, 0), "reserved operand bits set");
	check_bad("memcpy b == a", MARKER(6, 1, 2, 2, 0, 0),
		  "scratch must be r0-r9 and differ from dst and src");
	check_bad("lea d == a", MARKER(7, 1, 1, 2, 0, 0),
		  "dst must be r0-r9 and differ from base");
	ok(bpfext_kops_instantiate(&MARKER(64, 0, 0, 0, 0, 0), p, NULL, NULL) == -ENOENT,
	   "unknown op id: -ENOENT");
}

/*
 * kops_insn.h (kernel-selftests/kops), which builds the programs the
 * kernel selftests load, against bpfext_kops_instantiate() on every P of
 * every op with random registers, wherever the operands are well formed.
 */
static void test_selftest_copy(void)
{
	uint64_t s = 0x243f6a8885a308d3ull;
	unsigned int id, p, k, valid = 0, bad = 0;

	for (id = 1; id < BPFEXT_EINSN_NR; id++) {
		for (p = 0; p < 4096; p++) {
			for (k = 0; k < 16; k++) {
				struct kops_use u;
				struct bpf_insn theirs[1 + BPFEXT_KOPS_MAX_LEN];
				struct bpf_insn mine[BPFEXT_KOPS_MAX_LEN];
				struct bpf_insn m;
				unsigned int clob_theirs;
				uint16_t clob_mine;
				int n, nt;

				s ^= s << 13;
				s ^= s >> 7;
				s ^= s << 17;
				u.id = (int)id;
				u.d = (int)(s & 0xf) % 11;
				u.a = (int)((s >> 4) & 0xf) % 11;
				u.b = (int)((s >> 8) & 0xf) % 11;
				u.c = id == BPF_EINSN_MEMCPY ? (int)((s >> 12) & 0xf) :
				      (int)((s >> 12) & 0xf) % 11;
				/* Ops that take no B or C get zeros, mostly. */
				if ((s >> 16) & 3) {
					if (id != BPF_EINSN_SELECT && id != BPF_EINSN_MEMCPY &&
					    id != BPF_EINSN_LEA)
						u.b = 0;
					if (id != BPF_EINSN_SELECT && id != BPF_EINSN_MEMCPY)
						u.c = 0;
					if (id == BPF_EINSN_PREFETCH)
						u.d = 0;
				}
				u.p = p;
				m = MARKER(u.id, u.d, u.a, u.b, u.c, u.p);
				n = bpfext_kops_instantiate(&m, mine, &clob_mine, NULL);
				if (n <= 0)
					continue;
				valid++;
				nt = kops_emit(&u, theirs, &clob_theirs);
				if (nt != n + 1 || !same(&theirs[0], &m, 1) ||
				    !same(&theirs[1], mine, (size_t)n) || clob_theirs != clob_mine)
					bad++;
			}
		}
	}
	ok(!bad && valid > 100000,
	   "templates agree with kernel-selftests/kops/kops_insn.h on %u well-formed markers (%u differ)",
	   valid, bad);
}

static void test_markers(void)
{
	struct bpfext_kops_marker m = { 0 }, back;
	struct bpf_insn x, parsed[2], region[8];
	char text[BPFEXT_INSN_STR_MAX];
	struct bpfext_error err = { "" };
	unsigned int i, bad = 0, rt = 0;
	uint64_t s = 0x9e3779b97f4a7c15ull;

	for (i = 0; i < 2000; i++) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		m.id = s & 0xff;
		m.d = (s >> 8) & 0xf;
		m.a = (s >> 12) & 0xf;
		m.b = (s >> 16) & 0xf;
		m.c = (s >> 20) & 0xf;
		m.p = (s >> 24) & 0xfff;
		x = bpfext_kops_marker_encode(&m);
		if (!same(&x, &MARKER(m.id, m.d, m.a, m.b, m.c, m.p), 1) ||
		    bpfext_kops_marker_decode(&x, &back) || m.id != back.id ||
		    m.d != back.d || m.a != back.a || m.b != back.b || m.c != back.c ||
		    m.p != back.p)
			bad++;
		/* Every marker is valid ISA and round-trips through text. */
		if (bpfext_insn_check(&x, 1, &err) == 1 &&
		    bpfext_insn_print(&x, 1, text, sizeof(text)) == 1 &&
		    bpfext_insn_parse(text, parsed, &err) == 1 &&
		    same(&x, parsed, 1))
			rt++;
	}
	ok(!bad, "marker encode/decode on 2000 random operand sets");
	ok(rt == 2000, "markers check, print and parse back bit-exactly (%u/2000)", rt);
	if (rt != 2000)
		printf("# last: %s: %s\n", text, err.msg);

	x = bpfext_kops_rotate(3, 2, 13, false);
	bpfext_insn_print(&x, 1, text, sizeof(text));
	ok(!strcmp(text, "goto pc+0 [kops rotate dst=3 imm=0x00d00201]"),
	   "marker text: %s", text);
	ok(bpfext_insn_parse("goto pc+0 [kops lea dst=3 imm=0x00d00201]", parsed,
			     &err) < 0, "name that does not match the id refused");
	x.off = 1;
	ok(bpfext_insn_check(&x, 1, &err) < 0, "marker with off 1 refused: %s", err.msg);
	x = I(BPF_JMP | BPF_JA, 0, 2, 0, 0);
	ok(bpfext_insn_check(&x, 1, &err) < 0, "JA with src_reg 2 still refused");
	ok(!bpfext_kops_is_marker(&JA(0)), "plain goto pc+0 is no marker");

	region[0] = bpfext_kops_lea(3, 10, 1, 3, -96);
	bpfext_kops_instantiate(&region[0], &region[1], NULL, NULL);
	region[5] = EXIT();
	ok(bpfext_kops_region_len(region, 6) == 5, "region length of a lea region");
	ok(bpfext_kops_region_len(region, 4) == 1, "cut-off region: only the marker");
	region[2].imm = 2;
	ok(bpfext_kops_region_len(region, 6) == 1, "mismatching proof: only the marker");
	ok(bpfext_kops_region_len(&region[5], 1) == 0, "exit is no region");
}

/* Recognize in @insns (a whole function) with @ops; return the sites. */
static size_t run(const struct bpf_insn *insns, size_t cnt, uint32_t ops,
		  struct bpfext_recog_site **sites, struct bpfext_recog_stats *st)
{
	struct bpfext_recog_opts o = { .ops = ops };
	struct bpfext_error err;
	size_t n = 0;

	memset(st, 0, sizeof(*st));
	if (bpfext_recognize_func(insns, cnt, NULL, &o, sites, &n, st, &err)) {
		*sites = NULL;
		return (size_t)-1;
	}
	return n;
}

#define ALL_OPS 0xfeu

/* One rewrite of @op replacing [start, start+len) by marker + @want. */
static void expect_site(const char *what, const struct bpf_insn *insns, size_t cnt,
			unsigned int op, size_t start, size_t len,
			const struct bpf_insn *want, size_t nwant)
{
	struct bpfext_recog_site *s = NULL;
	struct bpfext_recog_stats st;
	size_t n = run(insns, cnt, ALL_OPS, &s, &st);
	bool good = n == 1 && s[0].op == op && s[0].start == start &&
		    s[0].len == len && s[0].cnt == nwant && same(s[0].insns, want, nwant);

	ok(good, "%s: %zu site(s)%s", what, n, good ? "" : ", not the expected one");
	if (good) {
		/* Proven again here, without the marker, and marker-checked. */
		struct bpf_insn b[BPFEXT_RECOG_MAX];
		struct bpfext_error err;
		size_t k, m = 0, reg = 0;
		int r;

		for (k = 0; k < s[0].cnt; k++) {
			if (bpfext_kops_is_marker(&s[0].insns[k]))
				reg = bpfext_kops_region_len(&s[0].insns[k], s[0].cnt - k);
			else
				b[m++] = s[0].insns[k];
		}
		r = bpfext_sym_equiv_window(&insns[start], len, b, m, 0x1, NULL, NULL, &err);
		ok(reg > 1 && r == BPFEXT_EQUIVALENT,
		   "%s: region well-formed and proven (r0 live)", what);
	}
	free(s);
}

static void expect_none(const char *what, const struct bpf_insn *insns, size_t cnt,
			uint32_t ops, unsigned int *clobbered, unsigned int *unproven)
{
	struct bpfext_recog_site *s = NULL;
	struct bpfext_recog_stats st;
	size_t n = run(insns, cnt, ops, &s, &st);

	ok(n == 0, "%s: no rewrite (%u candidates, %u clobbered, %u unproven)", what,
	   st.candidates, st.clobbered, st.unproven);
	if (clobbered)
		*clobbered = st.clobbered;
	if (unproven)
		*unproven = st.unproven;
	free(s);
}

static void test_recognizer(void)
{
	unsigned int cl = 0, un = 0;

	{	/* clang's 64-bit rotate: shifts swapped */
		const struct bpf_insn p[] = {
			MOV64(4, 1), ALU64K(BPF_RSH, 4, 51), ALU64K(BPF_LSH, 1, 13),
			ALU64X(BPF_OR, 1, 4), MOV64(0, 1), EXIT(),
		};
		const struct bpf_insn w[] = {
			MARKER(1, 1, 4, 0, 0, 13), MOV64(4, 1), ALU64K(BPF_LSH, 1, 13),
			ALU64K(BPF_RSH, 4, 51), ALU64X(BPF_OR, 1, 4),
		};
		const struct bpf_insn live[] = {
			MOV64(4, 1), ALU64K(BPF_RSH, 4, 51), ALU64K(BPF_LSH, 1, 13),
			ALU64X(BPF_OR, 1, 4), MOV64(0, 1), ALU64X(BPF_ADD, 0, 4), EXIT(),
		};

		expect_site("rotate64", p, 6, 1, 0, 4, w, 5);
		/* r4 = r1 >> 51 is read after: the canonical proof leaves r4
		 * equal, but the clobber rule forbids reading a scratch. */
		expect_none("rotate64, scratch live after", live, 7, ALL_OPS, &cl, NULL);
		ok(cl == 1, "rotate64, scratch live after: refused by the clobber rule");
		expect_none("rotate64, rotate not offered", p, 6, ALL_OPS & ~(1u << 1), NULL, NULL);
	}
	{	/* 32-bit rotate from two copies */
		const struct bpf_insn p[] = {
			MOV32(4, 3), ALU32K(BPF_RSH, 4, 27), MOV32(5, 3),
			ALU32K(BPF_LSH, 5, 5), ALU32X(BPF_OR, 5, 4), MOV64(0, 5),
			ALU64X(BPF_ADD, 0, 3), EXIT(),
		};
		const struct bpf_insn w[] = {
			MOV32(5, 3), MARKER(1, 5, 4, 0, 0, 5 | 64), MOV32(4, 5),
			ALU32K(BPF_LSH, 5, 5), ALU32K(BPF_RSH, 4, 27), ALU32X(BPF_OR, 5, 4),
		};

		expect_site("rotate32 of a copy", p, 8, 1, 0, 5, w, 6);
	}
	{	/* select: if r1 > r2 goto +1; r1 = r2 (max) */
		const struct bpf_insn p[] = {
			JMPX(BPF_JGT, 1, 2, 1), MOV64(1, 2), MOV64(0, 1), EXIT(),
		};
		const struct bpf_insn w[] = {
			MARKER(2, 1, 1, 2, 2, BPF_JLE >> 4), JMPX(BPF_JLE, 1, 2, 1),
			JA(1), MOV64(1, 2),
		};
		const struct bpf_insn jset[] = {
			I(BPF_JMP | BPF_JSET | BPF_X, 1, 2, 1, 0), MOV64(1, 2), MOV64(0, 1),
			EXIT(),
		};
		const struct bpf_insn into[] = {	/* a jump into the window */
			JMPX(BPF_JEQ, 3, 4, 1), JMPX(BPF_JGT, 1, 2, 1), MOV64(1, 2),
			MOV64(0, 1), EXIT(),
		};

		expect_site("select", p, 4, 2, 0, 2, w, 4);
		expect_none("select on JSET (no inverse)", jset, 4, ALL_OPS, NULL, NULL);
		expect_none("select, jump into the window", into, 5, ALL_OPS, NULL, NULL);
	}
	{	/* select, 3-insn form: r0 = r3; if w1 s< w2 goto +1; r0 = 7 */
		const struct bpf_insn p[] = {
			MOV64(0, 3), JMP32X(BPF_JSLT, 1, 2, 1), MOV64K(0, 7), EXIT(),
		};
		const struct bpf_insn w[] = {
			MOV64K(0, 7), MARKER(2, 0, 1, 2, 3, (BPF_JSLT >> 4) | 0x10),
			JMP32X(BPF_JSLT, 1, 2, 1), JA(1), MOV64(0, 3),
		};

		expect_site("select, 3-insn form", p, 4, 2, 0, 3, w, 5);
	}
	{	/* bfext, 32-bit shift and mask (clang) */
		const struct bpf_insn p[] = {
			ALU32K(BPF_RSH, 6, 3), ALU32K(BPF_AND, 6, 31), MOV32(0, 6), EXIT(),
		};
		const struct bpf_insn w[] = {
			MARKER(3, 6, 6, 0, 0, 3 | 5 << 6), MOV64(6, 6),
			ALU64K(BPF_RSH, 6, 3), ALU64K(BPF_AND, 6, 31),
		};
		/* s + w = 34 > 32: the 32-bit form is not a 64-bit field */
		const struct bpf_insn wide[] = {
			ALU32K(BPF_RSH, 6, 20), ALU32K(BPF_AND, 6, 0x3fff), MOV64(0, 6), EXIT(),
		};

		expect_site("bfext32", p, 4, 3, 0, 2, w, 4);
		expect_none("bfext32 with s + w > 32", wide, 4, ALL_OPS, NULL, &un);
		ok(un == 1, "bfext32 with s + w > 32: refused by the solver");
	}
	{	/* bfext, 64-bit shift then 32-bit and: (x >> 56) & 15 (clang) */
		const struct bpf_insn p[] = {
			ALU64K(BPF_RSH, 6, 56), ALU32K(BPF_AND, 6, 15), MOV64(0, 6), EXIT(),
		};
		const struct bpf_insn w[] = {
			MARKER(3, 6, 6, 0, 0, 56 | 4 << 6), MOV64(6, 6),
			ALU64K(BPF_RSH, 6, 56), ALU64K(BPF_AND, 6, 15),
		};

		expect_site("bfext, 64-bit shift and 32-bit and", p, 4, 3, 0, 2, w, 4);
	}
	{	/* bfext with a copy: r5 = r6; r5 >>= 12; r5 &= 0xff */
		const struct bpf_insn p[] = {
			MOV64(5, 6), ALU64K(BPF_RSH, 5, 12), ALU64K(BPF_AND, 5, 0xff),
			MOV64(0, 5), EXIT(),
		};
		const struct bpf_insn w[] = {
			MARKER(3, 5, 6, 0, 0, 12 | 8 << 6), MOV64(5, 6),
			ALU64K(BPF_RSH, 5, 12), ALU64K(BPF_AND, 5, 0xff),
		};

		expect_site("bfext64", p, 5, 3, 0, 3, w, 4);
	}
	{	/* ldbswap: load, copy, be32; the loaded register stays live */
		const struct bpf_insn p[] = {
			LDX(BPF_W, 2, 2, 30), MOV64(4, 2), BE(4, 32), MOV64(0, 4),
			ALU64X(BPF_ADD, 0, 2), EXIT(),
		};
		const struct bpf_insn w[] = {
			MARKER(4, 4, 2, 0, 0, 30 << 2), LDX(BPF_W, 4, 2, 30), BE(4, 32),
			LDX(BPF_W, 2, 2, 30),
		};
		const struct bpf_insn dw[] = {
			LDX(BPF_DW, 0, 1, -8), BE(0, 64), EXIT(),
		};
		const struct bpf_insn wdw[] = {
			MARKER(4, 0, 1, 0, 0, 3 | (-8 & 0x3ff) << 2), LDX(BPF_DW, 0, 1, -8),
			BE(0, 64),
		};
		const struct bpf_insn h[] = {	/* be16: no op */
			LDX(BPF_H, 0, 1, 0), BE(0, 16), EXIT(),
		};

		expect_site("ldbswap via a copy", p, 6, 4, 0, 3, w, 4);
		expect_site("ldbswap dw", dw, 3, 4, 0, 2, wdw, 3);
		expect_none("16-bit bswap load", h, 3, ALL_OPS, NULL, NULL);
	}
	{	/* memcpy through r1, stack to map value */
		const struct bpf_insn p[] = {
			LDX(BPF_DW, 1, 10, -24), STX(BPF_DW, 0, 1, 8),
			LDX(BPF_DW, 1, 10, -16), STX(BPF_DW, 0, 1, 16), EXIT(),
		};
		const struct bpf_insn w[] = {
			MARKER(6, 0, 10, 1, 1, (-3 & 0x3f) | 1 << 6),
			LDX(BPF_DW, 1, 10, -24), STX(BPF_DW, 0, 1, 8),
			LDX(BPF_DW, 1, 10, -16), STX(BPF_DW, 0, 1, 16),
		};
		const struct bpf_insn live[] = {
			LDX(BPF_DW, 1, 10, -24), STX(BPF_DW, 0, 1, 8),
			LDX(BPF_DW, 1, 10, -16), STX(BPF_DW, 0, 1, 16), MOV64(0, 1), EXIT(),
		};

		expect_site("memcpy", p, 5, 6, 0, 4, w, 5);
		expect_none("memcpy, scratch live after", live, 6, ALL_OPS, &cl, NULL);
	}
	{	/* lea: r3 = r10; r3 += -96; r3 += r1 */
		const struct bpf_insn p[] = {
			MOV64(3, 10), ALU64K(BPF_ADD, 3, -96), ALU64X(BPF_ADD, 3, 1),
			MOV64(0, 3), EXIT(),
		};
		const struct bpf_insn w[] = {
			MARKER(7, 3, 1, 10, 0, (-96 & 0x3ff) << 2), MOV64(3, 10),
			ALU64X(BPF_ADD, 3, 1), ALU64K(BPF_ADD, 3, -96),
		};
		/* r1 <<= 3; r3 = r2; r3 += r1; r3 += 8 (r1 dead after) */
		const struct bpf_insn q[] = {
			ALU64K(BPF_LSH, 1, 3), MOV64(3, 2), ALU64X(BPF_ADD, 3, 1),
			ALU64K(BPF_ADD, 3, 8), MOV64(0, 3), EXIT(),
		};
		const struct bpf_insn wq[] = {
			MARKER(7, 3, 2, 1, 0, 3 | 8 << 2), MOV64(3, 1),
			ALU64K(BPF_LSH, 3, 3), ALU64X(BPF_ADD, 3, 2), ALU64K(BPF_ADD, 3, 8),
		};
		const struct bpf_insn qlive[] = {
			ALU64K(BPF_LSH, 1, 3), MOV64(3, 2), ALU64X(BPF_ADD, 3, 1),
			ALU64K(BPF_ADD, 3, 8), MOV64(0, 3), ALU64X(BPF_ADD, 0, 1), EXIT(),
		};

		expect_site("lea", p, 5, 7, 0, 3, w, 4);
		expect_site("lea, index shifted first", q, 6, 7, 0, 4, wq, 5);
		/* r1 is read after: not the shifted form, but "r3 = r2;
		 * r3 += r1; r3 += 8" from slot 1 is a lea with scale 0. */
		const struct bpf_insn wlive[] = {
			MARKER(7, 3, 1, 2, 0, 8 << 2), MOV64(3, 2),
			ALU64X(BPF_ADD, 3, 1), ALU64K(BPF_ADD, 3, 8),
		};
		expect_site("lea, shifted index live after", qlive, 7, 7, 1, 3, wlive, 4);
	}
	{	/* an existing region is left alone: recognition is idempotent */
		struct bpf_insn p[8] = {
			MARKER(7, 3, 1, 10, 0, (-96 & 0x3ff) << 2), MOV64(3, 10),
			ALU64X(BPF_ADD, 3, 1), ALU64K(BPF_ADD, 3, -96), MOV64(0, 3), EXIT(),
		};

		expect_none("a recognized region again", p, 6, ALL_OPS, NULL, NULL);
	}
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

static uint64_t rng = 0x853c49e6748fea9bull;

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

static size_t count_markers(struct bpfext_object *obj)
{
	size_t i, k, n = 0;

	for (i = 0; i < bpfext_object__prog_cnt(obj); i++) {
		struct bpfext_prog *p = bpfext_object__prog(obj, i);
		const struct bpfext_func *fn = &p->sec->funcs[p->func];

		for (k = 0; k < fn->cnt; k++)
			n += bpfext_kops_is_marker(&p->sec->insns[fn->start + k]);
	}
	return n;
}

/* Original vs optimized in the interpreter, random packets and map values. */
static void compare(struct bpfext_object *a, struct bpfext_object *b)
{
	size_t i, k;

	for (i = 0; i < bpfext_object__prog_cnt(a); i++) {
		struct bpfext_prog *pa = bpfext_object__prog(a, i);
		struct bpfext_prog *pb = bpfext_object__find_prog(b, pa->name);
		struct bpfext_linked_prog la = { 0 }, lb = { 0 };
		struct bpfext_interp *ia = NULL, *ib = NULL;
		struct bpfext_error err;
		unsigned int same_out = 0, exits = 0;
		char why[256] = "";

		if (!pb || bpfext_prog__linked_insns(a, pa, &la, &err) ||
		    bpfext_prog__linked_insns(b, pb, &lb, &err) ||
		    !(ia = bpfext_interp__new(&la, &err)) ||
		    !(ib = bpfext_interp__new(&lb, &err))) {
			ok(0, "%s: interpreter runs both: %s", pa->name, err.msg);
			goto next;
		}
		for (k = 0; k < 500; k++) {
			struct bpfext_interp_input in = { 0 };
			struct bpfext_interp_output oa, ob;
			struct bpfext_interp_kv kv[4];
			uint8_t pkt[128], keys[4][4] = { { 0 }, { 1 }, { 2 }, { 3 } };
			uint8_t vals[4][24];
			size_t j;

			in.pkt_len = 14 + rnd() % 100;
			for (j = 0; j < sizeof(pkt); j++)
				pkt[j] = rnd();
			for (j = 0; j < sizeof(vals); j++)
				vals[j / 24][j % 24] = rnd();
			for (j = 0; j < 4; j++) {
				kv[j].map = 0;
				kv[j].key = keys[j];
				kv[j].value = vals[j];
			}
			in.pkt = pkt;
			in.entries = la.nr_maps ? kv : NULL;
			in.nr_entries = la.nr_maps ? 4 : 0;
			if (bpfext_interp__run(ia, &in, &oa) || bpfext_interp__run(ib, &in, &ob))
				break;
			exits += oa.status == BPFEXT_INTERP_EXIT;
			if (bpfext_interp__cmp(ia, &oa, ib, &ob, why, sizeof(why)))
				break;
			same_out++;
		}
		ok(same_out == 500 && exits > 0,
		   "%s: original and Kops form agree on %u of 500 inputs (%u exits)%s%s",
		   pa->name, same_out, exits, why[0] ? ": " : "", why);
next:
		bpfext_interp__free(ia);
		bpfext_interp__free(ib);
		bpfext_linked_prog__free(&la);
		bpfext_linked_prog__free(&lb);
	}
}

static void test_example(const char *path, const char *target)
{
	BPFEXT_OPTS(bpfext_pipeline_opts, po);
	struct bpfext_pipeline_result pr = { 0 }, pr2 = { 0 };
	struct bpfext_object *a = NULL, *b = NULL, *c = NULL;
	struct bpfext_kops_op *ops = NULL;
	struct bpfext_error err;
	unsigned int per_op[BPFEXT_EINSN_NR] = { 0 }, id, kinds = 0;
	const void *img;
	size_t size, cnt = 0, i;

	libbpf_set_print(quiet);
	a = bpfext_object__open(path, &err);
	if (!a || bpfext_kops_read(target, &ops, &cnt, &err)) {
		skip("example", "build/examples/kops_idioms.o or the target table is missing");
		goto out;
	}
	po.kops_ops = bpfext_recog_table_ops(ops, cnt);
	ok(po.kops_ops == 0xfe, "target table offers the seven EInsn ops");
	po.no_search = true;
	img = bpfext_object__image(a, &size);
	if (bpfext_pipeline_run(img, size, path, &po, &pr, &err)) {
		ok(0, "pipeline with kops: %s", err.msg);
		goto out;
	}
	for (i = 0; i < pr.nr_kops_sites; i++)
		per_op[pr.kops_sites[i].op < BPFEXT_EINSN_NR ? pr.kops_sites[i].op : 0]++;
	for (id = 1; id < BPFEXT_EINSN_NR; id++) {
		kinds += per_op[id] > 0;
		printf("# %s: %u site(s)\n", bpfext_einsn_name(id), per_op[id]);
	}
	ok(pr.nr_kops_sites >= 8 && kinds >= 6,
	   "example: %zu sites of %u different ops", pr.nr_kops_sites, kinds);
	ok(!pr.kops_stats.unproven, "example: no candidate failed its proof (%u candidates, %u refused by the clobber rule)",
	   pr.kops_stats.candidates, pr.kops_stats.clobbered);
	b = bpfext_object__open_mem(pr.img, pr.size, "optimized", &err);
	ok(b != NULL, "optimized object reads back");
	if (!b)
		goto out;
	ok(count_markers(b) == pr.nr_kops_sites, "one marker per site in the output");
	compare(a, b);

	/* Clean-ups and the superoptimizer leave the regions alone. */
	po.kops_ops = 0;
	po.no_search = false;
	po.budget = 2;
	po.jobs = 1;
	po.seed = 1;
	if (bpfext_pipeline_run(pr.img, pr.size, "optimized", &po, &pr2, &err)) {
		ok(0, "pipeline on the Kops form: %s", err.msg);
		goto out;
	}
	c = bpfext_object__open_mem(pr2.img, pr2.size, "again", &err);
	ok(c && count_markers(c) == pr.nr_kops_sites,
	   "clean-up and search on the Kops form keep every region (%zu windows)",
	   pr2.windows);
	if (c) {
		size_t bad = 0, k;

		for (i = 0; i < bpfext_object__prog_cnt(c); i++) {
			struct bpfext_prog *p = bpfext_object__prog(c, i);
			const struct bpfext_func *fn = &p->sec->funcs[p->func];

			for (k = 0; k < fn->cnt; k++) {
				const struct bpf_insn *x = &p->sec->insns[fn->start + k];

				if (bpfext_kops_is_marker(x) &&
				    bpfext_kops_region_len(x, fn->cnt - k) < 2)
					bad++;
			}
		}
		ok(!bad, "every region still marker + exact proof sequence");
		compare(a, c);
	}
out:
	free(ops);
	bpfext_pipeline_result__free(&pr);
	bpfext_pipeline_result__free(&pr2);
	bpfext_object__close(a);
	bpfext_object__close(b);
	bpfext_object__close(c);
}

int main(int argc, char **argv)
{
	test_templates();
	test_selftest_copy();
	test_markers();
	test_recognizer();
	test_example(argc > 1 ? argv[1] : "build/examples/kops_idioms.o",
		     argc > 2 ? argv[2] : "bpftool-ext/tests/data/kops-x86_64.txt");
	return tap_finish();
}
