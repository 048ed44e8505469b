/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dataplane's health registry (dataplane/health.c): statuses by index,
 * and which names watch each index, against a model under random watches
 * and unwatches, with many names sharing one index.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "health.h"

#define NAMES 3000
#define IDS   3

/* Name i in wire form: "w<i>.example." */
static size_t name_of(unsigned i, uint8_t *out)
{
	char label[16];
	int n = snprintf(label, sizeof(label), "w%u", i);
	out[0] = (uint8_t)n;
	memcpy(out + 1, label, (size_t)n);
	memcpy(out + 1 + n, "\7example", 9);
	return (size_t)n + 10;
}

/* Which names foreach reports, marked in seen[]; a name twice fails. */
static int mark(const uint8_t *name, size_t len, void *arg)
{
	bool *seen = arg;
	unsigned i;

	cr_assert_eq(name[len - 1], 0);
	cr_assert_eq(sscanf((const char *)name + 2, "%u", &i), 1);
	cr_assert(i < NAMES && !seen[i], "name %u reported twice or unknown", i);
	seen[i] = true;
	return 0;
}

static void check(struct mv_health *h, bool model[IDS + 1][NAMES])
{
	static bool seen[NAMES];

	for (uint32_t id = 1; id <= IDS; id++) {
		unsigned count = 0;
		memset(seen, 0, sizeof(seen));
		cr_assert_eq(mv_health_foreach_name(h, id, mark, seen), 0);
		for (unsigned i = 0; i < NAMES; i++) {
			cr_assert_eq(seen[i], model[id][i], "id %u name %u: %d, model %d", id, i,
				     seen[i], model[id][i]);
			count += model[id][i];
		}
		cr_assert_eq(mv_health_watchers(h, id), count);
	}
}

Test(dp_health, watchers_match_a_model)
{
	static bool model[IDS + 1][NAMES];
	struct mv_health *h = mv_health_create();
	uint64_t rng = 12345;
	uint8_t name[32];

	cr_assert_not_null(h);
	for (unsigned op = 0; op < 60000; op++) {
		rng = rng * 6364136223846793005ull + 1442695040888963407ull;
		unsigned i = (unsigned)(rng >> 33) % NAMES;
		uint32_t id = 1 + (uint32_t)(rng >> 20) % IDS;
		/* Phases that mostly add, then mostly remove: the sets grow and empty. */
		bool add = (rng >> 8) % 8 < (op / 10000 % 2 == 0 ? 6u : 2u);
		size_t len = name_of(i, name);
		if (add) {
			cr_assert_eq(mv_health_watch(h, id, name, len), 0);
			model[id][i] = true;
		} else {
			mv_health_unwatch(h, id, name, len);
			model[id][i] = false;
		}
		if (op % 997 == 0)
			check(h, model);
	}
	check(h, model);
	mv_health_destroy(h);
}

static int stop_at_first(const uint8_t *name, size_t len, void *arg)
{
	(void)name;
	(void)len;
	++*(unsigned *)arg;
	return 7;
}

Test(dp_health, statuses_and_edges)
{
	struct mv_health *h = mv_health_create();
	uint8_t name[32];
	size_t len = name_of(1, name);
	unsigned calls = 0;

	cr_assert(mv_health_ok(h, 5));
	cr_assert_eq(mv_health_set(h, 5, false), 1);
	cr_assert_eq(mv_health_set(h, 5, false), 0);
	cr_assert(!mv_health_ok(h, 5));
	cr_assert(mv_health_ok(h, 0));
	cr_assert_eq(mv_health_set(h, 0, false), -EINVAL);
	cr_assert_eq(mv_health_watch(h, 0, name, len), -EINVAL);
	cr_assert_eq(mv_health_watch(h, 1u << 24, name, len), -EINVAL);
	mv_health_unwatch(h, 9, name, len); /* nothing watches 9: nothing happens */
	cr_assert_eq(mv_health_watch(h, 9, name, len), 0);
	cr_assert_eq(mv_health_watch(h, 9, name, len), 0); /* once per name */
	cr_assert_eq(mv_health_watchers(h, 9), 1);
	len = name_of(2, name);
	cr_assert_eq(mv_health_watch(h, 9, name, len), 0);
	cr_assert_eq(mv_health_foreach_name(h, 9, stop_at_first, &calls), 7);
	cr_assert_eq(calls, 1);
	mv_health_destroy(h);
}
