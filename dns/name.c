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

/*
 * Sixteen octets as one value, for GCC's vector extensions (clang has them
 * too): SSE2 on x86-64, NEON on arm64, word-sized code elsewhere. A typedef,
 * unlike the rest of the tree, because the type is spelt with an attribute
 * that would otherwise be repeated at each use.
 */
typedef uint8_t name_block __attribute__((vector_size(16)));

/* Lower-case the ASCII letters of sixteen octets at once. */
static inline void lower16(uint8_t *out, const uint8_t *in)
{
	name_block v;

	memcpy(&v, in, sizeof(v));
	v |= (name_block)(v - 'A' < 26) & 0x20; /* each comparison gives 0 or 0xff */
	memcpy(out, &v, sizeof(v));
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
	       "dns_name_hash takes the rest of a name from a little-endian word");

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

static inline uint64_t load_word(const uint8_t *p)
{
	uint64_t w;

	memcpy(&w, p, sizeof(w));
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

/*
 * From 8 octets on, the rest is taken from the last eight, overlapping the
 * word before, shifted down to the rest's octets: what tail_word reads on a
 * little-endian machine.
 */
static inline uint32_t hash_name(const uint8_t *name, size_t len)
{
	uint64_t h = hash_start(len);
	size_t i = 0;

	for (; i + 8 <= len; i += 8)
		h = hash_word(h, load_word(name + i));
	if (i < len)
		h = hash_word(h, len >= 8 ? load_word(name + len - 8) >> 8 * (8 - (len - i))
					  : tail_word(name, len));
	return hash_end(h);
}

/*
 * Copy the len octets of a name lower-cased, sixteen at a time; the last
 * sixteen overlap the block before (same values again). A name shorter
 * than a block is copied with the octets after it when its message has
 * sixteen (left counts them from the name on; out has room): only a short
 * name at the very end of a message goes octet by octet.
 */
_Static_assert(MVDNS_NAME_MAX >= sizeof(name_block), "a name buffer holds one block");

static void copy_lower(uint8_t *out, const uint8_t *in, size_t len, size_t left)
{
	if (len < sizeof(name_block) && left < sizeof(name_block)) {
		for (size_t i = 0; i < len; i++)
			out[i] = ascii_lower(in[i]);
		return;
	}
	for (size_t i = 0; i + sizeof(name_block) < len; i += sizeof(name_block))
		lower16(out + i, in + i);
	size_t last = len < sizeof(name_block) ? 0 : len - sizeof(name_block);
	lower16(out + last, in + last);
}

size_t dns_name_read_lower(struct dns_cursor *c, uint8_t out[MVDNS_NAME_MAX], uint32_t *hash)
{
	/* Walk the length octets first; then copy the letters, then hash the copy. */
	size_t len = name_walk(c);

	*hash = 0;
	if (len == 0)
		return 0;
	copy_lower(out, c->pos, len, dns_cursor_left(c)); /* length octets are never letters */
	*hash = hash_name(out, len);
	c->pos += len;
	return len;
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

uint32_t dns_name_hash(const uint8_t *name, size_t len)
{
	return hash_name(name, len);
}
