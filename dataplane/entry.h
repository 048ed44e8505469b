/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The precomputed entries workers answer from. Every entry is immutable once
 * published: the writer builds a new one, publishes it through the table
 * (RCU), and frees the old one after a grace period. Workers only read.
 */
#ifndef MV_ENTRY_H
#define MV_ENTRY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "mvdns.h"

/* The RRset is the merge of multivalue record sets: a reply picks among its RRs. */
#define MV_RRSET_MULTIVALUE 0x1

/*
 * One RRset in reply wire form. Each RR starts with a two-octet compression
 * pointer for its owner, 0xc00c (the question name); a reply that places the
 * RRset elsewhere (after a CNAME) rewrites those two octets.
 * Layout of data[], each array `count` long:
 *   uint32_t health[]   the health check index of each RR (0: none)
 *   uint16_t offset[]   where each RR starts among the RRs
 *   uint16_t healthy[]  the RRs whose health check passes, nhealthy of them
 *   then len octets of RRs,
 *   then, 8-aligned, vcap variants of vstride octets (struct mv_variant).
 * A node is rebuilt when a health status it depends on changes.
 */
struct mv_rrset_wire {
	uint16_t type;
	uint16_t count;     /* RRs */
	uint16_t len;       /* octets of RRs */
	uint16_t flags;     /* MV_RRSET_* */
	uint16_t nhealthy;  /* RRs passing their health check (those without one pass) */
	uint16_t nvariants; /* precomputed choices in use (variants.h); 0: choose per query */
	uint16_t vcap;      /* room for that many variants after the RRs */
	uint16_t vstride;   /* octets per variant */
	uint8_t data[];
};

/* Octets an RRset of count RRs and len octets of RRs takes. */
static inline size_t mv_rrset_wire_size(unsigned count, size_t len)
{
	return sizeof(struct mv_rrset_wire) + count * (sizeof(uint32_t) + 2 * sizeof(uint16_t)) +
	       len;
}

static inline const uint32_t *mv_rrset_wire_health(const struct mv_rrset_wire *s)
{
	return (const uint32_t *)(const void *)s->data;
}

static inline const uint16_t *mv_rrset_wire_offsets(const struct mv_rrset_wire *s)
{
	return (const uint16_t *)(const void *)(s->data + sizeof(uint32_t) * s->count);
}

static inline const uint16_t *mv_rrset_wire_healthy(const struct mv_rrset_wire *s)
{
	return mv_rrset_wire_offsets(s) + s->count;
}

static inline const uint8_t *mv_rrset_wire_rrs(const struct mv_rrset_wire *s)
{
	return (const uint8_t *)(mv_rrset_wire_healthy(s) + s->count);
}

/* One precomputed multivalue choice (variants.h), ready to copy. */
struct mv_variant {
	uint16_t len;                        /* octets of RRs in bytes[] */
	uint16_t count;                      /* RRs */
	uint16_t rr[MVDNS_MULTIVALUE_MAX];   /* which RRs of the set, in order */
	uint16_t boff[MVDNS_MULTIVALUE_MAX]; /* where each starts in bytes[] */
	uint8_t bytes[];
};

static inline size_t mv_rrset_wire_rrs_end(const struct mv_rrset_wire *s)
{
	return (mv_rrset_wire_size(s->count, s->len) + 7u) & ~(size_t)7u;
}

/* Variant k of s (k < s->vcap). */
static inline const struct mv_variant *mv_rrset_wire_variant(const struct mv_rrset_wire *s,
							     unsigned k)
{
	return (const struct mv_variant *)(const void *)((const uint8_t *)s +
							 mv_rrset_wire_rrs_end(s) +
							 (size_t)k * s->vstride);
}

/* Octets s takes with its variants, 8-aligned. */
static inline size_t mv_rrset_wire_total(const struct mv_rrset_wire *s)
{
	return mv_rrset_wire_rrs_end(s) + (size_t)s->vcap * s->vstride;
}

/* Octets of RR i. */
static inline uint16_t mv_rrset_wire_rr_len(const struct mv_rrset_wire *s, unsigned i)
{
	const uint16_t *off = mv_rrset_wire_offsets(s);
	return (uint16_t)((i + 1 < s->count ? off[i + 1] : s->len) - off[i]);
}

/*
 * A hosted zone. Lives as long as the table; its negative-answer SOA is
 * replaced through RCU when the SOA changes.
 */
struct mv_zone {
	/* The apex SOA as NXDOMAIN and NODATA replies carry it in the authority
	 * section: TTL = min(SOA TTL, MINIMUM) (RFC 2308 section 5). Written by
	 * the writer with a release store, read by workers with an acquire load. */
	const struct mv_rrset_wire *_Atomic negative;
	/* MV_NODE_CUT nodes in the zone, counted by the writer, read by workers
	 * (relaxed): none, and no query looks for a zone cut above its name. */
	_Atomic uint32_t cuts;
	/* Writer only: the apex arrived with no ancestor in the table, so no
	 * node above it counts it as a child yet (see adopt_zones_below). */
	bool orphan;
	uint8_t apex_len;
	uint8_t apex[MVDNS_NAME_MAX];
};

#define MV_NODE_APEX  0x1 /* holds the zone's SOA */
#define MV_NODE_CNAME 0x2 /* holds a CNAME (and then nothing else) */
#define MV_NODE_CUT   0x4 /* NS and no SOA: a delegation (zone cut, RFC 1034 4.2.2) */

/*
 * Everything at one owner name. A node with no RRsets is an empty
 * non-terminal: it exists so that its name answers NODATA (RFC 8020).
 * One allocation: the struct, sets[nsets] sorted by type, the name, the RRsets.
 * The header is kept to 24 octets (the table recomputes the name's hash
 * when it needs it): a node with one A RRset and a name of up to 24 octets
 * then takes 96, a size the arena keeps within two cache lines without
 * rounding it up to 128 (arena.h).
 */
struct mv_node {
	uint8_t name_len;
	uint8_t nsets;
	uint8_t flags;     /* MV_NODE_* */
	uint32_t children; /* nodes directly below: writer-only bookkeeping */
	struct mv_zone *zone;
	const uint8_t *name; /* lower-case wire form */
	const struct mv_rrset_wire *sets[];
};

/* The RRset of `type` at node, or NULL. */
static inline const struct mv_rrset_wire *mv_node_find(const struct mv_node *n, uint16_t type)
{
	for (unsigned i = 0; i < n->nsets; i++)
		if (n->sets[i]->type == type)
			return n->sets[i];
	return NULL;
}

#endif /* MV_ENTRY_H */
