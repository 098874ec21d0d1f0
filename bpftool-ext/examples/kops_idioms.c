// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Bundled example for the EInsn recognizer (prog optimize ... kops):
 * a flow hash built on rotates, a header parser with byte-swapped loads,
 * bit-field extracts, branchy selects, a bounded copy of a small struct
 * and address arithmetic.  Built with clang -O2, like a user's object.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

static __always_inline __u64 rol64(__u64 x, int n)
{
	return (x << n) | (x >> (64 - n));
}

static __always_inline __u32 rol32(__u32 x, int n)
{
	return (x << n) | (x >> (32 - n));
}

struct flow {
	__u64 a, b, c;
};

/* Flow hash: rotates, byte-swapped loads and bit-field extracts. */
SEC("xdp")
int xdp_hash(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct iphdr *iph = data + sizeof(struct ethhdr);
	__u32 saddr, daddr, h32;
	__u64 h;

	if ((void *)(iph + 1) > data_end)
		return XDP_PASS;
	saddr = __builtin_bswap32(*(__u32 *)&iph->saddr);
	daddr = __builtin_bswap32(*(__u32 *)&iph->daddr);
	h = ((__u64)saddr << 32 | daddr) * 0x9e3779b97f4a7c15ULL;
	h = rol64(h, 13) ^ saddr;
	h = rol64(h, 29) + daddr;
	h32 = rol32((__u32)h ^ (__u32)(h >> 32), 7);
	h32 += (daddr >> 8) & 0xfff;
	h32 ^= (saddr >> 20) & 0x3f;
	return h32 & 1 ? XDP_DROP : XDP_PASS;
}

/* Branchy selects (ternaries) on packet fields. */
SEC("xdp")
int xdp_select(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct iphdr *iph = data + sizeof(struct ethhdr);
	__u64 a, b, m;

	if ((void *)(iph + 1) > data_end)
		return XDP_PASS;
	a = iph->ttl;
	b = iph->tos;
	m = a > b ? a : b;
	m = iph->protocol == IPPROTO_UDP ? m + 7 : m;
	return m > 100 ? XDP_DROP : XDP_PASS;
}

/* A bounded copy of a small struct and scaled address arithmetic. */
SEC("xdp")
int xdp_copy(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct flow tab[4] = {}, f;
	__u64 *p, idx;

	if (data + 40 > data_end)
		return XDP_PASS;
	__builtin_memcpy(&f, data + 8, sizeof(f));
	tab[0] = f;
	idx = *(__u8 *)data & 3;
	p = (__u64 *)((char *)tab + (idx << 3) + 16);
	return (*p ^ tab[0].c) & 1 ? XDP_DROP : XDP_PASS;
}

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct flow);
} flows SEC(".maps");

/* Rotates on opaque 64-bit words, a copy through the stack, selects. */
SEC("xdp")
int xdp_flow(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct flow *v, *w, saved;
	__u64 x, y, lo;
	__u32 key = 0, z;

	if (data + 30 > data_end)
		return XDP_PASS;
	key = *(__u8 *)(data + 29) & 3;
	v = bpf_map_lookup_elem(&flows, &key);
	if (!v)
		return XDP_PASS;
	x = v->a;
	y = v->b;
	x = rol64(x, 13) ^ y;
	y = rol64(y, 7) + x;
	z = rol32((__u32)x, 5) ^ (__u32)y;
	__builtin_memcpy(&saved, v, sizeof(saved));
	saved.a += z;
	lo = x < y ? x : y;
	v->c = ((x >> 12) & 0xff) + lo;
	__builtin_memcpy(v, &saved, sizeof(saved));
	v->b ^= (y >> 17) & 0xfffff;
	key ^= 1;
	w = bpf_map_lookup_elem(&flows, &key);
	if (w)
		__builtin_memcpy(w, v, sizeof(*w));
	return (y >> 3) & 1 ? XDP_DROP : XDP_PASS;
}

/* Update a flow record through a copy on the stack. */
SEC("xdp")
int xdp_update(struct xdp_md *ctx)
{
	struct flow *v, loc;
	__u32 key = 0, z;
	__u64 x, y, sel;

	v = bpf_map_lookup_elem(&flows, &key);
	if (!v)
		return XDP_PASS;
	x = v->a;
	y = v->b;
	x = rol64(x, 13) ^ y;
	y = rol64(y, 7) + x;
	z = rol32((__u32)x, 5) ^ (__u32)y;
	__builtin_memcpy(&loc, v, sizeof(loc));
	loc.a += z;
	sel = x < y ? x : y;
	v->c = ((x >> 12) & 0xff) + sel;
	__builtin_memcpy(v, &loc, sizeof(loc));
	return (y >> 3) & 0x1f;
}

char _license[] SEC("license") = "GPL";
