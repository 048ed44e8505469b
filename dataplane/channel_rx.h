/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dataplane's end of the shared-memory channel (common/channel.h): it
 * creates the segment, consumes the control process's messages on the main
 * lcore, stages each batch, and applies it to the record table at its COMMIT.
 * A full state (SYNC_BEGIN) is built into a new table as its names come and
 * replaces the table at its COMMIT. Workers never see the channel; they see
 * the table through `current`.
 */
#ifndef MV_CHANNEL_RX_H
#define MV_CHANNEL_RX_H

#include <stdbool.h>
#include <stdint.h>

#include "table.h"

struct mv_channel; /* opaque */

/*
 * Create /dev/shm/mvdns-dp-<name> (mode 0600), replacing a stale one.
 * `current` is where workers load the table they answer from (acquire);
 * the channel stores a new table there after a full sync (release).
 * `sync`/`sync_arg` wait out a grace period, as for mv_table_create.
 * Returns the channel, or NULL with errno set.
 */
struct mv_channel *mv_channel_create(const char *name, struct mv_table *_Atomic *current,
				     mv_table_sync_fn sync, void *sync_arg);

/* Unlink and unmap the segment, freeing what is staged. */
void mv_channel_destroy(struct mv_channel *ch);

/*
 * Consume what the control process has produced, applying every complete
 * batch. Main lcore only. When there was nothing, does one piece of the
 * table's work ahead: the next nodes' memory faulted in (mv_table_prepare)
 * or, if it is, a growing table's copy moved along by one slice
 * (mv_table_migrate).
 * Returns the number of messages consumed (0 when idle), or -errno when the
 * segment itself is unusable.
 */
int mv_channel_poll(struct mv_channel *ch);

/*
 * Sleep until the control process rings the doorbell (common/channel.h) or
 * timeout_ms pass, unless something is waiting to be consumed already. A
 * signal ends the sleep too. Main lcore only. Returns 1 when woken (or not
 * asleep at all), 0 on the timeout.
 */
int mv_channel_wait(struct mv_channel *ch, unsigned timeout_ms);

/* Messages rejected as malformed so far. */
uint64_t mv_channel_rejected(const struct mv_channel *ch);

/*
 * Decode one MV_CHAN_NAME payload into record sets (pure; for tests and the
 * fuzzer too). Out: *owner_len, owner (lower-cased), *sets and *nsets
 * (release with mv_channel_free_sets; each set's owner is a copy in the
 * sets' own block, not the caller's owner).
 * Returns 0, or -EBADMSG for any malformed field, -ENOMEM.
 */
int mv_channel_decode_name(const uint8_t *payload, uint32_t len, uint8_t *owner, uint8_t *owner_len,
			   struct mv_rrset **sets, uint16_t *nsets);

void mv_channel_free_sets(struct mv_rrset *sets, uint16_t nsets);

#endif /* MV_CHANNEL_RX_H */
