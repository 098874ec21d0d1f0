// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * libFuzzer harness for the object reader and writer: any input must
 * either be rejected with a message or read, cleaned up, written and
 * read back.
 */
#include <stdio.h>
#include <stdlib.h>

#include <bpf/libbpf.h>

#include "bpfext.h"

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bpfext_error err = { "" };
	struct bpfext_object *obj, *back;
	void *img = NULL;
	size_t i, n;

	libbpf_set_print(quiet);
	obj = bpfext_object__open_mem(data, size, "fuzz", &err);
	if (!obj) {
		if (!err.msg[0])
			abort();	/* every rejection must say why */
		return 0;
	}
	for (i = 0; i < bpfext_object__prog_cnt(obj); i++)
		bpfext_prog__loaded_insn_cnt(obj, bpfext_object__prog(obj, i));
	for (i = 0; i < bpfext_object__section_cnt(obj); i++)
		if (bpfext_cleanup_section(obj, bpfext_object__section(obj, i),
					   &err) < 0 && !err.msg[0])
			abort();
	if (!bpfext_object__write_mem(obj, &img, &n, &err)) {
		back = bpfext_object__open_mem(img, n, "fuzz-out", &err);
		/* What we wrote must read back. */
		if (!back) {
			fprintf(stderr, "output does not read back: %s\n", err.msg);
			abort();
		}
		bpfext_object__close(back);
		free(img);
	}
	bpfext_object__close(obj);
	return 0;
}
