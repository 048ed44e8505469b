/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The health checks of mvdns-control as Route 53 keeps them (Id,
 * CallerReference, HealthCheckConfig, HealthCheckVersion), plus what mvdns
 * adds: each check's index, the dense number (1, 2, ...) that the channel's
 * NAME and HEALTH messages carry instead of the Id, and the last effective
 * status sent to the dataplanes. Pure state, as zones.h: no I/O, no clock,
 * no randomness; ids and indexes come from the caller (fresh, or from the
 * journal and the snapshot), so that a replay rebuilds the same state.
 *
 * Indexes: a new check takes the lowest index no live check holds, and keeps
 * it for its whole life; a deleted check's index is free again. The index is
 * also the check's id in the health-check engine (checker.h).
 *
 * Caller references: Route 53 refuses a CallerReference used by a deleted
 * check; the registry remembers the last CHECKS_DELETED_MAX of them.
 *
 * Single-threaded: the daemon's event loop owns the object (through zones.h).
 */
#ifndef CONTROL_CHECKS_H
#define CONTROL_CHECKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "batch.h"
#include "config.h"

#define CHECKS_ID_LEN      36         /* "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx", as Route 53's */
#define CHECKS_ID_MAX      64         /* Route 53's limit on a HealthCheckId */
#define CHECKS_CALLER_MAX  64         /* Route 53's limit on a health check's CallerReference */
#define CHECKS_DELETED_MAX 10000      /* deleted checks' caller references remembered */
#define CHECKS_INDEX_MAX   (1u << 24) /* indexes are dense: more means a corrupt journal */

/* One health check. Read-only outside checks.c, except `healthy` (the owner's). */
struct checks_check {
	char id[CHECKS_ID_MAX + 1];
	char *caller_reference;
	struct mv_check_config config;
	uint64_t version;          /* HealthCheckVersion: 1 at creation, +1 per update */
	uint32_t index;            /* 1 and up; unique among live checks; never changes */
	bool healthy;              /* effective status last sent to the dataplanes */
	struct checks_check *next; /* hash chain (checks.c) */
};

struct checks; /* opaque */

/* Returns an empty registry, or NULL with errno set (ENOMEM). */
struct checks *checks_create(void);

/* Release every check. Accepts NULL. */
void checks_destroy(struct checks *c);

/*
 * Add a check; id, caller_reference and cfg are copied. index 0 takes the
 * lowest free index; another value must be free (a replay). cfg is not
 * validated here (mv_check_config_from_json did it).
 * Out: *out (owned by c; may be NULL).
 * Returns 0; -EEXIST (id, caller reference or index taken); -EINVAL (id or
 * caller reference empty or too long, index above CHECKS_INDEX_MAX); -ENOMEM.
 */
int checks_add(struct checks *c, const char *id, const char *caller_reference,
	       const struct mv_check_config *cfg, uint32_t index, bool healthy,
	       struct checks_check **out);

/*
 * Remove the check with this id; its caller reference is remembered as
 * deleted (checks_caller_deleted) and its index becomes free.
 * Returns 0 or -ENOENT.
 */
int checks_remove(struct checks *c, const char *id);

/* Replace a check's configuration and raise its version by one. */
void checks_update(struct checks_check *check, const struct mv_check_config *cfg);

/* The check with this id, or NULL. O(1). */
struct checks_check *checks_find(const struct checks *c, const char *id);

/* The live check created with this caller reference, or NULL. */
struct checks_check *checks_find_caller(const struct checks *c, const char *caller_reference);

/* The index checks_add gives a check added now with index 0: the lowest free. */
uint32_t checks_free_index(const struct checks *c);

/* The check holding this index, or NULL. O(1). */
struct checks_check *checks_by_index(const struct checks *c, uint32_t index);

/* Number of checks, and the i-th in creation order (i < checks_count). */
size_t checks_count(const struct checks *c);
struct checks_check *checks_at(const struct checks *c, size_t i);

/* Whether a deleted check was created with this caller reference. */
bool checks_caller_deleted(const struct checks *c, const char *caller_reference);

/* Remember a deleted check's caller reference (snapshot loading). 0 or -ENOMEM. */
int checks_deleted_add(struct checks *c, const char *caller_reference);

/* Number of deleted caller references remembered, and the i-th, oldest first. */
size_t checks_deleted_count(const struct checks *c);
const char *checks_deleted_at(const struct checks *c, size_t i);

/*
 * Give each record set of batch that names a HealthCheckId the index of that
 * check (rrset.health), all or nothing.
 * Out: err, when a HealthCheckId names no check: NoSuchHealthCheck
 * "No health check found with ID: <id>".
 * Returns 0 or -ENOENT.
 */
int checks_resolve_batch(const struct checks *c, struct mv_batch *batch, struct mv_error *err);

/* err := NoSuchHealthCheck for id (the wording of checks_resolve_batch). */
void checks_error_no_such(struct mv_error *err, const char *id);

#endif /* CONTROL_CHECKS_H */
