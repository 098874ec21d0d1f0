// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * .BTF.ext: func_info, line_info and CO-RE relocation records.
 *
 * libbpf validates and uses these records but keeps them private, and a
 * rewriter must move every record's insn_off, so the section is walked
 * here.  Records of code sections are attached to instruction slots;
 * records of any other section are carried through unchanged.  Entries
 * of .rel.BTF.ext (LLVM emits one per insn_off field) follow the record
 * they point into.
 */
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>

#include "object/object.h"

/* Layout of the section header (include/uapi has no definition). */
struct ext_hdr {
	uint16_t magic;
	uint8_t version;
	uint8_t flags;
	uint32_t hdr_len;
	uint32_t off_len[EXT_KINDS][2];
};

static const char *const kind_name[EXT_KINDS] = {
	"func_info", "line_info", "core_relo"
};
static const uint32_t kind_min_rec[EXT_KINDS] = { 8, 16, 16 };

static struct bpfext_ext_recs *sec_recs(struct bpfext_section *sec, int kind)
{
	switch (kind) {
	case EXT_FUNC:
		return &sec->func_info;
	case EXT_LINE:
		return &sec->line_info;
	default:
		return &sec->core_relo;
	}
}

static int parse_kind(struct bpfext_object *obj, int kind, const uint8_t *p,
		      uint32_t len, struct bpfext_error *err)
{
	const uint8_t *end = p + len;
	uint32_t rec_size;

	if (!len)
		return 0;
	if (len < 4)
		return bpfext_errf(err, EINVAL, ".BTF.ext: %s is truncated",
				   kind_name[kind]);
	memcpy(&rec_size, p, 4);
	p += 4;
	if (rec_size < kind_min_rec[kind] || rec_size % 4 || rec_size > 1024)
		return bpfext_errf(err, EINVAL,
				   ".BTF.ext: %s record size %u is invalid",
				   kind_name[kind], rec_size);
	obj->ext_rec_size[kind] = rec_size;
	while (p < end) {
		struct ext_block *blk;
		size_t cap;
		uint32_t hdr[2], i;
		const char *sname;

		if ((size_t)(end - p) < sizeof(hdr))
			return bpfext_errf(err, EINVAL,
					   ".BTF.ext: %s block header is truncated",
					   kind_name[kind]);
		memcpy(hdr, p, sizeof(hdr));
		p += sizeof(hdr);
		if (!hdr[1] || (size_t)(end - p) / rec_size < hdr[1])
			return bpfext_errf(err, EINVAL,
					   ".BTF.ext: %s block has a bad record count %u",
					   kind_name[kind], hdr[1]);
		sname = btf__name_by_offset(obj->btf, hdr[0]);
		if (!sname)
			return bpfext_errf(err, EINVAL,
					   ".BTF.ext: %s block names a missing string",
					   kind_name[kind]);
		cap = obj->ext_nr_blocks[kind];
		if (bpfext_grow(&obj->ext_blocks[kind], &cap,
				obj->ext_nr_blocks[kind] + 1, sizeof(*blk)))
			return -ENOMEM;
		blk = &obj->ext_blocks[kind][obj->ext_nr_blocks[kind]++];
		memset(blk, 0, sizeof(*blk));
		blk->sec_name_off = hdr[0];
		for (i = 0; i < obj->nr_secs; i++)
			if (!strcmp(obj->secs[i].name, sname))
				blk->sec = &obj->secs[i];
		if (blk->sec) {
			struct bpfext_ext_recs *recs = sec_recs(blk->sec, kind);
			struct bpfext_ext_rec *r;

			if (recs->cnt)
				return bpfext_errf(err, EINVAL,
						   ".BTF.ext: two %s blocks for section %s",
						   kind_name[kind], sname);
			recs->recs = calloc(hdr[1], sizeof(*recs->recs));
			if (!recs->recs)
				return -ENOMEM;
			for (i = 0; i < hdr[1]; i++, p += rec_size) {
				uint32_t off;

				memcpy(&off, p, 4);
				if (off % 8 || off / 8 >= blk->sec->cnt)
					return bpfext_errf(err, EINVAL,
							   ".BTF.ext: %s record for section %s at insn_off %u is outside the section",
							   kind_name[kind], sname, off);
				r = &recs->recs[recs->cnt++];
				r->slot = off / 8;
				r->rel = -1;
				r->raw = malloc(rec_size);
				if (!r->raw)
					return -ENOMEM;
				memcpy(r->raw, p, rec_size);
			}
		} else {
			blk->raw_cnt = hdr[1];
			blk->raw = malloc((size_t)hdr[1] * rec_size);
			if (!blk->raw)
				return -ENOMEM;
			memcpy(blk->raw, p, (size_t)hdr[1] * rec_size);
			p += (size_t)hdr[1] * rec_size;
		}
	}
	return 0;
}

int bpfext_btf_ext_parse(struct bpfext_object *obj, const uint8_t *data,
			 size_t size, struct bpfext_error *err)
{
	struct ext_hdr hdr = { 0 };
	int kind, ret;

	if (size < 24)
		return bpfext_errf(err, EINVAL, ".BTF.ext is truncated");
	memcpy(&hdr, data, size < sizeof(hdr) ? size : sizeof(hdr));
	if (hdr.magic != 0xeB9F)
		return bpfext_errf(err, EINVAL, ".BTF.ext has a bad magic 0x%x",
				   hdr.magic);
	if (hdr.hdr_len < 24 || hdr.hdr_len > size || hdr.hdr_len % 4)
		return bpfext_errf(err, EINVAL, ".BTF.ext header length %u is invalid",
				   hdr.hdr_len);
	obj->ext_hdr_len = hdr.hdr_len;
	obj->ext_has_core = hdr.hdr_len >= sizeof(hdr);
	if (!obj->ext_has_core)
		hdr.off_len[EXT_CORE][0] = hdr.off_len[EXT_CORE][1] = 0;
	for (kind = 0; kind < EXT_KINDS; kind++) {
		uint32_t off = hdr.off_len[kind][0], len = hdr.off_len[kind][1];

		if (off > size - hdr.hdr_len || len > size - hdr.hdr_len - off)
			return bpfext_errf(err, EINVAL,
					   ".BTF.ext: %s extends past the section",
					   kind_name[kind]);
		ret = parse_kind(obj, kind, data + hdr.hdr_len + off, len, err);
		if (ret)
			return ret;
	}
	return 0;
}

/* Find the record (of a code section) or raw block byte at @off. */
static int locate(struct bpfext_object *obj, const struct ext_hdr *hdr,
		  uint64_t off, struct ext_rel *er)
{
	int kind;

	for (kind = 0; kind < EXT_KINDS; kind++) {
		uint64_t pos = hdr->hdr_len + hdr->off_len[kind][0];
		uint32_t rs = obj->ext_rec_size[kind];
		size_t b;

		if (!hdr->off_len[kind][1])
			continue;
		pos += 4;
		for (b = 0; b < obj->ext_nr_blocks[kind]; b++) {
			struct ext_block *blk = &obj->ext_blocks[kind][b];
			size_t n = blk->sec ? sec_recs(blk->sec, kind)->cnt
					    : blk->raw_cnt;

			pos += 8;
			if (off >= pos && off < pos + n * rs) {
				er->kind = kind;
				er->block = b;
				er->rec = (off - pos) / rs;
				er->field_off = (off - pos) % rs;
				return 0;
			}
			pos += n * rs;
		}
	}
	er->kind = -1;
	return 0;
}

int bpfext_btf_ext_rels_parse(struct bpfext_object *obj, Elf_Data *data,
			      struct bpfext_error *err)
{
	struct ext_hdr hdr = { 0 };
	Elf_Data *ext;
	size_t i, n;

	if (!data)
		return bpfext_errf(err, EINVAL, "unreadable .rel.BTF.ext");
	ext = elf_getdata(elf_getscn(obj->elf, obj->btf_ext_shndx), NULL);
	memcpy(&hdr, ext->d_buf,
	       ext->d_size < sizeof(hdr) ? ext->d_size : sizeof(hdr));
	if (!obj->ext_has_core)
		hdr.off_len[EXT_CORE][0] = hdr.off_len[EXT_CORE][1] = 0;
	n = data->d_size / sizeof(Elf64_Rel);
	obj->ext_rels = calloc(n ? n : 1, sizeof(*obj->ext_rels));
	if (!obj->ext_rels)
		return -ENOMEM;
	obj->ext_nr_rels = n;
	for (i = 0; i < n; i++) {
		struct ext_rel *er = &obj->ext_rels[i];
		struct ext_block *blk;

		if (!gelf_getrel(data, i, &er->rel))
			return bpfext_errf(err, EINVAL,
					   "malformed .rel.BTF.ext entry #%zu", i);
		if (GELF_R_SYM(er->rel.r_info) >= obj->nr_syms)
			return bpfext_errf(err, EINVAL,
					   ".rel.BTF.ext entry #%zu references missing symbol #%llu",
					   i, (unsigned long long)GELF_R_SYM(er->rel.r_info));
		locate(obj, &hdr, er->rel.r_offset, er);
		/* Headers move when records go: nothing there is relocatable. */
		if (er->kind < 0)
			return bpfext_errf(err, EINVAL,
					   ".rel.BTF.ext entry #%zu points outside the .BTF.ext records",
					   i);
		blk = &obj->ext_blocks[er->kind][er->block];
		if (blk->sec && er->field_off)
			return bpfext_errf(err, ENOTSUP,
					   ".rel.BTF.ext entry #%zu points inside a %s record",
					   i, kind_name[er->kind]);
		if (blk->sec)
			sec_recs(blk->sec, er->kind)->recs[er->rec].rel = i;
	}
	return 0;
}

struct outbuf {
	uint8_t *p;
	size_t len, cap;
};

static int put(struct outbuf *o, const void *src, size_t n)
{
	if (bpfext_grow(&o->p, &o->cap, o->len + n, 1))
		return -ENOMEM;
	memcpy(o->p + o->len, src, n);
	o->len += n;
	return 0;
}

int bpfext_btf_ext_build(struct bpfext_object *obj, uint8_t **data,
			 size_t *size, GElf_Rel **rels, size_t *nr_rels,
			 struct bpfext_error *err)
{
	struct outbuf o = { 0 };
	struct ext_hdr hdr;
	Elf_Data *old;
	uint64_t *new_off = NULL;
	bool *dropped = NULL;
	size_t i, b, kstart;
	int kind, ret = -ENOMEM;

	old = elf_getdata(elf_getscn(obj->elf, obj->btf_ext_shndx), NULL);
	memset(&hdr, 0, sizeof(hdr));
	memcpy(&hdr, old->d_buf, obj->ext_hdr_len < sizeof(hdr) ?
				 obj->ext_hdr_len : sizeof(hdr));
	new_off = calloc(obj->ext_nr_rels + 1, sizeof(*new_off));
	dropped = calloc(obj->ext_nr_rels + 1, sizeof(*dropped));
	if (!new_off || !dropped)
		goto out;
	for (i = 0; i < obj->ext_nr_rels; i++) {
		new_off[i] = obj->ext_rels[i].rel.r_offset;
		/* Record-owned entries are placed again below. */
		dropped[i] = obj->ext_rels[i].kind >= 0 &&
			     obj->ext_blocks[obj->ext_rels[i].kind]
					    [obj->ext_rels[i].block].sec;
	}
	if (put(&o, old->d_buf, obj->ext_hdr_len))
		goto out;
	for (kind = 0; kind < EXT_KINDS; kind++) {
		uint32_t rs = obj->ext_rec_size[kind];

		if (kind == EXT_CORE && !obj->ext_has_core)
			break;
		kstart = o.len;
		if (!rs) {
			hdr.off_len[kind][0] = kstart - obj->ext_hdr_len;
			hdr.off_len[kind][1] = 0;
			continue;
		}
		if (put(&o, &rs, 4))
			goto out;
		for (b = 0; b < obj->ext_nr_blocks[kind]; b++) {
			struct ext_block *blk = &obj->ext_blocks[kind][b];
			uint32_t bh[2] = { blk->sec_name_off, 0 };
			size_t blk_start;

			if (!blk->sec) {
				bh[1] = blk->raw_cnt;
				blk_start = o.len + 8;
				if (put(&o, bh, 8) ||
				    put(&o, blk->raw, (size_t)blk->raw_cnt * rs))
					goto out;
				/* Raw entries keep their offset within the block. */
				for (i = 0; i < obj->ext_nr_rels; i++) {
					struct ext_rel *er = &obj->ext_rels[i];

					if (er->kind == kind && er->block == b)
						new_off[i] = blk_start +
							     er->rec * rs +
							     er->field_off;
				}
				continue;
			}
			bh[1] = sec_recs(blk->sec, kind)->cnt;
			if (!bh[1])
				continue;
			if (put(&o, bh, 8))
				goto out;
			for (i = 0; i < bh[1]; i++) {
				struct bpfext_ext_rec *r = &sec_recs(blk->sec, kind)->recs[i];
				uint32_t off = r->slot * 8;

				if (r->rel >= 0) {
					new_off[r->rel] = o.len;
					dropped[r->rel] = false;
				}
				memcpy(r->raw, &off, 4);
				if (put(&o, r->raw, rs))
					goto out;
			}
		}
		hdr.off_len[kind][0] = kstart - obj->ext_hdr_len;
		hdr.off_len[kind][1] = o.len - kstart;
	}
	memcpy(o.p, &hdr, obj->ext_hdr_len < sizeof(hdr) ?
			  obj->ext_hdr_len : sizeof(hdr));

	*rels = calloc(obj->ext_nr_rels + 1, sizeof(**rels));
	if (!*rels)
		goto out;
	*nr_rels = 0;
	for (i = 0; i < obj->ext_nr_rels; i++) {
		if (dropped[i])
			continue;
		(*rels)[*nr_rels] = obj->ext_rels[i].rel;
		(*rels)[*nr_rels].r_offset = new_off[i];
		(*nr_rels)++;
	}
	*data = o.p;
	*size = o.len;
	o.p = NULL;
	ret = 0;
out:
	if (ret)
		bpfext_errf(err, ENOMEM, "out of memory");
	free(o.p);
	free(new_off);
	free(dropped);
	return ret;
}

void bpfext_btf_ext_free(struct bpfext_object *obj)
{
	size_t i, b;
	int kind;

	for (i = 0; i < obj->nr_secs; i++) {
		for (kind = 0; kind < EXT_KINDS; kind++) {
			struct bpfext_ext_recs *recs = sec_recs(&obj->secs[i], kind);

			for (b = 0; b < recs->cnt; b++)
				free(recs->recs[b].raw);
			free(recs->recs);
		}
	}
	for (kind = 0; kind < EXT_KINDS; kind++) {
		for (b = 0; b < obj->ext_nr_blocks[kind]; b++)
			free(obj->ext_blocks[kind][b].raw);
		free(obj->ext_blocks[kind]);
	}
	free(obj->ext_rels);
}
