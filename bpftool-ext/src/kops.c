// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* kops list: the BPF operations the running kernel (or a target) offers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfext.h"
#include "main.h"

static int do_help(int argc, char **argv)
{
	if (json_output) {
		jsonw_null(json_wtr);
		return 0;
	}
	fprintf(stderr,
		"Usage: %1$s %2$s list [file FILE]\n"
		"       %1$s %2$s help\n"
		"\n"
		"       " HELP_SPEC_OPTIONS " }\n",
		bin_name, "kops");
	return 0;
}

static void print_op_json(const struct bpfext_kops_op *op)
{
	char archs[sizeof(op->archs)], *a, *save = NULL;

	jsonw_start_object(json_wtr);
	jsonw_uint_field(json_wtr, "id", op->id);
	jsonw_string_field(json_wtr, "name", op->name);
	jsonw_string_field(json_wtr, "form", op->form);
	jsonw_uint_field(json_wtr, "proof_len", op->len);
	jsonw_name(json_wtr, "native_archs");
	jsonw_start_array(json_wtr);
	snprintf(archs, sizeof(archs), "%s", op->archs);
	for (a = strtok_r(archs, ",", &save); a; a = strtok_r(NULL, ",", &save))
		if (strcmp(a, "none"))
			jsonw_string(json_wtr, a);
	jsonw_end_array(json_wtr);
	jsonw_name(json_wtr, "flags");
	jsonw_start_array(json_wtr);
	if (op->perfmon)
		jsonw_string(json_wtr, "perfmon");
	jsonw_end_array(json_wtr);
	if (op->users >= 0)
		jsonw_int_field(json_wtr, "users", op->users);
	jsonw_string_field(json_wtr, "owner", op->owner[0] ? op->owner : "?");
	jsonw_end_object(json_wtr);
}

static void print_op_plain(const struct bpfext_kops_op *op)
{
	char archs[sizeof(op->archs)], *a;

	/* as bpftool kops list prints it */
	snprintf(archs, sizeof(archs), "%s", op->archs);
	for (a = archs; *a; a++)
		if (*a == ',')
			*a = ' ';
	printf("%u: %s  proof_len %u  native %s  owner %s", op->id, op->name,
	       op->len, archs[0] ? archs : "none",
	       op->owner[0] ? op->owner : "?");
	if (op->users >= 0)
		printf("  users %d", op->users);
	if (op->perfmon)
		printf("  flags perfmon");
	printf("\n\tform %s\n", op->form[0] ? op->form : "?");
}

static int do_list(int argc, char **argv)
{
	const char *path = BPFEXT_KOPS_SYSFS;
	struct bpfext_error err = { "" };
	struct bpfext_kops_op *ops = NULL;
	size_t cnt = 0, i;
	int ret;

	if (argc && is_prefix(*argv, "file")) {
		NEXT_ARG();
		if (!REQ_ARGS(1))
			return -1;
		path = GET_ARG();
	}
	if (argc) {
		p_err("expected no more arguments or 'file', got: '%s'", *argv);
		return -1;
	}
	ret = bpfext_kops_read(path, &ops, &cnt, &err);
	if (ret == -ENOENT && !strcmp(path, BPFEXT_KOPS_SYSFS)) {
		p_err("the running kernel does not offer Kops (%s is missing)",
		      BPFEXT_KOPS_SYSFS);
		return EXIT_UNSUPPORTED;
	}
	if (ret) {
		p_err("%s: %s", path, err.msg);
		return -1;
	}
	if (json_output)
		jsonw_start_array(json_wtr);
	for (i = 0; i < cnt; i++) {
		if (json_output)
			print_op_json(&ops[i]);
		else
			print_op_plain(&ops[i]);
	}
	if (json_output)
		jsonw_end_array(json_wtr);
	free(ops);
	return 0;
}

static const struct cmd cmds[] = {
	{ "help",	do_help },
	{ "list",	do_list },
	{ 0 }
};

int do_kops(int argc, char **argv)
{
	return cmd_select(cmds, argc, argv, do_help);
}
