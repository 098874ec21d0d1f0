/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Translation validation of two builds of a program: what
 * `bpftool-ext prog equiv` needs, as a library call.
 *
 * bpfext_equiv_progs() first runs both linked programs in the
 * interpreter on crafted packets (Ethernet, VLAN, IPv4, IPv6, TCP, UDP,
 * ICMP, random bytes), so most differences are found without a solver
 * call; then it asks the symbolic checker (symbolic.h) for a proof or a
 * counterexample, and replays any counterexample in the interpreter to
 * report both sides' outputs.
 */
#ifndef BPFEXT_EQUIV_H
#define BPFEXT_EQUIV_H

#include <stdio.h>

#include "semantics/interp.h"
#include "semantics/symbolic.h"

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

#endif /* BPFEXT_EQUIV_H */
