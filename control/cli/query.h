/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * --query: the AWS CLI's JMESPath filter over a result before it is printed.
 * The part of JMESPath that scripts use: identifiers (bare or "quoted"),
 * sub-expressions (a.b), indexes ([0], [-1]), slices ([1:3], [::-1]),
 * projections ([*], [], .*,
 * [?filter]), multiselect lists and hashes ([a, b], {X: a, Y: b}), pipes,
 * comparisons (== != < <= > >=), && || !, literals ('raw', `json`), @, and
 * every built-in function of the specification, with expression references
 * (&expr) for map, sort_by, min_by and max_by.
 */
#ifndef MV_CLI_QUERY_H
#define MV_CLI_QUERY_H

#include <jansson.h>

struct cli_query; /* a compiled expression */

/*
 * Compile expr. On error returns NULL and writes the AWS CLI's kind of
 * message ("Bad jmespath expression: ...") into err.
 */
struct cli_query *cli_query_compile(const char *expr, char *err, size_t errlen);

/*
 * The expression applied to doc: a new reference (json_null() for no
 * match). On error returns NULL and writes into err what jmespath.py says
 * when the AWS CLI evaluates its --query (an unknown function, a wrong
 * number of arguments, an argument of a wrong type), or "out of memory".
 */
json_t *cli_query_apply(const struct cli_query *q, json_t *doc, char *err, size_t errlen);

void cli_query_free(struct cli_query *q);

#endif /* MV_CLI_QUERY_H */
