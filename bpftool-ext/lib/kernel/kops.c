// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Reading the Kops op table: the running kernel's /sys/kernel/bpf_kops/ops
 * (a directory per op, a file per value), or a target description file
 * (a line per op, key=value fields with the same names) for optimizing on
 * behalf of another machine.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/util.h"

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

/*
 * Field @key of @op from @val (@vlen bytes).  archs are stored
 * comma-separated, whether they came space- (sysfs) or comma-separated.
 */
static int set_field(struct bpfext_kops_op *op, const char *key,
		     const char *val, size_t vlen)
{
	uint32_t v;
	size_t i;
	int ret = 0;

	if (!strcmp(key, "id")) {
		ret = parse_u32(val, vlen, &op->id);
		if (!ret && !op->id)
			ret = -EINVAL;
	} else if (!strcmp(key, "name")) {
		ret = copy_field(op->name, sizeof(op->name), val, vlen);
		if (!ret && !vlen)
			ret = -EINVAL;
	} else if (!strcmp(key, "form")) {
		ret = copy_field(op->form, sizeof(op->form), val, vlen);
	} else if (!strcmp(key, "len")) {
		ret = parse_u32(val, vlen, &op->len);
	} else if (!strcmp(key, "archs")) {
		ret = copy_field(op->archs, sizeof(op->archs), val, vlen);
		for (i = 0; !ret && op->archs[i]; i++)
			if (op->archs[i] == ' ')
				op->archs[i] = ',';
	} else if (!strcmp(key, "flags")) {
		op->perfmon = memmem(val, vlen, "perfmon", 7) != NULL;
	} else if (!strcmp(key, "users")) {
		ret = parse_u32(val, vlen, &v);
		op->users = ret ? -1 : (int32_t)v;
		ret = 0;
	} else if (!strcmp(key, "owner")) {
		ret = copy_field(op->owner, sizeof(op->owner), val, vlen);
	}
	return ret;
}

/* One "key=value key=value ..." line. */
static int parse_line(char *line, struct bpfext_kops_op *op, const char **bad)
{
	char *tok, *save = NULL;

	for (tok = strtok_r(line, " \t", &save); tok;
	     tok = strtok_r(NULL, " \t", &save)) {
		char *eq = strchr(tok, '=');

		*bad = tok;
		if (!eq || eq == tok)
			return -EINVAL;
		*eq = 0;
		if (set_field(op, tok, eq + 1, strlen(eq + 1))) {
			*eq = '=';
			return -EINVAL;
		}
	}
	*bad = "id= and name=";
	return op->id && op->name[0] ? 0 : -EINVAL;
}

static int add_op(struct bpfext_kops_op **ops, size_t *cnt,
		  const struct bpfext_kops_op *op, struct bpfext_error *err,
		  const char *where)
{
	size_t i, cap = *cnt;

	for (i = 0; i < *cnt; i++)
		if ((*ops)[i].id == op->id || !strcmp((*ops)[i].name, op->name))
			return bpfext_errf(err, EINVAL, "%sop %u (%s) listed twice",
					   where, op->id, op->name);
	if (bpfext_grow(ops, &cap, *cnt + 1, sizeof(**ops)))
		return bpfext_errf(err, ENOMEM, "out of memory");
	(*ops)[(*cnt)++] = *op;
	return 0;
}

/* A target description file: a line per op */
static int read_file(FILE *f, struct bpfext_kops_op **ops, size_t *cnt,
		     struct bpfext_error *err)
{
	size_t lineno = 0, cap = 0;
	char *line = NULL, where[32];
	int ret = 0;

	while (!ret && getline(&line, &cap, f) > 0) {
		struct bpfext_kops_op op = { .users = -1 };
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
			break;
		}
		snprintf(where, sizeof(where), "line %zu: ", lineno);
		ret = add_op(ops, cnt, &op, err, where);
	}
	if (!ret && ferror(f))
		ret = bpfext_errf(err, EIO, "read error");
	free(line);
	return ret;
}

/* The value of @dir/@name/@key, without its newline, into @buf */
static int read_value(int dfd, const char *name, const char *key, char *buf,
		      size_t size)
{
	char path[BPFEXT_KOPS_NAME_MAX + 16];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", name, key);
	fd = openat(dfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	if (n && buf[n - 1] == '\n')
		buf[--n] = 0;
	return 0;
}

/* The running kernel's sysfs: a directory per op, a file per value */
static int read_dir(DIR *dir, struct bpfext_kops_op **ops, size_t *cnt,
		    struct bpfext_error *err)
{
	static const char *const keys[] = {
		"id", "form", "len", "archs", "flags", "users", "owner",
	};
	struct dirent *e;
	char val[256];
	size_t i;
	int ret;

	while ((e = readdir(dir))) {
		struct bpfext_kops_op op = { .users = -1 };

		if (e->d_name[0] == '.')
			continue;
		if (set_field(&op, "name", e->d_name, strlen(e->d_name)))
			return bpfext_errf(err, EINVAL, "bad op name '%s'",
					   e->d_name);
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			ret = read_value(dirfd(dir), e->d_name, keys[i], val,
					 sizeof(val));
			/* an op unregistered while we read is skipped */
			if (ret == -ENOENT && !i)
				break;
			if (ret || set_field(&op, keys[i], val, strlen(val)))
				return bpfext_errf(err, ret ? -ret : EINVAL,
						   "%s/%s: bad value", e->d_name,
						   keys[i]);
		}
		if (i < sizeof(keys) / sizeof(keys[0]))
			continue;
		ret = add_op(ops, cnt, &op, err, "");
		if (ret)
			return ret;
	}
	return 0;
}

static int cmp_id(const void *a, const void *b)
{
	const struct bpfext_kops_op *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

int bpfext_kops_read(const char *path, struct bpfext_kops_op **opsp,
		     size_t *cntp, struct bpfext_error *err)
{
	struct bpfext_kops_op *ops = NULL;
	struct stat st;
	size_t cnt = 0;
	int ret;

	if (stat(path, &st))
		return bpfext_errf(err, errno, "%s", strerror(errno));
	if (S_ISDIR(st.st_mode)) {
		DIR *dir = opendir(path);

		if (!dir)
			return bpfext_errf(err, errno, "%s", strerror(errno));
		ret = read_dir(dir, &ops, &cnt, err);
		closedir(dir);
	} else {
		FILE *f = fopen(path, "re");

		if (!f)
			return bpfext_errf(err, errno, "%s", strerror(errno));
		ret = read_file(f, &ops, &cnt, err);
		fclose(f);
	}
	if (ret) {
		free(ops);
		return ret;
	}
	qsort(ops, cnt, sizeof(*ops), cmp_id);
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
