/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The desired-state store: every Route 53 rule a batch must pass against the
 * current state (exact messages), all-or-nothing, nested zones, canonical order.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "store.h"
#include "text.h"
#include "wire.h"

static struct mv_store *store;
static struct mv_error err;
static uint8_t apex[MVDNS_NAME_MAX];

#define SOA_VALUE "ns1.example.com. hostmaster.example.com. 1 7200 900 1209600 86400"

/* The JSON with ' turned into ". */
static const char *J(const char *s)
{
	static char buf[1 << 16];
	size_t i = 0;

	for (; s[i] != '\0' && i + 1 < sizeof(buf); i++)
		buf[i] = s[i] == '\'' ? '"' : s[i];
	buf[i] = '\0';
	return buf;
}

/* Parse (which must succeed) and apply to `zone` (NULL: --load). */
static int apply_in(const char *zone, const char *json)
{
	uint8_t wire[MVDNS_NAME_MAX];
	struct mv_batch b;
	int rc = mv_batch_parse(json, strlen(json), &b, &err);

	cr_assert_eq(rc, 0, "parse: %s", err.messages[0]);
	if (zone != NULL)
		cr_assert_gt(dns_name_from_text(zone, wire, NULL, 0), 0);
	rc = mv_store_apply(store, zone != NULL ? wire : NULL, &b, &err);
	mv_batch_free(&b);
	return rc;
}

static int apply(const char *json)
{
	return apply_in("example.com", json);
}

/* One change: action, name, type, ttl, values "a|b|c", and extra members (or ""). */
static const char *change(const char *action, const char *name, const char *type, int ttl,
			  const char *values, const char *extra)
{
	static char bufs[8][4096];
	static unsigned next;
	char *b = bufs[next++ % 8];
	size_t n = (size_t)snprintf(b, sizeof(bufs[0]),
				    "{'Action': '%s', 'ResourceRecordSet': {'Name': '%s', 'Type': "
				    "'%s', 'TTL': %d%s, 'ResourceRecords': [",
				    action, name, type, ttl, extra);

	for (const char *v = values; *v != '\0';) {
		size_t len = strcspn(v, "|");

		n += (size_t)snprintf(b + n, sizeof(bufs[0]) - n, "%s{'Value': '%.*s'}",
				      v == values ? "" : ", ", (int)len, v);
		v += len + (v[len] == '|');
	}
	snprintf(b + n, sizeof(bufs[0]) - n, "]}}");
	return b;
}

/* A batch of the changes (NULL-terminated). */
static const char *changes(const char *first, ...)
{
	static char doc[1 << 16];
	const char *c = first;
	size_t n = (size_t)snprintf(doc, sizeof(doc), "{'Changes': [");
	va_list ap;

	va_start(ap, first);
	for (int i = 0; c != NULL; c = va_arg(ap, const char *), i++)
		n += (size_t)snprintf(doc + n, sizeof(doc) - n, "%s%s", i > 0 ? ", " : "", c);
	va_end(ap);
	snprintf(doc + n, sizeof(doc) - n, "]}");
	return J(doc);
}

#define MV(id) ", 'SetIdentifier': '" id "', 'MultiValueAnswer': true"

/* Assert the error: InvalidChangeBatch and every message in order (NULL-terminated). */
static void expect(const char *first, ...)
{
	const char *m = first;
	size_t n = 0;
	va_list ap;

	cr_assert_str_eq(err.code, "InvalidChangeBatch");
	va_start(ap, first);
	for (; m != NULL; m = va_arg(ap, const char *), n++) {
		cr_assert_lt(n, err.count, "missing message: %s", m);
		cr_assert_str_eq(err.messages[n], m, "message %zu", n);
	}
	va_end(ap);
	cr_assert_eq(err.count, n, "%zu messages, first extra: %s", err.count,
		     err.count > n ? err.messages[n] : "");
}

/* The whole state as text, one line per set: name type ttl setid hc values. */
static int dump_one(const struct mv_rrset *rr, void *arg)
{
	char *out = arg, name[1100], value[1024];
	size_t n = strlen(out);

	dns_name_to_text(rr->owner, name, sizeof(name));
	n += (size_t)snprintf(
		out + n, 65536 - n, "%s %s %u %s %s %d", name, dns_type_to_text(rr->type), rr->ttl,
		rr->set_identifier != NULL ? rr->set_identifier : "-",
		rr->health_check_id != NULL ? rr->health_check_id : "-", rr->multivalue);
	for (unsigned j = 0; j < rr->count; j++) {
		cr_assert_geq(dns_rdata_to_text(rr->type, rr->rdata[j], rr->rdata_len[j], value,
						sizeof(value)),
			      0);
		n += (size_t)snprintf(out + n, 65536 - n, " [%s]", value);
	}
	snprintf(out + n, 65536 - n, "\n");
	return 0;
}

static const char *dump(void)
{
	static char out[65536];

	out[0] = '\0';
	mv_store_foreach(store, dump_one, out);
	return out;
}

static void setup(void)
{
	store = mv_store_create();
	cr_assert_not_null(store);
	cr_assert_gt(dns_name_from_text("example.com", apex, NULL, 0), 0);
	cr_assert_eq(apply(changes(change("CREATE", "example.com", "SOA", 900, SOA_VALUE, ""),
				   change("CREATE", "example.com", "NS", 172800,
					  "ns1.example.com.|ns2.example.com.", ""),
				   change("CREATE", "www.example.com", "A", 300, "192.0.2.1", ""),
				   NULL)),
		     0, "%s", err.messages[0]);
}

static void teardown(void)
{
	mv_store_destroy(store);
}

TestSuite(store, .init = setup, .fini = teardown);

/* ---- CREATE, DELETE, UPSERT ---- */

Test(store, create_existing)
{
	cr_assert_eq(apply(changes(change("CREATE", "WWW.example.com.", "A", 300, "192.0.2.9", ""),
				   NULL)),
		     -EINVAL);
	expect("Tried to create resource record set [name='www.example.com.', type='A'] but it "
	       "already exists",
	       NULL);
}

Test(store, create_existing_with_set_identifier)
{
	cr_assert_eq(
		apply(changes(change("CREATE", "pool.example.com", "A", 60, "192.0.2.1", MV("one")),
			      NULL)),
		0);
	cr_assert_eq(
		apply(changes(change("CREATE", "pool.example.com", "A", 60, "192.0.2.2", MV("one")),
			      NULL)),
		-EINVAL);
	expect("Tried to create resource record set [name='pool.example.com.', type='A', "
	       "set-identifier='one'] but it already exists",
	       NULL);
	/* The same identifier under another type is another set. */
	cr_assert_eq(apply(changes(change("CREATE", "pool.example.com", "AAAA", 60, "2001:db8::1",
					  MV("one")),
				   NULL)),
		     0);
}

Test(store, delete_missing)
{
	cr_assert_eq(
		apply(changes(change("DELETE", "ftp.example.com", "A", 300, "192.0.2.1", ""),
			      change("DELETE", "www.example.com", "A", 300, "192.0.2.1", MV("x")),
			      NULL)),
		-EINVAL);
	expect("Tried to delete resource record set [name='ftp.example.com.', type='A'] but it was "
	       "not found",
	       "Tried to delete resource record set [name='www.example.com.', type='A', "
	       "set-identifier='x'] but it was not found",
	       NULL);
}

Test(store, delete_must_match)
{
	cr_assert_eq(apply(changes(change("UPSERT", "www.example.com", "A", 300,
					  "192.0.2.1|192.0.2.2", ", 'HealthCheckId': 'hc1'"),
				   NULL)),
		     0);
	cr_assert_eq(apply(changes(change("DELETE", "www.example.com", "A", 60,
					  "192.0.2.1|192.0.2.2", ", 'HealthCheckId': 'hc1'"),
				   NULL)),
		     -EINVAL);
	expect("Tried to delete resource record set [name='www.example.com.', type='A'] but the "
	       "values provided do not match the current values",
	       NULL);
	cr_assert_eq(apply(changes(change("DELETE", "www.example.com", "A", 300, "192.0.2.1",
					  ", 'HealthCheckId': 'hc1'"),
				   NULL)),
		     -EINVAL);
	cr_assert_eq(apply(changes(change("DELETE", "www.example.com", "A", 300,
					  "192.0.2.1|192.0.2.3", ", 'HealthCheckId': 'hc1'"),
				   NULL)),
		     -EINVAL);
	cr_assert_eq(apply(changes(change("DELETE", "www.example.com", "A", 300,
					  "192.0.2.1|192.0.2.2", ""),
				   NULL)),
		     -EINVAL);
	expect("Tried to delete resource record set [name='www.example.com.', type='A'] but the "
	       "values provided do not match the current values",
	       NULL);
	/* Values in any order, as written differently. */
	cr_assert_eq(apply(changes(change("DELETE", "www.example.com", "A", 300,
					  "192.0.2.2|192.0.2.1", ", 'HealthCheckId': 'hc1'"),
				   NULL)),
		     0, "%s", err.messages[0]);
	cr_assert_null(
		mv_store_find(store, (const uint8_t *)"\3www\7example\3com", DNS_TYPE_A, NULL));
}

Test(store, upsert_creates_and_replaces)
{
	const struct mv_rrset *rr;

	cr_assert_eq(apply(changes(change("UPSERT", "mail.example.com", "A", 60, "192.0.2.5", ""),
				   change("UPSERT", "www.example.com", "A", 30,
					  "192.0.2.7|192.0.2.8", ""),
				   NULL)),
		     0);
	rr = mv_store_find(store, (const uint8_t *)"\4mail\7example\3com", DNS_TYPE_A, NULL);
	cr_assert_not_null(rr);
	cr_assert_eq(rr->ttl, 60);
	rr = mv_store_find(store, (const uint8_t *)"\3www\7example\3com", DNS_TYPE_A, NULL);
	cr_assert_not_null(rr);
	cr_assert_eq(rr->ttl, 30);
	cr_assert_eq(rr->count, 2);
	cr_assert_str_eq(rr->values[1], "192.0.2.8");
	cr_assert_eq(mv_store_count(store), 4);
}

Test(store, delete_then_create)
{
	cr_assert_eq(apply(changes(change("DELETE", "www.example.com", "A", 300, "192.0.2.1", ""),
				   change("CREATE", "www.example.com", "A", 120, "192.0.2.2", ""),
				   NULL)),
		     0, "%s", err.messages[0]);
	cr_assert_eq(
		mv_store_find(store, (const uint8_t *)"\3www\7example\3com", DNS_TYPE_A, NULL)->ttl,
		120);
}

Test(store, other_repeats_in_a_batch)
{
	static const char *const msg = "The request contains an invalid set of changes for a "
				       "resource record set 'A new.example.com.'";

	cr_assert_eq(
		apply(changes(change("CREATE", "new.example.com", "A", 1, "192.0.2.1", ""),
			      change("DELETE", "new.example.com", "A", 1, "192.0.2.1", ""), NULL)),
		-EINVAL);
	expect(msg, NULL);
	cr_assert_eq(
		apply(changes(change("UPSERT", "new.example.com", "A", 1, "192.0.2.1", ""),
			      change("UPSERT", "NEW.example.com", "A", 1, "192.0.2.2", ""), NULL)),
		-EINVAL);
	expect(msg, NULL);
	cr_assert_eq(apply(changes(change("DELETE", "www.example.com", "A", 300, "192.0.2.1", ""),
				   change("DELETE", "www.example.com", "A", 300, "192.0.2.1", ""),
				   NULL)),
		     -EINVAL);
	expect("The request contains an invalid set of changes for a resource record set 'A "
	       "www.example.com.'",
	       NULL);
	cr_assert_eq(apply(changes(change("DELETE", "www.example.com", "A", 300, "192.0.2.1", ""),
				   change("CREATE", "www.example.com", "A", 300, "192.0.2.2", ""),
				   change("DELETE", "www.example.com", "A", 300, "192.0.2.2", ""),
				   NULL)),
		     -EINVAL);
	expect("The request contains an invalid set of changes for a resource record set 'A "
	       "www.example.com.'",
	       NULL);
	/* Different set identifiers are different sets. */
	cr_assert_eq(
		apply(changes(change("CREATE", "new.example.com", "A", 1, "192.0.2.1", MV("a")),
			      change("CREATE", "new.example.com", "A", 1, "192.0.2.2", MV("b")),
			      NULL)),
		0);
}

/* ---- CNAME ---- */

Test(store, cname_conflicts_with_other_sets)
{
	cr_assert_eq(apply(changes(change("CREATE", "www.example.com", "CNAME", 300,
					  "web.example.net", ""),
				   NULL)),
		     -EINVAL);
	expect("RRSet of type CNAME with DNS name www.example.com. is not permitted as it "
	       "conflicts "
	       "with other records with the same DNS name in zone example.com.",
	       NULL);
	cr_assert_eq(apply(changes(change("CREATE", "alias.example.com", "CNAME", 300,
					  "web.example.net", ""),
				   NULL)),
		     0);
	cr_assert_eq(
		apply(changes(change("CREATE", "alias.example.com", "TXT", 300, "\\'x\\'", ""),
			      change("UPSERT", "alias.example.com", "A", 300, "192.0.2.1", MV("m")),
			      NULL)),
		-EINVAL);
	expect("RRSet of type TXT with DNS name alias.example.com. is not permitted because a "
	       "conflicting RRSet of type CNAME with the same DNS name already exists in zone "
	       "example.com.",
	       "RRSet of type A with DNS name alias.example.com. is not permitted because a "
	       "conflicting RRSet of type CNAME with the same DNS name already exists in zone "
	       "example.com.",
	       NULL);
	/* Route 53's own example: replace a set by a CNAME in one batch. */
	cr_assert_eq(apply(changes(change("DELETE", "www.example.com", "A", 300, "192.0.2.1", ""),
				   change("CREATE", "www.example.com", "CNAME", 300,
					  "web.example.net", ""),
				   NULL)),
		     0, "%s", err.messages[0]);
	/* UPSERT of the CNAME itself replaces it. */
	cr_assert_eq(apply(changes(change("UPSERT", "www.example.com", "CNAME", 60,
					  "web2.example.net", ""),
				   NULL)),
		     0);
}

Test(store, cname_at_apex)
{
	cr_assert_eq(
		apply(changes(change("CREATE", "example.com", "CNAME", 300, "web.example.net", ""),
			      NULL)),
		-EINVAL);
	expect("RRSet of type CNAME with DNS name example.com. is not permitted at apex in zone "
	       "example.com.",
	       NULL);
	cr_assert_eq(apply_in(NULL, changes(change("UPSERT", "example.com", "CNAME", 300,
						   "web.example.net", ""),
					    NULL)),
		     -EINVAL);
	expect("RRSet of type CNAME with DNS name example.com. is not permitted at apex in zone "
	       "example.com.",
	       NULL);
}

/* ---- multivalue ---- */

Test(store, multivalue_and_simple_do_not_coexist)
{
	cr_assert_eq(apply(changes(
			     change("CREATE", "www.example.com", "A", 60, "192.0.2.2", MV("web-1")),
			     NULL)),
		     -EINVAL);
	expect("RRSet with DNS name www.example.com., type A, SetIdentifier web-1 cannot be "
	       "created "
	       "because a non multivalue answer rrset exists with the same name and type.",
	       NULL);
	cr_assert_eq(
		apply(changes(change("CREATE", "api.example.com", "A", 60, "192.0.2.1", MV("a")),
			      NULL)),
		0);
	cr_assert_eq(
		apply(changes(change("CREATE", "api.example.com", "A", 60, "192.0.2.2", ""), NULL)),
		-EINVAL);
	expect("RRSet with DNS name api.example.com., type A cannot be created as other RRSets "
	       "exist "
	       "with the same name and type.",
	       NULL);
	/* Another type at the same name is fine either way. */
	cr_assert_eq(
		apply(changes(change("CREATE", "api.example.com", "TXT", 60, "\\'t\\'", ""), NULL)),
		0);
	/* Switching from multivalue to simple in one batch works. */
	cr_assert_eq(
		apply(changes(change("DELETE", "api.example.com", "A", 60, "192.0.2.1", MV("a")),
			      change("CREATE", "api.example.com", "A", 60, "192.0.2.1", ""), NULL)),
		0, "%s", err.messages[0]);
}

Test(store, twenty_multivalue_sets_with_health_checks)
{
	char body[1 << 14], extra[128];
	size_t n = (size_t)snprintf(body, sizeof(body), "{'Changes': [");

	for (int i = 0; i < 20; i++) {
		char ip[32];

		snprintf(extra, sizeof(extra),
			 ", 'SetIdentifier': 'web-%02d', 'MultiValueAnswer': true, "
			 "'HealthCheckId': '%08d-aaaa-bbbb-cccc-dddddddddddd'",
			 i, i);
		snprintf(ip, sizeof(ip), "192.0.2.%d", 10 + i);
		n += (size_t)snprintf(body + n, sizeof(body) - n, "%s%s", i > 0 ? ", " : "",
				      change("CREATE", "web.example.com", "A", 60, ip, extra));
	}
	snprintf(body + n, sizeof(body) - n, "]}");
	cr_assert_eq(apply(J(body)), 0, "%s", err.messages[0]);
	cr_assert_eq(mv_store_count(store), 23);
	cr_assert_str_eq(
		mv_store_find(store, (const uint8_t *)"\3web\7example\3com", DNS_TYPE_A, "web-07")
			->health_check_id,
		"00000007-aaaa-bbbb-cccc-dddddddddddd");
}

/* ---- zones ---- */

Test(store, names_outside_the_zone)
{
	cr_assert_eq(apply(changes(change("CREATE", "foo.other", "A", 1, "192.0.2.1", ""),
				   change("CREATE", "badexample.com", "A", 1, "192.0.2.1", ""),
				   change("CREATE", ".", "A", 1, "192.0.2.1", ""), NULL)),
		     -EINVAL);
	expect("RRSet with DNS name foo.other. is not permitted in zone example.com.",
	       "RRSet with DNS name badexample.com. is not permitted in zone example.com.",
	       "RRSet with DNS name . is not permitted in zone example.com.", NULL);
}

Test(store, soa_only_at_the_apex)
{
	cr_assert_eq(apply(changes(change("CREATE", "sub.example.com", "SOA", 900, SOA_VALUE, ""),
				   NULL)),
		     -EINVAL);
	expect("RRSet of type SOA with DNS name sub.example.com. is not permitted in zone "
	       "example.com.",
	       NULL);
}

Test(store, apex_soa_and_ns_stay)
{
	cr_assert_eq(apply(changes(change("DELETE", "example.com", "SOA", 900, SOA_VALUE, ""),
				   change("DELETE", "example.com", "NS", 172800,
					  "ns1.example.com.|ns2.example.com.", ""),
				   NULL)),
		     -EINVAL);
	expect("A HostedZone must contain exactly one SOA record.",
	       "A HostedZone must contain at least one NS record for the zone itself.", NULL);
	cr_assert_eq(apply_in(NULL, changes(change("DELETE", "example.com", "NS", 172800,
						   "ns1.example.com.|ns2.example.com.", ""),
					    NULL)),
		     -EINVAL);
	expect("A HostedZone must contain at least one NS record for the zone itself.", NULL);
	/* Replacing them is fine. */
	cr_assert_eq(
		apply(changes(change("DELETE", "example.com", "SOA", 900, SOA_VALUE, ""),
			      change("CREATE", "example.com", "SOA", 900,
				     "ns1.example.com. hostmaster.example.com. 2 7200 900 "
				     "1209600 86400",
				     ""),
			      change("UPSERT", "example.com", "NS", 3600, "ns3.example.com.", ""),
			      NULL)),
		0, "%s", err.messages[0]);
	/* NS records below the apex (delegations) come and go. */
	cr_assert_eq(
		apply(changes(change("CREATE", "sub.example.com", "NS", 60, "ns.example.net.", ""),
			      NULL)),
		0);
	cr_assert_eq(
		apply(changes(change("DELETE", "sub.example.com", "NS", 60, "ns.example.net.", ""),
			      NULL)),
		0);
}

Test(store, load_needs_a_zone)
{
	cr_assert_eq(
		apply_in(NULL,
			 changes(change("CREATE", "www.example.org", "A", 1, "192.0.2.1", ""),
				 change("CREATE", "a.example.com", "A", 1, "192.0.2.1", ""), NULL)),
		-EINVAL);
	expect("RRSet of type A with DNS name www.example.org. is not permitted because no hosted "
	       "zone with an SOA record contains it",
	       NULL);
	/* The batch may bring the zone along, in any order. */
	cr_assert_eq(
		apply_in(NULL, changes(change("CREATE", "www.example.org", "A", 1, "192.0.2.1", ""),
				       change("CREATE", "example.org", "SOA", 900,
					      "ns1.example.org. h.example.org. 1 2 3 4 5", ""),
				       NULL)),
		0, "%s", err.messages[0]);
	cr_assert_eq(mv_store_count(store), 5);
}

Test(store, nested_zones)
{
	cr_assert_eq(
		apply_in("sub.example.com",
			 changes(change("CREATE", "sub.example.com", "SOA", 900,
					"ns1.sub.example.com. h.example.com. 1 2 3 4 5", ""),
				 change("CREATE", "sub.example.com", "NS", 900,
					"ns1.sub.example.com.", ""),
				 change("CREATE", "www.sub.example.com", "A", 1, "192.0.2.1", ""),
				 NULL)),
		0, "%s", err.messages[0]);
	/* Names under sub.example.com belong to it, not to example.com. */
	cr_assert_eq(apply(changes(change("CREATE", "ftp.sub.example.com", "A", 1, "192.0.2.1", ""),
				   NULL)),
		     -EINVAL);
	expect("RRSet with DNS name ftp.sub.example.com. is not permitted in zone example.com.",
	       NULL);
	/* The longest apex owns a name: the CNAME below sits at sub.example.com's apex. */
	cr_assert_eq(apply_in(NULL, changes(change("CREATE", "sub.example.com", "CNAME", 1,
						   "x.example.net", ""),
					    change("CREATE", "a.b.sub.example.com", "CNAME", 1,
						   "x.example.net", ""),
					    NULL)),
		     -EINVAL);
	expect("RRSet of type CNAME with DNS name sub.example.com. is not permitted at apex in "
	       "zone "
	       "sub.example.com.",
	       NULL);
	cr_assert_eq(apply_in(NULL, changes(change("CREATE", "a.www.sub.example.com", "TXT", 1,
						   "\\'x\\'", ""),
					    change("CREATE", "www.sub.example.com", "CNAME", 1,
						   "x.example.net", ""),
					    NULL)),
		     -EINVAL);
	expect("RRSet of type CNAME with DNS name www.sub.example.com. is not permitted as it "
	       "conflicts with other records with the same DNS name in zone sub.example.com.",
	       NULL);
}

/* ---- all or nothing ---- */

Test(store, a_bad_change_leaves_the_store_unchanged)
{
	char before[65536];

	cr_assert_eq(
		apply(changes(change("CREATE", "pool.example.com", "A", 60, "192.0.2.1", MV("a")),
			      NULL)),
		0);
	snprintf(before, sizeof(before), "%s", dump());
	cr_assert_eq(
		apply(changes(change("CREATE", "new.example.com", "A", 1, "192.0.2.1", ""),
			      change("UPSERT", "www.example.com", "A", 5, "192.0.2.99", ""),
			      change("DELETE", "pool.example.com", "A", 60, "192.0.2.1", MV("a")),
			      change("DELETE", "example.com", "SOA", 900, SOA_VALUE, ""),
			      change("CREATE", "x.example.com", "CNAME", 1, "y.example.net", ""),
			      change("CREATE", "gone.example.com", "A", 1, "192.0.2.1", ""),
			      change("DELETE", "nothere.example.com", "A", 1, "192.0.2.1", ""),
			      NULL)),
		-EINVAL);
	expect("Tried to delete resource record set [name='nothere.example.com.', type='A'] but it "
	       "was not found",
	       "A HostedZone must contain exactly one SOA record.", NULL);
	cr_assert_str_eq(dump(), before);
	cr_assert_eq(mv_store_count(store), 4);
}

Test(store, every_problem_is_reported_in_order)
{
	cr_assert_eq(
		apply(changes(change("CREATE", "www.example.com", "A", 300, "192.0.2.1", ""),
			      change("DELETE", "a.example.com", "MX", 1, "10 mx.example.com.", ""),
			      change("CREATE", "b.other.org", "A", 1, "192.0.2.1", ""),
			      change("CREATE", "www.example.com", "CNAME", 1, "x.example.net", ""),
			      NULL)),
		-EINVAL);
	expect("Tried to create resource record set [name='www.example.com.', type='A'] but it "
	       "already exists",
	       "Tried to delete resource record set [name='a.example.com.', type='MX'] but it was "
	       "not "
	       "found",
	       "RRSet with DNS name b.other.org. is not permitted in zone example.com.",
	       "RRSet of type CNAME with DNS name www.example.com. is not permitted as it "
	       "conflicts "
	       "with other records with the same DNS name in zone example.com.",
	       NULL);
}

/* ---- canonical order ---- */

struct order {
	char names[64][1100];
	uint16_t types[64];
	const char *ids[64];
	size_t n;
};

static int collect(const struct mv_rrset *rr, void *arg)
{
	struct order *o = arg;

	dns_name_to_text(rr->owner, o->names[o->n], sizeof(o->names[0]));
	o->types[o->n] = rr->type;
	o->ids[o->n++] = rr->set_identifier;
	return 0;
}

static int stop_at_second(const struct mv_rrset *rr, void *arg)
{
	(void)rr;
	return ++*(int *)arg == 2 ? 42 : 0;
}

Test(store, foreach_canonical_order)
{
	/* RFC 4034 section 6.1's example, shuffled, plus types and set identifiers (Route 53
	 * escapes are octal: \\200 is 0x80). */
	static const char *const names[] = {
		"z.example",         "\\\\200.z.example",  "a.example",      "Z.a.example",
		"\\\\001.z.example", "yljkjljk.a.example", "zABC.a.EXAMPLE", "*.z.example"};
	/* com sorts before example: the fixture's names come first. */
	static const char *const sorted[] = {
		"example.com.",    "example.com.",     "www.example.com.",    "example.",
		"example.",        "a.example.",       "yljkjljk.a.example.", "z.a.example.",
		"zabc.a.example.", "z.example.",       "z.example.",          "z.example.",
		"z.example.",      "\\001.z.example.", "\\052.z.example.",    "\\200.z.example."};
	static const uint16_t types[] = {DNS_TYPE_NS,   DNS_TYPE_SOA, DNS_TYPE_A,   DNS_TYPE_NS,
					 DNS_TYPE_SOA,  DNS_TYPE_A,   DNS_TYPE_A,   DNS_TYPE_A,
					 DNS_TYPE_A,    DNS_TYPE_A,   DNS_TYPE_TXT, DNS_TYPE_AAAA,
					 DNS_TYPE_AAAA, DNS_TYPE_A,   DNS_TYPE_A,   DNS_TYPE_A};
	char body[1 << 14];
	size_t n = (size_t)snprintf(
		body, sizeof(body), "{'Changes': [%s, %s",
		change("CREATE", "example", "SOA", 1, "ns.example. h.example. 1 2 3 4 5", ""),
		change("CREATE", "example", "NS", 1, "ns.example.", ""));
	struct order o = {0};
	int calls = 0;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		n += (size_t)snprintf(body + n, sizeof(body) - n, ", %s",
				      change("CREATE", names[i], "A", 1, "192.0.2.1", ""));
	snprintf(body + n, sizeof(body) - n, ", %s, %s, %s]}",
		 change("CREATE", "z.example", "AAAA", 1, "2001:db8::2", MV("b")),
		 change("CREATE", "z.example", "TXT", 1, "\\'t\\'", ""),
		 change("CREATE", "z.example", "AAAA", 1, "2001:db8::3", MV("B")));
	cr_assert_eq(apply_in(NULL, J(body)), 0, "%s", err.messages[0]);
	mv_store_foreach(store, collect, &o);
	cr_assert_eq(o.n, 16);
	for (size_t i = 0; i < 16; i++) {
		cr_assert_str_eq(o.names[i], sorted[i], "position %zu", i);
		cr_assert_eq(o.types[i], types[i], "position %zu", i);
	}
	cr_assert_null(o.ids[9]);
	cr_assert_null(o.ids[10]);
	cr_assert_str_eq(o.ids[11], "B"); /* byte order: 'B' < 'b' */
	cr_assert_str_eq(o.ids[12], "b");
	cr_assert_eq(mv_store_foreach(store, stop_at_second, &calls), 42);
	cr_assert_eq(calls, 2);
}

Test(store, foreach_from_a_start)
{
	struct order o = {0};

	cr_assert_eq(
		apply(changes(change("CREATE", "a.example.com", "A", 1, "192.0.2.1", ""),
			      change("CREATE", "m.example.com", "A", 1, "192.0.2.1", MV("x")),
			      change("CREATE", "m.example.com", "A", 1, "192.0.2.2", MV("y")),
			      change("CREATE", "m.example.com", "TXT", 1, "\\'t\\'", ""), NULL)),
		0);
	/* example.com NS, SOA; a; m A x, A y, TXT; www */
	mv_store_foreach_from(store, (const uint8_t *)"\1M\7EXAMPLE\3com", DNS_TYPE_A, "y", collect,
			      &o);
	cr_assert_eq(o.n, 3);
	cr_assert_str_eq(o.ids[0], "y");
	cr_assert_eq(o.types[1], DNS_TYPE_TXT);
	cr_assert_str_eq(o.names[2], "www.example.com.");
	o.n = 0;
	mv_store_foreach_from(store, (const uint8_t *)"\1m\7example\3com", 0, NULL, collect, &o);
	cr_assert_eq(o.n, 4);
	cr_assert_str_eq(o.ids[0], "x");
	o.n = 0;
	mv_store_foreach_from(store, (const uint8_t *)"\1b\7example\3com", 0, NULL, collect, &o);
	cr_assert_eq(o.n, 4, "a name between sets starts at the next one");
	o.n = 0;
	mv_store_foreach_from(store, NULL, 0, NULL, collect, &o);
	cr_assert_eq(o.n, 7);
	o.n = 0;
	mv_store_foreach_from(store, (const uint8_t *)"\1z\7example\3com", 0, NULL, collect, &o);
	cr_assert_eq(o.n, 0);
	cr_assert_not_null(
		mv_store_find(store, (const uint8_t *)"\3WwW\7example\3COM", DNS_TYPE_A, NULL));
}

static int count_one(const struct mv_rrset *rr, void *arg)
{
	(void)rr;
	++*(int *)arg;
	return 0;
}

Test(store, foreach_at_an_owner_from_anywhere)
{
	/* example.com NS, SOA; a; m A x, A y, TXT; www: indexes 0 ... 6. */
	static const struct {
		const char *owner;
		int sets;
		size_t place;
	} at[] = {{"\7example\3com", 2, 0},      {"\1a\7example\3com", 1, 2},
		  {"\1M\7example\3com", 3, 3},   {"\1b\7example\3com", 0, 3},
		  {"\3www\7example\3com", 1, 6}, {"\1z\7example\3com", 0, 7}};
	static const size_t nears[] = {0, 1, 2, 3, 4, 5, 6, 7, 100};

	cr_assert_eq(
		apply(changes(change("CREATE", "a.example.com", "A", 1, "192.0.2.1", ""),
			      change("CREATE", "m.example.com", "A", 1, "192.0.2.1", MV("x")),
			      change("CREATE", "m.example.com", "A", 1, "192.0.2.2", MV("y")),
			      change("CREATE", "m.example.com", "TXT", 1, "\\'t\\'", ""), NULL)),
		0, "%s", err.messages[0]);
	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++)
		for (size_t k = 0; k < sizeof(nears) / sizeof(nears[0]); k++) {
			size_t near = nears[k];
			int n = 0;

			cr_assert_eq(mv_store_foreach_at(store, &near, (const uint8_t *)at[i].owner,
							 count_one, &n),
				     0);
			cr_assert_eq(n, at[i].sets, "owner %zu from %zu", i, nears[k]);
			cr_assert_eq(near, at[i].place, "owner %zu from %zu", i, nears[k]);
		}
}

Test(store, names_of_low_octets)
{
	/* Octets 0 and 1 take two octets of a sort key each: the longest keys there are. */
	cr_assert_eq(apply(changes(change("CREATE", "\\\\000\\\\001\\\\000\\\\001.example.com", "A",
					  1, "192.0.2.1", ""),
				   NULL)),
		     0, "%s", err.messages[0]);
	cr_assert_not_null(mv_store_find(store, (const uint8_t *)"\4\0\1\0\1\7example\3com",
					 DNS_TYPE_A, NULL));
	cr_assert_str_eq(dump(),
			 "example.com. NS 172800 - - 0 [ns1.example.com.] [ns2.example.com.]\n"
			 "example.com. SOA 900 - - 0 [" SOA_VALUE "]\n"
			 "\\000\\001\\000\\001.example.com. A 1 - - 0 [192.0.2.1]\n"
			 "www.example.com. A 300 - - 0 [192.0.2.1]\n");
}

Test(store, keys_of_long_labels)
{
	/*
	 * Sort keys are made 8 octets at a time: labels longer than 8, octets 0
	 * and 1 and capitals on either side of the 8th, names that differ only
	 * past it, a short last label read one octet at a time, and octet 1
	 * sorting after 0 2 only when escaped.
	 */
	static const char *const names[] = {"abcdefghij.example.com",
					    "abcdefghi.example.com",
					    "abcdefgh\\\\001.example.com",
					    "abcdefg\\\\000z.example.com",
					    "abcdefghijklmnopq.example.com",
					    "abcdefghijklmnopp.example.com",
					    "a.abcdefghijklmnop.example.com",
					    "\\\\001bcdefghijklmnop.example.com",
					    "\\\\001.example.com",
					    "\\\\000\\\\002.example.com"};
	static const char *const sorted[] = {"example.com.",
					     "example.com.",
					     "\\000\\002.example.com.",
					     "\\001.example.com.",
					     "\\001bcdefghijklmnop.example.com.",
					     "abcdefg\\000z.example.com.",
					     "abcdefgh\\001.example.com.",
					     "abcdefghi.example.com.",
					     "abcdefghij.example.com.",
					     "abcdefghijklmnop.example.com.",
					     "a.abcdefghijklmnop.example.com.",
					     "abcdefghijklmnopp.example.com.",
					     "abcdefghijklmnopq.example.com.",
					     "www.example.com."};
	char body[1 << 13];
	size_t n = (size_t)snprintf(
		body, sizeof(body), "{'Changes': [%s",
		change("CREATE", "abcdefghijklmnop.example.com", "A", 1, "192.0.2.1", ""));
	struct order o = {0};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		n += (size_t)snprintf(body + n, sizeof(body) - n, ", %s",
				      change("CREATE", names[i], "A", 1, "192.0.2.1", ""));
	snprintf(body + n, sizeof(body) - n, "]}");
	cr_assert_eq(apply(J(body)), 0, "%s", err.messages[0]);
	mv_store_foreach(store, collect, &o);
	cr_assert_eq(o.n, sizeof(sorted) / sizeof(sorted[0]));
	for (size_t i = 0; i < o.n; i++)
		cr_assert_str_eq(o.names[i], sorted[i], "position %zu", i);
	/* Found in any case, capitals past the 8th octet too. */
	cr_assert_not_null(mv_store_find(
		store, (const uint8_t *)"\21ABCDEFGHIJKLMNOPQ\7EXAMPLE\3COM", DNS_TYPE_A, NULL));
	cr_assert_not_null(mv_store_find(store, (const uint8_t *)"\11abcdefgH\1\7example\3com",
					 DNS_TYPE_A, NULL));
	cr_assert_null(mv_store_find(store, (const uint8_t *)"\11abcdefgH\2\7example\3com",
				     DNS_TYPE_A, NULL));
}

/* ---- scale ---- */

/* Change i of b: action on the A set of name (all sets share one value; owners in b's blocks). */
static void a_change(struct mv_batch *b, size_t i, enum mv_action action, const char *name)
{
	static uint8_t rdata[4] = {192, 0, 2, 1};
	static uint8_t *rdp = rdata;
	static char value[] = "192.0.2.1";
	static char *vp = value;
	static uint16_t len = 4;
	struct mv_rrset *r = &b->changes[i].rrset;
	uint8_t *owner;

	memset(&b->changes[i], 0, sizeof(b->changes[i]));
	b->changes[i].action = action;
	b->blocks.size = 64 << 10;
	owner = mv_blocks_alloc(&b->blocks, MVDNS_NAME_MAX); /* released by mv_batch_free */
	cr_assert_not_null(owner);
	r->owner = owner;
	r->owner_len = (uint8_t)dns_name_from_text(name, owner, NULL, 0);
	r->type = DNS_TYPE_A;
	r->ttl = 60;
	r->count = 1;
	r->rdata = &rdp;
	r->rdata_len = &len;
	r->values = &vp;
}

/* h0 ... h<n - 1>.example.com, CREATEd in one batch in reverse order. */
static void create_hosts(size_t n)
{
	struct mv_batch b = {.changes = calloc(n, sizeof(*b.changes)), .count = n};
	char name[64];

	cr_assert_not_null(b.changes);
	for (size_t i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "h%zu.example.com", n - 1 - i);
		a_change(&b, i, MV_ACTION_CREATE, name);
	}
	cr_assert_eq(mv_store_apply(store, apex, &b, &err), 0, "%s", err.messages[0]);
	mv_batch_free(&b);
}

Test(store, large_batches_are_not_quadratic, .timeout = 60)
{
	enum { N = 200000 };
	struct mv_batch b = {.changes = calloc(1, sizeof(*b.changes)), .count = 1};
	const struct mv_rrset *rr;

	create_hosts(N);
	cr_assert_eq(mv_store_count(store), N + 3);
	/* One more change on the big store, then a failing one that leaves it alone. */
	a_change(&b, 0, MV_ACTION_CREATE, "h199999.example.com");
	cr_assert_eq(mv_store_apply(store, apex, &b, &err), -EINVAL);
	b.changes[0].action = MV_ACTION_UPSERT;
	cr_assert_eq(mv_store_apply(store, apex, &b, &err), 0);
	rr = mv_store_find(store, (const uint8_t *)"\7h199999\7example\3com", DNS_TYPE_A, NULL);
	cr_assert_not_null(rr);
	cr_assert_eq(rr->count, 1);
	mv_batch_free(&b);
}

/*
 * The store's searches start from the last place found: changes that jump
 * far and near, up and down the store, must each find their own place.
 */
Test(store, changes_anywhere_in_a_large_store)
{
	enum { N = 1000, M = 200 };
	struct mv_batch b = {.changes = calloc(M, sizeof(*b.changes)), .count = M};
	char name[64];
	uint8_t wire[MVDNS_NAME_MAX];

	create_hosts(N);
	/* Names h<k> and h<k>x, k in a scattered order: every other one exists. */
	for (size_t i = 0; i < M; i++) {
		size_t k = i * 389 % N;

		snprintf(name, sizeof(name), "h%zu%s.example.com", k, i % 2 ? "x" : "");
		a_change(&b, i, i % 2 ? MV_ACTION_CREATE : MV_ACTION_UPSERT, name);
	}
	cr_assert_eq(mv_store_apply(store, apex, &b, &err), 0, "%s", err.messages[0]);
	cr_assert_eq(mv_store_count(store), N + 3 + M / 2, "an UPSERT of a set found adds none");
	for (size_t i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "h%zu.example.com", i);
		dns_name_from_text(name, wire, NULL, 0);
		cr_assert_not_null(mv_store_find(store, wire, DNS_TYPE_A, NULL), "%s", name);
	}
	for (size_t i = 1; i < M; i += 2) {
		snprintf(name, sizeof(name), "h%zux.example.com", i * 389 % N);
		dns_name_from_text(name, wire, NULL, 0);
		cr_assert_not_null(mv_store_find(store, wire, DNS_TYPE_A, NULL), "%s", name);
	}
	/* Now every one exists: each CREATE is refused. */
	for (size_t i = 0; i < M; i++)
		b.changes[i].action = MV_ACTION_CREATE;
	cr_assert_eq(mv_store_apply(store, apex, &b, &err), -EINVAL);
	cr_assert_eq(err.count + (err.more > 0 ? err.more - 1 : 0), M);
	mv_batch_free(&b);
}

/* The labels under example.com in the order foreach gives them, checked against present[]. */
struct walk {
	const bool *present;
	char last[64];
	size_t hosts;
};

static int walk_one(const struct mv_rrset *rr, void *arg)
{
	struct walk *w = arg;
	char label[64];

	if (rr->owner[0] == 7 && memcmp(rr->owner + 1, "example", 7) == 0)
		return 0; /* the apex */
	memcpy(label, rr->owner + 1, rr->owner[0]);
	label[rr->owner[0]] = '\0';
	/* One label below the apex: canonical order is byte order, a prefix first. */
	cr_assert_gt(strcmp(label, w->last), 0, "%s after %s", label, w->last);
	strcpy(w->last, label);
	if (label[0] == 'h')
		cr_assert(w->present[atoi(label + 1)], "%s is there", label);
	w->hosts += label[0] == 'h';
	return 0;
}

/*
 * Batches of every mix (sets created, replaced, deleted; the store's array
 * is changed in place) against a model of which names exist: after each,
 * the store holds exactly those, in order, and each is found.
 */
Test(store, mixed_batches_in_place)
{
	enum { N = 600, M = 60, ROUNDS = 300 };
	struct mv_batch b = {.changes = calloc(M, sizeof(*b.changes))};
	bool present[N] = {false}, in_batch[N];
	unsigned seed = 3;
	size_t count = 0;
	char name[64];

	cr_assert_not_null(b.changes);
	for (int r = 0; r < ROUNDS; r++) {
		struct walk w = {.present = present};
		/* Some rounds only create, only delete or only replace. */
		int only = rand_r(&seed) % 4;

		memset(in_batch, 0, sizeof(in_batch));
		b.count = (size_t)rand_r(&seed) % M + 1;
		for (size_t i = 0; i < b.count; i++) {
			size_t k = (size_t)rand_r(&seed) % N;
			enum mv_action act;

			while (in_batch[k])
				k = (k + 1) % N;
			in_batch[k] = true;
			if (!present[k])
				act = only == 2 ? MV_ACTION_UPSERT : MV_ACTION_CREATE;
			else
				act = only == 1 || (only == 0 && rand_r(&seed) % 2)
					      ? MV_ACTION_DELETE
					      : MV_ACTION_UPSERT;
			if (only == 3 && present[k])
				act = MV_ACTION_UPSERT;
			snprintf(name, sizeof(name), "h%zu.example.com", k);
			a_change(&b, i, act, name);
			count += act == MV_ACTION_DELETE ? -1 : !present[k];
			present[k] = act != MV_ACTION_DELETE;
		}
		cr_assert_eq(mv_store_apply(store, apex, &b, &err), 0, "%s", err.messages[0]);
		cr_assert_eq(mv_store_count(store), count + 3, "round %d", r);
		mv_store_foreach(store, walk_one, &w);
		cr_assert_eq(w.hosts, count, "round %d", r);
	}
	for (size_t k = 0; k < N; k++) {
		uint8_t wire[MVDNS_NAME_MAX];

		snprintf(name, sizeof(name), "h%zu.example.com", k);
		dns_name_from_text(name, wire, NULL, 0);
		cr_assert_eq(mv_store_find(store, wire, DNS_TYPE_A, NULL) != NULL, present[k], "%s",
			     name);
	}
	mv_batch_free(&b);
}
