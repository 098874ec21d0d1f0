// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * kops_e2e_pack ORIG.o KOPS.o OUT [PACKETS]
 *
 * Host side of the Kops end-to-end test (scripts/kops-e2e.sh): writes the
 * instructions of every program of ORIG.o and of the same program in
 * KOPS.o (ORIG.o after `prog optimize ... kops auto`), and PACKETS test
 * packets (default 400: edge cases, the equivalence checker's crafted
 * packets, random bytes), to OUT, which the static guest program
 * kernel-selftests/kops/kops_e2e.c reads.  Programs must be self-contained
 * (no relocations: no maps, no calls of .text functions).
 *
 * OUT, all little-endian (both test architectures are):
 *   "KOPSE2E1" u32 nr_progs u32 nr_packets
 *   nr_packets x { u32 len; u8 data[len] }
 *   nr_progs x { char name[32]; u32 type; u32 n_orig; u32 n_kops;
 *                struct bpf_insn orig[n_orig], kops[n_kops] }
 *
 * ARGS-REQUIRED: not run as an argument-less unit test.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfext.h"
#include "bpfext_opt.h"

#define PKT_MIN		14	/* XDP test runs refuse shorter data */
#define NAME_LEN	32

/* One line "kops_e2e_pack: WHAT[: WHY]", and exit 1. */
static void die(const char *what, const char *why)
{
	fprintf(stderr, "kops_e2e_pack: %s%s%s\n", what, why ? ": " : "",
		why ? why : "");
	exit(1);
}

static void put(FILE *f, const void *p, size_t n)
{
	if (fwrite(p, 1, n, f) != n)
		die("write failed", strerror(errno));
}

static void put32(FILE *f, uint32_t v)
{
	put(f, &v, sizeof(v));
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void put_packet(FILE *f, const uint8_t *p, uint32_t len)
{
	static const uint8_t zero[PKT_MIN];

	if (len < PKT_MIN) {	/* pad: a short packet only tests -EINVAL */
		put32(f, PKT_MIN);
		put(f, p, len);
		put(f, zero, PKT_MIN - len);
		return;
	}
	put32(f, len);
	put(f, p, len);
}

static void put_u64(uint8_t *p, int off, uint64_t v)
{
	memcpy(p + off, &v, 8);
}

static void put_u32(uint8_t *p, int off, uint32_t v)
{
	memcpy(p + off, &v, 4);
}

/*
 * Edge cases of the programs of examples/kops_e2e.c: lengths around their
 * bounds checks, all-zero and all-ones bytes, equal and extreme operands
 * of the selects, the clamp bounds, a TCP/IPv4 header in both directions.
 */
static unsigned int edge_packets(FILE *f)
{
	static const uint32_t lens[] = { 14, 47, 48, 61, 62, 63, 64, 65, 207, 208, 256 };
	static const uint64_t words[] = {
		0, 1, 63, 64, 1500, 1501, 0xffff, 0x10000, 0x7fffffffffffffffULL,
		0x8000000000000000ULL, 0xffffffffffffffffULL,
	};
	uint8_t p[256];
	unsigned int n = 0, i, j;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		memset(p, 0, sizeof(p));
		put_packet(f, p, lens[i]);
		memset(p, 0xff, sizeof(p));
		put_packet(f, p, lens[i]);
		n += 2;
	}
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		for (j = 0; j < sizeof(words) / sizeof(words[0]); j += 3) {
			memset(p, 0x5a, sizeof(p));
			put_u64(p, 0, words[i]);
			put_u64(p, 8, words[j]);
			put_u32(p, 16, (uint32_t)words[i]);
			put_u32(p, 20, (uint32_t)words[j]);
			put_u64(p, 24, words[j]);
			put_u64(p, 32, words[i]);
			put_u64(p, 40, words[(i + j) % 11]);
			put_packet(f, p, 208);
			n++;
		}
	}
	for (i = 0; i < 4; i++) {
		static const uint8_t tcp4[] = {
			0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00,
			0x45, 0, 0, 48, 0, 0, 0x40, 0, 64, 6, 0, 0,
			10, 0, 0, 1, 192, 168, 1, 2,
			0, 80, 0x9c, 0x40, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1,
			0x50, 0x12, 0xff, 0xff, 0, 0, 0, 0,
		};

		memset(p, 0xa5, sizeof(p));
		memcpy(p, tcp4, sizeof(tcp4));
		if (i & 1) {	/* the other direction */
			p[34] = 0x9c, p[35] = 0x40, p[36] = 0, p[37] = 80;
		}
		if (i & 2)	/* fragment, options */
			p[20] = 0x20, p[14] = 0x46;
		put_packet(f, p, 62 + (i & 1));
		n++;
	}
	return n;
}

/* The instructions of program @name's own function; none may be relocated. */
static const struct bpf_insn *prog_insns(const struct bpfext_prog *prog,
					 uint32_t *cnt)
{
	const struct bpfext_func *fn = &prog->sec->funcs[prog->func];
	size_t i;

	for (i = 0; i < prog->sec->nr_relocs; i++)
		if (prog->sec->relocs[i].slot >= fn->start &&
		    prog->sec->relocs[i].slot < fn->start + fn->cnt)
			die(prog->name,
			    "has a relocation (maps and calls are not supported)");
	*cnt = fn->cnt;
	return prog->sec->insns + fn->start;
}

static struct bpfext_object *open_obj(const char *path)
{
	struct bpfext_error err = { 0 };
	struct bpfext_object *obj = bpfext_object__open(path, &err);

	if (!obj)
		die(path, err.msg);
	return obj;
}

int main(int argc, char **argv)
{
	struct bpfext_object *orig, *kops;
	unsigned int nr_packets = 400, n, i;
	uint8_t pkt[BPFEXT_EQUIV_PKT_MAX];
	uint64_t seed = 0x6b6f7073;
	FILE *f;

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: kops_e2e_pack ORIG.o KOPS.o OUT [PACKETS]\n");
		return 2;
	}
	if (argc == 5)
		nr_packets = strtoul(argv[4], NULL, 0);
	orig = open_obj(argv[1]);
	kops = open_obj(argv[2]);
	f = fopen(argv[3], "wb");
	if (!f)
		die(argv[3], strerror(errno));
	put(f, "KOPSE2E1", 8);
	put32(f, bpfext_object__prog_cnt(orig));
	put32(f, nr_packets);

	n = edge_packets(f);
	if (n > nr_packets)
		die("PACKETS is smaller than the number of edge cases", NULL);
	for (i = 0; n < nr_packets; i++, n++) {
		uint32_t len;

		if (i % 2 == 0) {
			len = bpfext_test_packet(pkt, i, &seed);
		} else {
			uint32_t j;

			len = PKT_MIN + xorshift(&seed) % (256 - PKT_MIN + 1);
			for (j = 0; j < len; j++)
				pkt[j] = xorshift(&seed);
		}
		put_packet(f, pkt, len);
	}

	for (i = 0; i < bpfext_object__prog_cnt(orig); i++) {
		const struct bpfext_prog *po = bpfext_object__prog(orig, i), *pk;
		const struct bpf_insn *io, *ik;
		char name[NAME_LEN] = { 0 };
		uint32_t no, nk;

		pk = bpfext_object__find_prog(kops, po->name);
		if (!pk)
			die(po->name, "not in the Kops-form object");
		io = prog_insns(po, &no);
		ik = prog_insns(pk, &nk);
		strncpy(name, po->name, NAME_LEN - 1);
		put(f, name, NAME_LEN);
		put32(f, po->type);
		put32(f, no);
		put32(f, nk);
		put(f, io, no * sizeof(*io));
		put(f, ik, nk * sizeof(*ik));
	}
	if (fclose(f))
		die(argv[3], strerror(errno));
	bpfext_object__close(orig);
	bpfext_object__close(kops);
	return 0;
}
