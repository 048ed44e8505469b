/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for dataplane/table.c (with node.c underneath): owner names set,
 * replaced and removed; empty non-terminals; zones; growth and tombstones;
 * closest-ancestor lookups; the retire list and the sync callback; and one
 * reader thread racing the writer under a real grace-period wait.
 * Record sets are built by hand in wire form.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "name.h"
#include "table.h"
#include "wire.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define TEST_ASAN 1
#endif
#ifdef TEST_ASAN
#include <sanitizer/asan_interface.h>
#endif

#define VALUES_MAX 8
#define RDATA_MAX  300

/* ---- record sets by hand ---- */

/* A record set and the storage behind its pointers. */
struct rs {
	struct mv_rrset set;
	uint8_t owner[MVDNS_NAME_MAX];
	uint16_t lens[VALUES_MAX];
	uint8_t *ptrs[VALUES_MAX];
	uint8_t data[VALUES_MAX][RDATA_MAX];
};

/* Wire form of a dotted name ("" is the root). */
static size_t wname(uint8_t *out, const char *text)
{
	size_t n = 0;

	while (*text != '\0') {
		size_t l = strcspn(text, ".");
		out[n++] = (uint8_t)l;
		memcpy(out + n, text, l);
		n += l;
		text += l;
		if (*text == '.')
			text++;
	}
	out[n++] = 0;
	return n;
}

static void rs_init(struct rs *r, const char *owner, uint16_t type, uint32_t ttl)
{
	memset(r, 0, sizeof(*r));
	r->set.owner = r->owner;
	r->set.owner_len = (uint8_t)wname(r->owner, owner);
	r->set.type = type;
	r->set.ttl = ttl;
	r->set.rdata_len = r->lens;
	r->set.rdata = r->ptrs;
}

static void rs_add(struct rs *r, const void *rdata, size_t len)
{
	uint16_t i = r->set.count++;

	cr_assert_lt(i, VALUES_MAX);
	memcpy(r->data[i], rdata, len);
	r->ptrs[i] = r->data[i];
	r->lens[i] = (uint16_t)len;
}

static void rs_a(struct rs *r, uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	uint8_t ip[4] = {a, b, c, d};
	rs_add(r, ip, 4);
}

/* A value that is a name (NS, CNAME, PTR). */
static void rs_name(struct rs *r, const char *name)
{
	uint8_t w[MVDNS_NAME_MAX];
	rs_add(r, w, wname(w, name));
}

/* SOA: ns1.<apex> hostmaster.<apex> serial 7200 900 1209600 minimum. */
static void rs_soa(struct rs *r, const char *apex, uint32_t ttl, uint32_t serial, uint32_t minimum)
{
	uint8_t w[RDATA_MAX];
	char name[300];
	size_t n;

	rs_init(r, apex, DNS_TYPE_SOA, ttl);
	snprintf(name, sizeof(name), "ns1.%s", apex);
	n = wname(w, name);
	snprintf(name, sizeof(name), "hostmaster.%s", apex);
	n += wname(w + n, name);
	dns_put_u32(w + n, serial);
	dns_put_u32(w + n + 4, 7200);
	dns_put_u32(w + n + 8, 900);
	dns_put_u32(w + n + 12, 1209600);
	dns_put_u32(w + n + 16, minimum);
	rs_add(r, w, n + 20);
}

/* ---- table helpers ---- */

static int set(struct mv_table *t, const char *owner, struct rs *const *sets, size_t n)
{
	const struct mv_rrset *p[8];
	uint8_t w[MVDNS_NAME_MAX];
	size_t len = wname(w, owner);

	cr_assert_leq(n, 8);
	for (size_t i = 0; i < n; i++)
		p[i] = &sets[i]->set;
	return mv_table_set_name(t, w, len, p, n);
}

static int set1(struct mv_table *t, const char *owner, struct rs *s)
{
	return set(t, owner, &s, 1);
}

/* Set `name` to one A record, 10.x.y.z from the low 24 bits of addr, TTL 60. */
static void set_a(struct mv_table *t, const char *name, uint32_t addr)
{
	struct rs a;

	rs_init(&a, name, DNS_TYPE_A, 60);
	rs_a(&a, 10, (uint8_t)(addr >> 16), (uint8_t)(addr >> 8), (uint8_t)addr);
	cr_assert_eq(set1(t, name, &a), 0, "%s", name);
}

static int del(struct mv_table *t, const char *owner)
{
	return set(t, owner, NULL, 0);
}

static const struct mv_node *look(const struct mv_table *t, const char *name)
{
	uint8_t w[MVDNS_NAME_MAX];
	size_t len = wname(w, name);
	return mv_table_lookup(t, w, len, dns_name_hash(w, len));
}

static const struct mv_node *closest(const struct mv_table *t, const char *name, int *exact)
{
	uint8_t w[MVDNS_NAME_MAX];
	size_t len = wname(w, name);
	return mv_table_lookup_closest(t, w, len, dns_name_hash(w, len), exact);
}

/* Whether node n is `name`. */
static bool node_is(const struct mv_node *n, const char *name)
{
	uint8_t w[MVDNS_NAME_MAX];
	size_t len = wname(w, name);
	return n != NULL && n->name_len == len && memcmp(n->name, w, len) == 0;
}

/* Whether the zone of node n has apex `apex`. */
static bool zone_is(const struct mv_node *n, const char *apex)
{
	uint8_t w[MVDNS_NAME_MAX];
	size_t len = wname(w, apex);
	return n != NULL && n->zone != NULL && n->zone->apex_len == len &&
	       memcmp(n->zone->apex, w, len) == 0;
}

/* A table with the zone example.com (SOA TTL 3600, MINIMUM 300; NS). */
static struct mv_table *zone_table(size_t names, mv_table_sync_fn sync, void *arg)
{
	struct mv_table *t = mv_table_create(names, sync, arg);
	struct rs soa, ns;

	cr_assert_not_null(t);
	rs_soa(&soa, "example.com", 3600, 1, 300);
	rs_init(&ns, "example.com", DNS_TYPE_NS, 172800);
	rs_name(&ns, "ns1.example.com");
	struct rs *sets[] = {&soa, &ns};
	cr_assert_eq(set(t, "example.com", sets, 2), 0);
	return t;
}

/* The A address of RR i of set s (reply form: pointer, fixed part, rdata). */
static const uint8_t *rr_rdata(const struct mv_rrset_wire *s, unsigned i, uint16_t *type,
			       uint32_t *ttl, uint16_t *rdlen)
{
	const uint8_t *rr = mv_rrset_wire_rrs(s) + mv_rrset_wire_offsets(s)[i];
	*type = dns_get_u16(rr + 2);
	*ttl = dns_get_u32(rr + 6);
	*rdlen = dns_get_u16(rr + 10);
	return rr + 12;
}

/* ---- set, look up, replace, remove ---- */

Test(table, apex)
{
	struct mv_table *t = zone_table(16, NULL, NULL);
	const struct mv_node *n = look(t, "example.com");

	cr_assert_eq(mv_table_count(t), 1);
	cr_assert(node_is(n, "example.com"));
	cr_assert(n->flags & MV_NODE_APEX);
	cr_assert_eq(n->nsets, 2);
	cr_assert_eq(n->sets[0]->type, DNS_TYPE_NS, "sets not sorted by type");
	cr_assert_eq(n->sets[1]->type, DNS_TYPE_SOA);
	cr_assert(zone_is(n, "example.com"));
	cr_assert_not_null(mv_node_find(n, DNS_TYPE_SOA));
	cr_assert_null(mv_node_find(n, DNS_TYPE_A));
	/* The negative-answer SOA: TTL = min(3600, MINIMUM 300). */
	const struct mv_rrset_wire *neg = atomic_load(&n->zone->negative);
	cr_assert_not_null(neg);
	uint16_t type, rdlen;
	uint32_t ttl;
	rr_rdata(neg, 0, &type, &ttl, &rdlen);
	cr_assert_eq(type, DNS_TYPE_SOA);
	cr_assert_eq(ttl, 300);
	cr_assert_null(look(t, "com"));
	cr_assert_null(look(t, "www.example.com"));
	mv_table_destroy(t);
}

Test(table, set_replace_remove)
{
	struct mv_table *t = zone_table(16, NULL, NULL);
	struct rs a, a2, aaaa;
	uint16_t type, rdlen;
	uint32_t ttl;

	rs_init(&a, "www.example.com", DNS_TYPE_A, 60);
	rs_a(&a, 192, 0, 2, 1);
	cr_assert_eq(set1(t, "www.example.com", &a), 0);
	cr_assert_eq(mv_table_count(t), 2);
	const struct mv_node *n = look(t, "www.example.com");
	cr_assert(node_is(n, "www.example.com"));
	cr_assert(zone_is(n, "example.com"));
	cr_assert_eq(n->flags, 0);
	cr_assert_eq(n->nsets, 1);
	const struct mv_rrset_wire *s = mv_node_find(n, DNS_TYPE_A);
	cr_assert_not_null(s);
	cr_assert_eq(s->count, 1);
	cr_assert_eq(s->len, 2 + 10 + 4);
	const uint8_t *rr = mv_rrset_wire_rrs(s);
	static const uint8_t want[] = {0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1};
	cr_assert(memcmp(rr, want, sizeof(want)) == 0, "RR in reply form");

	/* Replace: two addresses and an AAAA. The name's content is what was given. */
	rs_init(&a2, "www.example.com", DNS_TYPE_A, 30);
	rs_a(&a2, 192, 0, 2, 2);
	rs_a(&a2, 192, 0, 2, 3);
	rs_init(&aaaa, "www.example.com", DNS_TYPE_AAAA, 30);
	uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	rs_add(&aaaa, v6, 16);
	struct rs *sets[] = {&aaaa, &a2};
	cr_assert_eq(set(t, "www.example.com", sets, 2), 0);
	cr_assert_eq(mv_table_count(t), 2);
	n = look(t, "www.example.com");
	cr_assert_eq(n->nsets, 2);
	s = mv_node_find(n, DNS_TYPE_A);
	cr_assert_eq(s->count, 2);
	const uint8_t *rd = rr_rdata(s, 1, &type, &ttl, &rdlen);
	cr_assert(type == DNS_TYPE_A && ttl == 30 && rdlen == 4 && rd[3] == 3);
	rd = rr_rdata(s, 0, &type, &ttl, &rdlen);
	cr_assert_eq(rd[3], 2);
	cr_assert_eq(mv_node_find(n, DNS_TYPE_AAAA)->count, 1);

	/* Remove, twice: the second is a no-op. */
	cr_assert_eq(del(t, "www.example.com"), 0);
	cr_assert_null(look(t, "www.example.com"));
	cr_assert_eq(mv_table_count(t), 1);
	cr_assert_eq(del(t, "www.example.com"), 0);
	cr_assert_eq(mv_table_count(t), 1);
	cr_assert_not_null(look(t, "example.com"));
	mv_table_commit(t);
	mv_table_destroy(t);
}

Test(table, sets_of_one_type_merge)
{
	struct mv_table *t = zone_table(16, NULL, NULL);
	struct rs one, two;

	rs_init(&one, "app.example.com", DNS_TYPE_A, 60);
	one.set.multivalue = true;
	rs_a(&one, 192, 0, 2, 11);
	rs_init(&two, "app.example.com", DNS_TYPE_A, 60);
	two.set.multivalue = true;
	rs_a(&two, 192, 0, 2, 12);
	rs_a(&two, 192, 0, 2, 11); /* the same value twice: one RR */
	struct rs *sets[] = {&one, &two};
	cr_assert_eq(set(t, "app.example.com", sets, 2), 0);
	const struct mv_node *n = look(t, "app.example.com");
	cr_assert_eq(n->nsets, 1);
	cr_assert_eq(n->sets[0]->count, 2);
	cr_assert(n->sets[0]->flags & MV_RRSET_MULTIVALUE);
	mv_table_destroy(t);
}

/*
 * A name's record sets arrive in any order of types: the node holds one
 * RRset per type, in type order, each with its values in arrival order.
 * Both sizes: up to 16 sets (sorted on the stack) and more (allocated).
 */
static void check_sets_by_type(size_t n)
{
	static const uint16_t types[3] = {DNS_TYPE_AAAA, DNS_TYPE_TXT, DNS_TYPE_A};
	struct mv_table *t = zone_table(16, NULL, NULL);
	struct rs *rs = calloc(n, sizeof(*rs));
	const struct mv_rrset **p = calloc(n, sizeof(*p));
	uint8_t w[MVDNS_NAME_MAX];
	size_t len = wname(w, "mixed.example.com");

	cr_assert(rs != NULL && p != NULL);
	for (size_t i = 0; i < n; i++) {
		uint8_t v[16] = {(uint8_t)i};
		rs_init(&rs[i], "mixed.example.com", types[i % 3], 60);
		if (types[i % 3] == DNS_TYPE_TXT)
			v[0] = 1, v[1] = (uint8_t)('a' + i); /* one string of one character */
		rs_add(&rs[i], v,
		       types[i % 3] == DNS_TYPE_AAAA ? 16
		       : types[i % 3] == DNS_TYPE_A  ? 4
						     : 2);
		p[i] = &rs[i].set;
	}
	cr_assert_eq(mv_table_set_name(t, w, len, p, n), 0);
	const struct mv_node *node = look(t, "mixed.example.com");
	cr_assert_not_null(node);
	cr_assert_eq(node->nsets, n < 3 ? n : 3);
	for (unsigned k = 0; k < node->nsets; k++) {
		const struct mv_rrset_wire *set = node->sets[k];
		uint16_t type = types[2 - k]; /* A, TXT, AAAA: ascending */
		cr_assert_eq(set->type, type, "set %u has type %u", k, set->type);
		cr_assert_eq(set->count, (n - (2 - k) + 2) / 3);
		for (unsigned r = 0; r < set->count; r++) {
			uint16_t rtype, rdlen;
			uint32_t ttl;
			const uint8_t *rd = rr_rdata(set, r, &rtype, &ttl, &rdlen);
			size_t from = 3 * r + (2 - k); /* the r-th set of this type to arrive */
			cr_assert_eq(rtype, type);
			cr_assert_eq(type == DNS_TYPE_TXT ? rd[1] : rd[0],
				     type == DNS_TYPE_TXT ? 'a' + from : from,
				     "RR %u of type %u is not from set %zu", r, type, from);
		}
	}
	free(p);
	free(rs);
	mv_table_destroy(t);
}

Test(table, sets_by_type_in_any_order)
{
	check_sets_by_type(3);
	check_sets_by_type(9);
	check_sets_by_type(20);
}

Test(table, lookup_is_exact)
{
	struct mv_table *t = zone_table(16, NULL, NULL);
	struct rs a;

	rs_init(&a, "www.example.com", DNS_TYPE_A, 60);
	rs_a(&a, 192, 0, 2, 1);
	cr_assert_eq(set1(t, "www.example.com", &a), 0);
	cr_assert_null(look(t, "ww.example.com"));
	cr_assert_null(look(t, "wwww.example.com"));
	cr_assert_null(look(t, "www.example.co"));
	cr_assert_null(look(t, "www"));
	cr_assert_null(look(t, ""));
	/* Wrong hash for the right name: not found (the tag filters). */
	uint8_t w[MVDNS_NAME_MAX];
	size_t len = wname(w, "www.example.com");
	uint32_t h = dns_name_hash(w, len);
	const struct mv_node *n = mv_table_lookup(t, w, len, h);
	cr_assert_not_null(n);
	cr_assert(node_is(n, "www.example.com"));
	mv_table_destroy(t);
}

/* ---- zones and empty non-terminals ---- */

Test(table, outside_any_zone)
{
	struct mv_table *t = zone_table(16, NULL, NULL);
	struct rs a;

	rs_init(&a, "www.example.org", DNS_TYPE_A, 60);
	rs_a(&a, 192, 0, 2, 1);
	cr_assert_eq(set1(t, "www.example.org", &a), -ENOENT);
	cr_assert_eq(set1(t, "com", &a), -ENOENT);
	cr_assert_eq(set1(t, "", &a), -ENOENT);
	cr_assert_eq(set1(t, "a.b.c.example.net", &a), -ENOENT);
	cr_assert_eq(mv_table_count(t), 1, "a failed set left names behind");
	cr_assert_null(look(t, "example.org"));
	cr_assert_null(look(t, "b.c.example.net"));
	/* Sibling zone apexes: a name in one is not in the other. */
	cr_assert_eq(set1(t, "wwwexample.com", &a), -ENOENT);
	cr_assert_eq(del(t, "www.example.org"), 0);
	mv_table_destroy(t);
}

Test(table, empty_non_terminals)
{
	struct mv_table *t = zone_table(16, NULL, NULL);
	struct rs a, x;

	rs_init(&a, "a.b.c.example.com", DNS_TYPE_A, 60);
	rs_a(&a, 192, 0, 2, 1);
	cr_assert_eq(set1(t, "a.b.c.example.com", &a), 0);
	cr_assert_eq(mv_table_count(t), 4);
	const struct mv_node *bc = look(t, "b.c.example.com"), *c = look(t, "c.example.com");
	cr_assert(node_is(bc, "b.c.example.com"));
	cr_assert_eq(bc->nsets, 0);
	cr_assert(zone_is(bc, "example.com"));
	cr_assert(node_is(c, "c.example.com"));
	cr_assert_eq(c->nsets, 0);
	cr_assert(zone_is(c, "example.com"));
	cr_assert(zone_is(look(t, "a.b.c.example.com"), "example.com"));

	/* A second branch under c. */
	rs_init(&x, "x.c.example.com", DNS_TYPE_A, 60);
	rs_a(&x, 192, 0, 2, 2);
	cr_assert_eq(set1(t, "x.c.example.com", &x), 0);
	cr_assert_eq(mv_table_count(t), 5);

	/* Removing a.b.c removes b.c (now childless) but not c (x is below it). */
	cr_assert_eq(del(t, "a.b.c.example.com"), 0);
	cr_assert_null(look(t, "a.b.c.example.com"));
	cr_assert_null(look(t, "b.c.example.com"));
	cr_assert_not_null(look(t, "c.example.com"));
	cr_assert_eq(mv_table_count(t), 3);

	/* The last child goes: so does c. The apex stays. */
	cr_assert_eq(del(t, "x.c.example.com"), 0);
	cr_assert_null(look(t, "c.example.com"));
	cr_assert_not_null(look(t, "example.com"));
	cr_assert_eq(mv_table_count(t), 1);
	mv_table_commit(t);
	mv_table_destroy(t);
}

Test(table, empty_non_terminal_gains_and_loses_data)
{
	struct mv_table *t = zone_table(16, NULL, NULL);
	struct rs leaf, mid;

	rs_init(&leaf, "leaf.mid.example.com", DNS_TYPE_A, 60);
	rs_a(&leaf, 192, 0, 2, 1);
	rs_init(&mid, "mid.example.com", DNS_TYPE_A, 60);
	rs_a(&mid, 192, 0, 2, 2);
	cr_assert_eq(set1(t, "leaf.mid.example.com", &leaf), 0);
	cr_assert_eq(look(t, "mid.example.com")->nsets, 0);

	/* The ENT gets data, keeps its child. */
	cr_assert_eq(set1(t, "mid.example.com", &mid), 0);
	cr_assert_eq(mv_table_count(t), 3);
	cr_assert_eq(look(t, "mid.example.com")->nsets, 1);
	cr_assert_eq(look(t, "mid.example.com")->children, 1);
	/* The data goes while a child exists: an ENT again, not removed. */
	cr_assert_eq(del(t, "mid.example.com"), 0);
	cr_assert_not_null(look(t, "mid.example.com"));
	cr_assert_eq(look(t, "mid.example.com")->nsets, 0);
	cr_assert_eq(mv_table_count(t), 3);
	/* Data again, then the child goes: mid stays with its data. */
	cr_assert_eq(set1(t, "mid.example.com", &mid), 0);
	cr_assert_eq(del(t, "leaf.mid.example.com"), 0);
	cr_assert_eq(look(t, "mid.example.com")->nsets, 1);
	cr_assert_eq(mv_table_count(t), 2);
	/* And without data or children: gone. */
	cr_assert_eq(del(t, "mid.example.com"), 0);
	cr_assert_null(look(t, "mid.example.com"));
	cr_assert_eq(mv_table_count(t), 1);
	mv_table_destroy(t);
}

Test(table, nested_zone)
{
	struct mv_table *t = zone_table(16, NULL, NULL);
	struct rs soa, a;

	rs_soa(&soa, "sub.example.com", 600, 1, 60);
	cr_assert_eq(set1(t, "sub.example.com", &soa), 0);
	rs_init(&a, "a.b.sub.example.com", DNS_TYPE_A, 60);
	rs_a(&a, 192, 0, 2, 1);
	cr_assert_eq(set1(t, "a.b.sub.example.com", &a), 0);
	cr_assert(zone_is(look(t, "sub.example.com"), "sub.example.com"));
	cr_assert(zone_is(look(t, "b.sub.example.com"), "sub.example.com"));
	cr_assert(zone_is(look(t, "a.b.sub.example.com"), "sub.example.com"));
	/* A zone of its own, with no parent zone at all. */
	rs_soa(&soa, "example.net", 600, 1, 60);
	cr_assert_eq(set1(t, "example.net", &soa), 0);
	cr_assert(zone_is(look(t, "example.net"), "example.net"));
	cr_assert_null(look(t, "net"));
	cr_assert_eq(mv_table_count(t), 5);
	mv_table_destroy(t);
}

/*
 * A zone whose apex arrives before its parent zone's: the names between
 * become empty non-terminals of the parent as when the parent comes first,
 * also through a middle zone that arrives between the two, and go again
 * with the child zone.
 */
Test(table, child_zone_before_parent)
{
	static const char *const order[2][3] = {
		{"example.com", "y.example.com", "a.b.x.y.example.com"},
		{"a.b.x.y.example.com", "y.example.com", "example.com"},
	};
	static const char *const names[] = {"example.com", "y.example.com", "x.y.example.com",
					    "b.x.y.example.com", "a.b.x.y.example.com"};
	static const char *const zones[] = {"example.com", "y.example.com", "y.example.com",
					    "y.example.com", "a.b.x.y.example.com"};

	for (unsigned k = 0; k < 2; k++) {
		struct mv_table *t = mv_table_create(16, NULL, NULL);
		struct rs soa;
		for (unsigned i = 0; i < 3; i++) {
			rs_soa(&soa, order[k][i], 600, 1, 60);
			cr_assert_eq(set1(t, order[k][i], &soa), 0, "%s", order[k][i]);
		}
		cr_assert_eq(mv_table_count(t), 5, "order %u", k);
		for (unsigned i = 0; i < 5; i++)
			cr_assert(zone_is(look(t, names[i]), zones[i]), "order %u: %s", k,
				  names[i]);
		cr_assert_null(look(t, "com"));

		/* The child zone goes: so do the names that only led to it. */
		cr_assert_eq(del(t, "a.b.x.y.example.com"), 0);
		cr_assert_null(look(t, "b.x.y.example.com"), "order %u", k);
		cr_assert_null(look(t, "x.y.example.com"), "order %u", k);
		cr_assert_eq(mv_table_count(t), 2, "order %u", k);
		mv_table_commit(t);
		mv_table_destroy(t);
	}
}

/*
 * Zone apexes in random order, some nested up to four deep, most of them
 * orphans when they arrive: whatever the order, a name exists exactly when
 * it is an apex or lies between an apex and the nearest apex above it, and
 * belongs to the nearest apex at or above it.
 */
Test(table, zones_in_any_order)
{
	enum { BASES = 8, PER_BASE = 15, ALL = 1 + BASES * PER_BASE };
	static char names[ALL][64];
	static int parent[ALL]; /* index of the name one label up, -1 for "test" */
	uint64_t rng = 7;

	/* test; k<b>.test; then a. and b. in front, three times. */
	snprintf(names[0], sizeof(names[0]), "test");
	parent[0] = -1;
	for (int b = 0, n = 1; b < BASES; b++) {
		int first = n;
		snprintf(names[n], sizeof(names[n]), "k%d.test", b);
		parent[n++] = 0;
		for (int i = first; n < first + PER_BASE; i++)
			for (int l = 0; l < 2; l++, n++) {
				snprintf(names[n], sizeof(names[n]), "%c.%s", 'a' + l, names[i]);
				parent[n] = i;
			}
	}
	for (int round = 0; round < 20; round++) {
		struct mv_table *t = mv_table_create(16, NULL, NULL);
		bool apex[ALL];
		int order[ALL], napex = 0;
		for (int i = 0; i < ALL; i++) {
			rng = rng * 6364136223846793005ull + 1442695040888963407ull;
			apex[i] = (rng >> 40) % 3 == 0;
			if (apex[i])
				order[napex++] = i;
		}
		for (int i = napex - 1; i > 0; i--) { /* shuffle the arrivals */
			rng = rng * 6364136223846793005ull + 1442695040888963407ull;
			int j = (int)((rng >> 33) % (uint64_t)(i + 1)), tmp = order[i];
			order[i] = order[j];
			order[j] = tmp;
		}
		for (int i = 0; i < napex; i++) {
			struct rs soa;
			rs_soa(&soa, names[order[i]], 600, 1, 60);
			cr_assert_eq(set1(t, names[order[i]], &soa), 0, "%s", names[order[i]]);
		}
		size_t expected = 0;
		for (int i = 0; i < ALL; i++) {
			int zone = i; /* the nearest apex at or above */
			while (zone >= 0 && !apex[zone])
				zone = parent[zone];
			/* No apex, but an apex below it with no apex between: the
			 * name links that apex to the zone above. */
			bool exists = apex[i];
			for (int j = 0; !exists && zone >= 0 && j < ALL; j++) {
				int up = apex[j] ? parent[j] : -1;
				while (up >= 0 && up != i && !apex[up])
					up = parent[up];
				exists = up == i;
			}
			expected += exists;
			const struct mv_node *n = look(t, names[i]);
			cr_assert_eq(n != NULL, exists, "round %d: %s %s", round, names[i],
				     exists ? "missing" : "present");
			if (exists)
				cr_assert(zone_is(n, names[zone]), "round %d: %s not in %s", round,
					  names[i], names[zone]);
		}
		cr_assert_eq(mv_table_count(t), expected, "round %d", round);
		mv_table_destroy(t);
	}
}

/* A name that stops using a health check stops being watched for it. */
Test(table, health_watchers_follow_the_names)
{
	struct mv_table *t = zone_table(16, NULL, NULL);
	struct rs a, b;

	rs_init(&a, "www.example.com", DNS_TYPE_A, 60);
	rs_a(&a, 192, 0, 2, 1);
	a.set.health = 7;
	rs_init(&b, "www.example.com", DNS_TYPE_AAAA, 60);
	rs_add(&b, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\1", 16);
	b.set.health = 8;
	struct rs *both[] = {&a, &b};
	cr_assert_eq(set(t, "www.example.com", both, 2), 0);
	cr_assert_eq(set1(t, "mail.example.com", &a), 0);
	cr_assert_eq(mv_table_health_watchers(t, 7), 2);
	cr_assert_eq(mv_table_health_watchers(t, 8), 1);

	/* Replaced by sets without check 8, then 7 gone too, then deleted. */
	cr_assert_eq(set1(t, "www.example.com", &a), 0);
	cr_assert_eq(mv_table_health_watchers(t, 7), 2);
	cr_assert_eq(mv_table_health_watchers(t, 8), 0);
	a.set.health = 0;
	cr_assert_eq(set1(t, "www.example.com", &a), 0);
	cr_assert_eq(mv_table_health_watchers(t, 7), 1);
	cr_assert_eq(del(t, "mail.example.com"), 0);
	cr_assert_eq(mv_table_health_watchers(t, 7), 0);

	/* A name that keeps children (an empty non-terminal after) too. */
	a.set.health = 9;
	cr_assert_eq(set1(t, "x.example.com", &a), 0);
	cr_assert_eq(set1(t, "y.x.example.com", &a), 0);
	cr_assert_eq(mv_table_health_watchers(t, 9), 2);
	cr_assert_eq(del(t, "x.example.com"), 0);
	cr_assert_not_null(look(t, "x.example.com"));
	cr_assert_eq(mv_table_health_watchers(t, 9), 1);
	cr_assert_eq(mv_table_set_health(t, 9, false), 0);
	mv_table_commit(t);
	mv_table_destroy(t);
}

Test(table, lookup_closest)
{
	struct mv_table *t = zone_table(16, NULL, NULL);
	struct rs a;
	int exact = -1;

	rs_init(&a, "www.example.com", DNS_TYPE_A, 60);
	rs_a(&a, 192, 0, 2, 1);
	cr_assert_eq(set1(t, "www.example.com", &a), 0);
	rs_init(&a, "deep.ent.example.com", DNS_TYPE_A, 60);
	rs_a(&a, 192, 0, 2, 1);
	cr_assert_eq(set1(t, "deep.ent.example.com", &a), 0);

	cr_assert(node_is(closest(t, "www.example.com", &exact), "www.example.com"));
	cr_assert_eq(exact, 1);
	cr_assert(node_is(closest(t, "a.b.www.example.com", &exact), "www.example.com"));
	cr_assert_eq(exact, 0);
	cr_assert(node_is(closest(t, "nope.example.com", &exact), "example.com"));
	cr_assert_eq(exact, 0);
	/* An ENT exists: NODATA there, NXDOMAIN below it with the ENT as ancestor. */
	cr_assert(node_is(closest(t, "ent.example.com", &exact), "ent.example.com"));
	cr_assert_eq(exact, 1);
	cr_assert(node_is(closest(t, "x.ent.example.com", &exact), "ent.example.com"));
	cr_assert_eq(exact, 0);
	cr_assert(node_is(closest(t, "example.com", &exact), "example.com"));
	cr_assert_eq(exact, 1);
	cr_assert_null(closest(t, "www.example.org", &exact));
	cr_assert_eq(exact, 0);
	cr_assert_null(closest(t, "com", &exact));
	cr_assert_null(closest(t, "", &exact));
	cr_assert_eq(exact, 0);
	mv_table_destroy(t);
}

/*
 * A set that fails validation leaves the table as it was: no empty
 * non-terminals created for it, no parent counting a child it does not have.
 */
Test(table, failed_set_changes_nothing)
{
	struct mv_table *t = zone_table(16, NULL, NULL);
	struct rs a;

	rs_init(&a, "a.b.example.com", DNS_TYPE_A, 60);
	rs_a(&a, 192, 0, 2, 1);
	a.set.multivalue = true;
	a.set.health = 1u << 24; /* past the largest health check index */
	cr_assert_eq(set1(t, "a.b.example.com", &a), -EINVAL);
	cr_assert_null(look(t, "a.b.example.com"));
	cr_assert_null(look(t, "b.example.com"), "an ENT left behind by a failed set");
	cr_assert_eq(mv_table_count(t), 1);
	mv_table_destroy(t);
}

/* ---- what cannot be served ---- */

Test(table, cname_beside_other_data)
{
	struct mv_table *t = zone_table(16, NULL, NULL);
	struct rs cname, a, txt;

	rs_init(&cname, "alias.example.com", DNS_TYPE_CNAME, 60);
	rs_name(&cname, "www.example.com");
	rs_init(&a, "alias.example.com", DNS_TYPE_A, 60);
	rs_a(&a, 192, 0, 2, 1);
	struct rs *both[] = {&a, &cname};
	cr_assert_eq(set(t, "alias.example.com", both, 2), -EINVAL);
	cr_assert_null(look(t, "alias.example.com"));
	cr_assert_eq(mv_table_count(t), 1);

	cr_assert_eq(set1(t, "alias.example.com", &cname), 0);
	const struct mv_node *n = look(t, "alias.example.com");
	cr_assert(n->flags & MV_NODE_CNAME);
	cr_assert_eq(n->nsets, 1);

	/* Adding data beside it fails and leaves the CNAME as it was. */
	rs_init(&txt, "alias.example.com", DNS_TYPE_TXT, 60);
	rs_add(&txt, "\3abc", 4);
	struct rs *two[] = {&cname, &txt};
	cr_assert_eq(set(t, "alias.example.com", two, 2), -EINVAL);
	cr_assert_eq(look(t, "alias.example.com"), n);
	mv_table_destroy(t);
}

Test(table, rrset_too_large)
{
	struct mv_table *t = zone_table(16, NULL, NULL);
	enum { N = 300 };
	uint8_t *vals[N];
	uint16_t lens[N];
	uint8_t owner[MVDNS_NAME_MAX];
	struct mv_rrset txt = {.owner = owner, .type = DNS_TYPE_TXT, .ttl = 60, .count = N};

	/* 300 RRs of 12 + 256 octets: 80,400 octets, over 65535. */
	txt.owner_len = (uint8_t)wname(owner, "big.example.com");
	for (unsigned i = 0; i < N; i++) {
		vals[i] = malloc(256);
		vals[i][0] = 255;
		memset(vals[i] + 1, 'a' + i % 26, 255);
		dns_put_u16(vals[i] + 1, (uint16_t)i); /* distinct values */
		lens[i] = 256;
	}
	txt.rdata = vals;
	txt.rdata_len = lens;
	const struct mv_rrset *p = &txt;
	cr_assert_eq(mv_table_set_name(t, txt.owner, txt.owner_len, &p, 1), -EINVAL);
	cr_assert_null(look(t, "big.example.com"));
	cr_assert_eq(mv_table_count(t), 1);
	/* 200 of them fit (53,600 octets). */
	txt.count = 200;
	cr_assert_eq(mv_table_set_name(t, txt.owner, txt.owner_len, &p, 1), 0);
	cr_assert_eq(look(t, "big.example.com")->sets[0]->count, 200);
	for (unsigned i = 0; i < N; i++)
		free(vals[i]);
	mv_table_destroy(t);
}

/* ---- growth and tombstones ---- */

Test(table, grow_to_100k, .timeout = 120)
{
	enum { N = 100000 };
	struct mv_table *t = zone_table(1, NULL, NULL);
	char name[64];

	for (unsigned i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "n%u.example.com", i);
		set_a(t, name, i);
		if (i % 4096 == 0)
			mv_table_commit(t);
	}
	mv_table_commit(t);
	cr_assert_eq(mv_table_count(t), N + 1);
	for (unsigned i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "n%u.example.com", i);
		const struct mv_node *n = look(t, name);
		cr_assert(node_is(n, name), "%s not found", name);
		const uint8_t *rd = mv_rrset_wire_rrs(n->sets[0]) + 12;
		cr_assert(rd[1] == (uint8_t)(i >> 16) && rd[2] == (uint8_t)(i >> 8) &&
				  rd[3] == (uint8_t)i,
			  "%s: wrong node", name);
	}
	for (unsigned i = N; i < N + 10000; i++) {
		snprintf(name, sizeof(name), "n%u.example.com", i);
		cr_assert_null(look(t, name), "%s found", name);
		snprintf(name, sizeof(name), "m%u.example.com", i - N);
		cr_assert_null(look(t, name), "%s found", name);
	}
	mv_table_destroy(t);
}

/*
 * Idle time grows a table that is taking names from 3/8 of its slots used
 * (ahead), and leaves one that is not alone until names added reach half.
 */
Test(table, growth_ahead_in_idle_time)
{
	enum { SLOTS = 2048, NAMES = SLOTS * 3 / 8 + 31 }; /* with the apex: over 3/8, under half */
	struct mv_table *t = zone_table(1000, NULL, NULL);
	char name[64];

	for (unsigned i = 0; i < NAMES; i++) {
		snprintf(name, sizeof(name), "g%u.example.com", i);
		set_a(t, name, i);
	}
	mv_table_commit(t);
	cr_assert_not(mv_table_migrate(t, 64, false), "grew without names added past half");
	unsigned slices = 0;
	while (mv_table_migrate(t, 64, true))
		slices++;
	cr_assert_geq(slices, SLOTS / 64 - 1, "copied in %u slices", slices);
	cr_assert_not(mv_table_migrate(t, 64, true), "grew again: %zu names", mv_table_count(t));
	for (unsigned i = 0; i < NAMES; i++) {
		snprintf(name, sizeof(name), "g%u.example.com", i);
		cr_assert(node_is(look(t, name), name), "%s not found", name);
	}
	mv_table_destroy(t);
}

/*
 * Growth is copied a slice at a time while names keep being added, replaced
 * and removed, some of them in slots already copied: after every step, and
 * after each copy is published, every name's state matches a model. Random
 * operations on 4,000 names; the table starts small, so it grows several
 * times, some of them through mv_table_migrate (idle time).
 */
Test(table, growth_copied_while_changing, .timeout = 120)
{
	enum { NAMES = 4000, OPS = 60000 };
	static uint8_t model[NAMES]; /* 0 absent, else the address's last octet */
	struct mv_table *t = zone_table(1, NULL, NULL);
	unsigned seed = 7, growing = 0;
	char name[64];

	for (unsigned op = 0; op < OPS; op++) {
		seed = seed * 1103515245u + 12345u;
		unsigned k = (seed >> 8) % NAMES, what = (seed >> 4) % 8;
		snprintf(name, sizeof(name), "m%u.example.com", k);
		if (what < 5) { /* add or replace */
			uint8_t v = (uint8_t)(1 + (seed >> 20) % 250);
			set_a(t, name, v);
			model[k] = v;
		} else if (what < 7 && model[k] != 0) {
			cr_assert_eq(del(t, name), 0, "%s", name);
			model[k] = 0;
		} else if (what == 7) {
			growing += mv_table_migrate(t, 1 + (seed >> 16) % 64, false);
		}
		if (op % 256 == 0)
			mv_table_commit(t);
		if (op % 997 == 0 || op == OPS - 1) {
			for (unsigned i = 0; i < NAMES; i++) {
				snprintf(name, sizeof(name), "m%u.example.com", i);
				const struct mv_node *n = look(t, name);
				if (model[i] == 0) {
					cr_assert_null(n, "op %u: %s present", op, name);
					continue;
				}
				cr_assert(node_is(n, name), "op %u: %s missing", op, name);
				const uint8_t *rd = mv_rrset_wire_rrs(n->sets[0]) + 12;
				cr_assert_eq(rd[3], model[i], "op %u: %s has an old value", op,
					     name);
			}
		}
	}
	while (mv_table_migrate(t, 7, false))
		;
	size_t live = 1;
	for (unsigned i = 0; i < NAMES; i++)
		live += model[i] != 0;
	cr_assert_eq(mv_table_count(t), live);
	cr_assert_gt(growing, 0); /* some slices came from mv_table_migrate */
	mv_table_destroy(t);
}

/*
 * Churn: names added and removed many times over while only a few are live.
 * Tombstones must be reused or swept, or the slots fill up and a lookup of
 * an absent name never meets an empty slot (the timeout catches that).
 */
Test(table, tombstones_reused, .timeout = 60)
{
	enum { ROUNDS = 50000, LIVE = 8 };
	struct mv_table *t = zone_table(16, NULL, NULL);
	char name[64];
	struct rs a;

	for (unsigned i = 0; i < ROUNDS; i++) {
		snprintf(name, sizeof(name), "t%u.example.com", i);
		rs_init(&a, name, DNS_TYPE_A, 60);
		rs_a(&a, 10, 0, 0, (uint8_t)i);
		cr_assert_eq(set1(t, name, &a), 0);
		if (i >= LIVE) {
			snprintf(name, sizeof(name), "t%u.example.com", i - LIVE);
			cr_assert_eq(del(t, name), 0);
			cr_assert_null(look(t, name));
		}
		if (i % 64 == 0)
			mv_table_commit(t);
	}
	mv_table_commit(t);
	cr_assert_eq(mv_table_count(t), 1 + LIVE);
	for (unsigned i = ROUNDS - LIVE; i < ROUNDS; i++) {
		snprintf(name, sizeof(name), "t%u.example.com", i);
		cr_assert_not_null(look(t, name), "%s", name);
	}
	for (unsigned i = 0; i < ROUNDS; i += 97) {
		snprintf(name, sizeof(name), "t%u.example.com", i);
		if (i < ROUNDS - LIVE)
			cr_assert_null(look(t, name), "%s", name);
		snprintf(name, sizeof(name), "absent%u.example.com", i);
		cr_assert_null(look(t, name));
	}
	/* The same name removed and re-added, over and over: one slot's worth. */
	rs_init(&a, "same.example.com", DNS_TYPE_A, 60);
	rs_a(&a, 10, 0, 0, 1);
	for (unsigned i = 0; i < 10000; i++) {
		cr_assert_eq(set1(t, "same.example.com", &a), 0);
		cr_assert_not_null(look(t, "same.example.com"));
		cr_assert_eq(del(t, "same.example.com"), 0);
		cr_assert_null(look(t, "same.example.com"));
	}
	cr_assert_null(look(t, "absent.example.com"));
	cr_assert_eq(mv_table_count(t), 1 + LIVE);
	mv_table_destroy(t);
}

/* ---- retire list and commit ---- */

struct sync_watch {
	int calls;
	const struct mv_node *watch; /* retired node that must still be intact */
	uint8_t name[MVDNS_NAME_MAX];
	size_t name_len;
};

static void sync_count(void *arg)
{
	struct sync_watch *w = arg;

	w->calls++;
	/* Still allocated and unchanged: AddressSanitizer would flag a read of freed memory. */
	if (w->watch != NULL) {
		cr_assert_eq(w->watch->name_len, w->name_len);
		cr_assert(memcmp(w->watch->name, w->name, w->name_len) == 0);
	}
}

/* 1 if p was freed, 0 if not, -1 when this build cannot tell. */
static int freed(const void *p)
{
#ifdef TEST_ASAN
	return __asan_address_is_poisoned(p);
#else
	(void)p;
	return -1;
#endif
}

Test(table, retired_memory_freed_after_sync)
{
	struct sync_watch w = {0};
	struct mv_table *t = zone_table(16, sync_count, &w);
	struct rs a;

	mv_table_commit(t);
	int base = w.calls;

	rs_init(&a, "www.example.com", DNS_TYPE_A, 60);
	rs_a(&a, 192, 0, 2, 1);
	cr_assert_eq(set1(t, "www.example.com", &a), 0);
	mv_table_commit(t);
	cr_assert_eq(w.calls, base, "a new name retires nothing: no grace period (%d)",
		     w.calls - base);

	/* Replace: the old node stays readable until commit, through the sync. */
	const struct mv_node *old = look(t, "www.example.com");
	w.watch = old;
	w.name_len = old->name_len;
	memcpy(w.name, old->name, old->name_len);
	rs_a(&a, 192, 0, 2, 2);
	cr_assert_eq(set1(t, "www.example.com", &a), 0);
	cr_assert_neq(look(t, "www.example.com"), old);
	cr_assert_eq(old->name_len, w.name_len, "retired node changed before commit");
	cr_assert_eq(old->sets[0]->count, 1);
	cr_assert_neq(freed(old), 1, "retired node freed before commit");
	mv_table_commit(t);
	cr_assert_eq(w.calls, base + 1);
	cr_assert_neq(freed(old), 0, "retired node not freed by commit");

	/* Remove: the same. */
	old = look(t, "www.example.com");
	w.watch = old;
	cr_assert_eq(del(t, "www.example.com"), 0);
	cr_assert_neq(freed(old), 1);
	mv_table_commit(t);
	cr_assert_eq(w.calls, base + 2);
	cr_assert_neq(freed(old), 0);
	w.watch = NULL;

	/* A new SOA retires the zone's negative answer. */
	const struct mv_node *apex = look(t, "example.com");
	const struct mv_rrset_wire *neg = atomic_load(&apex->zone->negative);
	struct rs soa;
	rs_soa(&soa, "example.com", 3600, 2, 120);
	cr_assert_eq(set1(t, "example.com", &soa), 0);
	const struct mv_rrset_wire *neg2 = atomic_load(&look(t, "example.com")->zone->negative);
	cr_assert_neq(neg2, neg);
	uint16_t type, rdlen;
	uint32_t ttl;
	rr_rdata(neg2, 0, &type, &ttl, &rdlen);
	cr_assert_eq(ttl, 120);
	cr_assert_neq(freed(neg), 1);
	cr_assert_eq(neg->type, DNS_TYPE_SOA);
	mv_table_commit(t);
	cr_assert_eq(w.calls, base + 3);
	cr_assert_neq(freed(neg), 0);
	mv_table_destroy(t);
}

/* Destroy with retired memory never committed: nothing leaks (LeakSanitizer). */
Test(table, destroy_with_retired)
{
	struct sync_watch w = {0};
	struct mv_table *t = zone_table(16, sync_count, &w);
	struct rs a;

	rs_init(&a, "www.example.com", DNS_TYPE_A, 60);
	rs_a(&a, 192, 0, 2, 1);
	for (unsigned i = 0; i < 100; i++)
		cr_assert_eq(set1(t, "www.example.com", &a), 0);
	int calls = w.calls;
	mv_table_destroy(t);
	cr_assert_eq(w.calls, calls, "destroy waited for readers it cannot have");
}

/* ---- one reader, one writer ---- */

#define STABLE     16
#define CHURN      16
#define RACE_ITERS 20000
/* Writer steps at least, and the wall time after which it stops early: a
 * grace period waits for the reader thread to be scheduled, which on a
 * loaded two-CPU machine can take milliseconds each. */
#define RACE_ITERS_MIN 2000
#define RACE_SECONDS   40

struct rname {
	uint8_t w[MVDNS_NAME_MAX];
	size_t len;
	uint32_t hash;
};

struct race {
	struct mv_table *t;
	/* Bumped by the reader once per loop turn (its quiescent state); read
	 * by the writer's sync. seq_cst: the bump must not move before the
	 * turn's lookups, nor the writer's read before its unpublishing. */
	_Atomic uint64_t epoch;
	_Atomic bool stop;   /* writer -> reader */
	_Atomic bool exited; /* reader -> writer: stop waiting for it */
	/* Reader-only while it runs, read by the writer after the join. */
	uint64_t turns, churn_seen, churn_missing;
	uint32_t last_version[CHURN];
	char failure[512];
	/* Writer-only. */
	unsigned syncs;
	struct rname stable[STABLE], churn[CHURN], ent[CHURN], leaf[CHURN], under[CHURN];
};

static void rname_set(struct rname *n, const char *fmt, unsigned i)
{
	char text[128];
	snprintf(text, sizeof(text), fmt, i);
	n->len = wname(n->w, text);
	n->hash = dns_name_hash(n->w, n->len);
}

static void race_sync(void *arg)
{
	struct race *r = arg;
	uint64_t e = atomic_load(&r->epoch);

	r->syncs++;
	while (atomic_load(&r->epoch) < e + 2 && !atomic_load(&r->exited))
		sched_yield();
}

/*
 * Check that a node is internally consistent: its name, its zone, RRsets
 * sorted by type, every RR of the type of its set, and every RR written by
 * one writer step (the TTL carries the version; A rdata 10.v.v.k repeats
 * it). Returns the version, or 0 with r->failure set.
 */
static uint32_t race_check(struct race *r, const struct mv_node *n, const struct rname *name,
			   unsigned min_sets, unsigned max_sets)
{
	uint32_t version = 0;

	if (n->name_len != name->len || memcmp(n->name, name->w, name->len) != 0) {
		snprintf(r->failure, sizeof(r->failure), "node under the wrong name");
		return 0;
	}
	if (n->zone == NULL || n->zone->apex_len != 13 ||
	    memcmp(n->zone->apex, "\7example\3com", 13) != 0) {
		snprintf(r->failure, sizeof(r->failure), "node without its zone");
		return 0;
	}
	const struct mv_rrset_wire *neg =
		atomic_load_explicit(&n->zone->negative, memory_order_acquire);
	if (neg == NULL || neg->type != DNS_TYPE_SOA || neg->count != 1) {
		snprintf(r->failure, sizeof(r->failure), "zone without its negative SOA");
		return 0;
	}
	if (n->nsets < min_sets || n->nsets > max_sets) {
		snprintf(r->failure, sizeof(r->failure), "%u RRsets", n->nsets);
		return 0;
	}
	for (unsigned i = 0; i < n->nsets; i++) {
		const struct mv_rrset_wire *s = n->sets[i];
		if (i > 0 && n->sets[i - 1]->type >= s->type) {
			snprintf(r->failure, sizeof(r->failure), "RRsets out of order");
			return 0;
		}
		if (s->count == 0 || s->count > 3 || s->nhealthy > s->count) {
			snprintf(r->failure, sizeof(r->failure), "RRset of %u RRs, %u healthy",
				 s->count, s->nhealthy);
			return 0;
		}
		for (unsigned k = 0; k < s->nhealthy; k++)
			if (mv_rrset_wire_healthy(s)[k] >= s->count) {
				snprintf(r->failure, sizeof(r->failure), "healthy RR %u of %u",
					 mv_rrset_wire_healthy(s)[k], s->count);
				return 0;
			}
		for (unsigned k = 0; k < s->count; k++) {
			uint16_t type, rdlen;
			uint32_t ttl;
			const uint8_t *rd = rr_rdata(s, k, &type, &ttl, &rdlen);
			if (version == 0)
				version = ttl;
			bool ok = type == s->type && ttl == version;
			if (type == DNS_TYPE_A)
				ok = ok && rdlen == 4 && rd[0] == 10 &&
				     rd[1] == (uint8_t)(version >> 8) &&
				     rd[2] == (uint8_t)version && rd[3] == k;
			else if (type == DNS_TYPE_TXT)
				ok = ok && rdlen == 5 && rd[0] == 4 &&
				     dns_get_u32(rd + 1) == version;
			else
				ok = false;
			if (!ok) {
				snprintf(r->failure, sizeof(r->failure),
					 "half-built or mixed node: RR %u type %u ttl %u, version "
					 "%u",
					 k, type, ttl, version);
				return 0;
			}
		}
	}
	return n->nsets == 0 ? 1 : version;
}

static void *race_reader(void *arg)
{
	struct race *r = arg;

	while (!atomic_load(&r->stop) && r->failure[0] == '\0') {
		for (unsigned i = 0; i < STABLE && r->failure[0] == '\0'; i++) {
			const struct rname *nm = &r->stable[i];
			const struct mv_node *n = mv_table_lookup(r->t, nm->w, nm->len, nm->hash);
			if (n == NULL)
				snprintf(r->failure, sizeof(r->failure), "stable name %u missing",
					 i);
			else
				race_check(r, n, nm, 1, 1);
		}
		for (unsigned i = 0; i < CHURN && r->failure[0] == '\0'; i++) {
			const struct rname *nm = &r->churn[i];
			const struct mv_node *n = mv_table_lookup(r->t, nm->w, nm->len, nm->hash);
			if (n == NULL) {
				r->churn_missing++;
				continue;
			}
			r->churn_seen++;
			uint32_t v = race_check(r, n, nm, 2, 2);
			if (v != 0 && v < r->last_version[i])
				snprintf(r->failure, sizeof(r->failure),
					 "churn %u went back from version %u to %u", i,
					 r->last_version[i], v);
			r->last_version[i] = v;
			/* The ENT above a leaf: absent, or empty. */
			nm = &r->ent[i];
			n = mv_table_lookup(r->t, nm->w, nm->len, nm->hash);
			if (n != NULL && r->failure[0] == '\0')
				race_check(r, n, nm, 0, 0);
			/* Closest ancestor of a name below the leaf: never NULL (apex). */
			nm = &r->under[i];
			int exact;
			n = mv_table_lookup_closest(r->t, nm->w, nm->len, nm->hash, &exact);
			if (r->failure[0] == '\0' &&
			    (n == NULL || exact ||
			     !dns_name_is_below(nm->w, nm->len, n->name, n->name_len)))
				snprintf(r->failure, sizeof(r->failure), "closest of under %u", i);
		}
		r->turns++;
		atomic_fetch_add(&r->epoch, 1);
	}
	atomic_store(&r->exited, true);
	return NULL;
}

/* A record set owned by a name already in wire form. */
static void rs_init_wire(struct rs *r, const struct rname *nm, uint16_t type, uint32_t ttl)
{
	rs_init(r, "", type, ttl);
	memcpy(r->owner, nm->w, nm->len);
	r->set.owner_len = (uint8_t)nm->len;
}

/* Writer: give a name its content at version v: nvals A RRs, and a TXT if txt. */
static int race_put(struct race *r, const struct rname *nm, uint32_t v, unsigned nvals, bool txt,
		    uint32_t health)
{
	struct rs a, t;
	const struct mv_rrset *p[2] = {&t.set, &a.set}; /* unsorted on purpose */
	uint8_t rd[5] = {4};

	rs_init_wire(&a, nm, DNS_TYPE_A, v);
	a.set.health = health;
	a.set.multivalue = health != 0;
	for (unsigned k = 0; k < nvals; k++)
		rs_a(&a, 10, (uint8_t)(v >> 8), (uint8_t)v, (uint8_t)k);
	rs_init_wire(&t, nm, DNS_TYPE_TXT, v);
	dns_put_u32(rd + 1, v);
	rs_add(&t, rd, sizeof(rd));
	return mv_table_set_name(r->t, nm->w, nm->len, txt ? p : p + 1, txt ? 2 : 1);
}

static int race_del(struct race *r, const struct rname *nm)
{
	return mv_table_set_name(r->t, nm->w, nm->len, NULL, 0);
}

/*
 * The writer replaces, removes and re-adds names thousands of times (with
 * empty non-terminals coming and going, the slot array growing and being
 * swept, the zone's SOA replaced) and commits after every step, while the
 * reader checks what it sees. The sync callback is a real grace period: it
 * waits for the reader's epoch to move twice.
 */
Test(table, reader_races_writer, .timeout = 120)
{
	struct race *r = calloc(1, sizeof(*r));
	pthread_t th;
	uint32_t v = 1;

	cr_assert_not_null(r);
	r->t = zone_table(16, race_sync, r);
	for (unsigned i = 0; i < STABLE; i++)
		rname_set(&r->stable[i], "s%u.example.com", i);
	for (unsigned i = 0; i < CHURN; i++) {
		rname_set(&r->churn[i], "c%u.example.com", i);
		rname_set(&r->ent[i], "e%u.example.com", i);
		rname_set(&r->leaf[i], "leaf.e%u.example.com", i);
		rname_set(&r->under[i], "x.y.c%u.example.com", i);
	}
	for (unsigned i = 0; i < STABLE; i++)
		cr_assert_eq(race_put(r, &r->stable[i], v, 1, false, 1 + i % 4), 0);
	cr_assert_eq(pthread_create(&th, NULL, race_reader, r), 0);
	mv_table_commit(r->t); /* the sync needs the reader running */

	struct rname grow;
	unsigned grown = 0, it;
	time_t deadline = time(NULL) + RACE_SECONDS;
	for (it = 0; it < RACE_ITERS && !atomic_load(&r->exited); it++) {
		if (it >= RACE_ITERS_MIN && time(NULL) > deadline)
			break; /* a loaded machine: enough steps for a verdict */
		unsigned j = it % CHURN;
		v++;
		switch (it / CHURN % 4) {
		case 0:
		case 1:
			cr_assert_eq(race_put(r, &r->churn[j], v, 1 + it % 3, true, 1 + j % 4), 0);
			cr_assert_eq(race_put(r, &r->leaf[j], v, 1, false, 0), 0);
			break;
		case 2:
			cr_assert_eq(race_del(r, &r->churn[j]), 0);
			cr_assert_eq(race_del(r, &r->leaf[j]), 0);
			break;
		default:
			cr_assert_eq(race_put(r, &r->churn[j], v, 3, true, 0), 0);
			break;
		}
		cr_assert_eq(race_put(r, &r->stable[it % STABLE], v, 1, false, 1 + it % 4), 0);
		/* Every 1000 steps, 500 more names (growth), then away again (tombstones). */
		if (it % 1000 < 500) {
			rname_set(&grow, "g%u.example.com", it % 1000);
			cr_assert_eq(race_put(r, &grow, v, 1, false, 0), 0);
			grown++;
		} else {
			rname_set(&grow, "g%u.example.com", it % 1000 - 500);
			cr_assert_eq(race_del(r, &grow), 0);
		}
		/* Health checks fail and recover: the names using them are rebuilt. */
		if (it % 5 == 0)
			cr_assert_eq(mv_table_set_health(r->t, 1 + it / 5 % 4, it / 20 % 2 == 0),
				     0);
		if (it % 97 == 0) {
			struct rs soa, ns;
			rs_soa(&soa, "example.com", 3600, v, 300);
			rs_init(&ns, "example.com", DNS_TYPE_NS, 172800);
			rs_name(&ns, "ns1.example.com");
			struct rs *sets[] = {&soa, &ns};
			cr_assert_eq(set(r->t, "example.com", sets, 2), 0);
		}
		mv_table_commit(r->t);
	}
	atomic_store(&r->stop, true);
	pthread_join(th, NULL);
	cr_assert_str_empty(r->failure, "reader: %s", r->failure);
	cr_log_info("reader: %lu turns, churn names seen %lu, missing %lu; %u steps, %u syncs",
		    (unsigned long)r->turns, (unsigned long)r->churn_seen,
		    (unsigned long)r->churn_missing, it, r->syncs);
	cr_assert_geq(it, RACE_ITERS_MIN);
	cr_assert_geq(r->syncs, it);
	cr_assert_geq(r->turns, 2 * (uint64_t)r->syncs, "the reader hardly ran");
	cr_assert_gt(r->churn_seen, 0);
	cr_assert_gt(r->churn_missing, 0);
	cr_assert_gt(grown, 0);
	for (unsigned i = 0; i < STABLE; i++)
		cr_assert_not_null(
			mv_table_lookup(r->t, r->stable[i].w, r->stable[i].len, r->stable[i].hash));
	mv_table_destroy(r->t);
	free(r);
}
