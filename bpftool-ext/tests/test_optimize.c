// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * End-to-end check of the superoptimizer on real objects:
 *
 *   test_optimize [-k] [-K [-D] [-o N]] [-r N] [-b SECONDS] OBJ[@BTF]...
 *	-k  EInsn recognition too
 *	-K  replay in the running kernel instead of the interpreter
 *	-D  ... also with .rodata/.data/.bss changed before load
 *	-o  ... at most N objects libbpf cannot open (default 0)
 *	-E  also prog equiv on every program the optimizer changed
 *	-T  ... searching each object for at most SECONDS (its windows'
 *	    proofs limited to 2 s each), to keep a corpus-wide run short
 *	-S  at most N programs the interpreter cannot run (default 0)
 *	-r  at most N objects the reader refuses, each a skip with its
 *	    one-line reason (default 0: GCC 12 emits calls no loader takes)
 *	@BTF  CO-RE against this target BTF instead of the kernel's
 *
 * Each object goes through the whole pipeline (clean-up, search, proven
 * rewrites, the running kernel's verdict when run as root).  Then every
 * program the interpreter supports runs, original and optimized, on the
 * same packets: the outcomes (r0, packet, maps, redirects) must be
 * identical.  An input on which the original faults (it reaches a
 * helper or a kernel pointer the interpreter does not model) compares
 * nothing and is not counted as a match; a program on which every input
 * faults, or which the interpreter refuses, is a skip with the reason,
 * and more of them than -S allows fail the run.  The output is never
 * longer than the input, and every program that loaded before still
 * loads.
 *
 * With -K the two builds are loaded by libbpf against the running
 * kernel (which resolves CO-RE, externs and global data: what the
 * interpreter, running local values, cannot check) and replayed with
 * BPF_PROG_TEST_RUN (tests/replay.h): every program test_run can run
 * whose optimized code differs.  Programs it cannot replay are skips
 * with the reason; a summary counts them by reason.  A difference, an
 * optimized build that does not load or run where the original does,
 * and more unopenable objects than -o allows are failures.
 *
 * With -E every program the optimizer changed also goes through the
 * translation validator (bpfext_equiv_progs(): tests, then the solver,
 * load-time values as shared unknowns, helpers by prototype): it must
 * never say "different"; equivalent and undecided (with the reason)
 * are counted.  This is the check for what test_run cannot run
 * (kprobes, tracepoints, fentry, iterators).
 *
 * ARGS-REQUIRED: not run as an argument-less unit test.
 */
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "bpfext.h"
#include "bpfext_opt.h"
#include "replay.h"
#include "tap.h"

#define INPUTS 300
#define MAX_REASONS 64

static uint64_t rng = 0x853c49e6748fea9bull;
static uint32_t kops_ops;	/* -k: recognize every EInsn op too */
static bool kreplay;		/* -K */
static bool kreplay_data;	/* -D */
static bool equiv_check;	/* -E */
static unsigned int max_refused, refused; /* -r */
static unsigned int search_limit; /* -T */
/* Programs the interpreter could not run, and inputs it compared. */
static unsigned int not_runnable, inputs_compared, inputs_faulted;
static atomic_bool stop_search;

static void on_alarm(int sig)
{
	atomic_store(&stop_search, true);
}

/* -K: what happened to the programs, and why skips were skips. */
static struct {
	unsigned int replayed, runs, identical, different, failed, skipped;
	unsigned int unopenable;
	unsigned int equivalent, undecided, equiv_different;
	struct {
		char why[96];
		unsigned int n;
	} reasons[MAX_REASONS];
	unsigned int nr_reasons;
} stats;

static void count_reason(const char *why)
{
	char key[96];
	unsigned int i;

	/* The reason's kind: up to the first detail (':' or a digit). */
	snprintf(key, sizeof(key), "%.*s", (int)strcspn(why, ":0123456789"), why);
	for (i = 0; i < stats.nr_reasons; i++)
		if (!strcmp(stats.reasons[i].why, key))
			break;
	if (i == stats.nr_reasons && i < MAX_REASONS)
		snprintf(stats.reasons[stats.nr_reasons++].why, sizeof(key), "%s", key);
	if (i < MAX_REASONS)
		stats.reasons[i].n++;
}

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
		unsigned int same = 0, compared = 0, faults = 0;
		char why[256] = "", what[512], fault[160] = "";
		struct bpfext_error err;

		snprintf(what, sizeof(what), "%.400s: %s", path, pa->name);
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
			not_runnable++;
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
			/* nothing to compare where the original cannot run */
			if (oa.status == BPFEXT_INTERP_FAULT) {
				if (!faults++)
					snprintf(fault, sizeof(fault), "insn %zu: %s",
						 oa.fault_pc, oa.fault);
				continue;
			}
			compared++;
			if (bpfext_interp__cmp(ia, &oa, ib, &ob, why, sizeof(why)))
				break;
			same++;
		}
		inputs_compared += compared;
		inputs_faulted += faults;
		if (!compared && faults) {
			not_runnable++;
			snprintf(why, sizeof(why), "the original faults on every input (%s)",
				 fault);
			skip(what, why);
			goto next;
		}
		ok(compared && same == compared,
		   "%s: same outcome on %u of %u inputs (%u where the original faults%s%s)%s%s",
		   what, same, compared, faults, faults ? ": " : "", fault,
		   why[0] ? ": " : "", why);
next:
		bpfext_interp__free(ia);
		bpfext_interp__free(ib);
		bpfext_linked_prog__free(&la);
		bpfext_linked_prog__free(&lb);
	}
}

/* Do the two programs run the same code (subprograms and maps alike)? */
static bool same_code(struct bpfext_object *a, struct bpfext_prog *pa,
		      struct bpfext_object *b, struct bpfext_prog *pb)
{
	struct bpfext_linked_prog la, lb;
	struct bpfext_error err;
	bool same;

	if (bpfext_prog__linked_insns(a, pa, &la, &err))
		return false;
	if (bpfext_prog__linked_insns(b, pb, &lb, &err)) {
		bpfext_linked_prog__free(&la);
		return false;
	}
	same = la.cnt == lb.cnt && !memcmp(la.insns, lb.insns, la.cnt * sizeof(*la.insns));
	bpfext_linked_prog__free(&la);
	bpfext_linked_prog__free(&lb);
	return same;
}

/* -E: the translation validator on a changed program. */
static void equiv_compare(const char *what, struct bpfext_object *a,
			  struct bpfext_prog *pa, struct bpfext_object *b,
			  struct bpfext_prog *pb)
{
	static struct bpfext_equiv_report rep;
	BPFEXT_OPTS(bpfext_sym_opts, so, .timeout_ms = 5000, .max_pkt = 64);
	struct bpfext_linked_prog la, lb;
	struct bpfext_error err = { "" };
	int ret = -EINVAL;

	if (!bpfext_prog__linked_insns(a, pa, &la, &err)) {
		if (!bpfext_prog__linked_insns(b, pb, &lb, &err)) {
			ret = bpfext_equiv_progs(&la, &lb, &so, 64, &rep, &err);
			bpfext_linked_prog__free(&lb);
		}
		bpfext_linked_prog__free(&la);
	}
	if (!ret && rep.verdict == BPFEXT_DIFFERENT) {
		stats.equiv_different++;
		ok(0, "%s: %s: prog equiv: different (%s: %s)", what, pa->name,
		   rep.reason, rep.diff);
	} else if (!ret && rep.verdict == BPFEXT_EQUIVALENT) {
		stats.equivalent++;
		ok(1, "%s: %s: prog equiv: equivalent", what, pa->name);
	} else {
		char why[600];

		snprintf(why, sizeof(why), "prog equiv undecided, %.500s",
			 ret ? err.msg : rep.reason);
		stats.undecided++;
		count_reason(why);
		skip(what, why);
	}
}

/* -K: replay every program of @a against its namesake in @b, in the kernel. */
static void kernel_compare(const char *what, struct bpfext_object *a,
			   struct bpfext_object *b, const char *btf)
{
	size_t i, v;

	for (i = 0; i < bpfext_object__prog_cnt(a); i++) {
		struct bpfext_prog *pa = bpfext_object__prog(a, i);
		struct bpfext_prog *pb = bpfext_object__find_prog(b, pa->name);

		if (!pb) {
			ok(0, "%s: %s: program lost", what, pa->name);
			stats.failed++;
			continue;
		}
		if (same_code(a, pa, b, pb)) {
			stats.identical++;
			continue;
		}
		if (equiv_check)
			equiv_compare(what, a, pa, b, pb);
		for (v = 0; v < (kreplay_data ? 2 : 1); v++) {
			struct replay_opts o = {
				.btf_custom_path = btf,
				.data_seed = v ? 0x5eed + i : 0,
			};
			struct replay_report rep;
			char name[600];

			snprintf(name, sizeof(name), "%s: %s%s", what, pa->name,
				 v ? " (data changed before load)" : "");
			replay_prog(a, pa, b, pb, &o, &rep);
			stats.runs += rep.runs;
			switch (rep.verdict) {
			case REPLAY_SAME:
				stats.replayed++;
				ok(1, "%s: same results on %u inputs", name, rep.runs);
				break;
			case REPLAY_SKIP:
				stats.skipped++;
				count_reason(rep.why);
				skip(name, rep.why);
				break;
			case REPLAY_DIFFERENT:
				stats.different++;
				ok(0, "%s: different after relocation: %s", name, rep.why);
				break;
			default:
				stats.failed++;
				ok(0, "%s: %s", name, rep.why);
			}
		}
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * -K: does @a have a program test_run can run?  If not, its programs are
 * skips, and the object is not optimized for nothing.
 */
static bool any_runnable(const char *what, struct bpfext_object *a)
{
	size_t i, n = bpfext_object__prog_cnt(a);
	const char *why = NULL;
	bool any = false;

	for (i = 0; i < n; i++) {
		struct bpfext_prog *p = bpfext_object__prog(a, i);

		if (p->type_known && replay_runnable(p->type, &why))
			any = true;
	}
	for (i = 0; i < n && !any; i++) {
		struct bpfext_prog *p = bpfext_object__prog(a, i);
		char name[600];

		why = p->type_known ? NULL : "unknown program type";
		if (p->type_known)
			replay_runnable(p->type, &why);
		snprintf(name, sizeof(name), "%s: %s", what, p->name);
		stats.skipped++;
		count_reason(why);
		skip(name, why);
	}
	return any;
}

static void run(const char *arg, double budget)
{
	BPFEXT_OPTS(bpfext_pipeline_opts, po);
	struct bpfext_pipeline_result pr;
	struct bpfext_object *a, *b = NULL;
	struct bpfext_error err = { "" };
	char path[4096], *btf;
	const void *img;
	size_t size;
	double t0;
	int ret;

	snprintf(path, sizeof(path), "%s", arg);
	btf = strchr(path, '@');
	if (btf)
		*btf++ = 0;
	a = bpfext_object__open(path, &err);
	if (!a && refused < max_refused) {
		char what[4200];

		refused++;
		snprintf(what, sizeof(what), "%s: refused", path);
		skip(what, err.msg);
		return;
	}
	if (!a) {
		ok(0, "%s: open: %s", path, err.msg);
		return;
	}
	if (kreplay && !equiv_check && !any_runnable(arg, a)) {
		bpfext_object__close(a);
		return;
	}
	t0 = now();
	img = bpfext_object__image(a, &size);
	po.budget = budget;
	po.jobs = 2;
	po.seed = 1;
	if (search_limit) {
		atomic_store(&stop_search, false);
		po.stop = &stop_search;
		po.solver_timeout_ms = 2000;
		alarm(search_limit);
	}
	/* A kernel without Kops refuses every marker: no kernel check then. */
	po.kernel_check = geteuid() == 0 && !kops_ops;
	po.btf_custom_path = btf;
	po.kops_ops = kops_ops;
	ret = bpfext_pipeline_run(img, size, path, &po, &pr, &err);
	alarm(0);
	if (ret) {
		ok(0, "%s: pipeline: %s", path, err.msg);
		bpfext_object__close(a);
		return;
	}
	printf("# %s: %zu windows, %u solver calls, %zu rewrites, %zu refused by the kernel, %zu kops sites (%.1f s)\n",
	       path, pr.windows, pr.solver_calls, pr.nr_rewrites,
	       pr.rejected_by_kernel, pr.nr_kops_sites, now() - t0);
	b = bpfext_object__open_mem(pr.img, pr.size, path, &err);
	ok(b != NULL, "%s: the output reads back%s%s", path, b ? "" : ": ",
	   b ? "" : err.msg);
	if (b && kreplay)
		kernel_compare(arg, a, b, btf);
	else if (b)
		compare(path, a, b);
	bpfext_object__close(b);
	bpfext_object__close(a);
	bpfext_pipeline_result__free(&pr);
}

/*
 * -K: can the loader open the object at all (libbpf, or the library's
 * own loader for legacy "maps" sections)?  For the -o ceiling.
 */
static bool loader_opens(const char *arg)
{
	struct bpfext_object *obj;
	char path[4096], *at;
	struct bpf_object *o;
	bool legacy;

	snprintf(path, sizeof(path), "%s", arg);
	at = strchr(path, '@');
	if (at)
		*at = 0;
	obj = bpfext_object__open(path, NULL);
	legacy = obj && bpfext_object__has_legacy_maps(obj);
	bpfext_object__close(obj);
	if (legacy)
		return true;
	o = bpf_object__open(path);
	if (!o)
		return false;
	bpf_object__close(o);
	return true;
}

static void summary(unsigned int max_unopenable)
{
	unsigned int i;

	printf("# kernel replay: %u programs replayed (%u inputs each side), %u unchanged, %u different, %u failed, %u skipped\n",
	       stats.replayed, stats.runs, stats.identical, stats.different,
	       stats.failed, stats.skipped);
	if (equiv_check)
		printf("# prog equiv on the changed programs: %u equivalent, %u undecided, %u different\n",
		       stats.equivalent, stats.undecided, stats.equiv_different);
	for (i = 0; i < stats.nr_reasons; i++)
		printf("#   skipped %u: %s\n", stats.reasons[i].n, stats.reasons[i].why);
	ok(stats.unopenable <= max_unopenable,
	   "%u objects libbpf cannot open (at most %u)", stats.unopenable,
	   max_unopenable);
}

int main(int argc, char **argv)
{
	unsigned int max_unopenable = 0, max_not_runnable = 0;
	double budget = 2;
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-k")) {
			kops_ops = 0xfe;
		} else if (!strcmp(argv[i], "-K")) {
			kreplay = true;
		} else if (!strcmp(argv[i], "-D")) {
			kreplay_data = true;
		} else if (!strcmp(argv[i], "-E")) {
			equiv_check = true;
		} else if (!strcmp(argv[i], "-T") && i + 1 < argc) {
			search_limit = (unsigned int)atoi(argv[++i]);
			signal(SIGALRM, on_alarm);
		} else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
			max_unopenable = (unsigned int)atoi(argv[++i]);
		} else if (!strcmp(argv[i], "-r") && i + 1 < argc) {
			max_refused = (unsigned int)atoi(argv[++i]);
		} else if (!strcmp(argv[i], "-b") && i + 1 < argc) {
			budget = atof(argv[++i]);
		} else if (!strcmp(argv[i], "-S") && i + 1 < argc) {
			max_not_runnable = (unsigned int)atoi(argv[++i]);
		} else {
			fprintf(stderr, "test_optimize: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	libbpf_set_print(quiet);
	if (kreplay && geteuid()) {
		printf("1..0 # SKIP the kernel replay needs root\n");
		return 0;
	}
	for (; i < argc; i++) {
		if (kreplay && !loader_opens(argv[i])) {
			stats.unopenable++;
			skip(argv[i], "libbpf cannot open the object");
			continue;
		}
		run(argv[i], budget);
	}
	if (kreplay) {
		summary(max_unopenable);
	} else {
		printf("# inputs compared %u, where the original faults %u\n",
		       inputs_compared, inputs_faulted);
		ok(not_runnable <= max_not_runnable,
		   "programs the interpreter cannot run: %u (at most %u)",
		   not_runnable, max_not_runnable);
	}
	return tap_finish();
}
