/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The tests' one corpus walker: every program of the objects named on
 * the command line or, without arguments, of the corpus (BPFEXT_CORPUS,
 * default build/corpus: samples/, selftests/, O1/, O3/, those present),
 * objects in name order, each program labelled "dir/file.o:name".
 */
#ifndef BPFEXT_TESTS_CORPUS_H
#define BPFEXT_TESTS_CORPUS_H

#include <dirent.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpfext.h"

typedef void (*corpus_prog_fn)(struct bpfext_object *obj, struct bpfext_prog *prog,
			       const char *label);

/* The objects walked so far, and those that could not be opened. */
static unsigned int corpus_objs, corpus_bad_objs;

/* Every program of @path whose type is known and @want accepts. */
static void corpus_object(const char *path, bool (*want)(enum bpf_prog_type),
			  corpus_prog_fn fn)
{
	struct bpfext_error err = { "" };
	struct bpfext_object *obj = bpfext_object__open(path, &err);
	const char *base = strrchr(path, '/');
	char label[512];
	size_t i;

	if (!obj) {
		corpus_bad_objs++;
		printf("# %s: %s\n", path, err.msg);
		return;
	}
	corpus_objs++;
	/* label: parent directory and file */
	base = base ? base + 1 : path;
	if (base - 1 > path) {
		const char *b = base - 1;

		while (b > path && b[-1] != '/')
			b--;
		base = b;
	}
	for (i = 0; i < bpfext_object__prog_cnt(obj); i++) {
		struct bpfext_prog *prog = bpfext_object__prog(obj, i);

		if (!prog->type_known || !want(prog->type))
			continue;
		snprintf(label, sizeof(label), "%s:%s", base, prog->name);
		fn(obj, prog, label);
	}
	bpfext_object__close(obj);
}

static int corpus_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void corpus_dir(const char *dir, bool (*want)(enum bpf_prog_type),
		       corpus_prog_fn fn)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, i;

	if (!d)
		return;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		char **t;

		if (l < 3 || strcmp(e->d_name + l - 2, ".o"))
			continue;
		t = realloc(names, (n + 1) * sizeof(*names));
		if (!t)
			break;
		names = t;
		if (asprintf(&names[n], "%s/%s", dir, e->d_name) < 0)
			break;
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), corpus_cmp_str);
	for (i = 0; i < n; i++) {
		corpus_object(names[i], want, fn);
		free(names[i]);
	}
	free(names);
}

/* A bound of the test from the environment, when set. */
static __attribute__((unused)) void corpus_env(const char *name, double *v)
{
	const char *env = getenv(name);

	if (env)
		*v = atof(env);
}

/*
 * For the tests that compare with BPF_PROG_TEST_RUN: root, and one CPU
 * (per-CPU maps: CPU 0 is the one the interpreter and checker model).
 * False, after the TAP skip line, without root.
 */
static __attribute__((unused)) bool corpus_test_run_setup(void)
{
	cpu_set_t cpus;

	if (geteuid() != 0) {
		printf("1..0 # SKIP needs root for BPF_PROG_TEST_RUN\n");
		return false;
	}
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	sched_setaffinity(0, sizeof(cpus), &cpus);
	return true;
}

/* Walk @argv[1..argc) or the corpus; returns the corpus directory. */
static const char *corpus_walk(int argc, char **argv,
			       bool (*want)(enum bpf_prog_type), corpus_prog_fn fn)
{
	static const char *const dirs[] = { "samples", "selftests", "O1", "O3" };
	const char *corpus = getenv("BPFEXT_CORPUS");
	char path[4096];
	size_t d;
	int i;

	if (!corpus)
		corpus = "build/corpus";
	if (argc > 1) {
		for (i = 1; i < argc; i++)
			corpus_object(argv[i], want, fn);
		return corpus;
	}
	for (d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++) {
		snprintf(path, sizeof(path), "%s/%s", corpus, dirs[d]);
		corpus_dir(path, want, fn);
	}
	return corpus;
}

#endif
