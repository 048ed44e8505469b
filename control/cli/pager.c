/* SPDX-License-Identifier: BSD-3-Clause */
/* Client-side pagination of the list verbs, as botocore's paginators do it. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "pager.h"

#define PAGER_MAX_PAGES 1000000 /* a daemon that never ends a listing is a bug */

static const char pager_b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Standard base64 with padding. Returns a malloc'd string or NULL. */
static char *pager_b64_encode(const char *in, size_t len)
{
	char *out = malloc((len + 2) / 3 * 4 + 1), *o = out;

	for (size_t i = 0; out != NULL && i < len; i += 3) {
		unsigned v = (unsigned char)in[i] << 16;

		v |= i + 1 < len ? (unsigned char)in[i + 1] << 8 : 0;
		v |= i + 2 < len ? (unsigned char)in[i + 2] : 0;
		*o++ = pager_b64[v >> 18 & 63];
		*o++ = pager_b64[v >> 12 & 63];
		*o++ = i + 1 < len ? pager_b64[v >> 6 & 63] : '=';
		*o++ = i + 2 < len ? pager_b64[v & 63] : '=';
	}
	if (out != NULL)
		*o = '\0';
	return out;
}

/* Decode standard base64 (padding optional). Returns a malloc'd string, or NULL if malformed. */
static char *pager_b64_decode(const char *in, size_t *len)
{
	size_t n = strlen(in);
	char *out = malloc(n / 4 * 3 + 4);
	unsigned v = 0, bits = 0;

	*len = 0;
	for (size_t i = 0; out != NULL && i < n && in[i] != '='; i++) {
		const char *p = strchr(pager_b64, in[i]);

		if (p == NULL || in[i] == '\0') {
			free(out);
			return NULL;
		}
		v = v << 6 | (unsigned)(p - pager_b64);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[(*len)++] = (char)(v >> bits & 0xff);
		}
	}
	if (out != NULL)
		out[*len] = '\0';
	return out;
}

/* Put the input tokens of `tokens` ({"StartRecordName": ..., ...}) into params (null: absent). */
static void pager_resume(const struct cli_paging *pg, json_t *params, json_t *tokens)
{
	for (int k = 0; k < CLI_PAGING_TOKENS && pg->input[k] != NULL; k++) {
		json_t *v = json_object_get(tokens, pg->input[k]);

		if (json_is_string(v))
			json_object_set(params, pg->input[k], v);
		else
			json_object_del(params, pg->input[k]);
	}
}

/* --starting-token into params. Returns 0 or CLI_RC_USAGE (message printed). */
static int pager_start(const struct cli_paging *pg, json_t *params, const char *token)
{
	size_t len;
	char *text = pager_b64_decode(token, &len);
	json_t *tokens = text != NULL ? json_loadb(text, len, 0, NULL) : NULL;

	free(text);
	if (!json_is_object(tokens)) {
		json_decref(tokens);
		return cli_param_error("--starting-token", "Invalid token: %s", token);
	}
	pager_resume(pg, params, tokens);
	json_decref(tokens);
	return 0;
}

/* The next page's input tokens from a truncated page, or NULL if it names none. */
static json_t *pager_next(const struct cli_paging *pg, json_t *page)
{
	json_t *next = json_object();
	bool any = false;

	for (int k = 0; next != NULL && k < CLI_PAGING_TOKENS && pg->input[k] != NULL; k++) {
		json_t *v = json_object_get(page, pg->output[k]);

		any |= json_is_string(v);
		json_object_set_new(next, pg->input[k],
				    json_is_string(v) ? json_copy(v) : json_null());
	}
	if (!any) {
		json_decref(next);
		return NULL;
	}
	return next;
}

int cli_pager_list(const struct cli_verb *verb, json_t *params, long long max_items,
		   const char *starting_token, cli_call_fn call, void *ctx, json_t **out)
{
	const struct cli_paging *pg = &verb->paging;
	json_t *req = json_deep_copy(params), *items = json_array(), *next = NULL;
	json_int_t page_size = json_integer_value(json_object_get(params, "MaxItems"));
	char *token = NULL, *prev = NULL;
	int rc = CLI_RC_FAILURE;

	if (req == NULL || items == NULL)
		goto out;
	if (starting_token != NULL && (rc = pager_start(pg, req, starting_token)) != CLI_RC_OK)
		goto out;
	for (long pages = 0;; pages++) {
		json_t *page = NULL;
		char *cur;

		if (max_items > 0) {
			long long left = max_items - (long long)json_array_size(items);

			json_object_set_new(
				req, "MaxItems",
				json_integer(page_size > 0 && page_size < left ? page_size : left));
		}
		rc = call(ctx, verb->operation, req, &page);
		if (rc != CLI_RC_OK)
			goto out;
		if (json_is_array(json_object_get(page, pg->result_key)))
			json_array_extend(items, json_object_get(page, pg->result_key));
		json_decref(next);
		next = json_is_true(json_object_get(page, "IsTruncated")) ? pager_next(pg, page)
									  : NULL;
		json_decref(page);
		if (next == NULL)
			break;
		cur = json_dumps(next, 0);
		if (max_items > 0 && (long long)json_array_size(items) >= max_items) {
			token = cur != NULL ? pager_b64_encode(cur, strlen(cur)) : NULL;
			free(cur);
			break;
		}
		if (cur == NULL || (prev != NULL && strcmp(prev, cur) == 0) ||
		    pages >= PAGER_MAX_PAGES) {
			fprintf(stderr,
				"\nmvdns-control keeps answering %s with the same page: %s\n",
				verb->operation, cur != NULL ? cur : "(out of memory)");
			free(cur);
			rc = CLI_RC_FAILURE;
			goto out;
		}
		free(prev);
		prev = cur;
		pager_resume(pg, req, next);
	}
	*out = json_pack("{s:O}", pg->result_key, items);
	if (*out != NULL && token != NULL)
		json_object_set_new(*out, "NextToken", json_string(token));
	rc = *out != NULL ? CLI_RC_OK : CLI_RC_FAILURE;
out:
	free(token);
	free(prev);
	json_decref(next);
	json_decref(items);
	json_decref(req);
	return rc;
}
