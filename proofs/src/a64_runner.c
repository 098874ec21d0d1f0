// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Static arm64 runner for model validation under qemu-aarch64: reads
 * struct valin records from stdin, runs each code sequence with x0-x15 and
 * x19-x28 loaded from the record (x16/x17 hold the record and the code,
 * x18, x29, x30 and sp are left alone), writes struct valout records.
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include "val.h"

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
	"	ret\n");

int main(void)
{
	static struct valin in;
	static struct valout out;
	uint32_t *page;
	uint8_t *win;

	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	win = mmap((void *)VAL_BASE, VAL_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (page == MAP_FAILED || win != (void *)VAL_BASE) {
		perror("a64-runner: mmap");
		return 1;
	}
	while (fread(&in, sizeof(in), 1, stdin) == 1) {
		uint64_t regs[32];

		for (uint32_t i = 0; i < VAL_SIZE; i++)
			win[i] = val_byte(in.seed, i);
		memcpy(page, in.code, in.len);
		page[in.len / 4] = 0xd65f03c0;	/* ret */
		__builtin___clear_cache((char *)page, (char *)page + in.len + 4);
		memcpy(regs, in.r, sizeof(regs));
		a64_run(regs, page);
		memset(&out, 0, sizeof(out));
		memcpy(out.r, regs, sizeof(regs));
		for (uint32_t i = 0; i < in.nmem && i < VAL_MAXMEM; i++)
			out.mem[i] = win[in.memoff[i]];
		fwrite(&out, sizeof(out), 1, stdout);
	}
	return 0;
}
