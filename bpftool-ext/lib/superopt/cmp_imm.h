/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Comparisons with 64-bit constants as 32-bit immediates; see cmp_imm.c. */
#ifndef BPFEXT_CMP_IMM_H
#define BPFEXT_CMP_IMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>

/*
 * bpfext_cmp_imm - the 32-bit comparison that can replace slots
 * @x[0, 3): "rK = V ll; if rY op rK goto +off"
 * @live_after: registers live at the fall-through and at the target
 * @kz_y: bits of rY known zero at the jump
 * @out: the replacement, "if wY op' (u32)V goto +off", with @off
 *	counting from the slot after it
 *
 * Nothing is proven here: the caller proves it (bpfext_cmp_imm_prove()).
 * Return: whether the shape and the facts allow it.
 */
bool bpfext_cmp_imm(const struct bpf_insn *x, uint16_t live_after, uint64_t kz_y,
		    int16_t off, struct bpf_insn *out);

struct bpfext_sym_opts;

/*
 * Prove that @x[0, 3) and @repl decide the same and leave the same
 * registers @live_after (with @opts' known-zero inputs).
 * Return: a BPFEXT_* verdict or a negative errno.
 */
int bpfext_cmp_imm_prove(const struct bpf_insn *x, const struct bpf_insn *repl,
			 uint16_t live_after, const struct bpfext_sym_opts *opts);

#endif
