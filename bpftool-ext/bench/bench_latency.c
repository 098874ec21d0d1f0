// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Run time of programs in the running kernel, with BPF_PROG_TEST_RUN:
 *
 *   bench_latency OBJ_A OBJ_B [REPEAT]
 *
 * Loads every XDP, tc and socket-filter program of the two objects (the
 * same program in its original and optimized builds), and runs each on a
 * fixed set of packets (IPv4/IPv6 TCP/UDP, a VLAN tag, a short frame),
 * alternating A and B, five rounds of REPEAT runs (default 20000) per
 * packet.  Prints, per program, the median time per run in ns of A and
 * B over the rounds, summed over the packets:
 *   NAME <tab> A_NS <tab> B_NS
 * Times are those of this machine's CPU and kernel JIT.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpfext.h"

#define ROUNDS 5
#define NPKT 5

static uint32_t make_packet(uint8_t *p, int kind)
{
	uint32_t len = 0, k;

	memset(p, 0, 128);
	for (k = 0; k < 12; k++)
		p[k] = 0x10 + k;
	if (kind == 3) {		/* VLAN */
		p[12] = 0x81;
		p[14] = 0x00;
		p[15] = 0x05;
		len = 16;
	} else {
		len = 12;
	}
	if (kind == 1) {		/* IPv6 UDP */
		p[len] = 0x86;
		p[len + 1] = 0xdd;
		len += 2;
		p[len] = 0x60;
		p[len + 5] = 16;
		p[len + 6] = 17;
		p[len + 7] = 64;
		for (k = 8; k < 40; k++)
			p[len + k] = k;
		len += 40;
		p[len + 2] = 0;
		p[len + 3] = 53;
		return len + 16;
	}
	p[len] = 0x08;
	len += 2;
	p[len] = 0x45;
	p[len + 3] = kind == 4 ? 20 : 60;
	p[len + 8] = 64;
	p[len + 9] = kind == 2 ? 17 : 6;
	p[len + 12] = 10;
	p[len + 15] = 1;
	p[len + 16] = 10;
	p[len + 19] = 2;
	len += 20;
	if (kind == 4)
		return len;		/* no transport header */
	p[len + 2] = 0;
	p[len + 3] = 80;
	p[len + 12] = 0x50;
	p[len + 13] = 0x02;
	return len + 40;
}

static bool runnable(enum bpf_prog_type t)
{
	return t == BPF_PROG_TYPE_XDP || t == BPF_PROG_TYPE_SCHED_CLS ||
	       t == BPF_PROG_TYPE_SCHED_ACT || t == BPF_PROG_TYPE_SOCKET_FILTER;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* ns per run of @fd on packet @kind, or 0 if test_run refuses. */
static uint64_t time_one(int fd, int kind, uint32_t repeat)
{
	uint8_t pkt[128], out[256];
	LIBBPF_OPTS(bpf_test_run_opts, o);

	o.data_in = pkt;
	o.data_size_in = make_packet(pkt, kind);
	o.data_out = out;
	o.data_size_out = sizeof(out);
	o.repeat = repeat;
	if (bpf_prog_test_run_opts(fd, &o))
		return 0;
	return o.duration;
}

static int load(struct bpfext_object *obj, struct bpfext_prog *p)
{
	struct bpfext_load_opts lo = { .keep_fd = true };
	struct bpfext_load_result r;
	struct bpfext_error err;
	int fd;

	if (bpfext_object__load(obj, p, &lo, &r, &err) || !r.loaded) {
		bpfext_load_result__free(&r);
		return -1;
	}
	fd = r.prog_fd;
	r.prog_fd = -1;
	bpfext_load_result__free(&r);
	return fd;
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

int main(int argc, char **argv)
{
	struct bpfext_object *a, *b;
	struct bpfext_error err;
	uint32_t repeat = argc > 3 ? atoi(argv[3]) : 20000;
	size_t i;

	if (argc < 3) {
		fprintf(stderr, "usage: %s OBJ_A OBJ_B [REPEAT]\n", argv[0]);
		return 2;
	}
	libbpf_set_print(quiet);
	a = bpfext_object__open(argv[1], &err);
	b = a ? bpfext_object__open(argv[2], &err) : NULL;
	if (!a || !b) {
		fprintf(stderr, "bench_latency: %s\n", err.msg);
		return 2;
	}
	for (i = 0; i < bpfext_object__prog_cnt(a); i++) {
		struct bpfext_prog *pa = bpfext_object__prog(a, i);
		struct bpfext_prog *pb = bpfext_object__find_prog(b, pa->name);
		uint64_t ta[ROUNDS], tb[ROUNDS], sa = 0, sb = 0;
		int fa, fb, k, r;

		if (!pb || !pa->type_known || !runnable(pa->type))
			continue;
		fa = load(a, pa);
		fb = load(b, pb);
		if (fa < 0 || fb < 0)
			goto next;
		for (k = 0; k < NPKT; k++) {
			for (r = 0; r < ROUNDS; r++) {
				ta[r] = time_one(fa, k, repeat);
				tb[r] = time_one(fb, k, repeat);
			}
			qsort(ta, ROUNDS, sizeof(*ta), cmp_u64);
			qsort(tb, ROUNDS, sizeof(*tb), cmp_u64);
			sa += ta[ROUNDS / 2];
			sb += tb[ROUNDS / 2];
		}
		printf("%s\t%llu\t%llu\n", pa->name, (unsigned long long)sa,
		       (unsigned long long)sb);
next:
		if (fa >= 0)
			close(fa);
		if (fb >= 0)
			close(fb);
	}
	bpfext_object__close(a);
	bpfext_object__close(b);
	return 0;
}
