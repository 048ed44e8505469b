/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Route 53 change batches: the JSON that
 * `aws route53 change-resource-record-sets --change-batch` takes, parsed
 * (jansson) and compiled to record sets in wire form. Shared by the control
 * process and the dataplane's --load. Not thread-safe per object.
 */
#ifndef ZONE_BATCH_H
#define ZONE_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mvdns.h"

enum mv_action { MV_ACTION_CREATE, MV_ACTION_DELETE, MV_ACTION_UPSERT };

/* One record set as Route 53 holds it, values compiled to wire rdata. */
struct mv_rrset {
	uint8_t owner[MVDNS_NAME_MAX]; /* wire form, lower case */
	uint8_t owner_len;
	uint16_t type;
	uint32_t ttl;
	char *set_identifier;  /* NULL for a simple record set */
	char *health_check_id; /* NULL when the set has no health check */
	bool multivalue;       /* MultiValueAnswer: true, or RoutingPolicy MULTIVALUE */
	uint16_t count;        /* number of values */
	uint16_t *rdata_len;   /* [count] */
	uint8_t **rdata;       /* [count] wire rdata */
	char **values;         /* [count] values as written, for messages */
};

struct mv_change {
	enum mv_action action;
	struct mv_rrset rrset;
};

struct mv_batch {
	char *comment; /* NULL if absent */
	size_t count;
	struct mv_change *changes;
};

/* Route 53's error model: a code and one or more messages. */
#define MV_ERROR_MAX_MESSAGES 64
struct mv_error {
	char code[32]; /* "InvalidChangeBatch", "InvalidInput", "NoSuchHostedZone", ... */
	size_t count;
	char messages[MV_ERROR_MAX_MESSAGES][256];
};

/*
 * Parse and compile a change batch document (the object with "Changes").
 * Checks the document's own rules: JSON syntax and field types, Action,
 * Name, Type, TTL range, values per type, SetIdentifier with multivalue,
 * MultiValueAnswer not on NS, CNAME or SOA, value counts and size limits.
 * Collects every problem found, as Route 53 does, not just the first.
 * Out: out (release with mv_batch_free) on success; err on failure.
 * Returns 0, or -EINVAL with err filled (nothing allocated is left behind).
 */
int mv_batch_parse(const char *json, size_t len, struct mv_batch *out, struct mv_error *err);

/* Release what mv_batch_parse allocated. Accepts a zeroed batch. */
void mv_batch_free(struct mv_batch *batch);

/* Release the heap parts of one record set (not the struct itself). */
void mv_rrset_clear(struct mv_rrset *rrset);

/* Format err as the AWS CLI prints it for `operation`, into out. */
int mv_error_format(const struct mv_error *err, const char *operation, char *out, size_t cap);

#endif /* ZONE_BATCH_H */
