/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The record table: owner names to nodes of precomputed RRsets, and the
 * hosted zones they belong to.
 *
 * Readers (workers) are lock-free and wait-free: mv_table_lookup only loads
 * pointers published by the writer. There is one writer thread (the main
 * lcore); every change goes through mv_table_set_name and becomes visible to
 * readers atomically per owner name. Memory a reader may still hold is
 * retired, not freed, and freed by mv_table_commit after the synchronize
 * callback has waited out a grace period (rte_rcu_qsbr in the dataplane).
 */
#ifndef MV_TABLE_H
#define MV_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "batch.h"
#include "entry.h"

struct mv_table; /* opaque */

/* Waits until no reader holds a pointer loaded before the call. */
typedef void (*mv_table_sync_fn)(void *arg);

/*
 * Create an empty table sized for about `names` owner names (it grows).
 * `sync` is called by mv_table_commit before retired memory is freed.
 * Returns the table, or NULL with errno set.
 */
struct mv_table *mv_table_create(size_t names, mv_table_sync_fn sync, void *sync_arg);

/*
 * Writer, for idle time: while the table is growing (table_grow.c), copy
 * up to `slots` more of its slots into the next array, and once all are,
 * publish it and commit. With `ahead` (a table that is taking names), start
 * the copy from 3/8 of the slots used, where names added would start it
 * only from half. Adding names moves the copy along too, a few slots per
 * name, from half the slots used. Returns whether the table is still
 * growing.
 */
bool mv_table_migrate(struct mv_table *t, size_t slots, bool ahead);

/*
 * Writer, for idle time: fault in the memory the next nodes will be carved
 * from (mv_arena_prepare), so that the batch that needs it does not pay
 * the page fault. Returns whether it did that now.
 */
bool mv_table_prepare(struct mv_table *t);

/* Free the table and everything in it. No reader may be running. */
void mv_table_destroy(struct mv_table *t);

/*
 * Reader: the node at `name` (lower-cased wire form, hash from
 * dns_name_hash), or NULL. Lock-free; any thread. The node stays valid until
 * the reader's next quiescent state.
 */
const struct mv_node *mv_table_lookup(const struct mv_table *t, const uint8_t *name, size_t len,
				      uint32_t hash);

/*
 * Reader: the two prefetch steps of a burst lookup. For every query of a
 * burst, first prefetch the slot its hash probes first, then (once all
 * slots are on their way) the node that slot holds; the lookups that follow
 * find both in cache. Hints only: they change nothing. Lock-free.
 */
void mv_table_prefetch_slot(const struct mv_table *t, uint32_t hash);
/* Reader: whether the table is large enough for prefetching to pay. */
bool mv_table_is_large(const struct mv_table *t);
void mv_table_prefetch_node(const struct mv_table *t, uint32_t hash);

/*
 * Reader: the node at name or, if there is none, the nearest existing
 * ancestor (whose zone decides between NXDOMAIN and REFUSED). Out: *exact
 * tells which. Returns NULL when no ancestor exists (outside every zone).
 */
const struct mv_node *mv_table_lookup_closest(const struct mv_table *t, const uint8_t *name,
					      size_t len, uint32_t hash, int *exact);

/*
 * Reader: the wildcard "*.<encloser>" (RFC 4592), the source of synthesis for
 * names that do not exist below encloser, their closest encloser; or NULL.
 * Costs nothing while the table holds no wildcard at all.
 */
const struct mv_node *mv_table_wildcard(const struct mv_table *t, const struct mv_node *encloser);

/*
 * Reader: the zone cut at or above node, below its zone's apex, that is
 * nearest the apex (RFC 1034 4.3.2: the delegation whose referral answers
 * for node's name and everything below it); or NULL. Costs nothing in a
 * zone without delegations.
 */
const struct mv_node *mv_table_cut(const struct mv_table *t, const struct mv_node *node);

/*
 * Writer: make `sets` (n record sets, all owned by `owner`, in wire form)
 * the complete content of that owner name, replacing what was there.
 * Record sets of one type are merged into one RRset (multivalue sets
 * become one pool). An SOA makes the name a zone apex. n == 0 removes the
 * name (an empty non-terminal stays while names exist below it).
 * Empty non-terminals are created for missing ancestors inside the zone.
 * Returns 0, -ENOENT if the name is in no zone, -EINVAL for sets that
 * cannot be served (a CNAME beside other data, RRsets over 65535 octets),
 * -ENOMEM. On error nothing changed.
 */
int mv_table_set_name(struct mv_table *t, const uint8_t *owner, size_t owner_len,
		      const struct mv_rrset *const *sets, size_t n);

/*
 * Writer: record health check index id as passing or failing and rebuild
 * the names whose record sets use it (multivalue answers pick among the
 * passing values). An index never set passes.
 * Returns 0, -EINVAL for id 0, -ENOMEM.
 */
int mv_table_set_health(struct mv_table *t, uint32_t id, bool healthy);

/* Writer: how many names mv_table_set_health(id) would look at: those using id. */
unsigned mv_table_health_watchers(const struct mv_table *t, uint32_t id);

/*
 * Writer: wait for a grace period (the sync callback) and free everything
 * retired since the last commit. Call after a batch of mv_table_set_name.
 */
void mv_table_commit(struct mv_table *t);

/* Writer: owner names held (empty non-terminals included). */
size_t mv_table_count(const struct mv_table *t);

#endif /* MV_TABLE_H */
