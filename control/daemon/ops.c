/* SPDX-License-Identifier: BSD-3-Clause */
#include "ops.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "name.h"
#include "render.h"
#include "text.h"

#define LIST_ZONES_MAX 100 /* ListHostedZones MaxItems default and limit */
#define LIST_SETS_MAX  300 /* ListResourceRecordSets MaxItems default and limit */

/* ---- parameters, checked as botocore does before a request leaves the CLI ---- */

static int params_known(json_t *params, const char *const *known, struct mv_error *err)
{
	const char *key;
	json_t *v;
	int rc = 0;

	json_object_foreach(params, key, v)
	{
		char list[512] = "";
		size_t i = 0;

		while (known[i] != NULL && strcmp(known[i], key) != 0)
			i++;
		if (known[i] != NULL)
			continue;
		for (i = 0; known[i] != NULL; i++)
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
				 i > 0 ? ", " : "", known[i]);
		if (rc == 0)
			mv_error_init(err, "InvalidInput");
		mv_error_add(err, "Unknown parameter in input: \"%s\", must be one of: %s", key,
			     list);
		rc = -EINVAL;
	}
	return rc;
}

/* A string member; NULL when absent (an error if required) or not a string. */
static const char *param_str(json_t *params, const char *key, bool required, struct mv_error *err)
{
	json_t *v = json_object_get(params, key);

	if (json_is_string(v))
		return json_string_value(v);
	if (err->count == 0)
		mv_error_init(err, "InvalidInput");
	if (v != NULL)
		mv_error_add(err, "Invalid type for parameter %s, valid types: <class 'str'>", key);
	else if (required)
		mv_error_add(err, "Missing required parameter in input: \"%s\"", key);
	return NULL;
}

/* MaxItems: a string of digits (the API's type) or an integer; 1..limit, default limit. */
static int param_max_items(json_t *params, size_t limit, size_t *out, struct mv_error *err)
{
	json_t *v = json_object_get(params, "MaxItems");
	long long n = (long long)limit;
	char *end = NULL;

	if (json_is_integer(v))
		n = json_integer_value(v);
	else if (json_is_string(v))
		n = strtoll(json_string_value(v), &end, 10);
	if ((v != NULL && !json_is_integer(v) && !json_is_string(v)) ||
	    (end != NULL && (*end != '\0' || end == json_string_value(v))) || n < 1) {
		mv_error_init(err, "InvalidInput");
		mv_error_add(err, "MaxItems must be a positive integer");
		return -EINVAL;
	}
	*out = (size_t)n > limit ? limit : (size_t)n;
	return 0;
}

/* "/hostedzone/Z..." or "Z..." (prefix "/hostedzone/"), "/change/C..." or "C...". */
static const char *strip_prefix(const char *id, const char *prefix)
{
	size_t len = strlen(prefix);

	return strncmp(id, prefix, len) == 0 ? id + len : id;
}

static struct zones_zone *param_zone(struct ops_ctx *ctx, json_t *params, const char *key,
				     struct mv_error *err)
{
	const char *id = param_str(params, key, true, err);

	if (id == NULL)
		return NULL;
	return zones_find(ctx->zones, strip_prefix(id, "/hostedzone/"), err);
}

/* ---- generated values: fresh for a live request, recorded when replaying ---- */

struct gen {
	char change_id[ZONES_ID_SIZE];
	char submitted_at[ZONES_TIME_SIZE];
	uint64_t seq;
};

static void gen_id(char prefix, char out[ZONES_ID_SIZE])
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	uint8_t r[64];
	size_t n = 1, i = 0;

	out[0] = prefix;
	while (n < ZONES_ID_LEN) {
		if (i == 0 && getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
			struct timespec ts; /* never expected: vary with the clock */

			clock_gettime(CLOCK_REALTIME, &ts);
			for (size_t k = 0; k < sizeof(r); k++)
				r[k] = (uint8_t)(ts.tv_nsec >> (k % 4 * 8)) ^ (uint8_t)rand();
		}
		if (r[i] < 252) /* 252 = 7 * 36: no bias */
			out[n++] = alphabet[r[i] % 36];
		i = (i + 1) % sizeof(r);
	}
	out[n] = '\0';
}

static void gen_now(char out[ZONES_TIME_SIZE])
{
	struct timespec ts;
	struct tm tm;
	size_t len;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	len = strftime(out, ZONES_TIME_SIZE, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + len, ZONES_TIME_SIZE - len, ".%03dZ", (int)(ts.tv_nsec / 1000000));
}

/* Values for a write: ChangeId, SubmittedAt, Seq (in ctx->generated when live). */
static int gen_change(struct ops_ctx *ctx, struct gen *g, struct mv_error *err)
{
	const char *id, *at;
	json_int_t seq;

	if (ctx->replay != NULL) {
		if (json_unpack(ctx->replay, "{s:s,s:s,s:I}", "ChangeId", &id, "SubmittedAt", &at,
				"Seq", &seq) != 0 ||
		    strlen(id) >= sizeof(g->change_id) || strlen(at) >= sizeof(g->submitted_at)) {
			mv_error_init(err, "InternalError");
			mv_error_add(err, "journal record without its generated values");
			return -EINVAL;
		}
		strcpy(g->change_id, id);
		strcpy(g->submitted_at, at);
		g->seq = (uint64_t)seq;
		return 0;
	}
	do
		gen_id('C', g->change_id);
	while (zones_change_find(ctx->zones, g->change_id) != NULL);
	gen_now(g->submitted_at);
	g->seq = zones_seq(ctx->zones) + 1;
	ctx->generated = json_pack("{s:s,s:s,s:I}", "ChangeId", g->change_id, "SubmittedAt",
				   g->submitted_at, "Seq", (json_int_t)g->seq);
	return ctx->generated != NULL ? 0 : -ENOMEM;
}

/* The write is done: count its number, remember the change, list its owner. */
static int gen_commit(struct ops_ctx *ctx, const struct gen *g, const char *comment)
{
	zones_seq_raise(ctx->zones, g->seq);
	return zones_change_add(ctx->zones, g->change_id, g->submitted_at, comment, g->seq, false);
}

static int owners_one(struct ops_ctx *ctx, const uint8_t *apex, size_t len)
{
	ctx->owners = calloc(1, sizeof(*ctx->owners));
	if (ctx->owners == NULL)
		return -ENOMEM;
	memcpy(ctx->owners[0], apex, len);
	ctx->nowners = 1;
	return 0;
}

static int owner_cmp(const void *a, const void *b)
{
	return memcmp(a, b, MVDNS_NAME_MAX);
}

/* The distinct owner names of a batch. */
static int owners_batch(struct ops_ctx *ctx, const struct mv_batch *batch)
{
	size_t n = 0;

	ctx->owners = calloc(batch->count + 1, sizeof(*ctx->owners));
	if (ctx->owners == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < batch->count; i++)
		memcpy(ctx->owners[i], batch->changes[i].rrset.owner,
		       batch->changes[i].rrset.owner_len);
	qsort(ctx->owners, batch->count, sizeof(*ctx->owners), owner_cmp);
	for (size_t i = 0; i < batch->count; i++)
		if (n == 0 || owner_cmp(ctx->owners[n - 1], ctx->owners[i]) != 0)
			memmove(ctx->owners[n++], ctx->owners[i], MVDNS_NAME_MAX);
	ctx->nowners = n;
	return 0;
}

void ops_ctx_clear(struct ops_ctx *ctx)
{
	json_decref(ctx->generated);
	ctx->generated = NULL;
	free(ctx->owners);
	ctx->owners = NULL;
	ctx->nowners = 0;
	ctx->seq = 0;
}

static int nomem(struct mv_error *err)
{
	mv_error_init(err, "InternalError");
	mv_error_add(err, "Out of memory");
	return -ENOMEM;
}

/* ---- hosted zones ---- */

/* HostedZoneConfig: {"Comment"?, "PrivateZone"?: false}. */
static void param_zone_config(json_t *params, const char **comment, struct mv_error *err)
{
	json_t *config = json_object_get(params, "HostedZoneConfig");
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

static int op_create_zone(struct ops_ctx *ctx, json_t *params, json_t **result,
			  struct mv_error *err)
{
	static const char *const known[] = {
		"Name", "CallerReference", "HostedZoneConfig", "DelegationSetId", "VPC", NULL};
	struct zones_new nz = {.name_servers = ctx->name_servers,
			       .name_server_count = ctx->name_server_count};
	char fresh[ZONES_ID_SIZE];
	struct zones_zone *zone;
	const char *ns[64];
	struct gen g;
	json_t *jns;
	int rc;

	if (params_known(params, known, err) != 0)
		return -EINVAL;
	mv_error_init(err, "InvalidInput");
	nz.name = param_str(params, "Name", true, err);
	nz.caller_reference = param_str(params, "CallerReference", true, err);
	param_zone_config(params, &nz.comment, err);
	if (json_object_get(params, "VPC") != NULL ||
	    json_object_get(params, "DelegationSetId") != NULL)
		mv_error_add(err, "VPC and DelegationSetId are not supported: every zone is "
				  "public and uses the server's name servers");
	if (err->count > 0)
		return -EINVAL;
	rc = gen_change(ctx, &g, err);
	if (rc == 0 && ctx->replay != NULL)
		rc = replay_zone(ctx, &nz, ns, 64, err);
	if (rc != 0)
		return rc;
	do {
		if (ctx->replay == NULL) {
			gen_id('Z', fresh);
			nz.id = fresh;
		}
		rc = zones_add(ctx->zones, &nz, &zone, err);
	} while (rc == -EEXIST && ctx->replay == NULL);
	if (rc != 0)
		return rc;
	if (ctx->replay == NULL) {
		jns = json_array();
		for (size_t i = 0; jns != NULL && i < zone->name_server_count; i++)
			json_array_append_new(jns, json_string(zone->name_servers[i]));
		if (json_object_set_new(ctx->generated, "Id", json_string(zone->id)) != 0 ||
		    json_object_set_new(ctx->generated, "NameServers", jns) != 0)
			return nomem(err);
	}
	if (gen_commit(ctx, &g, NULL) != 0 || owners_one(ctx, zone->apex, zone->apex_len) != 0)
		return nomem(err);
	ctx->seq = g.seq;
	*result = json_pack("{s:s++,s:o,s:o,s:o}", "Location",
			    "https://route53.amazonaws.com/2013-04-01/hostedzone/", zone->id, "",
			    "HostedZone", render_zone(zone), "ChangeInfo",
			    render_change(g.change_id, false, g.submitted_at, NULL),
			    "DelegationSet", render_delegation(zone));
	return 0;
}

static int op_delete_zone(struct ops_ctx *ctx, json_t *params, json_t **result,
			  struct mv_error *err)
{
	static const char *const known[] = {"Id", NULL};
	uint8_t apex[MVDNS_NAME_MAX];
	struct zones_zone *zone;
	struct gen g;
	int rc;

	if (params_known(params, known, err) != 0)
		return -EINVAL;
	mv_error_init(err, "InvalidInput");
	zone = param_zone(ctx, params, "Id", err);
	if (zone == NULL)
		return -EINVAL;
	rc = gen_change(ctx, &g, err);
	if (rc == 0)
		rc = zones_remove(ctx->zones, zone->id, apex, err);
	if (rc != 0)
		return rc;
	if (gen_commit(ctx, &g, NULL) != 0 || owners_one(ctx, apex, dns_name_len(apex)) != 0)
		return nomem(err);
	ctx->seq = g.seq;
	*result = json_pack("{s:o}", "ChangeInfo",
			    render_change(g.change_id, false, g.submitted_at, NULL));
	return 0;
}

static int op_get_zone(struct ops_ctx *ctx, json_t *params, json_t **result, struct mv_error *err)
{
	static const char *const known[] = {"Id", NULL};
	struct zones_zone *zone;

	if (params_known(params, known, err) != 0)
		return -EINVAL;
	mv_error_init(err, "InvalidInput");
	zone = param_zone(ctx, params, "Id", err);
	if (zone == NULL)
		return -EINVAL;
	*result = json_pack("{s:o,s:o}", "HostedZone", render_zone(zone), "DelegationSet",
			    render_delegation(zone));
	return 0;
}

/* Zones in creation order; Marker is the id of the first zone to list. */
static int op_list_zones(struct ops_ctx *ctx, json_t *params, json_t **result, struct mv_error *err)
{
	static const char *const known[] = {"Marker", "MaxItems", NULL};
	size_t max, i = 0, n = zones_count(ctx->zones);
	const char *marker = NULL;
	char max_text[24];
	json_t *list;

	if (params_known(params, known, err) != 0 ||
	    param_max_items(params, LIST_ZONES_MAX, &max, err) != 0)
		return -EINVAL;
	mv_error_init(err, "InvalidInput");
	if (json_object_get(params, "Marker") != NULL) {
		marker = param_str(params, "Marker", true, err);
		if (marker == NULL)
			return -EINVAL;
		marker = strip_prefix(marker, "/hostedzone/");
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

/* ---- record sets ---- */

/* The batch as text: ChangeBatch is an object, or a JSON document in a string. */
static char *param_batch(json_t *params, struct mv_error *err)
{
	json_t *v = json_object_get(params, "ChangeBatch");

	if (json_is_object(v))
		return json_dumps(v, JSON_COMPACT);
	if (json_is_string(v))
		return strdup(json_string_value(v));
	mv_error_add(err, v == NULL ? "Missing required parameter in input: \"ChangeBatch\""
				    : "Invalid type for parameter ChangeBatch, valid types: "
				      "<class 'dict'>");
	return NULL;
}

static int op_change_sets(struct ops_ctx *ctx, json_t *params, json_t **result,
			  struct mv_error *err)
{
	static const char *const known[] = {"HostedZoneId", "ChangeBatch", NULL};
	struct mv_batch batch = {0};
	struct zones_zone *zone;
	char *text = NULL;
	const char *id;
	struct gen g;
	int rc = -EINVAL;

	if (params_known(params, known, err) != 0)
		return -EINVAL;
	mv_error_init(err, "InvalidInput");
	id = param_str(params, "HostedZoneId", true, err);
	text = param_batch(params, err);
	if (err->count > 0)
		goto finish;
	if (text == NULL) {
		rc = nomem(err);
		goto finish;
	}
	zone = zones_find(ctx->zones, strip_prefix(id, "/hostedzone/"), err);
	if (zone == NULL)
		goto finish;
	rc = mv_batch_parse(text, strlen(text), &batch, err);
	if (rc == 0)
		rc = gen_change(ctx, &g, err);
	if (rc == 0)
		rc = mv_store_apply(zone->store, zone->apex, &batch, err);
	if (rc != 0)
		goto finish;
	if (gen_commit(ctx, &g, batch.comment) != 0 || owners_batch(ctx, &batch) != 0) {
		rc = nomem(err);
		goto finish;
	}
	ctx->seq = g.seq;
	*result = json_pack("{s:o}", "ChangeInfo",
			    render_change(g.change_id, false, g.submitted_at, batch.comment));
finish:
	mv_batch_free(&batch);
	free(text);
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

static int op_list_sets(struct ops_ctx *ctx, json_t *params, json_t **result, struct mv_error *err)
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

	if (params_known(params, known, err) != 0 ||
	    param_max_items(params, LIST_SETS_MAX, &l.max, err) != 0)
		return -EINVAL;
	mv_error_init(err, "InvalidInput");
	if (json_object_get(params, "StartRecordName") != NULL)
		name = param_str(params, "StartRecordName", true, err);
	if (json_object_get(params, "StartRecordType") != NULL)
		type = param_str(params, "StartRecordType", true, err);
	if (json_object_get(params, "StartRecordIdentifier") != NULL)
		setid = param_str(params, "StartRecordIdentifier", true, err);
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
	zone = param_zone(ctx, params, "HostedZoneId", err);
	if (zone == NULL)
		return -EINVAL;
	l.sets = json_array();
	if (l.sets == NULL)
		return nomem(err);
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
		return nomem(err);
	}
	return 0;
}

/* ---- changes ---- */

static int op_get_change(struct ops_ctx *ctx, json_t *params, json_t **result, struct mv_error *err)
{
	static const char *const known[] = {"Id", NULL};
	struct zones_change *c;
	const char *id;

	if (params_known(params, known, err) != 0)
		return -EINVAL;
	mv_error_init(err, "InvalidInput");
	id = param_str(params, "Id", true, err);
	if (id == NULL)
		return -EINVAL;
	id = strip_prefix(id, "/change/");
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

static const struct ops_def ops[] = {
	{"CreateHostedZone", op_create_zone, true},
	{"DeleteHostedZone", op_delete_zone, true},
	{"GetHostedZone", op_get_zone, false},
	{"ListHostedZones", op_list_zones, false},
	{"ChangeResourceRecordSets", op_change_sets, true},
	{"ListResourceRecordSets", op_list_sets, false},
	{"GetChange", op_get_change, false},
};

const struct ops_def *ops_find(const char *name)
{
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(ops[i].name, name) == 0)
			return &ops[i];
	return NULL;
}
