// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Context fields read through CO-RE, as every program built on vmlinux.h
 * reads them.  The UAPI fixes where xdp_md's fields are, so libbpf only
 * checks the local offsets of ctx_uapi and prog equiv may use them.
 * ctx_swapped's flavour puts data_end first: libbpf moves its accesses
 * to the kernel's offsets, so those stay load-time values.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct xdp_md___uapi {
	__u32 data;
	__u32 data_end;
} __attribute__((preserve_access_index));

struct xdp_md___swapped {
	__u32 data_end;
	__u32 data;
} __attribute__((preserve_access_index));

SEC("xdp")
int ctx_uapi(struct xdp_md *ctx)
{
	struct xdp_md___uapi *c = (void *)ctx;
	unsigned char *p = (void *)(long)c->data, *end = (void *)(long)c->data_end;

	if (p + 2 > end)
		return XDP_PASS;
	return p[0] == p[1] ? XDP_DROP : XDP_TX;
}

SEC("xdp")
int ctx_swapped(struct xdp_md *ctx)
{
	struct xdp_md___swapped *c = (void *)ctx;
	unsigned char *p = (void *)(long)c->data, *end = (void *)(long)c->data_end;

	if (p + 2 > end)
		return XDP_PASS;
	return p[0] == p[1] ? XDP_DROP : XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
