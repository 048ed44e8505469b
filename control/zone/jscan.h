/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A JSON reader for the fast paths of known request shapes: a bounded cursor
 * over the text with a sticky error, decoding strings into a caller's arena.
 * It takes only the plain subset (ASCII strings with the short escapes,
 * non-negative integers, true/false) and sets `err` at anything else; its
 * callers then take their general path (jansson), which accepts or words the
 * error exactly. So it never has to report what is wrong, only that it does
 * not take it. Pure; no allocation.
 */
#ifndef ZONE_JSCAN_H
#define ZONE_JSCAN_H

#include <stdbool.h>
#include <stddef.h>

struct jscan {
	const char *p, *end;
	char *arena; /* decoded strings, NUL-terminated, one after another */
	size_t arena_len, arena_cap;
	int err; /* sticky: set at the first thing the reader does not take */
};

/*
 * Read json[0..len). Strings decode into arena (cap octets); cap >= len + 1
 * is always enough, as a string never decodes to more octets than it has
 * between its quotes.
 */
void jscan_init(struct jscan *s, const char *json, size_t len, char *arena, size_t cap);

/* Skip white space; consume c if it comes next. Returns whether it did. */
bool jscan_take(struct jscan *s, char c);

/* jscan_take, or an error. */
void jscan_expect(struct jscan *s, char c);

/*
 * The next member of an object whose '{' was taken: its key (in the arena),
 * with the ':' after it taken too; NULL at the closing '}' (taken) or on an
 * error. *n counts the members read so far (0 before the first).
 */
const char *jscan_member(struct jscan *s, size_t *n);

/* Whether another element of an array whose '[' was taken follows; false at ']' or an error. */
bool jscan_element(struct jscan *s, size_t *n);

/* A string (NUL-terminated, in the arena), its length in *len; NULL on an error. */
const char *jscan_string(struct jscan *s, size_t *len);

/* An integer 0..max (no sign, fraction or exponent); -1 on an error. */
long long jscan_uint(struct jscan *s, long long max);

/* true or false; -1 on an error. */
int jscan_bool(struct jscan *s);

/* Whether only white space is left (and no error came). */
bool jscan_done(struct jscan *s);

/*
 * For any reader of JSON text, with or without a struct jscan:
 * past the white space at p (JSON's four characters, as jansson takes them).
 */
static inline const char *jscan_skip_space(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
		p++;
	return p;
}

/*
 * Past the string, object or array that starts at p, strings inside it
 * skipped whole (escapes included); NULL when it does not end before end.
 * It finds where a value ends and checks nothing else: jansson or the
 * reader above validate it.
 */
const char *jscan_skip_value(const char *p, const char *end);

#endif /* ZONE_JSCAN_H */
