/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shared-memory channel from the control process to one dataplane.
 * ABI: fixed-width fields, explicit layout, a version. Both sides include
 * this header and nothing else of each other.
 *
 * The dataplane creates the segment /dev/shm/MV_CHAN_SHM_PREFIX<name> (mode
 * 0600) at start-up with a fresh dp_epoch, and unlinks it when it stops. A
 * restarted dataplane unlinks a stale segment of the same name and creates a
 * new file: the control process finds segments by that prefix, maps them,
 * and on seeing a new file (another inode) or a new dp_epoch sends the full
 * state. A segment whose dp_pid no longer runs is stale. A
 * control process that restarts sends the full state too.
 *
 * Requests travel through one single-producer (control) single-consumer
 * (dataplane main lcore) ring of variable-length messages. A batch is
 * MV_CHAN_NAME messages closed by MV_CHAN_COMMIT; the dataplane stages the
 * names and applies none of them before the COMMIT, so a control process
 * killed in the middle of a batch leaves nothing half-applied. A full state
 * is MV_CHAN_SYNC_BEGIN, names, MV_CHAN_COMMIT: the dataplane builds a new
 * table beside the one it serves and swaps at the COMMIT, dropping no query.
 * The dataplane answers by storing the sequence number of the last COMMIT it
 * has applied in applied_seq.
 *
 * A message never wraps around the end of the ring: when it does not fit
 * before the end, the producer writes an MV_CHAN_PAD message filling the rest
 * and starts again at offset 0; when fewer than sizeof(struct mv_chan_msg)
 * octets remain (8, since every message is 8-aligned), both sides skip them
 * without a PAD.
 *
 * Doorbell: an idle dataplane sleeps instead of polling. It sets `waiting`,
 * reads `doorbell`, and if nothing new was produced waits on the doorbell
 * (a futex word in the shared mapping) with a timeout; the producer bumps
 * `doorbell` after advancing `produced` past a message other than NAME and
 * HEALTH (so at least at every COMMIT), past every 64 KiB of messages, and
 * before it waits for room, and wakes it when `waiting` is set (both sides
 * sequentially consistent, so a wake-up is never lost). A dataplane that
 * wakes up for another reason (its timeout) consumes whatever is there.
 *
 * Backpressure: the producer waits while the ring lacks room; nothing is
 * ever dropped. The dataplane validates every message (lengths, names,
 * counts); a bad message is counted in `rejected`, discards the batch it
 * belongs to, and never reaches a worker.
 */
#ifndef MVDNS_CHANNEL_H
#define MVDNS_CHANNEL_H

#include <stdint.h>

#define MV_CHAN_MAGIC      0x314843534e44564dull /* "MVDNSCH1" little-endian */
#define MV_CHAN_VERSION    2
#define MV_CHAN_SHM_PREFIX "mvdns-dp-"
#define MV_CHAN_RING_SIZE  (16u << 20) /* octets; a power of two */
#define MV_CHAN_MSG_MAX    (1u << 20)  /* largest message, header included */
#define MV_CHAN_ALIGN      8u          /* messages start on 8-octet boundaries */

enum mv_chan_type {
	MV_CHAN_PAD = 1,        /* skip to the start of the ring */
	MV_CHAN_SYNC_BEGIN = 2, /* a full state follows: forget staged names */
	MV_CHAN_NAME = 3,       /* the complete content of one owner name */
	MV_CHAN_COMMIT = 4,     /* apply everything staged; seq is the batch's */
	MV_CHAN_HEALTH = 5,     /* health check statuses, applied at the COMMIT */
};

/* Every message starts with this header; len counts the header and payload. */
struct mv_chan_msg {
	uint32_t len;
	uint16_t type; /* enum mv_chan_type */
	uint16_t flags;
	uint64_t seq; /* COMMIT and SYNC_BEGIN: the batch sequence number */
};

/*
 * MV_CHAN_NAME payload, all integers in host byte order:
 *   u8  owner_len            wire name, lower case, 1..255
 *   u8  owner[owner_len]
 *   u16 nsets                0 removes the name
 *   nsets times:
 *     u16 type
 *     u16 set_flags          MV_CHAN_SET_*
 *     u32 ttl
 *     u32 health             health check index, 0 for none
 *     u16 count              values, 1..1000
 *     count times: u16 rdlen, u8 rdata[rdlen]
 * The payload is padded with zeros to MV_CHAN_ALIGN.
 */
#define MV_CHAN_SET_MULTIVALUE 0x1

/*
 * MV_CHAN_HEALTH payload: u32 count, then count times {u32 health, u32 status}
 * with status MV_CHAN_HEALTHY or MV_CHAN_UNHEALTHY. The health index is the
 * one NAME messages carry (1 and up; 0 means "no health check"). An index
 * never reported is healthy, as a new Route 53 health check is. Statuses
 * staged in a batch apply at its COMMIT before its names, so a full state
 * sends them right after MV_CHAN_SYNC_BEGIN. A health change alone is a
 * batch of one HEALTH message and a COMMIT: the dataplane rebuilds only the
 * names whose record sets use those indexes.
 */
#define MV_CHAN_UNHEALTHY 0
#define MV_CHAN_HEALTHY   1

/* The segment: header, then the ring. */
struct mv_chan_shm {
	uint64_t magic;    /* MV_CHAN_MAGIC, written last by the creator */
	uint32_t version;  /* MV_CHAN_VERSION */
	uint32_t hdr_size; /* sizeof(struct mv_chan_shm) */
	uint64_t ring_size;
	uint64_t dp_epoch; /* set once by the dataplane at creation; never 0 */
	uint64_t dp_pid;
	uint8_t pad0[24];

	/* Written by the dataplane (release), read by the control process (acquire). */
	uint64_t consumed;    /* ring octets consumed, monotonic */
	uint64_t applied_seq; /* seq of the last COMMIT applied and published */
	uint64_t rejected;    /* messages rejected as malformed */
	uint64_t names;       /* names in the table after the last COMMIT */
	uint32_t waiting;     /* 1 while asleep on the doorbell */
	uint8_t pad1[28];

	/* Written by the control process (release), read by the dataplane (acquire). */
	uint64_t produced; /* ring octets produced, monotonic */
	uint64_t ctl_pid;  /* the control process feeding it, 0 for none */
	uint32_t doorbell; /* bumped after advances of produced, see above (a futex word) */
	uint8_t pad2[44];

	uint8_t ring[]; /* ring_size octets */
};

_Static_assert(sizeof(struct mv_chan_shm) == 192, "channel ABI layout");
_Static_assert(sizeof(struct mv_chan_msg) == 16, "channel message header layout");

#endif /* MVDNS_CHANNEL_H */
