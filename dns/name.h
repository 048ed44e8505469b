/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Domain names in wire form: reading them from a message through the cursor,
 * case folding (RFC 4343), hashing and walking to the parent. Names handled
 * here are uncompressed sequences of labels ending with the root label.
 */
#ifndef DNS_NAME_H
#define DNS_NAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cursor.h"
#include "mvdns.h"

/*
 * Read an uncompressed name (as a question name must be) and copy it,
 * lower-cased, to out, and hash the copy. Compression pointers, the
 * reserved label types 0x40 and 0x80, and names longer than 255 octets set
 * the cursor's error to -EBADMSG; a name cut short sets -EMSGSIZE.
 * Out: out (the name, at most MVDNS_NAME_MAX octets; a name shorter than 16
 * may be followed there by its message's next octets, lower-cased),
 * *hash (dns_name_hash of the name in out).
 * Returns the wire length of the name, or 0 with c->err set.
 */
size_t dns_name_read_lower(struct dns_cursor *c, uint8_t out[MVDNS_NAME_MAX], uint32_t *hash);

/*
 * Step over a name that may end in a compression pointer (owner names of
 * records after the question). Pointers are not followed, so no loop can form.
 */
void dns_name_skip(struct dns_cursor *c);

/* Lower-case a wire name in place. Length octets (at most 63) are never letters. */
void dns_name_lower(uint8_t *name, size_t len);

/* Hash of a lower-cased wire name (for the record table). */
uint32_t dns_name_hash(const uint8_t *name, size_t len);

/*
 * Whether the len octets at a and b are equal: for names, which are short,
 * eight octets at a time and inline, where memcmp is a call. The last word
 * overlaps the one before instead of finishing octet by octet.
 */
static inline bool dns_name_equal(const uint8_t *a, const uint8_t *b, size_t len)
{
	uint64_t x, y;

	if (len < 8)
		return memcmp(a, b, len) == 0;
	for (size_t i = 0; i + 8 < len; i += 8) {
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		if (x != y)
			return false;
	}
	memcpy(&x, a + len - 8, 8);
	memcpy(&y, b + len - 8, 8);
	return x == y;
}

/* Length of a well-formed wire name. */
size_t dns_name_len(const uint8_t *name);

/* Number of labels, not counting the root. */
unsigned dns_name_labels(const uint8_t *name);

/*
 * Whether `name` (length len) equals `zone` or lies below it; both lower-cased.
 * A match must end on a label boundary.
 */
int dns_name_is_below(const uint8_t *name, size_t len, const uint8_t *zone, size_t zone_len);

#endif /* DNS_NAME_H */
