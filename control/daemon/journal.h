/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The write-ahead journal of mvdns-control and the atomic file writes of its
 * snapshots. Every accepted request is appended as one framed record and
 * made durable (fdatasync) before the client hears back:
 *
 *   u32 len     payload octets, little-endian
 *   u32 crc     CRC-32 (IEEE) of the len and lsn fields and of the payload
 *   u64 lsn     log sequence number, little-endian
 *   u8  payload[len]
 *
 * A record is valid only whole and with a matching CRC. When the journal is
 * opened, the first record that is cut short (a torn write at power loss) or
 * fails its CRC ends its file: it and everything after it are reported on
 * stderr and truncated away, never replayed in part.
 *
 * The journal is a sequence of files: sealed segments <path>.<lsn>, each
 * holding the records up to that lsn since the one before (journal_rotate
 * seals the file appended to when a snapshot starts), and <path>, the one
 * appended to. Opening replays them in that order.
 *
 * Not thread-safe: one journal belongs to the daemon's single thread.
 */
#ifndef CONTROL_JOURNAL_H
#define CONTROL_JOURNAL_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define JOURNAL_HDR_SIZE    16u
#define JOURNAL_PAYLOAD_MAX (64u << 20) /* larger lengths are corruption */

/* CRC-32 (IEEE 802.3, as zlib's crc32) of buf, continuing from crc (0 to start). */
uint32_t journal_crc32(uint32_t crc, const void *buf, size_t len);

/*
 * Frame one record: writes JOURNAL_HDR_SIZE + len octets to out.
 * Returns the number of octets written.
 */
size_t journal_encode(uint64_t lsn, const void *payload, uint32_t len, uint8_t *out);

/*
 * Decode the record at the start of buf (avail octets). Pure.
 * Out: *lsn, *payload (points into buf), *len.
 * Returns the record's size in octets; 0 when buf holds only part of a record
 * (torn tail); -EBADMSG when the length is impossible or the CRC is wrong.
 */
long journal_decode(const uint8_t *buf, size_t avail, uint64_t *lsn, const uint8_t **payload,
		    uint32_t *len);

/* Called for each valid record while opening; its return value is ignored. */
typedef void (*journal_record_fn)(uint64_t lsn, const char *payload, uint32_t len, void *arg);

struct journal; /* opaque */

/*
 * Open (creating) the journal at path, call fn for every valid record in
 * order, cut a torn or corrupt tail away (reporting it on stderr) and get
 * ready to append. `payload` is not terminated; it is valid during the call.
 * Returns the journal, or NULL with errno set.
 */
struct journal *journal_open(const char *path, journal_record_fn fn, void *arg);

/*
 * Append one record and make it durable (write, then fdatasync).
 * Returns 0; -EIO (or another -errno) when the record may or may not be on
 * disk: the caller must stop (the journal is then unusable); -ENOSPC and other
 * write errors after the partial record was cut away again (still usable).
 */
int journal_append(struct journal *j, uint64_t lsn, const void *payload, uint32_t len);

/*
 * journal_append without fdatasync: the record is written (the page cache
 * has it, so it survives the process crashing) but becomes durable only with
 * the next journal_append, whose fdatasync covers every octet before it. For
 * records whose loss at a power failure is harmless (health check statuses,
 * which the engine finds again). Returns 0 or -errno as journal_append.
 */
int journal_append_lazy(struct journal *j, uint64_t lsn, const void *payload, uint32_t len);

/*
 * Make every record appended so far durable (fdatasync): journal_append_lazy
 * then journal_sync is journal_append with room between the two, for work
 * that may go on while the disk writes (see service.c for what may).
 * Returns 0; -EIO (or another -errno) when the records may or may not be on
 * disk: the caller must stop (the journal is then unusable).
 */
int journal_sync(struct journal *j);

/*
 * Seal the segment appended to so far: make it durable and rename it to
 * <path>.<lsn of its last record>, and append to a new, empty <path> from
 * now on. A snapshot of the state as it is now then holds every sealed
 * segment, which journal_drop_sealed removes once the snapshot is durable:
 * nothing is copied, however long the snapshot takes. Without a record
 * since the last seal, nothing is done. Returns 0 or -errno; on failure
 * the journal goes on as it was, or is unusable (-EIO) as after journal_sync.
 */
int journal_rotate(struct journal *j);

/*
 * Remove the sealed segments whose records all have an lsn of at most upto
 * (a durable snapshot holds them). Returns 0 or -errno; a segment that could
 * not be removed stays, and is replayed (and skipped) at the next open.
 */
int journal_drop_sealed(struct journal *j, uint64_t upto);

/* Empty the journal, sealed segments too (a snapshot holds it all). Returns 0 or -errno. */
int journal_truncate(struct journal *j);

/* Records in the journal, sealed segments included: those replayed, plus those appended. */
size_t journal_records(const struct journal *j);

/* Close the journal. Accepts NULL. */
void journal_close(struct journal *j);

/*
 * A file that replaces dir/name atomically and durably, written a piece at
 * a time: it is dir/name.tmp until journal_replace_finish fsyncs it, renames
 * it over dir/name and fsyncs dir.
 */
struct journal_replace {
	int fd;
	int err;          /* the first write's -errno; sticky */
	uint64_t written; /* octets written */
	uint64_t started; /* octets whose writeback was started */
	char tmp[PATH_MAX], dst[PATH_MAX], dir[PATH_MAX];
};

/* Create dir/name.tmp (emptied if it exists). Returns 0 or -errno (nothing to finish). */
int journal_replace_open(struct journal_replace *r, const char *dir, const char *name);

/*
 * Append data; the writeback of what was written is started as it grows, a
 * few MB at a time, so the final fsync has little left. Returns 0 or -errno,
 * which sticks: later writes do nothing and return it.
 */
int journal_replace_write(struct journal_replace *r, const void *data, size_t len);

/*
 * With rc 0 and every write done: make the file dir/name durably. Otherwise
 * (a write failed, or the caller's rc is not 0) remove it and leave dir/name
 * as it was. Closes r either way. Returns 0 or -errno (rc when it is not 0).
 */
int journal_replace_finish(struct journal_replace *r, int rc);

/* The whole of data as dir/name, atomically and durably. Returns 0 or -errno. */
int journal_write_atomic(const char *dir, const char *name, const void *data, size_t len);

/*
 * Read a whole file. Out: *data (malloc'd, NUL-terminated; free it), *len.
 * Returns 0, -ENOENT when the file does not exist, or another -errno.
 */
int journal_read_file(const char *path, char **data, size_t *len);

#endif /* CONTROL_JOURNAL_H */
