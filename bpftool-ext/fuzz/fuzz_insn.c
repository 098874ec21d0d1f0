// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * libFuzzer harness for lib/isa/insn.c.
 *
 * The input is an array of struct bpf_insn.  Every slot is run through
 * check, print and parse: an accepted instruction must print to text
 * that parses back to the same bits, a rejected one must make print fail
 * too.  The whole array also goes through bpfext_insns_check().  The
 * input is also fed to the parser as text, which must not crash and,
 * when it succeeds, must produce an instruction that round-trips.
 *
 * Build: make fuzz (clang, -fsanitize=fuzzer,address,undefined, with the
 * sources of libbpfext.a).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfext.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const struct bpf_insn *insn, int n,
		 const char *text)
{
	int i;

	fprintf(stderr, "fuzz_insn: %s\n  text: \"%s\"\n", what, text ? text : "");
	for (i = 0; i < n; i++)
		fprintf(stderr, "  insn[%d]: code=0x%02x dst=%u src=%u off=%d imm=%d\n",
			i, insn[i].code, insn[i].dst_reg, insn[i].src_reg,
			insn[i].off, insn[i].imm);
	abort();
}

static void round_trip(const struct bpf_insn *insns, size_t cnt)
{
	char buf[BPFEXT_INSN_STR_MAX];
	struct bpfext_error err = { "" };
	struct bpf_insn back[2];
	int n, m, k;

	n = bpfext_insn_check(insns, cnt, &err);
	m = bpfext_insn_print(insns, cnt, buf, sizeof(buf));
	if (strlen(buf) >= sizeof(buf))
		fail("print overflowed", insns, 1, NULL);
	if (n < 0) {
		if (n != -EINVAL || m != -EINVAL)
			fail("rejected insn printed", insns, 1, buf);
		if (!err.msg[0] || strchr(err.msg, '\n'))
			fail("bad error text", insns, 1, err.msg);
		return;
	}
	if (n != 1 && n != 2)
		fail("bad slot count", insns, 1, buf);
	if (m != n)
		fail("print and check disagree", insns, n, buf);
	if (strlen(buf) >= sizeof(buf) - 1)
		fail("print text truncated", insns, n, buf);
	k = bpfext_insn_parse(buf, back, &err);
	if (k != n)
		fail("parse of printed text failed", insns, n, err.msg);
	if (memcmp(back, insns, (size_t)n * sizeof(*insns)))
		fail("round trip mismatch", insns, n, buf);
}

static void parse_text(const uint8_t *data, size_t size)
{
	char text[256], buf[BPFEXT_INSN_STR_MAX];
	struct bpfext_error err = { "" };
	struct bpf_insn out[2], back[2];
	int n;

	if (size >= sizeof(text))
		size = sizeof(text) - 1;
	memcpy(text, data, size);
	text[size] = '\0';
	n = bpfext_insn_parse(text, out, &err);
	if (n < 0) {
		if (n != -EINVAL || !err.msg[0] || strchr(err.msg, '\n'))
			fail("bad parse error", out, 0, err.msg);
		return;
	}
	/* Whatever parses is valid and must be stable through print. */
	if (bpfext_insn_check(out, (size_t)n, &err) != n)
		fail("parse produced an invalid insn", out, n, text);
	if (bpfext_insn_print(out, (size_t)n, buf, sizeof(buf)) != n)
		fail("parse result does not print", out, n, text);
	if (bpfext_insn_parse(buf, back, &err) != n ||
	    memcmp(back, out, (size_t)n * sizeof(*out)))
		fail("parsed insn does not round-trip", out, n, buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t cnt = size / sizeof(struct bpf_insn), i, bad;
	struct bpf_insn *insns;
	struct bpfext_error err = { "" };
	int ret;

	parse_text(data, size);
	if (!cnt)
		return 0;
	/* Exact-size copy so that ASan catches reads past the end. */
	insns = malloc(cnt * sizeof(*insns));
	if (!insns)
		return 0;
	memcpy(insns, data, cnt * sizeof(*insns));

	for (i = 0; i < cnt; i++)
		round_trip(insns + i, cnt - i);

	ret = bpfext_insns_check(insns, cnt, &bad, &err);
	if (ret != 0 && (ret != -EINVAL || bad >= cnt || !err.msg[0]))
		fail("bad insns_check result", insns + (bad < cnt ? bad : 0), 1, err.msg);
	free(insns);
	return 0;
}
