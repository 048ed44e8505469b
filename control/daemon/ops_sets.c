/* SPDX-License-Identifier: BSD-3-Clause */
/* ChangeResourceRecordSets, ListResourceRecordSets, GetChange. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jscan.h"
#include "ops_pvt.h"
#include "render.h"
#include "text.h"

/* ---- record sets ---- */

/* Whether ChangeBatch is there: an object, or a JSON document in a string. */
static json_t *param_batch(json_t *params, struct mv_error *err)
{
	json_t *v = ops_param_get(params, "ChangeBatch");

	if (json_is_object(v) || json_is_string(v))
		return v;
	mv_error_add(err, v == NULL ? "Missing required parameter in input: \"ChangeBatch\""
				    : "Invalid type for parameter ChangeBatch, valid types: "
				      "<class 'dict'>");
	return NULL;
}

/* Parse ChangeBatch (param_batch's): the object as it is, the string as text. */
static int parse_batch(json_t *v, struct mv_batch *batch, struct mv_error *err)
{
	if (json_is_object(v))
		return mv_batch_parse_doc(v, 0, batch, err);
	return mv_batch_parse(json_string_value(v), json_string_length(v), batch, err);
}

/* The change batch decoded, for a zone found: its health checks, and the change itself. */
static int change_sets_apply(struct ops_ctx *ctx, struct zones_zone *zone, struct mv_batch *batch,
			     json_t **result, struct mv_error *err)
{
	struct ops_gen g;
	int rc;

	/* Route 53 refuses a HealthCheckId that names no check, before anything changes. */
	rc = checks_resolve_batch(zones_checks(ctx->zones), batch, err);
	if (rc == 0)
		rc = ops_gen_change(ctx, &g, err);
	if (rc == 0 && ops_owners_batch(ctx, batch) != 0)
		rc = ops_nomem(err);
	if (rc == 0)
		rc = mv_store_apply(zone->store, zone->apex, batch, err);
	if (rc != 0)
		return rc;
	ops_gen_commit(ctx, &g, batch->comment);
	*result = json_pack("{s:o}", "ChangeInfo",
			    render_change(g.change_id, false, g.submitted_at, batch->comment));
	return 0;
}

int ops_change_sets(struct ops_ctx *ctx, json_t *params, json_t **result, struct mv_error *err)
{
	static const char *const known[] = {"HostedZoneId", "ChangeBatch", NULL};
	struct mv_batch batch = {0};
	json_t *doc;
	const char *id;
	int rc = -EINVAL;

	if (ops_params_known(params, known, err) != 0)
		return -EINVAL;
	mv_error_init(err, "InvalidInput");
	id = ops_param_str(params, "HostedZoneId", true, err);
	doc = param_batch(params, err);
	if (err->count > 0)
		return -EINVAL;
	/* The zone first: Route 53 reports a zone it does not know before a bad batch. */
	struct zones_zone *zone = ops_zone_by_id(ctx, id, "HostedZoneId", err);
	if (zone == NULL)
		return -EINVAL;
	rc = parse_batch(doc, &batch, err);
	if (rc == 0)
		rc = change_sets_apply(ctx, zone, &batch, result, err);
	mv_batch_free(&batch);
	return rc;
}

int ops_change_sets_line(struct ops_ctx *ctx, const char *line, size_t len, bool *taken,
			 json_t **result, struct mv_error *err)
{
	struct mv_batch batch = {0};
	const char *key, *op = NULL, *id = NULL;
	bool params = false, changes = false;
	char *arena = malloc(len + 1);
	size_t n = 0, m = 0;
	struct jscan s;
	int rc = 0;

	*taken = false;
	if (arena == NULL)
		return 0; /* the general path has its own way to run out of memory */
	jscan_init(&s, line, len, arena, len + 1);
	jscan_expect(&s, '{');
	while ((key = jscan_member(&s, &n)) != NULL) {
		if (strcmp(key, "Operation") == 0 && op == NULL) {
			op = jscan_string(&s, NULL);
		} else if (strcmp(key, "Params") == 0 && !params) {
			params = true;
			jscan_expect(&s, '{');
			while ((key = jscan_member(&s, &m)) != NULL) {
				if (strcmp(key, "HostedZoneId") == 0 && id == NULL)
					id = jscan_string(&s, NULL);
				else if (strcmp(key, "ChangeBatch") == 0 && !changes)
					changes = mv_batch_scan(&s, 0, &batch) == 0;
				else
					s.err = 1;
			}
		} else {
			s.err = 1;
		}
	}
	if (jscan_done(&s) && op != NULL && strcmp(op, "ChangeResourceRecordSets") == 0 &&
	    id != NULL && changes) {
		struct zones_zone *zone = ops_zone_by_id(ctx, id, "HostedZoneId", err);
		*taken = true;
		rc = zone != NULL ? change_sets_apply(ctx, zone, &batch, result, err) : -EINVAL;
	}
	mv_batch_free(&batch);
	free(arena);
	return rc;
}

struct list_ctx {
	json_t *sets;
	size_t max, n;
	json_t *next; /* {NextRecordName, NextRecordType, NextRecordIdentifier?} */
};

static int list_one(const struct mv_rrset *rr, void *arg)
{
	struct list_ctx *l = arg;
	char name[ZONES_NAME_SIZE];

	if (l->n == l->max) {
		dns_name_to_text(rr->owner, name, sizeof(name));
		l->next = json_pack("{s:s,s:s}", "NextRecordName", name, "NextRecordType",
				    dns_type_to_text(rr->type));
		if (l->next != NULL && rr->set_identifier != NULL)
			json_object_set_new(l->next, "NextRecordIdentifier",
					    json_string(rr->set_identifier));
		return 1;
	}
	l->n++;
	return json_array_append_new(l->sets, render_rrset(rr, false)) != 0 ? -ENOMEM : 0;
}

int ops_list_sets(struct ops_ctx *ctx, json_t *params, json_t **result, struct mv_error *err)
{
	static const char *const known[] = {"HostedZoneId",    "StartRecordName",
					    "StartRecordType", "StartRecordIdentifier",
					    "MaxItems",        NULL};
	struct list_ctx l = {0};
	const char *name = NULL, *type = NULL, *setid = NULL;
	uint8_t start[MVDNS_NAME_MAX];
	char msg[MV_ERROR_MESSAGE_MAX], max_text[24];
	struct zones_zone *zone;
	int t = 0, rc;

	if (ops_params_known(params, known, err) != 0 ||
	    ops_param_max_items(params, OPS_LIST_SETS_MAX, &l.max, err) != 0)
		return -EINVAL;
	mv_error_init(err, "InvalidInput");
	if (ops_param_get(params, "StartRecordName") != NULL)
		name = ops_param_str(params, "StartRecordName", true, err);
	if (ops_param_get(params, "StartRecordType") != NULL)
		type = ops_param_str(params, "StartRecordType", true, err);
	if (ops_param_get(params, "StartRecordIdentifier") != NULL)
		setid = ops_param_str(params, "StartRecordIdentifier", true, err);
	if (err->count > 0)
		return -EINVAL;
	if (name != NULL && dns_name_from_text(name, start, msg, sizeof(msg)) < 0)
		mv_error_add(err, "%s", msg);
	if (type != NULL && (name == NULL || (t = dns_type_from_text(type)) < 0))
		mv_error_add(err,
			     name == NULL ? "StartRecordType requires StartRecordName"
					  : "Invalid StartRecordType %s",
			     type);
	if (setid != NULL && type == NULL)
		mv_error_add(err, "StartRecordIdentifier requires StartRecordType");
	if (err->count > 0)
		return -EINVAL;
	zone = ops_param_zone(ctx, params, "HostedZoneId", err);
	if (zone == NULL)
		return -EINVAL;
	l.sets = json_array();
	if (l.sets == NULL)
		return ops_nomem(err);
	rc = mv_store_foreach_from(zone->store, name != NULL ? start : NULL, (uint16_t)t, setid,
				   list_one, &l);
	snprintf(max_text, sizeof(max_text), "%zu", l.max);
	*result = json_pack("{s:o,s:b,s:s}", "ResourceRecordSets", l.sets, "IsTruncated",
			    l.next != NULL, "MaxItems", max_text);
	if (*result != NULL && l.next != NULL)
		json_object_update(*result, l.next);
	json_decref(l.next);
	if (rc < 0 || *result == NULL) {
		json_decref(*result);
		*result = NULL;
		return ops_nomem(err);
	}
	return 0;
}

/* ---- changes ---- */

int ops_get_change(struct ops_ctx *ctx, json_t *params, json_t **result, struct mv_error *err)
{
	static const char *const known[] = {"Id", NULL};
	struct zones_change *c;
	const char *id;

	if (ops_params_known(params, known, err) != 0)
		return -EINVAL;
	mv_error_init(err, "InvalidInput");
	id = ops_param_str(params, "Id", true, err);
	if (id == NULL)
		return -EINVAL;
	id = ops_strip_prefix(id, "/change/");
	c = zones_change_find(ctx->zones, id);
	if (c == NULL) {
		mv_error_init(err, "NoSuchChange");
		mv_error_add(err, "Could not find resource with ID: %s", id);
		return -ENOENT;
	}
	if (!c->insync && (ctx->peers == NULL || peers_applied(ctx->peers, c->seq)))
		c->insync = true; /* Route 53 never goes back to PENDING */
	*result = json_pack("{s:o}", "ChangeInfo",
			    render_change(c->id, c->insync, c->submitted_at, c->comment));
	return 0;
}
