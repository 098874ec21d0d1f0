// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The rule cache: a rewrite learned in one window is proposed in another
 * that allocated different registers, only where what stays live allows
 * it; rules that depended on their context keep that context; the file
 * survives a save and reload, and a corrupt file is refused by name and
 * line.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpfext.h"
#include "superopt/rule_cache.h"
#include "semantics/window.h"
#include "semantics/symbolic.h"
#include "tap.h"
#include "asm.h"

#define R(n) (1u << (n))

static size_t compact(const struct bpf_insn *in, size_t n, struct bpf_insn *out)
{
	size_t i, m = 0;

	for (i = 0; i < n; i++)
		if (in[i].code != (BPF_JMP | BPF_JA))
			out[m++] = in[i];
	return m;
}

static bool text_is(const struct bpf_insn *x, size_t n, const char *want)
{
	struct bpf_insn w[BPFEXT_WIN_MAX_INSNS];
	size_t m = asm_text(want, w, BPFEXT_WIN_MAX_INSNS);

	return m == n && !memcmp(x, w, n * sizeof(*x));
}

static bool proven(const struct bpf_insn *a, size_t n, const struct bpf_insn *b,
		   size_t m, uint16_t live_out)
{
	BPFEXT_OPTS(bpfext_sym_opts, sym, .timeout_ms = 5000);
	struct bpfext_error err;

	return bpfext_sym_equiv_window(a, n, b, m, live_out, &sym, NULL, &err) ==
	       BPFEXT_EQUIVALENT;
}

/* Learn @from -> @to, apply to @win; the compacted result in @out. */
static size_t learn_apply(struct bpfext_rule_cache *rc, const char *from,
			  const char *to, uint16_t from_live, const char *win,
			  uint16_t win_live, struct bpf_insn *out, size_t *applied)
{
	struct bpf_insn a[BPFEXT_WIN_MAX_INSNS], b[BPFEXT_WIN_MAX_INSNS], w[BPFEXT_WIN_MAX_INSNS];
	struct bpf_insn r[BPFEXT_WIN_MAX_INSNS];
	size_t n = asm_text(from, a, BPFEXT_WIN_MAX_INSNS);
	size_t m = asm_text(to, b, BPFEXT_WIN_MAX_INSNS);
	size_t k = asm_text(win, w, BPFEXT_WIN_MAX_INSNS);

	bpfext_rule_cache__learn(rc, a, n, b, m, from_live, NULL);
	*applied = bpfext_rule_cache__apply(rc, w, k, win_live, NULL, r);
	return compact(r, k, out);
}

static void test_renaming(void)
{
	struct bpfext_rule_cache *rc = bpfext_rule_cache__open(NULL, NULL);
	struct bpf_insn out[BPFEXT_WIN_MAX_INSNS], w[BPFEXT_WIN_MAX_INSNS];
	size_t applied, m, k;

	/* Learned on r1, found again on r4 between other instructions. */
	m = learn_apply(rc, "r1 <<= 32; r1 >>= 32", "w1 = w1", R(1),
			"r2 = 7; r4 <<= 32; r4 >>= 32; r0 = r4", R(0), out,
			&applied);
	ok(applied == 1 && text_is(out, m, "r2 = 7; w4 = w4; r0 = r4"),
	   "a rule learned on r1 rewrites the same shape on r4");
	k = asm_text("r2 = 7; r4 <<= 32; r4 >>= 32; r0 = r4", w, BPFEXT_WIN_MAX_INSNS);
	ok(proven(w, k, out, m, R(0)), "and the rewritten window is proven");
	ok(bpfext_rule_cache__size(rc) == 1 && bpfext_rule_cache__learned(rc) == 1,
	   "one rule learned");

	/* The same shape with other immediates is another rule. */
	m = learn_apply(rc, "r1 <<= 32; r1 >>= 32", "w1 = w1", R(1),
			"r3 <<= 16; r3 >>= 32", R(3), out, &applied);
	ok(applied == 0, "different immediates do not match");
	bpfext_rule_cache__free(rc);
}

static void test_liveness(void)
{
	struct bpfext_rule_cache *rc = bpfext_rule_cache__open(NULL, NULL);
	struct bpf_insn out[BPFEXT_WIN_MAX_INSNS];
	size_t applied, m;

	/* r3 is a dead temporary where this was learned ... */
	m = learn_apply(rc, "r3 = r1; r3 &= 255; r1 = r3",
			"r1 &= 255", R(1), "r3 = r1; r3 &= 255; r1 = r3", R(1),
			out, &applied);
	ok(applied == 1 && text_is(out, m, "r1 &= 255"),
	   "the detour through a dead register goes");
	/* ... but not where it stays live. */
	m = learn_apply(rc, "r3 = r1; r3 &= 255; r1 = r3",
			"r1 &= 255", R(1), "r3 = r1; r3 &= 255; r1 = r3",
			R(1) | R(3), out, &applied);
	ok(applied == 0 && m == 3, "not applied where the temporary is live");
	/* ... nor where a side exit after it goes somewhere r3 is read. */
	{
		struct bpfext_win_exits ex = { .n = 1, .live = { R(3) | R(4) | R(5) } };
		struct bpf_insn w[8], r[8];
		size_t k = asm_text("r3 = r1; r3 &= 255; r1 = r3; if r4 > r5 goto pc+9",
				    w, 8);

		ok(bpfext_rule_cache__apply(rc, w, k, R(1), NULL, r) == 1 &&
		   bpfext_rule_cache__apply(rc, w, k, R(1), &ex, r) == 0,
		   "nor before a side exit where the temporary is live");
	}
	bpfext_rule_cache__free(rc);

	/* Learned from a window with a side exit: the part beside it only. */
	rc = bpfext_rule_cache__open(NULL, NULL);
	{
		struct bpfext_win_exits ex = { .n = 1, .live = { R(4) | R(5) } };
		struct bpf_insn a[8], b[8];
		/* Three slots go after the exit, whose offset shrinks by them. */
		size_t n = asm_text("if r4 > r5 goto pc+9; r3 = r2; r3 <<= 32;"
				    "r3 >>= 32; r2 = r3; r0 = r2", a, 8);
		size_t k = asm_text("if r4 > r5 goto pc+6; w2 = w2; r0 = r2", b, 8);

		bpfext_rule_cache__learn(rc, a, n, b, k, R(0), &ex);
		ok(bpfext_rule_cache__learned(rc) == 1,
		   "a rewrite beside a side exit is learned");
		k = asm_text("w2 = w2; if r4 > r5 goto pc+7; r0 = r2", b, 8);
		bpfext_rule_cache__learn(rc, a, n, b, k, R(0), &ex);
		ok(bpfext_rule_cache__learned(rc) == 1,
		   "one that moves code across the exit is not");
	}
	bpfext_rule_cache__free(rc);
}

static void test_context(void)
{
	struct bpfext_rule_cache *rc = bpfext_rule_cache__open(NULL, NULL);
	struct bpf_insn out[BPFEXT_WIN_MAX_INSNS];
	size_t applied, m;

	/*
	 * "r2 = 0" only goes because the head set r2 already: the rule must
	 * keep the head, or it would delete every "r2 = 0".
	 */
	m = learn_apply(rc, "r2 = 0; *(u64 *)(r10 -8) = r2; r2 = 0; r0 = r2",
			"r2 = 0; *(u64 *)(r10 -8) = r2; r0 = r2", R(0),
			"r2 = 5; r2 = 0; r0 = r2", R(0), out, &applied);
	ok(applied == 0 && m == 3, "a rule that needs its context does not match without it");
	m = learn_apply(rc, "r2 = 0; *(u64 *)(r10 -8) = r2; r2 = 0; r0 = r2",
			"r2 = 0; *(u64 *)(r10 -8) = r2; r0 = r2", R(0),
			"r1 = 0; *(u64 *)(r10 -8) = r1; r1 = 0; r0 = r1", R(0),
			out, &applied);
	ok(applied == 1 && m == 3, "and matches where the context is there");
	bpfext_rule_cache__free(rc);
}

static void test_file(void)
{
	char dir[] = "/tmp/rule-cache-XXXXXX", path[128], bad[128];
	struct bpfext_rule_cache *rc, *back;
	struct bpf_insn a[4], b[4], w[4], out[4];
	struct bpfext_error err = { "" };
	size_t n, m, k;
	FILE *f;

	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/sub/rules", dir);
	rc = bpfext_rule_cache__open(path, &err);
	ok(rc && bpfext_rule_cache__size(rc) == 0, "a missing file is an empty cache");
	n = asm_text("r1 <<= 32; r1 >>= 32", a, 4);
	m = asm_text("w1 = w1", b, 4);
	bpfext_rule_cache__learn(rc, a, n, b, m, R(1), NULL);
	ok(bpfext_rule_cache__save(rc, &err) == 0, "saved (parent created): %s", err.msg);
	bpfext_rule_cache__free(rc);

	back = bpfext_rule_cache__open(path, &err);
	k = asm_text("r6 <<= 32; r6 >>= 32", w, 4);
	ok(back && bpfext_rule_cache__size(back) == 1 &&
	   bpfext_rule_cache__apply(back, w, k, R(6), NULL, out) == 1 &&
	   text_is(out, 1, "w6 = w6"), "the reloaded rule applies");
	ok(bpfext_rule_cache__save(back, &err) == 0 &&
	   bpfext_rule_cache__learned(back) == 0, "nothing new, nothing written");
	bpfext_rule_cache__free(back);

	snprintf(bad, sizeof(bad), "%s/bad", dir);
	f = fopen(bad, "w");
	fprintf(f, "# bpftool-ext rule cache 1\nlive=0x0002 6701000000000020 => zz\n");
	fclose(f);
	err.msg[0] = '\0';
	ok(!bpfext_rule_cache__open(bad, &err) && strstr(err.msg, "/bad:2: malformed rule"),
	   "a corrupt rule is refused by file and line: %s", err.msg);
	f = fopen(bad, "w");
	fprintf(f, "live=0x0002 6701000000000020 => 6701000000000020\n");
	fclose(f);
	ok(!bpfext_rule_cache__open(bad, &err) && strstr(err.msg, "not a bpftool-ext rule cache"),
	   "a file without the header is refused: %s", err.msg);
	f = fopen(bad, "w");
	/* an exit is no window instruction */
	fprintf(f, "# bpftool-ext rule cache 1\nlive=0x0001 9500000000000000 =>\n");
	fclose(f);
	ok(!bpfext_rule_cache__open(bad, &err), "a rule outside the window subset is refused");
	unlink(bad);
	unlink(path);
	snprintf(bad, sizeof(bad), "%s/sub", dir);
	rmdir(bad);
	rmdir(dir);
}

int main(void)
{
	test_renaming();
	test_liveness();
	test_context();
	test_file();
	return tap_finish();
}
