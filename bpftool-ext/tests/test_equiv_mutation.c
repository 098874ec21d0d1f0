// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Mutation test of lib/semantics/symbolic.c against the kernel: one
 * operand of corpus programs the checker can encode is changed (an immediate, a
 * memory offset, a comparison), both versions are loaded through the
 * verifier with maps of their own and run with BPF_PROG_TEST_RUN on the
 * same packets.  Whenever the kernel shows a difference (return value
 * or output packet), the checker must not say "equivalent"; every
 * counterexample it gives must replay in the interpreter.  TAP output,
 * one line per program.
 *
 * And it must check enough: the two last lines bound what was not
 * checked.  At least BPFEXT_MIN_ENCODABLE percent (default 28) of the
 * XDP, tc and socket filter programs must be linked, encoded by the
 * checker and loaded (91 of 305 on this corpus, 29.8%: 39 do not link,
 * kfuncs and externs; 151 use helpers, loops, pointer stores or context
 * accesses the checker does not model; the kernel refuses 24 linked
 * originals); at most BPFEXT_MAX_UNDECIDED percent (default 5) of the
 * mutants the verifier accepts may come back undecided (9 of 351, 2.6%:
 * solver timeouts on the largest programs).
 *
 * Environment: BPFEXT_CORPUS (default build/corpus), BPFEXT_PACKETS
 * (default 100), BPFEXT_MUTANTS per program (default 4), BPFEXT_TIMEOUT_MS
 * per solver query (default 3000), BPFEXT_MIN_ENCODABLE,
 * BPFEXT_MAX_UNDECIDED.
 */
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "bpfext_opt.h"
#include "semantics/symbolic.h"
#include "corpus.h"
#include "tap.h"

static unsigned int npackets = 100, nmutants = 4;
static uint64_t rng = 0x9e3779b97f4a7c15ull;
static unsigned int timeout_ms = 3000;
static double min_encodable = 28, max_undecided = 5;	/* percent */

static struct {
	unsigned int progs, mutants, rejected, same_code, unsupported;
	unsigned int equiv, differ, undecided, kernel_differ, replayed;
	unsigned int cex_kernel_confirmed, unsound, bad_cex;
	unsigned int unlinked, orig_rejected;
} st;

/* FNV-1a of a program's label and a mutant's number. */
static uint64_t label_hash(const char *label, unsigned int m)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *label; label++)
		h = (h ^ (uint8_t)*label) * 0x100000001b3ull;
	return (h ^ m) * 0x100000001b3ull;
}

/* The stream of test packets the library uses, from this file's seed. */
static uint32_t make_packet(uint8_t *p, unsigned int i)
{
	return bpfext_test_packet(p, i, &rng);
}



/* Maps for one kernel copy of a linked program. */
static int make_maps(const struct bpfext_linked_prog *lp, int *fds)
{
	size_t i;

	for (i = 0; i < lp->nr_maps; i++)
		fds[i] = -1;
	for (i = 0; i < lp->nr_maps; i++) {
		const struct bpfext_map_desc *m = &lp->maps[i];
		LIBBPF_OPTS(bpf_map_create_opts, mo,
			    .map_flags = m->map_flags |
					 (m->rdonly_prog ? BPF_F_RDONLY_PROG : 0));
		__u32 zero = 0;

		fds[i] = bpf_map_create(m->type, NULL, m->key_size, m->value_size,
					m->max_entries, &mo);
		if (fds[i] < 0)
			return -errno;
		if (m->is_data && m->init &&
		    (bpf_map_update_elem(fds[i], &zero, m->init, 0) ||
		     (m->rdonly_prog && bpf_map_freeze(fds[i]))))
			return -errno;
	}
	return 0;
}

static void close_maps(const struct bpfext_linked_prog *lp, int *fds)
{
	size_t i;

	for (i = 0; i < lp->nr_maps; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* Load @insns with map indices replaced by @fds; fd or -errno. */
static int load(const struct bpfext_linked_prog *lp, const struct bpf_insn *insns,
		const int *fds)
{
	struct bpf_insn *x = malloc(lp->cnt * sizeof(*x));
	size_t i;
	int fd;

	if (!x)
		return -ENOMEM;
	memcpy(x, insns, lp->cnt * sizeof(*x));
	for (i = 0; i < lp->cnt; i++) {
		if (!bpfext_insn_is_ldimm64(&x[i]))
			continue;
		if (x[i].src_reg == BPF_PSEUDO_MAP_IDX) {
			x[i].src_reg = BPF_PSEUDO_MAP_FD;
			x[i].imm = fds[x[i].imm];
		} else if (x[i].src_reg == BPF_PSEUDO_MAP_IDX_VALUE) {
			x[i].src_reg = BPF_PSEUDO_MAP_VALUE;
			x[i].imm = fds[x[i].imm];
		}
		i++;
	}
	fd = bpf_prog_load(lp->type, "mut", "GPL", x, lp->cnt, NULL);
	if (fd < 0)
		fd = -errno;
	free(x);
	return fd;
}

/* Change one operand at or after @at; false if nothing to change. */
static bool mutate(struct bpf_insn *x, size_t cnt, size_t at, unsigned int kind)
{
	size_t k;

	for (k = 0; k < cnt; k++) {
		size_t i = (at + k) % cnt, j;
		struct bpf_insn *y = &x[i];
		uint8_t cls = BPF_CLASS(y->code), op = BPF_OP(y->code);
		bool second = false;

		for (j = 0; j < i; j++)
			if (bpfext_insn_is_ldimm64(&x[j]))
				second = ++j == i;
		if (second || bpfext_insn_is_ldimm64(y))
			continue;
		if ((cls == BPF_ALU || cls == BPF_ALU64) && BPF_SRC(y->code) == BPF_K &&
		    op != BPF_END && op != BPF_NEG && op != BPF_DIV && op != BPF_MOD) {
			if (op == BPF_LSH || op == BPF_RSH || op == BPF_ARSH)
				y->imm = (y->imm + 1) & (cls == BPF_ALU ? 31 : 63);
			else
				y->imm += kind % 2 ? 1 : -1;
			return true;
		}
		if ((cls == BPF_JMP || cls == BPF_JMP32) && op != BPF_CALL &&
		    op != BPF_EXIT && op != BPF_JA) {
			static const uint8_t flip[16] = {
				[BPF_JEQ >> 4] = BPF_JNE, [BPF_JNE >> 4] = BPF_JEQ,
				[BPF_JGT >> 4] = BPF_JGE, [BPF_JGE >> 4] = BPF_JGT,
				[BPF_JLT >> 4] = BPF_JLE, [BPF_JLE >> 4] = BPF_JLT,
				[BPF_JSGT >> 4] = BPF_JSGE, [BPF_JSGE >> 4] = BPF_JSGT,
				[BPF_JSLT >> 4] = BPF_JSLE, [BPF_JSLE >> 4] = BPF_JSLT,
				[BPF_JSET >> 4] = BPF_JSET,
			};

			if (kind % 3 == 0 && BPF_SRC(y->code) == BPF_K)
				y->imm += 1;
			else
				y->code = (uint8_t)(cls | BPF_SRC(y->code) | flip[op >> 4]);
			return true;
		}
		if (cls == BPF_ST) {
			y->imm += 1;
			return true;
		}
		if ((cls == BPF_LDX || cls == BPF_STX) && kind % 4 == 1) {
			y->off += BPF_SIZE(y->code) == BPF_DW ? 8 :
				  BPF_SIZE(y->code) == BPF_W ? 4 :
				  BPF_SIZE(y->code) == BPF_H ? 2 : 1;
			return true;
		}
	}
	return false;
}

/* Run both on the same packets; true if the kernel saw a difference. */
static bool kernel_differs(int fa, int fb, const uint8_t *extra, uint32_t extra_len,
			   bool *cex_differs)
{
	static uint8_t pkt[4096], oa[8192], ob[8192];
	bool differ = false;
	unsigned int i;

	*cex_differs = false;
	for (i = 0; i <= npackets; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, ta);
		LIBBPF_OPTS(bpf_test_run_opts, tb);
		uint32_t len;

		if (i == npackets) {
			if (!extra || extra_len < 14)
				break;
			memcpy(pkt, extra, extra_len);
			len = extra_len;
		} else {
			len = make_packet(pkt, i);
		}
		ta.data_in = tb.data_in = pkt;
		ta.data_size_in = tb.data_size_in = len;
		ta.data_out = oa;
		tb.data_out = ob;
		ta.data_size_out = tb.data_size_out = sizeof(oa);
		ta.repeat = tb.repeat = 1;
		if (bpf_prog_test_run_opts(fa, &ta) || bpf_prog_test_run_opts(fb, &tb))
			continue;
		if (ta.retval != tb.retval || ta.data_size_out != tb.data_size_out ||
		    memcmp(oa, ob, ta.data_size_out)) {
			differ = true;
			if (i == npackets)
				*cex_differs = true;
		}
	}
	return differ;
}

static bool replays(const struct bpfext_linked_prog *a,
		    const struct bpfext_linked_prog *b, struct bpfext_sym_cex *cex)
{
	struct bpfext_interp *ia = bpfext_interp__new(a, NULL);
	struct bpfext_interp *ib = bpfext_interp__new(b, NULL);
	struct bpfext_interp_output oa, ob;
	struct bpfext_interp_input ip;
	bool differ = false;
	char why[128];

	bpfext_sym_cex__input(cex, &ip);
	if (ia && ib && !bpfext_interp__run(ia, &ip, &oa) &&
	    !bpfext_interp__run(ib, &ip, &ob))
		differ = bpfext_interp__cmp(ia, &oa, ib, &ob, why, sizeof(why)) == 1;
	bpfext_interp__free(ia);
	bpfext_interp__free(ib);
	return differ;
}

static void test_prog(struct bpfext_object *obj, struct bpfext_prog *prog,
		      const char *label)
{
	struct bpfext_linked_prog lp, mut;
	BPFEXT_OPTS(bpfext_sym_opts, opts, .timeout_ms = timeout_ms, .max_pkt = 64);
	struct bpfext_sym_cex *cex = calloc(1, sizeof(*cex));
	struct bpfext_error err = { "" };
	int fds_a[64], fds_b[64], fa = -1;
	unsigned int m, tried = 0, accepted = 0, unsound = 0, bad = 0;
	unsigned int kdiff = 0, diff = 0, eq = 0, und = 0;
	int ret;

	if (!cex || bpfext_prog__linked_insns(obj, prog, &lp, &err)) {
		st.unlinked++;
		free(cex);
		return;
	}
	if (lp.nr_maps > 64 ||
	    bpfext_sym_equiv_prog(&lp, &lp, &opts, NULL, &err) != BPFEXT_EQUIVALENT) {
		st.unsupported++;
		goto out_lp;
	}
	if (make_maps(&lp, fds_a) < 0) {
		close_maps(&lp, fds_a);
		st.orig_rejected++;
		goto out_lp;
	}
	fa = load(&lp, lp.insns, fds_a);
	if (fa < 0) {
		printf("# %s: the kernel rejects the linked original (%s)\n", label,
		       strerror(-fa));
		st.orig_rejected++;
		close_maps(&lp, fds_a);
		goto out_lp;
	}
	close(fa);
	close_maps(&lp, fds_a);
	st.progs++;
	mut = lp;
	mut.insns = malloc(lp.cnt * sizeof(*mut.insns));
	if (!mut.insns)
		goto out_lp;
	for (m = 0; m < nmutants; m++) {
		size_t at = (size_t)m * 7919 % lp.cnt;
		bool kd, cexd = false;
		int fb;

		memcpy(mut.insns, lp.insns, lp.cnt * sizeof(*mut.insns));
		if (!mutate(mut.insns, lp.cnt, at, m) ||
		    bpfext_insns_check(mut.insns, mut.cnt, NULL, NULL))
			continue;
		tried++;
		/* each side with maps of its own, in the same initial state */
		if (make_maps(&lp, fds_a) || make_maps(&lp, fds_b)) {
			close_maps(&lp, fds_a);
			close_maps(&lp, fds_b);
			continue;
		}
		fa = load(&lp, lp.insns, fds_a);
		fb = load(&lp, mut.insns, fds_b);
		if (fa < 0 || fb < 0) {
			st.rejected++;
			goto next;
		}
		accepted++;
		ret = bpfext_sym_equiv_prog(&lp, &mut, &opts, cex, &err);
		if (ret < 0) {
			printf("# %s: mutant %u: %s\n", label, m, err.msg);
			und++;
			goto next;
		}
		if (ret == BPFEXT_UNDECIDED) {
			und++;
			goto next;
		}
		/*
		 * Packets from a seed of this program and mutant alone: which
		 * programs before it timed out must not change what it sees.
		 */
		rng = 0x9e3779b97f4a7c15ull ^ label_hash(label, m);
		kd = kernel_differs(fa, fb, ret == BPFEXT_DIFFERENT ? cex->pkt : NULL,
				    ret == BPFEXT_DIFFERENT ? cex->pkt_len : 0, &cexd);
		if (kd)
			kdiff++;
		if (ret == BPFEXT_EQUIVALENT) {
			eq++;
			if (kd) {
				unsound++;
				printf("# %s: mutant %u: checker says equivalent, kernel differs\n",
				       label, m);
			}
		} else if (cex->beyond_interp && !replays(&lp, &mut, cex)) {
			und++;	/* what bpfext_equiv_progs() calls undecided */
		} else {
			diff++;
			if (!replays(&lp, &mut, cex)) {
				bad++;
				printf("# %s: mutant %u: counterexample does not replay\n",
				       label, m);
			}
			if (cexd)
				st.cex_kernel_confirmed++;
		}
next:
		if (fa >= 0)
			close(fa);
		if (fb >= 0)
			close(fb);
		close_maps(&lp, fds_a);
		close_maps(&lp, fds_b);
	}
	free(mut.insns);
	st.mutants += accepted;
	st.equiv += eq;
	st.differ += diff;
	st.undecided += und;
	st.kernel_differ += kdiff;
	st.unsound += unsound;
	st.bad_cex += bad;
	st.replayed += diff - bad;
	ok(!unsound && !bad,
	   "%s: %u mutants, %u pass the verifier: %u different, %u equivalent, %u undecided; kernel saw %u differ%s",
	   label, tried, accepted, diff, eq, und, kdiff,
	   unsound ? "; UNSOUND" : bad ? "; counterexample did not replay" : "");
out_lp:
	bpfext_linked_prog__free(&lp);
	free(cex);
}

static bool runnable(enum bpf_prog_type t)
{
	return t == BPF_PROG_TYPE_XDP || t == BPF_PROG_TYPE_SCHED_CLS ||
	       t == BPF_PROG_TYPE_SOCKET_FILTER;
}

int main(int argc, char **argv)
{
	const char *corpus, *env;
	unsigned int candidates;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if ((env = getenv("BPFEXT_PACKETS")) && atoi(env) > 0)
		npackets = (unsigned int)atoi(env);
	if ((env = getenv("BPFEXT_MUTANTS")) && atoi(env) > 0)
		nmutants = (unsigned int)atoi(env);
	if ((env = getenv("BPFEXT_TIMEOUT_MS")) && atoi(env) > 0)
		timeout_ms = (unsigned int)atoi(env);
	corpus_env("BPFEXT_MIN_ENCODABLE", &min_encodable);
	corpus_env("BPFEXT_MAX_UNDECIDED", &max_undecided);
	if (!corpus_test_run_setup())
		return 0;
	corpus = corpus_walk(argc, argv, runnable, test_prog);
	candidates = st.progs + st.unsupported + st.unlinked + st.orig_rejected;
	if (!candidates) {
		printf("1..0 # SKIP no XDP, tc or socket filter programs under %s\n",
		       corpus);
		return 0;
	}
	printf("# programs %u of %u (not linked %u, not encodable %u, original not loaded %u); mutants passing the verifier %u (rejected %u)\n",
	       st.progs, candidates, st.unlinked, st.unsupported, st.orig_rejected,
	       st.mutants, st.rejected);
	printf("# checker: %u different (%u replayed in the interpreter, %u confirmed by the kernel on the counterexample packet), %u equivalent, %u undecided\n",
	       st.differ, st.replayed, st.cex_kernel_confirmed, st.equiv, st.undecided);
	printf("# kernel test_run saw a difference for %u mutants; checker said equivalent for %u of them\n",
	       st.kernel_differ, st.unsound);
	ok(100.0 * st.progs >= min_encodable * candidates,
	   "programs checked: %u of %u (at least %.0f%%)", st.progs, candidates,
	   min_encodable);
	ok(st.mutants && 100.0 * st.undecided <= max_undecided * st.mutants,
	   "mutants undecided: %u of %u (at most %.0f%%)", st.undecided, st.mutants,
	   max_undecided);
	return tap_finish();
}
