/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One record set compiled: its owner name and values to wire form, with the
 * rules on what they mean (InvalidChangeBatch), into the batch's blocks.
 * Both decoders, the general one (batch_check.c) and the fast one
 * (batch_fast.c), compile every change through batch_compile, so a batch
 * compiles to the same record sets whichever decoded it; it is apart from
 * both for that reason.
 *
 * Message sources: names and values are worded by dns/text.c; "Duplicate
 * Resource Record: '...'" is Route 53's. The CNAME/SOA value count and
 * multivalue type rules (for which no Route 53 wording was found) are
 * mvdns's own.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "batch_pvt.h"
#include "text.h"
#include "wire.h"

/* The parts of a batch's record sets: in its blocks (common/blocks.h), freed by mv_batch_free. */
#define BATCH_BLOCK (64u << 10)

static void *batch_alloc(struct mv_batch *batch, size_t size)
{
	batch->blocks.size = BATCH_BLOCK;
	return mv_blocks_alloc(&batch->blocks, size);
}

/* strdup of s into the batch's blocks (NULL stays NULL); *nomem set when out of memory. */
static char *part_dup(struct mv_batch *batch, const char *s, int *nomem)
{
	size_t len = s != NULL ? strlen(s) + 1 : 0;
	char *d = s != NULL ? batch_alloc(batch, len) : NULL;

	*nomem |= s != NULL && d == NULL;
	return d != NULL ? memcpy(d, s, len) : NULL;
}

/* rr's arrays for n values, zeroed, in one part. */
static int rrset_arrays(struct mv_batch *batch, struct mv_rrset *rr, size_t n)
{
	size_t size = n * (sizeof(*rr->rdata) + sizeof(*rr->values) + sizeof(*rr->rdata_len));

	rr->rdata = batch_alloc(batch, size);
	if (rr->rdata == NULL)
		return -ENOMEM;
	memset(rr->rdata, 0, size);
	rr->values = (char **)(rr->rdata + n);
	rr->rdata_len = (uint16_t *)(void *)(rr->values + n);
	rr->count = (uint16_t)n;
	return 0;
}

int batch_compile(const struct batch_rrset_in *in, uint8_t *rdbuf, struct mv_batch *batch,
		  struct mv_error *err, struct mv_rrset *rr)
{
	/* name is filled only for messages: an initialiser zeroed its 1 kB (1.5% of a batch). */
	char msg[MV_ERROR_MESSAGE_MAX], name[MVDNS_NAME_MAX * 4 + 2];
	uint8_t owner[MVDNS_NAME_MAX];
	size_t n = in->count;
	uint16_t type = in->type_number;
	int r, nomem = 0;

	name[0] = '\0';
	rr->type = type;
	rr->ttl = in->ttl;
	rr->multivalue = in->multivalue;
	rr->set_identifier = part_dup(batch, in->setid, &nomem);
	rr->health_check_id = part_dup(batch, in->hcid, &nomem);
	r = dns_name_from_text(in->name, owner, msg, sizeof(msg));
	if (r < 0) {
		mv_error_add(err, "%s", msg);
	} else {
		/* Its own octets, not the longest name's: a state of millions of sets. */
		uint8_t *o = batch_alloc(batch, (size_t)r);

		nomem |= o == NULL;
		rr->owner = o != NULL ? memcpy(o, owner, (size_t)r) : NULL;
		rr->owner_len = (uint8_t)r;
	}
	if (r < 0 || rr->multivalue || n > 1) /* only messages need the name */
		snprintf(name, sizeof(name), "%s", in->name);
	if (r >= 0 && (rr->multivalue || n > 1))
		dns_name_to_text(owner, name, sizeof(name));
	if (rr->multivalue && (type == DNS_TYPE_NS || type == DNS_TYPE_CNAME ||
			       type == DNS_TYPE_SOA || type == DNS_TYPE_DS))
		mv_error_add(err,
			     "RRSet of type %s with DNS name %s is not permitted as a multivalue "
			     "answer record set",
			     in->type, name);
	if ((type == DNS_TYPE_CNAME || type == DNS_TYPE_SOA) && n > 1)
		mv_error_add(
			err,
			"RRSet of type %s with DNS name %s is not permitted as it has more than "
			"one value",
			in->type, name);
	if (n > UINT16_MAX) {
		mv_error_add(err, "RRSet of type %s with DNS name %s has more than %u values",
			     in->type, name, (unsigned)UINT16_MAX);
		return nomem ? -ENOMEM : 0;
	}
	if (rrset_arrays(batch, rr, n) != 0)
		return -ENOMEM;
	for (size_t j = 0; j < n && !nomem; j++) {
		const char *s = in->value(in->src, j);
		size_t vlen = strlen(s) + 1;

		r = dns_rdata_from_text(type, s, rdbuf, BATCH_RDATA_MAX, msg, sizeof(msg));
		if (r < 0) {
			mv_error_add(err, "%s", msg);
			continue;
		}
		/* The rdata, then the value as written: one part, rr->rdata[j]. */
		rr->rdata[j] = batch_alloc(batch, (size_t)r + vlen);
		if (rr->rdata[j] == NULL)
			return -ENOMEM;
		memcpy(rr->rdata[j], rdbuf, (size_t)r);
		rr->values[j] = memcpy(rr->rdata[j] + r, s, vlen);
		rr->rdata_len[j] = (uint16_t)r;
		for (size_t k = 0; k < j; k++) {
			if (rr->rdata[k] != NULL && rr->rdata_len[k] == r &&
			    memcmp(rr->rdata[k], rr->rdata[j], (size_t)r) == 0) {
				mv_error_add(err, "Duplicate Resource Record: '%s'", s);
				break;
			}
		}
	}
	return nomem ? -ENOMEM : 0;
}

struct mv_change *batch_change_slot(struct mv_batch *out, size_t *cap)
{
	if (out->count == *cap) {
		size_t n = *cap != 0 ? 2 * *cap : 64;
		struct mv_change *c = realloc(out->changes, n * sizeof(*c));

		if (c == NULL)
			return NULL;
		out->changes = c;
		*cap = n;
	}
	memset(&out->changes[out->count], 0, sizeof(out->changes[0]));
	return &out->changes[out->count++];
}
