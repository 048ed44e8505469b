/* SPDX-License-Identifier: BSD-3-Clause */
#include "zone_index.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "name.h"

/*
 * One name the set knows: a zone's apex, an ancestor of an orphan's apex,
 * or both. Names stay once known (a zone lives as long as the table), and
 * there are at most a few per zone.
 */
struct known {
	uint32_t hash;
	uint8_t len;
	uint8_t *name;          /* owned; NULL: a free slot */
	struct mv_zone *zone;   /* the zone with this apex, or NULL */
	struct mv_zone **below; /* orphans below this name, not yet adopted */
	uint32_t nbelow, cap;
};

/* Open addressing, linear probing, at most half full. */
struct mv_zones {
	struct known *slots;
	size_t mask, used;
};

struct mv_zones *mv_zones_create(void)
{
	struct mv_zones *zs = calloc(1, sizeof(*zs));

	if (zs == NULL)
		return NULL;
	zs->slots = calloc(16, sizeof(*zs->slots));
	if (zs->slots == NULL) {
		free(zs);
		return NULL;
	}
	zs->mask = 15;
	return zs;
}

void mv_zones_destroy(struct mv_zones *zs)
{
	if (zs == NULL)
		return;
	for (size_t i = 0; i <= zs->mask; i++) {
		struct known *k = &zs->slots[i];
		if (k->zone != NULL) {
			free((void *)(uintptr_t)atomic_load_explicit(&k->zone->negative,
								     memory_order_relaxed));
			free(k->zone);
		}
		free(k->below);
		free(k->name);
	}
	free(zs->slots);
	free(zs);
}

/* The slot of name, or the free slot where it would go. */
static struct known *slot_of(struct known *slots, size_t mask, const uint8_t *name, size_t len,
			     uint32_t hash)
{
	for (size_t i = hash & mask;; i = (i + 1) & mask) {
		struct known *k = &slots[i];
		if (k->name == NULL ||
		    (k->hash == hash && k->len == len && memcmp(k->name, name, len) == 0))
			return k;
	}
}

/* Room for one more name, keeping the table at most half full. */
static int reserve(struct mv_zones *zs)
{
	size_t cap = zs->mask + 1;

	if (2 * (zs->used + 1) <= cap)
		return 0;
	struct known *slots = calloc(2 * cap, sizeof(*slots));
	if (slots == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < cap; i++) {
		const struct known *k = &zs->slots[i];
		if (k->name != NULL)
			*slot_of(slots, 2 * cap - 1, k->name, k->len, k->hash) = *k;
	}
	free(zs->slots);
	zs->slots = slots;
	zs->mask = 2 * cap - 1;
	return 0;
}

/* The entry of name, added (with nothing in it) if new; NULL on ENOMEM. */
static struct known *known(struct mv_zones *zs, const uint8_t *name, size_t len)
{
	uint32_t hash = dns_name_hash(name, len);
	struct known *k = slot_of(zs->slots, zs->mask, name, len, hash);

	if (k->name != NULL)
		return k;
	if (reserve(zs) != 0)
		return NULL;
	uint8_t *copy = malloc(len);
	if (copy == NULL)
		return NULL;
	memcpy(copy, name, len);
	k = slot_of(zs->slots, zs->mask, name, len, hash);
	*k = (struct known){.hash = hash, .len = (uint8_t)len, .name = copy};
	zs->used++;
	return k;
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
	if (k->nbelow == k->cap) {
		uint32_t cap = k->cap ? 2 * k->cap : 2;
		struct mv_zone **below = realloc(k->below, cap * sizeof(*below));
		if (below == NULL)
			return -ENOMEM;
		k->below = below;
		k->cap = cap;
	}
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
	struct known *k = slot_of(zs->slots, zs->mask, name, len, dns_name_hash(name, len));

	while (k->name != NULL && k->nbelow > 0) {
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
