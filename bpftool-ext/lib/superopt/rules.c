// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The fast tier: rewrite rules tried on a window before the stochastic
 * search, for shapes the search reaches only through many bad states.
 * A rule only proposes; the caller proves every application with the
 * window check before using it, as for any candidate.
 *
 * Load combining: clang assembles a little-endian field from narrower
 * loads when it cannot prove alignment,
 *     rA = *(uN *)(rB + k);  rC = *(uN *)(rB + k + N/8);
 *     rC <<= N;              rC |= rA;
 * which one load of twice the width computes: rC = *(u2N *)(rB + k).
 * The loads may come in either order and the shift may sit on either;
 * what is combined must not be needed afterwards.
 *
 * Store combining, the other way round: clang writes a field it cannot
 * prove aligned byte by byte from shifted copies,
 *     *(u8 *)(rB + k) = rX;  rX >>= 8;  *(u8 *)(rB + k + 1) = rX
 * which one wide store of rX before the shifts writes at once.  Groups
 * of 2, 4 or 8 equal stores covering a field are tried with every
 * register as the value, at the first or the last store of the group,
 * and kept when the window evaluator agrees on random states.
 *
 * Dead code: an ALU instruction or a load whose result nothing reads
 * before it is overwritten or the window ends with it dead goes (what
 * store combining leaves behind, among others; a load has no effect
 * but its result, so dropping one cannot make a program fault).  A register live where a side
 * exit goes is read by the exit.
 *
 * Recomputed addresses: after a bounds check clang computes a stack or
 * packet address again from its parts,
 *     r3 = r10;  r3 += -64;  r3 += r1
 * while a register still holds it, or it plus a constant.  With register
 * values tracked as sums of the window's inputs (sums.h), a run of moves
 * and additions that leaves rD at a sum some rX held before the run, up
 * to a constant c, becomes rD = rX; rD += c, or rD += c when rX is rD;
 * and a run that leaves rD at what it held already (w0 = 2 again before
 * the next bounds check) goes.
 *
 * Offset folding: a constant added to a register that is then only the
 * base of memory accesses before it dies goes into their offsets,
 *     r3 += -4;  r3 = *(u16 *)(r3 +2)   ->   r3 = *(u16 *)(r3 -2)
 * (what address reuse leaves behind, among others).
 *
 * Copy coalescing: a value copied out, worked on and copied back,
 *     r4 = r1;  r4 += 4;  ...r4...;  r1 = r4
 * is worked on in place when r1 is not used in between and neither
 * register is needed at a side exit in between, nor r4 after the copy
 * back:  r1 += 4;  ...r1...
 */
#include <string.h>

#include "util/util.h"
#include "analysis/liveness.h"
#include "superopt/rules.h"
#include "analysis/sums.h"
#include "semantics/window.h"

static const struct bpf_insn NOP = { .code = BPF_JMP | BPF_JA };

static unsigned int width_of(uint8_t code)
{
	static const unsigned int w[] = { 4, 2, 1, 8 };

	return w[BPF_SIZE(code) >> 3];
}

static uint8_t size_code(unsigned int bytes)
{
	switch (bytes) {
	case 1:
		return BPF_B;
	case 2:
		return BPF_H;
	case 4:
		return BPF_W;
	default:
		return BPF_DW;
	}
}

static bool is_load(const struct bpf_insn *x)
{
	return BPF_CLASS(x->code) == BPF_LDX && BPF_MODE(x->code) == BPF_MEM;
}

/*
 * Registers live after @w[p] in a window of @n slots: @live_out at the
 * end, and at a side exit what it reads and what is live where it goes.
 */
static uint16_t live_after(const struct bpf_insn *w, size_t n, size_t p,
			   uint16_t live_out, const struct bpfext_win_exits *exits)
{
	uint16_t live[BPFEXT_WIN_MAX_INSNS + 1];

	bpfext_win_liveness(w, n, live_out, exits, live);
	return live[p + 1];
}

/* Is there a side exit in @w[from, to)?  Rules that move code stay between exits. */
static bool exit_in(const struct bpf_insn *w, size_t from, size_t to)
{
	size_t i;

	for (i = from; i < to; i++)
		if (bpfext_win_insn_is_exit(&w[i]))
			return true;
	return false;
}

/* Is register @r written in @w[from, to)? */
static bool written(const struct bpf_insn *w, size_t from, size_t to,
		    unsigned int r)
{
	uint16_t def, use;
	size_t i;

	for (i = from; i < to; i++) {
		bpfext_insn_defuse(&w[i], &def, &use);
		if (def & (1u << r))
			return true;
	}
	return false;
}

/*
 * Try to combine the loads at @i (low half) and @j (high half), shifted
 * at @s and or-ed at @o, all inside @w[0, n).  @hi is the register that
 * ends up holding the value.
 */
static bool combine(struct bpf_insn *w, size_t n, uint16_t live_out,
		    const struct bpfext_win_exits *exits, size_t lo, size_t hi, size_t sh,
		    size_t orr)
{
	const struct bpf_insn *L = &w[lo], *H = &w[hi];
	unsigned int bytes = width_of(L->code), dst = w[orr].dst_reg;
	unsigned int other = dst == L->dst_reg ? H->dst_reg : L->dst_reg;
	size_t first = lo < hi ? lo : hi, last = orr;

	if (bytes == 8 || L->src_reg != H->src_reg || L->off + (int)bytes != H->off ||
	    width_of(H->code) != bytes || L->dst_reg == H->dst_reg)
		return false;
	/* The shift moves the high half up, the or merges the halves. */
	if (w[sh].code != (BPF_ALU64 | BPF_LSH | BPF_K) || w[sh].imm != (int)bytes * 8 ||
	    w[sh].dst_reg != H->dst_reg)
		return false;
	if ((w[orr].code != (BPF_ALU64 | BPF_OR | BPF_X) &&
	     w[orr].code != (BPF_ALU | BPF_OR | BPF_X)) ||
	    !((w[orr].dst_reg == H->dst_reg && w[orr].src_reg == L->dst_reg) ||
	      (w[orr].dst_reg == L->dst_reg && w[orr].src_reg == H->dst_reg)))
		return false;
	/* 32-bit or: only when the combined value fits in 32 bits. */
	if (BPF_CLASS(w[orr].code) == BPF_ALU && bytes * 2 > 4)
		return false;
	if (!(sh > hi && orr > sh && orr > lo) || exit_in(w, first, orr))
		return false;
	/* Base unchanged up to the or, where the wide load goes. */
	if (written(w, first, orr, L->src_reg))
		return false;
	if (written(w, lo + 1, orr, L->dst_reg) && L->dst_reg != w[sh].dst_reg)
		return false;
	if (written(w, hi + 1, sh, H->dst_reg) || written(w, sh + 1, orr, H->dst_reg))
		return false;
	/* The other half must be dead once the or has read it. */
	if (live_after(w, n, last, live_out, exits) & (1u << other))
		return false;
	/* And nothing between first and the or may read the halves. */
	{
		size_t k;

		for (k = first; k < orr; k++) {
			uint16_t def, use;

			if (k == lo || k == hi || k == sh)
				continue;
			bpfext_insn_defuse(&w[k], &def, &use);
			if (use & ((1u << L->dst_reg) | (1u << H->dst_reg)))
				return false;
		}
	}
	w[orr] = (struct bpf_insn){
		.code = BPF_LDX | BPF_MEM | size_code(bytes * 2),
		.dst_reg = dst, .src_reg = L->src_reg, .off = L->off,
	};
	w[lo] = NOP;
	w[hi] = NOP;
	w[sh] = NOP;
	return true;
}

static bool is_store(const struct bpf_insn *x)
{
	return BPF_CLASS(x->code) == BPF_STX && BPF_MODE(x->code) == BPF_MEM;
}

/* Do @a and @b agree on a few random states? */
static bool agree(const struct bpf_insn *a, const struct bpf_insn *b, size_t n,
		  uint16_t live_out)
{
	uint64_t s = 0x9e3779b97f4a7c15ull;
	struct bpfext_win_state x, y;
	struct bpfext_win_input in;
	int t, r;

	for (t = 0; t < 8; t++) {
		memset(&in, 0, sizeof(in));
		for (r = 0; r < 11; r++) {
			s ^= s << 13;
			s ^= s >> 7;
			s ^= s << 17;
			in.regs[r] = s;
		}
		in.mem_seed = s * 31;
		if (bpfext_win_eval(a, n, &in, &x) || bpfext_win_eval(b, n, &in, &y) ||
		    bpfext_win_distance(&x, &y, &in, live_out))
			return false;
	}
	return true;
}

/*
 * Stores of the size of @w[anchor] through its base covering [k, k +
 * width) exactly once each, k being the anchor's offset, anywhere in the
 * stretch around it where the base keeps its value and no side exit
 * intervenes: their slots in @at (width / size of them), the first and
 * last of them in @first and @last.  False if not all are there.
 */
static bool find_group(const struct bpf_insn *w, size_t n, size_t anchor,
		       unsigned int width, size_t *at, size_t *first,
		       size_t *last)
{
	const struct bpf_insn *f = &w[anchor];
	unsigned int sz = width_of(f->code), need = width / sz, got = 0, k;
	size_t i, lo = anchor, hi = anchor + 1;

	while (lo > 0 && !bpfext_win_insn_is_exit(&w[lo - 1]) &&
	       !written(w, lo - 1, lo, f->dst_reg))
		lo--;
	while (hi < n && !bpfext_win_insn_is_exit(&w[hi]) && !written(w, hi, hi + 1, f->dst_reg))
		hi++;
	for (k = 0; k < need; k++)
		at[k] = SIZE_MAX;
	*first = SIZE_MAX;
	*last = 0;
	for (i = lo; i < hi; i++) {
		const struct bpf_insn *x = &w[i];

		if (is_store(x) && x->dst_reg == f->dst_reg &&
		    width_of(x->code) == sz && x->off >= f->off &&
		    x->off < f->off + (int)width && (x->off - f->off) % sz == 0 &&
		    at[(x->off - f->off) / sz] == SIZE_MAX) {
			at[(x->off - f->off) / sz] = i;
			got++;
			*first = i < *first ? i : *first;
			*last = i;
		}
	}
	return got == need;
}

static bool combine_stores(struct bpf_insn *w, size_t n, uint16_t live_out)
{
	struct bpf_insn c[BPFEXT_WIN_MAX_INSNS];
	size_t anchor, first, last, at[8], k, pos[2];
	unsigned int width, r, p;

	for (anchor = 0; anchor < n; anchor++) {
		if (!is_store(&w[anchor]) || width_of(w[anchor].code) == 8)
			continue;
		for (width = 8; width >= 2 * width_of(w[anchor].code); width /= 2) {
			/*
			 * The kernel refuses misaligned stack accesses.  Through
			 * other pointers it allows them on this architecture;
			 * one that points to the stack after all is for the
			 * kernel check to find (packet fields are rarely
			 * aligned, xdp_fwd's MAC addresses for one).
			 */
			if (!find_group(w, n, anchor, width, at, &first, &last) ||
			    (w[anchor].dst_reg == BPF_REG_10 && w[at[0]].off % (int)width))
				continue;
			pos[0] = first;
			pos[1] = last;
			for (p = 0; p < 2; p++) {
				for (r = 0; r < 10; r++) {
					memcpy(c, w, n * sizeof(*w));
					for (k = 0; k < width / width_of(w[first].code); k++)
						c[at[k]] = NOP;
					c[pos[p]] = (struct bpf_insn){
						.code = BPF_STX | BPF_MEM | size_code(width),
						.dst_reg = w[first].dst_reg, .src_reg = r,
						.off = w[at[0]].off,
					};
					if (agree(w, c, n, live_out)) {
						memcpy(w, c, n * sizeof(*w));
						return true;
					}
				}
			}
		}
	}
	return false;
}

static size_t drop_dead(struct bpf_insn *w, size_t n, uint16_t live_out,
			const struct bpfext_win_exits *exits)
{
	uint16_t live = live_out, def, use;
	unsigned int e = exits ? exits->n : 0;
	size_t i, dropped = 0;

	for (i = n; i-- > 0;) {
		uint8_t cls = BPF_CLASS(w[i].code);

		/* The exits' live sets include what their jumps read. */
		if (bpfext_win_insn_is_exit(&w[i]) && e)
			live |= exits->live[--e];
		bpfext_insn_defuse(&w[i], &def, &use);
		if ((cls == BPF_ALU || cls == BPF_ALU64 ||
		     (cls == BPF_LDX && BPF_MODE(w[i].code) == BPF_MEM)) &&
		    !(def & live)) {
			w[i] = NOP;
			dropped++;
			continue;
		}
		live = (live & ~def) | use;
	}
	return dropped;
}

/* A 64-bit move or addition, the steps of an address computation. */
static bool sum_insn(const struct bpf_insn *x)
{
	switch (x->code) {
	case BPF_ALU | BPF_MOV | BPF_K:
	case BPF_ALU64 | BPF_MOV | BPF_X:
	case BPF_ALU64 | BPF_MOV | BPF_K:
	case BPF_ALU64 | BPF_ADD | BPF_X:
	case BPF_ALU64 | BPF_ADD | BPF_K:
	case BPF_ALU64 | BPF_SUB | BPF_K:
		return x->dst_reg < BPF_REG_10;
	default:
		return false;
	}
}

static size_t reuse_sums(struct bpf_insn *w, size_t n, const uint64_t *kz,
			 const uint64_t *ko)
{
	struct bpfext_sums st, after;
	const struct bpfext_sum *r = st.r;
	size_t i = 0, j, k, applied = 0;

	bpfext_sums_init(&st, NULL);
	bpfext_sums_assume(&st, kz, ko);
	while (i < n) {
		uint8_t d = w[i].dst_reg;
		int best = -1;
		size_t len = 0;

		for (j = i; j < n && sum_insn(&w[j]) && w[j].dst_reg == d; j++)
			;
		after = st;
		for (k = i; k < j; k++)
			bpfext_sum_step(&after, &w[k]);
		/* A value the register holds already: w0 = 2 after w0 = 2. */
		if (j > i && after.r[d].known && r[d].known &&
		    after.r[d].regs == r[d].regs && after.r[d].k == r[d].k) {
			best = d;
			len = 0;
		} else if (j - i >= 2 && after.r[d].known && after.r[d].regs) {
			for (k = 0; k < 11; k++) {
				int64_t c = (int64_t)(after.r[d].k - r[k].k);
				size_t l = (k != d) + (c != 0);

				if (r[k].known && r[k].regs == after.r[d].regs &&
				    c >= INT32_MIN && c <= INT32_MAX && l < j - i &&
				    (best < 0 || l < len)) {
					best = (int)k;
					len = l;
				}
			}
		}
		if (best >= 0) {
			int64_t c = (int64_t)(after.r[d].k - r[best].k);

			for (k = i; k < j; k++)
				w[k] = NOP;
			k = i;
			if (best != d)
				w[k++] = (struct bpf_insn){
					.code = BPF_ALU64 | BPF_MOV | BPF_X,
					.dst_reg = d, .src_reg = (uint8_t)best };
			if (c)
				w[k] = (struct bpf_insn){
					.code = BPF_ALU64 | BPF_ADD | BPF_K,
					.dst_reg = d, .imm = (int32_t)c };
			applied++;
		}
		if (j == i)
			j = i + 1;
		for (k = i; k < j; k++)
			bpfext_sum_step(&st, &w[k]);
		i = j;
	}
	return applied;
}

/* Does @x read register @r other than as the base of a memory access? */
static bool reads_as_value(const struct bpf_insn *x, unsigned int r)
{
	uint16_t def, use;
	uint8_t cls = BPF_CLASS(x->code);

	bpfext_insn_defuse(x, &def, &use);
	if (!(use & (1u << r)))
		return false;
	if (cls == BPF_LDX && BPF_MODE(x->code) == BPF_MEM)
		return x->src_reg != r;
	if ((cls == BPF_ST || cls == BPF_STX) && BPF_MODE(x->code) == BPF_MEM)
		return cls == BPF_STX && x->src_reg == r;
	return true;
}

/*
 * After rD += c is gone, rD lacks c until it is written again: every
 * base use adds c to its offset, and nothing else may see rD before
 * then (a value use, a side exit or the end where rD is live).
 */
static size_t fold_offsets(struct bpf_insn *w, size_t n, uint16_t live_out,
			   const struct bpfext_win_exits *exits)
{
	size_t i, j, applied = 0;
	uint16_t def, use;

	for (i = 0; i < n; i++) {
		const struct bpf_insn *a = &w[i];
		unsigned int r = a->dst_reg;
		bool ok = true, based = false;

		if (a->code != (BPF_ALU64 | BPF_ADD | BPF_K) || r >= BPF_REG_10)
			continue;
		for (j = i + 1; j < n; j++) {
			if (bpfext_win_insn_is_exit(&w[j]) || reads_as_value(&w[j], r)) {
				ok = !(live_after(w, n, j - 1, live_out, exits) & (1u << r));
				break;
			}
			bpfext_insn_defuse(&w[j], &def, &use);
			if (use & (1u << r)) {
				ok &= w[j].off + a->imm >= INT16_MIN &&
				      w[j].off + a->imm <= INT16_MAX;
				based = true;
			}
			if (def & (1u << r))
				break;
		}
		if (j == n)
			ok &= !(live_out & (1u << r));
		if (!ok || !based)
			continue;
		for (j = i + 1; j < n; j++) {
			bpfext_insn_defuse(&w[j], &def, &use);
			if (use & (1u << r))
				w[j].off = (int16_t)(w[j].off + a->imm);
			if (def & (1u << r))
				break;
		}
		w[i] = NOP;
		applied++;
	}
	return applied;
}

static bool is_copy(const struct bpf_insn *x)
{
	return x->code == (BPF_ALU64 | BPF_MOV | BPF_X) && x->dst_reg != x->src_reg &&
	       x->dst_reg < BPF_REG_10 && x->src_reg < BPF_REG_10;
}

static size_t coalesce_copies(struct bpf_insn *w, size_t n, uint16_t live_out,
			      const struct bpfext_win_exits *exits)
{
	uint16_t live[BPFEXT_WIN_MAX_INSNS + 1], def, use;
	size_t i, j, k, applied = 0;
	unsigned int e0 = 0, e;

	for (i = 0; i < n; e0 += bpfext_win_insn_is_exit(&w[i]), i++) {
		unsigned int a = w[i].dst_reg, b = w[i].src_reg;
		bool ok = true;

		if (!is_copy(&w[i]))
			continue;
		for (k = i + 1, e = e0; k < n; k++) {
			if (is_copy(&w[k]) && w[k].dst_reg == b && w[k].src_reg == a)
				break;
			bpfext_insn_defuse(&w[k], &def, &use);
			if ((def | use) & (1u << b))
				ok = false;
			/* Where an exit goes, neither holds what it held. */
			if (bpfext_win_insn_is_exit(&w[k]) &&
			    (!exits || e >= exits->n ||
			    (exits->live[e++] & ((1u << a) | (1u << b)))))
				ok = false;
			if (!ok)
				break;
		}
		if (!ok || k == n)
			continue;
		bpfext_win_liveness(w, n, live_out, exits, live);
		if (live[k + 1] & (1u << a))
			continue;
		for (j = i + 1; j < k; j++) {
			if (bpfext_insn_is_nop(&w[j]))
				continue;
			if (w[j].dst_reg == a)
				w[j].dst_reg = (uint8_t)b;
			if (bpfext_insn_src_is_reg(&w[j]) && w[j].src_reg == a)
				w[j].src_reg = (uint8_t)b;
		}
		w[i] = NOP;
		w[k] = NOP;
		applied++;
	}
	return applied;
}

size_t bpfext_rules_apply(const struct bpf_insn *win, size_t n, uint16_t live_out,
			  const struct bpfext_win_exits *exits, const uint64_t *kz,
			  const uint64_t *ko, struct bpf_insn *out)
{
	size_t a, b, s, o, applied = 0;
	bool again = true;

	memcpy(out, win, n * sizeof(*win));
	while (again) {
		again = false;
		for (a = 0; a < n && !again; a++) {
			if (!is_load(&out[a]))
				continue;
			for (b = 0; b < n && !again; b++) {
				if (b == a || !is_load(&out[b]))
					continue;
				for (s = 0; s < n && !again; s++) {
					if (out[s].code != (BPF_ALU64 | BPF_LSH | BPF_K))
						continue;
					for (o = s + 1; o < n && !again; o++) {
						if (combine(out, n, live_out, exits,
							    a, b, s, o)) {
							applied++;
							again = true;
						}
					}
				}
			}
		}
	}
	while (applied < n && combine_stores(out, n, live_out))
		applied++;
	applied += reuse_sums(out, n, kz, ko);
	applied += coalesce_copies(out, n, live_out, exits);
	applied += fold_offsets(out, n, live_out, exits);
	applied += drop_dead(out, n, live_out, exits);
	return applied;
}
