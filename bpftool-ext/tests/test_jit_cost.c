// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * `cost jit` against the running kernel: random straight-line programs
 * (ALU of every opcode on r0-r9, loads and stores through r10 at 8- and
 * 32-bit offsets) are loaded whole, and their jited_prog_len must be
 * the prologue's plus the sum of what the prober measured for each
 * instruction shape.  That holds only if the shapes capture everything
 * the JIT's encoding depends on.  Needs the privilege to load programs
 * (skipped otherwise).  How often the 6.1 x86-64 model agrees with this
 * kernel is printed as a diagnostic: it is exact only on 6.1.
 */
#include <stdlib.h>
#include <string.h>


#include "bpfext.h"
#include "kernel/jit_cost.h"
#include "tap.h"

#define PROGS		200
#define BODY		24
#define SLOTS		32		/* stack slots -8 .. -256 */

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static int32_t rnd_imm(void)
{
	static const int32_t v[] = { 0, 1, 2, 5, -1, -7, 127, 128, -128, -129,
				     0x7fff, 0x12345, -0x12345, 0x7fffffff };

	return v[rnd() % (sizeof(v) / sizeof(v[0]))];
}

static struct bpf_insn rnd_insn(void)
{
	static const uint8_t ops[] = { BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_OR,
				       BPF_AND, BPF_LSH, BPF_RSH, BPF_NEG, BPF_MOD,
				       BPF_XOR, BPF_MOV, BPF_ARSH, BPF_END };
	static const uint8_t sizes[] = { BPF_B, BPF_H, BPF_W, BPF_DW };
	struct bpf_insn x = { 0 };
	int kind = rnd() % 8, op;

	if (kind < 5) {
		op = ops[rnd() % sizeof(ops)];
		x.code = (rnd() & 1 ? BPF_ALU64 : BPF_ALU) | op;
		x.dst_reg = rnd() % 10;
		if (op == BPF_END) {
			static const int32_t w[] = { 16, 32, 64 };

			x.code = BPF_ALU | BPF_END | (rnd() & 1 ? BPF_TO_BE : BPF_TO_LE);
			x.imm = w[rnd() % 3];
		} else if (op == BPF_NEG) {
			x.code |= BPF_K;
		} else if (rnd() & 1) {
			x.code |= BPF_X;
			x.src_reg = rnd() % 10;
		} else {
			x.code |= BPF_K;
			x.imm = rnd_imm();
			if (op == BPF_LSH || op == BPF_RSH || op == BPF_ARSH)
				x.imm = rnd() % (BPF_CLASS(x.code) == BPF_ALU64 ? 64 : 32);
			if ((op == BPF_DIV || op == BPF_MOD) && !x.imm)
				x.imm = 3;
		}
		return x;
	}
	/* Memory through r10: every slot is initialised by the prologue. */
	x.off = -8 * (1 + (int)(rnd() % SLOTS));
	x.code = sizes[rnd() % 4];
	switch (kind) {
	case 5:
		x.code |= BPF_LDX | BPF_MEM;
		x.dst_reg = rnd() % 10;
		x.src_reg = BPF_REG_10;
		break;
	case 6:
		x.code |= BPF_STX | BPF_MEM;
		x.dst_reg = BPF_REG_10;
		x.src_reg = rnd() % 10;
		break;
	default:
		x.code |= BPF_ST | BPF_MEM;
		x.dst_reg = BPF_REG_10;
		x.imm = rnd_imm();
		break;
	}
	return x;
}

/* Load prologue + @body + exit; jited_prog_len or -errno. */
static int load_len(const struct bpf_insn *body, size_t n)
{
	struct bpf_insn p[10 + SLOTS + BODY + 2];
	size_t k = 0, i;

	for (i = 0; i < 10; i++)
		p[k++] = (struct bpf_insn){ .code = BPF_ALU64 | BPF_MOV | BPF_K,
					    .dst_reg = i, .imm = 1 };
	for (i = 0; i < SLOTS; i++)
		p[k++] = (struct bpf_insn){ .code = BPF_ST | BPF_MEM | BPF_DW,
					    .dst_reg = BPF_REG_10,
					    .off = -8 * (int)(i + 1) };
	for (i = 0; i < n; i++)
		p[k++] = body[i];
	p[k++] = (struct bpf_insn){ .code = BPF_ALU64 | BPF_MOV | BPF_K };
	p[k++] = (struct bpf_insn){ .code = BPF_JMP | BPF_EXIT };
	return bpfext_jited_len(p, k);
}

int main(void)
{
	struct bpfext_error err = { "" };
	struct bpfext_jit_probe *jp = bpfext_jit_probe__new(&err);
	unsigned int agree = 0, total = 0, exact = 0, loaded = 0, i, k;
	int base;

	if (!jp) {
		skip("measured JIT sizes", err.msg);
		return tap_finish();
	}
	base = load_len(NULL, 0);
	ok(base > 0, "the prologue alone loads and is JIT-ed (%d bytes)", base);
	for (i = 0; i < PROGS && base > 0; i++) {
		struct bpf_insn body[BODY];
		int want = base, got;

		for (k = 0; k < BODY; k++) {
			int b;

			body[k] = rnd_insn();
			b = bpfext_jit_probe__bytes(jp, &body[k]);
			want += b;
			total++;
			agree += b == (int)bpfext_x86_jit_bytes(&body[k]);
		}
		got = load_len(body, BODY);
		if (got < 0)
			continue;	/* e.g. a division the verifier refuses */
		loaded++;
		if (got == want)
			exact++;
		else
			printf("# program %u: jited %d bytes, measured shapes sum to %d\n",
			       i, got, want);
	}
	ok(loaded >= PROGS * 9 / 10, "%u of %u random programs loaded", loaded, PROGS);
	ok(exact == loaded, "jited_prog_len is the sum of the measured sizes in %u of %u",
	   exact, loaded);
	ok(bpfext_jit_probe__probes(jp) > 0 && bpfext_jit_probe__probes(jp) < total,
	   "%u probes for %u instructions: shapes are remembered",
	   bpfext_jit_probe__probes(jp), total);
	printf("# the 6.1 x86-64 model agrees with this kernel on %u of %u instructions\n",
	       agree, total);
	bpfext_jit_probe__free(jp);
	return tap_finish();
}
