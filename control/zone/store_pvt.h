/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the store's three files share: store.c (the store, its read API and
 * applying a batch), store_order.c (the canonical order: sort keys and
 * searches of the sorted array) and store_check.c (a batch checked against
 * the store, through the working state). Besides the store's layout, this is
 * the working state: store_check.c builds it change by change, store.c's
 * store_commit moves what it holds into the store.
 *
 * Functions with external linkage carry the store_ prefix, as the zone
 * library links into the control process and the dataplane; the static
 * inline ones and the overlay's names (ov_, OV_) stay private to these files.
 */
#ifndef ZONE_STORE_PVT_H
#define ZONE_STORE_PVT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "batch.h"
#include "mvdns.h"
#include "store.h"

/*
 * Longest canonical key: every octet escaped, plus one terminator per label;
 * and 8 octets of room, as key_label stores 8 octets at a time.
 */
#define STORE_KEY_MAX (2 * MVDNS_NAME_MAX + 8)
/* Longest name in presentation form ("\ddd" per octet). */
#define STORE_TEXT_MAX (4 * MVDNS_NAME_MAX + 2)
/* Overlay entries are allocated in chunks so that pointers to them stay valid. */
#define OV_CHUNK_SHIFT 12
#define OV_CHUNK       (1u << OV_CHUNK_SHIFT)

struct store_entry {
	struct mv_rrset rr; /* points into this same allocation */
	const uint8_t *key; /* canonical sort key of rr.owner */
	uint16_t key_len;
};

struct mv_store {
	struct store_entry **v; /* sorted by (key, type, set identifier) */
	size_t n, cap;
	size_t soas; /* SOA sets, to know when no zone can be nested in this one */
};

/* What an overlay entry stands for. */
enum ov_kind {
	OV_SET = 1,  /* one record set */
	OV_NAME,     /* delta of non-CNAME sets at a name */
	OV_NAMETYPE, /* delta of multivalue sets at a name and type */
	OV_ZONE,     /* an SOA the batch creates */
};

struct ov_entry {
	const uint8_t *owner; /* in the batch */
	const uint8_t *key;   /* OV_SET: owner's sort key, in apply_ctx's keys */
	const char *setid;
	const struct mv_rrset *rr;   /* OV_SET: in the working state, NULL when absent */
	const struct mv_rrset *base; /* OV_SET: in the store, NULL when absent */
	size_t base_idx;
	uint32_t hash;
	int32_t delta; /* OV_NAME, OV_NAMETYPE */
	uint16_t key_len;
	uint16_t type;
	uint8_t owner_len;
	uint8_t kind;
	uint8_t changes; /* OV_SET: changes of the batch to this set (saturating) */
	uint8_t first;   /* OV_SET: action of the first */
	uint8_t reported;
};

/*
 * The store's sets at one owner name, v[lo, hi), and the name's key: a
 * change asks several questions about its own name, each a search of the
 * whole store before (a quarter of a batch's time at 100,000 sets).
 */
struct owner_sets {
	const uint8_t *owner; /* NULL: none yet */
	size_t len, lo, hi, klen;
	uint8_t key[STORE_KEY_MAX];
};

/* The working state: the store seen through the batch's overlay. */
struct apply_ctx {
	const struct mv_store *store;
	struct mv_error *err;
	const uint8_t *apex; /* NULL for --load */
	size_t apex_len;
	char apex_text[STORE_TEXT_MAX];
	struct ov_entry **chunk;
	size_t n, nchunk;
	uint32_t *slot; /* entry index + 1; 0 is empty */
	size_t nslot;
	int nomem;
	int nested; /* whether the store holds an SOA below the apex */
	struct owner_sets at;
	/* The OV_SET entries' keys, one after another: a change adds at most one
	 * set, whose key has at most twice the octets of its owner. Kept for the
	 * store's new entries, so that applying makes each key once. */
	uint8_t *keys;
	size_t keys_len;
	/* What the batch holds: the overlay keeps only the counters it can need. */
	int has_cname, has_mv, has_soa;
};

/* Overlay entry i. */
static inline struct ov_entry *ov_at(const struct apply_ctx *a, size_t i)
{
	return &a->chunk[i >> OV_CHUNK_SHIFT][i & (OV_CHUNK - 1)];
}

/* Whether two wire names are the same octets. */
static inline int name_eq(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	return alen == blen && memcmp(a, b, alen) == 0;
}

/* Whether e's owner has this key. */
static inline int entry_owner_is(const struct store_entry *e, const uint8_t *key, size_t klen)
{
	return e->key_len == klen && memcmp(e->key, key, klen) == 0;
}

/* ---- canonical order (store_order.c) ---- */

/* owner's sort key in out; returns its length (store_order.c describes the key). */
size_t store_key_make(const uint8_t *name, uint8_t out[STORE_KEY_MAX]);

/* Order of two (key, type, set identifier): memcmp-like; a NULL set identifier first. */
int store_key_cmp(const uint8_t *ka, size_t la, uint16_t ta, const char *sa, const uint8_t *kb,
		  size_t lb, uint16_t tb, const char *sb);

/* qsort comparison of two struct store_entry pointers, in the store's order. */
int store_entry_cmp(const void *a, const void *b);

/* First index in [lo, hi) not below (key, type, setid); NULL setid is the lowest. */
size_t store_lower_in(const struct mv_store *s, size_t lo, size_t hi, const uint8_t *key,
		      size_t klen, uint16_t type, const char *setid);

/* store_lower_in over the whole array. */
size_t store_lower(const struct mv_store *s, const uint8_t *key, size_t klen, uint16_t type,
		   const char *setid);

/* store_lower, searching outwards from hint (any index): cheap when the place is near it. */
size_t store_lower_near(const struct mv_store *s, size_t hint, const uint8_t *key, size_t klen,
			uint16_t type, const char *setid);

/* Index of the set, or SIZE_MAX. */
size_t store_index(const struct mv_store *s, const uint8_t *owner, uint16_t type,
		   const char *setid);

/* ---- checking a batch (store_check.c) ---- */

/* The overlay entry for a key; with create, a new one (OV_SET seeded from the store). */
struct ov_entry *store_ov_find(struct apply_ctx *a, uint8_t kind, const uint8_t *owner, size_t len,
			       uint16_t type, const char *setid, int create);

/* Check one change against the working state and, if it passes, make it there. */
void store_check_change(struct apply_ctx *a, const struct mv_change *ch);

/* After the batch, every zone it touched keeps its apex SOA and NS. */
void store_check_apex(struct apply_ctx *a, const struct mv_change *ch);

#endif /* ZONE_STORE_PVT_H */
