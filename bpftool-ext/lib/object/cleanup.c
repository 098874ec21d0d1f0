// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Clean-ups that are safe by construction, run before any search:
 * instructions whose removal cannot change any register, memory or
 * control flow ("goto pc+0", "r1 = r1", "r1 += 0", ...).  32-bit forms
 * are kept: they zero the upper half of the destination.  Kops markers
 * ("goto pc+0" with src_reg 1) and their proof sequences (which may
 * contain self moves) are never touched, and neither are instructions
 * the loader rewrites (loadtime.c): "r1 += 0" with a CO-RE relocation
 * adds the running kernel's field offset, and "r3 <<= 0" shifts by the
 * kernel's bit-field position.
 */
#include <stdlib.h>

#include "object/object.h"
#include "isa/kops_ops.h"

static bool is_noop(const struct bpf_insn *insn)
{
	if (insn->code == (BPF_JMP | BPF_JA) ||
	    insn->code == (BPF_JMP32 | BPF_JA))
		return bpfext_insn_branch_off(insn) == 0;
	if (BPF_CLASS(insn->code) != BPF_ALU64)
		return false;
	if (BPF_OP(insn->code) == BPF_MOV && BPF_SRC(insn->code) == BPF_X)
		return insn->dst_reg == insn->src_reg && insn->off == 0;
	if (BPF_SRC(insn->code) != BPF_K || insn->imm != 0)
		return false;
	switch (BPF_OP(insn->code)) {
	case BPF_ADD:
	case BPF_SUB:
	case BPF_OR:
	case BPF_XOR:
	case BPF_LSH:
	case BPF_RSH:
	case BPF_ARSH:
		return true;
	default:
		return false;
	}
}

int bpfext_cleanup_section(struct bpfext_object *obj,
			   struct bpfext_section *sec,
			   struct bpfext_error *err)
{
	struct bpfext_patch *pt;
	uint8_t *lt;
	size_t s, n = 0;
	int ret;

	pt = calloc(sec->cnt + 1, sizeof(*pt));
	lt = malloc(sec->cnt + 1);
	if (!pt || !lt) {
		free(pt);
		free(lt);
		return bpfext_errf(err, ENOMEM, "out of memory");
	}
	bpfext_section__loadtime(sec, lt);
	for (s = 0; s < sec->cnt; s += bpfext_insn_slots(&sec->insns[s])) {
		size_t region = bpfext_kops_region_len(&sec->insns[s],
						       sec->cnt - s);

		/* A Kops marker and its proof sequence stay as they are. */
		if (region) {
			s += region - 1;
			continue;
		}
		if (!is_noop(&sec->insns[s]) || lt[s])
			continue;
		pt[n].start = s;
		pt[n].len = 1;
		n++;
	}
	ret = bpfext_section__apply(obj, sec, pt, n, err);
	free(pt);
	free(lt);
	return ret ? ret : (int)n;
}
