/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The producer's half of the shared-memory channel (common/channel.h):
 * encoding messages and writing them to a ring. Pure over memory: it works
 * on any struct mv_chan_shm, mapped from /dev/shm or malloc'd by a test.
 *
 * Ring protocol: `produced` and `consumed` count octets and only grow; the
 * message at position p lives at ring[p % ring_size]. A message never wraps:
 * when it does not fit before the end of the ring, a MV_CHAN_PAD message (or,
 * when fewer than a header's octets are left, nothing: the consumer skips
 * them) fills the rest and the message starts at the beginning. A message is
 * written whole, then published by a release store of `produced`; `consumed`
 * is read with acquire, so the consumer has finished with octets before they
 * are overwritten. There is one producer per ring (the control process).
 */
#ifndef CONTROL_FEED_H
#define CONTROL_FEED_H

#include <stddef.h>
#include <stdint.h>

#include "batch.h"
#include "channel.h"

/*
 * Encode one MV_CHAN_NAME message: the complete content of `owner` (wire,
 * lower case), nsets record sets (0 removes the name), each as its own set
 * entry (multivalue sets carry MV_CHAN_SET_MULTIVALUE; health is the set's index). The
 * header's seq is `seq`. Pure.
 * Out: out (cap octets).
 * Returns the message length (a multiple of MV_CHAN_ALIGN); -EMSGSIZE when it
 * would exceed MV_CHAN_MSG_MAX or cap, or a set has no value or too many.
 */
long feed_encode_name(const uint8_t *owner, const struct mv_rrset *const *sets, size_t nsets,
		      uint64_t seq, uint8_t *out, size_t cap);

/* One entry of a MV_CHAN_HEALTH payload, laid out as the ABI says. */
struct feed_health {
	uint32_t index;  /* the health check's index, 1 and up */
	uint32_t status; /* MV_CHAN_HEALTHY or MV_CHAN_UNHEALTHY */
};

_Static_assert(sizeof(struct feed_health) == 8, "MV_CHAN_HEALTH entry layout");

/* The most entries one MV_CHAN_HEALTH message holds. */
#define FEED_HEALTH_MAX                                                      \
	((MV_CHAN_MSG_MAX - sizeof(struct mv_chan_msg) - sizeof(uint32_t)) / \
	 sizeof(struct feed_health))

/*
 * Encode one MV_CHAN_HEALTH message of n statuses (1..FEED_HEALTH_MAX) with
 * header seq `seq`. Pure. Out: out (cap octets).
 * Returns the message length (a multiple of MV_CHAN_ALIGN); -EMSGSIZE when n
 * is 0 or too large, or the message exceeds cap.
 */
long feed_encode_health(const struct feed_health *st, size_t n, uint64_t seq, uint8_t *out,
			size_t cap);

/* Encode a header-only message (MV_CHAN_SYNC_BEGIN, MV_CHAN_COMMIT). Returns its length. */
size_t feed_encode_ctl(uint16_t type, uint64_t seq, uint8_t out[sizeof(struct mv_chan_msg)]);

/*
 * Called while the ring lacks room. Returns 0 to look again, or -errno to give
 * up (the consumer is gone); it should sleep or, in tests, consume.
 */
typedef int (*feed_wait_fn)(void *arg);

/*
 * Write one encoded message (len a multiple of MV_CHAN_ALIGN, at most
 * MV_CHAN_MSG_MAX) to the ring and publish it, padding to the ring's start
 * first when needed; calls wait(arg) for as long as there is no room.
 * Nothing is ever dropped.
 * Returns 0; -EPROTO when the shared positions are inconsistent; wait's error.
 */
int feed_ring_write(struct mv_chan_shm *shm, const void *msg, uint32_t len, feed_wait_fn wait,
		    void *arg);

/*
 * The highest sequence number (COMMIT or SYNC_BEGIN) among the messages
 * published but not yet consumed: what a previous producer may still have
 * in flight. Reads only; stops at the first malformed header. Returns 0 if none.
 */
uint64_t feed_ring_max_seq(const struct mv_chan_shm *shm);

#endif /* CONTROL_FEED_H */
