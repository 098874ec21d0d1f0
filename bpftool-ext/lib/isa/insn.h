/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * eBPF instruction set: classification, validation, printing in the
 * kernel verifier's notation, and parsing that notation back.
 *
 * All functions take instructions as the uapi struct bpf_insn.  A 64-bit
 * immediate load (BPF_LD | BPF_IMM | BPF_DW) occupies two slots; functions
 * that look at one instruction read the second slot only when it is passed
 * in (cnt >= 2) and say so.
 */
#ifndef BPFEXT_INSN_H
#define BPFEXT_INSN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>

#define BPFEXT_INSN_STR_MAX 128

/* Number of slots the instruction at @insn occupies: 2 for LD_IMM64, else 1. */
int bpfext_insn_slots(const struct bpf_insn *insn);

bool bpfext_insn_is_ldimm64(const struct bpf_insn *insn);
/*
 * JMP/JMP32 with a pc-relative branch target (JA and conditionals).  The
 * target is in ->off, except for BPF_JMP32 | BPF_JA ("gotol", which the
 * Debian 6.1 kernel accepts) where it is in ->imm; see
 * bpfext_insn_branch_off().
 */
bool bpfext_insn_is_branch(const struct bpf_insn *insn);
bool bpfext_insn_is_cond_branch(const struct bpf_insn *insn);
/* Branch displacement of a branch: target = index + off + 1. */
int32_t bpfext_insn_branch_off(const struct bpf_insn *insn);
bool bpfext_insn_is_exit(const struct bpf_insn *insn);
/* BPF_CALL with src_reg 0: a helper call, imm is the helper id. */
bool bpfext_insn_is_helper_call(const struct bpf_insn *insn);
/* BPF_CALL with src_reg BPF_PSEUDO_CALL: bpf-to-bpf call, imm is pc-relative. */
bool bpfext_insn_is_pseudo_call(const struct bpf_insn *insn);
bool bpfext_insn_is_kfunc_call(const struct bpf_insn *insn);
/* LD_IMM64 with src_reg BPF_PSEUDO_FUNC: address of a subprogram. */
bool bpfext_insn_is_pseudo_func(const struct bpf_insn *insn);
/* "goto pc+0" with every other field zero: a slot a rewrite emptied. */
bool bpfext_insn_is_nop(const struct bpf_insn *insn);
/* LDX, ST or STX: an access to memory through a register. */
bool bpfext_insn_is_mem(const struct bpf_insn *insn);
/*
 * Does the instruction read src_reg as a register?  (For BPF_ST and
 * BPF_END the BPF_X bit of the opcode means a size or a byte order.)
 */
bool bpfext_insn_src_is_reg(const struct bpf_insn *insn);

/*
 * bpfext_insn_check - validate the instruction at @insns[0]
 * @insns: the instruction; for LD_IMM64 the following slot too
 * @cnt: slots available from @insns (1 is enough except for LD_IMM64)
 * @err: buffer for a one-line reason, may be NULL
 * @errlen: size of @err
 *
 * Accepts exactly the encodings Linux 6.1's verifier accepts in the
 * opcode, register, offset and immediate fields (register numbers up to
 * r10, r10 never written, reserved fields zero, valid BPF_END sizes,
 * shift amounts and nonzero K divisors, atomic op codes, pseudo source
 * registers for LD_IMM64 and calls, ...).  Rules that need the running
 * kernel (map fds, BTF ids, program type) are not checked, except those
 * no kernel can satisfy (kfunc BTF id < 0, or 0 with a module BTF).  It does not check
 * branch targets; see bpfext_insns_check().
 *
 * Return: number of slots (1 or 2) on success, -EINVAL if invalid.
 */
int bpfext_insn_check(const struct bpf_insn *insns, size_t cnt,
		      char *err, size_t errlen);

/*
 * bpfext_insns_check - validate a sequence of instructions
 *
 * Every instruction passes bpfext_insn_check(), no branch (nor
 * bpf-to-bpf call, nor BPF_PSEUDO_FUNC reference) leaves [0, cnt) or
 * lands on the second slot of an LD_IMM64, and no LD_IMM64 is cut off
 * at the end.  On failure, *@bad_idx is the offending slot.
 *
 * Return: 0 or -EINVAL.
 */
int bpfext_insns_check(const struct bpf_insn *insns, size_t cnt,
		       size_t *bad_idx, char *err, size_t errlen);

/* Name of helper @id ("map_lookup_elem"), or NULL if unknown. */
const char *bpfext_helper_name(int id);
/* Helper id for @name (with or without the "bpf_" prefix), or -1. */
int bpfext_helper_id(const char *name);

/*
 * bpfext_insn_print - render one instruction in verifier-log notation
 *
 * The text matches kernel/bpf/disasm.c as seen in the verifier log and
 * in `bpftool prog dump xlated`, without the "(op) " prefix or index:
 *   "r1 = *(u32 *)(r2 +4)", "if r1 > 0x5 goto pc+3",
 *   "call bpf_map_lookup_elem#1", "r1 = 0x1234", "r0 = be16 r0".
 * The kernel prints no " ll" suffix for LD_IMM64 (that is LLVM's
 * notation; the parser accepts it).  Where the kernel notation loses
 * encoding bits, it is extended so that the text round-trips:
 *   LD_IMM64 pseudo loads, after bpftool's forms with fds instead of ids:
 *     "r1 = map[fd:3]", "r1 = map[fd:3][0]+8" (MAP_VALUE),
 *     "r1 = map[idx:2]", "r1 = map[idx:2]+8" (MAP_IDX_VALUE),
 *     "r1 = btf_id[123]", "r1 = subprog[+5]" (BPF_PSEUDO_FUNC);
 *   kfunc calls: "call kernel-function#123" (as disasm.c prints them
 *     without BTF);
 *   BPF_JMP32 | BPF_JA: "gotol pc+5" (newer kernels' notation);
 *   fields the verifier accepts but the kernel does not print are
 *     appended as " [name=value]": "exit [off=3]",
 *     "call kernel-function#123 [off=2]" (module BTF fd_array index),
 *     "r1 = btf_id[123] [imm2=4]" (module BTF fd).
 * For LD_IMM64, @cnt must be >= 2.  Never writes more than @len bytes
 * and always NUL-terminates (when @len > 0).
 *
 * Return: slots consumed (1 or 2), or -EINVAL for an invalid encoding
 * (in which case @buf holds a raw "invalid insn 0x.." text).
 */
int bpfext_insn_print(const struct bpf_insn *insns, size_t cnt,
		      char *buf, size_t len);

/*
 * bpfext_insn_parse - parse one instruction in the notation printed by
 * bpfext_insn_print()
 * @text: one instruction, surrounding blanks ignored
 * @out: room for two slots
 *
 * bpfext_insn_parse(print(x)) reproduces x bit for bit for every valid
 * instruction x.  The optional "(op) " prefix (and a "N: " index before
 * it) is accepted and ignored, as are a trailing " ll" on 64-bit
 * immediate loads and bpftool's "map[id:N]" (read as map[fd:N]).  A
 * hexadecimal "rN = 0x.." is a 64-bit immediate load, a decimal one a
 * BPF_MOV.  6.1 disasm.c's "if w0 jmp 0x5 goto pc+0" for gotol is
 * accepted too.  Immediates of 64-bit operations must be written as
 * s32 (they are sign-extended); 32-bit ones and jump comparisons may
 * also be written as u32.  The result is validated with
 * bpfext_insn_check().
 *
 * Return: slots written (1 or 2), or -EINVAL with a reason in @err.
 */
int bpfext_insn_parse(const char *text, struct bpf_insn out[2],
		      char *err, size_t errlen);

#endif /* BPFEXT_INSN_H */
