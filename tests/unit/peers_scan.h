/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * peers_scan, then the full states it began sent whole by peers_step, as the
 * daemon's loop sends them: for tests whose rings hold a whole full state.
 */
#ifndef TEST_PEERS_SCAN_H
#define TEST_PEERS_SCAN_H

#include <criterion/criterion.h>

#include "peers.h"

static inline size_t scan(struct peers *p)
{
	size_t n = peers_scan(p);
	int step;

	while ((step = peers_step(p)) == 0)
		;
	cr_assert_eq(step, -1, "a full state found its ring full");
	return n;
}

#endif
