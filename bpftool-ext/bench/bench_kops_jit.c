// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * bench_kops_jit LOG [ITERS [ROUNDS]]
 *
 * Run time of kernel JIT images on this machine's CPU, original against
 * Kops form, side by side (scripts/bench-kops.sh).  LOG is the console
 * output of kernel-selftests/kops/kops_e2e with "jitdump": lines
 * "KOPS-JIT NAME orig|kops OFFSET HEX" holding the x86-64 JIT images of
 * XDP programs that call no helpers and use no maps, so that the code is
 * position independent.  Each image is mapped executable and called as the
 * kernel does, with r1 (rdi) pointing to a struct xdp_buff: in 6.1 the
 * verifier rewrites xdp_md->data and ->data_end into 64-bit loads at
 * offsets 0 and 8 of struct xdp_buff (net/core/filter.c,
 * xdp_convert_ctx_access; include/net/xdp.h).
 *
 * The packets are 256-byte Ethernet/IPv4/TCP packets, which take every
 * program through its whole body: one packet called over and over, and
 * 1024 packets with varied addresses, ports and payload called in turn.
 * Each round times ITERS calls (default 20000) of the original and then
 * of the Kops image, from the same starting packets (the programs write
 * into them); ROUNDS rounds (default 201: the median of many short rounds
 * is stable on a loaded machine).  Printed, one program a line,
 * tab-separated:
 *   name bytes_orig bytes_kops  ns_orig ns_kops speedup (one packet)
 *   ns_orig ns_kops speedup (1024 packets)  same
 * with the median ns per call, and "same" when both left the same return
 * values and packets; then "geomean SPEEDUP SPEEDUP".  Exit status 1 if
 * an image differs in its results, 2 on bad input.
 *
 * ARGS-REQUIRED: not run as an argument-less unit test.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define MAX_PROGS	32
#define NAME_LEN	32
#define IMG_MAX		(1 << 16)
#define PKT_LEN		256
#define NR_PKTS		1024	/* packets of the varied set */

/* The first fields of the kernel's struct xdp_buff (6.1). */
struct xdp_buff {
	void *data;
	void *data_end;
	void *data_meta;
	void *data_hard_start;
	void *rxq;
	void *txq;
	uint32_t frame_sz;
	uint32_t flags;
};

typedef unsigned int (*jit_fn)(void *ctx);

struct image {
	uint8_t *bytes;
	uint32_t len;
	jit_fn fn;
};

struct prog {
	char name[NAME_LEN];
	struct image img[2];	/* orig, kops */
};

static struct prog progs[MAX_PROGS];
static int nr_progs;

static struct prog *find(const char *name)
{
	int i;

	for (i = 0; i < nr_progs; i++)
		if (!strcmp(progs[i].name, name))
			return &progs[i];
	if (nr_progs == MAX_PROGS)
		return NULL;
	snprintf(progs[nr_progs].name, NAME_LEN, "%s", name);
	return &progs[nr_progs++];
}

/* One "KOPS-JIT NAME WHICH OFFSET HEX" line into its image. */
static int parse_line(const char *line)
{
	char name[NAME_LEN], which[8], hex[260];
	struct image *im;
	struct prog *p;
	unsigned int off, i, n;

	if (sscanf(line, "KOPS-JIT %31s %7s %u %259s", name, which, &off, hex) != 4)
		return -1;
	p = find(name);
	if (!p)
		return -1;
	if (!strcmp(which, "orig"))
		im = &p->img[0];
	else if (!strcmp(which, "kops"))
		im = &p->img[1];
	else
		return -1;
	n = strlen(hex) / 2;
	if (off + n > IMG_MAX || off != im->len)
		return -1;
	if (!im->bytes && !(im->bytes = malloc(IMG_MAX)))
		return -1;
	for (i = 0; i < n; i++) {
		unsigned int b;

		if (sscanf(hex + 2 * i, "%2x", &b) != 1)
			return -1;
		im->bytes[off + i] = b;
	}
	im->len = off + n;
	return 0;
}

static int map_image(struct image *im)
{
	void *m = mmap(NULL, im->len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED)
		return -errno;
	memcpy(m, im->bytes, im->len);
	if (mprotect(m, im->len, PROT_READ | PROT_EXEC))
		return -errno;
	im->fn = (jit_fn)m;
	return 0;
}

/*
 * Packet @k of a set: an Ethernet/IPv4/TCP header, then filler; packet 0
 * is the same every time, the others vary ports, addresses, sequence
 * numbers and payload from a fixed seed (hashes and selects then see
 * different values, and branches are not always taken the same way).
 */
static void init_packet(uint8_t *p, unsigned int k)
{
	static const uint8_t hdr[] = {
		0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x08, 0x00,
		0x45, 0, 0, 242, 0x12, 0x34, 0x40, 0, 64, 6, 0, 0,
		10, 0, 0, 1, 192, 168, 1, 2,
		0x9c, 0x40, 0, 80, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
		0x50, 0x18, 0x01, 0xf5, 0, 0, 0, 0,
	};
	uint64_t s = 0x9e3779b97f4a7c15ULL * (k + 1);
	int i;

	for (i = 0; i < PKT_LEN; i++) {
		s ^= s << 13, s ^= s >> 7, s ^= s << 17;
		p[i] = k ? (uint8_t)s : (uint8_t)(i * 37 + 11);
	}
	/* the others keep Ethernet type, IP version and protocol only */
	memcpy(p, hdr, k ? 26 : sizeof(hdr));
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/*
 * ns per call over @iters calls, cycling through @npkts fresh packets at
 * @pkts; the packets the calls leave in @pkts, the xor of the return
 * values in @ret.
 */
static double time_image(const struct image *im, long iters, uint8_t *pkts,
			 unsigned int npkts, unsigned int *ret)
{
	static struct xdp_buff ctx[NR_PKTS];
	unsigned int r = 0, k;
	double t0;
	long i;

	for (k = 0; k < npkts; k++) {
		uint8_t *p = pkts + k * PKT_LEN;

		init_packet(p, npkts > 1 ? k + 1 : 0);
		memset(&ctx[k], 0, sizeof(ctx[k]));
		ctx[k].data = p;
		ctx[k].data_end = p + PKT_LEN;
		ctx[k].data_hard_start = p;
		ctx[k].frame_sz = PKT_LEN;
	}
	t0 = now_ns();
	for (i = 0, k = 0; i < iters; i++) {
		r ^= im->fn(&ctx[k]);
		if (++k == npkts)
			k = 0;
	}
	*ret = r;
	return (now_ns() - t0) / iters;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median ns per call of both images on @npkts packets; 0 if same results */
static int measure(const struct prog *p, long iters, int rounds,
		   unsigned int npkts, double med[2])
{
	static uint8_t pkts[2][NR_PKTS * PKT_LEN];
	static double t[2][4096];
	unsigned int ret[2];
	int r, same = 1;

	/* warm up, then alternate so that both see the same load */
	time_image(&p->img[0], iters, pkts[0], npkts, &ret[0]);
	time_image(&p->img[1], iters, pkts[1], npkts, &ret[1]);
	for (r = 0; r < rounds; r++) {
		t[0][r] = time_image(&p->img[0], iters, pkts[0], npkts, &ret[0]);
		t[1][r] = time_image(&p->img[1], iters, pkts[1], npkts, &ret[1]);
		same &= ret[0] == ret[1] && !memcmp(pkts[0], pkts[1], npkts * PKT_LEN);
	}
	qsort(t[0], rounds, sizeof(double), cmp_double);
	qsort(t[1], rounds, sizeof(double), cmp_double);
	med[0] = t[0][rounds / 2];
	med[1] = t[1][rounds / 2];
	return !same;
}

int main(int argc, char **argv)
{
	long iters = argc > 2 ? atol(argv[2]) : 20000;
	int rounds = argc > 3 ? atoi(argv[3]) : 201, i, bad = 0, n = 0;
	double logsum[2] = { 0, 0 };
	char line[1024];
	FILE *f;

	if (argc < 2 || argc > 4 || iters <= 0 || rounds <= 0 || rounds > 4096) {
		fprintf(stderr, "usage: bench_kops_jit LOG [ITERS [ROUNDS (at most 4096)]]\n");
		return 2;
	}
#if !defined(__x86_64__)
	fprintf(stderr, "bench_kops_jit: the images are x86-64 code; this is not an x86-64 machine\n");
	return 2;
#endif
	f = fopen(argv[1], "r");
	if (!f) {
		fprintf(stderr, "bench_kops_jit: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "KOPS-JIT ", 9) && parse_line(line)) {
			fprintf(stderr, "bench_kops_jit: %s: bad line: %.60s\n", argv[1], line);
			return 2;
		}
	fclose(f);
	if (!nr_progs) {
		fprintf(stderr, "bench_kops_jit: %s: no KOPS-JIT lines (boot with jitdump)\n", argv[1]);
		return 2;
	}

	for (i = 0; i < nr_progs; i++) {
		struct prog *p = &progs[i];
		double one[2], var[2];
		int diff;

		if (!p->img[0].len || !p->img[1].len ||
		    map_image(&p->img[0]) || map_image(&p->img[1])) {
			fprintf(stderr, "bench_kops_jit: %s: incomplete image\n", p->name);
			return 2;
		}
		diff = measure(p, iters, rounds, 1, one);
		diff |= measure(p, iters, rounds, NR_PKTS, var);
		printf("%s\t%u\t%u\t%.2f\t%.2f\t%.3f\t%.2f\t%.2f\t%.3f\t%s\n", p->name,
		       p->img[0].len, p->img[1].len, one[0], one[1], one[0] / one[1],
		       var[0], var[1], var[0] / var[1], diff ? "DIFFERENT" : "same");
		logsum[0] += log(one[0] / one[1]);
		logsum[1] += log(var[0] / var[1]);
		n++;
		bad |= diff;
	}
	printf("geomean\t%.3f\t%.3f\n", exp(logsum[0] / n), exp(logsum[1] / n));
	return bad;
}
