// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Known bits of registers, forward over a function's control-flow graph:
 * what a narrow load, a mask, a shift, a 32-bit operation or a constant
 * leaves zero (or one) stays known until something overwrites it, and
 * where paths join only the bits known alike on every path remain; a
 * register with every bit known holds a constant.  A window
 * the superoptimizer cuts out of the function may assume them of its
 * input registers, as K2's modular check assumes what static analysis
 * found about a window's inputs: the clang idiom of masking a 16-bit
 * load after a join point becomes removable, and so does a constant
 * set again (w0 = 2 before each bounds check).
 *
 * An instruction the loader rewrites (loadtime.c: a CO-RE relocation,
 * an ld_imm64 of a map, of global data or of an extern) knows nothing
 * of what it defines: its immediate, its offset and even the width of
 * a relocated load are the local flavour's, not the running kernel's.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "analysis/knownbits.h"
#include "analysis/liveness.h"

#define LOW32	0xffffffffull

static uint64_t imm_value(const struct bpf_insn *x, bool is64)
{
	return is64 ? (uint64_t)(int64_t)x->imm : (uint32_t)x->imm;
}

/* Known-zero and known-one bits of one register. */
struct kb {
	uint64_t z, o;
};

static bool full(struct kb v)
{
	return (v.z | v.o) == ~0ull;
}

static struct kb constant(uint64_t v)
{
	return (struct kb){ ~v, v };
}

static struct kb alu(const struct bpf_insn *x, struct kb d, struct kb s)
{
	uint8_t op = BPF_OP(x->code);
	bool is64 = BPF_CLASS(x->code) == BPF_ALU64;
	unsigned int k = (unsigned int)x->imm;
	struct kb v = { 0, 0 };

	if (!is64) {
		/* A 32-bit operation sees the low halves only. */
		d = (struct kb){ d.z | ~LOW32, d.o & LOW32 };
		s = (struct kb){ s.z | ~LOW32, s.o & LOW32 };
	}
	switch (op) {
	case BPF_MOV:
		v = s;
		break;
	case BPF_AND:
		v = (struct kb){ d.z | s.z, d.o & s.o };
		break;
	case BPF_OR:
		v = (struct kb){ d.z & s.z, d.o | s.o };
		break;
	case BPF_XOR:
		v = (struct kb){ (d.z & s.z) | (d.o & s.o), (d.z & s.o) | (d.o & s.z) };
		break;
	case BPF_ADD:
	case BPF_SUB:
		if (full(d) && full(s))
			v = constant(op == BPF_ADD ? d.o + s.o : d.o - s.o);
		break;
	case BPF_RSH:
		if (BPF_SRC(x->code) == BPF_K && k > 0 && k < (is64 ? 64 : 32))
			v = (struct kb){ (d.z >> k) | ~(~0ull >> k), d.o >> k };
		break;
	case BPF_LSH:
		if (BPF_SRC(x->code) == BPF_K && k > 0 && k < 64)
			v = (struct kb){ (d.z << k) | ((1ull << k) - 1), d.o << k };
		break;
	case BPF_END:
		/* Byte swaps say their width; the bits move. */
		v.z = k == 16 ? ~0xffffull : k == 32 ? ~LOW32 : 0;
		return v;
	}
	if (!is64)
		v = (struct kb){ v.z | ~LOW32, v.o & LOW32 };
	return v;
}

static void step(const struct bpf_insn *x, bool loadtime, struct kb *r)
{
	uint8_t cls = BPF_CLASS(x->code);
	bool is64 = cls == BPF_ALU64;
	uint16_t def, use;
	int i;

	bpfext_insn_defuse(x, &def, &use);
	/* What the loader decides is unknown, whatever the object says. */
	if (loadtime)
		goto unknown;
	switch (cls) {
	case BPF_ALU:
	case BPF_ALU64:
		r[x->dst_reg & 0xf] = alu(x, r[x->dst_reg & 0xf],
					  BPF_SRC(x->code) == BPF_K ?
					  constant(imm_value(x, is64)) :
					  r[x->src_reg & 0xf]);
		return;
	case BPF_LDX:
		if (BPF_MODE(x->code) == BPF_MEM) {
			static const uint64_t kz[] = { ~LOW32, ~0xffffull, ~0xffull, 0 };

			r[x->dst_reg & 0xf] = (struct kb){ kz[BPF_SIZE(x->code) >> 3], 0 };
			return;
		}
		break;
	case BPF_LD:
		if (bpfext_insn_is_ldimm64(x) && !x->src_reg) {
			r[x->dst_reg & 0xf] = constant((uint64_t)(uint32_t)x[1].imm << 32 |
						       (uint32_t)x->imm);
			return;
		}
		break;
	}
unknown:
	for (i = 0; i < 11; i++)
		if (def & (1u << i))
			r[i] = (struct kb){ 0, 0 };
}

int bpfext_known_bits(const struct bpf_insn *insns, size_t cnt,
		      const uint8_t *lt, uint64_t (*kz)[11], uint64_t (*ko)[11])
{
	bool *reached = calloc(cnt + 1, sizeof(*reached)), changed = true;
	struct kb (*st)[11] = calloc(cnt + 1, sizeof(*st));
	size_t i, n;
	int k;

	if (!reached || !st) {
		free(reached);
		free(st);
		return -ENOMEM;
	}
	reached[0] = true;
	while (changed) {
		changed = false;
		for (i = 0; i < cnt; i += n) {
			const struct bpf_insn *x = &insns[i];
			uint8_t cls = BPF_CLASS(x->code), op = BPF_OP(x->code);
			size_t succ[2];
			int nsucc = 0, s;
			struct kb out[11];

			n = bpfext_insn_slots(x);
			if (!reached[i])
				continue;
			memcpy(out, st[i], sizeof(out));
			step(x, lt && lt[i], out);
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
				struct kb *in = st[succ[s]];

				if (!reached[succ[s]]) {
					reached[succ[s]] = true;
					memcpy(in, out, sizeof(out));
					changed = true;
					continue;
				}
				for (k = 0; k < 11; k++) {
					if ((in[k].z & out[k].z) != in[k].z ||
					    (in[k].o & out[k].o) != in[k].o) {
						in[k].z &= out[k].z;
						in[k].o &= out[k].o;
						changed = true;
					}
				}
			}
		}
	}
	for (i = 0; i <= cnt; i++) {
		for (k = 0; k < 11; k++) {
			kz[i][k] = st[i][k].z;
			if (ko)
				ko[i][k] = st[i][k].o;
		}
	}
	free(reached);
	free(st);
	return 0;
}
