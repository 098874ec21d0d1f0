/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The library's bottom layer: what every other layer may use. */
#ifndef BPFEXT_UTIL_H
#define BPFEXT_UTIL_H

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfext.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Fill @err (may be NULL) with a one-line reason and return -@code (a
 * negative errno whatever the sign of @code): the library's one error
 * convention, see bpfext.h.
 */
int bpfext_errf(struct bpfext_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * bpfext_grow - make room in a growable array
 * @arrp: address of the array pointer (of any element type)
 * @cap: its capacity in elements, updated (an array that keeps none
 *	passes a copy of its count, and is reallocated at every call)
 * @want: elements it must hold
 * @size: bytes of an element
 *
 * The capacity at least doubles, from 8.  New elements are not zeroed.
 * Return: 0 or -ENOMEM (the array unchanged).
 */
int bpfext_grow(void *arrp, size_t *cap, size_t want, size_t size);

/* CLOCK_MONOTONIC in seconds: what budgets and deadlines are measured in. */
double bpfext_now(void);

#ifndef offsetofend
#define offsetofend(TYPE, FIELD) (offsetof(TYPE, FIELD) + sizeof(((TYPE *)0)->FIELD))
#endif

/*
 * bpfext_opts_get - a caller's options struct as this library knows it
 * @dst, @dst_sz: the library's struct, zeroed, then filled with the
 *	first min(->sz, @known) bytes of @opts (all zero for a NULL @opts)
 * @known: the bytes up to the last field this library knows
 *
 * Return: 0, or -EINVAL when ->sz cannot even hold itself, or @opts
 * sets bytes past @known (fields of a newer caller this library would
 * ignore).
 */
int bpfext_opts_get(void *dst, size_t dst_sz, size_t known, const void *opts);

/* OPTS_VALID() and the copy in one: *@dst gets @opts of type struct TYPE. */
#define BPFEXT_OPTS_GET(dst, opts, TYPE)				\
	bpfext_opts_get((dst), sizeof(*(dst)),				\
			offsetofend(struct TYPE, TYPE##__last_field), (opts))

/* xorshift64: the library's one pseudo-random stream (never 0 from non-0). */
static inline uint64_t bpfext_xorshift64(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

#endif /* BPFEXT_UTIL_H */
