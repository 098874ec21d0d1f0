// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Applying patches to a code section and keeping every reference to it
 * consistent: branch and call offsets, symbols, relocations, .BTF.ext.
 *
 * Everything is computed into fresh buffers first and committed at the
 * end, so a rejected patch set leaves the object as it was.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "object/object.h"

#define BAD ((size_t)-1)

long bpfext_section__branch_target(const struct bpfext_section *sec,
				   size_t slot)
{
	const struct bpf_insn *insn = &sec->insns[slot];
	size_t r;

	if (bpfext_insn_is_branch(insn))
		return (long)slot + bpfext_insn_branch_off(insn) + 1;
	if (!bpfext_insn_is_pseudo_call(insn))
		return -1;
	for (r = 0; r < sec->nr_relocs; r++)
		if (sec->relocs[r].slot == slot)
			return -1;
	return (long)slot + insn->imm + 1;
}

struct imm_fix {
	struct bpfext_section *sec;
	size_t slot;		/* in the section's new layout */
	int32_t imm;
};

struct plan {
	size_t n_old, n_new;
	struct bpf_insn *insns;
	size_t *newpos;		/* old slot -> new slot, BAD inside a range */
	size_t *annpos;		/* old slot -> slot of its copy, BAD if none */
	long *owner;		/* old slot -> patch index, -1 */
	size_t *range_new;	/* patch -> new start */
	bool *has_orig_rel;	/* new slot -> carries a relocation */
	uint64_t *sym_value;	/* new symbol values */
	uint64_t *sym_size;
	struct bpfext_reloc *relocs;
	size_t nr_relocs;
	struct imm_fix *fixes;
	size_t nr_fixes;
	struct bpfext_func *funcs;
	struct bpfext_ext_recs recs[EXT_KINDS];
};

static void plan_free(struct plan *p)
{
	int k;

	free(p->insns);
	free(p->newpos);
	free(p->annpos);
	free(p->owner);
	free(p->range_new);
	free(p->has_orig_rel);
	free(p->sym_value);
	free(p->sym_size);
	free(p->relocs);
	free(p->fixes);
	free(p->funcs);
	for (k = 0; k < EXT_KINDS; k++)
		free(p->recs[k].recs);
}

static int cmp_patch(const void *a, const void *b)
{
	const struct bpfext_patch *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static bool is_second_slot(const struct bpfext_section *sec, size_t s)
{
	size_t i = 0;

	/* Walk from the enclosing function start to stay correct. */
	for (i = 0; i < sec->nr_funcs; i++) {
		const struct bpfext_func *f = &sec->funcs[i];
		size_t j;

		if (s < f->start || s >= f->start + f->cnt)
			continue;
		for (j = f->start; j < s; j += bpfext_insn_slots(&sec->insns[j]))
			;
		return j != s;
	}
	return false;
}

static const struct bpfext_func *func_of(const struct bpfext_section *sec,
					 size_t s)
{
	size_t i;

	for (i = 0; i < sec->nr_funcs; i++)
		if (s >= sec->funcs[i].start &&
		    s < sec->funcs[i].start + sec->funcs[i].cnt)
			return &sec->funcs[i];
	return NULL;
}

static int validate(const struct bpfext_section *sec,
		    const struct bpfext_patch *pt, size_t n,
		    struct bpfext_error *err)
{
	struct bpfext_error why;
	size_t i, j, prev_end = 0;

	for (i = 0; i < n; i++) {
		const struct bpfext_patch *p = &pt[i];
		const struct bpfext_func *f;
		size_t end = p->start + p->len;

		if (p->start > sec->cnt || p->len > sec->cnt - p->start)
			return bpfext_errf(err, EINVAL,
					   "section %s: patch [%zu,+%zu) is outside the section",
					   sec->name, p->start, p->len);
		if (i && p->start < prev_end)
			return bpfext_errf(err, EINVAL,
					   "section %s: patches overlap at %zu",
					   sec->name, p->start);
		prev_end = end;
		if ((p->start < sec->cnt && is_second_slot(sec, p->start)) ||
		    (end < sec->cnt && is_second_slot(sec, end)))
			return bpfext_errf(err, EINVAL,
					   "section %s: patch at %zu splits an ld_imm64",
					   sec->name, p->start);
		f = func_of(sec, p->start < sec->cnt ? p->start : sec->cnt - 1);
		if (!f || (p->len && end > f->start + f->cnt))
			return bpfext_errf(err, EINVAL,
					   "section %s: patch at %zu crosses a function boundary",
					   sec->name, p->start);
		if (p->len == f->cnt && !p->cnt)
			return bpfext_errf(err, EINVAL,
					   "section %s: patch at %zu removes a whole function",
					   sec->name, p->start);
		for (j = 0; j < p->cnt;) {
			const struct bpfext_new_insn *ni = &p->insns[j];
			struct bpf_insn two[2] = { ni->insn };
			int k;

			if (bpfext_insn_is_ldimm64(&ni->insn) && j + 1 < p->cnt)
				two[1] = p->insns[j + 1].insn;
			k = bpfext_insn_check(two,
					      bpfext_insn_is_ldimm64(&ni->insn) &&
					      j + 1 < p->cnt ? 2 : 1, &why);
			if (k < 0)
				return bpfext_errf(err, EINVAL,
						   "section %s: patch at %zu, new insn %zu: %s",
						   sec->name, p->start, j, why.msg);
			if (ni->orig >= 0 &&
			    ((size_t)ni->orig < p->start ||
			     (size_t)ni->orig >= end))
				return bpfext_errf(err, EINVAL,
						   "section %s: patch at %zu: new insn %zu takes over slot %d outside the patch",
						   sec->name, p->start, j, ni->orig);
			j += k;
		}
	}
	return 0;
}

static int layout(struct bpfext_section *sec, const struct bpfext_patch *pt,
		  size_t n, struct plan *p, struct bpfext_error *err)
{
	size_t i, s, k, out = 0, total = sec->cnt, pending = BAD;

	for (i = 0; i < n; i++)
		total = total - pt[i].len + pt[i].cnt;
	p->n_old = sec->cnt;
	p->n_new = total;
	p->insns = calloc(total + 1, sizeof(*p->insns));
	p->newpos = malloc((sec->cnt + 1) * sizeof(*p->newpos));
	p->annpos = malloc((sec->cnt + 1) * sizeof(*p->annpos));
	p->owner = malloc((sec->cnt + 1) * sizeof(*p->owner));
	p->range_new = calloc(n + 1, sizeof(*p->range_new));
	p->has_orig_rel = calloc(total + 1, sizeof(*p->has_orig_rel));
	if (!p->insns || !p->newpos || !p->annpos || !p->owner ||
	    !p->range_new || !p->has_orig_rel)
		return -ENOMEM;
	for (s = 0; s <= sec->cnt; s++) {
		p->owner[s] = -1;
		p->annpos[s] = BAD;
	}
	for (s = 0, i = 0;;) {
		if (i < n && pt[i].start == s) {
			p->range_new[i] = out;
			for (k = 0; k < pt[i].len; k++) {
				p->owner[s + k] = i;
				p->newpos[s + k] = BAD;
			}
			/* Jumps to the range (or insertion point) land here. */
			if (pt[i].len)
				p->newpos[s] = out;
			else
				pending = out;
			for (k = 0; k < pt[i].cnt; k++) {
				const struct bpfext_new_insn *ni = &pt[i].insns[k];

				if (ni->orig >= 0) {
					if (p->annpos[ni->orig] != BAD)
						return bpfext_errf(err, EINVAL,
								   "section %s: slot %d is taken over twice",
								   sec->name, ni->orig);
					p->annpos[ni->orig] = out;
				}
				p->insns[out++] = ni->insn;
			}
			s += pt[i].len;
			i++;
			continue;
		}
		p->newpos[s] = pending != BAD ? pending : out;
		pending = BAD;
		if (s == sec->cnt)
			break;
		p->annpos[s] = out;
		p->insns[out++] = sec->insns[s];
		s++;
	}
	return 0;
}

static int set_branch(struct plan *p, size_t at, size_t target, bool call,
		      const char *sname, struct bpfext_error *err)
{
	long off;

	if (target == BAD)
		return bpfext_errf(err, EINVAL,
				   "section %s: insn %zu would jump into the middle of a rewritten range",
				   sname, at);
	off = (long)target - (long)at - 1;
	if (call || p->insns[at].code == (BPF_JMP32 | BPF_JA)) {
		p->insns[at].imm = off;	/* calls and "gotol" */
	} else {
		if (off < SHRT_MIN || off > SHRT_MAX)
			return bpfext_errf(err, ERANGE,
					   "section %s: jump at %zu no longer fits in 16 bits",
					   sname, at);
		p->insns[at].off = off;
	}
	return 0;
}

static bool slot_has_reloc(const struct bpfext_section *sec, size_t slot)
{
	size_t r;

	for (r = 0; r < sec->nr_relocs; r++)
		if (sec->relocs[r].slot == slot)
			return true;
	return false;
}

static int fix_branches(struct bpfext_section *sec,
			const struct bpfext_patch *pt, size_t n, struct plan *p,
			struct bpfext_error *err)
{
	size_t s, i, k;
	int ret;

	/* Kept original instructions. */
	for (s = 0; s < sec->cnt; s += bpfext_insn_slots(&sec->insns[s])) {
		const struct bpf_insn *insn = &sec->insns[s];
		long t;

		if (p->owner[s] >= 0)
			continue;
		t = bpfext_section__branch_target(sec, s);
		if (t < 0)
			continue;
		ret = set_branch(p, p->annpos[s], p->newpos[t],
				 !bpfext_insn_is_branch(insn), sec->name, err);
		if (ret)
			return ret;
	}
	/* Replacement instructions. */
	for (i = 0; i < n; i++) {
		for (k = 0; k < pt[i].cnt; k += bpfext_insn_slots(&pt[i].insns[k].insn)) {
			const struct bpfext_new_insn *ni = &pt[i].insns[k];
			bool call = bpfext_insn_is_pseudo_call(&ni->insn);
			size_t at = p->range_new[i] + k, target;

			if (!bpfext_insn_is_branch(&ni->insn) && !call)
				continue;
			if (call && ni->orig >= 0 && slot_has_reloc(sec, ni->orig))
				continue;
			if (BPFEXT_IS_LOCAL(ni->target)) {
				if (BPFEXT_LOCAL_IDX(ni->target) > pt[i].cnt)
					return bpfext_errf(err, EINVAL,
							   "section %s: patch at %zu: local target %zu is outside the replacement",
							   sec->name, pt[i].start,
							   BPFEXT_LOCAL_IDX(ni->target));
				target = p->range_new[i] + BPFEXT_LOCAL_IDX(ni->target);
			} else if (ni->target >= 0 && (size_t)ni->target <= sec->cnt) {
				target = p->newpos[ni->target];
			} else {
				return bpfext_errf(err, EINVAL,
						   "section %s: patch at %zu: new insn %zu has no branch target",
						   sec->name, pt[i].start, k);
			}
			ret = set_branch(p, at, target, call, sec->name, err);
			if (ret)
				return ret;
		}
	}
	return 0;
}

static size_t label_pos(const struct plan *p, const struct bpfext_patch *pt,
			size_t s)
{
	if (s > p->n_old)
		return BAD;
	if (p->newpos[s] != BAD)
		return p->newpos[s];
	return p->range_new[p->owner[s]];
}

static int fix_symbols_and_refs(struct bpfext_object *obj,
				struct bpfext_section *sec,
				const struct bpfext_patch *pt, struct plan *p,
				struct bpfext_error *err)
{
	size_t i, r, nfix = 0, cap = 0;

	p->sym_value = malloc(obj->nr_syms * sizeof(*p->sym_value));
	p->sym_size = malloc(obj->nr_syms * sizeof(*p->sym_size));
	if (!p->sym_value || !p->sym_size)
		return -ENOMEM;
	for (i = 0; i < obj->nr_syms; i++) {
		const struct bpfext_sym *s = &obj->syms[i];
		size_t start, end;

		p->sym_value[i] = s->value;
		p->sym_size[i] = s->size;
		if (s->shndx != sec->shndx || s->type == STT_SECTION)
			continue;
		if (s->value % 8 || s->value / 8 > p->n_old)
			return bpfext_errf(err, EINVAL,
					   "symbol %s points outside section %s",
					   s->name, sec->name);
		start = label_pos(p, pt, s->value / 8);
		p->sym_value[i] = start * 8;
		if (s->type == STT_FUNC && s->size) {
			end = label_pos(p, pt, (s->value + s->size) / 8);
			if (end == BAD)
				return bpfext_errf(err, EINVAL,
						   "function %s has a bad size", s->name);
			p->sym_size[i] = (end - start) * 8;
		}
	}

	/* Code references into this section, from any section. */
	for (i = 0; i < obj->nr_secs; i++) {
		struct bpfext_section *from = &obj->secs[i];

		for (r = 0; r < from->nr_relocs; r++) {
			const struct bpfext_reloc *rel = &from->relocs[r];
			const struct bpf_insn *insn;
			long t;
			size_t nt, at;
			struct imm_fix *fx;

			if (obj->syms[rel->sym].shndx != sec->shndx ||
			    !bpfext_reloc_is_code_ref(obj, from, rel))
				continue;
			at = rel->slot;
			if (from == sec) {
				at = p->annpos[rel->slot];
				if (at == BAD)
					continue;	/* the reference is dropped */
			}
			t = bpfext_reloc_code_target(obj, from, rel);
			nt = t >= 0 ? label_pos(p, pt, t) : BAD;
			if (nt == BAD || p->newpos[t] == BAD)
				return bpfext_errf(err, EINVAL,
						   "section %s: reference at insn %zu targets the middle of a rewritten range",
						   from->name, rel->slot);
			if (bpfext_grow(&p->fixes, &cap, nfix + 1, sizeof(*fx)))
				return -ENOMEM;
			fx = &p->fixes[nfix++];
			fx->sec = from;
			fx->slot = at;
			insn = &from->insns[rel->slot];
			if (bpfext_insn_is_pseudo_call(insn))
				fx->imm = (long)nt - (long)(p->sym_value[rel->sym] / 8) - 1;
			else
				fx->imm = (long)nt * 8 - (long)p->sym_value[rel->sym];
		}
	}
	p->nr_fixes = nfix;
	return 0;
}

static int move_annotations(struct bpfext_section *sec,
			    const struct bpfext_patch *pt, struct plan *p)
{
	struct bpfext_ext_recs *old[EXT_KINDS] = {
		&sec->func_info, &sec->line_info, &sec->core_relo
	};
	size_t i, k;

	p->relocs = calloc(sec->nr_relocs + 1, sizeof(*p->relocs));
	p->funcs = calloc(sec->nr_funcs + 1, sizeof(*p->funcs));
	if (!p->relocs || !p->funcs)
		return -ENOMEM;
	for (i = 0; i < sec->nr_relocs; i++) {
		size_t at = p->annpos[sec->relocs[i].slot];

		if (at == BAD)
			continue;
		p->relocs[p->nr_relocs] = sec->relocs[i];
		p->relocs[p->nr_relocs++].slot = at;
		p->has_orig_rel[at] = true;
	}
	for (i = 0; i < sec->nr_funcs; i++) {
		size_t start = p->newpos[sec->funcs[i].start];
		size_t end = label_pos(p, pt, sec->funcs[i].start +
					      sec->funcs[i].cnt);

		p->funcs[i].sym = sec->funcs[i].sym;
		p->funcs[i].start = start;
		p->funcs[i].cnt = end - start;
	}
	for (k = 0; k < EXT_KINDS; k++) {
		struct bpfext_ext_recs *nr = &p->recs[k];

		nr->recs = calloc(old[k]->cnt + 1, sizeof(*nr->recs));
		if (!nr->recs)
			return -ENOMEM;
		for (i = 0; i < old[k]->cnt; i++) {
			struct bpfext_ext_rec rec = old[k]->recs[i];
			size_t s = rec.slot, at;

			if (k == EXT_FUNC) {
				at = p->newpos[s];
			} else if (k == EXT_CORE) {
				at = p->annpos[s];
			} else {
				/* A range keeps the line of its first slot. */
				at = p->owner[s] >= 0 && pt[p->owner[s]].start == s ?
				     p->newpos[s] : p->annpos[s];
				if (at == BAD)
					at = label_pos(p, pt, s);
				if (at >= p->n_new)
					at = BAD;
			}
			if (at == BAD)
				continue;
			if (k == EXT_LINE && nr->cnt &&
			    nr->recs[nr->cnt - 1].slot >= at)
				continue;	/* strictly increasing */
			rec.slot = at;
			nr->recs[nr->cnt++] = rec;
		}
	}
	return 0;
}

static void commit(struct bpfext_object *obj, struct bpfext_section *sec,
		   struct plan *p)
{
	struct bpfext_ext_recs *old[EXT_KINDS] = {
		&sec->func_info, &sec->line_info, &sec->core_relo
	};
	size_t i, j;
	int k;

	for (k = 0; k < EXT_KINDS; k++) {
		/* Free the raw buffers of records that were dropped. */
		for (i = 0; i < old[k]->cnt; i++) {
			bool kept = false;

			for (j = 0; j < p->recs[k].cnt; j++)
				if (p->recs[k].recs[j].raw == old[k]->recs[i].raw)
					kept = true;
			if (!kept)
				free(old[k]->recs[i].raw);
		}
		if (old[k]->cnt != p->recs[k].cnt)
			obj->ext_dirty = true;
		for (i = 0; i < p->recs[k].cnt && !obj->ext_dirty; i++)
			if (p->recs[k].recs[i].slot != old[k]->recs[i].slot)
				obj->ext_dirty = true;
		free(old[k]->recs);
		*old[k] = p->recs[k];
		p->recs[k].recs = NULL;
	}
	free(sec->insns);
	sec->insns = p->insns;
	sec->cnt = p->n_new;
	p->insns = NULL;
	free(sec->relocs);
	sec->relocs = p->relocs;
	sec->nr_relocs = p->nr_relocs;
	p->relocs = NULL;
	free(sec->funcs);
	sec->funcs = p->funcs;
	p->funcs = NULL;
	for (i = 0; i < p->nr_fixes; i++) {
		struct bpf_insn *x = &p->fixes[i].sec->insns[p->fixes[i].slot];

		/* The referring section is written again when it changes. */
		if (x->imm != p->fixes[i].imm)
			p->fixes[i].sec->dirty = true;
		x->imm = p->fixes[i].imm;
	}
	for (i = 0; i < obj->nr_syms; i++) {
		if (obj->syms[i].value != p->sym_value[i] ||
		    obj->syms[i].size != p->sym_size[i])
			obj->syms_dirty = true;
		obj->syms[i].value = p->sym_value[i];
		obj->syms[i].size = p->sym_size[i];
	}
	sec->dirty = true;
}

int bpfext_section__apply(struct bpfext_object *obj,
			  struct bpfext_section *sec,
			  const struct bpfext_patch *patches, size_t n,
			  struct bpfext_error *err)
{
	struct bpfext_patch *pt;
	struct plan p = { 0 };
	int ret;

	if (!n)
		return 0;
	pt = malloc(n * sizeof(*pt));
	if (!pt)
		return bpfext_errf(err, ENOMEM, "out of memory");
	memcpy(pt, patches, n * sizeof(*pt));
	qsort(pt, n, sizeof(*pt), cmp_patch);

	ret = validate(sec, pt, n, err);
	if (!ret)
		ret = layout(sec, pt, n, &p, err);
	if (!ret)
		ret = fix_branches(sec, pt, n, &p, err);
	if (!ret)
		ret = move_annotations(sec, pt, &p);
	if (!ret)
		ret = fix_symbols_and_refs(obj, sec, pt, &p, err);
	if (!ret)
		commit(obj, sec, &p);
	if (ret == -ENOMEM)
		bpfext_errf(err, ENOMEM, "out of memory");
	plan_free(&p);
	free(pt);
	return ret;
}
