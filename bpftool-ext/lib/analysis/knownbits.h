/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Bits of registers known to be zero or one; see knownbits.c. */
#ifndef BPFEXT_KNOWNBITS_H
#define BPFEXT_KNOWNBITS_H

#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>

/*
 * For each slot of the function @insns[0, cnt), the bits of r0-r10
 * known to be zero (@kz) and known to be one (@ko, or NULL) whenever
 * that slot is reached: both have cnt + 1 rows.  @lt (cnt entries, or
 * NULL) marks the load-time values (bpfext_section__loadtime()): what
 * those instructions define is unknown.
 * Return: 0 or -ENOMEM.
 */
int bpfext_known_bits(const struct bpf_insn *insns, size_t cnt,
		      const uint8_t *lt, uint64_t (*kz)[11], uint64_t (*ko)[11]);

#endif
