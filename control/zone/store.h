/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The desired state: the record sets of one or more hosted zones, and the
 * Route 53 rules that a change batch must pass against it before any of it
 * applies (all or nothing). Single-threaded; the owner serialises writers.
 */
#ifndef ZONE_STORE_H
#define ZONE_STORE_H

#include <stddef.h>

#include "batch.h"

struct mv_store; /* opaque */

/* Returns a new empty store, or NULL with errno set. */
struct mv_store *mv_store_create(void);
void mv_store_destroy(struct mv_store *store);

/*
 * Validate `batch` in full against the store and, only if every change
 * passes, apply it. Rules: CREATE fails if the set exists; DELETE must match
 * the existing set exactly (TTL and every value); UPSERT creates or
 * replaces; a DELETE then CREATE of one set in a batch is allowed, other
 * repeats are errors; a CNAME shares its name with no other set and never
 * sits at a zone apex; multivalue and simple sets of one name and type do not
 * coexist; SetIdentifier is unique per name and type.
 * `apex` (wire form) confines every name to that hosted zone; with apex NULL
 * (the dataplane's --load) every name must fall inside a zone whose SOA the
 * resulting state holds.
 * Returns 0, or -EINVAL with err filled with every problem (InvalidChangeBatch).
 */
int mv_store_apply(struct mv_store *store, const uint8_t *apex, const struct mv_batch *batch,
		   struct mv_error *err);

/* Number of record sets held. */
size_t mv_store_count(const struct mv_store *store);

/*
 * Call fn for every record set, in canonical order (owner name in DNS
 * canonical order, RFC 4034 section 6.1, then type, then SetIdentifier).
 * Stops and returns fn's value if it returns non-zero; returns 0 otherwise.
 */
int mv_store_foreach(const struct mv_store *store,
		     int (*fn)(const struct mv_rrset *rrset, void *arg), void *arg);

#endif /* ZONE_STORE_H */
