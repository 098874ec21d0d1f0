/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Register def/use and liveness, for modular window checking. */
#ifndef BPFEXT_LIVENESS_H
#define BPFEXT_LIVENESS_H

#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>

/* Registers (bit n = rn) an instruction writes and reads. */
void bpfext_insn_defuse(const struct bpf_insn *insn, uint16_t *def,
			uint16_t *use);

/*
 * bpfext_liveness - registers live before each slot of a function
 * @insns: the function's instructions; branches stay inside it
 * @live_in: cnt entries; second slots of ld_imm64 get 0
 *
 * Return: 0 or -ENOMEM.
 */
int bpfext_liveness(const struct bpf_insn *insns, size_t cnt, uint16_t *live_in);

#endif
