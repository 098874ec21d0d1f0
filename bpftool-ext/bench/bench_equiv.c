// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Checker benchmark: time per window equivalence query on windows taken
 * from corpus programs.  Every window of W instructions (default 8) of
 * the linked programs that holds no call, no map reference and no jump
 * leaving it is checked against (a) itself and (b) a copy with one
 * operand changed (an immediate plus one, or another source register),
 * with every register live out.  Prints the verdict counts and the
 * median, 90th percentile and maximum time per query.
 *
 * K2's speed-ups are on unless -s turns one off:
 *   -s cache     the proven-pair cache: without it every query goes to
 *                the solver, with it a pair proven before is answered
 *                at once (the corpus holds the same code several times)
 *   -s modular   modular checking of the window: the whole program with
 *                the window replaced is checked against the original
 *                instead (program check; programs it cannot encode are
 *                counted as not encodable)
 * Memory offset concretization (bpfext_opt.h) is off by default, as it
 * made the program check slower; -e offset turns it on.
 * Memory-type and map-type concretization are part of the program
 * check's encoding and cannot be turned off.
 *
 * Build and run (from the repository root, after `make`):
 *   cc -O2 -std=gnu11 -D_GNU_SOURCE -Ibpftool-ext/lib \
 *      bpftool-ext/bench/bench_equiv.c build/libbpfext_opt.a \
 *      build/libbpfext.a -lbpf -lelf -lz3 -lz -o build/bench_equiv
 *   build/bench_equiv [-v] [-w WINDOW] [-n MAX_WINDOWS] [-s SWITCH] [-e offset] OBJ...
 * -v prints the mutated windows found equivalent.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "superopt/proof_cache.h"
#include "semantics/symbolic.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);	/* CPU time: the machine may be busy */
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static bool window_ok(const struct bpf_insn *w, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct bpf_insn *x = &w[i];

		if (BPF_CLASS(x->code) == BPF_JMP || BPF_CLASS(x->code) == BPF_JMP32) {
			uint8_t op = BPF_OP(x->code);
			long t;

			if (op == BPF_CALL)
				return false;
			if (op == BPF_EXIT)
				continue;
			t = (long)i + bpfext_insn_branch_off(x) + 1;
			if (t <= (long)i || t > (long)n)
				return false;
		}
		if (bpfext_insn_is_ldimm64(x)) {
			if (x->src_reg || i + 1 >= n)
				return false;
			i++;
		}
		if (BPF_CLASS(x->code) == BPF_LD && !bpfext_insn_is_ldimm64(x))
			return false;
	}
	return true;
}

/* Change one operand of the first ALU/JMP/store instruction; 0 if none. */
static int mutate(struct bpf_insn *w, size_t n, unsigned int seed)
{
	size_t k;

	for (k = 0; k < n; k++) {
		size_t at = (k + seed) % n, j;
		struct bpf_insn *x = &w[at];
		uint8_t cls = BPF_CLASS(x->code);
		bool second = false;

		for (j = 0; j < at; j++)
			if (bpfext_insn_is_ldimm64(&w[j]))
				second = ++j == at;
		if (second || bpfext_insn_is_ldimm64(x))
			continue;
		if ((cls == BPF_ALU || cls == BPF_ALU64) && BPF_OP(x->code) != BPF_END &&
		    BPF_OP(x->code) != BPF_NEG) {
			if (BPF_SRC(x->code) == BPF_K) {
				if (BPF_OP(x->code) == BPF_DIV || BPF_OP(x->code) == BPF_MOD ||
				    BPF_OP(x->code) == BPF_LSH || BPF_OP(x->code) == BPF_RSH ||
				    BPF_OP(x->code) == BPF_ARSH)
					continue;
				x->imm += 1;
			} else {
				x->src_reg = (uint8_t)((x->src_reg + 1) % 10);
			}
			return 1;
		}
		if ((cls == BPF_JMP || cls == BPF_JMP32) && BPF_OP(x->code) != BPF_EXIT &&
		    BPF_OP(x->code) != BPF_JA) {
			if (BPF_SRC(x->code) == BPF_K)
				x->imm += 1;
			else
				x->src_reg = (uint8_t)((x->src_reg + 1) % 10);
			return 1;
		}
		if (cls == BPF_ST) {
			x->imm += 1;
			return 1;
		}
		if (cls == BPF_STX || cls == BPF_LDX) {
			x->off += 1;
			return 1;
		}
	}
	return 0;
}

static bool verbose;

static void show(const struct bpf_insn *a, const struct bpf_insn *b, size_t n)
{
	char x[BPFEXT_INSN_STR_MAX], y[BPFEXT_INSN_STR_MAX];
	size_t i;

	printf("mutated window still equivalent:\n");
	for (i = 0; i < n; i++) {
		if (bpfext_insn_print(a + i, n - i, x, sizeof(x)) < 0)
			x[0] = 0;
		if (bpfext_insn_print(b + i, n - i, y, sizeof(y)) < 0)
			y[0] = 0;
		printf("  %-36s %s %s\n", x, memcmp(a + i, b + i, sizeof(*a)) ? "|" : " ", y);
		if (bpfext_insn_is_ldimm64(a + i))
			i++;
	}
}

/*
 * One query: window [s, s + n) of @lp against @cand, checked alone
 * (modular) or as the whole program with the window replaced.
 */
static int query(const struct bpfext_linked_prog *lp, size_t s, size_t n,
		 const struct bpf_insn *cand, const struct bpfext_sym_opts *o,
		 struct bpfext_proof_cache *pc, bool modular,
		 struct bpfext_error *err)
{
	struct bpfext_linked_prog b = *lp;
	int ret;

	if (bpfext_proof_cache__has(pc, lp->insns + s, n, cand, n, 0x7ff, NULL))
		return BPFEXT_EQUIVALENT;
	if (modular) {
		ret = bpfext_sym_equiv_window(lp->insns + s, n, cand, n, 0x7ff,
					      o, NULL, err);
	} else {
		b.insns = malloc(lp->cnt * sizeof(*b.insns));
		if (!b.insns)
			return -ENOMEM;
		memcpy(b.insns, lp->insns, lp->cnt * sizeof(*b.insns));
		memcpy(b.insns + s, cand, n * sizeof(*cand));
		ret = bpfext_sym_equiv_prog(lp, &b, o, NULL, err);
		free(b.insns);
	}
	if (ret == BPFEXT_EQUIVALENT)
		bpfext_proof_cache__add(pc, lp->insns + s, n, cand, n, 0x7ff, NULL);
	return ret;
}

int main(int argc, char **argv)
{
	size_t wlen = 8, max = 2000, nq = 0, cap = 0;
	unsigned int verdict[2][3] = { { 0 } }, errors = 0;
	double *times = NULL, total = 0;
	struct bpfext_proof_cache *pc = bpfext_proof_cache__new();
	char off[64] = "", on[64] = "";
	bool modular = true;
	unsigned int flags = 0;
	int i, opt;

	while ((opt = getopt(argc, argv, "vw:n:s:e:")) != -1) {
		if (opt == 'v')
			verbose = true;
		else if (opt == 'e' && !strcmp(optarg, "offset"))
			flags |= BPFEXT_SYM_OFFSET_CONC;
		else if (opt == 's' && !strcmp(optarg, "cache"))
			bpfext_proof_cache__free(pc), pc = NULL;
		else if (opt == 's' && !strcmp(optarg, "modular"))
			modular = false;
		else if (opt == 'w')
			wlen = (size_t)atoi(optarg);
		else if (opt == 'n')
			max = (size_t)atoi(optarg);
		else {
			fprintf(stderr, "usage: %s [-v] [-w WINDOW] [-n MAX] [-s cache|modular]... [-e offset] OBJ...\n",
				argv[0]);
			return 2;
		}
		if (opt == 's')
			snprintf(off + strlen(off), sizeof(off) - strlen(off),
				 "%s%s", *off ? " " : "", optarg);
		if (opt == 'e')
			snprintf(on, sizeof(on), "%s", optarg);
	}
	if (wlen < 1 || wlen > 64)
		return 2;
	for (i = optind; i < argc && nq < 2 * max; i++) {
		struct bpfext_object *obj = bpfext_object__open(argv[i], NULL);
		size_t p;

		if (!obj)
			continue;
		for (p = 0; p < bpfext_object__prog_cnt(obj) && nq < 2 * max; p++) {
			struct bpfext_linked_prog lp;
			size_t s;

			if (bpfext_prog__linked_insns(obj, bpfext_object__prog(obj, p),
						      &lp, NULL))
				continue;
			/* non-overlapping windows */
			for (s = 0; s + wlen <= lp.cnt && nq < 2 * max; s += wlen) {
				struct bpf_insn cand[64];
				BPFEXT_OPTS(bpfext_sym_opts, o,
					    .timeout_ms = 10000,
					    .flags = flags);
				struct bpfext_error err;
				int kind, ret;

				if (!window_ok(lp.insns + s, wlen) ||
				    (s && bpfext_insn_is_ldimm64(&lp.insns[s - 1])))
					continue;
				for (kind = 0; kind < 2; kind++) {
					double t0;

					memcpy(cand, lp.insns + s, wlen * sizeof(*cand));
					if (kind && !mutate(cand, wlen, (unsigned int)s))
						continue;
					t0 = now();
					ret = query(&lp, s, wlen, cand, &o, pc, modular, &err);
					t0 = now() - t0;
					if (ret < 0) {
						errors++;
						continue;
					}
					verdict[kind][ret]++;
					if (verbose && kind && ret == BPFEXT_EQUIVALENT)
						show(lp.insns + s, cand, wlen);
					if (nq == cap) {
						cap = cap ? cap * 2 : 1024;
						times = realloc(times, cap * sizeof(*times));
						if (!times)
							return 1;
					}
					times[nq++] = t0;
					total += t0;
				}
			}
			bpfext_linked_prog__free(&lp);
		}
		bpfext_object__close(obj);
	}
	if (!nq) {
		fprintf(stderr, "no windows\n");
		return 1;
	}
	qsort(times, nq, sizeof(*times), cmp_d);
	printf("window %zu insns, speed-ups off: %s%s%s\n", wlen, *off ? off : "none",
	       *on ? "; on: " : "", on);
	printf("%zu queries (%u not encodable, %zu answered by the proven-pair cache)\n",
	       nq, errors, bpfext_proof_cache__hits(pc));
	printf("  identical: %u equivalent, %u different, %u undecided\n",
	       verdict[0][0], verdict[0][1], verdict[0][2]);
	printf("  mutated:   %u equivalent, %u different, %u undecided\n",
	       verdict[1][0], verdict[1][1], verdict[1][2]);
	printf("  time per query: median %.2f ms, p90 %.2f ms, max %.2f ms, mean %.2f ms\n",
	       times[nq / 2] * 1e3, times[nq * 9 / 10] * 1e3, times[nq - 1] * 1e3,
	       total / nq * 1e3);
	free(times);
	bpfext_proof_cache__free(pc);
	return 0;
}
