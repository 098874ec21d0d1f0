// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Static arm64 runner for model validation under qemu-aarch64: reads
 * struct valin records from stdin, runs each code sequence with x0-x15 and
 * x19-x28 loaded from the record (x16/x17 hold the record and the code,
 * x18, x29, x30 and sp are left alone), writes struct valout records.
 *
 * Freestanding (system calls, no libc), because Debian has no big-endian
 * arm64 libc: the same source is the little-endian runner and, built with
 * -mbig-endian, the big-endian one for qemu-aarch64_be.  The records'
 * numbers are little-endian (the host's) on both; code bytes are copied as
 * they are (A64 instructions are little-endian words on either byte order).
 */
#include <stddef.h>
#include <linux/mman.h>
#include <asm/unistd.h>
#include "val.h"

#define STR_(x)	#x
#define STR(x)	STR_(x)

static long sys6(long nr, long a, long b, long c, long d, long e, long f)
{
	register long x8 __asm__("x8") = nr, x0 __asm__("x0") = a, x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c, x3 __asm__("x3") = d, x4 __asm__("x4") = e;
	register long x5 __asm__("x5") = f;

	__asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
			 : "memory");
	return x0;
}

/* the compiler may call these (-ffreestanding) */
void *memcpy(void *d, const void *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		((uint8_t *)d)[i] = ((const uint8_t *)s)[i];
	return d;
}

void *memset(void *d, int c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		((uint8_t *)d)[i] = c;
	return d;
}

/* n bytes at p, least significant first, as a number, and back */
static uint64_t get_le(const void *p, int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | ((const uint8_t *)p)[n];
	return v;
}

static void put_le(void *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++, v >>= 8)
		((uint8_t *)p)[i] = (uint8_t)v;
}

/* read exactly n bytes; 0 at the end of the input */
static int read_full(void *buf, long n)
{
	for (long got = 0, r; got < n; got += r) {
		r = sys6(__NR_read, 0, (long)buf + got, n - got, 0, 0, 0);
		if (r <= 0)
			return 0;
	}
	return 1;
}

/* make the written code visible to instruction fetch */
static void sync_icache(const uint8_t *p, size_t n)
{
	uint64_t ctr;
	size_t dline, iline, a;

	__asm__ volatile("mrs %0, ctr_el0" : "=r"(ctr));
	dline = 4u << ((ctr >> 16) & 15);
	iline = 4u << (ctr & 15);
	for (a = (uintptr_t)p & ~(dline - 1); a < (uintptr_t)p + n; a += dline)
		__asm__ volatile("dc cvau, %0" :: "r"(a) : "memory");
	__asm__ volatile("dsb ish" ::: "memory");
	for (a = (uintptr_t)p & ~(iline - 1); a < (uintptr_t)p + n; a += iline)
		__asm__ volatile("ic ivau, %0" :: "r"(a) : "memory");
	__asm__ volatile("dsb ish\n\tisb" ::: "memory");
}

void a64_run(uint64_t *regs, void *code);
__asm__(
	".text\n"
	".globl a64_run\n"
	"a64_run:\n"
	"	stp x29, x30, [sp, #-112]!\n"
	"	stp x19, x20, [sp, #16]\n	stp x21, x22, [sp, #32]\n"
	"	stp x23, x24, [sp, #48]\n	stp x25, x26, [sp, #64]\n"
	"	stp x27, x28, [sp, #80]\n	str x0, [sp, #96]\n"
	"	mov x16, x0\n	mov x17, x1\n"
	"	ldp x0, x1, [x16, #0]\n	ldp x2, x3, [x16, #16]\n	ldp x4, x5, [x16, #32]\n"
	"	ldp x6, x7, [x16, #48]\n	ldp x8, x9, [x16, #64]\n	ldp x10, x11, [x16, #80]\n"
	"	ldp x12, x13, [x16, #96]\n	ldp x14, x15, [x16, #112]\n"
	"	ldp x19, x20, [x16, #152]\n	ldp x21, x22, [x16, #168]\n"
	"	ldp x23, x24, [x16, #184]\n	ldp x25, x26, [x16, #200]\n	ldp x27, x28, [x16, #216]\n"
	"	blr x17\n"
	"	ldr x16, [sp, #96]\n"
	"	stp x0, x1, [x16, #0]\n	stp x2, x3, [x16, #16]\n	stp x4, x5, [x16, #32]\n"
	"	stp x6, x7, [x16, #48]\n	stp x8, x9, [x16, #64]\n	stp x10, x11, [x16, #80]\n"
	"	stp x12, x13, [x16, #96]\n	stp x14, x15, [x16, #112]\n"
	"	stp x19, x20, [x16, #152]\n	stp x21, x22, [x16, #168]\n"
	"	stp x23, x24, [x16, #184]\n	stp x25, x26, [x16, #200]\n	stp x27, x28, [x16, #216]\n"
	"	ldp x19, x20, [sp, #16]\n	ldp x21, x22, [sp, #32]\n"
	"	ldp x23, x24, [sp, #48]\n	ldp x25, x26, [sp, #64]\n"
	"	ldp x27, x28, [sp, #80]\n"
	"	ldp x29, x30, [sp], #112\n"
	"	ret\n"
	".globl _start\n"
	"_start:\n"
	"	mov x29, #0\n	mov x30, #0\n"
	"	bl main\n"
	"	mov x8, #" STR(__NR_exit) "\n"
	"	svc #0\n");

int main(void);
int main(void)
{
	static struct valin in;
	static struct valout out;
	static const char err[] = "a64-runner: mmap failed\n";
	uint8_t *page, *win;

	page = (uint8_t *)sys6(__NR_mmap, 0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	win = (uint8_t *)sys6(__NR_mmap, VAL_BASE, VAL_SIZE, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if ((uintptr_t)page > -4096UL || win != (uint8_t *)VAL_BASE) {
		sys6(__NR_write, 2, (long)err, sizeof(err) - 1, 0, 0, 0);
		return 1;
	}
	while (read_full(&in, sizeof(in))) {
		uint32_t len = get_le(&in.len, 4), seed = get_le(&in.seed, 4);
		uint32_t nmem = get_le(&in.nmem, 4);
		uint64_t regs[32];

		if (len > VAL_MAXCODE || len % 4)
			return 1;
		for (uint32_t i = 0; i < VAL_SIZE; i++)
			win[i] = val_byte(seed, i);
		memcpy(page, in.code, len);
		put_le(page + len, 0xd65f03c0, 4);	/* ret */
		sync_icache(page, len + 4);
		for (int i = 0; i < 32; i++)
			regs[i] = get_le(&in.r[i], 8);
		a64_run(regs, page);
		memset(&out, 0, sizeof(out));
		for (int i = 0; i < 32; i++)
			put_le(&out.r[i], regs[i], 8);
		for (uint32_t i = 0; i < nmem && i < VAL_MAXMEM; i++)
			out.mem[i] = win[get_le(&in.memoff[i], 2) % VAL_SIZE];
		if (sys6(__NR_write, 1, (long)&out, sizeof(out), 0, 0, 0) != sizeof(out))
			return 1;
	}
	return 0;
}
