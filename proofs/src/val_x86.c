// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Run x86-64 byte sequences on this CPU: map them into an executable page,
 * load all general-purpose registers but rsp from a struct, call the bytes,
 * store the registers back.
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include "val.h"

#if defined(__x86_64__)
void x86_run(uint64_t *regs, void *code);
__asm__(
	".text\n"
	".globl x86_run\n"
	"x86_run:\n"
	"	push %rbp\n	push %rbx\n	push %r12\n	push %r13\n	push %r14\n	push %r15\n"
	"	push %rdi\n"
	"	mov %rsi, x86_code(%rip)\n"
	"	mov %rdi, %rax\n"
	"	mov 8(%rax), %rcx\n	mov 16(%rax), %rdx\n	mov 24(%rax), %rbx\n"
	"	mov 40(%rax), %rbp\n	mov 48(%rax), %rsi\n	mov 56(%rax), %rdi\n"
	"	mov 64(%rax), %r8\n	mov 72(%rax), %r9\n	mov 80(%rax), %r10\n"
	"	mov 88(%rax), %r11\n	mov 96(%rax), %r12\n	mov 104(%rax), %r13\n"
	"	mov 112(%rax), %r14\n	mov 120(%rax), %r15\n	mov 0(%rax), %rax\n"
	"	call *x86_code(%rip)\n"
	"	push %rax\n"
	"	mov 8(%rsp), %rax\n"
	"	mov %rcx, 8(%rax)\n	mov %rdx, 16(%rax)\n	mov %rbx, 24(%rax)\n"
	"	mov %rbp, 40(%rax)\n	mov %rsi, 48(%rax)\n	mov %rdi, 56(%rax)\n"
	"	mov %r8, 64(%rax)\n	mov %r9, 72(%rax)\n	mov %r10, 80(%rax)\n"
	"	mov %r11, 88(%rax)\n	mov %r12, 96(%rax)\n	mov %r13, 104(%rax)\n"
	"	mov %r14, 112(%rax)\n	mov %r15, 120(%rax)\n"
	"	pop %rcx\n	mov %rcx, 0(%rax)\n"
	"	pop %rdi\n"
	"	pop %r15\n	pop %r14\n	pop %r13\n	pop %r12\n	pop %rbx\n	pop %rbp\n"
	"	ret\n"
	".data\n"
	"x86_code: .quad 0\n"
	".text\n");

static uint8_t *page, *win;

int x86_validate_one(const struct valin *in, struct valout *out)
{
	uint64_t regs[16];

	if (!page) {
		page = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		win = mmap((void *)VAL_BASE, VAL_SIZE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		if (page == MAP_FAILED || win != (void *)VAL_BASE) {
			perror("x86 validation: mmap");
			return -1;
		}
	}
	for (uint32_t i = 0; i < VAL_SIZE; i++)
		win[i] = val_byte(in->seed, i);
	memcpy(page, in->code, in->len);
	page[in->len] = 0xC3;	/* ret */
	memcpy(regs, in->r, sizeof(regs));
	x86_run(regs, page);
	memset(out, 0, sizeof(*out));
	memcpy(out->r, regs, sizeof(regs));
	for (uint32_t i = 0; i < in->nmem; i++)
		out->mem[i] = win[in->memoff[i]];
	return 0;
}
#else
int x86_validate_one(const struct valin *in, struct valout *out)
{
	return -1;
}
#endif
