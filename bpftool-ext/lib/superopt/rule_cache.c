// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The rule cache: what the stochastic search found once is proposed
 * again wherever the same shape appears, in this run or a later one.
 *
 * A rule is the part of a window a proven rewrite changed (the common
 * head and tail are cut off, as far as what remains is still equivalent
 * on its own, for any input), with registers renamed in order of first
 * use so that it matches whatever registers another program allocated,
 * and the set of its registers that must survive it.  A rule is only a
 * proposal: every application is proven in its window again, so a stale
 * or hand-edited cache can cost solver time but never correctness.
 *
 * On disk, one rule per line:
 *     live=0xLLLL PATTERN => REPLACEMENT
 * each instruction as 16 hex digits: code, dst, src, off, imm.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/util.h"
#include "analysis/liveness.h"
#include "superopt/rule_cache.h"
#include "semantics/symbolic.h"
#include "semantics/window.h"

#define CACHE_MAGIC	"# bpftool-ext rule cache 1"
#define MAX_RULES	65536
#define NO_REG		0xff

struct rule {
	uint8_t n, m;
	uint16_t live;			/* canonical registers live after */
	struct bpf_insn pat[BPFEXT_WIN_MAX_INSNS];
	struct bpf_insn rep[BPFEXT_WIN_MAX_INSNS];
};

struct bpfext_rule_cache {
	char *path;
	struct rule *rules;
	size_t cnt, cap, learned;
	pthread_mutex_t lock;
};

static const struct bpf_insn NOP = { .code = BPF_JMP | BPF_JA };

static bool insn_ok(const struct bpf_insn *x)
{
	return bpfext_win_insn_supported(x) && !bpfext_insn_is_ldimm64(x) &&
	       bpfext_insn_check(x, 1, NULL) == 1;
}

/* Renaming: register -> canonical number in order of first use. */
struct renaming {
	uint8_t to[16];
	uint8_t next;
};

static uint8_t rename_reg(struct renaming *r, uint8_t reg)
{
	if (reg == BPF_REG_10)
		return reg;
	if (r->to[reg] == NO_REG)
		r->to[reg] = r->next++;
	return r->to[reg];
}

static void rename_insns(struct renaming *r, struct bpf_insn *x, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		x[i].dst_reg = rename_reg(r, x[i].dst_reg);
		if (bpfext_insn_src_is_reg(&x[i]))
			x[i].src_reg = rename_reg(r, x[i].src_reg);
	}
}

static bool same_insn(const struct bpf_insn *a, const struct bpf_insn *b)
{
	return !memcmp(a, b, sizeof(*a));
}

/* The same, but a side exit's offset counts the slots left after it. */
static bool same_in_window(const struct bpf_insn *a, const struct bpf_insn *b)
{
	return bpfext_win_insn_is_exit(a) ? bpfext_win_same_exit(a, b) : same_insn(a, b);
}

static size_t drop_nops(const struct bpf_insn *in, size_t n, struct bpf_insn *out)
{
	size_t i, m = 0;

	for (i = 0; i < n && m < BPFEXT_WIN_MAX_INSNS; i++)
		if (!bpfext_insn_is_nop(&in[i]))
			out[m++] = in[i];
	return m;
}

static struct rule *find(struct bpfext_rule_cache *rc, const struct rule *r)
{
	size_t i;

	for (i = 0; i < rc->cnt; i++) {
		struct rule *x = &rc->rules[i];

		if (x->n == r->n && x->live == r->live &&
		    !memcmp(x->pat, r->pat, r->n * sizeof(r->pat[0])))
			return x;
	}
	return NULL;
}

/* Add @r, or keep the shorter replacement of an equal pattern. Locked. */
static int add_rule(struct bpfext_rule_cache *rc, const struct rule *r)
{
	struct rule *x = find(rc, r);

	if (x) {
		if (r->m >= x->m)
			return 0;
		*x = *r;
		return 1;
	}
	if (rc->cnt == MAX_RULES)
		return 0;
	if (bpfext_grow(&rc->rules, &rc->cap, rc->cnt + 1, sizeof(*rc->rules)))
		return 0;
	rc->rules[rc->cnt++] = *r;
	return 1;
}

/*
 * Is @a[from, n - tail) -> @b[from, m - tail) right without its context,
 * with @live_after live behind it?
 */
static bool holds_alone(const struct bpf_insn *a, size_t n,
			const struct bpf_insn *b, size_t m, size_t head,
			size_t tail, uint16_t live_after)
{
	BPFEXT_OPTS(bpfext_sym_opts, sym, .timeout_ms = 2000);
	struct bpfext_error err;

	return bpfext_sym_equiv_window(&a[head], n - head - tail, &b[head],
				       m - head - tail, live_after, &sym, NULL,
				       &err) == BPFEXT_EQUIVALENT;
}

/* Is every instruction of @x[from, to) one a rule may hold? */
static bool all_ok(const struct bpf_insn *x, size_t from, size_t to)
{
	size_t i;

	for (i = from; i < to; i++)
		if (!insn_ok(&x[i]))
			return false;
	return true;
}

void bpfext_rule_cache__learn(struct bpfext_rule_cache *rc,
			      const struct bpf_insn *old, size_t n,
			      const struct bpf_insn *new, size_t m,
			      uint16_t live_out, const struct bpfext_win_exits *exits)
{
	struct bpf_insn a[BPFEXT_WIN_MAX_INSNS], b[BPFEXT_WIN_MAX_INSNS];
	uint16_t live[BPFEXT_WIN_MAX_INSNS + 1];
	struct renaming ren;
	struct rule r;
	size_t head = 0, tail = 0, i;

	if (!rc || n > BPFEXT_WIN_MAX_INSNS || m > BPFEXT_WIN_MAX_INSNS)
		return;
	n = drop_nops(old, n, a);
	m = drop_nops(new, m, b);
	if (m > n)
		return;
	bpfext_win_liveness(a, n, live_out, exits, live);
	while (head < m && same_in_window(&a[head], &b[head]))
		head++;
	while (tail < m - head && same_in_window(&a[n - 1 - tail], &b[m - 1 - tail]))
		tail++;
	if (head == n && head == m)
		return;
	/*
	 * The common head may be what makes the change right (it set a
	 * register the change relies on): give it back until the rule holds
	 * for any input.  The whole window always does.
	 */
	while (all_ok(a, head, n - tail) && all_ok(b, head, m - tail) &&
	       !holds_alone(a, n, b, m, head, tail, live[n - tail])) {
		if (head) {
			head--;
		} else if (tail) {
			tail = 0;	/* the tail's memory writes may matter */
		} else {
			return;
		}
	}
	/* A side exit (or anything else a rule cannot hold) inside: no rule. */
	if (!all_ok(a, head, n - tail) || !all_ok(b, head, m - tail))
		return;
	memset(&r, 0, sizeof(r));
	r.n = n - head - tail;
	r.m = m - head - tail;
	memcpy(r.pat, &a[head], r.n * sizeof(*a));
	memcpy(r.rep, &b[head], r.m * sizeof(*b));
	live_out = live[n - tail];

	memset(ren.to, NO_REG, sizeof(ren.to));
	ren.next = 0;
	rename_insns(&ren, r.pat, r.n);
	rename_insns(&ren, r.rep, r.m);
	for (i = 0; i < 10; i++)
		if ((live_out & (1u << i)) && ren.to[i] != NO_REG)
			r.live |= 1u << ren.to[i];

	pthread_mutex_lock(&rc->lock);
	rc->learned += add_rule(rc, &r);
	pthread_mutex_unlock(&rc->lock);
}

/*
 * Match @r at @w[0, r->n) with @live_after live behind it; on success
 * @map holds canonical -> actual register for the pattern and the
 * replacement's own scratch registers.
 */
static bool match(const struct rule *r, const struct bpf_insn *w,
		  uint16_t live_after, uint8_t *map)
{
	uint16_t used = 1u << BPF_REG_10;
	size_t i, c;

	memset(map, NO_REG, 16);
	map[BPF_REG_10] = BPF_REG_10;
	for (i = 0; i < r->n; i++) {
		const struct bpf_insn *p = &r->pat[i], *x = &w[i];
		uint8_t pr[2] = { p->dst_reg, p->src_reg };
		uint8_t xr[2] = { x->dst_reg, x->src_reg };
		int k, nr = bpfext_insn_src_is_reg(p) ? 2 : 1;

		if (p->code != x->code || p->off != x->off || p->imm != x->imm)
			return false;
		if (nr == 1 && p->src_reg != x->src_reg)
			return false;
		for (k = 0; k < nr; k++) {
			if (map[pr[k]] == NO_REG) {
				if (used & (1u << xr[k]))
					return false;
				map[pr[k]] = xr[k];
				used |= 1u << xr[k];
			} else if (map[pr[k]] != xr[k]) {
				return false;
			}
		}
	}
	/* What is live behind the match must be something the rule keeps. */
	for (c = 0; c < 10; c++)
		if (map[c] != NO_REG && (live_after & (1u << map[c])) &&
		    !(r->live & (1u << c)))
			return false;
	/* The replacement's own registers go to dead ones. */
	for (i = 0; i < r->m; i++) {
		uint8_t regs[2] = { r->rep[i].dst_reg, r->rep[i].src_reg };
		int k, nr = bpfext_insn_src_is_reg(&r->rep[i]) ? 2 : 1;

		for (k = 0; k < nr; k++) {
			uint8_t a;

			if (regs[k] > BPF_REG_10)
				return false;
			if (map[regs[k]] != NO_REG)
				continue;
			for (a = 0; a < 10; a++)
				if (!(used & (1u << a)) && !(live_after & (1u << a)))
					break;
			if (a == 10)
				return false;
			map[regs[k]] = a;
			used |= 1u << a;
		}
	}
	return true;
}

static void instantiate(const struct rule *r, const uint8_t *map,
			struct bpf_insn *out)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		out[i] = NOP;
	for (i = 0; i < r->m; i++) {
		out[i] = r->rep[i];
		out[i].dst_reg = map[r->rep[i].dst_reg];
		if (bpfext_insn_src_is_reg(&r->rep[i]))
			out[i].src_reg = map[r->rep[i].src_reg];
	}
}

size_t bpfext_rule_cache__apply(struct bpfext_rule_cache *rc,
				const struct bpf_insn *win, size_t n,
				uint16_t live_out, const struct bpfext_win_exits *exits,
				struct bpf_insn *out)
{
	uint16_t live[BPFEXT_WIN_MAX_INSNS + 1];
	uint8_t map[16];
	size_t i, k, applied = 0;

	memcpy(out, win, n * sizeof(*win));
	if (!rc || !n || n > BPFEXT_WIN_MAX_INSNS)
		return 0;
	bpfext_win_liveness(win, n, live_out, exits, live);

	pthread_mutex_lock(&rc->lock);
	for (i = 0; i < n;) {
		const struct rule *hit = NULL;

		for (k = 0; k < rc->cnt && !hit; k++) {
			const struct rule *r = &rc->rules[k];

			if (r->pat[0].code == win[i].code && i + r->n <= n &&
			    match(r, &win[i], live[i + r->n], map))
				hit = r;
		}
		if (!hit) {
			i++;
			continue;
		}
		instantiate(hit, map, &out[i]);
		i += hit->n;
		applied++;
	}
	pthread_mutex_unlock(&rc->lock);
	return applied;
}

/* "code dst src off imm" as 16 hex digits. */
static void put_insn(FILE *f, const struct bpf_insn *x)
{
	fprintf(f, " %02x%x%x%04x%08x", x->code, x->dst_reg, x->src_reg,
		(uint16_t)x->off, (uint32_t)x->imm);
}

static int get_insn(const char *s, struct bpf_insn *x)
{
	unsigned int code, dst, src, off, imm;
	int len = 0;

	if (sscanf(s, "%2x%1x%1x%4x%8x%n", &code, &dst, &src, &off, &imm,
		   &len) != 5 || len != 16)
		return -1;
	x->code = code;
	x->dst_reg = dst;
	x->src_reg = src;
	x->off = (int16_t)off;
	x->imm = (int32_t)imm;
	return 0;
}

static int parse_line(char *line, struct rule *r)
{
	struct bpf_insn *dst = r->pat;
	unsigned int live;
	uint8_t *cnt = &r->n;
	char *tok, *save = NULL;
	int len = 0;

	memset(r, 0, sizeof(*r));
	if (sscanf(line, "live=0x%4x%n", &live, &len) != 1 || live >> 11)
		return -1;
	r->live = live;
	for (tok = strtok_r(line + len, " \t\n", &save); tok;
	     tok = strtok_r(NULL, " \t\n", &save)) {
		if (!strcmp(tok, "=>")) {
			if (dst == r->rep)
				return -1;
			dst = r->rep;
			cnt = &r->m;
			continue;
		}
		if (*cnt == BPFEXT_WIN_MAX_INSNS || get_insn(tok, &dst[*cnt]) ||
		    !insn_ok(&dst[*cnt]))
			return -1;
		(*cnt)++;
	}
	return dst == r->rep && r->n && r->m <= r->n ? 0 : -1;
}

static int load(struct bpfext_rule_cache *rc, struct bpfext_error *err)
{
	FILE *f = fopen(rc->path, "r");
	char line[1024];
	size_t lineno = 0;
	struct rule r;

	if (!f) {
		if (errno == ENOENT)
			return 0;
		return bpfext_errf(err, errno, "%s: %s", rc->path, strerror(errno));
	}
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		if (lineno == 1 && strncmp(line, CACHE_MAGIC, strlen(CACHE_MAGIC))) {
			fclose(f);
			return bpfext_errf(err, EINVAL,
					   "%s: not a bpftool-ext rule cache", rc->path);
		}
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (!strchr(line, '\n') && !feof(f)) {
			fclose(f);
			return bpfext_errf(err, EINVAL, "%s:%zu: line too long",
					   rc->path, lineno);
		}
		if (parse_line(line, &r)) {
			fclose(f);
			return bpfext_errf(err, EINVAL, "%s:%zu: malformed rule",
					   rc->path, lineno);
		}
		add_rule(rc, &r);
	}
	fclose(f);
	return 0;
}

struct bpfext_rule_cache *bpfext_rule_cache__open(const char *path,
						  struct bpfext_error *err)
{
	struct bpfext_rule_cache *rc = calloc(1, sizeof(*rc));

	if (!rc || (path && !(rc->path = strdup(path)))) {
		free(rc);
		bpfext_errf(err, ENOMEM, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&rc->lock, NULL);
	if (rc->path && load(rc, err)) {
		bpfext_rule_cache__free(rc);
		return NULL;
	}
	return rc;
}

/* mkdir -p of the directory part of @path. */
static int make_parents(const char *path, struct bpfext_error *err)
{
	char *dir = strdup(path), *p;

	if (!dir)
		return bpfext_errf(err, ENOMEM, "out of memory");
	for (p = dir + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		if (mkdir(dir, 0755) && errno != EEXIST) {
			int ret = bpfext_errf(err, errno, "cannot create %s: %s",
					      dir, strerror(errno));

			free(dir);
			return ret;
		}
		*p = '/';
	}
	free(dir);
	return 0;
}

int bpfext_rule_cache__save(struct bpfext_rule_cache *rc,
			    struct bpfext_error *err)
{
	char *buf = NULL;
	size_t size = 0, i, k;
	FILE *f;
	int ret;

	if (!rc || !rc->path || !rc->learned)
		return 0;
	f = open_memstream(&buf, &size);
	if (!f)
		return bpfext_errf(err, ENOMEM, "out of memory");
	fprintf(f, "%s\n", CACHE_MAGIC);
	pthread_mutex_lock(&rc->lock);
	for (i = 0; i < rc->cnt; i++) {
		const struct rule *r = &rc->rules[i];

		fprintf(f, "live=0x%04x", r->live);
		for (k = 0; k < r->n; k++)
			put_insn(f, &r->pat[k]);
		fputs(" =>", f);
		for (k = 0; k < r->m; k++)
			put_insn(f, &r->rep[k]);
		fputc('\n', f);
	}
	pthread_mutex_unlock(&rc->lock);
	if (fclose(f)) {
		free(buf);
		return bpfext_errf(err, ENOMEM, "out of memory");
	}
	ret = make_parents(rc->path, err);
	if (!ret)
		ret = bpfext_write_file_atomic(rc->path, buf, size, err);
	free(buf);
	return ret;
}

void bpfext_rule_cache__free(struct bpfext_rule_cache *rc)
{
	if (!rc)
		return;
	pthread_mutex_destroy(&rc->lock);
	free(rc->rules);
	free(rc->path);
	free(rc);
}

size_t bpfext_rule_cache__size(const struct bpfext_rule_cache *rc)
{
	return rc ? rc->cnt : 0;
}

size_t bpfext_rule_cache__learned(const struct bpfext_rule_cache *rc)
{
	return rc ? rc->learned : 0;
}
