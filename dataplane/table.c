/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The record table's readers: lookup, the burst prefetches, the closest
 * encloser, the wildcard and the zone cut. Every query takes this path, on
 * any worker, lock-free; the writer's code (table_write.c, table_grow.c)
 * lives apart so that this file holds all a reader executes, and the slot
 * layout both share is in table_pvt.h.
 *
 * mv_table_lookup_closest and mv_table_wildcard are inline definitions
 * with an external declaration in table.h: with link-time optimization,
 * the lookup() below is inlined into the caller. They must stay in the
 * file that defines lookup().
 */
#include "table.h"

#include <stdatomic.h>
#include <string.h>

#include "name.h"
#include "table_pvt.h"

/* From this many slots (2 MiB of them, for 128k names and more) the table
 * outgrows the caches: prefetch. */
#define LARGE_SLOTS (1u << 18)

/* mv_table_lookup, inlined into mv_table_lookup_closest (every query's path). */
static inline const struct mv_node *lookup(const struct mv_table *t, const uint8_t *name,
					   size_t len, uint32_t hash)
{
	const struct slots *s = atomic_load_explicit(&t->slots, memory_order_acquire);

	for (size_t i = hash & s->mask;; i = (i + 1) & s->mask) {
		uint64_t w = atomic_load_explicit(&s->s[i].word, memory_order_acquire);
		const struct mv_node *n = slot_node(w);
		if (n == NULL)
			return NULL;
		if (n == TOMBSTONE)
			continue;
		if (slot_tag_matches(w, hash) && n->name_len == len &&
		    dns_name_equal(n->name, name, len))
			return n;
	}
}

const struct mv_node *mv_table_lookup(const struct mv_table *t, const uint8_t *name, size_t len,
				      uint32_t hash)
{
	return lookup(t, name, len, hash);
}

bool mv_table_is_large(const struct mv_table *t)
{
	const struct slots *s = atomic_load_explicit(&t->slots, memory_order_acquire);

	return s->mask >= LARGE_SLOTS - 1;
}

/*
 * Slots a prefetch covers: four consecutive slots of 8 octets, aligned to
 * 8, lie in at most two cache lines, those of the first and the last (in
 * one, five times out of eight). Most probes end within them (load factor
 * at most 1/2, and 5/8 for a while as the table grows).
 */
#define PREFETCH_SLOTS 4

void mv_table_prefetch_slot(const struct mv_table *t, uint32_t hash)
{
	const struct slots *s = atomic_load_explicit(&t->slots, memory_order_acquire);

	__builtin_prefetch(&s->s[hash & s->mask]);
	__builtin_prefetch(&s->s[(hash + PREFETCH_SLOTS - 1) & s->mask]);
}

void mv_table_prefetch_node(const struct mv_table *t, uint32_t hash)
{
	const struct slots *s = atomic_load_explicit(&t->slots, memory_order_acquire);

	/* Only a hint: the first node among the prefetched slots whose tag matches. */
	for (size_t k = 0; k < PREFETCH_SLOTS; k++) {
		uint64_t w = atomic_load_explicit(&s->s[(hash + k) & s->mask].word,
						  memory_order_acquire);
		const struct mv_node *n = slot_node(w);
		if (n == NULL)
			return;
		if (n != TOMBSTONE && slot_tag_matches(w, hash)) {
			/* A node with one small RRset takes about 100 octets, which
			 * the arena places within two cache lines (arena.h). */
			__builtin_prefetch(n);
			__builtin_prefetch((const uint8_t *)n + 64);
			return;
		}
	}
}

/*
 * The nearest existing proper ancestor of a name that is missing. Out of
 * line: the few queries for missing names pay for its loop, and the
 * lookup of a name that exists stays small enough to be inlined.
 */
static __attribute__((noinline)) const struct mv_node *
lookup_ancestor(const struct mv_table *t, const uint8_t *name, size_t len)
{
	const struct mv_node *n = NULL;

	while (n == NULL && len > 1) {
		len -= 1u + name[0];
		name += 1u + name[0];
		n = lookup(t, name, len, dns_name_hash(name, len));
	}
	return n;
}

/* Inline: with link-time optimization, every query's lookup is one probe in its caller. */
inline const struct mv_node *mv_table_lookup_closest(const struct mv_table *t, const uint8_t *name,
						     size_t len, uint32_t hash, int *exact)
{
	const struct mv_node *n = lookup(t, name, len, hash);

	*exact = n != NULL;
	return n != NULL ? n : lookup_ancestor(t, name, len);
}

/* mv_table_wildcard's lookup, out of line as lookup_ancestor is. */
static __attribute__((noinline)) const struct mv_node *
lookup_wildcard(const struct mv_table *t, const struct mv_node *encloser)
{
	uint8_t name[MVDNS_NAME_MAX];
	size_t len = 2u + encloser->name_len;

	if (len > MVDNS_NAME_MAX)
		return NULL;
	name[0] = 1;
	name[1] = '*';
	memcpy(name + 2, encloser->name, encloser->name_len);
	return lookup(t, name, len, dns_name_hash(name, len));
}

/* Inline: a table without wildcards (nearly every one) costs a load and a test. */
inline const struct mv_node *mv_table_wildcard(const struct mv_table *t,
					       const struct mv_node *encloser)
{
	if (atomic_load_explicit(&t->wildcards, memory_order_relaxed) == 0)
		return NULL;
	return lookup_wildcard(t, encloser);
}

const struct mv_node *mv_table_cut(const struct mv_table *t, const struct mv_node *node)
{
	const struct mv_zone *zone = node->zone;
	const struct mv_node *cut = NULL;
	const uint8_t *name = node->name;
	size_t len = node->name_len;

	if (atomic_load_explicit(&zone->cuts, memory_order_relaxed) == 0)
		return NULL;
	/* Up to the apex; every ancestor of a node exists (empty non-terminals). */
	while (node != NULL && len > zone->apex_len) {
		if (node->flags & MV_NODE_CUT)
			cut = node;
		len -= 1u + name[0];
		name += 1u + name[0];
		node = lookup(t, name, len, dns_name_hash(name, len));
	}
	return cut;
}
