/* SPDX-License-Identifier: BSD-3-Clause */
#include "jscan.h"

#include <endian.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

void jscan_init(struct jscan *s, const char *json, size_t len, char *arena, size_t cap)
{
	*s = (struct jscan){.p = json, .end = json + len, .arena = arena, .arena_cap = cap};
}

static void skip_ws(struct jscan *s)
{
	s->p = jscan_skip_space(s->p, s->end);
}

/*
 * Past the string whose opening quote is at p; NULL if it does not end.
 * Each quote is found with memchr (many octets at a time) and ends the
 * string unless an odd number of backslashes stands before it.
 */
static const char *skip_string(const char *p, const char *end)
{
	const char *from = p + 1, *q;

	for (p = from; p < end; p = q + 1) {
		size_t backslashes = 0;

		q = memchr(p, '"', (size_t)(end - p));
		if (q == NULL)
			return NULL;
		while (q - backslashes > from && q[-1 - (ptrdiff_t)backslashes] == '\\')
			backslashes++;
		if (backslashes % 2 == 0)
			return q + 1;
	}
	return NULL;
}

const char *jscan_skip_value(const char *p, const char *end)
{
	size_t depth = 0;

	if (p < end && *p == '"')
		return skip_string(p, end);
	if (p == end || (*p != '{' && *p != '['))
		return NULL;
	for (; p < end; p++) {
		if (*p == '"') {
			p = skip_string(p, end);
			if (p == NULL)
				return NULL;
			p--;
		} else if (*p == '{' || *p == '[') {
			depth++;
		} else if ((*p == '}' || *p == ']') && depth > 0 && --depth == 0) {
			return p + 1;
		}
	}
	return NULL;
}

/* jscan_take, inline in this file's readers: calling it made reading a batch 7% slower. */
static inline bool take(struct jscan *s, char c)
{
	if (s->err)
		return false;
	skip_ws(s);
	if (s->p < s->end && *s->p == c) {
		s->p++;
		return true;
	}
	return false;
}

bool jscan_take(struct jscan *s, char c)
{
	return take(s, c);
}

void jscan_expect(struct jscan *s, char c)
{
	if (!take(s, c))
		s->err = 1;
}

const char *jscan_member(struct jscan *s, size_t *n)
{
	const char *key;

	if (take(s, '}'))
		return NULL;
	if (*n > 0)
		jscan_expect(s, ',');
	key = jscan_string(s, NULL);
	jscan_expect(s, ':');
	(*n)++;
	return s->err ? NULL : key;
}

bool jscan_element(struct jscan *s, size_t *n)
{
	if (take(s, ']'))
		return false;
	if (*n > 0)
		jscan_expect(s, ',');
	(*n)++;
	return !s->err;
}

/*
 * The octets of w (8 of the text, the first the least significant) that a
 * plain run stops at: '"', '\\', control (< 0x20) and non-ASCII (>= 0x80),
 * each flagged by its top bit. (x - 0x01...) & ~x flags the zero octets of x,
 * and (w - 0x20...) & ~w those below 0x20; a borrow may flag octets above a
 * flagged one too, never below it, so the lowest flag is exact.
 */
static uint64_t run_stops(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101u, tops = 0x8080808080808080u;
	uint64_t quote = w ^ (ones * '"'), backslash = w ^ (ones * '\\');

	return (((quote - ones) & ~quote) | ((backslash - ones) & ~backslash) |
		((w - ones * 0x20) & ~w) | w) &
	       tops;
}

/*
 * How many octets from p are plain (need no decoding), copied to o as they
 * are, 8 at a time while 8 are left of the text and 8 fit before the last
 * of room octets: nearly all of a batch's string octets, for a few
 * instructions an octet instead of about 20. The caller reads the rest
 * octet by octet.
 */
static size_t plain_run(const char *p, const char *end, char *o, size_t room)
{
	size_t n = 0;

	while ((size_t)(end - p) - n >= 8 && room - n > 8) {
		uint64_t w, stops;

		memcpy(&w, p + n, 8);
		memcpy(o + n, &w, 8);
		stops = run_stops(le64toh(w));
		if (stops != 0)
			return n + (size_t)__builtin_ctzll(stops) / 8;
		n += 8;
	}
	return n;
}

const char *jscan_string(struct jscan *s, size_t *len)
{
	char *out = s->arena + s->arena_len, *o = out;
	const char *p;

	if (!take(s, '"'))
		s->err = 1;
	if (s->err)
		return NULL;
	for (p = s->p;; p++) {
		size_t run = plain_run(p, s->end, o, s->arena_cap - (size_t)(o - s->arena));
		unsigned char c;

		p += run;
		o += run;
		if (p == s->end || *p == '"')
			break;
		c = (unsigned char)*p;
		/* Control characters are errors, and the rest (UTF-8, \u escapes) is
		 * left to jansson, which validates it and knows how to count it. */
		if (c < 0x20 || c >= 0x80 || (size_t)(o - s->arena) + 1 >= s->arena_cap) {
			s->err = 1;
			return NULL;
		}
		if (c == '\\') {
			if (++p == s->end)
				break;
			switch (*p) {
			case '"':
			case '\\':
			case '/':
				c = (unsigned char)*p;
				break;
			case 'b':
				c = '\b';
				break;
			case 'f':
				c = '\f';
				break;
			case 'n':
				c = '\n';
				break;
			case 'r':
				c = '\r';
				break;
			case 't':
				c = '\t';
				break;
			default:
				s->err = 1;
				return NULL;
			}
		}
		*o++ = (char)c;
	}
	if (p == s->end) {
		s->err = 1;
		return NULL;
	}
	*o = '\0';
	s->p = p + 1;
	s->arena_len += (size_t)(o - out) + 1;
	if (len != NULL)
		*len = (size_t)(o - out);
	return out;
}

long long jscan_uint(struct jscan *s, long long max)
{
	long long v = 0;
	const char *start;

	skip_ws(s);
	start = s->p;
	while (!s->err && s->p < s->end && *s->p >= '0' && *s->p <= '9') {
		v = v * 10 + (*s->p++ - '0');
		if (v > max)
			s->err = 1;
	}
	/* JSON has no leading zeros; a fraction or exponent makes a real. */
	if (s->p == start || (*start == '0' && s->p - start > 1) ||
	    (s->p < s->end && (*s->p == '.' || *s->p == 'e' || *s->p == 'E')))
		s->err = 1;
	return s->err ? -1 : v;
}

int jscan_bool(struct jscan *s)
{
	skip_ws(s);
	if (!s->err && s->end - s->p >= 4 && memcmp(s->p, "true", 4) == 0) {
		s->p += 4;
		return 1;
	}
	if (!s->err && s->end - s->p >= 5 && memcmp(s->p, "false", 5) == 0) {
		s->p += 5;
		return 0;
	}
	s->err = 1;
	return -1;
}

bool jscan_done(struct jscan *s)
{
	skip_ws(s);
	return !s->err && s->p == s->end;
}
