/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The server side of the control API (control/api.h): one request line in,
 * one response line out, with the durability rules of mvdns-control.
 *
 * A write (CreateHostedZone, DeleteHostedZone, ChangeResourceRecordSets) is
 * validated and applied to the zones, appended to the journal with the
 * values it generated and made durable (fdatasync), then sent to the
 * dataplanes, and only then answered. If the journal cannot take it, the
 * in-memory state is ahead of the disk: service_handle() reports the failure and
 * the daemon must exit without a snapshot (the journal stays authoritative).
 * Every `snapshot_every` records the state is snapshotted and the journal
 * emptied; each record carries a log sequence number (lsn), and records the
 * snapshot already includes are skipped on replay, so a crash between the two
 * steps is harmless.
 *
 * Single-threaded: the daemon's event loop serialises all requests.
 */
#ifndef CONTROL_SERVICE_H
#define CONTROL_SERVICE_H

#include <stdbool.h>
#include <stddef.h>

#include "peers.h"
#include "zones.h"

#define SERVICE_JOURNAL_FILE "journal"

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
 * Handle one request line (len octets, no newline; need not be terminated).
 * Returns the response line (malloc'd, no newline; free it), or NULL when the
 * daemon must stop (journal failure, logged; see above).
 */
char *service_handle(struct service *a, const char *line, size_t len);

/*
 * Snapshot the state and empty the journal (at exit, and automatically every
 * snapshot_every records). Returns 0 or -errno (logged; the journal is kept).
 */
int service_checkpoint(struct service *a);

/* Release the api (not the zones). Accepts NULL. */
void service_close(struct service *a);

#endif /* CONTROL_SERVICE_H */
