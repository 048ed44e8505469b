/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Health check statuses as the dataplane knows them, by the index the
 * control process gives each health check, and which owner names use each
 * index, so that a status change rebuilds only those names. Writer (main
 * lcore) only; workers see health through the nodes built from it.
 */
#ifndef MV_HEALTH_H
#define MV_HEALTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mv_health; /* opaque */

/* Returns an empty registry (every index healthy), or NULL with errno. */
struct mv_health *mv_health_create(void);
void mv_health_destroy(struct mv_health *h);

/* Whether index id passes; 0 (no health check) and unknown indexes pass. */
bool mv_health_ok(const struct mv_health *h, uint32_t id);

/* Set a status. Returns 1 if it changed, 0 if not, -ENOMEM, -EINVAL for id 0. */
int mv_health_set(struct mv_health *h, uint32_t id, bool healthy);

/* Remember that the name uses index id (once per name). Returns 0, -ENOMEM or -EINVAL. */
int mv_health_watch(struct mv_health *h, uint32_t id, const uint8_t *name, size_t len);

/* Forget that the name uses index id; nothing if it was not watching. */
void mv_health_unwatch(struct mv_health *h, uint32_t id, const uint8_t *name, size_t len);

/* How many names watch index id. */
unsigned mv_health_watchers(const struct mv_health *h, uint32_t id);

/*
 * Call fn for every name watching id (names that no longer use it are
 * harmless: the caller checks). Stops at and returns fn's first non-zero value.
 */
int mv_health_foreach_name(struct mv_health *h, uint32_t id,
			   int (*fn)(const uint8_t *name, size_t len, void *arg), void *arg);

#endif /* MV_HEALTH_H */
