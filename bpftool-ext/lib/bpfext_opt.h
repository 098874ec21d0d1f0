/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * libbpfext_opt: what proves and optimizes (with Z3): translation
 * validation of two builds of a program (prog equiv) and the optimizing
 * pipeline (prog optimize).  The conventions are bpfext.h's.
 */
#ifndef BPFEXT_OPT_H
#define BPFEXT_OPT_H

#include <stdatomic.h>
#include <stdio.h>

#include "bpfext.h"

/*
 * Equivalence (semantics/symbolic.c, semantics/equiv.c).
 */

enum bpfext_equiv {
	BPFEXT_EQUIVALENT = 0,
	BPFEXT_DIFFERENT = 1,
	BPFEXT_UNDECIDED = 2,		/* solver timeout or unknown */
};

/*
 * Memory offset concretization (K2): a load's chain leaves out older
 * stores whose address is a known number other than the load's.  Off by
 * default: on the whole-program queries of the samples (67, bench_equiv
 * -s modular) Z3 was faster without it (median 16 against 20 ms, mean 18
 * against 79 ms), and window queries have no numeric addresses for it.
 */
#define BPFEXT_SYM_OFFSET_CONC		(1u << 0)

struct bpfext_sym_opts {
	size_t sz;			/* BPFEXT_OPTS() sets it */
	unsigned int timeout_ms;	/* 0: none */
	uint32_t max_pkt;		/* program check: bytes; 0: 128 */
	unsigned int flags;		/* BPFEXT_SYM_NO_* */
	/* window check: bits of r0-r10 known to be zero / one on entry, or NULL */
	const uint64_t *known_zero;
	const uint64_t *known_one;
};
#define bpfext_sym_opts__last_field known_one

#define BPFEXT_SYM_MAX_PKT	1500
#define BPFEXT_SYM_MAX_MEM	64
#define BPFEXT_SYM_MAX_KEY	64
#define BPFEXT_SYM_MAX_VALUE	512
#define BPFEXT_SYM_MAX_ENTRIES	64
#define BPFEXT_SYM_MAX_CTX	512	/* opaque contexts: bytes modelled */
#define BPFEXT_SYM_MAX_LTV	32
#define BPFEXT_SYM_MAX_CALLS	16
#define BPFEXT_SYM_MAX_BIG	(1u << 16)	/* bytes of larger global data */

/* A counterexample. */
struct bpfext_sym_cex {
	/* window check: initial registers and the memory bytes read */
	uint64_t regs[11];
	size_t nr_mem;
	uint64_t mem_addr[BPFEXT_SYM_MAX_MEM];
	uint8_t mem_val[BPFEXT_SYM_MAX_MEM];
	/* window check: what each side produced */
	bool exited[2];
	uint64_t out_regs[2][11];
	/* program check: the input */
	uint8_t pkt[BPFEXT_SYM_MAX_PKT];
	uint32_t pkt_len;
	uint8_t ctx[BPFEXT_SYM_MAX_CTX];
	uint32_t ctx_len;
	/* program check: the entry stack frame, as the kernel left it */
	uint8_t stack[BPFEXT_INTERP_STACK];
	/*
	 * program check: found only with other widths of relocated fields
	 * or with what earlier calls left in callee frames, both of which
	 * the interpreter does not run
	 */
	bool beyond_interp;
	/* program check: r0 each side returns */
	uint64_t r0[2];
	/* program check: initial map entries, CPU, prog arrays filled */
	uint32_t cpu;
	bool tail_call_ok;
	size_t nr_entries;
	struct {
		uint32_t map;
		uint8_t key[BPFEXT_SYM_MAX_KEY];
		uint8_t value[BPFEXT_SYM_MAX_VALUE];
		/* a value over BPFEXT_SYM_MAX_VALUE bytes: at big[big_at - 1] */
		uint32_t big_at;
	} entries[BPFEXT_SYM_MAX_ENTRIES];
	struct bpfext_interp_kv kv[BPFEXT_SYM_MAX_ENTRIES];
	uint8_t big[BPFEXT_SYM_MAX_BIG];
	uint32_t nr_big;
	/* program check: the load-time values the loader chose */
	size_t nr_ltv;
	struct {
		char key[BPFEXT_LTV_KEY_MAX];
		uint64_t value;
	} ltv[BPFEXT_SYM_MAX_LTV];
	struct bpfext_interp_ltv iltv[BPFEXT_SYM_MAX_LTV];
	/* program check: what the opaque helper calls of either side answered */
	size_t nr_calls;
	struct {
		int32_t id;
		uint64_t key, r0;
		uint32_t nr_out;
		uint8_t out[BPFEXT_HELPER_BUF_MAX];
	} calls[BPFEXT_SYM_MAX_CALLS];
	struct bpfext_interp_call icalls[BPFEXT_SYM_MAX_CALLS];
};

/**
 * bpfext_sym_equiv_prog - are two linked programs equivalent?
 *
 * Both must have the same program type (XDP, socket filter, tc or
 * another skb type, or a tracing type).  What is compared, and how
 * each side is modelled, is described in lib/semantics/symbolic.h.
 *
 * Return: a enum bpfext_equiv value, or a negative errno.
 */
int bpfext_sym_equiv_prog(const struct bpfext_linked_prog *a,
			  const struct bpfext_linked_prog *b,
			  const struct bpfext_sym_opts *opts,
			  struct bpfext_sym_cex *cex,
			  struct bpfext_error *err);

/* The initial value of the counterexample's map entry @i. */
const uint8_t *bpfext_sym_cex__value(const struct bpfext_sym_cex *cex, size_t i);

/* Program types the program check gives an opaque context (no packet). */
bool bpfext_sym_opaque_ctx(enum bpf_prog_type t);

/* Interpreter input replaying a program-check counterexample; points
 * into @cex (whose ->kv it fills). */
void bpfext_sym_cex__input(struct bpfext_sym_cex *cex,
			   struct bpfext_interp_input *input);

/*
 * Translation validation of two builds of a program: what
 * `bpftool-ext prog equiv` needs, as a library call.
 *
 * bpfext_equiv_progs() first runs both linked programs in the
 * interpreter on crafted packets (Ethernet, VLAN, IPv4, IPv6, TCP, UDP,
 * ICMP, random bytes), so most differences are found without a solver
 * call; then it asks the symbolic checker for a proof or a
 * counterexample, and replays any counterexample in the interpreter to
 * report both sides' outputs.
 */
#define BPFEXT_EQUIV_PKT_MAX	BPFEXT_TEST_PKT_MAX

/* The outcome of one side on the counterexample. */
struct bpfext_equiv_side {
	enum bpfext_interp_status status;
	uint64_t r0;
	uint32_t pkt_len;
	uint8_t pkt[BPFEXT_EQUIV_PKT_MAX];
	bool redirect;
	uint64_t redirect_ifindex;
	uint32_t tail_call_index;
	char fault[128];
};

struct bpfext_equiv_report {
	int verdict;			/* enum bpfext_equiv */
	bool by_test;			/* difference found by a test input */
	unsigned int tests_run;
	char reason[BPFEXT_ERRMSG_MAX];	/* why undecided; how proven */
	struct bpfext_sym_cex cex;	/* the input, when different */
	struct bpfext_equiv_side side[2];
	char diff[128];			/* the first difference */
};

/**
 * bpfext_equiv_progs - check two linked programs for equivalence
 * @a, @b: the programs (same type and map table)
 * @opts: solver options, may be NULL
 * @tests: test inputs to try before the solver (0: none)
 * @rep: the verdict and its evidence
 *
 * A program the checker cannot encode yet gives BPFEXT_UNDECIDED with the
 * reason in @rep->reason, unless a test input already tells them apart.
 *
 * Return: 0 (see @rep->verdict), or a negative errno for a usage error
 * (different program types or maps) with a reason in @err.
 */
int bpfext_equiv_progs(const struct bpfext_linked_prog *a,
		       const struct bpfext_linked_prog *b,
		       const struct bpfext_sym_opts *opts, unsigned int tests,
		       struct bpfext_equiv_report *rep,
		       struct bpfext_error *err);

/*
 * Print the counterexample of @rep (input registers are those of the
 * program type: the packet, non-zero context bytes, the CPU, initial map
 * entries named from @lp) and the two outcomes, one item a line, each
 * line prefixed with @indent.
 */
void bpfext_equiv_report__print(const struct bpfext_equiv_report *rep,
				const struct bpfext_linked_prog *lp,
				const char *indent, FILE *f);

/*
 * The optimizer (superopt/, pipeline.c).
 */

enum bpfext_cost_model {
	BPFEXT_COST_INSNS,	/* instruction slots */
	BPFEXT_COST_LATENCY,	/* per-opcode latency estimate */
	BPFEXT_COST_JIT,	/* bytes of x86-64 JIT code (jit_cost.c) */
};

/* A proven-equivalent replacement of slots [start, start + len). */
struct bpfext_rewrite {
	size_t shndx;			/* ELF index of the section */
	char sec_name[64];
	char func[64];			/* the function it is in */
	size_t start, len;
	struct bpf_insn old[BPFEXT_WIN_MAX_INSNS];
	struct bpf_insn insns[BPFEXT_WIN_MAX_INSNS];
	size_t cnt;
	uint64_t cost_before, cost_after;
	double time_to_best;		/* seconds into the section's search */
};

struct bpfext_rule_cache;

/*
 * Open the cache stored in @path (a missing file is an empty cache; NULL:
 * an in-memory cache that is never saved).
 * Return: the cache, or NULL with @err set (unreadable or corrupt file).
 */
struct bpfext_rule_cache *bpfext_rule_cache__open(const char *path,
						  struct bpfext_error *err);

/* Write the cache back atomically if rules were learned. 0 or -errno. */
int bpfext_rule_cache__save(struct bpfext_rule_cache *rc,
			    struct bpfext_error *err);

void bpfext_rule_cache__free(struct bpfext_rule_cache *rc);

size_t bpfext_rule_cache__size(const struct bpfext_rule_cache *rc);
/* Rules learned since open. */
size_t bpfext_rule_cache__learned(const struct bpfext_rule_cache *rc);

struct bpfext_recog_stats {
	unsigned int sites[BPFEXT_EINSN_NR];	/* rewrites, by op id */
	unsigned int candidates;	/* pattern matches */
	unsigned int clobbered;		/* refused: a scratch register is live */
	unsigned int unproven;		/* refused: not proven equivalent */
};

/* A bitmask of EInsn op ids from a list "rotate,bfext" (names or ids). */
int bpfext_recog_parse_ops(const char *list, uint32_t *ops,
			   struct bpfext_error *err);
/* The ops of a target table (bpfext_kops_read()) that are EInsn ops. */
uint32_t bpfext_recog_table_ops(const struct bpfext_kops_op *ops, size_t cnt);

/*
 * The whole optimizing pipeline on one object image:
 *   clean up → recognize EInsn idioms (Kops form) → search every window
 *   outside the Kops regions → apply proven rewrites →
 *   check with the static safety analysis (analysis/safety.c), dropping
 *   rewrites that make a program unsafe that was not →
 *   check with the running kernel's verifier, keeping only the rewrites
 *   under which every program that loaded before still loads.
 */
struct bpfext_pipeline_opts {
	size_t sz;			/* BPFEXT_OPTS() sets it */
	const char *prog;		/* only this program's section, or NULL */
	const char *type;		/* program type override, or NULL */
	/* the search */
	/*
	 * Seconds for the whole run, a deadline.  The input's checks come
	 * first (the kernel's verdict on each program when kernel_check,
	 * the safety analysis), and the search ends as much before the
	 * deadline as they took, but gets a tenth of the budget at least:
	 * each section its share of the time left when it starts, the
	 * rules over every window, then the search of every window, each
	 * window started only before the deadline (its proofs get the time
	 * that was left when it started, 0.1 s at least).  The safety
	 * analysis and the kernel check then try rewrites back one by one
	 * only until the deadline, dropping those they had no time for.
	 * What it cannot cut short comes on top: the clean-ups, the
	 * output's checks (about the input's again, plus building its
	 * image), select_measured's timing runs, and writing it.  Ignored
	 * with no_search.
	 */
	double budget;
	unsigned int jobs;		/* threads */
	uint64_t seed;
	enum bpfext_cost_model cost;
	struct bpfext_jit_probe *jit;	/* for BPFEXT_COST_JIT, or NULL */
	atomic_bool *stop;		/* set (by a signal handler too) to stop early */
	unsigned int solver_timeout_ms;	/* per window query, 0: 10 s */
	/* rewrites found before, proposed again; learns new ones; NULL: none */
	struct bpfext_rule_cache *rule_cache;
	/* called (serialised) as windows finish */
	void (*progress)(void *arg, size_t done, size_t total);
	void *progress_arg;
	/* the other steps */
	bool kernel_check;		/* load in the running kernel */
	const char *btf_custom_path;	/* ... with CO-RE against this BTF */
	bool no_search;			/* clean-ups only */
	uint32_t kops_ops;		/* EInsn op ids to emit (bit n: id n), 0: none */
	unsigned int kops_timeout_ms;	/* per recognizer proof, 0: default */
	bool select_measured;		/* search under every cost model, time
					 * the results, keep the fastest */
	unsigned int measure_repeat;	/* test_run repeat, 0: default */
	/* sizes for the kernel check, as bpfext_load_opts has them */
	const struct bpfext_map_size *map_sizes;
	size_t nr_map_sizes;
};
#define bpfext_pipeline_opts__last_field nr_map_sizes

/* A site rewritten into Kops form. */
struct bpfext_kops_site {
	size_t shndx;			/* section */
	char func[64];			/* function symbol it lies in */
	unsigned int op;		/* EInsn id */
	size_t start, len, cnt;		/* slots in the cleaned-up input, new length */
};

/* A search rewrite the safety analysis refused, and why. */
struct bpfext_safety_drop {
	struct bpfext_rewrite rw;	/* the rewrite */
	char prog[64];			/* the program it made unsafe */
	size_t insn;			/* slot of the violation in that program */
	char reason[256];
};

struct bpfext_pipeline_result {
	void *img;			/* the output object, malloc()ed */
	size_t size;
	struct bpfext_rewrite *rewrites;	/* the rewrites kept */
	size_t nr_rewrites;
	size_t windows;
	size_t rejected_by_kernel;	/* proven rewrites the verifier refused */
	size_t unsearched;		/* windows the budget left unsearched */
	size_t dropped_at_deadline;	/* rewrites the kernel check had no time for */
	double input_load_s;		/* seconds the kernel took on the input */
	double input_safety_s;		/* ... and the safety analysis */
	size_t rejected_by_safety;	/* ... the safety analysis refused */
	struct bpfext_safety_drop *safety_drops;	/* malloc()ed, that many */
	unsigned int solver_calls;
	uint64_t proposals;
	size_t cache_hits;		/* rewrites that began as a cached rule */
	size_t proofs_reused;		/* solver calls the proven-pair cache saved */
	/*
	 * The kernel was asked, and every program of the input loaded: then
	 * each still loads (a program the kernel refused before cannot
	 * tell anything, and is no check of its rewrites).
	 */
	bool kernel_checked;
	bool *orig_loaded;		/* per program, when the kernel was asked */
	struct bpfext_kops_site *kops_sites;	/* malloc()ed */
	struct bpfext_rewrite *kops_rewrites;	/* the same sites, malloc()ed */
	size_t nr_kops_sites;
	struct bpfext_recog_stats kops_stats;
	/* select measured */
	bool measured;			/* the candidates could be timed */
	const char *selected;		/* cost model of the build kept, "none" */
	size_t candidates;
	uint64_t *ns_before, *ns_after;	/* per program, test_run ns, 0: not timed */
};

int bpfext_pipeline_run(const void *img, size_t size, const char *name,
			const struct bpfext_pipeline_opts *opts,
			struct bpfext_pipeline_result *res,
			struct bpfext_error *err);

void bpfext_pipeline_result__free(struct bpfext_pipeline_result *res);

/*
 * bpfext_pipeline_safety_filter - the pipeline's safety step on its own
 * @img, @size: the object the rewrites refer to
 * @type: program type override, or NULL
 * @res: ->rewrites[0..nr_rewrites) to check; those under which a program
 *       becomes unsafe (its original being safe or unknown) are removed,
 *       counted in ->rejected_by_safety and described in ->safety_drops
 *
 * Return: 0 or a negative errno.
 */
int bpfext_pipeline_safety_filter(const void *img, size_t size, const char *name,
				  const char *type, struct bpfext_pipeline_result *res,
				  struct bpfext_error *err);

#endif /* BPFEXT_OPT_H */
