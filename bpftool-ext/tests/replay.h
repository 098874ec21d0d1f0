/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Replay in the running kernel (issue #12): two builds of a program are
 * loaded by the library's loader (libbpf for every object libbpf
 * accepts, so CO-RE relocations, __kconfig and __ksym externs and
 * global data are resolved by the real loader against the running
 * kernel), run on the same inputs with BPF_PROG_TEST_RUN, and compared:
 * return value, output packet, and the contents of every map the
 * program uses after every run.  The interpreter replay cannot see a
 * miscompiled load-time value: it runs both builds with the same local
 * values.
 *
 * A difference is only reported as one when it is reproducible: on the
 * first difference the original is loaded again and run on the same
 * inputs, and so is the optimized build; a program whose original
 * differs from itself, or whose optimized build agrees with the
 * original the second time (time, random numbers, CPU), is a skip.
 * Maps are compared up to REPLAY_MAX_ENTRIES entries each.
 */
#ifndef BPFEXT_TESTS_REPLAY_H
#define BPFEXT_TESTS_REPLAY_H

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpfext.h"
#include "bpfext_opt.h"

#define REPLAY_MAX_MAPS		64
#define REPLAY_MAX_ENTRIES	4096
#define REPLAY_CTX_RAW_TP	96	/* MAX_BPF_FUNC_ARGS u64 arguments */

enum replay_verdict {
	REPLAY_SAME,		/* every input gave the same results */
	REPLAY_DIFFERENT,	/* a result differs: a miscompile */
	REPLAY_SKIP,		/* cannot be replayed here; see ->why */
	REPLAY_FAIL,		/* the optimized build fails where the original works */
};

struct replay_opts {
	unsigned int inputs;		/* 0: 16 */
	const char *btf_custom_path;	/* CO-RE target, NULL: the kernel */
	uint64_t data_seed;		/* bpfext_load_opts.data_seed */
};

struct replay_report {
	enum replay_verdict verdict;
	unsigned int runs;		/* inputs run on both builds */
	char why[512];
};

/* One loaded build: the program and the maps it uses. */
struct replay_build {
	int fd;
	enum bpf_prog_type type;
	size_t nr_maps;
	int map_fd[REPLAY_MAX_MAPS];
	struct bpf_map_info map[REPLAY_MAX_MAPS];
};

/* What one run left: r0, packet, every map's entries sorted by key. */
struct replay_out {
	uint32_t retval;
	uint32_t pkt_len;
	uint8_t pkt[BPFEXT_EQUIV_PKT_MAX];
	uint8_t *maps;			/* malloc()ed records */
	size_t maps_len;
	char err[128];			/* test_run failed: why */
};

static bool replay_runnable(enum bpf_prog_type t, const char **why)
{
	switch (t) {
	case BPF_PROG_TYPE_XDP:
	case BPF_PROG_TYPE_SCHED_CLS:
	case BPF_PROG_TYPE_SCHED_ACT:
	case BPF_PROG_TYPE_SOCKET_FILTER:
	case BPF_PROG_TYPE_CGROUP_SKB:
	case BPF_PROG_TYPE_LWT_IN:
	case BPF_PROG_TYPE_LWT_OUT:
	case BPF_PROG_TYPE_LWT_XMIT:
	case BPF_PROG_TYPE_RAW_TRACEPOINT:
		return true;
	case BPF_PROG_TYPE_TRACING:
		*why = "test_run runs fentry/fexit/iterator programs only through an attachment";
		return false;
	case BPF_PROG_TYPE_SYSCALL:
		*why = "syscall programs act on the system";
		return false;
	default:
		*why = "BPF_PROG_TEST_RUN does not run this program type";
		return false;
	}
}

static bool replay_has_packet(enum bpf_prog_type t)
{
	return t != BPF_PROG_TYPE_RAW_TRACEPOINT;
}

/* Maps whose contents say what a program did, and are the same across loads. */
static bool replay_map_compared(uint32_t type)
{
	switch (type) {
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_ARRAY:
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_PERCPU_ARRAY:
	case BPF_MAP_TYPE_LRU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
	case BPF_MAP_TYPE_LPM_TRIE:
		return true;
	default:
		return false;
	}
}

static void replay_unload(struct replay_build *b)
{
	size_t i;

	for (i = 0; i < b->nr_maps; i++)
		close(b->map_fd[i]);
	if (b->fd >= 0)
		close(b->fd);
	memset(b, 0, sizeof(*b));
	b->fd = -1;
}

/*
 * Load @prog of @obj.  Return: 0, 1 if it does not load (the verifier
 * log's last line in @why), or a negative errno with @why set.
 */
static int replay_load(struct bpfext_object *obj, const struct bpfext_prog *prog,
		       const struct replay_opts *o, struct replay_build *b,
		       char *why, size_t len)
{
	BPFEXT_OPTS(bpfext_load_opts, lo,
		    .keep_fd = true,
		    .btf_custom_path = o->btf_custom_path,
		    .data_seed = o->data_seed);
	struct bpfext_load_result res;
	struct bpfext_error err = { "" };
	struct bpf_prog_info info = { 0 };
	uint32_t ids[REPLAY_MAX_MAPS], ilen = sizeof(info);
	size_t i;

	memset(b, 0, sizeof(*b));
	b->fd = -1;
	b->type = prog->type;
	if (bpfext_object__load(obj, prog, &lo, &res, &err)) {
		snprintf(why, len, "%s", err.msg);
		return -EINVAL;
	}
	if (!res.loaded) {
		const char *t = res.log_tail ? res.log_tail : "rejected", *nl;

		while ((nl = strchr(t, '\n')) && nl[1])
			t = nl + 1;
		snprintf(why, len, "%.*s", (int)strcspn(t, "\n"), t);
		bpfext_load_result__free(&res);
		return 1;
	}
	b->fd = res.prog_fd;
	res.prog_fd = -1;
	bpfext_load_result__free(&res);
	info.nr_map_ids = REPLAY_MAX_MAPS;
	info.map_ids = (uint64_t)(unsigned long)ids;
	if (bpf_obj_get_info_by_fd(b->fd, &info, &ilen) ||
	    info.nr_map_ids > REPLAY_MAX_MAPS) {
		snprintf(why, len, "cannot read the maps of the program: %s",
			 strerror(errno));
		replay_unload(b);
		return -EINVAL;
	}
	for (i = 0; i < info.nr_map_ids; i++) {
		uint32_t mlen = sizeof(b->map[0]);
		int fd = bpf_map_get_fd_by_id(ids[i]);

		if (fd < 0 || bpf_obj_get_info_by_fd(fd, &b->map[b->nr_maps], &mlen)) {
			snprintf(why, len, "cannot open map id %u: %s", ids[i],
				 strerror(errno));
			if (fd >= 0)
				close(fd);
			replay_unload(b);
			return -EINVAL;
		}
		b->map_fd[b->nr_maps++] = fd;
	}
	return 0;
}

/* Input @k: a packet, or the arguments of a raw tracepoint. */
static uint32_t replay_input(enum bpf_prog_type t, unsigned int k, uint8_t *buf,
			     uint64_t *seed)
{
	uint32_t i;

	if (replay_has_packet(t)) {
		uint32_t n = bpfext_test_packet(buf, k, seed);

		return n < 60 ? 60 : n;	/* skb programs want a full frame */
	}
	for (i = 0; i < REPLAY_CTX_RAW_TP; i++) {
		*seed ^= *seed << 13;
		*seed ^= *seed >> 7;
		*seed ^= *seed << 17;
		/* small numbers, ids and (mostly bad) addresses */
		buf[i] = (i % 8) < (k % 3 ? 2 : 8) ? (uint8_t)*seed : 0;
	}
	return REPLAY_CTX_RAW_TP;
}

struct replay_rec {
	uint32_t map, klen, vlen;
	size_t at;			/* key, then value, in the blob */
};

static const uint8_t *replay_blob;	/* for the sort */

static int replay_rec_cmp(const void *a, const void *b)
{
	const struct replay_rec *x = a, *y = b;

	if (x->map != y->map)
		return x->map < y->map ? -1 : 1;
	return memcmp(replay_blob + x->at, replay_blob + y->at, x->klen);
}

static int replay_append(struct replay_out *out, const void *p, size_t n)
{
	uint8_t *t = realloc(out->maps, out->maps_len + n + 1);

	if (!t)
		return -ENOMEM;
	out->maps = t;
	memcpy(t + out->maps_len, p, n);
	out->maps_len += n;
	return 0;
}

/*
 * Every compared map's entries, sorted by key (hash maps iterate in an
 * order of their random seed), as map index, key, value.
 */
static int replay_snapshot(const struct replay_build *b, struct replay_out *out)
{
	int ncpu = libbpf_num_possible_cpus();
	size_t m, i, n = 0, cap = 0;
	struct replay_rec *recs = NULL;
	uint8_t *blob = NULL;
	size_t blen = 0, bcap = 0;
	int ret = 0;

	for (m = 0; m < b->nr_maps && !ret; m++) {
		const struct bpf_map_info *mi = &b->map[m];
		bool percpu = mi->type == BPF_MAP_TYPE_PERCPU_HASH ||
			      mi->type == BPF_MAP_TYPE_PERCPU_ARRAY ||
			      mi->type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
		uint32_t vlen = percpu ? ((mi->value_size + 7) & ~7u) * (uint32_t)ncpu :
					 mi->value_size;
		uint8_t *key = calloc(1, mi->key_size + 1), *next = calloc(1, mi->key_size + 1);
		void *prev = NULL;
		unsigned int cnt = 0;

		if (!replay_map_compared(mi->type)) {
			free(key);
			free(next);
			continue;
		}
		if (!key || !next) {
			ret = -ENOMEM;
		}
		while (!ret && cnt < REPLAY_MAX_ENTRIES &&
		       !bpf_map_get_next_key(b->map_fd[m], prev, next)) {
			size_t need = blen + mi->key_size + vlen;

			if (need > bcap) {
				size_t nc = need * 2 + 4096;
				uint8_t *t = realloc(blob, nc);

				if (!t) {
					ret = -ENOMEM;
					break;
				}
				blob = t;
				bcap = nc;
			}
			memcpy(blob + blen, next, mi->key_size);
			if (bpf_map_lookup_elem(b->map_fd[m], next,
						blob + blen + mi->key_size)) {
				/* gone between next_key and lookup: not ours */
				memcpy(key, next, mi->key_size);
				prev = key;
				continue;
			}
			if (n == cap) {
				size_t nc = cap ? cap * 2 : 256;
				struct replay_rec *t = realloc(recs, nc * sizeof(*t));

				if (!t) {
					ret = -ENOMEM;
					break;
				}
				recs = t;
				cap = nc;
			}
			recs[n].map = (uint32_t)m;
			recs[n].klen = mi->key_size;
			recs[n].vlen = vlen;
			recs[n].at = blen;
			n++;
			blen = need;
			memcpy(key, next, mi->key_size);
			prev = key;
			cnt++;
		}
		free(key);
		free(next);
	}
	replay_blob = blob;
	if (!ret && n)
		qsort(recs, n, sizeof(*recs), replay_rec_cmp);
	for (i = 0; !ret && i < n; i++) {
		uint32_t hdr[2] = { recs[i].map, recs[i].klen + recs[i].vlen };

		ret = replay_append(out, hdr, sizeof(hdr));
		if (!ret)
			ret = replay_append(out, blob + recs[i].at, hdr[1]);
	}
	free(recs);
	free(blob);
	return ret;
}

/* Run input @in on @b; the results in @out (->err set if test_run failed). */
static int replay_run(const struct replay_build *b, const uint8_t *in, uint32_t len,
		      struct replay_out *out)
{
	LIBBPF_OPTS(bpf_test_run_opts, t);

	memset(out, 0, sizeof(*out));
	if (replay_has_packet(b->type)) {
		t.data_in = in;
		t.data_size_in = len;
		t.data_out = out->pkt;
		t.data_size_out = sizeof(out->pkt);
		t.repeat = 1;
	} else {
		/* raw_tp: no repeat, no output but r0 and the maps */
		t.ctx_in = in;
		t.ctx_size_in = len;
	}
	if (bpf_prog_test_run_opts(b->fd, &t)) {
		snprintf(out->err, sizeof(out->err), "BPF_PROG_TEST_RUN: %s",
			 strerror(errno));
		return 0;
	}
	out->retval = t.retval;
	out->pkt_len = t.data_size_out < sizeof(out->pkt) ? t.data_size_out :
							     sizeof(out->pkt);
	return replay_snapshot(b, out);
}

static void replay_out_free(struct replay_out *o)
{
	free(o->maps);
	o->maps = NULL;
}

/* The first difference between two runs' results, or "" if none. */
static void replay_diff(const struct replay_build *b, const struct replay_out *x,
			const struct replay_out *y, char *why, size_t len)
{
	size_t off = 0;

	why[0] = 0;
	if (strcmp(x->err, y->err)) {
		snprintf(why, len, "test_run: '%.100s' against '%.100s'", x->err, y->err);
		return;
	}
	if (x->retval != y->retval) {
		snprintf(why, len, "retval %u against %u", x->retval, y->retval);
		return;
	}
	if (x->pkt_len != y->pkt_len || (x->pkt_len && memcmp(x->pkt, y->pkt, x->pkt_len))) {
		snprintf(why, len, "output packet differs (%u and %u bytes)",
			 x->pkt_len, y->pkt_len);
		return;
	}
	if (x->maps_len == y->maps_len &&
	    (!x->maps_len || !memcmp(x->maps, y->maps, x->maps_len)))
		return;
	/* Name the map of the first differing record. */
	while (off + 8 <= x->maps_len && off + 8 <= y->maps_len) {
		uint32_t hx[2], hy[2];

		memcpy(hx, x->maps + off, 8);
		memcpy(hy, y->maps + off, 8);
		if (hx[0] != hy[0] || hx[1] != hy[1] ||
		    off + 8 + hx[1] > x->maps_len ||
		    memcmp(x->maps + off + 8, y->maps + off + 8, hx[1])) {
			snprintf(why, len, "map %s: contents differ",
				 hx[0] < b->nr_maps ? b->map[hx[0]].name : "?");
			return;
		}
		off += 8 + hx[1];
	}
	snprintf(why, len, "maps: %zu against %zu bytes of entries", x->maps_len,
		 y->maps_len);
}

/*
 * Run the first @n inputs on a fresh load of @prog and compare with the
 * results @want of another load of the same build.  Return: true if
 * they agree.
 */
static bool replay_agrees(struct bpfext_object *obj, const struct bpfext_prog *prog,
			  const struct replay_opts *o, const struct replay_out *want,
			  unsigned int n)
{
	struct replay_build b;
	uint8_t in[BPFEXT_EQUIV_PKT_MAX];
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	char why[256];
	unsigned int k;
	bool same = true;

	if (replay_load(obj, prog, o, &b, why, sizeof(why)))
		return false;
	for (k = 0; k < n && same; k++) {
		uint32_t len = replay_input(b.type, k, in, &seed);
		struct replay_out got;

		same = !replay_run(&b, in, len, &got);
		if (same) {
			replay_diff(&b, &want[k], &got, why, sizeof(why));
			same = !why[0];
		}
		replay_out_free(&got);
	}
	replay_unload(&b);
	return same;
}

/* Do two loads share a map (pinned by name)?  Then they see each other. */
static bool replay_shared_maps(const struct replay_build *x,
			       const struct replay_build *y)
{
	size_t i, k;

	for (i = 0; i < x->nr_maps; i++)
		for (k = 0; k < y->nr_maps; k++)
			if (x->map[i].id == y->map[k].id)
				return true;
	return false;
}

/*
 * bpfext_prog @pa of @a (the original) against @pb of @b (the optimized
 * build): see the file comment.
 */
static void replay_prog(struct bpfext_object *a, const struct bpfext_prog *pa,
			struct bpfext_object *b, const struct bpfext_prog *pb,
			const struct replay_opts *o, struct replay_report *rep)
{
	unsigned int n = o->inputs ? o->inputs : 16, k;
	struct replay_build ba = { .fd = -1 }, bb = { .fd = -1 };
	struct replay_out *outa = NULL;
	uint8_t in[BPFEXT_EQUIV_PKT_MAX];
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	const char *why = NULL;
	cpu_set_t cpus;
	int ret;

	memset(rep, 0, sizeof(*rep));
	if (!pa->type_known || !replay_runnable(pa->type, &why)) {
		rep->verdict = REPLAY_SKIP;
		snprintf(rep->why, sizeof(rep->why), "%s",
			 why ? why : "unknown program type");
		return;
	}
	/* One CPU: per-CPU maps and bpf_get_smp_processor_id() stay put. */
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	sched_setaffinity(0, sizeof(cpus), &cpus);
	ret = replay_load(a, pa, o, &ba, rep->why, sizeof(rep->why));
	if (ret) {
		rep->verdict = REPLAY_SKIP;
		if (ret > 0) {
			char t[sizeof(rep->why)];

			snprintf(t, sizeof(t), "the original does not load here: %.400s",
				 rep->why);
			memcpy(rep->why, t, sizeof(t));
		}
		return;
	}
	ret = replay_load(b, pb, o, &bb, rep->why, sizeof(rep->why));
	if (ret) {
		char t[sizeof(rep->why)];

		rep->verdict = REPLAY_FAIL;
		snprintf(t, sizeof(t), "the optimized build does not load: %.400s",
			 rep->why);
		memcpy(rep->why, t, sizeof(t));
		goto out;
	}
	if (replay_shared_maps(&ba, &bb)) {
		rep->verdict = REPLAY_SKIP;
		snprintf(rep->why, sizeof(rep->why), "the two loads share pinned maps");
		goto out;
	}
	outa = calloc(n, sizeof(*outa));
	if (!outa) {
		rep->verdict = REPLAY_FAIL;
		snprintf(rep->why, sizeof(rep->why), "out of memory");
		goto out;
	}
	for (k = 0; k < n; k++) {
		uint32_t len = replay_input(ba.type, k, in, &seed);
		struct replay_out y = { 0 };
		char d[256];

		if (replay_run(&ba, in, len, &outa[k]) || replay_run(&bb, in, len, &y)) {
			replay_out_free(&y);
			rep->verdict = REPLAY_FAIL;
			snprintf(rep->why, sizeof(rep->why), "out of memory");
			goto out;
		}
		if (k == 0 && outa[0].err[0] && !strcmp(outa[0].err, y.err)) {
			replay_out_free(&y);
			rep->verdict = REPLAY_SKIP;
			snprintf(rep->why, sizeof(rep->why), "%s", outa[0].err);
			goto out;
		}
		replay_diff(&ba, &outa[k], &y, d, sizeof(d));
		replay_out_free(&y);
		rep->runs++;
		if (!d[0])
			continue;
		/*
		 * A program that differs from itself cannot be compared; an
		 * optimized build that agrees with the original when loaded
		 * again did not differ by its code.
		 */
		if (!replay_agrees(a, pa, o, outa, k + 1) ||
		    replay_agrees(b, pb, o, outa, k + 1)) {
			rep->verdict = REPLAY_SKIP;
			snprintf(rep->why, sizeof(rep->why),
				 "results differ between loads of one build on input %u (time, random numbers or the like)",
				 k);
		} else {
			rep->verdict = REPLAY_DIFFERENT;
			snprintf(rep->why, sizeof(rep->why), "input %u: %s", k, d);
		}
		goto out;
	}
	rep->verdict = REPLAY_SAME;
out:
	for (k = 0; outa && k < n; k++)
		replay_out_free(&outa[k]);
	free(outa);
	replay_unload(&ba);
	replay_unload(&bb);
}

#endif
