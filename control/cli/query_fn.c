/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The --query built-in functions: every function of the JMESPath
 * specification, with jmespath.py's semantics and errors, since that is
 * what the AWS CLI evaluates --query with. One table gives each function's
 * arity and argument types; query_fn_call checks a call against it as
 * jmespath.py does (unknown function, then arity, then each argument's type,
 * in query_fn_check.c) before the function runs, so the functions
 * themselves only compute.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "query_pvt.h"

struct fn_def;

/* One call of a built-in, its arguments checked against its signature. */
struct fn_call {
	struct query_ctx *ctx;
	const struct fn_def *def;
	const struct query_arg *a;
	size_t n;
};

struct fn_def {
	const char *name;
	json_t *(*impl)(const struct fn_call *c); /* NULL only on ENOMEM */
	int mode;         /* for an impl two functions share: which one (see each) */
	unsigned nparams; /* 1 or 2 */
	bool variadic;    /* the last parameter repeats: at least nparams arguments */
	enum query_type param[2][QUERY_PARAM_TYPES]; /* in jmespath.py's order */
};

/* Python's order of two numbers or two strings (code points: UTF-8's byte order). */
static int fn_cmp(const json_t *x, const json_t *y)
{
	if (json_is_string(x)) {
		size_t lx = json_string_length(x), ly = json_string_length(y);
		int c = memcmp(json_string_value(x), json_string_value(y), lx < ly ? lx : ly);
		return c != 0 ? c : (lx > ly) - (lx < ly);
	}
	if (json_is_integer(x) && json_is_integer(y))
		return (json_integer_value(x) > json_integer_value(y)) -
		       (json_integer_value(x) < json_integer_value(y));
	double a = json_number_value(x), b = json_number_value(y);
	return (a > b) - (a < b);
}

/* An element and its sort key; the index keeps equal keys in their order. */
struct fn_keyed {
	json_t *elem, *key;
	size_t index;
};

/* By key, then by index: a stable sort whatever qsort's algorithm. */
static int fn_keyed_cmp(const void *a, const void *b)
{
	const struct fn_keyed *x = a, *y = b;
	int c = fn_cmp(x->key, y->key);

	return c != 0 ? c : (x->index > y->index) - (x->index < y->index);
}

/* keyed (len entries, keys owned) sorted, as a new array of its elements; keys released. */
static json_t *fn_sorted(struct fn_keyed *keyed, size_t len)
{
	json_t *r = json_array();

	qsort(keyed, len, sizeof(*keyed), fn_keyed_cmp);
	for (size_t i = 0; i < len; i++) {
		json_array_append(r, keyed[i].elem);
		json_decref(keyed[i].key);
	}
	return r;
}

static json_t *fn_abs(const struct fn_call *c)
{
	json_int_t i = json_integer_value(c->a[0].v);

	if (json_is_integer(c->a[0].v) && i != INT64_MIN)
		return json_integer(i < 0 ? -i : i);
	return json_real(fabs(json_number_value(c->a[0].v)));
}

/* ceil() (mode 1) and floor(): an integer, as Python's math.ceil and math.floor give. */
static json_t *fn_round(const struct fn_call *c)
{
	json_t *v = c->a[0].v;
	double d = c->def->mode > 0 ? ceil(json_number_value(v)) : floor(json_number_value(v));

	if (json_is_integer(v))
		return json_incref(v);
	return d >= -9.2e18 && d <= 9.2e18 ? json_integer((json_int_t)d) : json_real(d);
}

/* Python's sum(): an int while every term is one (and it fits), else a float. */
static json_t *fn_sum(const struct fn_call *c)
{
	json_int_t total = 0;
	double real = 0;
	bool ints = true;
	json_t *e;
	size_t i;

	json_array_foreach(c->a[0].v, i, e)
	{
		ints = ints && json_is_integer(e) &&
		       !__builtin_add_overflow(total, json_integer_value(e), &total);
		real += json_number_value(e);
	}
	return ints ? json_integer(total) : json_real(real);
}

static json_t *fn_avg(const struct fn_call *c)
{
	size_t len = json_array_size(c->a[0].v);
	json_t *sum = len > 0 ? fn_sum(c) : NULL;
	json_t *r = len > 0 ? json_real(json_number_value(sum) / (double)len) : json_null();

	json_decref(sum);
	return r;
}

static json_t *fn_contains(const struct fn_call *c)
{
	json_t *e, *subject = c->a[0].v, *search = c->a[1].v;
	size_t i;
	bool found = false;

	if (json_is_string(subject))
		return json_boolean(json_is_string(search) &&
				    strstr(json_string_value(subject), json_string_value(search)) !=
					    NULL);
	json_array_foreach(subject, i, e) found |= json_equal(e, search) != 0;
	return json_boolean(found);
}

/* ends_with() (mode 1) and starts_with(). */
static json_t *fn_affix(const struct fn_call *c)
{
	size_t ls = json_string_length(c->a[0].v), lx = json_string_length(c->a[1].v);
	const char *s = json_string_value(c->a[0].v);

	return json_boolean(lx <= ls && memcmp(c->def->mode > 0 ? s + ls - lx : s,
					       json_string_value(c->a[1].v), lx) == 0);
}

static json_t *fn_join(const struct fn_call *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	json_t *e, *r = NULL, *sep = c->a[0].v;
	size_t i;

	if (m == NULL)
		return NULL;
	json_array_foreach(c->a[1].v, i, e)
	{
		if (i > 0)
			fwrite(json_string_value(sep), 1, json_string_length(sep), m);
		fwrite(json_string_value(e), 1, json_string_length(e), m);
	}
	if (fclose(m) == 0)
		r = json_stringn(buf, len);
	free(buf);
	return r;
}

/* values() (mode 1) and keys() of an object, in its order. */
static json_t *fn_members(const struct fn_call *c)
{
	json_t *r = json_array(), *v;
	const char *k;

	json_object_foreach(c->a[0].v, k, v)
	{
		if (c->def->mode > 0)
			json_array_append(r, v);
		else
			json_array_append_new(r, json_string(k));
	}
	return r;
}

/* A string's length in code points (not bytes), an array's or an object's in members. */
static json_t *fn_length(const struct fn_call *c)
{
	json_t *v = c->a[0].v;
	size_t len = json_is_array(v) ? json_array_size(v) : json_object_size(v);

	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		len = 0;
		for (size_t i = 0; i < json_string_length(v); i++)
			len += ((unsigned char)s[i] & 0xc0) != 0x80;
	}
	return json_integer((json_int_t)len);
}

/* &expr over each element, nulls included (unlike a projection). */
static json_t *fn_map(const struct fn_call *c)
{
	json_t *r = json_array(), *e;
	size_t i;

	json_array_foreach(c->a[1].v, i, e)
		json_array_append_new(r, query_eval(c->ctx, c->a[0].ref, e));
	return r;
}

/* max() (mode 1) and min(): the first greatest (or least) element, null for none. */
static json_t *fn_extreme(const struct fn_call *c)
{
	json_t *best = json_array_get(c->a[0].v, 0), *e;
	size_t i;

	json_array_foreach(c->a[0].v, i, e) if (fn_cmp(e, best) * c->def->mode > 0) best = e;
	return best != NULL ? json_incref(best) : json_null();
}

/*
 * max_by() (mode 1) and min_by() (mode -1): the first element whose key is
 * the greatest (or least), as Python's max() and min() find it: each key
 * computed and compared in turn. Keys are numbers or strings; a number
 * against a string is Python's TypeError, worded as Python words it.
 */
static json_t *fn_extreme_by(const struct fn_call *c)
{
	static const enum query_type num_str[QUERY_PARAM_TYPES] = {QT_NUMBER, QT_STRING};
	json_t *best = NULL, *best_key = NULL, *e;
	int sign = c->def->mode;
	size_t i;

	json_array_foreach(c->a[0].v, i, e)
	{
		json_t *key = query_eval(c->ctx, c->a[1].ref, e);
		enum query_type t = query_type_of(key);

		if (c->ctx->failed) {
			json_decref(key);
			break;
		}
		if (t != QT_NUMBER && t != QT_STRING)
			query_type_error(c->ctx, c->def->name, key, query_type_names[t], num_str);
		else if (best_key != NULL && json_is_string(key) != json_is_string(best_key))
			query_fail(c->ctx, "'%c' not supported between instances of '%s' and '%s'",
				   sign > 0 ? '>' : '<', query_pytype(key), query_pytype(best_key));
		else if (best_key == NULL || fn_cmp(key, best_key) * sign > 0) {
			json_decref(best_key);
			best_key = json_incref(key);
			best = e;
		}
		json_decref(key);
	}
	json_decref(best_key);
	return best != NULL && !c->ctx->failed ? json_incref(best) : json_null();
}

static json_t *fn_merge(const struct fn_call *c)
{
	json_t *r = json_object();

	for (size_t i = 0; i < c->n; i++)
		json_object_update(r, c->a[i].v);
	return r;
}

static json_t *fn_not_null(const struct fn_call *c)
{
	for (size_t i = 0; i < c->n; i++)
		if (!json_is_null(c->a[i].v))
			return json_incref(c->a[i].v);
	return json_null();
}

/* An array backwards, or a string by code points (each UTF-8 sequence copied whole). */
static json_t *fn_reverse(const struct fn_call *c)
{
	json_t *v = c->a[0].v, *r;

	if (json_is_array(v)) {
		r = json_array();
		for (size_t i = json_array_size(v); i > 0; i--)
			json_array_append(r, json_array_get(v, i - 1));
		return r;
	}
	const char *s = json_string_value(v);
	size_t len = json_string_length(v), end = len;
	char *out = malloc(len + 1);

	if (out == NULL)
		return NULL;
	for (size_t o = 0; end > 0;) {
		size_t start = end - 1;
		while (start > 0 && ((unsigned char)s[start] & 0xc0) == 0x80)
			start--;
		memcpy(out + o, s + start, end - start);
		o += end - start;
		end = start;
	}
	r = json_stringn(out, len);
	free(out);
	return r;
}

/*
 * sort(), and sort_by() (mode 1): each element is its own key, or its
 * &expr's. The first element's key chooses the type (a number or a string)
 * every key must have, as jmespath.py requires; sort()'s were checked with
 * its arguments.
 */
static json_t *fn_sort(const struct fn_call *c)
{
	static const enum query_type str_num[QUERY_PARAM_TYPES] = {QT_STRING, QT_NUMBER};
	json_t *arr = c->a[0].v, *e, *r = NULL;
	size_t len = json_array_size(arr), i, made = 0;
	struct fn_keyed *keyed = malloc(sizeof(*keyed) * (len > 0 ? len : 1));
	enum query_type want[QUERY_PARAM_TYPES] = {QT_ANY};

	if (keyed == NULL)
		return NULL;
	json_array_foreach(arr, i, e)
	{
		json_t *key =
			c->def->mode > 0 ? query_eval(c->ctx, c->a[1].ref, e) : json_incref(e);
		enum query_type t = query_type_of(key);

		if (i == 0 && t != QT_NUMBER && t != QT_STRING && !c->ctx->failed)
			query_type_error(c->ctx, c->def->name, e, query_type_names[t], str_num);
		else if (i == 0)
			want[0] = t;
		else if (t != want[0] && !c->ctx->failed)
			query_type_error(c->ctx, c->def->name, key, query_type_names[t], want);
		if (c->ctx->failed) {
			json_decref(key);
			break;
		}
		keyed[made++] = (struct fn_keyed){.elem = e, .key = key, .index = i};
	}
	if (!c->ctx->failed)
		r = fn_sorted(keyed, made);
	else
		while (made > 0)
			json_decref(keyed[--made].key);
	free(keyed);
	return c->ctx->failed ? json_null() : r;
}

static json_t *fn_to_array(const struct fn_call *c)
{
	return json_is_array(c->a[0].v) ? json_incref(c->a[0].v) : json_pack("[O]", c->a[0].v);
}

/* Python's int(s), else float(s), of a string; null when neither reads it whole. */
static json_t *fn_to_number(const struct fn_call *c)
{
	const char *s = json_string_value(c->a[0].v);
	char *end;

	if (json_is_number(c->a[0].v))
		return json_incref(c->a[0].v);
	if (s == NULL || strpbrk(s, "xX") != NULL) /* no hexadecimal in Python's */
		return json_null();
	errno = 0;
	long long i = strtoll(s, &end, 10);
	if (end != s && errno == 0 && strspn(end, " \t\n\r\f\v") == strlen(end))
		return json_integer((json_int_t)i);
	double d = strtod(s, &end);
	if (end != s && isfinite(d) && strspn(end, " \t\n\r\f\v") == strlen(end))
		return json_real(d);
	return json_null();
}

/*
 * A string as it is; anything else as Python's json.dumps() compact text
 * (ASCII, \u escapes in lower case). A real in an array or object keeps
 * jansson's 17 digits, where Python writes the shortest that reads back.
 */
static json_t *fn_to_string(const struct fn_call *c)
{
	json_t *v = c->a[0].v, *r;
	char *text;

	if (json_is_string(v))
		return json_incref(v);
	text = json_is_real(v) ? cli_output_str(v)
			       : json_dumps(v, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_ENCODE_ANY);
	for (char *p = text; p != NULL && *p != '\0'; p++) {
		if (*p != '\\')
			continue;
		if (*++p == 'u') /* jansson writes \u00E9, Python \u00e9 */
			for (int i = 0; i < 4 && p[1] != '\0'; i++, p++)
				p[1] = (char)tolower((unsigned char)p[1]);
	}
	r = text != NULL ? json_string(text) : NULL;
	free(text);
	return r;
}

static json_t *fn_type(const struct fn_call *c)
{
	if (c->a[0].ref != NULL) /* jmespath.py names no type for an expression */
		return json_null();
	return json_string(query_type_names[query_type_of(c->a[0].v)]);
}

#define T1(x)             \
	{                 \
		{         \
			x \
		}         \
	}
#define T2(x, y)          \
	{                 \
		{x},      \
		{         \
			y \
		}         \
	}
/* The specification's functions, with jmespath.py's signatures. */
static const struct fn_def fn_table[] = {
	{"abs", fn_abs, 0, 1, false, T1(QT_NUMBER)},
	{"avg", fn_avg, 0, 1, false, T1(QT_ARRAY_NUMBER)},
	{"ceil", fn_round, 1, 1, false, T1(QT_NUMBER)},
	{"contains", fn_contains, 0, 2, false, {{QT_ARRAY, QT_STRING}, {QT_ANY}}},
	{"ends_with", fn_affix, 1, 2, false, T2(QT_STRING, QT_STRING)},
	{"floor", fn_round, -1, 1, false, T1(QT_NUMBER)},
	{"join", fn_join, 0, 2, false, T2(QT_STRING, QT_ARRAY_STRING)},
	{"keys", fn_members, 0, 1, false, T1(QT_OBJECT)},
	{"length", fn_length, 0, 1, false, {{QT_STRING, QT_ARRAY, QT_OBJECT}}},
	{"map", fn_map, 0, 2, false, T2(QT_EXPREF, QT_ARRAY)},
	{"max", fn_extreme, 1, 1, false, {{QT_ARRAY_NUMBER, QT_ARRAY_STRING}}},
	{"max_by", fn_extreme_by, 1, 2, false, T2(QT_ARRAY, QT_EXPREF)},
	{"merge", fn_merge, 0, 1, true, T1(QT_OBJECT)},
	{"min", fn_extreme, -1, 1, false, {{QT_ARRAY_NUMBER, QT_ARRAY_STRING}}},
	{"min_by", fn_extreme_by, -1, 2, false, T2(QT_ARRAY, QT_EXPREF)},
	{"not_null", fn_not_null, 0, 1, true, T1(QT_ANY)},
	{"reverse", fn_reverse, 0, 1, false, {{QT_ARRAY, QT_STRING}}},
	{"sort", fn_sort, 0, 1, false, {{QT_ARRAY_STRING, QT_ARRAY_NUMBER}}},
	{"sort_by", fn_sort, 1, 2, false, T2(QT_ARRAY, QT_EXPREF)},
	{"starts_with", fn_affix, 0, 2, false, T2(QT_STRING, QT_STRING)},
	{"sum", fn_sum, 0, 1, false, T1(QT_ARRAY_NUMBER)},
	{"to_array", fn_to_array, 0, 1, false, T1(QT_ANY)},
	{"to_number", fn_to_number, 0, 1, false, T1(QT_ANY)},
	{"to_string", fn_to_string, 0, 1, false, T1(QT_ANY)},
	{"type", fn_type, 0, 1, false, T1(QT_ANY)},
	{"values", fn_members, 1, 1, false, T1(QT_OBJECT)},
};
#undef T1
#undef T2

json_t *query_fn_call(struct query_ctx *ctx, const struct node *n, json_t *cur)
{
	struct query_arg *args = calloc(n->n > 0 ? n->n : 1, sizeof(*args));
	struct fn_call c = {.ctx = ctx, .a = args, .n = n->n};
	json_t *r = NULL;
	size_t i;

	if (args == NULL) {
		query_fail(ctx, "out of memory");
		return json_null();
	}
	/* jmespath.py evaluates the arguments before it looks the function up */
	for (i = 0; i < n->n; i++) {
		args[i].v = query_eval(ctx, n->items[i], cur); /* null for &expr */
		if (n->items[i]->k == K_EXPREF)
			args[i].ref = n->items[i]->a;
	}
	for (i = 0; i < sizeof(fn_table) / sizeof(fn_table[0]) && c.def == NULL; i++)
		if (strcmp(fn_table[i].name, n->name) == 0)
			c.def = &fn_table[i];
	if (ctx->failed) {
		/* an argument's error stands */
	} else if (c.def == NULL) {
		query_fail(ctx, "Unknown function: %s()", n->name);
	} else if (c.def->variadic ? n->n < c.def->nparams : n->n != c.def->nparams) {
		query_fail(ctx, "Expected %s%u argument%s for function %s(), received %zu",
			   c.def->variadic ? "at least " : "", c.def->nparams,
			   c.def->nparams == 1 ? "" : "s", n->name, n->n);
	} else {
		bool ok = true;
		for (i = 0; i < n->n && ok; i++)
			ok = query_arg_check(
				ctx, n->name, &args[i],
				c.def->param[i < c.def->nparams ? i : c.def->nparams - 1]);
		if (ok)
			r = c.def->impl(&c);
	}
	for (i = 0; i < n->n; i++)
		json_decref(args[i].v);
	free(args);
	if (r == NULL && !ctx->failed)
		query_fail(ctx, "out of memory"); /* a function's allocation failed */
	return r != NULL ? r : json_null();
}
