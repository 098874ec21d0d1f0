/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Native code size of BPF instructions under a kernel JIT; see jit_cost.c. */
#ifndef BPFEXT_JIT_COST_H
#define BPFEXT_JIT_COST_H

#include <linux/bpf.h>

/* Bytes the Linux 6.1 x86-64 JIT emits for @x (both slots of ld_imm64). */
unsigned int bpfext_x86_jit_bytes(const struct bpf_insn *x);

#endif
