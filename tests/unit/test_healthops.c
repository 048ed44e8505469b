/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control daemon's health checks: the operations through the request
 * handler (AWS shapes, every error code and message), the dense index and
 * its reuse, HealthCheckInUse, NoSuchHealthCheck in a change batch (all or
 * nothing), statuses drained from the engine, persistence across a replay and
 * a snapshot, the index in NAME messages and the HEALTH messages (decoded
 * here), and one end-to-end run into the dataplane's consumer and answers.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "answer.h"
#include "channel.h"
#include "channel_rx.h"
#include "checker.h"
#include "feed.h"
#include "journal.h"
#include "peers.h"
#include "peers_scan.h"
#include "private_shm.h"
#include "service.h"
#include "snapshot.h"
#include "text.h"
#include "wire.h"
#include "zones.h"
#include "private_tmp.h"

static char dir[128];

static void setup(void)
{
	private_tmp_dir(dir, sizeof(dir), "healthops");
}

static void teardown(void)
{
	private_tmp_remove(dir);
}

TestSuite(healthops, .init = setup, .fini = teardown);

/* ---- the service, with or without an engine ---- */

struct env {
	struct zones *z;
	struct service *s;
	struct mv_checker *hc;
};

static void env_open(struct env *e, bool engine, size_t snapshot_every)
{
	struct service_config cfg = {dir, NULL, 0, snapshot_every};

	e->z = zones_create();
	e->s = service_open(&cfg, e->z);
	cr_assert_not_null(e->s);
	e->hc = NULL;
	if (engine) {
		e->hc = mv_checker_create();
		cr_assert_not_null(e->hc);
		cr_assert_eq(service_set_checker(e->s, e->hc), 0);
	}
}

/* Without a checkpoint: as after kill -9. */
static void env_close(struct env *e)
{
	service_close(e->s);
	mv_checker_destroy(e->hc);
	zones_destroy(e->z);
}

/* Send a request (' for "); returns the parsed response (decref it). */
static json_t *call(struct env *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static json_t *call(struct env *e, const char *fmt, ...)
{
	char buf[8192];
	va_list ap;
	json_t *resp;
	char *out;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	cr_assert_lt(n, (int)sizeof(buf));
	for (int i = 0; i < n; i++)
		buf[i] = buf[i] == '\'' ? '"' : buf[i];
	out = service_handle(e->s, buf, (size_t)n);
	cr_assert_not_null(out);
	resp = json_loads(out, 0, NULL);
	cr_assert_not_null(resp, "%s", out);
	free(out);
	return resp;
}

static const char *code(json_t *r)
{
	return json_string_value(json_object_get(json_object_get(r, "Error"), "Code"));
}

static const char *message(json_t *r)
{
	return json_string_value(json_object_get(json_object_get(r, "Error"), "Message"));
}

static json_t *result(json_t *r)
{
	json_t *res = json_object_get(r, "Result");

	cr_assert_not_null(res, "%s: %s", code(r), message(r));
	return res;
}

/* The response is a success; release it. */
static void expect_ok(json_t *r)
{
	result(r);
	json_decref(r);
}

/* The response is this error, exactly. */
static void expect_error(json_t *r, const char *want_code, const char *want_message)
{
	cr_assert_str_eq(code(r) != NULL ? code(r) : "(success)", want_code);
	cr_assert_str_eq(message(r), want_message);
	json_decref(r);
}

/* CreateHealthCheck; the new id into id. */
static void create(struct env *e, const char *ref, const char *config, char id[40])
{
	json_t *r = call(e,
			 "{'Operation':'CreateHealthCheck','Params':{'CallerReference':'%s',"
			 "'HealthCheckConfig':%s}}",
			 ref, config);
	json_t *hc = json_object_get(result(r), "HealthCheck");

	snprintf(id, 40, "%s", json_string_value(json_object_get(hc, "Id")));
	json_decref(r);
}

#define EXTERNAL "{'Type':'EXTERNAL'}"
#define HTTP_LO  "{'Type':'HTTP','IPAddress':'127.0.0.1','Port':9,'ResourcePath':'/h'}"

static const char *zone_id(struct env *e)
{
	static char id[64];
	json_t *r = call(e, "{'Operation':'CreateHostedZone','Params':{'Name':'example.com',"
			    "'CallerReference':'z'}}");

	snprintf(
		id, sizeof(id), "%s",
		json_string_value(json_object_get(json_object_get(result(r), "HostedZone"), "Id")));
	json_decref(r);
	return id;
}

/* One multivalue A set of pool.example.com: SetIdentifier s<k>, 192.0.2.<k>, check id. */
static json_t *pool_set(struct env *e, const char *zone, const char *action, int k, const char *id)
{
	return call(e,
		    "{'Operation':'ChangeResourceRecordSets','Params':{'HostedZoneId':'%s',"
		    "'ChangeBatch':{'Changes':[{'Action':'%s','ResourceRecordSet':{'Name':"
		    "'pool.example.com','Type':'A','TTL':60,'SetIdentifier':'s%d',"
		    "'MultiValueAnswer':true,'HealthCheckId':'%s','ResourceRecords':[{'Value':"
		    "'192.0.2.%d'}]}}]}}}",
		    zone, action, k, id, k);
}

/* ---- the operations ---- */

Test(healthops, create_shape_and_caller_references)
{
	struct env e;
	char id[40], again[40];
	json_t *r, *res, *hc, *cfg;

	env_open(&e, false, 0);
	r = call(&e, "{'Operation':'CreateHealthCheck','Params':{'CallerReference':'r1',"
		     "'HealthCheckConfig':" HTTP_LO "}}");
	res = result(r);
	hc = json_object_get(res, "HealthCheck");
	snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(hc, "Id")));
	cr_assert_eq(strlen(id), 36, "a UUID: %s", id);
	cr_assert(id[8] == '-' && id[13] == '-' && id[14] == '4' && id[18] == '-' && id[23] == '-');
	cr_assert_str_eq(json_string_value(json_object_get(res, "Location")) +
				 strlen("https://route53.amazonaws.com/2013-04-01/healthcheck/"),
			 id);
	cr_assert_str_eq(json_string_value(json_object_get(hc, "CallerReference")), "r1");
	cr_assert_eq(json_integer_value(json_object_get(hc, "HealthCheckVersion")), 1);
	cfg = json_object_get(hc, "HealthCheckConfig");
	cr_assert_str_eq(json_string_value(json_object_get(cfg, "Type")), "HTTP");
	cr_assert_eq(json_integer_value(json_object_get(cfg, "RequestInterval")), 30);
	cr_assert_eq(json_integer_value(json_object_get(cfg, "FailureThreshold")), 3);
	json_decref(r);

	/* The same reference and settings: the same check, nothing new. */
	create(&e, "r1", HTTP_LO, again);
	cr_assert_str_eq(again, id);
	cr_assert_eq(checks_count(zones_checks(e.z)), 1);
	expect_error(call(&e, "{'Operation':'CreateHealthCheck','Params':{'CallerReference':'r1',"
			      "'HealthCheckConfig':" EXTERNAL "}}"),
		     "HealthCheckAlreadyExists",
		     "A different health check has already been created with the specified "
		     "caller reference.");
	/* A deleted check's reference stays taken, whatever the settings. */
	json_decref(
		call(&e, "{'Operation':'DeleteHealthCheck','Params':{'HealthCheckId':'%s'}}", id));
	cr_assert_eq(checks_count(zones_checks(e.z)), 0);
	expect_error(call(&e, "{'Operation':'CreateHealthCheck','Params':{'CallerReference':'r1',"
			      "'HealthCheckConfig':" HTTP_LO "}}"),
		     "HealthCheckAlreadyExists",
		     "A different health check has already been created with the specified "
		     "caller reference.");
	env_close(&e);
}

Test(healthops, invalid_input_messages)
{
	static const struct {
		const char *params, *message;
	} cases[] = {
		{"{'CallerReference':'r'}",
		 "Missing required parameter in input: \"HealthCheckConfig\""},
		{"{'HealthCheckConfig':" EXTERNAL "}",
		 "Missing required parameter in input: \"CallerReference\""},
		{"{'CallerReference':'r','HealthCheckConfig':" EXTERNAL ",'Tags':[]}",
		 "Unknown parameter in input: \"Tags\", must be one of: CallerReference, "
		 "HealthCheckConfig"},
		{"{'CallerReference':'01234567890123456789012345678901234567890123456789012345678"
		 "901234','HealthCheckConfig':" EXTERNAL "}",
		 "1 validation error detected: Value "
		 "'01234567890123456789012345678901234567890123456789012345678901234' at "
		 "'callerReference' failed to satisfy constraint: Member must have length between "
		 "1 and 64"},
		{"{'CallerReference':'r','HealthCheckConfig':{'Type':'HTTP','IPAddress':'127.0.0.1'"
		 ","
		 "'RequestInterval':20}}",
		 "Invalid parameter : RequestInterval must be either 10 or 30."},
		{"{'CallerReference':'r','HealthCheckConfig':{'Type':'HTTP'}}",
		 "Invalid parameter : HTTP health checks must have either IPAddress or "
		 "FullyQualifiedDomainName specified."},
		{"{'CallerReference':'r','HealthCheckConfig':{'Type':'EXTERNAL','Port':80}}",
		 "Invalid parameter : EXTERNAL health checks must not have IPAddress, "
		 "FullyQualifiedDomainName, Port, ResourcePath or SearchString specified."},
		{"{'CallerReference':'r','HealthCheckConfig':{'Type':'TCP','IPAddress':'127.0.0.1',"
		 "'Port':80,'FailureThreshold':11}}",
		 "1 validation error detected: Value '11' at 'healthCheckConfig.failureThreshold' "
		 "failed to satisfy constraint: "
		 "Member must have value less than or equal to 10"},
	};
	struct env e;

	env_open(&e, false, 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_error(
			call(&e, "{'Operation':'CreateHealthCheck','Params':%s}", cases[i].params),
			"InvalidInput", cases[i].message);
	cr_assert_eq(checks_count(zones_checks(e.z)), 0);
	env_close(&e);
}

Test(healthops, no_such_health_check_everywhere)
{
	static const char *const ops[] = {
		"{'Operation':'GetHealthCheck','Params':{'HealthCheckId':'nope'}}",
		"{'Operation':'UpdateHealthCheck','Params':{'HealthCheckId':'nope','Inverted':true}"
		"}",
		"{'Operation':'DeleteHealthCheck','Params':{'HealthCheckId':'nope'}}",
		"{'Operation':'GetHealthCheckStatus','Params':{'HealthCheckId':'nope'}}",
		"{'Operation':'SetHealthCheckStatus','Params':{'HealthCheckId':'nope','Status':"
		"'Healthy'}}",
	};
	struct env e;

	env_open(&e, true, 0);
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		expect_error(call(&e, "%s", ops[i]), "NoSuchHealthCheck",
			     "No health check found with ID: nope");
	env_close(&e);
}

Test(healthops, list_pages_with_marker_and_max_items)
{
	struct env e;
	char ids[5][40], ref[8];
	json_t *r, *res;

	env_open(&e, false, 0);
	for (int i = 0; i < 5; i++) {
		snprintf(ref, sizeof(ref), "r%d", i);
		create(&e, ref, EXTERNAL, ids[i]);
	}
	r = call(&e, "{'Operation':'ListHealthChecks','Params':{}}");
	res = result(r);
	cr_assert_eq(json_array_size(json_object_get(res, "HealthChecks")), 5);
	cr_assert_str_eq(json_string_value(json_object_get(res, "Marker")), "");
	cr_assert_str_eq(json_string_value(json_object_get(res, "MaxItems")), "100");
	cr_assert(json_is_false(json_object_get(res, "IsTruncated")));
	cr_assert_null(json_object_get(res, "NextMarker"));
	json_decref(r);
	r = call(&e, "{'Operation':'ListHealthChecks','Params':{'MaxItems':'2'}}");
	res = result(r);
	cr_assert_eq(json_array_size(json_object_get(res, "HealthChecks")), 2);
	cr_assert(json_is_true(json_object_get(res, "IsTruncated")));
	cr_assert_str_eq(json_string_value(json_object_get(res, "NextMarker")), ids[2]);
	json_decref(r);
	r = call(&e, "{'Operation':'ListHealthChecks','Params':{'MaxItems':2,'Marker':'%s'}}",
		 ids[4]);
	res = result(r);
	cr_assert_str_eq(json_string_value(json_object_get(res, "Marker")), ids[4]);
	cr_assert_str_eq(json_string_value(json_object_get(
				 json_array_get(json_object_get(res, "HealthChecks"), 0), "Id")),
			 ids[4]);
	cr_assert(json_is_false(json_object_get(res, "IsTruncated")));
	json_decref(r);
	expect_error(call(&e, "{'Operation':'ListHealthChecks','Params':{'Marker':'x'}}"),
		     "InvalidInput", "Invalid marker: no health check x");
	expect_error(call(&e, "{'Operation':'ListHealthChecks','Params':{'MaxItems':'0'}}"),
		     "InvalidInput", "MaxItems must be a positive integer");
	env_close(&e);
}

Test(healthops, update_checks_the_version_and_changes_what_route53_allows)
{
	struct env e;
	char id[40];
	json_t *r, *cfg;

	env_open(&e, true, 0);
	create(&e, "r",
	       "{'Type':'HTTP','IPAddress':'127.0.0.1','Port':9,'ResourcePath':'/a',"
	       "'FailureThreshold':2}",
	       id);
	r = call(&e,
		 "{'Operation':'UpdateHealthCheck','Params':{'HealthCheckId':'%s',"
		 "'HealthCheckVersion':1,'Port':10,'FailureThreshold':5,'Inverted':true,"
		 "'ResetElements':['ResourcePath']}}",
		 id);
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(result(r), "HealthCheck"),
							"HealthCheckVersion")),
		     2);
	cfg = json_object_get(json_object_get(result(r), "HealthCheck"), "HealthCheckConfig");
	cr_assert_eq(json_integer_value(json_object_get(cfg, "Port")), 10);
	cr_assert_eq(json_integer_value(json_object_get(cfg, "FailureThreshold")), 5);
	cr_assert(json_is_true(json_object_get(cfg, "Inverted")));
	cr_assert_null(json_object_get(cfg, "ResourcePath"));
	cr_assert_str_eq(json_string_value(json_object_get(cfg, "IPAddress")), "127.0.0.1");
	json_decref(r);
	expect_error(call(&e,
			  "{'Operation':'UpdateHealthCheck','Params':{'HealthCheckId':'%s',"
			  "'HealthCheckVersion':1,'Port':11}}",
			  id),
		     "HealthCheckVersionMismatch",
		     "The value of HealthCheckVersion in the request doesn't match the value of "
		     "HealthCheckVersion in the health check.");
	expect_error(call(&e,
			  "{'Operation':'UpdateHealthCheck','Params':{'HealthCheckId':'%s',"
			  "'SearchString':'ok'}}",
			  id),
		     "InvalidInput",
		     "Invalid parameter : SearchString is only allowed for HTTP_STR_MATCH and "
		     "HTTPS_STR_MATCH health checks.");
	expect_error(
		call(&e,
		     "{'Operation':'UpdateHealthCheck','Params':{'HealthCheckId':'%s',"
		     "'RequestInterval':10}}",
		     id),
		"InvalidInput",
		"Unknown parameter in input: \"RequestInterval\", must be one of: "
		"HealthCheckId, HealthCheckVersion, IPAddress, Port, ResourcePath, "
		"FullyQualifiedDomainName, SearchString, FailureThreshold, Inverted, Disabled, "
		"HealthThreshold, ChildHealthChecks, EnableSNI, Regions, AlarmIdentifier, "
		"InsufficientDataHealthStatus, ResetElements");
	expect_error(call(&e,
			  "{'Operation':'UpdateHealthCheck','Params':{'HealthCheckId':'%s',"
			  "'ResetElements':['Port']}}",
			  id),
		     "InvalidInput",
		     "1 validation error detected: Value 'Port' at 'resetElements.1.member' "
		     "failed to satisfy constraint: Member must satisfy enum value set: "
		     "[FullyQualifiedDomainName, Regions, ResourcePath, ChildHealthChecks]");
	cr_assert_eq(checks_find(zones_checks(e.z), id)->version, 2, "refusals change nothing");
	env_close(&e);
}

Test(healthops, delete_refused_in_use_and_indexes_stay_dense)
{
	struct env e;
	char a[40], b[40], c[40], d[40], want[256];
	const char *zone;

	env_open(&e, false, 0);
	zone = zone_id(&e);
	create(&e, "a", EXTERNAL, a);
	create(&e, "b", EXTERNAL, b);
	create(&e, "c", EXTERNAL, c);
	cr_assert_eq(checks_find(zones_checks(e.z), b)->index, 2);
	json_decref(pool_set(&e, zone, "CREATE", 1, b));
	snprintf(want, sizeof(want),
		 "The health check %s is still referenced from parameter ResourceRecordSet with "
		 "name pool.example.com. and type A",
		 b);
	expect_error(
		call(&e, "{'Operation':'DeleteHealthCheck','Params':{'HealthCheckId':'%s'}}", b),
		"HealthCheckInUse", want);
	cr_assert_not_null(checks_find(zones_checks(e.z), b));
	json_decref(pool_set(&e, zone, "DELETE", 1, b));
	json_decref(
		call(&e, "{'Operation':'DeleteHealthCheck','Params':{'HealthCheckId':'%s'}}", b));
	cr_assert_null(checks_find(zones_checks(e.z), b));
	/* The freed index goes to the next check; the others keep theirs. */
	create(&e, "d", EXTERNAL, d);
	cr_assert_eq(checks_find(zones_checks(e.z), d)->index, 2);
	cr_assert_eq(checks_find(zones_checks(e.z), a)->index, 1);
	cr_assert_eq(checks_find(zones_checks(e.z), c)->index, 3);
	env_close(&e);
}

Test(healthops, set_status_is_for_external_checks_and_is_drained_at_once)
{
	struct env e;
	char ext[40], http[40], want[256];
	json_t *r, *obs;

	env_open(&e, true, 0);
	create(&e, "ext", EXTERNAL, ext);
	create(&e, "http", HTTP_LO, http);
	snprintf(want, sizeof(want),
		 "Invalid parameter : SetHealthCheckStatus applies to EXTERNAL health checks "
		 "only; health check %s is of type HTTP.",
		 http);
	expect_error(call(&e,
			  "{'Operation':'SetHealthCheckStatus','Params':{'HealthCheckId':'%s',"
			  "'Status':'Unhealthy'}}",
			  http),
		     "InvalidInput", want);
	expect_error(call(&e,
			  "{'Operation':'SetHealthCheckStatus','Params':{'HealthCheckId':'%s',"
			  "'Status':'Sick'}}",
			  ext),
		     "InvalidInput",
		     "1 validation error detected: Value 'Sick' at 'status' failed to satisfy "
		     "constraint: Member must satisfy enum value set: [Healthy, Unhealthy]");
	cr_assert(checks_find(zones_checks(e.z), ext)->healthy, "a new check starts healthy");
	expect_ok(call(&e,
		       "{'Operation':'SetHealthCheckStatus','Params':{'HealthCheckId':"
		       "'%s','Status':'Unhealthy'}}",
		       ext));
	cr_assert_not(checks_find(zones_checks(e.z), ext)->healthy, "drained before the answer");
	cr_assert_not(mv_checker_healthy(e.hc, checks_find(zones_checks(e.z), ext)->index));
	r = call(&e, "{'Operation':'GetHealthCheckStatus','Params':{'HealthCheckId':'%s'}}", ext);
	obs = json_array_get(json_object_get(result(r), "HealthCheckObservations"), 0);
	cr_assert_str_eq(json_string_value(json_object_get(obs, "Region")), "local");
	cr_assert_not_null(json_string_value(json_object_get(obs, "IPAddress")));
	cr_assert_str_eq(
		json_string_value(json_object_get(json_object_get(obs, "StatusReport"), "Status")),
		"Failure: Set Unhealthy by SetHealthCheckStatus");
	cr_assert_eq(strlen(json_string_value(
			     json_object_get(json_object_get(obs, "StatusReport"), "CheckedTime"))),
		     24);
	json_decref(r);
	/* Inverted reads the same result the other way, at once. */
	expect_ok(call(&e,
		       "{'Operation':'UpdateHealthCheck','Params':{'HealthCheckId':'%s',"
		       "'Inverted':true}}",
		       ext));
	cr_assert(checks_find(zones_checks(e.z), ext)->healthy);
	env_close(&e);
}

Test(healthops, a_batch_naming_an_unknown_check_changes_nothing)
{
	struct env e;
	char id[40];
	const char *zone;
	const struct mv_rrset *rr;
	uint8_t owner[MVDNS_NAME_MAX];

	env_open(&e, false, 0);
	zone = zone_id(&e);
	create(&e, "r", EXTERNAL, id);
	expect_error(call(&e,
			  "{'Operation':'ChangeResourceRecordSets','Params':{'HostedZoneId':'%s',"
			  "'ChangeBatch':{'Changes':["
			  "{'Action':'CREATE','ResourceRecordSet':{'Name':'www.example.com',"
			  "'Type':'A','TTL':60,'ResourceRecords':[{'Value':'192.0.2.9'}]}},"
			  "{'Action':'CREATE','ResourceRecordSet':{'Name':'pool.example.com',"
			  "'Type':'A','TTL':60,'SetIdentifier':'x','MultiValueAnswer':true,"
			  "'HealthCheckId':'%s','ResourceRecords':[{'Value':'192.0.2.1'}]}},"
			  "{'Action':'CREATE','ResourceRecordSet':{'Name':'pool.example.com',"
			  "'Type':'A','TTL':60,'SetIdentifier':'y','MultiValueAnswer':true,"
			  "'HealthCheckId':'00000000-0000-4000-8000-000000000000',"
			  "'ResourceRecords':[{'Value':'192.0.2.2'}]}}]}}}",
			  zone, id),
		     "NoSuchHealthCheck",
		     "No health check found with ID: 00000000-0000-4000-8000-000000000000");
	cr_assert_eq(mv_store_count(zones_at(e.z, 0)->store), 2, "only the SOA and NS");
	/* Accepted, the set carries the check's index. */
	expect_ok(pool_set(&e, zone, "CREATE", 1, id));
	dns_name_from_text("pool.example.com", owner, NULL, 0);
	rr = mv_store_find(zones_at(e.z, 0)->store, owner, DNS_TYPE_A, "s1");
	cr_assert_not_null(rr);
	cr_assert_eq(rr->health, 1);
	env_close(&e);
}

/* ---- persistence ---- */

/* Three checks, two in use by record sets, statuses set and one check deleted. */
static void workload(struct env *e, char ids[3][40])
{
	const char *zone = zone_id(e);
	char gone[40];

	create(e, "a", EXTERNAL, ids[0]);
	create(e, "gone", EXTERNAL, gone);
	create(e, "b", EXTERNAL, ids[1]);
	json_decref(
		call(e, "{'Operation':'DeleteHealthCheck','Params':{'HealthCheckId':'%s'}}", gone));
	/* Disabled: never probed, so that nothing changes behind the test's back. */
	create(e, "c", "{'Type':'HTTP','IPAddress':'127.0.0.1','Port':9,'Disabled':true}", ids[2]);
	expect_ok(pool_set(e, zone, "CREATE", 1, ids[0]));
	expect_ok(pool_set(e, zone, "CREATE", 2, ids[1]));
	expect_ok(call(e,
		       "{'Operation':'SetHealthCheckStatus','Params':{'HealthCheckId':"
		       "'%s','Status':'Unhealthy'}}",
		       ids[1]));
	expect_ok(call(e,
		       "{'Operation':'UpdateHealthCheck','Params':{'HealthCheckId':'%s',"
		       "'FailureThreshold':1}}",
		       ids[2]));
}

static void expect_restored(struct env *e, char ids[3][40], const char *state)
{
	char *now = snapshot_encode(e->z, 0);
	const struct checks *c = zones_checks(e->z);

	cr_assert_str_eq(now, state);
	free(now);
	cr_assert_eq(checks_count(c), 3);
	cr_assert_eq(checks_find(c, ids[0])->index, 1);
	cr_assert_eq(checks_find(c, ids[1])->index, 3, "indexes never change");
	cr_assert_eq(checks_find(c, ids[2])->index, 2, "the freed index was taken again");
	cr_assert_eq(checks_find(c, ids[2])->version, 2);
	cr_assert(checks_find(c, ids[0])->healthy);
	cr_assert_not(checks_find(c, ids[1])->healthy, "the status survives the restart");
	cr_assert_not(mv_checker_healthy(e->hc, 3), "the engine restarts from it");
	cr_assert(mv_checker_healthy(e->hc, 1));
	cr_assert(checks_caller_deleted(c, "gone"));
	/* The set's index is back too. */
	uint8_t owner[MVDNS_NAME_MAX];
	dns_name_from_text("pool.example.com", owner, NULL, 0);
	cr_assert_eq(mv_store_find(zones_at(e->z, 0)->store, owner, DNS_TYPE_A, "s2")->health, 3);
}

Test(healthops, journal_replay_restores_checks_indexes_and_statuses)
{
	struct env e;
	char ids[3][40], *state;

	env_open(&e, true, 0);
	workload(&e, ids);
	state = snapshot_encode(e.z, 0);
	env_close(&e); /* no checkpoint: the statuses come from the lazy records */
	env_open(&e, true, 0);
	expect_restored(&e, ids, state);
	expect_error(call(&e, "{'Operation':'CreateHealthCheck','Params':{'CallerReference':"
			      "'gone','HealthCheckConfig':" EXTERNAL "}}"),
		     "HealthCheckAlreadyExists",
		     "A different health check has already been created with the specified "
		     "caller reference.");
	env_close(&e);
	free(state);
}

Test(healthops, snapshots_restore_checks_and_statuses)
{
	struct env e;
	char ids[3][40], *state, *journal, path[128];
	size_t len;

	env_open(&e, true, 4); /* snapshots along the way */
	workload(&e, ids);
	state = snapshot_encode(e.z, 0);
	cr_assert_eq(service_checkpoint(e.s), 0);
	env_close(&e);
	snprintf(path, sizeof(path), "%s/%s", dir, SERVICE_JOURNAL_FILE);
	cr_assert_eq(journal_read_file(path, &journal, &len), 0);
	cr_assert_eq(len, 0, "everything is in the snapshot");
	free(journal);
	env_open(&e, true, 4);
	expect_restored(&e, ids, state);
	env_close(&e);
	free(state);
}

/* ---- messages: a consumer that reads the ring as the dataplane does ---- */

#define SEG_RING (1u << 20)
#define MSGS_MAX 64

struct msg {
	uint16_t type;
	uint64_t seq;
	uint32_t nhealth; /* HEALTH: statuses */
	struct feed_health health[16];
	uint16_t nsets; /* NAME: record sets, and each one's health index */
	uint32_t set_health[16];
};

struct consumer {
	struct mv_chan_shm *shm;
	uint64_t consumed;
	size_t n;
	struct msg m[MSGS_MAX];
};

/* A HEALTH payload as the ABI lays it out: u32 count, count {u32 index, u32 status}, zeros. */
static void decode_health(struct msg *m, const uint8_t *p, uint32_t len)
{
	uint32_t n;

	cr_assert_geq(len, 4);
	memcpy(&n, p, 4);
	cr_assert_gt(n, 0);
	cr_assert_leq(n, 16);
	cr_assert_eq((4 + 8 * n + 7) / 8 * 8, len, "padded to 8 octets, no more");
	for (uint32_t i = 4 + 8 * n; i < len; i++)
		cr_assert_eq(p[i], 0);
	memcpy(m->health, p + 4, 8 * n);
	m->nhealth = n;
	for (uint32_t i = 0; i < n; i++) {
		cr_assert_gt(m->health[i].index, 0);
		cr_assert_leq(m->health[i].status, MV_CHAN_HEALTHY);
	}
}

static void decode_name(struct msg *m, const uint8_t *p, uint32_t len)
{
	uint8_t owner[MVDNS_NAME_MAX], owner_len;
	struct mv_rrset *sets;
	uint16_t n;

	cr_assert_eq(mv_channel_decode_name(p, len, owner, &owner_len, &sets, &n), 0);
	m->nsets = n;
	for (uint16_t i = 0; i < n && i < 16; i++)
		m->set_health[i] = sets[i].health;
	mv_channel_free_sets(sets, n);
}

static void consume(struct consumer *c)
{
	struct mv_chan_shm *shm = c->shm;
	uint64_t produced = __atomic_load_n(&shm->produced, __ATOMIC_ACQUIRE);

	while (c->consumed < produced) {
		uint64_t off = c->consumed % shm->ring_size;
		struct mv_chan_msg h;
		struct msg *m = &c->m[c->n];

		memcpy(&h, shm->ring + off, sizeof(h));
		cr_assert_lt(c->n, MSGS_MAX);
		cr_assert_eq(h.len % MV_CHAN_ALIGN, 0);
		memset(m, 0, sizeof(*m));
		m->type = h.type;
		m->seq = h.seq;
		if (h.type == MV_CHAN_HEALTH)
			decode_health(m, shm->ring + off + sizeof(h), h.len - (uint32_t)sizeof(h));
		if (h.type == MV_CHAN_NAME)
			decode_name(m, shm->ring + off + sizeof(h), h.len - (uint32_t)sizeof(h));
		c->n++;
		c->consumed += h.len;
	}
	__atomic_store_n(&shm->consumed, c->consumed, __ATOMIC_RELEASE);
}

/* A segment (channel `name`) as a dataplane creates it, in dir/shm; unmapped by the caller. */
static struct mv_chan_shm *seg_create(char segdir[96], const char *name)
{
	size_t size = sizeof(struct mv_chan_shm) + SEG_RING;
	struct mv_chan_shm *shm;
	char path[160];
	int fd;

	snprintf(segdir, 96, "%s/shm", dir);
	cr_assert(mkdir(segdir, 0700) == 0 || errno == EEXIST);
	snprintf(path, sizeof(path), "%s/%s%s", segdir, MV_CHAN_SHM_PREFIX, name);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	cr_assert_geq(fd, 0);
	cr_assert_eq(ftruncate(fd, (off_t)size), 0);
	shm = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	cr_assert_neq(shm, MAP_FAILED);
	shm->version = MV_CHAN_VERSION;
	shm->hdr_size = sizeof(*shm);
	shm->ring_size = SEG_RING;
	shm->dp_epoch = 1;
	shm->dp_pid = (uint64_t)getpid();
	__atomic_store_n(&shm->magic, MV_CHAN_MAGIC, __ATOMIC_RELEASE);
	return shm;
}

/* Message i is a HEALTH of these statuses (index, status pairs). */
static void expect_health(const struct consumer *c, size_t i, uint32_t n, const uint32_t *pairs)
{
	cr_assert_eq(c->m[i].type, MV_CHAN_HEALTH, "message %zu", i);
	cr_assert_eq(c->m[i].nhealth, n, "message %zu", i);
	for (uint32_t k = 0; k < n; k++) {
		cr_assert_eq(c->m[i].health[k].index, pairs[2 * k]);
		cr_assert_eq(c->m[i].health[k].status, pairs[2 * k + 1]);
	}
}

Test(healthops, feed_encodes_health_as_the_abi_says)
{
	const struct feed_health st[3] = {{1, MV_CHAN_HEALTHY}, {7, MV_CHAN_UNHEALTHY}, {2, 1}};
	uint8_t buf[64];
	struct mv_chan_msg h;
	struct msg m;
	long len = feed_encode_health(st, 3, 42, buf, sizeof(buf));

	cr_assert_eq(len, 16 + 32, "header, count, 3 entries, 4 octets of padding");
	memcpy(&h, buf, sizeof(h));
	cr_assert_eq(h.len, len);
	cr_assert_eq(h.type, MV_CHAN_HEALTH);
	cr_assert_eq(h.seq, 42);
	decode_health(&m, buf + 16, 32);
	cr_assert_eq(m.nhealth, 3);
	cr_assert_eq(m.health[1].index, 7);
	cr_assert_eq(m.health[1].status, MV_CHAN_UNHEALTHY);
	cr_assert_eq(feed_encode_health(st, 0, 1, buf, sizeof(buf)), -EMSGSIZE);
	cr_assert_eq(feed_encode_health(st, 3, 1, buf, 40), -EMSGSIZE);
	cr_assert_eq(feed_encode_health(st, FEED_HEALTH_MAX + 1, 1, buf, sizeof(buf)), -EMSGSIZE);
}

Test(healthops, names_carry_indexes_and_statuses_travel_as_health_batches)
{
	struct consumer *c = calloc(1, sizeof(*c));
	char ids[4][40], segdir[96], ref[8];
	const char *zone;
	struct peers *p;
	struct env e;
	size_t n;

	env_open(&e, true, 0);
	zone = zone_id(&e);
	for (int i = 0; i < 3; i++) {
		snprintf(ref, sizeof(ref), "r%d", i);
		create(&e, ref, EXTERNAL, ids[i]);
		expect_ok(pool_set(&e, zone, "CREATE", i + 1, ids[i]));
	}
	expect_ok(call(&e,
		       "{'Operation':'SetHealthCheckStatus','Params':{'HealthCheckId':"
		       "'%s','Status':'Unhealthy'}}",
		       ids[1]));
	c->shm = seg_create(segdir, "test");
	p = peers_create(segdir, e.z);
	service_set_peers(e.s, p);

	/* The full state: SYNC_BEGIN, the names (with indexes), every status, COMMIT. */
	cr_assert_eq(scan(p), 1);
	consume(c);
	cr_assert_eq(c->n, 5);
	cr_assert_eq(c->m[0].type, MV_CHAN_SYNC_BEGIN);
	cr_assert_eq(c->m[1].type, MV_CHAN_NAME); /* example.com: SOA, NS */
	cr_assert_eq(c->m[2].type, MV_CHAN_NAME); /* pool.example.com */
	cr_assert_eq(c->m[2].nsets, 3);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(c->m[2].set_health[i], (uint32_t)i + 1, "set s%d", i + 1);
	expect_health(c, 3, 3, (const uint32_t[]){1, 1, 2, 0, 3, 1});
	cr_assert_eq(c->m[3].seq, c->m[0].seq);
	cr_assert_eq(c->m[4].type, MV_CHAN_COMMIT);

	/* Statuses drained together: one HEALTH message, one COMMIT. */
	cr_assert_eq(mv_checker_set_external(e.hc, 1, false), 0);
	cr_assert_eq(mv_checker_set_external(e.hc, 3, false), 0);
	cr_assert_eq(mv_checker_set_external(e.hc, 2, true), 0);
	cr_assert_eq(service_health_drain(e.s), 3);
	consume(c);
	cr_assert_eq(c->n, 7);
	expect_health(c, 5, 3, (const uint32_t[]){1, 0, 3, 0, 2, 1});
	cr_assert_eq(c->m[6].type, MV_CHAN_COMMIT);
	cr_assert_eq(c->m[6].seq, c->m[5].seq);
	cr_assert_gt(c->m[6].seq, c->m[4].seq);
	cr_assert_eq(service_health_drain(e.s), 0, "nothing queued: nothing sent");
	consume(c);
	cr_assert_eq(c->n, 7);

	/* A new check announces its index healthy; deleting it frees the index healthy. */
	create(&e, "r3", EXTERNAL, ids[3]);
	expect_ok(call(&e,
		       "{'Operation':'DeleteHealthCheck','Params':{'HealthCheckId':"
		       "'%s'}}",
		       ids[3]));
	consume(c);
	cr_assert_eq(c->n, 11);
	expect_health(c, 7, 1, (const uint32_t[]){4, 1});
	cr_assert_eq(c->m[8].type, MV_CHAN_COMMIT);
	expect_health(c, 9, 1, (const uint32_t[]){4, 1});
	cr_assert_eq(c->m[10].type, MV_CHAN_COMMIT);

	/* A batch: the name again, each set with its index. */
	n = c->n;
	expect_ok(pool_set(&e, zone, "DELETE", 2, ids[1]));
	consume(c);
	cr_assert_eq(c->n, n + 2);
	cr_assert_eq(c->m[n].type, MV_CHAN_NAME);
	cr_assert_eq(c->m[n].nsets, 2);
	cr_assert_eq(c->m[n].set_health[0], 1);
	cr_assert_eq(c->m[n].set_health[1], 3);
	peers_destroy(p);
	munmap(c->shm, sizeof(struct mv_chan_shm) + SEG_RING);
	free(c);
	env_close(&e);
}

Test(healthops, the_control_feeds_only_the_channels_named)
{
	static const char *const two[] = {"two"}, *const slash[] = {"a/b"}, *const empty[] = {""};
	struct mv_chan_shm *one, *other;
	char segdir[96];
	struct peers *p;
	struct env e;

	env_open(&e, false, 0);
	one = seg_create(segdir, "one");
	other = seg_create(segdir, "two");
	p = peers_create(segdir, e.z);
	cr_assert_eq(peers_restrict(p, slash, 1), -EINVAL);
	cr_assert_eq(peers_restrict(p, empty, 1), -EINVAL);
	cr_assert_eq(peers_restrict(p, two, 1), 0);
	cr_assert_eq(scan(p), 1);
	cr_assert_eq(one->ctl_pid, 0, "not named: left alone");
	cr_assert_eq(one->produced, 0);
	cr_assert_eq(other->ctl_pid, (uint64_t)getpid());
	cr_assert_gt(other->produced, 0, "named: fed its full state");
	cr_assert_eq(peers_restrict(p, NULL, 0), 0);
	cr_assert_eq(scan(p), 2, "no names: every channel");
	peers_destroy(p);
	munmap(one, sizeof(struct mv_chan_shm) + SEG_RING);
	munmap(other, sizeof(struct mv_chan_shm) + SEG_RING);
	env_close(&e);
}

/* ---- end to end: the dataplane's consumer, table and answers ---- */

#define POOL_WIRE "\4pool\7example\3com"
#define POOL_LEN  18 /* with the root label */

static void no_sync(void *arg)
{
	(void)arg;
}

/* Ask for pool.example.com A `queries` times; count each value (192.0.2.k) seen. */
static void ask_pool(const struct mv_table *t, unsigned queries, unsigned want_per_answer,
		     unsigned seen[11])
{
	static const uint8_t hdr[12] = {0x12, 0x34, 0x01, 0, 0, 1, 0, 0, 0, 0, 0, 0};
	uint64_t rng = 99;

	memset(seen, 0, 11 * sizeof(unsigned));
	for (unsigned q = 0; q < queries; q++) {
		uint8_t b[1024];
		enum mv_verdict v;
		uint16_t n = 12;
		const uint8_t *rr;

		memcpy(b, hdr, 12);
		memcpy(b + n, POOL_WIRE, POOL_LEN); /* the literal's NUL is the root label */
		n = (uint16_t)(n + POOL_LEN);
		dns_put_u16(b + n, DNS_TYPE_A);
		dns_put_u16(b + n + 2, DNS_CLASS_IN);
		n = (uint16_t)(n + 4);
		cr_assert_gt(mv_answer(t, b, n, sizeof(b), &rng, &v), 0);
		cr_assert_eq(v, MV_VERDICT_ANSWER_NOERROR);
		cr_assert_eq(dns_hdr_ancount(b), want_per_answer, "query %u", q);
		rr = b + 12 + POOL_LEN + 4;
		for (unsigned i = 0; i < want_per_answer; i++, rr += 16) {
			cr_assert_eq(dns_get_u16(rr + 10), 4);
			cr_assert(rr[15] >= 1 && rr[15] <= 10);
			seen[rr[15]]++;
		}
	}
}

static unsigned distinct(const unsigned seen[11])
{
	unsigned n = 0;

	for (int k = 1; k <= 10; k++)
		n += seen[k] > 0;
	return n;
}

static void set_all(struct env *e, char ids[10][40], int from, int to, const char *status)
{
	for (int k = from; k < to; k++)
		expect_ok(call(e,
			       "{'Operation':'SetHealthCheckStatus','Params':{"
			       "'HealthCheckId':'%s','Status':'%s'}}",
			       ids[k], status));
}

Test(healthops, answers_follow_the_statuses_end_to_end, .fini = private_shm_remove)
{
	struct mv_table *_Atomic current;
	char ids[10][40], ref[8];
	unsigned seen[11];
	struct mv_channel *ch;
	const char *zone;
	struct peers *p;
	struct env e;

	env_open(&e, true, 0);
	zone = zone_id(&e);
	for (int k = 0; k < 10; k++) {
		snprintf(ref, sizeof(ref), "r%d", k);
		create(&e, ref, EXTERNAL, ids[k]);
		expect_ok(pool_set(&e, zone, "CREATE", k + 1, ids[k]));
	}
	/* The dataplane's segment, seen through a private directory. */
	private_shm_paths("healthops");
	cr_assert_eq(mkdir(private_shm_dir, 0700), 0);
	atomic_init(&current, mv_table_create(16, no_sync, NULL));
	ch = mv_channel_create(private_shm_name, &current, no_sync, NULL);
	cr_assert_not_null(ch);
	cr_assert_eq(link(private_shm_seg, private_shm_link), 0);
	p = peers_create(private_shm_dir, e.z);
	service_set_peers(e.s, p);
	cr_assert_eq(scan(p), 1);

	cr_assert_gt(mv_channel_poll(ch), 0);
	ask_pool(current, 200, 8, seen);
	cr_assert_eq(distinct(seen), 10, "8 of 10 per answer, all 10 served");

	set_all(&e, ids, 0, 7, "Unhealthy");
	cr_assert_gt(mv_channel_poll(ch), 0);
	ask_pool(current, 100, 3, seen);
	cr_assert_eq(distinct(seen), 3);
	for (int k = 8; k <= 10; k++)
		cr_assert_gt(seen[k], 0, "192.0.2.%d is healthy", k);

	set_all(&e, ids, 7, 10, "Unhealthy");
	cr_assert_gt(mv_channel_poll(ch), 0);
	ask_pool(current, 200, 8, seen);
	cr_assert_eq(distinct(seen), 10, "none healthy: fail open over all of them");

	set_all(&e, ids, 0, 10, "Healthy");
	cr_assert_gt(mv_channel_poll(ch), 0);
	ask_pool(current, 200, 8, seen);
	cr_assert_eq(distinct(seen), 10);
	cr_assert_eq(mv_channel_rejected(ch), 0, "every message was well formed");

	peers_destroy(p);
	mv_channel_destroy(ch);
	mv_table_destroy(current);
	env_close(&e);
}
