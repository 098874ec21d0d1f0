/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * Kops: BPF operations with a vanilla eBPF proof sequence and a native emit.
 *
 * A Kops region is a marker instruction followed inline by the proof
 * sequence of the op it names.  The marker is
 *
 *	BPF_JMP | BPF_JA | BPF_K, src_reg = BPF_PSEUDO_KOPS, off = 0,
 *	dst_reg = operand D, imm = BPF_KOPS_IMM(id, A, B, C, P)
 *
 * See Documentation/bpf/kops.rst.
 */
#ifndef _UAPI__LINUX_BPF_KOPS_H__
#define _UAPI__LINUX_BPF_KOPS_H__

#include <linux/types.h>

/* imm of a marker: op id and the operands A, B, C (4 bits) and P (12 bits) */
#define BPF_KOPS_IMM(id, a, b, c, p)					\
	((__s32)(((__u32)(id) & 0xff) | ((__u32)(a) & 0xf) << 8 |	\
		 ((__u32)(b) & 0xf) << 12 | ((__u32)(c) & 0xf) << 16 |	\
		 ((__u32)(p) & 0xfff) << 20))
#define BPF_KOPS_IMM_ID(imm)	((__u32)(imm) & 0xff)
#define BPF_KOPS_IMM_A(imm)	(((__u32)(imm) >> 8) & 0xf)
#define BPF_KOPS_IMM_B(imm)	(((__u32)(imm) >> 12) & 0xf)
#define BPF_KOPS_IMM_C(imm)	(((__u32)(imm) >> 16) & 0xf)
#define BPF_KOPS_IMM_P(imm)	(((__u32)(imm) >> 20) & 0xfff)

/* Op ids 1 to BPF_KOPS_FIRST_DYN_ID - 1 are fixed for in-tree ops; modules
 * get dynamic ids from BPF_KOPS_FIRST_DYN_ID to BPF_KOPS_MAX_ID.
 */
#define BPF_KOPS_FIRST_DYN_ID	64
#define BPF_KOPS_MAX_ID		255

/* Fixed ids of the EInsn ops (CONFIG_BPF_EINSN) */
enum bpf_einsn_id {
	BPF_EINSN_ROTATE = 1,
	BPF_EINSN_SELECT = 2,
	BPF_EINSN_BFEXT = 3,
	BPF_EINSN_LDBSWAP = 4,
	BPF_EINSN_PREFETCH = 5,
	BPF_EINSN_MEMCPY = 6,
	BPF_EINSN_LEA = 7,
};

#endif /* _UAPI__LINUX_BPF_KOPS_H__ */
