/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A small, fast pseudo-random generator (xorshift64*) for choosing among
 * multivalue answers. Not for secrets. Each thread keeps its own state.
 */
#ifndef MV_RANDOM_H
#define MV_RANDOM_H

#include <stdint.h>

/* A uniform random number below n (n >= 1) from state (never 0), advancing it. */
static inline uint32_t mv_random_below(uint64_t *state, uint32_t n)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	/* The top 32 bits of the product, scaled to [0, n) by multiplication
	 * rather than modulo (Lemire): no division on the hot path. */
	return (uint32_t)(((x * 0x2545f4914f6cdd1dull) >> 32) * n >> 32);
}

#endif /* MV_RANDOM_H */
