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
 */
#include <string.h>

#include "bpfext_internal.h"
#include "liveness.h"
#include "rules.h"

static const struct bpf_insn NOP = { .code = BPF_JMP | BPF_JA };

static unsigned int width(uint8_t code)
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

/* Is register @r read in @w[from, to) before being written? */
static bool read_before_write(const struct bpf_insn *w, size_t from, size_t to,
			      unsigned int r)
{
	uint16_t def, use;
	size_t i;

	for (i = from; i < to; i++) {
		bpfext_insn_defuse(&w[i], &def, &use);
		if (use & (1u << r))
			return true;
		if (def & (1u << r))
			return false;
	}
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
		    size_t lo, size_t hi, size_t sh, size_t orr)
{
	const struct bpf_insn *L = &w[lo], *H = &w[hi];
	unsigned int bytes = width(L->code), dst = w[orr].dst_reg;
	unsigned int other = dst == L->dst_reg ? H->dst_reg : L->dst_reg;
	size_t first = lo < hi ? lo : hi, last = orr;

	if (bytes == 8 || L->src_reg != H->src_reg || L->off + (int)bytes != H->off ||
	    width(H->code) != bytes || L->dst_reg == H->dst_reg)
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
	if (!(sh > hi && orr > sh && orr > lo))
		return false;
	/* Base unchanged up to the or, where the wide load goes. */
	if (written(w, first, orr, L->src_reg))
		return false;
	if (written(w, lo + 1, orr, L->dst_reg) && L->dst_reg != w[sh].dst_reg)
		return false;
	if (written(w, hi + 1, sh, H->dst_reg) || written(w, sh + 1, orr, H->dst_reg))
		return false;
	/* The other half must be dead once the or has read it. */
	if (read_before_write(w, last + 1, n, other) ||
	    (!written(w, last + 1, n, other) && (live_out & (1u << other))))
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

size_t bpfext_rules_apply(const struct bpf_insn *win, size_t n, uint16_t live_out,
			  struct bpf_insn *out)
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
						if (combine(out, n, live_out, a, b, s, o)) {
							applied++;
							again = true;
						}
					}
				}
			}
		}
	}
	return applied;
}
