/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A batch checked against the store, change by change, with Route 53's
 * rules. Each change is checked against the working state: the store seen
 * through an overlay (a hash table of the sets the batch touched, and
 * per-name counters) that holds what the earlier changes did. The store
 * itself is not written here; store.c applies the working state only once
 * every change has passed, so a refused batch leaves it as it was. Apart
 * from store.c because the rules and their messages are what a reader of
 * Route 53's behaviour looks for, and the overlay exists only for them.
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
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "name.h"
#include "store_pvt.h"
#include "text.h"
#include "wire.h"

/* ---- the working state: the store plus what the batch did so far ---- */

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
	o->klen = store_key_make(owner, o->key);
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

	if (e != NULL && store_key_cmp(e->key, e->key_len, e->rr.type, e->rr.set_identifier, o->key,
				       o->klen, type, setid) == 0)
		return i;
	return SIZE_MAX;
}

struct ov_entry *store_ov_find(struct apply_ctx *a, uint8_t kind, const uint8_t *owner, size_t len,
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
		e = store_ov_find(a, OV_SET, owner, len, type, setid, 0);
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
		d = store_ov_find(a, type >= 0 ? OV_NAMETYPE : OV_NAME, owner, len, t, NULL, 0);
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
		d = store_ov_find(a, OV_NAME, e->owner, e->owner_len, 0, NULL, 1);
		if (d != NULL)
			d->delta += delta;
	}
	if (e->setid != NULL) {
		d = store_ov_find(a, OV_NAMETYPE, e->owner, e->owner_len, e->type, NULL, 1);
		if (d != NULL)
			d->delta += delta;
	}
}

/* Whether a is a zone apex: an SOA in the store, or one the batch creates. */
static int is_zone(struct apply_ctx *a, const uint8_t *name, size_t len)
{
	return (a->has_soa &&
		store_ov_find(a, OV_ZONE, name, len, DNS_TYPE_SOA, NULL, 0) != NULL) ||
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

void store_check_change(struct apply_ctx *a, const struct mv_change *ch)
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
	e = store_ov_find(a, OV_SET, rr->owner, rr->owner_len, rr->type, rr->set_identifier, 1);
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

void store_check_apex(struct apply_ctx *a, const struct mv_change *ch)
{
	const struct mv_rrset *rr = &ch->rrset;
	struct ov_entry *e;

	if (ch->action != MV_ACTION_DELETE || rr->set_identifier != NULL ||
	    (rr->type != DNS_TYPE_SOA && rr->type != DNS_TYPE_NS))
		return;
	e = store_ov_find(a, OV_SET, rr->owner, rr->owner_len, rr->type, NULL, 0);
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
