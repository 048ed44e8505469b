/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Every packet the dataplane receives ends in exactly one verdict, counted
 * per worker. The names are what operators read and tests assert.
 */
#ifndef MV_VERDICT_H
#define MV_VERDICT_H

/* X(enum suffix, printed name, whether a reply is sent) */
#define MV_VERDICTS(X)                             \
	X(ANSWER_NOERROR, "answer-noerror", 1)     \
	X(ANSWER_NODATA, "answer-nodata", 1)       \
	X(ANSWER_NXDOMAIN, "answer-nxdomain", 1)   \
	X(ANSWER_REFERRAL, "answer-referral", 1)   \
	X(ANSWER_REFUSED, "answer-refused", 1)     \
	X(ANSWER_FORMERR, "answer-formerr", 1)     \
	X(ANSWER_NOTIMP, "answer-notimp", 1)       \
	X(ANSWER_BADVERS, "answer-badvers", 1)     \
	X(ANSWER_TRUNCATED, "answer-truncated", 1) \
	X(ARP_REPLY, "arp-reply", 1)               \
	X(ND_ADVERT, "nd-advert", 1)               \
	X(ICMP_ECHO, "icmp-echo", 1)               \
	X(TCP_SYN_ACK, "tcp-syn-ack", 1)           \
	X(TCP_FIN_ACK, "tcp-fin-ack", 1)           \
	X(TCP_RESET, "tcp-reset", 1)               \
	X(TCP_NO_REPLY, "tcp-no-reply", 0)         \
	X(DROP_SHORT, "drop-short", 0)             \
	X(DROP_NOT_QUERY, "drop-not-query", 0)     \
	X(DROP_NOT_FOR_US, "drop-not-for-us", 0)   \
	X(DROP_UNSUPPORTED, "drop-unsupported", 0) \
	X(DROP_MALFORMED, "drop-malformed", 0)     \
	X(DROP_TCP_PARTIAL, "drop-tcp-partial", 0)

enum mv_verdict {
#define MV_VERDICT_ENUM(e, name, reply) MV_VERDICT_##e,
	MV_VERDICTS(MV_VERDICT_ENUM)
#undef MV_VERDICT_ENUM
		MV_VERDICT_COUNT
};

/* The printed name of a verdict. */
const char *mv_verdict_name(enum mv_verdict v);

#endif /* MV_VERDICT_H */
