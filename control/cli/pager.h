/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The AWS CLI's client-side pagination for the list verbs: fetch page after
 * page until the listing ends or --max-items is reached, and print one joined
 * list, plus a NextToken (base64 of the next page's input tokens, as botocore
 * encodes it) when --max-items cut it short. Single-threaded.
 */
#ifndef CLI_PAGER_H
#define CLI_PAGER_H

#include <jansson.h>

#include "cli.h"

/*
 * One round trip, as the caller makes it (ctx is the caller's). Prints its own
 * errors. Returns a CLI_RC_* code; on CLI_RC_OK *result is a new reference.
 */
typedef int (*cli_call_fn)(void *ctx, const char *operation, json_t *params, json_t **result);

/*
 * List with verb->paging. params: the request's Params (not modified; its
 * MaxItems, from --page-size, is the page size). max_items: at most this many
 * items in all (0: all). starting_token: a NextToken printed before, or NULL.
 * Out: *out = {"<result key>": [...], "NextToken": "..." (only if cut short)}.
 * Returns CLI_RC_OK, CLI_RC_USAGE (bad --starting-token, message printed), or
 * what `call` returned; CLI_RC_FAILURE if the daemon keeps sending the same page.
 */
int cli_pager_list(const struct cli_verb *verb, json_t *params, long long max_items,
		   const char *starting_token, cli_call_fn call, void *ctx, json_t **out);

#endif /* CLI_PAGER_H */
