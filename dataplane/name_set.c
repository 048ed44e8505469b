/* SPDX-License-Identifier: BSD-3-Clause */
#include "name_set.h"

#include <stdlib.h>
#include <string.h>

#include "name.h"

void mv_name_set_clear(struct mv_name_set *s)
{
	for (size_t i = 0; i < mv_name_set_slots(s); i++)
		free(s->slots[i].name);
	free(s->slots);
	*s = (struct mv_name_set){0};
}

/* The slot holding name, or the free slot where it would go. */
static struct mv_name_slot *probe(struct mv_name_slot *slots, size_t mask, const uint8_t *name,
				  size_t len, uint32_t hash)
{
	for (size_t i = hash & mask;; i = (i + 1) & mask) {
		struct mv_name_slot *k = &slots[i];
		if (k->name == NULL ||
		    (k->hash == hash && k->len == len && memcmp(k->name, name, len) == 0))
			return k;
	}
}

struct mv_name_slot *mv_name_set_find(const struct mv_name_set *s, const uint8_t *name, size_t len)
{
	if (s->slots == NULL)
		return NULL;
	struct mv_name_slot *k = probe(s->slots, s->mask, name, len, dns_name_hash(name, len));
	return k->name != NULL ? k : NULL;
}

/* Room for one more name, keeping the set at most half full. */
static int reserve(struct mv_name_set *s)
{
	size_t cap = mv_name_set_slots(s);

	if (2 * (s->used + 1) <= cap)
		return 0;
	size_t ncap = cap ? 2 * cap : 4;
	struct mv_name_slot *slots = calloc(ncap, sizeof(*slots));
	if (slots == NULL)
		return -1;
	for (size_t i = 0; i < cap; i++) {
		const struct mv_name_slot *k = &s->slots[i];
		if (k->name != NULL)
			*probe(slots, ncap - 1, k->name, k->len, k->hash) = *k;
	}
	free(s->slots);
	s->slots = slots;
	s->mask = ncap - 1;
	return 0;
}

struct mv_name_slot *mv_name_set_add(struct mv_name_set *s, const uint8_t *name, size_t len)
{
	uint32_t hash = dns_name_hash(name, len);
	struct mv_name_slot *k =
		s->slots != NULL ? probe(s->slots, s->mask, name, len, hash) : NULL;

	if (k != NULL && k->name != NULL)
		return k;
	if (reserve(s) != 0)
		return NULL;
	uint8_t *copy = malloc(len);
	if (copy == NULL)
		return NULL;
	memcpy(copy, name, len);
	k = probe(s->slots, s->mask, name, len, hash);
	*k = (struct mv_name_slot){.hash = hash, .len = (uint8_t)len, .name = copy};
	s->used++;
	return k;
}

void mv_name_set_remove(struct mv_name_set *s, struct mv_name_slot *slot)
{
	free(slot->name);
	s->used--;
	/* Backward-shift deletion: move up each later name of the probe run
	 * whose home slot does not lie between the hole and it (cyclically). */
	size_t hole = (size_t)(slot - s->slots);
	for (size_t i = (hole + 1) & s->mask; s->slots[i].name != NULL; i = (i + 1) & s->mask) {
		size_t home = s->slots[i].hash & s->mask;
		if (((i - home) & s->mask) >= ((i - hole) & s->mask)) {
			s->slots[hole] = s->slots[i];
			hole = i;
		}
	}
	s->slots[hole] = (struct mv_name_slot){0};
}
