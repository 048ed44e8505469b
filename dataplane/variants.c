/* SPDX-License-Identifier: BSD-3-Clause */
#include "variants.h"

#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "random.h"

/* Variants aimed at per pool: enough that clients see many different choices. */
#define VARIANTS_TARGET 32
/* The variants of one RRset take at most this many octets. */
#define VARIANTS_ROOM_MAX (64u * 1024u)

static unsigned gcd(unsigned a, unsigned b)
{
	while (b != 0) {
		unsigned t = a % b;
		a = b;
		b = t;
	}
	return a;
}

/*
 * Variants for n candidates. Each holds m = min(n, 8) of them, and the
 * candidates are dealt into variants from successive permutations, so every
 * candidate appears equally often when the variants use up a whole number
 * of permutations: a multiple of n / gcd(n, m) variants.
 */
static unsigned variants_for(unsigned n)
{
	if (n <= MVDNS_MULTIVALUE_MAX)
		return VARIANTS_TARGET; /* each variant is one whole permutation */
	unsigned round = n / gcd(n, MVDNS_MULTIVALUE_MAX);
	return round * ((VARIANTS_TARGET + round - 1) / round); /* at least the target */
}

size_t mv_variants_room(unsigned count, size_t max_rr, uint16_t *cap, uint16_t *stride)
{
	size_t size =
		(sizeof(struct mv_variant) + MVDNS_MULTIVALUE_MAX * max_rr + 7u) & ~(size_t)7u;
	unsigned most = 0;

	*cap = *stride = 0;
	if (count == 0 || count > MV_VARIANTS_POOL_MAX)
		return 0;
	/* Health decides how many candidates there are: room for the most. */
	for (unsigned n = 1; n <= count; n++)
		if (variants_for(n) > most)
			most = variants_for(n);
	if (most * size > VARIANTS_ROOM_MAX)
		return 0; /* large RRs: choosing per query costs less memory */
	*cap = (uint16_t)most;
	*stride = (uint16_t)size;
	return most * size;
}

/* The writer's random state: seeded once per thread, never 0. */
static uint64_t *writer_rng(void)
{
	static _Thread_local uint64_t state;

	if (state == 0) {
		if (getrandom(&state, sizeof(state), GRND_NONBLOCK) != sizeof(state))
			state = (uint64_t)time(NULL) * 0x9e3779b97f4a7c15ull;
		state |= 1;
	}
	return &state;
}

static int holds(const uint16_t *v, unsigned n, uint16_t x)
{
	for (unsigned i = 0; i < n; i++)
		if (v[i] == x)
			return 1;
	return 0;
}

/*
 * A fresh random permutation of cand[0..n) into perm whose first `need`
 * entries avoid the `t` entries of taken[] (the variant being filled holds
 * them already). Needs n >= need + t, which n > 8 >= need + t guarantees.
 */
static void permute(uint64_t *rng, const uint16_t *cand, unsigned n, uint16_t *perm,
		    const uint16_t *taken, unsigned t, unsigned need)
{
	memcpy(perm, cand, n * sizeof(*perm));
	for (unsigned i = n; i > 1; i--) { /* Fisher-Yates */
		unsigned j = mv_random_below(rng, i);
		uint16_t x = perm[i - 1];
		perm[i - 1] = perm[j];
		perm[j] = x;
	}
	/* Swap clashes out of the head with untaken entries from the rest:
	 * at least n - 8 + (clashes) of those exist, so the search ends. */
	for (unsigned i = 0; i < need && t > 0; i++) {
		if (!holds(taken, t, perm[i]))
			continue;
		unsigned j;
		do
			j = need + mv_random_below(rng, n - need);
		while (holds(taken, t, perm[j]));
		uint16_t x = perm[i];
		perm[i] = perm[j];
		perm[j] = x;
	}
}

void mv_variants_build(struct mv_rrset_wire *w)
{
	const uint16_t *healthy = mv_rrset_wire_healthy(w);
	const uint16_t *off = mv_rrset_wire_offsets(w);
	const uint8_t *rrs = mv_rrset_wire_rrs(w);
	unsigned n = w->nhealthy > 0 ? w->nhealthy : w->count;
	unsigned m = n < MVDNS_MULTIVALUE_MAX ? n : MVDNS_MULTIVALUE_MAX;
	uint16_t cand[MV_VARIANTS_POOL_MAX], perm[MV_VARIANTS_POOL_MAX];
	uint64_t *rng = writer_rng();

	w->nvariants = 0;
	if (w->vcap == 0 || n > MV_VARIANTS_POOL_MAX)
		return;
	for (unsigned i = 0; i < n; i++)
		cand[i] = w->nhealthy > 0 ? healthy[i] : (uint16_t)i;

	/* Deal successive permutations into the variants, m at a time. */
	unsigned used = n; /* of the current permutation: none left */
	w->nvariants = (uint16_t)variants_for(n);
	for (unsigned k = 0; k < w->nvariants; k++) {
		struct mv_variant *v = (struct mv_variant *)(uintptr_t)mv_rrset_wire_variant(w, k);
		v->len = 0;
		v->count = (uint16_t)m;
		for (unsigned i = 0; i < m; i++) {
			if (used == n) {
				permute(rng, cand, n, perm, v->rr, i, m - i);
				used = 0;
			}
			uint16_t rr = perm[used++];
			uint16_t len = mv_rrset_wire_rr_len(w, rr);
			v->rr[i] = rr;
			v->boff[i] = v->len;
			memcpy(v->bytes + v->len, rrs + off[rr], len);
			v->len = (uint16_t)(v->len + len);
		}
	}
}
