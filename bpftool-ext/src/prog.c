// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * prog optimize: read → clean up / optimize → write → verify → report.
 * prog dump: list an object's programs in verifier notation.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bpfext.h"
#include "main.h"

struct optimize_args {
	const char *obj_path;
	const char *out;
	const char *prog;
	const char *type;
	const char *pinmaps;
	const char *pin;
	bool verify;
};

static int do_help(int argc, char **argv)
{
	if (json_output) {
		jsonw_null(json_wtr);
		return 0;
	}
	fprintf(stderr,
		"Usage: %1$s %2$s optimize OBJ [out FILE] [prog NAME] [type TYPE] [verify]\n"
		"                         [pinmaps DIR] [pin PATH]\n"
		"       %1$s %2$s dump OBJ [prog NAME]\n"
		"       %1$s %2$s help\n"
		"\n"
		"       TYPE := { socket | kprobe | kretprobe | classifier | action |\n"
		"                 tracepoint | raw_tracepoint | xdp | perf_event | cgroup/skb |\n"
		"                 cgroup/sock | cgroup/dev | lwt_in | lwt_out | lwt_xmit |\n"
		"                 lwt_seg6local | sockops | sk_skb | sk_msg | lirc_mode2 |\n"
		"                 sk_reuseport | flow_dissector | cgroup/sysctl |\n"
		"                 cgroup/bind4 | cgroup/bind6 | cgroup/post_bind4 |\n"
		"                 cgroup/post_bind6 | cgroup/connect4 | cgroup/connect6 |\n"
		"                 cgroup/getpeername4 | cgroup/getpeername6 |\n"
		"                 cgroup/getsockname4 | cgroup/getsockname6 | cgroup/sendmsg4 |\n"
		"                 cgroup/sendmsg6 | cgroup/recvmsg4 | cgroup/recvmsg6 |\n"
		"                 cgroup/getsockopt | cgroup/setsockopt | cgroup/sock_release |\n"
		"                 struct_ops | fentry | fexit | freplace | sk_lookup }\n"
		"       " HELP_SPEC_OPTIONS " }\n",
		bin_name, "prog");
	return 0;
}

static struct bpfext_object *open_obj(const char *path)
{
	struct bpfext_error err = { "" };
	struct bpfext_object *obj = bpfext_object__open(path, &err);

	if (!obj)
		p_err("%s: %s", path, err.msg);
	return obj;
}

static int apply_type(struct bpfext_object *obj, const char *path,
		      const char *prog, const char *type)
{
	size_t i;

	for (i = 0; type && i < bpfext_object__prog_cnt(obj); i++) {
		struct bpfext_prog *p = bpfext_object__prog(obj, i);

		if (prog && strcmp(p->name, prog))
			continue;
		if (bpfext_prog__set_type(p, type)) {
			p_err("%s: unknown program type '%s'", path, type);
			return -1;
		}
	}
	if (prog && !bpfext_object__find_prog(obj, prog)) {
		p_err("%s: no program named '%s'", path, prog);
		return -1;
	}
	return 0;
}

static bool selected(const struct bpfext_prog *p, const char *name)
{
	return !name || !strcmp(p->name, name);
}

/* Sections the run may rewrite: those of the selected programs. */
static bool section_selected(struct bpfext_object *obj,
			     const struct bpfext_section *sec, const char *name)
{
	size_t i;

	if (!name)
		return true;
	for (i = 0; i < bpfext_object__prog_cnt(obj); i++) {
		struct bpfext_prog *p = bpfext_object__prog(obj, i);

		if (p->sec == sec && !strcmp(p->name, name))
			return true;
	}
	return false;
}

static int parse_optimize(int argc, char **argv, struct optimize_args *a)
{
	if (!REQ_ARGS(1))
		return -1;
	a->obj_path = GET_ARG();
	while (argc) {
		const char **dst = NULL;

		if (is_prefix(*argv, "out"))
			dst = &a->out;
		else if (is_prefix(*argv, "prog"))
			dst = &a->prog;
		else if (is_prefix(*argv, "type"))
			dst = &a->type;
		else if (!strcmp(*argv, "pin"))	/* "pin" also prefixes "pinmaps" */
			dst = &a->pin;
		else if (is_prefix(*argv, "pinmaps"))
			dst = &a->pinmaps;
		if (dst) {
			NEXT_ARG();
			if (!REQ_ARGS(1))
				return -1;
			if (*dst) {
				p_err("'%s' given twice", argv[-1]);
				return -1;
			}
			*dst = GET_ARG();
			continue;
		}
		if (is_prefix(*argv, "verify")) {
			a->verify = true;
			NEXT_ARG();
			continue;
		}
		p_err("expected no more arguments, 'out', 'prog', 'type', 'verify', 'pinmaps' or 'pin', got: '%s'",
		      *argv);
		return -1;
	}
	if (a->pinmaps && !a->pin) {
		p_err("'pinmaps' needs 'pin'");
		return -1;
	}
	return 0;
}

static void print_result_json(const struct bpfext_load_result *r)
{
	jsonw_bool_field(json_wtr, "loaded", r->loaded);
	if (r->loaded) {
		jsonw_uint_field(json_wtr, "verifier_insns_processed",
				 r->verified_insns);
		jsonw_uint_field(json_wtr, "xlated_len", r->xlated_len);
		jsonw_uint_field(json_wtr, "jited_len", r->jited_len);
	} else if (r->log_tail) {
		jsonw_string_field(json_wtr, "error", r->log_tail);
	}
}

static void print_result_plain(const struct bpfext_load_result *r)
{
	if (r->loaded) {
		printf("\tverifier: accepted, %u insns processed, xlated %u bytes, jited %u bytes\n",
		       r->verified_insns, r->xlated_len, r->jited_len);
		return;
	}
	printf("\tnot loaded:\n");
	if (r->log_tail) {
		const char *p = r->log_tail;

		while (*p) {
			const char *nl = strchr(p, '\n');
			int n = nl ? (int)(nl - p) : (int)strlen(p);

			printf("\t  | %.*s\n", n, p);
			p += n + (nl ? 1 : 0);
		}
	}
}

static int do_optimize(int argc, char **argv)
{
	struct optimize_args a = { 0 };
	struct bpfext_object *obj = NULL, *out = NULL;
	struct bpfext_load_result *res = NULL;
	size_t *before = NULL, i, nprogs;
	struct bpfext_error err = { "" };
	bool all_loaded = true;
	void *img = NULL;
	size_t size;
	int ret = -1;

	if (parse_optimize(argc, argv, &a))
		return -1;
	obj = open_obj(a.obj_path);
	if (!obj)
		return -1;
	if (apply_type(obj, a.obj_path, a.prog, a.type))
		goto out;
	nprogs = bpfext_object__prog_cnt(obj);
	before = calloc(nprogs + 1, sizeof(*before));
	res = calloc(nprogs + 1, sizeof(*res));
	if (!before || !res) {
		p_err("%s: out of memory", a.obj_path);
		goto out;
	}
	for (i = 0; i < nprogs; i++)
		before[i] = bpfext_prog__loaded_insn_cnt(obj,
					bpfext_object__prog(obj, i));

	for (i = 0; i < bpfext_object__section_cnt(obj); i++) {
		struct bpfext_section *sec = bpfext_object__section(obj, i);

		if (!section_selected(obj, sec, a.prog))
			continue;
		if (bpfext_cleanup_section(obj, sec, &err) < 0) {
			p_err("%s: %s", a.obj_path, err.msg);
			goto out;
		}
	}

	if (bpfext_object__write_mem(obj, &img, &size, &err)) {
		p_err("%s: cannot build the output object: %s", a.obj_path,
		      err.msg);
		goto out;
	}
	/* Everything below looks at the bytes that would be written. */
	out = bpfext_object__open_mem(img, size, a.out ? a.out : a.obj_path,
				      &err);
	if (!out) {
		p_err("%s: the rewritten object does not read back: %s",
		      a.obj_path, err.msg);
		goto out;
	}
	if (apply_type(out, a.obj_path, a.prog, a.type))
		goto out;

	if (a.verify) {
		struct bpfext_load_opts lo = { 0 };

		for (i = 0; i < nprogs; i++) {
			struct bpfext_prog *p = bpfext_object__prog(out, i);

			if (!selected(p, a.prog))
				continue;
			libbpf_warning_reset();
			if (bpfext_object__load(out, p, &lo, &res[i], &err)) {
				p_err("%s: program %s: %s%s%s", a.obj_path, p->name,
				      err.msg, *libbpf_first_warning() ? "; " : "",
				      libbpf_first_warning());
				goto out;
			}
			if (!res[i].loaded && res[i].log_tail &&
			    !strcmp(res[i].log_tail, "(no verifier log)") &&
			    *libbpf_first_warning()) {
				free(res[i].log_tail);
				res[i].log_tail = strdup(libbpf_first_warning());
			}
			all_loaded &= res[i].loaded;
		}
	}

	if (json_output) {
		jsonw_start_object(json_wtr);
		jsonw_string_field(json_wtr, "object", a.obj_path);
		if (a.out)
			jsonw_string_field(json_wtr, "out", a.out);
		jsonw_name(json_wtr, "programs");
		jsonw_start_array(json_wtr);
	} else {
		printf("%s:%s%s\n", a.obj_path, a.out ? " -> " : "",
		       a.out ? a.out : "");
	}
	for (i = 0; i < nprogs; i++) {
		struct bpfext_prog *p = bpfext_object__prog(out, i);
		size_t after = bpfext_prog__loaded_insn_cnt(out, p);

		if (!selected(p, a.prog))
			continue;
		if (json_output) {
			jsonw_start_object(json_wtr);
			jsonw_string_field(json_wtr, "name", p->name);
			jsonw_string_field(json_wtr, "section", p->sec->name);
			jsonw_string_field(json_wtr, "type",
					   p->type_known ?
					   bpfext_prog_type_name(p->type) : "unknown");
			jsonw_uint_field(json_wtr, "insns_before", before[i]);
			jsonw_uint_field(json_wtr, "insns_after", after);
			if (a.verify)
				print_result_json(&res[i]);
			jsonw_end_object(json_wtr);
		} else {
			printf("  %s (section %s, type %s): %zu -> %zu insns\n",
			       p->name, p->sec->name,
			       p->type_known ? bpfext_prog_type_name(p->type) :
					       "unknown",
			       before[i], after);
			if (a.verify)
				print_result_plain(&res[i]);
		}
	}
	if (json_output) {
		jsonw_end_array(json_wtr);
		jsonw_end_object(json_wtr);
	}

	if (a.verify && !all_loaded) {
		if (a.out)
			p_err("%s: the kernel verifier rejected a program; %s not written",
			      a.obj_path, a.out);
		ret = EXIT_NEGATIVE;
		goto out;
	}
	/* Pin first: a failed load must not leave an output file. */
	if (a.pin) {
		const struct bpfext_prog *only;

		struct bpfext_load_opts lo = {
			.pin_path = a.pin,
			.pinmaps_dir = a.pinmaps,
		};
		struct bpfext_load_result *pr = calloc(nprogs + 1, sizeof(*pr));

		if (!pr) {
			p_err("%s: out of memory", a.obj_path);
			goto out;
		}
		if (mkdir(a.pin, 0700) && errno != EEXIST) {
			p_err("%s: cannot create %s: %s", a.obj_path, a.pin,
			      strerror(errno));
			free(pr);
			goto out;
		}
		if (a.pinmaps && mkdir(a.pinmaps, 0700) && errno != EEXIST) {
			p_err("%s: cannot create %s: %s", a.obj_path, a.pinmaps,
			      strerror(errno));
			free(pr);
			goto out;
		}
		only = a.prog ? bpfext_object__find_prog(out, a.prog) : NULL;
		ret = bpfext_object__load(out, only, &lo, pr, &err);
		for (i = 0; i < (only ? 1 : nprogs); i++) {
			if (!ret && !pr[i].loaded) {
				p_err("%s: program %s was rejected; nothing pinned for it",
				      a.obj_path, only ? only->name :
				      bpfext_object__prog(out, i)->name);
				ret = -1;
			}
			bpfext_load_result__free(&pr[i]);
		}
		free(pr);
		if (ret) {
			if (err.msg[0])
				p_err("%s: %s", a.obj_path, err.msg);
			ret = -1;
			goto out;
		}
	}
	if (a.out && bpfext_write_file_atomic(a.out, img, size, &err)) {
		p_err("%s: %s", a.out, err.msg);
		goto out;
	}
	ret = 0;
out:
	for (i = 0; res && i < bpfext_object__prog_cnt(obj); i++)
		bpfext_load_result__free(&res[i]);
	free(res);
	free(before);
	free(img);
	bpfext_object__close(out);
	bpfext_object__close(obj);
	return ret;
}

static int do_dump(int argc, char **argv)
{
	struct bpfext_object *obj;
	const char *path, *name = NULL;
	size_t i, s;

	if (!REQ_ARGS(1))
		return -1;
	path = GET_ARG();
	if (argc && is_prefix(*argv, "prog")) {
		NEXT_ARG();
		if (!REQ_ARGS(1))
			return -1;
		name = GET_ARG();
	}
	if (argc) {
		p_err("expected no more arguments or 'prog', got: '%s'", *argv);
		return -1;
	}
	obj = open_obj(path);
	if (!obj)
		return -1;
	if (name && !bpfext_object__find_prog(obj, name)) {
		p_err("%s: no program named '%s'", path, name);
		bpfext_object__close(obj);
		return -1;
	}
	if (json_output)
		jsonw_start_array(json_wtr);
	for (i = 0; i < bpfext_object__prog_cnt(obj); i++) {
		struct bpfext_prog *p = bpfext_object__prog(obj, i);
		const struct bpfext_func *fn = &p->sec->funcs[p->func];

		if (!selected(p, name))
			continue;
		if (json_output) {
			jsonw_start_object(json_wtr);
			jsonw_string_field(json_wtr, "name", p->name);
			jsonw_string_field(json_wtr, "section", p->sec->name);
			jsonw_name(json_wtr, "insns");
			jsonw_start_array(json_wtr);
		} else {
			printf("%s (section %s):\n", p->name, p->sec->name);
		}
		for (s = fn->start; s < fn->start + fn->cnt;) {
			char buf[BPFEXT_INSN_STR_MAX];
			int n = bpfext_insn_print(&p->sec->insns[s],
						  fn->start + fn->cnt - s,
						  buf, sizeof(buf));

			if (n < 1)
				n = 1;
			if (json_output)
				jsonw_string(json_wtr, buf);
			else
				printf("%4zu: (%02x) %s%s%s\n", s - fn->start,
				       p->sec->insns[s].code, buf,
				       bpfext_object__reloc_name(obj, p->sec, s) ? "\t; " : "",
				       bpfext_object__reloc_name(obj, p->sec, s) ?: "");
			s += n;
		}
		if (json_output) {
			jsonw_end_array(json_wtr);
			jsonw_end_object(json_wtr);
		}
	}
	if (json_output)
		jsonw_end_array(json_wtr);
	bpfext_object__close(obj);
	return 0;
}

static const struct cmd cmds[] = {
	{ "help",	do_help },
	{ "optimize",	do_optimize },
	{ "dump",	do_dump },
	{ 0 }
};

int do_prog(int argc, char **argv)
{
	return cmd_select(cmds, argc, argv, do_help);
}
