/* SPDX-License-Identifier: BSD-3-Clause */
#include "zone_index.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "name_set.h"

/*
 * What the set knows of one name: a zone's apex, an ancestor of an
 * orphan's apex, or both. Names stay once known (a zone lives as long as
 * the table), and there are at most a few per zone.
 */
struct known {
	struct mv_zone *zone;   /* the zone with this apex, or NULL */
	struct mv_zone **below; /* orphans below this name, not yet adopted */
	size_t nbelow, cap;
};

struct mv_zones {
	struct mv_name_set names; /* values: struct known */
};

struct mv_zones *mv_zones_create(void)
{
	return calloc(1, sizeof(struct mv_zones));
}

void mv_zones_destroy(struct mv_zones *zs)
{
	if (zs == NULL)
		return;
	for (size_t i = 0; i < mv_name_set_slots(&zs->names); i++) {
		struct known *k = zs->names.slots[i].value;
		if (k == NULL)
			continue;
		if (k->zone != NULL) {
			free((void *)(uintptr_t)atomic_load_explicit(&k->zone->negative,
								     memory_order_relaxed));
			free(k->zone);
		}
		free(k->below);
		free(k);
	}
	mv_name_set_clear(&zs->names);
	free(zs);
}

/* What the set knows of name, added (knowing nothing yet) if new; NULL on ENOMEM. */
static struct known *known(struct mv_zones *zs, const uint8_t *name, size_t len)
{
	struct mv_name_slot *slot = mv_name_set_add(&zs->names, name, len);

	if (slot != NULL && slot->value == NULL)
		slot->value = calloc(1, sizeof(struct known)); /* NULL: retried next time */
	return slot != NULL ? slot->value : NULL;
}

struct mv_zone *mv_zones_get(struct mv_zones *zs, const uint8_t *apex, size_t len)
{
	struct known *k = known(zs, apex, len);

	if (k == NULL)
		return NULL;
	if (k->zone == NULL) {
		struct mv_zone *z = calloc(1, sizeof(*z));
		if (z == NULL)
			return NULL;
		memcpy(z->apex, apex, len);
		z->apex_len = (uint8_t)len;
		k->zone = z;
	}
	return k->zone;
}

/* Remember z below the name of k. */
static int add_below(struct known *k, struct mv_zone *z)
{
	if (MV_GROW(k->below, k->cap, k->nbelow + 1, 2) != 0)
		return -ENOMEM;
	k->below[k->nbelow++] = z;
	return 0;
}

int mv_zones_orphan(struct mv_zones *zs, struct mv_zone *z)
{
	if (z->orphan)
		return 0;
	/* Every ancestor, the root included; entries added before a failure
	 * stay, harmless: adoption skips zones that are no orphans. */
	for (size_t off = 1u + z->apex[0]; off < z->apex_len; off += 1u + z->apex[off]) {
		struct known *k = known(zs, z->apex + off, z->apex_len - off);
		if (k == NULL || add_below(k, z) != 0)
			return -ENOMEM;
	}
	z->orphan = true;
	return 0;
}

int mv_zones_adopt_below(struct mv_zones *zs, const uint8_t *name, size_t len,
			 int (*fn)(struct mv_zone *z, void *arg), void *arg)
{
	const struct mv_name_slot *slot = mv_name_set_find(&zs->names, name, len);
	struct known *k = slot != NULL ? slot->value : NULL;

	while (k != NULL && k->nbelow > 0) {
		struct mv_zone *z = k->below[k->nbelow - 1];
		if (z->orphan) { /* else adopted already, below another name */
			z->orphan = false;
			int rc = fn(z, arg);
			if (rc != 0)
				return rc;
		}
		k->nbelow--;
	}
	return 0;
}
