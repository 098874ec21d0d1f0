// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Loading programs into the running kernel.
 *
 * Objects that libbpf 1.x accepts are loaded by libbpf from the
 * serialised image, so what is checked is exactly what would be written.
 * libbpf refuses legacy "maps" sections; for those objects the maps are
 * created and the program relocated here, the way the samples/bpf loader
 * used to do it.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "object/object.h"

#define LOG_SIZE (1u << 20)
#define LOG_TAIL_LINES 20
#define NO_LOG_MSG "(no verifier log)"
#define UNKNOWN_TYPE_MSG \
	"cannot tell the program type from the section name; use 'type TYPE'"

static char *log_tail(const char *log)
{
	const char *end = log + strlen(log), *p = end;
	int lines = 0;

	while (p > log && end[-1] == '\n')
		end--, p--;
	while (p > log) {
		if (p[-1] == '\n' && ++lines == LOG_TAIL_LINES)
			break;
		p--;
	}
	return strndup(p, end - p);
}

/*
 * Maps an object pins by name (LIBBPF_PIN_BY_NAME) are created in, or
 * reused from, /sys/fs/bpf: a program deployed with `pin` shares them
 * with the tools that configure it, as `bpftool prog load` does.  Any
 * other load (a check, a replay, or maps pinned under `pinmaps`) must
 * neither touch the maps of a tool that is running nor leave pins
 * behind: such maps are not pinned by name there.
 */
static int unpin_by_name(struct bpf_object *bobj, struct bpfext_error *err)
{
	struct bpf_map *m;

	bpf_object__for_each_map(m, bobj) {
		if (bpf_map__pin_path(m) && bpf_map__set_pin_path(m, NULL))
			return bpfext_errf(err, errno, "map %s: cannot drop its pin path: %s",
					   bpf_map__name(m), strerror(errno));
	}
	return 0;
}

/* Does the kernel want max_entries of a map of type @t? */
static bool sized_map(enum bpf_map_type t)
{
	switch ((int)t) {
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY:	/* libbpf sizes it */
	case BPF_MAP_TYPE_CGROUP_STORAGE:
	case BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE:
	case BPF_MAP_TYPE_SK_STORAGE:
	case BPF_MAP_TYPE_INODE_STORAGE:
	case BPF_MAP_TYPE_TASK_STORAGE:
	case 32:				/* BPF_MAP_TYPE_CGRP_STORAGE */
		return false;
	default:
		return true;
	}
}

/*
 * A map the object leaves unsized (max_entries 0), which the kernel
 * refuses: the program's own loader sets the size before loading.
 * libbpf sizes perf event arrays itself.
 */
static char *unsized_map(struct bpf_object *bobj)
{
	struct bpf_map *m;
	char *s;

	bpf_object__for_each_map(m, bobj) {
		if (bpf_map__max_entries(m) || !sized_map(bpf_map__type(m)))
			continue;
		if (asprintf(&s, "map '%s' has max_entries 0 in the object: its own loader sizes it before loading",
			     bpf_map__name(m)) < 0)
			return NULL;
		return s;
	}
	return NULL;
}

/* The sizes the user gives for what the object's own loader sizes. */
static int set_map_sizes(struct bpf_object *bobj, const struct bpfext_load_opts *opts,
			 struct bpfext_error *err)
{
	size_t i;

	for (i = 0; i < opts->nr_map_sizes; i++) {
		const struct bpfext_map_size *ms = &opts->map_sizes[i];
		struct bpf_map *m = bpf_object__find_map_by_name(bobj, ms->name);

		if (!m)
			return bpfext_errf(err, ENOENT, "no map named '%s' to size", ms->name);
		if (bpf_map__set_max_entries(m, ms->max_entries))
			return bpfext_errf(err, EINVAL, "map %s: cannot set max_entries %u",
					   ms->name, ms->max_entries);
	}
	return 0;
}

static int fill_info(int fd, const struct bpfext_load_opts *opts,
		     struct bpfext_load_result *res, struct bpfext_error *err)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return bpfext_errf(err, errno, "cannot read program info: %s",
				   strerror(errno));
	res->loaded = true;
	res->verified_insns = info.verified_insns;
	res->xlated_len = info.xlated_prog_len;
	res->jited_len = info.jited_prog_len;
	if (opts && opts->want_xlated && info.xlated_prog_len) {
		__u32 xlen = info.xlated_prog_len;

		res->xlated = malloc(xlen);
		if (!res->xlated)
			return bpfext_errf(err, ENOMEM, "out of memory");
		memset(&info, 0, sizeof(info));
		info.xlated_prog_len = xlen;
		info.xlated_prog_insns = (__u64)(unsigned long)res->xlated;
		len = sizeof(info);
		if (bpf_obj_get_info_by_fd(fd, &info, &len))
			return bpfext_errf(err, errno, "cannot read xlated program: %s",
					   strerror(errno));
	}
	return 0;
}

/*
 * bpfext_load_opts.data_seed: the initial value of a .rodata, .data or
 * .bss section as a skeleton might set it, the same for every build.
 */
static void perturb_data(const char *sec, uint8_t *buf, size_t n, uint64_t seed)
{
	uint64_t s = seed;
	size_t i;

	if (!seed)
		return;
	for (i = 0; sec[i]; i++)
		s = (s ^ (uint8_t)sec[i]) * 0x100000001b3ull;
	for (i = 0; i < n; i++) {
		s ^= s >> 12;
		s ^= s << 25;
		s ^= s >> 27;
		buf[i] ^= (uint8_t)((s * 0x2545f4914f6cdd1dull) >> 62);
	}
}

/* The section an internal map of libbpf holds, if it is perturbed. */
static const char *perturbed_section(const char *map_name)
{
	static const char *const secs[] = { ".rodata", ".data", ".bss" };
	size_t i, n = strlen(map_name), k;

	for (i = 0; i < ARRAY_SIZE(secs); i++) {
		k = strlen(secs[i]);
		if (n >= k && !strcmp(map_name + n - k, secs[i]))
			return secs[i];
	}
	return NULL;
}

static int perturb_maps(struct bpf_object *bobj, uint64_t seed,
			struct bpfext_error *err)
{
	struct bpf_map *m;

	bpf_object__for_each_map(m, bobj) {
		const char *sec = perturbed_section(bpf_map__name(m));
		const void *cur;
		size_t size = 0;
		uint8_t *buf;
		int ret;

		if (!bpf_map__is_internal(m) || !sec)
			continue;
		cur = bpf_map__initial_value(m, &size);
		if (!cur || !size)
			continue;
		buf = malloc(size);
		if (!buf)
			return bpfext_errf(err, ENOMEM, "out of memory");
		memcpy(buf, cur, size);
		perturb_data(sec, buf, size, seed);
		ret = bpf_map__set_initial_value(m, buf, size);
		free(buf);
		if (ret)
			return bpfext_errf(err, -ret, "cannot set the contents of %s: %s",
					   sec, strerror(-ret));
	}
	return 0;
}

static int load_with_libbpf(struct bpfext_object *obj,
			    const struct bpfext_prog *only,
			    const struct bpfext_load_opts *opts,
			    struct bpfext_load_result *res,
			    struct bpfext_error *err)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo);
	struct bpf_object *bobj = NULL;
	struct bpf_program *p;
	size_t i, n = only ? 1 : obj->nr_progs;
	char **logs = NULL;
	int *slot = NULL;
	void *img = NULL;
	size_t size;
	int ret, k;

	ret = bpfext_object__write_image(obj, BPFEXT_WRITE_GLOBAL_PROGS, &img, &size, err);
	if (ret)
		return ret;
	logs = calloc(n, sizeof(*logs));
	slot = calloc(n, sizeof(*slot));
	if (!logs || !slot)
		goto nomem;
	for (i = 0; i < n; i++) {
		logs[i] = calloc(1, LOG_SIZE);
		if (!logs[i])
			goto nomem;
	}
	oo.btf_custom_path = opts ? opts->btf_custom_path : NULL;
	bobj = bpf_object__open_mem(img, size, &oo);
	if (!bobj) {
		ret = bpfext_errf(err, errno, "libbpf cannot open the object: %s",
				  strerror(errno));
		goto out;
	}
	if (opts && opts->data_seed) {
		ret = perturb_maps(bobj, opts->data_seed, err);
		if (ret)
			goto out;
	}
	if (opts) {
		ret = set_map_sizes(bobj, opts, err);
		if (ret)
			goto out;
	}
	if (!opts || !opts->pin_path || opts->pinmaps_dir) {
		ret = unpin_by_name(bobj, err);
		if (ret)
			goto out;
	}
	bpf_object__for_each_program(p, bobj) {
		const struct bpfext_prog *q = NULL;

		/* Function names are unique in an object. */
		for (i = 0; i < obj->nr_progs; i++)
			if (!strcmp(obj->progs[i].name, bpf_program__name(p)))
				q = &obj->progs[i];
		bpf_program__set_autoload(p, q && (!only || q == only));
		if (!q || (only && q != only))
			continue;
		if (bpf_program__type(p) == BPF_PROG_TYPE_UNSPEC ||
		    (q->type_known && bpf_program__type(p) != q->type)) {
			bpf_program__set_type(p, q->type);
			bpf_program__set_expected_attach_type(p, q->attach_type);
		}
		k = only ? 0 : (int)(q - obj->progs);
		slot[k] = 1;
		bpf_program__set_log_buf(p, logs[k], LOG_SIZE);
	}
	for (i = 0; i < n; i++)
		if (!slot[i]) {
			ret = bpfext_errf(err, ENOENT, "libbpf does not see program %s",
					  only ? only->name : obj->progs[i].name);
			goto out;
		}
	if (bpf_object__load(bobj)) {
		char *unsized = unsized_map(bobj);

		/* libbpf stops at the first rejection; report every log. */
		for (i = 0; i < n; i++) {
			res[i].no_log = !logs[i][0] && !unsized;
			res[i].log_tail = log_tail(logs[i][0] ? logs[i] :
						   unsized ? unsized : NO_LOG_MSG);
		}
		free(unsized);
		ret = 0;
		goto out;
	}
	k = 0;
	bpf_object__for_each_program(p, bobj) {
		if (!bpf_program__autoload(p))
			continue;
		for (i = 0; i < obj->nr_progs; i++)
			if (!strcmp(obj->progs[i].name, bpf_program__name(p)))
				break;
		k = only ? 0 : (int)i;
		ret = fill_info(bpf_program__fd(p), opts, &res[k], err);
		if (ret)
			goto out;
		if (opts && opts->keep_fd)
			res[k].prog_fd = dup(bpf_program__fd(p));
	}
	if (opts && opts->pinmaps_dir && bpf_object__pin_maps(bobj, opts->pinmaps_dir)) {
		ret = bpfext_errf(err, errno, "cannot pin maps under %s: %s",
				  opts->pinmaps_dir, strerror(errno));
		goto out;
	}
	bpf_object__for_each_program(p, bobj) {
		char path[4096];

		if (!opts || !opts->pin_path || !bpf_program__autoload(p))
			continue;
		snprintf(path, sizeof(path), "%s/%s", opts->pin_path,
			 bpf_program__name(p));
		if (bpf_program__pin(p, path)) {
			ret = bpfext_errf(err, errno, "cannot pin program at %s: %s",
					  path, strerror(errno));
			goto out;
		}
	}
	goto out;
nomem:
	ret = bpfext_errf(err, ENOMEM, "out of memory");
out:
	bpf_object__close(bobj);
	for (i = 0; logs && i < n; i++)
		free(logs[i]);
	free(logs);
	free(slot);
	free(img);
	return ret;
}

/*
 * Legacy objects: maps from struct bpf_map_def, created here; each
 * program linked by object/link.c, whose map indices become fds.
 */
struct legacy_ctx {
	struct bpfext_object *obj;
	int *map_fds;			/* legacy maps, by index */
	int data_fds[16];		/* one array map per data section */
	uint64_t data_seed;		/* bpfext_load_opts.data_seed */
	const struct bpfext_load_opts *opts;
};

/*
 * What loaders fill in that legacy definitions leave out (libbpf,
 * cilium/ebpf): a perf event array holds one u32 fd per possible CPU.
 */
static int legacy_map_size(const struct bpfext_legacy_map *m, __u32 *key_size,
			   __u32 *value_size, __u32 *max_entries)
{
	int cpus;

	*key_size = m->key_size;
	*value_size = m->value_size;
	*max_entries = m->max_entries;
	if (m->type != BPF_MAP_TYPE_PERF_EVENT_ARRAY)
		return 0;
	if (!*key_size)
		*key_size = 4;
	if (!*value_size)
		*value_size = 4;
	if (!*max_entries) {
		cpus = libbpf_num_possible_cpus();
		if (cpus < 0)
			return cpus;
		*max_entries = (__u32)cpus;
	}
	return 0;
}

static int create_legacy_maps(struct legacy_ctx *c, struct bpfext_error *err)
{
	struct bpfext_object *obj = c->obj;
	size_t i, round;

	for (i = 0; c->opts && i < c->opts->nr_map_sizes; i++) {
		size_t k;

		for (k = 0; k < obj->nr_maps; k++)
			if (!strcmp(obj->maps[k].name, c->opts->map_sizes[i].name))
				break;
		if (k == obj->nr_maps)
			return bpfext_errf(err, ENOENT, "no map named '%s' to size",
					   c->opts->map_sizes[i].name);
	}
	c->map_fds = malloc((obj->nr_maps + 1) * sizeof(int));
	if (!c->map_fds)
		return bpfext_errf(err, ENOMEM, "out of memory");
	for (i = 0; i < obj->nr_maps; i++)
		c->map_fds[i] = -1;
	/* Inner maps first: two rounds settle one level of nesting. */
	for (round = 0; round < 2; round++) {
		for (i = 0; i < obj->nr_maps; i++) {
			const struct bpfext_legacy_map *m = &obj->maps[i];
			LIBBPF_OPTS(bpf_map_create_opts, mo,
				    .map_flags = m->map_flags,
				    .numa_node = m->map_flags & BPF_F_NUMA_NODE ?
						 m->numa_node : 0);
			__u32 key_size, value_size, max_entries;
			char name[BPF_OBJ_NAME_LEN];
			size_t j;
			int ret;

			if (c->map_fds[i] >= 0)
				continue;
			if (m->inner_map_idx < 0 &&
			    (m->type == BPF_MAP_TYPE_ARRAY_OF_MAPS ||
			     m->type == BPF_MAP_TYPE_HASH_OF_MAPS))
				return bpfext_errf(err, EINVAL,
						   "map %s: a map of maps with no inner map in the object (inner_map_idx): its own loader supplies one",
						   m->name);
			if (m->inner_map_idx >= 0) {
				if ((size_t)m->inner_map_idx >= obj->nr_maps)
					return bpfext_errf(err, EINVAL,
							   "map %s: inner map index %d is invalid",
							   m->name, m->inner_map_idx);
				if (c->map_fds[m->inner_map_idx] < 0) {
					if (round)
						return bpfext_errf(err, EINVAL,
								   "map %s: nested inner maps are not supported",
								   m->name);
					continue;
				}
				mo.inner_map_fd = c->map_fds[m->inner_map_idx];
			}
			for (j = 0; j < sizeof(name) - 1 && m->name[j]; j++)
				name[j] = (m->name[j] == '_' || m->name[j] == '.' ||
					   (m->name[j] >= '0' && m->name[j] <= '9') ||
					   ((m->name[j] | 32) >= 'a' &&
					    (m->name[j] | 32) <= 'z')) ? m->name[j] : '_';
			name[j] = 0;
			ret = legacy_map_size(m, &key_size, &value_size, &max_entries);
			if (ret)
				return bpfext_errf(err, -ret, "map %s: cannot count the possible CPUs: %s",
						   m->name, strerror(-ret));
			for (j = 0; c->opts && j < c->opts->nr_map_sizes; j++)
				if (!strcmp(m->name, c->opts->map_sizes[j].name))
					max_entries = c->opts->map_sizes[j].max_entries;
			c->map_fds[i] = bpf_map_create(m->type, name, key_size, value_size,
						       max_entries, &mo);
			if (c->map_fds[i] < 0)
				return bpfext_errf(err, errno, "cannot create map %s: %s",
						   m->name, strerror(errno));
		}
	}
	return 0;
}

static void close_legacy(struct legacy_ctx *c)
{
	size_t i;

	for (i = 0; c->map_fds && i < c->obj->nr_maps; i++)
		if (c->map_fds[i] >= 0)
			close(c->map_fds[i]);
	for (i = 0; i < c->obj->nr_data; i++)
		if (c->data_fds[i] >= 0)
			close(c->data_fds[i]);
	free(c->map_fds);
}

/*
 * Global data the way libbpf does it: one single-element array map per
 * section (@d, the @i-th data section), read-only to programs for .rodata.
 */
static int data_map_fd(struct legacy_ctx *c, size_t i,
		       const struct bpfext_map_desc *d, struct bpfext_error *err)
{
	const char *name = d->name;
	char mname[BPF_OBJ_NAME_LEN];
	__u32 zero = 0;
	uint8_t *val;
	int fd;

	if (c->data_fds[i] >= 0)
		return c->data_fds[i];
	LIBBPF_OPTS(bpf_map_create_opts, mo,
		    .map_flags = d->rdonly_prog ? BPF_F_RDONLY_PROG : 0);
	snprintf(mname, sizeof(mname), "%.8s", name + 1);
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, mname, 4, d->value_size, 1, &mo);
	if (fd < 0)
		return bpfext_errf(err, errno, "cannot create a map for %s: %s",
				   name, strerror(errno));
	c->data_fds[i] = fd;
	val = malloc(d->value_size);
	if (!val)
		return bpfext_errf(err, ENOMEM, "out of memory");
	memcpy(val, d->init, d->value_size);
	if (perturbed_section(name) && !strcmp(perturbed_section(name), name))
		perturb_data(name, val, d->value_size, c->data_seed);
	if (bpf_map_update_elem(fd, &zero, val, 0) ||
	    (d->rdonly_prog && bpf_map_freeze(fd))) {
		free(val);
		return bpfext_errf(err, errno, "cannot fill the map for %s: %s",
				   name, strerror(errno));
	}
	free(val);
	return fd;
}

/* The fd of map @m of @lp: a legacy map (link.c lists them first), or data. */
static int legacy_map_fd(struct legacy_ctx *c, const struct bpfext_linked_prog *lp,
			 uint32_t m, struct bpfext_error *err)
{
	struct bpfext_object *obj = c->obj;
	const struct bpfext_map_desc *d = &lp->maps[m];
	size_t i;

	if (m < obj->nr_maps)
		return c->map_fds[m];
	for (i = 0; d->is_data && i < obj->nr_data; i++)
		if (!strcmp(bpfext_object__shname(obj, obj->data_shndx[i]), d->name))
			return data_map_fd(c, i, d, err);
	return bpfext_errf(err, ENOTSUP,
			   "%s: map %s is not supported in objects with legacy maps",
			   lp->name, d->name);
}

/* Map indices of @lp become fds; what has no fd is refused. */
static int legacy_relocate(struct legacy_ctx *c, struct bpfext_linked_prog *lp,
			   struct bpfext_error *err)
{
	size_t i;
	int fd;

	for (i = 0; i < lp->nr_ltv; i++)
		if (!strncmp(lp->ltv[i].key, "ksym:", 5))
			return bpfext_errf(err, ENOTSUP,
					   "%s: insn %zu: relocation against %s is not supported in objects with legacy maps",
					   lp->name, lp->ltv[i].slot, lp->ltv[i].key + 5);
	for (i = 0; i < lp->cnt; i++) {
		struct bpf_insn *x = &lp->insns[i];

		if (!bpfext_insn_is_ldimm64(x))
			continue;
		if (x->src_reg == BPF_PSEUDO_MAP_IDX ||
		    x->src_reg == BPF_PSEUDO_MAP_IDX_VALUE) {
			fd = legacy_map_fd(c, lp, (uint32_t)x->imm, err);
			if (fd < 0)
				return fd;
			x->src_reg = x->src_reg == BPF_PSEUDO_MAP_IDX ?
				     BPF_PSEUDO_MAP_FD : BPF_PSEUDO_MAP_VALUE;
			x->imm = fd;
		}
		i++;
	}
	return 0;
}

static int legacy_load_one(struct legacy_ctx *c, const struct bpfext_prog *prog,
			   const struct bpfext_load_opts *opts,
			   struct bpfext_load_result *res,
			   struct bpfext_error *err)
{
	struct bpfext_object *obj = c->obj;
	struct bpfext_linked_prog lp;
	LIBBPF_OPTS(bpf_prog_load_opts, lo);
	char *log = NULL;
	int fd = -1, ret;

	if (!prog->type_known) {
		res->log_tail = strdup(UNKNOWN_TYPE_MSG);
		return res->log_tail ? 0 : -ENOMEM;
	}
	ret = bpfext_prog__linked_insns(obj, prog, &lp, err);
	if (ret)
		return ret;
	ret = legacy_relocate(c, &lp, err);
	if (ret)
		goto out;

	log = calloc(1, LOG_SIZE);
	if (!log)
		goto nomem;
	lo.expected_attach_type = prog->attach_type;
	lo.kern_version = obj->kern_version;
	fd = bpf_prog_load(prog->type, prog->name, obj->license, lp.insns,
			   lp.cnt, &lo);
	if (fd < 0) {
		lo.log_buf = log;
		lo.log_size = LOG_SIZE;
		lo.log_level = 1;
		fd = bpf_prog_load(prog->type, prog->name, obj->license,
				   lp.insns, lp.cnt, &lo);
	}
	if (fd < 0) {
		res->loaded = false;
		res->no_log = !log[0];
		res->log_tail = log_tail(log[0] ? log : strerror(errno));
		ret = 0;
		goto out;
	}
	ret = fill_info(fd, opts, res, err);
	if (ret)
		goto out;
	if (opts && opts->pin_path) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/%s", opts->pin_path, prog->name);
		if (bpf_obj_pin(fd, path)) {
			ret = bpfext_errf(err, errno, "cannot pin program at %s: %s",
					  path, strerror(errno));
			goto out;
		}
	}
	if (opts && opts->keep_fd) {
		res->prog_fd = fd;
		fd = -1;
	}
	goto out;
nomem:
	ret = bpfext_errf(err, ENOMEM, "out of memory");
out:
	if (fd >= 0)
		close(fd);
	free(log);
	bpfext_linked_prog__free(&lp);
	return ret;
}

static int load_legacy(struct bpfext_object *obj, const struct bpfext_prog *only,
		       const struct bpfext_load_opts *opts,
		       struct bpfext_load_result *res, struct bpfext_error *err)
{
	struct legacy_ctx c = { .obj = obj, .data_seed = opts ? opts->data_seed : 0,
				.opts = opts };
	size_t i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(c.data_fds); i++)
		c.data_fds[i] = -1;
	ret = create_legacy_maps(&c, err);
	if (ret)
		goto out;
	for (i = 0; i < obj->nr_progs; i++) {
		const struct bpfext_prog *prog = &obj->progs[i];

		if (only && prog != only)
			continue;
		ret = legacy_load_one(&c, prog, opts, only ? res : &res[i], err);
		if (ret)
			goto out;
	}
	if (opts && opts->pinmaps_dir) {
		for (i = 0; i < obj->nr_maps; i++) {
			char path[4096];

			snprintf(path, sizeof(path), "%s/%s", opts->pinmaps_dir,
				 obj->maps[i].name);
			if (bpf_obj_pin(c.map_fds[i], path)) {
				ret = bpfext_errf(err, errno, "cannot pin map %s at %s: %s",
						  obj->maps[i].name, path,
						  strerror(errno));
				goto out;
			}
		}
	}
out:
	close_legacy(&c);
	return ret;
}

/*
 * @only failed before the verifier saw it, which happens when the object
 * needs its other programs too (a program array its .maps section fills
 * with them, as cilium/ebpf's btf_map_init does).  Try the whole object;
 * keep the first answer unless @only loads that way.
 */
static int load_with_others(struct bpfext_object *obj, const struct bpfext_prog *only,
			    const struct bpfext_load_opts *opts,
			    struct bpfext_load_result *res)
{
	struct bpfext_load_result *all = calloc(obj->nr_progs, sizeof(*all));
	struct bpfext_error err = { "" };
	size_t i, k = (size_t)(only - obj->progs);

	if (!all)
		return 0;
	for (i = 0; i < obj->nr_progs; i++)
		all[i].prog_fd = -1;
	if (!load_with_libbpf(obj, NULL, opts, all, &err) && all[k].loaded) {
		bpfext_load_result__free(res);
		*res = all[k];
		memset(&all[k], 0, sizeof(all[k]));
		all[k].prog_fd = -1;
	}
	for (i = 0; i < obj->nr_progs; i++)
		bpfext_load_result__free(&all[i]);
	free(all);
	return 0;
}

int bpfext_object__load(struct bpfext_object *obj,
			const struct bpfext_prog *only,
			const struct bpfext_load_opts *user_opts,
			struct bpfext_load_result *res, struct bpfext_error *err)
{
	size_t i, n = only ? 1 : obj->nr_progs;
	struct bpfext_load_opts opts;
	int ret;

	for (i = 0; i < n; i++) {
		memset(&res[i], 0, sizeof(res[i]));
		res[i].prog_fd = -1;
	}
	if (BPFEXT_OPTS_GET(&opts, user_opts, bpfext_load_opts))
		return bpfext_errf(err, EINVAL, "invalid bpfext_load_opts");
	if (only && !only->type_known) {
		res->log_tail = strdup(UNKNOWN_TYPE_MSG);
		return res->log_tail ? 0 : bpfext_errf(err, ENOMEM, "out of memory");
	}
	if (obj->maps_shndx)
		return load_legacy(obj, only, &opts, res, err);
	ret = load_with_libbpf(obj, only, &opts, res, err);
	if (ret || !only || res->loaded || opts.pin_path || opts.pinmaps_dir ||
	    !res->no_log)
		return ret;
	return load_with_others(obj, only, &opts, res);
}

void bpfext_load_result__free(struct bpfext_load_result *res)
{
	free(res->xlated);
	free(res->log_tail);
	if (res->prog_fd >= 0)
		close(res->prog_fd);
	res->xlated = NULL;
	res->log_tail = NULL;
	res->prog_fd = -1;
}
