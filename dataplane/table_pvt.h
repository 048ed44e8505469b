/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internals shared by the record table's files: table.c (the readers, on
 * every query's path), table_write.c (the writer) and table_grow.c (the
 * slot arrays and their growth). Not part of the public API (see table.h).
 *
 * Open addressing with linear probing over an array of slots. A slot is one
 * 64-bit word holding a node pointer and 16 bits of the name's hash as a
 * tag; a removed node leaves a tombstone so that probe sequences stay
 * intact. Readers load the slot array and slots with acquire; the writer
 * publishes a slot (tag and node at once) with release. The slot array is
 * replaced whole (RCU) to grow or to sweep tombstones.
 */
#ifndef MV_TABLE_PVT_H
#define MV_TABLE_PVT_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "table.h"

#define TOMBSTONE ((struct mv_node *)(uintptr_t)1)

/*
 * Eight slots share a cache line, so a probe sequence rarely leaves its
 * first line. The node's address fills the low 48 bits (what user-space
 * addresses use on x86-64 and arm64 Linux; publish checks) and the tag the
 * high 16: the hash's upper half, the part the slot index does not already
 * fix in tables of up to 2^16 slots.
 */
struct slot {
	_Atomic uint64_t word; /* 0 (never used), the tombstone, or a node and its tag */
};

#define SLOT_TAG_SHIFT 48
#define SLOT_ADDR_MASK ((UINT64_C(1) << SLOT_TAG_SHIFT) - 1)

static inline uint64_t slot_pack(const struct mv_node *n, uint32_t hash)
{
	return (uint64_t)(hash >> 16) << SLOT_TAG_SHIFT | (uintptr_t)n;
}

static inline struct mv_node *slot_node(uint64_t w)
{
	return (struct mv_node *)(uintptr_t)(w & SLOT_ADDR_MASK);
}

static inline bool slot_tag_matches(uint64_t w, uint32_t hash)
{
	return w >> SLOT_TAG_SHIFT == hash >> 16;
}

/* Writer: the node in slot i (NULL, TOMBSTONE or a node). */
static inline struct mv_node *slot_get(const struct slot *s, size_t i)
{
	return slot_node(atomic_load_explicit(&s[i].word, memory_order_relaxed));
}

/*
 * One mapping: this header, then the slots from the next cache line on, so
 * that no slot straddles two lines (a probe touches as few as it can).
 */
struct slots {
	size_t mask;    /* slot count - 1, a power of two minus one */
	size_t map_len; /* octets mapped, for munmap */
	alignas(64) struct slot s[];
};

struct mv_table;

/* Memory to free after a grace period, and how. */
struct retired {
	void *p;
	void (*release)(struct mv_table *t, void *p);
};

struct mv_table {
	/* Read by workers (acquire), written by the writer (release). */
	struct slots *_Atomic slots;

	/* Nodes whose first label is "*", counted by the writer, read by
	 * workers (relaxed): none, and NXDOMAIN looks for no wildcard. */
	_Atomic size_t wildcards;

	/* Writer-only state below. */
	size_t live;        /* nodes in slots */
	size_t tombstones;  /* tombstones in slots */
	struct slots *next; /* while growing: the array being filled (table_reserve) */
	size_t cursor;      /* slots [0, cursor) of the current array are in next */
	size_t faulted;     /* octets of next faulted in (prefault) */
	size_t credit;      /* slots of budget not yet spent on a page (migrate) */
	size_t next_tombstones;
	struct mv_zones *zones;  /* the hosted zones, by apex */
	struct retired *retired; /* to free after the next grace period */
	size_t nretired, retired_cap;
	mv_table_sync_fn sync;
	void *sync_arg;
	struct mv_health *health; /* statuses, and which names use each check */
	struct mv_arena *nodes;   /* where every node lives */
};

/* table_grow.c: the slot arrays, all writer-only. */

/* A zeroed array of n slots (a power of two), or NULL. */
struct slots *table_slots_alloc(size_t n);
void table_slots_free(struct slots *s);
/* Slots for `names` names: a power of two, at least twice as many and MIN_SLOTS. */
size_t table_slots_for(size_t names);

/* Writer: make room for one more node. Returns 0 or -ENOMEM. */
int table_reserve(struct mv_table *t);

/* Writer: after a change to slot i of the current array, the same in the next one. */
void table_mirror(struct mv_table *t, size_t i, const uint8_t *name, size_t len, uint32_t hash,
		  struct mv_node *node);

/* table_write.c, for table_grow.c */

/* Writer: index of the slot holding name, or of the slot to insert it into. */
size_t table_slot_find(const struct slots *s, const uint8_t *name, size_t len, uint32_t hash,
		       int *found);

/* Writer: free p with release() after the next grace period. Returns 0 or -ENOMEM. */
int table_retire_with(struct mv_table *t, void *p, void (*release)(struct mv_table *t, void *p));

#endif /* MV_TABLE_PVT_H */
