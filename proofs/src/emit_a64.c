// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "kshim.h"
int a64_emit(const struct bpf_insn *m, u32 *buf, int mutant) { return -EOPNOTSUPP; }
