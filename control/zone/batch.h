/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Route 53 change batches: the JSON that
 * `aws route53 change-resource-record-sets --change-batch` takes, parsed
 * (jansson) and compiled to record sets in wire form. Shared by the control
 * process and the dataplane's --load. Not thread-safe per object; the
 * functions themselves keep no state and may run on any thread.
 *
 * Validation follows Route 53's two stages. The request's shape (JSON syntax,
 * field types, unknown or missing fields, enums, lengths, TTL range, the
 * "Invalid request" combinations of TTL, ResourceRecords and SetIdentifier,
 * and what mvdns does not serve) fails with InvalidInput. Only a request whose
 * shape is right is checked for meaning (names, values, duplicates, CNAME and
 * SOA value counts, multivalue types, request limits), which fails with
 * InvalidChangeBatch. Each stage collects every problem, not just the first.
 * Messages use Route 53's wording (server-side constraints) or the AWS CLI's
 * (botocore parameter validation, which runs before a request is sent).
 */
#ifndef ZONE_BATCH_H
#define ZONE_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "blocks.h"
#include "mvdns.h"

enum mv_action { MV_ACTION_CREATE, MV_ACTION_DELETE, MV_ACTION_UPSERT };

/*
 * One record set as Route 53 holds it, values compiled to wire rdata.
 * As compiled from a batch, its parts (owner, set_identifier,
 * health_check_id, the arrays and what they point to) live in the batch's
 * blocks: mv_batch_free releases them. Record sets handed out by the store
 * are read-only.
 */
struct mv_rrset {
	const uint8_t *owner; /* wire form, lower case: owner_len octets in the holder's storage */
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
	uint32_t health;       /* the control process's index of health_check_id, 0 for none */
};

struct mv_change {
	enum mv_action action;
	struct mv_rrset rrset;
};

struct mv_batch {
	char *comment; /* NULL if absent */
	size_t count;
	struct mv_change *changes;
	char *hosted_zone_id;    /* NULL unless the document had the --cli-input-json shape */
	struct mv_blocks blocks; /* the changes' record sets' parts, freed together */
};

/* Route 53's error model: a code and one or more messages. */
#define MV_ERROR_MAX_MESSAGES 64
#define MV_ERROR_MESSAGE_MAX  512
struct mv_error {
	char code[32]; /* "InvalidChangeBatch", "InvalidInput", "NoSuchHostedZone", ... */
	size_t count;
	char messages[MV_ERROR_MAX_MESSAGES][MV_ERROR_MESSAGE_MAX];
	/*
	 * Messages that did not fit: when set, the last message reads
	 * "... <more> more exception(s).", as Route 53 shortens long lists.
	 */
	size_t more;
};

/* Request limits (Route 53 quotas for one ChangeResourceRecordSets call). */
#define MV_BATCH_RECORDS_MAX 1000  /* ResourceRecord elements; UPSERT counts twice */
#define MV_BATCH_CHARS_MAX   32000 /* characters in all Values; UPSERT counts twice */

/* mv_batch_parse_opts flags. */
#define MV_BATCH_NO_LIMITS 0x1u /* skip the request limits (a whole state for --load) */

/*
 * Parse and compile a change batch document: the object with "Changes" that
 * --change-batch takes, or {"HostedZoneId": ..., "ChangeBatch": {...}} as
 * --cli-input-json takes. Besides Route 53's fields, "RoutingPolicy":
 * {"Type": "MULTIVALUE"} is accepted as a synonym of "MultiValueAnswer": true.
 * AliasTarget, Weight, Region, Failover, GeoLocation, GeoProximityLocation,
 * CidrRoutingConfig and TrafficPolicyInstanceId are refused (InvalidInput): mvdns
 * serves simple and multivalue answer record sets only, of the types
 * dns_rdata_from_text() supports.
 * Out: out (release with mv_batch_free) on success; err on failure.
 * Returns 0; -EINVAL with err filled (code InvalidInput or InvalidChangeBatch,
 * every message) and nothing left allocated; -ENOMEM.
 */
int mv_batch_parse(const char *json, size_t len, struct mv_batch *out, struct mv_error *err);

/* mv_batch_parse with flags (MV_BATCH_*). */
int mv_batch_parse_opts(const char *json, size_t len, unsigned flags, struct mv_batch *out,
			struct mv_error *err);

/*
 * mv_batch_parse_opts of a document parsed already (jansson's json_t), for
 * callers that hold one: the same checks, without encoding and parsing it
 * again.
 */
int mv_batch_parse_doc(json_t *doc, unsigned flags, struct mv_batch *out, struct mv_error *err);

struct jscan; /* jscan.h */

/*
 * The fast path of mv_batch_parse_doc, straight from the text: the change
 * batch object (Comment, Changes) at the reader's position, when it has the
 * plain shape (batch_fast.c says which) and nothing in it is wrong. It takes
 * a batch only when mv_batch_parse_doc with the same flags (MV_BATCH_*)
 * would, with the same result.
 * Out: out (release with mv_batch_free) on success; s past the object.
 * Returns 0; -EAGAIN when it does not take the batch, whatever the reason
 * (s->err is then set; the general path gives the answer, error or not);
 * -ENOMEM.
 */
int mv_batch_scan(struct jscan *s, unsigned flags, struct mv_batch *out);

/*
 * mv_batch_scan for a whole state's record sets (a snapshot's): up to max
 * ResourceRecordSet objects, the elements of an array whose '[' the reader
 * took (*element counts those read so far, as jscan_element does; 0 at
 * first), each as an UPSERT change, without the request limits. Out: out;
 * *more, false once the array has ended (its ']' taken): call again while
 * it is true. Returns 0; -EAGAIN when a set is not in the plain shape or is
 * not valid (the reader is then spent: mv_batch_parse_opts words the
 * error); -ENOMEM.
 */
int mv_batch_scan_sets(struct jscan *s, size_t *element, size_t max, struct mv_batch *out,
		       bool *more);

/*
 * mv_batch_scan over a whole document json[0..len) (nothing may follow the
 * object). mv_batch_parse_opts tries it first.
 */
int mv_batch_parse_fast(const char *json, size_t len, unsigned flags, struct mv_batch *out);

/* Release what mv_batch_parse allocated. Accepts a zeroed batch. */
void mv_batch_free(struct mv_batch *batch);

/* Empty err and give it `code` (truncated to fit). */
void mv_error_init(struct mv_error *err, const char *code);

/*
 * Append one printf-formatted message to err (truncated to
 * MV_ERROR_MESSAGE_MAX - 1 bytes). Past MV_ERROR_MAX_MESSAGES the last slot
 * counts the rest as "... N more exception(s).".
 */
void mv_error_add(struct mv_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Format err as the AWS CLI prints a service error for `operation`
 * ("ChangeResourceRecordSets"), into out:
 *   An error occurred (InvalidChangeBatch) when calling the ChangeResourceRecordSets
 *   operation: [message 1, message 2]
 * InvalidChangeBatch lists its messages in brackets, joined by ", ". Other codes
 * print a lone message as is; several are joined by "; ", after
 * "N validation errors detected: " when all are Route 53 constraint messages
 * ("Value '...' at '...' failed to satisfy constraint: ...").
 * Returns the length of the string, or -ENOSPC if it did not fit (out then
 * holds a truncated, terminated string when cap > 0).
 */
int mv_error_format(const struct mv_error *err, const char *operation, char *out, size_t cap);

#endif /* ZONE_BATCH_H */
