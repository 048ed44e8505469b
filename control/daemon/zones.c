/* SPDX-License-Identifier: BSD-3-Clause */
#include "zones.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "name.h"
#include "text.h"
#include "wire.h"

#define SOA_TTL 900
#define NS_TTL  172800

struct zones {
	struct zones_zone **v; /* creation order */
	size_t n, cap;
	struct zones_change *ch; /* circular: ch[(start + i) % ZONES_CHANGES_MAX] */
	size_t nch, chcap, chstart;
	uint64_t seq;
	uint64_t created; /* zones ever added: the next one's order */
	struct checks *checks;
};

struct zones *zones_create(void)
{
	struct zones *z = calloc(1, sizeof(struct zones));

	if (z != NULL && (z->checks = checks_create()) == NULL) {
		free(z);
		return NULL;
	}
	return z;
}

struct checks *zones_checks(const struct zones *z)
{
	return z->checks;
}

struct uses_ctx {
	const char *id;
	const struct mv_rrset *found;
};

static int uses_one(const struct mv_rrset *rr, void *arg)
{
	struct uses_ctx *u = arg;

	if (rr->health_check_id == NULL || strcmp(rr->health_check_id, u->id) != 0)
		return 0;
	u->found = rr;
	return 1;
}

bool zones_uses_check(const struct zones *z, const char *id, const struct mv_rrset **rrset)
{
	struct uses_ctx u = {id, NULL};

	for (size_t i = 0; i < z->n && u.found == NULL; i++)
		mv_store_foreach(z->v[i]->store, uses_one, &u);
	if (rrset != NULL)
		*rrset = u.found;
	return u.found != NULL;
}

static void zone_free(struct zones_zone *zone)
{
	if (zone == NULL)
		return;
	mv_store_destroy(zone->store);
	free(zone->caller_reference);
	free(zone->comment);
	for (size_t i = 0; i < zone->name_server_count; i++)
		free(zone->name_servers[i]);
	free(zone->name_servers);
	free(zone);
}

void zones_destroy(struct zones *z)
{
	if (z == NULL)
		return;
	for (size_t i = 0; i < z->n; i++)
		zone_free(z->v[i]);
	free(z->v);
	for (size_t i = 0; i < z->nch; i++)
		free(zones_change_at(z, i)->comment);
	free(z->ch);
	checks_destroy(z->checks);
	free(z);
}

size_t zones_count(const struct zones *z)
{
	return z->n;
}

struct zones_zone *zones_at(const struct zones *z, size_t i)
{
	return z->v[i];
}

struct zones_zone *zones_find(const struct zones *z, const char *id, struct mv_error *err)
{
	for (size_t i = 0; i < z->n; i++)
		if (strcmp(z->v[i]->id, id) == 0)
			return z->v[i];
	if (err != NULL) {
		mv_error_init(err, "NoSuchHostedZone");
		mv_error_add(err, "No hosted zone found with ID: %s", id);
	}
	return NULL;
}

struct zones_zone *zones_owner(const struct zones *z, const uint8_t *name)
{
	size_t len = dns_name_len(name);

	for (size_t i = 0; i < z->n; i++)
		if (dns_name_is_below(name, len, z->v[i]->apex, z->v[i]->apex_len))
			return z->v[i];
	return NULL;
}

int zones_foreach_at(const struct zones *z, const uint8_t *owner, size_t *near,
		     int (*fn)(const struct mv_rrset *rrset, void *arg), void *arg)
{
	struct zones_zone *zone = zones_owner(z, owner);

	return zone != NULL ? mv_store_foreach_at(zone->store, near, owner, fn, arg) : 0;
}

/* ---- CreateHostedZone ---- */

/* The SOA and NS record sets Route 53 creates with a zone, as a change batch. */
static json_t *apex_batch(const struct zones_zone *zone)
{
	json_t *doc, *ns = json_array();
	char soa[ZONES_NAME_SIZE * 2 + 64];

	snprintf(soa, sizeof(soa), "%s hostmaster.%s 1 7200 900 1209600 86400",
		 zone->name_servers[0], zone->name);
	for (size_t i = 0; ns != NULL && i < zone->name_server_count; i++)
		json_array_append_new(ns, json_pack("{s:s}", "Value", zone->name_servers[i]));
	doc = json_pack("{s:[{s:s,s:{s:s,s:s,s:i,s:[{s:s}]}},{s:s,s:{s:s,s:s,s:i,s:o}}]}",
			"Changes", "Action", "CREATE", "ResourceRecordSet", "Name", zone->name,
			"Type", "SOA", "TTL", SOA_TTL, "ResourceRecords", "Value", soa, "Action",
			"CREATE", "ResourceRecordSet", "Name", zone->name, "Type", "NS", "TTL",
			NS_TTL, "ResourceRecords", ns);
	return doc;
}

static int zone_fill_apex(struct zones_zone *zone, struct mv_error *err)
{
	json_t *doc = apex_batch(zone);
	struct mv_batch batch = {0};
	int rc = -ENOMEM;

	if (doc == NULL)
		return -ENOMEM;
	rc = mv_batch_parse_doc(doc, MV_BATCH_NO_LIMITS, &batch, err);
	json_decref(doc);
	if (rc == 0)
		rc = mv_store_apply(zone->store, zone->apex, &batch, err);
	mv_batch_free(&batch);
	return rc;
}

/* Normalise a name to presentation form with the trailing dot. */
static int name_normalise(const char *in, uint8_t *wire, char *out, char *msg, size_t msglen)
{
	int len = dns_name_from_text(in, wire, msg, msglen);

	if (len < 0)
		return len;
	return dns_name_to_text(wire, out, ZONES_NAME_SIZE) < 0 ? -EINVAL : len;
}

static int zone_check(const struct zones *z, const struct zones_new *nz, struct zones_zone *zone,
		      struct mv_error *err)
{
	char msg[MV_ERROR_MESSAGE_MAX];
	int len = name_normalise(nz->name, zone->apex, zone->name, msg, sizeof(msg));

	if (len < 0 || len == 1) {
		mv_error_init(err, "InvalidDomainName");
		mv_error_add(err, "%s", len == 1 ? "The root domain cannot be a hosted zone" : msg);
		return -EINVAL;
	}
	zone->apex_len = (uint8_t)len;
	if (strlen(nz->caller_reference) == 0 || strlen(nz->caller_reference) > ZONES_CALLER_MAX) {
		mv_error_init(err, "InvalidInput");
		mv_error_add(err,
			     "1 validation error detected: Value '%s' at 'callerReference' failed "
			     "to satisfy constraint: Member must have length between 1 and %d",
			     nz->caller_reference, ZONES_CALLER_MAX);
		return -EINVAL;
	}
	for (size_t i = 0; i < z->n; i++) {
		const struct zones_zone *o = z->v[i];

		if (strcmp(o->caller_reference, nz->caller_reference) == 0) {
			mv_error_init(err, "HostedZoneAlreadyExists");
			mv_error_add(err, "A hosted zone has already been created with the "
					  "specified caller reference.");
			return -EINVAL;
		}
		if (dns_name_is_below(zone->apex, zone->apex_len, o->apex, o->apex_len) ||
		    dns_name_is_below(o->apex, o->apex_len, zone->apex, zone->apex_len)) {
			mv_error_init(err, "ConflictingDomainExists");
			mv_error_add(err,
				     "Cannot create hosted zone with name %s as it conflicts with "
				     "hosted zone %s (%s), which shares its name servers",
				     zone->name, o->name, o->id);
			return -EINVAL;
		}
	}
	if (zones_find(z, nz->id, NULL) != NULL) {
		mv_error_init(err, "InvalidInput");
		mv_error_add(err, "Hosted zone id %s is taken", nz->id);
		return -EEXIST;
	}
	return 0;
}

static int zone_name_servers(struct zones_zone *zone, const struct zones_new *nz,
			     struct mv_error *err)
{
	size_t n = nz->name_server_count > 0 ? nz->name_server_count : 1;

	zone->name_servers = calloc(n, sizeof(char *));
	if (zone->name_servers == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		char given[ZONES_NAME_SIZE + 8], text[ZONES_NAME_SIZE], msg[MV_ERROR_MESSAGE_MAX];
		uint8_t wire[MVDNS_NAME_MAX];

		if (nz->name_server_count > 0)
			snprintf(given, sizeof(given), "%s", nz->name_servers[i]);
		else
			snprintf(given, sizeof(given), "ns1.%s", zone->name);
		if (name_normalise(given, wire, text, msg, sizeof(msg)) < 0) {
			mv_error_init(err, "InvalidInput");
			mv_error_add(err, "Invalid name server %s: %s", given, msg);
			return -EINVAL;
		}
		zone->name_servers[i] = strdup(text);
		if (zone->name_servers[i] == NULL)
			return -ENOMEM;
		zone->name_server_count = i + 1;
	}
	return 0;
}

int zones_add(struct zones *z, const struct zones_new *nz, struct zones_zone **out,
	      struct mv_error *err)
{
	struct zones_zone *zone = calloc(1, sizeof(*zone));
	int rc = -ENOMEM;

	if (zone == NULL)
		goto fail;
	if (strlen(nz->id) >= sizeof(zone->id)) {
		mv_error_init(err, "InvalidInput");
		mv_error_add(err, "Hosted zone id %s is too long", nz->id);
		rc = -EINVAL;
		goto fail;
	}
	strcpy(zone->id, nz->id);
	rc = zone_check(z, nz, zone, err);
	if (rc != 0)
		goto fail;
	rc = zone_name_servers(zone, nz, err);
	if (rc != 0)
		goto fail;
	rc = -ENOMEM;
	zone->caller_reference = strdup(nz->caller_reference);
	zone->comment = nz->comment != NULL ? strdup(nz->comment) : NULL;
	zone->store = mv_store_create();
	if (zone->caller_reference == NULL || (nz->comment != NULL && zone->comment == NULL) ||
	    zone->store == NULL)
		goto fail;
	rc = zone_fill_apex(zone, err);
	if (rc != 0)
		goto fail;
	if (z->n == z->cap) {
		size_t cap = z->cap != 0 ? 2 * z->cap : 16;
		struct zones_zone **v = realloc(z->v, cap * sizeof(*v));

		rc = -ENOMEM;
		if (v == NULL)
			goto fail;
		z->v = v;
		z->cap = cap;
	}
	zone->order = z->created++;
	z->v[z->n++] = zone;
	*out = zone;
	return 0;
fail:
	if (rc == -ENOMEM) {
		mv_error_init(err, "InternalError");
		mv_error_add(err, "Out of memory");
	}
	zone_free(zone);
	return rc;
}

/* ---- DeleteHostedZone ---- */

static int only_apex(const struct mv_rrset *rr, void *arg)
{
	const struct zones_zone *zone = arg;

	return !(rr->owner_len == zone->apex_len &&
		 memcmp(rr->owner, zone->apex, zone->apex_len) == 0 && rr->set_identifier == NULL &&
		 (rr->type == DNS_TYPE_SOA || rr->type == DNS_TYPE_NS));
}

int zones_remove(struct zones *z, const char *id, uint8_t *apex, struct mv_error *err)
{
	struct zones_zone *zone = zones_find(z, id, err);
	size_t i = 0;

	if (zone == NULL)
		return -ENOENT;
	if (mv_store_foreach(zone->store, only_apex, zone) != 0) {
		mv_error_init(err, "HostedZoneNotEmpty");
		mv_error_add(err, "The specified hosted zone contains non-required resource record "
				  "sets and so cannot be deleted.");
		return -ENOTEMPTY;
	}
	memcpy(apex, zone->apex, zone->apex_len);
	while (z->v[i] != zone)
		i++;
	memmove(&z->v[i], &z->v[i + 1], (z->n - i - 1) * sizeof(*z->v));
	z->n--;
	zone_free(zone);
	return 0;
}

/* ---- changes ---- */

int zones_change_add(struct zones *z, const char *id, const char *submitted_at, const char *comment,
		     uint64_t seq, bool insync)
{
	struct zones_change *c;
	char *dup = NULL;

	if (comment != NULL && (dup = strdup(comment)) == NULL)
		return -ENOMEM;
	if (z->nch == z->chcap && z->chcap < ZONES_CHANGES_MAX) {
		size_t cap = z->chcap != 0 ? 2 * z->chcap : 64;
		struct zones_change *v;

		if (cap > ZONES_CHANGES_MAX)
			cap = ZONES_CHANGES_MAX;
		v = realloc(z->ch, cap * sizeof(*v));
		if (v == NULL) {
			free(dup);
			return -ENOMEM;
		}
		z->ch = v;
		z->chcap = cap; /* chstart stays 0 until the array is full */
	}
	if (z->nch == ZONES_CHANGES_MAX) {
		c = &z->ch[z->chstart];
		free(c->comment);
		z->chstart = (z->chstart + 1) % ZONES_CHANGES_MAX;
	} else {
		c = &z->ch[z->nch++];
	}
	memset(c, 0, sizeof(*c));
	snprintf(c->id, sizeof(c->id), "%s", id);
	snprintf(c->submitted_at, sizeof(c->submitted_at), "%s", submitted_at);
	c->comment = dup;
	c->seq = seq;
	c->insync = insync;
	return 0;
}

size_t zones_change_count(const struct zones *z)
{
	return z->nch;
}

struct zones_change *zones_change_at(const struct zones *z, size_t i)
{
	return &z->ch[(z->chstart + i) % (z->chcap != 0 ? z->chcap : 1)];
}

struct zones_change *zones_change_find(const struct zones *z, const char *id)
{
	for (size_t i = z->nch; i-- > 0;) { /* the newest are asked for most */
		struct zones_change *c = zones_change_at(z, i);

		if (strcmp(c->id, id) == 0)
			return c;
	}
	return NULL;
}

uint64_t zones_seq(const struct zones *z)
{
	return z->seq;
}

void zones_seq_raise(struct zones *z, uint64_t seq)
{
	if (seq > z->seq)
		z->seq = seq;
}
