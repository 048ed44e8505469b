/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internals shared by the --query files: the tokens query_lex.c makes of an
 * expression for the parser (query.c), and the tree the parser builds for
 * the evaluator (query_eval.c). Not part of the public API (see query.h).
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

#endif /* MV_CLI_QUERY_PVT_H */
