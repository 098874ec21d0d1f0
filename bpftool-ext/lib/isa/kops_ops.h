/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * User-space mirror of the seven EInsn Kops ops (kernel/bpf/einsn.c of the
 * Kops series, patch 0002; encoding in Documentation/bpf/kops.rst of
 * patch 0001): marker encode/decode and the proof-sequence templates,
 * bit-exact with the kernel's instantiate().
 *
 * A region is a marker (BPF_JMP | BPF_JA | BPF_K, src_reg 1, off 0,
 * dst_reg D, imm = id | A << 8 | B << 12 | C << 16 | (P & 0xfff) << 20)
 * followed by exactly the op's instantiation for those operands.  The
 * marker is a no-op jump; scratch registers are dead after the region.
 */
#ifndef BPFEXT_KOPS_OPS_H
#define BPFEXT_KOPS_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>
/* The series' UAPI header, as bpftool carries tools/include/uapi: the
 * marker encoding and the EInsn ids (enum bpf_einsn_id)
 */
#include <linux/bpf_kops.h>

#include "bpfext.h"

#ifndef BPF_PSEUDO_KOPS
#define BPF_PSEUDO_KOPS		1	/* include/uapi/linux/bpf.h of the series */
#endif
#define BPFEXT_KOPS_MAX_LEN	32	/* BPF_KOPS_MAX_LEN */

/* Decoded marker operands. */
struct bpfext_kops_marker {
	uint8_t id;
	uint8_t d, a, b, c;		/* 4 bits each (d: dst_reg) */
	uint16_t p;			/* 12 bits */
};

/* Is @insn a Kops marker (any id, any off)? */
static inline bool bpfext_kops_is_marker(const struct bpf_insn *insn)
{
	return insn->code == (BPF_JMP | BPF_JA | BPF_K) &&
	       insn->src_reg == BPF_PSEUDO_KOPS;
}

struct bpf_insn bpfext_kops_marker_encode(const struct bpfext_kops_marker *m);
/* Return: 0, or -EINVAL if @insn is not a marker with off 0. */
int bpfext_kops_marker_decode(const struct bpf_insn *insn,
			      struct bpfext_kops_marker *m);

/**
 * bpfext_kops_instantiate - the proof sequence of an EInsn marker
 * @marker: the marker
 * @proof: room for BPFEXT_KOPS_MAX_LEN instructions
 * @clobber: receives the scratch registers (bit n = rn); may be NULL
 * @why: receives the kernel's reason on -EINVAL; may be NULL
 *
 * Return: the length, -EINVAL for malformed operands, -ENOENT for an id
 * that is not an EInsn op.
 */
int bpfext_kops_instantiate(const struct bpf_insn *marker,
			    struct bpf_insn *proof, uint16_t *clobber,
			    const char **why);

/*
 * bpfext_kops_region_len - length of the region at @insns[0]
 *
 * Return: 1 + proof length when @insns[0] is a marker of a known op
 * followed (within @cnt) by exactly its proof sequence; 1 for any other
 * marker (unknown op or mismatch: only the marker is protected); 0 if
 * @insns[0] is not a marker.
 */
size_t bpfext_kops_region_len(const struct bpf_insn *insns, size_t cnt);

/* Marker builders (operands as in kops.rst). */
struct bpf_insn bpfext_kops_rotate(uint8_t d, uint8_t scratch, unsigned int k,
				   bool alu32);
struct bpf_insn bpfext_kops_select(uint8_t d, uint8_t lhs, uint8_t rhs,
				   uint8_t src, uint8_t jmp_op, bool jmp32);
struct bpf_insn bpfext_kops_bfext(uint8_t d, uint8_t a, unsigned int shift,
				  unsigned int width);
struct bpf_insn bpfext_kops_ldbswap(uint8_t d, uint8_t a, uint8_t size,
				    int off);
struct bpf_insn bpfext_kops_prefetch(uint8_t a, int off);
struct bpf_insn bpfext_kops_memcpy(uint8_t d, uint8_t a, uint8_t scratch,
				   unsigned int words, int swoff, int dwoff);
struct bpf_insn bpfext_kops_lea(uint8_t d, uint8_t a, uint8_t b,
				unsigned int scale, int disp);

#endif
