// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Updates, deletes and lookups of an LPM trie driven by packet bytes, for
 * test_interp_kernel: the interpreter's longest-prefix match must give
 * what the kernel's trie gives, packet after packet.  Prefix lengths run
 * past the 32 bits of the data (invalid), the data bits past a prefix
 * are random, so entries that differ only there must be one, flags
 * include BPF_F_LOCK (invalid on a trie), and a value read after an
 * update through the pointer of an earlier lookup must be the old one.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct lpm_key {
	__u32 prefixlen;
	__u8 data[4];
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct lpm_key);
	__type(value, __u32);
	__uint(max_entries, 8);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} routes SEC(".maps");

SEC("xdp")
int lpm_ops(struct xdp_md *ctx)
{
	__u8 *p = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct lpm_key key = {};
	__u32 val, *v;
	long ret;

	if (p + 12 > end)
		return XDP_ABORTED;
	key.prefixlen = p[0] % 40;
	/* few distinct leading bits, so prefixes meet */
	key.data[0] = p[1] & 0xe0;
	key.data[1] = p[2];
	key.data[2] = p[3];
	key.data[3] = p[4];
	val = p[6] | p[7] << 8;
	switch (p[5] % 4) {
	case 0:
		ret = bpf_map_update_elem(&routes, &key, &val, p[8] % 6);
		break;
	case 1:
		ret = bpf_map_delete_elem(&routes, &key);
		break;
	case 2:
		v = bpf_map_lookup_elem(&routes, &key);
		ret = v ? *v : -1;
		break;
	default:
		/* an update replaces the node: the old one keeps its value */
		v = bpf_map_lookup_elem(&routes, &key);
		ret = bpf_map_update_elem(&routes, &key, &val, BPF_ANY);
		ret = v ? *v : ret;
		break;
	}
	p[9] = ret;
	p[10] = ret >> 8;
	p[11] = ret >> 16;
	return XDP_TX;
}

char _license[] SEC("license") = "GPL";
