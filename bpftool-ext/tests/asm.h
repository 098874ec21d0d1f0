/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Hand-written linked programs for the C tests, in verifier notation. */
#ifndef BPFEXT_TESTS_ASM_H
#define BPFEXT_TESTS_ASM_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "interp.h"

/* Parse ';'-separated instructions into @lp (no maps). */
static int asm_linked(struct bpfext_linked_prog *lp, enum bpf_prog_type type,
		      const char *text)
{
	char *copy = strdup(text), *save = NULL, *tok;
	char err[256];

	memset(lp, 0, sizeof(*lp));
	lp->type = type;
	lp->insns = calloc(strlen(text) + 2, sizeof(*lp->insns));
	if (!copy || !lp->insns) {
		free(copy);
		return -ENOMEM;
	}
	for (tok = strtok_r(copy, ";", &save); tok;
	     tok = strtok_r(NULL, ";", &save)) {
		int n = bpfext_insn_parse(tok, &lp->insns[lp->cnt], err,
					  sizeof(err));

		if (n < 0) {
			printf("# parse error in '%s': %s\n", tok, err);
			free(copy);
			return n;
		}
		lp->cnt += n;
	}
	free(copy);
	return 0;
}

#endif
