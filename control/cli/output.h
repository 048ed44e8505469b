/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mvdnsctl's printers for a response's Result, each shaped like the AWS CLI's
 * output of the same name: json (4-space indent, keys in the daemon's order),
 * table (boxed sections titled with the operation name) and text (tab
 * separated, lists one line per item prefixed with the upper-cased key).
 * They walk any JSON value; nothing is specific to one operation.
 * Single-threaded; no state kept between calls.
 */
#ifndef CLI_OUTPUT_H
#define CLI_OUTPUT_H

#include <stdio.h>

#include <jansson.h>

enum cli_output_format {
	CLI_OUTPUT_JSON,
	CLI_OUTPUT_TABLE,
	CLI_OUTPUT_TEXT,
};

/* "json", "table" or "text" to its format. Returns 0 or -EINVAL. */
int cli_output_format_parse(const char *name, enum cli_output_format *out);

/*
 * Print `result` (the response's Result) to f in `format`.
 * operation: the API action ("ListResourceRecordSets"), the table's title.
 * result_key: for the list operations the AWS CLI paginates, the member the
 * text output keeps ("ResourceRecordSets"), as the AWS CLI keeps only its
 * paginator's result key there; NULL for the others.
 * An empty object prints nothing, as with the AWS CLI.
 * Returns 0, or -ENOMEM (output possibly incomplete).
 */
int cli_output_print(FILE *f, enum cli_output_format format, const char *operation,
		     const char *result_key, json_t *result);

/*
 * The text Python's str() gives a scalar in the AWS CLI's table and text
 * output: strings as they are, True/False/None, integers, floats in their
 * shortest round-trip form (1.5, 100000.0, 1e+16). A non-scalar is printed
 * as compact JSON. Returns a malloc'd string or NULL (ENOMEM).
 */
char *cli_output_str(const json_t *value);

/* Print `value` to f as the AWS CLI's json output does (4-space indent, UTF-8 as is). */
void cli_output_json(FILE *f, const json_t *value);

/*
 * Render `value` as the AWS CLI's table output with `title` as the top title,
 * fitting a terminal `term_width` columns wide (sections are turned vertical
 * when wider). Prints nothing for an empty or false value.
 * Returns 0 or -ENOMEM. (table.c)
 */
int cli_output_table(FILE *f, const char *title, json_t *value, int term_width);

#endif /* CLI_OUTPUT_H */
