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

	uint8_t label;

	if (c->err != 0)
		return 0;
	do {
		if (len >= limit) {
			/* Past 255 octets is malformed even if the message also ends. */
			dns_cursor_fail(c,
					len < left || len > MVDNS_NAME_MAX ? -EBADMSG : -EMSGSIZE);
			return 0;
		}
		label = name[len];
		len += 1u + label;
	} while ((uint8_t)(label - 1) < 63u); /* one test stops at the root and at a non-label */
	if (label != 0) {
		dns_cursor_fail(c, -EBADMSG);
		return 0;
	}
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
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "copy_lower_hash takes the rest of a name from a little-endian word");

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
 * open addressing at load factor 0.5 stays short. A name of len octets
 * hashes as hash_start(len), hash_word of each whole word in order, then
 * of the rest (tail_word) if any, then hash_end.
 */
#define HASH_K 0x9e3779b97f4a7c15ull

static inline uint64_t hash_start(size_t len)
{
	return len * HASH_K;
}

static inline uint64_t hash_word(uint64_t h, uint64_t w)
{
	h = (h ^ w) * HASH_K;
	return h ^ h >> 29;
}

static inline uint32_t hash_end(uint64_t h)
{
	h *= HASH_K;
	return (uint32_t)(h >> 32) ^ (uint32_t)h;
}

/* With fold, each word is lower-cased first: the hash of the lower-cased name. */
static inline uint32_t hash_words(const uint8_t *name, size_t len, bool fold)
{
	uint64_t h = hash_start(len);
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		uint64_t w;
		memcpy(&w, name + i, 8);
		h = hash_word(h, fold ? lower8(w) : w);
	}
	if (i < len) {
		uint64_t w = tail_word(name + i, len - i); /* zero octets stay zero */
		h = hash_word(h, fold ? lower8(w) : w);
	}
	return hash_end(h);
}

/*
 * Copy len octets lower-cased and hash them, eight at a time. From 8 octets
 * on, the rest is taken from the last eight, overlapping the word before:
 * stored as it is (same values again), hashed shifted down to the rest's
 * octets, which is what tail_word reads on a little-endian machine.
 */
static uint32_t copy_lower_hash(uint8_t *out, const uint8_t *in, size_t len)
{
	if (len < 8) {
		for (size_t i = 0; i < len; i++)
			out[i] = ascii_lower(in[i]);
		return hash_words(out, len, false);
	}
	uint64_t h = hash_start(len), w;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		memcpy(&w, in + i, 8);
		w = lower8(w);
		memcpy(out + i, &w, 8);
		h = hash_word(h, w);
	}
	if (i < len) {
		memcpy(&w, in + len - 8, 8);
		w = lower8(w);
		memcpy(out + len - 8, &w, 8);
		h = hash_word(h, w >> 8 * (8 - (len - i)));
	}
	return hash_end(h);
}

size_t dns_name_read_lower(struct dns_cursor *c, uint8_t out[MVDNS_NAME_MAX], uint32_t *hash)
{
	/* Walk the length octets first; the letters are copied in one pass after. */
	size_t len = name_walk(c);

	*hash = 0;
	if (len == 0)
		return 0;
	*hash = copy_lower_hash(out, c->pos, len); /* length octets (< 64) are never letters */
	c->pos += len;
	return len;
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
