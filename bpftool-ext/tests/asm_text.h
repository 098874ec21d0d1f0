/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Windows written as verifier-notation text, for the C tests. */
#ifndef BPFEXT_TESTS_ASM_TEXT_H
#define BPFEXT_TESTS_ASM_TEXT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfext.h"

/* Parse "insn; insn; ..." into @out; returns the slot count. */
static size_t asm_text(const char *text, struct bpf_insn *out, size_t max)
{
	char buf[1024], *tok, *save = NULL, err[128];
	size_t n = 0;

	snprintf(buf, sizeof(buf), "%s", text);
	for (tok = strtok_r(buf, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
		int k = bpfext_insn_parse(tok, &out[n], err, sizeof(err));

		if (k < 0 || n + k > max) {
			printf("# cannot parse '%s': %s\n", tok, err);
			exit(2);
		}
		n += k;
	}
	return n;
}

#endif
