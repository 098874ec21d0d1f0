// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

int bpfext_grow(void *arrp, size_t *cap, size_t want, size_t size)
{
	size_t c = *cap ? *cap * 2 : 8;
	void *old, *t;

	if (want <= *cap)
		return 0;
	if (c < want)
		c = want;
	if (c > SIZE_MAX / size)
		return -ENOMEM;
	/* @arrp is a T ** for some T: copied, not cast, to stay within C11 */
	memcpy(&old, arrp, sizeof(old));
	t = realloc(old, c * size);
	if (!t)
		return -ENOMEM;
	memcpy(arrp, &t, sizeof(t));
	*cap = c;
	return 0;
}
