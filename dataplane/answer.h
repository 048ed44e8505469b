/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The DNS fate of a UDP payload: parse the query, look it up in the record
 * table and write the reply in place over the query. Pure function of the
 * bytes and the table; no allocation; lock-free (a table reader).
 */
#ifndef MV_ANSWER_H
#define MV_ANSWER_H

#include <stdint.h>

#include "query.h"
#include "table.h"
#include "verdict.h"

/*
 * A message parsed ahead of its answer: mv_packet_handle_burst parses a
 * burst's queries first (and on a large table prefetches the names' slots
 * and nodes) and answers from these parses after.
 */
struct mv_parsed {
	uint8_t *msg; /* what was parsed: msg[0..len) */
	uint16_t len;
	enum dns_query_status status;
	struct dns_query q;
};

/*
 * Answer the DNS message msg[0..len) in place. The buffer holds cap octets
 * (cap >= len); the reply never exceeds cap nor the size the query allows.
 * rng is the caller's random state (never 0), used for multivalue choices;
 * one per thread.
 * Out: *verdict.
 * Returns the reply length, or 0 when the message is dropped without reply.
 */
uint16_t mv_answer(const struct mv_table *t, uint8_t *msg, uint16_t len, uint16_t cap,
		   uint64_t *rng, enum mv_verdict *verdict);

/*
 * mv_answer for a message parsed ahead: p->msg[0..p->len) in a buffer of
 * cap octets, unchanged since it was parsed.
 */
uint16_t mv_answer_parsed(const struct mv_table *t, const struct mv_parsed *p, uint16_t cap,
			  uint64_t *rng, enum mv_verdict *verdict);

/* Most octets of an NSID. */
#define MV_NSID_MAX 128

/*
 * The server's identifier (RFC 5001): replies to queries whose OPT record
 * asks for it carry it in an NSID option, when it fits. Process-wide: set
 * before any worker answers (len 0: none, the default).
 * Returns 0, or -EINVAL for more than MV_NSID_MAX octets.
 */
int mv_answer_set_nsid(const uint8_t *id, size_t len);

/*
 * The same for a message that came over TCP: the reply is limited by cap
 * only, not by the UDP payload size the query announces (RFC 7766).
 */
uint16_t mv_answer_stream(const struct mv_table *t, uint8_t *msg, uint16_t len, uint16_t cap,
			  uint64_t *rng, enum mv_verdict *verdict);

#endif /* MV_ANSWER_H */
