// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Parsing the notation print.c prints back into instructions, bit for
 * bit; see bpfext_insn_parse().
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/util.h"
#include "isa/isa.h"
#include "isa/kops_ops.h"

enum tok_type {
	T_END,
	T_IDENT,
	T_NUM,
	T_PUNCT,
};

struct tok {
	enum tok_type type;
	const char *s;		/* start in the input */
	size_t n;		/* length */
	uint64_t num;		/* T_NUM: magnitude */
	bool hex;		/* T_NUM: written as 0x... */
};

#define MAX_TOKS 64

/* An instruction being parsed; plain fields, unlike struct bpf_insn's. */
struct pinsn {
	uint8_t code;
	uint8_t dst;
	uint8_t src;
	int16_t off;
	int32_t imm;
	int32_t imm2;		/* LD_IMM64 second slot */
};

struct parser {
	struct tok toks[MAX_TOKS];
	int ntok;
	int pos;
	char *err;
	size_t errlen;
};

/* Longest first, so that a prefix never shadows a longer operator. */
static const char *const puncts[] = {
	"s>>=", "<<=", ">>=", "s>=", "s<=", "s>", "s<",
	"==", "!=", ">=", "<=", "+=", "-=", "*=", "/=", "%=", "|=", "&=", "^=",
	"=", ">", "<", "&", "(", ")", "[", "]", "*", "+", "-", ",", "#", ":",
};

/* Up to 24 characters of @s for an error message, on one printable line. */
#define EXCERPT_MAX 25
static const char *excerpt(const char *s, char *dst)
{
	size_t i;

	for (i = 0; i < EXCERPT_MAX - 1 && s[i]; i++)
		dst[i] = isprint((unsigned char)s[i]) ? s[i] : '?';
	dst[i] = '\0';
	return dst;
}
#define EXCERPT(s) excerpt((s), (char[EXCERPT_MAX]){ 0 })

static int tokenize(struct parser *p, const char *s)
{
	size_t i;

	p->ntok = 0;
	p->pos = 0;
	for (;;) {
		struct tok *t;

		while (isspace((unsigned char)*s))
			s++;
		if (p->ntok == MAX_TOKS)
			return bpfext_isa_set_err(p->err, p->errlen, "instruction text too long");
		t = &p->toks[p->ntok++];
		memset(t, 0, sizeof(*t));
		t->s = s;
		if (!*s) {
			t->type = T_END;
			return 0;
		}
		for (i = 0; i < sizeof(puncts) / sizeof(puncts[0]); i++) {
			size_t n = strlen(puncts[i]);

			if (!strncmp(s, puncts[i], n)) {
				t->type = T_PUNCT;
				t->n = n;
				break;
			}
		}
		if (t->type == T_PUNCT) {
			s += t->n;
			continue;
		}
		if (isalpha((unsigned char)*s) || *s == '_') {
			t->type = T_IDENT;
			while (isalnum((unsigned char)s[t->n]) || s[t->n] == '_')
				t->n++;
			s += t->n;
			continue;
		}
		if (isdigit((unsigned char)*s)) {
			uint64_t v = 0;
			const char *q = s;

			t->type = T_NUM;
			if (q[0] == '0' && (q[1] == 'x' || q[1] == 'X') &&
			    isxdigit((unsigned char)q[2])) {
				t->hex = true;
				for (q += 2; isxdigit((unsigned char)*q); q++) {
					unsigned int d = isdigit((unsigned char)*q) ?
						(unsigned int)(*q - '0') :
						(unsigned int)(tolower((unsigned char)*q) - 'a' + 10);

					if (v >> 60)
						return bpfext_isa_set_err(p->err, p->errlen,
							       "number too large at '%s'", EXCERPT(s));
					v = v << 4 | d;
				}
			} else {
				for (; isdigit((unsigned char)*q); q++) {
					unsigned int d = (unsigned int)(*q - '0');

					if (v > (UINT64_MAX - d) / 10)
						return bpfext_isa_set_err(p->err, p->errlen,
							       "number too large at '%s'", EXCERPT(s));
					v = v * 10 + d;
				}
			}
			if (isalnum((unsigned char)*q) || *q == '_')
				return bpfext_isa_set_err(p->err, p->errlen,
					       "bad number at '%s'", EXCERPT(s));
			t->num = v;
			t->n = (size_t)(q - s);
			s = q;
			continue;
		}
		return bpfext_isa_set_err(p->err, p->errlen, "unexpected character 0x%02x",
			       (unsigned char)*s);
	}
}

static const struct tok *peek(const struct parser *p)
{
	return &p->toks[p->pos];
}

static const struct tok *peek2(const struct parser *p)
{
	return p->pos + 1 < p->ntok ? &p->toks[p->pos + 1] : &p->toks[p->ntok - 1];
}

static bool tok_is(const struct tok *t, enum tok_type type, const char *s)
{
	return t->type == type && strlen(s) == t->n && !strncmp(t->s, s, t->n);
}

static int unexpected(struct parser *p, const char *what)
{
	const struct tok *t = peek(p);

	if (t->type == T_END)
		return bpfext_isa_set_err(p->err, p->errlen, "expected %s at end of text", what);
	return bpfext_isa_set_err(p->err, p->errlen, "expected %s at '%s'", what,
		       EXCERPT(t->s));
}

static bool accept(struct parser *p, const char *punct)
{
	if (!tok_is(peek(p), T_PUNCT, punct))
		return false;
	p->pos++;
	return true;
}

static bool accept_word(struct parser *p, const char *word)
{
	if (!tok_is(peek(p), T_IDENT, word))
		return false;
	p->pos++;
	return true;
}

static int expect(struct parser *p, const char *punct)
{
	char what[16];

	if (accept(p, punct))
		return 0;
	snprintf(what, sizeof(what), "'%s'", punct);
	return unexpected(p, what);
}

static int expect_word(struct parser *p, const char *word)
{
	char what[32];

	if (accept_word(p, word))
		return 0;
	snprintf(what, sizeof(what), "'%s'", word);
	return unexpected(p, what);
}

/* Register token "rN" or "wN", N in 0..10.  *@wide says which prefix. */
static bool tok_reg(const struct tok *t, uint8_t *reg, char *prefix)
{
	unsigned int n = 0;
	size_t i;

	if (t->type != T_IDENT || t->n < 2 || t->n > 3 ||
	    (t->s[0] != 'r' && t->s[0] != 'w'))
		return false;
	for (i = 1; i < t->n; i++) {
		if (!isdigit((unsigned char)t->s[i]))
			return false;
		n = n * 10 + (unsigned int)(t->s[i] - '0');
	}
	if (t->n == 3 && t->s[1] == '0')
		return false;
	if (n > ISA_REG_MAX)
		return false;
	*reg = (uint8_t)n;
	if (prefix)
		*prefix = t->s[0];
	return true;
}

static int parse_reg(struct parser *p, uint8_t *reg, char *prefix)
{
	if (!tok_reg(peek(p), reg, prefix))
		return unexpected(p, "a register r0..r10");
	p->pos++;
	return 0;
}

/* A register that must use @want as its prefix ('r' or 'w'). */
static int parse_reg_as(struct parser *p, uint8_t *reg, char want)
{
	char prefix;
	const struct tok *t = peek(p);

	if (parse_reg(p, reg, &prefix))
		return -EINVAL;
	if (prefix != want)
		return bpfext_isa_set_err(p->err, p->errlen, "expected a %c register at '%s'",
			       want, EXCERPT(t->s));
	return 0;
}

/*
 * An optionally signed number in [min, max]; values above max but within
 * umax are taken modulo 2^64 (so 0xffffffff can stand for -1 in a 32-bit
 * field).
 */
static int parse_num(struct parser *p, int64_t min, int64_t max, uint64_t umax,
		     int64_t *val, bool *hex)
{
	const struct tok *t;
	bool neg = false;

	if (accept(p, "-"))
		neg = true;
	else
		accept(p, "+");
	t = peek(p);
	if (t->type != T_NUM)
		return unexpected(p, "a number");
	if (hex)
		*hex = t->hex;
	if (neg) {
		if (t->num > (uint64_t)-(min + 1) + 1)
			return bpfext_isa_set_err(p->err, p->errlen, "number out of range at '%s'",
				       EXCERPT(t->s));
		*val = (int64_t)(0 - t->num);
	} else {
		if (t->num > (uint64_t)max && t->num > umax)
			return bpfext_isa_set_err(p->err, p->errlen, "number out of range at '%s'",
				       EXCERPT(t->s));
		*val = (int64_t)t->num;
	}
	p->pos++;
	return 0;
}

/* A signed 32-bit number. */
static int parse_s32(struct parser *p, int32_t *v)
{
	int64_t x;

	if (parse_num(p, INT32_MIN, INT32_MAX, INT32_MAX, &x, NULL))
		return -EINVAL;
	*v = (int32_t)x;
	return 0;
}

/*
 * A 32-bit immediate that is also accepted as unsigned (0x80000000 ..
 * 0xffffffff), where the operation is 32 bits wide or the kernel prints
 * it in hex (jump comparisons).
 */
static int parse_u32_or_s32(struct parser *p, int32_t *v)
{
	int64_t x;

	if (parse_num(p, INT32_MIN, INT32_MAX, UINT32_MAX, &x, NULL))
		return -EINVAL;
	*v = (int32_t)(uint32_t)x;
	return 0;
}

static int parse_u32(struct parser *p, int32_t *v)
{
	int64_t x;

	if (peek(p)->type != T_NUM)
		return unexpected(p, "an unsigned number");
	if (parse_num(p, 0, INT32_MAX, UINT32_MAX, &x, NULL))
		return -EINVAL;
	*v = (int32_t)(uint32_t)x;
	return 0;
}

static int parse_s16(struct parser *p, int16_t *v)
{
	int64_t x;

	if (parse_num(p, INT16_MIN, INT16_MAX, INT16_MAX, &x, NULL))
		return -EINVAL;
	*v = (int16_t)x;
	return 0;
}

/* "pc+N" / "pc-N" */
static int parse_pc16(struct parser *p, int16_t *off)
{
	if (expect_word(p, "pc"))
		return -EINVAL;
	return parse_s16(p, off);
}

static int parse_pc32(struct parser *p, int32_t *off)
{
	int64_t x;

	if (expect_word(p, "pc"))
		return -EINVAL;
	if (parse_num(p, INT32_MIN, INT32_MAX, INT32_MAX, &x, NULL))
		return -EINVAL;
	*off = (int32_t)x;
	return 0;
}

/* Optional trailing " [name=N]" for fields the kernel notation hides. */
static int parse_ext(struct parser *p, const char *name, int64_t min,
		     int64_t max, int64_t *val)
{
	*val = 0;
	if (!tok_is(peek(p), T_PUNCT, "[") || !tok_is(peek2(p), T_IDENT, name))
		return 0;
	p->pos += 2;
	if (expect(p, "=") || parse_num(p, min, max, (uint64_t)max, val, NULL) ||
	    expect(p, "]"))
		return -EINVAL;
	if (*val == 0)
		return bpfext_isa_set_err(p->err, p->errlen, "[%s=0] is implied, leave it out",
			       name);
	return 0;
}

/* Optional " [kops NAME dst=N imm=0xIMM]" after "goto pc+0": a marker. */
static int parse_kops(struct parser *p, struct pinsn *insn)
{
	const struct tok *t;
	const char *name;
	int64_t v;
	int id;

	if (!tok_is(peek(p), T_PUNCT, "[") || !tok_is(peek2(p), T_IDENT, "kops"))
		return 0;
	p->pos += 2;
	t = peek(p);
	if (t->type != T_IDENT)
		return unexpected(p, "an op name");
	p->pos++;
	insn->src = BPF_PSEUDO_KOPS;
	if (expect_word(p, "dst") || expect(p, "=") ||
	    parse_num(p, 0, 15, 15, &v, NULL))
		return -EINVAL;
	insn->dst = (uint8_t)v;
	if (expect_word(p, "imm") || expect(p, "=") ||
	    parse_num(p, INT32_MIN, INT32_MAX, UINT32_MAX, &v, NULL) ||
	    expect(p, "]"))
		return -EINVAL;
	insn->imm = (int32_t)(uint32_t)v;
	id = (int)((uint32_t)insn->imm & 0xff);
	name = bpfext_einsn_name((unsigned int)id);
	if (!tok_is(t, T_IDENT, name ? name : "op"))
		return bpfext_isa_set_err(p->err, p->errlen,
			       "kops op name does not match id %d", id);
	return 0;
}

/* "(u32 *)" -> BPF_W etc. */
static int parse_cast(struct parser *p, uint8_t *size)
{
	static const struct { const char *name; uint8_t size; } sizes[] = {
		{ "u8", BPF_B }, { "u16", BPF_H }, { "u32", BPF_W }, { "u64", BPF_DW },
	};
	size_t i;

	if (expect(p, "("))
		return -EINVAL;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		if (accept_word(p, sizes[i].name))
			break;
	if (i == sizeof(sizes) / sizeof(sizes[0]))
		return unexpected(p, "u8, u16, u32 or u64");
	*size = sizes[i].size;
	if (expect(p, "*") || expect(p, ")"))
		return -EINVAL;
	return 0;
}

/* "(rN +off)" */
static int parse_memref(struct parser *p, uint8_t *reg, int16_t *off)
{
	if (expect(p, "(") || parse_reg_as(p, reg, 'r'))
		return -EINVAL;
	*off = 0;
	if (!tok_is(peek(p), T_PUNCT, ")") && parse_s16(p, off))
		return -EINVAL;
	return expect(p, ")");
}

static int find_op(const char *const *ops, const struct tok *t)
{
	int i;

	if (t->type != T_PUNCT)
		return -1;
	for (i = 0; i < 16; i++)
		if (ops[i] && strlen(ops[i]) == t->n && !strncmp(ops[i], t->s, t->n))
			return i;
	return -1;
}

static int parse_call(struct parser *p, struct pinsn *insn)
{
	const struct tok *t = peek(p);
	int64_t off;

	insn->code = BPF_JMP | BPF_CALL;
	if (accept_word(p, "pc")) {
		insn->src = BPF_PSEUDO_CALL;
		return parse_s32(p, &insn->imm);
	}
	if (accept_word(p, "kernel")) {
		if (expect(p, "-") || expect_word(p, "function"))
			return -EINVAL;
		goto kfunc;
	}
	if (accept_word(p, "kfunc"))
		goto kfunc;
	if (t->type == T_IDENT) {
		char name[64];
		int id;

		snprintf(name, sizeof(name), "%.*s", (int)t->n, t->s);
		id = bpfext_helper_id(name);
		p->pos++;
		if (accept(p, "#")) {
			if (parse_s32(p, &insn->imm))
				return -EINVAL;
			if (id >= 0 && id != insn->imm)
				return bpfext_isa_set_err(p->err, p->errlen,
					       "helper %s is #%d, not #%d", name, id,
					       insn->imm);
		} else if (id < 0) {
			return bpfext_isa_set_err(p->err, p->errlen, "unknown helper '%s'", name);
		} else {
			insn->imm = id;
		}
		return 0;
	}
	if (accept(p, "#"))
		return parse_s32(p, &insn->imm);
	return unexpected(p, "a call target");
kfunc:
	insn->src = BPF_PSEUDO_KFUNC_CALL;
	if (expect(p, "#") || parse_s32(p, &insn->imm) ||
	    parse_ext(p, "off", INT16_MIN, INT16_MAX, &off))
		return -EINVAL;
	insn->off = (int16_t)off;
	return 0;
}

/* "if rA op rB|imm goto pc+N" */
static int parse_cond(struct parser *p, struct pinsn *insn)
{
	char prefix;
	int op;

	if (parse_reg(p, &insn->dst, &prefix))
		return -EINVAL;
	/* 6.1's disasm.c prints BPF_JMP32 | BPF_JA as "if w0 jmp 0x.. goto pc+0". */
	if (accept_word(p, "jmp")) {
		insn->code = (prefix == 'w' ? BPF_JMP32 : BPF_JMP) | BPF_JA;
		if (parse_u32_or_s32(p, &insn->imm) || expect_word(p, "goto"))
			return -EINVAL;
		return parse_pc16(p, &insn->off);
	}
	op = find_op(bpfext_isa_jmp_ops, peek(p));
	if (op < 0)
		return unexpected(p, "a comparison operator");
	p->pos++;
	insn->code = (uint8_t)((prefix == 'w' ? BPF_JMP32 : BPF_JMP) | op << 4);
	if (tok_reg(peek(p), &insn->src, NULL)) {
		insn->code |= BPF_X;
		if (parse_reg_as(p, &insn->src, prefix))
			return -EINVAL;
	} else if (parse_u32_or_s32(p, &insn->imm)) {
		return -EINVAL;
	}
	if (expect_word(p, "goto"))
		return -EINVAL;
	return parse_pc16(p, &insn->off);
}

/* After "*": "(uN *)(rD +off) = rS|imm" */
static int parse_store(struct parser *p, struct pinsn *insn)
{
	uint8_t size;

	if (parse_cast(p, &size) || parse_memref(p, &insn->dst, &insn->off) ||
	    expect(p, "="))
		return -EINVAL;
	if (tok_reg(peek(p), &insn->src, NULL)) {
		insn->code = BPF_STX | BPF_MEM | size;
		return parse_reg_as(p, &insn->src, 'r');
	}
	insn->code = BPF_ST | BPF_MEM | size;
	/* A 64-bit store sign-extends imm: no unsigned spelling there. */
	if (size == BPF_DW)
		return parse_s32(p, &insn->imm);
	return parse_u32_or_s32(p, &insn->imm);
}

/* After "lock": "*(uN *)(rD +off) op= rS" */
static int parse_lock(struct parser *p, struct pinsn *insn)
{
	uint8_t size;
	int op;

	if (expect(p, "*") || parse_cast(p, &size) ||
	    parse_memref(p, &insn->dst, &insn->off))
		return -EINVAL;
	op = find_op(bpfext_isa_alu_ops, peek(p));
	if (op < 0 || !bpfext_isa_atomic_names[op])
		return unexpected(p, "'+=', '&=', '|=' or '^='");
	p->pos++;
	insn->code = BPF_STX | BPF_ATOMIC | size;
	insn->imm = op << 4;
	return parse_reg_as(p, &insn->src, 'r');
}

/* "rS = atomic[64]_name((uN *)(rD +off), ...)" after the '='. */
static int parse_atomic(struct parser *p, struct pinsn *insn, uint8_t lhs)
{
	const struct tok *t = peek(p);
	char name[32];
	const char *op;
	bool is64;
	uint8_t size, reg;
	int i;

	snprintf(name, sizeof(name), "%.*s", (int)t->n, t->s);
	p->pos++;
	is64 = !strncmp(name, "atomic64_", 9);
	op = name + (is64 ? 9 : 7);
	if (!strcmp(op, "xchg")) {
		insn->imm = BPF_XCHG;
	} else if (!strcmp(op, "cmpxchg")) {
		insn->imm = BPF_CMPXCHG;
	} else {
		if (strncmp(op, "fetch_", 6))
			goto bad;
		for (i = 0; i < 16; i++)
			if (bpfext_isa_atomic_names[i] && !strcmp(op + 6, bpfext_isa_atomic_names[i]))
				break;
		if (i == 16)
			goto bad;
		insn->imm = i << 4 | BPF_FETCH;
	}
	if (expect(p, "(") || parse_cast(p, &size) ||
	    parse_memref(p, &insn->dst, &insn->off) || expect(p, ","))
		return -EINVAL;
	if (size != (is64 ? BPF_DW : BPF_W))
		return bpfext_isa_set_err(p->err, p->errlen, "%s needs a %s operand", name,
			       is64 ? "u64" : "u32");
	insn->code = BPF_STX | BPF_ATOMIC | size;
	if (insn->imm == BPF_CMPXCHG) {
		if (lhs != 0)
			return bpfext_isa_set_err(p->err, p->errlen, "%s writes r0", name);
		if (parse_reg_as(p, &reg, 'r'))
			return -EINVAL;
		if (reg != 0)
			return bpfext_isa_set_err(p->err, p->errlen, "%s compares with r0", name);
		if (expect(p, ","))
			return -EINVAL;
	}
	if (parse_reg_as(p, &insn->src, 'r') || expect(p, ")"))
		return -EINVAL;
	if (insn->imm != BPF_CMPXCHG && lhs != insn->src)
		return bpfext_isa_set_err(p->err, p->errlen,
			       "%s loads into its source register r%u, not r%u",
			       name, insn->src, lhs);
	return 0;
bad:
	return bpfext_isa_set_err(p->err, p->errlen, "unknown atomic operation '%s'", name);
}

/* "map[fd:N]", "map[fd:N][0]+V", "map[idx:N]", "map[idx:N]+V" after "map" */
static int parse_map(struct parser *p, struct pinsn *insn)
{
	bool idx, value = false;

	if (expect(p, "["))
		return -EINVAL;
	if (accept_word(p, "idx"))
		idx = true;
	else if (accept_word(p, "fd") || accept_word(p, "id"))
		idx = false;
	else
		return unexpected(p, "'fd', 'id' or 'idx'");
	if (expect(p, ":") || parse_u32(p, &insn->imm) || expect(p, "]"))
		return -EINVAL;
	if (accept(p, "[")) {
		if (peek(p)->type != T_NUM || peek(p)->num != 0)
			return unexpected(p, "'0'");
		p->pos++;
		if (expect(p, "]"))
			return -EINVAL;
		if (!tok_is(peek(p), T_PUNCT, "+"))
			return unexpected(p, "'+'");
	}
	if (accept(p, "+")) {
		if (parse_u32(p, &insn->imm2))
			return -EINVAL;
		value = true;
	}
	if (idx)
		insn->src = value ? BPF_PSEUDO_MAP_IDX_VALUE : BPF_PSEUDO_MAP_IDX;
	else
		insn->src = value ? BPF_PSEUDO_MAP_VALUE : BPF_PSEUDO_MAP_FD;
	return 0;
}

/* The part after "rD = *": "(uN *)(rS +off)" or, for r0, "(uN *)skb[...]". */
static int parse_load(struct parser *p, struct pinsn *insn, uint8_t dst, char prefix)
{
	uint8_t size;

	if (parse_cast(p, &size))
		return -EINVAL;
	if (prefix != 'r')
		return bpfext_isa_set_err(p->err, p->errlen, "loads need an r register");
	if (accept_word(p, "skb")) {
		if (dst != 0)
			return bpfext_isa_set_err(p->err, p->errlen,
				       "packet loads write r0, not r%u", dst);
		if (expect(p, "["))
			return -EINVAL;
		if (tok_reg(peek(p), &insn->src, NULL)) {
			if (parse_reg_as(p, &insn->src, 'r') ||
			    expect(p, "+"))
				return -EINVAL;
			insn->code = BPF_LD | BPF_IND | size;
		} else {
			insn->code = BPF_LD | BPF_ABS | size;
		}
		if (parse_s32(p, &insn->imm))
			return -EINVAL;
		return expect(p, "]");
	}
	insn->code = BPF_LDX | BPF_MEM | size;
	return parse_memref(p, &insn->src, &insn->off);
}

/* "rD = map[...]", "btf_id[...]" or "subprog[...]": 64-bit immediate loads. */
static int parse_ld_imm64_named(struct parser *p, struct pinsn *insn)
{
	int64_t v;

	insn->code = BPF_LD | BPF_IMM | BPF_DW;
	if (accept_word(p, "map")) {
		if (parse_map(p, insn))
			return -EINVAL;
	} else if (accept_word(p, "btf_id")) {
		insn->src = BPF_PSEUDO_BTF_ID;
		if (expect(p, "[") || parse_u32(p, &insn->imm) || expect(p, "]") ||
		    parse_ext(p, "imm2", INT32_MIN, INT32_MAX, &v))
			return -EINVAL;
		insn->imm2 = (int32_t)v;
	} else if (accept_word(p, "subprog")) {
		insn->src = BPF_PSEUDO_FUNC;
		if (expect(p, "[") || parse_s32(p, &insn->imm) || expect(p, "]") ||
		    parse_ext(p, "imm2", INT32_MIN, INT32_MAX, &v))
			return -EINVAL;
		insn->imm2 = (int32_t)v;
	} else {
		return unexpected(p, "an operand");
	}
	accept_word(p, "ll");
	return 2;
}

/* The part after "rD =" or "wD =". */
static int parse_assign(struct parser *p, struct pinsn *insn,
			uint8_t dst, char prefix)
{
	const struct tok *t = peek(p);
	uint8_t cls = prefix == 'w' ? BPF_ALU : BPF_ALU64;
	bool ldimm64 = false;
	int64_t v;
	size_t n;

	insn->dst = dst;

	/* rD = -rD */
	if (tok_is(t, T_PUNCT, "-") && tok_reg(peek2(p), &insn->src, NULL)) {
		uint8_t reg;

		p->pos++;
		if (parse_reg_as(p, &reg, prefix))
			return -EINVAL;
		if (reg != dst)
			return bpfext_isa_set_err(p->err, p->errlen,
				       "negation must be in place (%c%u = -%c%u)",
				       prefix, dst, prefix, dst);
		insn->src = 0;
		insn->code = cls | BPF_NEG | BPF_K;
		return 0;
	}

	/* rD = rS */
	if (tok_reg(t, &insn->src, NULL)) {
		insn->code = cls | BPF_MOV | BPF_X;
		return parse_reg_as(p, &insn->src, prefix);
	}

	/* rD = imm, rD = imm64 [ll] */
	if (t->type == T_NUM || tok_is(t, T_PUNCT, "-") || tok_is(t, T_PUNCT, "+")) {
		bool hex;

		if (parse_num(p, INT64_MIN, INT64_MAX, UINT64_MAX, &v, &hex))
			return -EINVAL;
		if (accept_word(p, "ll") || (hex && prefix == 'r'))
			ldimm64 = true;
		if (ldimm64) {
			uint64_t u = (uint64_t)v;

			if (prefix != 'r')
				return bpfext_isa_set_err(p->err, p->errlen,
					       "64-bit immediate load needs an r register");
			insn->code = BPF_LD | BPF_IMM | BPF_DW;
			insn->imm = (int32_t)(uint32_t)u;
			insn->imm2 = (int32_t)(uint32_t)(u >> 32);
			return 2;
		}
		/* v < 0 without a '-' is a wrapped u64: too large. */
		if ((v < 0 && !tok_is(t, T_PUNCT, "-")) || v < INT32_MIN ||
		    v > (prefix == 'r' ? INT32_MAX : (int64_t)UINT32_MAX))
			return bpfext_isa_set_err(p->err, p->errlen,
				       "immediate %" PRId64 " out of range for %s",
				       v, prefix == 'r' ? "r (sign-extended s32)" : "w (32 bits)");
		insn->code = cls | BPF_MOV | BPF_K;
		insn->imm = (int32_t)(uint32_t)v;
		return 0;
	}

	/* rD = *(uN *)(rS +off), r0 = *(uN *)skb[...] */
	if (accept(p, "*"))
		return parse_load(p, insn, dst, prefix);

	if (t->type != T_IDENT)
		return unexpected(p, "an operand");

	/* rD = be16 rD etc.  The kernel prints 'r' even for this ALU32 op. */
	if (t->n == 4 && (!strncmp(t->s, "be", 2) || !strncmp(t->s, "le", 2)) &&
	    isdigit((unsigned char)t->s[2]) && isdigit((unsigned char)t->s[3])) {
		int bits = (t->s[2] - '0') * 10 + (t->s[3] - '0');
		uint8_t reg;

		if (bits == 16 || bits == 32 || bits == 64) {
			p->pos++;
			if (parse_reg_as(p, &reg, prefix))
				return -EINVAL;
			if (reg != dst)
				return bpfext_isa_set_err(p->err, p->errlen,
					       "byte swap must be in place");
			insn->code = BPF_ALU | BPF_END |
				     (t->s[0] == 'b' ? BPF_TO_BE : BPF_TO_LE);
			insn->imm = bits;
			return 0;
		}
	}

	n = t->n;
	if ((n > 7 && !strncmp(t->s, "atomic_", 7)) ||
	    (n > 9 && !strncmp(t->s, "atomic64_", 9))) {
		if (prefix != 'r')
			return bpfext_isa_set_err(p->err, p->errlen, "atomics need r registers");
		return parse_atomic(p, insn, dst);
	}

	/* The remaining forms are 64-bit immediate loads. */
	if (prefix != 'r')
		return bpfext_isa_set_err(p->err, p->errlen,
			       "64-bit immediate load needs an r register");
	return parse_ld_imm64_named(p, insn);
}

static int parse_stmt(struct parser *p, struct pinsn *insn)
{
	const struct tok *t = peek(p);
	uint8_t dst;
	char prefix;
	int64_t v;
	int op;

	if (accept_word(p, "exit")) {
		insn->code = BPF_JMP | BPF_EXIT;
		if (parse_ext(p, "off", INT16_MIN, INT16_MAX, &v))
			return -EINVAL;
		insn->off = (int16_t)v;
		return 0;
	}
	if (accept_word(p, "goto")) {
		insn->code = BPF_JMP | BPF_JA;
		if (parse_pc16(p, &insn->off))
			return -EINVAL;
		return parse_kops(p, insn);
	}
	if (accept_word(p, "gotol")) {
		insn->code = BPF_JMP32 | BPF_JA;
		return parse_pc32(p, &insn->imm);
	}
	if (accept_word(p, "call"))
		return parse_call(p, insn);
	if (accept_word(p, "if"))
		return parse_cond(p, insn);
	if (accept_word(p, "lock"))
		return parse_lock(p, insn);
	if (accept(p, "*"))
		return parse_store(p, insn);
	if (!tok_reg(t, &dst, &prefix))
		return unexpected(p, "an instruction");
	p->pos++;
	if (accept(p, "="))
		return parse_assign(p, insn, dst, prefix);

	op = find_op(bpfext_isa_alu_ops, peek(p));
	if (op < 0)
		return unexpected(p, "an assignment operator");
	p->pos++;
	insn->dst = dst;
	insn->code = (uint8_t)((prefix == 'w' ? BPF_ALU : BPF_ALU64) | op << 4);
	if (tok_reg(peek(p), &insn->src, NULL)) {
		insn->code |= BPF_X;
		return parse_reg_as(p, &insn->src, prefix);
	}
	/* 64-bit ALU sign-extends imm: no unsigned spelling there. */
	if (prefix == 'r')
		return parse_s32(p, &insn->imm);
	return parse_u32_or_s32(p, &insn->imm);
}

int bpfext_insn_parse(const char *text, struct bpf_insn out[2],
		      struct bpfext_error *e)
{
	char *err = e ? e->msg : NULL;
	size_t errlen = e ? sizeof(e->msg) : 0;
	struct parser p;
	struct pinsn pi;
	const char *s = text;
	char why[BPFEXT_INSN_STR_MAX];
	int ret;

	if (err && errlen)
		err[0] = '\0';
	memset(out, 0, 2 * sizeof(*out));
	if (!text)
		return bpfext_isa_set_err(err, errlen, "no text");
	p.err = err;
	p.errlen = errlen;

	/* Optional "12: " index and "(bf) " opcode prefixes of the log. */
	while (isspace((unsigned char)*s))
		s++;
	if (isdigit((unsigned char)*s)) {
		const char *q = s;

		while (isdigit((unsigned char)*q))
			q++;
		if (*q == ':')
			s = q + 1;
	}
	while (isspace((unsigned char)*s))
		s++;
	if (s[0] == '(' && isxdigit((unsigned char)s[1]) &&
	    isxdigit((unsigned char)s[2]) && s[3] == ')')
		s += 4;

	if (tokenize(&p, s))
		return -EINVAL;
	memset(&pi, 0, sizeof(pi));
	ret = parse_stmt(&p, &pi);
	if (ret < 0)
		return -EINVAL;
	if (peek(&p)->type != T_END)
		return unexpected(&p, "end of instruction");
	ret = ret == 2 ? 2 : 1;
	out[0].code = pi.code;
	out[0].dst_reg = pi.dst & 0xf;
	out[0].src_reg = pi.src & 0xf;
	out[0].off = pi.off;
	out[0].imm = pi.imm;
	if (ret == 2)
		out[1].imm = pi.imm2;
	if (bpfext_isa_check(out, (size_t)ret, why, sizeof(why)) < 0)
		return bpfext_isa_set_err(err, errlen, "%s", why);
	return ret;
}
