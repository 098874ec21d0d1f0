// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Register liveness over the control-flow graph of a function, the
 * information modular window checking needs: a rewrite of a window only
 * has to preserve the registers live after it.
 *
 * Calls follow the BPF calling convention: r1-r5 carry arguments (all
 * five are taken as read, since helper arities are not known here) and
 * are clobbered, r0 is the result, r6-r9 survive.  r10 is always live.
 */
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "analysis/liveness.h"
#include "helper_args.h"	/* build/gen, from libbpf's bpf_helper_defs.h */

#define R(n)		(1u << (n))
#define ARGS		(R(1) | R(2) | R(3) | R(4) | R(5))
#define CALLER_SAVED	(R(0) | ARGS)

/* The argument registers a call reads: all five unless it is a known helper. */
static uint16_t call_args(const struct bpf_insn *insn)
{
	size_t n = sizeof(bpf_helper_nargs_plus1) / sizeof(bpf_helper_nargs_plus1[0]);

	if (insn->src_reg || insn->imm <= 0 || (size_t)insn->imm >= n ||
	    !bpf_helper_nargs_plus1[insn->imm])
		return ARGS;
	return (uint16_t)(((1u << bpf_helper_nargs_plus1[insn->imm]) - 1) & ~1u);
}

void bpfext_insn_defuse(const struct bpf_insn *insn, uint16_t *def,
			uint16_t *use)
{
	uint8_t cls = BPF_CLASS(insn->code), op = BPF_OP(insn->code);
	uint16_t d = 0, u = 0;

	switch (cls) {
	case BPF_ALU:
	case BPF_ALU64:
		d = R(insn->dst_reg);
		if (op != BPF_MOV)
			u |= R(insn->dst_reg);
		if (op != BPF_END && op != BPF_NEG && BPF_SRC(insn->code) == BPF_X)
			u |= R(insn->src_reg);
		break;
	case BPF_LDX:
		d = R(insn->dst_reg);
		u = R(insn->src_reg);
		break;
	case BPF_ST:
		u = R(insn->dst_reg);
		break;
	case BPF_STX:
		u = R(insn->dst_reg) | R(insn->src_reg);
		if (BPF_MODE(insn->code) == BPF_ATOMIC) {
			if (insn->imm == BPF_CMPXCHG) {
				u |= R(0);
				d = R(0);
			} else if (insn->imm & BPF_FETCH) {
				d = R(insn->src_reg);
			}
		}
		break;
	case BPF_LD:
		if (BPF_MODE(insn->code) == BPF_IMM) {
			d = R(insn->dst_reg);
		} else {	/* LD_ABS / LD_IND: an implicit call on r6 */
			u = R(6);
			if (BPF_MODE(insn->code) == BPF_IND)
				u |= R(insn->src_reg);
			d = CALLER_SAVED;
		}
		break;
	case BPF_JMP:
	case BPF_JMP32:
		if (op == BPF_CALL) {
			u = call_args(insn);
			d = CALLER_SAVED;
		} else if (op == BPF_EXIT) {
			u = R(0);
		} else if (op != BPF_JA) {
			u = R(insn->dst_reg);
			if (BPF_SRC(insn->code) == BPF_X)
				u |= R(insn->src_reg);
		}
		break;
	}
	*def = d & ~R(10);
	*use = u | R(10);
}

int bpfext_liveness(const struct bpf_insn *insns, size_t cnt, uint16_t *live_in)
{
	uint16_t *def, *use;
	bool changed = true;
	size_t i;

	def = calloc(cnt + 1, sizeof(*def));
	use = calloc(cnt + 1, sizeof(*use));
	if (!def || !use) {
		free(def);
		free(use);
		return -ENOMEM;
	}
	for (i = 0; i < cnt; i++) {
		bpfext_insn_defuse(&insns[i], &def[i], &use[i]);
		live_in[i] = 0;
	}
	/* Backward iteration until nothing changes (loops need several). */
	while (changed) {
		changed = false;
		for (i = cnt; i-- > 0;) {
			const struct bpf_insn *insn = &insns[i];
			uint8_t cls = BPF_CLASS(insn->code), op = BPF_OP(insn->code);
			uint16_t out = 0, in;
			size_t next = i + bpfext_insn_slots(insn);
			long t;

			/* Second slots have code 0, never that of an ld_imm64. */
			if (i && bpfext_insn_is_ldimm64(&insns[i - 1]))
				continue;
			if ((cls == BPF_JMP || cls == BPF_JMP32) && op == BPF_EXIT) {
				out = 0;
			} else {
				bool uncond = (cls == BPF_JMP || cls == BPF_JMP32) &&
					      op == BPF_JA;

				if (!uncond && next < cnt)
					out |= live_in[next];
				if (bpfext_insn_is_branch(insn)) {
					t = (long)i + bpfext_insn_branch_off(insn) + 1;
					if (t >= 0 && (size_t)t < cnt)
						out |= live_in[t];
				}
			}
			in = use[i] | (out & ~def[i]);
			if (in != live_in[i]) {
				live_in[i] = in;
				changed = true;
			}
		}
	}
	free(def);
	free(use);
	return 0;
}
