/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The --query built-ins' argument checks, and the words of their errors:
 * whether an argument fits a signature's types, checked as jmespath.py
 * checks them, and its JMESPathTypeError, whose value is written as Python
 * writes it (str() of the value, repr() inside). Apart from the functions
 * (query_fn.c) because this part is jmespath.py's, not the specification's.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "query_pvt.h"

const char *const query_type_names[] = {
	[QT_ANY] = "any",
	[QT_NUMBER] = "number",
	[QT_STRING] = "string",
	[QT_BOOLEAN] = "boolean",
	[QT_ARRAY] = "array",
	[QT_OBJECT] = "object",
	[QT_NULL] = "null",
	[QT_EXPREF] = "expref",
	[QT_ARRAY_NUMBER] = "array-number",
	[QT_ARRAY_STRING] = "array-string",
};

/* A value's JMESPath type. */
enum query_type query_type_of(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_STRING:
		return QT_STRING;
	case JSON_INTEGER:
	case JSON_REAL:
		return QT_NUMBER;
	case JSON_TRUE:
	case JSON_FALSE:
		return QT_BOOLEAN;
	case JSON_ARRAY:
		return QT_ARRAY;
	case JSON_OBJECT:
		return QT_OBJECT;
	default:
		return QT_NULL;
	}
}

/* The Python type name jmespath.py reports for an array's element of a wrong type. */
const char *query_pytype(const json_t *v)
{
	static const char *const names[] = {
		[JSON_OBJECT] = "dict", [JSON_ARRAY] = "list",    [JSON_STRING] = "str",
		[JSON_INTEGER] = "int", [JSON_REAL] = "float",    [JSON_TRUE] = "bool",
		[JSON_FALSE] = "bool",  [JSON_NULL] = "NoneType",
	};
	return names[json_typeof(v)];
}

/* Python's repr() of a JSON value (str() at the top: a string unquoted), into m. */
static void check_repr(FILE *m, const json_t *v, bool top)
{
	const char *k, *s;
	json_t *e;
	size_t i, len;
	char q;

	switch (json_typeof(v)) {
	case JSON_STRING:
		s = json_string_value(v);
		len = json_string_length(v);
		if (top) {
			fwrite(s, 1, len, m);
			break;
		}
		/* single quotes unless the text has one and no double quote */
		q = memchr(s, '\'', len) != NULL && memchr(s, '"', len) == NULL ? '"' : '\'';
		fputc(q, m);
		for (i = 0; i < len; i++) {
			unsigned char c = (unsigned char)s[i];
			if (c == '\\' || c == (unsigned char)q)
				fprintf(m, "\\%c", c);
			else if (c == '\n' || c == '\r' || c == '\t')
				fprintf(m, "\\%c", c == '\n' ? 'n' : c == '\r' ? 'r' : 't');
			else if (c < 0x20 || c == 0x7f)
				fprintf(m, "\\x%02x", c);
			else
				fputc(c, m);
		}
		fputc(q, m);
		break;
	case JSON_ARRAY:
		fputc('[', m);
		json_array_foreach(v, i, e)
		{
			fputs(i > 0 ? ", " : "", m);
			check_repr(m, e, false);
		}
		fputc(']', m);
		break;
	case JSON_OBJECT:
		fputc('{', m);
		i = 0;
		json_object_foreach((json_t *)v, k, e)
		{
			json_t *key = json_string(k);
			fputs(i++ > 0 ? ", " : "", m);
			if (key != NULL)
				check_repr(m, key, false);
			json_decref(key);
			fputs(": ", m);
			check_repr(m, e, false);
		}
		fputc('}', m);
		break;
	default: { /* numbers, booleans and null read as Python's str() */
		char *text = cli_output_str(v);
		fputs(text != NULL ? text : "", m);
		free(text);
	}
	}
}

/* jmespath.py's JMESPathTypeError: value (NULL: an expression) of type `got` in fn. */
void query_type_error(struct query_ctx *ctx, const char *fn, const json_t *value, const char *got,
		      const enum query_type *types)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (m == NULL) {
		query_fail(ctx, "out of memory");
		return;
	}
	fprintf(m, "In function %s(), invalid type for value: ", fn);
	if (value != NULL)
		check_repr(m, value, true);
	else
		fputs("<jmespath.visitor._Expression object>", m);
	fputs(", expected one of: [", m);
	for (size_t i = 0; i < QUERY_PARAM_TYPES && types[i] != QT_ANY; i++)
		fprintf(m, "%s'%s'", i > 0 ? ", " : "", query_type_names[types[i]]);
	fprintf(m, "], received: \"%s\"", got);
	if (fclose(m) == 0)
		query_fail(ctx, "%s", buf);
	else
		query_fail(ctx, "out of memory");
	free(buf);
}

/* The element type an array-<type> names, or QT_ANY for other types. */
static enum query_type check_subtype(enum query_type t)
{
	return t == QT_ARRAY_NUMBER ? QT_NUMBER : t == QT_ARRAY_STRING ? QT_STRING : QT_ANY;
}

/*
 * Whether a fits the types of its parameter, as jmespath.py checks: its own
 * type first, then, for array-<type>, its elements: all of the one subtype
 * named, or, when two are, all of the first element's.
 */
bool query_arg_check(struct query_ctx *ctx, const char *fn, const struct query_arg *a,
		     const enum query_type *types)
{
	enum query_type got = a->ref != NULL ? QT_EXPREF : query_type_of(a->v), sub = QT_ANY;
	unsigned nsub = 0;
	bool fits = types[0] == QT_ANY;

	for (size_t i = 0; i < QUERY_PARAM_TYPES && types[i] != QT_ANY; i++) {
		enum query_type base = check_subtype(types[i]) != QT_ANY ? QT_ARRAY : types[i];
		fits |= base == got;
		if (check_subtype(types[i]) != QT_ANY && nsub++ == 0)
			sub = check_subtype(types[i]);
	}
	if (!fits) {
		query_type_error(ctx, fn, a->ref != NULL ? NULL : a->v, query_type_names[got],
				 types);
		return false;
	}
	if (nsub == 0 || json_array_size(a->v) == 0)
		return true;
	if (nsub > 1) { /* the first element chooses, among the subtypes named */
		json_t *first = json_array_get(a->v, 0);
		sub = query_type_of(first);
		if (sub != QT_NUMBER && sub != QT_STRING) {
			query_type_error(ctx, fn, first, query_pytype(first), types);
			return false;
		}
	}
	json_t *e;
	size_t i;
	json_array_foreach(a->v, i, e)
	{
		if (query_type_of(e) != sub) {
			query_type_error(ctx, fn, e, query_pytype(e), types);
			return false;
		}
	}
	return true;
}
