/* SPDX-License-Identifier: BSD-3-Clause */
#include "checks.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct checks {
	struct checks_check **v; /* creation order */
	size_t n, cap;
	struct checks_check **buckets;  /* by id: chains through `next` */
	size_t nbuckets;                /* a power of two, >= cap */
	struct checks_check **by_index; /* [index]: NULL when free; [0] unused */
	uint32_t nindex;                /* size of by_index */
	char **deleted;                 /* circular: deleted[(dstart + i) % CHECKS_DELETED_MAX] */
	size_t ndeleted, dcap, dstart;
};

/* FNV-1a: ids are random, any spread will do. */
static size_t id_hash(const char *id)
{
	uint32_t h = 2166136261u;

	while (*id != '\0')
		h = (h ^ (uint8_t)*id++) * 16777619u;
	return h;
}

struct checks *checks_create(void)
{
	return calloc(1, sizeof(struct checks));
}

static void check_free(struct checks_check *check)
{
	if (check == NULL)
		return;
	free(check->caller_reference);
	free(check);
}

void checks_destroy(struct checks *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n; i++)
		check_free(c->v[i]);
	free(c->v);
	free(c->buckets);
	free(c->by_index);
	for (size_t i = 0; i < c->ndeleted; i++)
		free((char *)checks_deleted_at(c, i));
	free(c->deleted);
	free(c);
}

/* ---- lookups ---- */

struct checks_check *checks_find(const struct checks *c, const char *id)
{
	struct checks_check *check;

	if (c->nbuckets == 0)
		return NULL;
	for (check = c->buckets[id_hash(id) & (c->nbuckets - 1)]; check != NULL;
	     check = check->next)
		if (strcmp(check->id, id) == 0)
			return check;
	return NULL;
}

struct checks_check *checks_find_caller(const struct checks *c, const char *caller_reference)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->v[i]->caller_reference, caller_reference) == 0)
			return c->v[i];
	return NULL;
}

struct checks_check *checks_by_index(const struct checks *c, uint32_t index)
{
	return index < c->nindex ? c->by_index[index] : NULL;
}

size_t checks_count(const struct checks *c)
{
	return c->n;
}

struct checks_check *checks_at(const struct checks *c, size_t i)
{
	return c->v[i];
}

/* ---- adding and removing ---- */

/* Room for one more check in v, the buckets and by_index (up to index). */
static int grow(struct checks *c, uint32_t index)
{
	if (c->n == c->cap) {
		size_t cap = c->cap != 0 ? 2 * c->cap : 16;
		struct checks_check **v = realloc(c->v, cap * sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		c->v = v;
		c->cap = cap;
	}
	if (c->nbuckets < c->cap) {
		size_t nb = c->nbuckets != 0 ? c->nbuckets : 16;
		struct checks_check **b;

		while (nb < c->cap)
			nb *= 2;
		b = calloc(nb, sizeof(*b));
		if (b == NULL)
			return -ENOMEM;
		for (size_t i = 0; i < c->n; i++) {
			struct checks_check *check = c->v[i];
			size_t k = id_hash(check->id) & (nb - 1);

			check->next = b[k];
			b[k] = check;
		}
		free(c->buckets);
		c->buckets = b;
		c->nbuckets = nb;
	}
	if (index >= c->nindex) {
		uint32_t n = c->nindex != 0 ? c->nindex : 16;
		struct checks_check **bi;

		while (n <= index)
			n *= 2;
		bi = realloc(c->by_index, n * sizeof(*bi));
		if (bi == NULL)
			return -ENOMEM;
		memset(bi + c->nindex, 0, (n - c->nindex) * sizeof(*bi));
		c->by_index = bi;
		c->nindex = n;
	}
	return 0;
}

uint32_t checks_free_index(const struct checks *c)
{
	uint32_t i = 1;

	while (i < c->nindex && c->by_index[i] != NULL)
		i++;
	return i;
}

int checks_add(struct checks *c, const char *id, const char *caller_reference,
	       const struct mv_check_config *cfg, uint32_t index, bool healthy,
	       struct checks_check **out)
{
	struct checks_check *check;
	size_t k;
	int rc;

	if (id[0] == '\0' || strlen(id) > CHECKS_ID_MAX || caller_reference[0] == '\0' ||
	    strlen(caller_reference) > CHECKS_CALLER_MAX || index > CHECKS_INDEX_MAX)
		return -EINVAL;
	if (index == 0)
		index = checks_free_index(c);
	if (checks_find(c, id) != NULL || checks_by_index(c, index) != NULL ||
	    checks_find_caller(c, caller_reference) != NULL)
		return -EEXIST;
	rc = grow(c, index);
	if (rc != 0)
		return rc;
	check = calloc(1, sizeof(*check));
	if (check == NULL || (check->caller_reference = strdup(caller_reference)) == NULL) {
		free(check);
		return -ENOMEM;
	}
	strcpy(check->id, id);
	check->config = *cfg;
	check->version = 1;
	check->index = index;
	check->healthy = healthy;
	k = id_hash(id) & (c->nbuckets - 1);
	check->next = c->buckets[k];
	c->buckets[k] = check;
	c->by_index[index] = check;
	c->v[c->n++] = check;
	if (out != NULL)
		*out = check;
	return 0;
}

void checks_update(struct checks_check *check, const struct mv_check_config *cfg)
{
	check->config = *cfg;
	check->version++;
}

int checks_remove(struct checks *c, const char *id)
{
	struct checks_check *check = checks_find(c, id), **link;
	size_t i = 0;

	if (check == NULL)
		return -ENOENT;
	/* Remembering the reference is best effort: out of memory, it is forgotten. */
	checks_deleted_add(c, check->caller_reference);
	for (link = &c->buckets[id_hash(id) & (c->nbuckets - 1)]; *link != check;
	     link = &(*link)->next)
		;
	*link = check->next;
	c->by_index[check->index] = NULL;
	while (c->v[i] != check)
		i++;
	memmove(&c->v[i], &c->v[i + 1], (c->n - i - 1) * sizeof(*c->v));
	c->n--;
	check_free(check);
	return 0;
}

/* ---- deleted caller references ---- */

int checks_deleted_add(struct checks *c, const char *caller_reference)
{
	char *dup = strdup(caller_reference);

	if (dup == NULL)
		return -ENOMEM;
	if (c->ndeleted == c->dcap && c->dcap < CHECKS_DELETED_MAX) {
		size_t cap = c->dcap != 0 ? 2 * c->dcap : 16;
		char **v;

		if (cap > CHECKS_DELETED_MAX)
			cap = CHECKS_DELETED_MAX;
		v = realloc(c->deleted, cap * sizeof(*v));
		if (v == NULL) {
			free(dup);
			return -ENOMEM;
		}
		c->deleted = v;
		c->dcap = cap; /* dstart stays 0 until the array is full */
	}
	if (c->ndeleted == CHECKS_DELETED_MAX) {
		free(c->deleted[c->dstart]);
		c->deleted[c->dstart] = dup;
		c->dstart = (c->dstart + 1) % CHECKS_DELETED_MAX;
	} else {
		c->deleted[c->ndeleted++] = dup;
	}
	return 0;
}

size_t checks_deleted_count(const struct checks *c)
{
	return c->ndeleted;
}

const char *checks_deleted_at(const struct checks *c, size_t i)
{
	return c->deleted[(c->dstart + i) % (c->dcap != 0 ? c->dcap : 1)];
}

bool checks_caller_deleted(const struct checks *c, const char *caller_reference)
{
	for (size_t i = 0; i < c->ndeleted; i++)
		if (strcmp(c->deleted[i], caller_reference) == 0)
			return true;
	return false;
}

/* ---- record sets ---- */

void checks_error_no_such(struct mv_error *err, const char *id)
{
	mv_error_init(err, "NoSuchHealthCheck");
	mv_error_add(err, "No health check found with ID: %s", id);
}

int checks_resolve_batch(const struct checks *c, struct mv_batch *batch, struct mv_error *err)
{
	for (size_t i = 0; i < batch->count; i++) {
		struct mv_rrset *rr = &batch->changes[i].rrset;
		const struct checks_check *check;

		if (rr->health_check_id == NULL)
			continue;
		check = checks_find(c, rr->health_check_id);
		if (check == NULL) {
			checks_error_no_such(err, rr->health_check_id);
			return -ENOENT;
		}
		rr->health = check->index;
	}
	return 0;
}
