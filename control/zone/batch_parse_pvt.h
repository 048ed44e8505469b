/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the general change batch decoder's files share: batch.c (the entry
 * points, which read the text streamed or whole), batch_check.c (the
 * document and its changes checked as botocore and Route 53 check them) and
 * batch_stream.c (a large document read piece by piece). The fast decoder
 * (batch_fast.c) uses none of it; what both decoders share is batch_pvt.h.
 */
#ifndef ZONE_BATCH_PARSE_PVT_H
#define ZONE_BATCH_PARSE_PVT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "batch.h"

/* One decoding's state, from the text (or document) to out. */
struct batch_ctx {
	struct mv_error *input; /* request shape: InvalidInput */
	struct mv_error *batch; /* meaning: InvalidChangeBatch */
	size_t n_input;         /* shape problems (the error may hold fewer) */
	unsigned flags;
	unsigned long records; /* ResourceRecord elements, UPSERT twice */
	unsigned long chars;   /* characters of Values, UPSERT twice */
	int nomem;
	int streamed;   /* Changes were read element by element: 1 at the root, 2 in ChangeBatch */
	size_t cap;     /* of out->changes while streaming */
	uint8_t *rdbuf; /* BATCH_RDATA_MAX bytes */
	struct mv_batch *out; /* whose blocks the record sets' parts go to */
};

/* A shape problem (InvalidInput): a printf-formatted message added to ctx->input, counted. */
void batch_input_msg(struct batch_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Check the document root (a change batch, or a request holding one) and
 * its Changes, each through batch_parse_change (those streamed already,
 * ctx->streamed, are not read again); then the request limits, unless
 * ctx->flags has MV_BATCH_NO_LIMITS.
 * Out: out's changes, comment and zone; problems in ctx (input, batch, nomem).
 */
void batch_parse_document(struct batch_ctx *ctx, json_t *root, struct mv_batch *out);

/*
 * Check change i (element c of Changes) and, while the request has no shape
 * problem, compile it into ch.
 */
void batch_parse_change(struct batch_ctx *ctx, json_t *c, size_t i, struct mv_change *ch);

/*
 * The document json[0..len) read member by member, each element of Changes
 * checked (batch_parse_change) as it is read, so that jansson never holds
 * more than one change. Returns the root without the changes; NULL when out
 * of memory (ctx->nomem) or when the document is not one it streams (bad
 * syntax, an unusual shape), which the caller then reads whole after
 * resetting ctx and out.
 */
json_t *batch_stream_document(struct batch_ctx *ctx, const char *json, size_t len,
			      struct mv_batch *out);

#endif /* ZONE_BATCH_PARSE_PVT_H */
