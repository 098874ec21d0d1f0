// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Legacy map-in-map (tests/cli.sh): inner_map_idx counts definitions in
 * the "maps" section's order.  The program names the outer map first, so
 * clang lists the symbols outer, decoy, inner while the section holds
 * decoy, inner, outer: counting by symbol would give the outer map the
 * decoy's 4-byte values as its prototype, and the verifier would reject
 * the 8-byte read at offset 8.  A perf event array sized by the loader
 * follows them.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bpf_map_def {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
	unsigned int inner_map_idx;
	unsigned int numa_node;
};

struct bpf_map_def SEC("maps") decoy = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u32),
	.max_entries = 1,
};

struct bpf_map_def SEC("maps") inner = {
	.type = BPF_MAP_TYPE_LRU_HASH,
	.key_size = sizeof(__u32),
	.value_size = 2 * sizeof(__u64),
	.max_entries = 64,
};

struct bpf_map_def SEC("maps") outer = {
	.type = BPF_MAP_TYPE_ARRAY_OF_MAPS,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u32),
	.max_entries = 2,
	.inner_map_idx = 1,
};

/*
 * As cilium/ebpf's testdata writes it: only the type.  Loaders give perf
 * event arrays u32 keys and values and one slot per possible CPU.
 */
struct bpf_map_def SEC("maps") events = {
	.type = BPF_MAP_TYPE_PERF_EVENT_ARRAY,
};

SEC("xdp")
int mim_prog(struct xdp_md *ctx)
{
	__u32 key = 0;
	__u64 *v;
	void *in;

	in = bpf_map_lookup_elem(&outer, &key);
	if (!in)
		return XDP_PASS;
	v = bpf_map_lookup_elem(in, &key);
	if (!v) {
		__u32 *d = bpf_map_lookup_elem(&decoy, &key);

		return d && *d ? XDP_DROP : XDP_PASS;
	}
	return v[1] & 1 ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
