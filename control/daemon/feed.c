/* SPDX-License-Identifier: BSD-3-Clause */
#include "feed.h"

#include <errno.h>
#include <linux/futex.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Octets of NAME and HEALTH messages after which the doorbell rings anyway. */
#define FEED_BELL_CHUNK (64u << 10)

/* Bounded writer over the output buffer; ok turns 0 at the first overflow. */
struct feed_out {
	uint8_t *p;
	size_t len, cap;
	int ok;
};

static void put(struct feed_out *o, const void *v, size_t n)
{
	if (!o->ok || o->cap - o->len < n) {
		o->ok = 0;
		return;
	}
	memcpy(o->p + o->len, v, n);
	o->len += n;
}

static void put16(struct feed_out *o, uint16_t v)
{
	put(o, &v, 2); /* host byte order, as the ABI says */
}

static void put32(struct feed_out *o, uint32_t v)
{
	put(o, &v, 4);
}

long feed_encode_name(const uint8_t *owner, const struct mv_rrset *const *sets, size_t nsets,
		      uint64_t seq, uint8_t *out, size_t cap)
{
	struct feed_out o = {out, sizeof(struct mv_chan_msg), cap, 1};
	struct mv_chan_msg hdr = {.type = MV_CHAN_NAME, .seq = seq};
	size_t owner_len = 0;
	uint8_t owner_len8;

	if (cap > MV_CHAN_MSG_MAX)
		o.cap = MV_CHAN_MSG_MAX;
	if (o.cap < sizeof(hdr) || nsets > UINT16_MAX)
		return -EMSGSIZE;
	while (owner[owner_len] != 0)
		owner_len += 1u + owner[owner_len];
	owner_len8 = (uint8_t)(owner_len + 1);
	put(&o, &owner_len8, 1);
	put(&o, owner, owner_len8);
	put16(&o, (uint16_t)nsets);
	for (size_t i = 0; i < nsets; i++) {
		const struct mv_rrset *rr = sets[i];

		if (rr->count == 0 || rr->count > MV_BATCH_RECORDS_MAX)
			return -EMSGSIZE;
		put16(&o, rr->type);
		put16(&o, rr->multivalue ? MV_CHAN_SET_MULTIVALUE : 0);
		put32(&o, rr->ttl);
		put32(&o, rr->health);
		put16(&o, rr->count);
		for (uint16_t v = 0; v < rr->count; v++) {
			put16(&o, rr->rdata_len[v]);
			put(&o, rr->rdata[v], rr->rdata_len[v]);
		}
	}
	while (o.ok && o.len % MV_CHAN_ALIGN != 0)
		put(&o, "", 1);
	if (!o.ok)
		return -EMSGSIZE;
	hdr.len = (uint32_t)o.len;
	memcpy(out, &hdr, sizeof(hdr));
	return (long)o.len;
}

long feed_encode_health(const struct feed_health *st, size_t n, uint64_t seq, uint8_t *out,
			size_t cap)
{
	struct feed_out o = {out, sizeof(struct mv_chan_msg), cap, 1};
	struct mv_chan_msg hdr = {.type = MV_CHAN_HEALTH, .seq = seq};

	if (n == 0 || n > FEED_HEALTH_MAX || cap < sizeof(hdr))
		return -EMSGSIZE;
	put32(&o, (uint32_t)n);
	put(&o, st, n * sizeof(*st));
	while (o.ok && o.len % MV_CHAN_ALIGN != 0)
		put(&o, "", 1);
	if (!o.ok)
		return -EMSGSIZE;
	hdr.len = (uint32_t)o.len;
	memcpy(out, &hdr, sizeof(hdr));
	return (long)o.len;
}

size_t feed_encode_ctl(uint16_t type, uint64_t seq, uint8_t out[sizeof(struct mv_chan_msg)])
{
	struct mv_chan_msg hdr = {.len = sizeof(hdr), .type = type, .seq = seq};

	memcpy(out, &hdr, sizeof(hdr));
	return sizeof(hdr);
}

/* Wake the dataplane if it sleeps on the doorbell (channel.h). */
static void ring_bell(struct mv_chan_shm *shm)
{
	__atomic_add_fetch(&shm->doorbell, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&shm->waiting, __ATOMIC_SEQ_CST) != 0)
		syscall(SYS_futex, &shm->doorbell, FUTEX_WAKE, 1, NULL, NULL, 0);
}

/* Wait until `need` octets are free at produced; 0, -EPROTO or wait's error. */
static int ring_room(struct mv_chan_shm *shm, uint64_t produced, uint64_t need, feed_wait_fn wait,
		     void *arg)
{
	for (;;) {
		/* Acquire: the consumer is done reading what it reports as consumed. */
		uint64_t consumed = __atomic_load_n(&shm->consumed, __ATOMIC_ACQUIRE);
		int rc;

		if (consumed > produced || produced - consumed > shm->ring_size)
			return -EPROTO;
		if (shm->ring_size - (produced - consumed) >= need)
			return 0;
		/* The consumer may sleep with a batch unfinished: it must make room. */
		ring_bell(shm);
		rc = wait(arg);
		if (rc != 0)
			return rc;
	}
}

int feed_ring_write(struct mv_chan_shm *shm, const void *msg, uint32_t len, feed_wait_fn wait,
		    void *arg)
{
	/* Relaxed: only this process writes produced (a predecessor's value is stable). */
	uint64_t produced = __atomic_load_n(&shm->produced, __ATOMIC_RELAXED);
	uint64_t size = shm->ring_size;
	uint64_t off = produced & (size - 1);
	struct mv_chan_msg hdr;
	int rc;

	if (len < sizeof(struct mv_chan_msg) || len % MV_CHAN_ALIGN != 0 || len > MV_CHAN_MSG_MAX ||
	    len > size)
		return -EINVAL;
	if (size - off < len) {
		uint64_t gap = size - off;

		rc = ring_room(shm, produced, gap, wait, arg);
		if (rc != 0)
			return rc;
		if (gap >= sizeof(struct mv_chan_msg)) {
			struct mv_chan_msg pad = {.len = (uint32_t)gap, .type = MV_CHAN_PAD};

			memcpy(shm->ring + off, &pad, sizeof(pad));
		}
		produced += gap;
		/* Release: the PAD header is visible before the position that covers it. */
		__atomic_store_n(&shm->produced, produced, __ATOMIC_RELEASE);
		off = 0;
	}
	rc = ring_room(shm, produced, len, wait, arg);
	if (rc != 0)
		return rc;
	memcpy(shm->ring + off, msg, len);
	/* Release: the whole message is visible before the position that covers it. */
	__atomic_store_n(&shm->produced, produced + len, __ATOMIC_RELEASE);
	/*
	 * Wake the dataplane for a message it acts on, and every
	 * FEED_BELL_CHUNK octets so that it stages a long batch as it comes.
	 * Waking it for each of 1,000 names cost as many futex calls and
	 * context switches (a thousand per batch on this machine, whose CPUs
	 * it shares with us) for nothing it could serve sooner: it only
	 * stages names until their COMMIT.
	 */
	memcpy(&hdr, msg, sizeof(hdr)); /* msg may be any octet buffer */
	if ((hdr.type != MV_CHAN_NAME && hdr.type != MV_CHAN_HEALTH) ||
	    produced / FEED_BELL_CHUNK != (produced + len) / FEED_BELL_CHUNK)
		ring_bell(shm);
	return 0;
}

uint64_t feed_ring_max_seq(const struct mv_chan_shm *shm)
{
	uint64_t pos = __atomic_load_n(&shm->consumed, __ATOMIC_ACQUIRE);
	uint64_t end = __atomic_load_n(&shm->produced, __ATOMIC_ACQUIRE);
	uint64_t size = shm->ring_size, max = 0;

	if (end < pos || end - pos > size)
		return 0;
	while (pos < end) {
		uint64_t off = pos & (size - 1);
		struct mv_chan_msg m;

		if (size - off < sizeof(m)) {
			pos += size - off;
			continue;
		}
		memcpy(&m, shm->ring + off, sizeof(m));
		if (m.len < sizeof(m) || m.len % MV_CHAN_ALIGN != 0 || m.len > size - off ||
		    m.len > end - pos)
			break;
		if ((m.type == MV_CHAN_COMMIT || m.type == MV_CHAN_SYNC_BEGIN) && m.seq > max)
			max = m.seq;
		pos += m.len;
	}
	return max;
}
