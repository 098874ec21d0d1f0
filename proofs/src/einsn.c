// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The EInsn proof-sequence templates, compiled from kernel/bpf/einsn.c. */
#include "kshim.h"

#pragma GCC diagnostic ignored "-Wunused-function"
#include "../gen/einsn.inc"

int einsn_instantiate(const struct bpf_insn *m, struct bpf_insn *p, u16 *clobber,
		      const char **why)
{
	*clobber = 0;
	*why = "unknown op";
	switch (BPF_KOPS_ID(m)) {
	case BPF_EINSN_ROTATE:	 return einsn_rotate(m, p, clobber, why);
	case BPF_EINSN_SELECT:	 return einsn_select(m, p, clobber, why);
	case BPF_EINSN_BFEXT:	 return einsn_bfext(m, p, clobber, why);
	case BPF_EINSN_LDBSWAP:	 return einsn_ldbswap(m, p, clobber, why);
	case BPF_EINSN_PREFETCH: return einsn_prefetch(m, p, clobber, why);
	case BPF_EINSN_MEMCPY:	 return einsn_memcpy(m, p, clobber, why);
	case BPF_EINSN_LEA:	 return einsn_lea(m, p, clobber, why);
	}
	return -EINVAL;
}
