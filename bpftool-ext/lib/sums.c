// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Register values as sums of input registers plus a constant; see sums.h. */
#include "bpfext_internal.h"
#include "liveness.h"
#include "sums.h"

void bpfext_sum_step(struct bpfext_sum *r, const struct bpf_insn *x)
{
	uint16_t def, use;
	struct bpfext_sum v;
	int d = x->dst_reg;

	bpfext_insn_defuse(x, &def, &use);
	if (!(def & 0x7ff))
		return;
	v.known = false;
	if (BPF_CLASS(x->code) == BPF_ALU64) {
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

void bpfext_sums_init(struct bpfext_sum *r)
{
	int i;

	for (i = 0; i < 11; i++)
		r[i] = (struct bpfext_sum){ true, (uint16_t)(1u << i), 0 };
}
