/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the Kops selftests run as /init (kops_test.c and
 * kops_e2e.c): TAP output, raw bpf() calls, the JIT image of a program and
 * the expected native encodings of the EInsn ops, written independently of
 * the JITs.  The state they share lives in kops_util.c.
 */
#ifndef KOPS_UTIL_H
#define KOPS_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kops_insn.h"

/* kops_util.c */
extern int test_nr, failures;
extern int is_init;
extern int have_bmi1, have_movbe;
/* compute the native pattern even where the CPU lacks the feature */
extern int ignore_features;
extern char vlog[1 << 16];

/* Print @s as TAP diagnostics, "# " before every line */
static inline void diag(const char *s)
{
	while (*s) {
		const char *e = strchr(s, '\n');
		int len = e ? e - s : (int)strlen(s);

		if (len > 200)
			len = 200;
		printf("# %.*s\n", len, s);
		s = e ? e + 1 : s + strlen(s);
	}
}

static inline void tap(int ok, const char *fmt, ...)
{
	va_list ap;

	test_nr++;
	if (!ok)
		failures++;
	printf("%s %d ", ok ? "ok" : "not ok", test_nr);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static inline long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static inline int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), ret;

	if (fd < 0)
		return -errno;
	ret = write(fd, val, strlen(val)) < 0 ? -errno : 0;
	close(fd);
	return ret;
}

static inline int read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY), n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	return n;
}

static inline void set_jit(int on)
{
	write_file("/proc/sys/net/core/bpf_jit_enable", on ? "1" : "0");
}

static inline void set_native(int on)
{
	write_file("/sys/kernel/bpf_kops/native", on ? "1" : "0");
}

static inline int load(const struct bpf_insn *insns, int cnt, int type)
{
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = type;
	attr.insns = (uintptr_t)insns;
	attr.insn_cnt = cnt;
	attr.license = (uintptr_t)"GPL";
	attr.log_buf = (uintptr_t)vlog;
	attr.log_size = sizeof(vlog);
	attr.log_level = 1;
	if (type == BPF_PROG_TYPE_SYSCALL)
		attr.prog_flags = BPF_F_SLEEPABLE;
	vlog[0] = 0;
	fd = sys_bpf(BPF_PROG_LOAD, &attr);
	if (fd < 0 && errno == ENOSPC) {
		/* log too small: retry without a log */
		attr.log_level = 0;
		attr.log_buf = 0;
		attr.log_size = 0;
		fd = sys_bpf(BPF_PROG_LOAD, &attr);
	}
	return fd < 0 ? -errno : fd;
}

/* bpf_prog_info of @fd into @info, which may ask for arrays; 0 or -errno */
static inline int prog_info(int fd, struct bpf_prog_info *info)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = fd;
	attr.info.info_len = sizeof(*info);
	attr.info.info = (uintptr_t)info;
	return sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr) ? -errno : 0;
}

/* Number of instructions the verifier left in @fd's program, or -errno */
static inline int xlated_cnt(int fd)
{
	struct bpf_prog_info info;
	int err;

	memset(&info, 0, sizeof(info));
	err = prog_info(fd, &info);
	return err ? err : (int)(info.xlated_prog_len / sizeof(struct bpf_insn));
}

/* Fetch the JIT image of @fd; return its length (0 if not JITed) */
static inline int jited(int fd, uint8_t *buf, uint32_t size)
{
	struct bpf_prog_info info;
	int err;

	memset(&info, 0, sizeof(info));
	err = prog_info(fd, &info);
	if (err)
		return err;
	if (info.jited_prog_len > size)
		return -E2BIG;
	size = info.jited_prog_len;
	memset(&info, 0, sizeof(info));
	info.jited_prog_len = size;
	info.jited_prog_insns = (uintptr_t)buf;
	err = prog_info(fd, &info);
	return err ? err : (int)info.jited_prog_len;
}

static inline int contains(const uint8_t *img, int len, const uint8_t *pat, int plen)
{
	return plen > 0 && memmem(img, len, pat, plen) != NULL;
}

/* ------------------------------------------------------------------ */
/* Expected native encodings, written independently of the JITs       */

#if defined(__x86_64__)
static const int x86_hex[] = { 0, 7, 6, 2, 1, 0, 3, 5, 6, 7, 5 };
static inline int x86_ereg(int r)
{
	return r == 5 || r == 7 || r == 8 || r == 9;
}

/* ModRM @modrm with mod 01 and disp8, or mod 10 and disp32 */
static inline int put_modrm_disp(uint8_t *b, int n, int modrm, int off)
{
	if (off >= -128 && off < 128) {
		b[n++] = 0x40 | modrm;
		b[n++] = off;
		return n;
	}
	b[n++] = 0x80 | modrm;
	memcpy(b + n, &off, 4);
	return n + 4;
}

static inline int expected_native(const struct kops_use *u, uint8_t *b)
{
	int n = 0, d = u->d, a = u->a, bb = u->b, c = u->c;
	uint32_t p = u->p;

	switch (u->id) {
	case BPF_EINSN_ROTATE:
		if (!(p & 0x40))
			b[n++] = 0x48 | x86_ereg(d);
		else if (x86_ereg(d))
			b[n++] = 0x41;
		b[n++] = 0xc1;
		b[n++] = 0xc0 | x86_hex[d];
		b[n++] = p & 0x3f;
		return n;
	case BPF_EINSN_SELECT: {
		static const uint8_t cc[16] = {
			[1] = 0x4, [2] = 0x7, [3] = 0x3, [4] = 0x5, [5] = 0x5,
			[6] = 0xf, [7] = 0xd, [0xa] = 0x2, [0xb] = 0x6,
			[0xc] = 0xc, [0xd] = 0xe,
		};
		int op = p & 0xf;

		if (!(p & 0x10))
			b[n++] = 0x48 | x86_ereg(a) | x86_ereg(bb) << 2;
		else if (x86_ereg(a) || x86_ereg(bb))
			b[n++] = 0x40 | x86_ereg(a) | x86_ereg(bb) << 2;
		b[n++] = op == 4 ? 0x85 : 0x39;
		b[n++] = 0xc0 | x86_hex[a] | x86_hex[bb] << 3;
		b[n++] = 0x48 | x86_ereg(c) | x86_ereg(d) << 2;
		b[n++] = 0x0f;
		b[n++] = 0x40 | cc[op];
		b[n++] = 0xc0 | x86_hex[c] | x86_hex[d] << 3;
		return n;
	}
	case BPF_EINSN_BFEXT:
		if (!have_bmi1 && !ignore_features)
			return -1;
		/* mov r11d, ctl; bextr d, a, r11 */
		b[n++] = 0x41;
		b[n++] = 0xbb;
		b[n++] = p & 0x3f;
		b[n++] = p >> 6;
		b[n++] = 0;
		b[n++] = 0;
		b[n++] = 0xc4;
		b[n++] = (x86_ereg(d) ? 0 : 0x80) | 0x40 | (x86_ereg(a) ? 0 : 0x20) | 2;
		b[n++] = 0xa0;
		b[n++] = 0xf7;
		b[n++] = 0xc0 | x86_hex[a] | x86_hex[d] << 3;
		return n;
	case BPF_EINSN_LDBSWAP: {
		int off = kops_sext(p >> 2, 10);

		if (!have_movbe && !ignore_features)
			return -1;
		if ((p & 3) == 3)
			b[n++] = 0x48 | x86_ereg(a) | x86_ereg(d) << 2;
		else if (x86_ereg(a) || x86_ereg(d))
			b[n++] = 0x40 | x86_ereg(a) | x86_ereg(d) << 2;
		b[n++] = 0x0f;
		b[n++] = 0x38;
		b[n++] = 0xf0;
		return put_modrm_disp(b, n, x86_hex[a] | x86_hex[d] << 3, off);
	}
	case BPF_EINSN_PREFETCH: {
		int off = kops_sext(p, 12);

		if (x86_ereg(a))
			b[n++] = 0x41;
		b[n++] = 0x0f;
		b[n++] = 0x18;
		return put_modrm_disp(b, n, 0x08 | x86_hex[a], off);
	}
	case BPF_EINSN_MEMCPY: {
		int i, soff, doff;

		/* per word: mov r11, [a + soff]; mov [d + doff], r11 */
		for (i = 0; i <= c; i++) {
			soff = (kops_sext(p & 0x3f, 6) + i) * 8;
			doff = (kops_sext(p >> 6, 6) + i) * 8;
			b[n++] = 0x4c | x86_ereg(a);
			b[n++] = 0x8b;
			n = put_modrm_disp(b, n, 0x18 | x86_hex[a], soff);
			b[n++] = 0x4c | x86_ereg(d);
			b[n++] = 0x89;
			n = put_modrm_disp(b, n, 0x18 | x86_hex[d], doff);
		}
		return n;
	}
	case BPF_EINSN_LEA: {
		int disp = kops_sext(p >> 2, 10);
		uint8_t sib = (p & 3) << 6 | x86_hex[bb] << 3 | x86_hex[a];

		b[n++] = 0x48 | x86_ereg(d) << 2 | x86_ereg(bb) << 1 | x86_ereg(a);
		b[n++] = 0x8d;
		if (disp >= -128 && disp < 128) {
			b[n++] = 0x44 | x86_hex[d] << 3;
			b[n++] = sib;
			b[n++] = disp;
		} else {
			b[n++] = 0x84 | x86_hex[d] << 3;
			b[n++] = sib;
			memcpy(b + n, &disp, 4);
			n += 4;
		}
		return n;
	}
	}
	return -1;
}
#elif defined(__aarch64__)
static const int a64[] = { 7, 0, 1, 2, 3, 4, 19, 20, 21, 22, 25 };

static inline int put32(uint8_t *b, int n, uint32_t w)
{
	memcpy(b + n, &w, 4);
	return n + 4;
}

/* mov xd, #v as the JIT's emit_a64_mov_i() does it for |v| < 65536 */
static inline int put_mov(uint8_t *b, int n, int d, int v)
{
	if (v < 0)	/* movn */
		return put32(b, n, 0x92800000 | (~v & 0xffff) << 5 | d);
	return put32(b, n, 0xd2800000 | v << 5 | d);	/* movz */
}

/*
 * The whole sequence the JIT emits (x10, x11 and x12 are its temporaries),
 * so a check that the image contains it pins every instruction down.
 */
static inline int expected_native(const struct kops_use *u, uint8_t *b)
{
	int d = a64[u->d], a = a64[u->a], bb = a64[u->b], c = a64[u->c];
	uint32_t p = u->p;
	int n = 0;

	switch (u->id) {
	case BPF_EINSN_ROTATE:
		if (p & 0x40)	/* extr wd, wn, wn, #(32 - k) */
			return put32(b, 0, 0x13800000 | d << 16 |
				     (32 - (p & 0x3f)) << 10 | d << 5 | d);
		return put32(b, 0, 0x93c00000 | d << 16 |
			     (64 - (p & 0x3f)) << 10 | d << 5 | d);
	case BPF_EINSN_SELECT: {
		static const uint8_t cond[16] = {
			[1] = 0x0, [2] = 0x8, [3] = 0x2, [4] = 0x1, [5] = 0x1,
			[6] = 0xc, [7] = 0xa, [0xa] = 0x3, [0xb] = 0x9,
			[0xc] = 0xb, [0xd] = 0xd,
		};
		/* cmp xa, xb (tst for jset; w for jmp32) */
		n = put32(b, 0, ((p & 0xf) == 4 ? 0x6a00001f : 0x6b00001f) |
			  (p & 0x10 ? 0 : 0x80000000) | bb << 16 | a << 5);
		/* csel xd, xc, xd, cond */
		return put32(b, n, 0x9a800000 | d << 16 | cond[p & 0xf] << 12 |
			     c << 5 | d);
	}
	case BPF_EINSN_BFEXT: {
		int s = p & 0x3f, w = p >> 6;

		/* with s + w == 64, ubfx is the lsr of the proof sequence */
		if (s + w == 64 && ignore_features)
			return -1;
		return put32(b, 0, 0xd3400000 | s << 16 | (s + w - 1) << 10 |
			     a << 5 | d);
	}
	case BPF_EINSN_LDBSWAP:
		/* mov x10, #off; ldr (register offset, x10); rev */
		n = put_mov(b, 0, 10, kops_sext(p >> 2, 10));
		if ((p & 3) == 3)
			return put32(b, put32(b, n, 0xf8606800 | 10 << 16 | a << 5 | d),
				     0xdac00c00 | d << 5 | d);
		return put32(b, put32(b, n, 0xb8606800 | 10 << 16 | a << 5 | d),
			     0x5ac00800 | d << 5 | d);
	case BPF_EINSN_PREFETCH:
		if (kops_sext(p, 12)) {
			/* mov x10, #off; add x10, xa, x10; prfm pldl1keep, [x10] */
			n = put_mov(b, 0, 10, kops_sext(p, 12));
			n = put32(b, n, 0x8b000000 | 10 << 16 | a << 5 | 10);
			return put32(b, n, 0xf9800000 | 10 << 5);
		}
		return put32(b, 0, 0xf9800000 | a << 5);
	case BPF_EINSN_MEMCPY: {
		int soff = kops_sext(p & 0x3f, 6), doff = kops_sext(p >> 6, 6);
		int i = 0, words = u->c + 1;

		/*
		 * ldp x10, x11 / stp x10, x11 pairs only with one base register
		 * and no store into the pair's second word (doff == soff + 1);
		 * else, and for an odd last word, in the proof sequence's order:
		 * mov x12, #soff; ldr x10, [a, x12]; [mov x12, #doff;]
		 * str x10, [d, x12]
		 */
		if (u->a == u->d && doff != soff + 1)
			for (; i + 1 < words; i += 2) {
				n = put32(b, n, 0xa9400000 |
					  ((soff + i) & 0x7f) << 15 |
					  11 << 10 | a << 5 | 10);
				n = put32(b, n, 0xa9000000 |
					  ((doff + i) & 0x7f) << 15 |
					  11 << 10 | d << 5 | 10);
			}
		for (; i < words; i++) {
			n = put_mov(b, n, 12, 8 * (soff + i));
			n = put32(b, n, 0xf8606800 | 12 << 16 | a << 5 | 10);
			if (doff != soff)
				n = put_mov(b, n, 12, 8 * (doff + i));
			n = put32(b, n, 0xf8206800 | 12 << 16 | d << 5 | 10);
		}
		return n;
	}
	case BPF_EINSN_LEA: {
		int disp = kops_sext(p >> 2, 10);

		/* add xd, xa, xb, lsl #s; add/sub xd, xd, #|disp| */
		n = put32(b, 0, 0x8b000000 | bb << 16 | (p & 3) << 10 |
			  a << 5 | d);
		if (disp > 0)
			n = put32(b, n, 0x91000000 | disp << 10 | d << 5 | d);
		else if (disp < 0)
			n = put32(b, n, 0xd1000000 | -disp << 10 | d << 5 | d);
		return n;
	}
	}
	return -1;
}
#else
static inline int expected_native(const struct kops_use *u, uint8_t *b)
{
	return -1;
}
#endif


static inline void cpu_features(void)
{
#if defined(__x86_64__)
	static char buf[1 << 16];

	if (read_file("/proc/cpuinfo", buf, sizeof(buf)) > 0) {
		char *flags = strstr(buf, "\nflags");

		have_bmi1 = flags && strstr(flags, " bmi1");
		have_movbe = flags && strstr(flags, " movbe");
	}
	printf("# cpu: bmi1 %d movbe %d\n", have_bmi1, have_movbe);
#endif
}

#endif
