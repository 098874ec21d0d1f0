/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Just enough of the kernel's types and helpers to compile, in user space,
 * the code that proofs/scripts/extract-emitters.sh copies verbatim from the
 * kernel tree (gen/ *.inc): JIT emitters and EInsn templates.
 */
#ifndef PROOFS_KSHIM_H
#define PROOFS_KSHIM_H
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <linux/bpf.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;
typedef int64_t s64;
typedef uint32_t __le32;

#define BIT(n)		(1UL << (n))
#define barrier()	__asm__ __volatile__("" ::: "memory")
#define cpu_to_le32(x)	(x)
#define pr_err(...)	do { } while (0)
#define pr_info(...)	do { } while (0)

static inline s32 sign_extend32(u32 value, int index)
{
	u8 shift = 31 - index;

	return (s32)(value << shift) >> shift;
}

#include "../gen/kernel.inc"

#define CONFIG_BPF_EINSN 1

/* Emitter interfaces (emit_x86.c, emit_a64.c, einsn.c) */
enum { MUT_NONE = 0 };
int x86_emit(const struct bpf_insn *m, u8 *buf, int mutant);
int x86_emit_steps(const struct bpf_insn *m, u8 *buf, int *longest);
int x86_emit_memcpy_v1(const struct bpf_insn *m, u8 *buf);
int a64_emit(const struct bpf_insn *m, u32 *buf, int mutant);
int a64be_emit(const struct bpf_insn *m, u32 *buf, int mutant);	/* CONFIG_CPU_BIG_ENDIAN */
int einsn_instantiate(const struct bpf_insn *m, struct bpf_insn *p, u16 *clobber,
		      const char **why);
#endif
