// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The optimizing pipeline on one object image; see bpfext_opt.h.
 *
 * Every rewrite the search keeps is proven equivalent for the window it
 * replaces, but the kernel verifier may still refuse the result (it
 * tracks pointer types and bounds the window check does not model).
 * So the running kernel has the last word: if the program set with every
 * rewrite applied does not load as the input did, rewrites are added
 * back one at a time, each kept only if everything still loads.
 *
 * Before the kernel is asked, the static safety analysis (safety.c)
 * checks every program with the rewrites applied: a rewrite that makes
 * a program unsafe whose original was not (safe or unknown) is dropped
 * with the reason, the same way, one rewrite at a time.  Unknown is not
 * unsafe: those programs are left to the kernel verifier.
 *
 * EInsn recognition (opts->kops_ops) runs before the search, on the
 * cleaned-up image, and its rewrites are applied at once: the search
 * then sees the Kops regions and leaves them alone (superopt windows
 * never cut into a region), so the two never compete for the same
 * slots, and a recognized idiom is never first "optimized" by the search
 * into a shape the recognizer no longer knows.  The kernel check only
 * ever drops search rewrites: a kernel without Kops rejects every
 * program with a marker, before and after the search alike.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "object/object.h"
#include "bpfext_opt.h"
#include "superopt/proof_cache.h"
#include "superopt/recognize.h"
#include "superopt/superopt.h"

/* What the steps of one bpfext_pipeline_run() share. */
struct run {
	const void *img;		/* the input */
	size_t size;
	const char *name;
	struct bpfext_pipeline_opts opts;	/* the caller's, as known here */
	struct bpfext_opt_opts search;	/* the search settings of opts */
	void *base_img;			/* the cleaned-up input, in Kops form */
	size_t base_size;
	size_t nprogs;
	double deadline;		/* CLOCK_MONOTONIC seconds, 0: none */
	bool *before;			/* which programs of the input load */
	struct bpfext_safety_report *safety;	/* the input's safety verdicts */
	size_t safety_nprogs;
	struct bpfext_pipeline_result *res;
	struct bpfext_error *err;
};

static struct bpfext_object *open_typed(const void *img, size_t size,
					const char *name, const char *type,
					struct bpfext_error *err)
{
	struct bpfext_object *obj = bpfext_object__open_mem(img, size, name, err);
	size_t i;

	for (i = 0; obj && type && i < obj->nr_progs; i++) {
		if (bpfext_prog__set_type(&obj->progs[i], type)) {
			bpfext_errf(err, EINVAL, "unknown program type '%s'", type);
			bpfext_object__close(obj);
			return NULL;
		}
	}
	return obj;
}

static bool section_selected(const struct bpfext_object *obj,
			     const struct bpfext_section *sec, const char *prog)
{
	size_t i;

	if (!prog)
		return true;
	for (i = 0; i < obj->nr_progs; i++)
		if (obj->progs[i].sec == sec && !strcmp(obj->progs[i].name, prog))
			return true;
	return false;
}

/* Which programs of the image load in the running kernel. */
static int verdicts(const struct run *ru, const void *img, size_t size,
		    bool *loaded, struct bpfext_error *err)
{
	struct bpfext_object *obj = open_typed(img, size, ru->name, ru->opts.type, err);
	BPFEXT_OPTS(bpfext_load_opts, lo, .btf_custom_path = ru->opts.btf_custom_path,
		    .map_sizes = ru->opts.map_sizes, .nr_map_sizes = ru->opts.nr_map_sizes);
	size_t i;

	if (!obj)
		return -EINVAL;
	for (i = 0; i < obj->nr_progs; i++) {
		struct bpfext_load_result r;

		loaded[i] = false;
		if (bpfext_object__load(obj, &obj->progs[i], &lo, &r, err))
			continue;	/* could not even try: not loadable */
		loaded[i] = r.loaded;
		bpfext_load_result__free(&r);
	}
	bpfext_object__close(obj);
	return 0;
}

/* Apply @rw to a fresh copy of @base and serialise it. */
static int build(const void *base, size_t size, const char *name,
		 const struct bpfext_rewrite *rw, size_t n, void **img,
		 size_t *img_size, struct bpfext_error *err)
{
	struct bpfext_object *obj = bpfext_object__open_mem(base, size, name, err);
	size_t i;
	int ret = 0;

	if (!obj)
		return -EINVAL;
	for (i = 0; i < obj->nr_secs && !ret; i++)
		ret = bpfext_apply_rewrites(obj, &obj->secs[i], rw, n, err);
	if (!ret)
		ret = bpfext_object__write_mem(obj, img, img_size, err);
	bpfext_object__close(obj);
	return ret;
}

/* Does every program that loaded before still load? */
static bool still_loads(const struct run *r, const void *img, size_t size,
			const bool *before)
{
	struct bpfext_error err;
	bool *now = calloc(r->nprogs + 1, sizeof(*now));
	bool ok;
	size_t i;

	if (!now)
		return false;
	ok = !verdicts(r, img, size, now, &err);
	for (i = 0; ok && i < r->nprogs; i++)
		if (before[i] && !now[i])
			ok = false;
	free(now);
	return ok;
}

/* What the steps of one bpfext_pipeline_safety_filter() share. */
struct safety_run {
	const void *img;		/* the input, before the rewrites */
	size_t size;
	const char *name;
	const char *type;
	const struct bpfext_safety_report *orig;	/* the input's verdicts */
	size_t nprogs;
	struct bpfext_error *err;
};

/*
 * The safety verdict of every program of @img (the input's when @orig
 * is NULL, else a candidate's, which may write the context only as its
 * original does).
 */
static int safety_reports(const struct safety_run *s, const void *img, size_t size,
			  const struct bpfext_safety_report *orig,
			  struct bpfext_safety_report *rep)
{
	struct bpfext_object *obj = open_typed(img, size, s->name, s->type, s->err);
	size_t i;
	int ret = 0;

	if (!obj)
		return -EINVAL;
	for (i = 0; i < obj->nr_progs && i < s->nprogs && !ret; i++) {
		/* a candidate may write the context only as its original does */
		BPFEXT_OPTS(bpfext_safety_opts, so,
			    .ctx_writes_given = orig && !orig[i].ctx_writes_truncated,
			    .ctx_writes = orig ? orig[i].ctx_writes : NULL,
			    .nr_ctx_writes = orig ? orig[i].nr_ctx_writes : 0);

		ret = bpfext_safety_check(obj, &obj->progs[i], &so, &rep[i], s->err);
	}
	bpfext_object__close(obj);
	return ret;
}

/*
 * The first program @rw[0..n) applied to the input makes unsafe, with
 * the violation in @why; -1 if none.
 */
static long made_unsafe(const struct safety_run *s, const struct bpfext_rewrite *rw,
			size_t n, struct bpfext_safety_report *why)
{
	const struct bpfext_safety_report *orig = s->orig;
	struct bpfext_safety_report *now = calloc(s->nprogs + 1, sizeof(*now));
	void *img = NULL;
	size_t img_size, i;
	long bad = -1;
	int ret;

	if (!now) {
		bpfext_errf(s->err, ENOMEM, "out of memory");
		return -2;
	}
	ret = build(s->img, s->size, s->name, rw, n, &img, &img_size, s->err);
	if (!ret)
		ret = safety_reports(s, img, img_size, orig, now);
	for (i = 0; !ret && i < s->nprogs && bad < 0; i++) {
		if (orig[i].verdict != BPFEXT_SAFETY_UNSAFE &&
		    now[i].verdict == BPFEXT_SAFETY_UNSAFE) {
			bad = (long)i;
			*why = now[i];
		}
	}
	free(img);
	free(now);
	return ret ? -2 : bad;
}

/*
 * The input's safety verdicts in *@orig, malloc()ed, one per program of
 * @img (*@nprogs of them).
 */
static int input_safety(const void *img, size_t size, const char *name,
			const char *type, struct bpfext_safety_report **orig,
			size_t *nprogs, struct bpfext_error *err)
{
	struct bpfext_object *obj = open_typed(img, size, name, type, err);
	struct safety_run s = {
		.img = img, .size = size, .name = name, .type = type, .err = err,
	};
	int ret;

	if (!obj)
		return -EINVAL;
	s.nprogs = *nprogs = obj->nr_progs;
	bpfext_object__close(obj);
	*orig = calloc(s.nprogs + 1, sizeof(**orig));
	if (!*orig)
		return bpfext_errf(err, ENOMEM, "out of memory");
	ret = safety_reports(&s, img, size, NULL, *orig);
	if (ret) {
		free(*orig);
		*orig = NULL;
	}
	return ret;
}

/*
 * bpfext_pipeline_safety_filter() given the input's verdicts @orig (of
 * @nprogs programs), trying rewrites back one by one only until
 * @deadline (0: none): those it had no time for are dropped.
 */
static int safety_filter(const void *img, size_t size, const char *name,
			 const char *type, const struct bpfext_safety_report *orig,
			 size_t nprogs, double deadline,
			 struct bpfext_pipeline_result *res, struct bpfext_error *err)
{
	struct bpfext_object *base = open_typed(img, size, name, type, err);
	size_t i, kept = 0;
	struct safety_run s = {
		.img = img, .size = size, .name = name, .type = type,
		.orig = orig, .nprogs = nprogs, .err = err,
	};
	struct bpfext_safety_report why;
	bool cut = false;
	int ret = 0;
	long bad;

	if (!base)
		return -EINVAL;
	bad = made_unsafe(&s, res->rewrites, res->nr_rewrites, &why);
	for (i = 0; bad >= 0 && i < res->nr_rewrites; i++) {
		struct bpfext_safety_drop *d;
		size_t cap;

		if (deadline && bpfext_now() > deadline) {
			res->dropped_at_deadline += res->nr_rewrites - i;
			cut = true;
			break;
		}
		res->rewrites[kept] = res->rewrites[i];
		bad = made_unsafe(&s, res->rewrites, kept + 1, &why);
		if (bad == -1) {
			kept++;
			bad = 0;	/* go on with the next rewrite */
			continue;
		}
		if (bad < 0)
			break;
		cap = res->rejected_by_safety;
		if (bpfext_grow(&res->safety_drops, &cap, res->rejected_by_safety + 1,
				sizeof(*d))) {
			ret = bpfext_errf(err, ENOMEM, "out of memory");
			goto out;
		}
		d = &res->safety_drops[res->rejected_by_safety++];
		memset(d, 0, sizeof(*d));
		d->rw = res->rewrites[kept];
		snprintf(d->prog, sizeof(d->prog), "%s", base->progs[bad].name);
		d->insn = why.insn;
		snprintf(d->reason, sizeof(d->reason), "%s", why.reason);
		bad = 0;
	}
	if (bad < -1) {
		ret = -EINVAL;
		goto out;
	}
	if (res->rejected_by_safety || cut)
		res->nr_rewrites = kept;
out:
	bpfext_object__close(base);
	return ret;
}

int bpfext_pipeline_safety_filter(const void *img, size_t size, const char *name,
				  const char *type, struct bpfext_pipeline_result *res,
				  struct bpfext_error *err)
{
	struct bpfext_safety_report *orig;
	size_t nprogs;
	int ret;

	ret = input_safety(img, size, name, type, &orig, &nprogs, err);
	if (ret)
		return ret;
	ret = safety_filter(img, size, name, type, orig, nprogs, 0, res, err);
	free(orig);
	return ret;
}

/* The safety verdicts on the run's (cleaned-up) input, in r->safety (once). */
static int run_input_safety(struct run *r)
{
	double t = bpfext_now();
	int ret;

	if (r->safety)
		return 0;
	ret = input_safety(r->base_img, r->base_size, r->name, r->opts.type,
			   &r->safety, &r->safety_nprogs, r->err);
	r->res->input_safety_s = bpfext_now() - t;
	return ret;
}

/* The safety step on @res for the run. */
static int run_safety(struct run *r, struct bpfext_pipeline_result *res)
{
	int ret = run_input_safety(r);

	if (ret)
		return ret;
	return safety_filter(r->base_img, r->base_size, r->name, r->opts.type,
			     r->safety, r->safety_nprogs, r->deadline, res, r->err);
}

/*
 * Search the selected sections of @obj under @cost with @budget seconds,
 * or, with a deadline, until @until: each section gets its share of the
 * time that is left when it starts.
 */
static int search(const struct run *ru, struct bpfext_object *obj,
		  enum bpfext_cost_model cost, double budget, double until,
		  struct bpfext_pipeline_result *res)
{
	struct bpfext_opt_opts so = ru->search;
	struct bpfext_error *err = ru->err;
	const char *prog = ru->opts.prog;
	size_t i, total = 0;
	int ret = 0;

	so.cost = cost;
	for (i = 0; i < obj->nr_secs; i++)
		if (section_selected(obj, &obj->secs[i], prog))
			total += obj->secs[i].cnt;
	for (i = 0; i < obj->nr_secs && !ret; i++) {
		struct bpfext_section *sec = &obj->secs[i];
		struct bpfext_opt_result r;
		size_t cap;

		if (!section_selected(obj, sec, prog) || !total)
			continue;
		if (until) {
			so.deadline = until;
			budget = until - bpfext_now();
			if (budget < 0)
				budget = 0;
		}
		so.budget = budget * sec->cnt / total;
		if (until)
			total -= sec->cnt;	/* the rest is shared by the rest */
		ret = bpfext_optimize_section(obj, sec, &so, &r, err);
		if (ret)
			break;
		res->windows += r.windows;
		res->solver_calls += r.solver_calls;
		res->proposals += r.proposals;
		res->cache_hits += r.cache_hits;
		res->unsearched += r.unsearched;
		cap = res->nr_rewrites;
		if (bpfext_grow(&res->rewrites, &cap, res->nr_rewrites + r.nr_rewrites + 1,
				sizeof(*res->rewrites))) {
			bpfext_opt_result__free(&r);
			return bpfext_errf(err, ENOMEM, "out of memory");
		}
		memcpy(res->rewrites + res->nr_rewrites, r.rewrites,
		       r.nr_rewrites * sizeof(*r.rewrites));
		res->nr_rewrites += r.nr_rewrites;
		bpfext_opt_result__free(&r);
	}
	return ret;
}

static const char *func_name(const struct bpfext_object *obj,
			     const struct bpfext_section *sec, size_t slot)
{
	size_t f;

	for (f = 0; f < sec->nr_funcs; f++) {
		const struct bpfext_func *fn = &sec->funcs[f];

		if (slot >= fn->start && slot < fn->start + fn->cnt &&
		    fn->sym < obj->nr_syms && obj->syms[fn->sym].name)
			return obj->syms[fn->sym].name;
	}
	return "";
}

/*
 * Recognize EInsn idioms in the selected sections of *@base, apply them
 * and make the result the new base image (reopened in *@base).
 */
static int recognize(struct run *r, struct bpfext_object **base)
{
	const struct bpfext_pipeline_opts *opts = &r->opts;
	struct bpfext_recog_opts ro = {
		.ops = opts->kops_ops, .timeout_ms = opts->kops_timeout_ms,
	};
	struct bpfext_pipeline_result *res = r->res;
	struct bpfext_error *err = r->err;
	struct bpfext_object *obj = *base;
	void *img = NULL;
	size_t i, k, size = 0, total = 0;
	int ret = 0;

	for (i = 0; i < obj->nr_secs && !ret; i++) {
		struct bpfext_section *sec = &obj->secs[i];
		struct bpfext_rewrite *rw = NULL;
		size_t n = 0, c_sites, c_rw;
		unsigned int *ops = NULL;

		if (!section_selected(obj, sec, opts->prog))
			continue;
		ret = bpfext_recognize_section(sec, &ro, &rw, &n, &ops,
					       &res->kops_stats, err);
		if (ret || !n) {
			free(rw);
			free(ops);
			continue;
		}
		c_sites = c_rw = res->nr_kops_sites;
		if (bpfext_grow(&res->kops_sites, &c_sites, res->nr_kops_sites + n,
				sizeof(*res->kops_sites)) ||
		    bpfext_grow(&res->kops_rewrites, &c_rw, res->nr_kops_sites + n,
				sizeof(*rw))) {
			ret = bpfext_errf(err, ENOMEM, "out of memory");
		} else {
			memcpy(res->kops_rewrites + res->nr_kops_sites, rw, n * sizeof(*rw));
			for (k = 0; k < n; k++) {
				struct bpfext_kops_site *s =
					&res->kops_sites[res->nr_kops_sites++];

				memset(s, 0, sizeof(*s));
				s->shndx = sec->shndx;
				snprintf(s->func, sizeof(s->func), "%s",
					 func_name(obj, sec, rw[k].start));
				s->op = ops[k];
				s->start = rw[k].start;
				s->len = rw[k].len;
				s->cnt = rw[k].cnt;
			}
			ret = bpfext_apply_rewrites(obj, sec, rw, n, err);
			total += n;
		}
		free(rw);
		free(ops);
	}
	if (ret || !total)
		return ret;
	ret = bpfext_object__write_mem(obj, &img, &size, err);
	if (ret)
		return ret;
	bpfext_object__close(obj);
	*base = open_typed(img, size, r->name, opts->type, err);
	free(r->base_img);
	r->base_img = img;
	r->base_size = size;
	return *base ? 0 : -EINVAL;
}

/*
 * The kernel's last word on a set of proven rewrites: build *@out from
 * @rw[0, *n) and, if some program that loaded before no longer loads,
 * add the rewrites back one at a time, keeping only those under which
 * everything still loads.
 */
/*
 * Will the kernel check ask the kernel?  A kernel without Kops refuses
 * every program with a marker, so it cannot judge the search rewrites of
 * a Kops-form object.
 */
static bool kernel_judges(const struct run *r)
{
	return r->opts.kernel_check &&
	       !(r->res->nr_kops_sites && access(BPFEXT_KOPS_SYSFS, F_OK));
}

/* Which programs of the input the kernel loads, in r->before (once). */
static int input_verdicts(struct run *r)
{
	double t;
	int ret;

	if (r->before)
		return 0;
	r->before = calloc(r->nprogs + 1, sizeof(*r->before));
	if (!r->before)
		return bpfext_errf(r->err, ENOMEM, "out of memory");
	t = bpfext_now();
	ret = verdicts(r, r->img, r->size, r->before, r->err);
	r->res->input_load_s = bpfext_now() - t;
	if (ret) {
		free(r->before);
		r->before = NULL;
	}
	return ret;
}

static int check_in_kernel(struct run *r, struct bpfext_rewrite *rw,
			   size_t *n, void **out, size_t *out_size)
{
	struct bpfext_pipeline_result *res = r->res;
	struct bpfext_error *err = r->err;
	size_t i, kept = 0, nprogs = r->nprogs;
	bool *before;
	int ret;

	ret = build(r->base_img, r->base_size, r->name, rw, *n, out, out_size, err);
	if (ret || !*n || !kernel_judges(r))
		return ret;
	ret = input_verdicts(r);
	if (ret)
		return ret;
	before = r->before;
	free(res->orig_loaded);
	res->orig_loaded = malloc((nprogs + 1) * sizeof(*res->orig_loaded));
	if (!res->orig_loaded) {
		ret = bpfext_errf(err, ENOMEM, "out of memory");
		goto out;
	}
	memcpy(res->orig_loaded, before, nprogs * sizeof(*before));
	res->kernel_checked = true;
	for (i = 0, kept = 0; i < nprogs; i++) {
		res->kernel_checked &= before[i];
		kept += before[i];
	}
	/* a kernel that loads none of the input tells nothing of the output */
	if (!kept || still_loads(r, *out, *out_size, before))
		goto out;
	kept = 0;
	/* Add rewrites back one at a time, while there is time. */
	for (i = 0; i < *n; i++) {
		void *t = NULL;
		size_t tsz;

		if (r->deadline && bpfext_now() > r->deadline) {
			res->dropped_at_deadline += *n - i;
			break;
		}
		rw[kept] = rw[i];
		ret = build(r->base_img, r->base_size, r->name, rw, kept + 1, &t,
			    &tsz, err);
		if (ret)
			goto out;
		if (still_loads(r, t, tsz, before))
			kept++;
		else
			res->rejected_by_kernel++;
		free(t);
	}
	*n = kept;
	free(*out);
	*out = NULL;
	ret = build(r->base_img, r->base_size, r->name, rw, kept, out, out_size, err);
out:
	return ret;
}

/* One contender of `select measured`. */
struct candidate {
	const char *cost;
	struct bpfext_rewrite *rw;
	size_t n;
	struct bpfext_safety_drop *drops;	/* what the safety step refused */
	size_t nr_drops;
	void *img;
	size_t size;
	struct bpfext_object *obj;
};

static const char *const cost_names[] = {
	[BPFEXT_COST_INSNS] = "insns",
	[BPFEXT_COST_LATENCY] = "latency",
	[BPFEXT_COST_JIT] = "jit",
};

static size_t total_slots(struct bpfext_object *obj)
{
	size_t i, n = 0;

	for (i = 0; i < obj->nr_progs; i++)
		n += bpfext_prog__loaded_insn_cnt(obj, &obj->progs[i]);
	return n;
}

/*
 * `select measured`: a search under each cost model (a third of the
 * budget each), then the input and the three results are timed with
 * BPF_PROG_TEST_RUN and the fastest kept.  Timings within 1% of the
 * fastest count as a tie, which the fewest instruction slots breaks.
 */
static int select_measured(struct run *ru, struct bpfext_object *base)
{
	enum { NCAND = 4 };
	const struct bpfext_pipeline_opts *opts = &ru->opts;
	struct bpfext_pipeline_result *res = ru->res;
	struct bpfext_error *err = ru->err;
	const char *name = ru->name;
	struct candidate c[NCAND] = { { .cost = "none" } };
	struct bpfext_object *objs[NCAND];
	size_t nprogs = base->nr_progs, i, k, best = 0;
	uint64_t *ns = NULL, total[NCAND] = { 0 }, lim;
	int ret;

	ret = build(ru->base_img, ru->base_size, name, NULL, 0, &c[0].img,
		    &c[0].size, err);
	for (k = 1; k < NCAND && !ret; k++) {
		enum bpfext_cost_model cost = (enum bpfext_cost_model)(k - 1);
		struct bpfext_pipeline_result r = { 0 };
		double until = 0;

		c[k].cost = cost_names[cost];
		/* with a deadline, a share of the time left for each model */
		if (ru->search.deadline)
			until = bpfext_now() + (ru->search.deadline - bpfext_now()) /
					       (double)(NCAND - k);
		ret = search(ru, base, cost, opts->budget / (NCAND - 1), until, &r);
		if (k == 1)
			res->windows = r.windows;
		res->solver_calls += r.solver_calls;
		res->proposals += r.proposals;
		res->unsearched += r.unsearched;
		c[k].rw = r.rewrites;
		c[k].n = r.nr_rewrites;
		if (!ret && r.nr_rewrites) {
			ret = run_safety(ru, &r);
			c[k].n = r.nr_rewrites;
			c[k].drops = r.safety_drops;
			c[k].nr_drops = r.rejected_by_safety;
		}
		res->dropped_at_deadline += r.dropped_at_deadline;
		if (!ret)
			ret = check_in_kernel(ru, c[k].rw, &c[k].n, &c[k].img,
					      &c[k].size);
	}
	for (k = 0; k < NCAND && !ret; k++) {
		c[k].obj = open_typed(c[k].img, c[k].size, name, opts->type, err);
		objs[k] = c[k].obj;
		if (!c[k].obj)
			ret = -EINVAL;
	}
	if (!ret) {
		ns = calloc(NCAND * nprogs + 1, sizeof(*ns));
		ret = ns ? bpfext_measure(objs, NCAND, opts->prog,
					  opts->measure_repeat ? opts->measure_repeat : 10000,
					  ns, err)
			 : bpfext_errf(err, ENOMEM, "out of memory");
	}
	if (ret)
		goto out;
	for (k = 0; k < NCAND; k++)
		for (i = 0; i < nprogs; i++)
			total[k] += ns[k * nprogs + i];
	res->measured = total[0] > 0;
	if (res->measured) {
		for (k = 1; k < NCAND; k++)
			if (total[k] < total[best])
				best = k;
		lim = total[best] + total[best] / 100;
		for (k = 0; k < NCAND; k++)
			if (total[k] <= lim &&
			    total_slots(c[k].obj) < total_slots(c[best].obj))
				best = k;
	} else {
		/* Nothing could be timed: the model the user chose decides. */
		best = 1 + opts->cost;
	}
	res->selected = c[best].cost;
	res->candidates = NCAND;
	res->rewrites = c[best].rw;
	res->nr_rewrites = c[best].n;
	c[best].rw = NULL;
	res->safety_drops = c[best].drops;
	res->rejected_by_safety = c[best].nr_drops;
	c[best].drops = NULL;
	res->img = c[best].img;
	res->size = c[best].size;
	c[best].img = NULL;
	res->ns_before = calloc(nprogs + 1, sizeof(*res->ns_before));
	res->ns_after = calloc(nprogs + 1, sizeof(*res->ns_after));
	if (!res->ns_before || !res->ns_after) {
		ret = bpfext_errf(err, ENOMEM, "out of memory");
		goto out;
	}
	memcpy(res->ns_before, ns, nprogs * sizeof(*ns));
	memcpy(res->ns_after, &ns[best * nprogs], nprogs * sizeof(*ns));
out:
	for (k = 0; k < NCAND; k++) {
		free(c[k].rw);
		free(c[k].drops);
		free(c[k].img);
		bpfext_object__close(c[k].obj);
	}
	free(ns);
	return ret;
}

int bpfext_pipeline_run(const void *img, size_t size, const char *name,
			const struct bpfext_pipeline_opts *user_opts,
			struct bpfext_pipeline_result *res,
			struct bpfext_error *err)
{
	struct run r = { .img = img, .size = size, .name = name, .res = res, .err = err };
	const struct bpfext_pipeline_opts *opts = &r.opts;
	struct bpfext_object *base = NULL;
	void *out = NULL;
	size_t out_size = 0, i;
	int ret;

	memset(res, 0, sizeof(*res));
	if (BPFEXT_OPTS_GET(&r.opts, user_opts, bpfext_pipeline_opts))
		return bpfext_errf(err, EINVAL, "invalid bpfext_pipeline_opts");
	r.search = (struct bpfext_opt_opts){
		.budget = opts->budget,
		.jobs = opts->jobs,
		.seed = opts->seed,
		.cost = opts->cost,
		.jit = opts->jit,
		.stop = opts->stop,
		.solver_timeout_ms = opts->solver_timeout_ms,
		.rule_cache = opts->rule_cache,
		.progress = opts->progress,
		.progress_arg = opts->progress_arg,
		/* shared by every section and cost model of the run */
		.proofs = bpfext_proof_cache__new(),
	};
	base = open_typed(img, size, name, opts->type, err);
	if (!base) {
		ret = -EINVAL;
		goto out;
	}
	r.nprogs = base->nr_progs;
	if (opts->budget > 0 && !opts->no_search) {
		r.deadline = bpfext_now() + opts->budget;
		r.search.deadline = r.deadline;
	}
	for (i = 0; i < base->nr_secs; i++) {
		if (!section_selected(base, &base->secs[i], opts->prog))
			continue;
		ret = bpfext_cleanup_section(base, &base->secs[i], err);
		if (ret < 0)
			goto out;
	}
	ret = bpfext_object__write_mem(base, &r.base_img, &r.base_size, err);
	if (ret)
		goto out;
	bpfext_object__close(base);
	/* Search on the cleaned-up image, which the rewrites refer to. */
	base = open_typed(r.base_img, r.base_size, name, opts->type, err);
	if (!base) {
		ret = -EINVAL;
		goto out;
	}
	if (opts->kops_ops) {
		ret = recognize(&r, &base);
		if (ret)
			goto out;
	}
	/*
	 * The kernel's verdicts on the input come first, and the search ends
	 * as much before the deadline as they took: checking the output
	 * takes about as long.  It gets a tenth of the budget at least.
	 */
	if (r.deadline) {
		ret = kernel_judges(&r) ? input_verdicts(&r) : 0;
		if (!ret)
			ret = run_input_safety(&r);
		if (ret)
			goto out;
		r.search.deadline = r.deadline - res->input_load_s - res->input_safety_s;
		if (r.search.deadline < bpfext_now() + opts->budget / 10)
			r.search.deadline = bpfext_now() + opts->budget / 10;
	}
	if (opts->select_measured && !opts->no_search) {
		ret = select_measured(&r, base);
		goto out;
	}
	if (!opts->no_search) {
		ret = search(&r, base, opts->cost, opts->budget, r.search.deadline, res);
		if (!ret && res->nr_rewrites)
			ret = run_safety(&r, res);
		if (ret)
			goto out;
	}
	ret = check_in_kernel(&r, res->rewrites, &res->nr_rewrites, &out, &out_size);
	if (ret)
		goto out;
	res->img = out;
	res->size = out_size;
	out = NULL;
out:
	res->proofs_reused = bpfext_proof_cache__hits(r.search.proofs);
	bpfext_proof_cache__free(r.search.proofs);
	free(r.before);
	free(r.safety);
	bpfext_object__close(base);
	free(r.base_img);
	free(out);
	if (ret)
		bpfext_pipeline_result__free(res);
	return ret;
}

void bpfext_pipeline_result__free(struct bpfext_pipeline_result *res)
{
	free(res->img);
	free(res->rewrites);
	free(res->kops_sites);
	free(res->kops_rewrites);
	free(res->safety_drops);
	res->safety_drops = NULL;
	res->rejected_by_safety = 0;
	res->kops_sites = NULL;
	res->kops_rewrites = NULL;
	res->nr_kops_sites = 0;
	res->img = NULL;
	res->rewrites = NULL;
	res->nr_rewrites = 0;
	free(res->ns_before);
	free(res->ns_after);
	res->ns_before = res->ns_after = NULL;
	free(res->orig_loaded);
	res->orig_loaded = NULL;
	res->kernel_checked = false;
}

