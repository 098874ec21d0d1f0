// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Obligations: for every EInsn op, operand form and register assignment,
 * the bytes the JIT emitter produces (compiled from the kernel source)
 * compute what the op's proof sequence (compiled from kernel/bpf/einsn.c)
 * computes:
 *   - every BPF register the proof sequence does not clobber, the
 *     destination included, ends equal (through the JIT register map);
 *   - native registers outside the map keep their value unless they are
 *     the JIT's temporaries;
 *   - memory ends equal;
 *   - every byte the native code accesses is accessed by the proof
 *     sequence on the same input (so native code faults no more often).
 * Each instance is one query (the negated conjunction) to Z3, and the same
 * query goes to cvc5 as SMT-LIB2.  The model semantics are validated by
 * running the proven bytes (x86-64 on this CPU, arm64 under qemu-aarch64,
 * big-endian arm64 under qemu-aarch64_be).
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include "kshim.h"
#include "arch.h"
#include "eval.h"
#include "model.h"
#include "mutants.h"
#include "val.h"

/* arm64-be: the emitters of a CONFIG_CPU_BIG_ENDIAN kernel, data accesses
 * big-endian in both models (instructions are little-endian words on both) */
const char *const arch_name[NARCH] = { "x86-64", "arm64", "arm64-be" };
/* BPF r0..r10 -> native register numbers (Documentation/bpf/kops.rst) */
static const int regmap[NARCH][11] = {
	{ 0, 7, 6, 2, 1, 8, 3, 13, 14, 15, 5 },		/* rax rdi rsi rdx rcx r8 rbx r13 r14 r15 rbp */
	{ 7, 0, 1, 2, 3, 4, 19, 20, 21, 22, 25 },	/* x7 x0-x4 x19-x22 x25 */
	{ 7, 0, 1, 2, 3, 4, 19, 20, 21, 22, 25 },
};
/* native registers the JIT may clobber: x86 AUX_REG r11; arm64 tmp x10-x12 */
static const uint32_t scratch[NARCH] = { 1u << 11, 7u << 10, 7u << 10 };
const int nregs[NARCH] = { 16, 32, 32 };
const uint32_t noval[NARCH] = { 1u << 4, (7u << 16) | (3u << 29) | (1u << 31),
					(7u << 16) | (3u << 29) | (1u << 31) };
/* arm64: the runner (-r, -B) runs under this qemu-user */
static const char *const qemu[NARCH] = { NULL, "qemu-aarch64", "qemu-aarch64_be" };
static const char *const x86_reg[16] = { "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15" };

struct op {
	const char *name;
	int id;
	int max[4];		/* D A B C enumerated 0..max (-1: always 0) */
	int pbits;		/* P enumerated over 0 .. 2^pbits - 1 */
	unsigned addr_roles;	/* roles holding pointers (validation inputs) */
	int npedge;
	uint16_t pedge[12];	/* representative forms, crossed with every register assignment */
};

#define P_SEL(op, j32) (((op) >> 4) | ((j32) << 4))
#define P_BFX(s, w) ((s) | (w) << 6)
#define P_LDB(sz, off) ((sz) | ((off) & 0x3ff) << 2)
#define P_CPY(s, d) (((s) & 0x3f) | ((d) & 0x3f) << 6)
#define P_LEA(s, disp) ((s) | ((disp) & 0x3ff) << 2)

static const struct op ops[] = {
	{ "rotate", BPF_EINSN_ROTATE, { 10, 10, -1, -1 }, 7, 0, 4, { 1, 63, 0x41, 0x5f } },
	{ "select", BPF_EINSN_SELECT, { 10, 10, 10, 10 }, 5, 0, 4,
	  { P_SEL(BPF_JEQ, 0), P_SEL(BPF_JSLT, 1), P_SEL(BPF_JSET, 0), P_SEL(BPF_JGT, 1) } },
	{ "bfext", BPF_EINSN_BFEXT, { 10, 10, -1, -1 }, 12, 0, 5,
	  { P_BFX(0, 1), P_BFX(4, 8), P_BFX(63, 1), P_BFX(33, 31), P_BFX(0, 31) } },
	{ "ldbswap", BPF_EINSN_LDBSWAP, { 10, 10, -1, -1 }, 12, 1u << 1, 6,
	  { P_LDB(0, 0), P_LDB(3, 0), P_LDB(0, -128), P_LDB(3, 127), P_LDB(0, 128), P_LDB(3, -512) } },
	{ "prefetch", BPF_EINSN_PREFETCH, { -1, 10, -1, -1 }, 12, 1u << 1, 5,
	  { 0, 1, 127, 128, 0x800 } },
	{ "memcpy", BPF_EINSN_MEMCPY, { 10, 10, 9, 15 }, 12, (1u << 0) | (1u << 1), 5,
	  { P_CPY(0, 0), P_CPY(-1, 1), P_CPY(31, -32), P_CPY(1, 0), P_CPY(0, 2) } },
	{ "lea", BPF_EINSN_LEA, { 10, 10, 10, -1 }, 12, 0, 6,
	  { P_LEA(0, 0), P_LEA(3, 0), P_LEA(1, -128), P_LEA(2, 127), P_LEA(0, 128), P_LEA(3, -512) } },
};
#define NOPS (sizeof(ops) / sizeof(ops[0]))


static struct {
	const char *outdir;
	long full_limit;
	int val_per;
	int verbose;
	const char *only_op;
	int only_arch;
	const char *a64_runner;
	const char *a64be_runner;
	int cvc5;
	int mutants;
	long max_inst;		/* per op, 0: all */
	int max_refuted;	/* stop an op/arch after this many counterexamples */
	int no_simplify;
	long cvc5_max;		/* cvc5 queries per op/arch, spread evenly; 0: all */
	long cvc5_max_memcpy;	/* the same for memcpy (~0.5 s a query) */
	int jobs;		/* worker processes */
	int model_tests;	/* -U: only the model tests (modeltest.c) */
	int lengths;		/* -L: only the length of every instance's emit */
} opt = { "out", 20000, 2, 0, NULL, -1, NULL, NULL, 1, 1, 0, 3, 0, 1000, 100, 2, 0, 0 };

/* the validation runner of an arm64 architecture; NULL: not validated */
static const char *runner(int arch)
{
	return arch == A64 ? opt.a64_runner : arch == A64BE ? opt.a64be_runner : NULL;
}

struct stats {
	long inst, oblig, proven, failed, declined, unmodelled, skipped;
	double z3_ms;
	long cvc5_unsat, cvc5_other, cvc5_sent, cvc5_sent_proven;
	double cvc5_ms;
	long val_runs, val_fail;
	long oblig_proven, enumerated, cvc5_cap, cvc5_refuted_sat;
	int full, crashed;
	double wall_ms;
};

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static struct bpf_insn marker(int id, int d, int a, int b, int c, int p)
{
	struct bpf_insn m = {
		.code = BPF_JMP | BPF_JA | BPF_K, .dst_reg = d, .src_reg = 1, .off = 0,
		.imm = (int32_t)(id | a << 8 | b << 12 | c << 16 | (uint32_t)p << 20),
	};
	return m;
}

/* ---- Z3 context, renewed every so often to bound memory ---- */
static long ctx_uses;

static void ctx_renew(void)
{
	Z3_config cfg;

	if (ctx && ctx_uses < 200)
		return;
	if (ctx)
		Z3_del_context(ctx);
	cfg = Z3_mk_config();
	Z3_set_param_value(cfg, "model", "true");
	ctx = Z3_mk_context(cfg);
	Z3_del_config(cfg);
	ctx_uses = 0;
}

static int emit(int arch, const struct bpf_insn *m, int mutant, uint8_t *buf)
{
	bool be = arch == A64BE;
	int n;

	if (arch == X86)
		return x86_emit(m, buf, mutant);
	if (mutant == MUT_A64_OTHER_ENDIAN) {	/* the other byte order's kernel */
		be = !be;
		mutant = MUT_NONE;
	}
	n = (be ? a64be_emit : a64_emit)(m, (u32 *)buf, mutant);
	return n < 0 ? n : 4 * n;
}

static void hex(const uint8_t *b, int n, char *out)
{
	for (int i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
	out[2 * n] = 0;
}

static const char *nat_name(int arch, int r, char *buf)
{
	if (arch == X86)
		return x86_reg[r];
	sprintf(buf, "x%d", r);
	return buf;
}

static uint64_t eval_u64(Z3_model mdl, Z3_ast e)
{
	Z3_ast v = NULL;
	uint64_t x = 0;

	if (Z3_model_eval(ctx, mdl, e, true, &v))
		Z3_get_numeral_uint64(ctx, v, &x);
	return x;
}

/* ---- validation bookkeeping ---- */
struct valexp {
	struct valin in;
	uint64_t r[32];
	uint8_t mem[VAL_MAXMEM];
	char label[700];
};
static struct valexp *vexp;
static long nvexp, capvexp;
static uint64_t rng = 0x853c49e6748fea9bULL;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint64_t edge_value(void)
{
	static const uint64_t e[] = { 0, 1, 2, ~0ULL, 0x7fffffffffffffffULL, 0x8000000000000000ULL,
		0xffffffffULL, 0x7fffffffULL, 0x80000000ULL, 0x100000000ULL, 0xfffffffeULL,
		0xffffffff80000000ULL, 0x8000000000000001ULL, 0xff, 0x1f, 0x3f };
	switch (rnd() % 4) {
	case 0: return e[rnd() % (sizeof(e) / sizeof(e[0]))];
	case 1: return rnd() & 0xffffffffULL;
	default: return rnd();
	}
}

/*
 * A model output for a validation input.  Substituting the input registers
 * and simplifying leaves loads from the input memory mem0 at constant
 * addresses (no model address depends on memory; if one did, the result
 * is not a numeral and the run fails); those are replaced by the input
 * bytes and the result simplified again.  This avoids building the 4 KiB
 * window as a Z3 store chain and walking it for every byte.
 */
static struct { unsigned *id; size_t cap, n; } seen;

static bool seen_add(unsigned id)
{
	size_t h;

	if (2 * (seen.n + 1) > seen.cap) {
		unsigned *old = seen.id;
		size_t oc = seen.cap;
		seen.cap = oc ? 2 * oc : 4096;
		seen.id = calloc(seen.cap, sizeof(*seen.id));
		seen.n = 0;
		for (size_t i = 0; i < oc; i++)
			if (old[i])
				seen_add(old[i] - 1);
		free(old);
	}
	for (h = (id * 2654435761u) & (seen.cap - 1); seen.id[h]; h = (h + 1) & (seen.cap - 1))
		if (seen.id[h] == id + 1)
			return false;
	seen.id[h] = id + 1;
	seen.n++;
	return true;
}

struct loads { Z3_ast *from, *to; int n, cap; };

static void collect_loads(Z3_ast e, Z3_ast mem0, uint32_t seed, struct loads *l)
{
	Z3_app app;
	Z3_func_decl d;
	unsigned n;

	if (Z3_get_ast_kind(ctx, e) != Z3_APP_AST || !seen_add(Z3_get_ast_id(ctx, e)))
		return;
	app = Z3_to_app(ctx, e);
	d = Z3_get_app_decl(ctx, app);
	n = Z3_get_app_num_args(ctx, app);
	if (Z3_get_decl_kind(ctx, d) == Z3_OP_SELECT && Z3_is_eq_ast(ctx, Z3_get_app_arg(ctx, app, 0), mem0)) {
		uint64_t a;
		if (Z3_is_numeral_ast(ctx, Z3_get_app_arg(ctx, app, 1)) &&
		    Z3_get_numeral_uint64(ctx, Z3_get_app_arg(ctx, app, 1), &a)) {
			if (l->n == l->cap) {
				l->cap = l->cap ? 2 * l->cap : 256;
				l->from = realloc(l->from, l->cap * sizeof(*l->from));
				l->to = realloc(l->to, l->cap * sizeof(*l->to));
			}
			l->from[l->n] = e;
			l->to[l->n++] = bv(val_mem(seed, a), 8);
		}
		return;
	}
	for (unsigned i = 0; i < n; i++)
		collect_loads(Z3_get_app_arg(ctx, app, i), mem0, seed, l);
}

static Z3_ast concretize(Z3_ast e, int nf, Z3_ast *from, Z3_ast *to, Z3_ast mem0, uint32_t seed)
{
	static struct loads l;

	e = Z3_simplify(ctx, Z3_substitute(ctx, e, nf, from, to));
	l.n = 0;
	seen.n = 0;
	if (seen.cap)
		memset(seen.id, 0, seen.cap * sizeof(*seen.id));
	collect_loads(e, mem0, seed, &l);
	return l.n ? Z3_simplify(ctx, Z3_substitute(ctx, e, l.n, l.from, l.to)) : e;
}

static uint64_t numeral(Z3_ast e, bool *ok)
{
	uint64_t x = 0;

	if (!Z3_is_numeral_ast(ctx, e) || !Z3_get_numeral_uint64(ctx, e, &x))
		*ok = false;
	return x;
}

/*
 * Byte at addr of a concretized memory: a chain of stores of numerals over
 * the input memory mem0, read off directly instead of one simplifier run
 * per byte.
 */
static uint64_t mem_byte(Z3_ast a, Z3_ast mem0, uint32_t seed, uint64_t addr, bool *ok)
{
	for (;;) {
		Z3_app app;
		uint64_t i;

		if (Z3_is_eq_ast(ctx, a, mem0))
			return val_mem(seed, addr);
		if (Z3_get_ast_kind(ctx, a) != Z3_APP_AST)
			break;
		app = Z3_to_app(ctx, a);
		if (Z3_get_decl_kind(ctx, Z3_get_app_decl(ctx, app)) != Z3_OP_STORE ||
		    !Z3_is_numeral_ast(ctx, Z3_get_app_arg(ctx, app, 1)) ||
		    !Z3_get_numeral_uint64(ctx, Z3_get_app_arg(ctx, app, 1), &i))
			break;
		if (i == addr)
			return numeral(Z3_get_app_arg(ctx, app, 2), ok);
		a = Z3_get_app_arg(ctx, app, 0);
	}
	*ok = false;
	return 0;
}

/* validation runs whose expected outputs could not be computed (failures) */
static long nvbad, nzcheck;

/* Record validation runs for one proven instance: inputs, model outputs. */
static void add_validation(int arch, const struct op *o, const struct bpf_insn *m,
			   const uint8_t *code, int len, const struct mstate *n0,
			   const struct mstate *n1, const char *label)
{
	int roles[4] = { m->dst_reg, BPF_KOPS_A(m), BPF_KOPS_B(m), BPF_KOPS_C(m) };

	for (int k = 0; k < opt.val_per; k++) {
		struct valexp *v;
		Z3_ast from[40], to[40];
		uint64_t val[40];
		int nf = 0;
		bool ok = true;

		if (nvexp == capvexp) {
			capvexp = capvexp ? 2 * capvexp : 4096;
			vexp = realloc(vexp, capvexp * sizeof(*vexp));
		}
		v = &vexp[nvexp];
		memset(v, 0, sizeof(*v));
		v->in.len = len;
		memcpy(v->in.code, code, len);
		v->in.seed = (uint32_t)rnd();
		for (int i = 0; i < nregs[arch]; i++)
			v->in.r[i] = (noval[arch] >> i) & 1 ? 0 : edge_value();
		/* make conditions interesting: sometimes copy one BPF register into another */
		if (rnd() % 3 == 0) {
			int a = regmap[arch][rnd() % 11], b = regmap[arch][rnd() % 11];
			v->in.r[a] = v->in.r[b] + (rnd() % 3) - 1;
		}
		for (int i = 0; i < 4; i++)
			if ((o->addr_roles >> i) & 1)
				v->in.r[regmap[arch][roles[i]]] =
					VAL_BASE + VAL_SIZE / 2 + 8 * ((int)(rnd() % 17) - 8);
		for (int i = 0; i < nregs[arch]; i++) {
			from[nf] = n0->r[i];
			val[nf] = v->in.r[i];
			to[nf++] = bv(v->in.r[i], 64);
		}
		for (int i = 0; i < 4; i++) {
			from[nf] = n0->f[i];
			val[nf] = 0;
			to[nf++] = mk_false();
		}
		struct evin ei = { from, val, nf, n0->mem, v->in.seed, val_mem };
		eval_begin(&ei);
		/* the window bytes around every native access */
		for (int a = 0; a < n1->nacc && ok; a++) {
			uint64_t ad = eval_bv(n1->acc[a].addr, &ok);
			for (int64_t j = -8; j < (int64_t)n1->acc[a].size + 8; j++) {
				uint64_t off = ad + j - VAL_BASE;
				bool dup = false;
				if (off >= VAL_SIZE || v->in.nmem >= VAL_MAXMEM)
					continue;
				for (uint32_t q = 0; q < v->in.nmem && !dup; q++)
					dup = v->in.memoff[q] == off;
				if (!dup)
					v->in.memoff[v->in.nmem++] = off;
			}
		}
		for (int i = 0; i < nregs[arch] && ok; i++)
			if (!((noval[arch] >> i) & 1))
				v->r[i] = eval_bv(n1->r[i], &ok);
		for (uint32_t q = 0; q < v->in.nmem && ok; q++)
			v->mem[q] = eval_byte(n1->mem, VAL_BASE + v->in.memoff[q], &ok);
		/* the evaluator against Z3 on a sample: the first run and one in 32 */
		if (ok && nzcheck++ % 32 == 0) {
			Z3_ast mem1 = n1->nacc ? concretize(n1->mem, nf, from, to, n0->mem, v->in.seed) : NULL;
			bool zok = true, same = true;
			for (int i = 0; i < nregs[arch]; i++)
				if (!((noval[arch] >> i) & 1))
					same &= v->r[i] == numeral(concretize(n1->r[i], nf, from, to, n0->mem,
									      v->in.seed), &zok);
			for (uint32_t q = 0; q < v->in.nmem; q++)
				same &= v->mem[q] == mem_byte(mem1, n0->mem, v->in.seed,
							       VAL_BASE + v->in.memoff[q], &zok);
			if (!zok || !same) {
				fprintf(stderr, "validation: evaluator and Z3 disagree on %s\n", label);
				ok = false;
			}
		}
		if (!ok) {
			fprintf(stderr, "validation: model output not concrete for %s\n", label);
			nvbad++;
			continue;
		}
		snprintf(v->label, sizeof(v->label), "%s", label);
		nvexp++;
	}
}

int run_qemu(int arch, const char *runner, const char *inpath, const char *outpath,
	     const char *errpath)
{
	pid_t pid;
	int status;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		struct rlimit nocore = { 0, 0 };
		int in = open(inpath, O_RDONLY), out = open(outpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int err = errpath ? open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0644) : 2;

		/* an undefined instruction (model tests): no core file */
		setrlimit(RLIMIT_CORE, &nocore);
		if (in < 0 || out < 0 || err < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
			_exit(127);
		execlp(qemu[arch], qemu[arch], runner, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

/* Run the recorded validations of one op on one architecture. */
static void run_validation(int arch, struct stats *st, const char *opname)
{
	FILE *f = NULL, *g = NULL;
	char inpath[512], outpath[512];
	struct valout out;

	st->val_runs += nvbad;
	st->val_fail += nvbad;
	nvbad = 0;
	if (!nvexp)
		return;
	if (arch != X86) {
		snprintf(inpath, sizeof(inpath), "%s/val/%s.%s.in", opt.outdir, opname, arch_name[arch]);
		snprintf(outpath, sizeof(outpath), "%s/val/%s.%s.out", opt.outdir, opname, arch_name[arch]);
		f = fopen(inpath, "w");
		for (long i = 0; i < nvexp; i++)
			fwrite(&vexp[i].in, sizeof(vexp[i].in), 1, f);
		fclose(f);
		if (run_qemu(arch, runner(arch), inpath, outpath, NULL) != 0)
			fprintf(stderr, "validation: %s %s < %s failed\n", qemu[arch], runner(arch), inpath);
		g = fopen(outpath, "r");
	}
	for (long i = 0; i < nvexp; i++) {
		struct valexp *v = &vexp[i];
		bool bad = false;

		st->val_runs++;
		if (arch == X86 ? x86_validate_one(&v->in, &out)
				: (!g || fread(&out, sizeof(out), 1, g) != 1)) {
			st->val_fail++;
			if (st->val_fail < 5)
				fprintf(stderr, "validation: no result for %s\n", v->label);
			continue;
		}
		for (int r = 0; r < nregs[arch]; r++) {
			if ((noval[arch] >> r) & 1 || out.r[r] == v->r[r])
				continue;
			if (!bad && st->val_fail < 10)
				fprintf(stderr, "validation MISMATCH %s %s: reg %d cpu %#" PRIx64 " model %#" PRIx64 "\n",
					arch_name[arch], v->label, r, out.r[r], v->r[r]);
			bad = true;
		}
		for (uint32_t q = 0; q < v->in.nmem; q++) {
			if (out.mem[q] == v->mem[q])
				continue;
			if (!bad && st->val_fail < 10)
				fprintf(stderr, "validation MISMATCH %s %s: mem +%u cpu %#x model %#x\n",
					arch_name[arch], v->label, v->in.memoff[q], out.mem[q], v->mem[q]);
			bad = true;
		}
		st->val_fail += bad;
	}
	if (g)
		fclose(g);
	nvexp = 0;
}

/* ---- one instance ---- */
/* while set, every refuted query goes here (to cvc5, which must say sat) */
static FILE *refuted_smt2;

enum verdict { V_PROVEN, V_REFUTED, V_DECLINED, V_UNMODELLED, V_INVALID, V_UNKNOWN };

struct result {
	enum verdict v;
	int nconj;
	double ms;
	char why[512];
	char hexcode[2 * VAL_MAXCODE + 1];
};

static enum verdict prove(int arch, const struct op *o, const struct bpf_insn *m, int mutant,
			  FILE *smt2, bool validate, struct result *res)
{
	struct bpf_insn p[BPF_MAXINSNS > 64 ? 64 : BPF_MAXINSNS];
	uint8_t code[VAL_MAXCODE + 64];
	struct mstate n0, n1, b;
	const char *why = "";
	u16 clobber;
	int np, len, nconj = 0;
	Z3_ast conj[64];
	const char *cname[64];
	char nm[16], label[700];

	memset(res, 0, sizeof(*res));
	np = einsn_instantiate(m, p, &clobber, &why);
	if (np < 0) {
		snprintf(res->why, sizeof(res->why), "%s", why);
		return res->v = V_INVALID;
	}
	len = emit(arch, m, mutant, code);
	if (len == -E2BIG || len == -EFAULT) {
		snprintf(res->why, sizeof(res->why), len == -E2BIG ?
			 "a JIT step longer than the JIT's buffer" :
			 "the emitter failed after its first step");
		return res->v = V_UNMODELLED;
	}
	if (len < 0) {
		snprintf(res->why, sizeof(res->why), "emitter declined (%d)", len);
		return res->v = V_DECLINED;
	}
	if (len > VAL_MAXCODE) {
		snprintf(res->why, sizeof(res->why), "code too long");
		return res->v = V_UNMODELLED;
	}
	hex(code, len, res->hexcode);

	ctx_renew();
	ctx_uses++;
	state_fresh(&n0, "n", nregs[arch]);
	/* validation self-test (-T): the data in the wrong byte order */
	n0.be = (arch == A64BE) != model_fault;
	n1 = n0;
	memset(&b, 0, sizeof(b));
	b.be = n0.be;
	for (int i = 0; i < 32; i++)
		b.r[i] = bv(0, 64);
	for (int i = 0; i < 11; i++)
		b.r[i] = n0.r[regmap[arch][i]];
	for (int i = 0; i < 4; i++)
		b.f[i] = mk_false();
	b.mem = n0.mem;
	b.path = mk_true();
	model_err[0] = 0;
	if (bpf_exec(p, np, &b) ||
	    (arch == X86 ? x86_exec(code, len, &n1) : a64_exec((const uint32_t *)code, len / 4, &n1))) {
		snprintf(res->why, sizeof(res->why), "%s", model_err);
		return res->v = V_UNMODELLED;
	}
	/* BPF registers: equal unless clobbered by the proof sequence */
	for (int i = 0; i < 11; i++) {
		static char names[11][24];
		if ((clobber >> i) & 1)
			continue;
		snprintf(names[i], sizeof(names[i]), i == m->dst_reg ? "dst r%d" : "r%d preserved", i);
		cname[nconj] = names[i];
		conj[nconj++] = mk_eq(b.r[i], n1.r[regmap[arch][i]]);
	}
	/* native registers outside the map: preserved unless JIT temporaries */
	{
		Z3_ast keep[32];
		int nk = 0;
		for (int r = 0; r < nregs[arch]; r++) {
			bool mapped = false;
			for (int i = 0; i < 11; i++)
				mapped |= regmap[arch][i] == r;
			if (!mapped && !((scratch[arch] >> r) & 1))
				keep[nk++] = mk_eq(n0.r[r], n1.r[r]);
		}
		cname[nconj] = "non-BPF native registers preserved";
		conj[nconj++] = Z3_mk_and(ctx, nk, keep);
	}
	cname[nconj] = "memory equal";
	conj[nconj++] = mk_eq(b.mem, n1.mem);
	/* fault freedom: each native byte is a byte the proof sequence accesses */
	{
		Z3_ast all[MAX_ACC * 16];
		int na = 0;
		for (int a = 0; a < n1.nacc; a++) {
			for (unsigned j = 0; j < n1.acc[a].size; j++) {
				Z3_ast byte = Z3_mk_bvadd(ctx, n1.acc[a].addr, bv(j, 64)), any[MAX_ACC];
				int nany = 0;
				for (int q = 0; q < b.nacc; q++)
					any[nany++] = mk_and2(b.acc[q].guard,
						Z3_mk_bvult(ctx, Z3_mk_bvsub(ctx, byte, b.acc[q].addr),
							    bv(b.acc[q].size, 64)));
				all[na++] = Z3_mk_implies(ctx, n1.acc[a].guard,
							  nany ? Z3_mk_or(ctx, nany, any) : mk_false());
			}
		}
		cname[nconj] = "native accesses within the proof sequence's";
		conj[nconj++] = na ? Z3_mk_and(ctx, na, all) : mk_true();
	}
	res->nconj = nconj;

	Z3_ast goal = mk_not(Z3_mk_and(ctx, nconj, conj));
	Z3_solver s = Z3_mk_simple_solver(ctx);
	Z3_solver_inc_ref(ctx, s);
	/* Z3 gets the goal after its rewriter (merged BPF paths mostly
	 * collapse); cvc5 gets the goal as built */
	double t0 = now_ms();
	Z3_solver_assert(ctx, s, opt.no_simplify ? goal : Z3_simplify(ctx, goal));
	Z3_lbool r = Z3_solver_check(ctx, s);
	res->ms = now_ms() - t0;

	snprintf(label, sizeof(label), "%s D=%d A=%d B=%d C=%d P=%#x [%s]", o->name, m->dst_reg,
		 BPF_KOPS_A(m), BPF_KOPS_B(m), BPF_KOPS_C(m), BPF_KOPS_P(m), res->hexcode);
	if (r == Z3_L_TRUE && refuted_smt2)
		smt2 = refuted_smt2;
	if (smt2) {
		const char *txt = Z3_benchmark_to_smtlib_string(ctx, label, "", "unknown", "", 0, NULL, goal);
		fprintf(smt2, "(reset)\n(set-logic QF_ABV)\n%s", txt);
	}
	if (model_fault && validate)	/* self-test: validate the wrong model anyway */
		add_validation(arch, o, m, code, len, &n0, &n1, label);
	if (r == Z3_L_FALSE) {
		res->v = V_PROVEN;
		if (validate && !model_fault)
			add_validation(arch, o, m, code, len, &n0, &n1, label);
	} else if (r == Z3_L_TRUE) {
		Z3_model mdl = Z3_solver_get_model(ctx, s);
		int k, at;
		Z3_model_inc_ref(ctx, mdl);
		for (k = 0; k < nconj; k++) {
			Z3_ast v = NULL;
			if (Z3_model_eval(ctx, mdl, conj[k], true, &v) && Z3_get_bool_value(ctx, v) == Z3_L_FALSE)
				break;
		}
		at = snprintf(res->why, sizeof(res->why), "%s fails:", k < nconj ? cname[k] : "?");
		int roles[4] = { m->dst_reg, BPF_KOPS_A(m), BPF_KOPS_B(m), BPF_KOPS_C(m) };
		for (int i = 0; i < 4 && at < (int)sizeof(res->why) - 80; i++) {
			int rr = roles[i];
			if (i && (o->max[i] < 0 || (i == 3 && o->id == BPF_EINSN_MEMCPY)))
				continue;
			at += snprintf(res->why + at, sizeof(res->why) - at, " %c=r%d(%s)=%#" PRIx64 "->bpf %#" PRIx64 "/native %#" PRIx64,
				       "DABC"[i], rr, nat_name(arch, regmap[arch][rr], nm),
				       eval_u64(mdl, n0.r[regmap[arch][rr]]), eval_u64(mdl, b.r[rr]),
				       eval_u64(mdl, n1.r[regmap[arch][rr]]));
		}
		Z3_model_dec_ref(ctx, mdl);
		res->v = V_REFUTED;
	} else {
		snprintf(res->why, sizeof(res->why), "z3: unknown");
		res->v = V_UNKNOWN;
	}
	Z3_solver_dec_ref(ctx, s);
	return res->v;
}

/* ---- enumeration ---- */
/* r[3] is operand C; for memcpy it is the word count - 1, part of the form */
struct inst { int r[4]; int p; };

static bool valid(const struct op *o, const int r[4], int p)
{
	struct bpf_insn m = marker(o->id, r[0], r[1], r[2], r[3], p), q[64];
	const char *why;
	u16 cl;

	return einsn_instantiate(&m, q, &cl, &why) > 0;
}

static bool c_is_count(const struct op *o) { return o->id == BPF_EINSN_MEMCPY; }

/*
 * Instances of an op.  A register assignment is (D, A, B, C) as the
 * template accepts them; a form is P (and, for memcpy, the word count C).
 * All combinations when there are at most opt.full_limit; otherwise
 *   - every register assignment, each with one representative form
 *     (cycling through o->pedge),
 *   - every form, each with one representative register assignment
 *     (cycling through a set where every register appears in every role
 *     and the aliasing patterns occur),
 *   - every representative form with every representative assignment.
 */
static struct inst *enumerate(const struct op *o, long *count, int *full)
{
	struct inst *all = NULL;
	long n = 0, cap = 0, nregsets = 0, nforms = 0;
	int r[4], (*regsets)[4] = NULL, (*forms)[2] = NULL, lim[4];
	long picks[64];
	int np = 0, nc = c_is_count(o) ? 16 : 1;

	for (int i = 0; i < 4; i++)
		lim[i] = o->max[i] < 0 || (i == 3 && c_is_count(o)) ? 0 : o->max[i];
	for (r[0] = 0; r[0] <= lim[0]; r[0]++)
	for (r[1] = 0; r[1] <= lim[1]; r[1]++)
	for (r[2] = 0; r[2] <= lim[2]; r[2]++)
	for (r[3] = 0; r[3] <= lim[3]; r[3]++) {
		if (!valid(o, r, o->pedge[0]))
			continue;
		regsets = realloc(regsets, (nregsets + 1) * sizeof(*regsets));
		memcpy(regsets[nregsets++], r, sizeof(r));
	}
	/* memcpy: every P with one word count (cycling), every count with the
	 * representative P values */
	for (int k = 0; k < (1 << o->pbits) + (nc > 1 ? o->npedge : 0); k++)
		for (int c = 0; c < nc; c++) {
			int p = k < (1 << o->pbits) ? k : o->pedge[k - (1 << o->pbits)];
			int rr[4] = { regsets[0][0], regsets[0][1], regsets[0][2],
				      c_is_count(o) ? c : regsets[0][3] };
			if (nc > 1 && k < (1 << o->pbits) && c != k % nc)
				continue;
			if (!valid(o, rr, p))
				continue;
			forms = realloc(forms, (nforms + 1) * sizeof(*forms));
			forms[nforms][0] = p;
			forms[nforms++][1] = c;
		}
#define ADD(R, P, C) do {							\
		if (n == cap) { cap = cap ? 2 * cap : 1024; all = realloc(all, cap * sizeof(*all)); } \
		memcpy(all[n].r, (R), sizeof(all[n].r));			\
		if (c_is_count(o)) all[n].r[3] = (C);				\
		all[n].p = (P);							\
		if (valid(o, all[n].r, all[n].p)) n++;				\
	} while (0)
	*full = nregsets * nforms <= opt.full_limit;
	if (*full) {
		for (long i = 0; i < nregsets; i++)
			for (long j = 0; j < nforms; j++)
				ADD(regsets[i], forms[j][0], forms[j][1]);
		goto out;
	}
	/* representative assignments: role k holds (v + 3k) mod 11 or v */
	for (int v = 0; v <= 10; v++) {
		for (long i = 0; i < nregsets; i++) {
			bool ok = true;
			for (int k = 0; k < 4; k++)
				if (lim[k] && regsets[i][k] != (v + 3 * k) % 11 && regsets[i][k] != v)
					ok = false;
			if (ok) { picks[np++] = i; break; }
		}
	}
	picks[np++] = 0;			/* most aliasing: lowest registers */
	picks[np++] = nregsets - 1;		/* highest registers */
	/* (memcpy: 1-4 words, which covers single, paired and odd copies) */
	for (long i = 0; i < nregsets; i++)
		ADD(regsets[i], o->pedge[i % o->npedge], (int)(i % (nc > 4 ? 4 : nc)));
	for (long j = 0; j < nforms; j++)
		ADD(regsets[picks[j % np]], forms[j][0], forms[j][1]);
	for (int q = 0; q < np; q++)
		for (int j = 0; j < o->npedge; j++)
			for (int c = 0; c < nc; c += nc > 1 ? 5 : 1)
				ADD(regsets[picks[q]], o->pedge[j], c);
out:
	free(regsets);
	free(forms);
	*count = n;
	return all;
}

/* ---- -L: the length of every instance's emit ---- */

/*
 * Every valid instance of every op, enumerated in full (no solver): each
 * x86-64 JIT step must fit the BPF_KOPS_MAX_NATIVE bytes do_jit() takes
 * per instruction (its temp buffer holds BPF_MAX_INSN_SIZE plus a safety
 * margin); the emit must not fail after its first step.  arm64 writes
 * into the image its first pass sized, and build_kops() depends on the
 * marker alone, so every pass emits the same count: reported, with the
 * same checks of failure.  One row per op and architecture.
 */
static int length_sweep(FILE *out)
{
	static uint8_t buf[64 * 1024];
	int bad = 0;

	fprintf(out, "%-8s %-8s %12s %14s %14s %8s  %s\n", "op", "arch", "instances",
		"longest step", "longest emit", "time", "status");
	for (size_t oi = 0; oi < NOPS; oi++) {
		const struct op *o = &ops[oi];
		int lim[4];

		if (opt.only_op && strcmp(opt.only_op, o->name))
			continue;
		for (int i = 0; i < 4; i++)
			lim[i] = o->max[i] < 0 ? 0 : o->max[i];
		for (int arch = 0; arch < NARCH; arch++) {
			long n = 0, failed = 0;
			int longest = 0, total = 0, r[4];
			double t0 = now_ms();
			char first[160] = "";

			if (opt.only_arch >= 0 && opt.only_arch != arch)
				continue;
			for (r[0] = 0; r[0] <= lim[0]; r[0]++)
			for (r[1] = 0; r[1] <= lim[1]; r[1]++)
			for (r[2] = 0; r[2] <= lim[2]; r[2]++)
			for (r[3] = 0; r[3] <= lim[3]; r[3]++)
			for (int p = 0; p < 1 << o->pbits; p++) {
				struct bpf_insn m;
				int len, step = 0;

				if (!valid(o, r, p))
					continue;
				m = marker(o->id, r[0], r[1], r[2], r[3], p);
				n++;
				len = arch == X86 ? x86_emit_steps(&m, buf, &step) :
						    emit(arch, &m, MUT_NONE, buf);
				if (arch != X86)
					step = len;
				if (len < 0) {
					if (!failed++)
						snprintf(first, sizeof(first), "D=%d A=%d B=%d C=%d P=%d: %s",
							 r[0], r[1], r[2], r[3], p,
							 len == -E2BIG ? "a step over BPF_KOPS_MAX_NATIVE" :
							 strerror(-len));
					continue;
				}
				longest = step > longest ? step : longest;
				total = len > total ? len : total;
			}
			if (!n) {
				failed = 1;
				snprintf(first, sizeof(first), "no valid instance");
			}
			fprintf(out, "%-8s %-8s %12ld %11d B %11d B %7.1fs  %s%s%s\n", o->name,
				arch_name[arch], n, longest, total, (now_ms() - t0) / 1e3,
				failed ? "FAIL " : "OK", failed ? "first: " : "", first);
			fflush(out);
			bad |= failed != 0;
		}
	}
	fprintf(out, "\nlongest step: x86-64, the longest JIT step (limit BPF_KOPS_MAX_NATIVE = %d,\n"
		"do_jit()'s per-instruction limit BPF_MAX_INSN_SIZE = 128); arm64, the whole emit.\n",
		BPF_KOPS_MAX_NATIVE);
	/* the sweep can fail: the first version's memcpy, the whole copy in one step */
	if (!opt.only_op || !strcmp(opt.only_op, "memcpy")) {
		const struct op *o = ops;
		long n = 0, over128 = 0, over192 = 0;
		int r[4];

		while (o->id != BPF_EINSN_MEMCPY)
			o++;
		for (r[0] = 0; r[0] <= o->max[0]; r[0]++)
		for (r[1] = 0; r[1] <= o->max[1]; r[1]++)
		for (r[2] = 0; r[2] <= o->max[2]; r[2]++)
		for (r[3] = 0; r[3] <= o->max[3]; r[3]++)
		for (int p = 0; p < 1 << o->pbits; p++) {
			struct bpf_insn m = marker(o->id, r[0], r[1], r[2], r[3], p);
			int len;

			if (!valid(o, r, p))
				continue;
			len = x86_emit_memcpy_v1(&m, buf);
			n++;
			over128 += len > 128;
			over192 += len > 128 + 64;
		}
		fprintf(out, "self-test, the first version's x86-64 memcpy (one step): %ld of %ld instances\n"
			"over BPF_MAX_INSN_SIZE, %ld over do_jit()'s temp buffer: %s\n", over128, n,
			over192, over128 ? "caught" : "NOT CAUGHT");
		bad |= !over128;
	}
	return bad;
}

/* ---- cvc5 ---- */
static void run_cvc5(const char *path, long expect, struct stats *st, const char *want)
{
	char cmd[1200], line[256];
	FILE *f;
	double t0 = now_ms();

	snprintf(cmd, sizeof(cmd), "cvc5 --lang smt2 %s 2>&1", path);
	f = popen(cmd, "r");
	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (!strcmp(line, want))
			st->cvc5_unsat++;
		else {
			st->cvc5_other++;
			if (st->cvc5_other < 5)
				fprintf(stderr, "cvc5 %s: %s\n", path, line);
		}
	}
	if (f)
		pclose(f);
	st->cvc5_ms += now_ms() - t0;
	if (st->cvc5_unsat + st->cvc5_other != expect)
		st->cvc5_other += expect - st->cvc5_unsat;
}

static FILE *open_smt2(const char *name, char *path)
{
	sprintf(path, "%s/smt2/%s.smt2", opt.outdir, name);
	return fopen(path, "w");
}

/* ---- mutants ---- */
struct mutant {
	int id, arch;
	const char *op, *what;
};
static const struct mutant mutants[] = {
	{ MUT_ROTATE_DIR, X86, "rotate", "ror instead of rol" },
	{ MUT_SELECT_COND, X86, "select", "inverted cmov condition" },
	{ MUT_BFEXT_TMP, X86, "bfext", "control word in rsi (BPF r2), not r11" },
	{ MUT_BFEXT_WIDTH, X86, "bfext", "bextr one bit too wide" },
	{ MUT_MEMCPY_LEN, X86, "memcpy", "copies one word too many" },
	{ MUT_A64_ROTATE_DIR, A64, "rotate", "extr by k instead of width - k" },
	{ MUT_A64_SELECT_COND, A64, "select", "inverted csel condition" },
	{ MUT_A64_BFEXT_WIDTH, A64, "bfext", "ubfx one bit too wide" },
	{ MUT_A64_MEMCPY_TMP, A64, "memcpy", "odd word through x19 (BPF r6), not x10" },
	/* the big-endian miscompile: rev after the load on a big-endian CPU */
	{ MUT_A64_OTHER_ENDIAN, A64BE, "ldbswap", "rev kept (the little-endian emit)" },
	{ MUT_A64_OTHER_ENDIAN, A64, "ldbswap", "rev left out (the big-endian emit)" },
};

static int run_mutants(FILE *tbl)
{
	int bad = 0;

	fprintf(tbl, "\nmutants (each must be refuted by both solvers):\n");
	for (size_t i = 0; i < sizeof(mutants) / sizeof(mutants[0]); i++) {
		const struct mutant *mu = &mutants[i];
		const struct op *o = NULL;
		struct inst *in;
		long n;
		int full;
		struct result res;
		bool refuted = false;
		char path[600], name[100];

		if (opt.only_arch >= 0 && opt.only_arch != mu->arch)
			continue;
		for (size_t k = 0; k < NOPS; k++)
			if (!strcmp(ops[k].name, mu->op))
				o = &ops[k];
		if (opt.only_op && strcmp(opt.only_op, o->name))
			continue;
		in = enumerate(o, &n, &full);
		for (long j = 0; j < n && !refuted; j++) {
			struct bpf_insn m = marker(o->id, in[j].r[0], in[j].r[1], in[j].r[2], in[j].r[3], in[j].p);
			if (prove(mu->arch, o, &m, MUT_NONE, NULL, false, &res) != V_PROVEN)
				continue;	/* only where the real emitter is proven */
			if (prove(mu->arch, o, &m, mu->id, NULL, false, &res) == V_REFUTED) {
				struct stats st = { 0 };
				FILE *f;
				snprintf(name, sizeof(name), "mutant-%s-%s-%d", o->name, arch_name[mu->arch], mu->id);
				f = open_smt2(name, path);
				prove(mu->arch, o, &m, mu->id, f, false, &res);
				fclose(f);
				if (opt.cvc5)
					run_cvc5(path, 1, &st, "sat");
				refuted = !opt.cvc5 || st.cvc5_unsat == 1;
				fprintf(tbl, "  %-7s %-6s %-40s refuted%s: D=%d A=%d B=%d C=%d P=%#x [%s]\n      %s\n",
					o->name, arch_name[mu->arch], mu->what,
					opt.cvc5 ? (refuted ? " (z3, cvc5)" : " by z3 only") : " (z3)",
					m.dst_reg, BPF_KOPS_A(&m), BPF_KOPS_B(&m), BPF_KOPS_C(&m),
					BPF_KOPS_P(&m), res.hexcode, res.why);
			}
		}
		if (!refuted) {
			fprintf(tbl, "  %-7s %-6s %-40s NOT REFUTED\n", o->name, arch_name[mu->arch], mu->what);
			bad++;
		}
		free(in);
	}
	return bad;
}

/* ---- one op on one architecture (a worker process) ---- */
static void run_unit(size_t oi, int arch, struct stats *s, FILE *tsv)
{
	const struct op *o = &ops[oi];
	long n;
	int full;
	struct inst *in;
	char name[64], path[600], rname[80], rpath[600];
	FILE *smt2;
	double t0 = now_ms();

	in = enumerate(o, &n, &full);
	s->enumerated = n;
	if (opt.max_inst && n > opt.max_inst) {
		/* spread the subset over the whole list */
		for (long j = 0; j < opt.max_inst; j++)
			in[j] = in[j * n / opt.max_inst];
		n = opt.max_inst;
		full = 0;
	}
	s->full = full;
	s->cvc5_cap = o->id == BPF_EINSN_MEMCPY ? opt.cvc5_max_memcpy : opt.cvc5_max;
	snprintf(name, sizeof(name), "%s.%s", o->name, arch_name[arch]);
	smt2 = opt.cvc5 ? open_smt2(name, path) : NULL;
	if (smt2) {
		/* the refuted queries, all of them, to cvc5 as well */
		snprintf(rname, sizeof(rname), "%s.refuted", name);
		refuted_smt2 = open_smt2(rname, rpath);
	}
	for (long j = 0; j < n; j++) {
		struct bpf_insn m = marker(o->id, in[j].r[0], in[j].r[1], in[j].r[2],
					   in[j].r[3], in[j].p);
		struct result res;
		char regs[128] = "", nm[8];
		int at = 0, roles[4] = { m.dst_reg, in[j].r[1], in[j].r[2], in[j].r[3] };

		if (opt.max_refuted && s->failed >= opt.max_refuted) {
			s->skipped++;
			continue;
		}
		bool to_cvc5 = smt2 && (!s->cvc5_cap || n <= s->cvc5_cap ||
					(j * s->cvc5_cap) / n != ((j + 1) * s->cvc5_cap) / n);
		prove(arch, o, &m, MUT_NONE, to_cvc5 ? smt2 : NULL,
		      opt.val_per > 0 && (arch == X86 || runner(arch)), &res);
		if (to_cvc5 && res.v == V_PROVEN) {
			s->cvc5_sent++;
			s->cvc5_sent_proven++;
		}
		s->inst++;
		s->z3_ms += res.ms;
		switch (res.v) {
		case V_PROVEN: s->proven++; s->oblig += res.nconj; s->oblig_proven += res.nconj; break;
		case V_REFUTED: s->failed++; s->oblig += res.nconj; break;
		case V_DECLINED: s->declined++; break;
		default: s->unmodelled++; break;
		}
		if (res.v != V_PROVEN && res.v != V_DECLINED && (s->failed + s->unmodelled) <= 3)
			fprintf(stderr, "%s %s D=%d A=%d B=%d C=%d P=%#x [%s]: %s%s\n",
				res.v == V_REFUTED ? "REFUTED" : "NOT PROVEN", name,
				m.dst_reg, in[j].r[1], in[j].r[2], in[j].r[3], in[j].p,
				res.hexcode, res.why, res.v == V_REFUTED ? " (counterexample)" : "");
		for (int k = 0; k < 4; k++)
			if (k == 0 || (o->max[k] >= 0 && !(k == 3 && c_is_count(o))))
				at += snprintf(regs + at, sizeof(regs) - at, "%s%c=%s", k ? "," : "",
					       "DABC"[k], nat_name(arch, regmap[arch][roles[k]], nm));
		fprintf(tsv, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%#x\t%#x\t%s\t%s\t%s\n", o->name,
			arch_name[arch], o->id, m.dst_reg, in[j].r[1], in[j].r[2], in[j].r[3],
			in[j].p, (uint32_t)m.imm, regs,
			res.v == V_PROVEN ? "proven" : res.v == V_REFUTED ? "refuted" :
			res.v == V_DECLINED ? "declined" : "unmodelled", res.hexcode);
		if (opt.verbose && j % 1000 == 999)
			fprintf(stderr, "  %s: %ld/%ld\n", name, j + 1, n);
	}
	if (smt2) {
		struct stats t = { 0 };
		fclose(smt2);
		run_cvc5(path, s->cvc5_sent, s, "unsat");
		fclose(refuted_smt2);
		refuted_smt2 = NULL;
		if (s->failed) {
			run_cvc5(rpath, s->failed, &t, "sat");
			s->cvc5_refuted_sat = t.cvc5_unsat;
			s->cvc5_ms += t.cvc5_ms;
		}
	}
	run_validation(arch, s, name);
	s->wall_ms = now_ms() - t0;
	fprintf(stderr, "%-8s %-6s %6ld instances (%s) %6ld proven %4ld refuted, z3 %.1fs, cvc5 %ld/%ld %.1fs, validation %ld/%ld, %.0fs\n",
		o->name, arch_name[arch], s->inst, full ? "all" : "cover", s->proven, s->failed,
		s->z3_ms / 1e3, s->cvc5_unsat, s->cvc5_sent, s->cvc5_ms / 1e3,
		s->val_runs - s->val_fail, s->val_runs, s->wall_ms / 1e3);
	free(in);
}

int main(int argc, char **argv)
{
	static struct stats st[NOPS][NARCH];
	static const int cost_order[] = { 1, 5, 0, 6, 3, 4, 2 };	/* select memcpy rotate lea ... */
	struct { size_t oi; int arch; pid_t pid; } unit[NOPS * NARCH];
	char path[600], tpath[600];
	FILE *tsv, *tbl;
	int c, bad = 0, nunit = 0, running = 0;
	double t0 = now_ms();

	while ((c = getopt(argc, argv, "o:l:k:vO:A:r:B:CMn:R:STULc:m:j:")) != -1) {
		switch (c) {
		case 'o': opt.outdir = optarg; break;
		case 'l': opt.full_limit = atol(optarg); break;
		case 'k': opt.val_per = atoi(optarg); break;
		case 'v': opt.verbose++; break;
		case 'O': opt.only_op = optarg; break;
		case 'A':
			for (opt.only_arch = 0; opt.only_arch < NARCH &&
			     strcmp(optarg, arch_name[opt.only_arch]); opt.only_arch++)
				;
			if (opt.only_arch == NARCH) {
				fprintf(stderr, "%s: -A %s: not x86-64, arm64 or arm64-be\n", argv[0], optarg);
				return 2;
			}
			break;
		case 'r': opt.a64_runner = optarg; break;
		case 'B': opt.a64be_runner = optarg; break;
		case 'C': opt.cvc5 = 0; break;
		case 'M': opt.mutants = 0; break;
		case 'n': opt.max_inst = atol(optarg); break;
		case 'R': opt.max_refuted = atoi(optarg); break;
		case 'S': opt.no_simplify = 1; break;
		case 'T': model_fault = 1; opt.max_refuted = 0; break;
		case 'U': opt.model_tests = 1; break;
		case 'L': opt.lengths = 1; break;
		case 'c': opt.cvc5_max = atol(optarg); break;
		case 'm': opt.cvc5_max_memcpy = atol(optarg); break;
		case 'j': opt.jobs = atoi(optarg) > 0 ? atoi(optarg) : 1; break;
		default:
			fprintf(stderr, "usage: %s [-o outdir] [-l full-limit] [-k val-per-instance] "
				"[-O op] [-A x86-64|arm64|arm64-be] [-r a64-runner] [-B a64be-runner]\n"
				"\t[-C (no cvc5)] [-M (no mutants)]\n"
				"\t[-n max-instances-per-op] [-R max-counterexamples] [-S (z3 without simplifier)]\n"
				"\t[-T (validation self-test: wrong rotate models must disagree with the CPUs)]\n"
				"\t[-U (only the model tests: targeted encodings against the CPUs)]\n"
				"\t[-L (only the length of every instance's emit)]\n"
				"\t[-c cvc5-queries-per-op-and-arch (spread evenly; 0: all)]\n"
				"\t[-m the same for memcpy] [-j parallel-workers] [-v]\n",
				argv[0]);
			return 2;
		}
	}
	if (opt.lengths)
		return length_sweep(stdout);
	if (opt.model_tests) {
		const char *const r[NARCH] = { NULL, opt.a64_runner, opt.a64be_runner };
		snprintf(path, sizeof(path), "mkdir -p %s", opt.outdir);
		return system(path) ? 2 : model_tests(r, opt.outdir);
	}
	snprintf(path, sizeof(path), "mkdir -p %s/smt2 %s/val %s/unit", opt.outdir, opt.outdir, opt.outdir);
	if (system(path))
		return 2;
	snprintf(path, sizeof(path), "%s/emits.tsv", opt.outdir);
	tsv = fopen(path, "w");
	snprintf(tpath, sizeof(tpath), "%s/table.txt", opt.outdir);
	tbl = fopen(tpath, "w");
	if (!tsv || !tbl) {
		perror(opt.outdir);
		return 2;
	}
	fprintf(tsv, "op\tarch\tid\tD\tA\tB\tC\tP\tmarker_imm\tnative_regs\tverdict\thex\n");
	fflush(tsv);

	/* each op x arch in a worker process, the costly ones first; a worker
	 * writes its emits.tsv rows and its counters to out/unit/ */
	for (size_t k = 0; k < NOPS; k++)
		for (int arch = 0; arch < NARCH; arch++) {
			size_t oi = cost_order[k];
			if ((opt.only_op && strcmp(opt.only_op, ops[oi].name)) ||
			    (opt.only_arch >= 0 && opt.only_arch != arch))
				continue;
			unit[nunit].oi = oi;
			unit[nunit].arch = arch;
			unit[nunit++].pid = 0;
		}
	for (int u = 0, done = 0; done < nunit;) {
		if (u < nunit && running < opt.jobs) {
			char base[700];
			pid_t pid;

			snprintf(base, sizeof(base), "%s/unit/%s.%s", opt.outdir, ops[unit[u].oi].name,
				 arch_name[unit[u].arch]);
			fflush(NULL);
			pid = fork();
			if (pid == 0) {
				struct stats s = { 0 };
				FILE *f;
				snprintf(path, sizeof(path), "%s.tsv", base);
				f = fopen(path, "w");
				if (!f)
					_exit(2);
				run_unit(unit[u].oi, unit[u].arch, &s, f);
				fclose(f);
				snprintf(path, sizeof(path), "%s.stats", base);
				f = fopen(path, "w");
				if (!f || fwrite(&s, sizeof(s), 1, f) != 1 || fclose(f))
					_exit(2);
				_exit(0);
			}
			if (pid < 0) {
				perror("fork");
				return 2;
			}
			snprintf(path, sizeof(path), "%s.stats", base);
			unlink(path);
			unit[u++].pid = pid;
			running++;
			continue;
		}
		int status;
		pid_t pid = wait(&status);
		if (pid < 0)
			break;
		for (int k = 0; k < nunit; k++)
			if (unit[k].pid == pid) {
				running--;
				done++;
				if (!WIFEXITED(status) || WEXITSTATUS(status))
					fprintf(stderr, "worker for %s %s died (status %#x)\n",
						ops[unit[k].oi].name, arch_name[unit[k].arch], status);
			}
	}
	/* collect, in table order */
	for (size_t oi = 0; oi < NOPS; oi++)
		for (int arch = 0; arch < NARCH; arch++) {
			char base[700], line[4096];
			FILE *f;
			bool ran = false;

			for (int k = 0; k < nunit; k++)
				ran |= unit[k].oi == oi && unit[k].arch == arch;
			if (!ran)
				continue;
			snprintf(base, sizeof(base), "%s/unit/%s.%s", opt.outdir, ops[oi].name, arch_name[arch]);
			snprintf(path, sizeof(path), "%s.stats", base);
			f = fopen(path, "r");
			if (!f || fread(&st[oi][arch], sizeof(st[oi][arch]), 1, f) != 1)
				st[oi][arch].crashed = 1;
			if (f)
				fclose(f);
			snprintf(path, sizeof(path), "%s.tsv", base);
			f = fopen(path, "r");
			while (f && fgets(line, sizeof(line), f))
				fputs(line, tsv);
			if (f)
				fclose(f);
		}

	fprintf(tbl, "%-8s %-8s %13s %9s %8s %8s %15s %8s %13s %6s  %s\n", "op", "arch",
		"instances", "oblig.", "refuted", "z3", "cvc5 unsat", "cvc5", "validation", "wall", "status");
	fprintf(tbl, "%-8s %-8s %13s %9s %8s %8s %15s %8s %13s %6s\n", "", "",
		"(set)", "proven", "", "time", "/sent (sample)", "time", "agree/run", "");
	for (size_t oi = 0; oi < NOPS; oi++)
		for (int arch = 0; arch < NARCH; arch++) {
			struct stats *s = &st[oi][arch];
			char v[32], inst[40], cv[40], status[120];
			bool ok;
			bool ran = false;

			for (int k = 0; k < nunit; k++)
				ran |= unit[k].oi == oi && unit[k].arch == arch;
			if (!ran)
				continue;
			ok = !s->crashed && s->inst && s->proven == s->inst - s->declined && !s->failed &&
			     (!opt.cvc5 || (s->cvc5_unsat == s->cvc5_sent_proven && s->cvc5_sent)) &&
			     !s->val_fail &&
			     (s->val_runs || opt.val_per == 0 || (arch != X86 && !runner(arch)));
			snprintf(v, sizeof(v), "%ld/%ld", s->val_runs - s->val_fail, s->val_runs);
			snprintf(inst, sizeof(inst), "%ld (%s)", s->inst + s->skipped,
				 s->full ? "all" : s->enumerated > s->inst + s->skipped ? "spread" : "cover");
			if (!opt.cvc5)
				snprintf(cv, sizeof(cv), "-");
			else
				snprintf(cv, sizeof(cv), "%ld/%ld%s", s->cvc5_unsat, s->cvc5_sent,
					 s->cvc5_sent < s->inst - s->declined ? " (s)" : "");
			if (s->crashed)
				snprintf(status, sizeof(status), "FAIL (worker died)");
			else if (ok)
				snprintf(status, sizeof(status), "OK");
			else if (s->failed)
				snprintf(status, sizeof(status), "REFUTED (%ld counterexamples, cvc5 sat on %ld; %ld not tried)",
					 s->failed, s->cvc5_refuted_sat, s->skipped);
			else if (s->val_fail)
				snprintf(status, sizeof(status), "FAIL (validation disagrees)");
			else if (s->unmodelled)
				snprintf(status, sizeof(status), "FAIL (%ld unmodelled)", s->unmodelled);
			else
				snprintf(status, sizeof(status), "FAIL (cvc5 did not prove all it was sent)");
			fprintf(tbl, "%-8s %-8s %13s %9ld %8ld %7.1fs %15s %7.1fs %13s %5.0fs  %s\n", ops[oi].name,
				arch_name[arch], inst, s->oblig_proven, s->failed, s->z3_ms / 1e3,
				cv, s->cvc5_ms / 1e3, v, s->wall_ms / 1e3, status);
			bad += !ok;
		}
	fprintf(tbl, "\ninstances: all = every operand form x every register assignment; cover = each\n"
		"assignment with a representative form and each form with representative assignments\n"
		"(README.md; -l 1000000 for all); spread = an evenly spread -n subset.  Z3 proves every\n"
		"instance.  (s): cvc5 gets an evenly spread sample of each row (-c %ld per op and arch,\n"
		"-m %ld for memcpy; -c 0 -m 0 for all).  validation: runs on the CPU (x86-64) or under\n"
		"qemu-aarch64 (arm64) or qemu-aarch64_be (arm64-be), %d per proven instance, agreeing\n"
		"with the model.  arm64-be: the emitters and both models for a big-endian kernel.\n",
		opt.cvc5_max, opt.cvc5_max_memcpy, opt.val_per);
	if (opt.mutants)
		bad += run_mutants(tbl);
	fprintf(tbl, "\n%s in %.0fs with %d workers\n", bad ? "FAILED" : "all proven", (now_ms() - t0) / 1e3,
		opt.jobs);
	fclose(tbl);
	fclose(tsv);
	snprintf(path, sizeof(path), "cat %s", tpath);
	fflush(stdout);
	if (system(path))
		bad++;
	return bad ? 1 : 0;
}
