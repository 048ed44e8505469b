/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A verb's command line to the operation's Params, as the AWS CLI reads it:
 * --opt value and --opt=value, --flag / --no-flag, lists of values, file://
 * and fileb:// parameter files, inline JSON, shorthand Key=Value,Key=Value,
 * --cli-input-json, required options, Route 53 IDs reduced to their last
 * path element. Single-threaded.
 */
#ifndef CLI_PARAMS_H
#define CLI_PARAMS_H

#include <stdbool.h>

#include <jansson.h>

#include "cli.h"

struct cli_request {
	json_t *params;      /* the operation's Params (owned; json_decref it) */
	bool help;           /* "help" or --help was among the arguments: print help instead */
	bool wait;           /* --wait */
	double wait_timeout; /* --wait-timeout, seconds */
	long long max_items; /* --max-items; 0: all */
	const char *starting_token; /* --starting-token (points into argv), or NULL */
};

/*
 * Parse argv[0..argc) (the arguments after the verb) for `verb` into req.
 * On a bad command line, prints the AWS CLI's message to stderr.
 * Returns CLI_RC_OK (req->params set unless req->help), CLI_RC_USAGE, or
 * CLI_RC_FAILURE (out of memory, message printed).
 */
int cli_params_parse(const struct cli_verb *verb, int argc, char **argv, struct cli_request *req);

#endif /* CLI_PARAMS_H */
