/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The AWS CLI's table output: the response becomes a list of sections (a
 * title, optional column headers, rows of cells, a nesting depth), which are
 * then drawn to the width of the widest, each section's columns scaled to fill
 * it. Sections are built from the JSON as the AWS CLI builds them: an object's
 * scalar members form one row under sorted headers (a lone scalar becomes a
 * "key | value" row), a list of objects one row per item, and every
 * non-scalar member a nested section titled with its key.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"

struct table_section {
	char *title; /* "" for none */
	int indent;
	size_t ncols;  /* fixed by the first header or row */
	char **header; /* [ncols], NULL without headers */
	size_t nrows, cap;
	char **cells; /* [nrows * ncols] */
	size_t *maxw; /* [ncols] widest text in each column */
};

struct table {
	struct table_section *sec;
	size_t n, cap;
	bool nomem; /* sticky: an allocation failed, the table is incomplete */
};

/* Display width of UTF-8 text: one column per code point, two for East Asian wide ones. */
static size_t table_text_width(const char *s)
{
	size_t w = 0;

	while (*s != '\0') {
		unsigned char c = (unsigned char)*s;
		uint32_t cp = c;
		int extra = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;

		if (extra > 0)
			cp = c & (0x3f >> extra);
		s++;
		for (; extra > 0 && (*s & 0xc0) == 0x80; extra--)
			cp = cp << 6 | (*s++ & 0x3f);
		w += (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) ||
				     (cp >= 0xac00 && cp <= 0xd7a3) ||
				     (cp >= 0xf900 && cp <= 0xfaff) ||
				     (cp >= 0xfe30 && cp <= 0xfe4f) ||
				     (cp >= 0xff00 && cp <= 0xff60) ||
				     (cp >= 0xffe0 && cp <= 0xffe6) ||
				     (cp >= 0x1f300 && cp <= 0x1f64f) ||
				     (cp >= 0x20000 && cp <= 0x3fffd)
			     ? 2
			     : 1;
	}
	return w;
}

static void table_free(struct table *t)
{
	for (size_t i = 0; i < t->n; i++) {
		struct table_section *s = &t->sec[i];

		free(s->title);
		for (size_t c = 0; s->header != NULL && c < s->ncols; c++)
			free(s->header[c]);
		for (size_t c = 0; c < s->nrows * s->ncols; c++)
			free(s->cells[c]);
		free(s->header);
		free(s->cells);
		free(s->maxw);
	}
	free(t->sec);
}

/* Start a section; later headers and rows go to it. */
static void table_new_section(struct table *t, const char *title, int indent)
{
	struct table_section *s;

	if (t->n == t->cap) {
		size_t cap = t->cap * 2 + 8;
		struct table_section *grown = realloc(t->sec, cap * sizeof(*grown));

		if (grown == NULL) {
			t->nomem = true;
			return;
		}
		t->sec = grown;
		t->cap = cap;
	}
	s = &t->sec[t->n++];
	memset(s, 0, sizeof(*s));
	s->title = strdup(title != NULL ? title : "");
	s->indent = indent;
	s->ncols = SIZE_MAX;
	t->nomem |= s->title == NULL;
}

static struct table_section *table_current(struct table *t)
{
	if (t->n == 0)
		table_new_section(t, "", 0);
	return t->n > 0 ? &t->sec[t->n - 1] : NULL;
}

/* Fix the column count of s on first use. */
static bool table_columns(struct table *t, struct table_section *s, size_t n)
{
	if (s->ncols != SIZE_MAX)
		return true;
	s->ncols = n;
	s->maxw = calloc(n + 1, sizeof(*s->maxw));
	t->nomem |= s->maxw == NULL;
	return s->maxw != NULL;
}

/* Add a row (header: as the column headers) of n owned strings; too many cells are dropped. */
static void table_add(struct table *t, char **cells, size_t n, bool header)
{
	struct table_section *s = table_current(t);
	size_t c;

	if (s == NULL || !table_columns(t, s, n))
		goto drop;
	if (header) {
		for (c = 0; s->header != NULL && c < s->ncols; c++)
			free(s->header[c]);
		free(s->header);
		s->header = calloc(s->ncols + 1, sizeof(char *));
	} else if (s->nrows == s->cap) {
		size_t cap = s->cap * 2 + 4;
		char **grown = realloc(s->cells, cap * (s->ncols + 1) * sizeof(char *));

		if (grown != NULL) {
			s->cells = grown;
			s->cap = cap;
		}
	}
	if ((header && s->header == NULL) || (!header && s->nrows == s->cap)) {
		t->nomem = true;
		goto drop;
	}
	for (c = 0; c < s->ncols; c++) {
		char *text = c < n ? cells[c] : strdup("");
		size_t w;

		if (text == NULL) {
			t->nomem = true;
			text = strdup("");
		}
		w = text != NULL ? table_text_width(text) : 0;
		if (w > s->maxw[c])
			s->maxw[c] = w;
		if (header)
			s->header[c] = text;
		else
			s->cells[s->nrows * s->ncols + c] = text;
	}
	s->nrows += !header;
	for (c = s->ncols; c < n; c++)
		free(cells[c]);
	return;
drop:
	for (c = 0; c < n; c++)
		free(cells[c]);
}

/* Python's truth value of a JSON value: null, false, 0, "", [] and {} are false. */
static bool table_truthy(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return json_object_size(v) > 0;
	case JSON_ARRAY:
		return json_array_size(v) > 0;
	case JSON_STRING:
		return json_string_length(v) > 0;
	case JSON_INTEGER:
		return json_integer_value(v) != 0;
	case JSON_REAL:
		return json_real_value(v) != 0;
	case JSON_TRUE:
		return true;
	default:
		return false;
	}
}

static bool table_scalar(const json_t *v)
{
	return !json_is_object(v) && !json_is_array(v);
}

static int table_strcmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorted, distinct keys of the objects in v (an object or a list) with scalar values or not. */
static size_t table_keys(struct table *t, const json_t *v, bool scalar, const char ***out)
{
	size_t n = 0, cap = 0, i, j;
	const char **keys = NULL;

	for (i = 0; i < (json_is_array(v) ? json_array_size(v) : 1); i++) {
		json_t *obj = json_is_array(v) ? json_array_get(v, i) : (json_t *)v;
		const char *key;
		json_t *member;

		json_object_foreach(obj, key, member)
		{
			if (table_scalar(member) != scalar)
				continue;
			if (n == cap) {
				const char **grown =
					realloc(keys, (cap = cap * 2 + 8) * sizeof(*keys));

				if (grown == NULL) {
					t->nomem = true;
					break;
				}
				keys = grown;
			}
			keys[n++] = key;
		}
	}
	if (n > 0)
		qsort(keys, n, sizeof(*keys), table_strcmp);
	for (i = j = 0; i < n; i++) {
		if (j == 0 || strcmp(keys[j - 1], keys[i]) != 0)
			keys[j++] = keys[i];
	}
	*out = keys;
	return j;
}

/* A row or header of the given keys (as_values: the members' str() under obj, "" if absent). */
static void table_add_keys(struct table *t, const json_t *obj, const char **keys, size_t n,
			   bool as_values, bool header)
{
	char **cells = calloc(n + 1, sizeof(char *));

	if (cells == NULL) {
		t->nomem = true;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const json_t *member = json_object_get(obj, keys[i]);

		cells[i] = !as_values ? strdup(keys[i])
			   : member   ? cli_output_str(member)
				      : strdup("");
	}
	table_add(t, cells, n, header);
	free(cells);
}

static bool table_build(struct table *t, const char *title, const json_t *cur, int indent);

/* An object: its scalar members as one row (or one "key | value" row), the rest nested. */
static void table_from_object(struct table *t, const json_t *obj, int indent)
{
	const char **keys, **more;
	size_t nkeys = table_keys(t, obj, true, &keys);
	size_t nmore = table_keys(t, obj, false, &more);

	if (nkeys == 1) {
		char *cells[2] = {strdup(keys[0]), cli_output_str(json_object_get(obj, keys[0]))};

		table_add(t, cells, 2, false);
	} else if (nkeys > 1) {
		table_add_keys(t, obj, keys, nkeys, false, true);
		table_add_keys(t, obj, keys, nkeys, true, false);
	}
	for (size_t i = 0; i < nmore; i++)
		table_build(t, more[i], json_object_get(obj, more[i]), indent + 1);
	free(keys);
	free(more);
}

/*
 * A list of objects: one header of every scalar key, one row per item; when
 * items have non-scalar members, each item gets its own section (repeating
 * the title and header) followed by its nested sections.
 */
static void table_from_list(struct table *t, const json_t *list, int indent, const char *title)
{
	const char **keys, **more;
	size_t nkeys = table_keys(t, list, true, &keys);
	size_t nmore = table_keys(t, list, false, &more);

	table_add_keys(t, NULL, keys, nkeys, false, true);
	for (size_t i = 0; i < json_array_size(list); i++) {
		const json_t *item = json_array_get(list, i);

		if (i > 0 && nmore > 0) {
			table_new_section(t, title, indent);
			table_add_keys(t, NULL, keys, nkeys, false, true);
		}
		table_add_keys(t, json_is_object(item) ? item : NULL, keys, nkeys, true, false);
		for (size_t m = 0; m < nmore; m++) {
			const json_t *member = json_object_get(item, more[m]);

			if (member != NULL)
				table_build(t, more[m], member, indent + 1);
		}
	}
	free(keys);
	free(more);
}

/* Add cur under a new section `title` (NULL: into the current one). False if cur is empty. */
static bool table_build(struct table *t, const char *title, const json_t *cur, int indent)
{
	if (!table_truthy(cur))
		return false;
	if (title != NULL)
		table_new_section(t, title, indent);
	if (json_is_array(cur) && json_is_object(json_array_get(cur, 0))) {
		table_from_list(t, cur, indent, title);
	} else if (json_is_array(cur)) {
		for (size_t i = 0; i < json_array_size(cur); i++) {
			const json_t *item = json_array_get(cur, i);
			size_t n = json_is_array(item) ? json_array_size(item) : 1, c;
			bool flat = table_scalar(item);
			char **cells;

			for (c = 0; json_is_array(item) && c < n; c++)
				flat = c == 0 ? table_scalar(json_array_get(item, c))
					      : flat && table_scalar(json_array_get(item, c));
			if (json_is_array(item) && n == 0)
				flat = true;
			if (!flat) {
				table_build(t, NULL, item, 0);
				continue;
			}
			cells = calloc(n + 1, sizeof(char *));
			if (cells == NULL) {
				t->nomem = true;
				return true;
			}
			for (c = 0; c < n; c++)
				cells[c] = cli_output_str(
					json_is_array(item) ? json_array_get(item, c) : item);
			table_add(t, cells, n, false);
			free(cells);
		}
	} else if (json_is_object(cur)) {
		table_from_object(t, cur, indent);
	}
	return true;
}

/* Width a section needs: its columns plus 4 each, its border, 2 per nesting level. */
static size_t table_section_width(const struct table_section *s)
{
	size_t total = 2 + 2 * (size_t)s->indent, title;

	for (size_t c = 0; s->ncols != SIZE_MAX && c < s->ncols; c++)
		total += s->maxw[c] + 4;
	title = table_text_width(s->title) + 2 + 2 * (size_t)s->indent;
	return title > total ? title : total;
}

/* The columns' widths scaled (rounding half to even) so that they add up to exactly `width`. */
static void table_widths(const struct table_section *s, long width, long *out)
{
	long sum = 0, off = 0, total;
	size_t c, n = s->ncols;

	for (c = 0; c < n; c++)
		sum += (long)s->maxw[c] + 4;
	for (c = 0; c < n; c++) {
		out[c] = (long)nearbyint(width / (double)sum * (double)(s->maxw[c] + 4));
		off += out[c];
	}
	for (total = off, off = total - width; off != 0;) {
		for (c = 0; c < n && off != 0; c++) {
			size_t i = off > 0 ? c : n - 1 - c;

			out[i] += off > 0 ? -1 : 1;
			off += off > 0 ? -1 : 1;
		}
	}
}

static void table_repeat(FILE *f, char ch, long n)
{
	for (; n > 0; n--)
		fputc(ch, f);
}

/* `text` centered in `len` columns between the edges (left may be empty). */
static void table_center(FILE *f, const char *text, long len, const char *left)
{
	long tl = (long)table_text_width(text), start = len / 2 - tl / 2 - 1;

	fputs(left, f);
	table_repeat(f, ' ', start);
	fputs(text, f);
	table_repeat(f, ' ', len - 1 - ((long)strlen(left) + start + tl));
	fputc('|', f);
}

/* `text` left-aligned after two spaces (none if it would not fit) in `len` columns. */
static void table_left(FILE *f, const char *text, long len, const char *left)
{
	long tl = (long)table_text_width(text), lw = (long)strlen(left);
	long pad = len - (tl + 2 + lw + 1) >= 0 ? 2 : 0;

	fputs(left, f);
	table_repeat(f, ' ', pad);
	fputs(text, f);
	table_repeat(f, ' ', len - (lw + pad + tl) - 1);
	fputc('|', f);
}

/* +-----+------+ over the given column widths, inside the section's indentation. */
static void table_rule(FILE *f, const long *w, size_t n, int indent)
{
	table_repeat(f, '|', indent);
	for (size_t c = 0; c < n; c++) {
		if (c == 0) {
			fputc('+', f);
			table_repeat(f, '-', w[c] - 2);
		} else {
			table_repeat(f, '-', w[c] - 1);
		}
		fputc('+', f);
	}
	table_repeat(f, '|', indent);
	fputc('\n', f);
}

static void table_render_section(FILE *f, const struct table_section *s, long width, long *w)
{
	size_t n = s->ncols == SIZE_MAX ? 0 : s->ncols, r, c;

	width -= 2 * s->indent;
	if (s->title[0] != '\0') {
		table_repeat(f, '|', s->indent);
		table_center(f, s->title, width, "|");
		table_repeat(f, '|', s->indent);
		fputc('\n', f);
		if (s->header == NULL && s->nrows == 0) {
			table_repeat(f, '|', s->indent);
			fputc('+', f);
			table_repeat(f, '-', width - 2);
			fputs("+", f);
			table_repeat(f, '|', s->indent);
			fputc('\n', f);
		}
	}
	if (n == 0)
		return;
	table_widths(s, width, w);
	if (s->header != NULL) {
		table_rule(f, w, n, s->indent);
		table_repeat(f, '|', s->indent);
		for (c = 0; c < n; c++)
			table_center(f, s->header[c], w[c], c == 0 ? "|" : "");
		table_repeat(f, '|', s->indent);
		fputc('\n', f);
	}
	if (s->nrows == 0)
		return;
	table_rule(f, w, n, s->indent);
	for (r = 0; r < s->nrows; r++) {
		table_repeat(f, '|', s->indent);
		for (c = 0; c < n; c++)
			table_left(f, s->cells[r * n + c], w[c], c == 0 ? "|" : "");
		table_repeat(f, '|', s->indent);
		fputc('\n', f);
	}
	table_rule(f, w, n, s->indent);
}

/* Turn every one-row section with headers into "header | value" rows (for narrow terminals). */
static void table_verticalize(struct table *t)
{
	for (size_t i = 0; i < t->n; i++) {
		struct table_section *s = &t->sec[i], v = {0};
		struct table tmp = {.sec = &v, .n = 1, .cap = 1};

		if (s->nrows != 1 || s->header == NULL || s->ncols == 0)
			continue;
		v.title = s->title;
		v.indent = s->indent;
		v.ncols = SIZE_MAX;
		for (size_t c = 0; c < s->ncols; c++) {
			char *cells[2] = {s->header[c], s->cells[c]};

			table_add(&tmp, cells, 2, false);
		}
		t->nomem |= tmp.nomem;
		free(s->header);
		free(s->cells);
		free(s->maxw);
		*s = v;
	}
}

static long table_width(const struct table *t)
{
	size_t width = 0;

	for (size_t i = 0; i < t->n; i++) {
		size_t w = table_section_width(&t->sec[i]);

		width = w > width ? w : width;
	}
	return (long)width;
}

int cli_output_table(FILE *f, const char *title, json_t *value, int term_width)
{
	struct table t = {0};
	size_t maxcols = 0;
	long width, *w;
	int rc = 0;

	if (!table_build(&t, title, value, 0))
		return 0;
	width = table_width(&t);
	if (width > term_width) {
		table_verticalize(&t);
		width = table_width(&t);
	}
	for (size_t i = 0; i < t.n; i++)
		if (t.sec[i].ncols != SIZE_MAX && t.sec[i].ncols > maxcols)
			maxcols = t.sec[i].ncols;
	w = calloc(maxcols + 1, sizeof(*w));
	if (w == NULL || t.nomem) {
		rc = -ENOMEM;
		goto out;
	}
	table_repeat(f, '-', width);
	fputc('\n', f);
	for (size_t i = 0; i < t.n; i++)
		table_render_section(f, &t.sec[i], width, w);
out:
	free(w);
	table_free(&t);
	return rc;
}
