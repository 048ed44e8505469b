/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the two change batch decoders share: the general one (batch.c and
 * batch_check.c, over jansson, every check and message) and the fast one
 * (batch_fast.c, the plain shape only). Both compile a change through batch_compile, so a
 * batch compiles to the same record sets whichever decoded it.
 */
#ifndef ZONE_BATCH_PVT_H
#define ZONE_BATCH_PVT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "batch.h"

/* Route 53 field limits (botocore's service-2.json, route53 2013-04-01). */
#define BATCH_TTL_MAX     2147483647LL
#define BATCH_VALUE_MAX   4000
#define BATCH_NAME_MAX    1024
#define BATCH_SETID_MAX   128
#define BATCH_HCID_MAX    64
#define BATCH_COMMENT_MAX 256
/* Largest rdata (RDLENGTH is 16 bits). */
#define BATCH_RDATA_MAX 65535

/* Route 53's record types (botocore's enum), in its order. */
#define BATCH_TYPES                                                                            \
	"SOA, A, TXT, NS, CNAME, MX, NAPTR, PTR, SRV, SPF, AAAA, CAA, DS, TLSA, SSHFP, SVCB, " \
	"HTTPS"

/* One record set whose shape passed, as compiled by batch_compile. */
struct batch_rrset_in {
	const char *name; /* as written */
	const char *type; /* as written, one of BATCH_TYPES */
	uint16_t type_number;
	uint32_t ttl;
	const char *setid; /* NULL if absent */
	const char *hcid;  /* NULL if absent */
	bool multivalue;
	size_t count;                                    /* values */
	const char *(*value)(const void *src, size_t j); /* value j as written */
	const void *src;
};

/*
 * Compile one record set: the owner name and values to wire form, and the
 * rules on them (multivalue types, one value for CNAME and SOA, duplicates).
 * rdbuf: BATCH_RDATA_MAX octets of scratch.
 * Out: rr, its parts in batch's blocks (also after a failure); messages
 * (InvalidChangeBatch wording) appended to err.
 * Returns 0 (err may have gained messages), or -ENOMEM.
 */
int batch_compile(const struct batch_rrset_in *in, uint8_t *rdbuf, struct mv_batch *batch,
		  struct mv_error *err, struct mv_rrset *rr);

/* Position of key in list ("A, B, C"), or -1. */
int batch_list_index(const char *list, const char *key);

/*
 * Room for one more change in out, whose changes array holds *cap (grown
 * as needed); zeroed and counted. NULL if out of memory.
 */
struct mv_change *batch_change_slot(struct mv_batch *out, size_t *cap);

#endif /* ZONE_BATCH_PVT_H */
