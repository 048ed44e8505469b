/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Route 53 change batches: JSON to struct mv_batch, checked in Route 53's two
 * stages (InvalidInput for the request's shape, then InvalidChangeBatch for
 * what it means), with Route 53's and the AWS CLI's message wording; and
 * Route 53's error model, which every module reports in.
 *
 * This file holds the public functions of batch.h's general decoder: it reads
 * the text streamed when it can (batch_stream.c) and whole otherwise, then
 * has the document checked (batch_check.c), each change compiled by
 * batch_compile (batch_compile.c). The fast decoder is batch_fast.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "batch.h"
#include "batch_parse_pvt.h"
#include "batch_pvt.h"

/* ---- errors ---- */

void mv_error_init(struct mv_error *err, const char *code)
{
	memset(err, 0, sizeof(*err));
	snprintf(err->code, sizeof(err->code), "%s", code);
}

void mv_error_add(struct mv_error *err, const char *fmt, ...)
{
	va_list ap;

	if (err->count == MV_ERROR_MAX_MESSAGES) {
		err->more = err->more == 0 ? 2 : err->more + 1;
		snprintf(err->messages[MV_ERROR_MAX_MESSAGES - 1], MV_ERROR_MESSAGE_MAX,
			 "... %zu more exception(s).", err->more);
		return;
	}
	va_start(ap, fmt);
	vsnprintf(err->messages[err->count++], MV_ERROR_MESSAGE_MAX, fmt, ap);
	va_end(ap);
}

/* Append s to out[*len..cap); the length keeps counting past cap. */
static void fmt_put(char *out, size_t cap, size_t *len, const char *s)
{
	size_t n = strlen(s);

	if (*len < cap)
		memcpy(out + *len, s, *len + n < cap ? n : cap - *len);
	*len += n;
}

int mv_error_format(const struct mv_error *err, const char *operation, char *out, size_t cap)
{
	int bracket = strcmp(err->code, "InvalidChangeBatch") == 0;
	char head[160];
	size_t len = 0, constraints = 0;

	snprintf(head, sizeof(head),
		 "An error occurred (%s) when calling the %s operation: ", err->code, operation);
	fmt_put(out, cap, &len, head);
	for (size_t i = 0; i < err->count; i++)
		constraints += strncmp(err->messages[i], "Value '", 7) == 0 &&
			       strstr(err->messages[i], "' failed to satisfy constraint: ") != NULL;
	if (bracket) {
		fmt_put(out, cap, &len, "[");
	} else if (err->count > 0 && constraints == err->count) {
		snprintf(head, sizeof(head), "%zu validation error%s detected: ", err->count,
			 err->count > 1 ? "s" : "");
		fmt_put(out, cap, &len, head);
	}
	for (size_t i = 0; i < err->count; i++) {
		if (i > 0)
			fmt_put(out, cap, &len, bracket ? ", " : "; ");
		fmt_put(out, cap, &len, err->messages[i]);
	}
	if (bracket)
		fmt_put(out, cap, &len, "]");
	if (cap > 0)
		out[len < cap ? len : cap - 1] = '\0';
	return len < cap ? (int)len : -ENOSPC;
}

/* ---- parsing ---- */

/* Back to the state before streaming. */
static void ctx_reset(struct batch_ctx *ctx, struct mv_batch *out)
{
	mv_batch_free(out);
	mv_error_init(ctx->input, "InvalidInput");
	mv_error_init(ctx->batch, "InvalidChangeBatch");
	ctx->n_input = ctx->records = ctx->chars = ctx->cap = 0;
	ctx->streamed = 0;
}

/*
 * The common part: the document from text json[0..len) (streamed when it can
 * be), or the parsed document doc when json is NULL.
 */
static int batch_parse(const char *json, size_t len, json_t *doc, unsigned flags,
		       struct mv_batch *out, struct mv_error *err)
{
	struct batch_ctx ctx = {.flags = flags, .out = out};
	json_error_t jerr;
	json_t *root = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	/* Plain batches straight from the text; the rest, and every error's
	 * wording, below. */
	rc = json != NULL ? mv_batch_parse_fast(json, len, flags, out) : -EAGAIN;
	if (rc != -EAGAIN)
		goto finish;
	rc = -ENOMEM;
	ctx.input = malloc(sizeof(*ctx.input));
	ctx.batch = malloc(sizeof(*ctx.batch));
	ctx.rdbuf = malloc(BATCH_RDATA_MAX);
	if (ctx.input == NULL || ctx.batch == NULL || ctx.rdbuf == NULL)
		goto finish;
	ctx_reset(&ctx, out);
	if (json == NULL) {
		root = json_incref(doc);
	} else {
		root = batch_stream_document(&ctx, json, len, out);
		if (root == NULL && !ctx.nomem) {
			ctx_reset(&ctx, out);
			root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
			if (root == NULL)
				batch_input_msg(
					&ctx,
					"Error parsing parameter '--change-batch': Invalid JSON: "
					"%s: line %d column %d (char %d)",
					jerr.text, jerr.line, jerr.column, jerr.position);
		}
	}
	if (root != NULL)
		batch_parse_document(&ctx, root, out);
	if (ctx.nomem)
		goto finish;
	rc = ctx.n_input > 0 || ctx.batch->count > 0 ? -EINVAL : 0;
	if (rc != 0 && err != NULL)
		*err = ctx.n_input > 0 ? *ctx.input : *ctx.batch;
finish:
	if (rc != 0)
		mv_batch_free(out);
	if (rc == -ENOMEM && err != NULL) {
		mv_error_init(err, "InternalError");
		mv_error_add(err, "Out of memory while parsing the change batch");
	}
	json_decref(root);
	free(ctx.rdbuf);
	free(ctx.batch);
	free(ctx.input);
	return rc;
}

int mv_batch_parse_opts(const char *json, size_t len, unsigned flags, struct mv_batch *out,
			struct mv_error *err)
{
	return batch_parse(json, len, NULL, flags, out, err);
}

int mv_batch_parse_doc(json_t *doc, unsigned flags, struct mv_batch *out, struct mv_error *err)
{
	return batch_parse(NULL, 0, doc, flags, out, err);
}

int mv_batch_parse(const char *json, size_t len, struct mv_batch *out, struct mv_error *err)
{
	return mv_batch_parse_opts(json, len, 0, out, err);
}

void mv_batch_free(struct mv_batch *batch)
{
	mv_blocks_release(&batch->blocks, false);
	free(batch->changes);
	free(batch->comment);
	free(batch->hosted_zone_id);
	memset(batch, 0, sizeof(*batch));
}
