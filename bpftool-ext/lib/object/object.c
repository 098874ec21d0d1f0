// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Reading BPF ELF objects.
 *
 * libbpf 1.x refuses objects that users still have (legacy "maps"
 * sections, section names it does not know), and it does not expose the
 * ELF-level view a rewriter needs, so the ELF is walked with libelf here.
 * BTF is parsed by libbpf.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "object/object.h"

const char *bpfext_object__shname(const struct bpfext_object *obj,
				  size_t shndx)
{
	GElf_Shdr sh;
	Elf_Scn *scn = elf_getscn(obj->elf, shndx);
	const char *name;

	if (!scn || !gelf_getshdr(scn, &sh))
		return "?";
	name = elf_strptr(obj->elf, obj->shstrndx, sh.sh_name);
	return name ? name : "?";
}

struct bpfext_section *bpfext_object__section_by_shndx(struct bpfext_object *obj,
						       size_t shndx)
{
	size_t i;

	for (i = 0; i < obj->nr_secs; i++)
		if (obj->secs[i].shndx == shndx)
			return &obj->secs[i];
	return NULL;
}

static int read_symbols(struct bpfext_object *obj, Elf_Scn *scn,
			GElf_Shdr *sh, struct bpfext_error *err)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t i, n;

	if (!data || sh->sh_entsize != sizeof(Elf64_Sym))
		return bpfext_errf(err, EINVAL, "malformed symbol table");
	n = data->d_size / sizeof(Elf64_Sym);
	obj->syms = calloc(n ? n : 1, sizeof(*obj->syms));
	if (!obj->syms)
		return -ENOMEM;
	obj->nr_syms = n;
	for (i = 0; i < n; i++) {
		struct bpfext_sym *s = &obj->syms[i];
		GElf_Sym sym;

		if (!gelf_getsym(data, i, &sym))
			return bpfext_errf(err, EINVAL, "malformed symbol #%zu", i);
		s->name = elf_strptr(obj->elf, sh->sh_link, sym.st_name);
		if (!s->name)
			return bpfext_errf(err, EINVAL,
					   "symbol #%zu has an invalid name", i);
		s->value = sym.st_value;
		s->size = sym.st_size;
		s->shndx = sym.st_shndx;
		s->type = GELF_ST_TYPE(sym.st_info);
		s->bind = GELF_ST_BIND(sym.st_info);
		if (s->type == STT_SECTION && !*s->name)
			s->name = bpfext_object__shname(obj, s->shndx);
	}
	return 0;
}

static int add_code_section(struct bpfext_object *obj, size_t shndx,
			    const char *name, Elf_Data *data,
			    struct bpfext_error *err)
{
	struct bpfext_section *sec;
	size_t cap = obj->nr_secs;

	if (!data || data->d_size % sizeof(struct bpf_insn))
		return bpfext_errf(err, EINVAL,
				   "section %s: size is not a multiple of 8",
				   name);
	if (bpfext_grow(&obj->secs, &cap, obj->nr_secs + 1, sizeof(*sec)))
		return -ENOMEM;
	sec = &obj->secs[obj->nr_secs++];
	memset(sec, 0, sizeof(*sec));
	sec->shndx = shndx;
	sec->name = name;
	sec->cnt = data->d_size / sizeof(struct bpf_insn);
	sec->insns = malloc(data->d_size ? data->d_size : 1);
	if (!sec->insns)
		return -ENOMEM;
	memcpy(sec->insns, data->d_buf, data->d_size);
	return 0;
}

static int cmp_func(const void *a, const void *b)
{
	const struct bpfext_func *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static int read_funcs(struct bpfext_object *obj, struct bpfext_section *sec,
		      struct bpfext_error *err)
{
	size_t i, n = 0;

	for (i = 0; i < obj->nr_syms; i++)
		if (obj->syms[i].shndx == sec->shndx &&
		    obj->syms[i].type == STT_FUNC)
			n++;
	sec->funcs = calloc(n ? n : 1, sizeof(*sec->funcs));
	if (!sec->funcs)
		return -ENOMEM;
	for (i = 0; i < obj->nr_syms; i++) {
		const struct bpfext_sym *s = &obj->syms[i];
		struct bpfext_func *f;

		if (s->shndx != sec->shndx || s->type != STT_FUNC)
			continue;
		if (s->value % 8 || s->value / 8 >= sec->cnt)
			return bpfext_errf(err, EINVAL,
					   "section %s: function %s at offset %llu is outside the section",
					   sec->name, s->name,
					   (unsigned long long)s->value);
		f = &sec->funcs[sec->nr_funcs++];
		f->sym = i;
		f->start = s->value / 8;
	}
	if (!sec->nr_funcs && sec->cnt) {
		/* Very old compilers emit no function symbols: one program. */
		sec->funcs[0].sym = NO_SYM;
		sec->funcs[0].start = 0;
		sec->nr_funcs = 1;
	}
	qsort(sec->funcs, sec->nr_funcs, sizeof(*sec->funcs), cmp_func);
	/* Code no function symbol covers could be neither checked nor edited. */
	if (sec->nr_funcs && sec->funcs[0].start)
		return bpfext_errf(err, EINVAL,
				   "section %s: insns 0-%zu belong to no function symbol",
				   sec->name, sec->funcs[0].start - 1);
	for (i = 0; i < sec->nr_funcs; i++) {
		size_t end = i + 1 < sec->nr_funcs ? sec->funcs[i + 1].start
						   : sec->cnt;

		if (i + 1 < sec->nr_funcs && end == sec->funcs[i].start)
			return bpfext_errf(err, EINVAL,
					   "section %s: two functions at slot %zu",
					   sec->name, end);
		sec->funcs[i].cnt = end - sec->funcs[i].start;
	}
	return 0;
}

static int read_relocs(struct bpfext_object *obj, struct bpfext_section *sec,
		       size_t rel_shndx, struct bpfext_error *err)
{
	Elf_Scn *scn = elf_getscn(obj->elf, rel_shndx);
	Elf_Data *data = scn ? elf_getdata(scn, NULL) : NULL;
	size_t i, n;

	if (!data)
		return bpfext_errf(err, EINVAL, "section %s: unreadable relocations",
				   sec->name);
	n = data->d_size / sizeof(Elf64_Rel);
	sec->rel_shndx = rel_shndx;
	sec->relocs = calloc(n ? n : 1, sizeof(*sec->relocs));
	if (!sec->relocs)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct bpfext_reloc *r = &sec->relocs[i];
		const struct bpfext_sym *s;
		const struct bpf_insn *insn;
		GElf_Rel rel;

		if (!gelf_getrel(data, i, &rel))
			return bpfext_errf(err, EINVAL,
					   "section %s: malformed relocation #%zu",
					   sec->name, i);
		if (rel.r_offset % 8 || rel.r_offset / 8 >= sec->cnt)
			return bpfext_errf(err, EINVAL,
					   "section %s: relocation #%zu at offset 0x%llx is outside the section",
					   sec->name, i,
					   (unsigned long long)rel.r_offset);
		r->slot = rel.r_offset / 8;
		r->type = GELF_R_TYPE(rel.r_info);
		r->sym = GELF_R_SYM(rel.r_info);
		if (r->sym == 0 || r->sym >= obj->nr_syms)
			return bpfext_errf(err, EINVAL,
					   "section %s: relocation #%zu references missing symbol #%u",
					   sec->name, i, r->sym);
		insn = &sec->insns[r->slot];
		s = &obj->syms[r->sym];
		if (r->type == R_BPF_64_64) {
			if (!bpfext_insn_is_ldimm64(insn))
				return bpfext_errf(err, EINVAL,
						   "section %s: relocation against %s at insn %zu is not on an ld_imm64",
						   sec->name, s->name, r->slot);
		} else if (r->type == R_BPF_64_32) {
			if (insn->code != (BPF_JMP | BPF_CALL))
				return bpfext_errf(err, EINVAL,
						   "section %s: call relocation against %s at insn %zu is not on a call",
						   sec->name, s->name, r->slot);
		} else {
			return bpfext_errf(err, EINVAL,
					   "section %s: unsupported relocation type %u at insn %zu",
					   sec->name, r->type, r->slot);
		}
		if (s->shndx == SHN_UNDEF && s->bind != STB_GLOBAL &&
		    s->bind != STB_WEAK)
			return bpfext_errf(err, EINVAL,
					   "section %s: relocation at insn %zu references undefined local symbol %s",
					   sec->name, r->slot, s->name);
		if (s->shndx != SHN_UNDEF && s->shndx < SHN_LORESERVE &&
		    s->shndx >= obj->shnum)
			return bpfext_errf(err, EINVAL,
					   "section %s: relocation at insn %zu references symbol %s in missing section %u",
					   sec->name, r->slot, s->name, s->shndx);
		sec->nr_relocs = i + 1;
	}
	return 0;
}

bool bpfext_reloc_is_code_ref(const struct bpfext_object *obj,
			      const struct bpfext_section *sec,
			      const struct bpfext_reloc *r)
{
	const struct bpfext_sym *s = &obj->syms[r->sym];
	const struct bpf_insn *insn = &sec->insns[r->slot];

	if (s->shndx == SHN_UNDEF || s->shndx >= SHN_LORESERVE)
		return false;
	if (bpfext_insn_is_pseudo_call(insn))
		return true;
	return bpfext_insn_is_ldimm64(insn) &&
	       (s->type == STT_FUNC ||
		(s->type == STT_SECTION &&
		 obj->secs && s->shndx == obj->text_shndx));
}

long bpfext_reloc_code_target(const struct bpfext_object *obj,
			      const struct bpfext_section *sec,
			      const struct bpfext_reloc *r)
{
	const struct bpfext_sym *s = &obj->syms[r->sym];
	const struct bpf_insn *insn = &sec->insns[r->slot];

	if (bpfext_insn_is_pseudo_call(insn))
		return (long)(s->value / 8) + insn->imm + 1;
	return ((long)s->value + insn->imm) / 8;
}

static int check_code(struct bpfext_object *obj, struct bpfext_section *sec,
		      struct bpfext_error *err)
{
	struct bpfext_error why;
	size_t f, i, r;

	for (i = 0; i < sec->cnt;) {
		int n = bpfext_insn_check(&sec->insns[i], sec->cnt - i, &why);

		if (n < 0)
			return bpfext_errf(err, EINVAL, "section %s: insn %zu: %s",
					   sec->name, i, why.msg);
		i += n;
	}
	for (f = 0; f < sec->nr_funcs; f++) {
		const struct bpfext_func *fn = &sec->funcs[f];
		size_t end = fn->start + fn->cnt, last = fn->start;

		/* As the kernel requires: nothing may fall off the end. */
		for (i = fn->start; i < end; i += bpfext_insn_slots(&sec->insns[i]))
			last = i;
		if (!bpfext_insn_is_exit(&sec->insns[last]) &&
		    sec->insns[last].code != (BPF_JMP | BPF_JA) &&
		    sec->insns[last].code != (BPF_JMP32 | BPF_JA))
			return bpfext_errf(err, EINVAL,
					   "section %s: insn %zu: the last instruction of a function is not an exit or a jump",
					   sec->name, last);

		for (i = fn->start; i < end; i += bpfext_insn_slots(&sec->insns[i])) {
			const struct bpf_insn *insn = &sec->insns[i];
			long t;

			if (bpfext_insn_is_ldimm64(insn) && i + 1 >= end)
				return bpfext_errf(err, EINVAL,
						   "section %s: insn %zu: ld_imm64 cut off at the end of a function",
						   sec->name, i);
			if (!bpfext_insn_is_branch(insn))
				continue;
			t = (long)i + bpfext_insn_branch_off(insn) + 1;
			if (t < (long)fn->start || t >= (long)end)
				return bpfext_errf(err, EINVAL,
						   "section %s: insn %zu: jump to %ld is out of range",
						   sec->name, i, t);
			if (t > 0 && t - 1 >= (long)fn->start &&
			    bpfext_insn_is_ldimm64(&sec->insns[t - 1]) &&
			    !(t - 2 >= (long)fn->start &&
			      bpfext_insn_is_ldimm64(&sec->insns[t - 2])))
				return bpfext_errf(err, EINVAL,
						   "section %s: insn %zu: jump into the middle of ld_imm64 at %ld",
						   sec->name, i, t - 1);
		}
	}
	/* Pseudo calls without relocation are pc-relative in the section. */
	for (i = 0; i < sec->cnt; i += bpfext_insn_slots(&sec->insns[i])) {
		const struct bpf_insn *insn = &sec->insns[i];
		bool has_rel = false;
		long t;

		if (!bpfext_insn_is_pseudo_call(insn))
			continue;
		for (r = 0; r < sec->nr_relocs; r++)
			if (sec->relocs[r].slot == i)
				has_rel = true;
		if (has_rel)
			continue;
		t = (long)i + insn->imm + 1;
		if (t < 0 || t >= (long)sec->cnt)
			return bpfext_errf(err, EINVAL,
					   "section %s: insn %zu: call to %ld is out of range",
					   sec->name, i, t);
	}
	for (r = 0; r < sec->nr_relocs; r++) {
		const struct bpfext_reloc *rel = &sec->relocs[r];
		struct bpfext_section *tsec;
		long t;

		if (!bpfext_reloc_is_code_ref(obj, sec, rel))
			continue;
		tsec = bpfext_object__section_by_shndx(obj,
						       obj->syms[rel->sym].shndx);
		t = bpfext_reloc_code_target(obj, sec, rel);
		if (!tsec || t < 0 || t >= (long)tsec->cnt)
			return bpfext_errf(err, EINVAL,
					   "section %s: insn %zu: call target %s%+ld is missing",
					   sec->name, rel->slot,
					   obj->syms[rel->sym].name, t);
	}
	return 0;
}

static bool is_map_of_maps(uint32_t type)
{
	return type == BPF_MAP_TYPE_ARRAY_OF_MAPS || type == BPF_MAP_TYPE_HASH_OF_MAPS;
}

static int read_legacy_maps(struct bpfext_object *obj, Elf_Data *data,
			    struct bpfext_error *err)
{
	size_t i, n = 0, def_size;

	for (i = 0; i < obj->nr_syms; i++)
		if (obj->syms[i].shndx == obj->maps_shndx &&
		    obj->syms[i].type != STT_SECTION)
			n++;
	if (!n)
		return 0;
	def_size = data->d_size / n;
	if (def_size < 5 * sizeof(uint32_t) || data->d_size % n)
		return bpfext_errf(err, EINVAL,
				   "legacy maps section: %zu bytes do not hold %zu map definitions",
				   (size_t)data->d_size, n);
	obj->maps = calloc(n, sizeof(*obj->maps));
	if (!obj->maps)
		return -ENOMEM;
	for (i = 0; i < obj->nr_syms; i++) {
		const struct bpfext_sym *s = &obj->syms[i];
		struct bpfext_legacy_map *m;
		uint32_t def[7] = { 0 };

		if (s->shndx != obj->maps_shndx || s->type == STT_SECTION)
			continue;
		if (s->value > data->d_size - def_size)	/* d_size >= def_size */
			return bpfext_errf(err, EINVAL,
					   "legacy map %s at offset %llu lies outside the maps section",
					   s->name, (unsigned long long)s->value);
		if (s->value % def_size)
			return bpfext_errf(err, EINVAL,
					   "legacy map %s at offset %llu is misaligned",
					   s->name, (unsigned long long)s->value);
		/*
		 * inner_map_idx counts definitions in section order, as the
		 * samples/bpf loader read it; the symbol table may list them
		 * in any order.
		 */
		m = &obj->maps[s->value / def_size];
		if (m->name)
			return bpfext_errf(err, EINVAL,
					   "legacy maps %s and %s share one definition",
					   m->name, s->name);
		memcpy(def, (uint8_t *)data->d_buf + s->value,
		       def_size < sizeof(def) ? def_size : sizeof(def));
		obj->nr_maps++;
		m->name = s->name;
		m->sym = i;
		m->type = def[0];
		m->key_size = def[1];
		m->value_size = def[2];
		m->max_entries = def[3];
		m->map_flags = def[4];
		m->inner_map_idx = -1;
		if (def_size >= 6 * sizeof(uint32_t) && is_map_of_maps(m->type)) {
			if (def[5] >= n || def[5] == s->value / def_size)
				return bpfext_errf(err, EINVAL,
						   "legacy map %s: inner map index %u is not another map of the section",
						   s->name, def[5]);
			m->inner_map_idx = (int32_t)def[5];
		}
		m->numa_node = def[6];
	}
	for (i = 0; i < obj->nr_maps; i++) {
		const struct bpfext_legacy_map *m = &obj->maps[i];

		if (m->inner_map_idx >= 0 &&
		    is_map_of_maps(obj->maps[m->inner_map_idx].type))
			return bpfext_errf(err, EINVAL,
					   "legacy map %s: its inner map %s is a map of maps, which the kernel refuses",
					   m->name, obj->maps[m->inner_map_idx].name);
	}
	return 0;
}

/* Section-name prefixes of programs built before libbpf 1.0. */
static const struct {
	const char *prefix;
	enum bpf_prog_type type;
	enum bpf_attach_type attach;
} legacy_prefixes[] = {
	{ "xdp", BPF_PROG_TYPE_XDP, BPF_XDP },
	{ "socket", BPF_PROG_TYPE_SOCKET_FILTER, 0 },
	{ "classifier", BPF_PROG_TYPE_SCHED_CLS, 0 },
	{ "tc", BPF_PROG_TYPE_SCHED_CLS, 0 },
	{ "action", BPF_PROG_TYPE_SCHED_ACT, 0 },
	{ "tracepoint", BPF_PROG_TYPE_TRACEPOINT, 0 },
	{ "tp", BPF_PROG_TYPE_TRACEPOINT, 0 },
	{ "raw_tracepoint", BPF_PROG_TYPE_RAW_TRACEPOINT, 0 },
	{ "kprobe", BPF_PROG_TYPE_KPROBE, 0 },
	{ "kretprobe", BPF_PROG_TYPE_KPROBE, 0 },
	{ "perf_event", BPF_PROG_TYPE_PERF_EVENT, 0 },
	{ "cgroup_skb", BPF_PROG_TYPE_CGROUP_SKB, 0 },
	{ "cgroup/skb", BPF_PROG_TYPE_CGROUP_SKB, 0 },
	{ "sockops", BPF_PROG_TYPE_SOCK_OPS, BPF_CGROUP_SOCK_OPS },
	{ "sk_skb", BPF_PROG_TYPE_SK_SKB, 0 },
	{ "sk_msg", BPF_PROG_TYPE_SK_MSG, BPF_SK_MSG_VERDICT },
	{ "lwt_in", BPF_PROG_TYPE_LWT_IN, 0 },
	{ "lwt_out", BPF_PROG_TYPE_LWT_OUT, 0 },
	{ "lwt_xmit", BPF_PROG_TYPE_LWT_XMIT, 0 },
	{ "flow_dissector", BPF_PROG_TYPE_FLOW_DISSECTOR, BPF_FLOW_DISSECTOR },
};

static void infer_type(struct bpfext_prog *prog)
{
	const char *name = prog->sec->name;
	enum bpf_prog_type type;
	enum bpf_attach_type attach;
	size_t i;

	/* "?" marks a program libbpf should not load by default. */
	if (name[0] == '?')
		name++;
	if (!libbpf_prog_type_by_name(name, &type, &attach)) {
		prog->type = type;
		prog->attach_type = attach;
		prog->type_known = true;
		return;
	}
	for (i = 0; i < ARRAY_SIZE(legacy_prefixes); i++) {
		if (!strncmp(name, legacy_prefixes[i].prefix,
			     strlen(legacy_prefixes[i].prefix))) {
			prog->type = legacy_prefixes[i].type;
			prog->attach_type = legacy_prefixes[i].attach;
			prog->type_known = true;
			return;
		}
	}
}

int bpfext_prog__set_type(struct bpfext_prog *prog, const char *type)
{
	enum bpf_prog_type t;
	enum bpf_attach_type a;
	char buf[64];

	/* Same rule as `bpftool prog load ... type TYPE`. */
	snprintf(buf, sizeof(buf), "%s/", type);
	if (libbpf_prog_type_by_name(type, &t, &a) &&
	    libbpf_prog_type_by_name(buf, &t, &a))
		return -EINVAL;
	prog->type = t;
	prog->attach_type = a;
	prog->type_known = true;
	return 0;
}

const char *bpfext_prog_type_name(enum bpf_prog_type type)
{
	const char *s = libbpf_bpf_prog_type_str(type);

	return s ? s : "unknown";
}

static int add_progs(struct bpfext_object *obj, struct bpfext_error *err)
{
	size_t i, f, n = 0;

	for (i = 0; i < obj->nr_secs; i++)
		if (obj->secs[i].shndx != obj->text_shndx)
			n += obj->secs[i].nr_funcs;
	obj->progs = calloc(n ? n : 1, sizeof(*obj->progs));
	if (!obj->progs)
		return -ENOMEM;
	for (i = 0; i < obj->nr_secs; i++) {
		struct bpfext_section *sec = &obj->secs[i];

		if (sec->shndx == obj->text_shndx)
			continue;
		for (f = 0; f < sec->nr_funcs; f++) {
			struct bpfext_prog *p = &obj->progs[obj->nr_progs++];
			size_t sym = sec->funcs[f].sym;

			p->name = sym == NO_SYM ? sec->name : obj->syms[sym].name;
			p->sec = sec;
			p->func = f;
			infer_type(p);
		}
	}
	return 0;
}

/* The ELF header and section table of a relocatable 64-bit BPF object. */
static int read_ehdr(struct bpfext_object *obj, struct bpfext_error *err)
{
	GElf_Ehdr eh;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return bpfext_errf(err, EINVAL, "libelf is too old");
	obj->elf = elf_memory((char *)obj->image, obj->size);
	if (!obj->elf || elf_kind(obj->elf) != ELF_K_ELF)
		return bpfext_errf(err, EINVAL, "not an ELF file");
	if (!gelf_getehdr(obj->elf, &eh))
		return bpfext_errf(err, EINVAL, "corrupt ELF header: %s",
				   elf_errmsg(-1));
	if (eh.e_ident[EI_CLASS] != ELFCLASS64)
		return bpfext_errf(err, EINVAL, "not a 64-bit ELF file");
	if (eh.e_machine != EM_BPF)
		return bpfext_errf(err, EINVAL,
				   "not a BPF object (ELF machine %u)", eh.e_machine);
	if (eh.e_ident[EI_DATA] != ELFDATA2LSB)
		return bpfext_errf(err, ENOTSUP,
				   "big-endian BPF objects are not supported");
	if (eh.e_type != ET_REL)
		return bpfext_errf(err, EINVAL, "not a relocatable object");
	if (eh.e_shoff > obj->size ||
	    (uint64_t)eh.e_shnum * eh.e_shentsize > obj->size - eh.e_shoff)
		return bpfext_errf(err, EINVAL,
				   "corrupt section headers: the table lies outside the file (truncated?)");
	if (elf_getshdrnum(obj->elf, &obj->shnum) ||
	    elf_getshdrstrndx(obj->elf, &obj->shstrndx))
		return bpfext_errf(err, EINVAL, "corrupt section headers: %s",
				   elf_errmsg(-1));
	return 0;
}

/* Pass 1, one section: symbols, code, maps, license, version, BTF, data. */
static int read_section(struct bpfext_object *obj, Elf_Scn *scn,
			struct bpfext_error *err)
{
	size_t idx = elf_ndxscn(scn);
	const char *name;
	Elf_Data *data;
	GElf_Shdr sh;
	int ret;

	if (!gelf_getshdr(scn, &sh))
		return bpfext_errf(err, EINVAL, "corrupt section header %zu",
				   idx);
	name = elf_strptr(obj->elf, obj->shstrndx, sh.sh_name);
	if (!name)
		return bpfext_errf(err, EINVAL,
				   "section %zu has an invalid name", idx);
	/* libelf honours alignment when it lays the output out. */
	if (sh.sh_addralign > 4096 ||
	    (sh.sh_addralign & (sh.sh_addralign - 1)))
		return bpfext_errf(err, EINVAL,
				   "section %s has an invalid alignment %llu",
				   name, (unsigned long long)sh.sh_addralign);
	if (sh.sh_type != SHT_NOBITS &&
	    (sh.sh_offset > obj->size ||
	     sh.sh_size > obj->size - sh.sh_offset))
		return bpfext_errf(err, EINVAL,
				   "section %s extends past the end of the file",
				   name);
	data = sh.sh_type == SHT_NOBITS ? NULL : elf_getdata(scn, NULL);
	if (data && !data->d_buf)
		data = NULL;
	if (sh.sh_type != SHT_NOBITS && sh.sh_size && !data)
		return bpfext_errf(err, EINVAL, "section %s is unreadable: %s",
				   name, elf_errmsg(-1));
	if (sh.sh_type == SHT_SYMTAB) {
		if (obj->symtab_shndx)
			return bpfext_errf(err, EINVAL,
					   "more than one symbol table");
		obj->symtab_shndx = idx;
		ret = read_symbols(obj, scn, &sh, err);
		if (ret)
			return ret;
	} else if (sh.sh_type == SHT_PROGBITS &&
		   (sh.sh_flags & SHF_EXECINSTR) && sh.sh_size) {
		if (!strcmp(name, ".text"))
			obj->text_shndx = idx;
		ret = add_code_section(obj, idx, name, data, err);
		if (ret)
			return ret;
	} else if (!strcmp(name, "maps") && sh.sh_type == SHT_PROGBITS) {
		obj->maps_shndx = idx;
	} else if (!strcmp(name, ".maps")) {
		obj->has_btf_maps = true;
	} else if (!strcmp(name, "license") && data) {
		size_t n = data->d_size < sizeof(obj->license) - 1 ?
			   data->d_size : sizeof(obj->license) - 1;

		memcpy(obj->license, data->d_buf, n);
		obj->license[n] = 0;
	} else if (!strcmp(name, "version") && data) {
		if (data->d_size != sizeof(uint32_t))
			return bpfext_errf(err, EINVAL,
					   "version section is not 4 bytes");
		memcpy(&obj->kern_version, data->d_buf, 4);
	} else if (!strcmp(name, ".BTF") || !strcmp(name, ".BTF.ext")) {
		if (!data)
			return bpfext_errf(err, EINVAL,
					   "section %s holds no data", name);
		if (name[4])
			obj->btf_ext_shndx = idx;
		else
			obj->btf_shndx = idx;
	} else if (!strncmp(name, ".data", 5) ||
		   !strncmp(name, ".rodata", 7) ||
		   !strncmp(name, ".bss", 4)) {
		if (obj->nr_data == ARRAY_SIZE(obj->data_shndx))
			return bpfext_errf(err, ENOTSUP,
					   "more than %zu global data sections",
					   ARRAY_SIZE(obj->data_shndx));
		obj->data_shndx[obj->nr_data++] = idx;
	}
	return 0;
}

/* Pass 2: relocations of code sections, and of .BTF.ext. */
static int read_rel_sections(struct bpfext_object *obj, struct bpfext_error *err)
{
	Elf_Scn *scn = NULL;
	int ret;

	while ((scn = elf_nextscn(obj->elf, scn))) {
		struct bpfext_section *sec;
		GElf_Shdr sh;

		gelf_getshdr(scn, &sh);
		if (sh.sh_type != SHT_REL)
			continue;
		if (sh.sh_link != obj->symtab_shndx)
			return bpfext_errf(err, EINVAL,
					   "relocation section %s does not use the symbol table",
					   bpfext_object__shname(obj, elf_ndxscn(scn)));
		if (obj->btf_ext_shndx && sh.sh_info == obj->btf_ext_shndx) {
			obj->btf_ext_rel_shndx = elf_ndxscn(scn);
			continue;
		}
		sec = bpfext_object__section_by_shndx(obj, sh.sh_info);
		if (!sec)
			continue;
		if (sec->rel_shndx)
			return bpfext_errf(err, EINVAL,
					   "section %s has two relocation sections",
					   sec->name);
		ret = read_relocs(obj, sec, elf_ndxscn(scn), err);
		if (ret)
			return ret;
	}
	return 0;
}

/* .BTF, and .BTF.ext with its relocations. */
static int read_btf(struct bpfext_object *obj, struct bpfext_error *err)
{
	int ret;

	if (obj->btf_shndx) {
		Elf_Data *d = elf_getdata(elf_getscn(obj->elf, obj->btf_shndx),
					  NULL);

		obj->btf = d ? btf__new(d->d_buf, d->d_size) : NULL;
		if (!obj->btf)
			return bpfext_errf(err, EINVAL, "invalid .BTF section");
	}
	if (obj->btf_ext_shndx) {
		Elf_Data *d = elf_getdata(elf_getscn(obj->elf, obj->btf_ext_shndx),
					  NULL);

		if (!obj->btf)
			return bpfext_errf(err, EINVAL, ".BTF.ext without .BTF");
		if (!d)
			return bpfext_errf(err, EINVAL, "unreadable .BTF.ext");
		ret = bpfext_btf_ext_parse(obj, d->d_buf, d->d_size, err);
		if (ret)
			return ret;
		if (obj->btf_ext_rel_shndx) {
			d = elf_getdata(elf_getscn(obj->elf, obj->btf_ext_rel_shndx),
					NULL);
			ret = bpfext_btf_ext_rels_parse(obj, d, err);
			if (ret)
				return ret;
		}
	}
	return 0;
}

static int read_object(struct bpfext_object *obj, struct bpfext_error *err)
{
	Elf_Scn *scn = NULL;
	size_t i;
	int ret;

	ret = read_ehdr(obj, err);
	if (ret)
		return ret;
	while ((scn = elf_nextscn(obj->elf, scn))) {
		ret = read_section(obj, scn, err);
		if (ret)
			return ret;
	}
	if (!obj->symtab_shndx)
		return bpfext_errf(err, EINVAL, "no symbol table");
	ret = read_rel_sections(obj, err);
	if (ret)
		return ret;
	for (i = 0; i < obj->nr_secs; i++) {
		ret = read_funcs(obj, &obj->secs[i], err);
		if (ret)
			return ret;
	}
	for (i = 0; i < obj->nr_secs; i++) {
		ret = check_code(obj, &obj->secs[i], err);
		if (ret)
			return ret;
	}
	if (obj->maps_shndx) {
		scn = elf_getscn(obj->elf, obj->maps_shndx);
		ret = read_legacy_maps(obj, elf_getdata(scn, NULL), err);
		if (ret)
			return ret;
	}
	ret = read_btf(obj, err);
	return ret ? ret : add_progs(obj, err);
}

struct bpfext_object *bpfext_object__open_mem(const void *buf, size_t size,
					      const char *name,
					      struct bpfext_error *err)
{
	struct bpfext_object *obj = calloc(1, sizeof(*obj));
	int ret;

	if (!obj)
		goto nomem;
	obj->name = strdup(name);
	obj->image = malloc(size ? size : 1);
	if (!obj->name || !obj->image) {
		bpfext_object__close(obj);
		goto nomem;
	}
	memcpy(obj->image, buf, size);
	obj->size = size;
	ret = read_object(obj, err);
	if (ret) {
		if (ret == -ENOMEM)
			bpfext_errf(err, ENOMEM, "out of memory");
		bpfext_object__close(obj);
		errno = -ret;
		return NULL;
	}
	return obj;
nomem:
	bpfext_errf(err, ENOMEM, "out of memory");
	errno = ENOMEM;
	return NULL;
}

struct bpfext_object *bpfext_object__open(const char *path,
					  struct bpfext_error *err)
{
	struct bpfext_object *obj = NULL;
	struct stat st;
	uint8_t *buf = NULL;
	size_t done = 0;
	int fd, saved;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		saved = errno;
		bpfext_errf(err, saved, "%s", strerror(saved));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		saved = EINVAL;
		bpfext_errf(err, saved, "not a regular file");
		goto out;
	}
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf) {
		saved = ENOMEM;
		bpfext_errf(err, saved, "out of memory");
		goto out;
	}
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + done, st.st_size - done);

		if (n <= 0) {
			saved = n < 0 ? errno : EIO;
			bpfext_errf(err, saved, "read failed: %s", strerror(saved));
			goto out;
		}
		done += n;
	}
	obj = bpfext_object__open_mem(buf, done, path, err);
	saved = obj ? 0 : errno;
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	errno = saved;
	return obj;
}

void bpfext_object__close(struct bpfext_object *obj)
{
	size_t i;

	if (!obj)
		return;
	for (i = 0; i < obj->nr_secs; i++) {
		free(obj->secs[i].insns);
		free(obj->secs[i].relocs);
		free(obj->secs[i].funcs);
	}
	bpfext_btf_ext_free(obj);
	btf__free(obj->btf);
	free(obj->secs);
	free(obj->syms);
	free(obj->progs);
	free(obj->maps);
	if (obj->elf)
		elf_end(obj->elf);
	free(obj->image);
	free(obj->name);
	free(obj);
}

const char *bpfext_object__name(const struct bpfext_object *obj)
{
	return obj->name;
}

size_t bpfext_object__prog_cnt(const struct bpfext_object *obj)
{
	return obj->nr_progs;
}

struct bpfext_prog *bpfext_object__prog(struct bpfext_object *obj, size_t i)
{
	return i < obj->nr_progs ? &obj->progs[i] : NULL;
}

struct bpfext_prog *bpfext_object__find_prog(struct bpfext_object *obj,
					     const char *name)
{
	size_t i;

	for (i = 0; i < obj->nr_progs; i++)
		if (!strcmp(obj->progs[i].name, name))
			return &obj->progs[i];
	return NULL;
}

size_t bpfext_object__section_cnt(const struct bpfext_object *obj)
{
	return obj->nr_secs;
}

struct bpfext_section *bpfext_object__section(struct bpfext_object *obj,
					      size_t i)
{
	return i < obj->nr_secs ? &obj->secs[i] : NULL;
}

const struct bpfext_sym *bpfext_object__sym(const struct bpfext_object *obj,
					    size_t i)
{
	return i < obj->nr_syms ? &obj->syms[i] : NULL;
}

struct bpfext_section *bpfext_object__text(struct bpfext_object *obj)
{
	return obj->text_shndx ?
	       bpfext_object__section_by_shndx(obj, obj->text_shndx) : NULL;
}

bool bpfext_object__has_legacy_maps(const struct bpfext_object *obj)
{
	return obj->maps_shndx != 0;
}

size_t bpfext_object__legacy_map_cnt(const struct bpfext_object *obj)
{
	return obj->nr_maps;
}

const struct bpfext_legacy_map *
bpfext_object__legacy_map(const struct bpfext_object *obj, size_t i)
{
	return i < obj->nr_maps ? &obj->maps[i] : NULL;
}

const char *bpfext_object__license(const struct bpfext_object *obj)
{
	return obj->license;
}

uint32_t bpfext_object__kern_version(const struct bpfext_object *obj)
{
	return obj->kern_version;
}

size_t bpfext_prog__insn_cnt(const struct bpfext_prog *prog)
{
	return prog->sec->funcs[prog->func].cnt;
}

static void mark_reachable(struct bpfext_object *obj, struct bpfext_section *sec,
			   size_t func, bool *seen_text)
{
	struct bpfext_section *text = bpfext_object__text(obj);
	const struct bpfext_func *fn = &sec->funcs[func];
	size_t i, r, f;

	for (i = fn->start; i < fn->start + fn->cnt; i++) {
		const struct bpf_insn *insn = &sec->insns[i];
		long t = -1;
		bool rel = false;

		if (!bpfext_insn_is_pseudo_call(insn) &&
		    !bpfext_insn_is_pseudo_func(insn))
			continue;
		for (r = 0; r < sec->nr_relocs; r++) {
			if (sec->relocs[r].slot != i)
				continue;
			rel = true;
			if (text && obj->syms[sec->relocs[r].sym].shndx == text->shndx)
				t = bpfext_reloc_code_target(obj, sec, &sec->relocs[r]);
		}
		if (!rel && sec == text)
			t = (long)i + insn->imm + 1;
		if (t < 0 || !text)
			continue;
		for (f = 0; f < text->nr_funcs; f++) {
			if ((size_t)t >= text->funcs[f].start &&
			    (size_t)t < text->funcs[f].start + text->funcs[f].cnt &&
			    !seen_text[f]) {
				seen_text[f] = true;
				mark_reachable(obj, text, f, seen_text);
			}
		}
	}
}

bool bpfext_prog__runs_func(struct bpfext_object *obj,
			    const struct bpfext_prog *prog, size_t shndx,
			    const char *func)
{
	struct bpfext_section *text = bpfext_object__text(obj);
	const struct bpfext_func *own = &prog->sec->funcs[prog->func];
	bool *seen, found = false;
	size_t f;

	if (prog->sec->shndx == shndx && own->sym < obj->nr_syms &&
	    obj->syms[own->sym].name && !strcmp(obj->syms[own->sym].name, func))
		return true;
	if (!text || text->shndx != shndx)
		return false;
	seen = calloc(text->nr_funcs + 1, sizeof(*seen));
	if (!seen)
		return false;
	mark_reachable(obj, prog->sec, prog->func, seen);
	for (f = 0; f < text->nr_funcs && !found; f++) {
		size_t sym = text->funcs[f].sym;

		found = seen[f] && sym < obj->nr_syms && obj->syms[sym].name &&
			!strcmp(obj->syms[sym].name, func);
	}
	free(seen);
	return found;
}

size_t bpfext_prog__loaded_insn_cnt(struct bpfext_object *obj,
				    const struct bpfext_prog *prog)
{
	struct bpfext_section *text = bpfext_object__text(obj);
	size_t f, n = bpfext_prog__insn_cnt(prog);
	bool *seen;

	if (!text)
		return n;
	seen = calloc(text->nr_funcs, sizeof(*seen));
	if (!seen)
		return n;
	mark_reachable(obj, prog->sec, prog->func, seen);
	for (f = 0; f < text->nr_funcs; f++)
		if (seen[f])
			n += text->funcs[f].cnt;
	free(seen);
	return n;
}

const char *bpfext_object__reloc_name(struct bpfext_object *obj,
				      const struct bpfext_section *sec,
				      size_t slot)
{
	const struct bpfext_section *tsec;
	const struct bpfext_sym *sym;
	size_t r, f;
	long t;

	for (r = 0; r < sec->nr_relocs; r++) {
		if (sec->relocs[r].slot != slot)
			continue;
		sym = &obj->syms[sec->relocs[r].sym];
		if (sym->type != STT_SECTION ||
		    !bpfext_reloc_is_code_ref(obj, sec, &sec->relocs[r]))
			return sym->name;
		/* A static function: name the function the reference lands in. */
		tsec = bpfext_object__section_by_shndx(obj, sym->shndx);
		t = bpfext_reloc_code_target(obj, sec, &sec->relocs[r]);
		for (f = 0; tsec && f < tsec->nr_funcs; f++)
			if ((long)tsec->funcs[f].start == t &&
			    tsec->funcs[f].sym != NO_SYM)
				return obj->syms[tsec->funcs[f].sym].name;
		return sym->name;
	}
	return NULL;
}

const void *bpfext_object__image(const struct bpfext_object *obj, size_t *size)
{
	*size = obj->size;
	return obj->image;
}
