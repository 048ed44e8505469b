/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The table's hosted zones (entry.h struct mv_zone), found by apex, and the
 * orphans: zones whose apex arrived with no ancestor in the table, waiting
 * for a zone above them to link them in (table_write.c adopt_zones_below). Both
 * are hashed by name, so that a hosting operator's hundred thousand zones
 * cost no more per zone than ten do. Writer only.
 */
#ifndef MV_ZONE_INDEX_H
#define MV_ZONE_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "entry.h"

struct mv_zones; /* opaque */

/* An empty set of zones, or NULL with errno. */
struct mv_zones *mv_zones_create(void);

/* Free every zone (and its negative answer) and the set. Accepts NULL. */
void mv_zones_destroy(struct mv_zones *zs);

/* The zone at apex (lower-case wire form), created if new; NULL on ENOMEM. */
struct mv_zone *mv_zones_get(struct mv_zones *zs, const uint8_t *apex, size_t len);

/*
 * Mark z an orphan and remember it below each of its apex's ancestors (once:
 * nothing if it is one already). Returns 0 or -ENOMEM (z unchanged).
 */
int mv_zones_orphan(struct mv_zones *zs, struct mv_zone *z);

/*
 * A zone's apex arrived at name: for each orphan below it, clear its orphan
 * mark and call fn, then forget them. Stops at and returns fn's first
 * non-zero value (keeping those not yet seen), else 0. fn must not get
 * zones or make orphans.
 */
int mv_zones_adopt_below(struct mv_zones *zs, const uint8_t *name, size_t len,
			 int (*fn)(struct mv_zone *z, void *arg), void *arg);

#endif /* MV_ZONE_INDEX_H */
