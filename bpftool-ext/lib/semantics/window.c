// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Concrete evaluation of straight-line windows on a flat memory; see
 * window.h.  Semantics follow the kernel's: 32-bit ALU results are zero
 * extended, shift counts are masked, division by zero gives 0 and modulo
 * by zero leaves the dividend.
 */
#include <errno.h>
#include <string.h>

#include "util/util.h"
#include "isa/alu.h"
#include "analysis/liveness.h"
#include "semantics/window.h"

bool bpfext_win_insn_supported(const struct bpf_insn *insn)
{
	switch (BPF_CLASS(insn->code)) {
	case BPF_ALU:
	case BPF_ALU64:
		return true;
	case BPF_LDX:
	case BPF_ST:
		return BPF_MODE(insn->code) == BPF_MEM;
	case BPF_STX:
		return BPF_MODE(insn->code) == BPF_MEM;
	case BPF_LD:
		return bpfext_insn_is_ldimm64(insn) && !insn->src_reg;
	case BPF_JMP:
		return insn->code == (BPF_JMP | BPF_JA) && !insn->off;
	default:
		return false;
	}
}

bool bpfext_win_insn_is_exit(const struct bpf_insn *insn)
{
	uint8_t cls = BPF_CLASS(insn->code), op = BPF_OP(insn->code);

	return (cls == BPF_JMP || cls == BPF_JMP32) && op != BPF_JA &&
	       op != BPF_CALL && op != BPF_EXIT;
}

bool bpfext_win_same_exit(const struct bpf_insn *a, const struct bpf_insn *b)
{
	return bpfext_win_insn_is_exit(a) && a->code == b->code &&
	       a->dst_reg == b->dst_reg && a->src_reg == b->src_reg &&
	       a->imm == b->imm;
}

void bpfext_win_liveness(const struct bpf_insn *w, size_t n, uint16_t live_out,
			 const struct bpfext_win_exits *exits, uint16_t *live)
{
	unsigned int e = 0;
	uint16_t def, use;
	size_t i;

	for (i = 0; i < n; i++)
		e += bpfext_win_insn_is_exit(&w[i]);
	live[n] = live_out;
	for (i = n; i-- > 0;) {
		bpfext_insn_defuse(&w[i], &def, &use);
		live[i] = (live[i + 1] & ~def) | use;
		if (bpfext_win_insn_is_exit(&w[i]) && e-- && exits && e < exits->n)
			live[i] |= exits->live[e];
	}
}

static uint8_t default_byte(uint64_t seed, uint64_t addr)
{
	uint64_t x = (addr + 0x9e3779b97f4a7c15ull) ^ seed;

	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

static uint8_t read_byte(const struct bpfext_win_input *in, const struct bpfext_win_state *st,
			 uint64_t addr)
{
	size_t i;

	for (i = st->nr_writes; i-- > 0;)
		if (st->w_addr[i] == addr)
			return st->w_val[i];
	for (i = 0; i < in->nr_mem; i++)
		if (in->mem_addr[i] == addr)
			return in->mem_val[i];
	return default_byte(in->mem_seed, addr);
}

static uint64_t load(const struct bpfext_win_input *in, const struct bpfext_win_state *st,
		     uint64_t addr, unsigned int size)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < size; i++)
		v |= (uint64_t)read_byte(in, st, addr + i) << (8 * i);
	return v;
}

static int store(struct bpfext_win_state *st, uint64_t addr, unsigned int size,
		 uint64_t v)
{
	unsigned int i;

	for (i = 0; i < size; i++) {
		if (st->nr_writes == BPFEXT_WIN_MAX_WRITES)
			return -E2BIG;
		st->w_addr[st->nr_writes] = addr + i;
		st->w_val[st->nr_writes++] = v >> (8 * i);
	}
	return 0;
}

static unsigned int size_bytes(uint8_t code)
{
	switch (BPF_SIZE(code)) {
	case BPF_B:
		return 1;
	case BPF_H:
		return 2;
	case BPF_W:
		return 4;
	default:
		return 8;
	}
}

int bpfext_win_eval(const struct bpf_insn *insns, size_t cnt,
		    const struct bpfext_win_input *in, struct bpfext_win_state *st)
{
	return bpfext_win_eval_at(insns, &cnt, 1, in, st);
}

int bpfext_win_eval_at(const struct bpf_insn *insns, const size_t *stops,
		       unsigned int nstops, const struct bpfext_win_input *in,
		       struct bpfext_win_state *out)
{
	struct bpfext_win_state *st = &out[nstops - 1];
	size_t i, cnt = stops[nstops - 1];
	unsigned int k = 0;
	int ret;

	memcpy(st->regs, in->regs, sizeof(st->regs));
	st->nr_writes = 0;
	for (i = 0; i < cnt; i++) {
		const struct bpf_insn *x = &insns[i];
		uint64_t *dst = &st->regs[x->dst_reg], src;
		uint8_t cls = BPF_CLASS(x->code);

		while (k + 1 < nstops && stops[k] == i)
			out[k++] = *st;
		if (x->dst_reg > 10 || x->src_reg > 10)
			return -EINVAL;
		switch (cls) {
		case BPF_ALU:
		case BPF_ALU64:
			if (BPF_OP(x->code) == BPF_END) {
				*dst = bpfext_alu_end(bpfext_alu_end_swaps(x->code),
						      x->imm, *dst);
				break;
			}
			src = BPF_SRC(x->code) == BPF_X ? st->regs[x->src_reg] :
			      (cls == BPF_ALU64 ? (uint64_t)(int64_t)x->imm :
						  (uint32_t)x->imm);
			*dst = bpfext_alu(BPF_OP(x->code), false, cls == BPF_ALU64,
					  *dst, src);
			break;
		case BPF_LDX:
			if (BPF_MODE(x->code) != BPF_MEM)
				return -EINVAL;
			*dst = load(in, st, st->regs[x->src_reg] + x->off,
				    size_bytes(x->code));
			break;
		case BPF_ST:
		case BPF_STX:
			if (BPF_MODE(x->code) != BPF_MEM)
				return -EINVAL;
			ret = store(st, *dst + x->off, size_bytes(x->code),
				    cls == BPF_ST ? (uint64_t)(int64_t)x->imm :
						    st->regs[x->src_reg]);
			if (ret)
				return ret;
			break;
		case BPF_LD:
			if (!bpfext_insn_is_ldimm64(x) || x->src_reg || i + 1 >= cnt)
				return -EINVAL;
			*dst = (uint32_t)x->imm | (uint64_t)insns[i + 1].imm << 32;
			i++;
			break;
		case BPF_JMP:
		case BPF_JMP32:
			if (!bpfext_win_insn_is_exit(x) &&
			    (x->code != (BPF_JMP | BPF_JA) || x->off))
				return -EINVAL;
			break;
		default:
			return -EINVAL;
		}
	}
	while (k + 1 < nstops)
		out[k++] = *st;
	return 0;
}

uint64_t bpfext_win_distance(const struct bpfext_win_state *a, const struct bpfext_win_state *b,
			     const struct bpfext_win_input *in, uint16_t live_out)
{
	uint64_t d = 0;
	size_t i;
	int r;

	for (r = 0; r < 10; r++)
		if (live_out & (1u << r))
			d += __builtin_popcountll(a->regs[r] ^ b->regs[r]);
	for (i = 0; i < a->nr_writes; i++)
		if (read_byte(in, a, a->w_addr[i]) != read_byte(in, b, a->w_addr[i]))
			d += 8;
	for (i = 0; i < b->nr_writes; i++)
		if (read_byte(in, a, b->w_addr[i]) != read_byte(in, b, b->w_addr[i]))
			d += 8;
	return d;
}
