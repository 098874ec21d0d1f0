// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * A legacy map of maps in five-field definitions, as cilium/ebpf's
 * testdata writes them (tests/bad_input.sh): no inner_map_idx, so only
 * the program's own loader, which supplies the inner map, can create it.
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

struct bpf_map_def SEC("maps") outer = {
	.type = BPF_MAP_TYPE_ARRAY_OF_MAPS,
	.key_size = sizeof(__u32),
	.max_entries = 2,
};

SEC("xdp")
int noinner_prog(struct xdp_md *ctx)
{
	__u32 key = 0;

	return bpf_map_lookup_elem(&outer, &key) ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
