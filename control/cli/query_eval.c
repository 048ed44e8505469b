/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The --query evaluator: a compiled expression's tree (query.c) applied to
 * a result, over jansson values, with JMESPath's rules for what does not
 * match (null, dropped from projections). Every evaluation returns a new
 * reference. Apart from the parser: the two share only the tree. The
 * built-in functions are in query_fn.c.
 */
#include "query.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "query_pvt.h"

/* v (negative: from the end) as an index into n elements, clamped to [lo, hi]. */
static long slice_bound(long v, long n, long lo, long hi)
{
	v = v < 0 ? v + n : v;
	return v < lo ? lo : v > hi ? hi : v;
}

/* The indexes Python's slice picks from n elements, in order, into out (at most n). */
static size_t slice_indexes(const struct node *s, long n, long *out)
{
	long step = s->has[2] ? s->slice[2] : 1, start, stop;
	size_t k = 0;

	if (step > 0) {
		start = s->has[0] ? slice_bound(s->slice[0], n, 0, n) : 0;
		stop = s->has[1] ? slice_bound(s->slice[1], n, 0, n) : n;
	} else {
		start = s->has[0] ? slice_bound(s->slice[0], n, -1, n - 1) : n - 1;
		stop = s->has[1] ? slice_bound(s->slice[1], n, -1, n - 1) : -1;
	}
	for (long i = start; step > 0 ? i < stop : i > stop; i += step)
		out[k++] = i;
	return k;
}

static bool truthy(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_NULL:
	case JSON_FALSE:
		return false;
	case JSON_STRING:
		return json_string_length(v) > 0;
	case JSON_ARRAY:
		return json_array_size(v) > 0;
	case JSON_OBJECT:
		return json_object_size(v) > 0;
	default:
		return true;
	}
}

/* Apply rhs to each element of elems, keeping what is not null (a projection). */
static json_t *project(struct query_ctx *ctx, json_t *elems, const struct node *rhs,
		       const struct node *cond)
{
	json_t *out = json_array(), *e, *r;
	size_t i;

	json_array_foreach(elems, i, e)
	{
		if (cond != NULL) {
			json_t *c = query_eval(ctx, cond, e);
			bool keep = truthy(c);
			json_decref(c);
			if (!keep)
				continue;
		}
		r = query_eval(ctx, rhs, e);
		if (!json_is_null(r))
			json_array_append(out, r);
		json_decref(r);
	}
	json_decref(elems);
	return out;
}

static json_t *compare(enum cmp op, json_t *a, json_t *b)
{
	if (op == C_EQ || op == C_NE)
		return json_boolean((json_equal(a, b) != 0) == (op == C_EQ));
	if (!json_is_number(a) || !json_is_number(b))
		return json_null();
	double x = json_number_value(a), y = json_number_value(b);
	return json_boolean(op == C_LT ? x < y : op == C_LE ? x <= y : op == C_GT ? x > y : x >= y);
}

/* n's value over cur when it is a JSON value of that type; NULL otherwise
 * (the projections and slices of JMESPath give null for any other). */
static json_t *eval_of_type(struct query_ctx *ctx, const struct node *n, json_t *cur,
			    json_type type)
{
	json_t *v = query_eval(ctx, n, cur);

	if (v != NULL && json_typeof(v) == type)
		return v;
	json_decref(v);
	return NULL;
}

json_t *query_eval(struct query_ctx *ctx, const struct node *n, json_t *cur)
{
	json_t *l, *r;

	if (ctx->failed)
		return json_null();

	switch (n->k) {
	case K_CURRENT:
		return json_incref(cur);
	case K_LITERAL:
		return json_incref(n->lit);
	case K_FIELD:
		r = json_is_object(cur) ? json_object_get(cur, n->name) : NULL;
		return r != NULL ? json_incref(r) : json_null();
	case K_SUB:
	case K_PIPE:
		l = query_eval(ctx, n->a, cur);
		if (n->k == K_SUB && json_is_null(l))
			return l;
		r = query_eval(ctx, n->b, l);
		json_decref(l);
		return r;
	case K_SLICE: {
		l = eval_of_type(ctx, n->a, cur, JSON_ARRAY);
		if (l == NULL)
			return json_null();
		long size = (long)json_array_size(l);
		long *idx = malloc(sizeof(long) * (size_t)(size > 0 ? size : 1));
		r = json_array();
		for (size_t i = 0, k = idx != NULL ? slice_indexes(n, size, idx) : 0; i < k; i++)
			json_array_append(r, json_array_get(l, (size_t)idx[i]));
		free(idx);
		json_decref(l);
		return r;
	}
	case K_INDEX: {
		l = query_eval(ctx, n->a, cur);
		long size = json_is_array(l) ? (long)json_array_size(l) : 0, i = n->index;
		if (i < 0)
			i += size;
		r = i >= 0 && i < size ? json_incref(json_array_get(l, (size_t)i)) : json_null();
		json_decref(l);
		return r;
	}
	case K_PROJECT:
	case K_FILTER:
		l = eval_of_type(ctx, n->a, cur, JSON_ARRAY);
		if (l == NULL)
			return json_null();
		return project(ctx, l, n->b, n->k == K_FILTER ? n->c : NULL);
	case K_VALUES: {
		l = eval_of_type(ctx, n->a, cur, JSON_OBJECT);
		if (l == NULL)
			return json_null();
		json_t *vals = json_array(), *v;
		const char *k;
		json_object_foreach(l, k, v) json_array_append(vals, v);
		json_decref(l);
		return project(ctx, vals, n->b, NULL);
	}
	case K_FLATTEN: {
		l = eval_of_type(ctx, n->a, cur, JSON_ARRAY);
		if (l == NULL)
			return json_null();
		json_t *flat = json_array(), *e;
		size_t i;
		json_array_foreach(l, i, e)
		{
			if (json_is_array(e))
				json_array_extend(flat, e);
			else
				json_array_append(flat, e);
		}
		json_decref(l);
		return project(ctx, flat, n->b, NULL);
	}
	case K_LIST:
	case K_HASH:
		if (json_is_null(cur))
			return json_null();
		r = n->k == K_LIST ? json_array() : json_object();
		for (size_t i = 0; i < n->n; i++) {
			json_t *v = query_eval(ctx, n->items[i], cur);
			if (n->k == K_LIST)
				json_array_append_new(r, v);
			else
				json_object_set_new(r, n->keys[i], v);
		}
		return r;
	case K_CMP:
		l = query_eval(ctx, n->a, cur);
		r = query_eval(ctx, n->b, cur);
		json_t *c = compare(n->op, l, r);
		json_decref(l);
		json_decref(r);
		return c;
	case K_AND:
	case K_OR:
		l = query_eval(ctx, n->a, cur);
		if (truthy(l) == (n->k == K_OR))
			return l;
		json_decref(l);
		return query_eval(ctx, n->b, cur);
	case K_NOT:
		l = query_eval(ctx, n->a, cur);
		r = json_boolean(!truthy(l));
		json_decref(l);
		return r;
	case K_FUNC:
		return query_fn_call(ctx, n, cur);
	case K_EXPREF:
		/* jmespath.py's value here is an opaque expression object; JSON has no
		 * such value, and only functions can use one. */
		return json_null();
	}
	return json_null();
}

void query_fail(struct query_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (ctx->failed)
		return;
	ctx->failed = true;
	va_start(ap, fmt);
	vsnprintf(ctx->err, ctx->errlen, fmt, ap);
	va_end(ap);
}

json_t *cli_query_apply(const struct cli_query *q, json_t *doc, char *err, size_t errlen)
{
	struct query_ctx ctx = {.err = err, .errlen = errlen};
	json_t *v = query_eval(&ctx, q->root, doc);

	if (ctx.failed || v == NULL) {
		if (!ctx.failed)
			snprintf(err, errlen, "out of memory");
		json_decref(v);
		return NULL;
	}
	return v;
}
