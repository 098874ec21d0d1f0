// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Link a program with the .text subprograms it reaches and resolve its
 * map and global data references to indices into a map table, for the
 * interpreter and the checker.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "object/object.h"

struct placed {
	struct bpfext_section *sec;
	size_t func;
	size_t base;
};

struct link_ctx {
	struct bpfext_object *obj;
	struct bpfext_linked_prog *lp;
	struct placed *placed;
	size_t nr_placed, cap_placed;
	size_t cap, cap_maps, cap_ltv;
	/* obj map index -> lp map index: legacy maps, BTF maps, data */
	size_t nr_legacy;
	size_t btf_first, nr_btf;
	size_t data_first;
	size_t *btf_off;		/* .maps offset of each BTF map */
	long kconfig;			/* lp map index of .kconfig, -1: none */
};

/* The DATASEC of BTF named @name, or NULL. */
static const struct btf_type *datasec(const struct btf *btf, const char *name)
{
	uint32_t id, n = btf ? btf__type_cnt(btf) : 0;

	for (id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);

		if (btf_is_datasec(t) &&
		    !strcmp(btf__name_by_offset(btf, t->name_off), name))
			return t;
	}
	return NULL;
}

/*
 * Offset of extern @name in the .kconfig map (8-byte aligned slots in
 * the DATASEC's order, as libbpf lays them out; its exact layout does
 * not matter, as long as both builds of a program get the same one),
 * or -1 if @name is no __kconfig extern.  With @size, the map's size.
 */
static long kconfig_off(const struct btf *btf, const char *name, uint32_t *size)
{
	const struct btf_type *sec = datasec(btf, ".kconfig");
	const struct btf_var_secinfo *vs;
	long off = 0, at = -1;
	uint16_t i;

	if (!sec)
		return -1;
	vs = btf_var_secinfos(sec);
	for (i = 0; i < btf_vlen(sec); i++, vs++) {
		const struct btf_type *v = btf__type_by_id(btf, vs->type);
		long sz = v ? btf__resolve_size(btf, v->type) : -1;

		if (sz <= 0)
			sz = 8;
		if (v && name &&
		    !strcmp(btf__name_by_offset(btf, v->name_off), name))
			at = off;
		off += (sz + 7) & ~7l;
	}
	if (size)
		*size = (uint32_t)off;
	return at;
}

static int add_ltv(struct link_ctx *c, size_t slot,
		   enum bpfext_ltv_field field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int add_ltv(struct link_ctx *c, size_t slot,
		   enum bpfext_ltv_field field, const char *fmt, ...)
{
	struct bpfext_linked_prog *lp = c->lp;
	struct bpfext_ltv *t;
	va_list ap;

	if (bpfext_grow(&lp->ltv, &c->cap_ltv, lp->nr_ltv + 1, sizeof(*t)))
		return -ENOMEM;
	t = &lp->ltv[lp->nr_ltv++];
	t->slot = slot;
	t->field = field;
	va_start(ap, fmt);
	vsnprintf(t->key, sizeof(t->key), fmt, ap);
	va_end(ap);
	return 0;
}

static int add_map(struct link_ctx *c, struct bpfext_map_desc **m)
{
	struct bpfext_linked_prog *lp = c->lp;

	if (bpfext_grow(&lp->maps, &c->cap_maps, lp->nr_maps + 1, sizeof(**m)))
		return -ENOMEM;
	*m = &lp->maps[lp->nr_maps++];
	memset(*m, 0, sizeof(**m));
	return 0;
}

/* "__uint(name, N)" is a pointer to an array of N elements. */
static int btf_uint(const struct btf *btf, uint32_t type_id, uint32_t *val)
{
	const struct btf_type *t = btf__type_by_id(btf, type_id);
	const struct btf_array *arr;

	if (!t || !btf_is_ptr(t))
		return -EINVAL;
	t = btf__type_by_id(btf, t->type);
	if (!t || !btf_is_array(t))
		return -EINVAL;
	arr = btf_array(t);
	*val = arr->nelems;
	return 0;
}

static int btf_pointee_size(const struct btf *btf, uint32_t type_id,
			    uint32_t *val)
{
	const struct btf_type *t = btf__type_by_id(btf, type_id);
	long sz;

	if (!t || !btf_is_ptr(t))
		return -EINVAL;
	sz = btf__resolve_size(btf, t->type);
	if (sz < 0)
		return (int)sz;
	*val = (uint32_t)sz;
	return 0;
}

static int read_btf_maps(struct link_ctx *c, struct bpfext_error *err)
{
	const struct btf *btf = c->obj->btf;
	const struct btf_type *sec = NULL;
	const struct btf_var_secinfo *vs;
	uint32_t id, n;
	size_t i;
	int ret;

	if (!c->obj->has_btf_maps)
		return 0;
	if (!btf)
		return bpfext_errf(err, EINVAL, ".maps without BTF");
	n = btf__type_cnt(btf);
	for (id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);

		if (btf_is_datasec(t) &&
		    !strcmp(btf__name_by_offset(btf, t->name_off), ".maps")) {
			sec = t;
			break;
		}
	}
	if (!sec)
		return bpfext_errf(err, EINVAL, "no .maps in BTF");
	c->btf_off = calloc(btf_vlen(sec) + 1, sizeof(*c->btf_off));
	if (!c->btf_off)
		return -ENOMEM;
	vs = btf_var_secinfos(sec);
	for (i = 0; i < btf_vlen(sec); i++, vs++) {
		const struct btf_type *var = btf__type_by_id(btf, vs->type);
		const struct btf_type *def;
		const struct btf_member *mb;
		struct bpfext_map_desc *m;
		size_t k;

		if (!var || !btf_is_var(var))
			return bpfext_errf(err, EINVAL, "bad .maps entry in BTF");
		def = btf__type_by_id(btf, var->type);
		while (def && (btf_is_mod(def) || btf_is_typedef(def)))
			def = btf__type_by_id(btf, def->type);
		if (!def || !btf_is_struct(def))
			return bpfext_errf(err, EINVAL, "map %s: not a struct",
					   btf__name_by_offset(btf, var->name_off));
		ret = add_map(c, &m);
		if (ret)
			return ret;
		snprintf(m->name, sizeof(m->name), "%s",
			 btf__name_by_offset(btf, var->name_off));
		c->btf_off[c->nr_btf++] = vs->offset;
		mb = btf_members(def);
		for (k = 0; k < btf_vlen(def); k++, mb++) {
			const char *mn = btf__name_by_offset(btf, mb->name_off);

			ret = 0;
			if (!strcmp(mn, "type"))
				ret = btf_uint(btf, mb->type, &m->type);
			else if (!strcmp(mn, "max_entries"))
				ret = btf_uint(btf, mb->type, &m->max_entries);
			else if (!strcmp(mn, "map_flags"))
				ret = btf_uint(btf, mb->type, &m->map_flags);
			else if (!strcmp(mn, "key_size"))
				ret = btf_uint(btf, mb->type, &m->key_size);
			else if (!strcmp(mn, "value_size"))
				ret = btf_uint(btf, mb->type, &m->value_size);
			else if (!strcmp(mn, "key"))
				ret = btf_pointee_size(btf, mb->type, &m->key_size);
			else if (!strcmp(mn, "value"))
				ret = btf_pointee_size(btf, mb->type, &m->value_size);
			if (ret)
				return bpfext_errf(err, EINVAL,
						   "map %s: cannot read field %s",
						   m->name, mn);
		}
		/* Prog and map-in-map arrays hold ids. */
		if ((m->type == BPF_MAP_TYPE_PROG_ARRAY ||
		     m->type == BPF_MAP_TYPE_ARRAY_OF_MAPS ||
		     m->type == BPF_MAP_TYPE_HASH_OF_MAPS ||
		     m->type == BPF_MAP_TYPE_DEVMAP ||
		     m->type == BPF_MAP_TYPE_CPUMAP ||
		     m->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY) && !m->value_size)
			m->value_size = 4;
		if (m->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY && !m->key_size)
			m->key_size = 4;
		/* libbpf sizes perf event arrays to the possible CPUs. */
		if (m->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY && !m->max_entries) {
			int ncpu = libbpf_num_possible_cpus();

			m->max_entries = ncpu > 0 ? (uint32_t)ncpu : 1;
		}
	}
	return 0;
}

static int read_data_maps(struct link_ctx *c, struct bpfext_error *err)
{
	struct bpfext_object *obj = c->obj;
	size_t i;
	int ret;

	for (i = 0; i < obj->nr_data; i++) {
		size_t shndx = obj->data_shndx[i];
		const char *name = bpfext_object__shname(obj, shndx);
		Elf_Scn *scn = elf_getscn(obj->elf, shndx);
		struct bpfext_map_desc *m;
		Elf_Data *data;
		GElf_Shdr sh;

		if (!scn || !gelf_getshdr(scn, &sh))
			return bpfext_errf(err, EINVAL, "bad data section %s", name);
		ret = add_map(c, &m);
		if (ret)
			return ret;
		snprintf(m->name, sizeof(m->name), "%s", name);
		m->type = BPF_MAP_TYPE_ARRAY;
		m->key_size = 4;
		m->value_size = sh.sh_size ? (uint32_t)sh.sh_size : 1;
		m->max_entries = 1;
		m->is_data = true;
		m->rdonly_prog = !strncmp(name, ".rodata", 7);
		m->init = calloc(1, m->value_size);
		if (!m->init)
			return -ENOMEM;
		data = sh.sh_type == SHT_NOBITS ? NULL : elf_getdata(scn, NULL);
		if (data && data->d_buf)
			memcpy(m->init, data->d_buf,
			       data->d_size < sh.sh_size ? data->d_size : sh.sh_size);
	}
	return 0;
}

/* The .kconfig map, when the object has __kconfig externs. */
static int read_kconfig(struct link_ctx *c)
{
	struct bpfext_map_desc *m;
	uint32_t size = 0;
	int ret;

	c->kconfig = -1;
	if (!datasec(c->obj->btf, ".kconfig"))
		return 0;
	kconfig_off(c->obj->btf, NULL, &size);
	ret = add_map(c, &m);
	if (ret)
		return ret;
	c->kconfig = (long)c->lp->nr_maps - 1;
	snprintf(m->name, sizeof(m->name), ".kconfig");
	m->type = BPF_MAP_TYPE_ARRAY;
	m->key_size = 4;
	m->value_size = size ? size : 8;
	m->max_entries = 1;
	m->is_data = true;
	m->rdonly_prog = true;
	m->init = calloc(1, m->value_size);
	return m->init ? 0 : -ENOMEM;
}

static int read_maps(struct link_ctx *c, struct bpfext_error *err)
{
	struct bpfext_object *obj = c->obj;
	size_t i;
	int ret;

	for (i = 0; i < obj->nr_maps; i++) {
		const struct bpfext_legacy_map *l = &obj->maps[i];
		struct bpfext_map_desc *m;

		ret = add_map(c, &m);
		if (ret)
			return ret;
		snprintf(m->name, sizeof(m->name), "%s", l->name);
		m->type = l->type;
		m->key_size = l->key_size;
		m->value_size = l->value_size;
		m->max_entries = l->max_entries;
		m->map_flags = l->map_flags;
	}
	c->nr_legacy = obj->nr_maps;
	c->btf_first = c->lp->nr_maps;
	ret = read_btf_maps(c, err);
	if (ret)
		return ret;
	c->data_first = c->lp->nr_maps;
	ret = read_data_maps(c, err);
	return ret ? ret : read_kconfig(c);
}

/* Position of (sec, func) in the output, placing it if new. */
static long place(struct link_ctx *c, struct bpfext_section *sec, size_t func)
{
	const struct bpfext_func *fn = &sec->funcs[func];
	struct bpfext_linked_prog *lp = c->lp;
	size_t i;

	for (i = 0; i < c->nr_placed; i++)
		if (c->placed[i].sec == sec && c->placed[i].func == func)
			return (long)c->placed[i].base;
	if (bpfext_grow(&c->placed, &c->cap_placed, c->nr_placed + 1,
			sizeof(*c->placed)) ||
	    bpfext_grow(&lp->insns, &c->cap, lp->cnt + fn->cnt, sizeof(*lp->insns)))
		return -ENOMEM;
	memcpy(lp->insns + lp->cnt, sec->insns + fn->start,
	       fn->cnt * sizeof(struct bpf_insn));
	c->placed[c->nr_placed].sec = sec;
	c->placed[c->nr_placed].func = func;
	c->placed[c->nr_placed].base = lp->cnt;
	c->nr_placed++;
	lp->cnt += fn->cnt;
	return (long)(lp->cnt - fn->cnt);
}

/* Output position of slot @t of @sec; places its function. */
static long code_pos(struct link_ctx *c, struct bpfext_section *sec, long t,
		     struct bpfext_error *err)
{
	size_t f;
	long base;

	for (f = 0; f < sec->nr_funcs; f++) {
		const struct bpfext_func *fn = &sec->funcs[f];

		if (t < (long)fn->start || t >= (long)(fn->start + fn->cnt))
			continue;
		base = place(c, sec, f);
		if (base < 0)
			return base;
		return base + (t - (long)fn->start);
	}
	return bpfext_errf(err, EINVAL, "%s+%ld is not in a function",
			   sec->name, t);
}

static int map_of_sym(struct link_ctx *c, const struct bpfext_sym *sym,
		      const struct bpf_insn *insn, uint32_t *idx, int32_t *off,
		      bool *value)
{
	struct bpfext_object *obj = c->obj;
	size_t m;

	if (obj->maps_shndx && sym->shndx == obj->maps_shndx) {
		for (m = 0; m < obj->nr_maps; m++)
			if (obj->syms[obj->maps[m].sym].value == sym->value) {
				*idx = m;
				*value = false;
				return 0;
			}
		return -ENOENT;
	}
	if (obj->has_btf_maps && sym->shndx &&
	    !strcmp(bpfext_object__shname(obj, sym->shndx), ".maps")) {
		/* clang leaves DATASEC offsets 0: match by name. */
		for (m = 0; m < c->nr_btf; m++)
			if (!strcmp(c->lp->maps[c->btf_first + m].name, sym->name)) {
				*idx = c->btf_first + m;
				*value = false;
				return 0;
			}
		return -ENOENT;
	}
	for (m = 0; m < obj->nr_data; m++)
		if (obj->data_shndx[m] == sym->shndx) {
			*idx = c->data_first + m;
			*off = (int32_t)(sym->value + insn->imm);
			*value = true;
			return 0;
		}
	if (sym->shndx == SHN_UNDEF && c->kconfig >= 0) {
		long at = kconfig_off(obj->btf, sym->name, NULL);

		if (at >= 0) {
			*idx = (uint32_t)c->kconfig;
			*off = (int32_t)(at + insn->imm);
			*value = true;
			return 0;
		}
	}
	return -ENOTSUP;
}

/* Is @sym a __ksym extern (in the .ksyms DATASEC)? */
static bool is_ksym(const struct bpfext_object *obj, const struct bpfext_sym *sym)
{
	const struct btf_type *sec = datasec(obj->btf, ".ksyms");
	const struct btf_var_secinfo *vs;
	uint16_t i;

	if (!sec || sym->shndx != SHN_UNDEF)
		return false;
	vs = btf_var_secinfos(sec);
	for (i = 0; i < btf_vlen(sec); i++, vs++) {
		const struct btf_type *v = btf__type_by_id(obj->btf, vs->type);

		if (v && btf_is_var(v) &&
		    !strcmp(btf__name_by_offset(obj->btf, v->name_off), sym->name))
			return true;
	}
	return false;
}

static int relocate(struct link_ctx *c, size_t pi, struct bpfext_error *err)
{
	struct bpfext_object *obj = c->obj;
	struct bpfext_section *sec = c->placed[pi].sec;
	const struct bpfext_func *fn = &sec->funcs[c->placed[pi].func];
	size_t base = c->placed[pi].base;
	size_t s, r;

	for (s = fn->start; s < fn->start + fn->cnt; s++) {
		size_t at = base + (s - fn->start);
		bool has_rel = false;
		long t, pos;

		for (r = 0; r < sec->nr_relocs; r++) {
			const struct bpfext_reloc *rel = &sec->relocs[r];
			const struct bpfext_sym *sym = &obj->syms[rel->sym];
			struct bpf_insn *insn = &c->lp->insns[at];
			uint32_t idx;
			int32_t off = 0;
			bool value;
			int ret;

			if (rel->slot != s)
				continue;
			has_rel = true;
			if (bpfext_reloc_is_code_ref(obj, sec, rel)) {
				struct bpfext_section *ts =
					bpfext_object__section_by_shndx(obj, sym->shndx);

				if (!ts)
					return bpfext_errf(err, EINVAL,
							   "insn %zu: call into a non-code section", s);
				t = bpfext_reloc_code_target(obj, sec, rel);
				pos = code_pos(c, ts, t, err);
				if (pos < 0)
					return (int)pos;
				insn = &c->lp->insns[at];
				insn->imm = (int32_t)(pos - (long)at - 1);
				if (bpfext_insn_is_ldimm64(insn)) {
					insn->src_reg = BPF_PSEUDO_FUNC;
					insn[1].imm = 0;
				}
				continue;
			}
			if (!bpfext_insn_is_ldimm64(insn))
				return bpfext_errf(err, ENOTSUP,
						   "section %s: insn %zu: relocation against %s on a non-ld_imm64",
						   sec->name, s, sym->name);
			/* A __ksym: an address only the loader knows. */
			if (is_ksym(obj, sym)) {
				insn->imm = insn[1].imm = 0;
				ret = add_ltv(c, at, BPFEXT_LTV_IMM64, "ksym:%s",
					      sym->name);
				if (ret)
					return ret;
				continue;
			}
			ret = map_of_sym(c, sym, insn, &idx, &off, &value);
			if (ret)
				return bpfext_errf(err, ret == -ENOENT ? EINVAL : ENOTSUP,
						   "section %s: insn %zu: unsupported relocation against %s",
						   sec->name, s, sym->name);
			insn->src_reg = value ? BPF_PSEUDO_MAP_IDX_VALUE :
						BPF_PSEUDO_MAP_IDX;
			insn->imm = (int32_t)idx;
			insn[1].imm = value ? off : 0;
		}
		if (has_rel || !bpfext_insn_is_pseudo_call(&sec->insns[s]))
			continue;
		/* A call without relocation stays inside its section. */
		t = (long)s + sec->insns[s].imm + 1;
		pos = code_pos(c, sec, t, err);
		if (pos < 0)
			return (int)pos;
		c->lp->insns[at].imm = (int32_t)(pos - (long)at - 1);
	}
	return 0;
}

void bpfext_linked_prog__free(struct bpfext_linked_prog *lp)
{
	size_t i;

	if (!lp)
		return;
	for (i = 0; i < lp->nr_maps; i++)
		free(lp->maps[i].init);
	free(lp->maps);
	free(lp->insns);
	free(lp->ltv);
	memset(lp, 0, sizeof(*lp));
}

/*
 * The fields of the UAPI contexts are where <linux/bpf.h> puts them, in
 * every kernel: their layout is ABI, and the kernel's BTF describes the
 * same structs.  A CO-RE field offset of one (vmlinux.h marks every
 * access to xdp_md and __sk_buff for relocation) is libbpf's to check,
 * not to choose: it gives the UAPI offset and width, or fails the load.
 */
#define CTX_FIELD(t, f) { #t, #f, offsetof(struct t, f), sizeof(((struct t *)0)->f) }
static const struct {
	const char *type, *field;
	uint32_t off, size;
} uapi_ctx_fields[] = {
	CTX_FIELD(xdp_md, data), CTX_FIELD(xdp_md, data_end),
	CTX_FIELD(xdp_md, data_meta), CTX_FIELD(xdp_md, ingress_ifindex),
	CTX_FIELD(xdp_md, rx_queue_index), CTX_FIELD(xdp_md, egress_ifindex),
	CTX_FIELD(__sk_buff, len), CTX_FIELD(__sk_buff, pkt_type),
	CTX_FIELD(__sk_buff, mark), CTX_FIELD(__sk_buff, queue_mapping),
	CTX_FIELD(__sk_buff, protocol), CTX_FIELD(__sk_buff, vlan_present),
	CTX_FIELD(__sk_buff, vlan_tci), CTX_FIELD(__sk_buff, vlan_proto),
	CTX_FIELD(__sk_buff, priority), CTX_FIELD(__sk_buff, ingress_ifindex),
	CTX_FIELD(__sk_buff, ifindex), CTX_FIELD(__sk_buff, tc_index),
	CTX_FIELD(__sk_buff, hash), CTX_FIELD(__sk_buff, tc_classid),
	CTX_FIELD(__sk_buff, data), CTX_FIELD(__sk_buff, data_end),
	CTX_FIELD(__sk_buff, napi_id), CTX_FIELD(__sk_buff, family),
	CTX_FIELD(__sk_buff, remote_ip4), CTX_FIELD(__sk_buff, local_ip4),
	CTX_FIELD(__sk_buff, remote_port), CTX_FIELD(__sk_buff, local_port),
	CTX_FIELD(__sk_buff, data_meta), CTX_FIELD(__sk_buff, tstamp),
	CTX_FIELD(__sk_buff, wire_len), CTX_FIELD(__sk_buff, gso_segs),
	CTX_FIELD(__sk_buff, gso_size),
};

/*
 * Is @x, with CO-RE record @rec, a load or store of a whole UAPI context
 * field at the offset and width the UAPI gives it?  Then libbpf leaves it
 * as it is.
 */
static bool uapi_ctx_access(const struct btf *btf, const uint32_t *rec,
			    const struct bpf_insn *x)
{
	static const uint32_t bytes[] = { 4, 2, 1, 8 };
	const struct btf_type *t;
	const struct btf_member *m;
	const char *tname, *access, *mname;
	unsigned int idx;
	size_t i, len;
	char tail;

	if (!btf || rec[3] != 0 || !bpfext_insn_is_mem(x) ||
	    BPF_MODE(x->code) != BPF_MEM)
		return false;
	t = btf__type_by_id(btf, rec[1]);
	access = btf__name_by_offset(btf, rec[2]);
	if (!t || !btf_is_struct(t) || !access ||
	    sscanf(access, "0:%u%c", &idx, &tail) != 1 || idx >= btf_vlen(t))
		return false;
	m = btf_members(t) + idx;
	if (btf_member_bitfield_size(t, idx))
		return false;
	tname = btf__name_by_offset(btf, t->name_off);
	mname = btf__name_by_offset(btf, m->name_off);
	if (!tname || !mname)
		return false;
	/* libbpf drops a "___flavour" suffix */
	len = strstr(tname, "___") ? (size_t)(strstr(tname, "___") - tname) : strlen(tname);
	for (i = 0; i < ARRAY_SIZE(uapi_ctx_fields); i++)
		if (strlen(uapi_ctx_fields[i].type) == len &&
		    !strncmp(uapi_ctx_fields[i].type, tname, len) &&
		    !strcmp(uapi_ctx_fields[i].field, mname))
			return x->off >= 0 && (uint32_t)x->off == uapi_ctx_fields[i].off &&
			       bytes[BPF_SIZE(x->code) >> 3] == uapi_ctx_fields[i].size;
	return false;
}

/*
 * The CO-RE records of a placed function become load-time values, named
 * by what libbpf computes them from: kind, root type, access string.
 */
static int core_ltvs(struct link_ctx *c, size_t pi)
{
	const struct bpfext_section *sec = c->placed[pi].sec;
	const struct bpfext_func *fn = &sec->funcs[c->placed[pi].func];
	const struct btf *btf = c->obj->btf;
	size_t k;
	int ret;

	for (k = 0; k < sec->core_relo.cnt; k++) {
		const struct bpfext_ext_rec *r = &sec->core_relo.recs[k];
		const struct bpf_insn *x;
		const struct btf_type *t;
		uint32_t rec[4];	/* insn_off, type_id, access_str_off, kind */
		const char *tname, *access;
		size_t at;

		if (r->slot < fn->start || r->slot >= fn->start + fn->cnt)
			continue;
		memcpy(rec, r->raw, sizeof(rec));
		at = c->placed[pi].base + (r->slot - fn->start);
		x = &c->lp->insns[at];
		if (uapi_ctx_access(btf, rec, x))
			continue;
		t = btf ? btf__type_by_id(btf, rec[1]) : NULL;
		tname = t ? btf__name_by_offset(btf, t->name_off) : NULL;
		access = btf ? btf__name_by_offset(btf, rec[2]) : NULL;
		ret = add_ltv(c, at,
			      bpfext_insn_is_ldimm64(x) ? BPFEXT_LTV_IMM64 :
			      bpfext_insn_is_mem(x) ? BPFEXT_LTV_OFF : BPFEXT_LTV_IMM,
			      "core:%s:%s:%s", bpfext_core_kind_name(rec[3]),
			      tname && *tname ? tname : "?", access ? access : "?");
		if (ret)
			return ret;
		c->lp->has_core_relos = true;
	}
	return 0;
}

int bpfext_prog__linked_insns(struct bpfext_object *obj,
			      const struct bpfext_prog *prog,
			      struct bpfext_linked_prog *out,
			      struct bpfext_error *err)
{
	struct link_ctx c = { .obj = obj, .lp = out };
	size_t i;
	long base;
	int ret;

	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "%s", prog->name);
	out->type = prog->type;
	out->attach_type = prog->attach_type;
	ret = read_maps(&c, err);
	if (ret)
		goto out;
	base = place(&c, prog->sec, prog->func);
	if (base < 0) {
		ret = (int)base;
		goto out;
	}
	/* Relocating may place further functions; the loop picks them up. */
	for (i = 0; i < c.nr_placed; i++) {
		ret = relocate(&c, i, err);
		if (ret)
			goto out;
	}
	for (i = 0; i < c.nr_placed && !ret; i++)
		ret = core_ltvs(&c, i);
out:
	free(c.placed);
	free(c.btf_off);
	if (ret) {
		if (ret == -ENOMEM && err)
			bpfext_errf(err, ENOMEM, "out of memory");
		bpfext_linked_prog__free(out);
	}
	return ret;
}
