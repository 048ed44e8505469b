/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The desired state: record sets kept in one array sorted in DNS canonical
 * order (store_order.c), each set one allocation; the read API over it, and
 * applying a batch. A batch is first checked change by change against a
 * working state (store_check.c); the store itself is not written until every
 * change has passed, so a refused batch leaves it as it was. Applying moves
 * the batch's sorted sets into the array: O(n + m log m).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "name.h"
#include "store_pvt.h"
#include "text.h"
#include "wire.h"

/* ---- entries ---- */

/* A copy of src in one allocation, with its sort key (klen octets); NULL if out of memory. */
static struct store_entry *entry_new(const struct mv_rrset *src, const uint8_t *key, size_t klen)
{
	size_t sid = src->set_identifier != NULL ? strlen(src->set_identifier) + 1 : 0;
	size_t hc = src->health_check_id != NULL ? strlen(src->health_check_id) + 1 : 0;
	size_t size = sizeof(struct store_entry) + src->count * (2 * sizeof(void *) + 2) + klen +
		      src->owner_len + sid + hc;
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
	e->rr.owner = memcpy(p, src->owner, src->owner_len);
	p += src->owner_len;
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
		i = store_lower(store, key, store_key_make(owner, key), type, set_identifier);
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
	size_t klen = store_key_make(owner, key);
	size_t i = store_lower_near(store, *near, key, klen, 0, NULL);

	for (*near = i; i < store->n && entry_owner_is(store->v[i], key, klen); i++) {
		int r = fn(&store->v[i]->rr, arg);

		if (r != 0)
			return r;
	}
	return 0;
}

int mv_store_name_cmp(const uint8_t *a, const uint8_t *b)
{
	uint8_t ka[STORE_KEY_MAX], kb[STORE_KEY_MAX];
	size_t la = store_key_make(a, ka), lb = store_key_make(b, kb);

	return store_key_cmp(ka, la, 0, NULL, kb, lb, 0, NULL);
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
	return store_entry_cmp(&((const struct commit_add *)a)->e,
			       &((const struct commit_add *)b)->e);
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
			a->has_soa |= store_ov_find(a, OV_ZONE, rr->owner, rr->owner_len,
						    DNS_TYPE_SOA, NULL, 1) != NULL;
	}
	a->keys = malloc(a->keys_len + 1);
	a->keys_len = 0;
	a->nomem |= a->keys == NULL;
	for (size_t i = 0; i < batch->count && !a->nomem; i++)
		store_check_change(a, &batch->changes[i]);
	for (size_t i = 0; i < batch->count && !a->nomem; i++)
		store_check_apex(a, &batch->changes[i]);
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
