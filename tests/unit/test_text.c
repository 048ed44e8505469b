/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for dns/text.c: names, type mnemonics and the rdata of every
 * supported type, in both directions, with every rejection path checked for
 * its return value and the Route 53-style code in its message.
 */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "text.h"
#include "wire.h"

#define ERRLEN 600

/* ---- helpers ---- */

/* Parse a name and check its wire form. */
static void name_ok(const char *text, const uint8_t *wire, size_t len)
{
	uint8_t out[MVDNS_NAME_MAX];
	char err[ERRLEN] = "";
	int r = dns_name_from_text(text, out, err, sizeof(err));

	cr_assert_eq(r, (int)len, "'%s': got %d (%s), want %zu", text, r, err, len);
	cr_assert(memcmp(out, wire, len) == 0, "'%s': wrong wire form", text);
}

/* Parse a name that must be refused with `code` in the message. */
static void name_bad(const char *text, const char *code)
{
	uint8_t out[MVDNS_NAME_MAX];
	char err[ERRLEN] = "";
	int r = dns_name_from_text(text, out, err, sizeof(err));

	cr_assert_eq(r, -EINVAL, "'%s': got %d, want -EINVAL", text, r);
	cr_assert(strstr(err, code) != NULL, "'%s': message '%s' lacks '%s'", text, err, code);
	cr_assert(strncmp(err, "FATAL problem: ", 15) == 0, "'%s': message '%s'", text, err);
}

/* Print a wire name and compare. */
static void name_print_is(const uint8_t *wire, const char *want)
{
	char out[1100];
	int r = dns_name_to_text(wire, out, sizeof(out));

	cr_assert_eq(r, (int)strlen(want), "want '%s', got %d '%s'", want, r, r > 0 ? out : "");
	cr_assert_str_eq(out, want);
}

/* Parse rdata and check its wire form. */
static void rdata_ok(uint16_t type, const char *text, const uint8_t *wire, size_t len)
{
	uint8_t out[2048];
	char err[ERRLEN] = "";
	int r = dns_rdata_from_text(type, text, out, sizeof(out), err, sizeof(err));

	cr_assert_eq(r, (int)len, "%s '%s': got %d (%s), want %zu", dns_type_to_text(type), text, r,
		     err, len);
	cr_assert(memcmp(out, wire, len) == 0, "%s '%s': wrong rdata", dns_type_to_text(type),
		  text);
}

/* Parse rdata that must be refused with `code` in a Route 53-shaped message. */
static void rdata_bad(uint16_t type, const char *text, const char *code)
{
	uint8_t out[2048];
	char err[ERRLEN] = "";
	int r = dns_rdata_from_text(type, text, out, sizeof(out), err, sizeof(err));

	cr_assert_eq(r, -EINVAL, "%s '%s': got %d, want -EINVAL", dns_type_to_text(type), text, r);
	cr_assert(strstr(err, code) != NULL, "%s '%s': message '%s' lacks '%s'",
		  dns_type_to_text(type), text, err, code);
	cr_assert(strncmp(err, "Invalid Resource Record: 'FATAL problem: ", 41) == 0,
		  "%s '%s': message '%s'", dns_type_to_text(type), text, err);
}

/* Text -> wire -> text gives `canon`, and canon parses to the same wire. */
static void roundtrip(uint16_t type, const char *text, const char *canon)
{
	uint8_t w1[2048], w2[2048];
	char err[ERRLEN] = "", out[4096];
	int n1 = dns_rdata_from_text(type, text, w1, sizeof(w1), err, sizeof(err));
	int n2, t;

	cr_assert_gt(n1, 0, "%s '%s': %s", dns_type_to_text(type), text, err);
	t = dns_rdata_to_text(type, w1, (size_t)n1, out, sizeof(out));
	cr_assert_eq(t, (int)strlen(canon), "%s '%s': printed %d", dns_type_to_text(type), text, t);
	cr_assert_str_eq(out, canon);
	n2 = dns_rdata_from_text(type, out, w2, sizeof(w2), err, sizeof(err));
	cr_assert_eq(n2, n1, "%s '%s': reparse %d (%s)", dns_type_to_text(type), out, n2, err);
	cr_assert(memcmp(w1, w2, (size_t)n1) == 0);
}

/* Printing this rdata must fail with -EINVAL. */
static void print_bad(uint16_t type, const uint8_t *rdata, size_t len)
{
	char out[1024];
	int r = dns_rdata_to_text(type, rdata, len, out, sizeof(out));

	cr_assert_eq(r, -EINVAL, "%s: got %d, want -EINVAL", dns_type_to_text(type), r);
}

/* Fill buf with n copies of c, NUL-terminated; returns buf. */
static char *rep(char *buf, char c, size_t n)
{
	memset(buf, c, n);
	buf[n] = '\0';
	return buf;
}

/* ---- names: text -> wire ---- */

static const uint8_t wire_www[] = {3,   'w', 'w', 'w', 7,   'e', 'x', 'a', 'm',
				   'p', 'l', 'e', 3,   'c', 'o', 'm', 0};

Test(name_from_text, lower_cases_and_accepts_optional_trailing_dot)
{
	name_ok("www.example.com", wire_www, sizeof(wire_www));
	name_ok("www.example.com.", wire_www, sizeof(wire_www));
	name_ok("WWW.Example.COM", wire_www, sizeof(wire_www));
}

Test(name_from_text, root)
{
	static const uint8_t root[] = {0};

	name_ok(".", root, 1);
	name_ok("", root, 1);
}

Test(name_from_text, octal_escapes_as_route53)
{
	static const uint8_t star[] = {1, '*', 3, 'c', 'o', 'm', 0};
	static const uint8_t dot[] = {3, 'a', '.', 'b', 3, 'c', 'o', 'm', 0};
	static const uint8_t hi[] = {1, 0xff, 1, 0, 0};

	name_ok("\\052.com", star, sizeof(star)); /* octal 052 is '*' (decimal 42) */
	name_ok("*.com", star, sizeof(star));
	name_ok("a\\056b.com", dot, sizeof(dot));
	name_ok("a\\.b.com", dot, sizeof(dot));
	name_ok("\\377.\\000", hi, sizeof(hi));
}

Test(name_from_text, escaped_letters_are_lower_cased)
{
	static const uint8_t ab[] = {2, 'a', 'b', 0};

	name_ok("\\101\\102", ab, sizeof(ab)); /* \101 is 'A' */
	name_ok("\\A\\b", ab, sizeof(ab));
}

Test(name_from_text, other_escapes_and_punctuation)
{
	static const uint8_t bs[] = {3, 'a', '\\', '@', 0};
	static const uint8_t sp[] = {3, 'a', ' ', 'b', 0};
	static const uint8_t under[] = {4, '_', 's', 'i', 'p', 0};

	name_ok("a\\\\@", bs, sizeof(bs));
	name_ok("a\\040b", sp, sizeof(sp));
	name_ok("a\\ b", sp, sizeof(sp));
	name_ok("_sip", under, sizeof(under));
}

Test(name_from_text, every_printable_octet_lower_cased)
{
	/* Runs of plain octets are copied apart from the rest: every one, in two labels. */
	char text[200];
	uint8_t want[200], out[MVDNS_NAME_MAX];
	size_t n = 0, w = 0;

	for (int b = 0x21; b < 0x7f; b++) {
		if (b == '.' || b == '\\')
			continue;
		if (n == MVDNS_LABEL_MAX)
			text[n++] = '.';
		text[n++] = (char)b;
	}
	text[n] = '\0'; /* 63 octets, a dot, 29 octets */
	for (size_t i = 0; i < n; i++) {
		uint8_t b = (uint8_t)text[i];

		if (i == 0 || b == '.')
			want[w++] = i == 0 ? MVDNS_LABEL_MAX : (uint8_t)(n - i - 1);
		if (b != '.')
			want[w++] = (uint8_t)(b >= 'A' && b <= 'Z' ? b + 0x20 : b);
	}
	want[w++] = 0;
	cr_assert_eq(w, 1 + 63 + 1 + 29 + 1);
	cr_assert_eq(dns_name_from_text(text, out, NULL, 0), (int)w);
	cr_assert(memcmp(out, want, w) == 0);
}

Test(name_from_text, label_of_63_octets_is_accepted_64_is_not)
{
	char text[300], l63[64];
	uint8_t wire[70];

	rep(l63, 'a', 63);
	wire[0] = 63;
	memset(wire + 1, 'a', 63);
	memcpy(wire + 64, "\3com", 5); /* includes the root octet */
	snprintf(text, sizeof(text), "%s.com", l63);
	name_ok(text, wire, 69);

	/* 62 plain octets and an escape still make 63 */
	snprintf(text, sizeof(text), "%.62s\\141.com", l63);
	name_ok(text, wire, 69);

	snprintf(text, sizeof(text), "%sa.com", l63);
	name_bad(text, "DomainLabelTooLong (Domain label is too long)");
	snprintf(text, sizeof(text), "www.%.62s\\141a", l63);
	name_bad(text, "DomainLabelTooLong");
}

Test(name_from_text, label_too_long_message_names_the_label)
{
	char text[300], label[70], want[200], err[ERRLEN];
	uint8_t out[MVDNS_NAME_MAX];

	rep(label, 'x', 64);
	snprintf(text, sizeof(text), "www.%s.example.com", label);
	snprintf(want, sizeof(want),
		 "FATAL problem: DomainLabelTooLong (Domain label is too long) encountered with "
		 "'%s'",
		 label);
	cr_assert_eq(dns_name_from_text(text, out, err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, want);
}

Test(name_from_text, name_of_255_octets_is_accepted_256_is_not)
{
	char text[400], l63[64], l61[62], l62[63];
	uint8_t out[MVDNS_NAME_MAX];
	char err[ERRLEN];

	rep(l63, 'a', 63);
	rep(l61, 'b', 61);
	rep(l62, 'b', 62);
	/* 4 labels: 1+63 three times, 1+61, and the root = 255 */
	snprintf(text, sizeof(text), "%s.%s.%s.%s", l63, l63, l63, l61);
	cr_assert_eq(dns_name_from_text(text, out, err, sizeof(err)), 255, "%s", err);
	cr_assert_eq(out[0], 63);
	cr_assert_eq(out[192], 61);
	cr_assert_eq(out[254], 0);
	snprintf(text, sizeof(text), "%s.%s.%s.%s.", l63, l63, l63, l61);
	cr_assert_eq(dns_name_from_text(text, out, err, sizeof(err)), 255, "%s", err);

	snprintf(text, sizeof(text), "%s.%s.%s.%s", l63, l63, l63, l62);
	name_bad(text, "DomainNameTooLong (Domain name is too long)");
	snprintf(text, sizeof(text), "%s.%s.%s.%s.a", l63, l63, l63, l61);
	name_bad(text, "DomainNameTooLong");
	/* The last label's length octet at 191: its 63rd octet would be the 255th. */
	snprintf(text, sizeof(text), "%s.%s.%s.%s", l63, l63, l62, l62);
	cr_assert_eq(dns_name_from_text(text, out, err, sizeof(err)), 255, "%s", err);
	snprintf(text, sizeof(text), "%s.%s.%s.%s", l63, l63, l62, l63);
	name_bad(text, "DomainNameTooLong");
}

Test(name_from_text, empty_labels_are_refused)
{
	name_bad("a..b", "DomainLabelEmpty (Domain label is empty) encountered with 'a..b'");
	name_bad(".example.com", "DomainLabelEmpty");
	name_bad("..", "DomainLabelEmpty");
	name_bad("example.com..", "DomainLabelEmpty");
}

Test(name_from_text, bad_escapes_are_refused)
{
	name_bad("\\9ab", "InvalidEscapeCode");
	name_bad("\\8", "InvalidEscapeCode");
	name_bad("a\\05", "InvalidEscapeCode");
	name_bad("a\\05x", "InvalidEscapeCode");
	name_bad("\\400", "InvalidEscapeCode");
	name_bad("\\777", "InvalidEscapeCode");
	name_bad("a\\", "InvalidEscapeCode");
	name_bad("a\\\t", "InvalidEscapeCode");
}

Test(name_from_text, raw_unprintable_octets_are_refused)
{
	name_bad("a b.com", "UnsupportedCharacter (Value contains unsupported characters)");
	name_bad("a\tb", "UnsupportedCharacter");
	name_bad("ex\xc3\xa4mple.com", "UnsupportedCharacter");
	name_bad("a\x7f", "UnsupportedCharacter");
}

Test(name_from_text, null_text_and_no_error_buffer)
{
	uint8_t out[MVDNS_NAME_MAX];

	cr_assert_eq(dns_name_from_text(NULL, out, NULL, 0), -EINVAL);
	cr_assert_eq(dns_name_from_text("a..b", out, NULL, 0), -EINVAL);
	cr_assert_eq(dns_name_from_text("a", out, NULL, 0), 3);
}

Test(name_from_text, short_error_buffer_is_truncated_not_overrun)
{
	uint8_t out[MVDNS_NAME_MAX];
	char err[9];

	memset(err, 'Z', sizeof(err));
	cr_assert_eq(dns_name_from_text("a..b", out, err, 8), -EINVAL);
	cr_assert_str_eq(err, "FATAL p");
	cr_assert_eq(err[8], 'Z');
}

/* ---- names: wire -> text ---- */

Test(name_to_text, lists_names_as_route53)
{
	static const uint8_t root[] = {0};
	static const uint8_t star[] = {1, '*', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0};
	static const uint8_t odd[] = {6, 'a', '@', '.', ' ', 'Z', 0xff, 3, 'a', '_', '-', 0};

	name_print_is(wire_www, "www.example.com.");
	name_print_is(root, ".");
	name_print_is(star, "\\052.example.");
	name_print_is(odd, "a\\100\\056\\040\\132\\377.a_-.");
}

Test(name_to_text, space_is_checked)
{
	char out[32];

	cr_assert_eq(dns_name_to_text(wire_www, out, 17), 16); /* 16 chars and the NUL */
	cr_assert_str_eq(out, "www.example.com.");
	cr_assert_eq(dns_name_to_text(wire_www, out, 16), -ENOSPC);
	cr_assert_eq(dns_name_to_text(wire_www, out, 0), -ENOSPC);
	cr_assert_eq(dns_name_to_text((const uint8_t *)"", out, 1), -ENOSPC);
	cr_assert_eq(dns_name_to_text((const uint8_t *)"", out, 2), 1);
}

Test(name_to_text, malformed_wire_is_refused)
{
	uint8_t long_label[80] = {64};
	static const uint8_t pointer[] = {0xc0, 0x0c};
	uint8_t long_name[MVDNS_NAME_MAX] = {0};
	char out[1200];

	cr_assert_eq(dns_name_to_text(long_label, out, sizeof(out)), -EINVAL);
	cr_assert_eq(dns_name_to_text(pointer, out, sizeof(out)), -EINVAL);
	/* four 63-octet labels: 256 octets before the root */
	for (int i = 0; i < 4; i++)
		long_name[i * 64] = 63;
	cr_assert_eq(dns_name_to_text(long_name, out, sizeof(out)), -EINVAL);
}

Test(name_to_text, every_octet_round_trips)
{
	uint8_t wire[MVDNS_NAME_MAX], back[MVDNS_NAME_MAX];
	char text[1100], err[ERRLEN];

	/* 256 octet values in labels of 60 */
	for (int start = 0; start < 256; start += 60) {
		int n = 256 - start < 60 ? 256 - start : 60;

		wire[0] = (uint8_t)n;
		for (int i = 0; i < n; i++) {
			int b = start + i;

			wire[1 + i] = (uint8_t)(b >= 'A' && b <= 'Z' ? b + 32 : b);
		}
		wire[1 + n] = 0;
		cr_assert_gt(dns_name_to_text(wire, text, sizeof(text)), 0);
		cr_assert_eq(dns_name_from_text(text, back, err, sizeof(err)), n + 2, "%s: %s",
			     text, err);
		cr_assert(memcmp(wire, back, (size_t)n + 2) == 0, "%s", text);
	}
}

/* ---- types ---- */

static const struct {
	const char *name;
	uint16_t type;
} types[] = {
	{"A", DNS_TYPE_A},     {"NS", DNS_TYPE_NS},     {"CNAME", DNS_TYPE_CNAME},
	{"SOA", DNS_TYPE_SOA}, {"PTR", DNS_TYPE_PTR},   {"MX", DNS_TYPE_MX},
	{"TXT", DNS_TYPE_TXT}, {"AAAA", DNS_TYPE_AAAA}, {"SRV", DNS_TYPE_SRV},
	{"NAPTR", 35},         {"SPF", DNS_TYPE_SPF},   {"CAA", DNS_TYPE_CAA},
	{"DS", DNS_TYPE_DS},
};

Test(type_text, every_mnemonic_both_ways)
{
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		cr_assert_eq(dns_type_from_text(types[i].name), types[i].type, "%s", types[i].name);
		cr_assert_str_eq(dns_type_to_text(types[i].type), types[i].name);
	}
}

Test(type_text, mnemonics_are_case_insensitive)
{
	cr_assert_eq(dns_type_from_text("aaaa"), DNS_TYPE_AAAA);
	cr_assert_eq(dns_type_from_text("Cname"), DNS_TYPE_CNAME);
	cr_assert_eq(dns_type_from_text("type65"), 65);
}

Test(type_text, rfc3597_numbers)
{
	cr_assert_eq(dns_type_from_text("TYPE65"), 65);
	cr_assert_eq(dns_type_from_text("TYPE1"), DNS_TYPE_A);
	cr_assert_eq(dns_type_from_text("TYPE0"), 0);
	cr_assert_eq(dns_type_from_text("TYPE65535"), 65535);
	cr_assert_str_eq(dns_type_to_text(65), "TYPE65");
	cr_assert_str_eq(dns_type_to_text(0), "TYPE0");
	cr_assert_str_eq(dns_type_to_text(65535), "TYPE65535");
	cr_assert_str_eq(dns_type_to_text(DNS_TYPE_OPT), "TYPE41");
}

Test(type_text, unknown_mnemonics_are_refused)
{
	static const char *const bad[] = {"",       "FOO",    "A ",     " A",
					  "TYPE",   "TYPEx",  "TYPE-1", "TYPE65536",
					  "TYPE+1", "TYPE1x", "ANY",    "TYPE99999"};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(dns_type_from_text(bad[i]), -EINVAL, "'%s'", bad[i]);
	cr_assert_eq(dns_type_from_text(NULL), -EINVAL);
}

static void *type_in_thread(void *arg)
{
	const char *s = dns_type_to_text(999);

	(void)arg;
	cr_assert_str_eq(s, "TYPE999");
	return (void *)s;
}

Test(type_text, unknown_types_use_a_per_thread_buffer)
{
	const char *mine = dns_type_to_text(65);
	pthread_t t;
	void *theirs;

	cr_assert_eq(pthread_create(&t, NULL, type_in_thread, NULL), 0);
	cr_assert_eq(pthread_join(t, &theirs), 0);
	cr_assert_neq((const char *)theirs, mine);
	cr_assert_str_eq(mine, "TYPE65");
}

/* ---- A and AAAA ---- */

Test(rdata_a, dotted_quad)
{
	static const uint8_t w[] = {192, 0, 2, 1};

	rdata_ok(DNS_TYPE_A, "192.0.2.1", w, 4);
	roundtrip(DNS_TYPE_A, "192.0.2.1", "192.0.2.1");
	roundtrip(DNS_TYPE_A, "0.0.0.0", "0.0.0.0");
	roundtrip(DNS_TYPE_A, "255.255.255.255", "255.255.255.255");
}

Test(rdata_a, exact_route53_message)
{
	uint8_t out[16];
	char err[ERRLEN];

	cr_assert_eq(dns_rdata_from_text(DNS_TYPE_A, "1.2.3", out, sizeof(out), err, sizeof(err)),
		     -EINVAL);
	cr_assert_str_eq(err, "Invalid Resource Record: 'FATAL problem: ARRDATAIllegalIPv4Address "
			      "(Value is not a valid IPv4 address) encountered with '1.2.3''");
}

Test(rdata_a, malformed_addresses_are_refused)
{
	static const char *const bad[] = {"1.2.3",       "1.2.3.4.5", "256.1.1.1", "1.2.3.256",
					  "192.0.2.01",  "1.2.3.4x",  "1.2.3.4 5", "abc",
					  "2001:db8::1", "1..2.3",    "1.2.3.",    ".1.2.3",
					  "0x1.2.3.4",   "1.2.3.-4",  "01.2.3.4",  "1.2.3.4/32"};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		rdata_bad(DNS_TYPE_A, bad[i], "ARRDATAIllegalIPv4Address");
}

/*
 * A random near dotted quad: mostly 4 fields of 1 to 3 digits, now and then
 * 3 or 5 fields, 0 or 4 digits, another character.
 */
static void near_quad(char *text, unsigned *seed)
{
	static const char digits[] = "0123456789", other[] = " x+-./:";
	int fields = rand_r(seed) % 10 != 0 ? 4 : 3 + 2 * (rand_r(seed) % 2);

	for (int f = 0; f < fields; f++) {
		int n = rand_r(seed) % 10 != 0 ? 1 + rand_r(seed) % 3 : 4 * (rand_r(seed) % 2);

		if (f > 0)
			*text++ = rand_r(seed) % 20 != 0 ? '.' : other[rand_r(seed) % 7];
		for (int i = 0; i < n; i++)
			*text++ = rand_r(seed) % 30 != 0 ? digits[rand_r(seed) % 10]
							 : other[rand_r(seed) % 7];
	}
	*text = '\0';
}

Test(rdata_a, as_inet_pton_takes_them)
{
	/* The A parser is mvdns's own: it must take exactly what inet_pton takes. */
	char text[32];
	uint8_t out[16], want[4];
	unsigned seed = 1;
	int taken = 0, refused = 0;

	for (int k = 0; k < 100000; k++) {
		int r;

		near_quad(text, &seed);
		r = dns_rdata_from_text(DNS_TYPE_A, text, out, sizeof(out), NULL, 0);
		if (inet_pton(AF_INET, text, want) == 1) {
			cr_assert_eq(r, 4, "'%s' refused", text);
			cr_assert(memcmp(out, want, 4) == 0, "'%s'", text);
			taken++;
		} else {
			cr_assert_eq(r, -EINVAL, "'%s' taken", text);
			refused++;
		}
	}
	cr_assert_gt(taken, 1000);
	cr_assert_gt(refused, 1000);
}

Test(rdata_a, wrong_wire_length_is_refused)
{
	static const uint8_t w[] = {1, 2, 3, 4, 5};

	print_bad(DNS_TYPE_A, w, 3);
	print_bad(DNS_TYPE_A, w, 5);
	print_bad(DNS_TYPE_A, w, 0);
}

Test(rdata_aaaa, colon_hex)
{
	static const uint8_t w[] = {0x20, 0x01, 0x0d, 0xb8, 0x85, 0xa3, 0,    0,
				    0,    0,    0x8a, 0x2e, 0x03, 0x70, 0x73, 0x34};

	rdata_ok(DNS_TYPE_AAAA, "2001:0db8:85a3:0:0:8a2e:0370:7334", w, 16);
	roundtrip(DNS_TYPE_AAAA, "2001:0db8:85a3:0:0:8a2e:0370:7334",
		  "2001:db8:85a3::8a2e:370:7334");
	roundtrip(DNS_TYPE_AAAA, "::", "::");
	roundtrip(DNS_TYPE_AAAA, "::FFFF:192.0.2.1", "::ffff:192.0.2.1");
}

Test(rdata_aaaa, malformed_addresses_are_refused)
{
	static const char *const bad[] = {"192.0.2.1",   "2001:db8::1::2",    "fe80::1%eth0",
					  "2001:db8::g", "1:2:3:4:5:6:7:8:9", ":::"};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		rdata_bad(DNS_TYPE_AAAA, bad[i],
			  "AAAARRDATAIllegalIPv6Address (Value is not a valid IPv6 address)");
}

Test(rdata_aaaa, wrong_wire_length_is_refused)
{
	static const uint8_t w[17] = {0};

	print_bad(DNS_TYPE_AAAA, w, 4);
	print_bad(DNS_TYPE_AAAA, w, 17);
}

/* ---- names in rdata: CNAME, NS, PTR ---- */

Test(rdata_host, names_lower_cased_and_printed_with_dot)
{
	static const uint8_t tgt[] = {4, 'h', 'o', 's', 't', 2, 'e', 'x', 0};
	static const uint16_t host_types[] = {DNS_TYPE_CNAME, DNS_TYPE_NS, DNS_TYPE_PTR};

	for (size_t i = 0; i < 3; i++) {
		rdata_ok(host_types[i], "Host.EX", tgt, sizeof(tgt));
		rdata_ok(host_types[i], "host.ex.", tgt, sizeof(tgt));
		roundtrip(host_types[i], "Host.EX", "host.ex.");
		roundtrip(host_types[i], ".", ".");
		roundtrip(host_types[i], "\\052.a\\.b", "\\052.a\\056b.");
	}
}

Test(rdata_host, bad_names_are_refused_with_wrapped_message)
{
	uint8_t out[300];
	char err[ERRLEN], l64[65], text[100];

	cr_assert_eq(
		dns_rdata_from_text(DNS_TYPE_CNAME, "a..b", out, sizeof(out), err, sizeof(err)),
		-EINVAL);
	cr_assert_str_eq(err, "Invalid Resource Record: 'FATAL problem: DomainLabelEmpty (Domain "
			      "label is empty) encountered with 'a..b''");
	snprintf(text, sizeof(text), "%s.com", rep(l64, 'q', 64));
	rdata_bad(DNS_TYPE_NS, text, "DomainLabelTooLong");
	rdata_bad(DNS_TYPE_PTR, "a b", "UnsupportedCharacter");
	rdata_bad(DNS_TYPE_PTR, "a\\9", "InvalidEscapeCode");
	rdata_bad(DNS_TYPE_CNAME, " a.com", "Value must not begin or end with a space");
	rdata_bad(DNS_TYPE_CNAME, "a.com ", "UnsupportedCharacter");
}

Test(rdata_host, malformed_wire_is_refused)
{
	static const uint8_t extra[] = {1, 'a', 0, 0};
	static const uint8_t cut[] = {3, 'a', 'b'};
	static const uint8_t ptr[] = {0xc0, 0x0c};

	print_bad(DNS_TYPE_CNAME, extra, sizeof(extra));
	print_bad(DNS_TYPE_CNAME, cut, sizeof(cut));
	print_bad(DNS_TYPE_NS, ptr, sizeof(ptr));
	print_bad(DNS_TYPE_PTR, extra, 0);
}

/* ---- values in general ---- */

Test(rdata_value, empty_and_unprintable_values_are_refused)
{
	rdata_bad(DNS_TYPE_A, "", "InvalidRDATA (Value is empty)");
	rdata_bad(DNS_TYPE_TXT, "", "Value is empty");
	rdata_bad(DNS_TYPE_TXT, "\"a\tb\"", "UnsupportedCharacter");
	rdata_bad(DNS_TYPE_TXT, "\"ex\xc3\xa4mple\"", "UnsupportedCharacter");
	rdata_bad(DNS_TYPE_MX, "10\tmail", "UnsupportedCharacter");
	rdata_bad(DNS_TYPE_MX, "10 mail ", "Value must not begin or end with a space");
}

Test(rdata_value, null_value_and_no_error_buffer)
{
	uint8_t out[16];

	cr_assert_eq(dns_rdata_from_text(DNS_TYPE_A, NULL, out, sizeof(out), NULL, 0), -EINVAL);
	cr_assert_eq(dns_rdata_from_text(DNS_TYPE_A, "x", out, sizeof(out), NULL, 0), -EINVAL);
	cr_assert_eq(dns_rdata_from_text(DNS_TYPE_A, "1.2.3.4", out, sizeof(out), NULL, 0), 4);
}

Test(rdata_value, unsupported_types_are_refused)
{
	uint8_t out[16];
	char text[32];

	rdata_bad(65, "x", "UnsupportedRecordType (Record type TYPE65 is not supported)");
	rdata_bad(DNS_TYPE_OPT, "x", "TYPE41");
	rdata_bad(DNS_TYPE_ANY, "x", "UnsupportedRecordType");
	cr_assert_eq(dns_rdata_to_text(65, out, 0, text, sizeof(text)), -EINVAL);
}

Test(rdata_value, output_space_is_checked)
{
	uint8_t out[8];
	char err[ERRLEN] = "", text[32];
	static const uint8_t a[] = {10, 0, 0, 1};

	cr_assert_eq(dns_rdata_from_text(DNS_TYPE_A, "10.0.0.1", out, 3, err, sizeof(err)),
		     -ENOSPC);
	cr_assert(strstr(err, "does not fit in 3 octets") != NULL, "%s", err);
	cr_assert_eq(dns_rdata_from_text(DNS_TYPE_A, "10.0.0.1", out, 4, err, sizeof(err)), 4);
	cr_assert_eq(dns_rdata_from_text(DNS_TYPE_MX, "1 abcdef", out, 8, err, sizeof(err)),
		     -ENOSPC);
	cr_assert_eq(dns_rdata_from_text(DNS_TYPE_TXT, "\"abcdefgh\"", out, 8, err, sizeof(err)),
		     -ENOSPC);
	cr_assert_eq(dns_rdata_to_text(DNS_TYPE_A, a, 4, text, 8), -ENOSPC);
	cr_assert_eq(dns_rdata_to_text(DNS_TYPE_A, a, 4, text, 9), 8);
	cr_assert_str_eq(text, "10.0.0.1");
	cr_assert_eq(dns_rdata_to_text(DNS_TYPE_A, a, 4, text, 0), -ENOSPC);
}

/* ---- MX ---- */

Test(rdata_mx, priority_and_host)
{
	static const uint8_t w[] = {0, 10, 4, 'm', 'a', 'i', 'l', 2, 'e', 'x', 0};
	static const uint8_t null_mx[] = {0, 0, 0};

	rdata_ok(DNS_TYPE_MX, "10 Mail.EX", w, sizeof(w));
	rdata_ok(DNS_TYPE_MX, "10   mail.ex.", w, sizeof(w));
	rdata_ok(DNS_TYPE_MX, "0 .", null_mx, sizeof(null_mx));
	roundtrip(DNS_TYPE_MX, "10 mail.example.com", "10 mail.example.com.");
	roundtrip(DNS_TYPE_MX, "65535 a", "65535 a.");
	roundtrip(DNS_TYPE_MX, "010 a", "10 a.");
}

Test(rdata_mx, bad_values_are_refused)
{
	rdata_bad(DNS_TYPE_MX, "65536 mail.example.com",
		  "MXRRDATAIllegalPriority (Priority must be an integer from 0 to 65535) "
		  "encountered with '65536 mail.example.com'");
	rdata_bad(DNS_TYPE_MX, "99999999999 a", "MXRRDATAIllegalPriority");
	rdata_bad(DNS_TYPE_MX, "-1 a", "MXRRDATAIllegalPriority");
	rdata_bad(DNS_TYPE_MX, "+1 a", "MXRRDATAIllegalPriority");
	rdata_bad(DNS_TYPE_MX, "ten a", "MXRRDATAIllegalPriority");
	rdata_bad(DNS_TYPE_MX, "mail.example.com",
		  "MXRRDATANotTwoFields (MX record doesn't have 2 fields)");
	rdata_bad(DNS_TYPE_MX, "10 mail.example.com extra", "MXRRDATANotTwoFields");
	rdata_bad(DNS_TYPE_MX, "10 a..b", "DomainLabelEmpty");
}

Test(rdata_mx, malformed_wire_is_refused)
{
	static const uint8_t w[] = {0, 10, 1, 'a', 0, 9};

	print_bad(DNS_TYPE_MX, w, 1);
	print_bad(DNS_TYPE_MX, w, 4);
	print_bad(DNS_TYPE_MX, w, 6);
}

/* ---- TXT and SPF ---- */

Test(rdata_txt, quoted_strings)
{
	static const uint8_t hello[] = {11, 'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd'};
	static const uint8_t two[] = {1, 'a', 2, 'B', 'c'};
	static const uint8_t empty[] = {0};

	rdata_ok(DNS_TYPE_TXT, "\"hello world\"", hello, sizeof(hello));
	rdata_ok(DNS_TYPE_TXT, "\"a\" \"Bc\"", two, sizeof(two));
	rdata_ok(DNS_TYPE_TXT, "\"a\"   \"Bc\"", two, sizeof(two));
	rdata_ok(DNS_TYPE_TXT, "\"\"", empty, sizeof(empty));
	roundtrip(DNS_TYPE_TXT, "\"a\"  \"Bc\"", "\"a\" \"Bc\"");
	roundtrip(DNS_TYPE_TXT, "\"v=spf1 ip4:192.168.0.1/16 -all\"",
		  "\"v=spf1 ip4:192.168.0.1/16 -all\"");
	roundtrip(DNS_TYPE_TXT, "\"\"", "\"\"");
}

Test(rdata_txt, escapes_as_route53_documents)
{
	static const uint8_t w[] = {11, 's', 'a', 'y', ' ', '"', 'h', '"', ' ', '\\', ' ', 0xe9};

	/* \351 is octal for 0xe9, Route 53's own example of an accented e */
	rdata_ok(DNS_TYPE_TXT, "\"say \\\"h\\\" \\\\ \\351\"", w, sizeof(w));
	roundtrip(DNS_TYPE_TXT, "\"say \\\"h\\\" \\\\ \\351\"", "\"say \\\"h\\\" \\\\ \\351\"");
	roundtrip(DNS_TYPE_TXT, "\"\\a\\012\\000\"", "\"a\\012\\000\"");
}

Test(rdata_txt, string_of_255_octets_is_accepted_256_is_not)
{
	char text[1200], s[300];
	uint8_t out[600];
	char err[ERRLEN];

	rep(s, 'x', 255);
	snprintf(text, sizeof(text), "\"%s\"", s);
	cr_assert_eq(dns_rdata_from_text(DNS_TYPE_TXT, text, out, sizeof(out), err, sizeof(err)),
		     256, "%s", err);
	cr_assert_eq(out[0], 255);
	snprintf(text, sizeof(text), "\"%s\" \"%s\"", s, s);
	cr_assert_eq(dns_rdata_from_text(DNS_TYPE_TXT, text, out, sizeof(out), err, sizeof(err)),
		     512, "%s", err);
	/* 254 plain octets and one escape make 255 */
	snprintf(text, sizeof(text), "\"%.254s\\101\"", s);
	cr_assert_eq(dns_rdata_from_text(DNS_TYPE_TXT, text, out, sizeof(out), err, sizeof(err)),
		     256, "%s", err);

	snprintf(text, sizeof(text), "\"%sx\"", s);
	rdata_bad(DNS_TYPE_TXT, text,
		  "CharacterStringTooLong (Value is too long) encountered with");
	snprintf(text, sizeof(text), "\"ok\" \"%s\\101\"", s);
	rdata_bad(DNS_TYPE_TXT, text, "CharacterStringTooLong");
}

Test(rdata_txt, unquoted_and_broken_quotes_are_refused)
{
	static const char *const bad[] = {"hello",  "v=spf1 -all", "\"a\" b", "\"abc",
					  "\"a\"b", "\"a\"\"b\"",  "\"a\\\"", "a\"b\""};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		rdata_bad(DNS_TYPE_TXT, bad[i],
			  "InvalidCharacterString (Value should be enclosed in quotation marks)");
}

Test(rdata_txt, bad_escapes_are_refused)
{
	rdata_bad(DNS_TYPE_TXT, "\"\\8\"", "InvalidEscapeCode");
	rdata_bad(DNS_TYPE_TXT, "\"\\05\"", "InvalidEscapeCode");
	rdata_bad(DNS_TYPE_TXT, "\"\\400\"", "InvalidEscapeCode");
}

Test(rdata_txt, malformed_wire_is_refused)
{
	static const uint8_t w[] = {3, 'a', 'b'};

	print_bad(DNS_TYPE_TXT, w, 0);
	print_bad(DNS_TYPE_TXT, w, sizeof(w));
}

Test(rdata_spf, same_format_as_txt)
{
	roundtrip(DNS_TYPE_SPF, "\"v=spf1 ip4:192.168.0.1/16 -all\"",
		  "\"v=spf1 ip4:192.168.0.1/16 -all\"");
	rdata_bad(DNS_TYPE_SPF, "v=spf1", "InvalidCharacterString");
}

/* ---- SRV ---- */

Test(rdata_srv, four_fields)
{
	static const uint8_t w[] = {0, 10, 0, 5, 0, 80, 1, 'h', 0};

	rdata_ok(DNS_TYPE_SRV, "10 5 80 H", w, sizeof(w));
	roundtrip(DNS_TYPE_SRV, "10 5 80 hostname.example.com", "10 5 80 hostname.example.com.");
	roundtrip(DNS_TYPE_SRV, "0 0 0 .", "0 0 0 .");
	roundtrip(DNS_TYPE_SRV, "65535 65535 65535 a", "65535 65535 65535 a.");
}

Test(rdata_srv, bad_values_are_refused)
{
	rdata_bad(DNS_TYPE_SRV, "10 5 65536 host",
		  "SRVRRDATAIllegalPort (Port must be an integer from 0 to 65535)");
	rdata_bad(DNS_TYPE_SRV, "10 70000 80 host", "SRVRRDATAIllegalWeight");
	rdata_bad(DNS_TYPE_SRV, "x 5 80 host", "SRVRRDATAIllegalPriority");
	rdata_bad(DNS_TYPE_SRV, "10 5 80",
		  "SRVRRDATANotFourFields (SRV record doesn't have 4 fields)");
	rdata_bad(DNS_TYPE_SRV, "10 5 80 host extra", "SRVRRDATANotFourFields");
	rdata_bad(DNS_TYPE_SRV, "10 5 80 .host", "DomainLabelEmpty");
}

Test(rdata_srv, malformed_wire_is_refused)
{
	static const uint8_t w[] = {0, 10, 0, 5, 0, 80, 0, 0};

	print_bad(DNS_TYPE_SRV, w, 6);
	print_bad(DNS_TYPE_SRV, w, 8);
}

/* ---- CAA ---- */

Test(rdata_caa, flags_tag_value)
{
	static const uint8_t w[] = {0, 5, 'i', 's', 's', 'u', 'e', 'c', 'a', '.', 'n', 'e', 't'};

	rdata_ok(DNS_TYPE_CAA, "0 issue \"ca.net\"", w, sizeof(w));
	roundtrip(DNS_TYPE_CAA, "0 issue \"ca.example.net; account=123456\"",
		  "0 issue \"ca.example.net; account=123456\"");
	roundtrip(DNS_TYPE_CAA, "0 iodef \"mailto:admin@example.com\"",
		  "0 iodef \"mailto:admin@example.com\"");
	roundtrip(DNS_TYPE_CAA, "128 issuewild \";\"", "128 issuewild \";\"");
	roundtrip(DNS_TYPE_CAA, "255 Tag15Characters \"\"", "255 Tag15Characters \"\"");
	roundtrip(DNS_TYPE_CAA, "0 issue \"\\\"q\\\" \\377\"", "0 issue \"\\\"q\\\" \\377\"");
}

Test(rdata_caa, value_may_exceed_255_octets)
{
	char text[700], s[400];
	uint8_t out[600];
	char err[ERRLEN];

	snprintf(text, sizeof(text), "0 issue \"%s\"", rep(s, 'v', 300));
	cr_assert_eq(dns_rdata_from_text(DNS_TYPE_CAA, text, out, sizeof(out), err, sizeof(err)),
		     2 + 5 + 300, "%s", err);
}

Test(rdata_caa, bad_values_are_refused)
{
	rdata_bad(DNS_TYPE_CAA, "256 issue \"ca.net\"",
		  "CAARRDATAIllegalFlags (Flags must be an integer from 0 to 255)");
	rdata_bad(DNS_TYPE_CAA, "0 is_sue \"ca.net\"",
		  "CAARRDATAIllegalTag (Tag must be 1 to 15 letters or digits)");
	rdata_bad(DNS_TYPE_CAA, "0 tagwith16chars16 \"x\"", "CAARRDATAIllegalTag");
	rdata_bad(DNS_TYPE_CAA, "0 \"issue\" \"x\"", "CAARRDATAIllegalTag");
	rdata_bad(DNS_TYPE_CAA, "0 issue ca.net", "InvalidCharacterString");
	rdata_bad(DNS_TYPE_CAA, "0 issue",
		  "CAARRDATANotThreeFields (CAA record doesn't have 3 fields)");
	rdata_bad(DNS_TYPE_CAA, "0 issue \"a\" \"b\"", "CAARRDATANotThreeFields");
	rdata_bad(DNS_TYPE_CAA, "0 issue \"a", "InvalidCharacterString");
}

Test(rdata_caa, malformed_wire_is_refused)
{
	static const uint8_t no_tag[] = {0, 0, 'x'};
	static const uint8_t bad_tag[] = {0, 2, 'a', '-', 'x'};
	static const uint8_t long_tag[] = {0, 40, 'a'};

	print_bad(DNS_TYPE_CAA, no_tag, sizeof(no_tag));
	print_bad(DNS_TYPE_CAA, bad_tag, sizeof(bad_tag));
	print_bad(DNS_TYPE_CAA, long_tag, sizeof(long_tag));
	print_bad(DNS_TYPE_CAA, no_tag, 1);
}

/* ---- NAPTR ---- */

Test(rdata_naptr, route53_examples)
{
	static const uint8_t w[] = {0, 100, 0, 10, 1, 'S', 3, 'S', 'I', 'P', 0, 1, 'a', 0};

	/* the regexp holds backslashes, escaped as \\ in the Value */
	roundtrip(DNS_TYPE_NAPTR,
		  "100 50 \"u\" \"E2U+sip\" \"!^(\\\\+441632960083)$!sip:\\\\1@example.com!\" .",
		  "100 50 \"u\" \"E2U+sip\" \"!^(\\\\+441632960083)$!sip:\\\\1@example.com!\" .");
	roundtrip(DNS_TYPE_NAPTR,
		  "100 52 \"u\" \"E2U+email:mailto\" \"!^.*$!mailto:info@example.com!\" .",
		  "100 52 \"u\" \"E2U+email:mailto\" \"!^.*$!mailto:info@example.com!\" .");
	roundtrip(DNS_TYPE_NAPTR, "10 20 \"S\" \"SIP+D2U\" \"\" _sip._udp.Example.com",
		  "10 20 \"S\" \"SIP+D2U\" \"\" _sip._udp.example.com.");
	roundtrip(DNS_TYPE_NAPTR, "0 0 \"\" \"\" \"\" .", "0 0 \"\" \"\" \"\" .");
	rdata_ok(DNS_TYPE_NAPTR, "100 10 \"S\" \"SIP\" \"\" A", w, sizeof(w));
}

Test(rdata_naptr, bad_values_are_refused)
{
	rdata_bad(DNS_TYPE_NAPTR, "65536 10 \"u\" \"s\" \"\" a",
		  "NAPTRRRDATAIllegalOrder (Order must be an integer from 0 to 65535)");
	rdata_bad(DNS_TYPE_NAPTR, "1 65536 \"u\" \"s\" \"\" a", "NAPTRRRDATAIllegalPreference");
	rdata_bad(DNS_TYPE_NAPTR, "1 1 \"u!\" \"s\" \"\" a", "NAPTRRRDATAIllegalFlags");
	rdata_bad(DNS_TYPE_NAPTR, "1 1 u \"s\" \"\" a", "InvalidCharacterString");
	rdata_bad(DNS_TYPE_NAPTR, "1 1 \"u\" s \"\" a", "InvalidCharacterString");
	rdata_bad(DNS_TYPE_NAPTR, "1 1 \"u\" \"s\" \"!a!b!\" a.com",
		  "NAPTRRRDATAIllegalReplacement");
	rdata_bad(DNS_TYPE_NAPTR, "1 1 \"u\" \"s\" \"\"",
		  "NAPTRRRDATANotSixFields (NAPTR record doesn't have 6 fields)");
	rdata_bad(DNS_TYPE_NAPTR, "1 1 \"u\" \"s\" \"\" a b", "NAPTRRRDATANotSixFields");
	rdata_bad(DNS_TYPE_NAPTR, "1 1 \"u\" \"s\" \"\" a..b", "DomainLabelEmpty");
}

Test(rdata_naptr, malformed_wire_is_refused)
{
	static const uint8_t w[] = {0, 1, 0, 1, 1, 'u', 1, 's', 5, 'x', 0};

	static const uint8_t flags[] = {0, 1, 0, 1, 1, '!', 0, 0, 0};
	static const uint8_t both[] = {0, 1, 0, 1, 0, 0, 1, 'r', 1, 'a', 0};

	print_bad(DNS_TYPE_NAPTR, w, sizeof(w));
	print_bad(DNS_TYPE_NAPTR, w, 4);
	print_bad(DNS_TYPE_NAPTR, flags, sizeof(flags)); /* from_text would refuse these */
	print_bad(DNS_TYPE_NAPTR, both, sizeof(both));
}

/* ---- SOA ---- */

Test(rdata_soa, seven_fields)
{
	static const uint8_t w[] = {1, 'n', 0, 1, 'h', 0, 0, 0, 0, 1, 0, 0, 0,
				    2, 0,   0, 0, 3,   0, 0, 0, 4, 0, 0, 0, 60};

	rdata_ok(DNS_TYPE_SOA, "N H 1 2 3 4 60", w, sizeof(w));
	roundtrip(DNS_TYPE_SOA, "ns-2048.awsdns-64.net hostmaster.awsdns.com 1 1 1 1 60",
		  "ns-2048.awsdns-64.net. hostmaster.awsdns.com. 1 1 1 1 60");
	roundtrip(DNS_TYPE_SOA, "a b 4294967295 0 0 0 4294967295",
		  "a. b. 4294967295 0 0 0 4294967295");
}

Test(rdata_soa, bad_values_are_refused)
{
	rdata_bad(DNS_TYPE_SOA, "a b 4294967296 1 1 1 60",
		  "SOARRDATAIllegalSerial (Serial must be an integer from 0 to 4294967295)");
	rdata_bad(DNS_TYPE_SOA, "a b 1 x 1 1 60", "SOARRDATAIllegalRefresh");
	rdata_bad(DNS_TYPE_SOA, "a b 1 1 -1 1 60", "SOARRDATAIllegalRetry");
	rdata_bad(DNS_TYPE_SOA, "a b 1 1 1 1e3 60", "SOARRDATAIllegalExpire");
	rdata_bad(DNS_TYPE_SOA, "a b 1 1 1 1 99999999999", "SOARRDATAIllegalMinimum");
	rdata_bad(DNS_TYPE_SOA, "a b 1 1 1 1",
		  "SOARRDATANotSevenFields (SOA record doesn't have 7 fields)");
	rdata_bad(DNS_TYPE_SOA, "a b 1 1 1 1 1 1", "SOARRDATANotSevenFields");
	rdata_bad(DNS_TYPE_SOA, "a..b b 1 1 1 1 1", "DomainLabelEmpty");
}

Test(rdata_soa, malformed_wire_is_refused)
{
	static const uint8_t w[] = {0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0,
				    0, 3, 0, 0, 0, 4, 0, 0, 0, 5, 9};

	print_bad(DNS_TYPE_SOA, w, 21);
	print_bad(DNS_TYPE_SOA, w, 23);
	cr_assert_eq(dns_rdata_to_text(DNS_TYPE_SOA, w, 22, (char[64]){0}, 64), 13);
}

/* ---- DS ---- */

Test(rdata_ds, key_tag_algorithm_digest)
{
	static const uint8_t w[] = {0x30, 0x39, 13, 2, 0x1f, 0x98, 0xab};

	rdata_ok(DNS_TYPE_DS, "12345 13 2 1F98ab", w, sizeof(w));
	roundtrip(DNS_TYPE_DS, "12345 13 2 1f98ab", "12345 13 2 1F98AB");
}

Test(rdata_ds, bad_values_are_refused)
{
	rdata_bad(DNS_TYPE_DS, "12345 13 2 1F9",
		  "DSRRDATAIllegalDigest (Digest must be an even number of hexadecimal digits)");
	rdata_bad(DNS_TYPE_DS, "12345 13 2 1G", "DSRRDATAIllegalDigest");
	rdata_bad(DNS_TYPE_DS, "65536 13 2 00", "DSRRDATAIllegalKeyTag");
	rdata_bad(DNS_TYPE_DS, "1 256 2 00", "DSRRDATAIllegalAlgorithm");
	rdata_bad(DNS_TYPE_DS, "1 13 256 00", "DSRRDATAIllegalDigestType");
	rdata_bad(DNS_TYPE_DS, "1 13 2", "DSRRDATANotFourFields");
}

Test(rdata_ds, malformed_wire_is_refused)
{
	static const uint8_t w[] = {0x30, 0x39, 13, 2};

	print_bad(DNS_TYPE_DS, w, sizeof(w));
	print_bad(DNS_TYPE_DS, w, 3);
}
