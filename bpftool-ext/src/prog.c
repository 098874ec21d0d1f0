// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * prog optimize: read → clean up / optimize → write → verify → report.
 * prog dump: list an object's programs in verifier notation.
 * prog check: static safety analysis of an object's programs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bpfext.h"
#include "bpfext_opt.h"
#include "main.h"

struct optimize_args {
	const char *obj_path;
	const char *out;
	const char *prog;
	const char *type;
	const char *pinmaps;
	const char *pin;
	const char *budget;
	const char *jobs;
	const char *seed;
	const char *cost;
	const char *kops;
	const char *target;
	const char *cache;
	const char *select;
	bool verify;
	bool changes;
	/* map name NAME entries N: sizes the object's own loader would set */
	struct bpfext_map_size sizes[16];
	size_t nr_sizes;
};

/* Read by the search threads; atomic_bool is lock-free, so a signal
 * handler may set it. */
static atomic_bool interrupted;

static void on_sigint(int sig)
{
	atomic_store(&interrupted, true);
}

static int do_help(int argc, char **argv)
{
	if (json_output) {
		jsonw_null(json_wtr);
		return 0;
	}
	fprintf(stderr,
		"Usage: %1$s %2$s optimize OBJ [out FILE] [prog NAME] [type TYPE] [verify]\n"
		"                         [pinmaps DIR] [pin PATH] [budget SECONDS] [jobs N]\n"
		"                         [seed N] [cost COST] [kops KOPS] [target FILE]\n"
		"                         [cache { FILE | none }] [select SELECT] [changes]\n"
		"                         [map name NAME entries N]...\n"
		"       %1$s %2$s dump OBJ [prog NAME]\n"
		"       %1$s %2$s equiv OBJ_A OBJ_B [prog NAME]\n"
		"       %1$s %2$s check OBJ [prog NAME]\n"
		"       %1$s %2$s help\n"
		"\n"
		"       COST := { insns | latency | jit }\n"
		"       SELECT := { model | measured }\n"
		"       KOPS := { auto | none | OP[,OP...] }\n"
		"       OP := { rotate | select | bfext | ldbswap | prefetch | memcpy | lea }\n"
		"       TYPE := { socket | kprobe | kretprobe | classifier | action |\n"
		"                 tracepoint | raw_tracepoint | xdp | perf_event | cgroup/skb |\n"
		"                 cgroup/sock | cgroup/dev | lwt_in | lwt_out | lwt_xmit |\n"
		"                 lwt_seg6local | sockops | sk_skb | sk_msg | lirc_mode2 |\n"
		"                 sk_reuseport | flow_dissector | cgroup/sysctl |\n"
		"                 cgroup/bind4 | cgroup/bind6 | cgroup/post_bind4 |\n"
		"                 cgroup/post_bind6 | cgroup/connect4 | cgroup/connect6 |\n"
		"                 cgroup/getpeername4 | cgroup/getpeername6 |\n"
		"                 cgroup/getsockname4 | cgroup/getsockname6 | cgroup/sendmsg4 |\n"
		"                 cgroup/sendmsg6 | cgroup/recvmsg4 | cgroup/recvmsg6 |\n"
		"                 cgroup/getsockopt | cgroup/setsockopt | cgroup/sock_release |\n"
		"                 struct_ops | fentry | fexit | freplace | sk_lookup }\n"
		"       " HELP_SPEC_OPTIONS " }\n",
		bin_name, "prog");
	return 0;
}

static struct bpfext_object *open_obj(const char *path)
{
	struct bpfext_error err = { "" };
	struct bpfext_object *obj = bpfext_object__open(path, &err);

	if (!obj)
		p_err("%s: %s", path, err.msg);
	return obj;
}

static int apply_type(struct bpfext_object *obj, const char *path,
		      const char *prog, const char *type)
{
	size_t i;

	for (i = 0; type && i < bpfext_object__prog_cnt(obj); i++) {
		struct bpfext_prog *p = bpfext_object__prog(obj, i);

		if (prog && strcmp(p->name, prog))
			continue;
		if (bpfext_prog__set_type(p, type)) {
			p_err("%s: unknown program type '%s'", path, type);
			return -1;
		}
	}
	if (prog && !bpfext_object__find_prog(obj, prog)) {
		p_err("%s: no program named '%s'", path, prog);
		return -1;
	}
	return 0;
}

/*
 * map name NAME entries N is for maps the object leaves unsized, which its
 * own loader sizes: the proofs take an unsized map's size as unknown and
 * a sized one's as the object says, so only the first may be given.
 */
static int check_map_sizes(struct bpfext_object *obj, const struct optimize_args *a)
{
	struct bpfext_linked_prog lp;
	struct bpfext_error err = { "" };
	size_t i, k;

	if (!a->nr_sizes)
		return 0;
	if (a->select && !strcmp(a->select, "measured")) {
		p_err("'select measured' does not take 'map name NAME entries N' (its timing loads the object as it is)");
		return -1;
	}
	if (!bpfext_object__prog_cnt(obj))
		return 0;
	if (bpfext_prog__linked_insns(obj, bpfext_object__prog(obj, 0), &lp, &err)) {
		p_err("%s: %s", a->obj_path, err.msg);
		return -1;
	}
	for (i = 0; i < a->nr_sizes; i++) {
		for (k = 0; k < lp.nr_maps; k++)
			if (!strcmp(lp.maps[k].name, a->sizes[i].name))
				break;
		if (k == lp.nr_maps || lp.maps[k].is_data) {
			p_err("%s: no map named '%s' to size", a->obj_path, a->sizes[i].name);
			break;
		}
		if (lp.maps[k].max_entries) {
			p_err("%s: map %s has %u entries in the object; 'entries' is for maps it leaves unsized",
			      a->obj_path, a->sizes[i].name, lp.maps[k].max_entries);
			break;
		}
	}
	bpfext_linked_prog__free(&lp);
	return i < a->nr_sizes ? -1 : 0;
}

static bool selected(const struct bpfext_prog *p, const char *name)
{
	return !name || !strcmp(p->name, name);
}

/* map name NAME entries N */
static int parse_map_size(int *argcp, char ***argvp, struct optimize_args *a)
{
	int argc = *argcp;
	char **argv = *argvp;
	const char *name, *num;
	unsigned long long n;
	size_t i;
	char *end;

	NEXT_ARG();
	if (argc < 4 || !is_prefix(argv[0], "name") || !is_prefix(argv[2], "entries")) {
		p_err("expected 'map name NAME entries N'");
		return -1;
	}
	name = argv[1];
	num = argv[3];
	errno = 0;
	n = strtoull(num, &end, 10);
	if (errno || *num < '0' || *num > '9' || *end || !n || n > UINT32_MAX) {
		p_err("map %s: 'entries' takes a number from 1 to %u, got '%s'", name,
		      UINT32_MAX, num);
		return -1;
	}
	for (i = 0; i < a->nr_sizes; i++)
		if (!strcmp(a->sizes[i].name, name)) {
			p_err("map %s sized twice", name);
			return -1;
		}
	if (a->nr_sizes == sizeof(a->sizes) / sizeof(a->sizes[0])) {
		p_err("at most %zu maps may be sized", a->nr_sizes);
		return -1;
	}
	a->sizes[a->nr_sizes].name = name;
	a->sizes[a->nr_sizes++].max_entries = (uint32_t)n;
	*argcp = argc - 4;
	*argvp = argv + 4;
	return 0;
}

static int parse_optimize(int argc, char **argv, struct optimize_args *a)
{
	if (!REQ_ARGS(1))
		return -1;
	a->obj_path = GET_ARG();
	while (argc) {
		const char **dst = NULL;

		if (is_prefix(*argv, "out"))
			dst = &a->out;
		else if (is_prefix(*argv, "prog"))
			dst = &a->prog;
		else if (is_prefix(*argv, "type"))
			dst = &a->type;
		else if (!strcmp(*argv, "pin"))	/* "pin" also prefixes "pinmaps" */
			dst = &a->pin;
		else if (is_prefix(*argv, "pinmaps"))
			dst = &a->pinmaps;
		else if (is_prefix(*argv, "budget"))
			dst = &a->budget;
		else if (is_prefix(*argv, "jobs"))
			dst = &a->jobs;
		else if (is_prefix(*argv, "seed"))
			dst = &a->seed;
		else if (is_prefix(*argv, "cost"))
			dst = &a->cost;
		else if (is_prefix(*argv, "kops"))
			dst = &a->kops;
		else if (is_prefix(*argv, "target"))
			dst = &a->target;
		else if (is_prefix(*argv, "cache"))
			dst = &a->cache;
		else if (is_prefix(*argv, "select"))
			dst = &a->select;
		if (dst) {
			NEXT_ARG();
			if (!REQ_ARGS(1))
				return -1;
			if (*dst) {
				p_err("'%s' given twice", argv[-1]);
				return -1;
			}
			*dst = GET_ARG();
			continue;
		}
		if (is_prefix(*argv, "verify")) {
			a->verify = true;
			NEXT_ARG();
			continue;
		}
		if (is_prefix(*argv, "changes")) {
			a->changes = true;
			NEXT_ARG();
			continue;
		}
		if (is_prefix(*argv, "map")) {
			if (parse_map_size(&argc, &argv, a))
				return -1;
			continue;
		}
		p_err("expected no more arguments, 'out', 'prog', 'type', 'verify', 'pinmaps', 'pin', 'budget', 'jobs', 'seed', 'cost', 'kops', 'target', 'cache', 'select', 'map' or 'changes', got: '%s'",
		      *argv);
		return -1;
	}
	if (a->pinmaps && !a->pin) {
		p_err("'pinmaps' needs 'pin'");
		return -1;
	}
	return 0;
}

static void print_result_json(const struct bpfext_load_result *r)
{
	jsonw_bool_field(json_wtr, "loaded", r->loaded);
	if (r->loaded) {
		jsonw_uint_field(json_wtr, "verifier_insns_processed",
				 r->verified_insns);
		jsonw_uint_field(json_wtr, "xlated_len", r->xlated_len);
		jsonw_uint_field(json_wtr, "jited_len", r->jited_len);
	} else if (r->log_tail) {
		jsonw_string_field(json_wtr, "error", r->log_tail);
	}
}

static void print_result_plain(const struct bpfext_load_result *r)
{
	if (r->loaded) {
		printf("\tverifier: accepted, %u insns processed, xlated %u bytes, jited %u bytes\n",
		       r->verified_insns, r->xlated_len, r->jited_len);
		return;
	}
	printf("\tnot loaded:\n");
	if (r->log_tail) {
		const char *p = r->log_tail;

		while (*p) {
			const char *nl = strchr(p, '\n');
			int n = nl ? (int)(nl - p) : (int)strlen(p);

			printf("\t  | %.*s\n", n, p);
			p += n + (nl ? 1 : 0);
		}
	}
}

static int parse_search(const struct optimize_args *a,
			struct bpfext_pipeline_opts *po)
{
	char *end;
	long n;

	po->budget = 10;
	po->jobs = sysconf(_SC_NPROCESSORS_ONLN) > 0 ?
			  sysconf(_SC_NPROCESSORS_ONLN) : 1;
	po->cost = BPFEXT_COST_INSNS;
	if (a->budget) {
		po->budget = strtod(a->budget, &end);
		if (*end || !(po->budget >= 0 && po->budget <= 1e6)) {
			p_err("budget must be a number of seconds, got '%s'", a->budget);
			return -1;
		}
	}
	if (a->jobs) {
		n = strtol(a->jobs, &end, 10);
		if (*end || n < 1 || n > 256) {
			p_err("jobs must be 1 to 256, got '%s'", a->jobs);
			return -1;
		}
		po->jobs = n;
	}
	if (a->seed) {
		errno = 0;
		po->seed = strtoull(a->seed, &end, 0);
		if (*end || errno || !*a->seed) {
			p_err("seed must be a number, got '%s'", a->seed);
			return -1;
		}
	}
	if (a->cost) {
		if (!strcmp(a->cost, "insns")) {
			po->cost = BPFEXT_COST_INSNS;
		} else if (!strcmp(a->cost, "latency")) {
			po->cost = BPFEXT_COST_LATENCY;
		} else if (!strcmp(a->cost, "jit")) {
			po->cost = BPFEXT_COST_JIT;
		} else {
			p_err("cost must be 'insns', 'latency' or 'jit', got '%s'", a->cost);
			return -1;
		}
	}
	if (a->select) {
		if (!strcmp(a->select, "measured")) {
			po->select_measured = true;
		} else if (strcmp(a->select, "model")) {
			p_err("select must be 'model' or 'measured', got '%s'", a->select);
			return -1;
		}
	}
	po->no_search = po->budget == 0;
	return 0;
}

/*
 * The EInsn ops to emit: those of the target table (`target FILE`, else
 * the running kernel's) that `kops` asks for.  Without `kops`, auto when
 * there is a table, none otherwise.
 */
static int parse_kops(const struct optimize_args *a,
		      struct bpfext_pipeline_opts *po)
{
	const char *path = a->target ? a->target : BPFEXT_KOPS_SYSFS;
	struct bpfext_error err = { "" };
	struct bpfext_kops_op *ops = NULL;
	uint32_t offered, want;
	size_t cnt = 0;
	int ret;

	po->kops_ops = 0;
	if (a->kops && !strcmp(a->kops, "none"))
		return 0;
	ret = bpfext_kops_read(path, &ops, &cnt, &err);
	if (ret == -ENOENT && !a->target) {
		if (!a->kops)
			return 0;
		p_err("kops %s: the running kernel has no Kops (%s); use 'target FILE'",
		      a->kops, BPFEXT_KOPS_SYSFS);
		return -1;
	}
	if (ret) {
		p_err("%s: %s", path, err.msg);
		return -1;
	}
	offered = bpfext_recog_table_ops(ops, cnt);
	free(ops);
	if (!a->kops || !strcmp(a->kops, "auto")) {
		po->kops_ops = offered;
		return 0;
	}
	if (bpfext_recog_parse_ops(a->kops, &want, &err)) {
		p_err("kops: %s", err.msg);
		return -1;
	}
	if (want & ~offered) {
		unsigned int id;

		for (id = 1; id < BPFEXT_EINSN_NR; id++)
			if (want & ~offered & (1u << id))
				break;
		p_err("kops: op '%s' is not offered by %s", bpfext_einsn_name(id), path);
		return -1;
	}
	po->kops_ops = want;
	return 0;
}

/*
 * Kops sites of each op (into @n, or NULL) in program @p: in its own
 * function and in the .text subprograms it calls (a shared subprogram
 * counts for each caller).  Return: all of them.
 */
static unsigned int prog_kops_sites(const struct bpfext_pipeline_result *pr,
				    struct bpfext_object *obj,
				    const struct bpfext_prog *p, unsigned int *n)
{
	unsigned int total = 0;
	size_t i;

	for (i = 0; i < pr->nr_kops_sites; i++) {
		const struct bpfext_kops_site *s = &pr->kops_sites[i];

		if (s->op < BPFEXT_EINSN_NR &&
		    bpfext_prog__runs_func(obj, p, s->shndx, s->func)) {
			if (n)
				n[s->op]++;
			total++;
		}
	}
	return total;
}

static void print_prog_kops(const struct bpfext_pipeline_result *pr,
			    const struct bpfext_pipeline_opts *po,
			    struct bpfext_object *obj, const struct bpfext_prog *p)
{
	unsigned int n[BPFEXT_EINSN_NR] = { 0 }, id, total;

	if (!po->kops_ops)
		return;
	total = prog_kops_sites(pr, obj, p, n);
	if (json_output) {
		jsonw_name(json_wtr, "kops");
		jsonw_start_object(json_wtr);
		for (id = 1; id < BPFEXT_EINSN_NR; id++)
			if (po->kops_ops & (1u << id))
				jsonw_uint_field(json_wtr, bpfext_einsn_name(id), n[id]);
		jsonw_end_object(json_wtr);
		return;
	}
	printf("	kops: %u site%s", total, total == 1 ? "" : "s");
	for (id = 1; id < BPFEXT_EINSN_NR; id++)
		if (n[id])
			printf(", %s %u", bpfext_einsn_name(id), n[id]);
	printf("\n");
}

static void print_kops_summary(const struct bpfext_pipeline_result *pr,
			       const struct bpfext_pipeline_opts *po,
			       const struct optimize_args *a)
{
	const struct bpfext_recog_stats *st = &pr->kops_stats;
	unsigned int id;

	if (json_output) {
		jsonw_name(json_wtr, "kops");
		jsonw_start_object(json_wtr);
		jsonw_string_field(json_wtr, "target",
				   a->target ? a->target :
				   po->kops_ops ? BPFEXT_KOPS_SYSFS : "none");
		jsonw_name(json_wtr, "ops");
		jsonw_start_array(json_wtr);
		for (id = 1; id < BPFEXT_EINSN_NR; id++)
			if (po->kops_ops & (1u << id))
				jsonw_string(json_wtr, bpfext_einsn_name(id));
		jsonw_end_array(json_wtr);
		jsonw_uint_field(json_wtr, "sites", pr->nr_kops_sites);
		/* All functions, subprograms of .text included. */
		jsonw_name(json_wtr, "by_op");
		jsonw_start_object(json_wtr);
		for (id = 1; id < BPFEXT_EINSN_NR; id++)
			if (po->kops_ops & (1u << id))
				jsonw_uint_field(json_wtr, bpfext_einsn_name(id),
						 st->sites[id]);
		jsonw_end_object(json_wtr);
		jsonw_uint_field(json_wtr, "candidates", st->candidates);
		jsonw_uint_field(json_wtr, "refused_clobber", st->clobbered);
		jsonw_uint_field(json_wtr, "refused_unproven", st->unproven);
		jsonw_end_object(json_wtr);
		return;
	}
	if (!po->kops_ops)
		return;
	printf("  kops: %zu sites rewritten (%u candidates, %u refused by the clobber rule, %u not proven)\n",
	       pr->nr_kops_sites, st->candidates, st->clobbered, st->unproven);
}

struct progress {
	const char *obj;
	bool on;
};

static void show_progress(void *arg, size_t done, size_t total)
{
	struct progress *pr = arg;

	if (pr->on)
		fprintf(stderr, "\r%s: %zu/%zu windows searched", pr->obj, done,
			total);
}

static void print_rewrite(const struct bpfext_rewrite *rw)
{
	char old[BPFEXT_INSN_STR_MAX], new[BPFEXT_INSN_STR_MAX];
	size_t i, n = rw->len > rw->cnt ? rw->len : rw->cnt;

	if (json_output) {
		jsonw_start_object(json_wtr);
		jsonw_string_field(json_wtr, "section", rw->sec_name);
		jsonw_uint_field(json_wtr, "insn", rw->start);
		jsonw_name(json_wtr, "old");
		jsonw_start_array(json_wtr);
		for (i = 0; i < rw->len; i++) {
			bpfext_insn_print(&rw->old[i], rw->len - i, old, sizeof(old));
			jsonw_string(json_wtr, old);
		}
		jsonw_end_array(json_wtr);
		jsonw_name(json_wtr, "new");
		jsonw_start_array(json_wtr);
		for (i = 0; i < rw->cnt; i++) {
			bpfext_insn_print(&rw->insns[i], rw->cnt - i, new, sizeof(new));
			jsonw_string(json_wtr, new);
		}
		jsonw_end_array(json_wtr);
		jsonw_end_object(json_wtr);
		return;
	}
	printf("  section %s, insns %zu-%zu: %zu -> %zu\n", rw->sec_name,
	       rw->start, rw->start + rw->len - 1, rw->len, rw->cnt);
	for (i = 0; i < n; i++) {
		old[0] = new[0] = 0;
		if (i < rw->len)
			bpfext_insn_print(&rw->old[i], rw->len - i, old, sizeof(old));
		if (i < rw->cnt)
			bpfext_insn_print(&rw->insns[i], rw->cnt - i, new, sizeof(new));
		printf("\t%-40s | %s\n", old, new);
	}
}

/* Search rewrites the safety analysis refused because of program @p. */
static size_t prog_safety_drops(const struct bpfext_pipeline_result *pr,
				const struct bpfext_prog *p)
{
	size_t i, n = 0;

	for (i = 0; i < pr->rejected_by_safety; i++)
		n += !strcmp(pr->safety_drops[i].prog, p->name);
	return n;
}

/* With -d: each refused rewrite and the violation it caused. */
static void print_safety_drops(const struct bpfext_pipeline_result *pr)
{
	size_t i;

	for (i = 0; verbose && i < pr->rejected_by_safety; i++) {
		const struct bpfext_safety_drop *d = &pr->safety_drops[i];
		char buf[BPFEXT_INSN_STR_MAX];
		size_t k;

		fprintf(stderr, "safety: rewrite of section %s, insns %zu-%zu dropped: program %s: insn %zu: %s\n",
			d->rw.sec_name, d->rw.start, d->rw.start + d->rw.len - 1,
			d->prog, d->insn, d->reason);
		for (k = 0; k < d->rw.cnt; k++) {
			bpfext_insn_print(&d->rw.insns[k], d->rw.cnt - k, buf, sizeof(buf));
			fprintf(stderr, "safety:   new: %s\n", buf);
		}
	}
}

/* Proven rewrites (search windows, comparisons) in code @p runs. */
static size_t prog_windows(struct bpfext_object *out, const struct bpfext_pipeline_result *pr,
			   const struct bpfext_prog *p)
{
	size_t i, n = 0;

	for (i = 0; i < pr->nr_rewrites; i++)
		n += bpfext_prog__runs_func(out, p, pr->rewrites[i].shndx,
					    pr->rewrites[i].func);
	return n;
}

/*
 * What "equivalence_proven" claims, and under which assumptions: each
 * rewritten window was proven alone against the code it replaces, not
 * the program as a whole.
 */
static const char *const proof_assumptions[] = {
	"each window alone: the registers live after it and at its side exits, and all of memory, for every input",
	"what the known-bits analysis found of the window's input registers (nothing of a value the loader sets)",
	"which registers are live: liveness, a helper reading only the arguments of its prototype",
	"instructions the loader rewrites (CO-RE, maps, global data, externs) and calls are not rewritten",
};

static void print_proof_json(size_t windows, size_t kops)
{
	size_t i;

	jsonw_name(json_wtr, "equivalence_proven");
	jsonw_start_object(json_wtr);
	jsonw_string_field(json_wtr, "scope", windows || kops ? "windows" : "unchanged");
	jsonw_uint_field(json_wtr, "windows", windows);
	jsonw_uint_field(json_wtr, "kops_sites", kops);
	jsonw_bool_field(json_wtr, "whole_program", false);
	jsonw_name(json_wtr, "assumptions");
	jsonw_start_array(json_wtr);
	for (i = 0; (windows || kops) &&
		    i < sizeof(proof_assumptions) / sizeof(proof_assumptions[0]); i++)
		jsonw_string(json_wtr, proof_assumptions[i]);
	jsonw_end_array(json_wtr);
	jsonw_end_object(json_wtr);
}

/* Latest time-to-best of the rewrites in a program's section. */
static double prog_time_to_best(const struct bpfext_pipeline_result *pr,
				const struct bpfext_prog *p)
{
	double t = 0;
	size_t i;

	for (i = 0; i < pr->nr_rewrites; i++)
		if (pr->rewrites[i].shndx == p->sec->shndx &&
		    pr->rewrites[i].time_to_best > t)
			t = pr->rewrites[i].time_to_best;
	return t;
}

/*
 * The rule cache: `cache FILE`, `cache none`, or by default the user's
 * cache directory (XDG_CACHE_HOME, else ~/.cache).  *path is NULL when
 * there is none.
 */
static int open_rule_cache(const struct optimize_args *a,
			   struct bpfext_rule_cache **rc, char **path)
{
	struct bpfext_error err = { "" };
	const char *base = getenv("XDG_CACHE_HOME"), *sub = "bpftool-ext/rules";

	*rc = NULL;
	*path = NULL;
	if (a->cache && !strcmp(a->cache, "none"))
		return 0;
	if (a->cache) {
		*path = strdup(a->cache);
	} else {
		if (!base || !*base) {
			base = getenv("HOME");
			sub = ".cache/bpftool-ext/rules";
		}
		if (!base || !*base)
			return 0;
		if (asprintf(path, "%s/%s", base, sub) < 0)
			*path = NULL;
	}
	if (!*path) {
		p_err("out of memory");
		return -1;
	}
	*rc = bpfext_rule_cache__open(*path, &err);
	if (!*rc) {
		p_err("%s", err.msg);
		return -1;
	}
	return 0;
}

/* What the steps of one `prog optimize` share. */
struct optimize_run {
	struct optimize_args a;
	struct bpfext_pipeline_opts po;
	struct bpfext_pipeline_result pr;
	struct bpfext_object *obj;	/* the input */
	struct bpfext_object *out;	/* the result, as it would be written */
	void *img;			/* ... its bytes */
	size_t size;
	size_t nprogs;
	size_t *before;			/* slots of each program before */
	struct bpfext_load_result *res;	/* verify: each program's verdict */
	bool all_loaded;
	struct bpfext_rule_cache *cache;
	char *cache_path;
	struct bpfext_jit_probe *jit;
	struct timespec started;	/* when the command began */
};

/* Seconds since the command began. */
static double wall_seconds(const struct optimize_run *r)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec - r->started.tv_sec) +
	       (ts.tv_nsec - r->started.tv_nsec) / 1e9;
}

/* cost jit and select measured: the JIT probe, or the x86-64 model. */
static int optimize_jit(struct optimize_run *r)
{
	struct bpfext_error err = { "" };

	if (r->po.select_measured) {
		/* One of the contenders is searched under cost jit. */
		r->jit = bpfext_jit_probe__new(&err);
		r->po.jit = r->jit;
	} else if (r->po.cost == BPFEXT_COST_JIT) {
		r->jit = bpfext_jit_probe__new(&err);
		if (!r->jit) {
#if defined(__x86_64__)
			p_info("Warning: cost jit: %s; using the model of the 6.1 x86-64 JIT",
			       err.msg);
#else
			p_err("cost jit: %s, and there is no model of this architecture's JIT",
			      err.msg);
			return -1;
#endif
		}
		r->po.jit = r->jit;
	}
	return 0;
}

/* The pipeline, with SIGINT ending the search and progress on a tty. */
static int optimize_search(struct optimize_run *r)
{
	struct progress prog_state = { 0 };
	struct bpfext_error err = { "" };
	struct sigaction sa = { 0 }, old_sa;
	const void *in_img;
	size_t size;
	int ret;

	/* SIGINT ends the search; what was proven so far is still used. */
	sa.sa_handler = on_sigint;
	sigaction(SIGINT, &sa, &old_sa);
	prog_state.obj = r->a.obj_path;
	prog_state.on = !json_output && isatty(STDERR_FILENO);
	r->po.prog = r->a.prog;
	r->po.type = r->a.type;
	r->po.stop = &interrupted;
	r->po.progress = show_progress;
	r->po.progress_arg = &prog_state;
	r->po.kernel_check = geteuid() == 0;
	r->po.map_sizes = r->a.sizes;
	r->po.nr_map_sizes = r->a.nr_sizes;
	in_img = bpfext_object__image(r->obj, &size);
	ret = bpfext_pipeline_run(in_img, size, r->a.obj_path, &r->po, &r->pr, &err);
	sigaction(SIGINT, &old_sa, NULL);
	if (prog_state.on)
		fprintf(stderr, "\r\033[K");
	if (ret) {
		p_err("%s: %s", r->a.obj_path, err.msg);
		return -1;
	}
	print_safety_drops(&r->pr);
	r->img = r->pr.img;
	r->size = r->pr.size;
	r->pr.img = NULL;
	/* Rules are proven when reused, so keep them even if loading fails. */
	if (bpfext_rule_cache__save(r->cache, &err))
		p_info("Warning: rule cache not saved: %s", err.msg);

	/* Everything below looks at the bytes that would be written. */
	r->out = bpfext_object__open_mem(r->img, r->size,
					 r->a.out ? r->a.out : r->a.obj_path, &err);
	if (!r->out) {
		p_err("%s: the rewritten object does not read back: %s",
		      r->a.obj_path, err.msg);
		return -1;
	}
	return apply_type(r->out, r->a.obj_path, r->a.prog, r->a.type);
}

/* Load every selected program of @obj into @res; *@all_loaded says. */
static int load_selected(const struct optimize_run *r, struct bpfext_object *obj,
			 struct bpfext_load_result *res, bool *all_loaded)
{
	BPFEXT_OPTS(bpfext_load_opts, lo, .map_sizes = r->a.sizes,
		    .nr_map_sizes = r->a.nr_sizes);
	struct bpfext_error err = { "" };
	size_t i;

	for (i = 0; i < r->nprogs; i++) {
		struct bpfext_prog *p = bpfext_object__prog(obj, i);

		if (!selected(p, r->a.prog))
			continue;
		libbpf_warning_reset();
		if (bpfext_object__load(obj, p, &lo, &res[i], &err)) {
			p_err("%s: program %s: %s%s%s", r->a.obj_path, p->name,
			      err.msg, *libbpf_first_warning() ? "; " : "",
			      libbpf_first_warning());
			return -1;
		}
		if (!res[i].loaded && res[i].no_log && *libbpf_first_warning()) {
			free(res[i].log_tail);
			res[i].log_tail = strdup(libbpf_first_warning());
		}
		*all_loaded &= res[i].loaded;
	}
	return 0;
}

/* The line of a verifier log that says why: the last one before the
 * statistics the kernel appends. */
static int log_reason(const char *log, const char **line)
{
	const char *p = log, *best = log;
	int n = 0, best_n = log ? (int)strcspn(log, "\n") : 0;

	while (p && *p) {
		n = (int)strcspn(p, "\n");
		if (n && strncmp(p, "processed ", 10) &&
		    strncmp(p, "verification time ", 18) &&
		    strncmp(p, "stack depth ", 12)) {
			best = p;
			best_n = n;
		}
		p += n + (p[n] ? 1 : 0);
	}
	*line = best ? best : "";
	return best ? best_n : 0;
}

/*
 * verify and pin: the kernel must accept the original first, or no
 * result could ever be checked; say so before spending the budget.
 */
static int optimize_check_original(struct optimize_run *r)
{
	struct bpfext_load_result *orig;
	bool all = true;
	int ret = 0;
	size_t i;

	orig = calloc(r->nprogs + 1, sizeof(*orig));
	if (!orig) {
		p_err("%s: out of memory", r->a.obj_path);
		return -1;
	}
	if (load_selected(r, r->obj, orig, &all))
		ret = -1;
	for (i = 0; !ret && !all && i < r->nprogs; i++) {
		struct bpfext_prog *p = bpfext_object__prog(r->obj, i);
		const char *why;
		int n;

		if (!selected(p, r->a.prog) || orig[i].loaded)
			continue;
		n = log_reason(orig[i].log_tail, &why);
		p_err("%s: program %s: the kernel rejects the original, so no result could be %s (nothing searched): %.*s",
		      r->a.obj_path, p->name, r->a.verify ? "verified" : "pinned",
		      n, why);
		ret = EXIT_NEGATIVE;
	}
	for (i = 0; i < r->nprogs; i++)
		bpfext_load_result__free(&orig[i]);
	free(orig);
	return ret;
}

/* verify: load every selected program of the result. */
static int optimize_verify(struct optimize_run *r)
{
	return load_selected(r, r->out, r->res, &r->all_loaded);
}

static void report_prog_json(const struct optimize_run *r, size_t i)
{
	const struct bpfext_pipeline_result *pr = &r->pr;
	struct bpfext_prog *p = bpfext_object__prog(r->out, i);
	size_t before = r->before[i], after = bpfext_prog__loaded_insn_cnt(r->out, p);

	jsonw_start_object(json_wtr);
	jsonw_string_field(json_wtr, "name", p->name);
	jsonw_string_field(json_wtr, "section", p->sec->name);
	jsonw_string_field(json_wtr, "type",
			   p->type_known ? bpfext_prog_type_name(p->type) : "unknown");
	jsonw_uint_field(json_wtr, "insns_before", before);
	jsonw_uint_field(json_wtr, "insns_after", after);
	jsonw_float_field(json_wtr, "compression_pct",
			  before ? 100.0 * ((double)before - after) / before : 0);
	jsonw_float_field(json_wtr, "time_to_best_s", prog_time_to_best(pr, p));
	/* Only rewrites the solver proved are ever applied. */
	print_proof_json(prog_windows(r->out, pr, p),
			 prog_kops_sites(pr, r->out, p, NULL));
	jsonw_bool_field(json_wtr, "kernel_checked",
			 pr->orig_loaded && pr->orig_loaded[i]);
	jsonw_uint_field(json_wtr, "rejected_by_safety", prog_safety_drops(pr, p));
	print_prog_kops(pr, &r->po, r->out, p);
	if (pr->ns_before && pr->ns_before[i]) {
		jsonw_uint_field(json_wtr, "test_run_ns_before", pr->ns_before[i]);
		jsonw_uint_field(json_wtr, "test_run_ns_after", pr->ns_after[i]);
	}
	if (r->a.verify) {
		/* optimize_check_original() stopped the run otherwise */
		jsonw_bool_field(json_wtr, "original_loaded", true);
		print_result_json(&r->res[i]);
	}
	jsonw_end_object(json_wtr);
}

static void report_prog_plain(const struct optimize_run *r, size_t i)
{
	const struct bpfext_pipeline_result *pr = &r->pr;
	struct bpfext_prog *p = bpfext_object__prog(r->out, i);
	size_t before = r->before[i], after = bpfext_prog__loaded_insn_cnt(r->out, p);
	size_t windows = prog_windows(r->out, pr, p);

	printf("  %s (section %s, type %s): %zu -> %zu insns (%.1f%% smaller",
	       p->name, p->sec->name,
	       p->type_known ? bpfext_prog_type_name(p->type) : "unknown",
	       before, after,
	       before ? 100.0 * ((double)before - after) / before : 0);
	if (after != before)
		printf(", best after %.1f s", prog_time_to_best(pr, p));
	printf(")\n");
	if (windows)
		printf("\tproven: %zu rewritten window%s, each alone against the code it replaces\n",
		       windows, windows == 1 ? "" : "s");
	if (pr->orig_loaded && !pr->orig_loaded[i])
		printf("\tnot checked by the kernel: the original does not load\n");
	print_prog_kops(pr, &r->po, r->out, p);
	if (pr->ns_before && pr->ns_before[i])
		printf("\ttest_run: %llu -> %llu ns\n",
		       (unsigned long long)pr->ns_before[i],
		       (unsigned long long)pr->ns_after[i]);
	if (r->a.verify)
		print_result_plain(&r->res[i]);
}

static void report_summary_json(const struct optimize_run *r)
{
	const struct bpfext_pipeline_result *pr = &r->pr;
	size_t i;

	jsonw_name(json_wtr, "search");
	jsonw_start_object(json_wtr);
	jsonw_uint_field(json_wtr, "windows", pr->windows);
	jsonw_uint_field(json_wtr, "proposals", pr->proposals);
	jsonw_uint_field(json_wtr, "solver_calls", pr->solver_calls);
	jsonw_uint_field(json_wtr, "proofs_reused", pr->proofs_reused);
	jsonw_uint_field(json_wtr, "rewrites", pr->nr_rewrites);
	jsonw_uint_field(json_wtr, "from_rule_cache", pr->cache_hits);
	jsonw_uint_field(json_wtr, "rejected_by_kernel", pr->rejected_by_kernel);
	jsonw_uint_field(json_wtr, "rejected_by_safety", pr->rejected_by_safety);
	jsonw_uint_field(json_wtr, "unsearched_windows", pr->unsearched);
	jsonw_uint_field(json_wtr, "dropped_at_deadline", pr->dropped_at_deadline);
	jsonw_bool_field(json_wtr, "kernel_checked", pr->kernel_checked);
	jsonw_bool_field(json_wtr, "interrupted", atomic_load(&interrupted));
	jsonw_float_field(json_wtr, "budget_s", r->po.budget);
	jsonw_float_field(json_wtr, "input_load_s", pr->input_load_s);
	jsonw_float_field(json_wtr, "input_safety_s", pr->input_safety_s);
	jsonw_float_field(json_wtr, "wall_s", wall_seconds(r));
	jsonw_end_object(json_wtr);
	if (pr->selected) {
		jsonw_name(json_wtr, "select");
		jsonw_start_object(json_wtr);
		jsonw_bool_field(json_wtr, "measured", pr->measured);
		jsonw_uint_field(json_wtr, "candidates", pr->candidates);
		jsonw_string_field(json_wtr, "kept", pr->selected);
		jsonw_end_object(json_wtr);
	}
	if (r->cache) {
		jsonw_name(json_wtr, "rule_cache");
		jsonw_start_object(json_wtr);
		jsonw_string_field(json_wtr, "path", r->cache_path);
		jsonw_uint_field(json_wtr, "rules", bpfext_rule_cache__size(r->cache));
		jsonw_uint_field(json_wtr, "learned",
				 bpfext_rule_cache__learned(r->cache));
		jsonw_end_object(json_wtr);
	}
	print_kops_summary(pr, &r->po, &r->a);
	if (r->a.changes) {
		jsonw_name(json_wtr, "changes");
		jsonw_start_array(json_wtr);
		for (i = 0; i < pr->nr_kops_sites; i++)
			print_rewrite(&pr->kops_rewrites[i]);
		for (i = 0; i < pr->nr_rewrites; i++)
			print_rewrite(&pr->rewrites[i]);
		jsonw_end_array(json_wtr);
	}
}

static void report_summary_plain(const struct optimize_run *r)
{
	const struct bpfext_pipeline_result *pr = &r->pr;
	size_t i;

	printf("  search: %zu windows, %llu proposals, %u solver calls (%zu proofs reused), %zu rewrites kept",
	       pr->windows, (unsigned long long)pr->proposals,
	       pr->solver_calls, pr->proofs_reused, pr->nr_rewrites);
	if (pr->rejected_by_safety)
		printf(", %zu refused by the safety analysis", pr->rejected_by_safety);
	if (pr->rejected_by_kernel)
		printf(", %zu refused by the kernel verifier", pr->rejected_by_kernel);
	if (pr->cache_hits)
		printf(" (%zu from cached rules)", pr->cache_hits);
	printf("%s\n", atomic_load(&interrupted) ? " (interrupted)" : "");
	if (pr->unsearched || pr->dropped_at_deadline)
		printf("  budget: %zu windows not searched, %zu rewrites the checks had no time for (dropped)\n",
		       pr->unsearched, pr->dropped_at_deadline);
	printf("  time: %.1f s (budget %g s)\n", wall_seconds(r), r->po.budget);
	if (pr->selected && pr->measured)
		printf("  select measured: kept the %s build, fastest of %zu timed with test_run\n",
		       pr->selected, pr->candidates);
	else if (pr->selected)
		printf("  select measured: no program could be timed; kept the %s build\n",
		       pr->selected);
	if (r->cache)
		printf("  rule cache %s: %zu rules, %zu new\n", r->cache_path,
		       bpfext_rule_cache__size(r->cache),
		       bpfext_rule_cache__learned(r->cache));
	for (i = 0; r->a.changes && i < pr->nr_rewrites; i++)
		print_rewrite(&pr->rewrites[i]);
	print_kops_summary(pr, &r->po, &r->a);
	for (i = 0; r->a.changes && i < pr->nr_kops_sites; i++)
		print_rewrite(&pr->kops_rewrites[i]);
}

/* The report, as JSON or text: every selected program, then the search. */
static void optimize_report(const struct optimize_run *r)
{
	size_t i;

	if (json_output) {
		jsonw_start_object(json_wtr);
		jsonw_string_field(json_wtr, "object", r->a.obj_path);
		if (r->a.out)
			jsonw_string_field(json_wtr, "out", r->a.out);
		jsonw_name(json_wtr, "programs");
		jsonw_start_array(json_wtr);
	} else {
		printf("%s:%s%s\n", r->a.obj_path, r->a.out ? " -> " : "",
		       r->a.out ? r->a.out : "");
	}
	for (i = 0; i < r->nprogs; i++) {
		if (!selected(bpfext_object__prog(r->out, i), r->a.prog))
			continue;
		if (json_output)
			report_prog_json(r, i);
		else
			report_prog_plain(r, i);
	}
	if (json_output) {
		jsonw_end_array(json_wtr);
		report_summary_json(r);
		jsonw_end_object(json_wtr);
	} else {
		report_summary_plain(r);
	}
}

/* pin PATH [pinmaps DIR]: load the result for use, nothing for a rejection. */
static int optimize_pin(struct optimize_run *r)
{
	BPFEXT_OPTS(bpfext_load_opts, lo, .pin_path = r->a.pin, .pinmaps_dir = r->a.pinmaps,
		    .map_sizes = r->a.sizes, .nr_map_sizes = r->a.nr_sizes);
	const struct bpfext_prog *only;
	struct bpfext_error err = { "" };
	struct bpfext_load_result *pins;
	size_t i;
	int ret;

	pins = calloc(r->nprogs + 1, sizeof(*pins));
	if (!pins) {
		p_err("%s: out of memory", r->a.obj_path);
		return -1;
	}
	if (mkdir(r->a.pin, 0700) && errno != EEXIST) {
		p_err("%s: cannot create %s: %s", r->a.obj_path, r->a.pin,
		      strerror(errno));
		free(pins);
		return -1;
	}
	if (r->a.pinmaps && mkdir(r->a.pinmaps, 0700) && errno != EEXIST) {
		p_err("%s: cannot create %s: %s", r->a.obj_path, r->a.pinmaps,
		      strerror(errno));
		free(pins);
		return -1;
	}
	only = r->a.prog ? bpfext_object__find_prog(r->out, r->a.prog) : NULL;
	ret = bpfext_object__load(r->out, only, &lo, pins, &err);
	for (i = 0; i < (only ? 1 : r->nprogs); i++) {
		if (!ret && !pins[i].loaded) {
			p_err("%s: program %s was rejected; nothing pinned for it",
			      r->a.obj_path, only ? only->name :
			      bpfext_object__prog(r->out, i)->name);
			ret = -1;
		}
		bpfext_load_result__free(&pins[i]);
	}
	free(pins);
	if (ret) {
		if (err.msg[0])
			p_err("%s: %s", r->a.obj_path, err.msg);
		return -1;
	}
	return 0;
}

static void optimize_run_free(struct optimize_run *r)
{
	size_t i;

	for (i = 0; r->res && i < r->nprogs; i++)
		bpfext_load_result__free(&r->res[i]);
	free(r->res);
	free(r->before);
	free(r->img);
	bpfext_pipeline_result__free(&r->pr);
	bpfext_rule_cache__free(r->cache);
	bpfext_jit_probe__free(r->jit);
	free(r->cache_path);
	bpfext_object__close(r->out);
	bpfext_object__close(r->obj);
}

static int do_optimize(int argc, char **argv)
{
	struct optimize_run r = { .all_loaded = true };
	struct bpfext_error err = { "" };
	int ret = -1;
	size_t i;

	r.po.sz = sizeof(r.po);		/* r is zeroed, padding too */
	clock_gettime(CLOCK_MONOTONIC, &r.started);
	if (parse_optimize(argc, argv, &r.a) || parse_search(&r.a, &r.po) ||
	    parse_kops(&r.a, &r.po))
		return -1;
	r.obj = open_obj(r.a.obj_path);
	if (!r.obj)
		return -1;
	/* Before the search, not after it: a bad 'out' costs no budget. */
	if (r.a.out && bpfext_output_probe(r.a.out, &err)) {
		p_err("%s: %s", r.a.out, err.msg);
		goto out;
	}
	if (open_rule_cache(&r.a, &r.cache, &r.cache_path))
		goto out;
	r.po.rule_cache = r.cache;
	if (optimize_jit(&r) || apply_type(r.obj, r.a.obj_path, r.a.prog, r.a.type) ||
	    check_map_sizes(r.obj, &r.a))
		goto out;
	r.nprogs = bpfext_object__prog_cnt(r.obj);
	r.before = calloc(r.nprogs + 1, sizeof(*r.before));
	r.res = calloc(r.nprogs + 1, sizeof(*r.res));
	if (!r.before || !r.res) {
		p_err("%s: out of memory", r.a.obj_path);
		goto out;
	}
	for (i = 0; i < r.nprogs; i++)
		r.before[i] = bpfext_prog__loaded_insn_cnt(r.obj,
							   bpfext_object__prog(r.obj, i));
	if (r.a.verify || r.a.pin) {
		ret = optimize_check_original(&r);
		if (ret)
			goto out;
		ret = -1;
	}
	if (optimize_search(&r) || (r.a.verify && optimize_verify(&r)))
		goto out;
	optimize_report(&r);
	if (r.a.verify && !r.all_loaded) {
		const char *why = r.pr.nr_kops_sites && access(BPFEXT_KOPS_SYSFS, F_OK) ?
			" (Kops form, and the running kernel has no Kops)" : "";

		/* JSON: the report is the one document, loaded false in it */
		if (!json_output && r.a.out)
			p_err("%s: the kernel verifier rejected a program%s; %s not written",
			      r.a.obj_path, why, r.a.out);
		else if (!json_output && *why)
			p_err("%s: the kernel verifier rejected a program%s",
			      r.a.obj_path, why);
		ret = EXIT_NEGATIVE;
		goto out;
	}
	/* Pin first: a failed load must not leave an output file. */
	if (r.a.pin && optimize_pin(&r))
		goto out;
	if (r.a.out && bpfext_write_file_atomic(r.a.out, r.img, r.size, &err)) {
		p_err("%s: %s", r.a.out, err.msg);
		goto out;
	}
	ret = 0;
out:
	optimize_run_free(&r);
	return ret;
}

/* The optional "[prog NAME]" that ends dump and equiv. */
static int parse_opt_prog(int argc, char **argv, const char **name)
{
	if (argc && is_prefix(*argv, "prog")) {
		NEXT_ARG();
		if (!REQ_ARGS(1))
			return -1;
		*name = GET_ARG();
	}
	if (argc) {
		p_err("expected no more arguments or 'prog', got: '%s'", *argv);
		return -1;
	}
	return 0;
}

/*
 * "OBJ [prog NAME]" of dump and check: open OBJ (*@path), which must
 * have a program named *@name if one is given.
 */
static struct bpfext_object *open_obj_prog(int argc, char **argv,
					   const char **path, const char **name)
{
	struct bpfext_object *obj;

	if (!REQ_ARGS(1))
		return NULL;
	*path = GET_ARG();
	if (parse_opt_prog(argc, argv, name))
		return NULL;
	obj = open_obj(*path);
	if (obj && *name && !bpfext_object__find_prog(obj, *name)) {
		p_err("%s: no program named '%s'", *path, *name);
		bpfext_object__close(obj);
		return NULL;
	}
	return obj;
}

static int do_dump(int argc, char **argv)
{
	struct bpfext_object *obj;
	const char *path, *name = NULL;
	size_t i, s;

	obj = open_obj_prog(argc, argv, &path, &name);
	if (!obj)
		return -1;
	if (json_output)
		jsonw_start_array(json_wtr);
	for (i = 0; i < bpfext_object__prog_cnt(obj); i++) {
		struct bpfext_prog *p = bpfext_object__prog(obj, i);
		const struct bpfext_func *fn = &p->sec->funcs[p->func];

		if (!selected(p, name))
			continue;
		if (json_output) {
			jsonw_start_object(json_wtr);
			jsonw_string_field(json_wtr, "name", p->name);
			jsonw_string_field(json_wtr, "section", p->sec->name);
			jsonw_name(json_wtr, "insns");
			jsonw_start_array(json_wtr);
		} else {
			printf("%s (section %s):\n", p->name, p->sec->name);
		}
		for (s = fn->start; s < fn->start + fn->cnt;) {
			char buf[BPFEXT_INSN_STR_MAX];
			int n = bpfext_insn_print(&p->sec->insns[s],
						  fn->start + fn->cnt - s,
						  buf, sizeof(buf));

			const char *reloc = bpfext_object__reloc_name(obj, p->sec, s);

			if (n < 1)
				n = 1;
			if (json_output) {
				jsonw_start_object(json_wtr);
				jsonw_uint_field(json_wtr, "pc", s - fn->start);
				jsonw_uint_field(json_wtr, "code", p->sec->insns[s].code);
				jsonw_string_field(json_wtr, "disasm", buf);
				if (reloc)
					jsonw_string_field(json_wtr, "reloc", reloc);
				jsonw_end_object(json_wtr);
			} else {
				printf("%4zu: (%02x) %s%s%s\n", s - fn->start,
				       p->sec->insns[s].code, buf,
				       reloc ? "\t; " : "", reloc ?: "");
			}
			s += n;
		}
		if (json_output) {
			jsonw_end_array(json_wtr);
			jsonw_end_object(json_wtr);
		}
	}
	if (json_output)
		jsonw_end_array(json_wtr);
	bpfext_object__close(obj);
	return 0;
}

static void hex_field(const char *name, const uint8_t *p, size_t n)
{
	char *buf = malloc(n * 2 + 1);
	size_t i;

	if (!buf)
		return;
	for (i = 0; i < n; i++)
		sprintf(buf + 2 * i, "%02x", p[i]);
	buf[2 * n] = 0;
	jsonw_string_field(json_wtr, name, buf);
	free(buf);
}

static void print_cex_json(const struct bpfext_equiv_report *rep,
			   const struct bpfext_linked_prog *lp)
{
	const struct bpfext_sym_cex *c = &rep->cex;
	size_t i;
	int s;

	jsonw_name(json_wtr, "counterexample");
	jsonw_start_object(json_wtr);
	hex_field("packet", c->pkt, c->pkt_len);
	hex_field("ctx", c->ctx, c->ctx_len);
	hex_field("stack", c->stack, sizeof(c->stack));
	jsonw_uint_field(json_wtr, "cpu", c->cpu);
	jsonw_name(json_wtr, "map_entries");
	jsonw_start_array(json_wtr);
	for (i = 0; i < c->nr_entries; i++) {
		const struct bpfext_map_desc *m = c->entries[i].map < lp->nr_maps ?
						  &lp->maps[c->entries[i].map] : NULL;

		jsonw_start_object(json_wtr);
		jsonw_string_field(json_wtr, "map", m ? m->name : "?");
		if (m) {
			hex_field("key", c->entries[i].key, m->key_size);
			hex_field("value", bpfext_sym_cex__value(c, i), m->value_size);
		}
		jsonw_end_object(json_wtr);
	}
	jsonw_end_array(json_wtr);
	jsonw_name(json_wtr, "load_time_values");
	jsonw_start_object(json_wtr);
	for (i = 0; i < c->nr_ltv; i++)
		jsonw_uint_field(json_wtr, c->ltv[i].key, c->ltv[i].value);
	jsonw_end_object(json_wtr);
	jsonw_name(json_wtr, "helper_answers");
	jsonw_start_array(json_wtr);
	for (i = 0; i < c->nr_calls; i++) {
		const char *hn = bpfext_helper_name(c->calls[i].id);

		jsonw_start_object(json_wtr);
		jsonw_string_field(json_wtr, "helper", hn ? hn : "?");
		jsonw_uint_field(json_wtr, "history", c->calls[i].key);
		jsonw_uint_field(json_wtr, "r0", c->calls[i].r0);
		hex_field("out", c->calls[i].out, c->calls[i].nr_out);
		jsonw_end_object(json_wtr);
	}
	jsonw_end_array(json_wtr);
	jsonw_name(json_wtr, "outputs");
	jsonw_start_array(json_wtr);
	for (s = 0; s < 2; s++) {
		const struct bpfext_equiv_side *sd = &rep->side[s];

		jsonw_start_object(json_wtr);
		jsonw_string_field(json_wtr, "status",
				   sd->status == BPFEXT_INTERP_EXIT ? "exit" :
				   sd->status == BPFEXT_INTERP_TAIL_CALL ? "tail_call" :
				   "fault");
		jsonw_uint_field(json_wtr, "r0", sd->r0);
		hex_field("packet", sd->pkt, sd->pkt_len);
		if (sd->status == BPFEXT_INTERP_FAULT)
			jsonw_string_field(json_wtr, "fault", sd->fault);
		jsonw_end_object(json_wtr);
	}
	jsonw_end_array(json_wtr);
	jsonw_string_field(json_wtr, "difference", rep->diff);
	jsonw_end_object(json_wtr);
}

/* prog equiv: translation validation of two builds, program by program. */
static int do_equiv(int argc, char **argv)
{
	BPFEXT_OPTS(bpfext_sym_opts, so, .timeout_ms = 60000, .max_pkt = 128);
	struct bpfext_object *a = NULL, *b = NULL;
	const char *pa_path, *pb_path, *name = NULL;
	bool different = false, undecided = false;
	size_t i, compared = 0;
	int ret = -1;

	if (!REQ_ARGS(2))
		return -1;
	pa_path = GET_ARG();
	pb_path = GET_ARG();
	if (parse_opt_prog(argc, argv, &name))
		return -1;
	a = open_obj(pa_path);
	b = a ? open_obj(pb_path) : NULL;
	if (!a || !b)
		goto out;
	if (name && (!bpfext_object__find_prog(a, name) ||
		     !bpfext_object__find_prog(b, name))) {
		p_err("%s: no program named '%s' in both objects",
		      bpfext_object__find_prog(a, name) ? pb_path : pa_path, name);
		goto out;
	}
	if (json_output) {
		jsonw_start_object(json_wtr);
		jsonw_name(json_wtr, "programs");
		jsonw_start_array(json_wtr);
	}
	for (i = 0; i < bpfext_object__prog_cnt(a); i++) {
		struct bpfext_prog *pa = bpfext_object__prog(a, i), *pb;
		struct bpfext_linked_prog la = { 0 }, lb = { 0 };
		struct bpfext_equiv_report *rep;
		struct bpfext_error err = { "" };
		int r = -1;

		if (!selected(pa, name))
			continue;
		pb = bpfext_object__find_prog(b, pa->name);
		if (!pb)
			continue;	/* only same-named pairs are compared */
		compared++;
		rep = calloc(1, sizeof(*rep));
		if (rep && !bpfext_prog__linked_insns(a, pa, &la, &err) &&
		    !bpfext_prog__linked_insns(b, pb, &lb, &err))
			r = bpfext_equiv_progs(&la, &lb, &so, 1000, rep, &err);
		if (!rep)
			snprintf(err.msg, sizeof(err.msg), "out of memory");
		if (r) {
			undecided = true;
			if (json_output) {
				jsonw_start_object(json_wtr);
				jsonw_string_field(json_wtr, "name", pa->name);
				jsonw_name(json_wtr, "equivalent");
				jsonw_null(json_wtr);
				jsonw_string_field(json_wtr, "error", err.msg);
				jsonw_end_object(json_wtr);
			} else {
				printf("%s: error: %s\n", pa->name, err.msg);
			}
		} else if (json_output) {
			jsonw_start_object(json_wtr);
			jsonw_string_field(json_wtr, "name", pa->name);
			jsonw_name(json_wtr, "equivalent");
			if (rep->verdict == BPFEXT_EQUIVALENT)
				jsonw_bool(json_wtr, true);
			else if (rep->verdict == BPFEXT_DIFFERENT)
				jsonw_bool(json_wtr, false);
			else
				jsonw_null(json_wtr);
			if (rep->reason[0])
				jsonw_string_field(json_wtr, "reason", rep->reason);
			if (rep->verdict == BPFEXT_DIFFERENT)
				print_cex_json(rep, &la);
			jsonw_end_object(json_wtr);
		} else if (rep->verdict == BPFEXT_EQUIVALENT) {
			printf("%s: equivalent%s%s%s\n", pa->name,
			       rep->reason[0] ? " (" : "", rep->reason,
			       rep->reason[0] ? ")" : "");
		} else if (rep->verdict == BPFEXT_DIFFERENT) {
			printf("%s: DIFFERENT\n", pa->name);
			bpfext_equiv_report__print(rep, &la, "  ", stdout);
		} else {
			printf("%s: undecided: %s\n", pa->name, rep->reason);
		}
		if (!r) {
			different |= rep->verdict == BPFEXT_DIFFERENT;
			undecided |= rep->verdict == BPFEXT_UNDECIDED;
		}
		free(rep);
		bpfext_linked_prog__free(&la);
		bpfext_linked_prog__free(&lb);
	}
	if (json_output) {
		jsonw_end_array(json_wtr);
		jsonw_end_object(json_wtr);
	}
	if (!compared) {
		p_err("%s and %s have no program of the same name", pa_path, pb_path);
		goto out;
	}
	ret = different ? EXIT_NEGATIVE : undecided ? -1 : 0;
out:
	bpfext_object__close(a);
	bpfext_object__close(b);
	return ret;
}

/*
 * prog check: the static safety analysis on every program (or one).
 * Exit status 0 when no program is unsafe, 1 when one is.
 */
static int do_check(int argc, char **argv)
{
	struct bpfext_object *obj;
	const char *path, *name = NULL;
	bool unsafe = false;
	size_t i;
	int ret = 0;

	obj = open_obj_prog(argc, argv, &path, &name);
	if (!obj)
		return -1;
	if (json_output) {
		jsonw_start_object(json_wtr);
		jsonw_string_field(json_wtr, "object", path);
		jsonw_name(json_wtr, "programs");
		jsonw_start_array(json_wtr);
	}
	for (i = 0; i < bpfext_object__prog_cnt(obj) && !ret; i++) {
		struct bpfext_prog *p = bpfext_object__prog(obj, i);
		struct bpfext_safety_report rep;
		struct bpfext_error err = { "" };

		if (!selected(p, name))
			continue;
		if (bpfext_safety_check(obj, p, NULL, &rep, &err)) {
			p_err("%s: program %s: %s", path, p->name, err.msg);
			ret = -1;
			break;
		}
		unsafe |= rep.verdict == BPFEXT_SAFETY_UNSAFE;
		if (json_output) {
			jsonw_start_object(json_wtr);
			jsonw_string_field(json_wtr, "name", p->name);
			jsonw_string_field(json_wtr, "section", p->sec->name);
			jsonw_string_field(json_wtr, "verdict",
					   bpfext_safety_name(rep.verdict));
			if (rep.verdict != BPFEXT_SAFETY_SAFE) {
				jsonw_uint_field(json_wtr, "insn", rep.insn);
				jsonw_string_field(json_wtr, "reason", rep.reason);
			}
			jsonw_end_object(json_wtr);
		} else if (rep.verdict == BPFEXT_SAFETY_SAFE) {
			printf("%s: safe\n", p->name);
		} else {
			printf("%s: %s: insn %zu: %s\n", p->name,
			       bpfext_safety_name(rep.verdict), rep.insn, rep.reason);
		}
	}
	if (json_output) {
		jsonw_end_array(json_wtr);
		jsonw_end_object(json_wtr);
	}
	bpfext_object__close(obj);
	return ret ? ret : unsafe ? EXIT_NEGATIVE : 0;
}

static const struct cmd cmds[] = {
	{ "help",	do_help },
	{ "optimize",	do_optimize },
	{ "dump",	do_dump },
	{ "equiv",	do_equiv },
	{ "check",	do_check },
	{ 0 }
};

int do_prog(int argc, char **argv)
{
	return cmd_select(cmds, argc, argv, do_help);
}
