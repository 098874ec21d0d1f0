// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * A map whose size the program's own loader sets (xdp-bench and the
 * samples' xdp_router_ipv4 leave max_entries 0 in the object): verify
 * needs "map name counts entries N" (tests/cli.sh).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

SEC("xdp")
int count_len(struct xdp_md *ctx)
{
	__u32 key = (ctx->data_end - ctx->data) & 15;
	__u64 *v = bpf_map_lookup_elem(&counts, &key);

	if (v)
		__sync_fetch_and_add(v, 1);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
