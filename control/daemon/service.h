/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The server side of the control API (control/api.h): one request line in,
 * one response line out, with the durability rules of mvdns-control.
 *
 * A write (CreateHostedZone, DeleteHostedZone, ChangeResourceRecordSets, and
 * CreateHealthCheck, UpdateHealthCheck, DeleteHealthCheck) is
 * validated and applied to the zones, appended to the journal with the
 * values it generated and made durable (fdatasync), then sent to the
 * dataplanes, and only then answered. If the journal cannot take it, the
 * in-memory state is ahead of the disk: service_handle() reports the failure and
 * the daemon must exit without a snapshot (the journal stays authoritative).
 * Every `snapshot_every` records the state is snapshotted in the background,
 * by a child process (fork: it sees the state as it was, while requests go
 * on). The journal's file is sealed just before the fork (journal_rotate),
 * and once the snapshot is durable the sealed files are removed, leaving
 * the records appended since (service_reap); nothing is copied. Each
 * record carries a log sequence number (lsn), and records the snapshot
 * already includes are skipped on replay, so a crash between the two steps
 * is harmless. At exit
 * the state is left in one snapshot (service_checkpoint).
 *
 * Health check statuses. The engine (checker.h) reports status changes; the
 * daemon's thread drains them (service_health_drain): each changed status is
 * recorded in the registry, sent to every dataplane as one MV_CHAN_HEALTH
 * message and a COMMIT, then appended to the journal WITHOUT fdatasync (one
 * SERVICE_HEALTH_RECORD per drain; the page cache keeps it through a crash of
 * the process, the next durable write makes it durable, and snapshots hold
 * every status too), so that no disk wait delays the answers. A restart thus
 * resumes from the statuses last seen, instead of starting every check
 * healthy: at worst a power failure loses the statuses since the last durable
 * write, and the engine finds them again within a failure threshold. The
 * health check definitions themselves (create, update, delete) are writes
 * like the others.
 *
 * Single-threaded: the daemon's event loop serialises all requests and drains.
 */
#ifndef CONTROL_SERVICE_H
#define CONTROL_SERVICE_H

#include <stdbool.h>
#include <stddef.h>

#include "checker.h"
#include "peers.h"
#include "zones.h"

#define SERVICE_JOURNAL_FILE  "journal"
#define SERVICE_HEALTH_RECORD "HealthStatus" /* the journal's status records (not an API) */

struct service_config {
	const char *state_dir;           /* holds SNAPSHOT_FILE and SERVICE_JOURNAL_FILE */
	const char *const *name_servers; /* for new zones; none: "ns1.<zone>" */
	size_t name_server_count;
	size_t snapshot_every; /* journal records between snapshots; 0: only at exit */
};

struct service; /* opaque */

/*
 * Restore the state into the empty zones (borrowed; must outlive the api):
 * load the snapshot, then replay the journal (a torn or corrupt tail is
 * reported and cut away). cfg's strings are borrowed too.
 * Returns the api, or NULL with errno set (the reason is logged).
 */
struct service *service_open(const struct service_config *cfg, struct zones *zones);

/* Feed writes to these dataplanes from now on (NULL: none). */
void service_set_peers(struct service *a, struct peers *peers);

/*
 * Run the health checks with this engine from now on (borrowed; it must
 * outlive the service's use of it): every check restored is added to it at
 * its restored status. Without an engine, the health operations still work
 * but nothing is probed and SetHealthCheckStatus fails (InternalError).
 * Returns 0 or the first -errno of mv_checker_add (logged).
 */
int service_set_checker(struct service *a, struct mv_checker *checker);

/*
 * Take the engine's status changes (mv_checker_drain), record, journal and
 * publish them (see above). Call when mv_checker_event_fd() is readable;
 * service_handle also calls it after each request. Returns how many statuses
 * changed.
 */
size_t service_health_drain(struct service *a);

/*
 * Handle one request line (len octets, no newline; need not be terminated).
 * Returns the response line (malloc'd, no newline; free it), or NULL when the
 * daemon must stop (journal failure, logged; see above).
 */
char *service_handle(struct service *a, const char *line, size_t len);

/*
 * At exit: leave a snapshot of the whole state and an empty journal. A
 * background snapshot still running is waited for when nothing was
 * journaled after its fork, else stopped; when the snapshot on disk holds
 * the whole state already, nothing is written; otherwise the snapshot is
 * taken in the foreground. Returns 0 or -errno (logged; the journal is kept).
 */
int service_checkpoint(struct service *a);

/*
 * Finish the background snapshot if its child has exited (wait: block until
 * it does): on success the journal drops the records the snapshot holds; a
 * failure is logged, the journal kept, and the next snapshot is due
 * snapshot_every records later. Call once per turn of the daemon's loop
 * (service_handle also calls it). Returns whether a snapshot is still being
 * written.
 */
bool service_reap(struct service *a, bool wait);

/* Release the api (not the zones). Accepts NULL. */
void service_close(struct service *a);

#endif /* CONTROL_SERVICE_H */
