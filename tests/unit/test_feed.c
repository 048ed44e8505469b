/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control daemon's channel producer: NAME encoding (checked with the
 * dataplane's own decoder), the ring writer against a consumer written here
 * (padding at the ring's end, backpressure, never a drop), the dataplanes'
 * discovery and full-state sync over a segment in a private directory, and
 * one end-to-end run into the dataplane's real consumer.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "channel.h"
#include "channel_rx.h"
#include "feed.h"
#include "name.h"
#include "node.h"
#include "peers.h"
#include "peers_scan.h"
#include "private_shm.h"
#include "text.h"
#include "wire.h"
#include "zones.h"
#include "private_tmp.h"

static struct mv_error err;

/* Record sets from a change batch (' for "). */
static void parse(struct mv_batch *b, const char *json)
{
	char buf[4096];
	size_t i = 0;

	for (; json[i] != '\0'; i++)
		buf[i] = json[i] == '\'' ? '"' : json[i];
	cr_assert_eq(mv_batch_parse(buf, i, b, &err), 0, "%s", err.messages[0]);
}

/* ---- encoding ---- */

Test(feed, encode_name_decodes_with_the_dataplane_decoder)
{
	struct mv_batch b;
	const struct mv_rrset *sets[3];
	uint8_t buf[1024], owner[MVDNS_NAME_MAX], owner_len;
	struct mv_rrset *out;
	uint16_t n;
	long len;

	parse(&b, "{'Changes':["
		  "{'Action':'CREATE','ResourceRecordSet':{'Name':'mv.example.com','Type':'A',"
		  "'TTL':60,'SetIdentifier':'a','MultiValueAnswer':true,'ResourceRecords':["
		  "{'Value':'192.0.2.1'},{'Value':'192.0.2.2'}]}},"
		  "{'Action':'CREATE','ResourceRecordSet':{'Name':'mv.example.com','Type':'A',"
		  "'TTL':30,'SetIdentifier':'b','MultiValueAnswer':true,'ResourceRecords':["
		  "{'Value':'192.0.2.3'}]}},"
		  "{'Action':'CREATE','ResourceRecordSet':{'Name':'mv.example.com','Type':'TXT',"
		  "'TTL':300,'ResourceRecords':[{'Value':'\\'hello\\''}]}}]}");
	for (int i = 0; i < 3; i++)
		sets[i] = &b.changes[i].rrset;
	len = feed_encode_name(sets[0]->owner, sets, 3, 77, buf, sizeof(buf));
	cr_assert_gt(len, 0);
	cr_assert_eq(len % MV_CHAN_ALIGN, 0);
	struct mv_chan_msg hdr;
	memcpy(&hdr, buf, sizeof(hdr));
	cr_assert_eq(hdr.len, len);
	cr_assert_eq(hdr.type, MV_CHAN_NAME);
	cr_assert_eq(hdr.seq, 77);
	cr_assert_eq(mv_channel_decode_name(buf + sizeof(hdr), (uint32_t)(len - sizeof(hdr)), owner,
					    &owner_len, &out, &n),
		     0);
	cr_assert_eq(owner_len, sets[0]->owner_len);
	cr_assert_eq(memcmp(owner, sets[0]->owner, owner_len), 0);
	cr_assert_eq(n, 3);
	for (uint16_t i = 0; i < n; i++) { /* each set's owner: a copy that outlives owner[] */
		cr_assert_eq(out[i].owner_len, owner_len);
		cr_assert_eq(memcmp(out[i].owner, sets[0]->owner, owner_len), 0);
		cr_assert_neq(out[i].owner, owner);
	}
	cr_assert_eq(out[0].type, DNS_TYPE_A);
	cr_assert(out[0].multivalue);
	cr_assert_eq(out[0].count, 2);
	cr_assert_eq(out[1].ttl, 30);
	cr_assert_eq(out[1].rdata_len[0], 4);
	cr_assert_eq(out[1].rdata[0][3], 3);
	cr_assert_eq(out[2].type, DNS_TYPE_TXT);
	cr_assert_not(out[2].multivalue);
	cr_assert_eq(out[2].rdata_len[0], 6);
	mv_channel_free_sets(out, n);
	mv_batch_free(&b);
}

Test(feed, encode_empty_name_removes_it)
{
	uint8_t owner[MVDNS_NAME_MAX], buf[64], got[MVDNS_NAME_MAX], got_len;
	int olen = dns_name_from_text("gone.example.com", owner, NULL, 0);
	struct mv_rrset *out;
	uint16_t n = 9;
	long len = feed_encode_name(owner, NULL, 0, 1, buf, sizeof(buf));

	cr_assert_eq(len, (long)((sizeof(struct mv_chan_msg) + 1 + (size_t)olen + 2 + 7) & ~7u));
	cr_assert_eq(mv_channel_decode_name(buf + 16, (uint32_t)len - 16, got, &got_len, &out, &n),
		     0);
	cr_assert_eq(n, 0);
	cr_assert_eq(got_len, olen);
}

/* After the last value, only zero octets up to the 8-octet boundary. */
Test(feed, decode_refuses_what_follows_the_sets)
{
	uint8_t owner[MVDNS_NAME_MAX], buf[96], got[MVDNS_NAME_MAX], got_len;
	struct mv_batch b;
	const struct mv_rrset *sets[1];
	struct mv_rrset *out;
	uint16_t n;

	/* 1 + 15 (owner) + 2 + 14 + 2 + 4 octets: 2 of padding after them. */
	parse(&b, "{'Changes':[{'Action':'CREATE','ResourceRecordSet':{'Name':'w.example.com',"
		  "'Type':'A','TTL':60,'ResourceRecords':[{'Value':'192.0.2.1'}]}}]}");
	sets[0] = &b.changes[0].rrset;
	memcpy(owner, sets[0]->owner, sets[0]->owner_len);
	long len = feed_encode_name(owner, sets, 1, 1, buf, sizeof(buf) - 8);
	cr_assert_gt(len, 16);
	uint32_t plen = (uint32_t)len - 16;
	cr_assert_eq(mv_channel_decode_name(buf + 16, plen, got, &got_len, &out, &n), 0);
	mv_channel_free_sets(out, n);
	memset(buf + len, 0, 8); /* a whole 8 octets more: not padding */
	cr_assert_eq(mv_channel_decode_name(buf + 16, plen + 8, got, &got_len, &out, &n), -EBADMSG);
	/* Exactly 8 zero octets after the last value is no padding either. */
	cr_assert_eq(mv_channel_decode_name(buf + 16, plen + 6, got, &got_len, &out, &n), -EBADMSG);
	buf[len - 1] = 1; /* padding that is not zero */
	cr_assert_eq(mv_channel_decode_name(buf + 16, plen, got, &got_len, &out, &n), -EBADMSG);
	mv_batch_free(&b);
}

Test(feed, encode_refuses_what_does_not_fit)
{
	struct mv_batch b;
	const struct mv_rrset *sets[1];
	uint8_t buf[40];

	parse(&b, "{'Changes':[{'Action':'CREATE','ResourceRecordSet':{'Name':'www.example.com',"
		  "'Type':'A','TTL':60,'ResourceRecords':[{'Value':'192.0.2.1'}]}}]}");
	sets[0] = &b.changes[0].rrset;
	cr_assert_eq(feed_encode_name(sets[0]->owner, sets, 1, 1, buf, sizeof(buf)), -EMSGSIZE);
	mv_batch_free(&b);
}

/* ---- the ring, with a consumer that reads as the dataplane does ---- */

struct consumer {
	struct mv_chan_shm *shm;
	uint64_t consumed;
	size_t n;
	uint16_t type[4096];
	uint64_t seq[4096];
	uint32_t len[4096];
	int pads;
	int stuck;            /* do not consume: the wait fails instead */
	int pattern;          /* payloads carry the message's index (ring tests) */
	char owner[4096][32]; /* NAME: owner in presentation form */
	uint16_t nsets[4096];
};

/* Keep a NAME's owner and set count, checking it with the dataplane's decoder. */
static void decode(struct consumer *c, const uint8_t *payload, uint32_t len)
{
	uint8_t owner[MVDNS_NAME_MAX], owner_len;
	struct mv_rrset *sets;
	uint16_t n;

	cr_assert_eq(mv_channel_decode_name(payload, len, owner, &owner_len, &sets, &n), 0);
	dns_name_to_text(owner, c->owner[c->n], sizeof(c->owner[c->n]));
	c->nsets[c->n] = n;
	mv_channel_free_sets(sets, n);
}

static void consume(struct consumer *c)
{
	struct mv_chan_shm *shm = c->shm;
	uint64_t produced = __atomic_load_n(&shm->produced, __ATOMIC_ACQUIRE);

	while (c->consumed < produced) {
		uint64_t off = c->consumed % shm->ring_size;
		struct mv_chan_msg m;

		if (shm->ring_size - off < sizeof(m)) {
			c->consumed += shm->ring_size - off;
			continue;
		}
		memcpy(&m, shm->ring + off, sizeof(m));
		cr_assert_geq(m.len, sizeof(m));
		cr_assert_eq(m.len % MV_CHAN_ALIGN, 0);
		cr_assert_leq(m.len, shm->ring_size - off, "a message never wraps");
		cr_assert_leq(m.len, produced - c->consumed, "only whole messages are published");
		if (m.type == MV_CHAN_PAD) {
			c->pads++;
		} else {
			cr_assert_lt(c->n, 4096);
			/* The payload is the message's own index in every octet. */
			for (uint32_t k = sizeof(m); c->pattern && k < m.len; k++)
				cr_assert_eq(shm->ring[off + k], (uint8_t)m.seq);
			if (!c->pattern && m.type == MV_CHAN_NAME)
				decode(c, shm->ring + off + sizeof(m), m.len - (uint32_t)sizeof(m));
			c->type[c->n] = m.type;
			c->seq[c->n] = m.seq;
			c->len[c->n] = m.len;
			c->n++;
		}
		c->consumed += m.len;
	}
	__atomic_store_n(&shm->consumed, c->consumed, __ATOMIC_RELEASE);
}

static int consumer_wait(void *arg)
{
	struct consumer *c = arg;

	if (c->stuck)
		return -EPIPE;
	consume(c);
	return 0;
}

static struct mv_chan_shm *ring_new(uint64_t size)
{
	struct mv_chan_shm *shm = calloc(1, sizeof(*shm) + size);

	cr_assert_not_null(shm);
	shm->ring_size = size;
	return shm;
}

static void message(uint8_t *buf, uint32_t len, uint64_t seq)
{
	struct mv_chan_msg m = {.len = len, .type = MV_CHAN_NAME, .seq = seq};

	memset(buf, (uint8_t)seq, len);
	memcpy(buf, &m, sizeof(m));
}

Test(feed, ring_pads_waits_and_never_drops)
{
	struct mv_chan_shm *shm = ring_new(256);
	struct consumer *c = calloc(1, sizeof(*c));
	uint8_t buf[256];
	size_t total = 3000;

	c->shm = shm;
	c->pattern = 1;
	for (size_t i = 0; i < total; i++) {
		uint32_t len = (uint32_t)(16 + 8 * ((i * 7) % 26)); /* 16..216 octets */

		message(buf, len, i);
		cr_assert_eq(feed_ring_write(shm, buf, len, consumer_wait, c), 0);
	}
	consume(c);
	cr_assert_eq(c->n, total);
	for (size_t i = 0; i < total; i++) {
		cr_assert_eq(c->seq[i], i);
		cr_assert_eq(c->len[i], 16 + 8 * ((i * 7) % 26));
	}
	cr_assert_gt(c->pads, 0, "messages that do not fit start at the ring's beginning");
	cr_assert_eq(shm->produced, c->consumed);
	free(c);
	free(shm);
}

Test(feed, ring_skips_a_tail_too_short_for_a_header)
{
	struct mv_chan_shm *shm = ring_new(64);
	struct consumer *c = calloc(1, sizeof(*c));
	uint8_t buf[64];

	c->shm = shm;
	c->pattern = 1;
	message(buf, 56, 1);
	cr_assert_eq(feed_ring_write(shm, buf, 56, consumer_wait, c), 0);
	message(buf, 16, 2); /* 8 octets left at the end: skipped without a PAD */
	cr_assert_eq(feed_ring_write(shm, buf, 16, consumer_wait, c), 0);
	cr_assert_eq(shm->produced, 64 + 16);
	consume(c);
	cr_assert_eq(c->n, 2);
	cr_assert_eq(c->pads, 0);
	free(c);
	free(shm);
}

Test(feed, ring_full_waits_and_reports_the_wait_failure)
{
	struct mv_chan_shm *shm = ring_new(64);
	struct consumer *c = calloc(1, sizeof(*c));
	uint8_t buf[64];

	c->shm = shm;
	c->pattern = 1;
	c->stuck = 1;
	message(buf, 32, 1);
	cr_assert_eq(feed_ring_write(shm, buf, 32, consumer_wait, c), 0);
	message(buf, 32, 2);
	cr_assert_eq(feed_ring_write(shm, buf, 32, consumer_wait, c), 0);
	message(buf, 16, 3); /* the ring is full */
	cr_assert_eq(feed_ring_write(shm, buf, 16, consumer_wait, c), -EPIPE);
	cr_assert_eq(shm->produced, 64, "nothing half-written is published");
	c->stuck = 0;
	cr_assert_eq(feed_ring_write(shm, buf, 16, consumer_wait, c), 0);
	consume(c);
	cr_assert_eq(c->n, 3);
	cr_assert_eq(c->seq[2], 3);
	/* Positions that make no sense are refused. */
	shm->consumed = shm->produced + 8;
	cr_assert_eq(feed_ring_write(shm, buf, 16, consumer_wait, c), -EPROTO);
	cr_assert_eq(feed_ring_write(shm, buf, 12, consumer_wait, c), -EINVAL);
	free(c);
	free(shm);
}

/* ---- dataplanes: discovery, full state, batches ---- */

#define SEG_RING (1u << 16)

static char segdir[128];

static void seg_setup(void)
{
	private_tmp_dir(segdir, sizeof(segdir), "feed");
}

static void seg_teardown(void)
{
	private_tmp_remove(segdir);
}

/* A segment as a dataplane creates it, in segdir. */
static struct mv_chan_shm *seg_create(const char *name, uint64_t epoch, uint64_t pid)
{
	size_t size = sizeof(struct mv_chan_shm) + SEG_RING;
	char path[160];
	struct mv_chan_shm *shm;
	int fd;

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
	shm->dp_epoch = epoch;
	shm->dp_pid = pid;
	__atomic_store_n(&shm->magic, MV_CHAN_MAGIC, __ATOMIC_RELEASE);
	return shm;
}

static void seg_remove(const char *name, struct mv_chan_shm *shm)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/%s%s", segdir, MV_CHAN_SHM_PREFIX, name);
	cr_assert_eq(unlink(path), 0);
	munmap(shm, sizeof(*shm) + SEG_RING);
}

/* example.com with www (A) and mv (two multivalue A sets). */
static struct zones *zones_example(void)
{
	struct zones_new nz = {.id = "ZTEST", .name = "example.com", .caller_reference = "r"};
	struct zones *z = zones_create();
	struct zones_zone *zone;
	struct mv_batch b;

	cr_assert_eq(zones_add(z, &nz, &zone, &err), 0);
	parse(&b, "{'Changes':["
		  "{'Action':'CREATE','ResourceRecordSet':{'Name':'www.example.com','Type':'A',"
		  "'TTL':60,'ResourceRecords':[{'Value':'192.0.2.1'}]}},"
		  "{'Action':'CREATE','ResourceRecordSet':{'Name':'mv.example.com','Type':'A',"
		  "'TTL':60,'SetIdentifier':'a','MultiValueAnswer':true,'ResourceRecords':["
		  "{'Value':'192.0.2.2'}]}},"
		  "{'Action':'CREATE','ResourceRecordSet':{'Name':'mv.example.com','Type':'A',"
		  "'TTL':60,'SetIdentifier':'b','MultiValueAnswer':true,'ResourceRecords':["
		  "{'Value':'192.0.2.3'}]}}]}");
	cr_assert_eq(mv_store_apply(zone->store, zone->apex, &b, &err), 0);
	mv_batch_free(&b);
	return z;
}

/* Apply a batch (' for ") to zone and publish it, numbered after the last. */
static void publish_change(struct peers *p, struct zones *z, struct zones_zone *zone,
			   const char *json)
{
	uint8_t owners[8][MVDNS_NAME_MAX] = {{0}};
	struct mv_batch b;

	parse(&b, json);
	cr_assert_leq(b.count, 8);
	cr_assert_eq(mv_store_apply(zone->store, zone->apex, &b, &err), 0, "%s", err.messages[0]);
	for (size_t i = 0; i < b.count; i++)
		memcpy(owners[i], b.changes[i].rrset.owner, b.changes[i].rrset.owner_len);
	zones_seq_raise(z, zones_seq(z) + 1);
	peers_publish(p, (const uint8_t(*)[MVDNS_NAME_MAX])owners, b.count, zones_seq(z));
	mv_batch_free(&b);
}

/* Drain the segment and check it holds exactly a full state of zones_example(). */
static uint64_t expect_sync(struct consumer *c)
{
	size_t first = c->n;

	consume(c);
	cr_assert_eq(c->n - first, 5, "SYNC_BEGIN, 3 names, COMMIT");
	cr_assert_eq(c->type[first], MV_CHAN_SYNC_BEGIN);
	cr_assert_str_eq(c->owner[first + 1], "example.com.");
	cr_assert_eq(c->nsets[first + 1], 2);
	cr_assert_str_eq(c->owner[first + 2], "mv.example.com.");
	cr_assert_eq(c->nsets[first + 2], 2, "each multivalue set is its own entry");
	cr_assert_str_eq(c->owner[first + 3], "www.example.com.");
	cr_assert_eq(c->type[first + 4], MV_CHAN_COMMIT);
	cr_assert_eq(c->seq[first + 4], c->seq[first]);
	return c->seq[first];
}

TestSuite(peers, .init = seg_setup, .fini = seg_teardown);

Test(peers, attach_sync_publish_resync_detach)
{
	struct zones *z = zones_example();
	struct mv_chan_shm *shm = seg_create("one", 1234, (uint64_t)getpid());
	struct consumer *c = calloc(1, sizeof(*c));
	struct peers *p = peers_create(segdir, z);
	uint8_t owners[1][MVDNS_NAME_MAX] = {{0}};
	uint64_t seq;
	struct mv_batch b;

	c->shm = shm;
	cr_assert_eq(scan(p), 1);
	cr_assert_eq(shm->ctl_pid, (uint64_t)getpid());
	seq = expect_sync(c);
	cr_assert_eq(seq, 1);
	cr_assert_not(peers_applied(p, seq));
	shm->applied_seq = seq;
	cr_assert(peers_applied(p, seq));

	/* A batch: www goes away; only its name and the COMMIT travel. */
	parse(&b, "{'Changes':[{'Action':'DELETE','ResourceRecordSet':{'Name':'www.example.com',"
		  "'Type':'A','TTL':60,'ResourceRecords':[{'Value':'192.0.2.1'}]}}]}");
	cr_assert_eq(mv_store_apply(zones_at(z, 0)->store, zones_at(z, 0)->apex, &b, &err), 0);
	memcpy(owners[0], b.changes[0].rrset.owner, b.changes[0].rrset.owner_len);
	mv_batch_free(&b);
	peers_publish(p, (const uint8_t(*)[MVDNS_NAME_MAX])owners, 1, 2);
	consume(c);
	cr_assert_eq(c->n, 7);
	cr_assert_str_eq(c->owner[5], "www.example.com.");
	cr_assert_eq(c->nsets[5], 0);
	cr_assert_eq(c->type[6], MV_CHAN_COMMIT);
	cr_assert_eq(c->seq[6], 2);
	cr_assert_not(peers_applied(p, 2));

	/* The same file with a new epoch: the full state again, numbered after 2. */
	shm->dp_epoch = 5678;
	zones_seq_raise(z, 2);
	cr_assert_eq(scan(p), 1);
	consume(c);
	cr_assert_eq(c->type[7], MV_CHAN_SYNC_BEGIN);
	cr_assert_eq(c->seq[7], 3);
	cr_assert_eq(c->n, 7 + 4, "example.com and mv only now");

	/* The dataplane stops: its segment goes, and so does the wait for it. */
	seg_remove("one", shm);
	cr_assert_eq(scan(p), 0);
	cr_assert(peers_applied(p, 1000));
	peers_destroy(p);
	zones_destroy(z);
	free(c);
}

/* A rejected batch leaves the dataplane behind: the full state goes again. */
Test(peers, a_rejection_brings_the_full_state_again)
{
	struct zones *z = zones_example();
	struct mv_chan_shm *shm = seg_create("rej", 1, (uint64_t)getpid());
	struct consumer *c = calloc(1, sizeof(*c));
	struct peers *p = peers_create(segdir, z);
	uint64_t seq;

	c->shm = shm;
	cr_assert_eq(scan(p), 1);
	seq = expect_sync(c);
	shm->applied_seq = seq;
	cr_assert_eq(scan(p), 1);
	consume(c);
	cr_assert_eq(c->n, 5, "nothing new while nothing was rejected");

	shm->rejected = 1; /* say, a NAME of a later batch */
	zones_seq_raise(z, seq);
	cr_assert_eq(scan(p), 1);
	uint64_t again = expect_sync(c);
	cr_assert_gt(again, seq);

	/* Rejected again before that full state is applied: not sent a third time. */
	shm->rejected = 2;
	cr_assert_eq(scan(p), 1);
	consume(c);
	cr_assert_eq(c->n, 10);
	cr_assert_not(peers_applied(p, seq));
	peers_destroy(p);
	zones_destroy(z);
	free(c);
}

static int no_room(void *arg)
{
	(void)arg;
	return -EAGAIN;
}

/*
 * A dataplane that leaves its ring full (stopped, or far behind) holds a
 * batch up for a bounded time only: it gets the full state instead, once
 * its ring has room, and never the batch's COMMIT alone.
 */
Test(peers, a_ring_left_full_brings_the_full_state_instead)
{
	struct zones *z = zones_example();
	struct mv_chan_shm *shm = seg_create("stuck", 1, (uint64_t)getpid());
	struct consumer *c = calloc(1, sizeof(*c));
	struct peers *p = peers_create(segdir, z);
	uint8_t pad[sizeof(struct mv_chan_msg)];
	uint64_t seq;

	c->shm = shm;
	cr_assert_eq(scan(p), 1);
	shm->applied_seq = expect_sync(c);
	/* The dataplane stops taking messages once its ring is full. */
	memcpy(pad, &(struct mv_chan_msg){.len = sizeof(pad), .type = MV_CHAN_PAD}, sizeof(pad));
	while (feed_ring_write(shm, pad, sizeof(pad), no_room, NULL) == 0)
		;

	seq = zones_seq(z) + 1; /* the batch's number */
	publish_change(p, z, zones_at(z, 0),
		       "{'Changes':[{'Action':'DELETE','ResourceRecordSet':{'Name':"
		       "'www.example.com','Type':'A','TTL':60,'ResourceRecords':[{'Value':"
		       "'192.0.2.1'}]}}]}");
	cr_assert_eq(peers_step(p), 1, "a full state under way, waiting for room");
	cr_assert_not(peers_applied(p, seq));

	/* It runs again: its ring empties, and the full state follows. */
	consume(c);
	cr_assert_eq(c->n, 5, "nothing of the batch");
	cr_assert_eq(peers_step(p), -1);
	consume(c);
	cr_assert_eq(c->n, 5 + 4, "SYNC_BEGIN, example.com and mv, COMMIT");
	cr_assert_eq(c->type[5], MV_CHAN_SYNC_BEGIN);
	cr_assert_gt(c->seq[5], seq);
	cr_assert_str_eq(c->owner[6], "example.com.");
	cr_assert_str_eq(c->owner[7], "mv.example.com.");
	cr_assert_eq(c->type[8], MV_CHAN_COMMIT);
	cr_assert_eq(c->seq[8], zones_seq(z));
	shm->applied_seq = c->seq[8];
	cr_assert(peers_applied(p, seq));
	peers_destroy(p);
	seg_remove("stuck", shm);
	zones_destroy(z);
	free(c);
}

Test(peers, sequence_numbers_continue_above_applied)
{
	struct zones *z = zones_example();
	struct mv_chan_shm *shm = seg_create("two", 1, (uint64_t)getpid());
	struct consumer *c = calloc(1, sizeof(*c));
	uint8_t commit[sizeof(struct mv_chan_msg)];
	struct peers *p;

	/*
	 * Fed by a control process that has since restarted: it applied 41, and
	 * 50 is still in the ring, unconsumed.
	 */
	shm->applied_seq = 41;
	shm->produced = shm->consumed = 3 * SEG_RING + 40;
	memcpy(shm->ring + 40, commit, feed_encode_ctl(MV_CHAN_COMMIT, 50, commit));
	shm->produced += sizeof(commit);
	cr_assert_eq(feed_ring_max_seq(shm), 50);
	c->shm = shm;
	c->consumed = shm->consumed;
	p = peers_create(segdir, z);
	cr_assert_eq(scan(p), 1);
	consume(c);
	cr_assert_eq(c->seq[0], 50, "the old COMMIT is delivered first");
	cr_assert_eq(c->type[1], MV_CHAN_SYNC_BEGIN);
	cr_assert_eq(c->seq[1], 51);
	cr_assert_eq(c->type[c->n - 1], MV_CHAN_COMMIT);
	cr_assert_eq(zones_seq(z), 51);
	/* Not in sync before our full state is applied, whatever old batch is. */
	shm->applied_seq = 50;
	cr_assert_not(peers_applied(p, 45));
	shm->applied_seq = 51;
	cr_assert(peers_applied(p, 45));
	cr_assert(peers_applied(p, 51));
	cr_assert_not(peers_applied(p, 52));
	peers_destroy(p);
	cr_assert_eq(shm->ctl_pid, 0, "released at exit");
	seg_remove("two", shm);
	zones_destroy(z);
	free(c);
}

Test(peers, segments_that_are_not_ours_are_left_alone)
{
	struct zones *z = zones_example();
	struct mv_chan_shm *dead, *zombie, *taken, *half;
	struct peers *p = peers_create(segdir, z);
	pid_t child = fork(), unreaped;
	siginfo_t info;

	cr_assert_geq(child, 0);
	if (child == 0)
		_exit(0);
	cr_assert_eq(waitpid(child, NULL, 0), child);
	dead = seg_create("dead", 1, (uint64_t)child);
	unreaped = fork();
	cr_assert_geq(unreaped, 0);
	if (unreaped == 0)
		_exit(0);
	/* Wait for its exit without reaping it: it stays a zombie. */
	cr_assert_eq(waitid(P_PID, (id_t)unreaped, &info, WEXITED | WNOWAIT), 0);
	zombie = seg_create("zombie", 1, (uint64_t)unreaped);
	taken = seg_create("taken", 1, (uint64_t)getpid());
	taken->ctl_pid = (uint64_t)getppid(); /* another live control process */
	half = seg_create("half", 1, (uint64_t)getpid());
	half->magic = 0; /* still being created */
	cr_assert_eq(scan(p), 0);
	cr_assert_eq(dead->ctl_pid, 0);
	cr_assert_eq(dead->produced, 0);
	cr_assert_eq(zombie->produced, 0, "a killed dataplane nobody reaped yet is not running");
	cr_assert_eq(taken->produced, 0);
	cr_assert_eq(half->produced, 0);
	/* Once complete, it is attached. */
	__atomic_store_n(&half->magic, MV_CHAN_MAGIC, __ATOMIC_RELEASE);
	cr_assert_eq(scan(p), 1);
	cr_assert_gt(half->produced, 0);
	peers_destroy(p);
	zones_destroy(z);
	seg_remove("dead", dead);
	seg_remove("zombie", zombie);
	cr_assert_eq(waitpid(unreaped, NULL, 0), unreaped);
	seg_remove("taken", taken);
	seg_remove("half", half);
}

/* ---- end to end: into the dataplane's own consumer ---- */

static void no_sync(void *arg)
{
	(void)arg;
}

/* A dataplane's channel, seen by mvdns-control through private_shm_dir. */
struct dp {
	struct mv_table *_Atomic current;
	struct mv_channel *ch;
	struct mv_chan_shm *shm; /* our own mapping of its header */
};

static void dp_open(struct dp *d, const char *name)
{
	int fd;

	private_shm_paths(name);
	cr_assert_eq(mkdir(private_shm_dir, 0700), 0);
	atomic_init(&d->current, mv_table_create(16, no_sync, NULL));
	d->ch = mv_channel_create(private_shm_name, &d->current, no_sync, NULL);
	cr_assert_not_null(d->ch);
	cr_assert_eq(link(private_shm_seg, private_shm_link), 0);
	fd = open(private_shm_link, O_RDWR);
	d->shm = mmap(NULL, sizeof(*d->shm), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	cr_assert_neq(d->shm, MAP_FAILED);
}

static void dp_close(struct dp *d)
{
	munmap(d->shm, sizeof(*d->shm));
	mv_channel_destroy(d->ch);
	mv_table_destroy(d->current);
}

Test(peers, the_dataplane_applies_what_we_send, .fini = private_shm_remove)
{
	struct zones *z = zones_example();
	struct peers *p;
	struct dp d;

	dp_open(&d, "ctltest");
	p = peers_create(private_shm_dir, z);
	cr_assert_eq(scan(p), 1);
	cr_assert_gt(mv_channel_poll(d.ch), 0);
	cr_assert_eq(d.shm->rejected, 0);
	cr_assert_eq(d.shm->names, 3);
	cr_assert(peers_applied(p, zones_seq(z)));

	publish_change(p, z, zones_at(z, 0),
		       "{'Changes':[{'Action':'CREATE','ResourceRecordSet':{'Name':"
		       "'new.example.com','Type':'AAAA','TTL':60,'ResourceRecords':[{'Value':"
		       "'2001:db8::1'}]}}]}");
	cr_assert_not(peers_applied(p, zones_seq(z)));
	cr_assert_gt(mv_channel_poll(d.ch), 0);
	cr_assert_eq(d.shm->rejected, 0);
	cr_assert_eq(d.shm->names, 4);
	cr_assert(peers_applied(p, zones_seq(z)));

	peers_destroy(p);
	dp_close(&d);
	zones_destroy(z);
}

/*
 * Names enough that their full state overfills the channel's 16 MiB ring:
 * n00000 to n79999.example.com, each an A record 10.<i>, i in three octets,
 * and a TXT record of 200 octets (some 280 octets a message).
 */
#define BIG_NAMES 80000

static struct zones_zone *zone_new(struct zones *z, const char *id, const char *name)
{
	struct zones_new nz = {.id = id, .name = name, .caller_reference = id};
	struct zones_zone *zone;

	cr_assert_eq(zones_add(z, &nz, &zone, &err), 0);
	return zone;
}

static void zone_fill_big(struct zones_zone *zone)
{
	size_t cap = (size_t)BIG_NAMES * 640 + 64, len = 0;
	char *json = malloc(cap), pad[201];
	struct mv_batch b;

	cr_assert_not_null(json);
	memset(pad, 'x', 200);
	pad[200] = '\0';
	len += (size_t)snprintf(json + len, cap - len, "{\"Changes\":[");
	for (unsigned i = 0; i < BIG_NAMES; i++) {
		const char *fmt = "%s{\"Action\":\"CREATE\",\"ResourceRecordSet\":{\"Name\":"
				  "\"n%05u.example.com\",\"Type\":\"%s\",\"TTL\":60,"
				  "\"ResourceRecords\":[{\"Value\":\"%s\"}]}}";
		char a[32], txt[208];

		snprintf(a, sizeof(a), "10.%u.%u.%u", i >> 16, (i >> 8) & 255, i & 255);
		snprintf(txt, sizeof(txt), "\\\"%s\\\"", pad);
		len += (size_t)snprintf(json + len, cap - len, fmt, i > 0 ? "," : "", i, "A", a);
		len += (size_t)snprintf(json + len, cap - len, fmt, ",", i, "TXT", txt);
	}
	len += (size_t)snprintf(json + len, cap - len, "]}");
	cr_assert_lt(len, cap);
	cr_assert_eq(mv_batch_parse_opts(json, len, MV_BATCH_NO_LIMITS, &b, &err), 0, "%s",
		     err.messages[0]);
	cr_assert_eq(mv_store_apply(zone->store, zone->apex, &b, &err), 0, "%s", err.messages[0]);
	mv_batch_free(&b);
	free(json);
}

/* Publish a zone's apex, as CreateHostedZone and DeleteHostedZone do. */
static void publish_apex(struct peers *p, struct zones *z, const uint8_t *apex)
{
	uint8_t owners[1][MVDNS_NAME_MAX] = {{0}};

	memcpy(owners[0], apex, dns_name_len(apex));
	zones_seq_raise(z, zones_seq(z) + 1);
	peers_publish(p, (const uint8_t(*)[MVDNS_NAME_MAX])owners, 1, zones_seq(z));
}

/* The A value the dataplane serves at text (presentation form), or "" for none. */
static const char *served_a(struct dp *d, const char *text)
{
	static char out[32];
	uint8_t wire[MVDNS_NAME_MAX];
	char why[128];
	int len = dns_name_from_text(text, wire, why, sizeof(why));
	const struct mv_node *n;
	const struct mv_rrset_wire *set;

	cr_assert_gt(len, 0);
	n = mv_table_lookup(atomic_load(&d->current), wire, (size_t)len,
			    dns_name_hash(wire, (size_t)len));
	set = n != NULL ? mv_node_find(n, DNS_TYPE_A) : NULL;
	if (set == NULL)
		return "";
	const uint8_t *rdata = mv_rrset_wire_rrs(set) + 12;
	snprintf(out, sizeof(out), "%u.%u.%u.%u", rdata[0], rdata[1], rdata[2], rdata[3]);
	return out;
}

/* Write what the ring takes, let the dataplane take it, until the COMMIT is written. */
static void sync_to_the_end(struct peers *p, struct dp *d)
{
	int step;

	do {
		cr_assert_eq(d->shm->applied_seq, 0, "nothing applied before the COMMIT");
		mv_channel_poll(d->ch);
		step = peers_step(p);
	} while (step >= 0);
	mv_channel_poll(d->ch);
	cr_assert_eq(d->shm->rejected, 0);
}

/*
 * A full state larger than the ring goes a slice at a time, never waiting
 * for room (the dataplane consumes only between steps, on this thread), and
 * batches published meanwhile end up in it: owners the walk had passed are
 * sent again at its end, owners ahead go as the walk finds them, a zone
 * created meanwhile is walked too, and health statuses go at the end. Its
 * COMMIT carries the last batch's number.
 */
Test(peers, a_full_state_goes_in_slices_beside_batches, .fini = private_shm_remove, .timeout = 120)
{
	struct zones *z = zones_create();
	struct zones_zone *com = zone_new(z, "ZBIG", "example.com"), *org;
	struct peers *p;
	struct dp d;
	int step;

	struct mv_check_config cfg = {0};
	struct checks_check *check;

	cr_assert_eq(checks_add(zones_checks(z), "hc", "hc", &cfg, 0, true, &check), 0);
	zone_fill_big(com);
	dp_open(&d, "slices");
	p = peers_create(private_shm_dir, z);
	cr_assert_eq(peers_scan(p), 1);
	while ((step = peers_step(p)) == 0)
		;
	cr_assert_eq(step, 1, "the ring is full: come back later");

	publish_change(p, z, com,
		       "{'Changes':["
		       "{'Action':'UPSERT','ResourceRecordSet':{'Name':'n00001.example.com',"
		       "'Type':'A','TTL':60,'ResourceRecords':[{'Value':'10.9.9.9'}]}},"
		       "{'Action':'DELETE','ResourceRecordSet':{'Name':'n00002.example.com',"
		       "'Type':'A','TTL':60,'ResourceRecords':[{'Value':'10.0.0.2'}]}},"
		       "{'Action':'CREATE','ResourceRecordSet':{'Name':'a0.example.com',"
		       "'Type':'A','TTL':60,'ResourceRecords':[{'Value':'10.9.9.1'}]}},"
		       "{'Action':'UPSERT','ResourceRecordSet':{'Name':'n79998.example.com',"
		       "'Type':'A','TTL':60,'ResourceRecords':[{'Value':'10.9.9.8'}]}},"
		       "{'Action':'CREATE','ResourceRecordSet':{'Name':'z0.example.com',"
		       "'Type':'A','TTL':60,'ResourceRecords':[{'Value':'10.9.9.2'}]}}]}");
	cr_assert_not(peers_applied(p, zones_seq(z)));
	/* A status published now does not wait for the full ring: it goes at the end. */
	check->healthy = false;
	zones_seq_raise(z, zones_seq(z) + 1);
	peers_publish_batch(p, &(struct feed_health){check->index, MV_CHAN_UNHEALTHY}, 1, NULL, 0,
			    zones_seq(z));
	org = zone_new(z, "ZORG", "example.org");
	publish_apex(p, z, org->apex);
	publish_change(p, z, org,
		       "{'Changes':[{'Action':'CREATE','ResourceRecordSet':{'Name':"
		       "'www.example.org','Type':'A','TTL':60,'ResourceRecords':[{'Value':"
		       "'10.9.9.3'}]}}]}");

	/* One step later, n00001 changes again: its last content wins. */
	mv_channel_poll(d.ch);
	cr_assert_geq(peers_step(p), 0, "still under way");
	publish_change(p, z, com,
		       "{'Changes':[{'Action':'UPSERT','ResourceRecordSet':{'Name':"
		       "'n00001.example.com','Type':'A','TTL':60,'ResourceRecords':[{'Value':"
		       "'10.9.9.7'}]}}]}");
	cr_assert_not(peers_applied(p, zones_seq(z)));
	sync_to_the_end(p, &d);

	cr_assert_eq(d.shm->applied_seq, zones_seq(z), "the COMMIT carries the last batch");
	cr_assert(peers_applied(p, zones_seq(z)));
	/* n00002 keeps its TXT record; a0, z0, and example.org's apex and www are new. */
	cr_assert_eq(d.shm->names, 1 + BIG_NAMES + 2 + 2);
	cr_assert_str_eq(served_a(&d, "n00001.example.com"), "10.9.9.7");
	cr_assert_str_eq(served_a(&d, "n00002.example.com"), "");
	cr_assert_str_eq(served_a(&d, "n00003.example.com"), "10.0.0.3");
	cr_assert_str_eq(served_a(&d, "a0.example.com"), "10.9.9.1");
	cr_assert_str_eq(served_a(&d, "n79998.example.com"), "10.9.9.8");
	cr_assert_str_eq(served_a(&d, "n79999.example.com"), "10.1.56.127");
	cr_assert_str_eq(served_a(&d, "z0.example.com"), "10.9.9.2");
	cr_assert_str_eq(served_a(&d, "www.example.org"), "10.9.9.3");
	peers_destroy(p);
	dp_close(&d);
	zones_destroy(z);
}

/*
 * A zone deleted during a full state moves the zones after it: the walk
 * would skip the zone it was in. The full state starts again, and is whole.
 */
Test(peers, a_zone_deleted_during_a_full_state_starts_it_again, .fini = private_shm_remove,
     .timeout = 120)
{
	struct zones *z = zones_create();
	struct zones_zone *org = zone_new(z, "ZORG", "example.org");
	struct zones_zone *com = zone_new(z, "ZBIG", "example.com");
	uint8_t apex[MVDNS_NAME_MAX];
	struct peers *p;
	struct dp d;

	zone_fill_big(com);
	dp_open(&d, "restart");
	p = peers_create(private_shm_dir, z);
	cr_assert_eq(peers_scan(p), 1);
	while (peers_step(p) == 0)
		;
	cr_assert_eq(zones_remove(z, org->id, apex, &err), 0);
	publish_apex(p, z, apex);
	sync_to_the_end(p, &d);

	cr_assert_eq(d.shm->applied_seq, zones_seq(z));
	cr_assert_eq(d.shm->names, 1 + BIG_NAMES);
	cr_assert_str_eq(served_a(&d, "n79999.example.com"), "10.1.56.127");
	cr_assert_null(mv_table_lookup(atomic_load(&d.current), apex, dns_name_len(apex),
				       dns_name_hash(apex, dns_name_len(apex))));
	peers_destroy(p);
	dp_close(&d);
	zones_destroy(z);
}
