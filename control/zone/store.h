/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The desired state: the record sets of one or more hosted zones, and the
 * Route 53 rules that a change batch must pass against it before any of it
 * applies (all or nothing). Single-threaded; the owner serialises writers.
 *
 * Record sets are keyed by (owner, type, SetIdentifier) and kept in DNS
 * canonical order. A zone is an apex holding an SOA record set; zones may nest,
 * and a name belongs to the longest apex above it. Lookups are O(log n); a
 * batch of m changes costs O(m log n) to check and O(n + m log m) to apply.
 */
#ifndef ZONE_STORE_H
#define ZONE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "batch.h"

struct mv_store; /* opaque */

/* Returns a new empty store, or NULL with errno set (ENOMEM). */
struct mv_store *mv_store_create(void);

/* Release the store and every record set in it. Accepts NULL. */
void mv_store_destroy(struct mv_store *store);

/*
 * Validate `batch` in full against the store and, only if every change
 * passes, apply it; on failure the store is unchanged. Changes are checked in
 * order against the state the earlier ones leave (as Route 53 does).
 * Rules:
 *  - CREATE fails if the set exists; DELETE must match the existing set
 *    exactly (TTL, HealthCheckId and every value, in any order); UPSERT
 *    creates or replaces.
 *  - A DELETE then a CREATE of one set in a batch is allowed; any other
 *    repeat of a (name, type, SetIdentifier) is an error.
 *  - A CNAME shares its name with no other set and never sits at a zone apex.
 *  - Multivalue and simple sets of one name and type do not coexist;
 *    SetIdentifier is unique per name and type (it is part of the key).
 *  - The apex SOA and NS of a zone stay (they may be replaced, not removed).
 * `apex` (wire form) confines every name to that hosted zone: names outside
 * it, inside a zone nested below it, or an SOA off the apex are refused. With
 * apex NULL (the dataplane's --load) every name must fall inside a zone whose
 * SOA the resulting state holds (the batch may create it).
 * Out: err (not NULL), always reset; filled with every problem on failure.
 * Returns 0; -EINVAL (err: InvalidChangeBatch); -ENOMEM (err: InternalError).
 */
int mv_store_apply(struct mv_store *store, const uint8_t *apex, const struct mv_batch *batch,
		   struct mv_error *err);

/* Number of record sets held. */
size_t mv_store_count(const struct mv_store *store);

/*
 * The record set (owner in wire form, any case; set_identifier NULL for a
 * simple set), or NULL. Valid until the next successful mv_store_apply.
 */
const struct mv_rrset *mv_store_find(const struct mv_store *store, const uint8_t *owner,
				     uint16_t type, const char *set_identifier);

/*
 * Call fn for every record set, in canonical order (owner name in DNS
 * canonical order, RFC 4034 section 6.1, then type, then SetIdentifier with
 * the simple set first and the others in byte order). The record sets are
 * read-only.
 * Stops and returns fn's value if it returns non-zero; returns 0 otherwise.
 */
int mv_store_foreach(const struct mv_store *store,
		     int (*fn)(const struct mv_rrset *rrset, void *arg), void *arg);

/*
 * mv_store_foreach from the first record set not before (owner, type,
 * set_identifier) in that order, as ListResourceRecordSets starts at
 * StartRecordName, StartRecordType and StartRecordIdentifier: type 0 starts at
 * the owner's first set, a NULL set_identifier at the type's first (the simple
 * set sorts before the others). owner (wire form, any case) NULL starts at the
 * first set of the store.
 */
int mv_store_foreach_from(const struct mv_store *store, const uint8_t *owner, uint16_t type,
			  const char *set_identifier,
			  int (*fn)(const struct mv_rrset *rrset, void *arg), void *arg);

/*
 * Order of two owner names (wire form, any case) in the store's canonical
 * order: negative, 0 or positive as a precedes, equals or follows b.
 */
int mv_store_name_cmp(const uint8_t *a, const uint8_t *b);

/*
 * Call fn for every record set at exactly owner (wire form, any case), in
 * canonical order, searching from *near (any index; 0 to start), which is
 * then set to where owner's sets are. A caller visiting owners that lie near
 * each other in the store (a batch's) finds each in a few comparisons
 * instead of a search of the whole store.
 * Stops and returns fn's value if it returns non-zero; returns 0 otherwise.
 */
int mv_store_foreach_at(const struct mv_store *store, size_t *near, const uint8_t *owner,
			int (*fn)(const struct mv_rrset *rrset, void *arg), void *arg);

#endif /* ZONE_STORE_H */
