// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Printing instructions in the verifier-log notation (kernel/bpf/disasm.c),
 * extended where it loses encoding bits; see bpfext_insn_print().
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/util.h"
#include "isa/isa.h"
#include "isa/kops_ops.h"

static const char *const size_names[4] = {
	[BPF_W >> 3]	= "u32",
	[BPF_H >> 3]	= "u16",
	[BPF_B >> 3]	= "u8",
	[BPF_DW >> 3]	= "u64",
};

static void out(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void out(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!buf || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

static const char *size_name(uint8_t code)
{
	return size_names[BPF_SIZE(code) >> 3];
}

static void print_alu(const struct bpf_insn *insn, char *buf, size_t len)
{
	uint8_t op = BPF_OP(insn->code);
	char r = BPF_CLASS(insn->code) == BPF_ALU64 ? 'r' : 'w';

	if (op == BPF_END)
		out(buf, len, "r%u = %s%d r%u", insn->dst_reg,
		    BPF_SRC(insn->code) == BPF_TO_BE ? "be" : "le",
		    insn->imm, insn->dst_reg);
	else if (op == BPF_NEG)
		out(buf, len, "%c%u = -%c%u", r, insn->dst_reg, r, insn->dst_reg);
	else if (BPF_SRC(insn->code) == BPF_X)
		out(buf, len, "%c%u %s %c%u", r, insn->dst_reg, bpfext_isa_alu_ops[op >> 4],
		    r, insn->src_reg);
	else
		out(buf, len, "%c%u %s %d", r, insn->dst_reg, bpfext_isa_alu_ops[op >> 4],
		    insn->imm);
}

static void print_atomic(const struct bpf_insn *insn, char *buf, size_t len)
{
	const char *sz = size_name(insn->code);
	const char *w = BPF_SIZE(insn->code) == BPF_DW ? "64" : "";

	switch (insn->imm) {
	case BPF_XCHG:
		out(buf, len, "r%u = atomic%s_xchg((%s *)(r%u %+d), r%u)",
		    insn->src_reg, w, sz, insn->dst_reg, insn->off, insn->src_reg);
		break;
	case BPF_CMPXCHG:
		out(buf, len, "r0 = atomic%s_cmpxchg((%s *)(r%u %+d), r0, r%u)",
		    w, sz, insn->dst_reg, insn->off, insn->src_reg);
		break;
	default:
		if (insn->imm & BPF_FETCH)
			out(buf, len, "r%u = atomic%s_fetch_%s((%s *)(r%u %+d), r%u)",
			    insn->src_reg, w, bpfext_isa_atomic_names[BPF_OP(insn->imm) >> 4],
			    sz, insn->dst_reg, insn->off, insn->src_reg);
		else
			out(buf, len, "lock *(%s *)(r%u %+d) %s r%u", sz,
			    insn->dst_reg, insn->off, bpfext_isa_alu_ops[BPF_OP(insn->imm) >> 4],
			    insn->src_reg);
		break;
	}
}

static void print_ldimm64(const struct bpf_insn *insn, char *buf, size_t len)
{
	uint32_t lo = (uint32_t)insn[0].imm, hi = (uint32_t)insn[1].imm;
	unsigned int dst = insn->dst_reg;

	switch (insn->src_reg) {
	case BPF_PSEUDO_MAP_FD:
		out(buf, len, "r%u = map[fd:%" PRIu32 "]", dst, lo);
		break;
	case BPF_PSEUDO_MAP_VALUE:
		out(buf, len, "r%u = map[fd:%" PRIu32 "][0]+%" PRIu32, dst, lo, hi);
		break;
	case BPF_PSEUDO_MAP_IDX:
		out(buf, len, "r%u = map[idx:%" PRIu32 "]", dst, lo);
		break;
	case BPF_PSEUDO_MAP_IDX_VALUE:
		out(buf, len, "r%u = map[idx:%" PRIu32 "]+%" PRIu32, dst, lo, hi);
		break;
	case BPF_PSEUDO_BTF_ID:
		if (hi)
			out(buf, len, "r%u = btf_id[%" PRIu32 "] [imm2=%d]", dst, lo,
			    insn[1].imm);
		else
			out(buf, len, "r%u = btf_id[%" PRIu32 "]", dst, lo);
		break;
	case BPF_PSEUDO_FUNC:
		if (hi)
			out(buf, len, "r%u = subprog[%+d] [imm2=%d]", dst, insn->imm,
			    insn[1].imm);
		else
			out(buf, len, "r%u = subprog[%+d]", dst, insn->imm);
		break;
	default:
		out(buf, len, "r%u = 0x%" PRIx64, dst, ((uint64_t)hi << 32) | lo);
		break;
	}
}

static void print_jmp(const struct bpf_insn *insn, char *buf, size_t len)
{
	uint8_t op = BPF_OP(insn->code);
	char r = BPF_CLASS(insn->code) == BPF_JMP32 ? 'w' : 'r';

	if (op == BPF_CALL) {
		if (insn->src_reg == BPF_PSEUDO_CALL)
			out(buf, len, "call pc%+d", insn->imm);
		else if (insn->src_reg == BPF_PSEUDO_KFUNC_CALL && insn->off)
			out(buf, len, "call kernel-function#%d [off=%d]", insn->imm,
			    insn->off);
		else if (insn->src_reg == BPF_PSEUDO_KFUNC_CALL)
			out(buf, len, "call kernel-function#%d", insn->imm);
		else
			if (bpfext_helper_name(insn->imm))
				out(buf, len, "call bpf_%s#%d",
				    bpfext_helper_name(insn->imm), insn->imm);
			else
				out(buf, len, "call unknown#%d", insn->imm);
	} else if (op == BPF_EXIT) {
		if (insn->off)
			out(buf, len, "exit [off=%d]", insn->off);
		else
			out(buf, len, "exit");
	} else if (op == BPF_JA && bpfext_kops_is_marker(insn)) {
		const char *name = bpfext_einsn_name((uint32_t)insn->imm & 0xff);

		out(buf, len, "goto pc%+d [kops %s dst=%u imm=0x%08x]", insn->off,
		    name ? name : "op", insn->dst_reg, (unsigned int)insn->imm);
	} else if (op == BPF_JA) {
		if (r == 'w')
			out(buf, len, "gotol pc%+d", insn->imm);
		else
			out(buf, len, "goto pc%+d", insn->off);
	} else if (BPF_SRC(insn->code) == BPF_X) {
		out(buf, len, "if %c%u %s %c%u goto pc%+d", r, insn->dst_reg,
		    bpfext_isa_jmp_ops[op >> 4], r, insn->src_reg, insn->off);
	} else {
		out(buf, len, "if %c%u %s 0x%x goto pc%+d", r, insn->dst_reg,
		    bpfext_isa_jmp_ops[op >> 4], (unsigned int)insn->imm, insn->off);
	}
}

int bpfext_insn_print(const struct bpf_insn *insns, size_t cnt,
		      char *buf, size_t len)
{
	const struct bpf_insn *insn = insns;
	int n;

	if (buf && len)
		buf[0] = '\0';
	if (!insns || !cnt) {
		out(buf, len, "invalid insn (none)");
		return -EINVAL;
	}
	n = bpfext_isa_check(insns, cnt, NULL, 0);
	if (n < 0) {
		out(buf, len, "invalid insn 0x%02x dst=%u src=%u off=%d imm=%d",
		    insn->code, insn->dst_reg, insn->src_reg, insn->off, insn->imm);
		return -EINVAL;
	}

	switch (BPF_CLASS(insn->code)) {
	case BPF_ALU:
	case BPF_ALU64:
		print_alu(insn, buf, len);
		break;
	case BPF_JMP:
	case BPF_JMP32:
		print_jmp(insn, buf, len);
		break;
	case BPF_LDX:
		out(buf, len, "r%u = *(%s *)(r%u %+d)", insn->dst_reg,
		    size_name(insn->code), insn->src_reg, insn->off);
		break;
	case BPF_ST:
		out(buf, len, "*(%s *)(r%u %+d) = %d", size_name(insn->code),
		    insn->dst_reg, insn->off, insn->imm);
		break;
	case BPF_STX:
		if (BPF_MODE(insn->code) == BPF_ATOMIC)
			print_atomic(insn, buf, len);
		else
			out(buf, len, "*(%s *)(r%u %+d) = r%u", size_name(insn->code),
			    insn->dst_reg, insn->off, insn->src_reg);
		break;
	case BPF_LD:
		if (BPF_MODE(insn->code) == BPF_IMM)
			print_ldimm64(insn, buf, len);
		else if (BPF_MODE(insn->code) == BPF_ABS)
			out(buf, len, "r0 = *(%s *)skb[%d]", size_name(insn->code),
			    insn->imm);
		else
			out(buf, len, "r0 = *(%s *)skb[r%u + %d]",
			    size_name(insn->code), insn->src_reg, insn->imm);
		break;
	}
	return n;
}

