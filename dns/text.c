/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Type mnemonics and record data in presentation form (contract in text.h);
 * names live in text_name.c. A Value is cut into fields by a small lexer,
 * wire bytes go through a bounded buffer with a sticky error, and wire rdata
 * is read only through struct dns_cursor. One table row per record type
 * holds its mnemonic, its field count and its two codecs.
 *
 * Error wording. Route 53 reports a bad value as
 *   Invalid Resource Record: 'FATAL problem: CODE (Sentence) encountered with 'VALUE''
 * and a bad record name as "FATAL problem: CODE (Sentence) encountered with 'NAME'".
 * These codes and sentences were seen in real Route 53 replies and are used
 * as they are: ARRDATAIllegalIPv4Address, AAAARRDATAIllegalIPv6Address,
 * MXRRDATANotTwoFields, InvalidCharacterString (Value should be enclosed in
 * quotation marks), CharacterStringTooLong (Value is too long),
 * DomainLabelEmpty, DomainLabelTooLong, UnsupportedCharacter. The others
 * (field counts of other types, numeric ranges, escapes, DomainNameTooLong,
 * ...) are ours, written in the same shape.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cursor.h"
#include "text.h"
#include "text_pvt.h"
#include "wire.h"

/* Largest rdata an RR can carry (RDLENGTH is 16 bits). */
#define TEXT_RDATA_MAX 65535
/* Longest <character-string> (RFC 1035 section 3.3). */
#define TEXT_CHARSTR_MAX 255
/* Most fields any supported type has (SOA). */
#define TEXT_FIELDS_MAX 7

/* Big-endian 16 and 32-bit fields. */
static void out_u16(struct text_out *o, uint16_t v)
{
	uint8_t b[2];

	dns_put_u16(b, v);
	out_put(o, b, 2);
}

static void out_u32(struct text_out *o, uint32_t v)
{
	uint8_t b[4];

	dns_put_u32(b, v);
	out_put(o, b, 4);
}

/* A C string, without its NUL. */
static void out_str(struct text_out *o, const char *s)
{
	out_put(o, s, strlen(s));
}

/* Unsigned decimal number. */
static void out_dec(struct text_out *o, uint32_t v)
{
	char s[12];

	snprintf(s, sizeof(s), "%u", (unsigned)v);
	out_str(o, s);
}

/* ---- lexing a Value into space-separated fields ---- */

/* One field of a Value; a quoted field keeps its quotes. */
struct text_tok {
	const char *s;
	size_t n;
	bool quoted;
};

static const char quote_code[] = "InvalidCharacterString";
static const char quote_why[] = "Value should be enclosed in quotation marks";

/*
 * Cut the next field at *sp; fields are separated by one or more spaces.
 * Out: t. Returns 1, 0 at the end of the value, or -EINVAL (open quote).
 */
static int lex_next(const struct text_err *e, const char **sp, struct text_tok *t)
{
	const char *s = *sp;

	if (*s == '\0')
		return 0;
	t->s = s;
	t->quoted = *s == '"';
	if (t->quoted)
		s++;
	while (*s != '\0' && (t->quoted ? *s != '"' : *s != ' ')) {
		if (*s == '\\' && s[1] != '\0')
			s++;
		s++;
	}
	if (t->quoted) {
		if (*s != '"' || (s[1] != '\0' && s[1] != ' '))
			return text_fail_value(e, quote_code, quote_why);
		s++;
	}
	t->n = (size_t)(s - t->s);
	while (*s == ' ')
		s++;
	*sp = s;
	return 1;
}

/* Reject what no Value may hold: nothing, raw non-printable octets, outer spaces. */
static int value_check(const struct text_err *e, const char *text)
{
	size_t n = strlen(text);

	if (n == 0)
		return text_fail_value(e, "InvalidRDATA", "Value is empty");
	for (size_t i = 0; i < n; i++)
		if (text[i] < 0x20 || text[i] > 0x7e)
			return text_fail_value(e, "UnsupportedCharacter",
					       "Value contains unsupported characters");
	if (text[0] == ' ' || text[n - 1] == ' ')
		return text_fail_value(e, "UnsupportedCharacter",
				       "Value must not begin or end with a space");
	return 0;
}

/*
 * Decode a quoted field into out, with a length octet first if with_len.
 * At most max octets after unescaping (\" \\ \ooo \X).
 */
static int charstr_parse(const struct text_err *e, const struct text_tok *t, size_t max,
			 bool with_len, struct text_out *o)
{
	const char *p = t->s + 1, *end = t->s + t->n - 1;
	size_t at = o->len, n = 0;

	if (!t->quoted)
		return text_fail_value(e, quote_code, quote_why);
	if (with_len)
		out_u8(o, 0);
	while (p < end) {
		size_t used = 1;
		int b = (unsigned char)*p;

		if (b == '\\') {
			b = dns_text_escape_decode(p, end, &used);
			if (b < 0)
				return text_fail_value(e, "InvalidEscapeCode", DNS_TEXT_ESCAPE_WHY);
		}
		if (++n > max)
			return text_fail_value(e, "CharacterStringTooLong", "Value is too long");
		out_u8(o, (uint8_t)b);
		p += used;
	}
	if (with_len && o->err == 0)
		o->p[at] = (uint8_t)n;
	return 0;
}

/* Print octets as one quoted string: \" and \\ escaped, non-printables as "\ooo". */
static void charstr_print(struct dns_cursor *c, size_t n, struct text_out *o)
{
	out_u8(o, '"');
	for (size_t i = 0; i < n && c->err == 0; i++) {
		uint8_t b = dns_cursor_u8(c);

		if (b == '"' || b == '\\')
			out_u8(o, '\\');
		if (b < 0x20 || b > 0x7e)
			out_octal(o, b);
		else
			out_u8(o, b);
	}
	out_u8(o, '"');
}

/* Print a length-prefixed <character-string>. */
static void charstr_print_len(struct dns_cursor *c, struct text_out *o)
{
	charstr_print(c, dns_cursor_u8(c), o);
}

/* ---- per-type codecs ---- */

struct text_codec;

/* A Value being parsed: its fields (for types with a fixed count) and where errors go. */
struct text_rr {
	const struct text_codec *codec;
	const struct text_err *e;
	const char *text;
	struct text_tok f[TEXT_FIELDS_MAX];
};

struct text_codec {
	uint16_t type;
	const char *name;
	unsigned nfields;       /* 0: the codec looks at the whole Value */
	const char *count_word; /* nfields in words, for MXRRDATANotTwoFields */
	int (*parse)(const struct text_rr *rr, struct text_out *o);
	void (*print)(struct dns_cursor *c, struct text_out *o);
};

/* Parse a decimal field no larger than max; `field` names it in the message. */
static int num_parse(const struct text_rr *rr, unsigned i, const char *field, uint32_t max,
		     uint32_t *v)
{
	const struct text_tok *t = &rr->f[i];
	bool ok = t->n > 0 && t->n <= 10; /* 10 digits cannot overflow 64 bits */
	uint64_t x = 0;
	char code[48], why[80];

	for (size_t k = 0; ok && k < t->n; k++) {
		ok = t->s[k] >= '0' && t->s[k] <= '9';
		x = x * 10 + (uint64_t)(t->s[k] - '0');
	}
	if (ok && x <= max) {
		*v = (uint32_t)x;
		return 0;
	}
	snprintf(code, sizeof(code), "%sRRDATAIllegal%s", rr->codec->name, field);
	snprintf(why, sizeof(why), "%s must be an integer from 0 to %u", field, (unsigned)max);
	return text_fail_value(rr->e, code, why);
}

/* Parse a numeric field straight into the wire output as 1, 2 or 4 octets. */
static int num_put(const struct text_rr *rr, unsigned i, const char *field, unsigned size,
		   struct text_out *o)
{
	uint32_t max = size == 1 ? UINT8_MAX : size == 2 ? UINT16_MAX : UINT32_MAX;
	uint32_t v = 0;
	int r = num_parse(rr, i, field, max, &v);

	if (r != 0)
		return r;
	if (size == 1)
		out_u8(o, (uint8_t)v);
	else if (size == 2)
		out_u16(o, (uint16_t)v);
	else
		out_u32(o, v);
	return 0;
}

/* Parse the n characters at s as a name in rdata and append its wire form. */
static int name_put(const struct text_rr *rr, const char *s, size_t n, struct text_out *o)
{
	uint8_t wire[MVDNS_NAME_MAX];
	int len = dns_text_name_parse(rr->e, s, n, wire);

	if (len < 0)
		return len;
	out_put(o, wire, (size_t)len);
	return 0;
}

static int name_field_put(const struct text_rr *rr, unsigned i, struct text_out *o)
{
	return name_put(rr, rr->f[i].s, rr->f[i].n, o);
}

/*
 * A dotted quad as inet_pton(AF_INET) takes it: four decimal numbers 0-255
 * without leading zeros, and nothing else. inet_pton took 290 instructions
 * an address, a sixth of compiling a change of one A value.
 * Returns 0, or -1 (a not filled in full).
 */
static int ipv4_parse(const char *s, uint8_t a[4])
{
	for (int i = 0; i < 4; i++) {
		unsigned v = 0;
		const char *start;

		if (i > 0 && *s++ != '.')
			return -1;
		for (start = s; *s >= '0' && *s <= '9'; s++) {
			if (s > start && v == 0)
				return -1; /* a leading zero */
			v = v * 10 + (unsigned)(*s - '0');
			if (v > 255)
				return -1;
		}
		if (s == start)
			return -1;
		a[i] = (uint8_t)v;
	}
	return *s == '\0' ? 0 : -1;
}

static int a_parse(const struct text_rr *rr, struct text_out *o)
{
	uint8_t a[4];

	if (ipv4_parse(rr->text, a) != 0)
		return text_fail_value(rr->e, "ARRDATAIllegalIPv4Address",
				       "Value is not a valid IPv4 address");
	out_put(o, a, sizeof(a));
	return 0;
}

static void a_print(struct dns_cursor *c, struct text_out *o)
{
	uint8_t a[4];
	char s[INET_ADDRSTRLEN];

	dns_cursor_bytes(c, a, sizeof(a));
	out_str(o, inet_ntop(AF_INET, a, s, sizeof(s)));
}

static int aaaa_parse(const struct text_rr *rr, struct text_out *o)
{
	uint8_t a[16];

	if (inet_pton(AF_INET6, rr->text, a) != 1)
		return text_fail_value(rr->e, "AAAARRDATAIllegalIPv6Address",
				       "Value is not a valid IPv6 address");
	out_put(o, a, sizeof(a));
	return 0;
}

static void aaaa_print(struct dns_cursor *c, struct text_out *o)
{
	uint8_t a[16];
	char s[INET6_ADDRSTRLEN];

	dns_cursor_bytes(c, a, sizeof(a));
	out_str(o, inet_ntop(AF_INET6, a, s, sizeof(s)));
}

/* NS, CNAME, PTR: the Value is one name. */
static int host_parse(const struct text_rr *rr, struct text_out *o)
{
	return name_put(rr, rr->text, strlen(rr->text), o);
}

static void host_print(struct dns_cursor *c, struct text_out *o)
{
	dns_text_name_print(c, o);
}

static int mx_parse(const struct text_rr *rr, struct text_out *o)
{
	int r = num_put(rr, 0, "Priority", 2, o);

	return r != 0 ? r : name_field_put(rr, 1, o);
}

static void mx_print(struct dns_cursor *c, struct text_out *o)
{
	out_dec(o, dns_cursor_u16(c));
	out_u8(o, ' ');
	dns_text_name_print(c, o);
}

static int srv_parse(const struct text_rr *rr, struct text_out *o)
{
	int r = num_put(rr, 0, "Priority", 2, o);

	if (r == 0)
		r = num_put(rr, 1, "Weight", 2, o);
	if (r == 0)
		r = num_put(rr, 2, "Port", 2, o);
	return r != 0 ? r : name_field_put(rr, 3, o);
}

static void srv_print(struct dns_cursor *c, struct text_out *o)
{
	for (int i = 0; i < 3; i++) {
		out_dec(o, dns_cursor_u16(c));
		out_u8(o, ' ');
	}
	dns_text_name_print(c, o);
}

static const char *const soa_fields[] = {"Serial", "Refresh", "Retry", "Expire", "Minimum"};

static int soa_parse(const struct text_rr *rr, struct text_out *o)
{
	int r = name_field_put(rr, 0, o);

	if (r == 0)
		r = name_field_put(rr, 1, o);
	for (unsigned i = 0; i < 5 && r == 0; i++)
		r = num_put(rr, 2 + i, soa_fields[i], 4, o);
	return r;
}

static void soa_print(struct dns_cursor *c, struct text_out *o)
{
	dns_text_name_print(c, o);
	out_u8(o, ' ');
	dns_text_name_print(c, o);
	for (int i = 0; i < 5; i++) {
		out_u8(o, ' ');
		out_dec(o, dns_cursor_u32(c));
	}
}

/* TXT, SPF: one or more quoted strings. */
static int txt_parse(const struct text_rr *rr, struct text_out *o)
{
	const char *s = rr->text;
	struct text_tok t;
	int r;

	while ((r = lex_next(rr->e, &s, &t)) > 0) {
		r = charstr_parse(rr->e, &t, TEXT_CHARSTR_MAX, true, o);
		if (r != 0)
			return r;
	}
	return r;
}

static void txt_print(struct dns_cursor *c, struct text_out *o)
{
	if (dns_cursor_left(c) == 0)
		dns_cursor_fail(c, -EINVAL); /* at least one string */
	for (bool first = true; dns_cursor_left(c) > 0 && c->err == 0; first = false) {
		if (!first)
			out_u8(o, ' ');
		charstr_print_len(c, o);
	}
}

/* Whether all n octets are ASCII letters or digits. */
static bool alnum_only(const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t b = s[i];

		if (!((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')))
			return false;
	}
	return true;
}

/* A CAA tag: 1 to 15 ASCII letters and digits (RFC 8659 section 4.1). */
static bool caa_tag_ok(const uint8_t *tag, size_t n)
{
	return n >= 1 && n <= 15 && alnum_only(tag, n);
}

static int caa_parse(const struct text_rr *rr, struct text_out *o)
{
	const struct text_tok *tag = &rr->f[1];
	int r = num_put(rr, 0, "Flags", 1, o);

	if (r != 0)
		return r;
	if (!caa_tag_ok((const uint8_t *)tag->s, tag->n))
		return text_fail_value(rr->e, "CAARRDATAIllegalTag",
				       "Tag must be 1 to 15 letters or digits");
	out_u8(o, (uint8_t)tag->n);
	out_put(o, tag->s, tag->n);
	return charstr_parse(rr->e, &rr->f[2], TEXT_RDATA_MAX, false, o);
}

static void caa_print(struct dns_cursor *c, struct text_out *o)
{
	uint8_t tag[15];
	uint8_t n;

	out_dec(o, dns_cursor_u8(c));
	out_u8(o, ' ');
	n = dns_cursor_u8(c);
	if (n > sizeof(tag))
		n = 0; /* fails the check below */
	dns_cursor_bytes(c, tag, n);
	if (c->err == 0 && !caa_tag_ok(tag, n))
		dns_cursor_fail(c, -EINVAL);
	out_put(o, tag, n);
	out_u8(o, ' ');
	charstr_print(c, dns_cursor_left(c), o);
}

static int naptr_parse(const struct text_rr *rr, struct text_out *o)
{
	const struct text_tok *flags = &rr->f[2], *regexp = &rr->f[4], *repl = &rr->f[5];
	int r = num_put(rr, 0, "Order", 2, o);

	if (r == 0)
		r = num_put(rr, 1, "Preference", 2, o);
	if (r != 0)
		return r;
	if (flags->quoted && !alnum_only((const uint8_t *)flags->s + 1, flags->n - 2))
		return text_fail_value(rr->e, "NAPTRRRDATAIllegalFlags",
				       "Flags must be letters or digits");
	for (unsigned i = 2; i <= 4 && r == 0; i++)
		r = charstr_parse(rr->e, &rr->f[i], TEXT_CHARSTR_MAX, true, o);
	if (r != 0)
		return r;
	if (regexp->n > 2 && !(repl->n == 1 && repl->s[0] == '.'))
		return text_fail_value(rr->e, "NAPTRRRDATAIllegalReplacement",
				       "Specify either Regexp or Replacement, and a dot for "
				       "Replacement when Regexp is set");
	return name_field_put(rr, 5, o);
}

/* Whether wire NAPTR rdata obeys the rules naptr_parse() enforces. */
static bool naptr_wire_ok(struct dns_cursor c)
{
	uint8_t flags[TEXT_CHARSTR_MAX], n;
	size_t regexp_len;

	dns_cursor_skip(&c, 4);
	n = dns_cursor_u8(&c);
	dns_cursor_bytes(&c, flags, n);
	dns_cursor_skip(&c, dns_cursor_u8(&c)); /* services */
	regexp_len = dns_cursor_u8(&c);
	dns_cursor_skip(&c, regexp_len);
	return c.err != 0 || (alnum_only(flags, n) && (regexp_len == 0 || dns_cursor_u8(&c) == 0));
}

static void naptr_print(struct dns_cursor *c, struct text_out *o)
{
	if (!naptr_wire_ok(*c))
		dns_cursor_fail(c, -EINVAL);
	out_dec(o, dns_cursor_u16(c));
	out_u8(o, ' ');
	out_dec(o, dns_cursor_u16(c));
	for (int i = 0; i < 3; i++) {
		out_u8(o, ' ');
		charstr_print_len(c, o);
	}
	out_u8(o, ' ');
	dns_text_name_print(c, o);
}

static int hex_digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static int ds_parse(const struct text_rr *rr, struct text_out *o)
{
	const struct text_tok *d = &rr->f[3];
	int r = num_put(rr, 0, "KeyTag", 2, o);

	if (r == 0)
		r = num_put(rr, 1, "Algorithm", 1, o);
	if (r == 0)
		r = num_put(rr, 2, "DigestType", 1, o);
	if (r != 0)
		return r;
	for (size_t i = 0; i < d->n; i += 2) {
		int hi = hex_digit(d->s[i]), lo = i + 1 < d->n ? hex_digit(d->s[i + 1]) : -1;

		if (hi < 0 || lo < 0)
			return text_fail_value(
				rr->e, "DSRRDATAIllegalDigest",
				"Digest must be an even number of hexadecimal digits");
		out_u8(o, (uint8_t)(hi << 4 | lo));
	}
	return 0;
}

static void ds_print(struct dns_cursor *c, struct text_out *o)
{
	static const char hex[] = "0123456789ABCDEF";

	out_dec(o, dns_cursor_u16(c));
	out_u8(o, ' ');
	out_dec(o, dns_cursor_u8(c));
	out_u8(o, ' ');
	out_dec(o, dns_cursor_u8(c));
	out_u8(o, ' ');
	if (dns_cursor_left(c) == 0)
		dns_cursor_fail(c, -EINVAL); /* a digest is required */
	while (dns_cursor_left(c) > 0 && c->err == 0) {
		uint8_t b = dns_cursor_u8(c);

		out_u8(o, (uint8_t)hex[b >> 4]);
		out_u8(o, (uint8_t)hex[b & 15]);
	}
}

static const struct text_codec text_codecs[] = {
	{DNS_TYPE_A, "A", 0, NULL, a_parse, a_print},
	{DNS_TYPE_NS, "NS", 0, NULL, host_parse, host_print},
	{DNS_TYPE_CNAME, "CNAME", 0, NULL, host_parse, host_print},
	{DNS_TYPE_SOA, "SOA", 7, "Seven", soa_parse, soa_print},
	{DNS_TYPE_PTR, "PTR", 0, NULL, host_parse, host_print},
	{DNS_TYPE_MX, "MX", 2, "Two", mx_parse, mx_print},
	{DNS_TYPE_TXT, "TXT", 0, NULL, txt_parse, txt_print},
	{DNS_TYPE_AAAA, "AAAA", 0, NULL, aaaa_parse, aaaa_print},
	{DNS_TYPE_SRV, "SRV", 4, "Four", srv_parse, srv_print},
	{DNS_TYPE_NAPTR, "NAPTR", 6, "Six", naptr_parse, naptr_print},
	{DNS_TYPE_DS, "DS", 4, "Four", ds_parse, ds_print},
	{DNS_TYPE_SPF, "SPF", 0, NULL, txt_parse, txt_print},
	{DNS_TYPE_CAA, "CAA", 3, "Three", caa_parse, caa_print},
};

#define TEXT_NCODECS (sizeof(text_codecs) / sizeof(text_codecs[0]))

static const struct text_codec *codec_find(uint16_t type)
{
	for (size_t i = 0; i < TEXT_NCODECS; i++)
		if (text_codecs[i].type == type)
			return &text_codecs[i];
	return NULL;
}

int dns_type_from_text(const char *text)
{
	unsigned long v = 0;
	size_t n;

	if (text == NULL)
		return -EINVAL;
	for (size_t i = 0; i < TEXT_NCODECS; i++)
		if (strcasecmp(text, text_codecs[i].name) == 0)
			return text_codecs[i].type;
	/* RFC 3597 section 5: TYPE followed by the decimal number. */
	n = strlen(text);
	if (n < 5 || n > 9 || strncasecmp(text, "TYPE", 4) != 0)
		return -EINVAL;
	for (size_t i = 4; i < n; i++) {
		if (text[i] < '0' || text[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(text[i] - '0');
	}
	return v <= UINT16_MAX ? (int)v : -EINVAL;
}

const char *dns_type_to_text(uint16_t type)
{
	static _Thread_local char buf[sizeof("TYPE65535")];
	const struct text_codec *rc = codec_find(type);

	if (rc != NULL)
		return rc->name;
	snprintf(buf, sizeof(buf), "TYPE%u", (unsigned)type);
	return buf;
}

/* Split rr->text into exactly codec->nfields fields. */
static int fields_split(struct text_rr *rr)
{
	const struct text_codec *rc = rr->codec;
	const char *s = rr->text;
	struct text_tok extra;
	unsigned n = 0;
	char code[48], why[64];
	int r;

	while ((r = lex_next(rr->e, &s, n < rc->nfields ? &rr->f[n] : &extra)) > 0)
		n++;
	if (r < 0)
		return r;
	if (n == rc->nfields)
		return 0;
	snprintf(code, sizeof(code), "%sRRDATANot%sFields", rc->name, rc->count_word);
	snprintf(why, sizeof(why), "%s record doesn't have %u fields", rc->name, rc->nfields);
	return text_fail_value(rr->e, code, why);
}

int dns_rdata_from_text(uint16_t type, const char *text, uint8_t *out, size_t cap, char *err,
			size_t errlen)
{
	struct text_err e = {text != NULL ? text : "", err, errlen, true};
	struct text_rr rr = {.codec = codec_find(type), .e = &e, .text = e.value};
	struct text_out o = {out, 0, cap < TEXT_RDATA_MAX ? cap : TEXT_RDATA_MAX, 0};
	char why[64];
	int r;

	if (rr.codec == NULL) {
		snprintf(why, sizeof(why), "Record type %s is not supported",
			 dns_type_to_text(type));
		return text_fail_value(&e, "UnsupportedRecordType", why);
	}
	r = value_check(&e, rr.text);
	if (r == 0 && rr.codec->nfields > 0)
		r = fields_split(&rr);
	if (r == 0)
		r = rr.codec->parse(&rr, &o);
	if (r != 0)
		return r;
	if (o.err != 0) {
		snprintf(why, sizeof(why), "Record data does not fit in %zu octets", o.cap);
		text_fail_value(&e, "RDATATooLong", why);
		return o.err;
	}
	return (int)o.len;
}

int dns_rdata_to_text(uint16_t type, const uint8_t *rdata, size_t len, char *out, size_t cap)
{
	const struct text_codec *rc = codec_find(type);
	struct dns_cursor c;
	struct text_out o;

	if (rc == NULL || len > TEXT_RDATA_MAX)
		return -EINVAL;
	dns_cursor_init(&c, rdata, len);
	out_text_init(&o, out, cap);
	rc->print(&c, &o);
	if (c.err != 0 || dns_cursor_left(&c) != 0)
		return -EINVAL;
	return out_text_end(&o);
}
