/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The object layer's internals: what object/ and the loader share. */
#ifndef BPFEXT_OBJECT_H
#define BPFEXT_OBJECT_H

#include <errno.h>
#include <stdarg.h>
#include <libelf.h>
#include <gelf.h>

#include "util/util.h"

#ifndef EM_BPF
#define EM_BPF 247
#endif
#ifndef R_BPF_64_64
#define R_BPF_64_64 1
#endif
#ifndef R_BPF_64_32
#define R_BPF_64_32 10
#endif

#define NO_SYM ((size_t)-1)

enum ext_kind { EXT_FUNC, EXT_LINE, EXT_CORE, EXT_KINDS };

/* One per-section block of a .BTF.ext subsection. */
struct ext_block {
	uint32_t sec_name_off;
	struct bpfext_section *sec;	/* NULL: kept raw */
	uint8_t *raw;			/* records of a section we don't edit */
	uint32_t raw_cnt;
};

/* Where an entry of .rel.BTF.ext points: a record field, or elsewhere. */
struct ext_rel {
	GElf_Rel rel;
	int kind;			/* -1: not inside a record */
	size_t block;
	size_t rec;
	uint32_t field_off;
};

struct bpfext_object {
	char *name;
	uint8_t *image;
	size_t size;
	Elf *elf;
	size_t shnum;
	size_t shstrndx;

	size_t symtab_shndx;
	struct bpfext_sym *syms;
	size_t nr_syms;
	bool syms_dirty;

	struct bpfext_section *secs;
	size_t nr_secs;
	size_t text_shndx;		/* 0: none */

	struct bpfext_prog *progs;
	size_t nr_progs;

	size_t maps_shndx;		/* legacy "maps", 0: none */
	struct bpfext_legacy_map *maps;
	size_t nr_maps;

	bool has_btf_maps;		/* ".maps" section */
	size_t data_shndx[16];		/* .data*, .rodata*, .bss* sections */
	size_t nr_data;
	char license[128];
	uint32_t kern_version;

	size_t btf_shndx;
	size_t btf_ext_shndx;
	size_t btf_ext_rel_shndx;
	struct btf *btf;
	uint32_t ext_hdr_len;
	uint32_t ext_rec_size[EXT_KINDS];
	bool ext_has_core;
	struct ext_block *ext_blocks[EXT_KINDS];
	size_t ext_nr_blocks[EXT_KINDS];
	struct ext_rel *ext_rels;
	size_t ext_nr_rels;
	bool ext_dirty;
};

struct bpfext_section *bpfext_object__section_by_shndx(struct bpfext_object *obj,
						       size_t shndx);
bool bpfext_reloc_is_code_ref(const struct bpfext_object *obj,
			      const struct bpfext_section *sec,
			      const struct bpfext_reloc *r);
/* Target slot (in the symbol's section) of a code-referencing relocation. */
long bpfext_reloc_code_target(const struct bpfext_object *obj,
			      const struct bpfext_section *sec,
			      const struct bpfext_reloc *r);

int bpfext_btf_ext_parse(struct bpfext_object *obj, const uint8_t *data,
			 size_t size, struct bpfext_error *err);
int bpfext_btf_ext_rels_parse(struct bpfext_object *obj, Elf_Data *data,
			      struct bpfext_error *err);
/*
 * Serialise as bpfext_object__write_mem() does, with @flags:
 * BPFEXT_WRITE_GLOBAL_PROGS makes the static entry programs (local FUNC
 * symbols of program sections) global, for libbpf 1.1, which refuses
 * them where cilium/ebpf and newer libbpf load them.
 */
#define BPFEXT_WRITE_GLOBAL_PROGS	(1u << 0)
int bpfext_object__write_image(struct bpfext_object *obj, unsigned int flags,
			       void **bufp, size_t *sizep, struct bpfext_error *err);

int bpfext_btf_ext_build(struct bpfext_object *obj, uint8_t **data,
			 size_t *size, GElf_Rel **rels, size_t *nr_rels,
			 struct bpfext_error *err);
void bpfext_btf_ext_free(struct bpfext_object *obj);

#endif /* BPFEXT_OBJECT_H */
