// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * eBPF instruction set: classification and validation against the
 * encoding rules of the Linux 6.1 verifier, and the tables the printer
 * (print.c) and the parser (parse.c) share.
 *
 * The notation follows what the kernel's disassembler prints (verifier
 * log, `bpftool prog dump xlated`), without the "(op) " prefix.  Fields
 * that notation does not show are needed for a bit-exact round trip, so
 * a few forms are extended (see bpfext_insn_print() in bpfext.h):
 *
 *   r1 = map[fd:3]            LD_IMM64, BPF_PSEUDO_MAP_FD
 *   r1 = map[fd:3][0]+8       LD_IMM64, BPF_PSEUDO_MAP_VALUE
 *   r1 = btf_id[123]          LD_IMM64, BPF_PSEUDO_BTF_ID
 *   r1 = subprog[+5]          LD_IMM64, BPF_PSEUDO_FUNC
 *   r1 = map[idx:2]           LD_IMM64, BPF_PSEUDO_MAP_IDX
 *   r1 = map[idx:2]+8         LD_IMM64, BPF_PSEUDO_MAP_IDX_VALUE
 *   gotol pc+5                BPF_JMP32 | BPF_JA (imm is the offset)
 *   exit [off=3]              a field the kernel accepts but does not print
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

#define REG_FP		10	/* frame pointer, read only */
/* Largest direct map value offset + 1 (BPF_MAX_VAR_OFF in the kernel). */
#define MAX_VAR_OFF	(1U << 29)

#define HELPER_NAME(x)	[BPF_FUNC_ ## x] = #x
static const char *const helper_names[__BPF_FUNC_MAX_ID] = {
	__BPF_FUNC_MAPPER(HELPER_NAME)
};
#undef HELPER_NAME

/* Compound assignment operators of ALU instructions, by BPF_OP >> 4. */
const char *const bpfext_isa_alu_ops[16] = {
	[BPF_ADD >> 4]	= "+=",
	[BPF_SUB >> 4]	= "-=",
	[BPF_MUL >> 4]	= "*=",
	[BPF_DIV >> 4]	= "/=",
	[BPF_OR >> 4]	= "|=",
	[BPF_AND >> 4]	= "&=",
	[BPF_LSH >> 4]	= "<<=",
	[BPF_RSH >> 4]	= ">>=",
	[BPF_MOD >> 4]	= "%=",
	[BPF_XOR >> 4]	= "^=",
	[BPF_MOV >> 4]	= "=",
	[BPF_ARSH >> 4]	= "s>>=",
};

static const char *const alu_names[16] = {
	[BPF_ADD >> 4]	= "BPF_ADD",
	[BPF_SUB >> 4]	= "BPF_SUB",
	[BPF_MUL >> 4]	= "BPF_MUL",
	[BPF_DIV >> 4]	= "BPF_DIV",
	[BPF_OR >> 4]	= "BPF_OR",
	[BPF_AND >> 4]	= "BPF_AND",
	[BPF_LSH >> 4]	= "BPF_LSH",
	[BPF_RSH >> 4]	= "BPF_RSH",
	[BPF_NEG >> 4]	= "BPF_NEG",
	[BPF_MOD >> 4]	= "BPF_MOD",
	[BPF_XOR >> 4]	= "BPF_XOR",
	[BPF_MOV >> 4]	= "BPF_MOV",
	[BPF_ARSH >> 4]	= "BPF_ARSH",
	[BPF_END >> 4]	= "BPF_END",
};

/* Comparison operators of conditional jumps, by BPF_OP >> 4. */
const char *const bpfext_isa_jmp_ops[16] = {
	[BPF_JEQ >> 4]	= "==",
	[BPF_JGT >> 4]	= ">",
	[BPF_JGE >> 4]	= ">=",
	[BPF_JSET >> 4]	= "&",
	[BPF_JNE >> 4]	= "!=",
	[BPF_JSGT >> 4]	= "s>",
	[BPF_JSGE >> 4]	= "s>=",
	[BPF_JLT >> 4]	= "<",
	[BPF_JLE >> 4]	= "<=",
	[BPF_JSLT >> 4]	= "s<",
	[BPF_JSLE >> 4]	= "s<=",
};

/* Atomic read-modify-write operations, by BPF_OP(imm) >> 4. */
const char *const bpfext_isa_atomic_names[16] = {
	[BPF_ADD >> 4]	= "add",
	[BPF_AND >> 4]	= "and",
	[BPF_OR >> 4]	= "or",
	[BPF_XOR >> 4]	= "xor",
};

int bpfext_isa_set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* ------------------------------------------------------------------ */
/* Classification                                                      */
/* ------------------------------------------------------------------ */

int bpfext_insn_slots(const struct bpf_insn *insn)
{
	return bpfext_insn_is_ldimm64(insn) ? 2 : 1;
}

bool bpfext_insn_is_ldimm64(const struct bpf_insn *insn)
{
	return insn->code == (BPF_LD | BPF_IMM | BPF_DW);
}

bool bpfext_insn_is_branch(const struct bpf_insn *insn)
{
	uint8_t cls = BPF_CLASS(insn->code), op = BPF_OP(insn->code);

	if (cls != BPF_JMP && cls != BPF_JMP32)
		return false;
	if (op == BPF_JA)
		return BPF_SRC(insn->code) == BPF_K;
	return op != BPF_CALL && op != BPF_EXIT && op <= BPF_JSLE;
}

bool bpfext_insn_is_cond_branch(const struct bpf_insn *insn)
{
	return bpfext_insn_is_branch(insn) && BPF_OP(insn->code) != BPF_JA;
}

int32_t bpfext_insn_branch_off(const struct bpf_insn *insn)
{
	if (insn->code == (BPF_JMP32 | BPF_JA))
		return insn->imm;
	return insn->off;
}

bool bpfext_insn_is_exit(const struct bpf_insn *insn)
{
	return insn->code == (BPF_JMP | BPF_EXIT);
}

bool bpfext_insn_is_nop(const struct bpf_insn *insn)
{
	return insn->code == (BPF_JMP | BPF_JA) && !insn->off && !insn->imm &&
	       !insn->dst_reg && !insn->src_reg;
}

bool bpfext_insn_is_mem(const struct bpf_insn *insn)
{
	uint8_t cls = BPF_CLASS(insn->code);

	return cls == BPF_LDX || cls == BPF_ST || cls == BPF_STX;
}

bool bpfext_insn_src_is_reg(const struct bpf_insn *insn)
{
	switch (BPF_CLASS(insn->code)) {
	case BPF_ALU:
	case BPF_ALU64:
		return BPF_SRC(insn->code) == BPF_X && BPF_OP(insn->code) != BPF_END &&
		       BPF_OP(insn->code) != BPF_NEG;
	case BPF_LDX:
	case BPF_STX:
		return true;
	case BPF_JMP:
	case BPF_JMP32:
		return bpfext_insn_is_cond_branch(insn) && BPF_SRC(insn->code) == BPF_X;
	default:
		return false;
	}
}

bool bpfext_insn_is_helper_call(const struct bpf_insn *insn)
{
	return insn->code == (BPF_JMP | BPF_CALL) && insn->src_reg == 0;
}

bool bpfext_insn_is_pseudo_call(const struct bpf_insn *insn)
{
	return insn->code == (BPF_JMP | BPF_CALL) &&
	       insn->src_reg == BPF_PSEUDO_CALL;
}

bool bpfext_insn_is_kfunc_call(const struct bpf_insn *insn)
{
	return insn->code == (BPF_JMP | BPF_CALL) &&
	       insn->src_reg == BPF_PSEUDO_KFUNC_CALL;
}

bool bpfext_insn_is_pseudo_func(const struct bpf_insn *insn)
{
	return bpfext_insn_is_ldimm64(insn) && insn->src_reg == BPF_PSEUDO_FUNC;
}

/* ------------------------------------------------------------------ */
/* Helper names                                                        */
/* ------------------------------------------------------------------ */

const char *bpfext_helper_name(int id)
{
	if (id < 0 || id >= __BPF_FUNC_MAX_ID)
		return NULL;
	return helper_names[id];
}

int bpfext_helper_id(const char *name)
{
	int id;

	if (!name)
		return -1;
	if (!strncmp(name, "bpf_", 4))
		name += 4;
	for (id = 0; id < __BPF_FUNC_MAX_ID; id++)
		if (helper_names[id] && !strcmp(helper_names[id], name))
			return id;
	return -1;
}

/* ------------------------------------------------------------------ */
/* Validation                                                          */
/* ------------------------------------------------------------------ */

/* The opcodes the 6.1 verifier knows (its bpf_opcode_in_insntable()). */
static bool opcode_valid(uint8_t code)
{
	uint8_t op = BPF_OP(code), mode = BPF_MODE(code), size = BPF_SIZE(code);

	switch (BPF_CLASS(code)) {
	case BPF_ALU:
	case BPF_ALU64:
		if (op == BPF_NEG)
			return BPF_SRC(code) == BPF_K;
		if (op == BPF_END)
			return BPF_CLASS(code) == BPF_ALU;
		return op <= BPF_ARSH;
	case BPF_JMP:
		if (op == BPF_JA || op == BPF_CALL || op == BPF_EXIT)
			return BPF_SRC(code) == BPF_K;
		return op <= BPF_JSLE;
	case BPF_JMP32:
		if (op == BPF_JA)
			return BPF_SRC(code) == BPF_K;
		if (op == BPF_CALL || op == BPF_EXIT)
			return false;
		return op <= BPF_JSLE;
	case BPF_LDX:
	case BPF_ST:
		return mode == BPF_MEM;
	case BPF_STX:
		if (mode == BPF_MEM)
			return true;
		return mode == BPF_ATOMIC && (size == BPF_W || size == BPF_DW);
	case BPF_LD:
		if (mode == BPF_IMM)
			return size == BPF_DW;
		return (mode == BPF_ABS || mode == BPF_IND) && size != BPF_DW;
	}
	return false;
}

static int reserved(char *err, size_t errlen, const char *field, long val,
		    const char *what)
{
	return bpfext_isa_set_err(err, errlen, "reserved field %s=%ld in %s",
		       field, val, what);
}

static int fp_write(char *err, size_t errlen, const char *what)
{
	return bpfext_isa_set_err(err, errlen, "frame pointer r10 is read only (dst of %s)",
		       what);
}

static int check_alu(const struct bpf_insn *insn, char *err, size_t errlen)
{
	uint8_t op = BPF_OP(insn->code);
	bool is64 = BPF_CLASS(insn->code) == BPF_ALU64;
	const char *name = alu_names[op >> 4];

	if (op == BPF_NEG) {
		if (insn->src_reg)
			return reserved(err, errlen, "src_reg", insn->src_reg, name);
		if (insn->off)
			return reserved(err, errlen, "off", insn->off, name);
		if (insn->imm)
			return reserved(err, errlen, "imm", insn->imm, name);
	} else if (op == BPF_END) {
		if (insn->src_reg)
			return reserved(err, errlen, "src_reg", insn->src_reg, name);
		if (insn->off)
			return reserved(err, errlen, "off", insn->off, name);
		if (insn->imm != 16 && insn->imm != 32 && insn->imm != 64)
			return bpfext_isa_set_err(err, errlen,
				       "invalid BPF_END size imm=%d (not 16, 32 or 64)",
				       insn->imm);
	} else if (BPF_SRC(insn->code) == BPF_X) {
		if (insn->imm)
			return reserved(err, errlen, "imm", insn->imm, name);
		if (insn->off)
			return reserved(err, errlen, "off", insn->off, name);
	} else {
		if (insn->src_reg)
			return reserved(err, errlen, "src_reg", insn->src_reg, name);
		if (insn->off)
			return reserved(err, errlen, "off", insn->off, name);
		if ((op == BPF_DIV || op == BPF_MOD) && insn->imm == 0)
			return bpfext_isa_set_err(err, errlen, "%s by zero immediate", name);
		if ((op == BPF_LSH || op == BPF_RSH || op == BPF_ARSH) &&
		    (insn->imm < 0 || insn->imm >= (is64 ? 64 : 32)))
			return bpfext_isa_set_err(err, errlen, "invalid shift %d in %s%s",
				       insn->imm, name, is64 ? "" : " (32-bit)");
	}
	if (insn->dst_reg == REG_FP)
		return fp_write(err, errlen, name);
	return 1;
}

static int check_jmp(const struct bpf_insn *insn, char *err, size_t errlen)
{
	uint8_t op = BPF_OP(insn->code);
	bool is32 = BPF_CLASS(insn->code) == BPF_JMP32;

	if (op == BPF_CALL) {
		if (insn->dst_reg)
			return reserved(err, errlen, "dst_reg", insn->dst_reg, "BPF_CALL");
		switch (insn->src_reg) {
		case 0:
			if (insn->off)
				return reserved(err, errlen, "off", insn->off, "BPF_CALL");
			/*
			 * Ids past 6.1's table belong to newer kernels (and
			 * libbpf poisons failed CO-RE calls with one): the
			 * kernel that loads the object decides.
			 */
			if (insn->imm <= 0)
				return bpfext_isa_set_err(err, errlen, "invalid helper id %d",
					       insn->imm);
			break;
		case BPF_PSEUDO_CALL:
			if (insn->off)
				return reserved(err, errlen, "off", insn->off, "BPF_CALL");
			break;
		case BPF_PSEUDO_KFUNC_CALL:
			if (insn->off < 0)
				return bpfext_isa_set_err(err, errlen,
					       "negative kfunc BTF fd index off=%d",
					       insn->off);
			if (insn->imm < 0 || (insn->imm == 0 && insn->off))
				return bpfext_isa_set_err(err, errlen,
					       "invalid kfunc BTF id %d", insn->imm);
			break;
		default:
			return reserved(err, errlen, "src_reg", insn->src_reg, "BPF_CALL");
		}
		return 1;
	}
	if (op == BPF_EXIT) {
		/* The verifier does not look at ->off of BPF_EXIT. */
		if (insn->dst_reg)
			return reserved(err, errlen, "dst_reg", insn->dst_reg, "BPF_EXIT");
		if (insn->src_reg)
			return reserved(err, errlen, "src_reg", insn->src_reg, "BPF_EXIT");
		if (insn->imm)
			return reserved(err, errlen, "imm", insn->imm, "BPF_EXIT");
		return 1;
	}
	if (op == BPF_JA) {
		/*
		 * A Kops marker (off 0, src_reg BPF_PSEUDO_KOPS): kernels
		 * with Kops check its operands, others refuse it.
		 */
		if (!is32 && insn->src_reg == BPF_PSEUDO_KOPS && !insn->off)
			return 1;
		if (insn->dst_reg)
			return reserved(err, errlen, "dst_reg", insn->dst_reg, "BPF_JA");
		if (insn->src_reg)
			return reserved(err, errlen, "src_reg", insn->src_reg, "BPF_JA");
		if (!is32 && insn->imm)
			return reserved(err, errlen, "imm", insn->imm, "BPF_JA");
		if (is32 && insn->off)
			return reserved(err, errlen, "off", insn->off, "BPF_JMP32 BPF_JA");
		return 1;
	}
	if (BPF_SRC(insn->code) == BPF_X) {
		if (insn->imm)
			return reserved(err, errlen, "imm", insn->imm,
					is32 ? "BPF_JMP32" : "BPF_JMP");
	} else if (insn->src_reg) {
		return reserved(err, errlen, "src_reg", insn->src_reg,
				is32 ? "BPF_JMP32" : "BPF_JMP");
	}
	return 1;
}

static int check_atomic(const struct bpf_insn *insn, char *err, size_t errlen)
{
	switch (insn->imm) {
	case BPF_ADD:
	case BPF_AND:
	case BPF_OR:
	case BPF_XOR:
		return 1;
	case BPF_ADD | BPF_FETCH:
	case BPF_AND | BPF_FETCH:
	case BPF_OR | BPF_FETCH:
	case BPF_XOR | BPF_FETCH:
	case BPF_XCHG:
		/* The old value is loaded into src_reg. */
		if (insn->src_reg == REG_FP)
			return fp_write(err, errlen, "BPF_ATOMIC fetch");
		return 1;
	case BPF_CMPXCHG:
		return 1;
	}
	return bpfext_isa_set_err(err, errlen, "invalid atomic operation imm=0x%x",
		       (unsigned int)insn->imm);
}

static int check_ldimm64(const struct bpf_insn *insns, size_t cnt,
			 char *err, size_t errlen)
{
	const struct bpf_insn *insn = insns;

	if (insn->off)
		return reserved(err, errlen, "off", insn->off, "BPF_LD_IMM64");
	if (insn->dst_reg == REG_FP)
		return fp_write(err, errlen, "BPF_LD_IMM64");
	if (cnt < 2)
		return bpfext_isa_set_err(err, errlen, "BPF_LD_IMM64 is missing its second slot");
	if (insns[1].code)
		return bpfext_isa_set_err(err, errlen,
			       "BPF_LD_IMM64 second slot has code 0x%02x (must be 0)",
			       insns[1].code);
	if (insns[1].dst_reg)
		return reserved(err, errlen, "dst_reg", insns[1].dst_reg,
				"BPF_LD_IMM64 second slot");
	if (insns[1].src_reg)
		return reserved(err, errlen, "src_reg", insns[1].src_reg,
				"BPF_LD_IMM64 second slot");
	if (insns[1].off)
		return reserved(err, errlen, "off", insns[1].off,
				"BPF_LD_IMM64 second slot");

	switch (insn->src_reg) {
	case 0:
	case BPF_PSEUDO_BTF_ID:
	case BPF_PSEUDO_FUNC:
		break;
	case BPF_PSEUDO_MAP_FD:
	case BPF_PSEUDO_MAP_IDX:
		if (insns[1].imm)
			return bpfext_isa_set_err(err, errlen,
				       "BPF_LD_IMM64 map pseudo load has nonzero second imm %d",
				       insns[1].imm);
		break;
	case BPF_PSEUDO_MAP_VALUE:
	case BPF_PSEUDO_MAP_IDX_VALUE:
		if ((uint32_t)insns[1].imm >= MAX_VAR_OFF)
			return bpfext_isa_set_err(err, errlen,
				       "BPF_LD_IMM64 map value offset %u too large",
				       (uint32_t)insns[1].imm);
		break;
	default:
		return bpfext_isa_set_err(err, errlen, "unknown BPF_LD_IMM64 pseudo src_reg %u",
			       insn->src_reg);
	}
	return 2;
}

int bpfext_isa_check(const struct bpf_insn *insns, size_t cnt,
		     char *err, size_t errlen)
{
	const struct bpf_insn *insn = insns;
	uint8_t code;

	if (err && errlen)
		err[0] = '\0';
	if (!insns || !cnt)
		return bpfext_isa_set_err(err, errlen, "no instruction");
	code = insn->code;
	if (!opcode_valid(code))
		return bpfext_isa_set_err(err, errlen, "invalid opcode 0x%02x", code);
	/* A Kops marker's dst_reg is operand D, four bits (kops.rst). */
	if (insn->dst_reg > ISA_REG_MAX && !bpfext_kops_is_marker(insn))
		return bpfext_isa_set_err(err, errlen, "invalid register dst_reg=%u",
			       insn->dst_reg);
	/* src_reg holds a pseudo kind in LD_IMM64; any value > 10 is bad. */
	if (insn->src_reg > ISA_REG_MAX && !bpfext_insn_is_ldimm64(insn))
		return bpfext_isa_set_err(err, errlen, "invalid register src_reg=%u",
			       insn->src_reg);

	switch (BPF_CLASS(code)) {
	case BPF_ALU:
	case BPF_ALU64:
		return check_alu(insn, err, errlen);
	case BPF_JMP:
	case BPF_JMP32:
		return check_jmp(insn, err, errlen);
	case BPF_LDX:
		if (insn->imm)
			return reserved(err, errlen, "imm", insn->imm, "BPF_LDX");
		if (insn->dst_reg == REG_FP)
			return fp_write(err, errlen, "BPF_LDX");
		return 1;
	case BPF_ST:
		if (insn->src_reg)
			return reserved(err, errlen, "src_reg", insn->src_reg, "BPF_ST");
		return 1;
	case BPF_STX:
		if (BPF_MODE(code) == BPF_ATOMIC)
			return check_atomic(insn, err, errlen);
		if (insn->imm)
			return reserved(err, errlen, "imm", insn->imm, "BPF_STX");
		return 1;
	case BPF_LD:
		if (BPF_MODE(code) == BPF_IMM)
			return check_ldimm64(insns, cnt, err, errlen);
		if (insn->dst_reg)
			return reserved(err, errlen, "dst_reg", insn->dst_reg,
					"BPF_LD_ABS/IND");
		if (insn->off)
			return reserved(err, errlen, "off", insn->off,
					"BPF_LD_ABS/IND");
		if (BPF_MODE(code) == BPF_ABS && insn->src_reg)
			return reserved(err, errlen, "src_reg", insn->src_reg,
					"BPF_LD_ABS");
		return 1;
	}
	return bpfext_isa_set_err(err, errlen, "invalid opcode 0x%02x", code);
}

/* Target of a branch, call or subprog reference at @i, or false if none. */
static bool insn_target(const struct bpf_insn *insn, size_t i, int64_t *tgt)
{
	if (bpfext_insn_is_branch(insn))
		*tgt = (int64_t)i + bpfext_insn_branch_off(insn) + 1;
	else if (bpfext_insn_is_pseudo_call(insn) || bpfext_insn_is_pseudo_func(insn))
		*tgt = (int64_t)i + insn->imm + 1;
	else
		return false;
	return true;
}

int bpfext_insn_check(const struct bpf_insn *insns, size_t cnt,
		      struct bpfext_error *err)
{
	return bpfext_isa_check(insns, cnt, err ? err->msg : NULL,
			  err ? sizeof(err->msg) : 0);
}

int bpfext_insns_check(const struct bpf_insn *insns, size_t cnt,
		       size_t *bad_idx, struct bpfext_error *err)
{
	char why[BPFEXT_INSN_STR_MAX];
	size_t i;
	int n;

	if (err)
		err->msg[0] = '\0';
	for (i = 0; i < cnt; i += n) {
		n = bpfext_isa_check(insns + i, cnt - i, why, sizeof(why));
		if (n < 0) {
			if (bad_idx)
				*bad_idx = i;
			return bpfext_errf(err, EINVAL, "insn %zu: %s", i, why);
		}
	}
	for (i = 0; i < cnt; i += n) {
		int64_t tgt;

		n = bpfext_insn_slots(insns + i);
		if (!insn_target(insns + i, i, &tgt))
			continue;
		if (tgt < 0 || tgt >= (int64_t)cnt) {
			if (bad_idx)
				*bad_idx = i;
			return bpfext_errf(err, EINVAL,
					  "insn %zu: %s out of range (to %" PRId64 ", %zu insns)",
				       i, bpfext_insn_is_branch(insns + i) ? "jump" : "call",
				       tgt, cnt);
		}
		/*
		 * Every instruction passed bpfext_insn_check(), so second slots
		 * have code 0 and a slot follows an LD_IMM64 first slot
		 * exactly when it is a second slot.
		 */
		if (tgt > 0 && bpfext_insn_is_ldimm64(insns + tgt - 1)) {
			if (bad_idx)
				*bad_idx = i;
			return bpfext_errf(err, EINVAL,
					  "insn %zu: %s into the middle of LD_IMM64 at %" PRId64,
				       i, bpfext_insn_is_branch(insns + i) ? "jump" : "call",
				       tgt - 1);
		}
	}
	return 0;
}
