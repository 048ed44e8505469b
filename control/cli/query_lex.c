/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The --query lexer: an expression's text into an array of tokens
 * (identifiers, numbers, literals already decoded to jansson values,
 * operators), for the parser in query.c. Apart from the parser because it
 * is the one part that reads characters: quoting, escapes and literals.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "query_pvt.h"

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
struct token *query_lex(const char *s, size_t *ntoks, const char **err)
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
				{")", T_RPAREN, 0},   {"@", T_AT, 0},      {"&", T_EXPREF, 0},
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
