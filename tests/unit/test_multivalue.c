/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Multivalue answers: up to 8 healthy values per reply, chosen afresh per
 * query and spread evenly; fail open when none is healthy; trimmed to fit.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "answer.h"
#include "name.h"
#include "variants.h"
#include "wire.h"

#define POOL      20
#define APEX      "\7example\3com"
#define POOL_NAME "\5myapp" APEX
#define SOA_RDATA "\3ns1" APEX "\12hostmaster" APEX "\0\0\0\1\0\0\0\1\0\0\0\1\0\0\0\1\0\0\0\x3c"

static struct mv_table *table;
static uint64_t rng = 12345;

/* A record set of one value, built by hand as the channel delivers it. */
struct one_set {
	struct mv_rrset set;
	uint8_t owner[MVDNS_NAME_MAX];
	uint16_t len;
	uint8_t *rdata;
};

static void make_set(struct one_set *o, const char *owner, uint8_t owner_len, uint16_t type,
		     const void *rdata, uint16_t len, uint32_t health, bool multivalue)
{
	memset(o, 0, sizeof(*o));
	o->set.owner = memcpy(o->owner, owner, owner_len);
	o->set.owner_len = owner_len;
	o->set.type = type;
	o->set.ttl = 60;
	o->set.count = 1;
	o->set.multivalue = multivalue;
	o->set.health = health;
	o->len = len;
	o->rdata = malloc(len);
	memcpy(o->rdata, rdata, len);
	o->set.rdata_len = &o->len;
	o->set.rdata = &o->rdata;
}

static void put_apex(void)
{
	struct one_set soa;
	const struct mv_rrset *p = &soa.set;

	make_set(&soa, APEX, 13, DNS_TYPE_SOA, SOA_RDATA, sizeof(SOA_RDATA) - 1, 0, false);
	cr_assert_eq(mv_table_set_name(table, (const uint8_t *)APEX, 13, &p, 1), 0);
	free(soa.rdata);
}

/* The pool: POOL multivalue A sets 192.0.2.1..20, health checks 1..20. */
/* A pool of n multivalue A sets at name: 192.0.2.1..n, health checks first_id.. */
static void put_pool(const char *name, uint8_t name_len, unsigned n, uint32_t first_id)
{
	struct one_set *sets = calloc(n, sizeof(*sets));
	const struct mv_rrset **ptrs = calloc(n, sizeof(*ptrs));

	for (unsigned i = 0; i < n; i++) {
		uint8_t a[4] = {192, 0, 2, (uint8_t)(i + 1)};
		make_set(&sets[i], name, name_len, DNS_TYPE_A, a, 4, first_id + i, true);
		ptrs[i] = &sets[i].set;
	}
	cr_assert_eq(mv_table_set_name(table, (const uint8_t *)name, name_len, ptrs, n), 0);
	for (unsigned i = 0; i < n; i++)
		free(sets[i].rdata);
	free(sets);
	free(ptrs);
}

static void setup(void)
{
	table = mv_table_create(16, NULL, NULL);
	put_apex();
	put_pool(POOL_NAME, 19, POOL, 1);
	mv_table_commit(table);
}

static void teardown(void)
{
	mv_table_destroy(table);
}

TestSuite(multivalue, .init = setup, .fini = teardown);

/* Ask for name (wire) and type; return the reply length. */
static uint16_t ask(uint8_t *b, const char *name, uint8_t len, uint16_t type, uint16_t edns,
		    enum mv_verdict *v)
{
	static const uint8_t hdr[12] = {0x12, 0x34, 0x01, 0, 0, 1, 0, 0, 0, 0, 0, 0};
	uint16_t n = 12;

	memcpy(b, hdr, 12);
	memcpy(b + n, name, len);
	n = (uint16_t)(n + len);
	dns_put_u16(b + n, type);
	dns_put_u16(b + n + 2, DNS_CLASS_IN);
	n = (uint16_t)(n + 4);
	if (edns) {
		b[DNS_HDR_ARCOUNT + 1] = 1;
		const uint8_t opt[11] = {0, 0, 41, (uint8_t)(edns >> 8), (uint8_t)edns};
		memcpy(b + n, opt, 11);
		n = (uint16_t)(n + 11);
	}
	return mv_answer(table, b, n, 2048, &rng, v);
}

/*
 * The last octet of each A record in a reply whose answer RRs start at rr
 * and are owned by the name at owner (an offset).
 */
static unsigned answer_values(const uint8_t *b, const uint8_t *rr, uint16_t owner, unsigned *values)
{
	unsigned n = dns_hdr_ancount(b);

	for (unsigned i = 0; i < n; i++, rr += 16) {
		cr_assert_eq(dns_get_u16(rr), 0xc000 | owner);
		cr_assert_eq(dns_get_u16(rr + 10), 4);
		values[i] = rr[15];
	}
	return n;
}

#define POOL_BIG 100 /* more than MV_VARIANTS_POOL_MAX: chosen per query */

/* Ask name for A `queries` times; count how often each value of a pool of
 * `pool` appears, and first. Every reply carries expect_per_answer values. */
static void spread_name(const char *name, uint8_t name_len, unsigned pool, unsigned queries,
			unsigned expect_per_answer, unsigned *seen, unsigned *first)
{
	uint8_t b[2048];
	enum mv_verdict v;

	memset(seen, 0, sizeof(unsigned) * (pool + 1));
	memset(first, 0, sizeof(unsigned) * (pool + 1));
	for (unsigned q = 0; q < queries; q++) {
		unsigned values[16], dup[POOL_BIG + 1] = {0};
		ask(b, name, name_len, DNS_TYPE_A, 0, &v);
		cr_assert_eq(v, MV_VERDICT_ANSWER_NOERROR);
		unsigned n = answer_values(b, b + 12 + name_len + 4, DNS_HDR_LEN, values);
		cr_assert_eq(n, expect_per_answer);
		for (unsigned i = 0; i < n; i++) {
			cr_assert(values[i] >= 1 && values[i] <= pool);
			cr_assert_eq(dup[values[i]]++, 0, "no value twice in one answer");
			seen[values[i]]++;
		}
		first[values[0]]++;
	}
}

static void spread(unsigned queries, unsigned expect_per_answer, unsigned seen[POOL + 1],
		   unsigned first[POOL + 1])
{
	spread_name(POOL_NAME, 19, POOL, queries, expect_per_answer, seen, first);
}

/* Pearson's chi-squared statistic of counts[1..k] against a uniform expectation. */
static double chi2(const unsigned *counts, unsigned k, double expected)
{
	double x = 0;
	for (unsigned i = 1; i <= k; i++)
		x += (counts[i] - expected) * (counts[i] - expected) / expected;
	return x;
}

/* 19 and 99 degrees of freedom: P(chi2 > x) = 0.001 for a uniform choice. */
#define CHI2_19_P001 43.82
#define CHI2_99_P001 148.23

Test(multivalue, eight_of_twenty_spread_evenly)
{
	unsigned seen[POOL + 1], first[POOL + 1];
	const unsigned queries = 30000;

	spread(queries, 8, seen, first);
	for (unsigned i = 1; i <= POOL; i++)
		cr_assert_gt(seen[i], 0, "value %u never seen", i);
	cr_assert_lt(chi2(seen, POOL, queries * 8.0 / POOL), CHI2_19_P001, "values uniform");
	cr_assert_lt(chi2(first, POOL, queries * 1.0 / POOL), CHI2_19_P001, "first uniform");
}

Test(multivalue, only_healthy_values_while_some_are)
{
	unsigned seen[POOL + 1], first[POOL + 1];

	for (uint32_t id = 1; id <= 15; id++)
		cr_assert_eq(mv_table_set_health(table, id, false), 0);
	mv_table_commit(table);
	spread(2000, 5, seen, first);
	for (unsigned i = 1; i <= POOL; i++) {
		if (i <= 15)
			cr_assert_eq(seen[i], 0, "unhealthy value %u answered", i);
		else
			cr_assert_eq(seen[i], 2000, "healthy value %u in every answer", i);
	}
	for (unsigned i = 16; i <= POOL; i++)
		cr_assert_gt(first[i], 300, "order varies: %u first %u times", i, first[i]);
}

Test(multivalue, fail_open_when_none_is_healthy)
{
	unsigned seen[POOL + 1], first[POOL + 1];

	for (uint32_t id = 1; id <= POOL; id++)
		mv_table_set_health(table, id, false);
	spread(3000, 8, seen, first);
	for (unsigned i = 1; i <= POOL; i++)
		cr_assert_gt(seen[i], 0, "fail open covers value %u", i);

	for (uint32_t id = 1; id <= POOL; id++)
		mv_table_set_health(table, id, true);
	spread(3000, 8, seen, first);
	cr_assert_lt(chi2(seen, POOL, 3000 * 8.0 / POOL), CHI2_19_P001, "full spread again");
}

Test(multivalue, a_status_that_does_not_change_rebuilds_nothing)
{
	cr_assert_eq(mv_table_set_health(table, 3, true), 0);
	cr_assert_eq(mv_table_set_health(table, 0, false), -EINVAL);
	cr_assert_eq(mv_table_set_health(table, 999, false), 0, "an unused index is fine");
}

/* 20 TXT values of 100 octets: 4 fit in 512 octets, 8 with EDNS. */
Test(multivalue, trimmed_to_fit_never_truncated)
{
	struct one_set sets[POOL];
	const struct mv_rrset *ptrs[POOL];
	uint8_t txt[101], b[2048];
	enum mv_verdict v;

	for (unsigned i = 0; i < POOL; i++) {
		txt[0] = 100;
		memset(txt + 1, 'a' + (int)i, 100);
		make_set(&sets[i], "\3txt" APEX, 17, DNS_TYPE_TXT, txt, 101, 0, true);
		ptrs[i] = &sets[i].set;
	}
	cr_assert_eq(mv_table_set_name(table, (const uint8_t *)"\3txt" APEX, 17, ptrs, POOL), 0);
	for (unsigned i = 0; i < POOL; i++)
		free(sets[i].rdata);

	uint16_t len = ask(b, "\3txt" APEX, 17, DNS_TYPE_TXT, 0, &v);
	cr_assert_eq(v, MV_VERDICT_ANSWER_NOERROR);
	cr_assert_not(b[DNS_HDR_FLAGS1] & DNS_FLAG1_TC);
	cr_assert_eq(dns_hdr_ancount(b), 4, "(512 - 33) / 113 RRs fit");
	cr_assert_leq(len, 512);

	len = ask(b, "\3txt" APEX, 17, DNS_TYPE_TXT, 1232, &v);
	cr_assert_eq(dns_hdr_ancount(b), 8);
	cr_assert_leq(len, 1232);
}

Test(multivalue, truncated_when_not_one_value_fits)
{
	struct one_set big;
	const struct mv_rrset *p = &big.set;
	uint8_t txt[600], b[2048];
	enum mv_verdict v;

	for (unsigned i = 0; i < 600; i += 200) {
		txt[i] = 199;
		memset(txt + i + 1, 'x', 199);
	}
	make_set(&big, "\3big" APEX, 17, DNS_TYPE_TXT, txt, 600, 0, true);
	cr_assert_eq(mv_table_set_name(table, (const uint8_t *)"\3big" APEX, 17, &p, 1), 0);
	free(big.rdata);
	ask(b, "\3big" APEX, 17, DNS_TYPE_TXT, 0, &v);
	cr_assert_eq(v, MV_VERDICT_ANSWER_TRUNCATED);
	cr_assert(b[DNS_HDR_FLAGS1] & DNS_FLAG1_TC);
	cr_assert_eq(dns_hdr_ancount(b), 0);
}

/* A pool too large for precomputed variants is drawn per query, as evenly. */
Test(multivalue, a_large_pool_is_chosen_per_query_as_evenly)
{
	static const char big[] = "\4many" APEX;
	unsigned seen[POOL_BIG + 1], first[POOL_BIG + 1];
	const unsigned queries = 50000;

	put_pool(big, sizeof(big), POOL_BIG, 1000);
	mv_table_commit(table);
	spread_name(big, sizeof(big), POOL_BIG, queries, 8, seen, first);
	cr_assert_lt(chi2(seen, POOL_BIG, queries * 8.0 / POOL_BIG), CHI2_99_P001);
	cr_assert_lt(chi2(first, POOL_BIG, queries * 1.0 / POOL_BIG), CHI2_99_P001);
}

/* Behind a CNAME, every RR of the choice is owned by the CNAME's target. */
Test(multivalue, behind_a_cname_the_owner_is_the_target)
{
	static const char alias[] = "\5alias" APEX;
	struct one_set cname;
	const struct mv_rrset *p = &cname.set;
	uint8_t b[2048];
	enum mv_verdict v;

	make_set(&cname, alias, sizeof(alias), DNS_TYPE_CNAME, POOL_NAME, 19, 0, false);
	cr_assert_eq(mv_table_set_name(table, (const uint8_t *)alias, sizeof(alias), &p, 1), 0);
	free(cname.rdata);
	mv_table_commit(table);
	for (unsigned q = 0; q < 100; q++) {
		unsigned values[16];
		ask(b, alias, sizeof(alias), DNS_TYPE_A, 0, &v);
		cr_assert_eq(dns_hdr_ancount(b), 9, "the CNAME and 8 values");
		uint16_t cname_rr = 12 + sizeof(alias) + 4;
		uint16_t target = cname_rr + 12; /* the CNAME's RDATA */
		b[DNS_HDR_ANCOUNT + 1] = 8;      /* read the A RRs after it */
		answer_values(b, b + target + 19, target, values);
	}
}

/*
 * The precomputed variants of a 64-value pool with n healthy, for every n:
 * each holds min(n, 8) distinct healthy RRs whose bytes are the RRs', and
 * every healthy RR appears in exactly as many variants as any other.
 */
Test(multivalue, variants_are_balanced_for_every_pool_size)
{
	static const char pool[] = "\4pool" APEX;
	const uint8_t *name = (const uint8_t *)pool;
	uint8_t len = sizeof(pool);

	put_pool(pool, len, MV_VARIANTS_POOL_MAX, 2000);
	for (unsigned healthy = MV_VARIANTS_POOL_MAX; healthy >= 1; healthy--) {
		if (healthy < MV_VARIANTS_POOL_MAX)
			cr_assert_eq(mv_table_set_health(table, 2000 + healthy, false), 0);
		mv_table_commit(table);
		int exact;
		const struct mv_node *node =
			mv_table_lookup_closest(table, name, len, dns_name_hash(name, len), &exact);
		const struct mv_rrset_wire *s = mv_node_find(node, DNS_TYPE_A);
		const uint16_t *off = mv_rrset_wire_offsets(s);
		unsigned per = healthy < 8 ? healthy : 8, times[MV_VARIANTS_POOL_MAX] = {0};
		cr_assert_eq(s->nhealthy, healthy);
		cr_assert_geq(s->nvariants, 32, "%u healthy", healthy);
		for (unsigned k = 0; k < s->nvariants; k++) {
			const struct mv_variant *var = mv_rrset_wire_variant(s, k);
			cr_assert_eq(var->count, per);
			cr_assert_eq(var->len, per * 16);
			for (unsigned i = 0; i < per; i++) {
				unsigned rr = var->rr[i];
				cr_assert_lt(rr, healthy, "only healthy RRs (the first ones)");
				cr_assert_eq(memcmp(var->bytes + var->boff[i],
						    mv_rrset_wire_rrs(s) + off[rr], 16),
					     0);
				for (unsigned j = 0; j < i; j++)
					cr_assert_neq(var->rr[j], rr, "no RR twice in a variant");
				times[rr]++;
			}
		}
		for (unsigned rr = 0; rr < healthy; rr++)
			cr_assert_eq(times[rr], s->nvariants * per / healthy,
				     "%u healthy: RR %u in %u variants", healthy, rr, times[rr]);
	}
}
