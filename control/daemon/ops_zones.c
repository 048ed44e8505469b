/* SPDX-License-Identifier: BSD-3-Clause */
/* CreateHostedZone, DeleteHostedZone, GetHostedZone, ListHostedZones. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "name.h"
#include "ops_pvt.h"
#include "render.h"

/* ---- hosted zones ---- */

/* HostedZoneConfig: {"Comment"?, "PrivateZone"?: false}. */
static void param_zone_config(json_t *params, const char **comment, struct mv_error *err)
{
	json_t *config = ops_param_get(params, "HostedZoneConfig");
	int private_zone = 0;

	if (config == NULL)
		return;
	if (json_unpack(config, "{s?s,s?b!}", "Comment", comment, "PrivateZone", &private_zone) !=
	    0)
		mv_error_add(err, "HostedZoneConfig takes Comment (a string) and PrivateZone");
	else if (private_zone)
		mv_error_add(err, "Private hosted zones are not supported");
	else if (*comment != NULL && strlen(*comment) > ZONES_COMMENT_MAX)
		mv_error_add(err, "Comment is longer than %d characters", ZONES_COMMENT_MAX);
}

/*
 * Every zone uses the server's name servers (--name-server): there is no
 * reusable delegation set to name.
 */
static int no_delegation_set(json_t *params, struct mv_error *err)
{
	const char *id = ops_param_str(params, "DelegationSetId", false, err);

	if (err->count > 0)
		return -EINVAL;
	if (id == NULL)
		return 0;
	mv_error_init(err, "NoSuchDelegationSet");
	mv_error_add(err, "A reusable delegation set with the specified ID does not exist: %s",
		     ops_strip_prefix(id, "/delegationset/"));
	return -EINVAL;
}

/* Replay: the zone id and name servers CreateHostedZone recorded. */
static int replay_zone(struct ops_ctx *ctx, struct zones_new *nz, const char **ns, size_t cap,
		       struct mv_error *err)
{
	json_t *jns, *v;
	size_t i;

	if (json_unpack(ctx->replay, "{s:s,s:o}", "Id", &nz->id, "NameServers", &jns) != 0 ||
	    !json_is_array(jns) || json_array_size(jns) > cap)
		goto bad;
	json_array_foreach(jns, i, v)
	{
		if ((ns[i] = json_string_value(v)) == NULL)
			goto bad;
	}
	nz->name_servers = ns;
	nz->name_server_count = json_array_size(jns);
	return 0;
bad:
	mv_error_init(err, "InternalError");
	mv_error_add(err, "journal record without the zone's id and name servers");
	return -EINVAL;
}

/*
 * Live: a fresh zone id, recorded with the name servers as configured (a
 * replay normalises them the same way) before anything changes.
 */
static int generate_zone(struct ops_ctx *ctx, struct zones_new *nz, char fresh[ZONES_ID_SIZE],
			 struct mv_error *err)
{
	json_t *jns = json_array();

	do
		ops_gen_id('Z', fresh);
	while (zones_find(ctx->zones, fresh, NULL) != NULL);
	nz->id = fresh;
	for (size_t i = 0; jns != NULL && i < ctx->name_server_count; i++)
		if (json_array_append_new(jns, json_string(ctx->name_servers[i])) != 0) {
			json_decref(jns);
			jns = NULL;
		}
	if (json_object_set_new(ctx->generated, "Id", json_string(fresh)) != 0 ||
	    json_object_set_new(ctx->generated, "NameServers", jns) != 0)
		return ops_nomem(err);
	return 0;
}

int ops_create_zone(struct ops_ctx *ctx, json_t *params, json_t **result, struct mv_error *err)
{
	static const char *const known[] = {
		"Name", "CallerReference", "HostedZoneConfig", "DelegationSetId", "VPC", NULL};
	struct zones_new nz = {.name_servers = ctx->name_servers,
			       .name_server_count = ctx->name_server_count};
	char fresh[ZONES_ID_SIZE];
	struct zones_zone *zone;
	const char *ns[64];
	struct ops_gen g;
	int rc;

	if (ops_params_known(params, known, err) != 0)
		return -EINVAL;
	mv_error_init(err, "InvalidInput");
	nz.name = ops_param_str(params, "Name", true, err);
	nz.caller_reference = ops_param_str(params, "CallerReference", true, err);
	param_zone_config(params, &nz.comment, err);
	if (ops_param_get(params, "VPC") != NULL)
		mv_error_add(err, "Private hosted zones (VPC) are not supported");
	if (err->count > 0)
		return -EINVAL;
	if (no_delegation_set(params, err) != 0)
		return -EINVAL;
	rc = ops_gen_change(ctx, &g, err);
	if (rc == 0 && ctx->replay != NULL)
		rc = replay_zone(ctx, &nz, ns, 64, err);
	if (rc == 0 && ctx->replay == NULL)
		rc = generate_zone(ctx, &nz, fresh, err);
	if (rc == 0)
		rc = zones_add(ctx->zones, &nz, &zone, err);
	if (rc != 0)
		return rc;
	ops_gen_commit(ctx, &g, NULL);
	ops_owners_one(ctx, zone->apex, zone->apex_len);
	*result = json_pack("{s:s++,s:o,s:o,s:o}", "Location",
			    "https://route53.amazonaws.com/2013-04-01/hostedzone/", zone->id, "",
			    "HostedZone", render_zone(zone), "ChangeInfo",
			    render_change(g.change_id, false, g.submitted_at, NULL),
			    "DelegationSet", render_delegation(zone));
	return 0;
}

int ops_delete_zone(struct ops_ctx *ctx, json_t *params, json_t **result, struct mv_error *err)
{
	static const char *const known[] = {"Id", NULL};
	uint8_t apex[MVDNS_NAME_MAX];
	struct zones_zone *zone;
	struct ops_gen g;
	int rc;

	if (ops_params_known(params, known, err) != 0)
		return -EINVAL;
	mv_error_init(err, "InvalidInput");
	zone = ops_param_zone(ctx, params, "Id", err);
	if (zone == NULL)
		return -EINVAL;
	rc = ops_gen_change(ctx, &g, err);
	if (rc == 0)
		rc = zones_remove(ctx->zones, zone->id, apex, err);
	if (rc != 0)
		return rc;
	ops_gen_commit(ctx, &g, NULL);
	ops_owners_one(ctx, apex, dns_name_len(apex));
	*result = json_pack("{s:o}", "ChangeInfo",
			    render_change(g.change_id, false, g.submitted_at, NULL));
	return 0;
}

int ops_get_zone(struct ops_ctx *ctx, json_t *params, json_t **result, struct mv_error *err)
{
	static const char *const known[] = {"Id", NULL};
	struct zones_zone *zone;

	if (ops_params_known(params, known, err) != 0)
		return -EINVAL;
	mv_error_init(err, "InvalidInput");
	zone = ops_param_zone(ctx, params, "Id", err);
	if (zone == NULL)
		return -EINVAL;
	*result = json_pack("{s:o,s:o}", "HostedZone", render_zone(zone), "DelegationSet",
			    render_delegation(zone));
	return 0;
}

/* Zones in creation order; Marker is the id of the first zone to list. */
int ops_list_zones(struct ops_ctx *ctx, json_t *params, json_t **result, struct mv_error *err)
{
	static const char *const known[] = {"Marker", "MaxItems", "DelegationSetId", NULL};
	size_t max, i = 0, n = zones_count(ctx->zones);
	const char *marker = NULL;
	char max_text[24];
	json_t *list;

	if (ops_params_known(params, known, err) != 0 ||
	    ops_param_max_items(params, OPS_LIST_ZONES_MAX, &max, err) != 0)
		return -EINVAL;
	mv_error_init(err, "InvalidInput");
	if (ops_param_get(params, "Marker") != NULL) {
		marker = ops_param_str(params, "Marker", true, err);
		if (marker == NULL)
			return -EINVAL;
	}
	if (no_delegation_set(params, err) != 0)
		return -EINVAL;
	if (marker != NULL) {
		marker = ops_strip_prefix(marker, "/hostedzone/");
		while (i < n && strcmp(zones_at(ctx->zones, i)->id, marker) != 0)
			i++;
		if (i == n) {
			mv_error_add(err, "Invalid marker: no hosted zone %s", marker);
			return -EINVAL;
		}
	}
	list = json_array();
	for (size_t k = 0; list != NULL && k < max && i < n; k++, i++)
		json_array_append_new(list, render_zone(zones_at(ctx->zones, i)));
	snprintf(max_text, sizeof(max_text), "%zu", max);
	*result = json_pack("{s:o,s:b,s:s}", "HostedZones", list, "IsTruncated", i < n, "MaxItems",
			    max_text);
	if (*result != NULL && marker != NULL)
		json_object_set_new(*result, "Marker", json_string(marker));
	if (*result != NULL && i < n)
		json_object_set_new(*result, "NextMarker",
				    json_string(zones_at(ctx->zones, i)->id));
	return 0;
}
