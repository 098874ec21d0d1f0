// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * A program array that the object fills with its own programs, as
 * cilium/ebpf's btf_map_init does (tests/cli.sh): libbpf puts tail_1 in
 * slot 1 at load, so checking tail_main alone needs tail_1 loaded too.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int tail_1(struct xdp_md *ctx)
{
	return XDP_DROP;
}

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__uint(key_size, sizeof(__u32));
	__array(values, int (void *));
} jmp SEC(".maps") = {
	.values = { [1] = (void *)&tail_1 },
};

SEC("xdp")
int tail_main(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &jmp, 1);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
