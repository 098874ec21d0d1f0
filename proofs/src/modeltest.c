// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Model tests (prove -U): targeted encodings run on the hardware (x86-64 on
 * this CPU, arm64 under qemu-aarch64 and qemu-aarch64_be) and compared with
 * the models, including encodings no emitter produces today: corner cases
 * of the instructions the models accept, and undefined encodings, which
 * the models must reject (the hardware raises SIGILL).
 *
 * A case that targets a model defect since fixed is also run with that
 * defect put back (model_old), which must disagree with the hardware: the
 * test shows that it detects the defect.
 */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include "arch.h"
#include "eval.h"
#include "model.h"

#define PTR	(VAL_BASE + VAL_SIZE / 2)	/* where the memory cases point */
#define MEMLO	(VAL_SIZE / 2 - 64)		/* window bytes compared: */
#define NMEM	256				/* [MEMLO, MEMLO + NMEM) */

struct mcase {
	const char *name;
	int arch;			/* X86, or A64: arm64 and arm64-be */
	const char *x86;		/* x86-64 bytes ... */
	int len;
	uint32_t a64[8];		/* ... or A64 words, up to the first 0 */
	struct { int r; uint64_t v; } in[6];	/* inputs other than the default; v 0 ends */
	unsigned old;			/* the model_old defect it detects; 0: none */
};

#define X86(s)	.arch = X86, .x86 = (s), .len = sizeof(s) - 1
#define A64_(...) .arch = A64, .a64 = { __VA_ARGS__ }

/* x86: cmp rdi, rsi; and after the instruction, the flags into registers:
 * cmovb rdx, rbx; cmove r8, r12; cmovs r11, r13; cmovo r14, r15 */
#define CMP	"\x48\x39\xf7"
#define CMOVS	"\x48\x0f\x42\xd3\x4d\x0f\x44\xc4\x4d\x0f\x48\xdd\x4d\x0f\x40\xf7"
#define CF_OF	.in = { { 7, 0x7fffffffffffffff }, { 6, ~0ULL } }	/* CF SF OF, not ZF */
#define ZF	.in = { { 7, 1ULL << 63 }, { 6, 1ULL << 63 } }		/* ZF alone */

static const struct mcase cases[] = {
	/* rotates; by a count masking to 0, the flags are left alone */
	{ "rol eax, 5", X86("\xc1\xc0\x05") },
	{ "cmp; rol rax, 64 (count 0); cmovs", X86(CMP "\x48\xc1\xc0\x40" CMOVS), CF_OF },
	{ "cmp; rol eax, 0; cmovs (rax zero-extended)", X86(CMP "\xc1\xc0\x00" CMOVS), ZF,
	  .old = MODEL_OLD_ROT0 },
	{ "cmp; ror ecx, 32 (count 0); cmovs", X86(CMP "\xc1\xc9\x20" CMOVS), CF_OF,
	  .old = MODEL_OLD_ROT0 },
	{ "cmp; rol r9d, 0; cmovs", X86(CMP "\x41\xc1\xc1\x00" CMOVS), CF_OF,
	  .old = MODEL_OLD_ROT0 },
	{ "cmp; ror r10d, 64 (count 0); cmovs", X86(CMP "\x41\xc1\xca\x40" CMOVS), ZF,
	  .old = MODEL_OLD_ROT0 },
	/* EXTR, UBFM: defined forms, and the N != sf forms (undefined) */
	{ "extr w0, w1, w2, #31", A64_(0x13827c20) },
	{ "extr x0, x1, x2, #32", A64_(0x93c28020) },
	{ "extr x0, x1, x2, #63", A64_(0x93c2fc20) },
	{ "extr w0, w1, w2, #32 (undefined)", A64_(0x13828020), .old = MODEL_OLD_EXTR },
	{ "extr w0, w1, w2, #63 (undefined)", A64_(0x1382fc20), .old = MODEL_OLD_EXTR },
	{ "extr w0, w1, w2, #7 with N=1 (undefined)", A64_(0x13c21c20) },
	{ "extr x0, x1, x2, #7 with N=0 (undefined)", A64_(0x93821c20) },
	{ "lsr w0, w1, #31 (ubfm #31, #31)", A64_(0x531f7c20) },
	{ "lsl w0, w1, #1 (ubfm #31, #30)", A64_(0x531f7820) },
	{ "lsl x0, x1, #1 (ubfm #63, #62)", A64_(0xd37ff820) },
	{ "ubfm w0, w1, #32, #31 (undefined)", A64_(0x53207c20) },
	{ "ubfm w0, w1, #0, #32 (undefined)", A64_(0x53008020) },
	{ "ubfm w0, w1, #1, #31 with N=1 (undefined)", A64_(0x53417c20) },
	{ "ubfm x0, x1, #1, #31 with N=0 (undefined)", A64_(0xd3017c20) },
	{ "sbfm w0, w1, #32, #31 (undefined)", A64_(0x13207c20) },
	{ "bfm w0, w1, #0, #32 (undefined)", A64_(0x33008020) },
	/* register-offset loads and stores; index XZR reads 0, scaled or not
	 * (x0 = 8: the old model's index, an address in the window) */
	{ "ldr x3, [x1, x4, lsl #3]", A64_(0xf8647823), .in = { { 1, PTR }, { 4, 2 } } },
	{ "str x2, [x1, x4, lsl #3]", A64_(0xf8247822), .in = { { 1, PTR }, { 4, 2 } } },
	{ "ldr x3, [x1, xzr]", A64_(0xf87f6823), .in = { { 1, PTR }, { 0, 8 } } },
	{ "ldr x3, [x1, xzr, lsl #3]", A64_(0xf87f7823), .in = { { 1, PTR }, { 0, 8 } },
	  .old = MODEL_OLD_XZR },
	{ "ldr w3, [x1, xzr, lsl #2]", A64_(0xb87f7823), .in = { { 1, PTR }, { 0, 8 } },
	  .old = MODEL_OLD_XZR },
	{ "ldr x3, [x1, xzr, sxtx #3]", A64_(0xf87ff823), .in = { { 1, PTR }, { 0, 8 } },
	  .old = MODEL_OLD_XZR },
	{ "str x2, [x1, xzr, lsl #3]", A64_(0xf83f7822), .in = { { 1, PTR }, { 0, 8 } },
	  .old = MODEL_OLD_XZR },
	{ "str w2, [x1, xzr, lsl #2]", A64_(0xb83f7822), .in = { { 1, PTR }, { 0, 8 } },
	  .old = MODEL_OLD_XZR },
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

/* the input: distinct registers with both halves nonzero, unless given */
static void make_input(int arch, const struct mcase *c, struct valin *in)
{
	memset(in, 0, sizeof(*in));
	if (c->arch == X86) {
		in->len = c->len;
		memcpy(in->code, c->x86, c->len);
	} else {
		for (int k = 0; k < 8 && c->a64[k]; k++, in->len += 4)
			memcpy(in->code + in->len, &c->a64[k], 4);	/* little-endian words */
	}
	in->seed = 0x5eed;
	for (int i = 0; i < nregs[arch]; i++)
		in->r[i] = (noval[arch] >> i) & 1 ? 0 : 0x9e3779b97f4a7c15ULL * (i + 1);
	for (int k = 0; k < 6 && c->in[k].v; k++)
		in->r[c->in[k].r] = c->in[k].v;
	in->nmem = NMEM;
	for (int q = 0; q < NMEM; q++)
		in->memoff[q] = MEMLO + q;
}

/* the model's outputs: 0; 1: rejected (model_err says why); -1: not concrete */
static int model_run(int arch, const struct valin *in, unsigned old, struct valout *out)
{
	struct mstate n0, n1;
	Z3_ast from[36];
	uint64_t val[36];
	int nf = 0, rc;
	bool ok = true;

	state_fresh(&n0, "t", nregs[arch]);
	n0.be = arch == A64BE;
	n1 = n0;
	model_old = old;
	rc = arch == X86 ? x86_exec(in->code, in->len, &n1)
			 : a64_exec((const uint32_t *)in->code, in->len / 4, &n1);
	model_old = 0;
	if (rc)
		return 1;
	for (int i = 0; i < nregs[arch]; i++) {
		from[nf] = n0.r[i];
		val[nf++] = in->r[i];
	}
	for (int i = 0; i < 4; i++) {	/* the cases set the flags they read */
		from[nf] = n0.f[i];
		val[nf++] = 0;
	}
	struct evin ei = { from, val, nf, n0.mem, in->seed, val_mem };
	eval_begin(&ei);
	memset(out, 0, sizeof(*out));
	for (int i = 0; i < nregs[arch]; i++)
		if (!((noval[arch] >> i) & 1))
			out->r[i] = eval_bv(n1.r[i], &ok);
	for (uint32_t q = 0; q < in->nmem; q++)
		out->mem[q] = eval_byte(n1.mem, VAL_BASE + in->memoff[q], &ok);
	return ok ? 0 : -1;
}

/* the hardware's outputs: 0; 1: SIGILL; -1: the run failed */
static int hw_run(int arch, const char *runner, const char *outdir, const struct valin *in,
		  struct valout *out)
{
	char inpath[600], outpath[600], errpath[600];
	FILE *f;
	int st, ok;

	if (arch == X86)
		return x86_validate_one(in, out) ? -1 : 0;
	snprintf(inpath, sizeof(inpath), "%s/modeltest.%s.in", outdir, arch_name[arch]);
	snprintf(outpath, sizeof(outpath), "%s/modeltest.%s.out", outdir, arch_name[arch]);
	snprintf(errpath, sizeof(errpath), "%s/modeltest.%s.err", outdir, arch_name[arch]);
	f = fopen(inpath, "w");
	if (!f || fwrite(in, sizeof(*in), 1, f) != 1 || fclose(f))
		return -1;
	st = run_qemu(arch, runner, inpath, outpath, errpath);
	if (st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGILL)
		return 1;
	if (st != 0 || !(f = fopen(outpath, "r")))
		return -1;
	ok = fread(out, sizeof(*out), 1, f) == 1;
	fclose(f);
	return ok ? 0 : -1;
}

/* does a model run agree with the hardware's?  why: what it did */
static bool agrees(int arch, const struct valin *in, int hw, const struct valout *h, int m,
		   const struct valout *o, char *why, size_t n)
{
	if (m < 0) {
		snprintf(why, n, "ERROR (output not concrete)");
		return false;
	}
	if (hw == 1) {
		snprintf(why, n, m ? "rejects" : "accepts it");
		return m == 1;
	}
	if (m == 1) {
		snprintf(why, n, "rejects it (%s)", model_err);
		return false;
	}
	for (int i = 0; i < nregs[arch]; i++)
		if (!((noval[arch] >> i) & 1) && h->r[i] != o->r[i]) {
			snprintf(why, n, "r%d %#" PRIx64 ", hw %#" PRIx64, i, o->r[i], h->r[i]);
			return false;
		}
	for (uint32_t q = 0; q < in->nmem; q++)
		if (h->mem[q] != o->mem[q]) {
			snprintf(why, n, "byte +%u %#x, hw %#x", in->memoff[q], o->mem[q], h->mem[q]);
			return false;
		}
	snprintf(why, n, "same outputs");
	return true;
}

int model_tests(const char *const runner[NARCH], const char *outdir)
{
	int bad = 0, runs = 0, targeted = 0;

	if (!ctx) {
		Z3_config cfg = Z3_mk_config();
		ctx = Z3_mk_context(cfg);
		Z3_del_config(cfg);
	}
	printf("model tests: targeted encodings, the model against this CPU (x86-64), "
	       "qemu-aarch64 (arm64), qemu-aarch64_be (arm64-be);\n"
	       "a difference: rN (hardware register number) or a window byte, the model's value, hw the hardware's\n"
	       "%-8s %-46s %-8s %-32s %s\n", "arch", "case", "hardware", "model",
	       "model with the defect put back");
	for (size_t k = 0; k < NCASES; k++) {
		const struct mcase *c = &cases[k];

		for (int arch = c->arch; arch <= (c->arch == X86 ? X86 : A64BE); arch++) {
			struct valin in;
			struct valout h, o;
			char why[320], wold[320] = "-";
			int hw, m;
			bool ok;

			if (arch != X86 && !runner[arch])
				continue;
			make_input(arch, c, &in);
			hw = hw_run(arch, runner[arch], outdir, &in, &h);
			m = model_run(arch, &in, 0, &o);
			ok = hw >= 0 && agrees(arch, &in, hw, &h, m, &o, why, sizeof(why));
			if (hw < 0)
				snprintf(why, sizeof(why), "ERROR (the hardware run failed)");
			if (c->old && hw >= 0) {
				bool oldok = agrees(arch, &in, hw, &h, model_run(arch, &in, c->old, &o), &o,
						    wold, sizeof(wold));
				ok &= !oldok;
				targeted++;
				if (oldok)
					snprintf(wold + strlen(wold), sizeof(wold) - strlen(wold),
						 ": NOT DETECTED");
			}
			printf("%-8s %-46s %-8s %-32s %s%s\n", arch_name[arch], c->name,
			       hw < 0 ? "ERROR" : hw ? "SIGILL" : "ran", why, wold, ok ? "" : "  FAIL");
			bad += !ok;
			runs++;
		}
	}
	if (bad)
		printf("model tests FAILED: %d of %d runs\n", bad, runs);
	else
		printf("model tests: %d runs agree with the hardware; %d with a fixed defect "
		       "put back disagree\n", runs, targeted);
	return bad ? 1 : 0;
}
