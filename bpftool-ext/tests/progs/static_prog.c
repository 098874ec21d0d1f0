// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * A static entry program, as Cilium writes its tail-call programs
 * (tests/cli.sh): libbpf 1.1 refuses to open such an object, cilium/ebpf
 * and newer libbpf load it, and so must verify and pin.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
static __attribute__((used)) int static_xdp(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int global_xdp(struct xdp_md *ctx)
{
	return XDP_DROP;
}

char _license[] SEC("license") = "GPL";
