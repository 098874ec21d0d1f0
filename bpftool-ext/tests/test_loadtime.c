// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Values the loader sets are not constants (issue #12).
 *
 *   test_loadtime [PROGS_DIR [DATA_DIR]]
 *	(defaults build/tests/progs and bpftool-ext/tests/data)
 *
 * The programs of tests/progs use one kind of load-time value each
 * (CO-RE field, type and enum relocations with local values unlike the
 * running kernel's, __kconfig and __ksym externs, .rodata a skeleton
 * sets, map and function addresses).  Each object goes through the
 * whole pipeline, and as root both builds are loaded by libbpf against
 * the running kernel and replayed with BPF_PROG_TEST_RUN (replay.h):
 * results and maps must agree, also with .rodata/.data changed before
 * load.  The miscompiled pair of the issue, kept in tests/data, must be
 * told apart by the same replay.
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "bpfext.h"
#include "bpfext_opt.h"
#include "analysis/knownbits.h"
#include "analysis/liveness.h"
#include "replay.h"
#include "superopt/rule_cache.h"
#include "tap.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *progs_dir = "build/tests/progs";
static const char *data_dir = "bpftool-ext/tests/data";

static bool have_bpf(void)
{
	return geteuid() == 0;
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

static struct bpfext_object *open_in(const char *dir, const char *name)
{
	struct bpfext_error err = { "" };
	struct bpfext_object *obj;
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	obj = bpfext_object__open(path, &err);
	if (!obj)
		ok(0, "%s: %s", path, err.msg);
	return obj;
}

/* How the reporter ran the optimizer: seeds, costs, a rule cache. */
struct setting {
	const char *name;
	uint64_t seed;
	enum bpfext_cost_model cost;
	bool cache;
};

static const struct setting settings[] = {
	{ "seed 0", 0, BPFEXT_COST_INSNS, false },
	{ "seed 1", 1, BPFEXT_COST_INSNS, false },
	{ "seed 2", 2, BPFEXT_COST_INSNS, false },
	{ "cost latency", 0, BPFEXT_COST_LATENCY, false },
	{ "rule cache", 0, BPFEXT_COST_INSNS, true },
};

static struct bpfext_rule_cache *rules;	/* shared by the runs that use one */

/* The pipeline's output for @obj: search, safety and kernel check. */
static struct bpfext_object *optimize_as(struct bpfext_object *obj, double budget,
					 const struct setting *st)
{
	BPFEXT_OPTS(bpfext_pipeline_opts, po);
	struct bpfext_pipeline_result pr;
	struct bpfext_error err = { "" };
	struct bpfext_object *out;
	const void *img;
	size_t size;

	img = bpfext_object__image(obj, &size);
	po.budget = budget;
	po.jobs = 1;
	po.seed = st->seed;
	po.cost = st->cost;
	po.rule_cache = st->cache ? rules : NULL;
	po.kernel_check = have_bpf();
	if (bpfext_pipeline_run(img, size, bpfext_object__name(obj), &po, &pr, &err)) {
		ok(0, "%s: pipeline: %s", bpfext_object__name(obj), err.msg);
		return NULL;
	}
	out = bpfext_object__open_mem(pr.img, pr.size, bpfext_object__name(obj), &err);
	if (!out)
		ok(0, "%s: the output does not read back: %s",
		   bpfext_object__name(obj), err.msg);
	bpfext_pipeline_result__free(&pr);
	return out;
}

static struct bpfext_object *optimize(struct bpfext_object *obj, double budget)
{
	return optimize_as(obj, budget, &settings[0]);
}


/* Replay every program of @a against its namesake in @b; want: @want. */
static void replay_all(struct bpfext_object *a, struct bpfext_object *b,
		       const struct replay_opts *o, enum replay_verdict want,
		       const char *what)
{
	size_t i;

	for (i = 0; i < bpfext_object__prog_cnt(a); i++) {
		struct bpfext_prog *pa = bpfext_object__prog(a, i);
		struct bpfext_prog *pb = bpfext_object__find_prog(b, pa->name);
		struct replay_report rep;

		if (!have_bpf()) {
			skip(pa->name, "replay in the kernel needs root");
			continue;
		}
		if (!pb) {
			ok(0, "%s: %s: program lost", what, pa->name);
			continue;
		}
		replay_prog(a, pa, b, pb, o, &rep);
		ok(rep.verdict == want, "%s: %s: %s after %u runs%s%s", what,
		   pa->name, rep.verdict == REPLAY_SAME ? "same results" :
		   rep.verdict == REPLAY_DIFFERENT ? "different results" :
		   rep.verdict == REPLAY_SKIP ? "skipped" : "failed",
		   rep.runs, rep.why[0] ? ": " : "", rep.why);
	}
}

/* Kinds of load-time value the test programs must cover. */
static const char *const kinds[] = {
	"field_byte_offset", "field_byte_size", "field_exists", "field_signed",
	"field_lshift_u64", "field_rshift_u64", "type_id_local", "type_id_target",
	"type_exists", "type_size", "enumval_exists", "enumval_value",
	"type_matches", "kconfig", "ksym", "map", "global data", "function",
};
static bool seen[ARRAY_SIZE(kinds)];

/* What the load-time value at @s is, for the report. */
static const char *kind_of(struct bpfext_object *obj, const struct bpfext_section *sec,
			   size_t s)
{
	size_t i;

	for (i = 0; i < sec->core_relo.cnt; i++) {
		uint32_t kind;

		if (sec->core_relo.recs[i].slot != s)
			continue;
		memcpy(&kind, sec->core_relo.recs[i].raw + 12, 4);
		return bpfext_core_kind_name(kind);
	}
	for (i = 0; i < sec->nr_relocs; i++) {
		const struct bpfext_sym *sym;
		const char *shname;

		if (sec->relocs[i].slot != s)
			continue;
		sym = bpfext_object__sym(obj, sec->relocs[i].sym);
		if (!sym->shndx)
			return !strncmp(sym->name, "CONFIG_", 7) ||
			       !strcmp(sym->name, "LINUX_KERNEL_VERSION") ? "kconfig" : "ksym";
		shname = bpfext_object__shname(obj, sym->shndx);
		if (!strcmp(shname, ".maps"))
			return "map";
		if (sym->type == STT_FUNC || !strcmp(shname, ".text"))
			return "function";
		return "global data";
	}
	return NULL;
}

/*
 * Every load-time value of @name defines a register nothing is known
 * about, where the object's local value alone would be a constant (the
 * facts the windows after it started from before issue #12).
 */
static void test_not_folded(const char *name)
{
	struct bpfext_object *obj = open_in(progs_dir, name);
	size_t i, f, k;

	for (i = 0; obj && i < bpfext_object__section_cnt(obj); i++) {
		struct bpfext_section *sec = bpfext_object__section(obj, i);
		uint8_t *lt = malloc(sec->cnt + 1);

		if (!lt) {
			ok(0, "out of memory");
			break;
		}
		bpfext_section__loadtime(sec, lt);
		for (f = 0; f < sec->nr_funcs; f++) {
			const struct bpfext_func *fn = &sec->funcs[f];
			uint64_t (*kz)[11] = calloc(fn->cnt + 1, sizeof(*kz));
			uint64_t (*ko)[11] = calloc(fn->cnt + 1, sizeof(*ko));
			uint64_t (*lz)[11] = calloc(fn->cnt + 1, sizeof(*lz));
			uint64_t (*lo)[11] = calloc(fn->cnt + 1, sizeof(*lo));
			const struct bpf_insn *x = &sec->insns[fn->start];

			if (!kz || !ko || !lz || !lo ||
			    bpfext_known_bits(x, fn->cnt, &lt[fn->start], kz, ko) ||
			    bpfext_known_bits(x, fn->cnt, NULL, lz, lo))
				ok(0, "known bits: out of memory");
			for (k = 0; kz && ko && lz && lo && k < fn->cnt;
			     k += bpfext_insn_slots(&x[k])) {
				size_t s = fn->start + k, n = k + bpfext_insn_slots(&x[k]);
				const char *kind = kind_of(obj, sec, s);
				uint16_t def, use;
				unsigned int d = x[k].dst_reg, j;

				if (!lt[s] || !kind)
					continue;
				for (j = 0; j < ARRAY_SIZE(kinds); j++)
					if (!strcmp(kinds[j], kind))
						seen[j] = true;
				bpfext_insn_defuse(&x[k], &def, &use);
				if (!(def & (1u << d)) || BPF_CLASS(x[k].code) == BPF_JMP)
					continue;
				/* both slots of an ld_imm64 are its value */
				ok((n - k == 1 || lt[s + 1]) && !kz[n][d] && !ko[n][d],
				   "%s: %s insn %zu (%s): r%u unknown after it%s", name,
				   sec->name, k, kind, d,
				   (lz[n][d] | lo[n][d]) == ~0ull ?
				   ", a constant by its local value alone" : "");
			}
			free(kz);
			free(ko);
			free(lz);
			free(lo);
		}
		free(lt);
	}
	bpfext_object__close(obj);
}

/*
 * prog equiv of every program of @a against its namesake in @b, with
 * @tests interpreter tests first (0: the solver alone); @want the
 * verdict, -1 for "not different".
 */
static void equiv_all(struct bpfext_object *a, struct bpfext_object *b,
		      unsigned int tests, int want, const char *what)
{
	static struct bpfext_equiv_report rep;
	BPFEXT_OPTS(bpfext_sym_opts, so, .timeout_ms = 20000);
	size_t i;

	for (i = 0; i < bpfext_object__prog_cnt(a); i++) {
		struct bpfext_prog *pa = bpfext_object__prog(a, i);
		struct bpfext_prog *pb = bpfext_object__find_prog(b, pa->name);
		struct bpfext_linked_prog la = { 0 }, lb = { 0 };
		struct bpfext_error err = { "" };
		int ret = -EINVAL;

		if (pb && !bpfext_prog__linked_insns(a, pa, &la, &err) &&
		    !bpfext_prog__linked_insns(b, pb, &lb, &err))
			ret = bpfext_equiv_progs(&la, &lb, &so, tests, &rep, &err);
		if (want < 0)
			ok(!ret && rep.verdict != BPFEXT_DIFFERENT,
			   "%s: %s: prog equiv: %s%s%s", what, pa->name,
			   ret ? "error" : rep.verdict == BPFEXT_EQUIVALENT ? "equivalent" :
			   rep.verdict == BPFEXT_DIFFERENT ? "DIFFERENT" : "undecided",
			   ret || rep.verdict == BPFEXT_UNDECIDED ? ": " : "",
			   ret ? err.msg : rep.verdict == BPFEXT_UNDECIDED ? rep.reason : "");
		else
			ok(!ret && rep.verdict == want && (tests || !rep.by_test),
			   "%s: %s: prog equiv with %u tests: %s (%s%s%s)", what, pa->name,
			   tests, rep.verdict == BPFEXT_DIFFERENT ? "different" : "not different",
			   ret ? err.msg : rep.reason, rep.diff[0] ? "; " : "", rep.diff);
		bpfext_linked_prog__free(&la);
		bpfext_linked_prog__free(&lb);
	}
}

/* Optimize a test program and replay both builds after relocation. */
static void test_prog(const char *name, double budget)
{
	struct replay_opts o = { .inputs = 8 };
	struct bpfext_object *a = open_in(progs_dir, name), *b;
	char what[256];

	if (!a)
		return;
	b = optimize(a, budget);
	if (b) {
		snprintf(what, sizeof(what), "%s, optimized", name);
		replay_all(a, b, &o, REPLAY_SAME, what);
		/* .rodata and .data as a skeleton might set them */
		o.data_seed = 0x5eed;
		snprintf(what, sizeof(what), "%s, optimized, data changed before load",
			 name);
		replay_all(a, b, &o, REPLAY_SAME, what);
		snprintf(what, sizeof(what), "%s, optimized", name);
		equiv_all(a, b, 64, -1, what);
	}
	bpfext_object__close(b);
	bpfext_object__close(a);
}

/*
 * The replay and prog equiv tell the miscompiled pair of the issue
 * apart: equiv by its tests (they set load-time values other than the
 * local ones) and by the solver alone, whose counterexample the
 * interpreter reproduces.
 */
static void test_bad_pair(void)
{
	struct replay_opts o = { .inputs = 4 };
	struct bpfext_object *a = open_in(data_dir, "core_off.o");
	struct bpfext_object *b = open_in(data_dir, "core_off.bad.o");

	if (a && b) {
		replay_all(a, b, &o, REPLAY_DIFFERENT, "core_off.bad.o");
		equiv_all(a, b, 64, BPFEXT_DIFFERENT, "core_off.bad.o");
		equiv_all(a, b, 0, BPFEXT_DIFFERENT, "core_off.bad.o");
	}
	bpfext_object__close(b);
	bpfext_object__close(a);
}

/*
 * CO-RE offsets of UAPI context fields: where the local flavour puts a
 * field where the UAPI does, libbpf leaves the access as it is, so it is
 * no load-time value and prog equiv decides; where it does not, libbpf
 * moves the access, and it stays one.
 */
static void test_uapi_ctx(void)
{
	static const struct {
		const char *prog;
		bool ltv;
		int verdict;
	} want[] = {
		{ "ctx_uapi", false, BPFEXT_EQUIVALENT },
		{ "ctx_swapped", true, BPFEXT_UNDECIDED },
	};
	struct bpfext_object *a = open_in(progs_dir, "core_ctx.o");
	size_t i;

	for (i = 0; a && i < ARRAY_SIZE(want); i++) {
		static struct bpfext_equiv_report rep;
		BPFEXT_OPTS(bpfext_sym_opts, so, .timeout_ms = 20000);
		struct bpfext_prog *p = bpfext_object__find_prog(a, want[i].prog);
		struct bpfext_linked_prog lp = { 0 };
		struct bpfext_error err = { "" };
		int ret = -EINVAL;

		if (p)
			ret = bpfext_prog__linked_insns(a, p, &lp, &err);
		ok(!ret && (lp.nr_ltv > 0) == want[i].ltv,
		   "core_ctx.o: %s: %zu load-time values, want %s%s%s", want[i].prog,
		   lp.nr_ltv, want[i].ltv ? "some" : "none", ret ? ": " : "",
		   ret ? err.msg : "");
		if (!ret)
			ret = bpfext_equiv_progs(&lp, &lp, &so, 16, &rep, &err);
		ok(!ret && rep.verdict == want[i].verdict, "core_ctx.o: %s: prog equiv with itself: %s%s%s",
		   want[i].prog, ret ? err.msg : rep.verdict == BPFEXT_EQUIVALENT ? "equivalent" :
		   rep.verdict == BPFEXT_DIFFERENT ? "DIFFERENT" : "undecided",
		   !ret && rep.reason[0] ? ": " : "", !ret ? rep.reason : "");
		bpfext_linked_prog__free(&lp);
	}
	bpfext_object__close(a);
}

/*
 * The program and the bindsnoop pattern under every setting
 * the reporter tried: the same results after relocation each time (the
 * rule cache run twice, so that the second run proposes what the
 * first learned).
 */
static void test_settings(const char *name)
{
	struct replay_opts o = { .inputs = 4 };
	struct bpfext_object *a = open_in(progs_dir, name), *b;
	char what[256];
	size_t i;
	int k;

	for (i = 0; a && i < ARRAY_SIZE(settings); i++) {
		for (k = 0; k < (settings[i].cache ? 2 : 1); k++) {
			b = optimize_as(a, 1, &settings[i]);
			snprintf(what, sizeof(what), "%s, %s%s", name, settings[i].name,
				 k ? ", again" : "");
			if (b)
				replay_all(a, b, &o, REPLAY_SAME, what);
			bpfext_object__close(b);
		}
	}
	bpfext_object__close(a);
}

int main(int argc, char **argv)
{
	static const char *const progs[] = {
		"core_off.o", "core_off4.o", "core_kinds.o", "core_mem.o",
		"bindsnoop_pattern.o", "core_ctx.o",
	};
	char path[4096];
	size_t i;

	if (argc > 1)
		progs_dir = argv[1];
	if (argc > 2)
		data_dir = argv[2];
	libbpf_set_print(quiet);
	for (i = 0; i < ARRAY_SIZE(progs); i++)
		test_not_folded(progs[i]);
	test_not_folded("ksym_typed.o");
	snprintf(path, sizeof(path), "%s/core_matches.o", progs_dir);
	if (!access(path, R_OK))
		test_not_folded("core_matches.o");
	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		if (!seen[i] && !strcmp(kinds[i], "type_matches") && access(path, R_OK))
			skip(kinds[i], "no clang that emits the type-matches relocation");
		else
			ok(seen[i], "a test program uses a load-time value of kind %s",
			   kinds[i]);
	}
	test_bad_pair();
	test_uapi_ctx();
	for (i = 0; i < ARRAY_SIZE(progs); i++)
		test_prog(progs[i], 2);
	{
		char tmpl[] = "/tmp/test_loadtime.XXXXXX";
		struct bpfext_error err = { "" };
		int fd = mkstemp(tmpl);

		if (fd >= 0)
			close(fd);
		unlink(tmpl);
		rules = fd >= 0 ? bpfext_rule_cache__open(tmpl, &err) : NULL;
		ok(rules != NULL, "a fresh rule cache%s%s", rules ? "" : ": ", err.msg);
		test_settings("core_off.o");
		test_settings("bindsnoop_pattern.o");
		bpfext_rule_cache__free(rules);
		unlink(tmpl);
	}
	if (access(path, R_OK))
		skip("core_matches.o", "no clang that emits the type-matches relocation");
	else
		test_prog("core_matches.o", 2);
	return tap_finish();
}
