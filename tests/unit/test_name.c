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
	size_t n = dns_name_read_lower(&c, out);
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
