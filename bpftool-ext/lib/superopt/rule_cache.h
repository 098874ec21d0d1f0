/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Rewrites the search discovered, kept as rules for later windows, runs
 * and programs; see rule_cache.c.
 */
#ifndef BPFEXT_RULE_CACHE_H
#define BPFEXT_RULE_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>

#include "bpfext_opt.h"

struct bpfext_win_exits;

struct bpfext_rule_cache;


/*
 * Remember that @old[0, n) may become @new[0, m) when the registers in
 * @live_out are live after it (and @exits', or NULL, where its side
 * exits go).  The rule kept is the smallest differing middle part, with
 * registers renamed, so it matches elsewhere too; nothing is kept when
 * that part holds a side exit.  Thread-safe.
 */
void bpfext_rule_cache__learn(struct bpfext_rule_cache *rc,
			      const struct bpf_insn *old, size_t n,
			      const struct bpf_insn *new, size_t m,
			      uint16_t live_out, const struct bpfext_win_exits *exits);

/*
 * Rewrite @win[0, n) into @out (same slot count, NOPs where instructions
 * went) with every cached rule that matches, between the side exits
 * @exits (or NULL) whose live registers count as read.  Nothing is
 * proven here: the caller proves @out against @win.  Thread-safe.
 * Return: the number of rule applications.
 */
size_t bpfext_rule_cache__apply(struct bpfext_rule_cache *rc,
				const struct bpf_insn *win, size_t n,
				uint16_t live_out, const struct bpfext_win_exits *exits,
				struct bpf_insn *out);

#endif
