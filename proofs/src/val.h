/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Model validation records: a byte sequence, register inputs and a seed
 * for the memory window go to a runner (in-process on x86-64, a static
 * binary under qemu-aarch64 for arm64) that executes the bytes and
 * returns the registers and the requested memory bytes.  The memory window
 * is mapped at a fixed address in both runners so that register inputs
 * can point into it.
 */
#ifndef PROOFS_VAL_H
#define PROOFS_VAL_H
#include <stdint.h>

#define VAL_BASE	0x10000000UL
#define VAL_SIZE	4096
#define VAL_MAXCODE	256
#define VAL_MAXMEM	512

struct valin {
	uint32_t len;			/* code bytes */
	uint32_t seed;			/* memory window contents */
	uint32_t nmem;			/* window offsets to report */
	uint32_t pad;
	uint8_t code[VAL_MAXCODE];
	uint64_t r[32];
	uint16_t memoff[VAL_MAXMEM];
};

struct valout {
	uint64_t r[32];
	uint8_t mem[VAL_MAXMEM];
};

static inline uint8_t val_byte(uint32_t seed, uint32_t i)
{
	uint32_t x = (i + 1) * 0x9E3779B1u ^ seed * 0x85EBCA77u;

	x ^= x >> 15;
	x *= 0x2C1B3C6Du;
	return (uint8_t)(x >> 11);
}

/* the byte at addr of a run's input memory: the window, 0 outside */
static inline uint64_t val_mem(uint32_t seed, uint64_t addr)
{
	return addr - VAL_BASE < VAL_SIZE ? val_byte(seed, (uint32_t)(addr - VAL_BASE)) : 0;
}
#endif
