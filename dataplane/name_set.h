/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A set of owner names (wire form, copied in), each with a value of the
 * user's: open addressing, linear probing, at most half full, keyed by
 * dns_name_hash. Writer-side bookkeeping (health.c, zone_index.c), never
 * read by workers.
 */
#ifndef MV_NAME_SET_H
#define MV_NAME_SET_H

#include <stddef.h>
#include <stdint.h>

struct mv_name_slot {
	uint32_t hash;
	uint8_t len;
	uint8_t *name; /* owned; NULL: a free slot */
	void *value;
};

struct mv_name_set {
	struct mv_name_slot *slots; /* NULL until the first name */
	size_t mask, used;          /* mask: slots - 1 */
};

/* Free every name (not the values) and the slots; the set is empty again. */
void mv_name_set_clear(struct mv_name_set *s);

/* The slot of name, or NULL. */
struct mv_name_slot *mv_name_set_find(const struct mv_name_set *s, const uint8_t *name, size_t len);

/* The slot of name, added with value NULL if new; NULL on ENOMEM. */
struct mv_name_slot *mv_name_set_add(struct mv_name_set *s, const uint8_t *name, size_t len);

/* Remove the name of slot (its value is the caller's). */
void mv_name_set_remove(struct mv_name_set *s, struct mv_name_slot *slot);

/* Every slot, free ones included: for (i = 0; i < mv_name_set_slots(s); i++). */
static inline size_t mv_name_set_slots(const struct mv_name_set *s)
{
	return s->slots != NULL ? s->mask + 1 : 0;
}

#endif /* MV_NAME_SET_H */
