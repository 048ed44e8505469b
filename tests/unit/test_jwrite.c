/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The JSON writer (control/zone/jwrite.c): its text must be the octets
 * jansson's compact dump gives for the same values, since snapshots written
 * by either are compared and read back as one format.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jwrite.h"

/* What jansson's compact dump writes for v (stolen). */
static char *dumped(json_t *v)
{
	char *text;

	cr_assert_not_null(v);
	text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(v);
	cr_assert_not_null(text);
	return text;
}

static char *finished(struct jwrite *w)
{
	size_t len;
	char *text = jwrite_finish(w, &len);

	cr_assert_not_null(text);
	cr_assert_eq(len, strlen(text));
	return text;
}

static void string_as_jansson_writes_it(const char *s)
{
	struct jwrite w = {0};
	char *want = dumped(json_string(s)), *got;

	jwrite_string(&w, s);
	got = finished(&w);
	cr_assert_str_eq(got, want, "for \"%s\"", s);
	free(got);
	free(want);
}

Test(jwrite, every_ascii_octet_is_escaped_as_jansson_escapes_it)
{
	for (int c = 1; c < 0x80; c++) {
		char s[] = {'a', (char)c, 'b', (char)c, '\0'};

		string_as_jansson_writes_it(s);
		string_as_jansson_writes_it(s + 1);
	}
}

Test(jwrite, strings_of_many_octets_and_none)
{
	char long_one[5000];

	for (size_t i = 0; i < sizeof(long_one) - 1; i++)
		long_one[i] = "ab\"c\\d\n\x01\x1f \xc3\xa9"[i % 13];
	long_one[sizeof(long_one) - 1] = '\0';
	long_one[sizeof(long_one) - 2] = 'z'; /* no UTF-8 sequence cut at the end */
	string_as_jansson_writes_it(long_one);
	string_as_jansson_writes_it("");
	/* été € 😀 */
	string_as_jansson_writes_it("\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	string_as_jansson_writes_it("\"\"\\\\");
}

Test(jwrite, integers_in_decimal)
{
	static const uint64_t values[] = {0, 7, 10, 99, 100, 4294967295u, UINT64_MAX};

	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		struct jwrite w = {0};
		char want[32], *got;

		snprintf(want, sizeof(want), "%" PRIu64, values[i]);
		jwrite_uint(&w, values[i]);
		got = finished(&w);
		cr_assert_str_eq(got, want);
		free(got);
	}
}

/* Punctuation, members, strings and a jansson value: the document jansson dumps whole. */
Test(jwrite, a_document_grown_from_nothing_is_what_jansson_dumps)
{
	json_t *doc = json_object(), *items = json_array(), *small;
	struct jwrite w = {0};
	char key[32], *want, *got;

	small = json_pack("{s:i,s:[b,n],s:s}", "n", -5, "list", 1, "text", "x\ty");
	JWRITE_LIT(&w, "{\"items\":[");
	for (int i = 0; i < 20000; i++) { /* far past the first 4 KiB */
		snprintf(key, sizeof(key), "k%d\"%d", i, i * 7);
		json_array_append_new(items, json_string(key));
		JWRITE_MEMBER(&w, i > 0 ? "," : "", key);
	}
	json_object_set_new(doc, "items", items);
	json_object_set(doc, "small", small);
	JWRITE_LIT(&w, "],\"small\":");
	jwrite_json(&w, small);
	JWRITE_LIT(&w, "}");
	json_decref(small);
	want = dumped(doc);
	got = finished(&w);
	cr_assert_str_eq(got, want);
	free(got);
	free(want);
}

Test(jwrite, nothing_written_is_the_empty_text)
{
	struct jwrite w = {0};
	char *got = finished(&w);

	cr_assert_str_eq(got, "");
	free(got);
	cr_assert_null(w.text, "the writer holds nothing after");
}

/* An error sticks: everything after it is ignored and the text is withheld. */
Test(jwrite, an_error_withholds_the_whole_text)
{
	struct jwrite w = {0};
	size_t len = 1;

	JWRITE_LIT(&w, "[");
	jwrite_json(&w, NULL);
	cr_assert_eq(w.err, -ENOMEM);
	JWRITE_LIT(&w, "]");
	cr_assert_null(jwrite_finish(&w, &len));
	cr_assert_eq(len, 0);
	cr_assert_null(w.text);
	cr_assert_eq(w.err, 0, "the writer can be used again");
}

/* What a sink was handed: the pieces joined, how many, the largest. */
struct pieces {
	struct jwrite all;
	size_t count, largest;
	int fail_at; /* the call that fails with -ENOSPC (0: none) */
};

static int collect(void *arg, const char *text, size_t len)
{
	struct pieces *p = arg;

	p->count++;
	if ((int)p->count == p->fail_at)
		return -ENOSPC;
	cr_assert_gt(len, 0);
	p->largest = len > p->largest ? len : p->largest;
	jwrite_raw(&p->all, text, len);
	return 0;
}

/* The same document, 3 MB of strings, with or without a sink. */
static void big_document(struct jwrite *w)
{
	char s[64];

	JWRITE_LIT(w, "[");
	for (int i = 0; i < 100000; i++) {
		snprintf(s, sizeof(s), "value \"%d\" of a big document", i);
		JWRITE_MEMBER(w, i > 0 ? "," : "", s);
	}
	JWRITE_LIT(w, "]");
}

Test(jwrite, a_sink_gets_the_text_in_pieces_of_bounded_size)
{
	struct pieces p = {0};
	struct jwrite w = {.sink = collect, .sink_arg = &p}, whole = {0};
	char *want, *got;
	size_t len;

	big_document(&w);
	cr_assert_leq(w.cap, 2 * JWRITE_PIECE, "the buffer stays near one piece");
	cr_assert_eq(jwrite_end(&w), 0);
	cr_assert_null(w.text);
	big_document(&whole);
	want = jwrite_finish(&whole, &len);
	got = finished(&p.all);
	cr_assert_gt(p.count, 2);
	cr_assert_leq(p.largest, JWRITE_PIECE);
	cr_assert_str_eq(got, want);
	free(got);
	free(want);
}

Test(jwrite, a_sink_error_sticks_and_is_returned)
{
	struct pieces p = {.fail_at = 2};
	struct jwrite w = {.sink = collect, .sink_arg = &p};
	char *got;

	big_document(&w);
	cr_assert_eq(w.err, -ENOSPC);
	cr_assert_eq(jwrite_end(&w), -ENOSPC);
	cr_assert_eq(p.count, 2, "the sink is not called after it failed");
	got = finished(&p.all);
	free(got);
}
