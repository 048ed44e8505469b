/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internals shared by text_name.c (names) and text.c (types and rdata):
 * error reporting in Route 53's wording, a bounded output buffer with a
 * sticky error, escape decoding and the name codec working on slices.
 * Not part of the public API (see text.h).
 */
#ifndef DNS_TEXT_PVT_H
#define DNS_TEXT_PVT_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cursor.h"
#include "mvdns.h"

/* Where and how a parse error is reported. */
struct text_err {
	const char *value; /* the whole input, quoted by most messages */
	char *buf;         /* caller's buffer, may be NULL */
	size_t len;
	bool rr; /* record data: wrap as "Invalid Resource Record: '...'" */
};

/*
 * Write "FATAL problem: code (why) encountered with 'subj'" (wrapped for
 * record data) into e->buf, truncated to fit. Returns -EINVAL.
 */
int dns_text_fail(const struct text_err *e, const char *code, const char *why, const char *subj,
		  size_t subj_len);

/* Same, quoting the whole input. */
static inline int text_fail_value(const struct text_err *e, const char *code, const char *why)
{
	return dns_text_fail(e, code, why, e->value, strlen(e->value));
}

/* Bounded output (wire bytes or text) with a sticky -ENOSPC. */
struct text_out {
	uint8_t *p;
	size_t len;
	size_t cap;
	int err;
};

static inline void out_put(struct text_out *o, const void *src, size_t n)
{
	if (o->err != 0)
		return;
	if (o->cap - o->len < n) {
		o->err = -ENOSPC;
		return;
	}
	memcpy(o->p + o->len, src, n);
	o->len += n;
}

static inline void out_u8(struct text_out *o, uint8_t v)
{
	out_put(o, &v, 1);
}

/* Three-digit octal escape, the form Route 53 prints ("\052"). */
static inline void out_octal(struct text_out *o, uint8_t b)
{
	char s[4] = {'\\', (char)('0' + (b >> 6)), (char)('0' + ((b >> 3) & 7)),
		     (char)('0' + (b & 7))};

	out_put(o, s, sizeof(s));
}

/* Start text output into out[cap], keeping room for the terminating NUL. */
static inline void out_text_init(struct text_out *o, char *out, size_t cap)
{
	o->p = (uint8_t *)out;
	o->len = 0;
	o->cap = cap > 0 ? cap - 1 : 0;
	o->err = cap > 0 ? 0 : -ENOSPC;
}

/* Terminate text output; returns its length or -ENOSPC. */
static inline int out_text_end(struct text_out *o)
{
	if (o->err != 0)
		return o->err;
	o->p[o->len] = '\0';
	return (int)o->len;
}

/* Why an escape was refused, for messages. */
#define DNS_TEXT_ESCAPE_WHY "Escape code must be a backslash and three octal digits from 000 to 377"

/*
 * Decode the escape starting at the backslash s[0] (s < end): "\ooo", three
 * octal digits up to \377, as Route 53 documents, or "\X" for a non-digit
 * printable X. Out: *used, characters consumed. Returns the octet or -1.
 */
int dns_text_escape_decode(const char *s, const char *end, size_t *used);

/*
 * Parse the n characters at s as a name (dns_name_from_text() rules).
 * Out: out. Returns the wire length or -EINVAL with a message via e.
 */
int dns_text_name_parse(const struct text_err *e, const char *s, size_t n,
			uint8_t out[MVDNS_NAME_MAX]);

/*
 * Read an uncompressed wire name through c and print it with a trailing dot.
 * A malformed name sets c->err (-EINVAL, or the cursor's -EMSGSIZE).
 */
void dns_text_name_print(struct dns_cursor *c, struct text_out *o);

#endif /* DNS_TEXT_PVT_H */
