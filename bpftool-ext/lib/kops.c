// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Reading the Kops op table: the running kernel's
 * /sys/kernel/bpf_kops/ops, or a target description file in the same
 * format for optimizing on behalf of another machine.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfext_internal.h"

static int copy_field(char *dst, size_t size, const char *val, size_t len)
{
	if (len >= size)
		return -EINVAL;
	memcpy(dst, val, len);
	dst[len] = 0;
	return 0;
}

static int parse_u32(const char *val, size_t len, uint32_t *out)
{
	unsigned long v = 0;
	size_t i;

	if (!len || len > 10)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (val[i] < '0' || val[i] > '9')
			return -EINVAL;
		v = v * 10 + (val[i] - '0');
	}
	if (v > UINT32_MAX)
		return -EINVAL;
	*out = v;
	return 0;
}

/* One "key=value key=value ..." line. */
static int parse_line(char *line, struct bpfext_kops_op *op, const char **bad)
{
	bool have_id = false, have_name = false;
	char *tok, *save = NULL;
	uint32_t v;

	memset(op, 0, sizeof(*op));
	op->users = -1;
	for (tok = strtok_r(line, " \t", &save); tok;
	     tok = strtok_r(NULL, " \t", &save)) {
		char *eq = strchr(tok, '=');
		const char *val;
		size_t klen, vlen;
		int ret = 0;

		*bad = tok;
		if (!eq || eq == tok)
			return -EINVAL;
		klen = eq - tok;
		val = eq + 1;
		vlen = strlen(val);
		if (klen == 2 && !strncmp(tok, "id", 2)) {
			ret = parse_u32(val, vlen, &op->id);
			have_id = !ret && op->id;
			if (!ret && !op->id)
				ret = -EINVAL;
		} else if (klen == 4 && !strncmp(tok, "name", 4)) {
			ret = copy_field(op->name, sizeof(op->name), val, vlen);
			have_name = !ret && vlen;
		} else if (klen == 4 && !strncmp(tok, "form", 4)) {
			ret = copy_field(op->form, sizeof(op->form), val, vlen);
		} else if (klen == 3 && !strncmp(tok, "len", 3)) {
			ret = parse_u32(val, vlen, &op->len);
		} else if (klen == 5 && !strncmp(tok, "archs", 5)) {
			ret = copy_field(op->archs, sizeof(op->archs), val, vlen);
		} else if (klen == 5 && !strncmp(tok, "flags", 5)) {
			op->priv = strstr(val, "priv") != NULL;
		} else if (klen == 5 && !strncmp(tok, "users", 5)) {
			ret = parse_u32(val, vlen, &v);
			op->users = ret ? -1 : (int32_t)v;
		} else if (klen == 5 && !strncmp(tok, "owner", 5)) {
			ret = copy_field(op->owner, sizeof(op->owner), val, vlen);
		}
		if (ret)
			return ret;
	}
	*bad = "id= and name=";
	return have_id && have_name ? 0 : -EINVAL;
}

int bpfext_kops_read(const char *path, struct bpfext_kops_op **opsp,
		     size_t *cntp, struct bpfext_error *err)
{
	struct bpfext_kops_op *ops = NULL, *tmp;
	size_t cnt = 0, lineno = 0, i;
	char *line = NULL;
	size_t cap = 0;
	FILE *f;
	int ret = 0;

	f = fopen(path, "re");
	if (!f)
		return bpfext_errf(err, errno, "%s", strerror(errno));
	while (getline(&line, &cap, f) > 0) {
		struct bpfext_kops_op op;
		const char *bad = "";
		char *p = line;

		lineno++;
		p[strcspn(p, "#\r\n")] = 0;
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			continue;
		if (parse_line(p, &op, &bad)) {
			ret = bpfext_errf(err, EINVAL, "line %zu: bad field '%s'",
					  lineno, bad);
			goto out;
		}
		for (i = 0; i < cnt; i++) {
			if (ops[i].id == op.id || !strcmp(ops[i].name, op.name)) {
				ret = bpfext_errf(err, EINVAL,
						  "line %zu: op %u (%s) listed twice",
						  lineno, op.id, op.name);
				goto out;
			}
		}
		tmp = realloc(ops, (cnt + 1) * sizeof(*ops));
		if (!tmp) {
			ret = bpfext_errf(err, ENOMEM, "out of memory");
			goto out;
		}
		ops = tmp;
		ops[cnt++] = op;
	}
	if (ferror(f))
		ret = bpfext_errf(err, EIO, "read error");
out:
	fclose(f);
	free(line);
	if (ret) {
		free(ops);
		return ret;
	}
	*opsp = ops;
	*cntp = cnt;
	return 0;
}

bool bpfext_kops_op__has_arch(const struct bpfext_kops_op *op,
			      const char *arch)
{
	size_t n = strlen(arch);
	const char *p = op->archs;

	while ((p = strstr(p, arch))) {
		if ((p == op->archs || p[-1] == ',') &&
		    (p[n] == 0 || p[n] == ','))
			return true;
		p += n;
	}
	return false;
}
