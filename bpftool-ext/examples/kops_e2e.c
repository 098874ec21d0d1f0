// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Programs of the Kops end-to-end test (scripts/kops-e2e.sh) and of the
 * Kops benchmarks (scripts/bench-kops.sh): hashes built on rotates, header
 * parsers with byte-swapped loads, branchy selects, bounded copies and
 * bit-field extracts, as a user would write them, built with clang -O2.
 *
 * They use no maps and call no helpers, so that a small static /init can
 * run them with BPF_PROG_TEST_RUN and their JIT images can be run in user
 * space.  Each writes what it computes back into the packet, so that the
 * output packet, not only the return value, shows a wrong rewrite.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define U64(p, off)	(*(__u64 *)((char *)(p) + (off)))
#define U32(p, off)	(*(__u32 *)((char *)(p) + (off)))
#define U16(p, off)	(*(__u16 *)((char *)(p) + (off)))
#define U8(p, off)	(*(__u8 *)((char *)(p) + (off)))

static __always_inline __u32 rol32(__u32 x, int n)
{
	return (x << n) | (x >> (32 - n));
}

static __always_inline __u64 rol64(__u64 x, int n)
{
	return (x << n) | (x >> (64 - n));
}

/* Bob Jenkins' lookup3 (the kernel's jhash2), over 12 words of packet. */
#define JHASH_MIX(a, b, c) do {				\
	a -= c; a ^= rol32(c, 4);  c += b;		\
	b -= a; b ^= rol32(a, 6);  a += c;		\
	c -= b; c ^= rol32(b, 8);  b += a;		\
	a -= c; a ^= rol32(c, 16); c += b;		\
	b -= a; b ^= rol32(a, 19); a += c;		\
	c -= b; c ^= rol32(b, 4);  b += a;		\
} while (0)

#define JHASH_FINAL(a, b, c) do {			\
	c ^= b; c -= rol32(b, 14);			\
	a ^= c; a -= rol32(c, 11);			\
	b ^= a; b -= rol32(a, 25);			\
	c ^= b; c -= rol32(b, 16);			\
	a ^= c; a -= rol32(c, 4);			\
	b ^= a; b -= rol32(a, 14);			\
	c ^= b; c -= rol32(b, 24);			\
} while (0)

SEC("xdp")
int e2e_jhash(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	__u32 a, b, c;

	if (data + 64 > data_end)
		return XDP_PASS;
	a = b = c = 0xdeadbeef + (12 << 2) + 0x1234567;
	a += U32(data, 0); b += U32(data, 4); c += U32(data, 8);
	JHASH_MIX(a, b, c);
	a += U32(data, 12); b += U32(data, 16); c += U32(data, 20);
	JHASH_MIX(a, b, c);
	a += U32(data, 24); b += U32(data, 28); c += U32(data, 32);
	JHASH_MIX(a, b, c);
	a += U32(data, 36); b += U32(data, 40); c += U32(data, 44);
	JHASH_FINAL(a, b, c);
	U32(data, 48) = c;
	U32(data, 52) = a ^ b;
	return c & 1 ? XDP_DROP : XDP_PASS;
}

/* SipHash-2-4 of 32 bytes of packet, with a fixed key. */
#define SIPROUND(v0, v1, v2, v3) do {					\
	v0 += v1; v1 = rol64(v1, 13); v1 ^= v0; v0 = rol64(v0, 32);	\
	v2 += v3; v3 = rol64(v3, 16); v3 ^= v2;				\
	v0 += v3; v3 = rol64(v3, 21); v3 ^= v0;				\
	v2 += v1; v1 = rol64(v1, 17); v1 ^= v2; v2 = rol64(v2, 32);	\
} while (0)

static __always_inline void sip_word(__u64 *v0, __u64 *v1, __u64 *v2,
				     __u64 *v3, __u64 m)
{
	*v3 ^= m;
	SIPROUND(*v0, *v1, *v2, *v3);
	SIPROUND(*v0, *v1, *v2, *v3);
	*v0 ^= m;
}

SEC("xdp")
int e2e_siphash(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	const __u64 k0 = 0x0706050403020100ULL, k1 = 0x0f0e0d0c0b0a0908ULL;
	__u64 v0 = k0 ^ 0x736f6d6570736575ULL, v1 = k1 ^ 0x646f72616e646f6dULL;
	__u64 v2 = k0 ^ 0x6c7967656e657261ULL, v3 = k1 ^ 0x7465646279746573ULL;

	if (data + 48 > data_end)
		return XDP_PASS;
	sip_word(&v0, &v1, &v2, &v3, U64(data, 0));
	sip_word(&v0, &v1, &v2, &v3, U64(data, 8));
	sip_word(&v0, &v1, &v2, &v3, U64(data, 16));
	sip_word(&v0, &v1, &v2, &v3, U64(data, 24));
	sip_word(&v0, &v1, &v2, &v3, 32ULL << 56);
	v2 ^= 0xff;
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	U64(data, 32) = v0 ^ v1 ^ v2 ^ v3;
	return (v0 ^ v1 ^ v2 ^ v3) >> 63 ? XDP_DROP : XDP_PASS;
}

/*
 * Ethernet/IPv4/TCP parser: byte-swapped loads of addresses, sequence
 * numbers and a 64-bit cookie; a flow key folded with rotates; the
 * sequence number advanced in the packet.
 */
SEC("xdp")
int e2e_parse(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	__u32 saddr, daddr, seq, ack, ports;
	__u64 cookie, key;

	if (data + 14 + 20 + 20 + 8 > data_end)
		return XDP_PASS;
	if (U16(data, 12) != __builtin_bswap16(0x0800))
		return XDP_PASS;
	if (U8(data, 14) != 0x45 || U8(data, 23) != 6)
		return XDP_PASS;
	saddr = __builtin_bswap32(U32(data, 26));
	daddr = __builtin_bswap32(U32(data, 30));
	ports = __builtin_bswap32(U32(data, 34));
	seq = __builtin_bswap32(U32(data, 38));
	ack = __builtin_bswap32(U32(data, 42));
	cookie = __builtin_bswap64(U64(data, 54));
	key = ((__u64)saddr << 32 | daddr) ^ rol64(cookie, 17);
	key ^= rol64((__u64)ports * 0x9e3779b97f4a7c15ULL, 31);
	U32(data, 38) = __builtin_bswap32(seq + 1);
	U32(data, 42) = __builtin_bswap32(ack ^ (__u32)key);
	U64(data, 54) = key;
	if ((ports >> 16) < 1024 && (ports & 0xffff) >= 1024)
		return XDP_TX;
	return key & 1 ? XDP_DROP : XDP_PASS;
}

static __always_inline __u64 clamp(__u64 x, __u64 lo, __u64 hi)
{
	return x < lo ? lo : x > hi ? hi : x;
}

static __always_inline __s64 smax(__s64 a, __s64 b)
{
	return a > b ? a : b;
}

static __always_inline __s64 smin(__s64 a, __s64 b)
{
	return a < b ? a : b;
}

/* Branchy selects: min, max and clamps of packet fields. */
SEC("xdp")
int e2e_select(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	__u64 a, b, c, d, lo, hi;
	__s64 s, t;

	if (data + 48 > data_end)
		return XDP_PASS;
	a = U64(data, 0);
	b = U64(data, 8);
	c = U32(data, 16);
	d = U32(data, 20);
	s = (__s64)U64(data, 24);
	t = (__s64)U64(data, 32);
	lo = a < b ? a : b;
	hi = a < b ? b : a;
	U64(data, 0) = lo;
	U64(data, 8) = hi;
	U32(data, 16) = clamp(c, 64, 1500);
	U32(data, 20) = d > c ? d - c : c - d;
	U64(data, 24) = smax(s, t);
	U64(data, 32) = smin(s, -t);
	U64(data, 40) = clamp(U64(data, 40), lo, hi);
	return hi - lo > 0xffff ? XDP_DROP : XDP_PASS;
}

struct blk {
	__u64 w[4];
};

struct rec {
	__u64 w[6];
};

/*
 * Bounded copies: a 32-byte block and a 48-byte record moved through the
 * stack to other places of the packet, and a table lookup with scaled
 * address arithmetic.
 */
SEC("xdp")
int e2e_copy(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct blk *src = data, *dst = data + 64, tmp;
	struct rec *rs = data + 96, *rd = data + 160, r;
	__u64 tab[8], idx, sum;
	int i;

	if (data + 208 > data_end)
		return XDP_PASS;
	__builtin_memcpy(&tmp, src, sizeof(tmp));
	tmp.w[0] ^= tmp.w[3];
	__builtin_memcpy(dst, &tmp, sizeof(tmp));
	__builtin_memcpy(&r, rs, sizeof(r));
	r.w[5] += r.w[1];
	__builtin_memcpy(rd, &r, sizeof(r));
	for (i = 0; i < 8; i++)
		tab[i] = tmp.w[i & 3] + i;
	idx = U8(data, 40) & 7;
	sum = tab[idx] ^ tab[(idx + 3) & 7];
	U64(data, 32) = sum;
	return sum & 1 ? XDP_DROP : XDP_PASS;
}

/* Bit-field extracts: IPv4 and TCP header fields, and a packed tag. */
SEC("xdp")
int e2e_bitfield(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	__u32 ver, ihl, dscp, ecn, flags, frag, doff, tflags, w0, w1, w2;
	__u64 tag, out;

	if (data + 64 > data_end)
		return XDP_PASS;
	w0 = __builtin_bswap32(U32(data, 14));
	w1 = __builtin_bswap32(U32(data, 20));
	w2 = __builtin_bswap32(U32(data, 46));
	tag = U64(data, 56);
	ver = (w0 >> 28) & 0xf;
	ihl = (w0 >> 24) & 0xf;
	dscp = (w0 >> 18) & 0x3f;
	ecn = (w0 >> 16) & 0x3;
	flags = (w1 >> 29) & 0x7;
	frag = (w1 >> 16) & 0x1fff;
	doff = (w2 >> 28) & 0xf;
	tflags = (w2 >> 16) & 0x3f;
	out = (tag >> 3) & 0xfffff;
	out ^= ((tag >> 40) & 0xffff) << 20;
	out += (tag >> 23) & 0x1ff;
	U32(data, 0) = ver | ihl << 4 | dscp << 8 | ecn << 14 | flags << 16;
	U32(data, 4) = frag | doff << 13 | tflags << 17;
	U64(data, 8) = out;
	if (ver != 4 || ihl < 5)
		return XDP_DROP;
	return frag || (flags & 1) ? XDP_TX : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
