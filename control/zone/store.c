/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The desired state: record sets kept in one array sorted in DNS canonical
 * order, each set one allocation. A batch is checked change by change against
 * a working state, the store seen through an overlay (a hash table of the
 * sets the batch touched, and per-name counters); the store itself is not
 * written until every change has passed, so a refused batch leaves it as it
 * was. Applying moves the batch's sorted sets into the array: O(n + m log m).
 *
 * Message sources: Route 53's InvalidChangeBatch messages as seen in AWS CLI
 * and SDK output ("Tried to create resource record set [name='...',
 * type='...'] but it already exists", "... but it was not found", "... but the
 * values provided do not match the current values", "The request contains an
 * invalid set of changes for a resource record set 'TYPE name'", "RRSet of
 * type CNAME with DNS name ... is not permitted at apex in zone ...", "... is
 * not permitted as it conflicts with other records with the same DNS name in
 * zone ...", "RRSet of type A with DNS name ... is not permitted because a
 * conflicting RRSet of type CNAME with the same DNS name already exists in
 * zone ...", "RRSet with DNS name ..., type TXT, SetIdentifier ... cannot be
 * created because a non multivalue answer rrset exists with the same name and
 * type.", "RRSet with DNS name ..., type A cannot be created as other RRSets
 * exist with the same name and type.", "RRSet with DNS name ... is not
 * permitted in zone ...", "A HostedZone must contain exactly one SOA
 * record.", "A HostedZone must contain at least one NS record for the zone
 * itself."). The SOA-outside-the-apex and no-zone (--load) messages are
 * mvdns's own.
 */
#include <endian.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "name.h"
#include "store.h"
#include "text.h"
#include "wire.h"

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

/* ---- canonical order (RFC 4034 section 6.1) ---- */

/* The octets of w in A-Z made a-z, the others as they are (no carry crosses octets). */
static uint64_t key_lower8(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101u, tops = ones * 0x80;
	uint64_t low = w & ~tops; /* each octet's low 7 bits: sums stay inside it */
	uint64_t ge_a = low + ones * (0x80 - 'A'), gt_z = low + ones * (0x80 - 'Z' - 1);

	return w | ((ge_a & ~gt_z & ~w & tops) >> 2);
}

/* Whether an octet of w (its first octet the least significant) is 0 or 1. */
static int key_escapes8(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101u;
	uint64_t x = w & ~ones; /* 0 exactly where the octet is 0 or 1 */

	return ((x - ones) & ~x & ones * 0x80) != 0;
}

/*
 * The len octets of a label at l in key form at o; returns the octets
 * written. The octets of the name up to end may be read. Eight at a time
 * while eight are there to read and none of the label's needs an escape
 * (nearly always), then one at a time: at 15 instructions an octet, the two
 * keys made per change were a tenth of a batch.
 */
static size_t key_label(const uint8_t *l, size_t len, const uint8_t *end, uint8_t *o)
{
	size_t i = 0, n = 0;

	while (i < len && end - (l + i) >= 8) {
		size_t k = len - i < 8 ? len - i : 8;
		uint64_t w;

		memcpy(&w, l + i, 8);
		/* The octets after the label's count as needing no escape. */
		if (key_escapes8(le64toh(w) | (k < 8 ? ~0ull << (8 * k) : 0)))
			break;
		w = key_lower8(w);
		memcpy(o + n, &w, 8); /* past n + k: written over next, or room to spare */
		i += k;
		n += k;
	}
	for (; i < len; i++) {
		uint8_t b = l[i];

		if (b >= 'A' && b <= 'Z')
			b |= 0x20;
		if (b < 2)
			o[n++] = 1;
		o[n++] = b < 2 ? (uint8_t)(b + 1) : b;
	}
	return n;
}

/*
 * A name's sort key: labels from the rightmost, each octet b >= 2 as itself and
 * b < 2 as 0x01 b+1, each label ended by 0x00. The code keeps octet order and
 * no encoded label is a prefix of another, so memcmp() on keys compares the
 * names, lower-cased here, label by label from the right, a shorter label first.
 */
static size_t key_make(const uint8_t *name, uint8_t out[STORE_KEY_MAX])
{
	const uint8_t *label[MVDNS_NAME_MAX / 2 + 1], *p;
	size_t n = 0, len = 0;

	for (p = name; *p != 0; p += 1 + *p)
		label[n++] = p;
	while (n-- > 0) {
		len += key_label(label[n] + 1, label[n][0], p + 1, out + len);
		out[len++] = 0;
	}
	return len;
}

static int key_cmp(const uint8_t *ka, size_t la, uint16_t ta, const char *sa, const uint8_t *kb,
		   size_t lb, uint16_t tb, const char *sb)
{
	int c = memcmp(ka, kb, la < lb ? la : lb);

	if (c != 0)
		return c;
	if (la != lb)
		return la < lb ? -1 : 1;
	if (ta != tb)
		return ta < tb ? -1 : 1;
	if (sa == NULL || sb == NULL)
		return (sb == NULL) - (sa == NULL); /* a simple set first */
	return strcmp(sa, sb);
}

static int entry_cmp(const void *a, const void *b)
{
	const struct store_entry *x = *(const struct store_entry *const *)a;
	const struct store_entry *y = *(const struct store_entry *const *)b;

	return key_cmp(x->key, x->key_len, x->rr.type, x->rr.set_identifier, y->key, y->key_len,
		       y->rr.type, y->rr.set_identifier);
}

/* First index in [lo, hi) not below (key, type, setid); NULL setid is the lowest. */
static size_t store_lower_in(const struct mv_store *s, size_t lo, size_t hi, const uint8_t *key,
			     size_t klen, uint16_t type, const char *setid)
{

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct store_entry *e = s->v[mid];

		if (key_cmp(e->key, e->key_len, e->rr.type, e->rr.set_identifier, key, klen, type,
			    setid) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static size_t store_lower(const struct mv_store *s, const uint8_t *key, size_t klen, uint16_t type,
			  const char *setid)
{
	return store_lower_in(s, 0, s->n, key, klen, type, setid);
}

/* Whether v[i] sorts before (key, type, setid). */
static int store_below(const struct mv_store *s, size_t i, const uint8_t *key, size_t klen,
		       uint16_t type, const char *setid)
{
	const struct store_entry *e = s->v[i];

	return key_cmp(e->key, e->key_len, e->rr.type, e->rr.set_identifier, key, klen, type,
		       setid) < 0;
}

/*
 * store_lower, galloping from hint (any index): steps of 1, 2, 4, ... away
 * from it bracket the place, then a binary search finds it, O(log d) for a
 * place d sets away. A batch's names mostly land next to each other, so
 * searching from the last place found is a few comparisons instead of 17 at
 * 100,000 sets (two such searches per change were a tenth of a batch).
 */
static size_t store_lower_near(const struct mv_store *s, size_t hint, const uint8_t *key,
			       size_t klen, uint16_t type, const char *setid)
{
	size_t lo, hi, step = 1;

	if (hint < s->n && store_below(s, hint, key, klen, type, setid)) {
		/* The place is in (hint, n]: up until v[hi] is not below. */
		for (lo = hi = hint + 1; hi < s->n && store_below(s, hi, key, klen, type, setid);
		     step *= 2) {
			lo = hi + 1;
			hi += step;
		}
		hi = hi < s->n ? hi : s->n;
	} else {
		/* The place is in [0, hint]: down while v[lo - 1] is not below. */
		for (lo = hi = hint < s->n ? hint : s->n;
		     lo > 0 && !store_below(s, lo - 1, key, klen, type, setid); step *= 2) {
			hi = lo - 1;
			lo = lo > step ? lo - step : 0;
		}
	}
	return store_lower_in(s, lo, hi, key, klen, type, setid);
}

/* Whether e's owner has this key. */
static int entry_owner_is(const struct store_entry *e, const uint8_t *key, size_t klen)
{
	return e->key_len == klen && memcmp(e->key, key, klen) == 0;
}

/* Index of the set, or SIZE_MAX. */
static size_t store_index(const struct mv_store *s, const uint8_t *owner, uint16_t type,
			  const char *setid)
{
	uint8_t key[STORE_KEY_MAX];
	size_t klen = key_make(owner, key);
	size_t i = store_lower(s, key, klen, type, setid);

	if (i < s->n && key_cmp(s->v[i]->key, s->v[i]->key_len, s->v[i]->rr.type,
				s->v[i]->rr.set_identifier, key, klen, type, setid) == 0)
		return i;
	return SIZE_MAX;
}

/* ---- entries ---- */

/* A copy of src in one allocation, with its sort key (klen octets); NULL if out of memory. */
static struct store_entry *entry_new(const struct mv_rrset *src, const uint8_t *key, size_t klen)
{
	size_t sid = src->set_identifier != NULL ? strlen(src->set_identifier) + 1 : 0;
	size_t hc = src->health_check_id != NULL ? strlen(src->health_check_id) + 1 : 0;
	size_t size = sizeof(struct store_entry) + src->count * (2 * sizeof(void *) + 2) + klen +
		      sid + hc;
	struct store_entry *e;
	char *p;

	for (size_t j = 0; j < src->count; j++)
		size += src->rdata_len[j] + strlen(src->values[j]) + 1;
	e = malloc(size);
	if (e == NULL)
		return NULL;
	e->rr = *src;
	p = (char *)(e + 1);
	e->rr.rdata = (uint8_t **)(void *)p;
	p += src->count * sizeof(void *);
	e->rr.values = (char **)(void *)p;
	p += src->count * sizeof(void *);
	e->rr.rdata_len = (uint16_t *)(void *)p;
	p += src->count * sizeof(uint16_t);
	memcpy(p, key, klen);
	e->key = (const uint8_t *)p;
	e->key_len = (uint16_t)klen;
	p += klen;
	if (sid > 0) {
		e->rr.set_identifier = memcpy(p, src->set_identifier, sid);
		p += sid;
	}
	if (hc > 0) {
		e->rr.health_check_id = memcpy(p, src->health_check_id, hc);
		p += hc;
	}
	for (size_t j = 0; j < src->count; j++) {
		size_t vl = strlen(src->values[j]) + 1;

		e->rr.rdata_len[j] = src->rdata_len[j];
		e->rr.rdata[j] = memcpy(p, src->rdata[j], src->rdata_len[j]);
		p += src->rdata_len[j];
		e->rr.values[j] = memcpy(p, src->values[j], vl);
		p += vl;
	}
	return e;
}

struct mv_store *mv_store_create(void)
{
	return calloc(1, sizeof(struct mv_store)); /* errno is ENOMEM on failure */
}

void mv_store_destroy(struct mv_store *store)
{
	if (store == NULL)
		return;
	for (size_t i = 0; i < store->n; i++)
		free(store->v[i]);
	free(store->v);
	free(store);
}

size_t mv_store_count(const struct mv_store *store)
{
	return store->n;
}

int mv_store_foreach_from(const struct mv_store *store, const uint8_t *owner, uint16_t type,
			  const char *set_identifier,
			  int (*fn)(const struct mv_rrset *rrset, void *arg), void *arg)
{
	uint8_t key[STORE_KEY_MAX];
	size_t i = 0;

	if (owner != NULL)
		i = store_lower(store, key, key_make(owner, key), type, set_identifier);
	for (; i < store->n; i++) {
		int r = fn(&store->v[i]->rr, arg);

		if (r != 0)
			return r;
	}
	return 0;
}

int mv_store_foreach_at(const struct mv_store *store, size_t *near, const uint8_t *owner,
			int (*fn)(const struct mv_rrset *rrset, void *arg), void *arg)
{
	uint8_t key[STORE_KEY_MAX];
	size_t klen = key_make(owner, key);
	size_t i = store_lower_near(store, *near, key, klen, 0, NULL);

	for (*near = i; i < store->n && entry_owner_is(store->v[i], key, klen); i++) {
		int r = fn(&store->v[i]->rr, arg);

		if (r != 0)
			return r;
	}
	return 0;
}

int mv_store_foreach(const struct mv_store *store,
		     int (*fn)(const struct mv_rrset *rrset, void *arg), void *arg)
{
	return mv_store_foreach_from(store, NULL, 0, NULL, fn, arg);
}

const struct mv_rrset *mv_store_find(const struct mv_store *store, const uint8_t *owner,
				     uint16_t type, const char *set_identifier)
{
	size_t i = store_index(store, owner, type, set_identifier);

	return i != SIZE_MAX ? &store->v[i]->rr : NULL;
}

/* ---- the working state: the store plus what the batch did so far ---- */

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

static struct ov_entry *ov_at(const struct apply_ctx *a, size_t i)
{
	return &a->chunk[i >> OV_CHUNK_SHIFT][i & (OV_CHUNK - 1)];
}

static uint32_t ov_hash(uint8_t kind, const uint8_t *owner, size_t len, uint16_t type,
			const char *setid)
{
	uint32_t h = 2166136261u ^ kind;

	for (size_t i = 0; i < len; i++)
		h = (h ^ owner[i]) * 16777619u;
	h = (h ^ (type >> 8)) * 16777619u;
	h = (h ^ (type & 0xff)) * 16777619u;
	for (; setid != NULL && *setid != '\0'; setid++)
		h = (h ^ (uint8_t)*setid) * 16777619u;
	return (h ^ (setid != NULL)) * 16777619u;
}

static int ov_grow(struct apply_ctx *a)
{
	size_t nslot = a->nslot != 0 ? 2 * a->nslot : 1024;
	uint32_t *slot = calloc(nslot, sizeof(*slot));

	if (slot == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < a->n; i++) {
		size_t s = ov_at(a, i)->hash & (nslot - 1);

		while (slot[s] != 0)
			s = (s + 1) & (nslot - 1);
		slot[s] = (uint32_t)(i + 1);
	}
	free(a->slot);
	a->slot = slot;
	a->nslot = nslot;
	return 0;
}

static struct ov_entry *ov_new(struct apply_ctx *a)
{
	if ((a->n & (OV_CHUNK - 1)) == 0 && (a->n >> OV_CHUNK_SHIFT) == a->nchunk) {
		struct ov_entry **c = realloc(a->chunk, (a->nchunk + 1) * sizeof(*c));

		if (c == NULL)
			return NULL;
		a->chunk = c;
		c[a->nchunk] = malloc(OV_CHUNK * sizeof(**c));
		if (c[a->nchunk] == NULL)
			return NULL;
		a->nchunk++;
	}
	return ov_at(a, a->n++);
}

static int name_eq(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	return alen == blen && memcmp(a, b, alen) == 0;
}

/* The store's sets at owner (remembered for the next question about it). */
static const struct owner_sets *owner_sets(struct apply_ctx *a, const uint8_t *owner, size_t len)
{
	const struct mv_store *s = a->store;
	struct owner_sets *o = &a->at;
	size_t i;

	if (o->owner != NULL && name_eq(o->owner, o->len, owner, len))
		return o;
	o->owner = owner;
	o->len = len;
	o->klen = key_make(owner, o->key);
	o->lo = i = store_lower_near(s, o->lo, o->key, o->klen, 0, NULL);
	while (i < s->n && entry_owner_is(s->v[i], o->key, o->klen))
		i++;
	o->hi = i;
	return o;
}

/* The store's index of a set, or SIZE_MAX. */
static size_t ws_base(struct apply_ctx *a, const uint8_t *owner, size_t len, uint16_t type,
		      const char *setid)
{
	const struct owner_sets *o = owner_sets(a, owner, len);
	size_t i = store_lower_in(a->store, o->lo, o->hi, o->key, o->klen, type, setid);
	const struct store_entry *e = i < o->hi ? a->store->v[i] : NULL;

	if (e != NULL && key_cmp(e->key, e->key_len, e->rr.type, e->rr.set_identifier, o->key,
				 o->klen, type, setid) == 0)
		return i;
	return SIZE_MAX;
}

/* The overlay entry for a key; with create, a new one (OV_SET seeded from the store). */
static struct ov_entry *ov_find(struct apply_ctx *a, uint8_t kind, const uint8_t *owner, size_t len,
				uint16_t type, const char *setid, int create)
{
	uint32_t h = ov_hash(kind, owner, len, type, setid);
	struct ov_entry *e;
	size_t s;

	if (a->nslot == 0 || 2 * (a->n + 1) > a->nslot) {
		if (!create && a->nslot == 0)
			return NULL;
		if (create && ov_grow(a) != 0)
			goto nomem;
	}
	for (s = h & (a->nslot - 1); a->slot[s] != 0; s = (s + 1) & (a->nslot - 1)) {
		e = ov_at(a, a->slot[s] - 1);
		if (e->hash == h && e->kind == kind && e->type == type && e->owner_len == len &&
		    memcmp(e->owner, owner, len) == 0 && (e->setid == NULL) == (setid == NULL) &&
		    (setid == NULL || strcmp(e->setid, setid) == 0))
			return e;
	}
	if (!create)
		return NULL;
	e = ov_new(a);
	if (e == NULL)
		goto nomem;
	memset(e, 0, sizeof(*e));
	e->owner = owner;
	e->owner_len = (uint8_t)len;
	e->setid = setid;
	e->type = type;
	e->kind = kind;
	e->hash = h;
	e->base_idx = SIZE_MAX;
	if (kind == OV_SET) {
		e->base_idx = ws_base(a, owner, len, type, setid);
		if (e->base_idx != SIZE_MAX)
			e->base = &a->store->v[e->base_idx]->rr;
		e->rr = e->base;
		/* ws_base has just made the owner's key (owner_sets): keep a copy. */
		e->key = memcpy(a->keys + a->keys_len, a->at.key, a->at.klen);
		e->key_len = (uint16_t)a->at.klen;
		a->keys_len += a->at.klen;
	}
	a->slot[s] = (uint32_t)a->n;
	return e;
nomem:
	a->nomem = 1;
	return NULL;
}

/* Whether the working state holds the set. */
static int ws_exists(struct apply_ctx *a, const uint8_t *owner, size_t len, uint16_t type,
		     const char *setid)
{
	const struct ov_entry *e = NULL;

	if (type != DNS_TYPE_CNAME || a->has_cname)
		e = ov_find(a, OV_SET, owner, len, type, setid, 0);
	if (e != NULL)
		return e->rr != NULL;
	return ws_base(a, owner, len, type, setid) != SIZE_MAX;
}

/* Sets at owner in the working state: non-CNAME ones, or with type, multivalue ones. */
static long ws_count(struct apply_ctx *a, const uint8_t *owner, size_t len, int type)
{
	const struct owner_sets *o = owner_sets(a, owner, len);
	uint16_t t = type >= 0 ? (uint16_t)type : 0;
	const struct ov_entry *d = NULL;
	long n = 0;

	for (size_t i = store_lower_in(a->store, o->lo, o->hi, o->key, o->klen, t, NULL); i < o->hi;
	     i++) {
		const struct mv_rrset *rr = &a->store->v[i]->rr;

		if (type >= 0 && rr->type != t)
			break;
		n += type >= 0 ? rr->set_identifier != NULL : rr->type != DNS_TYPE_CNAME;
	}
	if (type >= 0 ? a->has_mv : a->has_cname)
		d = ov_find(a, type >= 0 ? OV_NAMETYPE : OV_NAME, owner, len, t, NULL, 0);
	return n + (d != NULL ? d->delta : 0);
}

/* Put rr (or nothing) in the working state for e's key, keeping the counters. */
static void ws_set(struct apply_ctx *a, struct ov_entry *e, const struct mv_rrset *rr)
{
	int delta = (rr != NULL) - (e->rr != NULL);
	struct ov_entry *d;

	e->rr = rr;
	if (delta == 0)
		return;
	if (e->type != DNS_TYPE_CNAME && a->has_cname) {
		d = ov_find(a, OV_NAME, e->owner, e->owner_len, 0, NULL, 1);
		if (d != NULL)
			d->delta += delta;
	}
	if (e->setid != NULL) {
		d = ov_find(a, OV_NAMETYPE, e->owner, e->owner_len, e->type, NULL, 1);
		if (d != NULL)
			d->delta += delta;
	}
}

/* Whether a is a zone apex: an SOA in the store, or one the batch creates. */
static int is_zone(struct apply_ctx *a, const uint8_t *name, size_t len)
{
	return (a->has_soa && ov_find(a, OV_ZONE, name, len, DNS_TYPE_SOA, NULL, 0) != NULL) ||
	       store_index(a->store, name, DNS_TYPE_SOA, NULL) != SIZE_MAX;
}

/* ---- the rules ---- */

/*
 * A change's owner name as messages print it, formatted only when one needs
 * it: formatting names and descriptions for every change cost a fifth of
 * applying a batch that has no problem.
 */
struct change_name {
	const struct mv_rrset *rr;
	char text[STORE_TEXT_MAX];
	char key[STORE_TEXT_MAX + 200]; /* describe() */
};

static const char *name_text(struct change_name *name)
{
	if (name->text[0] == '\0')
		dns_name_to_text(name->rr->owner, name->text, sizeof(name->text));
	return name->text;
}

/* The zone's name as messages print it, in buf. */
static const char *store_name_text(const uint8_t *zone, char buf[STORE_TEXT_MAX])
{
	dns_name_to_text(zone, buf, STORE_TEXT_MAX);
	return buf;
}

/*
 * The zone that owns rr's name (the apex given, or the longest apex holding an
 * SOA), or NULL after reporting why the name is not permitted.
 */
static const uint8_t *zone_of(struct apply_ctx *a, const struct mv_rrset *rr,
			      struct change_name *name, size_t *zone_len)
{
	const uint8_t *p = rr->owner;
	size_t len = rr->owner_len;

	if (a->apex != NULL) {
		if (!dns_name_is_below(rr->owner, rr->owner_len, a->apex, a->apex_len)) {
			mv_error_add(a->err, "RRSet with DNS name %s is not permitted in zone %s",
				     name_text(name), a->apex_text);
			return NULL;
		}
		if (rr->type == DNS_TYPE_SOA && len != a->apex_len) {
			mv_error_add(
				a->err,
				"RRSet of type SOA with DNS name %s is not permitted in zone %s",
				name_text(name), a->apex_text);
			return NULL;
		}
		/* A name inside a zone nested below the apex belongs to that zone. */
		for (; a->nested && len > a->apex_len; len -= 1u + *p, p += 1u + *p) {
			if (is_zone(a, p, len)) {
				mv_error_add(a->err,
					     "RRSet with DNS name %s is not permitted in zone %s",
					     name_text(name), a->apex_text);
				return NULL;
			}
		}
		*zone_len = a->apex_len;
		return a->apex;
	}
	for (;; len -= 1u + *p, p += 1u + *p) {
		if (is_zone(a, p, len)) {
			*zone_len = len;
			return p;
		}
		if (*p == 0)
			break;
	}
	mv_error_add(a->err,
		     "RRSet of type %s with DNS name %s is not permitted because no hosted zone "
		     "with an SOA record contains it",
		     dns_type_to_text(rr->type), name_text(name));
	return NULL;
}

/* Whether rr may join the working state next to what is there. */
static int may_add(struct apply_ctx *a, const struct mv_rrset *rr, struct change_name *name,
		   const uint8_t *zone, size_t zone_len)
{
	const char *type = dns_type_to_text(rr->type);
	char zone_text[STORE_TEXT_MAX];
	int ok = 1;

	if (rr->type == DNS_TYPE_CNAME) {
		if (name_eq(rr->owner, rr->owner_len, zone, zone_len)) {
			mv_error_add(
				a->err,
				"RRSet of type CNAME with DNS name %s is not permitted at apex in "
				"zone %s",
				name_text(name), store_name_text(zone, zone_text));
			return 0;
		}
		if (ws_count(a, rr->owner, rr->owner_len, -1) > 0) {
			mv_error_add(
				a->err,
				"RRSet of type CNAME with DNS name %s is not permitted as it "
				"conflicts with other records with the same DNS name in zone %s",
				name_text(name), store_name_text(zone, zone_text));
			ok = 0;
		}
	} else if (ws_exists(a, rr->owner, rr->owner_len, DNS_TYPE_CNAME, NULL)) {
		mv_error_add(
			a->err,
			"RRSet of type %s with DNS name %s is not permitted because a "
			"conflicting RRSet of type CNAME with the same DNS name already exists "
			"in zone %s",
			type, name_text(name), store_name_text(zone, zone_text));
		ok = 0;
	}
	if (rr->set_identifier != NULL) {
		if (ws_exists(a, rr->owner, rr->owner_len, rr->type, NULL)) {
			mv_error_add(
				a->err,
				"RRSet with DNS name %s, type %s, SetIdentifier %s cannot be "
				"created because a non multivalue answer rrset exists with the "
				"same name and type.",
				name_text(name), type, rr->set_identifier);
			ok = 0;
		}
	} else if (ws_count(a, rr->owner, rr->owner_len, rr->type) > 0) {
		mv_error_add(a->err,
			     "RRSet with DNS name %s, type %s cannot be created as other RRSets "
			     "exist with the same name and type.",
			     name_text(name), type);
		ok = 0;
	}
	return ok;
}

/* DELETE must name the set exactly: TTL, health check and every value. */
static int rrset_match(const struct mv_rrset *cur, const struct mv_rrset *req)
{
	if (cur->ttl != req->ttl || cur->count != req->count ||
	    cur->multivalue != req->multivalue ||
	    (cur->health_check_id == NULL) != (req->health_check_id == NULL) ||
	    (cur->health_check_id != NULL &&
	     strcmp(cur->health_check_id, req->health_check_id) != 0))
		return 0;
	/* Values within a set are distinct, so equal counts and inclusion mean equal sets. */
	for (size_t j = 0; j < req->count; j++) {
		size_t k = 0;

		while (k < cur->count &&
		       (cur->rdata_len[k] != req->rdata_len[j] ||
			memcmp(cur->rdata[k], req->rdata[j], req->rdata_len[j]) != 0))
			k++;
		if (k == cur->count)
			return 0;
	}
	return 1;
}

/* "[name='www.example.com.', type='A'(, set-identifier='x')]", in name->key. */
static const char *describe(struct change_name *name)
{
	const struct mv_rrset *rr = name->rr;

	if (rr->set_identifier != NULL)
		snprintf(name->key, sizeof(name->key),
			 "[name='%s', type='%s', set-identifier='%s']", name_text(name),
			 dns_type_to_text(rr->type), rr->set_identifier);
	else
		snprintf(name->key, sizeof(name->key), "[name='%s', type='%s']", name_text(name),
			 dns_type_to_text(rr->type));
	return name->key;
}

static void check_change(struct apply_ctx *a, const struct mv_change *ch)
{
	const struct mv_rrset *rr = &ch->rrset;
	struct change_name name; /* not zeroed: 9 kB, for most changes never used */
	const uint8_t *zone;
	struct ov_entry *e;
	size_t zone_len;

	name.rr = rr;
	name.text[0] = '\0';
	zone = zone_of(a, rr, &name, &zone_len);
	if (zone == NULL)
		return;
	e = ov_find(a, OV_SET, rr->owner, rr->owner_len, rr->type, rr->set_identifier, 1);
	if (e == NULL)
		return;
	if (e->changes > 0 &&
	    !(e->changes == 1 && e->first == MV_ACTION_DELETE && ch->action == MV_ACTION_CREATE)) {
		mv_error_add(a->err,
			     "The request contains an invalid set of changes for a resource record "
			     "set '%s %s'",
			     dns_type_to_text(rr->type), name_text(&name));
		return;
	}
	if (e->changes++ == 0)
		e->first = (uint8_t)ch->action;
	switch (ch->action) {
	case MV_ACTION_CREATE:
		if (e->rr != NULL)
			mv_error_add(a->err,
				     "Tried to create resource record set %s but it already exists",
				     describe(&name));
		else if (may_add(a, rr, &name, zone, zone_len))
			ws_set(a, e, rr);
		break;
	case MV_ACTION_DELETE:
		if (e->rr == NULL)
			mv_error_add(a->err,
				     "Tried to delete resource record set %s but it was not found",
				     describe(&name));
		else if (!rrset_match(e->rr, rr))
			mv_error_add(
				a->err,
				"Tried to delete resource record set %s but the values provided do "
				"not match the current values",
				describe(&name));
		else
			ws_set(a, e, NULL);
		break;
	case MV_ACTION_UPSERT:
		if (e->rr != NULL || may_add(a, rr, &name, zone, zone_len))
			ws_set(a, e, rr);
		break;
	}
}

/* After the batch, every zone it touched keeps its apex SOA and NS. */
static void check_apex(struct apply_ctx *a, const struct mv_change *ch)
{
	const struct mv_rrset *rr = &ch->rrset;
	struct ov_entry *e;

	if (ch->action != MV_ACTION_DELETE || rr->set_identifier != NULL ||
	    (rr->type != DNS_TYPE_SOA && rr->type != DNS_TYPE_NS))
		return;
	e = ov_find(a, OV_SET, rr->owner, rr->owner_len, rr->type, NULL, 0);
	if (e == NULL || e->reported || e->base == NULL || e->rr != NULL ||
	    store_index(a->store, rr->owner, DNS_TYPE_SOA, NULL) == SIZE_MAX)
		return;
	e->reported = 1;
	if (rr->type == DNS_TYPE_SOA)
		mv_error_add(a->err, "A HostedZone must contain exactly one SOA record.");
	else
		mv_error_add(
			a->err,
			"A HostedZone must contain at least one NS record for the zone itself.");
}

/* ---- applying ---- */

/* A set the batch adds (no set of its key was there), and where it goes. */
struct commit_add {
	struct store_entry *e;
	size_t at;
};

/* A set the batch puts in place of the one at index at (same key), or NULL to remove it. */
struct commit_put {
	struct store_entry *e;
	size_t at;
};

static int add_cmp(const void *a, const void *b)
{
	return entry_cmp(&((const struct commit_add *)a)->e, &((const struct commit_add *)b)->e);
}

static int put_cmp(const void *a, const void *b)
{
	size_t x = ((const struct commit_put *)a)->at, y = ((const struct commit_put *)b)->at;

	return x < y ? -1 : x > y;
}

/* Room in the array for need entries, growing it by half again; -ENOMEM if it cannot. */
static int store_reserve(struct mv_store *s, size_t need)
{
	size_t cap = need + need / 2;
	struct store_entry **v;

	if (s->cap >= need)
		return 0;
	v = realloc(s->v, cap * sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	s->v = v;
	s->cap = cap;
	return 0;
}

/* Remove the sets at the nput indexes (sorted) whose put->e is NULL, moving the rest down. */
static void store_squeeze(struct mv_store *s, const struct commit_put *put, size_t nput)
{
	size_t w = SIZE_MAX;

	for (size_t k = 0; k < nput; k++) {
		size_t i = put[k].at, next = k + 1 < nput ? put[k + 1].at : s->n;

		if (put[k].e != NULL && w == SIZE_MAX)
			continue; /* nothing removed yet: nothing to move */
		if (w == SIZE_MAX)
			w = i;
		if (put[k].e != NULL)
			s->v[w++] = s->v[i];
		memmove(s->v + w, s->v + i + 1, (next - i - 1) * sizeof(*s->v));
		w += next - i - 1;
	}
	if (w != SIZE_MAX)
		s->n = w;
}

/*
 * Apply the working state to the store, in place: a set replaced (same key)
 * is swapped in where it was, removed ones are squeezed out, new ones slid
 * in from the end. Only what lies after the first removal and after the
 * first new set moves: nothing when a batch only replaces sets (UPSERTs),
 * little when its new names lie near each other. (Merging into a second
 * array moved all n every time: at 100,000 sets, 800 kB a batch.)
 * Everything that can fail comes first, so that a failure leaves the store
 * as it was.
 */
static int store_commit(struct mv_store *s, struct apply_ctx *a)
{
	struct commit_add *add = malloc((a->n + 1) * sizeof(*add));
	struct commit_put *put = malloc((a->n + 1) * sizeof(*put));
	size_t nadd = 0, nput = 0;
	int rc = -ENOMEM;

	if (add == NULL || put == NULL)
		goto finish;
	for (size_t k = 0; k < a->n; k++) {
		const struct ov_entry *o = ov_at(a, k);
		struct store_entry *e = NULL;

		if (o->kind != OV_SET || o->rr == o->base)
			continue;
		if (o->rr != NULL && (e = entry_new(o->rr, o->key, o->key_len)) == NULL)
			goto finish;
		if (o->base != NULL)
			put[nput++] = (struct commit_put){e, o->base_idx};
		else
			add[nadd++] = (struct commit_add){e, 0};
	}
	if (store_reserve(s, s->n + nadd) != 0)
		goto finish;
	qsort(add, nadd, sizeof(*add), add_cmp);
	qsort(put, nput, sizeof(*put), put_cmp);
	for (size_t k = 0; k < nput; k++) {
		struct store_entry *old = s->v[put[k].at];

		s->soas -= old->rr.type == DNS_TYPE_SOA;
		s->soas += put[k].e != NULL && put[k].e->rr.type == DNS_TYPE_SOA;
		free(old);
		s->v[put[k].at] = put[k].e;
	}
	store_squeeze(s, put, nput);
	/* add is sorted: each place is at or after the last. */
	for (size_t j = 0; j < nadd; j++)
		add[j].at = store_lower_near(s, j > 0 ? add[j - 1].at : 0, add[j].e->key,
					     add[j].e->key_len, add[j].e->rr.type,
					     add[j].e->rr.set_identifier);
	for (size_t j = nadd, end = s->n; j-- > 0; end = add[j].at) {
		memmove(s->v + add[j].at + j + 1, s->v + add[j].at,
			(end - add[j].at) * sizeof(*s->v));
		s->v[add[j].at + j] = add[j].e;
		s->soas += add[j].e->rr.type == DNS_TYPE_SOA;
	}
	s->n += nadd;
	nadd = nput = 0; /* now the store's */
	rc = 0;
finish:
	for (size_t k = 0; k < nadd; k++)
		free(add[k].e);
	for (size_t k = 0; k < nput; k++)
		free(put[k].e);
	free(add);
	free(put);
	return rc;
}

int mv_store_apply(struct mv_store *store, const uint8_t *apex, const struct mv_batch *batch,
		   struct mv_error *err)
{
	struct apply_ctx *a = calloc(1, sizeof(*a));
	uint8_t apex_lower[MVDNS_NAME_MAX];
	int rc = -ENOMEM;

	mv_error_init(err, "InvalidChangeBatch");
	if (a == NULL)
		goto finish;
	a->store = store;
	a->err = err;
	if (apex != NULL) {
		a->apex_len = dns_name_len(apex);
		memcpy(apex_lower, apex, a->apex_len);
		dns_name_lower(apex_lower, a->apex_len);
		a->apex = apex_lower;
		dns_name_to_text(a->apex, a->apex_text, sizeof(a->apex_text));
		/* The batch cannot add an SOA below the apex (zone_of refuses it). */
		a->nested =
			store->soas > (store_index(store, a->apex, DNS_TYPE_SOA, NULL) != SIZE_MAX);
	}
	/* The zones after the batch: every SOA it creates (apex SOAs are never removed). */
	for (size_t i = 0; i < batch->count; i++) {
		const struct mv_change *ch = &batch->changes[i];
		const struct mv_rrset *rr = &ch->rrset;

		a->keys_len += 2u * rr->owner_len; /* room, counted here, filled from 0 */
		a->has_cname |= rr->type == DNS_TYPE_CNAME;
		a->has_mv |= rr->set_identifier != NULL;
		if (rr->type == DNS_TYPE_SOA && ch->action != MV_ACTION_DELETE &&
		    (a->apex == NULL || name_eq(rr->owner, rr->owner_len, a->apex, a->apex_len)))
			a->has_soa |= ov_find(a, OV_ZONE, rr->owner, rr->owner_len, DNS_TYPE_SOA,
					      NULL, 1) != NULL;
	}
	a->keys = malloc(a->keys_len + 1);
	a->keys_len = 0;
	a->nomem |= a->keys == NULL;
	for (size_t i = 0; i < batch->count && !a->nomem; i++)
		check_change(a, &batch->changes[i]);
	for (size_t i = 0; i < batch->count && !a->nomem; i++)
		check_apex(a, &batch->changes[i]);
	if (a->nomem)
		goto finish;
	rc = -EINVAL;
	if (err->count == 0)
		rc = store_commit(store, a);
finish:
	if (rc == -ENOMEM) {
		mv_error_init(err, "InternalError");
		mv_error_add(err, "Out of memory while applying the change batch");
	}
	if (a != NULL) {
		for (size_t i = 0; i < a->nchunk; i++)
			free(a->chunk[i]);
		free(a->chunk);
		free(a->keys);
		free(a->slot);
		free(a);
	}
	return rc;
}
