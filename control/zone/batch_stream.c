/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A large document (a whole state for --load) read member by member and its
 * Changes one element at a time, so that jansson never holds more than one
 * change; anything unusual falls back to reading the whole document (batch.c),
 * which also yields jansson's exact syntax error. Apart from the checks
 * because it is only about where in the text the next value starts.
 */
#include <string.h>

#include <jansson.h>

#include "batch.h"
#include "batch_parse_pvt.h"
#include "batch_pvt.h"
#include "jscan.h"

#define BATCH_JSON_FLAGS (JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY | JSON_REJECT_DUPLICATES)

/* One JSON value at *p, which then moves past it; NULL on a syntax error. */
static json_t *load_value(const char **p, const char *end)
{
	json_error_t e;
	json_t *v = json_loadb(*p, (size_t)(end - *p), BATCH_JSON_FLAGS, &e);

	if (v != NULL)
		*p += e.position;
	return v;
}

/* After ',' or at the closing bracket: 1 for another item, 0 at the end, -1 on bad syntax. */
static int next_item(const char **p, const char *end, char close)
{
	*p = jscan_skip_space(*p, end);
	if (*p < end && **p == ',') {
		*p = jscan_skip_space(*p + 1, end);
		return 1;
	}
	if (*p < end && **p == close) {
		(*p)++;
		return 0;
	}
	return -1;
}

/* The Changes array at *p, change by change. Returns 0, or -1 to fall back. */
static int stream_changes(struct batch_ctx *ctx, const char **p, const char *end,
			  struct mv_batch *out)
{
	int more;

	*p = jscan_skip_space(*p + 1, end);
	if (*p < end && **p == ']') {
		(*p)++;
		return 0;
	}
	do {
		json_t *c = load_value(p, end);
		struct mv_change *ch = c != NULL ? batch_change_slot(out, &ctx->cap) : NULL;

		if (ch != NULL)
			batch_parse_change(ctx, c, out->count - 1, ch);
		ctx->nomem |= c != NULL && ch == NULL;
		json_decref(c);
		if (c == NULL || ctx->nomem)
			return -1;
		more = next_item(p, end, ']');
	} while (more > 0);
	return more;
}

/* The object at *p into obj, member by member, streaming Changes. Returns 0, or -1. */
static int stream_object(struct batch_ctx *ctx, const char **p, const char *end, json_t *obj,
			 int level, struct mv_batch *out)
{
	int more = 1, rc = 0;

	*p = jscan_skip_space(*p + 1, end);
	if (*p < end && **p == '}') {
		(*p)++;
		return 0;
	}
	while (more > 0 && rc == 0) {
		json_t *k = *p < end && **p == '"' ? load_value(p, end) : NULL;
		const char *key = json_string_value(k);
		json_t *v = NULL;

		*p = jscan_skip_space(*p, end);
		if (key == NULL || *p == end || **p != ':' || json_object_get(obj, key) != NULL) {
			json_decref(k);
			return -1;
		}
		*p = jscan_skip_space(*p + 1, end);
		if (*p < end && **p == '[' && !ctx->streamed && strcmp(key, "Changes") == 0) {
			ctx->streamed = level;
			rc = stream_changes(ctx, p, end, out);
			v = json_array();
		} else if (*p < end && **p == '{' && level == 1 &&
			   strcmp(key, "ChangeBatch") == 0) {
			v = json_object();
			rc = v != NULL ? stream_object(ctx, p, end, v, 2, out) : -1;
		} else {
			v = load_value(p, end);
		}
		rc = rc == 0 && v != NULL ? json_object_set_new(obj, key, v) : (json_decref(v), -1);
		json_decref(k);
		more = rc == 0 ? next_item(p, end, '}') : -1;
	}
	return rc == 0 ? more : -1;
}

json_t *batch_stream_document(struct batch_ctx *ctx, const char *json, size_t len,
			      struct mv_batch *out)
{
	const char *p = jscan_skip_space(json, json + len), *end = json + len;
	json_t *root = json_object();

	if (root == NULL || p == end || *p != '{' ||
	    stream_object(ctx, &p, end, root, 1, out) != 0 || jscan_skip_space(p, end) != end ||
	    (ctx->streamed == 1 && json_object_get(root, "ChangeBatch") != NULL)) {
		json_decref(root);
		return NULL;
	}
	return root;
}
