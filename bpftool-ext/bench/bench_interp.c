// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Interpreter throughput: interpreted instructions per second on corpus
 * programs (XDP, tc, socket filters), each run on a fixed set of crafted
 * packets with empty maps.  One line per program, then the aggregate.
 *
 * Build and run (from the repository root, after `make`):
 *   cc -O2 -std=gnu11 -D_GNU_SOURCE -Ibpftool-ext/lib \
 *      bpftool-ext/bench/bench_interp.c build/libbpfext.a \
 *      -lbpf -lelf -lz -o build/bench_interp
 *   build/bench_interp [-t SECONDS_PER_PROG] OBJ...
 *   build/bench_interp build/corpus/samples/xdp1.o ...
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bpfext.h"

#define NPKT 64

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Ethernet + IPv4/IPv6 + TCP/UDP with random addresses and ports. */
static uint32_t make_packet(uint8_t *p, unsigned int i)
{
	bool v6 = i % 4 == 3;
	uint8_t proto = i % 2 ? 6 : 17;
	uint32_t len = 14, k, l4 = proto == 6 ? 20 : 8;

	for (k = 0; k < 12; k++)
		p[k] = (uint8_t)rnd();
	p[12] = v6 ? 0x86 : 0x08;
	p[13] = v6 ? 0xdd : 0x00;
	if (!v6) {
		memset(p + len, 0, 20);
		p[len] = 0x45;
		p[len + 3] = (uint8_t)(20 + l4 + 32);
		p[len + 8] = 64;
		p[len + 9] = proto;
		for (k = 12; k < 20; k++)
			p[len + k] = (uint8_t)rnd();
		len += 20;
	} else {
		memset(p + len, 0, 40);
		p[len] = 0x60;
		p[len + 5] = (uint8_t)(l4 + 32);
		p[len + 6] = proto;
		p[len + 7] = 64;
		for (k = 8; k < 40; k++)
			p[len + k] = (uint8_t)rnd();
		len += 40;
	}
	for (k = 0; k < l4 + 32; k++)
		p[len + k] = (uint8_t)rnd();
	if (proto == 6)
		p[len + 12] = 0x50;
	return len + l4 + 32;
}

int main(int argc, char **argv)
{
	static uint8_t pkts[NPKT][256];
	uint32_t lens[NPKT];
	double secs = 0.2, total_t = 0;
	uint64_t total_insns = 0, total_runs = 0;
	unsigned int nprogs = 0;
	int i, opt;

	while ((opt = getopt(argc, argv, "t:")) != -1) {
		if (opt == 't')
			secs = atof(optarg);
		else {
			fprintf(stderr, "usage: %s [-t SECONDS] OBJ...\n", argv[0]);
			return 2;
		}
	}
	for (i = 0; i < NPKT; i++)
		lens[i] = make_packet(pkts[i], (unsigned int)i);
	printf("%-60s %10s %12s %10s\n", "program", "insns/run", "Minsn/s", "ns/run");
	for (i = optind; i < argc; i++) {
		struct bpfext_object *obj = bpfext_object__open(argv[i], NULL);
		size_t p;

		if (!obj)
			continue;
		for (p = 0; p < bpfext_object__prog_cnt(obj); p++) {
			struct bpfext_prog *prog = bpfext_object__prog(obj, p);
			struct bpfext_linked_prog lp;
			struct bpfext_interp *in;
			struct bpfext_interp_output out;
			uint64_t insns = 0, runs = 0;
			double t0, t;
			bool bad = false;
			const char *base;

			if (prog->type != BPF_PROG_TYPE_XDP &&
			    prog->type != BPF_PROG_TYPE_SCHED_CLS &&
			    prog->type != BPF_PROG_TYPE_SOCKET_FILTER)
				continue;
			if (bpfext_prog__linked_insns(obj, prog, &lp, NULL))
				continue;
			in = bpfext_interp__new(&lp, NULL);
			if (!in) {
				bpfext_linked_prog__free(&lp);
				continue;
			}
			t0 = now();
			do {
				unsigned int k;

				for (k = 0; k < NPKT; k++) {
					struct bpfext_interp_input ip = {
						.pkt = pkts[k], .pkt_len = lens[k],
					};

					if (bpfext_interp__run(in, &ip, &out) ||
					    out.status == BPFEXT_INTERP_FAULT) {
						bad = true;
						break;
					}
					insns += out.insns;
					runs++;
				}
				t = now() - t0;
			} while (!bad && t < secs);
			if (!bad && runs) {
				base = strrchr(argv[i], '/');
				base = base ? base + 1 : argv[i];
				printf("%-40.40s %-19.19s %10.1f %12.1f %10.1f\n", base,
				       prog->name, (double)insns / runs,
				       insns / t / 1e6, t * 1e9 / runs);
				total_insns += insns;
				total_runs += runs;
				total_t += t;
				nprogs++;
			}
			bpfext_interp__free(in);
			bpfext_linked_prog__free(&lp);
		}
		bpfext_object__close(obj);
	}
	if (!nprogs)
		return 1;
	printf("total: %u programs, %llu runs, %.1f insns/run, %.1f M insns/s, %.1f ns/run\n",
	       nprogs, (unsigned long long)total_runs,
	       (double)total_insns / total_runs, total_insns / total_t / 1e6,
	       total_t * 1e9 / total_runs);
	return 0;
}
