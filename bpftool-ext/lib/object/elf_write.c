// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Writing objects back.  The input image is opened read-write by libelf
 * and only the sections that changed get new data (code, its .rel
 * section, the symbol table, .BTF.ext and .rel.BTF.ext); libelf lays the
 * file out again, so every other section keeps its bytes.
 */
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "object/object.h"

static int cmp_reloc(const void *a, const void *b)
{
	const struct bpfext_reloc *x = a, *y = b;

	return x->slot < y->slot ? -1 : x->slot > y->slot;
}

static int set_data(Elf *elf, size_t shndx, void *buf, size_t size)
{
	Elf_Scn *scn = elf_getscn(elf, shndx);
	Elf_Data *data = scn ? elf_getdata(scn, NULL) : NULL;

	if (!data)
		return -EINVAL;
	data->d_buf = buf;
	data->d_size = size;
	elf_flagdata(data, ELF_C_SET, ELF_F_DIRTY);
	return 0;
}

struct keep {
	void **bufs;
	size_t n;
};

static void *keep_alloc(struct keep *k, size_t size)
{
	size_t cap = k->n;
	void *p;

	if (bpfext_grow(&k->bufs, &cap, k->n + 1, sizeof(*k->bufs)))
		return NULL;
	p = calloc(1, size ? size : 1);
	if (p)
		k->bufs[k->n++] = p;
	return p;
}

static int write_rels(Elf *elf, struct keep *k, size_t shndx,
		      const GElf_Rel *rels, size_t n)
{
	Elf_Scn *scn = elf_getscn(elf, shndx);
	Elf_Data *data = scn ? elf_getdata(scn, NULL) : NULL;
	size_t i;

	if (!data)
		return -EINVAL;
	data->d_buf = keep_alloc(k, n * sizeof(Elf64_Rel));
	if (!data->d_buf)
		return -ENOMEM;
	data->d_size = n * sizeof(Elf64_Rel);
	for (i = 0; i < n; i++)
		gelf_update_rel(data, i, (GElf_Rel *)&rels[i]);
	elf_flagdata(data, ELF_C_SET, ELF_F_DIRTY);
	return 0;
}

/* Is @sym a static entry program: a local function of a program section? */
static bool static_prog(Elf *elf, const GElf_Sym *sym)
{
	size_t shstrndx;
	GElf_Shdr sh;
	const char *name;

	if (GELF_ST_TYPE(sym->st_info) != STT_FUNC || GELF_ST_BIND(sym->st_info) != STB_LOCAL ||
	    sym->st_shndx == SHN_UNDEF || sym->st_shndx >= SHN_LORESERVE ||
	    elf_getshdrstrndx(elf, &shstrndx) ||
	    !gelf_getshdr(elf_getscn(elf, sym->st_shndx), &sh) ||
	    !(sh.sh_flags & SHF_EXECINSTR))
		return false;
	name = elf_strptr(elf, shstrndx, sh.sh_name);
	return name && strcmp(name, ".text");
}

static int update_elf(struct bpfext_object *obj, Elf *elf, struct keep *k,
		      unsigned int flags, struct bpfext_error *err)
{
	size_t i, r;
	int ret;

	for (i = 0; i < obj->nr_secs; i++) {
		struct bpfext_section *sec = &obj->secs[i];
		GElf_Rel *rels;
		void *buf;

		if (!sec->dirty)
			continue;
		buf = keep_alloc(k, sec->cnt * sizeof(struct bpf_insn));
		if (!buf)
			return -ENOMEM;
		memcpy(buf, sec->insns, sec->cnt * sizeof(struct bpf_insn));
		ret = set_data(elf, sec->shndx, buf,
			       sec->cnt * sizeof(struct bpf_insn));
		if (ret)
			return bpfext_errf(err, EINVAL, "section %s: %s", sec->name,
					   elf_errmsg(-1));
		if (!sec->rel_shndx)
			continue;
		qsort(sec->relocs, sec->nr_relocs, sizeof(*sec->relocs),
		      cmp_reloc);
		rels = keep_alloc(k, sec->nr_relocs * sizeof(*rels));
		if (!rels)
			return -ENOMEM;
		for (r = 0; r < sec->nr_relocs; r++) {
			rels[r].r_offset = sec->relocs[r].slot * 8;
			rels[r].r_info = GELF_R_INFO(sec->relocs[r].sym,
						     sec->relocs[r].type);
		}
		ret = write_rels(elf, k, sec->rel_shndx, rels, sec->nr_relocs);
		if (ret)
			return bpfext_errf(err, EINVAL, "section %s: relocations: %s",
					   sec->name, elf_errmsg(-1));
	}

	if (obj->syms_dirty || (flags & BPFEXT_WRITE_GLOBAL_PROGS)) {
		Elf_Data *data = elf_getdata(elf_getscn(elf, obj->symtab_shndx),
					     NULL);

		for (i = 0; data && i < obj->nr_syms; i++) {
			GElf_Sym sym;

			if (!gelf_getsym(data, i, &sym))
				return bpfext_errf(err, EINVAL, "symbol table: %s",
						   elf_errmsg(-1));
			sym.st_value = obj->syms[i].value;
			sym.st_size = obj->syms[i].size;
			if ((flags & BPFEXT_WRITE_GLOBAL_PROGS) && static_prog(elf, &sym))
				sym.st_info = GELF_ST_INFO(STB_GLOBAL, STT_FUNC);
			gelf_update_sym(data, i, &sym);
		}
		if (!data)
			return bpfext_errf(err, EINVAL, "symbol table is unreadable");
		elf_flagdata(data, ELF_C_SET, ELF_F_DIRTY);
	}

	if (obj->btf_ext_shndx && obj->ext_dirty) {
		GElf_Rel *rels = NULL;
		uint8_t *ext = NULL;
		size_t size, nr;
		void *kept;

		ret = bpfext_btf_ext_build(obj, &ext, &size, &rels, &nr, err);
		if (ret)
			return ret;
		kept = keep_alloc(k, size);
		if (!kept) {
			free(ext);
			free(rels);
			return -ENOMEM;
		}
		memcpy(kept, ext, size);
		free(ext);
		ret = set_data(elf, obj->btf_ext_shndx, kept, size);
		if (!ret && obj->btf_ext_rel_shndx)
			ret = write_rels(elf, k, obj->btf_ext_rel_shndx, rels, nr);
		free(rels);
		if (ret)
			return bpfext_errf(err, EINVAL, ".BTF.ext: %s", elf_errmsg(-1));
	}
	return 0;
}

static bool object_dirty(const struct bpfext_object *obj)
{
	size_t i;

	if (obj->syms_dirty || obj->ext_dirty)
		return true;
	for (i = 0; i < obj->nr_secs; i++)
		if (obj->secs[i].dirty)
			return true;
	return false;
}

int bpfext_object__write_mem(struct bpfext_object *obj, void **bufp,
			     size_t *sizep, struct bpfext_error *err)
{
	return bpfext_object__write_image(obj, 0, bufp, sizep, err);
}

int bpfext_object__write_image(struct bpfext_object *obj, unsigned int flags,
			       void **bufp, size_t *sizep, struct bpfext_error *err)
{
	struct keep k = { 0 };
	Elf *elf = NULL;
	struct stat st;
	void *buf = NULL;
	off_t len;
	int fd, ret;
	size_t i;

	if (!object_dirty(obj) && !flags) {
		buf = malloc(obj->size ? obj->size : 1);
		if (!buf)
			return bpfext_errf(err, ENOMEM, "out of memory");
		memcpy(buf, obj->image, obj->size);
		*bufp = buf;
		*sizep = obj->size;
		return 0;
	}

	fd = memfd_create("bpfext-out", MFD_CLOEXEC);
	if (fd < 0)
		return bpfext_errf(err, errno, "memfd_create: %s", strerror(errno));
	if (pwrite(fd, obj->image, obj->size, 0) != (ssize_t)obj->size) {
		ret = bpfext_errf(err, EIO, "cannot stage the output image");
		goto out;
	}
	elf = elf_begin(fd, ELF_C_RDWR, NULL);
	if (!elf) {
		ret = bpfext_errf(err, EINVAL, "libelf: %s", elf_errmsg(-1));
		goto out;
	}
	ret = update_elf(obj, elf, &k, flags, err);
	if (ret) {
		if (ret == -ENOMEM)
			bpfext_errf(err, ENOMEM, "out of memory");
		goto out;
	}
	len = elf_update(elf, ELF_C_WRITE);
	if (len < 0) {
		ret = bpfext_errf(err, EINVAL, "libelf: %s", elf_errmsg(-1));
		goto out;
	}
	elf_end(elf);
	elf = NULL;
	if (fstat(fd, &st)) {
		ret = bpfext_errf(err, errno, "fstat: %s", strerror(errno));
		goto out;
	}
	/* libelf may leave the tail of a shrunk file in place. */
	if (st.st_size > len)
		st.st_size = len;
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf) {
		ret = bpfext_errf(err, ENOMEM, "out of memory");
		goto out;
	}
	if (pread(fd, buf, st.st_size, 0) != st.st_size) {
		free(buf);
		ret = bpfext_errf(err, EIO, "cannot read the output image back");
		goto out;
	}
	*bufp = buf;
	*sizep = st.st_size;
	ret = 0;
out:
	if (elf)
		elf_end(elf);
	close(fd);
	for (i = 0; i < k.n; i++)
		free(k.bufs[i]);
	free(k.bufs);
	return ret;
}

/* Create the temporary file next to @path; *tmpp is freed by the caller. */
static int open_tmp_beside(const char *path, char **tmpp,
			   struct bpfext_error *err)
{
	char *dup = strdup(path), *tmp = NULL;
	const char *dir;
	int fd;

	*tmpp = NULL;
	if (!dup)
		return bpfext_errf(err, ENOMEM, "out of memory");
	dir = dirname(dup);
	if (asprintf(&tmp, "%s/.bpftool-ext.XXXXXX", dir) < 0) {
		free(dup);
		return bpfext_errf(err, ENOMEM, "out of memory");
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		fd = bpfext_errf(err, errno, "cannot create a file in %s: %s",
				 dir, strerror(errno));
		free(tmp);
		tmp = NULL;
	}
	free(dup);
	*tmpp = tmp;
	return fd;
}

int bpfext_output_probe(const char *path, struct bpfext_error *err)
{
	struct stat st;
	char *tmp;
	int fd;

	if (!stat(path, &st) && S_ISDIR(st.st_mode))
		return bpfext_errf(err, EISDIR, "is a directory");
	fd = open_tmp_beside(path, &tmp, err);
	if (fd < 0)
		return fd;
	close(fd);
	unlink(tmp);
	free(tmp);
	return 0;
}

int bpfext_write_file_atomic(const char *path, const void *buf, size_t size,
			     struct bpfext_error *err)
{
	char *tmp;
	size_t done = 0;
	int fd, ret;

	fd = open_tmp_beside(path, &tmp, err);
	if (fd < 0)
		return fd;
	while (done < size) {
		ssize_t n = write(fd, (const char *)buf + done, size - done);

		if (n < 0) {
			ret = bpfext_errf(err, errno, "write failed: %s",
					  strerror(errno));
			goto out;
		}
		done += n;
	}
	if (fchmod(fd, 0644) || fsync(fd)) {
		ret = bpfext_errf(err, errno, "write failed: %s", strerror(errno));
		goto out;
	}
	if (close(fd)) {
		fd = -1;
		ret = bpfext_errf(err, errno, "write failed: %s", strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, path)) {
		ret = bpfext_errf(err, errno, "cannot replace %s: %s", path,
				  strerror(errno));
		goto out;
	}
	free(tmp);
	tmp = NULL;
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	if (tmp) {
		unlink(tmp);
		free(tmp);
	}
	return ret;
}
