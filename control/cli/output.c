/* SPDX-License-Identifier: BSD-3-Clause */
/* The json and text printers, and the choice of printer (the table is in table.c). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "output.h"

int cli_output_format_parse(const char *name, enum cli_output_format *out)
{
	static const char *const names[] = {
		[CLI_OUTPUT_JSON] = "json",
		[CLI_OUTPUT_TABLE] = "table",
		[CLI_OUTPUT_TEXT] = "text",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(name, names[i]) == 0) {
			*out = (enum cli_output_format)i;
			return 0;
		}
	}
	return -EINVAL;
}

/* Python's repr() of a float: the shortest digits that read back, fixed form for 1e-4 <= |d| <
 * 1e16. */
static void output_repr_double(double d, char *buf, size_t cap)
{
	char tmp[40];
	int prec, exp;

	for (prec = 1; prec < 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, d);
	exp = atoi(strchr(tmp, 'e') + 1);
	if (exp < -4 || exp >= 16) {
		snprintf(buf, cap, "%s", tmp);
		return;
	}
	snprintf(buf, cap, "%.*f", prec - 1 - exp > 0 ? prec - 1 - exp : 0, d);
	if (strchr(buf, '.') == NULL)
		strncat(buf, ".0", cap - strlen(buf) - 1);
}

char *cli_output_str(const json_t *value)
{
	char buf[64];

	switch (json_typeof(value)) {
	case JSON_STRING:
		return strndup(json_string_value(value), json_string_length(value));
	case JSON_INTEGER:
		snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(value));
		return strdup(buf);
	case JSON_REAL:
		output_repr_double(json_real_value(value), buf, sizeof(buf));
		return strdup(buf);
	case JSON_TRUE:
		return strdup("True");
	case JSON_FALSE:
		return strdup("False");
	case JSON_NULL:
		return strdup("None");
	default:
		return json_dumps(value, JSON_COMPACT);
	}
}

/* A JSON string as Python's json.dumps(ensure_ascii=False) writes it. */
static void output_json_string(FILE *f, const char *s, size_t len)
{
	fputc('"', f);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (c) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		case '\b':
			fputs("\\b", f);
			break;
		case '\f':
			fputs("\\f", f);
			break;
		default:
			if (c < 0x20)
				fprintf(f, "\\u%04x", c);
			else
				fputc(c, f);
		}
	}
	fputc('"', f);
}

/* One value at nesting depth `depth` (the caller has written the indentation before it). */
static void output_json_value(FILE *f, const json_t *v, int depth)
{
	size_t i, n;

	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		const char *key;
		const json_t *member;

		if (json_object_size(v) == 0) {
			fputs("{}", f);
			return;
		}
		fputs("{\n", f);
		n = json_object_size(v);
		i = 0;
		json_object_foreach((json_t *)v, key, member)
		{
			fprintf(f, "%*s", (depth + 1) * 4, "");
			output_json_string(f, key, strlen(key));
			fputs(": ", f);
			output_json_value(f, member, depth + 1);
			fputs(++i < n ? ",\n" : "\n", f);
		}
		fprintf(f, "%*s}", depth * 4, "");
		return;
	}
	case JSON_ARRAY:
		n = json_array_size(v);
		if (n == 0) {
			fputs("[]", f);
			return;
		}
		fputs("[\n", f);
		for (i = 0; i < n; i++) {
			fprintf(f, "%*s", (depth + 1) * 4, "");
			output_json_value(f, json_array_get(v, i), depth + 1);
			fputs(i + 1 < n ? ",\n" : "\n", f);
		}
		fprintf(f, "%*s]", depth * 4, "");
		return;
	case JSON_STRING:
		output_json_string(f, json_string_value(v), json_string_length(v));
		return;
	case JSON_TRUE:
		fputs("true", f);
		return;
	case JSON_FALSE:
		fputs("false", f);
		return;
	case JSON_NULL:
		fputs("null", f);
		return;
	default: {
		char *s = cli_output_str(v);

		fputs(s != NULL ? s : "null", f);
		free(s);
	}
	}
}

void cli_output_json(FILE *f, const json_t *value)
{
	output_json_value(f, value, 0);
	fputc('\n', f);
}

static bool output_is_scalar(const json_t *v)
{
	return !json_is_object(v) && !json_is_array(v);
}

static int output_strcmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * The keys of obj (or, for an array, the union over its objects' keys) whose
 * values are scalar (want_scalar) or not, sorted and without repeats.
 * Out: *keys (malloc'd array of borrowed strings; free() it), *n.
 * Returns 0 or -ENOMEM.
 */
static int output_keys(const json_t *v, bool want_scalar, const char ***keys, size_t *n)
{
	size_t cap = 0, count = 0, i, j;
	const char **out = NULL;

	for (i = 0; i < (json_is_array(v) ? json_array_size(v) : 1); i++) {
		const json_t *obj = json_is_array(v) ? json_array_get(v, i) : v;
		const char *key;
		json_t *member;

		if (!json_is_object(obj))
			continue;
		json_object_foreach((json_t *)obj, key, member)
		{
			if (output_is_scalar(member) != want_scalar)
				continue;
			if (count == cap) {
				const char **grown =
					realloc(out, (cap = cap * 2 + 8) * sizeof(*out));

				if (grown == NULL) {
					free(out);
					return -ENOMEM;
				}
				out = grown;
			}
			out[count++] = key;
		}
	}
	if (count > 0)
		qsort(out, count, sizeof(*out), output_strcmp);
	for (i = j = 0; i < count; i++) {
		if (j == 0 || strcmp(out[j - 1], out[i]) != 0)
			out[j++] = out[i];
	}
	*keys = out;
	*n = j;
	return 0;
}

static void output_upper(FILE *f, const char *s)
{
	for (; *s != '\0'; s++)
		fputc(*s >= 'a' && *s <= 'z' ? *s - 'a' + 'A' : *s, f);
}

/* One scalar as str() has it; `sep` before it unless NULL. */
static int output_text_scalar(FILE *f, const char *sep, const json_t *v)
{
	char *s = cli_output_str(v);

	if (s == NULL)
		return -ENOMEM;
	if (sep != NULL)
		fputs(sep, f);
	fputs(s, f);
	free(s);
	return 0;
}

static int output_text_item(FILE *f, const json_t *item, const char *ident,
			    const char **scalar_keys, size_t nscalar);

/*
 * An object as the AWS CLI's text output has it: its scalars on one line
 * (after the upper-cased identifier, if any), then each non-scalar member
 * under its own key. scalar_keys, when given (the object is a list item),
 * fixes the columns: the union of the list's scalar keys, "" where absent.
 */
static int output_text_object(FILE *f, const json_t *obj, const char *ident,
			      const char **scalar_keys, size_t nscalar)
{
	const char **keys = scalar_keys, **more = NULL;
	size_t nkeys = nscalar, nmore = 0, i;
	int rc = 0;

	if (keys == NULL && output_keys(obj, true, &keys, &nkeys) < 0)
		return -ENOMEM;
	if (output_keys(obj, false, &more, &nmore) < 0) {
		rc = -ENOMEM;
		goto out;
	}
	if (nkeys > 0 && ident != NULL) {
		output_upper(f, ident);
		fputc('\t', f);
	}
	for (i = 0; i < nkeys && rc == 0; i++) {
		const json_t *member = json_object_get(obj, keys[i]);

		if (member != NULL)
			rc = output_text_scalar(f, i > 0 ? "\t" : NULL, member);
		else if (i > 0)
			fputc('\t', f);
	}
	if (nkeys > 0)
		fputc('\n', f);
	for (i = 0; i < nmore && rc == 0; i++) {
		bool listed = false;

		/* A key scalar elsewhere in the list was printed as a column already. */
		for (size_t k = 0; scalar_keys != NULL && k < nscalar; k++)
			listed |= strcmp(scalar_keys[k], more[i]) == 0;
		if (!listed)
			rc = output_text_item(f, json_object_get(obj, more[i]), more[i], NULL, 0);
	}
out:
	if (keys != scalar_keys)
		free(keys);
	free(more);
	return rc;
}

/* A list: objects one line each, scalars one line each after the identifier. */
static int output_text_array(FILE *f, const json_t *arr, const char *ident)
{
	size_t i, n = json_array_size(arr), nobj = 0, narr = 0;
	bool first = true;
	int rc = 0;

	for (i = 0; i < n; i++) {
		nobj += json_is_object(json_array_get(arr, i));
		narr += json_is_array(json_array_get(arr, i));
	}
	if (nobj > 0) {
		const char **keys;
		size_t nkeys;

		if (output_keys(arr, true, &keys, &nkeys) < 0)
			return -ENOMEM;
		for (i = 0; i < n && rc == 0; i++)
			rc = output_text_item(f, json_array_get(arr, i), ident, keys, nkeys);
		free(keys);
		return rc;
	}
	/* Scalars first (one line per item after an identifier, else one tab-joined line). */
	for (i = 0; i < n && rc == 0; i++) {
		const json_t *el = json_array_get(arr, i);

		if (!output_is_scalar(el))
			continue;
		if (ident != NULL) {
			output_upper(f, ident);
			rc = output_text_scalar(f, "\t", el);
			fputc('\n', f);
		} else {
			rc = output_text_scalar(f, first ? NULL : "\t", el);
			first = false;
		}
	}
	if (ident == NULL && !first)
		fputc('\n', f);
	for (i = 0; i < n && rc == 0 && narr > 0; i++) {
		if (json_is_array(json_array_get(arr, i)))
			rc = output_text_item(f, json_array_get(arr, i), ident, NULL, 0);
	}
	return rc;
}

static int output_text_item(FILE *f, const json_t *item, const char *ident,
			    const char **scalar_keys, size_t nscalar)
{
	int rc;

	if (json_is_object(item))
		return output_text_object(f, item, ident, scalar_keys, nscalar);
	if (json_is_array(item))
		return output_text_array(f, item, ident);
	rc = output_text_scalar(f, NULL, item);
	fputc('\n', f);
	return rc;
}

/*
 * The text output of a paginated list: only the result key, as the AWS CLI
 * prints its paginator's result keys; the daemon's Next* paging members, if
 * any, follow as one NEXTTOKEN line like the AWS CLI's resume token.
 */
static int output_text_paginated(FILE *f, json_t *result, const char *result_key)
{
	json_t *page = json_object(), *next = json_object(), *wrap = json_object();
	json_t *list = json_object_get(result, result_key);
	const char *key;
	json_t *member;
	int rc = -ENOMEM;

	if (page == NULL || next == NULL || wrap == NULL)
		goto out;
	if (list != NULL && json_object_set(page, result_key, list) < 0)
		goto out;
	json_object_foreach(result, key, member)
	{
		if (strncmp(key, "Next", 4) == 0 && json_object_set(next, key, member) < 0)
			goto out;
	}
	rc = output_text_item(f, page, NULL, NULL, 0);
	if (rc == 0 && json_object_size(next) > 0 && json_object_set(wrap, "NextToken", next) == 0)
		rc = output_text_item(f, wrap, NULL, NULL, 0);
out:
	json_decref(page);
	json_decref(next);
	json_decref(wrap);
	return rc;
}

/* The terminal's width, or 80 when stdout is not a terminal (as the AWS CLI decides). */
static int output_term_width(FILE *f)
{
	struct winsize ws;

	if (ioctl(fileno(f), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}

int cli_output_print(FILE *f, enum cli_output_format format, const char *operation,
		     const char *result_key, json_t *result)
{
	if (json_is_object(result) && json_object_size(result) == 0)
		return 0;
	switch (format) {
	case CLI_OUTPUT_TABLE:
		return cli_output_table(f, operation, result, output_term_width(f));
	case CLI_OUTPUT_TEXT:
		if (result_key != NULL && json_is_object(result))
			return output_text_paginated(f, result, result_key);
		return output_text_item(f, result, NULL, NULL, 0);
	case CLI_OUTPUT_JSON:
	default:
		cli_output_json(f, result);
		return 0;
	}
}
