/* SPDX-License-Identifier: BSD-3-Clause */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "cursor.h"
#include "name.h"

static size_t read_name(const void *wire, size_t len, uint8_t *out, int *err, size_t *left)
{
	struct dns_cursor c;
	dns_cursor_init(&c, wire, len);
	uint32_t hash;
	size_t n = dns_name_read_lower(&c, out, &hash);
	cr_assert_eq(hash, n > 0 ? dns_name_hash(out, n) : 0, "the hash of what was read");
	*err = c.err;
	*left = dns_cursor_left(&c);
	return n;
}

Test(cursor, sticky_error_and_bounds)
{
	const uint8_t b[5] = {1, 2, 3, 4, 5};
	struct dns_cursor c;
	uint8_t out[4];

	dns_cursor_init(&c, b, sizeof(b));
	cr_assert_eq(dns_cursor_u16(&c), 0x0102);
	cr_assert_eq(dns_cursor_u32(&c), 0, "reading past the end gives 0");
	cr_assert_eq(c.err, -EMSGSIZE);
	cr_assert_eq(dns_cursor_u8(&c), 0, "the error is sticky");
	cr_assert_eq(dns_cursor_offset(&c), 2, "a failed read does not move");
	dns_cursor_init(&c, b, sizeof(b));
	dns_cursor_skip(&c, 1);
	dns_cursor_bytes(&c, out, 4);
	cr_assert_eq(c.err, 0);
	cr_assert(memcmp(out, b + 1, 4) == 0);
	cr_assert_eq(dns_cursor_left(&c), 0);
}

Test(name, read_lower)
{
	uint8_t out[MVDNS_NAME_MAX];
	int err;
	size_t left;

	cr_assert_eq(read_name("\3WwW\7ExAmPlE\3CoM\0rest", 21, out, &err, &left), 17);
	cr_assert_eq(err, 0);
	cr_assert_eq(left, 4);
	cr_assert(memcmp(out, "\3www\7example\3com", 17) == 0);
	cr_assert_eq(read_name("", 1, out, &err, &left), 1, "the root");
	/* Letters only are folded: '@' (0x40) and '[' (0x5b) stay. */
	cr_assert_eq(read_name("\2@[", 4, out, &err, &left), 4);
	cr_assert(memcmp(out, "\2@[", 4) == 0);
}

Test(name, read_errors)
{
	uint8_t out[MVDNS_NAME_MAX];
	int err;
	size_t left;

	read_name("\xc0\x0c", 2, out, &err, &left);
	cr_assert_eq(err, -EBADMSG, "pointer");
	read_name("\x40", 1, out, &err, &left);
	cr_assert_eq(err, -EBADMSG, "label type 01");
	read_name("\x80", 1, out, &err, &left);
	cr_assert_eq(err, -EBADMSG, "label type 10");
	read_name("\3ab", 3, out, &err, &left);
	cr_assert_eq(err, -EMSGSIZE, "cut short");
	read_name("\3abc", 4, out, &err, &left);
	cr_assert_eq(err, -EMSGSIZE, "no root label");
}

/* A wire name of total length len (2..255): labels of 63, then one to fit. */
static size_t long_name(uint8_t *w, size_t len, char letter)
{
	size_t off = 0;

	while (len - 1 - off > 0) {
		size_t label = len - 1 - off - 1 < 63 ? len - 1 - off - 1 : 63;
		w[off] = (uint8_t)label;
		memset(w + off + 1, letter, label);
		off += 1 + label;
	}
	w[off] = 0;
	return off + 1;
}

Test(name, read_length_limits)
{
	uint8_t w[320], out[MVDNS_NAME_MAX];
	int err;
	size_t left;

	cr_assert_eq(long_name(w, 255, 'A'), 255);
	cr_assert_eq(read_name(w, 255, out, &err, &left), 255, "255 octets is the most");
	cr_assert_eq(err, 0);
	cr_assert_eq(out[1], 'a');
	read_name(w, 254, out, &err, &left);
	cr_assert_eq(err, -EMSGSIZE, "255 octets cut short");
	/* 256 octets: four labels of 63, a root label after them. */
	memset(w, 0, sizeof(w));
	for (int i = 0; i < 4; i++) {
		w[i * 64] = 63;
		memset(w + i * 64 + 1, 'a', 63);
	}
	read_name(w, 257, out, &err, &left);
	cr_assert_eq(err, -EBADMSG, "over 255 octets");
	read_name(w, 200, out, &err, &left);
	cr_assert_eq(err, -EBADMSG, "over 255 octets, and cut short too");
	/* Labels up to octet 255, then the root label at 255: one octet too many. */
	w[3 * 64] = 62;
	read_name(w, 257, out, &err, &left);
	cr_assert_eq(err, -EBADMSG, "256 octets with the root label");
	read_name(w, 255, out, &err, &left);
	cr_assert_eq(err, -EMSGSIZE, "the message ends before the root label: cut short");
}

Test(name, read_lower_every_length)
{
	uint8_t w[64], out[MVDNS_NAME_MAX];
	int err;
	size_t left;

	/* Lengths around the eight-octet words of the copy (and its overlap). */
	for (size_t len = 3; len <= 40; len++) {
		w[0] = (uint8_t)(len - 2);
		for (size_t i = 1; i + 1 < len; i++)
			w[i] = (uint8_t)("AbZ@[`az{09-_"[i % 13]);
		w[len - 1] = 0;
		memset(out, 0xee, sizeof(out));
		cr_assert_eq(read_name(w, len, out, &err, &left), len);
		cr_assert_eq(err, 0);
		for (size_t i = 1; i + 1 < len; i++)
			cr_assert_eq(out[i], w[i] >= 'A' && w[i] <= 'Z' ? w[i] + 32 : w[i],
				     "length %zu, octet %zu", len, i);
		cr_assert_eq(out[len], 0xee, "nothing written past the name (length %zu)", len);
	}
}

Test(name, hash_depends_on_every_octet)
{
	uint8_t a[48], b[48 + 3];

	for (size_t i = 0; i < sizeof(a); i++)
		a[i] = (uint8_t)(i * 7 + 1);
	for (size_t len = 1; len <= sizeof(a); len++) {
		memcpy(b + 3, a, len); /* another alignment: the same hash */
		cr_assert_eq(dns_name_hash(a, len), dns_name_hash(b + 3, len));
		for (size_t i = 0; i < len; i++) {
			b[3 + i] ^= 0x20;
			cr_assert_neq(dns_name_hash(a, len), dns_name_hash(b + 3, len),
				      "length %zu, octet %zu", len, i);
			b[3 + i] ^= 0x20;
		}
	}
}

/* A name with more of its message after it: short ones are copied with it. */
Test(name, read_lower_followed_by_more)
{
	uint8_t w[40 + 20], out[MVDNS_NAME_MAX];
	int err;
	size_t left;

	for (size_t len = 1; len <= 40; len += len == 1 ? 2 : 1) {
		w[0] = (uint8_t)(len - 2);
		for (size_t i = 1; i + 1 < len; i++)
			w[i] = (uint8_t)("AbZ@[`az{09-_"[i % 13]);
		w[len - 1] = 0;
		memset(w + len, 'Q', 20);
		memset(out, 0xee, sizeof(out));
		cr_assert_eq(read_name(w, len + 20, out, &err, &left), len, "length %zu", len);
		cr_assert_eq(err, 0);
		cr_assert_eq(left, 20);
		for (size_t i = 1; i + 1 < len; i++)
			cr_assert_eq(out[i], w[i] >= 'A' && w[i] <= 'Z' ? w[i] + 32 : w[i],
				     "length %zu, octet %zu", len, i);
		cr_assert_eq(out[len - 1], 0, "length %zu", len);
		for (size_t i = len > 16 ? len : 16; i < len + 20; i++)
			cr_assert_eq(out[i], 0xee, "length %zu: octet %zu written", len, i);
	}
}

/* Every wire length a name can have, mixed case, labels of every size. */
Test(name, read_lower_hashes_every_length)
{
	uint8_t wire[MVDNS_NAME_MAX], out[MVDNS_NAME_MAX], lower[MVDNS_NAME_MAX];

	for (size_t len = 1; len <= MVDNS_NAME_MAX; len += len == 1 ? 2 : 1) { /* no name has 2 */
		size_t at = 0;
		for (unsigned k = 0; at + 1 < len; k++) { /* labels of 1, 2, 3, ... octets */
			size_t rest = len - 1 - at;       /* octets left before the root label */
			size_t label = rest - 1 < 1 + k % 63 ? rest - 1 : 1 + k % 63;
			if (rest - 1 - label == 1) /* a single octet left could not be a label */
				label = label > 1 ? label - 1 : label + 1;
			wire[at] = (uint8_t)label;
			for (size_t j = 1; j <= label; j++)
				wire[at + j] = (uint8_t)((at + j) % 3 ? 'A' + (at + j) % 26 : 'q');
			at += 1 + label;
		}
		wire[at] = 0;
		cr_assert_eq(at + 1, len);
		memcpy(lower, wire, len);
		dns_name_lower(lower, len);

		struct dns_cursor c;
		uint32_t hash;
		dns_cursor_init(&c, wire, len);
		cr_assert_eq(dns_name_read_lower(&c, out, &hash), len, "length %zu", len);
		cr_assert_eq(memcmp(out, lower, len), 0, "length %zu", len);
		cr_assert_eq(hash, dns_name_hash(lower, len), "length %zu", len);
	}
}

Test(name, equal_finds_a_difference_anywhere)
{
	uint8_t a[40], b[40 + 5];

	for (size_t i = 0; i < sizeof(a); i++)
		a[i] = (uint8_t)(i * 13 + 3);
	for (size_t len = 0; len <= sizeof(a); len++) {
		memcpy(b + 5, a, len); /* another alignment */
		cr_assert(dns_name_equal(a, b + 5, len), "length %zu", len);
		for (size_t i = 0; i < len; i++) {
			b[5 + i] ^= 1;
			cr_assert(!dns_name_equal(a, b + 5, len), "length %zu, octet %zu", len, i);
			b[5 + i] ^= 1;
		}
	}
}

Test(name, skip_handles_pointers_without_following)
{
	struct dns_cursor c;

	dns_cursor_init(&c, (const uint8_t *)"\1a\xc0\x00X", 5);
	dns_name_skip(&c);
	cr_assert_eq(c.err, 0);
	cr_assert_eq(dns_cursor_offset(&c), 4);
	dns_cursor_init(&c, (const uint8_t *)"\1a\xc0", 3);
	dns_name_skip(&c);
	cr_assert_eq(c.err, -EMSGSIZE);
}

Test(name, helpers)
{
	const uint8_t *www = (const uint8_t *)"\3www\7example\3com";
	const uint8_t *zone = (const uint8_t *)"\7example\3com";

	cr_assert_eq(dns_name_len(www), 17);
	cr_assert_eq(dns_name_labels(www), 3);
	cr_assert_eq(dns_name_labels((const uint8_t *)""), 0);
	cr_assert(dns_name_is_below(www, 17, zone, 13));
	cr_assert(dns_name_is_below(zone, 13, zone, 13));
	cr_assert(dns_name_is_below(www, 17, (const uint8_t *)"", 1), "everything is below root");
	cr_assert_not(dns_name_is_below(zone, 13, www, 17));
	/* "xample.com" is a suffix of the octets but not on a label boundary. */
	cr_assert_not(dns_name_is_below(www, 17, (const uint8_t *)"\6xample\3com", 12));
	cr_assert_eq(dns_name_hash(www, 17), dns_name_hash(www, 17));
	cr_assert_neq(dns_name_hash(www, 17), dns_name_hash(zone, 13));

	uint8_t upper[17];
	memcpy(upper, "\3WWW\7EXAMPLE\3COM", 17);
	dns_name_lower(upper, 17);
	cr_assert(memcmp(upper, www, 17) == 0);
}
