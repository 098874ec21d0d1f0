/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Instruction sizes measured on the running kernel's JIT; see jit_probe.c. */
#ifndef BPFEXT_JIT_PROBE_H
#define BPFEXT_JIT_PROBE_H

#include <stddef.h>
#include <linux/bpf.h>

#include "bpfext.h"

struct bpfext_jit_probe;

/*
 * A prober for the running kernel.  Needs the privilege to load BPF
 * programs and the JIT on.
 * Return: the prober, or NULL with @err saying why not.
 */
struct bpfext_jit_probe *bpfext_jit_probe__new(struct bpfext_error *err);
void bpfext_jit_probe__free(struct bpfext_jit_probe *jp);

/*
 * Native bytes the running kernel's JIT emits for @x (measured once per
 * shape; the 6.1 x86-64 model where a probe cannot be loaded).
 * Thread-safe.
 */
int bpfext_jit_probe__bytes(struct bpfext_jit_probe *jp, const struct bpf_insn *x);

/*
 * Load @insns as a socket filter and return its jited_prog_len, or
 * -errno (-ENOTSUP when the JIT is off).
 */
int bpfext_jited_len(const struct bpf_insn *insns, size_t cnt);

/* Probe programs loaded so far. */
unsigned int bpfext_jit_probe__probes(const struct bpfext_jit_probe *jp);

#endif
