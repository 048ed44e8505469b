/* SPDX-License-Identifier: BSD-3-Clause */
#include "name.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

/* Label length octets: 00xxxxxx is a label, 11xxxxxx a pointer, 01/10 reserved. */
#define LABEL_TYPE_MASK 0xc0
#define LABEL_POINTER   0xc0

static inline uint8_t ascii_lower(uint8_t b)
{
	return (uint8_t)(b | ((unsigned)(b - 'A') < 26u) << 5);
}

/* Lower-case the ASCII letters of eight octets at once (SWAR). */
static inline uint64_t lower8(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
	uint64_t seven = w & ~high;
	uint64_t ge_a = seven + (0x80 - 'A') * ones; /* high bit set if >= 'A' */
	uint64_t gt_z = seven + (0x7f - 'Z') * ones; /* high bit set if > 'Z' */
	uint64_t upper = ge_a & ~gt_z & ~w & high;
	return w | upper >> 2; /* 0x80 >> 2 == 0x20, the case bit */
}

/* Lower-case the eight octets at in into out. */
static inline void lower_word(uint8_t *out, const uint8_t *in)
{
	uint64_t w;

	memcpy(&w, in, 8);
	w = lower8(w);
	memcpy(out, &w, 8);
}

/*
 * Copy len octets lower-cased, eight at a time. The last word is the last
 * eight octets, overlapping the one before: it rewrites some octets with
 * the same values instead of finishing octet by octet.
 */
static void copy_lower(uint8_t *out, const uint8_t *in, size_t len)
{
	if (len < 8) {
		for (size_t i = 0; i < len; i++)
			out[i] = ascii_lower(in[i]);
		return;
	}
	for (size_t i = 0; i + 8 < len; i += 8)
		lower_word(out + i, in + i);
	lower_word(out + len - 8, in + len - 8);
}

/*
 * The wire length of the uncompressed name at the cursor, checked as
 * dns_name_read_lower documents; 0 with c->err set. Does not move.
 */
static size_t name_walk(struct dns_cursor *c)
{
	const uint8_t *name = c->pos;
	size_t left = dns_cursor_left(c), len = 0;
	/* Every length octet lies below both the message's end and 255 octets
	 * into the name: one comparison per label checks both. */
	size_t limit = left < MVDNS_NAME_MAX ? left : MVDNS_NAME_MAX;

	if (c->err != 0)
		return 0;
	for (;;) {
		if (len >= limit) {
			/* Past 255 octets is malformed even if the message also ends. */
			dns_cursor_fail(c,
					len < left || len > MVDNS_NAME_MAX ? -EBADMSG : -EMSGSIZE);
			return 0;
		}
		uint8_t label = name[len];
		if ((label & LABEL_TYPE_MASK) != 0) {
			dns_cursor_fail(c, -EBADMSG);
			return 0;
		}
		len += 1u + label;
		if (label == 0)
			return len;
	}
}

size_t dns_name_read_lower(struct dns_cursor *c, uint8_t out[MVDNS_NAME_MAX])
{
	/* Walk the length octets first; the letters are copied in one pass after. */
	size_t len = name_walk(c);

	if (len == 0)
		return 0;
	copy_lower(out, c->pos, len); /* length octets (< 64) are never letters */
	c->pos += len;
	return len;
}

void dns_name_skip(struct dns_cursor *c)
{
	size_t len = 0;

	for (;;) {
		uint8_t label = dns_cursor_u8(c);
		if (c->err != 0)
			return;
		if ((label & LABEL_TYPE_MASK) == LABEL_POINTER) {
			dns_cursor_skip(c, 1);
			return;
		}
		if ((label & LABEL_TYPE_MASK) != 0 || len + 1 + label > MVDNS_NAME_MAX) {
			dns_cursor_fail(c, -EBADMSG);
			return;
		}
		if (label == 0)
			return;
		len += 1u + label;
		dns_cursor_skip(c, label);
	}
}

void dns_name_lower(uint8_t *name, size_t len)
{
	for (size_t i = 0; i < len; i++)
		name[i] = ascii_lower(name[i]);
}

/*
 * The last len (1 to 7) octets at p as a little-endian word, zero above:
 * what memcpy into a zeroed word gives on x86, from loads of fixed size
 * instead of a call to memcpy for a variable length. (Any fixed order would
 * do: the hash only has to agree with itself.)
 */
static inline uint64_t tail_word(const uint8_t *p, size_t len)
{
	uint64_t w = 0;
	unsigned shift = 0;

	if (len & 4) {
		uint32_t v;
		memcpy(&v, p, 4);
		w = v;
		p += 4;
		shift = 32;
	}
	if (len & 2) {
		uint16_t v;
		memcpy(&v, p, 2);
		w |= (uint64_t)v << shift;
		p += 2;
		shift += 16;
	}
	if (len & 1)
		w |= (uint64_t)*p << shift;
	return w;
}

/*
 * 64-bit multiply-xorshift over 8-octet words: cheap, and good enough that
 * open addressing at load factor 0.5 stays short. With fold, each word is
 * lower-cased first, which gives the hash of the lower-cased name.
 */
static inline uint32_t hash_words(const uint8_t *name, size_t len, bool fold)
{
	const uint64_t k = 0x9e3779b97f4a7c15ull;
	uint64_t h = len * k;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		uint64_t w;
		memcpy(&w, name + i, 8);
		h = (h ^ (fold ? lower8(w) : w)) * k;
		h ^= h >> 29;
	}
	if (i < len) {
		uint64_t w = tail_word(name + i, len - i); /* zero octets stay zero */
		h = (h ^ (fold ? lower8(w) : w)) * k;
		h ^= h >> 29;
	}
	h *= k;
	return (uint32_t)(h >> 32) ^ (uint32_t)h;
}

uint32_t dns_name_hash(const uint8_t *name, size_t len)
{
	return hash_words(name, len, false);
}

uint32_t dns_name_hash_read(struct dns_cursor *c)
{
	size_t len = name_walk(c);

	if (len == 0)
		return 0;
	uint32_t h = hash_words(c->pos, len, true);
	c->pos += len;
	return h;
}

size_t dns_name_len(const uint8_t *name)
{
	size_t len = 0;

	while (name[len] != 0)
		len += 1u + name[len];
	return len + 1;
}

unsigned dns_name_labels(const uint8_t *name)
{
	unsigned n = 0;

	for (size_t off = 0; name[off] != 0; off += 1u + name[off])
		n++;
	return n;
}

int dns_name_is_below(const uint8_t *name, size_t len, const uint8_t *zone, size_t zone_len)
{
	size_t off = 0;

	if (zone_len > len)
		return 0;
	/* Walk label boundaries until the remaining suffix has the zone's length. */
	while (len - off > zone_len)
		off += 1u + name[off];
	return len - off == zone_len && memcmp(name + off, zone, zone_len) == 0;
}
