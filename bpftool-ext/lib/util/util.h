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

/* xorshift64: the library's one pseudo-random stream (never 0 from non-0). */
static inline uint64_t bpfext_xorshift64(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

#endif /* BPFEXT_UTIL_H */
