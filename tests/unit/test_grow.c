/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for common/grow.h: the first capacity, doubling as far as one
 * call needs, no reallocation when there is room, and a size that would not
 * fit a size_t refused with the array left as it was.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "grow.h"

Test(grow, first_capacity_then_doubling)
{
	uint32_t *v = NULL;
	size_t cap = 0;

	cr_assert_eq(MV_GROW(v, cap, 1, 4), 0);
	cr_assert_not_null(v);
	cr_assert_eq(cap, 4);
	for (size_t i = 0; i < 4; i++)
		v[i] = (uint32_t)i;
	cr_assert_eq(MV_GROW(v, cap, 5, 4), 0);
	cr_assert_eq(cap, 8);
	for (size_t i = 0; i < 4; i++)
		cr_assert_eq(v[i], i, "element %zu kept", i);
	free(v);
}

Test(grow, as_far_as_one_call_needs)
{
	uint64_t *v = NULL;
	size_t cap = 0;

	cr_assert_eq(MV_GROW(v, cap, 1000, 16), 0);
	cr_assert_eq(cap, 1024);
	for (size_t i = 0; i < 1000; i++) /* AddressSanitizer: every element is there */
		v[i] = i;
	cr_assert_eq(MV_GROW(v, cap, 5000, 16), 0);
	cr_assert_eq(cap, 8192);
	v[4999] = 1;
	free(v);
}

Test(grow, room_left_keeps_the_array)
{
	char *v = malloc(8);
	char *before = v;
	size_t cap = 8;

	cr_assert_eq(MV_GROW(v, cap, 8, 2), 0);
	cr_assert_eq(v, before);
	cr_assert_eq(cap, 8);
	free(v);
}

Test(grow, too_large_changes_nothing)
{
	uint64_t *v = malloc(4 * sizeof(*v));
	uint64_t *before = v;
	size_t cap = 4;

	cr_assert_eq(MV_GROW(v, cap, SIZE_MAX / 4, 4), -ENOMEM); /* octets overflow */
	cr_assert_eq(v, before);
	cr_assert_eq(cap, 4);
	cr_assert_eq(MV_GROW(v, cap, SIZE_MAX, 4), -ENOMEM); /* the capacity overflows */
	cr_assert_eq(v, before);
	cr_assert_eq(cap, 4);
	free(v);
}
