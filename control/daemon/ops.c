/* SPDX-License-Identifier: BSD-3-Clause */
/* The operation table and what the operations share (ops_pvt.h). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "ops_pvt.h"

/* ---- parameters, checked as botocore does before a request leaves the CLI ---- */

int ops_params_known(json_t *params, const char *const *known, struct mv_error *err)
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

json_t *ops_param_get(json_t *params, const char *key)
{
	json_t *v = json_object_get(params, key);

	return json_is_null(v) ? NULL : v;
}

const char *ops_param_str(json_t *params, const char *key, bool required, struct mv_error *err)
{
	json_t *v = ops_param_get(params, key);

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
int ops_param_max_items(json_t *params, size_t limit, size_t *out, struct mv_error *err)
{
	json_t *v = ops_param_get(params, "MaxItems");
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
const char *ops_strip_prefix(const char *id, const char *prefix)
{
	size_t len = strlen(prefix);

	return strncmp(id, prefix, len) == 0 ? id + len : id;
}

struct zones_zone *ops_zone_by_id(struct ops_ctx *ctx, const char *id, const char *key,
				  struct mv_error *err)
{
	id = ops_strip_prefix(id, "/hostedzone/");
	if (strlen(id) > OPS_ZONE_ID_MAX) { /* Route 53 validates before it looks */
		mv_error_init(err, "InvalidInput");
		mv_error_add(err,
			     "Value '%s' at '%c%s' failed to satisfy constraint: Member must have "
			     "length less than or equal to %d",
			     id, tolower((unsigned char)key[0]), key + 1, OPS_ZONE_ID_MAX);
		return NULL;
	}
	return zones_find(ctx->zones, id, err);
}

struct zones_zone *ops_param_zone(struct ops_ctx *ctx, json_t *params, const char *key,
				  struct mv_error *err)
{
	const char *id = ops_param_str(params, key, true, err);

	if (id == NULL)
		return NULL;
	return ops_zone_by_id(ctx, id, key, err);
}

/* ---- generated values: fresh for a live request, recorded when replaying ---- */

void ops_gen_id(char prefix, char out[ZONES_ID_SIZE])
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

void ops_format_time(int64_t ms, char out[ZONES_TIME_SIZE])
{
	time_t sec = (time_t)(ms / 1000);
	struct tm tm;
	size_t len;

	gmtime_r(&sec, &tm);
	len = strftime(out, ZONES_TIME_SIZE, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + len, ZONES_TIME_SIZE - len, ".%03dZ", (int)(ms % 1000));
}

static void gen_now(char out[ZONES_TIME_SIZE])
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ops_format_time((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000, out);
}

/* Values for a write: ChangeId, SubmittedAt, Seq (in ctx->generated when live). */
int ops_gen_change(struct ops_ctx *ctx, struct ops_gen *g, struct mv_error *err)
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
		ops_gen_id('C', g->change_id);
	while (zones_change_find(ctx->zones, g->change_id) != NULL);
	gen_now(g->submitted_at);
	g->seq = zones_seq(ctx->zones) + 1;
	ctx->generated = json_pack("{s:s,s:s,s:I}", "ChangeId", g->change_id, "SubmittedAt",
				   g->submitted_at, "Seq", (json_int_t)g->seq);
	return ctx->generated != NULL ? 0 : -ENOMEM;
}

void ops_gen_commit(struct ops_ctx *ctx, const struct ops_gen *g, const char *comment)
{
	ctx->mutated = true;
	ctx->seq = g->seq;
	zones_seq_raise(ctx->zones, g->seq);
	if (zones_change_add(ctx->zones, g->change_id, g->submitted_at, comment, g->seq, false) !=
	    0)
		fprintf(stderr, "mvdns-control: out of memory: GetChange will not know %s\n",
			g->change_id);
}

void ops_owners_one(struct ops_ctx *ctx, const uint8_t *name, size_t len)
{
	memset(ctx->one[0], 0, sizeof(ctx->one[0]));
	memcpy(ctx->one[0], name, len);
	ctx->owners = ctx->one;
	ctx->nowners = 1;
}

/*
 * Byte order of two record sets' wire owner names. Wire names are prefix
 * free (a name ends at its root label), so equal up to the shorter one's
 * length means equal.
 */
static int owner_cmp(const void *a, const void *b)
{
	const struct mv_rrset *x = *(const struct mv_rrset *const *)a;
	const struct mv_rrset *y = *(const struct mv_rrset *const *)b;

	return memcmp(x->owner, y->owner,
		      x->owner_len < y->owner_len ? x->owner_len : y->owner_len);
}

/*
 * The distinct owner names of a batch: the sets sorted where they are, each
 * name copied once (sorting and copying 255-octet owner slots, zeroed first,
 * cost twice as much).
 */
int ops_owners_batch(struct ops_ctx *ctx, const struct mv_batch *batch)
{
	const struct mv_rrset **sets = malloc((batch->count + 1) * sizeof(*sets));
	size_t n = 0;

	ctx->owners = malloc((batch->count + 1) * sizeof(*ctx->owners));
	if (sets == NULL || ctx->owners == NULL) {
		free(sets);
		return -ENOMEM; /* ops_ctx_clear frees ctx->owners */
	}
	for (size_t i = 0; i < batch->count; i++)
		sets[i] = &batch->changes[i].rrset;
	qsort(sets, batch->count, sizeof(*sets), owner_cmp);
	for (size_t i = 0; i < batch->count; i++)
		if (i == 0 || owner_cmp(&sets[i - 1], &sets[i]) != 0)
			memcpy(ctx->owners[n++], sets[i]->owner, sets[i]->owner_len);
	ctx->nowners = n;
	free(sets);
	return 0;
}

void ops_ctx_clear(struct ops_ctx *ctx)
{
	json_decref(ctx->generated);
	ctx->generated = NULL;
	if (ctx->owners != ctx->one)
		free(ctx->owners);
	ctx->owners = NULL;
	ctx->nowners = 0;
	ctx->nhealth = 0;
	ctx->seq = 0;
	ctx->mutated = false;
}

int ops_nomem(struct mv_error *err)
{
	mv_error_init(err, "InternalError");
	mv_error_add(err, "Out of memory");
	return -ENOMEM;
}

static const struct ops_def ops[] = {
	{"CreateHostedZone", ops_create_zone, true},
	{"DeleteHostedZone", ops_delete_zone, true},
	{"GetHostedZone", ops_get_zone, false},
	{"ListHostedZones", ops_list_zones, false},
	{"ChangeResourceRecordSets", ops_change_sets, true},
	{"ListResourceRecordSets", ops_list_sets, false},
	{"GetChange", ops_get_change, false},
	{"CreateHealthCheck", ops_create_check, true},
	{"GetHealthCheck", ops_get_check, false},
	{"ListHealthChecks", ops_list_checks, false},
	{"UpdateHealthCheck", ops_update_check, true},
	{"DeleteHealthCheck", ops_delete_check, true},
	{"GetHealthCheckStatus", ops_check_status, false},
	{"SetHealthCheckStatus", ops_set_check_status, false},
};

const struct ops_def *ops_find(const char *name)
{
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(ops[i].name, name) == 0)
			return &ops[i];
	return NULL;
}
