/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Hand-written programs and windows for the C tests, in verifier notation. */
#ifndef BPFEXT_TESTS_ASM_H
#define BPFEXT_TESTS_ASM_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfext.h"

/* Parse ';'-separated instructions into @lp (no maps). */
static __attribute__((unused)) int
asm_linked(struct bpfext_linked_prog *lp, enum bpf_prog_type type,
		      const char *text)
{
	char *copy = strdup(text), *save = NULL, *tok;
	struct bpfext_error err;

	memset(lp, 0, sizeof(*lp));
	lp->type = type;
	lp->insns = calloc(strlen(text) + 2, sizeof(*lp->insns));
	if (!copy || !lp->insns) {
		free(copy);
		return -ENOMEM;
	}
	for (tok = strtok_r(copy, ";", &save); tok;
	     tok = strtok_r(NULL, ";", &save)) {
		int n = bpfext_insn_parse(tok, &lp->insns[lp->cnt], &err);

		if (n < 0) {
			printf("# parse error in '%s': %s\n", tok, err.msg);
			free(copy);
			return n;
		}
		lp->cnt += n;
	}
	free(copy);
	return 0;
}

/* Parse "insn; insn; ..." into @out; returns the slot count. */
static __attribute__((unused)) size_t
asm_text(const char *text, struct bpf_insn *out, size_t max)
{
	char buf[1024], *tok, *save = NULL;
	struct bpfext_error err;
	size_t n = 0;

	snprintf(buf, sizeof(buf), "%s", text);
	for (tok = strtok_r(buf, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
		int k = bpfext_insn_parse(tok, &out[n], &err);

		if (k < 0 || n + k > max) {
			printf("# cannot parse '%s': %s\n", tok, err.msg);
			exit(2);
		}
		n += k;
	}
	return n;
}

/* Append a map to @lp (named m0, m1, ... as the hand-written code uses them). */
static __attribute__((unused)) void
asm_add_map(struct bpfext_linked_prog *lp, uint32_t type, uint32_t ks,
	    uint32_t vs, uint32_t max)
{
	struct bpfext_map_desc *m;

	lp->maps = realloc(lp->maps, (lp->nr_maps + 1) * sizeof(*m));
	if (!lp->maps)
		abort();
	m = &lp->maps[lp->nr_maps++];
	memset(m, 0, sizeof(*m));
	snprintf(m->name, sizeof(m->name), "m%zu", lp->nr_maps - 1);
	m->type = type;
	m->key_size = ks;
	m->value_size = vs;
	m->max_entries = max;
}

#endif
