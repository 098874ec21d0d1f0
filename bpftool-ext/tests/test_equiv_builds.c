// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Translation validation across compiler settings: every program of the
 * corpus built at -O1 and -O3 (build/corpus/O1, O3) is checked against
 * its -O2 build (samples/ or selftests/) with bpfext_equiv_progs().  The
 * builds come from the same source, so "different" is a checker or
 * interpreter bug.  A pair the checker cannot decide (code it cannot
 * encode yet, or a timeout), or cannot take (a build that does not
 * link, an error), is a skip with the reason; at most
 * BPFEXT_MAX_SKIPS percent (default 60) of the pairs may be skips (17 of
 * 30 on this corpus: pointers stored to memory, context accesses at a
 * variable offset, loops, bpf_fib_lookup), and at least one pair must be
 * proven equivalent.  TAP output, one line per program.
 *
 * Environment: BPFEXT_CORPUS (default build/corpus), BPFEXT_MAX_SKIPS.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>

#include "bpfext_opt.h"
#include "tap.h"

static unsigned int proved, undecided, differ, skipped;

static void check_pair(const char *pa, const char *pb, const char *label)
{
	struct bpfext_object *oa = bpfext_object__open(pa, NULL);
	struct bpfext_object *ob = bpfext_object__open(pb, NULL);
	static struct bpfext_equiv_report rep;
	size_t i;

	if (!oa || !ob)
		goto out;
	for (i = 0; i < bpfext_object__prog_cnt(oa); i++) {
		struct bpfext_prog *a = bpfext_object__prog(oa, i);
		struct bpfext_prog *b = bpfext_object__find_prog(ob, a->name);
		BPFEXT_OPTS(bpfext_sym_opts, opts, .timeout_ms = 30000, .max_pkt = 64);
		struct bpfext_linked_prog la, lb;
		struct bpfext_error err = { "" };
		char what[512], why[BPFEXT_ERRMSG_MAX + 64];
		int ret;

		if (!b || a->type != b->type ||
		    (a->type != BPF_PROG_TYPE_XDP && a->type != BPF_PROG_TYPE_SCHED_CLS &&
		     a->type != BPF_PROG_TYPE_SOCKET_FILTER))
			continue;
		snprintf(what, sizeof(what), "%.400s:%s", label, a->name);
		if (bpfext_prog__linked_insns(oa, a, &la, &err)) {
			skipped++;
			snprintf(why, sizeof(why), "does not link: %s", err.msg);
			skip(what, why);
			continue;
		}
		if (bpfext_prog__linked_insns(ob, b, &lb, &err)) {
			skipped++;
			snprintf(why, sizeof(why), "the -O2 build does not link: %s", err.msg);
			skip(what, why);
			bpfext_linked_prog__free(&la);
			continue;
		}
		ret = bpfext_equiv_progs(&la, &lb, &opts, 200, &rep, &err);
		if (ret) {
			skipped++;
			skip(what, err.msg);
		} else if (rep.verdict == BPFEXT_UNDECIDED) {
			undecided++;
			skipped++;
			snprintf(why, sizeof(why), "undecided: %s", rep.reason);
			skip(what, why);
		} else {
			if (rep.verdict == BPFEXT_EQUIVALENT)
				proved++;
			else
				differ++;
			ok(rep.verdict == BPFEXT_EQUIVALENT, "%s:%s (%zu vs %zu insns) %s",
			   label, a->name, la.cnt, lb.cnt,
			   rep.verdict == BPFEXT_EQUIVALENT ? "equivalent" : "DIFFERENT");
			if (rep.verdict == BPFEXT_DIFFERENT)
				bpfext_equiv_report__print(&rep, &la, "# ", stdout);
		}
		bpfext_linked_prog__free(&la);
		bpfext_linked_prog__free(&lb);
	}
out:
	bpfext_object__close(oa);
	bpfext_object__close(ob);
}

int main(void)
{
	const char *corpus = getenv("BPFEXT_CORPUS");
	static const char *const opt[] = { "O1", "O3" };
	char dir[2048], a[4096], b[4096], label[4096];
	const char *env;
	double max_skips = 60;	/* percent */
	size_t o;
	int pairs;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!corpus)
		corpus = "build/corpus";
	for (o = 0; o < 2; o++) {
		struct dirent *e;
		DIR *d;

		snprintf(dir, sizeof(dir), "%s/%s", corpus, opt[o]);
		d = opendir(dir);
		if (!d)
			continue;
		while ((e = readdir(d))) {
			size_t l = strlen(e->d_name);

			if (l < 3 || strcmp(e->d_name + l - 2, ".o"))
				continue;
			snprintf(a, sizeof(a), "%s/%s", dir, e->d_name);
			snprintf(b, sizeof(b), "%s/samples/%s", corpus, e->d_name);
			if (access(b, R_OK))
				snprintf(b, sizeof(b), "%s/selftests/%s", corpus, e->d_name);
			if (access(b, R_OK))
				continue;
			snprintf(label, sizeof(label), "%s/%s", opt[o], e->d_name);
			check_pair(a, b, label);
		}
		closedir(d);
	}
	if (!tap_count) {
		printf("1..0 # SKIP no -O1/-O3 builds under %s\n", corpus);
		return 0;
	}
	printf("# proved equivalent %u, undecided %u, different %u\n", proved,
	       undecided, differ);
	if ((env = getenv("BPFEXT_MAX_SKIPS")))
		max_skips = atof(env);
	pairs = tap_count;
	ok(proved && 100.0 * skipped <= max_skips * pairs,
	   "pairs skipped: %u of %d (at most %.0f%%), proven equivalent: %u",
	   skipped, pairs, max_skips, proved);
	return tap_finish();
}
