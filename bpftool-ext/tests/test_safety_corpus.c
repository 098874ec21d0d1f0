// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The safety analysis against the running kernel's verifier, on real
 * objects:
 *
 *   test_safety_corpus [-m PCT] OBJ...
 *
 * Every program is analysed and loaded on its own.  A program the
 * kernel loads must not be reported unsafe (the analysis is sound
 * relative to the kernel); one check per loaded program.  And it must
 * be useful: at least PCT percent (default 0) of the programs the kernel
 * loads must be proven safe, one last check.  The closing comment lines
 * give the rates (safe / unknown / unsafe among the programs the kernel
 * loads) and how the analysis judged the programs the kernel refused.
 * Needs root and bpf(); without them the whole test is skipped.
 *
 * ARGS-REQUIRED: not run as an argument-less unit test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpfext.h"

#include "tap.h"

/* [loaded][verdict] */
static unsigned int counts[2][3];

static void one_object(const char *path)
{
	struct bpfext_error err = { "" };
	struct bpfext_object *obj = bpfext_object__open(path, &err);
	size_t i;

	if (!obj) {
		printf("# %s: %s (not checked)\n", path, err.msg);
		return;
	}
	for (i = 0; i < bpfext_object__prog_cnt(obj); i++) {
		struct bpfext_prog *p = bpfext_object__prog(obj, i);
		struct bpfext_safety_report rep;
		struct bpfext_load_result r;
		bool loaded;

		if (bpfext_safety_check(obj, p, NULL, &rep, &err)) {
			ok(0, "%s: %s: analysis failed: %s", path, p->name, err.msg);
			continue;
		}
		if (bpfext_object__load(obj, p, NULL, &r, &err))
			loaded = false;		/* could not even try */
		else {
			loaded = r.loaded;
			bpfext_load_result__free(&r);
		}
		counts[loaded][rep.verdict]++;
		if (loaded)
			ok(rep.verdict != BPFEXT_SAFETY_UNSAFE,
			   "%s: %s: loads, and the analysis says %s%s%s", path,
			   p->name, bpfext_safety_name(rep.verdict),
			   rep.verdict == BPFEXT_SAFETY_SAFE ? "" : ": ",
			   rep.verdict == BPFEXT_SAFETY_SAFE ? "" : rep.reason);
		else if (rep.verdict == BPFEXT_SAFETY_UNSAFE)
			printf("# %s: %s: refused by the kernel, unsafe at insn %zu: %s\n",
			       path, p->name, rep.insn, rep.reason);
	}
	bpfext_object__close(obj);
}

int main(int argc, char **argv)
{
	unsigned int l, v, n[2] = { 0, 0 };
	double min_safe = 0, safe;
	int i = 1;

	if (i + 1 < argc && !strcmp(argv[i], "-m")) {
		min_safe = atof(argv[i + 1]);
		i += 2;
	}
	if (geteuid() != 0) {
		printf("1..0 # SKIP needs root to load programs\n");
		return 0;
	}
	for (; i < argc; i++)
		one_object(argv[i]);
	for (l = 0; l < 2; l++)
		for (v = 0; v < 3; v++)
			n[l] += counts[l][v];
	printf("# loaded by the kernel: %u programs: %u safe (%.1f%%), %u unknown, %u unsafe\n",
	       n[1], counts[1][BPFEXT_SAFETY_SAFE],
	       n[1] ? 100.0 * counts[1][BPFEXT_SAFETY_SAFE] / n[1] : 0.0,
	       counts[1][BPFEXT_SAFETY_UNKNOWN], counts[1][BPFEXT_SAFETY_UNSAFE]);
	printf("# refused by the kernel: %u programs: %u safe, %u unknown, %u unsafe\n",
	       n[0], counts[0][BPFEXT_SAFETY_SAFE], counts[0][BPFEXT_SAFETY_UNKNOWN],
	       counts[0][BPFEXT_SAFETY_UNSAFE]);
	safe = n[1] ? 100.0 * counts[1][BPFEXT_SAFETY_SAFE] / n[1] : 0;
	ok(n[1] && safe >= min_safe,
	   "proven safe: %u of the %u programs the kernel loads (%.1f%%, at least %.1f%%)",
	   counts[1][BPFEXT_SAFETY_SAFE], n[1], safe, min_safe);
	return tap_finish();
}
