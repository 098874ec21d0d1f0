// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Register values as sums of input registers plus a constant; see sums.h. */
#include "util/util.h"
#include "analysis/liveness.h"
#include "analysis/sums.h"

/* The symbol of a 32- or 64-bit load from a known address, or -1. */
static int sym_of(struct bpfext_sums *s, const struct bpf_insn *x)
{
	const struct bpfext_sum *a = &s->r[x->src_reg];
	uint64_t k = a->k + (uint64_t)(int64_t)x->off;
	unsigned int i;

	if (BPF_MODE(x->code) != BPF_MEM || !a->known || !a->regs ||
	    (BPF_SIZE(x->code) != BPF_W && BPF_SIZE(x->code) != BPF_DW))
		return -1;
	for (i = 0; i < s->nr_syms; i++)
		if (s->sym[i].regs == a->regs && s->sym[i].k == k &&
		    s->sym[i].code == x->code)
			return (int)i;
	if (s->frozen || s->nr_syms == BPFEXT_SUM_SYMS)
		return -1;
	s->sym[s->nr_syms].regs = a->regs;
	s->sym[s->nr_syms].k = k;
	s->sym[s->nr_syms].code = x->code;
	return (int)s->nr_syms++;
}

void bpfext_sum_step(struct bpfext_sums *s, const struct bpf_insn *x)
{
	struct bpfext_sum *r = s->r, v;
	uint16_t def, use;
	int d = x->dst_reg, sym;

	bpfext_insn_defuse(x, &def, &use);
	if (!(def & 0x7ff))
		return;
	v.known = false;
	if (x->code == (BPF_ALU | BPF_MOV | BPF_K)) {
		v = (struct bpfext_sum){ true, 0, (uint32_t)x->imm };
	} else if (BPF_CLASS(x->code) == BPF_LDX) {
		sym = sym_of(s, x);
		if (sym >= 0)
			v = (struct bpfext_sum){ true, (uint16_t)(1u << (11 + sym)), 0 };
	} else if (BPF_CLASS(x->code) == BPF_ALU64) {
		switch (x->code) {
		case BPF_ALU64 | BPF_MOV | BPF_X:
			v = r[x->src_reg];
			break;
		case BPF_ALU64 | BPF_MOV | BPF_K:
			v = (struct bpfext_sum){ true, 0, (uint64_t)(int64_t)x->imm };
			break;
		case BPF_ALU64 | BPF_ADD | BPF_K:
		case BPF_ALU64 | BPF_SUB | BPF_K:
			v = r[d];
			if (BPF_OP(x->code) == BPF_ADD)
				v.k += (uint64_t)(int64_t)x->imm;
			else
				v.k -= (uint64_t)(int64_t)x->imm;
			break;
		case BPF_ALU64 | BPF_ADD | BPF_X:
			v = r[d];
			v.known &= r[x->src_reg].known &&
				   !(v.regs & r[x->src_reg].regs);
			v.regs |= r[x->src_reg].regs;
			v.k += r[x->src_reg].k;
			break;
		}
	}
	if (d < 11)
		r[d] = v;
}

void bpfext_sums_assume(struct bpfext_sums *s, const uint64_t *kz,
			const uint64_t *ko)
{
	int i;

	for (i = 0; kz && ko && i < 11; i++)
		if ((kz[i] | ko[i]) == ~0ull)
			s->r[i] = (struct bpfext_sum){ true, 0, ko[i] };
}

void bpfext_sums_init(struct bpfext_sums *s, const struct bpfext_sums *syms)
{
	int i;

	if (syms) {
		*s = *syms;
		s->frozen = true;
	} else {
		s->frozen = false;
		s->nr_syms = 0;
	}
	for (i = 0; i < 11; i++)
		s->r[i] = (struct bpfext_sum){ true, (uint16_t)(1u << i), 0 };
}
