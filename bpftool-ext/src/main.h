/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Command front end: shared helpers, in bpftool's style. */
#ifndef BPFEXT_MAIN_H
#define BPFEXT_MAIN_H

#include <stdbool.h>

#include "json_writer.h"

#define NEXT_ARG()	({ argc--; argv++; if (argc < 0) usage(); })
#define NEXT_ARGP()	({ (*argc)--; (*argv)++; if (*argc < 0) usage(); })
#define GET_ARG()	({ argc--; *argv++; })
#define REQ_ARGS(cnt)							\
	({								\
		int _cnt = (cnt);					\
		bool _res;						\
									\
		if (argc < _cnt) {					\
			p_err("'%s' needs at least %d arguments, %d found", \
			      argv[-1], _cnt, argc);			\
			_res = false;					\
		} else {						\
			_res = true;					\
		}							\
		_res;							\
	})

#define HELP_SPEC_OPTIONS						\
	"OPTIONS := { {-j|--json} [{-p|--pretty}] | {-d|--debug}"

/* Exit status of a command that ran but found a negative answer. */
#define EXIT_NEGATIVE 1
/* Exit status when the running kernel lacks what the command needs. */
#define EXIT_UNSUPPORTED 3

struct cmd {
	const char *cmd;
	int (*func)(int argc, char **argv);
};

extern const char *bin_name;
extern bool json_output;
extern bool pretty_output;
extern bool verbose;
extern json_writer_t *json_wtr;

void usage(void) __attribute__((noreturn));
void p_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void p_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
bool is_prefix(const char *pfx, const char *str);
int cmd_select(const struct cmd *cmds, int argc, char **argv,
	       int (*help)(int argc, char **argv));

/* The first warning libbpf printed since the last reset, "" if none. */
const char *libbpf_first_warning(void);
void libbpf_warning_reset(void);

int do_prog(int argc, char **argv);
int do_kops(int argc, char **argv);

#endif
