/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dataplane's end of the channel, driven by a producer written here from
 * the ABI alone (common/channel.h), as the control process does.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "channel.h"
#include "channel_rx.h"
#include "feed.h"
#include "name.h"
#include "wire.h"

static struct mv_table *_Atomic current;
static struct mv_channel *ch;
static struct mv_chan_shm *shm; /* the producer's own mapping */
static char name[64];
static unsigned syncs;
static uint64_t consumed_at_sync; /* the ring's consumed position at the last sync */

static void count_sync(void *arg)
{
	(void)arg;
	syncs++;
	if (shm != NULL)
		consumed_at_sync = __atomic_load_n(&shm->consumed, __ATOMIC_ACQUIRE);
}

static void setup(void)
{
	char path[96];

	snprintf(name, sizeof(name), "test-%d", getpid());
	atomic_init(&current, mv_table_create(16, count_sync, NULL));
	ch = mv_channel_create(name, &current, count_sync, NULL);
	cr_assert_not_null(ch);
	snprintf(path, sizeof(path), "/%s%s", MV_CHAN_SHM_PREFIX, name);
	int fd = shm_open(path, O_RDWR, 0);
	cr_assert_geq(fd, 0);
	shm = mmap(NULL, sizeof(*shm) + MV_CHAN_RING_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		   0);
	close(fd);
	shm_unlink(path); /* both ends are mapped: leave nothing behind, whatever happens */
	cr_assert_neq(shm, MAP_FAILED);
	cr_assert_eq(shm->magic, MV_CHAN_MAGIC);
	cr_assert_eq(shm->version, MV_CHAN_VERSION);
	cr_assert_eq(shm->ring_size, MV_CHAN_RING_SIZE);
	cr_assert_neq(shm->dp_epoch, 0);
}

static void teardown(void)
{
	munmap(shm, sizeof(*shm) + MV_CHAN_RING_SIZE);
	mv_channel_destroy(ch);
	mv_table_destroy(current);
}

TestSuite(channel, .init = setup, .fini = teardown);

/* Producer: append one message (header + payload), PAD-ing at the ring's end. */
static void produce(uint16_t type, uint64_t seq, const void *payload, uint32_t plen)
{
	uint32_t len = (uint32_t)((sizeof(struct mv_chan_msg) + plen + 7) & ~7u);
	uint64_t pos = shm->produced;
	uint64_t off = pos % MV_CHAN_RING_SIZE;

	if (MV_CHAN_RING_SIZE - off < len) {
		if (MV_CHAN_RING_SIZE - off >= sizeof(struct mv_chan_msg)) {
			struct mv_chan_msg pad = {.len = (uint32_t)(MV_CHAN_RING_SIZE - off),
						  .type = MV_CHAN_PAD};
			memcpy(shm->ring + off, &pad, sizeof(pad));
		}
		pos += MV_CHAN_RING_SIZE - off;
		off = 0;
	}
	struct mv_chan_msg m = {.len = len, .type = type, .seq = seq};
	memcpy(shm->ring + off, &m, sizeof(m));
	memset(shm->ring + off + sizeof(m), 0, len - sizeof(m));
	if (plen > 0)
		memcpy(shm->ring + off + sizeof(m), payload, plen);
	__atomic_store_n(&shm->produced, pos + len, __ATOMIC_RELEASE);
}

/* A NAME payload under construction. */
struct payload {
	uint8_t b[4096];
	uint32_t len;
};

static void p_put(struct payload *p, const void *v, size_t n)
{
	memcpy(p->b + p->len, v, n);
	p->len += (uint32_t)n;
}

static void p_name(struct payload *p, const char *wire, uint8_t len, uint16_t nsets)
{
	p->len = 0;
	p_put(p, &len, 1);
	p_put(p, wire, len);
	p_put(p, &nsets, 2);
}

static void p_set(struct payload *p, uint16_t type, uint32_t ttl, uint16_t count)
{
	uint16_t flags = 0;
	uint32_t health = 0;
	p_put(p, &type, 2);
	p_put(p, &flags, 2);
	p_put(p, &ttl, 4);
	p_put(p, &health, 4);
	p_put(p, &count, 2);
}

static void p_rdata(struct payload *p, const void *rdata, uint16_t len)
{
	p_put(p, &len, 2);
	p_put(p, rdata, len);
}

#define APEX      "\7example\3com"
#define SOA_RDATA "\3ns1" APEX "\12hostmaster" APEX "\0\0\0\1\0\0\0\1\0\0\0\1\0\0\0\1\0\0\0\x3c"

/* NAME owner (wire form, len octets) with one set of one value, rdata. */
static void produce_one(const char *owner, uint8_t len, uint16_t type, uint32_t ttl,
			const void *rdata, uint16_t rdlen)
{
	struct payload p;

	p_name(&p, owner, len, 1);
	p_set(&p, type, ttl, 1);
	p_rdata(&p, rdata, rdlen);
	produce(MV_CHAN_NAME, 0, p.b, p.len);
}

/* NAME example.com with its SOA. */
static void produce_apex(void)
{
	produce_one(APEX, 13, DNS_TYPE_SOA, 300, SOA_RDATA, sizeof(SOA_RDATA) - 1);
}

static void send_zone(uint64_t seq, bool sync)
{
	struct payload p;

	if (sync)
		produce(MV_CHAN_SYNC_BEGIN, seq, NULL, 0);
	produce_apex();
	p_name(&p, "\3www" APEX, 17, 1);
	p_set(&p, DNS_TYPE_A, 60, 2);
	p_rdata(&p, "\xc0\0\2\1", 4);
	p_rdata(&p, "\xc0\0\2\2", 4);
	produce(MV_CHAN_NAME, 0, p.b, p.len);
}

static const struct mv_node *lookup(const char *wire, size_t len)
{
	const struct mv_table *t = atomic_load(&current);
	return mv_table_lookup(t, (const uint8_t *)wire, len,
			       dns_name_hash((const uint8_t *)wire, len));
}

Test(channel, batch_applies_only_at_commit)
{
	send_zone(1, false);
	cr_assert_eq(mv_channel_poll(ch), 2);
	cr_assert_null(lookup("\3www" APEX, 17), "nothing before the COMMIT");
	cr_assert_eq(shm->applied_seq, 0);
	produce(MV_CHAN_COMMIT, 1, NULL, 0);
	cr_assert_eq(mv_channel_poll(ch), 1);
	const struct mv_node *n = lookup("\3www" APEX, 17);
	cr_assert_not_null(n);
	cr_assert_eq(mv_node_find(n, DNS_TYPE_A)->count, 2);
	cr_assert_eq(shm->applied_seq, 1);
	cr_assert_eq(shm->consumed, shm->produced);
	cr_assert_eq(shm->names, 2, "the apex and www");
}

Test(channel, sync_builds_a_new_table_and_swaps)
{
	send_zone(1, false);
	produce(MV_CHAN_COMMIT, 1, NULL, 0);
	mv_channel_poll(ch);
	const struct mv_table *before = atomic_load(&current);

	/* A full state without www, with new: the swap changes both at once. */
	produce(MV_CHAN_SYNC_BEGIN, 2, NULL, 0);
	produce_apex();
	produce_one("\3new" APEX, 17, DNS_TYPE_A, 60, "\xc0\0\2\3", 4);
	mv_channel_poll(ch);
	cr_assert_not_null(lookup("\3www" APEX, 17), "the old table serves until COMMIT");
	cr_assert_null(lookup("\3new" APEX, 17), "nor the new one");
	unsigned s = syncs;
	produce(MV_CHAN_COMMIT, 2, NULL, 0);
	mv_channel_poll(ch);
	cr_assert_neq(atomic_load(&current), before);
	cr_assert_gt(syncs, s, "a grace period before the old table is freed");
	cr_assert_null(lookup("\3www" APEX, 17));
	cr_assert_not_null(lookup("\3new" APEX, 17));
	cr_assert_not_null(lookup(APEX, 13));
	cr_assert_eq(shm->applied_seq, 2);
}

/*
 * The room of what came before a COMMIT goes back to the producer before
 * the COMMIT is applied (a full state of millions of names takes seconds to
 * build): mvdns-control's next batch does not wait for it.
 */
Test(channel, the_ring_has_room_while_a_commit_applies)
{
	send_zone(1, false);
	produce(MV_CHAN_COMMIT, 1, NULL, 0);
	mv_channel_poll(ch);

	/* A batch that replaces www: its old node waits for a grace period. */
	unsigned s = syncs;
	produce_one("\3www" APEX, 17, DNS_TYPE_A, 60, "\xc0\0\2\3", 4);
	uint64_t before = shm->produced;
	produce(MV_CHAN_COMMIT, 2, NULL, 0);
	mv_channel_poll(ch);
	cr_assert_gt(syncs, s);
	cr_assert_eq(consumed_at_sync, before, "a batch: released before its COMMIT applied");

	s = syncs;
	produce(MV_CHAN_SYNC_BEGIN, 3, NULL, 0);
	produce_apex();
	before = shm->produced;
	produce(MV_CHAN_COMMIT, 3, NULL, 0);
	mv_channel_poll(ch);
	cr_assert_eq(shm->applied_seq, 3);
	cr_assert_gt(syncs, s);
	cr_assert_eq(consumed_at_sync, before, "a full state: the same");
	cr_assert_eq(shm->consumed, shm->produced, "and the COMMIT once applied");
}

Test(channel, a_partial_batch_is_dropped_by_sync_begin)
{
	send_zone(1, false); /* a control process dies here, before its COMMIT */
	produce(MV_CHAN_SYNC_BEGIN, 5, NULL, 0);
	produce(MV_CHAN_COMMIT, 5, NULL, 0);
	mv_channel_poll(ch);
	cr_assert_null(lookup("\3www" APEX, 17));
	cr_assert_eq(shm->applied_seq, 5);
}

Test(channel, removal_by_empty_name)
{
	struct payload p;

	send_zone(1, false);
	produce(MV_CHAN_COMMIT, 1, NULL, 0);
	p_name(&p, "\3www" APEX, 17, 0);
	produce(MV_CHAN_NAME, 0, p.b, p.len);
	produce(MV_CHAN_COMMIT, 2, NULL, 0);
	mv_channel_poll(ch);
	cr_assert_null(lookup("\3www" APEX, 17));
	cr_assert_eq(shm->applied_seq, 2);
}

Test(channel, malformed_names_reject_their_batch)
{
	struct payload p;

	send_zone(1, false);
	produce(MV_CHAN_COMMIT, 1, NULL, 0);
	mv_channel_poll(ch);

	/* Each of these breaks one rule; each batch is discarded whole. */
	struct payload bad[8];
	unsigned nbad = 0;
	p_name(&bad[nbad++], "\3www", 4, 0); /* no root label */
	p_name(&bad[nbad++],
	       "\x40"
	       "aaaa" APEX,
	       18, 0);                           /* label over 63 */
	p_name(&bad[nbad], "\3new" APEX, 17, 1); /* count 0 */
	p_set(&bad[nbad++], DNS_TYPE_A, 60, 0);
	p_name(&bad[nbad], "\3new" APEX, 17, 1); /* rdata past the end */
	p_set(&bad[nbad], DNS_TYPE_A, 60, 1);
	p_put(&bad[nbad++], "\xff\0", 2);
	p_name(&bad[nbad], "\3new" APEX, 17, 1); /* garbage after the sets */
	p_set(&bad[nbad], DNS_TYPE_A, 60, 1);
	p_rdata(&bad[nbad], "\1\2\3\4", 4);
	p_put(&bad[nbad++], "\1\1\1\1\1\1\1\1\1", 9);
	p_name(&bad[nbad], "\3new" APEX, 17, 1); /* a CNAME that is not a name */
	p_set(&bad[nbad], DNS_TYPE_CNAME, 60, 1);
	p_rdata(&bad[nbad++], "\5ab", 3);
	p_name(&bad[nbad], "\3new" APEX, 17, 1); /* TTL above 2^31 - 1 */
	p_set(&bad[nbad], DNS_TYPE_A, 0x80000000u, 1);
	p_rdata(&bad[nbad++], "\1\2\3\4", 4);

	for (unsigned i = 0; i < nbad; i++) {
		p_name(&p, "\3new" APEX, 17, 1);
		p_set(&p, DNS_TYPE_A, 60, 1);
		p_rdata(&p, "\1\2\3\4", 4);
		produce(MV_CHAN_NAME, 0, p.b, p.len); /* a good name in the same batch */
		produce(MV_CHAN_NAME, 0, bad[i].b, bad[i].len);
		produce(MV_CHAN_COMMIT, 10 + i, NULL, 0);
		mv_channel_poll(ch);
		cr_assert_null(lookup("\3new" APEX, 17), "bad message %u: batch discarded", i);
		cr_assert_eq(shm->applied_seq, 1, "bad message %u: not acknowledged", i);
		cr_assert_eq(mv_channel_rejected(ch), i + 1);
	}
	cr_assert_not_null(lookup("\3www" APEX, 17), "what was served stays served");

	/* And the channel still works. */
	send_zone(50, false);
	produce(MV_CHAN_COMMIT, 50, NULL, 0);
	mv_channel_poll(ch);
	cr_assert_eq(shm->applied_seq, 50);
}

Test(channel, broken_framing_is_skipped)
{
	struct mv_chan_msg m = {.len = 12, .type = MV_CHAN_NAME}; /* not a multiple of 8 */

	memcpy(shm->ring, &m, sizeof(m));
	__atomic_store_n(&shm->produced, 64, __ATOMIC_RELEASE);
	mv_channel_poll(ch);
	cr_assert_eq(mv_channel_rejected(ch), 1);
	cr_assert_eq(shm->consumed, 64, "everything produced is consumed");
	send_zone(3, false);
	produce(MV_CHAN_COMMIT, 3, NULL, 0);
	mv_channel_poll(ch);
	cr_assert_eq(shm->applied_seq, 3);

	produce(99, 0, NULL, 0);
	mv_channel_poll(ch);
	cr_assert_eq(mv_channel_rejected(ch), 2, "an unknown type is rejected");
}

/* NAME n<i>.example.com, one A set: 10.<round>.<i / 256>.<i % 256>. */
static void produce_host(unsigned i, uint8_t round)
{
	struct payload p;
	char label[16];
	char wire[64];
	int l = snprintf(label, sizeof(label), "n%u", i);

	wire[0] = (char)l;
	memcpy(wire + 1, label, (size_t)l);
	memcpy(wire + 1 + l, APEX, 13);
	p_name(&p, wire, (uint8_t)(1 + l + 13), 1);
	p_set(&p, DNS_TYPE_A, 60, 1);
	uint8_t a[4] = {10, round, (uint8_t)(i / 256), (uint8_t)i};
	p_rdata(&p, a, 4);
	produce(MV_CHAN_NAME, 0, p.b, p.len);
}

static bool host_has(unsigned i, uint8_t round)
{
	char wire[64];
	int l = snprintf(wire + 1, sizeof(wire) - 1, "n%u", i);

	wire[0] = (char)l;
	memcpy(wire + 1 + l, APEX, 13);
	const struct mv_node *n = lookup(wire, (size_t)(1 + l + 13));
	const struct mv_rrset_wire *set = n != NULL ? mv_node_find(n, DNS_TYPE_A) : NULL;
	if (set == NULL || set->count != 1)
		return false;
	const uint8_t *rdata = mv_rrset_wire_rrs(set) + 12;
	const uint8_t want[4] = {10, round, (uint8_t)(i / 256), (uint8_t)i};
	return memcmp(rdata, want, 4) == 0;
}

/*
 * Batches whose staged names take several of the staging pool's chunks
 * (48 octets a name, a copy of its message; 1 MiB a chunk), one after
 * another: each batch finds its names intact, and the pool is emptied
 * between batches.
 */
Test(channel, batches_larger_than_a_staging_chunk)
{
	enum { HOSTS = 50000 };

	send_zone(1, false);
	produce(MV_CHAN_COMMIT, 1, NULL, 0);
	mv_channel_poll(ch);
	for (uint8_t round = 1; round <= 3; round++) {
		for (unsigned i = 0; i < HOSTS; i++)
			produce_host(i, round);
		produce(MV_CHAN_COMMIT, 1 + round, NULL, 0);
		mv_channel_poll(ch);
		cr_assert_eq(shm->applied_seq, 1u + round);
		for (unsigned i = 0; i < HOSTS; i++)
			cr_assert(host_has(i, round), "n%u in round %u", i, round);
	}
	cr_assert_eq(mv_channel_rejected(ch), 0);
}

/*
 * One name whose decoded sets need more than a staging chunk: 250 types of
 * 480 values each is 120,000 values, over 1.2 MB of value pointers and
 * lengths, from a payload of under 0.5 MB. The block they are decoded into
 * grows for it, and is freed after the COMMIT.
 */
Test(channel, a_name_larger_than_a_staging_chunk, .timeout = 60)
{
	enum { TYPES = 250, VALUES = 480 };
	static uint8_t big[600000];
	size_t len = 0;
	uint8_t owner_len = 17;
	uint16_t nsets = TYPES;

	send_zone(1, false);
	produce(MV_CHAN_COMMIT, 1, NULL, 0);
	mv_channel_poll(ch);
	big[len++] = owner_len;
	memcpy(big + len, "\3big" APEX, owner_len);
	len += owner_len;
	memcpy(big + len, &nsets, 2);
	len += 2;
	for (uint16_t t = 0; t < TYPES; t++) {
		uint16_t type = (uint16_t)(1000 + t), flags = 0, count = VALUES, rdlen = 2;
		uint32_t ttl = 60, health = 0;
		memcpy(big + len, &type, 2);
		memcpy(big + len + 2, &flags, 2);
		memcpy(big + len + 4, &ttl, 4);
		memcpy(big + len + 8, &health, 4);
		memcpy(big + len + 12, &count, 2);
		len += 14;
		for (uint16_t v = 0; v < VALUES; v++) {
			memcpy(big + len, &rdlen, 2);
			dns_put_u16(big + len + 2, v);
			len += 4;
		}
	}
	cr_assert_lt(len, sizeof(big));
	produce(MV_CHAN_NAME, 0, big, (uint32_t)len);
	produce(MV_CHAN_COMMIT, 2, NULL, 0);
	mv_channel_poll(ch);
	cr_assert_eq(shm->applied_seq, 2);
	const struct mv_node *n = lookup("\3big" APEX, owner_len);
	cr_assert_not_null(n);
	cr_assert_eq(n->nsets, TYPES);
	for (uint16_t t = 0; t < TYPES; t++) {
		const struct mv_rrset_wire *set = mv_node_find(n, (uint16_t)(1000 + t));
		cr_assert_not_null(set);
		cr_assert_eq(set->count, VALUES);
		const uint8_t *last =
			mv_rrset_wire_rrs(set) + mv_rrset_wire_offsets(set)[VALUES - 1];
		cr_assert_eq(dns_get_u16(last + 12), VALUES - 1);
	}
}

/*
 * A full state of more names than the staging array keeps between batches,
 * in the order a control process need not keep: the zone's names before its
 * apex, an owner in mixed case. All of it is served after the COMMIT, and
 * batches after it still stage and apply.
 */
Test(channel, a_large_full_state_in_any_order, .timeout = 60)
{
	enum { HOSTS = 70000 };
	struct payload p;

	produce(MV_CHAN_SYNC_BEGIN, 1, NULL, 0);
	for (unsigned i = 0; i < HOSTS; i++)
		produce_host(i, 1);
	produce_one("\5MiXeD" APEX, 19, DNS_TYPE_A, 60, "\xc0\0\2\7", 4);
	produce_apex();
	produce(MV_CHAN_COMMIT, 1, NULL, 0);
	mv_channel_poll(ch);
	cr_assert_eq(shm->applied_seq, 1);
	cr_assert_eq(mv_channel_rejected(ch), 0);
	cr_assert_eq(shm->names, HOSTS + 2);
	for (unsigned i = 0; i < HOSTS; i++)
		cr_assert(host_has(i, 1), "n%u", i);
	cr_assert_not_null(lookup("\5mixed" APEX, 19), "the owner lower-cased");

	for (unsigned i = 0; i < 10; i++)
		produce_host(i, 2);
	p_name(&p, "\5MIXED" APEX, 19, 0); /* removed, named in another case */
	produce(MV_CHAN_NAME, 0, p.b, p.len);
	produce(MV_CHAN_COMMIT, 2, NULL, 0);
	mv_channel_poll(ch);
	cr_assert_eq(shm->applied_seq, 2);
	for (unsigned i = 0; i < 10; i++)
		cr_assert(host_has(i, 2), "n%u", i);
	cr_assert(host_has(10, 1));
	cr_assert_null(lookup("\5mixed" APEX, 19));

	/* A full state with a name the table refuses (a CNAME that is not a
	 * name) is checked as its new table is built: thrown away whole. */
	const struct mv_table *before = atomic_load(&current);
	produce(MV_CHAN_SYNC_BEGIN, 3, NULL, 0);
	produce_apex();
	produce_one("\3bad" APEX, 17, DNS_TYPE_CNAME, 60, "\5ab", 3);
	produce(MV_CHAN_COMMIT, 3, NULL, 0);
	mv_channel_poll(ch);
	cr_assert_eq(shm->applied_seq, 2, "not acknowledged");
	cr_assert_eq(mv_channel_rejected(ch), 1);
	cr_assert_eq(atomic_load(&current), before, "the table served stays");
	cr_assert(host_has(10, 1));
}

/* A multivalue set of one A value with health check `health` (0: none). */
static void p_mv_a(struct payload *p, uint32_t health, uint8_t last)
{
	uint16_t type = DNS_TYPE_A, flags = MV_CHAN_SET_MULTIVALUE, count = 1;
	uint32_t ttl = 60;
	uint8_t a[4] = {192, 0, 2, last};

	p_put(p, &type, 2);
	p_put(p, &flags, 2);
	p_put(p, &ttl, 4);
	p_put(p, &health, 4);
	p_put(p, &count, 2);
	p_rdata(p, a, 4);
}

/*
 * A full state with health statuses before its names or after them (as
 * mvdns-control sends them): in its pool, the value whose check is
 * Unhealthy is left out of the healthy ones either way.
 */
static void full_state_with_statuses(bool statuses_first)
{
	const uint32_t status[] = {2, 5, MV_CHAN_UNHEALTHY, 6, MV_CHAN_HEALTHY};
	struct payload p;

	produce(MV_CHAN_SYNC_BEGIN, 1, NULL, 0);
	if (statuses_first)
		produce(MV_CHAN_HEALTH, 0, status, sizeof(status));
	produce_apex();
	p_name(&p, "\4pool" APEX, 18, 2);
	p_mv_a(&p, 5, 1);
	p_mv_a(&p, 6, 2);
	produce(MV_CHAN_NAME, 0, p.b, p.len);
	if (!statuses_first)
		produce(MV_CHAN_HEALTH, 0, status, sizeof(status));
	produce(MV_CHAN_COMMIT, 1, NULL, 0);
	mv_channel_poll(ch);
	cr_assert_eq(shm->applied_seq, 1);
	const struct mv_node *n = lookup("\4pool" APEX, 18);
	cr_assert_not_null(n);
	const struct mv_rrset_wire *set = mv_node_find(n, DNS_TYPE_A);
	cr_assert_not_null(set);
	cr_assert_eq(set->count, 2);
	cr_assert_eq(set->nhealthy, 1, "192.0.2.1's check is Unhealthy");
}

Test(channel, a_full_state_carries_its_health_statuses)
{
	full_state_with_statuses(true);
}

Test(channel, a_full_state_s_statuses_after_its_names_apply_to_them)
{
	full_state_with_statuses(false);
}

Test(channel, wraps_around_the_ring)
{
	static uint8_t big[60000];
	uint64_t seq = 0;

	/* Fill the ring several times over with batches of one big TXT each. */
	for (unsigned i = 0; i < 3 * (MV_CHAN_RING_SIZE / 40000) + 7; i++) {
		size_t len = 0;
		uint8_t hdr[64];
		size_t hl = 0;
		hdr[hl++] = 13;
		memcpy(hdr + hl, APEX, 13);
		hl += 13;
		uint16_t one = 1;
		memcpy(hdr + hl, &one, 2);
		hl += 2;
		memcpy(big, hdr, hl);
		len = hl;
		uint16_t type = DNS_TYPE_SOA, flags = 0, count = 1, rdlen = sizeof(SOA_RDATA) - 1;
		uint32_t ttl = i, health = 0;
		memcpy(big + len, &type, 2);
		memcpy(big + len + 2, &flags, 2);
		memcpy(big + len + 4, &ttl, 4);
		memcpy(big + len + 8, &health, 4);
		memcpy(big + len + 12, &count, 2);
		memcpy(big + len + 14, &rdlen, 2);
		memcpy(big + len + 16, SOA_RDATA, rdlen);
		len += 16 + rdlen;
		produce(MV_CHAN_NAME, 0, big, (uint32_t)len);
		static const uint8_t filler[40000];
		produce(MV_CHAN_PAD, 0, filler, sizeof(filler)); /* to move around the ring */
		produce(MV_CHAN_COMMIT, ++seq, NULL, 0);
		mv_channel_poll(ch);
		cr_assert_eq(shm->applied_seq, seq);
	}
	cr_assert_gt(shm->consumed, 2ull * MV_CHAN_RING_SIZE);
	cr_assert_eq(mv_channel_rejected(ch), 0);
}

/* ---- the doorbell ---- */

struct sleeper {
	struct mv_channel *ch;
	int woken;
};

static void *sleep_on_the_doorbell(void *arg)
{
	struct sleeper *s = arg;

	s->woken = mv_channel_wait(s->ch, 10000);
	return NULL;
}

/* An idle dataplane sleeps; the control process's next message wakes it. */
Test(channel, the_doorbell_wakes_a_sleeping_dataplane)
{
	struct sleeper s = {ch, -1};
	uint8_t msg[sizeof(struct mv_chan_msg)];
	pthread_t t;

	cr_assert_eq(mv_channel_wait(ch, 10), 0, "nothing produced: the timeout ends the sleep");
	cr_assert_eq(pthread_create(&t, NULL, sleep_on_the_doorbell, &s), 0);
	while (__atomic_load_n(&shm->waiting, __ATOMIC_SEQ_CST) == 0)
		usleep(1000);
	feed_encode_ctl(MV_CHAN_COMMIT, 1, msg);
	cr_assert_eq(feed_ring_write(shm, msg, sizeof(msg), NULL, NULL), 0);
	cr_assert_eq(pthread_join(t, NULL), 0);
	cr_assert_eq(s.woken, 1, "woken by the doorbell, not by the 10 s timeout");
	cr_assert_eq(shm->waiting, 0);
	cr_assert_eq(mv_channel_poll(ch), 1);
	cr_assert_eq(mv_channel_wait(ch, 10), 0, "all consumed: asleep again until the timeout");
}

/* A batch's names and statuses are only staged until its COMMIT: only the COMMIT rings. */
Test(channel, the_doorbell_rings_for_the_commit_not_for_each_message)
{
	const struct feed_health st = {1, MV_CHAN_HEALTHY};
	uint8_t msg[64];
	uint32_t bell = shm->doorbell;
	long len = feed_encode_health(&st, 1, 1, msg, sizeof(msg));

	cr_assert_gt(len, 0);
	cr_assert_eq(feed_ring_write(shm, msg, (uint32_t)len, NULL, NULL), 0);
	cr_assert_eq(feed_ring_write(shm, msg, (uint32_t)len, NULL, NULL), 0);
	cr_assert_eq(shm->doorbell, bell, "no ring for staged messages");
	feed_encode_ctl(MV_CHAN_COMMIT, 1, msg);
	cr_assert_eq(feed_ring_write(shm, msg, sizeof(struct mv_chan_msg), NULL, NULL), 0);
	cr_assert_eq(shm->doorbell, bell + 1);
	cr_assert_eq(mv_channel_poll(ch), 3);
}
