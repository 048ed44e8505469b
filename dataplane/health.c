/* SPDX-License-Identifier: BSD-3-Clause */
#include "health.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Health check indexes are dense (the control process counts from 1). */
#define ID_MAX (1u << 24)

struct watcher {
	uint8_t len;
	uint8_t *name;
};

struct entry {
	bool unhealthy;
	unsigned nnames, cap;
	struct watcher *names;
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
		for (unsigned k = 0; k < h->ids[i].nnames; k++)
			free(h->ids[i].names[k].name);
		free(h->ids[i].names);
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

/* Where name is among e's watchers, or e->nnames. */
static unsigned watcher_find(const struct entry *e, const uint8_t *name, size_t len)
{
	unsigned k = 0;

	while (k < e->nnames &&
	       (e->names[k].len != len || memcmp(e->names[k].name, name, len) != 0))
		k++;
	return k;
}

int mv_health_watch(struct mv_health *h, uint32_t id, const uint8_t *name, size_t len)
{
	struct entry *e = entry_get(h, id);

	if (e == NULL)
		return id == 0 || id >= ID_MAX ? -EINVAL : -ENOMEM;
	if (watcher_find(e, name, len) < e->nnames)
		return 0;
	if (e->nnames == e->cap) {
		unsigned cap = e->cap ? e->cap * 2 : 4;
		struct watcher *w = realloc(e->names, cap * sizeof(*w));
		if (w == NULL)
			return -ENOMEM;
		e->names = w;
		e->cap = cap;
	}
	uint8_t *copy = malloc(len);
	if (copy == NULL)
		return -ENOMEM;
	memcpy(copy, name, len);
	e->names[e->nnames++] = (struct watcher){.len = (uint8_t)len, .name = copy};
	return 0;
}

void mv_health_unwatch(struct mv_health *h, uint32_t id, const uint8_t *name, size_t len)
{
	if (id == 0 || id >= h->nids)
		return;
	struct entry *e = &h->ids[id];
	unsigned k = watcher_find(e, name, len);
	if (k == e->nnames)
		return;
	free(e->names[k].name);
	e->names[k] = e->names[--e->nnames]; /* order does not matter */
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
	for (unsigned k = 0; k < e->nnames; k++) {
		int rc = fn(e->names[k].name, e->names[k].len, arg);
		if (rc != 0)
			return rc;
	}
	return 0;
}
