// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The superoptimizer's driver: cut every function of a section into
 * windows, search each for a cheaper proven-equivalent replacement
 * (several threads may share the windows), and turn the results into
 * patches.
 *
 * A window is a run of instructions the window machinery supports, that
 * no branch enters except at its first slot.  Conditional jumps forward
 * past its end may sit inside it as side exits (window.h).  Its
 * replacement only has to preserve the registers live after it and at
 * each exit's target, found by liveness over the function's CFG.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "object/object.h"
#include "analysis/knownbits.h"
#include "analysis/liveness.h"
#include "superopt/rules.h"
#include "superopt/rule_cache.h"
#include "superopt/proof_cache.h"
#include "semantics/symbolic.h"
#include "superopt/search.h"
#include "superopt/superopt.h"
#include "isa/kops_ops.h"
#include "superopt/cmp_imm.h"

#define WINDOW_SLOTS	24
/* Proposals per second of budget and window, so a seed fixes the result. */
#define PROPOSALS_PER_SEC 150000

struct job {
	double started;			/* seconds after the section's start */
	const struct bpf_insn *insns;	/* the window, in the section */
	size_t start, len;
	uint16_t live_in, live_out;
	struct bpfext_search_result res;
	int ret;
	struct bpfext_error err;
	bool cache_hit;			/* a cached rule was applied */
	/* what the rule tiers made of the window: the search starts there */
	struct bpf_insn base[BPFEXT_WIN_MAX_INSNS];
	size_t cnt;
	bool ruled_any;
	uint64_t known_zero[11];	/* of the live-in registers */
	uint64_t known_one[11];
	struct bpfext_win_exits exits;
};

struct pool {
	struct job *jobs;
	size_t nr_jobs, cap_jobs;
	size_t next;			/* next job to take */
	size_t done;
	pthread_mutex_t lock;
	const struct bpfext_opt_opts *opts;
	uint64_t iters;
	double start, deadline;
	double hard_deadline;		/* opts->deadline: no new window after */
	/*
	 * With a deadline, the rules go first over every window (phase 1),
	 * then the search over every window (phase 2): most of what there
	 * is to gain comes early.  Without one, each window has both at once
	 * (phase 0), so a run learns cached rules from windows it searched.
	 */
	int phase;
	size_t unsearched;
	/* Rewrites proven outside the search (cmp_imm.c), and their slots. */
	struct bpfext_rewrite *fixed;
	size_t nr_fixed, cap_fixed;
	unsigned int fixed_calls;
	bool *reserved;
};

/*
 * Prove @ruled[0, *cnt) (a rule tier's output, NOPs where instructions
 * went) against the job's original window; on success it becomes the
 * window the search starts from, in @base.
 */
static bool accept_ruled(struct job *j, const struct bpfext_search_opts *so,
			 const struct bpf_insn *ruled, struct bpf_insn *base,
			 size_t *cnt)
{
	if (!bpfext_window_safe(j->insns, j->len, ruled, *cnt, j->live_in,
				so->exits) ||
	    bpfext_window_prove(j->insns, j->len, ruled, *cnt, j->live_out, so,
				&j->res.solver_calls, NULL) != BPFEXT_EQUIVALENT)
		return false;
	*cnt = bpfext_window_compact(ruled, *cnt, base);
	return true;
}

/*
 * The rule tiers first, built-in rules then the cache of rewrites found
 * before: a proven rule application becomes the window the search starts
 * from (what it finds is then proven against that, which is proven
 * against the original).  Until the search runs, the rules' result is
 * the job's.  Cached rewrites are straight lines: they apply, and are
 * learned, between the side exits of a window.
 */
static void apply_rules(struct job *j, const struct bpfext_search_opts *so,
			struct bpfext_rule_cache *cache)
{
	struct bpf_insn ruled[BPFEXT_WIN_MAX_INSNS];

	j->cnt = j->len;
	memcpy(j->base, j->insns, j->cnt * sizeof(*j->base));
	if (bpfext_rules_apply(j->base, j->cnt, j->live_out, so->exits,
			       j->known_zero, j->known_one, ruled))
		j->ruled_any |= accept_ruled(j, so, ruled, j->base, &j->cnt);
	if (bpfext_rule_cache__apply(cache, j->base, j->cnt, j->live_out,
				     so->exits, ruled) &&
	    accept_ruled(j, so, ruled, j->base, &j->cnt)) {
		j->ruled_any = true;
		j->cache_hit = true;
	}
	if (!j->ruled_any)
		return;
	j->res.cost_before = bpfext_cost(j->insns, j->len, so->cost, so->jit);
	memcpy(j->res.insns, j->base, j->cnt * sizeof(*j->base));
	j->res.cnt = j->cnt;
	j->res.cost_after = bpfext_cost(j->base, j->cnt, so->cost, so->jit);
	j->res.time_to_best = 0;
	j->res.improved = j->res.cost_after < j->res.cost_before;
}

/* The search from where the rules left the window; it learns what it finds. */
static int search_from_rules(struct job *j, const struct bpfext_search_opts *so,
			     struct bpfext_rule_cache *cache, double since)
{
	struct bpfext_search_result found;
	unsigned int rule_calls = j->res.solver_calls;
	int ret;

	ret = bpfext_search_window(j->base, j->cnt, j->live_in, j->live_out, so,
				   &found, &j->err);
	if (ret)
		return ret;
	if (found.improved)
		bpfext_rule_cache__learn(cache, j->insns, j->len, found.insns,
					 found.cnt, j->live_out, so->exits);
	found.solver_calls += rule_calls;
	if (!j->ruled_any) {
		j->res = found;
		j->res.time_to_best += since;
		return 0;
	}
	if (!found.improved) {
		/* The rules' result is the best there is. */
		j->res.solver_calls = found.solver_calls;
		j->res.counterexamples = found.counterexamples;
		j->res.iters = found.iters;
		return 0;
	}
	found.cost_before = j->res.cost_before;
	found.time_to_best += since;
	j->res = found;
	j->res.improved = j->res.cost_after < j->res.cost_before;
	return 0;
}

/* The search settings of job @j. */
static void job_opts(const struct pool *p, const struct job *j,
		     struct bpfext_search_opts *so)
{
	memset(so, 0, sizeof(*so));
	so->seed = p->opts->seed * 0x9e3779b97f4a7c15ull + j->start + 1;
	so->iters = p->iters;
	so->deadline = p->deadline;
	so->cost = p->opts->cost;
	so->jit = p->opts->jit;
	so->proofs = p->opts->proofs;
	so->known_zero = j->known_zero;
	so->known_one = j->known_one;
	so->exits = &j->exits;
	so->solver_timeout_ms = p->opts->solver_timeout_ms ?
				p->opts->solver_timeout_ms : 10000;
	if (p->hard_deadline) {
		/* what is left, but enough for a small proof */
		double left = (p->hard_deadline - bpfext_now()) * 1000;

		if (left < 100)
			left = 100;
		if (left < so->solver_timeout_ms)
			so->solver_timeout_ms = (unsigned int)left;
	}
	so->stop = p->opts->stop;
}

static void *worker(void *arg)
{
	struct pool *p = arg;

	for (;;) {
		struct bpfext_search_opts so;
		struct bpfext_rule_cache *cache = p->opts->rule_cache;
		struct job *j;
		size_t i;

		pthread_mutex_lock(&p->lock);
		i = p->next < p->nr_jobs ? p->next++ : p->nr_jobs;
		pthread_mutex_unlock(&p->lock);
		if (i == p->nr_jobs)
			return NULL;
		j = &p->jobs[i];
		if (p->hard_deadline && bpfext_now() > p->hard_deadline) {
			pthread_mutex_lock(&p->lock);
			if (p->phase != 1) {
				p->unsearched++;
				p->done++;
			}
			pthread_mutex_unlock(&p->lock);
			continue;
		}
		job_opts(p, j, &so);
		if (p->phase != 2) {
			j->started = bpfext_now() - p->start;
			apply_rules(j, &so, cache);
		}
		if (p->phase != 1)
			j->ret = search_from_rules(j, &so, cache,
						   bpfext_now() - p->start - j->started);
		if (p->phase == 1)
			continue;
		pthread_mutex_lock(&p->lock);
		p->done++;
		if (p->opts->progress)
			p->opts->progress(p->opts->progress_arg, p->done,
					  p->nr_jobs);
		pthread_mutex_unlock(&p->lock);
	}
}

/* Run worker() on @jobs threads (at least on this one) until @p is done. */
static void run_workers(struct pool *p, pthread_t *tids, unsigned int jobs)
{
	unsigned int t;

	p->next = 0;
	for (t = 0; t < jobs; t++)
		if (pthread_create(&tids[t], NULL, worker, p))
			break;
	if (!t)
		worker(p);
	while (t-- > 0)
		pthread_join(tids[t], NULL);
}

/* Slots some branch or call of the section lands on. */
static bool *branch_targets(const struct bpfext_section *sec)
{
	bool *t = calloc(sec->cnt + 1, sizeof(*t));
	size_t i;

	if (!t)
		return NULL;
	for (i = 0; i < sec->cnt; i += bpfext_insn_slots(&sec->insns[i])) {
		long x = bpfext_section__branch_target(sec, i);

		if (x >= 0 && (size_t)x <= sec->cnt)
			t[x] = true;
	}
	for (i = 0; i < sec->nr_funcs; i++)
		t[sec->funcs[i].start] = true;
	return t;
}

static int add_job(struct pool *p, const struct bpfext_section *sec,
		   size_t start, size_t len, const uint16_t *live,
		   uint64_t (*kz)[11], uint64_t (*ko)[11], size_t fstart)
{
	struct job *j;
	uint16_t def, use;
	size_t s;
	int r;

	if (!len)
		return 0;
	if (bpfext_grow(&p->jobs, &p->cap_jobs, p->nr_jobs + 1, sizeof(*j)))
		return -ENOMEM;
	j = &p->jobs[p->nr_jobs++];
	memset(j, 0, sizeof(*j));
	j->insns = &sec->insns[start];
	j->start = start;
	j->len = len;
	j->live_in = live[start - fstart];
	j->live_out = live[start + len - fstart];
	/*
	 * Known bits of the live-in registers, and the constants the others
	 * hold (what lets the window drop "w0 = 2" when r0 is 2 already).
	 */
	for (r = 0; r < 11; r++) {
		uint64_t z = kz[start - fstart][r], o = ko[start - fstart][r];

		if ((j->live_in & (1u << r)) || (z | o) == ~0ull) {
			j->known_zero[r] = z;
			j->known_one[r] = o;
		}
	}
	for (s = start; s < start + len; s++) {
		long t = bpfext_section__branch_target(sec, s);

		if (!bpfext_win_insn_is_exit(&sec->insns[s]))
			continue;
		bpfext_insn_defuse(&sec->insns[s], &def, &use);
		j->exits.live[j->exits.n++] = live[t - (long)fstart] | use;
	}
	return 0;
}

/*
 * A conditional jump forward, to the slot after @end at the earliest,
 * can be the @nr-th side exit of a window that ends at @end or before
 * (a jump target ends a window).
 */
static bool side_exit(const struct bpfext_section *sec, size_t s,
		      unsigned int nr)
{
	return nr < BPFEXT_WIN_MAX_EXITS && bpfext_win_insn_is_exit(&sec->insns[s]) &&
	       bpfext_section__branch_target(sec, s) > (long)s;
}

/* A rewrite of @sec's slots [start, start + len) by @insns[0, cnt). */
static void rewrite_init(struct bpfext_rewrite *rw, const struct bpfext_section *sec,
			 size_t start, size_t len, const struct bpf_insn *insns,
			 size_t cnt)
{
	memset(rw, 0, sizeof(*rw));
	rw->shndx = sec->shndx;
	snprintf(rw->sec_name, sizeof(rw->sec_name), "%s", sec->name);
	rw->start = start;
	rw->len = len;
	memcpy(rw->old, &sec->insns[start], len * sizeof(*rw->old));
	memcpy(rw->insns, insns, cnt * sizeof(*rw->insns));
	rw->cnt = cnt;
}

/*
 * Comparisons with ld_imm64 constants that a 32-bit immediate can make
 * (cmp_imm.c), proven one by one; their slots are kept from the windows.
 * An ld_imm64 the loader sets (@lt) is no constant.
 */
static int find_cmp_imm(const struct bpfext_section *sec,
			const struct bpfext_func *fn, const bool *target,
			const uint8_t *lt, const uint16_t *live,
			uint64_t (*kz)[11], struct pool *p)
{
	size_t s, end = fn->start + fn->cnt;

	for (s = fn->start; s + 3 <= end; s += bpfext_insn_slots(&sec->insns[s])) {
		const struct bpf_insn *x = &sec->insns[s];
		BPFEXT_OPTS(bpfext_sym_opts, so,
			    .timeout_ms = 10000,
			    .known_zero = kz[s - fn->start]);
		long t = bpfext_section__branch_target(sec, s + 2);
		struct bpfext_rewrite *rw;
		struct bpf_insn repl;
		uint16_t after;

		if (!bpfext_insn_is_ldimm64(x) || target[s + 1] || target[s + 2] ||
		    lt[s] || p->reserved[s] ||
		    t < (long)s + 3 || t > (long)end || t - (long)s - 3 > INT16_MAX)
			continue;
		after = live[s + 3 - fn->start] | live[t - (long)fn->start];
		if (!bpfext_cmp_imm(x, after, kz[s + 2 - fn->start][x[2].dst_reg & 0xf],
				    (int16_t)(t - (long)s - 3), &repl))
			continue;
		p->fixed_calls++;
		if (bpfext_cmp_imm_prove(x, &repl, live[t - (long)fn->start], &so) !=
		    BPFEXT_EQUIVALENT)
			continue;
		if (bpfext_grow(&p->fixed, &p->cap_fixed, p->nr_fixed + 1, sizeof(*rw)))
			return -ENOMEM;
		rw = &p->fixed[p->nr_fixed++];
		rewrite_init(rw, sec, s, 3, &repl, 1);
		rw->cost_before = 3;
		rw->cost_after = 1;
		p->reserved[s] = p->reserved[s + 1] = p->reserved[s + 2] = true;
	}
	return 0;
}

/*
 * Windows never hold a load-time value (loadtime.c), and the known bits
 * they start from take none for a constant.
 */
static int collect_windows(const struct bpfext_section *sec, struct pool *p,
			   struct bpfext_error *err)
{
	bool *target = branch_targets(sec);
	uint8_t *lt = malloc(sec->cnt + 1);
	size_t f;
	int ret = 0;

	if (!target || !lt) {
		free(target);
		free(lt);
		return bpfext_errf(err, ENOMEM, "out of memory");
	}
	bpfext_section__loadtime(sec, lt);
	for (f = 0; f < sec->nr_funcs && !ret; f++) {
		const struct bpfext_func *fn = &sec->funcs[f];
		uint16_t *live = calloc(fn->cnt + 1, sizeof(*live));
		uint64_t (*kz)[11] = calloc(fn->cnt + 1, sizeof(*kz));
		uint64_t (*ko)[11] = calloc(fn->cnt + 1, sizeof(*ko));
		size_t s, run = fn->start;
		unsigned int exits = 0;

		if (!live || !kz || !ko ||
		    bpfext_liveness(&sec->insns[fn->start], fn->cnt, live) ||
		    bpfext_known_bits(&sec->insns[fn->start], fn->cnt,
				      &lt[fn->start], kz, ko)) {
			free(live);
			free(kz);
			free(ko);
			ret = bpfext_errf(err, ENOMEM, "out of memory");
			break;
		}
		live[fn->cnt] = 0;
		if (find_cmp_imm(sec, fn, target, lt, live, kz, p)) {
			free(live);
			free(kz);
			free(ko);
			ret = bpfext_errf(err, ENOMEM, "out of memory");
			break;
		}
		for (s = fn->start; s <= fn->start + fn->cnt && !ret; s++) {
			const struct bpf_insn *x = &sec->insns[s];
			size_t region = s < fn->start + fn->cnt ?
				bpfext_kops_region_len(x, fn->start + fn->cnt - s) : 0;
			bool usable;

			/* A Kops region ends the window and is skipped whole. */
			if (region) {
				if (s > run)
					ret = add_job(p, sec, run, s - run, live,
						      kz, ko, fn->start);
				s += region - 1;
				run = s + 1;
				exits = 0;
				continue;
			}
			usable = s < fn->start + fn->cnt && !p->reserved[s] &&
				      ((bpfext_win_insn_supported(x) &&
					!bpfext_insn_is_ldimm64(x)) ||
					side_exit(sec, s, s == run ? 0 : exits)) &&
				      !lt[s];

			if (usable && s - run < WINDOW_SLOTS &&
			    (s == run || !target[s])) {
				exits += bpfext_win_insn_is_exit(x);
				continue;
			}
			/* The window is [run, s); s is inside the function. */
			if (s > run && s < fn->start + fn->cnt)
				ret = add_job(p, sec, run, s - run, live, kz,
					      ko, fn->start);
			run = usable ? s : s + 1;
			exits = usable && bpfext_win_insn_is_exit(x);
		}
		free(live);
		free(kz);
		free(ko);
	}
	free(target);
	free(lt);
	return ret;
}

int bpfext_optimize_section(struct bpfext_object *obj,
			    struct bpfext_section *sec,
			    const struct bpfext_opt_opts *opts,
			    struct bpfext_opt_result *out,
			    struct bpfext_error *err)
{
	struct pool p = { 0 };
	pthread_t *tids = NULL;
	unsigned int jobs = opts->jobs ? opts->jobs : 1;
	double start = bpfext_now();
	size_t i;
	int ret;

	memset(out, 0, sizeof(*out));
	p.reserved = calloc(sec->cnt + 1, sizeof(*p.reserved));
	if (!p.reserved) {
		ret = bpfext_errf(err, ENOMEM, "out of memory");
		goto out;
	}
	ret = collect_windows(sec, &p, err);
	if (ret)
		goto out;
	out->windows = p.nr_jobs;
	out->solver_calls = p.fixed_calls;
	if (!p.nr_jobs && !p.nr_fixed)
		goto out;
	p.opts = opts;
	p.iters = p.nr_jobs ? (uint64_t)(opts->budget * PROPOSALS_PER_SEC /
					 p.nr_jobs * jobs) : 0;
	if (p.iters < 2000)
		p.iters = 2000;
	p.start = start;
	p.deadline = opts->budget > 0 ? start + opts->budget : 0;
	p.hard_deadline = opts->deadline;
	if (p.hard_deadline && (!p.deadline || p.hard_deadline < p.deadline))
		p.deadline = p.hard_deadline;
	pthread_mutex_init(&p.lock, NULL);
	tids = calloc(jobs, sizeof(*tids));
	if (!tids) {
		ret = bpfext_errf(err, ENOMEM, "out of memory");
		goto out_lock;
	}
	if (p.hard_deadline) {
		p.phase = 1;
		run_workers(&p, tids, jobs);
		p.phase = 2;
	}
	run_workers(&p, tids, jobs);

	out->rewrites = calloc(p.nr_jobs + p.nr_fixed, sizeof(*out->rewrites));
	if (!out->rewrites) {
		ret = bpfext_errf(err, ENOMEM, "out of memory");
		goto out_lock;
	}
	if (p.nr_fixed)
		memcpy(out->rewrites, p.fixed, p.nr_fixed * sizeof(*p.fixed));
	out->nr_rewrites = p.nr_fixed;
	out->unsearched = p.unsearched;
	for (i = 0; i < p.nr_jobs; i++) {
		struct job *j = &p.jobs[i];
		struct bpfext_rewrite *rw;

		out->solver_calls += j->res.solver_calls;
		out->proposals += j->res.iters;
		out->cache_hits += j->cache_hit && j->res.improved;
		if (j->ret || !j->res.improved)
			continue;
		rw = &out->rewrites[out->nr_rewrites++];
		rewrite_init(rw, sec, j->start, j->len, j->res.insns, j->res.cnt);
		rw->time_to_best = j->started + j->res.time_to_best;
		rw->cost_before = j->res.cost_before;
		rw->cost_after = j->res.cost_after;
	}
	/* Name each rewrite's function, for reports per program. */
	for (i = 0; i < out->nr_rewrites; i++) {
		struct bpfext_rewrite *rw = &out->rewrites[i];
		size_t f;

		for (f = 0; f < sec->nr_funcs; f++) {
			const struct bpfext_func *fn = &sec->funcs[f];

			if (rw->start >= fn->start && rw->start < fn->start + fn->cnt &&
			    fn->sym < obj->nr_syms && obj->syms[fn->sym].name)
				snprintf(rw->func, sizeof(rw->func), "%s",
					 obj->syms[fn->sym].name);
		}
	}
out_lock:
	pthread_mutex_destroy(&p.lock);
out:
	free(tids);
	free(p.jobs);
	free(p.fixed);
	free(p.reserved);
	return ret;
}

int bpfext_apply_rewrites(struct bpfext_object *obj, struct bpfext_section *sec,
			  const struct bpfext_rewrite *rw, size_t n,
			  struct bpfext_error *err)
{
	struct bpfext_patch *pt = calloc(n + 1, sizeof(*pt));
	struct bpfext_new_insn *ni = calloc(n * BPFEXT_WIN_MAX_INSNS + 1, sizeof(*ni));
	size_t i, k, m = 0, used = 0;
	int ret;

	if (!pt || !ni) {
		free(pt);
		free(ni);
		return bpfext_errf(err, ENOMEM, "out of memory");
	}
	for (i = 0; i < n; i++) {
		/* Match by section index: @rw may come from a copy of @obj. */
		if (rw[i].shndx != sec->shndx)
			continue;
		pt[m].start = rw[i].start;
		pt[m].len = rw[i].len;
		pt[m].insns = &ni[used];
		pt[m].cnt = rw[i].cnt;
		for (k = 0; k < rw[i].cnt; k++) {
			const struct bpf_insn *x = &rw[i].insns[k];
			long t = (long)k + 1;

			ni[used].insn = *x;
			ni[used].orig = -1;
			ni[used].target = -1;
			/*
			 * Branches of a replacement (Kops markers and proof
			 * sequences) stay inside it or go to the slot after
			 * it; a side exit goes further, to an original slot
			 * past the window (its offset counts the new length).
			 */
			if (bpfext_insn_is_branch(x))
				t += bpfext_insn_branch_off(x);
			if (bpfext_insn_is_branch(x) && t >= 0 && (size_t)t <= rw[i].cnt)
				ni[used].target = BPFEXT_LOCAL(t);
			else if (bpfext_insn_is_branch(x) && t > (long)rw[i].cnt)
				ni[used].target = (int32_t)(rw[i].start + rw[i].len +
							    (size_t)t - rw[i].cnt);
			used++;
		}
		m++;
	}
	ret = bpfext_section__apply(obj, sec, pt, m, err);
	free(pt);
	free(ni);
	return ret;
}

void bpfext_opt_result__free(struct bpfext_opt_result *r)
{
	free(r->rewrites);
	r->rewrites = NULL;
	r->nr_rewrites = 0;
}
