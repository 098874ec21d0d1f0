// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Known-zero bits of registers, forward over a function's control-flow
 * graph: what a narrow load, a mask, a shift, a 32-bit operation or a
 * constant leaves zero stays known until something overwrites it, and
 * where paths join only the bits zero on every path remain.  A window
 * the superoptimizer cuts out of the function may assume them of its
 * input registers, as K2's modular check assumes what static analysis
 * found about a window's inputs: the clang idiom of masking a 16-bit
 * load after a join point becomes removable.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "bpfext_internal.h"
#include "knownbits.h"
#include "liveness.h"

#define LOW32	0xffffffffull

static uint64_t imm_value(const struct bpf_insn *x, bool is64)
{
	return is64 ? (uint64_t)(int64_t)x->imm : (uint32_t)x->imm;
}

static void step(const struct bpf_insn *x, uint64_t *r)
{
	uint8_t cls = BPF_CLASS(x->code), op = BPF_OP(x->code);
	bool is64 = cls == BPF_ALU64, k = BPF_SRC(x->code) == BPF_K;
	uint64_t d = r[x->dst_reg & 0xf], v, s;
	uint16_t def, use;
	int i;

	bpfext_insn_defuse(x, &def, &use);
	switch (cls) {
	case BPF_ALU:
	case BPF_ALU64:
		s = k ? ~imm_value(x, is64) : r[x->src_reg & 0xf];
		switch (op) {
		case BPF_MOV:
			v = s;
			break;
		case BPF_AND:
			v = d | s;
			break;
		case BPF_OR:
		case BPF_XOR:
			v = d & s;
			break;
		case BPF_RSH:
			v = 0;
			if (k && x->imm > 0 && x->imm < (is64 ? 64 : 32))
				v = ((is64 ? d : d | ~LOW32) >> x->imm) |
				    ~(~0ull >> x->imm);
			break;
		case BPF_LSH:
			v = 0;
			if (k && x->imm > 0 && x->imm < 64)
				v = (d << x->imm) | ((1ull << x->imm) - 1);
			break;
		case BPF_END:
			v = x->imm == 16 ? ~0xffffull : x->imm == 32 ? ~LOW32 : 0;
			break;
		default:
			v = 0;
		}
		if (!is64 && op != BPF_END)	/* byte swaps say their width */
			v |= ~LOW32;
		r[x->dst_reg & 0xf] = v;
		return;
	case BPF_LDX:
		if (BPF_MODE(x->code) == BPF_MEM) {
			static const uint64_t kz[] = { ~LOW32, ~0xffffull, ~0xffull, 0 };

			r[x->dst_reg & 0xf] = kz[BPF_SIZE(x->code) >> 3];
			return;
		}
		break;
	case BPF_LD:
		if (bpfext_insn_is_ldimm64(x) && !x->src_reg) {
			r[x->dst_reg & 0xf] = ~((uint64_t)(uint32_t)x[1].imm << 32 |
						(uint32_t)x->imm);
			return;
		}
		break;
	}
	for (i = 0; i < 11; i++)
		if (def & (1u << i))
			r[i] = 0;
}

int bpfext_known_zero(const struct bpf_insn *insns, size_t cnt,
		      uint64_t (*kz)[11])
{
	bool *reached = calloc(cnt + 1, sizeof(*reached)), changed = true;
	size_t i, n;
	int k;

	if (!reached)
		return -ENOMEM;
	memset(kz, 0, (cnt + 1) * sizeof(*kz));
	reached[0] = true;
	while (changed) {
		changed = false;
		for (i = 0; i < cnt; i += n) {
			const struct bpf_insn *x = &insns[i];
			uint8_t cls = BPF_CLASS(x->code), op = BPF_OP(x->code);
			size_t succ[2];
			int nsucc = 0, s;
			uint64_t out[11];

			n = bpfext_insn_slots(x);
			if (!reached[i])
				continue;
			memcpy(out, kz[i], sizeof(out));
			step(x, out);
			if ((cls == BPF_JMP || cls == BPF_JMP32) && op == BPF_EXIT)
				continue;
			if (!((cls == BPF_JMP || cls == BPF_JMP32) && op == BPF_JA) &&
			    i + n <= cnt)
				succ[nsucc++] = i + n;
			if (bpfext_insn_is_branch(x)) {
				long t = (long)i + bpfext_insn_branch_off(x) + 1;

				if (t >= 0 && (size_t)t <= cnt)
					succ[nsucc++] = t;
			}
			for (s = 0; s < nsucc; s++) {
				uint64_t *in = kz[succ[s]];

				if (!reached[succ[s]]) {
					reached[succ[s]] = true;
					memcpy(in, out, sizeof(out));
					changed = true;
					continue;
				}
				for (k = 0; k < 11; k++) {
					if ((in[k] & out[k]) != in[k]) {
						in[k] &= out[k];
						changed = true;
					}
				}
			}
		}
	}
	free(reached);
	return 0;
}
