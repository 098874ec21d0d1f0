// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Differential test of lib/semantics/interp.c against the running
 * kernel: every XDP, tc and socket filter program of the corpus that
 * loads is run with BPF_PROG_TEST_RUN and in the interpreter on the same
 * packets (random bytes, and crafted Ethernet/VLAN/IPv4/IPv6/TCP/UDP/ICMP
 * headers with random fields and mutations); return value and output
 * packet must match.  Maps start empty, as the loader creates them, and
 * carry their state from packet to packet on both sides.  TAP output,
 * one line per program.
 *
 * A program the interpreter cannot take (it does not link, the
 * interpreter refuses it, it reaches a helper the interpreter does not
 * model, test_run refuses it, or it reads time or random numbers and
 * mismatches) is a skip with the reason.  The last two lines bound what
 * was not tested: at most BPFEXT_MAX_SKIPS percent (default 40) of the
 * programs are skips, and at least BPFEXT_MIN_TESTED percent (default
 * 40) are tested (on this corpus: 305 programs, 112 skips, 36.7%: 39 do
 * not link, kfuncs and externs; 64 reach bpf_fib_lookup, bpf_xdp_adjust_*
 * or other helpers not modelled; 9 test_run refuses; 132 tested, 43.3%,
 * the rest does not load in this kernel).
 *
 * Environment:
 *   BPFEXT_CORPUS    corpus directory (default build/corpus), holding
 *                    samples/, selftests/, O1/ and O3/ (those present)
 *   BPFEXT_PACKETS   packets per program (default 200)
 *   BPFEXT_VERBOSE   print every mismatch
 *   BPFEXT_MAX_SKIPS, BPFEXT_MIN_TESTED  the bounds above
 * Arguments: object files to test instead of the corpus.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "bpfext.h"
#include "corpus.h"
#include "tap.h"

static unsigned int npackets = 200;
static bool verbose;
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static struct {
	unsigned int progs, loaded, tested, all_match, skipped_nondet;
	unsigned long inputs, matched;
	unsigned int link_fail, interp_fail, unmodelled, test_run_fail;
} st;

/* The stream of test packets the library uses, from this file's seed. */
static uint32_t make_packet(uint8_t *p, unsigned int i)
{
	return bpfext_test_packet(p, i, &rng);
}



static bool runnable(enum bpf_prog_type t)
{
	return t == BPF_PROG_TYPE_XDP || t == BPF_PROG_TYPE_SCHED_CLS ||
	       t == BPF_PROG_TYPE_SCHED_ACT || t == BPF_PROG_TYPE_SOCKET_FILTER;
}

static bool nondeterministic(const struct bpfext_linked_prog *lp)
{
	size_t i;

	for (i = 0; i < lp->cnt; i++) {
		const struct bpf_insn *x = &lp->insns[i];

		if (bpfext_insn_is_helper_call(x) &&
		    (x->imm == BPF_FUNC_ktime_get_ns ||
		     x->imm == BPF_FUNC_get_prandom_u32 ||
		     x->imm == BPF_FUNC_ktime_get_boot_ns ||
		     x->imm == BPF_FUNC_ktime_get_coarse_ns ||
		     x->imm == BPF_FUNC_ktime_get_tai_ns ||
		     x->imm == BPF_FUNC_jiffies64))
			return true;
	}
	return false;
}

/* Map contents carried from one run to the next. */
struct snapshot {
	struct bpfext_interp_kv *kv;
	uint8_t *buf;
	size_t n;
};

static void snapshot_take(struct snapshot *s, const struct bpfext_interp *in,
			  const struct bpfext_linked_prog *lp)
{
	size_t m, i, n = 0, bytes = 0, off = 0;
	const uint8_t *k, *v;

	for (m = 0; m < lp->nr_maps; m++) {
		size_t c = bpfext_interp__map_entry_cnt(in, (uint32_t)m);

		n += c;
		bytes += c * (lp->maps[m].key_size + lp->maps[m].value_size);
	}
	free(s->kv);
	free(s->buf);
	s->kv = calloc(n + 1, sizeof(*s->kv));
	s->buf = malloc(bytes + 1);
	s->n = 0;
	if (!s->kv || !s->buf)
		return;
	for (m = 0; m < lp->nr_maps; m++) {
		uint32_t ks = lp->maps[m].key_size, vs = lp->maps[m].value_size;

		for (i = 0; !bpfext_interp__map_entry(in, (uint32_t)m, i, &k, &v); i++) {
			memcpy(s->buf + off, k, ks);
			memcpy(s->buf + off + ks, v, vs);
			s->kv[s->n].map = (uint32_t)m;
			s->kv[s->n].key = s->buf + off;
			s->kv[s->n].value = s->buf + off + ks;
			s->n++;
			off += ks + vs;
		}
	}
}

/* A program not tested, and why: a skip, counted against the bound. */
static unsigned int skips;

static void skip_prog(const char *label, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void skip_prog(const char *label, const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	skips++;
	skip(label, why);
}

static void test_prog(struct bpfext_object *obj, struct bpfext_prog *prog,
		      const char *label)
{
	struct bpfext_linked_prog lp;
	struct bpfext_error err = { "" };
	BPFEXT_OPTS(bpfext_load_opts, lo, .keep_fd = true);
	struct bpfext_load_result res = { .prog_fd = -1 };
	struct bpfext_interp *in = NULL;
	struct snapshot snap = { 0 };
	static uint8_t pkt[4096], kout[8192];
	unsigned int i, match = 0, ran = 0;
	char first[256] = "";
	bool nondet;
	int ret;

	st.progs++;
	ret = bpfext_prog__linked_insns(obj, prog, &lp, &err);
	if (ret) {
		st.link_fail++;
		skip_prog(label, "does not link: %s", err.msg);
		return;
	}
	in = bpfext_interp__new(&lp, &err);
	if (!in) {
		st.interp_fail++;
		skip_prog(label, "the interpreter refuses it: %s", err.msg);
		goto out;
	}
	ret = bpfext_object__load(obj, prog, &lo, &res, &err);
	if (ret || !res.loaded || res.prog_fd < 0) {
		printf("# %s: kernel does not load it\n", label);
		goto out;
	}
	st.loaded++;
	nondet = nondeterministic(&lp);

	for (i = 0; i < npackets; i++) {
		struct bpfext_interp_input ip = { 0 };
		struct bpfext_interp_output out;
		LIBBPF_OPTS(bpf_test_run_opts, tr);
		uint32_t len = make_packet(pkt, i);
		bool same;

		tr.data_in = pkt;
		tr.data_size_in = len;
		tr.data_out = kout;
		tr.data_size_out = sizeof(kout);
		tr.repeat = 1;
		if (bpf_prog_test_run_opts(res.prog_fd, &tr)) {
			if (!i) {
				st.test_run_fail++;
				skip_prog(label, "test_run refuses it: %s", strerror(errno));
				goto out;
			}
			continue;
		}
		ip.pkt = pkt;
		ip.pkt_len = len;
		ip.entries = snap.kv;
		ip.nr_entries = snap.n;
		if (bpfext_interp__run(in, &ip, &out)) {
			printf("# %s: interpreter run error\n", label);
			break;
		}
		if (out.status == BPFEXT_INTERP_FAULT &&
		    strstr(out.fault, "not modelled")) {
			st.unmodelled++;
			skip_prog(label, "%s", out.fault);
			goto out;
		}
		ran++;
		same = out.status == BPFEXT_INTERP_EXIT &&
		       (uint32_t)out.r0 == tr.retval &&
		       out.pkt_len == tr.data_size_out &&
		       !memcmp(out.pkt, kout, out.pkt_len);
		if (out.status == BPFEXT_INTERP_TAIL_CALL)
			same = false;
		if (same) {
			match++;
		} else if (!first[0] || verbose) {
			snprintf(first, sizeof(first),
				 "packet %u (len %u): kernel r0 %u len %u, interp %s r0 %llu len %u%s%s",
				 i, len, tr.retval, tr.data_size_out,
				 out.status == BPFEXT_INTERP_FAULT ? "FAULT" : "exit",
				 (unsigned long long)(uint32_t)out.r0, out.pkt_len,
				 out.status == BPFEXT_INTERP_FAULT ? ": " : "",
				 out.status == BPFEXT_INTERP_FAULT ? out.fault : "");
			if (verbose)
				printf("# %s: %s\n", label, first);
		}
		snapshot_take(&snap, in, &lp);
	}
	if (!ran)
		goto out;
	st.tested++;
	st.inputs += ran;
	st.matched += match;
	if (nondet && match != ran) {
		st.skipped_nondet++;
		skip_prog(label, "%u/%u inputs match, and it uses time or random helpers (%s)",
			  match, ran, first);
		goto out;
	}
	if (match == ran)
		st.all_match++;
	ok(match == ran, "%s: %u/%u inputs match%s%s", label, match, ran,
	   first[0] ? "; first: " : "", first);
out:
	free(snap.kv);
	free(snap.buf);
	if (res.prog_fd >= 0)
		close(res.prog_fd);
	bpfext_load_result__free(&res);
	bpfext_interp__free(in);
	bpfext_linked_prog__free(&lp);
}

int main(int argc, char **argv)
{
	const char *np = getenv("BPFEXT_PACKETS");
	double max_skips = 40, min_tested = 40;	/* percent */
	const char *corpus;

	if (np && atoi(np) > 0)
		npackets = (unsigned int)atoi(np);
	verbose = getenv("BPFEXT_VERBOSE") != NULL;
	corpus_env("BPFEXT_MAX_SKIPS", &max_skips);
	corpus_env("BPFEXT_MIN_TESTED", &min_tested);
	if (!corpus_test_run_setup())
		return 0;
	corpus = corpus_walk(argc, argv, runnable, test_prog);
	if (!st.progs) {
		printf("1..0 # SKIP no XDP, tc or socket filter programs under %s\n",
		       corpus);
		return 0;
	}
	printf("# objects %u, XDP/tc/socket programs %u, loaded %u, tested %u, all inputs match %u, nondeterministic %u\n",
	       corpus_objs, st.progs, st.loaded, st.tested, st.all_match,
	       st.skipped_nondet);
	printf("# inputs %lu, matched %lu; not linked %u, interpreter refused %u, unmodelled helper %u, test_run refused %u\n",
	       st.inputs, st.matched, st.link_fail, st.interp_fail,
	       st.unmodelled, st.test_run_fail);
	ok(100.0 * skips <= max_skips * st.progs,
	   "programs skipped: %u of %u (at most %.0f%%)", skips, st.progs, max_skips);
	ok(100.0 * st.tested >= min_tested * st.progs,
	   "programs tested: %u of %u (at least %.0f%%)", st.tested, st.progs,
	   min_tested);
	return tap_finish();
}
