/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internals shared by the --query files: the tokens query_lex.c makes of an
 * expression for the parser (query.c), the tree the parser builds for the
 * evaluator (query_eval.c), the evaluation's context, which the built-in
 * functions (query_fn.c) share with the evaluator, and the functions'
 * argument checks (query_fn_check.c). Not part of the public API (see
 * query.h).
 */
#ifndef MV_CLI_QUERY_PVT_H
#define MV_CLI_QUERY_PVT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "query.h"

enum tok {
	T_EOF,
	T_ID,
	T_QID,
	T_NUM,
	T_LIT,
	T_DOT,
	T_STAR,
	T_LBRACK,
	T_RBRACK,
	T_FLATTEN,
	T_FILTER,
	T_LBRACE,
	T_RBRACE,
	T_COMMA,
	T_COLON,
	T_PIPE,
	T_OR,
	T_AND,
	T_NOT,
	T_LPAREN,
	T_RPAREN,
	T_AT,
	T_CMP,
	T_EXPREF,
};

enum cmp { C_EQ, C_NE, C_LT, C_LE, C_GT, C_GE };

struct token {
	enum tok t;
	enum cmp op; /* T_CMP */
	long num;    /* T_NUM */
	char *text;  /* T_ID, T_QID: the name */
	json_t *lit; /* T_LIT */
};

/* Tokens of expr, ending with T_EOF; NULL with *err set on a bad character. */
struct token *query_lex(const char *s, size_t *ntoks, const char **err);

enum kind {
	K_CURRENT,
	K_FIELD,
	K_SUB,
	K_INDEX,
	K_SLICE,
	K_PROJECT,
	K_VALUES,
	K_FLATTEN,
	K_FILTER,
	K_LIST,
	K_HASH,
	K_PIPE,
	K_CMP,
	K_AND,
	K_OR,
	K_NOT,
	K_LITERAL,
	K_FUNC,
	K_EXPREF, /* &expr: an argument a function evaluates itself (a) */
};

struct node {
	enum kind k;
	enum cmp op;
	long index;
	long slice[3];          /* K_SLICE: start, stop, step */
	bool has[3];            /* K_SLICE: which of them were given */
	char *name;             /* K_FIELD, K_FUNC */
	json_t *lit;            /* K_LITERAL */
	struct node *a, *b, *c; /* left, right (and K_FILTER's condition in c) */
	struct node **items;    /* K_LIST, K_HASH, K_FUNC arguments */
	char **keys;            /* K_HASH */
	size_t n;
};

struct cli_query {
	struct node *root;
};

/*
 * One evaluation. Its error is sticky: the first one is kept, and from then
 * on every node evaluates to null, so callers need not check each value.
 */
struct query_ctx {
	char *err; /* Out: the first error, as jmespath.py words it */
	size_t errlen;
	bool failed;
};

/* n's value over cur: a new reference (json_null() for no match or after an error). */
json_t *query_eval(struct query_ctx *ctx, const struct node *n, json_t *cur);

/* Record an evaluation error (printf-style), unless one is already recorded. */
void query_fail(struct query_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A K_FUNC node over cur: the built-in's result, or null after recording an
 * unknown-function, arity or type error. */
json_t *query_fn_call(struct query_ctx *ctx, const struct node *n, json_t *cur);

/* The types a built-in's signature names (query_fn_check.c). */
enum query_type {
	QT_ANY, /* ends a parameter's list of types; alone: any type */
	QT_NUMBER,
	QT_STRING,
	QT_BOOLEAN,
	QT_ARRAY,
	QT_OBJECT,
	QT_NULL,
	QT_EXPREF,
	QT_ARRAY_NUMBER,
	QT_ARRAY_STRING,
};

#define QUERY_PARAM_TYPES 3 /* the most types a parameter accepts */

/* Each type as jmespath.py spells it ("array-number"). */
extern const char *const query_type_names[];

/* A built-in's argument: a value, or, for &expr, the expression to apply. */
struct query_arg {
	json_t *v;              /* owned; json_null() for &expr */
	const struct node *ref; /* &expr's expression, or NULL */
};

/* v's JMESPath type (QT_NUMBER .. QT_NULL). */
enum query_type query_type_of(const json_t *v);

/* The Python type name of v ("str", "int", "dict", ...), as some errors give it. */
const char *query_pytype(const json_t *v);

/*
 * Record jmespath.py's JMESPathTypeError for function fn: value (NULL for an
 * expression), which is of type `got`, is none of `types` (QT_ANY-ended).
 */
void query_type_error(struct query_ctx *ctx, const char *fn, const json_t *value, const char *got,
		      const enum query_type *types);

/* Whether a fits types (QT_ANY-ended; empty: anything); if not, records fn's type error. */
bool query_arg_check(struct query_ctx *ctx, const char *fn, const struct query_arg *a,
		     const enum query_type *types);

#endif /* MV_CLI_QUERY_PVT_H */
