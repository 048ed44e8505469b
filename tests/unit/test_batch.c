/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Change batch parsing: the shape checks (InvalidInput), the meaning checks
 * (InvalidChangeBatch), every message word for word, and the AWS CLI format.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "jscan.h"
#include "text.h"
#include "wire.h"

static struct mv_batch batch;
static struct mv_error err;

static void teardown(void)
{
	mv_batch_free(&batch);
}

TestSuite(batch, .fini = teardown);

/* The JSON with ' turned into " (test documents read better that way). */
static const char *J(const char *s)
{
	static char buf[1 << 17];
	size_t i = 0;

	for (; s[i] != '\0' && i + 1 < sizeof(buf); i++)
		buf[i] = s[i] == '\'' ? '"' : s[i];
	buf[i] = '\0';
	return buf;
}

static bool str_same(const char *a, const char *b)
{
	return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

/* Whether two parsed batches hold the same. */
static bool batch_same(const struct mv_batch *a, const struct mv_batch *b)
{
	if (!str_same(a->comment, b->comment) || !str_same(a->hosted_zone_id, b->hosted_zone_id) ||
	    a->count != b->count)
		return false;
	for (size_t i = 0; i < a->count; i++) {
		const struct mv_rrset *x = &a->changes[i].rrset, *y = &b->changes[i].rrset;

		if (a->changes[i].action != b->changes[i].action || x->owner_len != y->owner_len ||
		    memcmp(x->owner, y->owner, x->owner_len) != 0 || x->type != y->type ||
		    x->ttl != y->ttl || !str_same(x->set_identifier, y->set_identifier) ||
		    !str_same(x->health_check_id, y->health_check_id) ||
		    x->multivalue != y->multivalue || x->count != y->count ||
		    x->health != y->health)
			return false;
		for (size_t j = 0; j < x->count; j++)
			if (x->rdata_len[j] != y->rdata_len[j] ||
			    memcmp(x->rdata[j], y->rdata[j], x->rdata_len[j]) != 0 ||
			    !str_same(x->values[j], y->values[j]))
				return false;
	}
	return true;
}

/*
 * The document through the general path alone (jansson's tree): 0 with
 * *general filled, or an error.
 */
static int parse_general(const char *json, unsigned flags, struct mv_batch *general)
{
	json_t *doc = json_loads(json, JSON_REJECT_DUPLICATES, NULL);
	struct mv_error e;
	int rc = doc != NULL ? mv_batch_parse_doc(doc, flags, general, &e) : -EINVAL;

	if (doc == NULL)
		memset(general, 0, sizeof(*general));
	json_decref(doc);
	return rc;
}

/*
 * The fast path on the same document: it takes only what the general path
 * accepts, giving the same batch; and what mv_batch_parse_opts gave (rc,
 * got), which tries the fast path first, is what the general path gives.
 * Returns the fast path's result.
 */
static int cross_check(const char *json, unsigned flags, int rc, const struct mv_batch *got)
{
	struct mv_batch fast, general;
	int frc = mv_batch_parse_fast(json, strlen(json), flags, &fast);
	int grc = parse_general(json, flags, &general);

	cr_assert(frc == 0 || frc == -EAGAIN, "fast path: %d", frc);
	cr_assert_eq(rc == 0, grc == 0, "parse gave %d, the general path %d: %s", rc, grc, json);
	if (frc == 0) {
		cr_assert_eq(grc, 0, "the fast path took what the general path refused: %s", json);
		cr_assert(batch_same(&fast, &general), "the two paths differ on %s", json);
	}
	if (rc == 0)
		cr_assert(batch_same(got, &general), "parse and the general path differ on %s",
			  json);
	mv_batch_free(&fast);
	mv_batch_free(&general);
	return frc;
}

static int parse(const char *json)
{
	int rc = mv_batch_parse(json, strlen(json), &batch, &err);

	cross_check(json, 0, rc, &batch);
	return rc;
}

static int parse_opts(const char *json, unsigned flags)
{
	int rc = mv_batch_parse_opts(json, strlen(json), flags, &batch, &err);

	cross_check(json, flags, rc, &batch);
	return rc;
}

/* Assert the error: code and every message, in order (NULL-terminated). */
static void expect(const char *code, ...)
{
	const char *m;
	size_t n = 0;
	va_list ap;

	cr_assert_str_eq(err.code, code);
	va_start(ap, code);
	while ((m = va_arg(ap, const char *)) != NULL) {
		cr_assert_lt(n, err.count, "missing message: %s", m);
		cr_assert_str_eq(err.messages[n], m, "message %zu", n);
		n++;
	}
	va_end(ap);
	cr_assert_eq(err.count, n, "%zu messages, first extra: %s", err.count,
		     err.count > n ? err.messages[n] : "");
}

/* A one-change batch around a ResourceRecordSet body. */
static const char *one(const char *action, const char *rrset)
{
	static char buf[1 << 16];

	snprintf(buf, sizeof(buf), "{'Changes': [{'Action': '%s', 'ResourceRecordSet': {%s}}]}",
		 action, rrset);
	return J(buf);
}

#define WWW_A "'Name': 'www.example.com', 'Type': 'A', 'TTL': 300"
#define V1    "'ResourceRecords': [{'Value': '192.0.2.1'}]"

/* ---- what parses ---- */

Test(batch, multivalue_example)
{
	static const uint8_t owner[] = "\5myapp\7example\3com";
	const struct mv_rrset *rr;

	cr_assert_eq(parse(J("{'Comment': 'Multivalue answer routing for web servers', 'Changes': "
			     "[{'Action': 'CREATE', 'ResourceRecordSet': {'Name': "
			     "'myapp.example.com.', 'Type': 'A', 'TTL': 60, 'ResourceRecords': "
			     "[{'Value': '192.0.2.1'}, {'Value': '192.0.2.2'}, {'Value': "
			     "'192.0.2.3'}], 'SetIdentifier': 'webserver-pool', 'RoutingPolicy': "
			     "{'Type': 'MULTIVALUE'}}}]}")),
		     0);
	cr_assert_str_eq(batch.comment, "Multivalue answer routing for web servers");
	cr_assert_eq(batch.count, 1);
	cr_assert_eq(batch.changes[0].action, MV_ACTION_CREATE);
	rr = &batch.changes[0].rrset;
	cr_assert_eq(rr->owner_len, sizeof(owner));
	cr_assert_arr_eq(rr->owner, owner, sizeof(owner));
	cr_assert_eq(rr->type, DNS_TYPE_A);
	cr_assert_eq(rr->ttl, 60);
	cr_assert_str_eq(rr->set_identifier, "webserver-pool");
	cr_assert_null(rr->health_check_id);
	cr_assert(rr->multivalue);
	cr_assert_eq(rr->count, 3);
	for (unsigned j = 0; j < 3; j++) {
		const uint8_t want[4] = {192, 0, 2, (uint8_t)(j + 1)};
		char text[16];

		snprintf(text, sizeof(text), "192.0.2.%u", j + 1);
		cr_assert_eq(rr->rdata_len[j], 4);
		cr_assert_arr_eq(rr->rdata[j], want, 4);
		cr_assert_str_eq(rr->values[j], text);
	}
	cr_assert_null(batch.hosted_zone_id);
}

Test(batch, multivalue_answer_true_and_health_check)
{
	cr_assert_eq(parse(one("UPSERT", WWW_A ", " V1 ", 'SetIdentifier': 'one', "
					       "'MultiValueAnswer': true, 'HealthCheckId': "
					       "'abcdef11-2222-3333-4444-555555fedcba'")),
		     0);
	cr_assert_eq(batch.changes[0].action, MV_ACTION_UPSERT);
	cr_assert(batch.changes[0].rrset.multivalue);
	cr_assert_str_eq(batch.changes[0].rrset.health_check_id,
			 "abcdef11-2222-3333-4444-555555fedcba");
}

Test(batch, simple_set_and_every_action)
{
	cr_assert_eq(
		parse(J("{'Changes': ["
			"{'Action': 'DELETE', 'ResourceRecordSet': {" WWW_A ", " V1 "}},"
			"{'Action': 'CREATE', 'ResourceRecordSet': {'Name': 'WWW.Example.COM', "
			"'Type': 'AAAA', 'TTL': 0, 'ResourceRecords': [{'Value': '2001:db8::1'}]}},"
			"{'Action': 'UPSERT', 'ResourceRecordSet': {'Name': '*.example.com', "
			"'Type': 'TXT', 'TTL': 2147483647, 'ResourceRecords': [{'Value': "
			"'\\'v=spf1 -all\\''}]}}]}")),
		0, "%s", err.messages[0]);
	cr_assert_eq(batch.count, 3);
	cr_assert_eq(batch.changes[0].action, MV_ACTION_DELETE);
	cr_assert_null(batch.changes[0].rrset.set_identifier);
	cr_assert_not(batch.changes[0].rrset.multivalue);
	cr_assert_eq(batch.changes[1].action, MV_ACTION_CREATE);
	cr_assert_arr_eq(batch.changes[1].rrset.owner, "\3www\7example\3com", 17);
	cr_assert_eq(batch.changes[1].rrset.ttl, 0);
	cr_assert_eq(batch.changes[2].rrset.ttl, 2147483647u);
	cr_assert_arr_eq(batch.changes[2].rrset.owner, "\1*\7example\3com", 15);
}

Test(batch, cli_input_json_shape)
{
	cr_assert_eq(parse(J("{'HostedZoneId': 'Z0123456789ABC', 'ChangeBatch': {'Comment': 'c', "
			     "'Changes': [{'Action': 'CREATE', 'ResourceRecordSet': {" WWW_A ", " V1
			     "}}]}}")),
		     0);
	cr_assert_str_eq(batch.hosted_zone_id, "Z0123456789ABC");
	cr_assert_str_eq(batch.comment, "c");
	cr_assert_eq(batch.count, 1);
}

Test(batch, whitespace_and_newlines)
{
	cr_assert_eq(parse(J(" \n{\n  'Changes' : [ \n {'Action': 'CREATE',\n"
			     "'ResourceRecordSet': {" WWW_A ", " V1 "}} ,\n"
			     " {'Action': 'CREATE', 'ResourceRecordSet': {'Name': 'a.example.com', "
			     "'Type': 'A', 'TTL': 1, " V1 "}}\n ] , 'Comment' : 'x' }\n\t")),
		     0);
	cr_assert_eq(batch.count, 2);
	cr_assert_str_eq(batch.comment, "x");
}

Test(batch, twenty_multivalue_sets_with_health_checks)
{
	char buf[1 << 15];
	size_t n = 0;

	n += (size_t)snprintf(buf + n, sizeof(buf) - n, "{'Changes': [");
	for (int i = 0; i < 20; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n,
				      "%s{'Action': 'CREATE', 'ResourceRecordSet': {'Name': "
				      "'web.example.com', 'Type': 'A', 'TTL': 60, 'SetIdentifier': "
				      "'web-%d', 'MultiValueAnswer': true, 'HealthCheckId': "
				      "'hc-%d', 'ResourceRecords': [{'Value': '192.0.2.%d'}]}}",
				      i > 0 ? ", " : "", i, i, i + 1);
	snprintf(buf + n, sizeof(buf) - n, "]}");
	cr_assert_eq(parse(J(buf)), 0, "%s", err.messages[0]);
	cr_assert_eq(batch.count, 20);
	cr_assert_str_eq(batch.changes[19].rrset.health_check_id, "hc-19");
}

/* ---- JSON and types ---- */

Test(batch, invalid_json)
{
	cr_assert_eq(parse(J("{'Changes': [")), -EINVAL);
	expect("InvalidInput",
	       "Error parsing parameter '--change-batch': Invalid JSON: ']' expected near end of "
	       "file: line 1 column 13 (char 13)",
	       NULL);
	cr_assert_eq(batch.count, 0);
	cr_assert_null(batch.changes);
}

Test(batch, invalid_json_inside_a_change)
{
	cr_assert_eq(parse(J("{'Changes': [\n{'Action': 'CREATE',\n 'ResourceRecordSet': {'TTL': "
			     "3x}}]}")),
		     -EINVAL);
	expect("InvalidInput",
	       "Error parsing parameter '--change-batch': Invalid JSON: '}' expected near 'x': "
	       "line "
	       "3 column 32 (char 67)",
	       NULL);
}

Test(batch, duplicate_key_and_trailing_text)
{
	cr_assert_eq(parse(J("{'Changes': [], 'Changes': []}")), -EINVAL);
	expect("InvalidInput",
	       "Error parsing parameter '--change-batch': Invalid JSON: duplicate object key near "
	       "'\"Changes\"': line 1 column 25 (char 25)",
	       NULL);
	cr_assert_eq(parse(J("{'Changes': []} x")), -EINVAL);
	expect("InvalidInput",
	       "Error parsing parameter '--change-batch': Invalid JSON: end of file expected near "
	       "'x': line 1 column 17 (char 17)",
	       NULL);
}

Test(batch, document_not_an_object)
{
	cr_assert_eq(parse("[1, 2]"), -EINVAL);
	expect("InvalidInput",
	       "Invalid type for parameter ChangeBatch, value: [1,2], type: <class 'list'>, valid "
	       "types: <class 'dict'>",
	       NULL);
}

Test(batch, wrong_field_types)
{
	cr_assert_eq(
		parse(J("{'Comment': 5, 'Changes': [{'Action': 1, 'ResourceRecordSet': {'Name': "
			"true, 'Type': null, 'TTL': '60', 'ResourceRecords': {'Value': 'x'}, "
			"'SetIdentifier': 7, 'MultiValueAnswer': 'true', 'HealthCheckId': [], "
			"'RoutingPolicy': 'MULTIVALUE'}}, 'oops', {'Action': 'CREATE', "
			"'ResourceRecordSet': {'Name': 'a.example.com', 'Type': 'A', 'TTL': 1.5, "
			"'ResourceRecords': ['192.0.2.1', {'Value': 3}]}}]}")),
		-EINVAL);
	expect("InvalidInput",
	       "Invalid type for parameter ChangeBatch.Changes[0].Action, value: 1, type: <class "
	       "'int'>, valid types: <class 'str'>",
	       "Invalid type for parameter ChangeBatch.Changes[0].ResourceRecordSet.Name, value: "
	       "True, type: <class 'bool'>, valid types: <class 'str'>",
	       "Invalid type for parameter ChangeBatch.Changes[0].ResourceRecordSet.Type, value: "
	       "None, type: <class 'NoneType'>, valid types: <class 'str'>",
	       "Invalid type for parameter ChangeBatch.Changes[0].ResourceRecordSet.SetIdentifier, "
	       "value: 7, type: <class 'int'>, valid types: <class 'str'>",
	       "Invalid type for parameter ChangeBatch.Changes[0].ResourceRecordSet."
	       "MultiValueAnswer, value: true, type: <class 'str'>, valid types: <class 'bool'>",
	       "Invalid type for parameter ChangeBatch.Changes[0].ResourceRecordSet.RoutingPolicy, "
	       "value: MULTIVALUE, type: <class 'str'>, valid types: <class 'dict'>",
	       "Invalid type for parameter ChangeBatch.Changes[0].ResourceRecordSet.TTL, value: "
	       "60, type: <class 'str'>, valid types: <class 'int'>",
	       "Invalid type for parameter ChangeBatch.Changes[0].ResourceRecordSet."
	       "ResourceRecords, value: {\"Value\":\"x\"}, type: <class 'dict'>, valid types: "
	       "<class 'list'>, <class 'tuple'>",
	       "Invalid type for parameter ChangeBatch.Changes[0].ResourceRecordSet.HealthCheckId, "
	       "value: [], type: <class 'list'>, valid types: <class 'str'>",
	       "Invalid type for parameter ChangeBatch.Changes[1], value: oops, type: <class "
	       "'str'>, valid types: <class 'dict'>",
	       "Invalid type for parameter ChangeBatch.Changes[2].ResourceRecordSet.TTL, value: "
	       "1.5, type: <class 'float'>, valid types: <class 'int'>",
	       "Invalid type for parameter ChangeBatch.Changes[2].ResourceRecordSet."
	       "ResourceRecords[0], value: 192.0.2.1, type: <class 'str'>, valid types: <class "
	       "'dict'>",
	       "Invalid type for parameter ChangeBatch.Changes[2].ResourceRecordSet."
	       "ResourceRecords[1].Value, value: 3, type: <class 'int'>, valid types: <class "
	       "'str'>",
	       "Invalid type for parameter ChangeBatch.Comment, value: 5, type: <class 'int'>, "
	       "valid types: <class 'str'>",
	       NULL);
}

Test(batch, changes_not_a_list)
{
	cr_assert_eq(parse(J("{'Changes': 'x'}")), -EINVAL);
	expect("InvalidInput",
	       "Invalid type for parameter ChangeBatch.Changes, value: x, type: <class 'str'>, "
	       "valid types: <class 'list'>, <class 'tuple'>",
	       NULL);
}

/* ---- unknown and missing fields ---- */

Test(batch, unknown_fields)
{
	cr_assert_eq(
		parse(J("{'Changes': [{'Action': 'CREATE', 'Extra': 1, 'ResourceRecordSet': {" WWW_A
			", 'ResourceRecord': [], 'ResourceRecords': [{'Value': '192.0.2.1', "
			"'Weight': 1}]}}], 'Foo': 2}")),
		-EINVAL);
	expect("InvalidInput",
	       "Unknown parameter in ChangeBatch.Changes[0]: \"Extra\", must be one of: Action, "
	       "ResourceRecordSet",
	       "Unknown parameter in ChangeBatch.Changes[0].ResourceRecordSet: \"ResourceRecord\", "
	       "must be one of: Name, Type, SetIdentifier, Weight, Region, GeoLocation, Failover, "
	       "MultiValueAnswer, TTL, ResourceRecords, AliasTarget, HealthCheckId, "
	       "TrafficPolicyInstanceId, CidrRoutingConfig, GeoProximityLocation, RoutingPolicy",
	       "Unknown parameter in ChangeBatch.Changes[0].ResourceRecordSet.ResourceRecords[0]: "
	       "\"Weight\", must be one of: Value",
	       "Unknown parameter in ChangeBatch: \"Foo\", must be one of: Comment, Changes", NULL);
}

Test(batch, unknown_fields_of_the_request_and_routing_policy)
{
	cr_assert_eq(parse(J("{'HostedZoneId': 'Z1', 'Bar': 0, 'ChangeBatch': {'Changes': "
			     "[{'Action': 'CREATE', 'ResourceRecordSet': {" WWW_A ", " V1
			     ", 'SetIdentifier': 'a', 'RoutingPolicy': {'Type': 'WEIGHTED', "
			     "'Weight': 1}}}]}}")),
		     -EINVAL);
	expect("InvalidInput",
	       "Unknown parameter in ChangeBatch.Changes[0].ResourceRecordSet.RoutingPolicy: "
	       "\"Weight\", must be one of: Type",
	       "Value 'WEIGHTED' at 'changeBatch.changes.1.member.resourceRecordSet.routingPolicy."
	       "type' failed to satisfy constraint: Member must satisfy enum value set: "
	       "[MULTIVALUE]",
	       "Unknown parameter in input: \"Bar\", must be one of: HostedZoneId, ChangeBatch",
	       NULL);
}

Test(batch, missing_fields)
{
	cr_assert_eq(parse(J("{'Comment': 'x'}")), -EINVAL);
	expect("InvalidInput", "Missing required parameter in ChangeBatch: \"Changes\"", NULL);
	cr_assert_eq(parse(J("{'ChangeBatch': {'Changes': []}}")), -EINVAL);
	expect("InvalidInput", "Missing required parameter in input: \"HostedZoneId\"",
	       "Invalid length for parameter ChangeBatch.Changes, value: 0, valid min length: 1",
	       NULL);
	cr_assert_eq(
		parse(J("{'Changes': [{}, {'Action': 'CREATE', 'ResourceRecordSet': {'TTL': 1, "
			"'ResourceRecords': [{}]}}]}")),
		-EINVAL);
	expect("InvalidInput", "Missing required parameter in ChangeBatch.Changes[0]: \"Action\"",
	       "Missing required parameter in ChangeBatch.Changes[0]: \"ResourceRecordSet\"",
	       "Missing required parameter in ChangeBatch.Changes[1].ResourceRecordSet: \"Name\"",
	       "Missing required parameter in ChangeBatch.Changes[1].ResourceRecordSet: \"Type\"",
	       "Missing required parameter in "
	       "ChangeBatch.Changes[1].ResourceRecordSet.ResourceRecords[0]: \"Value\"",
	       NULL);
}

Test(batch, missing_ttl_or_resource_records)
{
	cr_assert_eq(parse(J("{'Changes': [{'Action': 'CREATE', 'ResourceRecordSet': {'Name': "
			     "'www.example.com', 'Type': 'A', " V1 "}}, {'Action': 'DELETE', "
			     "'ResourceRecordSet': {'Name': 'example.com', 'Type': 'A', 'TTL': "
			     "300}}]}")),
		     -EINVAL);
	expect("InvalidInput",
	       "Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and "
	       "ResourceRecords], or TrafficPolicyInstanceId], but found none in Change with "
	       "[Action=CREATE, Name=www.example.com, Type=A, SetIdentifier=null]",
	       "Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and "
	       "ResourceRecords], or TrafficPolicyInstanceId], but found none in Change with "
	       "[Action=DELETE, Name=example.com, Type=A, SetIdentifier=null]",
	       NULL);
}

Test(batch, empty_lists)
{
	cr_assert_eq(parse(J("{'Changes': []}")), -EINVAL);
	expect("InvalidInput",
	       "Invalid length for parameter ChangeBatch.Changes, value: 0, valid min length: 1",
	       NULL);
	cr_assert_eq(parse(one("CREATE", WWW_A ", 'ResourceRecords': []")), -EINVAL);
	expect("InvalidInput",
	       "Invalid length for parameter ChangeBatch.Changes[0].ResourceRecordSet."
	       "ResourceRecords, value: 0, valid min length: 1",
	       NULL);
}

/* ---- enums and ranges ---- */

Test(batch, unknown_action)
{
	cr_assert_eq(parse(one("REPLACE", WWW_A ", " V1)), -EINVAL);
	expect("InvalidInput",
	       "Value 'REPLACE' at 'changeBatch.changes.1.member.action' failed to satisfy "
	       "constraint: Member must satisfy enum value set: [CREATE, DELETE, UPSERT]",
	       NULL);
}

Test(batch, unknown_and_unsupported_types)
{
	cr_assert_eq(
		parse(J("{'Changes': [{'Action': 'CREATE', 'ResourceRecordSet': {'Name': "
			"'a.example.com', 'Type': 'FOO', 'TTL': 1, " V1 "}}, {'Action': "
			"'CREATE', 'ResourceRecordSet': {'Name': 'b.example.com', 'Type': 'a', "
			"'TTL': 1, " V1 "}}, {'Action': 'CREATE', 'ResourceRecordSet': {'Name': "
			"'c.example.com', 'Type': 'TLSA', 'TTL': 1, " V1 "}}]}")),
		-EINVAL);
	expect("InvalidInput",
	       "Value 'FOO' at 'changeBatch.changes.1.member.resourceRecordSet.type' failed to "
	       "satisfy constraint: Member must satisfy enum value set: [SOA, A, TXT, NS, CNAME, "
	       "MX, NAPTR, PTR, SRV, SPF, AAAA, CAA, DS, TLSA, SSHFP, SVCB, HTTPS]",
	       "Value 'a' at 'changeBatch.changes.2.member.resourceRecordSet.type' failed to "
	       "satisfy constraint: Member must satisfy enum value set: [SOA, A, TXT, NS, CNAME, "
	       "MX, NAPTR, PTR, SRV, SPF, AAAA, CAA, DS, TLSA, SSHFP, SVCB, HTTPS]",
	       "Invalid request: Type TLSA is not supported by mvdns in Change with "
	       "[Action=CREATE, Name=c.example.com, Type=TLSA, SetIdentifier=null]",
	       NULL);
}

Test(batch, ttl_range)
{
	cr_assert_eq(
		parse(J("{'Changes': [{'Action': 'CREATE', 'ResourceRecordSet': {'Name': "
			"'a.example.com', 'Type': 'A', 'TTL': -1, " V1 "}}, {'Action': "
			"'CREATE', 'ResourceRecordSet': {'Name': 'b.example.com', 'Type': 'A', "
			"'TTL': 2147483648, " V1 "}}]}")),
		-EINVAL);
	expect("InvalidInput",
	       "Invalid value for parameter ChangeBatch.Changes[0].ResourceRecordSet.TTL, value: "
	       "-1, valid min value: 0",
	       "Value '2147483648' at 'changeBatch.changes.2.member.resourceRecordSet.tTL' failed "
	       "to satisfy constraint: Member must have value less than or equal to 2147483647",
	       NULL);
}

/* ---- routing policy and SetIdentifier ---- */

Test(batch, unsupported_features)
{
	cr_assert_eq(parse(J("{'Changes': [{'Action': 'CREATE', 'ResourceRecordSet': {'Name': "
			     "'a.example.com', 'Type': 'A', 'AliasTarget': {'HostedZoneId': 'Z2', "
			     "'DNSName': 'lb.example.net', 'EvaluateTargetHealth': false}}}, "
			     "{'Action': 'CREATE', 'ResourceRecordSet': {" WWW_A ", " V1
			     ", 'SetIdentifier': 'w', 'Weight': 10}}, {'Action': 'CREATE', "
			     "'ResourceRecordSet': {" WWW_A ", " V1 ", 'SetIdentifier': 'r', "
			     "'Region': 'us-east-1', 'Failover': 'PRIMARY', 'GeoLocation': "
			     "{'CountryCode': 'FR'}}}]}")),
		     -EINVAL);
	expect("InvalidInput",
	       "Invalid request: AliasTarget is not supported by mvdns, which serves simple and "
	       "multivalue answer record sets only, in Change with [Action=CREATE, "
	       "Name=a.example.com, Type=A, SetIdentifier=null]",
	       "Invalid request: Weight is not supported by mvdns, which serves simple and "
	       "multivalue answer record sets only, in Change with [Action=CREATE, "
	       "Name=www.example.com, Type=A, SetIdentifier=w]",
	       "Invalid request: Region is not supported by mvdns, which serves simple and "
	       "multivalue answer record sets only, in Change with [Action=CREATE, "
	       "Name=www.example.com, Type=A, SetIdentifier=r]",
	       "Invalid request: Failover is not supported by mvdns, which serves simple and "
	       "multivalue answer record sets only, in Change with [Action=CREATE, "
	       "Name=www.example.com, Type=A, SetIdentifier=r]",
	       "Invalid request: GeoLocation is not supported by mvdns, which serves simple and "
	       "multivalue answer record sets only, in Change with [Action=CREATE, "
	       "Name=www.example.com, Type=A, SetIdentifier=r]",
	       NULL);
}

Test(batch, set_identifier_without_routing_policy)
{
	cr_assert_eq(parse(one("UPSERT", WWW_A ", " V1 ", 'SetIdentifier': 'pool'")), -EINVAL);
	expect("InvalidInput",
	       "Invalid request: Expected exactly one of [Weight, Region, Failover, GeoLocation, "
	       "MultiValueAnswer, GeoProximityLocation, or CidrRoutingConfig], but found none in "
	       "Change with [Action=UPSERT, Name=www.example.com, Type=A, SetIdentifier=pool]",
	       NULL);
}

Test(batch, routing_policy_without_set_identifier)
{
	cr_assert_eq(
		parse(J("{'Changes': [{'Action': 'CREATE', 'ResourceRecordSet': {" WWW_A ", " V1
			", 'MultiValueAnswer': true}}, {'Action': 'DELETE', "
			"'ResourceRecordSet': {'Name': 'foo.example.com', 'Type': 'TXT', 'TTL': "
			"1, 'ResourceRecords': [{'Value': '\\'x\\''}], 'MultiValueAnswer': "
			"false}}, {'Action': 'CREATE', 'ResourceRecordSet': {" WWW_A ", " V1
			", 'RoutingPolicy': {'Type': 'MULTIVALUE'}}}]}")),
		-EINVAL);
	expect("InvalidInput",
	       "Invalid request: Missing field 'SetIdentifier' in Change with [Action=CREATE, "
	       "Name=www.example.com, Type=A, SetIdentifier=null]",
	       "Invalid request: Missing field 'SetIdentifier' in Change with [Action=DELETE, "
	       "Name=foo.example.com, Type=TXT, SetIdentifier=null]",
	       "Invalid request: Missing field 'SetIdentifier' in Change with [Action=CREATE, "
	       "Name=www.example.com, Type=A, SetIdentifier=null]",
	       NULL);
}

Test(batch, multivalue_answer_false)
{
	cr_assert_eq(
		parse(J("{'Changes': [{'Action': 'CREATE', 'ResourceRecordSet': {" WWW_A ", " V1
			", 'SetIdentifier': 's', 'MultiValueAnswer': false}}, {'Action': "
			"'CREATE', 'ResourceRecordSet': {" WWW_A ", " V1
			", 'SetIdentifier': 't', 'MultiValueAnswer': false, 'RoutingPolicy': "
			"{'Type': 'MULTIVALUE'}}}]}")),
		-EINVAL);
	expect("InvalidInput",
	       "Invalid request: a SetIdentifier with MultiValueAnswer false is not supported by "
	       "mvdns, which serves simple and multivalue answer record sets only, in Change with "
	       "[Action=CREATE, Name=www.example.com, Type=A, SetIdentifier=s]",
	       "Invalid request: MultiValueAnswer false contradicts RoutingPolicy MULTIVALUE in "
	       "Change with [Action=CREATE, Name=www.example.com, Type=A, SetIdentifier=t]",
	       NULL);
}

Test(batch, set_identifier_length)
{
	char id[200], body[400];

	memset(id, 'x', 129);
	id[129] = '\0';
	snprintf(body, sizeof(body),
		 WWW_A ", " V1 ", 'SetIdentifier': '%s', 'MultiValueAnswer': true", id);
	cr_assert_eq(parse(one("CREATE", body)), -EINVAL);
	expect("InvalidInput",
	       "Value 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' at "
	       "'changeBatch.changes.1.member.resourceRecordSet.setIdentifier' failed to satisfy "
	       "constraint: Member must have length less than or equal to 128",
	       NULL);
	id[128] = '\0';
	snprintf(body, sizeof(body),
		 WWW_A ", " V1 ", 'SetIdentifier': '%s', 'MultiValueAnswer': true", id);
	cr_assert_eq(parse(one("CREATE", body)), 0);
	mv_batch_free(&batch);
	cr_assert_eq(parse(one("CREATE", WWW_A ", " V1 ", 'SetIdentifier': '', "
					       "'MultiValueAnswer': true")),
		     -EINVAL);
	expect("InvalidInput",
	       "Invalid length for parameter ChangeBatch.Changes[0].ResourceRecordSet."
	       "SetIdentifier, value: 0, valid min length: 1",
	       NULL);
}

Test(batch, health_check_id_length)
{
	char body[400];

	snprintf(body, sizeof(body), WWW_A ", " V1 ", 'HealthCheckId': '%065d'", 0);
	cr_assert_eq(parse(one("CREATE", body)), -EINVAL);
	expect("InvalidInput",
	       "Value '0000000000000000000000000000000000000000000000000000000000000000...' at "
	       "'changeBatch.changes.1.member.resourceRecordSet.healthCheckId' failed to satisfy "
	       "constraint: Member must have length less than or equal to 64",
	       NULL);
	snprintf(body, sizeof(body), WWW_A ", " V1 ", 'HealthCheckId': '%064d'", 0);
	cr_assert_eq(parse(one("CREATE", body)), 0);
}

Test(batch, field_lengths)
{
	static char doc[1 << 14];
	char name[1100], comment[300], value[4100];

	memset(name, 'a', 1025);
	name[1025] = '\0';
	memset(comment, 'c', 257);
	comment[257] = '\0';
	memset(value, 'v', 4001);
	value[4001] = '\0';
	snprintf(doc, sizeof(doc),
		 "{'Comment': '%s', 'Changes': [{'Action': 'CREATE', 'ResourceRecordSet': {'Name': "
		 "'%s', 'Type': 'TXT', 'TTL': 1, 'ResourceRecords': [{'Value': '%s'}]}}]}",
		 comment, name, value);
	cr_assert_eq(parse(J(doc)), -EINVAL);
	expect("InvalidInput",
	       "Value 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' at "
	       "'changeBatch.changes.1.member.resourceRecordSet.name' failed to satisfy "
	       "constraint: Member must have length less than or equal to 1024",
	       "Value 'vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv...' at "
	       "'changeBatch.changes.1.member.resourceRecordSet.resourceRecords.1.member.value' "
	       "failed to satisfy constraint: Member must have length less than or equal to 4000",
	       "Value 'cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc...' at "
	       "'changeBatch.comment' failed to satisfy constraint: Member must have length less "
	       "than or equal to 256",
	       NULL);
}

Test(batch, lengths_count_characters_not_bytes)
{
	static char doc[4096];
	char comment[600] = "";

	for (int i = 0; i < 256; i++)
		strcat(comment, "\xc3\xa9"); /* é: 256 characters, 512 bytes */
	snprintf(doc, sizeof(doc),
		 "{'Comment': '%s', 'Changes': [{'Action': 'CREATE', "
		 "'ResourceRecordSet': {" WWW_A ", " V1 "}}]}",
		 comment);
	cr_assert_eq(parse(J(doc)), 0);
}

/* ---- what the changes mean (InvalidChangeBatch) ---- */

Test(batch, multivalue_not_on_ns_cname_soa)
{
	cr_assert_eq(
		parse(J("{'Changes': [{'Action': 'CREATE', 'ResourceRecordSet': {'Name': "
			"'sub.example.com', 'Type': 'NS', 'TTL': 1, 'ResourceRecords': [{'Value': "
			"'ns1.example.net'}], 'SetIdentifier': 'a', 'MultiValueAnswer': true}}, "
			"{'Action': 'CREATE', 'ResourceRecordSet': {'Name': 'WWW.example.com', "
			"'Type': 'CNAME', 'TTL': 1, 'ResourceRecords': [{'Value': "
			"'web.example.net'}], 'SetIdentifier': 'b', 'RoutingPolicy': {'Type': "
			"'MULTIVALUE'}}}, {'Action': 'CREATE', 'ResourceRecordSet': {'Name': "
			"'example.com', 'Type': 'SOA', 'TTL': 1, 'ResourceRecords': [{'Value': "
			"'ns1.example.com. h.example.com. 1 7200 900 1209600 86400'}], "
			"'SetIdentifier': 'c', 'MultiValueAnswer': true}}]}")),
		-EINVAL);
	expect("InvalidChangeBatch",
	       "RRSet of type NS with DNS name sub.example.com. is not permitted as a multivalue "
	       "answer record set",
	       "RRSet of type CNAME with DNS name www.example.com. is not permitted as a "
	       "multivalue answer record set",
	       "RRSet of type SOA with DNS name example.com. is not permitted as a multivalue "
	       "answer record set",
	       NULL);
}

Test(batch, one_value_for_cname_and_soa)
{
	cr_assert_eq(
		parse(J("{'Changes': [{'Action': 'CREATE', 'ResourceRecordSet': {'Name': "
			"'www.example.com', 'Type': 'CNAME', 'TTL': 1, 'ResourceRecords': "
			"[{'Value': 'a.example.net'}, {'Value': 'b.example.net'}]}}, {'Action': "
			"'UPSERT', 'ResourceRecordSet': {'Name': 'example.com', 'Type': 'SOA', "
			"'TTL': 1, 'ResourceRecords': [{'Value': 'ns1.example.com. h.example.com. "
			"1 7200 900 1209600 86400'}, {'Value': 'ns2.example.com. h.example.com. 1 "
			"7200 900 1209600 86400'}]}}]}")),
		-EINVAL);
	expect("InvalidChangeBatch",
	       "RRSet of type CNAME with DNS name www.example.com. is not permitted as it has more "
	       "than one value",
	       "RRSet of type SOA with DNS name example.com. is not permitted as it has more than "
	       "one value",
	       NULL);
}

Test(batch, value_errors_come_from_the_text_module)
{
	char want_a[MV_ERROR_MESSAGE_MAX], want_mx[MV_ERROR_MESSAGE_MAX];
	uint8_t rdata[512];

	cr_assert_lt(dns_rdata_from_text(DNS_TYPE_A, "192.0.2", rdata, sizeof(rdata), want_a,
					 sizeof(want_a)),
		     0);
	cr_assert_lt(dns_rdata_from_text(DNS_TYPE_MX, "mail.example.com", rdata, sizeof(rdata),
					 want_mx, sizeof(want_mx)),
		     0);
	cr_assert_eq(
		parse(J("{'Changes': [{'Action': 'CREATE', 'ResourceRecordSet': {" WWW_A
			", 'ResourceRecords': [{'Value': '192.0.2'}, {'Value': '192.0.2.1'}]}}, "
			"{'Action': 'CREATE', 'ResourceRecordSet': {'Name': 'example.com', "
			"'Type': 'MX', 'TTL': 1, 'ResourceRecords': [{'Value': "
			"'mail.example.com'}]}}]}")),
		-EINVAL);
	expect("InvalidChangeBatch", want_a, want_mx, NULL);
}

Test(batch, name_errors_come_from_the_text_module)
{
	char want[MV_ERROR_MESSAGE_MAX];
	uint8_t wire[MVDNS_NAME_MAX];

	cr_assert_lt(dns_name_from_text("www..example.com", wire, want, sizeof(want)), 0);
	cr_assert_eq(parse(one("CREATE", "'Name': 'www..example.com', 'Type': 'A', 'TTL': 1, " V1)),
		     -EINVAL);
	expect("InvalidChangeBatch", want, NULL);
}

Test(batch, duplicate_values)
{
	cr_assert_eq(
		parse(J("{'Changes': [{'Action': 'CREATE', 'ResourceRecordSet': {" WWW_A
			", 'ResourceRecords': [{'Value': '192.0.2.1'}, {'Value': '192.0.2.2'}, "
			"{'Value': '192.0.2.1'}]}}, {'Action': 'CREATE', 'ResourceRecordSet': "
			"{'Name': 'example.com', 'Type': 'MX', 'TTL': 1, 'ResourceRecords': "
			"[{'Value': '10 mail.example.com'}, {'Value': '10 "
			"MAIL.example.com.'}]}}]}")),
		-EINVAL);
	expect("InvalidChangeBatch", "Duplicate Resource Record: '192.0.2.1'",
	       "Duplicate Resource Record: '10 MAIL.example.com.'", NULL);
	/* A value that does not compile leaves no rdata (its slot is zeroed) to compare with. */
	cr_assert_eq(parse(J("{'Changes': [{'Action': 'CREATE', 'ResourceRecordSet': {" WWW_A
			     ", 'ResourceRecords': [{'Value': 'x'}, {'Value': '192.0.2.1'}, "
			     "{'Value': '192.0.2.1'}]}}]}")),
		     -EINVAL);
	expect("InvalidChangeBatch",
	       "Invalid Resource Record: 'FATAL problem: ARRDATAIllegalIPv4Address (Value is not "
	       "a valid IPv4 address) encountered with 'x''",
	       "Duplicate Resource Record: '192.0.2.1'", NULL);
}

Test(batch, shape_problems_come_before_meaning)
{
	/* Route 53 checks the request before what it means: only InvalidInput is reported. */
	cr_assert_eq(parse(J("{'Changes': [{'Action': 'CREATE', 'ResourceRecordSet': {" WWW_A
			     ", 'ResourceRecords': [{'Value': '1.2.3'}]}}, {'Action': 'CREATE', "
			     "'ResourceRecordSet': {" WWW_A ", " V1 ", 'Weight': 1}}]}")),
		     -EINVAL);
	expect("InvalidInput",
	       "Invalid request: Weight is not supported by mvdns, which serves simple and "
	       "multivalue answer record sets only, in Change with [Action=CREATE, "
	       "Name=www.example.com, Type=A, SetIdentifier=null]",
	       NULL);
}

/* ---- request limits ---- */

/* A batch of `changes` changes with `values` A values each. */
static const char *many(const char *action, int changes, int values)
{
	static char doc[1 << 17];
	size_t n = 0;

	n += (size_t)snprintf(doc, sizeof(doc), "{'Changes': [");
	for (int i = 0; i < changes; i++) {
		n += (size_t)snprintf(
			doc + n, sizeof(doc) - n,
			"%s{'Action': '%s', 'ResourceRecordSet': {'Name': "
			"'h%d.example.com', 'Type': 'A', 'TTL': 1, 'ResourceRecords': [",
			i > 0 ? ", " : "", action, i);
		for (int j = 0; j < values; j++)
			n += (size_t)snprintf(doc + n, sizeof(doc) - n, "%s{'Value': '10.0.%d.%d'}",
					      j > 0 ? ", " : "", j / 256, j % 256);
		n += (size_t)snprintf(doc + n, sizeof(doc) - n, "]}}");
	}
	snprintf(doc + n, sizeof(doc) - n, "]}");
	return J(doc);
}

Test(batch, records_limit)
{
	cr_assert_eq(parse(many("CREATE", 10, 100)), 0);
	mv_batch_free(&batch);
	cr_assert_eq(parse(many("CREATE", 7, 143)), -EINVAL); /* 1001 */
	expect("InvalidChangeBatch", "Number of records limit of 1000 exceeded.", NULL);
	cr_assert_eq(parse(many("UPSERT", 5, 100)), 0);
	mv_batch_free(&batch);
	cr_assert_eq(parse(many("UPSERT", 3, 167)), -EINVAL); /* 501 counted twice */
	expect("InvalidChangeBatch", "Number of records limit of 1000 exceeded.", NULL);
	cr_assert_eq(parse_opts(many("CREATE", 20, 100), MV_BATCH_NO_LIMITS), 0);
	cr_assert_eq(batch.count, 20);
}

/* TXT changes, each with one value of 14 strings of 250 characters (3,542 characters). */
static const char *long_txt(const char *action, int changes)
{
	static char doc[1 << 17];
	size_t n = (size_t)snprintf(doc, sizeof(doc), "{'Changes': [");

	for (int i = 0; i < changes; i++) {
		n += (size_t)snprintf(doc + n, sizeof(doc) - n,
				      "%s{'Action': '%s', 'ResourceRecordSet': {'Name': "
				      "'t%d.example.com', 'Type': 'TXT', 'TTL': 1, "
				      "'ResourceRecords': [{'Value': '",
				      i > 0 ? ", " : "", action, i);
		for (int s = 0; s < 14; s++) {
			n += (size_t)snprintf(doc + n, sizeof(doc) - n, "%s\\'", s > 0 ? " " : "");
			memset(doc + n, 'x', 250);
			n += 250;
			n += (size_t)snprintf(doc + n, sizeof(doc) - n, "\\'");
		}
		n += (size_t)snprintf(doc + n, sizeof(doc) - n, "'}]}}");
	}
	snprintf(doc + n, sizeof(doc) - n, "]}");
	return J(doc);
}

Test(batch, characters_limit)
{
	cr_assert_eq(parse(long_txt("CREATE", 9)), 0, "%s", err.messages[0]); /* 31,878 */
	mv_batch_free(&batch);
	cr_assert_eq(parse(long_txt("CREATE", 10)), -EINVAL); /* 35,420 */
	expect("InvalidChangeBatch", "RDATA character limit of 32000 exceeded.", NULL);
	cr_assert_eq(parse(long_txt("UPSERT", 5)), -EINVAL); /* 17,710 counted twice */
	expect("InvalidChangeBatch", "RDATA character limit of 32000 exceeded.", NULL);
	cr_assert_eq(parse(long_txt("UPSERT", 4)), 0);
}

/* ---- the error model ---- */

Test(batch, every_problem_is_collected)
{
	cr_assert_eq(
		parse(J("{'Changes': [{'Action': 'CREATE', 'ResourceRecordSet': {" WWW_A
			", 'ResourceRecords': [{'Value': '192.0.2.1'}, {'Value': "
			"'192.0.2.1'}]}}, {'Action': 'CREATE', 'ResourceRecordSet': {'Name': "
			"'x.example.com', 'Type': 'CNAME', 'TTL': 1, 'ResourceRecords': "
			"[{'Value': 'a.example.net'}, {'Value': 'b.example.net'}]}}, {'Action': "
			"'DELETE', 'ResourceRecordSet': {'Name': 'y.example.com', 'Type': 'A', "
			"'TTL': 1, 'ResourceRecords': [{'Value': '10.0.0.1'}, {'Value': "
			"'10.0.0.1'}]}}]}")),
		-EINVAL);
	expect("InvalidChangeBatch", "Duplicate Resource Record: '192.0.2.1'",
	       "RRSet of type CNAME with DNS name x.example.com. is not permitted as it has more "
	       "than one value",
	       "Duplicate Resource Record: '10.0.0.1'", NULL);
	cr_assert_eq(batch.count, 0, "nothing is left allocated on failure");
}

Test(batch, error_overflow)
{
	struct mv_error e;

	mv_error_init(&e, "InvalidChangeBatch");
	for (int i = 0; i < 70; i++)
		mv_error_add(&e, "problem %d", i);
	cr_assert_eq(e.count, MV_ERROR_MAX_MESSAGES);
	cr_assert_str_eq(e.messages[62], "problem 62");
	cr_assert_str_eq(e.messages[63], "... 7 more exception(s).");
	cr_assert_eq(e.more, 7);
}

Test(batch, format_like_the_aws_cli)
{
	struct mv_error e;
	char out[1024];

	mv_error_init(&e, "InvalidChangeBatch");
	mv_error_add(&e,
		     "Tried to delete resource record set [name='%s', type='A'] but it was not "
		     "found",
		     "a.example.com.");
	mv_error_add(&e, "RRSet with DNS name b.other. is not permitted in zone example.com.");
	cr_assert_eq(mv_error_format(&e, "ChangeResourceRecordSets", out, sizeof(out)),
		     (int)strlen(out));
	cr_assert_str_eq(out,
			 "An error occurred (InvalidChangeBatch) when calling the "
			 "ChangeResourceRecordSets operation: [Tried to delete resource record "
			 "set [name='a.example.com.', type='A'] but it was not found, RRSet with "
			 "DNS name b.other. is not permitted in zone example.com.]");
	cr_assert_eq(mv_error_format(&e, "ChangeResourceRecordSets", out, 20), -ENOSPC);
	cr_assert_str_eq(out, "An error occurred (");

	cr_assert_eq(parse(J("{'Changes': [{'Action': 'X', 'ResourceRecordSet': {" WWW_A ", " V1
			     "}}, {'Action': 'Y', 'ResourceRecordSet': {" WWW_A ", " V1 "}}]}")),
		     -EINVAL);
	mv_error_format(&err, "ChangeResourceRecordSets", out, sizeof(out));
	cr_assert_str_eq(out,
			 "An error occurred (InvalidInput) when calling the "
			 "ChangeResourceRecordSets operation: 2 validation errors detected: "
			 "Value 'X' at 'changeBatch.changes.1.member.action' failed to satisfy "
			 "constraint: Member must satisfy enum value set: [CREATE, DELETE, "
			 "UPSERT]; Value 'Y' at 'changeBatch.changes.2.member.action' failed to "
			 "satisfy constraint: Member must satisfy enum value set: [CREATE, "
			 "DELETE, UPSERT]");
	err.count = 1;
	mv_error_format(&err, "ChangeResourceRecordSets", out, sizeof(out));
	cr_assert(strstr(out, "operation: 1 validation error detected: Value 'X'") != NULL, "%s",
		  out);

	cr_assert_eq(parse(one("CREATE", WWW_A ", " V1 ", 'SetIdentifier': 's'")), -EINVAL);
	mv_error_format(&err, "ChangeResourceRecordSets", out, sizeof(out));
	cr_assert_str_eq(out,
			 "An error occurred (InvalidInput) when calling the "
			 "ChangeResourceRecordSets operation: Invalid request: Expected exactly "
			 "one of [Weight, Region, Failover, GeoLocation, MultiValueAnswer, "
			 "GeoProximityLocation, or CidrRoutingConfig], but found none in Change "
			 "with [Action=CREATE, Name=www.example.com, Type=A, SetIdentifier=s]");
}

Test(batch, parts_in_blocks_of_any_size)
{
	/*
	 * The record sets' parts share blocks: many sets fill several, and the
	 * arrays of 5,000 values (90 kB) take one of their own.
	 */
	static char doc[1 << 19];
	size_t n = (size_t)snprintf(doc, sizeof(doc), "{\"Changes\": [");
	const struct mv_rrset *rr;
	char want[32];

	for (int i = 0; i < 500; i++)
		n += (size_t)snprintf(
			doc + n, sizeof(doc) - n,
			"{\"Action\": \"CREATE\", \"ResourceRecordSet\": {\"Name\": "
			"\"t%d.example.com\", \"Type\": \"TXT\", \"TTL\": 1, \"SetIdentifier\": "
			"\"s%d\", \"MultiValueAnswer\": true, \"HealthCheckId\": \"h%d\", "
			"\"ResourceRecords\": [{\"Value\": \"\\\"%0200d\\\"\"}]}}, ",
			i, i, i, i);
	n += (size_t)snprintf(
		doc + n, sizeof(doc) - n,
		"{\"Action\": \"CREATE\", \"ResourceRecordSet\": {\"Name\": "
		"\"many.example.com\", \"Type\": \"A\", \"TTL\": 1, \"ResourceRecords\": [");
	for (int j = 0; j < 5000; j++)
		n += (size_t)snprintf(doc + n, sizeof(doc) - n, "%s{\"Value\": \"10.0.%d.%d\"}",
				      j > 0 ? ", " : "", j / 256, j % 256);
	snprintf(doc + n, sizeof(doc) - n, "]}}]}");
	cr_assert_eq(parse_opts(doc, MV_BATCH_NO_LIMITS), 0, "%s", err.messages[0]);
	cr_assert_eq(batch.count, 501);
	for (int i = 0; i < 500; i++) {
		rr = &batch.changes[i].rrset;
		snprintf(want, sizeof(want), "s%d", i);
		cr_assert_str_eq(rr->set_identifier, want);
		snprintf(want, sizeof(want), "h%d", i);
		cr_assert_str_eq(rr->health_check_id, want);
		cr_assert_eq(rr->count, 1);
		cr_assert_eq(rr->rdata_len[0], 201);
		cr_assert_eq(rr->rdata[0][0], 200);
		snprintf(want, sizeof(want), "%020d", i);
		cr_assert(memcmp(rr->rdata[0] + 181, want, 20) == 0);
		cr_assert_eq(strlen(rr->values[0]), 202);
	}
	rr = &batch.changes[500].rrset;
	cr_assert_eq(rr->count, 5000);
	for (int j = 0; j < 5000; j++) {
		const uint8_t a[4] = {10, 0, (uint8_t)(j / 256), (uint8_t)(j % 256)};

		snprintf(want, sizeof(want), "10.0.%d.%d", j / 256, j % 256);
		cr_assert_eq(rr->rdata_len[j], 4);
		cr_assert(memcmp(rr->rdata[j], a, 4) == 0, "value %d", j);
		cr_assert_str_eq(rr->values[j], want);
	}
	mv_batch_free(&batch);
	mv_batch_free(&batch); /* a zeroed batch is fine */
}

/* ---- the fast path (batch_fast.c); parse() cross-checks it on every document above ---- */

/* What the fast path makes of a document: 0 (taken) or -EAGAIN, checked against the general path.
 */
static int fast(const char *json)
{
	int rc = mv_batch_parse(json, strlen(json), &batch, &err);
	int frc = cross_check(json, 0, rc, &batch);

	mv_batch_free(&batch);
	return frc;
}

Test(batch, fast_path_takes_the_plain_shape)
{
	cr_assert_eq(fast(one("CREATE", WWW_A ", " V1)), 0);
	cr_assert_eq(fast(J("{'Comment': 'a \\\\ \\' \\/ \\n\\t\\r\\b\\f', 'Changes': [{'Action': "
			    "'DELETE', 'ResourceRecordSet': {" WWW_A ", " V1 "}}, {'Action': "
			    "'UPSERT', 'ResourceRecordSet': {'Name': 'x.example.com', 'Type': "
			    "'TXT', 'TTL': 0, 'ResourceRecords': [{'Value': '\\'a\\''}, {'Value': "
			    "'\\'b\\''}]}}]}")),
		     0);
	cr_assert_eq(fast(one("UPSERT", WWW_A ", " V1 ", 'SetIdentifier': 'one', "
					      "'MultiValueAnswer': true, 'HealthCheckId': 'h'")),
		     0);
	cr_assert_eq(fast(J(" \n{ 'ResourceRecordSet' :{'ResourceRecords':[ {'Value':'192.0.2.9'} "
			    "],'TTL':2147483647,'Type':'A','Name':'b.example.com'} , 'Action' : "
			    "'CREATE' }")),
		     -EAGAIN); /* a change, not a batch */
	cr_assert_eq(fast(J(" \n{ 'Changes' : [ { 'ResourceRecordSet' :{'ResourceRecords':[ "
			    "{'Value':'192.0.2.9'} ],'TTL':2147483647,'Type':'A','Name':'b.example."
			    "com'} , 'Action' : 'CREATE' } ] } \r\n")),
		     0);
}

/* n of the shortest changes the fast path takes, with pad spaces after each. */
static const char *shortest(int n, int pad)
{
	static char doc[1 << 19];
	size_t len = (size_t)snprintf(doc, sizeof(doc), "{\"Changes\":[");

	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(doc + len, sizeof(doc) - len,
					"%s{\"Action\":\"CREATE\",\"ResourceRecordSet\":{\"Name\":"
					"\"a\",\"Type\":\"A\",\"TTL\":0,\"ResourceRecords\":[{"
					"\"Value\":\"1.2.3.4\"}]}}%*s",
					i > 0 ? "," : "", pad, "");
	snprintf(doc + len, sizeof(doc) - len, "]}");
	return doc;
}

Test(batch, fast_path_any_number_of_changes)
{
	/* Its array of changes is sized from the text: as short as changes get, or longer. */
	static const int counts[] = {1, 63, 64, 65, 999, 1000, 1001};

	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++)
		for (int pad = 0; pad < 200; pad += 199) {
			int want = counts[i] <= MV_BATCH_RECORDS_MAX ? 0 : -EAGAIN;

			cr_assert_eq(fast(shortest(counts[i], pad)), want, "%d changes", counts[i]);
			cr_assert_eq(parse(shortest(counts[i], pad)), want ? -EINVAL : 0);
			cr_assert_eq(batch.count, want ? 0 : (size_t)counts[i]);
			mv_batch_free(&batch);
		}
}

Test(batch, fast_path_without_limits_keeps_what_came_before_the_changes)
{
	/* Each change reuses the reader's arena; the Comment read before them stays. */
	const char *doc = J("{'Comment': 'read before the changes', 'Changes': ["
			    "{'Action': 'CREATE', 'ResourceRecordSet': {'Name': 'a.example.com', "
			    "'Type': 'TXT', 'TTL': 1, 'ResourceRecords': [{'Value': "
			    "'\\'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\\''}]}}, "
			    "{'Action': 'CREATE', 'ResourceRecordSet': {'Name': 'b.example.com', "
			    "'Type': 'TXT', 'TTL': 1, 'ResourceRecords': [{'Value': "
			    "'\\'yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\\''}]}}]}");
	struct mv_batch fast;

	for (unsigned flags = 0; flags <= MV_BATCH_NO_LIMITS; flags += MV_BATCH_NO_LIMITS) {
		cr_assert_eq(mv_batch_parse_fast(doc, strlen(doc), flags, &fast), 0);
		cr_assert_str_eq(fast.comment, "read before the changes");
		cr_assert_eq(fast.count, 2);
		cr_assert_str_eq(fast.changes[1].rrset.values[0],
				 "\"yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\"");
		mv_batch_free(&fast);
	}
}
Test(batch, fast_path_takes_every_type_served)
{
	/* Its own table of types: it takes each one mvdns serves, as Route 53 spells it. */
	static const struct {
		const char *type, *value;
	} served[] = {
		{"SOA", "ns.example.com. h.example.com. 1 2 3 4 5"},
		{"A", "192.0.2.1"},
		{"TXT", "\\'t\\'"},
		{"NS", "ns.example.com."},
		{"CNAME", "x.example.com."},
		{"MX", "10 mx.example.com."},
		{"NAPTR", "1 2 \\'u\\' \\'E2U+sip\\' \\'\\' x.example.com."},
		{"PTR", "x.example.com."},
		{"SRV", "1 2 3 x.example.com."},
		{"SPF", "\\'v=spf1 -all\\'"},
		{"AAAA", "2001:db8::1"},
		{"CAA", "0 issue \\'ca.example\\'"},
		{"DS", "1 8 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE"},
	};
	static const char *const refused[] = {"TLSA", "SSHFP", "SVCB", "HTTPS", "a",
					      "Aaaa", "TYPE1", "AA",   "",      "SOA "};
	char rrset[512];

	for (size_t i = 0; i < sizeof(served) / sizeof(served[0]); i++) {
		snprintf(rrset, sizeof(rrset),
			 "'Name': 'x.example.com', 'Type': '%s', 'TTL': 1, 'ResourceRecords': "
			 "[{'Value': '%s'}]",
			 served[i].type, served[i].value);
		cr_assert_eq(fast(one("CREATE", rrset)), 0, "%s", served[i].type);
	}
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		snprintf(rrset, sizeof(rrset),
			 "'Name': 'x.example.com', 'Type': '%s', 'TTL': 1, " V1, refused[i]);
		cr_assert_eq(fast(one("CREATE", rrset)), -EAGAIN, "'%s'", refused[i]);
	}
}

Test(batch, fast_path_leaves_the_rest_to_the_general_path)
{
	static const char *const docs[] = {
		"{'Changes': [{'Action': 'CREATE', 'ResourceRecordSet': {" WWW_A ", "
		"'ResourceRecords': [{'Value': '192.0.2.1'}], 'SetIdentifier': 's', "
		"'RoutingPolicy': {'Type': 'MULTIVALUE'}}}]}",
		"{'Changes': [{'Action': 'CREATE', 'ResourceRecordSet': {" WWW_A ", " V1
		", 'SetIdentifier': 's', 'MultiValueAnswer': false}}]}",
		"{'Changes': [{'Action': 'CREATE', 'ResourceRecordSet': {" WWW_A ", " V1
		", 'HealthCheckId': null}}]}",
		"{'Comment': 'caf\\u00e9', 'Changes': [{'Action': 'CREATE', 'ResourceRecordSet': "
		"{" WWW_A ", " V1 "}}]}",
		"{'Comment': 'caf\xc3\xa9', 'Changes': [{'Action': 'CREATE', 'ResourceRecordSet': "
		"{" WWW_A ", " V1 "}}]}",
		"{'HostedZoneId': 'Z1', 'ChangeBatch': {'Changes': [{'Action': 'CREATE', "
		"'ResourceRecordSet': {" WWW_A ", " V1 "}}]}}",
		"{'Changes': [{'Action': 'CREATE', 'Action': 'CREATE', 'ResourceRecordSet': {" WWW_A
		", " V1 "}}]}",
		"{'Changes': [{'Action': 'CREATE', 'ResourceRecordSet': {'Name': "
		"'www.example.com', "
		"'Type': 'A', 'TTL': 300.0, " V1 "}}]}",
		"{'Changes': [{'Action': 'CREATE', 'ResourceRecordSet': {'Name': "
		"'www.example.com', "
		"'Type': 'A', 'TTL': 0300, " V1 "}}]}",
		"{'Changes': [{'Action': 'CREATE', 'ResourceRecordSet': {'Name': "
		"'www.example.com', "
		"'Type': 'A', 'TTL': 2147483648, " V1 "}}]}",
		"{'Changes': [{'Action': 'CREATE', 'ResourceRecordSet': {" WWW_A ", " V1 "}}]} x",
		"{'Changes': [{'Action': 'CREATE', 'ResourceRecordSet': {" WWW_A ", " V1 "}},]}",
		"{'Changes': [{'Action': 'create', 'ResourceRecordSet': {" WWW_A ", " V1 "}}]}",
		"{'Changes': [{'Action': 'CREATE', 'ResourceRecordSet': {'Name': "
		"'www.example.com', "
		"'Type': 'a', 'TTL': 1, " V1 "}}]}",
		"{'Changes': [{'Action': 'CREATE', 'ResourceRecordSet': {" WWW_A ", "
		"'ResourceRecords': [{'Value': '192.0.2.1'}, {'Value': '192.0.2.1'}]}}]}",
		"{'Changes': [{'Action': 'CREATE', 'ResourceRecordSet': {" WWW_A ", "
		"'ResourceRecords': [{'Value': '192.0.2.256'}]}}]}",
		"{'Changes': []}",
		"{'Changes': [{'Action': 'CREATE', 'ResourceRecordSet': {" WWW_A ", " V1
		", 'Weight': 1}}]}",
	};

	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++)
		cr_assert_eq(fast(J(docs[i])), -EAGAIN, "%s", J(docs[i]));
}

/* Random edits of documents the fast path takes: it never takes one the general path refuses. */
Test(batch, fast_path_under_random_edits)
{
	static const char alphabet[] = "{}[]:,\"\\ 0159-.aetAEMV/x\n";
	static char seeds[3][1024];
	unsigned seed = 12345, taken = 0;

	const char *docs[3] = {NULL};

	docs[0] = one("UPSERT", WWW_A ", " V1);
	cr_assert_lt(strlen(docs[0]), sizeof(seeds[0]));
	strcpy(seeds[0], docs[0]);
	docs[1] = one("CREATE", WWW_A ", " V1 ", 'SetIdentifier': 'one', 'MultiValueAnswer': true, "
				      "'HealthCheckId': 'h'");
	cr_assert_lt(strlen(docs[1]), sizeof(seeds[1]));
	strcpy(seeds[1], docs[1]);
	docs[2] = J("{'Comment': 'c\\\\', 'Changes': [{'Action': 'DELETE', 'ResourceRecordSet': "
		    "{'Name': 'a.example.com', 'Type': 'MX', 'TTL': 10, 'ResourceRecords': "
		    "[{'Value': '10 mx.example.com'}, {'Value': '20 mx2.example.com'}]}}]}");
	cr_assert_lt(strlen(docs[2]), sizeof(seeds[2]));
	strcpy(seeds[2], docs[2]);
	for (int it = 0; it < 20000; it++) {
		char doc[1100];
		size_t len;

		strcpy(doc, seeds[it % 3]);
		for (int e = 0, edits = 1 + it % 3; e < edits; e++) {
			size_t pos;

			seed = seed * 1103515245u + 12345u;
			len = strlen(doc);
			pos = (seed >> 8) % len;
			switch ((seed >> 4) % 3) {
			case 0: /* replace */
				doc[pos] = alphabet[(seed >> 20) % (sizeof(alphabet) - 1)];
				break;
			case 1: /* delete */
				memmove(doc + pos, doc + pos + 1, len - pos);
				break;
			default: /* insert */
				memmove(doc + pos + 1, doc + pos, len - pos + 1);
				doc[pos] = alphabet[(seed >> 20) % (sizeof(alphabet) - 1)];
			}
		}
		taken += fast(doc) == 0;
	}
	cr_assert_gt(taken, 0); /* some edits (digits in a TTL...) keep the plain shape */
}

/*
 * A snapshot's record sets read straight from their array, max at a time:
 * the array may end exactly at a call's last set (the next call then finds
 * its end), and a set the fast reader does not take spends the reader.
 */
static int scan_sets_of(const char *text, size_t max, size_t *counts, size_t ncounts)
{
	size_t len = strlen(text), element = 0, calls = 0;
	char *arena = malloc(len + 1);
	struct jscan s;
	bool more = true;
	int rc = 0;

	cr_assert_not_null(arena);
	jscan_init(&s, text, len, arena, len + 1);
	jscan_expect(&s, '[');
	while (rc == 0 && more) {
		struct mv_batch b;

		rc = mv_batch_scan_sets(&s, &element, max, &b, &more);
		if (rc == 0) {
			cr_assert_lt(calls, ncounts);
			counts[calls++] = b.count;
			for (size_t i = 0; i < b.count; i++)
				cr_assert_eq(b.changes[i].action, MV_ACTION_UPSERT);
			mv_batch_free(&b);
		}
	}
	cr_assert(rc != 0 || jscan_done(&s));
	free(arena);
	return rc;
}

Test(batch, record_sets_of_a_snapshot_a_few_at_a_time)
{
	static const char sets[] = "[{\"Name\":\"a.example.com\",\"Type\":\"A\",\"TTL\":60,"
				   "\"ResourceRecords\":[{\"Value\":\"192.0.2.1\"}]},"
				   " {\"Name\":\"b.example.com\",\"Type\":\"TXT\",\"TTL\":60,"
				   "\"ResourceRecords\":[{\"Value\":\"\\\"x\\\"\"}]} ]";
	static const char odd[] = "[{\"Name\":\"a.example.com\",\"Type\":\"A\",\"TTL\":60,"
				  "\"SetIdentifier\":\"caf\\u00e9\",\"MultiValueAnswer\":true,"
				  "\"ResourceRecords\":[{\"Value\":\"192.0.2.1\"}]}]";
	size_t counts[4] = {0};

	cr_assert_eq(scan_sets_of(sets, 2, counts, 4), 0);
	cr_assert_eq(counts[0], 2, "both sets in the first call");
	cr_assert_eq(counts[1], 0, "the second finds the array's end");
	cr_assert_eq(scan_sets_of(sets, 1, counts, 4), 0);
	cr_assert(counts[0] == 1 && counts[1] == 1 && counts[2] == 0);
	cr_assert_eq(scan_sets_of(sets, 5, counts, 4), 0);
	cr_assert_eq(counts[0], 2);
	cr_assert_eq(scan_sets_of("[]", 5, counts, 4), 0);
	cr_assert_eq(counts[0], 0);
	cr_assert_eq(scan_sets_of(odd, 5, counts, 4), -EAGAIN);
}
