// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * MCMC search over one window; see search.h.
 *
 * A candidate has the window's slot count, unused slots holding NOPs
 * (goto pc+0), so the proposals of K2 and STOKE stay simple: replace an
 * instruction, replace an operand, replace two neighbours, replace an
 * instruction or a run of two or three by NOPs, change a memory access
 * width.  The cost is the
 * error on the test states (differing live-out bits, 8 per differing
 * memory byte) plus the performance cost; a worse candidate is accepted
 * with probability exp(-beta * increase).
 *
 * Side exits (window.h) stay in their slots: proposals never touch them,
 * the error and the proof are taken at every exit (the registers live
 * at its target, memory) as well as at the end, and an access may not
 * move above an exit the original made it after.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "analysis/liveness.h"
#include "superopt/search.h"
#include "analysis/sums.h"
#include "kernel/jit_cost.h"
#include "superopt/proof_cache.h"
#include "semantics/symbolic.h"

#define MAX_TESTS	64
#define INIT_TESTS	16
/* Weight of one cost unit against one bit of error: an instruction
 * slot weighs 8; a JIT byte 2, as x86-64 spends about 4 per slot. */
#define PERF_WEIGHT	8
#define JIT_WEIGHT	2
#define UNSAFE_ERROR	64
#define BETA		0.35
#define SEEN_SLOTS	4096

static const struct bpf_insn NOP = { .code = BPF_JMP | BPF_JA };

/*
 * Where a sequence's state is compared: at each side exit, then at the
 * end.  Every conditional jump of a window is one of its exits, so a
 * candidate's checkpoints are found the same way, whatever its length.
 */
struct checkpoints {
	unsigned int n;
	size_t pos[BPFEXT_WIN_MAX_EXITS + 1];
	uint16_t live[BPFEXT_WIN_MAX_EXITS + 1];
};

static int checkpoints_init(struct checkpoints *cp, const struct bpf_insn *w,
			    size_t n, uint16_t live_out, const struct bpfext_win_exits *exits)
{
	size_t i;

	cp->n = 0;
	for (i = 0; i < n; i++) {
		if (!bpfext_win_insn_is_exit(&w[i]))
			continue;
		if (!exits || cp->n == exits->n)
			return -EINVAL;
		cp->pos[cp->n] = i;
		cp->live[cp->n] = exits->live[cp->n];
		cp->n++;
	}
	if (exits && cp->n != exits->n)
		return -EINVAL;
	cp->pos[cp->n] = n;
	cp->live[cp->n++] = live_out;
	return 0;
}

/* xorshift64*: small, fast and reproducible for a given seed. */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

static unsigned int pick(uint64_t *s, unsigned int n)
{
	return n ? rnd(s) % n : 0;
}

static unsigned int latency(const struct bpf_insn *x)
{
	switch (BPF_CLASS(x->code)) {
	case BPF_ALU:
	case BPF_ALU64:
		switch (BPF_OP(x->code)) {
		case BPF_MUL:
			return 3;
		case BPF_DIV:
		case BPF_MOD:
			return 20;
		default:
			return 1;
		}
	case BPF_LDX:
		return 4;
	case BPF_ST:
	case BPF_STX:
		return 2;
	case BPF_LD:
		return 2;
	default:
		return 1;
	}
}

uint64_t bpfext_cost(const struct bpf_insn *insns, size_t cnt,
		     enum bpfext_cost_model model, struct bpfext_jit_probe *jit)
{
	uint64_t c = 0;
	size_t i;

	for (i = 0; i < cnt; i++) {
		if (bpfext_insn_is_nop(&insns[i]))
			continue;
		switch (model) {
		case BPFEXT_COST_LATENCY:
			c += latency(&insns[i]);
			break;
		case BPFEXT_COST_JIT:
			c += jit ? (unsigned int)bpfext_jit_probe__bytes(jit, &insns[i]) :
				   bpfext_x86_jit_bytes(&insns[i]);
			break;
		default:
			c++;
		}
	}
	return c;
}

/*
 * Byte ranges the original window read and wrote, per address sum
 * (sums.h): a candidate may reach memory through a pointer it computes,
 * but only bytes the original reached through the same sum.
 */
#define OFF_SPAN	1024		/* offsets -512..511 from the sum's registers */
#define OFF_WORDS	(OFF_SPAN / 64)

struct access_map {
	size_t n, nr_exact;
	struct {
		uint16_t regs;
		uint64_t read[OFF_WORDS];
		uint64_t written[OFF_WORDS];
	} base[BPFEXT_WIN_MAX_INSNS];
	struct {
		int b;
		int64_t off;
		unsigned int size;
	} exact[BPFEXT_WIN_MAX_INSNS];		/* every access, for alignment */
	struct bpfext_sums syms;	/* the whole window's loaded pointers */
};

/* Bytes [off, off + size) as bits of @bm, or -1 outside the span. */
static int64_t bit_of(int64_t off, unsigned int i)
{
	int64_t o = off + (int64_t)i + OFF_SPAN / 2;

	return o < 0 || o >= OFF_SPAN ? -1 : o;
}

static void mark(uint64_t *bm, int64_t off, unsigned int size)
{
	unsigned int i;

	for (i = 0; i < size; i++) {
		int64_t o = bit_of(off, i);

		if (o >= 0)
			bm[o / 64] |= 1ull << (o % 64);
	}
}

static bool marked(const uint64_t *bm, int64_t off, unsigned int size)
{
	unsigned int i;

	for (i = 0; i < size; i++) {
		int64_t o = bit_of(off, i);

		if (o < 0 || !(bm[o / 64] & (1ull << (o % 64))))
			return false;
	}
	return true;
}

static unsigned int msize(uint8_t code)
{
	static const unsigned int sz[] = { 4, 2, 1, 8 };

	return sz[BPF_SIZE(code) >> 3];
}

/* Byte offset of access @x from the registers of its sum @a. */
static int64_t offset_of(const struct bpfext_sum *a, const struct bpf_insn *x)
{
	return (int64_t)(a->k + (uint64_t)(int64_t)x->off);
}

/* The address sum of memory access @x, or NULL when it has none. */
static const struct bpfext_sum *addr_of(const struct bpfext_sum *r, const struct bpf_insn *x)
{
	const struct bpfext_sum *b = &r[BPF_CLASS(x->code) == BPF_LDX ? x->src_reg
							       : x->dst_reg];

	return b->known && b->regs ? b : NULL;
}

static int find_base(const struct access_map *am, uint16_t regs)
{
	size_t i;

	for (i = 0; i < am->n; i++)
		if (am->base[i].regs == regs)
			return (int)i;
	return -1;
}

static int add_base(struct access_map *am, uint16_t regs)
{
	int b = find_base(am, regs);

	if (b >= 0 || am->n == BPFEXT_WIN_MAX_INSNS)
		return b;
	memset(&am->base[am->n], 0, sizeof(am->base[0]));
	am->base[am->n].regs = regs;
	return (int)am->n++;
}

/* The accesses of @w[0, n), symbols named by @syms (all of @w). */
static void collect_access(const struct bpf_insn *w, size_t n,
			   const struct bpfext_sums *syms, struct access_map *am)
{
	struct bpfext_sums st;
	const struct bpfext_sum *r = st.r;
	size_t i;

	am->n = am->nr_exact = 0;
	am->syms = *syms;
	bpfext_sums_init(&st, syms);
	for (i = 0; i < n; i++) {
		const struct bpfext_sum *a = bpfext_insn_is_mem(&w[i]) ? addr_of(r, &w[i]) : NULL;
		int b = a ? add_base(am, a->regs) : -1;

		/* Accesses outside the span are not recorded: never reused. */
		if (b >= 0) {
			mark(BPF_CLASS(w[i].code) == BPF_LDX ? am->base[b].read
							       : am->base[b].written,
			     offset_of(a, &w[i]), msize(w[i].code));
			am->exact[am->nr_exact].b = b;
			am->exact[am->nr_exact].off = offset_of(a, &w[i]);
			am->exact[am->nr_exact++].size = msize(w[i].code);
		}
		bpfext_sum_step(&st, &w[i]);
	}
}

static bool same_access(const struct access_map *am, int b, int64_t off,
			unsigned int size)
{
	size_t i;

	for (i = 0; i < am->nr_exact; i++)
		if (am->exact[i].b == b && am->exact[i].off == off &&
		    am->exact[i].size == size)
			return true;
	return false;
}

/* The original's accesses before each checkpoint, one map per checkpoint. */
static struct access_map *collect_checkpoints(const struct bpf_insn *w,
					      const struct checkpoints *cp)
{
	struct access_map *am = malloc(cp->n * sizeof(*am));
	struct bpfext_sums syms;
	unsigned int c;
	size_t i;

	bpfext_sums_init(&syms, NULL);
	for (i = 0; i < cp->pos[cp->n - 1]; i++)
		bpfext_sum_step(&syms, &w[i]);
	for (c = 0; am && c < cp->n; c++)
		collect_access(w, cp->pos[c], &syms, &am[c]);
	return am;
}

/*
 * bpfext_window_safe() against the original's accesses @am (one map per
 * checkpoint: an access after side exit c - 1 is checked against what
 * the original did before exit c, or before the end).
 */
static bool cand_safe(const struct access_map *am, const struct bpf_insn *cand,
		      size_t m, uint16_t live_in)
{
	uint16_t avail = live_in | (1u << 10), def, use;
	unsigned int seg = 0;
	struct bpfext_sums st;
	const struct bpfext_sum *r = st.r;
	size_t i;

	bpfext_sums_init(&st, &am[0].syms);
	for (i = 0; i < m; i++) {
		const struct bpf_insn *x = &cand[i];
		uint8_t cls = BPF_CLASS(x->code);

		if (bpfext_insn_is_nop(x))
			continue;
		bpfext_insn_defuse(x, &def, &use);
		if (x->dst_reg == 10 && cls != BPF_ST && cls != BPF_STX &&
		    !bpfext_win_insn_is_exit(x))
			return false;
		if (use & ~avail)
			return false;
		if (bpfext_insn_is_mem(x)) {
			const struct access_map *sm = &am[seg];
			const struct bpfext_sum *a = addr_of(r, x);
			unsigned int sz = msize(x->code);
			bool in_read, in_written;
			int b = a ? find_base(sm, a->regs) : -1;

			if (b < 0)
				return false;
			in_written = marked(sm->base[b].written, offset_of(a, x), sz);
			in_read = marked(sm->base[b].read, offset_of(a, x), sz);
			if (cls == BPF_LDX ? !(in_read || in_written) : !in_written)
				return false;
			/* Misaligned only where the original was. */
			/*
			 * The kernel insists on aligned stack accesses; for
			 * other memory this host's verifier allows unaligned
			 * ones, and the kernel check has the last word.
			 */
			if ((a->regs & (1u << BPF_REG_10)) && offset_of(a, x) % (int)sz &&
			    !same_access(sm, b, offset_of(a, x), sz))
				return false;
		}
		bpfext_sum_step(&st, x);
		avail |= def;
		seg += bpfext_win_insn_is_exit(x);
	}
	return true;
}

bool bpfext_window_safe(const struct bpf_insn *orig, size_t n,
			const struct bpf_insn *cand, size_t m,
			uint16_t live_in, const struct bpfext_win_exits *exits)
{
	struct checkpoints cp, cc;
	struct access_map *am;
	bool safe;

	if (checkpoints_init(&cp, orig, n, 0, exits) ||
	    checkpoints_init(&cc, cand, m, 0, exits))
		return false;
	am = collect_checkpoints(orig, &cp);
	safe = am && cand_safe(am, cand, m, live_in);
	free(am);
	return safe;
}

/* Does every instruction pass the ISA check (no reserved field set)? */
static bool valid_insns(const struct bpf_insn *x, size_t n)
{
	size_t i;
	int k;

	for (i = 0; i < n; i += k) {
		k = bpfext_insn_check(&x[i], n - i, NULL);
		if (k <= 0)
			return false;
	}
	return true;
}

/* What a proposal may draw from. */
struct pools {
	uint8_t regs[11];
	unsigned int nr_regs;
	int32_t imms[32];
	unsigned int nr_imms;
	int16_t offs[16];
	unsigned int nr_offs;
	bool has_mem;
};

static void add_imm(struct pools *p, int32_t v)
{
	unsigned int i;

	for (i = 0; i < p->nr_imms; i++)
		if (p->imms[i] == v)
			return;
	if (p->nr_imms < 32)
		p->imms[p->nr_imms++] = v;
}

static void build_pools(const struct bpf_insn *w, size_t n, uint16_t live_in,
			struct pools *p)
{
	static const int32_t common[] = { 0, 1, -1, 2, 8, 16, 24, 32, 48, 56,
					  0xff, 0xffff };
	uint16_t regs = live_in & 0x3ff, def, use;
	size_t i, k;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < n; i++) {
		bpfext_insn_defuse(&w[i], &def, &use);
		regs |= (def | use) & 0x3ff;
		if (BPF_CLASS(w[i].code) != BPF_JMP)
			add_imm(p, w[i].imm);
		if (BPF_CLASS(w[i].code) == BPF_LDX || BPF_CLASS(w[i].code) == BPF_ST ||
		    BPF_CLASS(w[i].code) == BPF_STX) {
			p->has_mem = true;
			for (k = 0; k < p->nr_offs && p->offs[k] != w[i].off; k++)
				;
			if (k == p->nr_offs && p->nr_offs < 16)
				p->offs[p->nr_offs++] = w[i].off;
		}
	}
	for (i = 0; i < sizeof(common) / sizeof(common[0]); i++)
		add_imm(p, common[i]);
	for (i = 0; i < 10; i++)
		if (regs & (1u << i))
			p->regs[p->nr_regs++] = i;
	if (!p->nr_regs)
		p->regs[p->nr_regs++] = 0;
}

static const uint8_t alu_ops[] = {
	BPF_MOV, BPF_ADD, BPF_SUB, BPF_AND, BPF_OR, BPF_XOR, BPF_LSH, BPF_RSH,
	BPF_ARSH, BPF_MUL, BPF_NEG,
};

static struct bpf_insn random_insn(const struct pools *p, uint64_t *s)
{
	struct bpf_insn x = { 0 };
	unsigned int kind = pick(s, p->has_mem ? 10 : 8);

	x.dst_reg = p->regs[pick(s, p->nr_regs)];
	if (kind < 7) {		/* ALU */
		uint8_t op = alu_ops[pick(s, sizeof(alu_ops))];

		x.code = (pick(s, 3) ? BPF_ALU64 : BPF_ALU) | op;
		if (op != BPF_NEG && pick(s, 2)) {
			x.code |= BPF_X;
			x.src_reg = p->regs[pick(s, p->nr_regs)];
		} else if (op != BPF_NEG) {
			x.imm = p->imms[pick(s, p->nr_imms)];
			if ((op == BPF_LSH || op == BPF_RSH || op == BPF_ARSH))
				x.imm &= BPF_CLASS(x.code) == BPF_ALU64 ? 63 : 31;
		}
	} else if (kind == 7) {	/* byte swap */
		static const int32_t w[] = { 16, 32, 64 };

		x.code = BPF_ALU | BPF_END | (pick(s, 2) ? BPF_TO_BE : BPF_TO_LE);
		x.imm = w[pick(s, 3)];
	} else {		/* memory */
		static const uint8_t sz[] = { BPF_B, BPF_H, BPF_W, BPF_DW };

		x.off = p->offs[pick(s, p->nr_offs)];
		switch (pick(s, 3)) {
		case 0:
			x.code = BPF_LDX | BPF_MEM | sz[pick(s, 4)];
			x.src_reg = p->regs[pick(s, p->nr_regs)];
			if (pick(s, 4) == 0)
				x.src_reg = 10;
			break;
		case 1:
			x.code = BPF_STX | BPF_MEM | sz[pick(s, 4)];
			x.src_reg = p->regs[pick(s, p->nr_regs)];
			break;
		default:
			x.code = BPF_ST | BPF_MEM | sz[pick(s, 4)];
			x.imm = p->imms[pick(s, p->nr_imms)];
		}
		if (BPF_CLASS(x.code) != BPF_LDX && pick(s, 4) == 0)
			x.dst_reg = 10;
	}
	return x;
}

static void mutate_operand(struct bpf_insn *x, const struct pools *p,
			   uint64_t *s)
{
	uint8_t cls = BPF_CLASS(x->code);

	/* A NOP has no operands: setting one would make it invalid. */
	if (cls == BPF_JMP)
		return;
	switch (pick(s, 4)) {
	case 0:
		if (cls != BPF_ST && cls != BPF_STX)
			x->dst_reg = p->regs[pick(s, p->nr_regs)];
		break;
	case 1:
		if (bpfext_insn_src_is_reg(x))
			x->src_reg = p->regs[pick(s, p->nr_regs)];
		break;
	case 2:
		if (cls == BPF_LDX || cls == BPF_ST || cls == BPF_STX)
			x->off = p->offs[pick(s, p->nr_offs)];
		break;
	default:
		if ((cls == BPF_ALU || cls == BPF_ALU64) && BPF_SRC(x->code) == BPF_K &&
		    BPF_OP(x->code) != BPF_END) {
			x->imm = p->imms[pick(s, p->nr_imms)];
			if (BPF_OP(x->code) == BPF_LSH || BPF_OP(x->code) == BPF_RSH ||
			    BPF_OP(x->code) == BPF_ARSH)
				x->imm &= cls == BPF_ALU64 ? 63 : 31;
		} else if (cls == BPF_ST) {
			x->imm = p->imms[pick(s, p->nr_imms)];
		}
	}
}

/* @pinned: slots (side exits) no proposal may change; not all of them. */
static void propose(struct bpf_insn *c, size_t n, uint32_t pinned,
		    const struct pools *p, uint64_t *s)
{
	static const uint8_t sz[] = { BPF_B, BPF_H, BPF_W, BPF_DW };
	size_t i, k;
	uint8_t cls;

	do
		i = pick(s, n);
	while (pinned & (1u << i));
	switch (pick(s, 6)) {
	case 0:
		c[i] = random_insn(p, s);
		break;
	case 5:
		/*
		 * A recomputation (of an address after a bounds check, say)
		 * goes only as a whole: each of its slots alone is an error.
		 */
		for (k = pick(s, 2) + 2; k-- > 0 && i < n && !(pinned & (1u << i)); i++)
			c[i] = NOP;
		break;
	case 1:
		if (!bpfext_insn_is_nop(&c[i]))
			mutate_operand(&c[i], p, s);
		else
			c[i] = random_insn(p, s);
		break;
	case 2:
		c[i] = random_insn(p, s);
		if (i + 1 < n && !(pinned & (1u << (i + 1))))
			c[i + 1] = random_insn(p, s);
		break;
	case 3:
		c[i] = NOP;
		break;
	default:
		cls = BPF_CLASS(c[i].code);
		if (cls == BPF_LDX || cls == BPF_ST || cls == BPF_STX)
			c[i].code = (c[i].code & ~0x18) | sz[pick(s, 4)];
		else
			mutate_operand(&c[i], p, s);
	}
}

static void random_input(struct bpfext_win_input *in, uint64_t *s, unsigned int k,
			 const uint64_t *known_zero, const uint64_t *known_one)
{
	static const uint64_t edge[] = { 0, 1, ~0ull, 0x80000000ull,
					 0x7fffffffull, 0xffffffffull,
					 0x8000000000000000ull };
	unsigned int r;

	memset(in, 0, sizeof(*in));
	for (r = 0; r < 11; r++) {
		switch ((k + r) % 4) {
		case 0:
			in->regs[r] = rnd(s);
			break;
		case 1:
			in->regs[r] = rnd(s) & 0xffff;
			break;
		case 2:
			in->regs[r] = edge[pick(s, sizeof(edge) / sizeof(edge[0]))];
			break;
		default:
			in->regs[r] = 0x1000 + (rnd(s) & 0xff) * 8;
		}
	}
	/* Inputs respect what is known of the window's registers. */
	for (r = 0; known_zero && r < 11; r++)
		in->regs[r] &= ~known_zero[r];
	for (r = 0; known_one && r < 11; r++)
		in->regs[r] |= known_one[r];
	in->mem_seed = rnd(s);
}

struct tests {
	struct bpfext_win_input in[MAX_TESTS];
	struct bpfext_win_state want[MAX_TESTS][BPFEXT_WIN_MAX_EXITS + 1];
	unsigned int n;
};

/* The states of @c at each checkpoint on @in. */
static int eval_checkpoints(const struct bpf_insn *c, const struct checkpoints *cp,
			    const struct bpfext_win_input *in, struct bpfext_win_state *out)
{
	return bpfext_win_eval_at(c, cp->pos, cp->n, in, out) ? -EINVAL : 0;
}

/* Error of @c on every test; stops counting once past @limit. */
static uint64_t error_of(const struct bpf_insn *c, const struct checkpoints *cp,
			 struct tests *t, uint64_t limit)
{
	struct bpfext_win_state got[BPFEXT_WIN_MAX_EXITS + 1];
	uint64_t e = 0;
	unsigned int i, k;

	for (i = 0; i < t->n && e <= limit; i++) {
		if (bpfext_win_eval_at(c, cp->pos, cp->n, &t->in[i], got))
			return UINT64_MAX / 4;
		for (k = 0; k < cp->n; k++)
			e += bpfext_win_distance(&t->want[i][k], &got[k], &t->in[i],
						 cp->live[k]);
	}
	return e;
}

/* Slots [0, len) of @c without NOPs and side exits: what the solver compares. */
static size_t straight(const struct bpf_insn *c, size_t len, struct bpf_insn *out)
{
	size_t i, m = 0;

	for (i = 0; i < len; i++)
		if (!bpfext_insn_is_nop(&c[i]) && !bpfext_win_insn_is_exit(&c[i]))
			out[m++] = c[i];
	return m;
}

/*
 * @c without its NOPs, side exits kept: an exit's target is a slot past
 * the window, which comes n - m slots closer.
 */
size_t bpfext_window_compact(const struct bpf_insn *c, size_t n,
			     struct bpf_insn *out)
{
	size_t i, m = 0, k;

	for (i = 0; i < n; i++)
		if (!bpfext_insn_is_nop(&c[i]))
			out[m++] = c[i];
	for (i = 0, k = 0; i < n; i++) {
		if (bpfext_insn_is_nop(&c[i]))
			continue;
		if (bpfext_win_insn_is_exit(&c[i]))
			out[k].off = (int16_t)((long)i + 1 + c[i].off -
					       (long)(n - m) - (long)k - 1);
		k++;
	}
	return m;
}

int bpfext_window_prove(const struct bpf_insn *win, size_t n,
			const struct bpf_insn *cand, size_t m, uint16_t live_out,
			const struct bpfext_search_opts *opts, unsigned int *solver_calls,
			struct bpfext_sym_cex *cex)
{
	BPFEXT_OPTS(bpfext_sym_opts, so,
		    .timeout_ms = opts->solver_timeout_ms,
		    .known_zero = opts->known_zero,
		    .known_one = opts->known_one);
	struct bpf_insn a[BPFEXT_WIN_MAX_INSNS], b[BPFEXT_WIN_MAX_INSNS];
	uint64_t pre[BPFEXT_PROOF_PRE] = { 0 };
	struct checkpoints cw, cc;
	struct bpfext_error serr;
	unsigned int k;

	if (checkpoints_init(&cw, win, n, live_out, opts->exits) ||
	    checkpoints_init(&cc, cand, m, live_out, opts->exits))
		return -EINVAL;
	for (k = 0; k + 1 < cw.n; k++)
		if (!bpfext_win_same_exit(&win[cw.pos[k]], &cand[cc.pos[k]]))
			return -EINVAL;
	for (k = 0; k < 11; k++) {
		pre[k] = opts->known_zero ? opts->known_zero[k] : 0;
		pre[11 + k] = opts->known_one ? opts->known_one[k] : 0;
	}
	/* The end first: it is where a wrong candidate shows most often. */
	for (k = cw.n; k-- > 0;) {
		size_t na = straight(win, cw.pos[k], a);
		size_t nb = straight(cand, cc.pos[k], b);
		int v;

		if (na == nb && !memcmp(a, b, na * sizeof(*a)))
			continue;
		if (bpfext_proof_cache__has(opts->proofs, a, na, b, nb,
					    cw.live[k], pre))
			continue;
		++*solver_calls;
		v = bpfext_sym_equiv_window(a, na, b, nb, cw.live[k], &so, cex,
					    &serr);
		if (v != BPFEXT_EQUIVALENT)
			return v;
		bpfext_proof_cache__add(opts->proofs, a, na, b, nb, cw.live[k],
					pre);
	}
	return BPFEXT_EQUIVALENT;
}

static uint64_t hash_insns(const struct bpf_insn *c, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	const uint8_t *p = (const uint8_t *)c;
	size_t i;

	for (i = 0; i < n * sizeof(*c); i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h;
}

int bpfext_search_window(const struct bpf_insn *win, size_t n,
			 uint16_t live_in, uint16_t live_out,
			 const struct bpfext_search_opts *opts,
			 struct bpfext_search_result *res, struct bpfext_error *err)
{
	struct bpf_insn cur[BPFEXT_WIN_MAX_INSNS], next[BPFEXT_WIN_MAX_INSNS];
	struct bpf_insn tmp[BPFEXT_WIN_MAX_INSNS];
	uint64_t *seen, s = opts->seed | 1, cur_cost, best_perf, weight;
	struct access_map *am = NULL;
	struct checkpoints cp;
	uint32_t pinned = 0;
	struct tests *t;
	struct pools p;
	double t0 = bpfext_now();
	size_t m = 0;
	uint64_t it;
	unsigned int i;
	int ret = 0;

	memset(res, 0, sizeof(*res));
	if (n > BPFEXT_WIN_MAX_INSNS)
		return bpfext_errf(err, EINVAL, "window of %zu slots is too long", n);
	if (checkpoints_init(&cp, win, n, live_out, opts->exits))
		return bpfext_errf(err, EINVAL, "the window's jumps are not its side exits");
	for (i = 0; i + 1 < cp.n; i++)
		pinned |= 1u << cp.pos[i];
	for (i = 0; i < n; i++)
		if (!(pinned & (1u << i)) && !bpfext_win_insn_supported(&win[i]))
			return bpfext_errf(err, EINVAL, "window insn %u is not supported", i);
	t = calloc(1, sizeof(*t));
	seen = calloc(SEEN_SLOTS, sizeof(*seen));
	am = collect_checkpoints(win, &cp);
	if (!t || !seen || !am) {
		ret = bpfext_errf(err, ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < INIT_TESTS; i++) {
		random_input(&t->in[i], &s, i, opts->known_zero, opts->known_one);
		if (eval_checkpoints(win, &cp, &t->in[i], t->want[i])) {
			ret = bpfext_errf(err, EINVAL, "window does not evaluate");
			goto out;
		}
	}
	t->n = INIT_TESTS;
	build_pools(win, n, live_in, &p);

	memcpy(cur, win, n * sizeof(*win));
	best_perf = bpfext_cost(win, n, opts->cost, opts->jit);
	res->cost_before = res->cost_after = best_perf;
	weight = opts->cost == BPFEXT_COST_JIT ? JIT_WEIGHT : PERF_WEIGHT;
	cur_cost = best_perf * weight;

	for (it = 0; it < opts->iters && pinned != (1ull << n) - 1; it++) {
		uint64_t e, perf, cost;
		double u;

		if ((it & 255) == 0 &&
		    ((opts->stop && atomic_load_explicit(opts->stop, memory_order_relaxed)) ||
		     (opts->deadline && bpfext_now() > opts->deadline)))
			break;
		memcpy(next, cur, n * sizeof(*cur));
		propose(next, n, pinned, &p, &s);
		perf = bpfext_cost(next, n, opts->cost, opts->jit);
		e = error_of(next, &cp, t, UINT64_MAX / 8);
		/*
		 * A correct state that can never be kept (it reads a register
		 * nobody set, say) must not hold the walk.
		 */
		if (!e && !cand_safe(am, next, n, live_in))
			e = UNSAFE_ERROR;
		cost = e + perf * weight;
		u = (double)(rnd(&s) >> 11) / (double)(1ull << 53);
		if (cost > cur_cost && u >= exp(-BETA * (double)(cost - cur_cost)))
			continue;
		memcpy(cur, next, n * sizeof(*cur));
		cur_cost = cost;
		if (e || perf >= best_perf)
			continue;

		/* A cheaper, safe candidate that passes every test: prove it. */
		{
			struct bpfext_sym_cex cex;
			uint64_t h;
			int v;

			m = bpfext_window_compact(next, n, tmp);
			h = hash_insns(tmp, m);
			if (seen[h % SEEN_SLOTS] == h)
				continue;
			seen[h % SEEN_SLOTS] = h;
			if (!valid_insns(tmp, m))
				continue;
			v = bpfext_window_prove(win, n, next, n, live_out, opts,
						&res->solver_calls, &cex);
			if (v == BPFEXT_EQUIVALENT) {
				memcpy(res->insns, tmp, m * sizeof(*tmp));
				res->cnt = m;
				res->improved = true;
				res->cost_after = best_perf = perf;
				res->time_to_best = bpfext_now() - t0;
			} else if (v == BPFEXT_DIFFERENT && t->n < MAX_TESTS) {
				struct bpfext_win_input *in = &t->in[t->n];
				size_t k;

				memset(in, 0, sizeof(*in));
				memcpy(in->regs, cex.regs, sizeof(in->regs));
				in->mem_seed = rnd(&s);
				for (k = 0; k < cex.nr_mem && k < BPFEXT_WIN_MAX_MEMSET; k++) {
					in->mem_addr[k] = cex.mem_addr[k];
					in->mem_val[k] = cex.mem_val[k];
				}
				in->nr_mem = k;
				if (!eval_checkpoints(win, &cp, in, t->want[t->n])) {
					t->n++;
					res->counterexamples++;
					cur_cost = error_of(cur, &cp, t, UINT64_MAX / 8) +
						   perf * weight;
				}
			}
		}
	}
	res->iters = it;
	if (!res->improved) {
		memcpy(res->insns, win, n * sizeof(*win));
		res->cnt = n;
	}
out:
	free(am);
	free(t);
	free(seen);
	return ret;
}
