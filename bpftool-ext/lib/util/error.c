// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/util.h"

int bpfext_errf(struct bpfext_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return code < 0 ? code : -code;
}

int bpfext_opts_get(void *dst, size_t dst_sz, size_t known, const void *opts)
{
	const uint8_t *p = opts;
	size_t sz, i;

	memset(dst, 0, dst_sz);
	if (!opts)
		return 0;
	memcpy(&sz, opts, sizeof(sz));
	if (sz < sizeof(sz))
		return -EINVAL;
	for (i = known; i < sz; i++)
		if (p[i])
			return -EINVAL;
	memcpy(dst, opts, sz < known ? sz : known);
	return 0;
}
