/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Building the immutable entries of entry.h from record sets. Writer side
 * only; the table publishes what these return.
 */
#ifndef MV_NODE_H
#define MV_NODE_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "batch.h"
#include "entry.h"
#include "health.h"

/*
 * Build the node for `owner` from n record sets at that name (n may be 0: an
 * empty non-terminal), in one allocation from `arena`, released with
 * mv_node_free. Each RR
 * passes or fails its health check (mv_rrset.health) as `health` says
 * (NULL: all pass).
 * Returns the node, or NULL with errno: EINVAL (CNAME beside other data,
 * an RRset too large for a message), ENOMEM.
 */
struct mv_node *mv_node_build(struct mv_arena *arena, const uint8_t *owner, size_t owner_len,
			      const struct mv_rrset *const *sets, size_t n, struct mv_zone *zone,
			      const struct mv_health *health);

/*
 * Check that n record sets at one name can be served (the rules of
 * mv_node_build) without building anything. Returns 0, -EINVAL or -ENOMEM.
 */
int mv_node_check(const struct mv_rrset *const *sets, size_t n);

/* A copy of `node` from `arena`; NULL with errno ENOMEM. */
struct mv_node *mv_node_clone(struct mv_arena *arena, const struct mv_node *node);

/* Octets of node's one allocation (what mv_node_free gives back). */
size_t mv_node_size(const struct mv_node *node);

/* Give node (NULL: nothing) back to the arena it was built from. */
void mv_node_free(struct mv_arena *arena, struct mv_node *node);

/*
 * Build the RRset a negative answer carries for an SOA record set: its one
 * RR with TTL = min(TTL, MINIMUM). Released with free(). NULL with errno.
 */
struct mv_rrset_wire *mv_node_build_negative(const struct mv_rrset *soa);

/* A copy of node from `arena`, every RRset's healthy RRs recomputed from `health`. */
struct mv_node *mv_node_rehealth(struct mv_arena *arena, const struct mv_node *node,
				 const struct mv_health *health);

/* Whether an RR of node uses health check index id. */
bool mv_node_uses_health(const struct mv_node *node, uint32_t id);

#endif /* MV_NODE_H */
