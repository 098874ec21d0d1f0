// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * A map pinned by name, as xdp-filter pins its maps (tests/cli.sh): a
 * check must neither create nor reuse /sys/fs/bpf/bpfext_pbn_counts; a
 * program deployed with `pin` shares it there.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} bpfext_pbn_counts SEC(".maps");

SEC("xdp")
int pbn_prog(struct xdp_md *ctx)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&bpfext_pbn_counts, &key);

	if (v)
		__sync_fetch_and_add(v, 1);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
