/* SPDX-License-Identifier: BSD-3-Clause */
#include "health.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "name.h"

/* Health check indexes are dense (the control process counts from 1). */
#define ID_MAX (1u << 24)

/*
 * The names watching one index: an open-addressing set (linear probing,
 * at most half full) keyed by the name's hash, so that a check shared by
 * many names costs the same per name as one used by a single name.
 */
struct watcher {
	uint32_t hash;
	uint8_t len;
	uint8_t *name; /* NULL: a free slot */
};

struct entry {
	bool unhealthy;
	unsigned nnames, mask; /* mask: slots - 1, when there are slots */
	struct watcher *slots;
};

struct mv_health {
	struct entry *ids;
	uint32_t nids;
};

struct mv_health *mv_health_create(void)
{
	return calloc(1, sizeof(struct mv_health));
}

void mv_health_destroy(struct mv_health *h)
{
	if (h == NULL)
		return;
	for (uint32_t i = 0; i < h->nids; i++) {
		struct entry *e = &h->ids[i];
		for (unsigned k = 0; e->slots != NULL && k <= e->mask; k++)
			free(e->slots[k].name);
		free(e->slots);
	}
	free(h->ids);
	free(h);
}

/* The entry of id, growing the array; NULL for id 0, too large, or ENOMEM. */
static struct entry *entry_get(struct mv_health *h, uint32_t id)
{
	if (id == 0 || id >= ID_MAX)
		return NULL;
	if (id >= h->nids) {
		uint32_t n = h->nids ? h->nids : 64;
		while (n <= id)
			n *= 2;
		struct entry *ids = realloc(h->ids, n * sizeof(*ids));
		if (ids == NULL)
			return NULL;
		memset(ids + h->nids, 0, (n - h->nids) * sizeof(*ids));
		h->ids = ids;
		h->nids = n;
	}
	return &h->ids[id];
}

bool mv_health_ok(const struct mv_health *h, uint32_t id)
{
	return h == NULL || id == 0 || id >= h->nids || !h->ids[id].unhealthy;
}

int mv_health_set(struct mv_health *h, uint32_t id, bool healthy)
{
	struct entry *e = entry_get(h, id);

	if (e == NULL)
		return id == 0 || id >= ID_MAX ? -EINVAL : -ENOMEM;
	if (e->unhealthy == !healthy)
		return 0;
	e->unhealthy = !healthy;
	return 1;
}

/* The slot holding name in e's set, or the free slot where it would go. */
static struct watcher *watcher_find(const struct entry *e, const uint8_t *name, size_t len,
				    uint32_t hash)
{
	for (unsigned i = hash & e->mask;; i = (i + 1) & e->mask) {
		struct watcher *w = &e->slots[i];
		if (w->name == NULL ||
		    (w->hash == hash && w->len == len && memcmp(w->name, name, len) == 0))
			return w;
	}
}

/* Make room for one more name, keeping the set at most half full. */
static int watchers_reserve(struct entry *e)
{
	unsigned cap = e->slots != NULL ? e->mask + 1 : 0;

	if (2 * (e->nnames + 1) <= cap)
		return 0;
	unsigned ncap = cap ? 2 * cap : 4;
	struct entry grown = {.nnames = e->nnames, .mask = ncap - 1};
	grown.slots = calloc(ncap, sizeof(*grown.slots));
	if (grown.slots == NULL)
		return -ENOMEM;
	for (unsigned k = 0; k < cap; k++)
		if (e->slots[k].name != NULL)
			*watcher_find(&grown, e->slots[k].name, e->slots[k].len, e->slots[k].hash) =
				e->slots[k];
	free(e->slots);
	e->slots = grown.slots;
	e->mask = grown.mask;
	return 0;
}

int mv_health_watch(struct mv_health *h, uint32_t id, const uint8_t *name, size_t len)
{
	struct entry *e = entry_get(h, id);
	uint32_t hash = dns_name_hash(name, len);

	if (e == NULL)
		return id == 0 || id >= ID_MAX ? -EINVAL : -ENOMEM;
	if (e->slots != NULL && watcher_find(e, name, len, hash)->name != NULL)
		return 0;
	if (watchers_reserve(e) != 0)
		return -ENOMEM;
	uint8_t *copy = malloc(len);
	if (copy == NULL)
		return -ENOMEM;
	memcpy(copy, name, len);
	*watcher_find(e, name, len, hash) =
		(struct watcher){.hash = hash, .len = (uint8_t)len, .name = copy};
	e->nnames++;
	return 0;
}

void mv_health_unwatch(struct mv_health *h, uint32_t id, const uint8_t *name, size_t len)
{
	if (id == 0 || id >= h->nids || h->ids[id].slots == NULL)
		return;
	struct entry *e = &h->ids[id];
	struct watcher *w = watcher_find(e, name, len, dns_name_hash(name, len));
	if (w->name == NULL)
		return;
	free(w->name);
	e->nnames--;
	/* Backward-shift deletion: move up each later name of the probe run
	 * whose home slot does not lie between the hole and it (cyclically). */
	unsigned hole = (unsigned)(w - e->slots);
	for (unsigned i = (hole + 1) & e->mask; e->slots[i].name != NULL; i = (i + 1) & e->mask) {
		unsigned home = e->slots[i].hash & e->mask;
		if (((i - home) & e->mask) >= ((i - hole) & e->mask)) {
			e->slots[hole] = e->slots[i];
			hole = i;
		}
	}
	e->slots[hole].name = NULL;
}

unsigned mv_health_watchers(const struct mv_health *h, uint32_t id)
{
	return id == 0 || id >= h->nids ? 0 : h->ids[id].nnames;
}

int mv_health_foreach_name(struct mv_health *h, uint32_t id,
			   int (*fn)(const uint8_t *name, size_t len, void *arg), void *arg)
{
	if (id == 0 || id >= h->nids)
		return 0;
	struct entry *e = &h->ids[id];
	for (unsigned k = 0; e->slots != NULL && k <= e->mask; k++) {
		if (e->slots[k].name == NULL)
			continue;
		int rc = fn(e->slots[k].name, e->slots[k].len, arg);
		if (rc != 0)
			return rc;
	}
	return 0;
}
