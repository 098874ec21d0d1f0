/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the parts of the Kops selftest (kops_test.c: functional tests and
 * the defects' regression tests; kops_envelope.c: every op at the extremes
 * of its parameters; kops_fuzz.c: random programs) share.
 */
#ifndef KOPS_TEST_H
#define KOPS_TEST_H

#include "kops_util.h"

#define CTX_SIZE	1024
#define NR_INPUTS	200
#define MAX_INSNS	4096

#define P_LDBSWAP(size, off)	((size) | ((off) & 0x3ff) << 2)
#define P_MEMCPY(sw, dw)	(((sw) & 0x3f) | ((dw) & 0x3f) << 6)
#define P_LEA(s, disp)		((s) | ((disp) & 0x3ff) << 2)

/* registers the programs of build_prog() load from ctx[0..7] and store to
 * ctx[8..15]
 */
extern const int io_regs[8];
extern uint8_t img[1 << 20];

int run(int fd, void *ctx, uint32_t *retval);
int run_skb(int fd, void *data, uint32_t size, uint32_t *retval);
int build_prog(const struct kops_use *u, int nuses, struct bpf_insn *insns);
uint64_t rnd(void);
void gen_input(uint64_t *ctx, int iter);
int prologue(struct bpf_insn *insns);
int epilogue(struct bpf_insn *insns, int n);
void expect_reject(const char *name, const struct bpf_insn *insns, int n,
		   const char *msg);
void check_prog(const char *name, const struct bpf_insn *insns, int n,
		const uint8_t *pat, int plen, const uint8_t *nopat, int noplen,
		int inputs, int harden);
int op_patterns(const struct kops_use *u, uint8_t *pat, uint8_t *nopat,
		int *noplen);
void check_op(const char *name, const struct kops_use *u, int nuses);
int klog_clean(const char *what);
void close_fds(int *fds, int n);
extern int have_interp;
int capset_keep(uint64_t caps);

#define CAP_BIT(c)	(1ULL << (c))

void test_envelope(void);
void test_fuzz(int programs);

#endif
