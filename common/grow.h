/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Arrays that grow by doubling: the one way the control process and the
 * dataplane's non-worker code make room in an array they append to (never
 * the per-packet path, which allocates nothing).
 */
#ifndef MVDNS_GROW_H
#define MVDNS_GROW_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/*
 * Make the array at *arr (of *cap elements of size octets) hold at least
 * need elements: its capacity doubles from first (above 0), or from *cap,
 * until it does. Use it through MV_GROW, which passes the element's size.
 * Returns 0, or -ENOMEM with *arr and *cap unchanged (also when the octets
 * would not fit a size_t).
 */
static inline int mv_grow(void **arr, size_t *cap, size_t need, size_t size, size_t first)
{
	size_t n = *cap != 0 ? *cap : first;
	void *v;

	if (need <= *cap)
		return 0;
	while (n < need) {
		if (n > SIZE_MAX / 2)
			return -ENOMEM;
		n *= 2;
	}
	if (n > SIZE_MAX / size)
		return -ENOMEM;
	v = realloc(*arr, n * size);
	if (v == NULL)
		return -ENOMEM;
	*arr = v;
	*cap = n;
	return 0;
}

/*
 * mv_grow for the array arr (an lvalue of pointer type) with its size_t
 * capacity cap; evaluates to mv_grow's result. A GNU statement expression,
 * so that the array's pointer is written as its own type, not through a
 * void **.
 */
#define MV_GROW(arr, cap, need, first)                                                     \
	({                                                                                 \
		void *grow_v_ = (arr);                                                     \
		int grow_rc_ = mv_grow(&grow_v_, &(cap), (need), sizeof(*(arr)), (first)); \
		(arr) = grow_v_;                                                           \
		grow_rc_;                                                                  \
	})

#endif
