/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Domain names in presentation form (contract in text.h), and the error
 * and escape helpers the rdata codecs in text.c share (text_pvt.h).
 *
 * Escapes follow Route 53, not RFC 1035: "\ooo" is OCTAL, so "\052" is '*'
 * (RFC 1035 would read it as decimal 52, '4'). "\X" with a non-digit X is X.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "text.h"
#include "text_pvt.h"

int dns_text_fail(const struct text_err *e, const char *code, const char *why, const char *subj,
		  size_t subj_len)
{
	int n = subj_len > 512 ? 512 : (int)subj_len;

	if (e->buf == NULL || e->len == 0)
		return -EINVAL;
	if (e->rr)
		snprintf(
			e->buf, e->len,
			"Invalid Resource Record: 'FATAL problem: %s (%s) encountered with '%.*s''",
			code, why, n, subj);
	else
		snprintf(e->buf, e->len, "FATAL problem: %s (%s) encountered with '%.*s'", code,
			 why, n, subj);
	return -EINVAL;
}

int dns_text_escape_decode(const char *s, const char *end, size_t *used)
{
	unsigned v = 0;

	if (end - s < 2)
		return -1;
	if (s[1] < '0' || s[1] > '9') {
		if (s[1] < 0x20 || s[1] > 0x7e)
			return -1;
		*used = 2;
		return (unsigned char)s[1];
	}
	if (end - s < 4)
		return -1;
	for (int i = 1; i <= 3; i++) {
		if (s[i] < '0' || s[i] > '7')
			return -1;
		v = v * 8 + (unsigned)(s[i] - '0');
	}
	if (v > 0377)
		return -1;
	*used = 4;
	return (int)v;
}

/* Length of the label text starting at l (up to the next unescaped dot). */
static size_t label_text_len(const char *l, const char *end)
{
	const char *p = l;

	while (p < end && *p != '.') {
		if (*p == '\\' && p + 1 < end)
			p++;
		p++;
	}
	return (size_t)(p - l);
}

/* What a plain octet of a name (printable ASCII, neither '.' nor '\\') becomes, or 0. */
#define PLAIN(b)                                                                             \
	((uint8_t)((b) <= 0x20 || (b) >= 0x7f || (b) == '.' || (b) == '\\' ? 0               \
		   : (b) >= 'A' && (b) <= 'Z'                              ? (b) - 'A' + 'a' \
									   : (b)))
#define PLAIN4(b)  PLAIN(b), PLAIN((b) + 1), PLAIN((b) + 2), PLAIN((b) + 3)
#define PLAIN16(b) PLAIN4(b), PLAIN4((b) + 4), PLAIN4((b) + 8), PLAIN4((b) + 12)
#define PLAIN64(b) PLAIN16(b), PLAIN16((b) + 16), PLAIN16((b) + 32), PLAIN16((b) + 48)
static const uint8_t plain_octet[256] = {PLAIN64(0), PLAIN64(64), PLAIN64(128), PLAIN64(192)};

/*
 * How many octets from p are plain, at most max, written lower-cased to out:
 * all of a name but its dots, usually, at a few instructions an octet, where
 * the octet-by-octet loop below took 27 (a tenth of compiling a change batch).
 */
static size_t plain_run(const char *p, const char *end, uint8_t *out, size_t max)
{
	size_t n = 0, lim = (size_t)(end - p) < max ? (size_t)(end - p) : max;

	for (; n < lim && plain_octet[(uint8_t)p[n]] != 0; n++)
		out[n] = plain_octet[(uint8_t)p[n]];
	return n;
}

/*
 * Octets that may still be written at pos with neither limit reached (the
 * label's, MVDNS_LABEL_MAX, and the name's, MVDNS_NAME_MAX with the root);
 * the octet-by-octet loop reports the one reached.
 */
static size_t name_room(size_t len_at, size_t pos)
{
	size_t stop = len_at + 1 + MVDNS_LABEL_MAX;

	if (stop > MVDNS_NAME_MAX - 1)
		stop = MVDNS_NAME_MAX - 1;
	return stop > pos ? stop - pos : 0;
}

int dns_text_name_parse(const struct text_err *e, const char *s, size_t n,
			uint8_t out[MVDNS_NAME_MAX])
{
	const char *p = s, *end = s + n, *label = s;
	size_t len_at = 0; /* offset of the current label's length octet */
	size_t pos = 1;    /* next octet to write */

	if (n == 0 || (n == 1 && s[0] == '.')) {
		out[0] = 0;
		return 1;
	}
	while (p < end) {
		size_t run = plain_run(p, end, out + pos, name_room(len_at, pos)), used = 1;
		int b;

		p += run;
		pos += run;
		if (p == end)
			break;
		if (*p == '.') {
			if (pos == len_at + 1)
				return dns_text_fail(e, "DomainLabelEmpty", "Domain label is empty",
						     s, n);
			out[len_at] = (uint8_t)(pos - len_at - 1);
			len_at = pos++;
			label = ++p;
			continue;
		}
		if (*p == '\\') {
			b = dns_text_escape_decode(p, end, &used);
			if (b < 0)
				return dns_text_fail(e, "InvalidEscapeCode", DNS_TEXT_ESCAPE_WHY, s,
						     n);
		} else {
			b = (unsigned char)*p;
			if (b <= 0x20 || b >= 0x7f)
				return dns_text_fail(e, "UnsupportedCharacter",
						     "Value contains unsupported characters", s, n);
		}
		if (pos - len_at - 1 == MVDNS_LABEL_MAX)
			return dns_text_fail(e, "DomainLabelTooLong", "Domain label is too long",
					     label, label_text_len(label, end));
		if (pos + 2 > MVDNS_NAME_MAX) /* this octet and the root label */
			return dns_text_fail(e, "DomainNameTooLong", "Domain name is too long", s,
					     n);
		out[pos++] = (uint8_t)(b >= 'A' && b <= 'Z' ? b - 'A' + 'a' : b);
		p += used;
	}
	if (pos == len_at + 1) { /* trailing dot: the open label is the root */
		out[len_at] = 0;
		return (int)pos;
	}
	out[len_at] = (uint8_t)(pos - len_at - 1);
	out[pos++] = 0;
	return (int)pos;
}

int dns_name_from_text(const char *text, uint8_t out[MVDNS_NAME_MAX], char *err, size_t errlen)
{
	struct text_err e = {text, err, errlen, false};

	if (text == NULL)
		return dns_text_fail(&e, "InvalidDomainName", "Domain name is missing", "", 0);
	return dns_text_name_parse(&e, text, strlen(text), out);
}

/* One name octet as Route 53 lists it: [a-z0-9-_] as is, anything else "\ooo". */
static void out_name_octet(struct text_out *o, uint8_t b)
{
	if ((b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '-' || b == '_')
		out_u8(o, b);
	else
		out_octal(o, b);
}

void dns_text_name_print(struct dns_cursor *c, struct text_out *o)
{
	size_t total = 0;
	uint8_t n;

	do {
		n = dns_cursor_u8(c);
		total += 1 + (size_t)n;
		if (c->err != 0)
			return;
		if (n > MVDNS_LABEL_MAX || total > MVDNS_NAME_MAX) {
			dns_cursor_fail(c, -EINVAL);
			return;
		}
		for (unsigned i = 0; i < n; i++)
			out_name_octet(o, dns_cursor_u8(c));
		if (n > 0 || total == 1)
			out_u8(o, '.');
	} while (n > 0 && c->err == 0);
}

int dns_name_to_text(const uint8_t *wire, char *out, size_t cap)
{
	struct dns_cursor c;
	struct text_out o;

	dns_cursor_init(&c, wire, MVDNS_NAME_MAX);
	out_text_init(&o, out, cap);
	dns_text_name_print(&c, &o);
	if (c.err != 0)
		return -EINVAL;
	return out_text_end(&o);
}
