// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Run time of programs in the running kernel, with BPF_PROG_TEST_RUN:
 *
 *   bench_latency OBJ_A OBJ_B [REPEAT]
 *
 * Loads every XDP, tc and socket-filter program of the two objects (the
 * same program in its original and optimized builds) and times them in
 * turns with bpfext_measure(): median of 5 rounds of REPEAT runs
 * (default 20000) per packet, summed over 8 representative packets.
 * Prints, per program that could be timed in both builds:
 *   NAME <tab> A_NS <tab> B_NS
 * Times are those of this machine's CPU and kernel JIT.
 */
#include <stdio.h>
#include <stdlib.h>
#include <bpf/libbpf.h>

#include "bpfext.h"

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

int main(int argc, char **argv)
{
	struct bpfext_object *obj[2] = { NULL, NULL };
	struct bpfext_error err = { "" };
	uint32_t repeat = argc > 3 ? atoi(argv[3]) : 20000;
	uint64_t *ns;
	size_t i, n;

	if (argc < 3) {
		fprintf(stderr, "usage: %s OBJ_A OBJ_B [REPEAT]\n", argv[0]);
		return 2;
	}
	libbpf_set_print(quiet);
	obj[0] = bpfext_object__open(argv[1], &err);
	obj[1] = obj[0] ? bpfext_object__open(argv[2], &err) : NULL;
	if (!obj[1]) {
		fprintf(stderr, "bench_latency: %s\n", err.msg);
		bpfext_object__close(obj[0]);
		return 2;
	}
	n = bpfext_object__prog_cnt(obj[0]);
	ns = calloc(2 * n + 1, sizeof(*ns));
	if (!ns || bpfext_measure(obj, 2, NULL, repeat, ns, &err)) {
		fprintf(stderr, "bench_latency: %s\n", ns ? err.msg : "out of memory");
		free(ns);
		return 2;
	}
	for (i = 0; i < n; i++)
		if (ns[i] && ns[n + i])
			printf("%s\t%llu\t%llu\n", bpfext_object__prog(obj[0], i)->name,
			       (unsigned long long)ns[i],
			       (unsigned long long)ns[n + i]);
	free(ns);
	bpfext_object__close(obj[0]);
	bpfext_object__close(obj[1]);
	return 0;
}
