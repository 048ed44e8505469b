/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A JMESPath subset (query.h): a lexer into a token array, a Pratt parser
 * with the specification's binding powers into a tree, and an evaluator
 * over jansson values. Every evaluation returns a new reference.
 */
#include "query.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

struct parser {
	struct token *toks;
	size_t ntoks, pos;
	const char *err; /* the first error */
};

/* ---- lexer ---------------------------------------------------------------- */

static bool tok_add(struct token **toks, size_t *n, size_t *cap, struct token t)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		struct token *p = realloc(*toks, c * sizeof(*p));
		if (p == NULL)
			return false;
		*toks = p;
		*cap = c;
	}
	(*toks)[(*n)++] = t;
	return true;
}

/* A quoted string from s (at the opening quote) up to its closing quote; *end past it. */
static char *quoted(const char *s, char quote, const char **end)
{
	size_t len = 0;
	char *out = malloc(strlen(s) + 1);

	if (out == NULL)
		return NULL;
	for (s++; *s != '\0' && *s != quote; s++) {
		if (*s == '\\' && (s[1] == quote || s[1] == '\\'))
			s++;
		out[len++] = *s;
	}
	out[len] = '\0';
	if (*s != quote) {
		free(out);
		return NULL;
	}
	*end = s + 1;
	return out;
}

/* Tokens of expr, ending with T_EOF; NULL with *err set on a bad character. */
static struct token *lex(const char *s, size_t *ntoks, const char **err)
{
	struct token *toks = NULL;
	size_t n = 0, cap = 0;

	for (;;) {
		struct token t = {.t = T_EOF};
		while (isspace((unsigned char)*s))
			s++;
		if (*s == '\0') {
			if (!tok_add(&toks, &n, &cap, t))
				goto fail;
			*ntoks = n;
			return toks;
		}
		if (isalpha((unsigned char)*s) || *s == '_') {
			const char *b = s;
			while (isalnum((unsigned char)*s) || *s == '_')
				s++;
			t.t = T_ID;
			t.text = strndup(b, (size_t)(s - b));
		} else if (isdigit((unsigned char)*s) ||
			   (*s == '-' && isdigit((unsigned char)s[1]))) {
			char *e;
			t.t = T_NUM;
			t.num = strtol(s, &e, 10);
			s = e;
		} else if (*s == '"') {
			t.t = T_QID;
			t.text = quoted(s, '"', &s);
			if (t.text == NULL) {
				*err = "unterminated quoted identifier";
				goto fail;
			}
		} else if (*s == '\'') {
			char *raw = quoted(s, '\'', &s);
			if (raw == NULL) {
				*err = "unterminated raw string literal";
				goto fail;
			}
			t.t = T_LIT;
			t.lit = json_string(raw);
			free(raw);
		} else if (*s == '`') {
			char *text = quoted(s, '`', &s);
			if (text == NULL) {
				*err = "unterminated JSON literal";
				goto fail;
			}
			t.t = T_LIT;
			t.lit = json_loads(text, JSON_DECODE_ANY, NULL);
			free(text);
			if (t.lit == NULL) {
				*err = "invalid JSON literal";
				goto fail;
			}
		} else {
			static const struct {
				const char *s;
				enum tok t;
				enum cmp op;
			} ops[] = {
				{"[]", T_FLATTEN, 0}, {"[?", T_FILTER, 0}, {"||", T_OR, 0},
				{"&&", T_AND, 0},     {"==", T_CMP, C_EQ}, {"!=", T_CMP, C_NE},
				{"<=", T_CMP, C_LE},  {">=", T_CMP, C_GE}, {"<", T_CMP, C_LT},
				{">", T_CMP, C_GT},   {".", T_DOT, 0},     {"*", T_STAR, 0},
				{"[", T_LBRACK, 0},   {"]", T_RBRACK, 0},  {"{", T_LBRACE, 0},
				{"}", T_RBRACE, 0},   {",", T_COMMA, 0},   {":", T_COLON, 0},
				{"|", T_PIPE, 0},     {"!", T_NOT, 0},     {"(", T_LPAREN, 0},
				{")", T_RPAREN, 0},   {"@", T_AT, 0},
			};
			size_t i = 0;
			while (i < sizeof(ops) / sizeof(ops[0]) &&
			       strncmp(s, ops[i].s, strlen(ops[i].s)) != 0)
				i++;
			if (i == sizeof(ops) / sizeof(ops[0])) {
				*err = "unknown token";
				goto fail;
			}
			t.t = ops[i].t;
			t.op = ops[i].op;
			s += strlen(ops[i].s);
		}
		if (((t.t == T_ID || t.t == T_QID) && t.text == NULL) ||
		    !tok_add(&toks, &n, &cap, t)) {
			*err = "out of memory";
			goto fail;
		}
	}
fail:
	for (size_t i = 0; i < n; i++) {
		free(toks[i].text);
		json_decref(toks[i].lit);
	}
	free(toks);
	return NULL;
}

/* ---- parser ----------------------------------------------------------------- */

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

	p.toks = lex(text, &p.ntoks, &p.err);
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

/* ---- evaluation ------------------------------------------------------------- */

static json_t *eval(const struct node *n, json_t *cur);

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
static json_t *project(json_t *elems, const struct node *rhs, const struct node *cond)
{
	json_t *out = json_array(), *e, *r;
	size_t i;

	json_array_foreach(elems, i, e)
	{
		if (cond != NULL) {
			json_t *c = eval(cond, e);
			bool keep = truthy(c);
			json_decref(c);
			if (!keep)
				continue;
		}
		r = eval(rhs, e);
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

static json_t *call(const struct node *n, json_t *cur)
{
	json_t *arg[2] = {NULL, NULL}, *out = json_null();
	size_t nargs = n->n < 2 ? n->n : 2;

	for (size_t i = 0; i < nargs; i++)
		arg[i] = eval(n->items[i], cur);
	if (strcmp(n->name, "length") == 0 && n->n == 1) {
		if (json_is_string(arg[0])) {
			size_t chars = 0;
			for (const char *s = json_string_value(arg[0]); *s; s++)
				chars += ((unsigned char)*s & 0xc0) != 0x80;
			out = json_integer((json_int_t)chars);
		} else if (json_is_array(arg[0]) || json_is_object(arg[0])) {
			out = json_integer((json_int_t)(json_is_array(arg[0])
								? json_array_size(arg[0])
								: json_object_size(arg[0])));
		}
	} else if (strcmp(n->name, "contains") == 0 && n->n == 2) {
		if (json_is_string(arg[0]) && json_is_string(arg[1])) {
			out = json_boolean(strstr(json_string_value(arg[0]),
						  json_string_value(arg[1])) != NULL);
		} else if (json_is_array(arg[0])) {
			json_t *e;
			size_t i;
			bool found = false;
			json_array_foreach(arg[0], i, e) found |= json_equal(e, arg[1]) != 0;
			out = json_boolean(found);
		}
	} else if ((strcmp(n->name, "starts_with") == 0 || strcmp(n->name, "ends_with") == 0) &&
		   n->n == 2 && json_is_string(arg[0]) && json_is_string(arg[1])) {
		const char *s = json_string_value(arg[0]), *x = json_string_value(arg[1]);
		size_t ls = strlen(s), lx = strlen(x);
		out = json_boolean(lx <= ls &&
				   memcmp(n->name[0] == 's' ? s : s + ls - lx, x, lx) == 0);
	}
	json_decref(arg[0]);
	json_decref(arg[1]);
	return out;
}

static json_t *eval(const struct node *n, json_t *cur)
{
	json_t *l, *r;

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
		l = eval(n->a, cur);
		if (n->k == K_SUB && json_is_null(l))
			return l;
		r = eval(n->b, l);
		json_decref(l);
		return r;
	case K_SLICE: {
		l = eval(n->a, cur);
		if (!json_is_array(l)) {
			json_decref(l);
			return json_null();
		}
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
		l = eval(n->a, cur);
		long size = json_is_array(l) ? (long)json_array_size(l) : 0, i = n->index;
		if (i < 0)
			i += size;
		r = i >= 0 && i < size ? json_incref(json_array_get(l, (size_t)i)) : json_null();
		json_decref(l);
		return r;
	}
	case K_PROJECT:
	case K_FILTER:
		l = eval(n->a, cur);
		if (!json_is_array(l)) {
			json_decref(l);
			return json_null();
		}
		return project(l, n->b, n->k == K_FILTER ? n->c : NULL);
	case K_VALUES: {
		l = eval(n->a, cur);
		if (!json_is_object(l)) {
			json_decref(l);
			return json_null();
		}
		json_t *vals = json_array(), *v;
		const char *k;
		json_object_foreach(l, k, v) json_array_append(vals, v);
		json_decref(l);
		return project(vals, n->b, NULL);
	}
	case K_FLATTEN: {
		l = eval(n->a, cur);
		if (!json_is_array(l)) {
			json_decref(l);
			return json_null();
		}
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
		return project(flat, n->b, NULL);
	}
	case K_LIST:
	case K_HASH:
		if (json_is_null(cur))
			return json_null();
		r = n->k == K_LIST ? json_array() : json_object();
		for (size_t i = 0; i < n->n; i++) {
			json_t *v = eval(n->items[i], cur);
			if (n->k == K_LIST)
				json_array_append_new(r, v);
			else
				json_object_set_new(r, n->keys[i], v);
		}
		return r;
	case K_CMP:
		l = eval(n->a, cur);
		r = eval(n->b, cur);
		json_t *c = compare(n->op, l, r);
		json_decref(l);
		json_decref(r);
		return c;
	case K_AND:
	case K_OR:
		l = eval(n->a, cur);
		if (truthy(l) == (n->k == K_OR))
			return l;
		json_decref(l);
		return eval(n->b, cur);
	case K_NOT:
		l = eval(n->a, cur);
		r = json_boolean(!truthy(l));
		json_decref(l);
		return r;
	case K_FUNC:
		return call(n, cur);
	}
	return json_null();
}

json_t *cli_query_apply(const struct cli_query *q, json_t *doc)
{
	return eval(q->root, doc);
}
