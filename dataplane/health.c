/* SPDX-License-Identifier: BSD-3-Clause */
#include "health.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "name_set.h"

/* Health check indexes are dense (the control process counts from 1). */
#define ID_MAX (1u << 24)

struct entry {
	bool unhealthy;
	struct mv_name_set names; /* watching this index (values unused) */
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
	for (uint32_t i = 0; i < h->nids; i++)
		mv_name_set_clear(&h->ids[i].names);
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

int mv_health_watch(struct mv_health *h, uint32_t id, const uint8_t *name, size_t len)
{
	struct entry *e = entry_get(h, id);

	if (e == NULL)
		return id == 0 || id >= ID_MAX ? -EINVAL : -ENOMEM;
	return mv_name_set_add(&e->names, name, len) != NULL ? 0 : -ENOMEM;
}

void mv_health_unwatch(struct mv_health *h, uint32_t id, const uint8_t *name, size_t len)
{
	if (id == 0 || id >= h->nids)
		return;
	struct mv_name_slot *w = mv_name_set_find(&h->ids[id].names, name, len);
	if (w != NULL)
		mv_name_set_remove(&h->ids[id].names, w);
}

unsigned mv_health_watchers(const struct mv_health *h, uint32_t id)
{
	return id == 0 || id >= h->nids ? 0 : (unsigned)h->ids[id].names.used;
}

int mv_health_foreach_name(struct mv_health *h, uint32_t id,
			   int (*fn)(const uint8_t *name, size_t len, void *arg), void *arg)
{
	if (id == 0 || id >= h->nids)
		return 0;
	const struct mv_name_set *names = &h->ids[id].names;
	for (size_t k = 0; k < mv_name_set_slots(names); k++) {
		if (names->slots[k].name == NULL)
			continue;
		int rc = fn(names->slots[k].name, names->slots[k].len, arg);
		if (rc != 0)
			return rc;
	}
	return 0;
}
