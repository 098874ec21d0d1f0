/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The architectures of the proofs and how their bytes are run for model
 * validation (prove.c): x86-64 on this CPU, arm64 and arm64-be by a runner
 * under qemu-user.
 */
#ifndef PROOFS_ARCH_H
#define PROOFS_ARCH_H
#include <stdint.h>
#include "val.h"

enum { X86, A64, A64BE, NARCH };
extern const char *const arch_name[NARCH];
extern const int nregs[NARCH];
/* registers the runners do not load or compare */
extern const uint32_t noval[NARCH];

/* x86-64: run in->code on this CPU (val_x86.c); 0 on success */
int x86_validate_one(const struct valin *in, struct valout *out);
/* arm64, arm64-be: the runner under qemu-user, stdin from inpath, stdout
 * to outpath, stderr to errpath (NULL: inherited); the wait status, -1 if
 * it could not be run */
int run_qemu(int arch, const char *runner, const char *inpath, const char *outpath,
	     const char *errpath);
/* prove -U: targeted encodings, model against hardware (modeltest.c) */
int model_tests(const char *const runner[NARCH], const char *outdir);
#endif
