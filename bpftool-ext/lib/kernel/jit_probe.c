// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * What the running kernel's JIT makes of one instruction, measured: a
 * probe program (registers set, two stack slots written, the
 * instruction, exit) is loaded with and without the instruction and the
 * difference of jited_prog_len is its size.  The JIT's encoding depends
 * only on the opcode, the registers, and the class of the immediate and
 * of the offset (zero, one, 8-bit, 32-bit, sign), so one probe per such
 * shape is enough and is remembered.  Shapes the verifier refuses in a
 * probe (pointer arithmetic on r10, say) fall back to the model of the
 * 6.1 x86-64 JIT in jit_cost.c.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "util/util.h"
#include "kernel/jit_cost.h"

#define SLOTS		4096		/* open addressing, power of two */
#define EMPTY		0

struct entry {
	uint64_t key;			/* shape, EMPTY for a free slot */
	int bytes;			/* < 0: not measurable */
};

struct bpfext_jit_probe {
	pthread_rwlock_t lock;
	struct entry tab[SLOTS];
	size_t used;
	int base[12];			/* probe without insn, per base register */
	unsigned int probes, fallbacks;
};

enum { IMM_ZERO, IMM_ONE, IMM_S8, IMM_NEG8, IMM_S32, IMM_NEG32 };

static int imm_class(int32_t v)
{
	if (!v)
		return IMM_ZERO;
	if (v == 1)
		return IMM_ONE;
	if (v > 0)
		return v <= 127 ? IMM_S8 : IMM_S32;
	return v >= -128 ? IMM_NEG8 : IMM_NEG32;
}

static const int32_t imm_repr[] = { 0, 1, 5, -5, 0x12345, -0x12345 };

/* The representative of @x's shape, and its key (never EMPTY). */
static uint64_t shape(const struct bpf_insn *x, struct bpf_insn *repr)
{
	bool end = BPF_CLASS(x->code) <= BPF_ALU64 && BPF_OP(x->code) == BPF_END;
	int ic = imm_class(x->imm);

	*repr = *x;
	if (!bpfext_insn_src_is_reg(x))
		repr->src_reg = 0;
	if (!end)
		repr->imm = imm_repr[ic];
	if (bpfext_insn_is_mem(x))
		repr->off = x->off >= -128 && x->off <= 127 ? -8 : -256;
	else
		repr->off = 0;
	return 1ull << 63 | (uint64_t)repr->code << 40 |
	       (uint64_t)repr->dst_reg << 36 | (uint64_t)repr->src_reg << 32 |
	       (uint64_t)(end ? (uint32_t)x->imm : (uint32_t)ic) << 8 |
	       (repr->off == -256);
}

static struct bpf_insn mov_imm(int reg, int32_t imm)
{
	return (struct bpf_insn){ .code = BPF_ALU64 | BPF_MOV | BPF_K,
				  .dst_reg = reg, .imm = imm };
}

/*
 * Load the probe for @x (NULL: the probe without an instruction) with
 * @base a copy of the frame pointer; its jited_prog_len or -errno.
 */
int bpfext_jited_len(const struct bpf_insn *insns, size_t cnt)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	int fd, ret;

	fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "jit_probe", "GPL", insns,
			   cnt, NULL);
	if (fd < 0)
		return -errno;
	memset(&info, 0, sizeof(info));
	ret = bpf_obj_get_info_by_fd(fd, &info, &len);
	close(fd);
	if (ret)
		return -errno;
	return info.jited_prog_len ? (int)info.jited_prog_len : -ENOTSUP;
}

static int probe_len(const struct bpf_insn *x, int base)
{
	struct bpf_insn p[24];
	int n = 0, r;

	for (r = 0; r < 10; r++)
		p[n++] = mov_imm(r, 1);
	if (base >= 0 && base < 10)
		p[n++] = (struct bpf_insn){ .code = BPF_ALU64 | BPF_MOV | BPF_X,
					    .dst_reg = base, .src_reg = BPF_REG_10 };
	p[n++] = (struct bpf_insn){ .code = BPF_ST | BPF_MEM | BPF_DW,
				    .dst_reg = BPF_REG_10, .off = -8 };
	p[n++] = (struct bpf_insn){ .code = BPF_ST | BPF_MEM | BPF_DW,
				    .dst_reg = BPF_REG_10, .off = -256 };
	if (x)
		p[n++] = *x;
	p[n++] = mov_imm(BPF_REG_0, 0);
	p[n++] = (struct bpf_insn){ .code = BPF_JMP | BPF_EXIT };
	return bpfext_jited_len(p, n);
}

struct bpfext_jit_probe *bpfext_jit_probe__new(struct bpfext_error *err)
{
	struct bpfext_jit_probe *jp = calloc(1, sizeof(*jp));
	int ret, i;

	if (!jp) {
		bpfext_errf(err, ENOMEM, "out of memory");
		return NULL;
	}
	ret = probe_len(NULL, -1);
	if (ret < 0) {
		free(jp);
		bpfext_errf(err, -ret, ret == -ENOTSUP ?
			    "the kernel's JIT is off (net.core.bpf_jit_enable)" :
			    "cannot load a probe program: %s", strerror(-ret));
		return NULL;
	}
	for (i = 0; i < 12; i++)
		jp->base[i] = i == BPF_REG_10 || i == 11 ? ret : -1;
	pthread_rwlock_init(&jp->lock, NULL);
	return jp;
}

void bpfext_jit_probe__free(struct bpfext_jit_probe *jp)
{
	if (!jp)
		return;
	pthread_rwlock_destroy(&jp->lock);
	free(jp);
}

static struct entry *slot_of(struct bpfext_jit_probe *jp, uint64_t key)
{
	size_t h = (size_t)((key * 0x9e3779b97f4a7c15ull) >> 52) & (SLOTS - 1);

	while (jp->tab[h].key != EMPTY && jp->tab[h].key != key)
		h = (h + 1) & (SLOTS - 1);
	return &jp->tab[h];
}

static int measure(struct bpfext_jit_probe *jp, const struct bpf_insn *repr)
{
	int base = -1, with, without;

	if (bpfext_insn_is_mem(repr))
		base = BPF_CLASS(repr->code) == BPF_LDX ? repr->src_reg
							 : repr->dst_reg;
	if (base < 0 || base > BPF_REG_10)
		base = BPF_REG_10;
	without = jp->base[base];
	if (without < 0)
		without = jp->base[base] = probe_len(NULL, base);
	with = probe_len(repr, base);
	jp->probes++;
	if (with < 0 || without < 0)
		return -EINVAL;
	return with - without;
}

int bpfext_jit_probe__bytes(struct bpfext_jit_probe *jp, const struct bpf_insn *x)
{
	struct bpf_insn repr;
	uint64_t key = shape(x, &repr);
	struct entry *e;
	int bytes;

	pthread_rwlock_rdlock(&jp->lock);
	e = slot_of(jp, key);
	bytes = e->key == key ? e->bytes : INT32_MIN;
	pthread_rwlock_unlock(&jp->lock);
	if (bytes != INT32_MIN)
		return bytes >= 0 ? bytes : (int)bpfext_x86_jit_bytes(x);

	pthread_rwlock_wrlock(&jp->lock);
	e = slot_of(jp, key);
	if (e->key != key) {
		if (jp->used < SLOTS / 2) {
			e->key = key;
			e->bytes = measure(jp, &repr);
			jp->used++;
			if (e->bytes < 0)
				jp->fallbacks++;
			bytes = e->bytes;
		} else {
			bytes = measure(jp, &repr);
		}
	} else {
		bytes = e->bytes;
	}
	pthread_rwlock_unlock(&jp->lock);
	return bytes >= 0 ? bytes : (int)bpfext_x86_jit_bytes(x);
}

unsigned int bpfext_jit_probe__probes(const struct bpfext_jit_probe *jp)
{
	return jp ? jp->probes : 0;
}
