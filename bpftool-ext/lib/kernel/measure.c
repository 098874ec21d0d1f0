// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Run time of programs in the running kernel, with BPF_PROG_TEST_RUN.
 * Builds of the same object are loaded side by side and timed in turns
 * (round-robin, several rounds, median per packet), so drift of the
 * machine's speed during the measurement hits every build alike.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "util/util.h"

#define ROUNDS		5
#define PACKETS		8
#define PACKET_SEED	1

bool bpfext_prog_type_timeable(enum bpf_prog_type t)
{
	return t == BPF_PROG_TYPE_XDP || t == BPF_PROG_TYPE_SCHED_CLS ||
	       t == BPF_PROG_TYPE_SCHED_ACT || t == BPF_PROG_TYPE_SOCKET_FILTER;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* ns per run of @fd on @pkt, or 0 if test_run refuses it. */
static uint64_t time_one(int fd, const uint8_t *pkt, uint32_t len,
			 uint32_t repeat)
{
	uint8_t out[BPFEXT_TEST_PKT_MAX + 256];
	LIBBPF_OPTS(bpf_test_run_opts, o);

	o.data_in = pkt;
	o.data_size_in = len;
	o.data_out = out;
	o.data_size_out = sizeof(out);
	o.repeat = repeat;
	if (bpf_prog_test_run_opts(fd, &o))
		return 0;
	return o.duration;
}

int bpfext_measure(struct bpfext_object *const *objs, size_t nobj,
		   const char *only, uint32_t repeat, uint64_t *ns,
		   struct bpfext_error *err)
{
	size_t nprogs = bpfext_object__prog_cnt(objs[0]), o, i, k, r;
	BPFEXT_OPTS(bpfext_load_opts, lo, .keep_fd = true);
	uint8_t pkt[PACKETS][BPFEXT_TEST_PKT_MAX];
	struct bpfext_load_result *res;
	uint64_t seed = PACKET_SEED, *t;
	uint32_t len[PACKETS];
	int ret = 0;

	memset(ns, 0, nobj * nprogs * sizeof(*ns));
	res = calloc(nobj * nprogs + 1, sizeof(*res));
	t = calloc(nobj * ROUNDS + 1, sizeof(*t));
	if (!res || !t) {
		free(res);
		free(t);
		return bpfext_errf(err, ENOMEM, "out of memory");
	}
	for (i = 0; i < nobj * nprogs; i++)
		res[i].prog_fd = -1;
	for (o = 0; o < nobj && !ret; o++) {
		if (bpfext_object__prog_cnt(objs[o]) != nprogs) {
			ret = bpfext_errf(err, EINVAL, "builds with different programs");
			break;
		}
		ret = bpfext_object__load(objs[o], NULL, &lo, &res[o * nprogs], err);
	}
	for (k = 0; k < PACKETS; k++)
		len[k] = bpfext_test_packet(pkt[k], k, &seed);

	for (i = 0; i < nprogs && !ret; i++) {
		const struct bpfext_prog *p = bpfext_object__prog(objs[0], i);
		bool all = true;

		if ((only && strcmp(p->name, only)) || !p->type_known ||
		    !bpfext_prog_type_timeable(p->type))
			continue;
		for (o = 0; o < nobj; o++)
			all &= res[o * nprogs + i].loaded;
		if (!all)
			continue;
		for (k = 0; k < PACKETS; k++) {
			for (r = 0; r < ROUNDS; r++)
				for (o = 0; o < nobj; o++)
					t[o * ROUNDS + r] =
						time_one(res[o * nprogs + i].prog_fd,
							 pkt[k], len[k], repeat);
			for (o = 0; o < nobj; o++) {
				qsort(&t[o * ROUNDS], ROUNDS, sizeof(*t), cmp_u64);
				ns[o * nprogs + i] += t[o * ROUNDS + ROUNDS / 2];
			}
		}
	}
	for (i = 0; i < nobj * nprogs; i++)
		bpfext_load_result__free(&res[i]);
	free(res);
	free(t);
	return ret;
}
