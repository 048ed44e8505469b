/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Snapshots of mvdns-control's state: every hosted zone with its record sets
 * (values as the user wrote them), the changes GetChange remembers, the batch
 * sequence counter and the journal position (lsn) the snapshot includes:
 *
 *   {"Version": 1, "Lsn": n, "Seq": s,
 *    "HealthChecks": [{"Id", "CallerReference", "HealthCheckConfig",
 *                      "HealthCheckVersion", "Index", "Healthy"}],
 *    "DeletedHealthCheckReferences": [...],
 *    "HostedZones": [{"Id", "Name", "CallerReference", "Comment"?,
 *                     "NameServers": [...], "ResourceRecordSets": [...]}],
 *    "Changes": [{"Id", "SubmittedAt", "Comment"?, "Seq", "InSync"}]}
 *
 * Health checks come first: record sets find their check's index by Id when
 * loaded. "Healthy" is the effective status last sent to the dataplanes, so
 * that a restart resumes from it instead of marking every endpoint healthy.
 * The two health members are optional when loading (older snapshots).
 *
 * Written atomically (temporary file, fsync, rename, fsync of the directory)
 * as SNAPSHOT_FILE in the state directory. Single-threaded.
 */
#ifndef CONTROL_SNAPSHOT_H
#define CONTROL_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "zones.h"

#define SNAPSHOT_FILE    "snapshot.json"
#define SNAPSHOT_VERSION 1

/*
 * Serialise z, which includes the journal up to lsn. Pure.
 * Returns a malloc'd string (free it), or NULL when out of memory.
 */
char *snapshot_encode(const struct zones *z, uint64_t lsn);

/*
 * Load a serialised state into z, which must be empty. Pure.
 * Out: *lsn; err (why it failed, for the log).
 * Returns 0; -EINVAL for a malformed snapshot; -ENOMEM.
 */
int snapshot_decode(struct zones *z, const char *text, size_t len, uint64_t *lsn,
		    struct mv_error *err);

/*
 * Write snapshot_encode's text as dir/SNAPSHOT_FILE durably, a piece at a
 * time as it is made (never whole in memory). Returns 0 or -errno.
 */
int snapshot_save(const struct zones *z, uint64_t lsn, const char *dir);

/*
 * Load dir/SNAPSHOT_FILE into the empty z (failures are logged on stderr).
 * Out: *lsn (0 without a snapshot).
 * Returns 0 (also when there is none yet), or -errno.
 */
int snapshot_load(struct zones *z, const char *dir, uint64_t *lsn);

/*
 * The first step of snapshot_decode, for tests: the text with every hosted
 * zone's ResourceRecordSets array cut to [] (*nsets of them), which jansson
 * then reads while the record sets are read from the text. NULL when it
 * cannot cut (decode then reads the text whole). Free the result.
 */
char *snapshot_cut_sets(const char *text, size_t len, size_t *small_len, size_t *nsets);

#endif /* CONTROL_SNAPSHOT_H */
