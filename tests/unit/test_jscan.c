/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fast paths' JSON reader (control/zone/jscan.c): strings, which it
 * copies 8 octets at a time up to the first one that needs a look, with
 * that octet at every place in the word, and near the end of the text and
 * of the arena.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "jscan.h"

/* The string that text[0..n) starts with, decoded into an arena of cap octets; NULL if refused. */
static const char *string_in(const char *text, size_t n, size_t cap, size_t *len)
{
	static char arena[256];
	static struct jscan s;

	cr_assert_leq(cap, sizeof(arena));
	jscan_init(&s, text, n, arena, cap);
	return jscan_string(&s, len);
}

static const char *string_of(const char *text, size_t cap, size_t *len)
{
	return string_in(text, strlen(text), cap, len);
}

/* "<k a's><stop>bcd", followed by trailer, decodes to want (NULL: refused). */
static void stop_at(size_t k, const char *stop, const char *trailer, const char *want)
{
	char text[128], pre[64];
	const char *got;
	size_t len = 0;

	memset(pre, 'a', k);
	pre[k] = '\0';
	snprintf(text, sizeof(text), "\"%s%sbcd\"%s", pre, stop, trailer);
	got = string_of(text, strlen(text) + 1, &len);
	if (want == NULL) {
		cr_assert_null(got, "k %zu, stop %02x: taken", k, (unsigned char)stop[0]);
		return;
	}
	cr_assert_not_null(got, "k %zu, stop %02x: refused", k, (unsigned char)stop[0]);
	cr_assert_str_eq(got + k, want, "k %zu", k);
	cr_assert_eq(len, k + strlen(want), "k %zu", k);
	cr_assert_eq(strspn(got, "a"), k, "k %zu", k);
}

Test(jscan, strings_stop_at_every_place)
{
	static const char *const trailers[] = {"", "                "};

	for (size_t k = 0; k < 20; k++) {
		for (size_t t = 0; t < 2; t++) {
			const char *tr = trailers[t];

			stop_at(k, "\"", tr, "");
			stop_at(k, "\\\"", tr, "\"bcd");
			stop_at(k, "\\\\", tr, "\\bcd");
			stop_at(k, "\\n", tr, "\nbcd");
			stop_at(k, "\\/", tr, "/bcd");
			stop_at(k, "\\u0041", tr, NULL); /* left to jansson */
			stop_at(k, "\\x", tr, NULL);
			stop_at(k, "\x01", tr, NULL);
			stop_at(k, "\x1f", tr, NULL);
			stop_at(k, "\x80", tr, NULL);
			stop_at(k, "\xc3\xa9", tr, NULL);
			stop_at(k, "\xff", tr, NULL);
		}
	}
}

Test(jscan, plain_octets_next_to_the_stops)
{
	/* Space, DEL and the neighbours of '"' and '\' are plain. */
	static const char *const plain[] = {" ", "\x7f", "!", "#", "[", "]"};

	for (size_t k = 0; k < 20; k++)
		for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
			char want[8];

			snprintf(want, sizeof(want), "%sbcd", plain[i]);
			stop_at(k, plain[i], "", want);
			stop_at(k, plain[i], "         ", want);
		}
}

Test(jscan, strings_end_with_the_text)
{
	size_t len;

	cr_assert_null(string_of("\"abcdefghijklmnopqrstuvwxyz", 64, &len), "no closing quote");
	cr_assert_null(string_of("\"abcdefghijklmnopqrstuvwxyz\\", 64, &len));
	cr_assert_str_eq(string_of("\"abcdefghijklmnopqrstuvwxyz\"", 64, &len),
			 "abcdefghijklmnopqrstuvwxyz");
	/* What follows the text is not read, not even within a word. */
	for (size_t n = 1; n < 20; n++)
		cr_assert_null(string_in("\"abcdefghijklmnopqrstuvwxyz\"", n, 64, &len), "n %zu",
			       n);
}

Test(jscan, strings_fit_the_arena)
{
	static const char letters[] = "abcdefghijklmnopqrstuvwxyz";

	/* n octets and the NUL take n + 1. */
	for (size_t n = 1; n <= 26; n++) {
		char text[32];
		size_t len;

		snprintf(text, sizeof(text), "\"%.*s\"", (int)n, letters);
		cr_assert_not_null(string_of(text, n + 1, &len), "n %zu", n);
		cr_assert_eq(len, n);
		for (size_t cap = 1; cap <= n; cap++)
			cr_assert_null(string_of(text, cap, &len), "n %zu, cap %zu", n, cap);
	}
}

Test(jscan, strings_follow_one_another)
{
	static const char text[] = "[\"abcdefghijkl\", \"0123456789ABCDEFG\", \"x\"]";
	char arena[sizeof(text)];
	const char *a, *b, *c;
	struct jscan s;
	size_t n = 0;

	jscan_init(&s, text, strlen(text), arena, sizeof(arena));
	jscan_expect(&s, '[');
	cr_assert(jscan_element(&s, &n));
	a = jscan_string(&s, NULL);
	cr_assert(jscan_element(&s, &n));
	b = jscan_string(&s, NULL);
	cr_assert(jscan_element(&s, &n));
	c = jscan_string(&s, NULL);
	cr_assert_not(jscan_element(&s, &n));
	cr_assert(jscan_done(&s));
	cr_assert_str_eq(a, "abcdefghijkl");
	cr_assert_str_eq(b, "0123456789ABCDEFG");
	cr_assert_str_eq(c, "x");
}

/* Where jscan_skip_value ends in text, as an offset; -1 for NULL. */
static long skipped(const char *text)
{
	const char *e = jscan_skip_value(text, text + strlen(text));

	return e != NULL ? (long)(e - text) : -1;
}

/* A quote ends a string unless an odd number of backslashes stands before it. */
Test(jscan, skip_value_over_escaped_quotes_and_backslash_runs)
{
	cr_assert_eq(skipped("\"abc\" tail"), 5);
	cr_assert_eq(skipped("\"\""), 2);
	cr_assert_eq(skipped("\"a\\\"b\"x"), 6);            /* "a\"b" */
	cr_assert_eq(skipped("\"a\\\\\"x"), 5);             /* "a\\" */
	cr_assert_eq(skipped("\"\\\\\\\"\"x"), 6);          /* "\\\"" */
	cr_assert_eq(skipped("\"\\\\\\\\\"x"), 6);          /* "\\\\" */
	cr_assert_eq(skipped("[\"]\",{\"}\":[1]}] x"), 15); /* brackets inside strings */
	cr_assert_eq(skipped("{\"a\":\"\\\"}\"}x"), 11);
	cr_assert_eq(skipped("\"never ends\\\""), -1);
	cr_assert_eq(skipped("[\"open\""), -1);
	cr_assert_eq(skipped("\"\\"), -1);
	cr_assert_eq(skipped("12"), -1, "only strings, objects and arrays");
}
