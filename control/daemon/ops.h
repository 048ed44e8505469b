/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Route 53 operations of mvdns-control (control/api.h), over the zones.
 * An operation validates its Params, changes the zones (writes) and builds
 * the result the AWS CLI prints. Values a write generates (ids, timestamps,
 * the batch sequence number, name servers) are either made fresh and
 * returned in ctx->generated for the journal, or, when replaying the journal,
 * taken from ctx->replay, so that a replay rebuilds the exact same state.
 * Writes do not touch the dataplanes: they list the owner names they changed
 * in ctx->owners (and health check statuses in ctx->health), which the
 * caller publishes once the journal holds the write. The health-check engine
 * (ctx->checker) is told at once; it is NULL while replaying, when only the
 * registry (zones_checks) changes.
 * Whatever may fail (validation, memory for the journal record and the owner
 * list) fails before the zones change; after that, a write always completes
 * (at worst without a result object or without GetChange remembering it).
 *
 * Single-threaded: the daemon's event loop.
 */
#ifndef CONTROL_OPS_H
#define CONTROL_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "checker.h"
#include "peers.h"
#include "zones.h"

struct ops_ctx {
	struct zones *zones;
	struct peers *peers;        /* NULL while replaying: GetChange then sees no dataplane */
	struct mv_checker *checker; /* NULL while replaying (and in tests without one) */
	const char *const *name_servers;
	size_t name_server_count;
	json_t *replay;    /* the recorded generated values, or NULL for a live request */
	json_t *generated; /* Out: writes, live: the generated values (new reference) */
	uint64_t seq;      /* Out: writes: the batch's sequence number */
	uint8_t (*owners)[MVDNS_NAME_MAX]; /* Out: writes: changed owner names (wire; what
					    * follows a name in its slot is undefined) */
	size_t nowners;
	bool mutated; /* Out: the zones changed: journal and publish, whatever the result */
	uint8_t one[1][MVDNS_NAME_MAX]; /* owners when there is one */
	struct feed_health health[1];   /* Out: writes: statuses to publish with the batch */
	size_t nhealth;
};

typedef int (*ops_fn)(struct ops_ctx *ctx, json_t *params, json_t **result, struct mv_error *err);

struct ops_def {
	const char *name; /* "CreateHostedZone" */
	ops_fn fn;        /* returns 0 with *result, or -errno with err filled */
	bool writes;      /* journaled and published */
};

/* The operation named `name`, or NULL. */
const struct ops_def *ops_find(const char *name);

/*
 * ChangeResourceRecordSets straight from its request line, {"Operation":
 * "ChangeResourceRecordSets", "Params": {"HostedZoneId": ..., "ChangeBatch":
 * {...}}}, when the batch has the plain shape mv_batch_scan takes: no JSON
 * tree is built. *taken tells whether it ran the operation; when it did not
 * (any other request, any problem in the batch), nothing has changed and the
 * caller takes the general path (jansson, ops_find), which gives the answer.
 * Returns as an ops_fn when taken, else 0.
 */
int ops_change_sets_line(struct ops_ctx *ctx, const char *line, size_t len, bool *taken,
			 json_t **result, struct mv_error *err);

/* Release ctx->generated and ctx->owners and clear the outputs. */
void ops_ctx_clear(struct ops_ctx *ctx);

#endif /* CONTROL_OPS_H */
