/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Rewrite rules tried before the search; see rules.c. */
#ifndef BPFEXT_RULES_H
#define BPFEXT_RULES_H

#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>

struct bpfext_win_exits;

/*
 * Apply every rule that matches @win[0, n) into @out (same slot count,
 * NOPs where instructions went, side exits @exits, or NULL, in place),
 * with the input bits known zero and one @kz and @ko (11 masks each, or
 * NULL).  Nothing here is proven: callers must check @out against @win
 * before using it.
 * Return: the number of rule applications.
 */
size_t bpfext_rules_apply(const struct bpf_insn *win, size_t n, uint16_t live_out,
			  const struct bpfext_win_exits *exits, const uint64_t *kz,
			  const uint64_t *ko, struct bpf_insn *out);

#endif
