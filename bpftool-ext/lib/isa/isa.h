/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* What the ISA's validator, printer and parser share; not part of the API. */
#ifndef BPFEXT_ISA_ISA_H
#define BPFEXT_ISA_ISA_H

#include <stddef.h>
#include <linux/bpf.h>

#define ISA_REG_MAX	10

/* Notation of ALU operations, conditional jumps, atomics: by op >> 4. */
extern const char *const bpfext_isa_alu_ops[16];
extern const char *const bpfext_isa_jmp_ops[16];
extern const char *const bpfext_isa_atomic_names[16];

/* Format a reason into @err (may be NULL); returns -EINVAL. */
int bpfext_isa_set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* bpfext_insn_check() with the reason in a plain buffer. */
int bpfext_isa_check(const struct bpf_insn *insns, size_t cnt,
		     char *err, size_t errlen);

#endif /* BPFEXT_ISA_ISA_H */
