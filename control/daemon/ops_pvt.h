/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internals shared by the operation files (ops.c, ops_zones.c, ops_sets.c,
 * ops_health.c):
 * parameter checks worded as botocore's, and the values a write generates.
 * Single-threaded, as ops.h.
 */
#ifndef CONTROL_OPS_PVT_H
#define CONTROL_OPS_PVT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ops.h"

#define OPS_LIST_ZONES_MAX  100  /* ListHostedZones MaxItems default and limit */
#define OPS_LIST_SETS_MAX   300  /* ListResourceRecordSets MaxItems default and limit */
#define OPS_LIST_CHECKS_MAX 1000 /* ListHealthChecks MaxItems limit */
#define OPS_LIST_CHECKS_DEF 100  /* ListHealthChecks MaxItems default */

/* What a write generates: its change id, timestamp and sequence number. */
struct ops_gen {
	char change_id[ZONES_ID_SIZE];
	char submitted_at[ZONES_TIME_SIZE];
	uint64_t seq;
};

/* ---- parameters; every error is InvalidInput, added to err ---- */

/* Refuse members not in known (NULL-terminated). Returns 0 or -EINVAL (err initialised). */
int ops_params_known(json_t *params, const char *const *known, struct mv_error *err);

/* The member, or NULL when it is absent or JSON null (botocore drops None). */
json_t *ops_param_get(json_t *params, const char *key);

/* A string member; NULL when absent (an error if required) or not a string (an error). */
const char *ops_param_str(json_t *params, const char *key, bool required, struct mv_error *err);

/* MaxItems (a string of digits or an integer): 1..limit, default limit. 0 or -EINVAL. */
int ops_param_max_items(json_t *params, size_t limit, size_t *out, struct mv_error *err);

/* A time (ms since the epoch) as Route 53 prints it: "2026-11-25T16:00:00.000Z". */
void ops_format_time(int64_t ms, char out[ZONES_TIME_SIZE]);

/* id without its prefix ("/hostedzone/", "/change/"), if it has it. */
const char *ops_strip_prefix(const char *id, const char *prefix);

/* Route 53's longest hosted zone id. */
#define OPS_ZONE_ID_MAX 32

/*
 * The zone of id (with or without "/hostedzone/"), given as member key, or
 * NULL (err: InvalidInput for an id longer than Route 53 allows, else
 * NoSuchHostedZone).
 */
struct zones_zone *ops_zone_by_id(struct ops_ctx *ctx, const char *id, const char *key,
				  struct mv_error *err);

/* The zone a required id member names, or NULL (err: InvalidInput or NoSuchHostedZone). */
struct zones_zone *ops_param_zone(struct ops_ctx *ctx, json_t *params, const char *key,
				  struct mv_error *err);

/* ---- generated values ---- */

/* A fresh id: prefix and ZONES_ID_LEN - 1 random characters of [A-Z0-9]. */
void ops_gen_id(char prefix, char out[ZONES_ID_SIZE]);

/*
 * The change id, timestamp and sequence number of a write: fresh (and put in
 * ctx->generated) for a live request, read from ctx->replay when replaying.
 * Returns 0, -EINVAL (a malformed journal record; err set), -ENOMEM.
 */
int ops_gen_change(struct ops_ctx *ctx, struct ops_gen *g, struct mv_error *err);

/*
 * The zones changed: mark ctx mutated, take the sequence number and remember
 * the change for GetChange (when out of memory, it is logged and forgotten).
 */
void ops_gen_commit(struct ops_ctx *ctx, const struct ops_gen *g, const char *comment);

/* ctx->owners := one name (no allocation). */
void ops_owners_one(struct ops_ctx *ctx, const uint8_t *name, size_t len);

/* ctx->owners := the distinct owner names of a batch. 0 or -ENOMEM. */
int ops_owners_batch(struct ops_ctx *ctx, const struct mv_batch *batch);

/* err := InternalError "Out of memory"; returns -ENOMEM. */
int ops_nomem(struct mv_error *err);

/* ---- the operations (ops_fn) ---- */

int ops_create_zone(struct ops_ctx *ctx, json_t *params, json_t **result, struct mv_error *err);
int ops_delete_zone(struct ops_ctx *ctx, json_t *params, json_t **result, struct mv_error *err);
int ops_get_zone(struct ops_ctx *ctx, json_t *params, json_t **result, struct mv_error *err);
int ops_list_zones(struct ops_ctx *ctx, json_t *params, json_t **result, struct mv_error *err);
int ops_change_sets(struct ops_ctx *ctx, json_t *params, json_t **result, struct mv_error *err);
int ops_list_sets(struct ops_ctx *ctx, json_t *params, json_t **result, struct mv_error *err);
int ops_get_change(struct ops_ctx *ctx, json_t *params, json_t **result, struct mv_error *err);
int ops_create_check(struct ops_ctx *ctx, json_t *params, json_t **result, struct mv_error *err);
int ops_get_check(struct ops_ctx *ctx, json_t *params, json_t **result, struct mv_error *err);
int ops_list_checks(struct ops_ctx *ctx, json_t *params, json_t **result, struct mv_error *err);
int ops_update_check(struct ops_ctx *ctx, json_t *params, json_t **result, struct mv_error *err);
int ops_delete_check(struct ops_ctx *ctx, json_t *params, json_t **result, struct mv_error *err);
int ops_check_status(struct ops_ctx *ctx, json_t *params, json_t **result, struct mv_error *err);
int ops_set_check_status(struct ops_ctx *ctx, json_t *params, json_t **result,
			 struct mv_error *err);

#endif /* CONTROL_OPS_PVT_H */
