/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dataplanes fed by mvdns-control: shared-memory segments named
 * MV_CHAN_SHM_PREFIX* found in a directory (/dev/shm), mapped read-write.
 *
 * A segment is attached when its header is complete and valid (magic,
 * version, sizes), its dataplane process is alive and no other live control
 * process feeds it (and, after peers_restrict, when it is one of the channels
 * named); ctl_pid is then set to ours and the full state is sent
 * (MV_CHAN_SYNC_BEGIN, one MV_CHAN_NAME per owner name, MV_CHAN_HEALTH with
 * the status of every health check, MV_CHAN_COMMIT), a slice at a time by
 * peers_step. A segment whose dp_epoch changes is sent the full state again.
 * A segment whose file disappears or whose dataplane process has died is
 * unmapped.
 *
 * Sequence numbers: every COMMIT carries a number from the zones' counter.
 * Before syncing a segment the counter is raised above its applied_seq and
 * above every COMMIT still unconsumed in its ring (a previous control
 * process's), so a number is never reused for different content, even after
 * a restart; and a dataplane counts as having applied a batch only once it
 * has applied our full state too.
 *
 * Single-threaded: the daemon's event loop owns the object. A full state's
 * names never wait for room (peers_step); every other write waits (50 us
 * sleeps) while a ring is full, serving nothing else meanwhile, for at most
 * 100 ms: a dataplane that leaves its ring full that long (stopped, or far
 * behind) gets the full state instead, as its ring makes room, and one that
 * dies while we wait is detached.
 */
#ifndef CONTROL_PEERS_H
#define CONTROL_PEERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "feed.h"
#include "zones.h"

struct peers; /* opaque */

/*
 * Start feeding the dataplanes whose segments appear in dir ("/dev/shm"),
 * from zones (borrowed; it must outlive the peers). Nothing is scanned yet.
 * Returns the object, or NULL with errno set.
 */
struct peers *peers_create(const char *dir, struct zones *zones);

/* Clear ctl_pid in every attached segment and unmap them. Accepts NULL. */
void peers_destroy(struct peers *p);

/*
 * Attach only the channels named (MV_CHAN_SHM_PREFIX<name> in dir), n of
 * them; n == 0 attaches every channel (the default). Call before the first
 * scan. The names are copied. Returns 0, -EINVAL (a name too long or with a
 * '/'), -ENOMEM.
 */
int peers_restrict(struct peers *p, const char *const *names, size_t n);

/*
 * Look for new, restarted, vanished and dead dataplanes; attach the new ones
 * and begin their full state (peers_step sends it). Call at start-up and
 * every ~100 ms. Returns the number attached after the scan.
 */
size_t peers_scan(struct peers *p);

/*
 * Go on with the full states being sent: write each one's next names for as
 * long as its ring has room, about 2 ms of work in all, and complete those
 * whose names are all written (the health statuses, the names that batches
 * changed meanwhile behind the part written, the COMMIT). Batches published
 * meanwhile reach such a dataplane only inside its full state, whose COMMIT
 * carries the latest batch's number. Returns -1 when no full state is under
 * way, 0 when there is more to write at once, or the milliseconds to wait
 * for a ring to have room.
 */
int peers_step(struct peers *p);

/*
 * Send a batch to every attached dataplane: one MV_CHAN_NAME per owner
 * (wire names, lower case, each listed once) with its complete current
 * content in the zones, then MV_CHAN_COMMIT with seq. A name too large for
 * one message is logged and left out (the dataplane keeps its old content).
 */
void peers_publish(struct peers *p, const uint8_t (*owners)[MVDNS_NAME_MAX], size_t n,
		   uint64_t seq);

/*
 * peers_publish with health check statuses first: MV_CHAN_HEALTH (as many
 * messages as nhealth needs, none when it is 0), then the names, then
 * MV_CHAN_COMMIT with seq. The dataplane applies the statuses before the
 * names, all at the COMMIT.
 */
void peers_publish_batch(struct peers *p, const struct feed_health *health, size_t nhealth,
			 const uint8_t (*owners)[MVDNS_NAME_MAX], size_t n, uint64_t seq);

/*
 * Whether every attached dataplane has applied seq and the full state we sent
 * it (true with none attached).
 */
bool peers_applied(const struct peers *p, uint64_t seq);

/* Number of attached dataplanes. */
size_t peers_count(const struct peers *p);

#endif /* CONTROL_PEERS_H */
