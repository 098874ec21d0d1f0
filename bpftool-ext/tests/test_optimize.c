// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * End-to-end check of the superoptimizer on real objects:
 *
 *   test_optimize [-k] [-b SECONDS] OBJ...  (-k: EInsn recognition too)
 *
 * Each object goes through the whole pipeline (clean-up, search, proven
 * rewrites, the running kernel's verdict when run as root).  Then every
 * program the interpreter supports runs, original and optimized, on the
 * same packets: the outcomes (r0, packet, maps, redirects) must be
 * identical.  The output is never longer than the input, and every
 * program that loaded before still loads.
 *
 * ARGS-REQUIRED: not run as an argument-less unit test.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "bpfext.h"
#include "interp.h"
#include "pipeline.h"
#include "tap.h"

#define INPUTS 300

static uint64_t rng = 0x853c49e6748fea9bull;
static uint32_t kops_ops;	/* -k: recognize every EInsn op too */

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

/* Ethernet + IPv4/IPv6 + TCP/UDP with random fields, or random bytes. */
static uint32_t packet(uint8_t *p, unsigned int i)
{
	uint32_t len, k, l3;
	bool v6 = i % 3 == 1;

	if (i % 5 == 0) {
		len = 14 + rnd() % 120;
		for (k = 0; k < len; k++)
			p[k] = rnd();
		return len;
	}
	len = 14 + (v6 ? 40 : 20) + 20 + rnd() % 40;
	for (k = 0; k < len; k++)
		p[k] = rnd();
	p[12] = v6 ? 0x86 : 0x08;
	p[13] = v6 ? 0xdd : 0x00;
	l3 = 14;
	if (v6) {
		p[l3] = 0x60;
		p[l3 + 6] = rnd() % 2 ? 6 : 17;
	} else {
		p[l3] = 0x45;
		p[l3 + 6] = 0;
		p[l3 + 9] = rnd() % 2 ? 6 : 17;
	}
	if (i % 7 == 0)
		len = 14 + rnd() % (len - 14);	/* truncated */
	return len;
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

static void compare(const char *path, struct bpfext_object *a,
		    struct bpfext_object *b)
{
	size_t i, k;

	for (i = 0; i < bpfext_object__prog_cnt(a); i++) {
		struct bpfext_prog *pa = bpfext_object__prog(a, i);
		struct bpfext_prog *pb = bpfext_object__find_prog(b, pa->name);
		struct bpfext_linked_prog la = { 0 }, lb = { 0 };
		struct bpfext_interp *ia = NULL, *ib = NULL;
		struct bpfext_error err;
		unsigned int same = 0, faults = 0;
		char why[256] = "", what[512];

		snprintf(what, sizeof(what), "%s: %s", path, pa->name);
		if (!pb) {
			ok(0, "%s: program lost", what);
			continue;
		}
		/* Kops form may be longer: markers, kept instructions. */
		ok(kops_ops || bpfext_prog__loaded_insn_cnt(b, pb) <=
		   bpfext_prog__loaded_insn_cnt(a, pa),
		   "%s: %zu -> %zu slots", what,
		   bpfext_prog__loaded_insn_cnt(a, pa),
		   bpfext_prog__loaded_insn_cnt(b, pb));
		if (bpfext_prog__linked_insns(a, pa, &la, &err) ||
		    bpfext_prog__linked_insns(b, pb, &lb, &err) ||
		    !(ia = bpfext_interp__new(&la, &err)) ||
		    !(ib = bpfext_interp__new(&lb, &err))) {
			skip(what, "the interpreter does not run it");
			goto next;
		}
		for (k = 0; k < INPUTS; k++) {
			struct bpfext_interp_input in = { 0 };
			struct bpfext_interp_output oa, ob;
			uint8_t pkt[256];
			uint64_t pr[4] = { rnd(), rnd(), rnd(), rnd() };

			in.pkt = pkt;
			in.pkt_len = packet(pkt, k);
			in.prandom = pr;
			in.nr_prandom = 4;
			in.ktime = pr;
			in.nr_ktime = 4;
			if (bpfext_interp__run(ia, &in, &oa) ||
			    bpfext_interp__run(ib, &in, &ob))
				break;
			faults += oa.status == BPFEXT_INTERP_FAULT;
			if (bpfext_interp__cmp(ia, &oa, ib, &ob, why, sizeof(why)))
				break;
			same++;
		}
		ok(same == INPUTS, "%s: same outcome on %u of %d inputs%s%s", what,
		   same, INPUTS, why[0] ? ": " : "", why);
next:
		bpfext_interp__free(ia);
		bpfext_interp__free(ib);
		bpfext_linked_prog__free(&la);
		bpfext_linked_prog__free(&lb);
		(void)faults;
	}
}

static void run(const char *path, double budget)
{
	struct bpfext_pipeline_opts po = { 0 };
	struct bpfext_pipeline_result pr;
	struct bpfext_object *a, *b = NULL;
	struct bpfext_error err = { "" };
	const void *img;
	size_t size;

	a = bpfext_object__open(path, &err);
	if (!a) {
		ok(0, "%s: open: %s", path, err.msg);
		return;
	}
	img = bpfext_object__image(a, &size);
	po.search.budget = budget;
	po.search.jobs = 2;
	po.search.seed = 1;
	/* A kernel without Kops refuses every marker: no kernel check then. */
	po.kernel_check = geteuid() == 0 && !kops_ops;
	po.kops_ops = kops_ops;
	if (bpfext_pipeline_run(img, size, path, &po, &pr, &err)) {
		ok(0, "%s: pipeline: %s", path, err.msg);
		bpfext_object__close(a);
		return;
	}
	printf("# %s: %zu windows, %u solver calls, %zu rewrites, %zu refused by the kernel, %zu kops sites\n",
	       path, pr.windows, pr.solver_calls, pr.nr_rewrites,
	       pr.rejected_by_kernel, pr.nr_kops_sites);
	b = bpfext_object__open_mem(pr.img, pr.size, path, &err);
	ok(b != NULL, "%s: the output reads back%s%s", path, b ? "" : ": ",
	   b ? "" : err.msg);
	if (b)
		compare(path, a, b);
	bpfext_object__close(b);
	bpfext_object__close(a);
	bpfext_pipeline_result__free(&pr);
}

int main(int argc, char **argv)
{
	double budget = 2;
	int i = 1;

	if (i < argc && !strcmp(argv[i], "-k")) {
		kops_ops = 0xfe;
		i++;
	}
	if (argc > i + 1 && !strcmp(argv[i], "-b")) {
		budget = atof(argv[i + 1]);
		i += 2;
	}
	libbpf_set_print(quiet);
	for (; i < argc; i++)
		run(argv[i], budget);
	return tap_finish();
}
