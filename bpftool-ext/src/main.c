// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * bpftool-ext: the optimizing pipeline's commands, with bpftool's grammar:
 *   bpftool-ext [OPTIONS] OBJECT { COMMAND | help }
 * The commands do not depend on argv[0], so a patched bpftool can hand
 * its arguments over unchanged.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "main.h"

const char *bin_name = "bpftool-ext";
bool json_output;
bool pretty_output;
bool verbose;
json_writer_t *json_wtr;

static void print_usage(void)
{
	fprintf(stderr,
		"Usage: %s [OPTIONS] OBJECT { COMMAND | help }\n"
		"       %s version\n"
		"\n"
		"       OBJECT := { prog | kops }\n"
		"       " HELP_SPEC_OPTIONS " |\n"
		"                    {-V|--version} | {-h|--help} }\n",
		bin_name, bin_name);
}

void usage(void)
{
	print_usage();
	exit(2);
}

void p_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (json_output && json_wtr) {
		char buf[1024];

		vsnprintf(buf, sizeof(buf), fmt, ap);
		jsonw_start_object(json_wtr);
		jsonw_string_field(json_wtr, "error", buf);
		jsonw_end_object(json_wtr);
	} else {
		fprintf(stderr, "Error: ");
		vfprintf(stderr, fmt, ap);
		fprintf(stderr, "\n");
	}
	va_end(ap);
}

void p_info(const char *fmt, ...)
{
	va_list ap;

	if (json_output)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
}

bool is_prefix(const char *pfx, const char *str)
{
	if (!pfx || !*pfx)
		return false;
	return strlen(str) >= strlen(pfx) && !memcmp(str, pfx, strlen(pfx));
}

int cmd_select(const struct cmd *cmds, int argc, char **argv,
	       int (*help)(int argc, char **argv))
{
	unsigned int i;

	if (argc < 1 && cmds[0].func)
		return cmds[0].func(argc, argv);
	for (i = 0; cmds[i].cmd; i++) {
		if (is_prefix(*argv, cmds[i].cmd)) {
			if (!cmds[i].func) {
				p_err("command '%s' is not supported in this build",
				      cmds[i].cmd);
				return -1;
			}
			return cmds[i].func(argc - 1, argv + 1);
		}
	}
	help(argc - 1, argv + 1);
	return -1;
}

static int do_help(int argc, char **argv)
{
	if (json_output) {
		jsonw_null(json_wtr);
		return 0;
	}
	print_usage();
	return 0;
}

static int do_version(int argc, char **argv)
{
	if (json_output) {
		jsonw_start_object(json_wtr);
		jsonw_string_field(json_wtr, "version", BPFTOOL_EXT_VERSION);
		jsonw_string_field(json_wtr, "libbpf_version",
				   libbpf_version_string());
		jsonw_end_object(json_wtr);
	} else {
		printf("%s v%s\nusing libbpf %s\n", bin_name,
		       BPFTOOL_EXT_VERSION, libbpf_version_string());
	}
	return 0;
}

/* The first warning libbpf gave, and the first that says something failed. */
static char libbpf_warning[512], libbpf_failure[512];

const char *libbpf_first_warning(void)
{
	return libbpf_failure[0] ? libbpf_failure : libbpf_warning;
}

void libbpf_warning_reset(void)
{
	libbpf_warning[0] = 0;
	libbpf_failure[0] = 0;
}

static void __attribute__((format(printf, 3, 0)))
keep_warning(char *buf, size_t len, const char *fmt, va_list args)
{
	va_list copy;
	size_t n;

	va_copy(copy, args);
	vsnprintf(buf, len, fmt, copy);
	va_end(copy);
	n = strlen(buf);
	while (n && buf[n - 1] == '\n')
		buf[--n] = 0;
}

/*
 * libbpf explains its own failures (an unresolvable extern, a missing
 * kernel feature) only through this callback: keep the cause for the
 * error message, print everything with -d.  The first warning that says
 * something failed names the cause, later ones the consequences; what
 * libbpf only retries or ignores (BTF the kernel refuses) is not one.
 */
static int __attribute__((format(printf, 2, 0)))
print_libbpf(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_WARN && !strstr(fmt, "Retrying") &&
	    !strstr(fmt, "BTF loading error") && !strstr(fmt, "Error loading .BTF") &&
	    !strstr(fmt, "BTF LOAD LOG")) {
		if (!libbpf_warning[0])
			keep_warning(libbpf_warning, sizeof(libbpf_warning), fmt, args);
		if (!libbpf_failure[0] && strstr(fmt, "fail"))
			keep_warning(libbpf_failure, sizeof(libbpf_failure), fmt, args);
	}
	if (!verbose)
		return 0;
	return vfprintf(stderr, fmt, args);
}

static const struct cmd cmds[] = {
	{ "help",	do_help },
	{ "prog",	do_prog },
	{ "kops",	do_kops },
	{ "version",	do_version },
	{ 0 }
};

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "json",	no_argument,	NULL,	'j' },
		{ "help",	no_argument,	NULL,	'h' },
		{ "pretty",	no_argument,	NULL,	'p' },
		{ "version",	no_argument,	NULL,	'V' },
		{ "debug",	no_argument,	NULL,	'd' },
		{ 0 }
	};
	bool version_requested = false;
	int opt, ret;

	setlinebuf(stdout);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+Vhpjd", options, NULL)) >= 0) {
		switch (opt) {
		case 'V':
			version_requested = true;
			break;
		case 'h':
			return do_help(argc, argv);
		case 'p':
			pretty_output = true;
			/* fall through */
		case 'j':
			if (!json_output) {
				json_wtr = jsonw_new(stdout);
				if (!json_wtr) {
					p_err("failed to create JSON writer");
					return -1;
				}
				json_output = true;
			}
			jsonw_pretty(json_wtr, pretty_output);
			break;
		case 'd':
			verbose = true;
			break;
		default:
			p_err("unrecognized option '%s'", argv[optind - 1]);
			if (json_output)
				jsonw_destroy(&json_wtr);
			else
				usage();
			return -1;
		}
	}
	argc -= optind;
	argv += optind;
	libbpf_set_print(print_libbpf);

	if (version_requested)
		ret = do_version(argc, argv);
	else if (argc < 1)
		usage();
	else
		ret = cmd_select(cmds, argc, argv, do_help);

	if (json_output)
		jsonw_destroy(&json_wtr);
	return ret ? (ret > 0 ? ret : 2) : 0;
}
