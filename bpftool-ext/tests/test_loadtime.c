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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "bpfext.h"
#include "pipeline.h"
#include "replay.h"
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

/* The pipeline's output for @obj: search, safety and kernel check. */
static struct bpfext_object *optimize(struct bpfext_object *obj, double budget)
{
	struct bpfext_pipeline_opts po = { 0 };
	struct bpfext_pipeline_result pr;
	struct bpfext_error err = { "" };
	struct bpfext_object *out;
	const void *img;
	size_t size;

	img = bpfext_object__image(obj, &size);
	po.search.budget = budget;
	po.search.jobs = 1;
	po.search.seed = 0;
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
	}
	bpfext_object__close(b);
	bpfext_object__close(a);
}

/* The replay tells the miscompiled pair of the issue apart. */
static void test_bad_pair(void)
{
	struct replay_opts o = { .inputs = 4 };
	struct bpfext_object *a = open_in(data_dir, "core_off.o");
	struct bpfext_object *b = open_in(data_dir, "core_off.bad.o");

	if (a && b)
		replay_all(a, b, &o, REPLAY_DIFFERENT, "core_off.bad.o");
	bpfext_object__close(b);
	bpfext_object__close(a);
}

int main(int argc, char **argv)
{
	static const char *const progs[] = {
		"core_off.o", "core_off4.o", "core_kinds.o",
	};
	char path[4096];
	size_t i;

	if (argc > 1)
		progs_dir = argv[1];
	if (argc > 2)
		data_dir = argv[2];
	libbpf_set_print(quiet);
	test_bad_pair();
	for (i = 0; i < ARRAY_SIZE(progs); i++)
		test_prog(progs[i], 2);
	snprintf(path, sizeof(path), "%s/core_matches.o", progs_dir);
	if (access(path, R_OK))
		skip("core_matches.o", "no clang that emits the type-matches relocation");
	else
		test_prog("core_matches.o", 2);
	return tap_finish();
}
