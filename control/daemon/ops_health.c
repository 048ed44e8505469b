/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CreateHealthCheck, GetHealthCheck, ListHealthChecks, UpdateHealthCheck,
 * DeleteHealthCheck, GetHealthCheckStatus, and mvdns's SetHealthCheckStatus
 * (for EXTERNAL checks).
 *
 * Wording. HealthCheckConfig problems are config.h's messages. Constraint
 * messages ("Value ... at 'callerReference'
 * ...") follow Route 53's server-side form with botocore's limits, as the
 * hosted zone operations do. "A different health check has already been
 * created with the specified caller reference." is Route 53's
 * (HealthCheckAlreadyExists). "No health check found with ID: <id>"
 * (NoSuchHealthCheck) follows NoSuchHostedZone's form, as other Route 53
 * emulators word it. The HealthCheckVersionMismatch message is the API
 * reference's description of the error. Route 53 itself never answers
 * HealthCheckInUse (it lets a referenced check go); mvdns refuses, with its
 * own wording, because a record set must not name a check that is gone.
 *
 * GetHealthCheckStatus reports the engine's recent results, newest first,
 * each as an observation of the one local checker (Region "local").
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "ops_pvt.h"
#include "render.h"
#include "text.h"

#define LOCATION   "https://route53.amazonaws.com/2013-04-01/healthcheck/"
#define OBS_REGION "local"
#define OBS_IP     "127.0.0.1" /* the checker probes from this host */
#define RESET_ENUM "[FullyQualifiedDomainName, Regions, ResourcePath, ChildHealthChecks]"

/* ---- parameters ---- */

/* The check a required HealthCheckId names, or NULL (err: InvalidInput or NoSuchHealthCheck). */
static struct checks_check *param_check(struct ops_ctx *ctx, json_t *params, struct mv_error *err)
{
	const char *id = ops_param_str(params, "HealthCheckId", true, err);
	struct checks_check *check;

	if (id == NULL)
		return NULL;
	if (strlen(id) > CHECKS_ID_MAX) {
		mv_error_add(err,
			     "Value '%s' at 'healthCheckId' failed to "
			     "satisfy constraint: Member must have length less than or equal to %d",
			     id, CHECKS_ID_MAX);
		return NULL;
	}
	check = checks_find(zones_checks(ctx->zones), id);
	if (check == NULL)
		checks_error_no_such(err, id);
	return check;
}

/*
 * The preamble of a request about one health check: only `known` members,
 * then the check its HealthCheckId names. NULL with err filled otherwise.
 */
static struct checks_check *request_check(struct ops_ctx *ctx, json_t *params,
					  const char *const *known, struct mv_error *err)
{
	if (ops_params_known(params, known, err) != 0)
		return NULL;
	mv_error_init(err, "InvalidInput");
	return param_check(ctx, params, err);
}

/* A fresh id in Route 53's form: a random (version 4) UUID, lower case. */
static void gen_check_id(char out[CHECKS_ID_MAX + 1])
{
	uint8_t r[16];

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
		struct timespec ts; /* never expected: vary with the clock */

		clock_gettime(CLOCK_REALTIME, &ts);
		for (size_t k = 0; k < sizeof(r); k++)
			r[k] = (uint8_t)(ts.tv_nsec >> (k % 4 * 8)) ^ (uint8_t)rand();
	}
	r[6] = (uint8_t)((r[6] & 0x0f) | 0x40);
	r[8] = (uint8_t)((r[8] & 0x3f) | 0x80);
	snprintf(out, CHECKS_ID_MAX + 1,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", r[0], r[1],
		 r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13], r[14],
		 r[15]);
}

/* Two configurations the same, as GetHealthCheck would show them. */
static bool config_equal(const struct mv_check_config *a, const struct mv_check_config *b)
{
	json_t *ja = mv_check_config_to_json(a), *jb = mv_check_config_to_json(b);
	bool eq = ja != NULL && jb != NULL && json_equal(ja, jb);

	json_decref(ja);
	json_decref(jb);
	return eq;
}

static int engine_error(struct mv_error *err, int rc)
{
	if (rc == -ENOMEM)
		return ops_nomem(err);
	mv_error_init(err, "InternalError");
	mv_error_add(err, "The health-check engine refused the change: %s", strerror(-rc));
	return rc;
}

/* The sequence number of a write that publishes statuses: fresh, or the journal's. */
static int gen_seq(struct ops_ctx *ctx, json_int_t *seq, struct mv_error *err)
{
	if (ctx->replay != NULL) {
		if (json_unpack(ctx->replay, "{s:I}", "Seq", seq) == 0 && *seq >= 0)
			return 0;
		mv_error_init(err, "InternalError");
		mv_error_add(err, "journal record without its sequence number");
		return -EINVAL;
	}
	*seq = (json_int_t)zones_seq(ctx->zones) + 1;
	ctx->generated = json_pack("{s:I}", "Seq", *seq);
	return ctx->generated != NULL ? 0 : ops_nomem(err);
}

/* The write changed the registry: journal it and publish index's status with seq. */
static void publish_status(struct ops_ctx *ctx, uint32_t index, bool healthy, json_int_t seq)
{
	ctx->mutated = true;
	ctx->seq = (uint64_t)seq;
	zones_seq_raise(ctx->zones, (uint64_t)seq);
	ctx->health[0] = (struct feed_health){index, healthy ? MV_CHAN_HEALTHY : MV_CHAN_UNHEALTHY};
	ctx->nhealth = 1;
}

/* ---- CreateHealthCheck ---- */

static json_t *create_result(const struct checks_check *check)
{
	return json_pack("{s:s++,s:o}", "Location", LOCATION, check->id, "", "HealthCheck",
			 render_health_check(check));
}

/* The id, index and sequence number of a new check: fresh, or the journal's. */
static int gen_create(struct ops_ctx *ctx, char id[CHECKS_ID_MAX + 1], json_int_t *index,
		      json_int_t *seq, struct mv_error *err)
{
	struct checks *checks = zones_checks(ctx->zones);
	const char *rid;

	if (ctx->replay != NULL) {
		if (json_unpack(ctx->replay, "{s:s,s:I,s:I}", "Id", &rid, "Index", index, "Seq",
				seq) != 0 ||
		    strlen(rid) > CHECKS_ID_MAX || *index < 1 || *index > CHECKS_INDEX_MAX ||
		    *seq < 0) {
			mv_error_init(err, "InternalError");
			mv_error_add(err, "journal record without the health check's id and index");
			return -EINVAL;
		}
		strcpy(id, rid);
		return 0;
	}
	do
		gen_check_id(id);
	while (checks_find(checks, id) != NULL);
	*index = checks_free_index(checks);
	*seq = (json_int_t)zones_seq(ctx->zones) + 1;
	ctx->generated = json_pack("{s:s,s:I,s:I}", "Id", id, "Index", *index, "Seq", *seq);
	return ctx->generated != NULL ? 0 : ops_nomem(err);
}

int ops_create_check(struct ops_ctx *ctx, json_t *params, json_t **result, struct mv_error *err)
{
	static const char *const known[] = {"CallerReference", "HealthCheckConfig", NULL};
	struct checks *checks = zones_checks(ctx->zones);
	char msg[MV_ERROR_MESSAGE_MAX], id[CHECKS_ID_MAX + 1];
	struct mv_check_config cfg;
	struct checks_check *check;
	json_int_t index, seq;
	const char *ref;
	json_t *jcfg;
	int rc;

	if (ops_params_known(params, known, err) != 0)
		return -EINVAL;
	mv_error_init(err, "InvalidInput");
	ref = ops_param_str(params, "CallerReference", true, err);
	jcfg = ops_param_get(params, "HealthCheckConfig");
	if (jcfg == NULL)
		mv_error_add(err, "Missing required parameter in input: \"HealthCheckConfig\"");
	if (err->count > 0)
		return -EINVAL;
	if (strlen(ref) == 0 || strlen(ref) > CHECKS_CALLER_MAX) {
		mv_error_add(err,
			     "Value '%s' at 'callerReference' failed "
			     "to satisfy constraint: Member must have length between 1 and %d",
			     ref, CHECKS_CALLER_MAX);
		return -EINVAL;
	}
	if (mv_check_config_from_json(jcfg, &cfg, msg, sizeof(msg)) != 0) {
		mv_error_add(err, "%s", msg);
		return -EINVAL;
	}
	check = checks_find_caller(checks, ref);
	if (check != NULL && config_equal(&check->config, &cfg)) {
		*result = create_result(check); /* a retry: the existing check, nothing new */
		return 0;
	}
	if (check != NULL || checks_caller_deleted(checks, ref)) {
		mv_error_init(err, "HealthCheckAlreadyExists");
		mv_error_add(err, "A different health check has already been created with the "
				  "specified caller reference.");
		return -EEXIST;
	}
	rc = gen_create(ctx, id, &index, &seq, err);
	if (rc != 0)
		return rc;
	if (ctx->checker != NULL) {
		rc = mv_checker_add(ctx->checker, (uint32_t)index, &cfg, true);
		if (rc != 0)
			return engine_error(err, rc);
	}
	rc = checks_add(checks, id, ref, &cfg, (uint32_t)index, true, &check);
	if (rc != 0) {
		if (ctx->checker != NULL)
			mv_checker_remove(ctx->checker, (uint32_t)index);
		return rc == -ENOMEM ? ops_nomem(err) : engine_error(err, rc);
	}
	publish_status(ctx, check->index, true, seq);
	*result = create_result(check);
	return 0;
}

/* ---- GetHealthCheck, ListHealthChecks ---- */

int ops_get_check(struct ops_ctx *ctx, json_t *params, json_t **result, struct mv_error *err)
{
	static const char *const known[] = {"HealthCheckId", NULL};
	struct checks_check *check;

	check = request_check(ctx, params, known, err);
	if (check == NULL)
		return -EINVAL;
	*result = json_pack("{s:o}", "HealthCheck", render_health_check(check));
	return 0;
}

/* Checks in creation order; Marker is the id of the first check to list. */
int ops_list_checks(struct ops_ctx *ctx, json_t *params, json_t **result, struct mv_error *err)
{
	static const char *const known[] = {"Marker", "MaxItems", NULL};
	const struct checks *checks = zones_checks(ctx->zones);
	size_t max = OPS_LIST_CHECKS_DEF, i = 0, n = checks_count(checks);
	const char *marker = NULL;
	char max_text[24];
	json_t *list;

	if (ops_params_known(params, known, err) != 0 ||
	    (ops_param_get(params, "MaxItems") != NULL &&
	     ops_param_max_items(params, OPS_LIST_CHECKS_MAX, &max, err) != 0))
		return -EINVAL;
	mv_error_init(err, "InvalidInput");
	if (ops_param_get(params, "Marker") != NULL) {
		marker = ops_param_str(params, "Marker", true, err);
		if (marker == NULL)
			return -EINVAL;
		while (i < n && strcmp(checks_at(checks, i)->id, marker) != 0)
			i++;
		if (i == n) {
			mv_error_add(err, "Invalid marker: no health check %s", marker);
			return -EINVAL;
		}
	}
	list = json_array();
	for (size_t k = 0; list != NULL && k < max && i < n; k++, i++)
		json_array_append_new(list, render_health_check(checks_at(checks, i)));
	snprintf(max_text, sizeof(max_text), "%zu", max);
	/* Marker is always there, empty on a first page, as Route 53 returns it. */
	*result =
		json_pack("{s:o,s:s,s:b,s:s}", "HealthChecks", list, "Marker",
			  marker != NULL ? marker : "", "IsTruncated", i < n, "MaxItems", max_text);
	if (*result != NULL && i < n &&
	    json_object_set_new(*result, "NextMarker", json_string(checks_at(checks, i)->id)) !=
		    0) {
		json_decref(*result);
		*result = NULL;
	}
	return 0;
}

/* ---- UpdateHealthCheck ---- */

/* The members of UpdateHealthCheck that are HealthCheckConfig members. */
static const char *const update_members[] = {
	"IPAddress",
	"Port",
	"ResourcePath",
	"FullyQualifiedDomainName",
	"SearchString",
	"FailureThreshold",
	"Inverted",
	"Disabled",
	"EnableSNI",
	"HealthThreshold",
	"ChildHealthChecks",
	"Regions",
	"AlarmIdentifier",
	"InsufficientDataHealthStatus",
	NULL,
};

/* HealthCheckVersion, if given, must be the check's. */
static int check_version(json_t *params, const struct checks_check *check, struct mv_error *err)
{
	json_t *v = ops_param_get(params, "HealthCheckVersion");

	if (v == NULL)
		return 0;
	if (!json_is_integer(v)) {
		mv_error_add(err, "Invalid type for parameter HealthCheckVersion, valid types: "
				  "<class 'int'>");
		return -EINVAL;
	}
	if (json_integer_value(v) < 1) {
		mv_error_add(err,
			     "Value '%lld' at 'healthCheckVersion' "
			     "failed to satisfy constraint: Member must have value greater than or "
			     "equal to 1",
			     (long long)json_integer_value(v));
		return -EINVAL;
	}
	if ((uint64_t)json_integer_value(v) == check->version)
		return 0;
	mv_error_init(err, "HealthCheckVersionMismatch");
	mv_error_add(err, "The value of HealthCheckVersion in the request doesn't match the value "
			  "of HealthCheckVersion in the health check.");
	return -ESTALE;
}

/*
 * The check's configuration with the request's changes: ResetElements
 * first, then every member given. Validated as CreateHealthCheck does.
 */
static int updated_config(json_t *params, const struct checks_check *check,
			  struct mv_check_config *cfg, struct mv_error *err)
{
	json_t *j = mv_check_config_to_json(&check->config), *reset, *v;
	char msg[MV_ERROR_MESSAGE_MAX];
	size_t i;
	int rc = -EINVAL;

	if (j == NULL)
		return ops_nomem(err);
	reset = ops_param_get(params, "ResetElements");
	if (reset != NULL && !json_is_array(reset)) {
		mv_error_add(err, "Invalid type for parameter ResetElements, valid types: <class "
				  "'list'>, <class 'tuple'>");
		goto finish;
	}
	json_array_foreach(reset, i, v)
	{
		const char *e = json_string_value(v);

		if (e == NULL ||
		    (strcmp(e, "FullyQualifiedDomainName") != 0 && strcmp(e, "ResourcePath") != 0 &&
		     strcmp(e, "Regions") != 0 && strcmp(e, "ChildHealthChecks") != 0)) {
			mv_error_add(err,
				     "Value '%s' at "
				     "'resetElements.%zu.member' failed to satisfy constraint: "
				     "Member must satisfy enum value set: " RESET_ENUM,
				     e != NULL ? e : "?", i + 1);
			goto finish;
		}
		json_object_del(j, e); /* Regions, ChildHealthChecks: never set */
	}
	for (i = 0; update_members[i] != NULL; i++)
		if ((v = ops_param_get(params, update_members[i])) != NULL &&
		    json_object_set(j, update_members[i], v) != 0) {
			rc = ops_nomem(err);
			goto finish;
		}
	rc = mv_check_config_from_json(j, cfg, msg, sizeof(msg));
	if (rc != 0)
		mv_error_add(err, "%s", msg);
finish:
	json_decref(j);
	return rc;
}

int ops_update_check(struct ops_ctx *ctx, json_t *params, json_t **result, struct mv_error *err)
{
	static const char *const known[] = {"HealthCheckId",   "HealthCheckVersion",
					    "IPAddress",       "Port",
					    "ResourcePath",    "FullyQualifiedDomainName",
					    "SearchString",    "FailureThreshold",
					    "Inverted",        "Disabled",
					    "HealthThreshold", "ChildHealthChecks",
					    "EnableSNI",       "Regions",
					    "AlarmIdentifier", "InsufficientDataHealthStatus",
					    "ResetElements",   NULL};
	struct mv_check_config cfg;
	struct checks_check *check;
	int rc;

	check = request_check(ctx, params, known, err);
	if (check == NULL)
		return -EINVAL;
	rc = check_version(params, check, err);
	if (rc == 0)
		rc = updated_config(params, check, &cfg, err);
	if (rc != 0)
		return rc;
	if (ctx->replay == NULL && (ctx->generated = json_object()) == NULL)
		return ops_nomem(err);
	if (ctx->checker != NULL) {
		rc = mv_checker_update(ctx->checker, check->index, &cfg);
		if (rc != 0)
			return engine_error(err, rc);
	}
	/* A change of the effective status reaches the dataplanes through the engine's drain. */
	checks_update(check, &cfg);
	ctx->mutated = true;
	*result = json_pack("{s:o}", "HealthCheck", render_health_check(check));
	return 0;
}

/* ---- DeleteHealthCheck ---- */

int ops_delete_check(struct ops_ctx *ctx, json_t *params, json_t **result, struct mv_error *err)
{
	static const char *const known[] = {"HealthCheckId", NULL};
	const struct mv_rrset *rr;
	struct checks_check *check;
	json_int_t seq;
	uint32_t index;
	int rc;

	check = request_check(ctx, params, known, err);
	if (check == NULL)
		return -EINVAL;
	if (zones_uses_check(ctx->zones, check->id, &rr)) {
		char name[ZONES_NAME_SIZE];

		dns_name_to_text(rr->owner, name, sizeof(name));
		mv_error_init(err, "HealthCheckInUse");
		mv_error_add(err,
			     "The health check %s is still referenced from parameter "
			     "ResourceRecordSet with name %s and type %s",
			     check->id, name, dns_type_to_text(rr->type));
		return -EBUSY;
	}
	rc = gen_seq(ctx, &seq, err);
	if (rc != 0)
		return rc;
	index = check->index;
	if (ctx->checker != NULL)
		mv_checker_remove(ctx->checker, index);
	checks_remove(zones_checks(ctx->zones), check->id);
	/* The index is free again: whatever takes it next starts healthy. */
	publish_status(ctx, index, true, seq);
	*result = json_object();
	return 0;
}

/* ---- GetHealthCheckStatus, SetHealthCheckStatus ---- */

static json_t *observation(const struct mv_check_observation *o)
{
	char at[ZONES_TIME_SIZE];

	ops_format_time(o->time_ms, at);
	return json_pack("{s:s,s:s,s:{s:s,s:s}}", "Region", OBS_REGION, "IPAddress", OBS_IP,
			 "StatusReport", "Status", o->reason, "CheckedTime", at);
}

int ops_check_status(struct ops_ctx *ctx, json_t *params, json_t **result, struct mv_error *err)
{
	static const char *const known[] = {"HealthCheckId", NULL};
	struct mv_check_observation obs[MV_CHECKER_OBSERVATIONS];
	struct checks_check *check;
	json_t *list;
	size_t n = 0;

	check = request_check(ctx, params, known, err);
	if (check == NULL)
		return -EINVAL;
	if (ctx->checker != NULL)
		n = mv_checker_observations(ctx->checker, check->index, obs,
					    MV_CHECKER_OBSERVATIONS);
	list = json_array();
	for (size_t i = 0; list != NULL && i < n; i++)
		if (json_array_append_new(list, observation(&obs[i])) != 0) {
			json_decref(list);
			list = NULL;
		}
	*result = json_pack("{s:o}", "HealthCheckObservations", list);
	return 0;
}

int ops_set_check_status(struct ops_ctx *ctx, json_t *params, json_t **result, struct mv_error *err)
{
	static const char *const known[] = {"HealthCheckId", "Status", NULL};
	struct checks_check *check;
	const char *status;
	bool healthy;
	int rc;

	if (ops_params_known(params, known, err) != 0)
		return -EINVAL;
	mv_error_init(err, "InvalidInput");
	status = ops_param_str(params, "Status", true, err);
	if (err->count > 0)
		return -EINVAL;
	healthy = strcmp(status, "Healthy") == 0;
	if (!healthy && strcmp(status, "Unhealthy") != 0) {
		mv_error_add(err,
			     "Value '%s' at 'status' failed to "
			     "satisfy constraint: Member must satisfy enum value set: [Healthy, "
			     "Unhealthy]",
			     status);
		return -EINVAL;
	}
	check = param_check(ctx, params, err);
	if (check == NULL)
		return -EINVAL;
	if (check->config.type != MV_CHECK_EXTERNAL) {
		mv_error_add(err,
			     "Invalid parameter : SetHealthCheckStatus applies to EXTERNAL health "
			     "checks only; health check %s is of type %s.",
			     check->id, mv_check_type_name(check->config.type));
		return -EINVAL;
	}
	if (ctx->checker == NULL)
		return engine_error(err, -ENOTCONN);
	/* The engine queues the change; the service drains it before answering. */
	rc = mv_checker_set_external(ctx->checker, check->index, healthy);
	if (rc != 0)
		return engine_error(err, rc);
	*result = json_object();
	return 0;
}
