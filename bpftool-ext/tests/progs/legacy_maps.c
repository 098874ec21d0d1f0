// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * An object the pre-libbpf-1.0 way (tests/cli.sh): a legacy "maps"
 * section, which libbpf 1.x refuses, so bpftool-ext links and relocates
 * it itself; with global data (.data, .rodata, .bss as array maps) and a
 * .text subprogram.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bpf_map_def {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
};

struct bpf_map_def SEC("maps") counts = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = 4,
};

static volatile const __u32 limit = 100;
static volatile __u64 seen = 1;
static volatile __u64 total;

static __attribute__((noinline)) __u64 bump(__u32 len)
{
	total += len;
	return seen++;
}

SEC("xdp")
int legacy_prog(struct xdp_md *ctx)
{
	__u32 key = ctx->data_end - ctx->data > limit;
	__u64 *v = bpf_map_lookup_elem(&counts, &key);

	if (v)
		*v += bump(ctx->data_end - ctx->data);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
