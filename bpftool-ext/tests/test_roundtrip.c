// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Round-trip test for the object writer, run on real objects:
 *
 *   test_roundtrip [-l] [-s] [-r N] OBJ...
 *
 * For each object:
 *  1. identity: writing an unchanged object reproduces the input bytes;
 *  2. stress: a "goto pc+0" is inserted before every instruction of every
 *     code section (moving every branch, call, relocation, symbol and
 *     .BTF.ext record), and the result is read back;
 *  3. the clean-up pass removes those no-ops again, and every section of
 *     the result is byte-identical to the input's.
 * With -l each program of the original and of the stressed object is
 * loaded in the running kernel: both load or both fail, and when they
 * load the kernel's xlated programs are identical (the verifier drops
 * the inserted no-ops), map ids aside.
 *
 * With -s a closing comment line counts objects, programs and programs
 * the kernel accepted.  With -r up to N objects the reader refuses (with
 * a one-line reason) are skips, not failures: for compilers whose output
 * no loader takes (GCC 12's calls to undefined helpers).
 *
 * Output is TAP; the exit status is non-zero if any check failed.
 * ARGS-REQUIRED: not run as an argument-less unit test.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libelf.h>
#include <gelf.h>
#include <bpf/libbpf.h>

#include "bpfext.h"
#include "tap.h"

static int nr_objects, nr_programs, nr_loaded, nr_refused, max_refused;

static int insert_nops(struct bpfext_object *obj, struct bpfext_section *sec,
		       struct bpfext_error *err)
{
	struct bpfext_patch *pt = calloc(sec->cnt + 1, sizeof(*pt));
	struct bpfext_new_insn *ni = calloc(3 * sec->cnt + 1, sizeof(*ni));
	size_t s, n = 0, k = 0;
	int ret;

	if (!pt || !ni) {
		free(pt);
		free(ni);
		return -1;
	}
	for (s = 0; s < sec->cnt; s += bpfext_insn_slots(&sec->insns[s])) {
		int slots = bpfext_insn_slots(&sec->insns[s]), j;

		pt[n].start = s;
		pt[n].len = slots;
		pt[n].insns = &ni[k];
		pt[n].cnt = 1 + slots;
		ni[k].insn = (struct bpf_insn){ .code = BPF_JMP | BPF_JA };
		ni[k].orig = -1;
		ni[k].target = BPFEXT_LOCAL(1);
		k++;
		for (j = 0; j < slots; j++) {
			ni[k].insn = sec->insns[s + j];
			ni[k].orig = s + j;
			ni[k].target = j ? -1 : bpfext_section__branch_target(sec, s);
			k++;
		}
		n++;
	}
	ret = bpfext_section__apply(obj, sec, pt, n, err);
	free(pt);
	free(ni);
	return ret;
}

static void normalize(struct bpf_insn *x, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i++) {
		if (x[i].code == (BPF_LD | BPF_IMM | BPF_DW) && x[i].src_reg) {
			x[i].imm = 0;
			x[i + 1].imm = 0;
			i++;
		}
	}
}

/* Compare the data of every section of two ELF images. */
static bool same_sections(const void *a, size_t asz, const void *b, size_t bsz,
			  char *why, size_t whylen)
{
	Elf *ea = elf_memory((char *)a, asz), *eb = elf_memory((char *)b, bsz);
	size_t na = 0, nb = 0, i;
	bool same = true;

	if (!ea || !eb || elf_getshdrnum(ea, &na) || elf_getshdrnum(eb, &nb) ||
	    na != nb) {
		snprintf(why, whylen, "section counts differ");
		same = false;
		goto out;
	}
	for (i = 1; i < na && same; i++) {
		Elf_Scn *sa = elf_getscn(ea, i), *sb = elf_getscn(eb, i);
		Elf_Data *da = elf_getdata(sa, NULL), *db = elf_getdata(sb, NULL);
		GElf_Shdr ha, hb;

		gelf_getshdr(sa, &ha);
		gelf_getshdr(sb, &hb);
		if (ha.sh_type == SHT_NOBITS)
			continue;
		if (!da || !db || da->d_size != db->d_size ||
		    (da->d_size && memcmp(da->d_buf, db->d_buf, da->d_size))) {
			snprintf(why, whylen, "section %zu differs", i);
			same = false;
		}
	}
out:
	if (ea)
		elf_end(ea);
	if (eb)
		elf_end(eb);
	return same;
}

/* The input after the clean-up pass alone (it may hold no-ops itself). */
static bool clean_image(const void *img, size_t sz, const char *path,
			void **out, size_t *out_sz, struct bpfext_error *err)
{
	struct bpfext_object *obj = bpfext_object__open_mem(img, sz, path, err);
	bool good = obj != NULL;
	size_t i;

	for (i = 0; good && i < bpfext_object__section_cnt(obj); i++)
		good = bpfext_cleanup_section(obj, bpfext_object__section(obj, i),
					      err) >= 0;
	good = good && !bpfext_object__write_mem(obj, out, out_sz, err);
	bpfext_object__close(obj);
	return good;
}

static void load_compare(const char *path, struct bpfext_object *orig,
			 struct bpfext_object *stressed)
{
	BPFEXT_OPTS(bpfext_load_opts, lo, .want_xlated = true);
	size_t i;

	for (i = 0; i < bpfext_object__prog_cnt(orig); i++) {
		struct bpfext_prog *p = bpfext_object__prog(orig, i);
		struct bpfext_prog *q = bpfext_object__find_prog(stressed, p->name);
		struct bpfext_load_result ra, rb;
		struct bpfext_error err = { "" };
		char what[512], why[600];
		bool same;

		if (!q) {
			ok(false, "%s: %s: program missing after rewrite", path, p->name);
			continue;
		}
		nr_programs++;
		if (bpfext_object__load(orig, p, &lo, &ra, &err) ||
		    bpfext_object__load(stressed, q, &lo, &rb, &err)) {
			snprintf(why, sizeof(why), "cannot load: %s", err.msg);
			snprintf(what, sizeof(what), "%s: %s", path, p->name);
			skip(what, why);
			bpfext_load_result__free(&ra);
			continue;
		}
		if (ra.loaded && !rb.loaded && rb.log_tail &&
		    strstr(rb.log_tail, "BPF program is too large")) {
			/* Each inserted no-op is one more verifier step. */
			snprintf(why, sizeof(why),
				 "%u steps doubled pass the verifier's limit",
				 ra.verified_insns);
			snprintf(what, sizeof(what), "%s: %s", path, p->name);
			skip(what, why);
			goto next;
		}
		nr_loaded += ra.loaded;
		same = ra.loaded == rb.loaded;
		if (same && ra.loaded) {
			normalize(ra.xlated, ra.xlated_len / 8);
			normalize(rb.xlated, rb.xlated_len / 8);
			same = ra.xlated_len == rb.xlated_len &&
			       !memcmp(ra.xlated, rb.xlated, ra.xlated_len);
		}
		ok(same, "%s: %s: stressed program %s like the original (%s)",
		   path, p->name, ra.loaded ? "loads" : "fails",
		   ra.loaded == rb.loaded ? "xlated compared" : "verdicts differ");
next:
		bpfext_load_result__free(&ra);
		bpfext_load_result__free(&rb);
	}
}

static void run(const char *path, bool load)
{
	struct bpfext_error err = { "" };
	struct bpfext_object *obj, *stressed = NULL, *back = NULL;
	void *orig_img = NULL, *img = NULL, *img2 = NULL;
	size_t orig_sz, sz, sz2, clean_sz, i;
	void *clean = NULL;
	char why[128] = "";
	FILE *f;
	bool good;
	int ret;

	f = fopen(path, "rb");
	if (!f) {
		ok(false, "%s: cannot open", path);
		return;
	}
	fseek(f, 0, SEEK_END);
	orig_sz = ftell(f);
	rewind(f);
	orig_img = malloc(orig_sz);
	good = orig_img && fread(orig_img, 1, orig_sz, f) == orig_sz;
	fclose(f);
	obj = good ? bpfext_object__open(path, &err) : NULL;
	if (!obj && good && nr_refused < max_refused) {
		char what[512];

		nr_refused++;
		snprintf(what, sizeof(what), "%s: refused", path);
		skip(what, err.msg);
		free(orig_img);
		return;
	}
	if (!obj) {
		ok(false, "%s: open: %s", path, err.msg);
		free(orig_img);
		return;
	}

	nr_objects++;
	good = !bpfext_object__write_mem(obj, &img, &sz, &err) &&
	       sz == orig_sz && !memcmp(img, orig_img, sz);
	ok(good, "%s: identity write reproduces the input", path);
	free(img);
	img = NULL;

	ret = 0;
	for (i = 0; i < bpfext_object__section_cnt(obj) && !ret; i++)
		ret = insert_nops(obj, bpfext_object__section(obj, i), &err);
	if (ret == -ERANGE) {
		/* Doubling the code overflows a 16-bit jump offset. */
		skip(path, err.msg);
		goto out;
	}
	good = !ret && !bpfext_object__write_mem(obj, &img, &sz, &err);
	stressed = good ? bpfext_object__open_mem(img, sz, path, &err) : NULL;
	ok(stressed != NULL, "%s: no-ops inserted everywhere, object reads back%s%s",
	   path, stressed ? "" : ": ", stressed ? "" : err.msg);
	if (!stressed)
		goto out;

	back = bpfext_object__open_mem(img, sz, path, &err);
	good = back != NULL;
	for (i = 0; good && i < bpfext_object__section_cnt(back); i++)
		good = bpfext_cleanup_section(back, bpfext_object__section(back, i),
					      &err) >= 0;
	good = good && !bpfext_object__write_mem(back, &img2, &sz2, &err);
	good = good && clean_image(orig_img, orig_sz, path, &clean, &clean_sz, &err);
	good = good && same_sections(clean, clean_sz, img2, sz2, why, sizeof(why));
	free(clean);
	ok(good, "%s: clean-up gives every section of the cleaned-up input back byte for byte%s%s%s", path,
	   good ? "" : " (", good ? "" : (why[0] ? why : err.msg), good ? "" : ")");

	if (load) {
		struct bpfext_object *pristine = bpfext_object__open(path, &err);

		ok(pristine != NULL, "%s: reopen", path);
		if (pristine)
			load_compare(path, pristine, stressed);
		bpfext_object__close(pristine);
	}
out:
	bpfext_object__close(back);
	bpfext_object__close(stressed);
	bpfext_object__close(obj);
	free(img);
	free(img2);
	free(orig_img);
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

int main(int argc, char **argv)
{
	bool load = false, summary = false;
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-l"))
			load = true;
		else if (!strcmp(argv[i], "-s"))
			summary = true;
		else if (!strcmp(argv[i], "-r") && i + 1 < argc)
			max_refused = atoi(argv[++i]);
	}
	libbpf_set_print(quiet);
	elf_version(EV_CURRENT);
	for (; i < argc; i++)
		run(argv[i], load);
	if (summary)
		printf("# corpus: %d objects (and %d refused), %d programs, %d loaded by the kernel\n",
		       nr_objects, nr_refused, nr_programs, nr_loaded);
	return tap_finish();
}
