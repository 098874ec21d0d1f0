/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* TAP output for the C tests: ok() per check, tap_finish() at the end. */
#ifndef BPFEXT_TESTS_TAP_H
#define BPFEXT_TESTS_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int tap_count, tap_failures;

static void ok(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", ++tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond)
		tap_failures++;
}

static void skip(const char *what, const char *why)
	__attribute__((unused));
static void skip(const char *what, const char *why)
{
	printf("ok %d - %s # SKIP %s\n", ++tap_count, what, why);
}

/* Print the plan; the exit status for main(). */
static int tap_finish(void)
{
	printf("1..%d\n", tap_count);
	if (tap_failures)
		printf("# %d of %d checks failed\n", tap_failures, tap_count);
	return tap_failures ? 1 : 0;
}

#endif
