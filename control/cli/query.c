/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A JMESPath subset (query.h), compiled: a Pratt parser with the
 * specification's binding powers turns the lexer's tokens (query_lex.c)
 * into a tree of nodes (query_pvt.h), which query_eval.c applies to
 * results.
 */
#include "query.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query_pvt.h"

struct parser {
	struct token *toks;
	size_t ntoks, pos;
	const char *err; /* the first error */
};

static struct node *node_new(enum kind k, struct node *a, struct node *b)
{
	struct node *n = calloc(1, sizeof(*n));

	if (n != NULL) {
		n->k = k;
		n->a = a;
		n->b = b;
	}
	return n;
}

static void node_free(struct node *n)
{
	if (n == NULL)
		return;
	node_free(n->a);
	node_free(n->b);
	node_free(n->c);
	for (size_t i = 0; i < n->n; i++) {
		node_free(n->items[i]);
		if (n->keys != NULL)
			free(n->keys[i]);
	}
	free(n->items);
	free(n->keys);
	free(n->name);
	json_decref(n->lit);
	free(n);
}

/* Left binding powers, as the JMESPath specification gives them. */
static int lbp(enum tok t)
{
	switch (t) {
	case T_PIPE:
		return 1;
	case T_OR:
		return 2;
	case T_AND:
		return 3;
	case T_CMP:
		return 5;
	case T_FLATTEN:
		return 9;
	case T_STAR:
		return 20;
	case T_FILTER:
		return 21;
	case T_DOT:
		return 40;
	case T_NOT:
		return 45;
	case T_LBRACE:
		return 50;
	case T_LBRACK:
		return 55;
	case T_LPAREN:
		return 60;
	default:
		return 0;
	}
}

static enum tok peek(const struct parser *p, size_t ahead)
{
	size_t i = p->pos + ahead;
	return i < p->ntoks ? p->toks[i].t : T_EOF;
}

static struct token *next(struct parser *p)
{
	return &p->toks[p->pos < p->ntoks - 1 ? p->pos++ : p->pos];
}

static bool expect(struct parser *p, enum tok t)
{
	if (peek(p, 0) != t) {
		if (p->err == NULL)
			p->err = "unexpected token";
		return false;
	}
	next(p);
	return true;
}

static struct node *expr(struct parser *p, int rbp);

/*
 * Append item (and, to a hash, its key) to n. Takes both: on failure they
 * are freed, and false returned.
 */
static bool add_item(struct node *n, struct node *item, char *key)
{
	struct node **items = realloc(n->items, (n->n + 1) * sizeof(*items));
	char **keys = n->k == K_HASH ? realloc(n->keys, (n->n + 1) * sizeof(*keys)) : NULL;

	if (items != NULL)
		n->items = items;
	if (keys != NULL)
		n->keys = keys;
	if (items == NULL || (n->k == K_HASH && keys == NULL)) {
		free(key);
		node_free(item);
		return false;
	}
	if (n->k == K_HASH)
		n->keys[n->n] = key;
	n->items[n->n++] = item;
	return true;
}

/* The items of a multiselect after its opening bracket, up to `close`. */
static struct node *multi(struct parser *p, enum kind k, enum tok close)
{
	struct node *n = node_new(k, NULL, NULL);

	do {
		char *key = NULL;
		if (n != NULL && k == K_HASH) {
			if (peek(p, 0) != T_ID && peek(p, 0) != T_QID) {
				p->err = p->err ? p->err : "expected a key";
				node_free(n);
				return NULL;
			}
			key = strdup(next(p)->text);
			if (key == NULL || !expect(p, T_COLON)) {
				free(key);
				node_free(n);
				return NULL;
			}
		}
		struct node *item = n != NULL ? expr(p, 0) : NULL;
		if (item == NULL || !add_item(n, item, key)) {
			if (item == NULL)
				free(key);
			node_free(n);
			return NULL;
		}
	} while (peek(p, 0) == T_COMMA && next(p));
	if (!expect(p, close)) {
		node_free(n);
		return NULL;
	}
	return n;
}

/* [a, b, ...] after its "[". */
static struct node *multi_list(struct parser *p)
{
	return multi(p, K_LIST, T_RBRACK);
}

/* {Key: a, ...} after its "{". */
static struct node *multi_hash(struct parser *p)
{
	return multi(p, K_HASH, T_RBRACE);
}

/* What follows a ".": a name, a multiselect list or hash, or "*". */
static struct node *dot_rhs(struct parser *p, int bp)
{
	switch (peek(p, 0)) {
	case T_ID:
	case T_QID:
	case T_STAR:
		return expr(p, bp);
	case T_LBRACK:
		next(p);
		return multi_list(p);
	case T_LBRACE:
		next(p);
		return multi_hash(p);
	default:
		p->err = p->err ? p->err : "expected an identifier after '.'";
		return NULL;
	}
}

/* What a projection applies to each element: nothing more (@), or a chain. */
static struct node *projection_rhs(struct parser *p, int bp)
{
	enum tok t = peek(p, 0);

	if (lbp(t) < 10)
		return node_new(K_CURRENT, NULL, NULL);
	if (t == T_LBRACK || t == T_FILTER || t == T_FLATTEN)
		return expr(p, bp);
	if (t == T_DOT) {
		next(p);
		return dot_rhs(p, bp);
	}
	p->err = p->err ? p->err : "unexpected token after a projection";
	return NULL;
}

/* Two children, or NULL (freeing what was made) when either is missing. */
static struct node *pair(enum kind k, struct node *a, struct node *b)
{
	struct node *n = a != NULL && b != NULL ? node_new(k, a, b) : NULL;

	if (n == NULL) {
		node_free(a);
		node_free(b);
	}
	return n;
}

/* "[" ... after a left side: an index, or [*]. */
static struct node *bracket(struct parser *p, struct node *left)
{
	if (peek(p, 0) == T_NUM && peek(p, 1) == T_RBRACK) {
		long i = next(p)->num;
		next(p);
		struct node *n = pair(K_INDEX, left, node_new(K_CURRENT, NULL, NULL));
		if (n != NULL)
			n->index = i;
		return n;
	}
	if (peek(p, 0) == T_STAR && peek(p, 1) == T_RBRACK) {
		next(p);
		next(p);
		return pair(K_PROJECT, left, projection_rhs(p, 20));
	}
	if (peek(p, 0) == T_COLON || (peek(p, 0) == T_NUM && peek(p, 1) == T_COLON)) {
		/* [start:stop:step], each optional: a projection over the slice */
		struct node *s = pair(K_SLICE, left, node_new(K_CURRENT, NULL, NULL));
		for (unsigned i = 0; s != NULL && i < 3 && peek(p, 0) != T_RBRACK; i++) {
			if (i > 0 && !expect(p, T_COLON))
				break;
			if (peek(p, 0) == T_NUM) {
				s->slice[i] = next(p)->num;
				s->has[i] = true;
			}
		}
		if (s == NULL || !expect(p, T_RBRACK) || (s->has[2] && s->slice[2] == 0)) {
			p->err = p->err ? p->err : "a slice's step cannot be 0";
			node_free(s);
			return NULL;
		}
		return pair(K_PROJECT, s, projection_rhs(p, 20));
	}
	node_free(left);
	p->err = p->err ? p->err : "expected a number, a slice or '*' in brackets";
	return NULL;
}

/* "[?" cond "]" after a left side. */
static struct node *filter(struct parser *p, struct node *left)
{
	struct node *cond = expr(p, 0);
	struct node *n = cond != NULL && expect(p, T_RBRACK)
				 ? pair(K_FILTER, left, projection_rhs(p, 21))
				 : (node_free(left), NULL);
	if (n == NULL)
		node_free(cond);
	else
		n->c = cond;
	return n;
}

static struct node *function(struct parser *p, const char *name)
{
	struct node *n = node_new(K_FUNC, NULL, NULL);

	if (n == NULL || (n->name = strdup(name)) == NULL) {
		node_free(n);
		return NULL;
	}
	next(p); /* "(" */
	while (peek(p, 0) != T_RPAREN) {
		struct node *arg = expr(p, 0);
		if (arg == NULL || !add_item(n, arg, NULL)) {
			node_free(n);
			return NULL;
		}
		if (peek(p, 0) != T_COMMA)
			break;
		next(p);
	}
	if (!expect(p, T_RPAREN)) {
		node_free(n);
		return NULL;
	}
	return n;
}

static struct node *nud(struct parser *p)
{
	struct token *t = next(p);

	switch (t->t) {
	case T_ID:
		if (peek(p, 0) == T_LPAREN)
			return function(p, t->text);
		/* fall through */
	case T_QID: {
		struct node *n = node_new(K_FIELD, NULL, NULL);
		if (n != NULL && (n->name = strdup(t->text)) == NULL) {
			node_free(n);
			n = NULL;
		}
		return n;
	}
	case T_LIT: {
		struct node *n = node_new(K_LITERAL, NULL, NULL);
		if (n != NULL)
			n->lit = json_incref(t->lit);
		return n;
	}
	case T_AT:
		return node_new(K_CURRENT, NULL, NULL);
	case T_STAR:
		return pair(K_VALUES, node_new(K_CURRENT, NULL, NULL), projection_rhs(p, 20));
	case T_NOT:
		return pair(K_NOT, expr(p, 45), node_new(K_CURRENT, NULL, NULL));
	case T_EXPREF: /* binds as loosely as anything: &a | b is &(a | b) */
		return pair(K_EXPREF, expr(p, 0), node_new(K_CURRENT, NULL, NULL));
	case T_LPAREN: {
		struct node *n = expr(p, 0);
		if (n != NULL && !expect(p, T_RPAREN)) {
			node_free(n);
			n = NULL;
		}
		return n;
	}
	case T_FLATTEN:
		return pair(K_FLATTEN, node_new(K_CURRENT, NULL, NULL), projection_rhs(p, 9));
	case T_FILTER:
		return filter(p, node_new(K_CURRENT, NULL, NULL));
	case T_LBRACE:
		return multi_hash(p);
	case T_LBRACK:
		if (((peek(p, 0) == T_NUM || peek(p, 0) == T_STAR) && peek(p, 1) == T_RBRACK) ||
		    peek(p, 0) == T_COLON || (peek(p, 0) == T_NUM && peek(p, 1) == T_COLON))
			return bracket(p, node_new(K_CURRENT, NULL, NULL));
		return multi_list(p);
	default:
		p->err = p->err ? p->err : "unexpected token";
		return NULL;
	}
}

static struct node *led(struct parser *p, struct node *left)
{
	struct token *t = next(p);

	switch (t->t) {
	case T_DOT:
		if (peek(p, 0) == T_STAR) {
			next(p);
			return pair(K_VALUES, left, projection_rhs(p, 20));
		}
		return pair(K_SUB, left, dot_rhs(p, 40));
	case T_LBRACK:
		return bracket(p, left);
	case T_FLATTEN:
		return pair(K_FLATTEN, left, projection_rhs(p, 9));
	case T_FILTER:
		return filter(p, left);
	case T_PIPE:
		return pair(K_PIPE, left, expr(p, 1));
	case T_OR:
		return pair(K_OR, left, expr(p, 2));
	case T_AND:
		return pair(K_AND, left, expr(p, 3));
	case T_CMP: {
		struct node *n = pair(K_CMP, left, expr(p, 5));
		if (n != NULL)
			n->op = t->op;
		return n;
	}
	default:
		node_free(left);
		p->err = p->err ? p->err : "unexpected token";
		return NULL;
	}
}

static struct node *expr(struct parser *p, int rbp)
{
	struct node *left = nud(p);

	while (left != NULL && rbp < lbp(peek(p, 0)))
		left = led(p, left);
	return left;
}

struct cli_query *cli_query_compile(const char *text, char *err, size_t errlen)
{
	struct parser p = {0};
	struct cli_query *q = NULL;

	p.toks = query_lex(text, &p.ntoks, &p.err);
	if (p.toks != NULL) {
		struct node *root = expr(&p, 0);
		if (root != NULL && peek(&p, 0) != T_EOF) {
			p.err = "unexpected token after the expression";
			node_free(root);
			root = NULL;
		}
		if (root != NULL && (q = malloc(sizeof(*q))) != NULL)
			q->root = root;
		else
			node_free(root);
		for (size_t i = 0; i < p.ntoks; i++) {
			free(p.toks[i].text);
			json_decref(p.toks[i].lit);
		}
		free(p.toks);
	}
	if (q == NULL)
		snprintf(err, errlen, "%s", p.err != NULL ? p.err : "out of memory");
	return q;
}

void cli_query_free(struct cli_query *q)
{
	if (q != NULL)
		node_free(q->root);
	free(q);
}
