// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Test packets: the inputs BPF_PROG_TEST_RUN timings (measure.c) and
 * the interpreter's differential tests (semantics/equiv.c) share.
 */
#include <stdbool.h>
#include <string.h>

#include "util/util.h"

static void put16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = v & 0xff; }

static uint16_t csum16(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (p[i] << 8) | p[i + 1];
	if (n & 1)
		s += p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* A random packet: kind 0 random bytes, else crafted headers. */
uint32_t bpfext_test_packet(uint8_t *p, unsigned int i, uint64_t *seed)
{
	unsigned int kind = i % 10;
	uint32_t len = 0, l4, payload = bpfext_xorshift64(seed) % 64, k;
	uint8_t proto;
	bool v6;

	if (kind == 0) {
		len = 14 + bpfext_xorshift64(seed) % 200;
		for (k = 0; k < len; k++)
			p[k] = (uint8_t)bpfext_xorshift64(seed);
		return len;
	}
	/* Ethernet: sometimes our dst, broadcast, multicast; VLAN tag */
	for (k = 0; k < 12; k++)
		p[k] = (uint8_t)bpfext_xorshift64(seed);
	if (bpfext_xorshift64(seed) % 4 == 0)
		memset(p, 0xff, 6);
	else if (bpfext_xorshift64(seed) % 4 == 0)
		memset(p, 0, 6);
	len = 12;
	if (kind == 9) {
		put16(p + len, 0x8100);
		put16(p + len + 2, bpfext_xorshift64(seed) & 0xfff);
		len += 4;
	}
	v6 = kind >= 5 && kind <= 7;
	if (kind == 8) {	/* ARP or random ethertype */
		put16(p + len, bpfext_xorshift64(seed) % 2 ? 0x0806 : (uint16_t)bpfext_xorshift64(seed));
		len += 2;
		for (k = 0; k < 28; k++)
			p[len++] = (uint8_t)bpfext_xorshift64(seed);
		return len;
	}
	put16(p + len, v6 ? 0x86dd : 0x0800);
	len += 2;
	switch (bpfext_xorshift64(seed) % 4) {
	case 0: proto = 6; break;
	case 1: proto = 17; break;
	case 2: proto = v6 ? 58 : 1; break;
	default: proto = bpfext_xorshift64(seed) % 3 ? 6 : (uint8_t)bpfext_xorshift64(seed); break;
	}
	l4 = proto == 6 ? 20 : 8;
	if (!v6) {
		uint8_t *ip = p + len;
		uint32_t ihl = bpfext_xorshift64(seed) % 8 == 0 ? 6 : 5;

		memset(ip, 0, ihl * 4);
		ip[0] = 0x40 | ihl;
		ip[1] = (uint8_t)bpfext_xorshift64(seed);
		put16(ip + 2, (uint16_t)(ihl * 4 + l4 + payload));
		put16(ip + 4, (uint16_t)bpfext_xorshift64(seed));
		put16(ip + 6, bpfext_xorshift64(seed) % 4 ? 0x4000 : (uint16_t)bpfext_xorshift64(seed));
		ip[8] = bpfext_xorshift64(seed) % 3 ? 64 : (uint8_t)(bpfext_xorshift64(seed) % 3);
		ip[9] = proto;
		for (k = 12; k < 20; k++)
			ip[k] = (uint8_t)bpfext_xorshift64(seed);
		if (bpfext_xorshift64(seed) % 2) {
			ip[12] = 10;
			ip[16] = 10;
		}
		put16(ip + 10, csum16(ip, ihl * 4));
		len += ihl * 4;
	} else {
		uint8_t *ip = p + len;

		memset(ip, 0, 40);
		ip[0] = 0x60;
		put16(ip + 4, (uint16_t)(l4 + payload));
		ip[6] = proto;
		ip[7] = 64;
		for (k = 8; k < 40; k++)
			ip[k] = (uint8_t)bpfext_xorshift64(seed);
		len += 40;
	}
	for (k = 0; k < l4 + payload; k++)
		p[len + k] = (uint8_t)bpfext_xorshift64(seed);
	if (proto == 6 || proto == 17) {
		static const uint16_t ports[] = { 22, 53, 80, 443, 8080, 9, 7 };

		put16(p + len + 2, ports[bpfext_xorshift64(seed) % 7]);
		if (proto == 6) {
			p[len + 12] = 0x50;
			p[len + 13] = bpfext_xorshift64(seed) % 2 ? 0x02 : (uint8_t)bpfext_xorshift64(seed);
		}
	}
	len += l4 + payload;
	/* truncations and single-byte mutations */
	if (bpfext_xorshift64(seed) % 8 == 0)
		len = 14 + (uint32_t)(bpfext_xorshift64(seed) % (len - 13));
	if (bpfext_xorshift64(seed) % 8 == 0)
		p[bpfext_xorshift64(seed) % len] ^= (uint8_t)(1u << (bpfext_xorshift64(seed) % 8));
	if (len < 60 && bpfext_xorshift64(seed) % 2) {
		memset(p + len, 0, 60 - len);
		len = 60;
	}
	return len;
}
