// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * eBPF instruction set: classification, validation against the encoding
 * rules of the Linux 6.1 verifier, printing in the verifier-log notation
 * and parsing that notation back.
 *
 * The notation follows what the kernel's disassembler prints (verifier
 * log, `bpftool prog dump xlated`), without the "(op) " prefix.  Fields
 * that notation does not show are needed for a bit-exact round trip, so
 * a few forms are extended (see insn.h):
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
#include "isa/kops_ops.h"

#define REG_FP		10	/* frame pointer, read only */
#define REG_MAX		10
/* Largest direct map value offset + 1 (BPF_MAX_VAR_OFF in the kernel). */
#define MAX_VAR_OFF	(1U << 29)

#define HELPER_NAME(x)	[BPF_FUNC_ ## x] = #x
static const char *const helper_names[__BPF_FUNC_MAX_ID] = {
	__BPF_FUNC_MAPPER(HELPER_NAME)
};
#undef HELPER_NAME

static const char *const size_names[4] = {
	[BPF_W >> 3]	= "u32",
	[BPF_H >> 3]	= "u16",
	[BPF_B >> 3]	= "u8",
	[BPF_DW >> 3]	= "u64",
};

/* Compound assignment operators of ALU instructions, by BPF_OP >> 4. */
static const char *const alu_ops[16] = {
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
static const char *const jmp_ops[16] = {
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
static const char *const atomic_names[16] = {
	[BPF_ADD >> 4]	= "add",
	[BPF_AND >> 4]	= "and",
	[BPF_OR >> 4]	= "or",
	[BPF_XOR >> 4]	= "xor",
};

static int set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

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
	return set_err(err, errlen, "reserved field %s=%ld in %s",
		       field, val, what);
}

static int fp_write(char *err, size_t errlen, const char *what)
{
	return set_err(err, errlen, "frame pointer r10 is read only (dst of %s)",
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
			return set_err(err, errlen,
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
			return set_err(err, errlen, "%s by zero immediate", name);
		if ((op == BPF_LSH || op == BPF_RSH || op == BPF_ARSH) &&
		    (insn->imm < 0 || insn->imm >= (is64 ? 64 : 32)))
			return set_err(err, errlen, "invalid shift %d in %s%s",
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
				return set_err(err, errlen, "invalid helper id %d",
					       insn->imm);
			break;
		case BPF_PSEUDO_CALL:
			if (insn->off)
				return reserved(err, errlen, "off", insn->off, "BPF_CALL");
			break;
		case BPF_PSEUDO_KFUNC_CALL:
			if (insn->off < 0)
				return set_err(err, errlen,
					       "negative kfunc BTF fd index off=%d",
					       insn->off);
			if (insn->imm < 0 || (insn->imm == 0 && insn->off))
				return set_err(err, errlen,
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
	return set_err(err, errlen, "invalid atomic operation imm=0x%x",
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
		return set_err(err, errlen, "BPF_LD_IMM64 is missing its second slot");
	if (insns[1].code)
		return set_err(err, errlen,
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
			return set_err(err, errlen,
				       "BPF_LD_IMM64 map pseudo load has nonzero second imm %d",
				       insns[1].imm);
		break;
	case BPF_PSEUDO_MAP_VALUE:
	case BPF_PSEUDO_MAP_IDX_VALUE:
		if ((uint32_t)insns[1].imm >= MAX_VAR_OFF)
			return set_err(err, errlen,
				       "BPF_LD_IMM64 map value offset %u too large",
				       (uint32_t)insns[1].imm);
		break;
	default:
		return set_err(err, errlen, "unknown BPF_LD_IMM64 pseudo src_reg %u",
			       insn->src_reg);
	}
	return 2;
}

static int insn_check(const struct bpf_insn *insns, size_t cnt,
		      char *err, size_t errlen)
{
	const struct bpf_insn *insn = insns;
	uint8_t code;

	if (err && errlen)
		err[0] = '\0';
	if (!insns || !cnt)
		return set_err(err, errlen, "no instruction");
	code = insn->code;
	if (!opcode_valid(code))
		return set_err(err, errlen, "invalid opcode 0x%02x", code);
	/* A Kops marker's dst_reg is operand D, four bits (kops.rst). */
	if (insn->dst_reg > REG_MAX && !bpfext_kops_is_marker(insn))
		return set_err(err, errlen, "invalid register dst_reg=%u",
			       insn->dst_reg);
	/* src_reg holds a pseudo kind in LD_IMM64; any value > 10 is bad. */
	if (insn->src_reg > REG_MAX && !bpfext_insn_is_ldimm64(insn))
		return set_err(err, errlen, "invalid register src_reg=%u",
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
	return set_err(err, errlen, "invalid opcode 0x%02x", code);
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
	return insn_check(insns, cnt, err ? err->msg : NULL,
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
		n = insn_check(insns + i, cnt - i, why, sizeof(why));
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

/* ------------------------------------------------------------------ */
/* Printing                                                            */
/* ------------------------------------------------------------------ */

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
		out(buf, len, "%c%u %s %c%u", r, insn->dst_reg, alu_ops[op >> 4],
		    r, insn->src_reg);
	else
		out(buf, len, "%c%u %s %d", r, insn->dst_reg, alu_ops[op >> 4],
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
			    insn->src_reg, w, atomic_names[BPF_OP(insn->imm) >> 4],
			    sz, insn->dst_reg, insn->off, insn->src_reg);
		else
			out(buf, len, "lock *(%s *)(r%u %+d) %s r%u", sz,
			    insn->dst_reg, insn->off, alu_ops[BPF_OP(insn->imm) >> 4],
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
				    helper_names[insn->imm], insn->imm);
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
		    jmp_ops[op >> 4], r, insn->src_reg, insn->off);
	} else {
		out(buf, len, "if %c%u %s 0x%x goto pc%+d", r, insn->dst_reg,
		    jmp_ops[op >> 4], (unsigned int)insn->imm, insn->off);
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
	n = insn_check(insns, cnt, NULL, 0);
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

/* ------------------------------------------------------------------ */
/* Parsing                                                             */
/* ------------------------------------------------------------------ */

enum tok_type {
	T_END,
	T_IDENT,
	T_NUM,
	T_PUNCT,
};

struct tok {
	enum tok_type type;
	const char *s;		/* start in the input */
	size_t n;		/* length */
	uint64_t num;		/* T_NUM: magnitude */
	bool hex;		/* T_NUM: written as 0x... */
};

#define MAX_TOKS 64

/* An instruction being parsed; plain fields, unlike struct bpf_insn's. */
struct pinsn {
	uint8_t code;
	uint8_t dst;
	uint8_t src;
	int16_t off;
	int32_t imm;
	int32_t imm2;		/* LD_IMM64 second slot */
};

struct parser {
	struct tok toks[MAX_TOKS];
	int ntok;
	int pos;
	char *err;
	size_t errlen;
};

/* Longest first, so that a prefix never shadows a longer operator. */
static const char *const puncts[] = {
	"s>>=", "<<=", ">>=", "s>=", "s<=", "s>", "s<",
	"==", "!=", ">=", "<=", "+=", "-=", "*=", "/=", "%=", "|=", "&=", "^=",
	"=", ">", "<", "&", "(", ")", "[", "]", "*", "+", "-", ",", "#", ":",
};

/* Up to 24 characters of @s for an error message, on one printable line. */
#define EXCERPT_MAX 25
static const char *excerpt(const char *s, char *dst)
{
	size_t i;

	for (i = 0; i < EXCERPT_MAX - 1 && s[i]; i++)
		dst[i] = isprint((unsigned char)s[i]) ? s[i] : '?';
	dst[i] = '\0';
	return dst;
}
#define EXCERPT(s) excerpt((s), (char[EXCERPT_MAX]){ 0 })

static int tokenize(struct parser *p, const char *s)
{
	size_t i;

	p->ntok = 0;
	p->pos = 0;
	for (;;) {
		struct tok *t;

		while (isspace((unsigned char)*s))
			s++;
		if (p->ntok == MAX_TOKS)
			return set_err(p->err, p->errlen, "instruction text too long");
		t = &p->toks[p->ntok++];
		memset(t, 0, sizeof(*t));
		t->s = s;
		if (!*s) {
			t->type = T_END;
			return 0;
		}
		for (i = 0; i < sizeof(puncts) / sizeof(puncts[0]); i++) {
			size_t n = strlen(puncts[i]);

			if (!strncmp(s, puncts[i], n)) {
				t->type = T_PUNCT;
				t->n = n;
				break;
			}
		}
		if (t->type == T_PUNCT) {
			s += t->n;
			continue;
		}
		if (isalpha((unsigned char)*s) || *s == '_') {
			t->type = T_IDENT;
			while (isalnum((unsigned char)s[t->n]) || s[t->n] == '_')
				t->n++;
			s += t->n;
			continue;
		}
		if (isdigit((unsigned char)*s)) {
			uint64_t v = 0;
			const char *q = s;

			t->type = T_NUM;
			if (q[0] == '0' && (q[1] == 'x' || q[1] == 'X') &&
			    isxdigit((unsigned char)q[2])) {
				t->hex = true;
				for (q += 2; isxdigit((unsigned char)*q); q++) {
					unsigned int d = isdigit((unsigned char)*q) ?
						(unsigned int)(*q - '0') :
						(unsigned int)(tolower((unsigned char)*q) - 'a' + 10);

					if (v >> 60)
						return set_err(p->err, p->errlen,
							       "number too large at '%s'", EXCERPT(s));
					v = v << 4 | d;
				}
			} else {
				for (; isdigit((unsigned char)*q); q++) {
					unsigned int d = (unsigned int)(*q - '0');

					if (v > (UINT64_MAX - d) / 10)
						return set_err(p->err, p->errlen,
							       "number too large at '%s'", EXCERPT(s));
					v = v * 10 + d;
				}
			}
			if (isalnum((unsigned char)*q) || *q == '_')
				return set_err(p->err, p->errlen,
					       "bad number at '%s'", EXCERPT(s));
			t->num = v;
			t->n = (size_t)(q - s);
			s = q;
			continue;
		}
		return set_err(p->err, p->errlen, "unexpected character 0x%02x",
			       (unsigned char)*s);
	}
}

static const struct tok *peek(const struct parser *p)
{
	return &p->toks[p->pos];
}

static const struct tok *peek2(const struct parser *p)
{
	return p->pos + 1 < p->ntok ? &p->toks[p->pos + 1] : &p->toks[p->ntok - 1];
}

static bool tok_is(const struct tok *t, enum tok_type type, const char *s)
{
	return t->type == type && strlen(s) == t->n && !strncmp(t->s, s, t->n);
}

static int unexpected(struct parser *p, const char *what)
{
	const struct tok *t = peek(p);

	if (t->type == T_END)
		return set_err(p->err, p->errlen, "expected %s at end of text", what);
	return set_err(p->err, p->errlen, "expected %s at '%s'", what,
		       EXCERPT(t->s));
}

static bool accept(struct parser *p, const char *punct)
{
	if (!tok_is(peek(p), T_PUNCT, punct))
		return false;
	p->pos++;
	return true;
}

static bool accept_word(struct parser *p, const char *word)
{
	if (!tok_is(peek(p), T_IDENT, word))
		return false;
	p->pos++;
	return true;
}

static int expect(struct parser *p, const char *punct)
{
	char what[16];

	if (accept(p, punct))
		return 0;
	snprintf(what, sizeof(what), "'%s'", punct);
	return unexpected(p, what);
}

static int expect_word(struct parser *p, const char *word)
{
	char what[32];

	if (accept_word(p, word))
		return 0;
	snprintf(what, sizeof(what), "'%s'", word);
	return unexpected(p, what);
}

/* Register token "rN" or "wN", N in 0..10.  *@wide says which prefix. */
static bool tok_reg(const struct tok *t, uint8_t *reg, char *prefix)
{
	unsigned int n = 0;
	size_t i;

	if (t->type != T_IDENT || t->n < 2 || t->n > 3 ||
	    (t->s[0] != 'r' && t->s[0] != 'w'))
		return false;
	for (i = 1; i < t->n; i++) {
		if (!isdigit((unsigned char)t->s[i]))
			return false;
		n = n * 10 + (unsigned int)(t->s[i] - '0');
	}
	if (t->n == 3 && t->s[1] == '0')
		return false;
	if (n > REG_MAX)
		return false;
	*reg = (uint8_t)n;
	if (prefix)
		*prefix = t->s[0];
	return true;
}

static int parse_reg(struct parser *p, uint8_t *reg, char *prefix)
{
	if (!tok_reg(peek(p), reg, prefix))
		return unexpected(p, "a register r0..r10");
	p->pos++;
	return 0;
}

/* A register that must use @want as its prefix ('r' or 'w'). */
static int parse_reg_as(struct parser *p, uint8_t *reg, char want)
{
	char prefix;
	const struct tok *t = peek(p);

	if (parse_reg(p, reg, &prefix))
		return -EINVAL;
	if (prefix != want)
		return set_err(p->err, p->errlen, "expected a %c register at '%s'",
			       want, EXCERPT(t->s));
	return 0;
}

/*
 * An optionally signed number in [min, max]; values above max but within
 * umax are taken modulo 2^64 (so 0xffffffff can stand for -1 in a 32-bit
 * field).
 */
static int parse_num(struct parser *p, int64_t min, int64_t max, uint64_t umax,
		     int64_t *val, bool *hex)
{
	const struct tok *t;
	bool neg = false;

	if (accept(p, "-"))
		neg = true;
	else
		accept(p, "+");
	t = peek(p);
	if (t->type != T_NUM)
		return unexpected(p, "a number");
	if (hex)
		*hex = t->hex;
	if (neg) {
		if (t->num > (uint64_t)-(min + 1) + 1)
			return set_err(p->err, p->errlen, "number out of range at '%s'",
				       EXCERPT(t->s));
		*val = (int64_t)(0 - t->num);
	} else {
		if (t->num > (uint64_t)max && t->num > umax)
			return set_err(p->err, p->errlen, "number out of range at '%s'",
				       EXCERPT(t->s));
		*val = (int64_t)t->num;
	}
	p->pos++;
	return 0;
}

/* A signed 32-bit number. */
static int parse_s32(struct parser *p, int32_t *v)
{
	int64_t x;

	if (parse_num(p, INT32_MIN, INT32_MAX, INT32_MAX, &x, NULL))
		return -EINVAL;
	*v = (int32_t)x;
	return 0;
}

/*
 * A 32-bit immediate that is also accepted as unsigned (0x80000000 ..
 * 0xffffffff), where the operation is 32 bits wide or the kernel prints
 * it in hex (jump comparisons).
 */
static int parse_u32_or_s32(struct parser *p, int32_t *v)
{
	int64_t x;

	if (parse_num(p, INT32_MIN, INT32_MAX, UINT32_MAX, &x, NULL))
		return -EINVAL;
	*v = (int32_t)(uint32_t)x;
	return 0;
}

static int parse_u32(struct parser *p, int32_t *v)
{
	int64_t x;

	if (peek(p)->type != T_NUM)
		return unexpected(p, "an unsigned number");
	if (parse_num(p, 0, INT32_MAX, UINT32_MAX, &x, NULL))
		return -EINVAL;
	*v = (int32_t)(uint32_t)x;
	return 0;
}

static int parse_s16(struct parser *p, int16_t *v)
{
	int64_t x;

	if (parse_num(p, INT16_MIN, INT16_MAX, INT16_MAX, &x, NULL))
		return -EINVAL;
	*v = (int16_t)x;
	return 0;
}

/* "pc+N" / "pc-N" */
static int parse_pc16(struct parser *p, int16_t *off)
{
	if (expect_word(p, "pc"))
		return -EINVAL;
	return parse_s16(p, off);
}

static int parse_pc32(struct parser *p, int32_t *off)
{
	int64_t x;

	if (expect_word(p, "pc"))
		return -EINVAL;
	if (parse_num(p, INT32_MIN, INT32_MAX, INT32_MAX, &x, NULL))
		return -EINVAL;
	*off = (int32_t)x;
	return 0;
}

/* Optional trailing " [name=N]" for fields the kernel notation hides. */
static int parse_ext(struct parser *p, const char *name, int64_t min,
		     int64_t max, int64_t *val)
{
	*val = 0;
	if (!tok_is(peek(p), T_PUNCT, "[") || !tok_is(peek2(p), T_IDENT, name))
		return 0;
	p->pos += 2;
	if (expect(p, "=") || parse_num(p, min, max, (uint64_t)max, val, NULL) ||
	    expect(p, "]"))
		return -EINVAL;
	if (*val == 0)
		return set_err(p->err, p->errlen, "[%s=0] is implied, leave it out",
			       name);
	return 0;
}

/* Optional " [kops NAME dst=N imm=0xIMM]" after "goto pc+0": a marker. */
static int parse_kops(struct parser *p, struct pinsn *insn)
{
	const struct tok *t;
	const char *name;
	int64_t v;
	int id;

	if (!tok_is(peek(p), T_PUNCT, "[") || !tok_is(peek2(p), T_IDENT, "kops"))
		return 0;
	p->pos += 2;
	t = peek(p);
	if (t->type != T_IDENT)
		return unexpected(p, "an op name");
	p->pos++;
	insn->src = BPF_PSEUDO_KOPS;
	if (expect_word(p, "dst") || expect(p, "=") ||
	    parse_num(p, 0, 15, 15, &v, NULL))
		return -EINVAL;
	insn->dst = (uint8_t)v;
	if (expect_word(p, "imm") || expect(p, "=") ||
	    parse_num(p, INT32_MIN, INT32_MAX, UINT32_MAX, &v, NULL) ||
	    expect(p, "]"))
		return -EINVAL;
	insn->imm = (int32_t)(uint32_t)v;
	id = (int)((uint32_t)insn->imm & 0xff);
	name = bpfext_einsn_name((unsigned int)id);
	if (!tok_is(t, T_IDENT, name ? name : "op"))
		return set_err(p->err, p->errlen,
			       "kops op name does not match id %d", id);
	return 0;
}

/* "(u32 *)" -> BPF_W etc. */
static int parse_cast(struct parser *p, uint8_t *size)
{
	static const struct { const char *name; uint8_t size; } sizes[] = {
		{ "u8", BPF_B }, { "u16", BPF_H }, { "u32", BPF_W }, { "u64", BPF_DW },
	};
	size_t i;

	if (expect(p, "("))
		return -EINVAL;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		if (accept_word(p, sizes[i].name))
			break;
	if (i == sizeof(sizes) / sizeof(sizes[0]))
		return unexpected(p, "u8, u16, u32 or u64");
	*size = sizes[i].size;
	if (expect(p, "*") || expect(p, ")"))
		return -EINVAL;
	return 0;
}

/* "(rN +off)" */
static int parse_memref(struct parser *p, uint8_t *reg, int16_t *off)
{
	if (expect(p, "(") || parse_reg_as(p, reg, 'r'))
		return -EINVAL;
	*off = 0;
	if (!tok_is(peek(p), T_PUNCT, ")") && parse_s16(p, off))
		return -EINVAL;
	return expect(p, ")");
}

static int find_op(const char *const *ops, const struct tok *t)
{
	int i;

	if (t->type != T_PUNCT)
		return -1;
	for (i = 0; i < 16; i++)
		if (ops[i] && strlen(ops[i]) == t->n && !strncmp(ops[i], t->s, t->n))
			return i;
	return -1;
}

static int parse_call(struct parser *p, struct pinsn *insn)
{
	const struct tok *t = peek(p);
	int64_t off;

	insn->code = BPF_JMP | BPF_CALL;
	if (accept_word(p, "pc")) {
		insn->src = BPF_PSEUDO_CALL;
		return parse_s32(p, &insn->imm);
	}
	if (accept_word(p, "kernel")) {
		if (expect(p, "-") || expect_word(p, "function"))
			return -EINVAL;
		goto kfunc;
	}
	if (accept_word(p, "kfunc"))
		goto kfunc;
	if (t->type == T_IDENT) {
		char name[64];
		int id;

		snprintf(name, sizeof(name), "%.*s", (int)t->n, t->s);
		id = bpfext_helper_id(name);
		p->pos++;
		if (accept(p, "#")) {
			if (parse_s32(p, &insn->imm))
				return -EINVAL;
			if (id >= 0 && id != insn->imm)
				return set_err(p->err, p->errlen,
					       "helper %s is #%d, not #%d", name, id,
					       insn->imm);
		} else if (id < 0) {
			return set_err(p->err, p->errlen, "unknown helper '%s'", name);
		} else {
			insn->imm = id;
		}
		return 0;
	}
	if (accept(p, "#"))
		return parse_s32(p, &insn->imm);
	return unexpected(p, "a call target");
kfunc:
	insn->src = BPF_PSEUDO_KFUNC_CALL;
	if (expect(p, "#") || parse_s32(p, &insn->imm) ||
	    parse_ext(p, "off", INT16_MIN, INT16_MAX, &off))
		return -EINVAL;
	insn->off = (int16_t)off;
	return 0;
}

/* "if rA op rB|imm goto pc+N" */
static int parse_cond(struct parser *p, struct pinsn *insn)
{
	char prefix;
	int op;

	if (parse_reg(p, &insn->dst, &prefix))
		return -EINVAL;
	/* 6.1's disasm.c prints BPF_JMP32 | BPF_JA as "if w0 jmp 0x.. goto pc+0". */
	if (accept_word(p, "jmp")) {
		insn->code = (prefix == 'w' ? BPF_JMP32 : BPF_JMP) | BPF_JA;
		if (parse_u32_or_s32(p, &insn->imm) || expect_word(p, "goto"))
			return -EINVAL;
		return parse_pc16(p, &insn->off);
	}
	op = find_op(jmp_ops, peek(p));
	if (op < 0)
		return unexpected(p, "a comparison operator");
	p->pos++;
	insn->code = (uint8_t)((prefix == 'w' ? BPF_JMP32 : BPF_JMP) | op << 4);
	if (tok_reg(peek(p), &insn->src, NULL)) {
		insn->code |= BPF_X;
		if (parse_reg_as(p, &insn->src, prefix))
			return -EINVAL;
	} else if (parse_u32_or_s32(p, &insn->imm)) {
		return -EINVAL;
	}
	if (expect_word(p, "goto"))
		return -EINVAL;
	return parse_pc16(p, &insn->off);
}

/* After "*": "(uN *)(rD +off) = rS|imm" */
static int parse_store(struct parser *p, struct pinsn *insn)
{
	uint8_t size;

	if (parse_cast(p, &size) || parse_memref(p, &insn->dst, &insn->off) ||
	    expect(p, "="))
		return -EINVAL;
	if (tok_reg(peek(p), &insn->src, NULL)) {
		insn->code = BPF_STX | BPF_MEM | size;
		return parse_reg_as(p, &insn->src, 'r');
	}
	insn->code = BPF_ST | BPF_MEM | size;
	/* A 64-bit store sign-extends imm: no unsigned spelling there. */
	if (size == BPF_DW)
		return parse_s32(p, &insn->imm);
	return parse_u32_or_s32(p, &insn->imm);
}

/* After "lock": "*(uN *)(rD +off) op= rS" */
static int parse_lock(struct parser *p, struct pinsn *insn)
{
	uint8_t size;
	int op;

	if (expect(p, "*") || parse_cast(p, &size) ||
	    parse_memref(p, &insn->dst, &insn->off))
		return -EINVAL;
	op = find_op(alu_ops, peek(p));
	if (op < 0 || !atomic_names[op])
		return unexpected(p, "'+=', '&=', '|=' or '^='");
	p->pos++;
	insn->code = BPF_STX | BPF_ATOMIC | size;
	insn->imm = op << 4;
	return parse_reg_as(p, &insn->src, 'r');
}

/* "rS = atomic[64]_name((uN *)(rD +off), ...)" after the '='. */
static int parse_atomic(struct parser *p, struct pinsn *insn, uint8_t lhs)
{
	const struct tok *t = peek(p);
	char name[32];
	const char *op;
	bool is64;
	uint8_t size, reg;
	int i;

	snprintf(name, sizeof(name), "%.*s", (int)t->n, t->s);
	p->pos++;
	is64 = !strncmp(name, "atomic64_", 9);
	op = name + (is64 ? 9 : 7);
	if (!strcmp(op, "xchg")) {
		insn->imm = BPF_XCHG;
	} else if (!strcmp(op, "cmpxchg")) {
		insn->imm = BPF_CMPXCHG;
	} else {
		if (strncmp(op, "fetch_", 6))
			goto bad;
		for (i = 0; i < 16; i++)
			if (atomic_names[i] && !strcmp(op + 6, atomic_names[i]))
				break;
		if (i == 16)
			goto bad;
		insn->imm = i << 4 | BPF_FETCH;
	}
	if (expect(p, "(") || parse_cast(p, &size) ||
	    parse_memref(p, &insn->dst, &insn->off) || expect(p, ","))
		return -EINVAL;
	if (size != (is64 ? BPF_DW : BPF_W))
		return set_err(p->err, p->errlen, "%s needs a %s operand", name,
			       is64 ? "u64" : "u32");
	insn->code = BPF_STX | BPF_ATOMIC | size;
	if (insn->imm == BPF_CMPXCHG) {
		if (lhs != 0)
			return set_err(p->err, p->errlen, "%s writes r0", name);
		if (parse_reg_as(p, &reg, 'r'))
			return -EINVAL;
		if (reg != 0)
			return set_err(p->err, p->errlen, "%s compares with r0", name);
		if (expect(p, ","))
			return -EINVAL;
	}
	if (parse_reg_as(p, &insn->src, 'r') || expect(p, ")"))
		return -EINVAL;
	if (insn->imm != BPF_CMPXCHG && lhs != insn->src)
		return set_err(p->err, p->errlen,
			       "%s loads into its source register r%u, not r%u",
			       name, insn->src, lhs);
	return 0;
bad:
	return set_err(p->err, p->errlen, "unknown atomic operation '%s'", name);
}

/* "map[fd:N]", "map[fd:N][0]+V", "map[idx:N]", "map[idx:N]+V" after "map" */
static int parse_map(struct parser *p, struct pinsn *insn)
{
	bool idx, value = false;

	if (expect(p, "["))
		return -EINVAL;
	if (accept_word(p, "idx"))
		idx = true;
	else if (accept_word(p, "fd") || accept_word(p, "id"))
		idx = false;
	else
		return unexpected(p, "'fd', 'id' or 'idx'");
	if (expect(p, ":") || parse_u32(p, &insn->imm) || expect(p, "]"))
		return -EINVAL;
	if (accept(p, "[")) {
		if (peek(p)->type != T_NUM || peek(p)->num != 0)
			return unexpected(p, "'0'");
		p->pos++;
		if (expect(p, "]"))
			return -EINVAL;
		if (!tok_is(peek(p), T_PUNCT, "+"))
			return unexpected(p, "'+'");
	}
	if (accept(p, "+")) {
		if (parse_u32(p, &insn->imm2))
			return -EINVAL;
		value = true;
	}
	if (idx)
		insn->src = value ? BPF_PSEUDO_MAP_IDX_VALUE : BPF_PSEUDO_MAP_IDX;
	else
		insn->src = value ? BPF_PSEUDO_MAP_VALUE : BPF_PSEUDO_MAP_FD;
	return 0;
}

/* The part after "rD =" or "wD =". */
static int parse_assign(struct parser *p, struct pinsn *insn,
			uint8_t dst, char prefix)
{
	const struct tok *t = peek(p);
	uint8_t cls = prefix == 'w' ? BPF_ALU : BPF_ALU64;
	bool ldimm64 = false;
	int64_t v;
	size_t n;

	insn->dst = dst;

	/* rD = -rD */
	if (tok_is(t, T_PUNCT, "-") && tok_reg(peek2(p), &insn->src, NULL)) {
		uint8_t reg;

		p->pos++;
		if (parse_reg_as(p, &reg, prefix))
			return -EINVAL;
		if (reg != dst)
			return set_err(p->err, p->errlen,
				       "negation must be in place (%c%u = -%c%u)",
				       prefix, dst, prefix, dst);
		insn->src = 0;
		insn->code = cls | BPF_NEG | BPF_K;
		return 0;
	}

	/* rD = rS */
	if (tok_reg(t, &insn->src, NULL)) {
		insn->code = cls | BPF_MOV | BPF_X;
		return parse_reg_as(p, &insn->src, prefix);
	}

	/* rD = imm, rD = imm64 [ll] */
	if (t->type == T_NUM || tok_is(t, T_PUNCT, "-") || tok_is(t, T_PUNCT, "+")) {
		bool hex;

		if (parse_num(p, INT64_MIN, INT64_MAX, UINT64_MAX, &v, &hex))
			return -EINVAL;
		if (accept_word(p, "ll") || (hex && prefix == 'r'))
			ldimm64 = true;
		if (ldimm64) {
			uint64_t u = (uint64_t)v;

			if (prefix != 'r')
				return set_err(p->err, p->errlen,
					       "64-bit immediate load needs an r register");
			insn->code = BPF_LD | BPF_IMM | BPF_DW;
			insn->imm = (int32_t)(uint32_t)u;
			insn->imm2 = (int32_t)(uint32_t)(u >> 32);
			return 2;
		}
		/* v < 0 without a '-' is a wrapped u64: too large. */
		if ((v < 0 && !tok_is(t, T_PUNCT, "-")) || v < INT32_MIN ||
		    v > (prefix == 'r' ? INT32_MAX : (int64_t)UINT32_MAX))
			return set_err(p->err, p->errlen,
				       "immediate %" PRId64 " out of range for %s",
				       v, prefix == 'r' ? "r (sign-extended s32)" : "w (32 bits)");
		insn->code = cls | BPF_MOV | BPF_K;
		insn->imm = (int32_t)(uint32_t)v;
		return 0;
	}

	/* rD = *(uN *)(rS +off), r0 = *(uN *)skb[...] */
	if (accept(p, "*")) {
		uint8_t size;

		if (parse_cast(p, &size))
			return -EINVAL;
		if (prefix != 'r')
			return set_err(p->err, p->errlen, "loads need an r register");
		if (accept_word(p, "skb")) {
			if (dst != 0)
				return set_err(p->err, p->errlen,
					       "packet loads write r0, not r%u", dst);
			if (expect(p, "["))
				return -EINVAL;
			if (tok_reg(peek(p), &insn->src, NULL)) {
				if (parse_reg_as(p, &insn->src, 'r') ||
				    expect(p, "+"))
					return -EINVAL;
				insn->code = BPF_LD | BPF_IND | size;
			} else {
				insn->code = BPF_LD | BPF_ABS | size;
			}
			if (parse_s32(p, &insn->imm))
				return -EINVAL;
			return expect(p, "]");
		}
		insn->code = BPF_LDX | BPF_MEM | size;
		return parse_memref(p, &insn->src, &insn->off);
	}

	if (t->type != T_IDENT)
		return unexpected(p, "an operand");

	/* rD = be16 rD etc.  The kernel prints 'r' even for this ALU32 op. */
	if (t->n == 4 && (!strncmp(t->s, "be", 2) || !strncmp(t->s, "le", 2)) &&
	    isdigit((unsigned char)t->s[2]) && isdigit((unsigned char)t->s[3])) {
		int bits = (t->s[2] - '0') * 10 + (t->s[3] - '0');
		uint8_t reg;

		if (bits == 16 || bits == 32 || bits == 64) {
			p->pos++;
			if (parse_reg_as(p, &reg, prefix))
				return -EINVAL;
			if (reg != dst)
				return set_err(p->err, p->errlen,
					       "byte swap must be in place");
			insn->code = BPF_ALU | BPF_END |
				     (t->s[0] == 'b' ? BPF_TO_BE : BPF_TO_LE);
			insn->imm = bits;
			return 0;
		}
	}

	n = t->n;
	if ((n > 7 && !strncmp(t->s, "atomic_", 7)) ||
	    (n > 9 && !strncmp(t->s, "atomic64_", 9))) {
		if (prefix != 'r')
			return set_err(p->err, p->errlen, "atomics need r registers");
		return parse_atomic(p, insn, dst);
	}

	/* The remaining forms are 64-bit immediate loads. */
	if (prefix != 'r')
		return set_err(p->err, p->errlen,
			       "64-bit immediate load needs an r register");
	insn->code = BPF_LD | BPF_IMM | BPF_DW;
	if (accept_word(p, "map")) {
		if (parse_map(p, insn))
			return -EINVAL;
	} else if (accept_word(p, "btf_id")) {
		insn->src = BPF_PSEUDO_BTF_ID;
		if (expect(p, "[") || parse_u32(p, &insn->imm) || expect(p, "]") ||
		    parse_ext(p, "imm2", INT32_MIN, INT32_MAX, &v))
			return -EINVAL;
		insn->imm2 = (int32_t)v;
	} else if (accept_word(p, "subprog")) {
		insn->src = BPF_PSEUDO_FUNC;
		if (expect(p, "[") || parse_s32(p, &insn->imm) || expect(p, "]") ||
		    parse_ext(p, "imm2", INT32_MIN, INT32_MAX, &v))
			return -EINVAL;
		insn->imm2 = (int32_t)v;
	} else {
		return unexpected(p, "an operand");
	}
	accept_word(p, "ll");
	return 2;
}

static int parse_stmt(struct parser *p, struct pinsn *insn)
{
	const struct tok *t = peek(p);
	uint8_t dst;
	char prefix;
	int64_t v;
	int op;

	if (accept_word(p, "exit")) {
		insn->code = BPF_JMP | BPF_EXIT;
		if (parse_ext(p, "off", INT16_MIN, INT16_MAX, &v))
			return -EINVAL;
		insn->off = (int16_t)v;
		return 0;
	}
	if (accept_word(p, "goto")) {
		insn->code = BPF_JMP | BPF_JA;
		if (parse_pc16(p, &insn->off))
			return -EINVAL;
		return parse_kops(p, insn);
	}
	if (accept_word(p, "gotol")) {
		insn->code = BPF_JMP32 | BPF_JA;
		return parse_pc32(p, &insn->imm);
	}
	if (accept_word(p, "call"))
		return parse_call(p, insn);
	if (accept_word(p, "if"))
		return parse_cond(p, insn);
	if (accept_word(p, "lock"))
		return parse_lock(p, insn);
	if (accept(p, "*"))
		return parse_store(p, insn);
	if (!tok_reg(t, &dst, &prefix))
		return unexpected(p, "an instruction");
	p->pos++;
	if (accept(p, "="))
		return parse_assign(p, insn, dst, prefix);

	op = find_op(alu_ops, peek(p));
	if (op < 0)
		return unexpected(p, "an assignment operator");
	p->pos++;
	insn->dst = dst;
	insn->code = (uint8_t)((prefix == 'w' ? BPF_ALU : BPF_ALU64) | op << 4);
	if (tok_reg(peek(p), &insn->src, NULL)) {
		insn->code |= BPF_X;
		return parse_reg_as(p, &insn->src, prefix);
	}
	/* 64-bit ALU sign-extends imm: no unsigned spelling there. */
	if (prefix == 'r')
		return parse_s32(p, &insn->imm);
	return parse_u32_or_s32(p, &insn->imm);
}

int bpfext_insn_parse(const char *text, struct bpf_insn out[2],
		      struct bpfext_error *e)
{
	char *err = e ? e->msg : NULL;
	size_t errlen = e ? sizeof(e->msg) : 0;
	struct parser p;
	struct pinsn pi;
	const char *s = text;
	char why[BPFEXT_INSN_STR_MAX];
	int ret;

	if (err && errlen)
		err[0] = '\0';
	memset(out, 0, 2 * sizeof(*out));
	if (!text)
		return set_err(err, errlen, "no text");
	p.err = err;
	p.errlen = errlen;

	/* Optional "12: " index and "(bf) " opcode prefixes of the log. */
	while (isspace((unsigned char)*s))
		s++;
	if (isdigit((unsigned char)*s)) {
		const char *q = s;

		while (isdigit((unsigned char)*q))
			q++;
		if (*q == ':')
			s = q + 1;
	}
	while (isspace((unsigned char)*s))
		s++;
	if (s[0] == '(' && isxdigit((unsigned char)s[1]) &&
	    isxdigit((unsigned char)s[2]) && s[3] == ')')
		s += 4;

	if (tokenize(&p, s))
		return -EINVAL;
	memset(&pi, 0, sizeof(pi));
	ret = parse_stmt(&p, &pi);
	if (ret < 0)
		return -EINVAL;
	if (peek(&p)->type != T_END)
		return unexpected(&p, "end of instruction");
	ret = ret == 2 ? 2 : 1;
	out[0].code = pi.code;
	out[0].dst_reg = pi.dst & 0xf;
	out[0].src_reg = pi.src & 0xf;
	out[0].off = pi.off;
	out[0].imm = pi.imm;
	if (ret == 2)
		out[1].imm = pi.imm2;
	if (insn_check(out, (size_t)ret, why, sizeof(why)) < 0)
		return set_err(err, errlen, "%s", why);
	return ret;
}
