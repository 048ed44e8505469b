/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The store's order: DNS canonical order (RFC 4034 section 6.1) by sort
 * keys that memcmp() compares, then type, then set identifier; and the
 * searches of the sorted array (binary, and galloping from a hint). Apart
 * from the store because both the read API and the checking of a batch
 * search with it, and because its word-at-a-time key making is a piece of
 * its own to read.
 */
#include <endian.h>
#include <stdint.h>
#include <string.h>

#include "store_pvt.h"

/* The octets of w in A-Z made a-z, the others as they are (no carry crosses octets). */
static uint64_t key_lower8(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101u, tops = ones * 0x80;
	uint64_t low = w & ~tops; /* each octet's low 7 bits: sums stay inside it */
	uint64_t ge_a = low + ones * (0x80 - 'A'), gt_z = low + ones * (0x80 - 'Z' - 1);

	return w | ((ge_a & ~gt_z & ~w & tops) >> 2);
}

/* Whether an octet of w (its first octet the least significant) is 0 or 1. */
static int key_escapes8(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101u;
	uint64_t x = w & ~ones; /* 0 exactly where the octet is 0 or 1 */

	return ((x - ones) & ~x & ones * 0x80) != 0;
}

/*
 * The len octets of a label at l in key form at o; returns the octets
 * written. The octets of the name up to end may be read. Eight at a time
 * while eight are there to read and none of the label's needs an escape
 * (nearly always), then one at a time: at 15 instructions an octet, the two
 * keys made per change were a tenth of a batch.
 */
static size_t key_label(const uint8_t *l, size_t len, const uint8_t *end, uint8_t *o)
{
	size_t i = 0, n = 0;

	while (i < len && end - (l + i) >= 8) {
		size_t k = len - i < 8 ? len - i : 8;
		uint64_t w;

		memcpy(&w, l + i, 8);
		/* The octets after the label's count as needing no escape. */
		if (key_escapes8(le64toh(w) | (k < 8 ? ~0ull << (8 * k) : 0)))
			break;
		w = key_lower8(w);
		memcpy(o + n, &w, 8); /* past n + k: written over next, or room to spare */
		i += k;
		n += k;
	}
	for (; i < len; i++) {
		uint8_t b = l[i];

		if (b >= 'A' && b <= 'Z')
			b |= 0x20;
		if (b < 2)
			o[n++] = 1;
		o[n++] = b < 2 ? (uint8_t)(b + 1) : b;
	}
	return n;
}

/*
 * A name's sort key: labels from the rightmost, each octet b >= 2 as itself and
 * b < 2 as 0x01 b+1, each label ended by 0x00. The code keeps octet order and
 * no encoded label is a prefix of another, so memcmp() on keys compares the
 * names, lower-cased here, label by label from the right, a shorter label first.
 */
size_t store_key_make(const uint8_t *name, uint8_t out[STORE_KEY_MAX])
{
	const uint8_t *label[MVDNS_NAME_MAX / 2 + 1], *p;
	size_t n = 0, len = 0;

	for (p = name; *p != 0; p += 1 + *p)
		label[n++] = p;
	while (n-- > 0) {
		len += key_label(label[n] + 1, label[n][0], p + 1, out + len);
		out[len++] = 0;
	}
	return len;
}

int store_key_cmp(const uint8_t *ka, size_t la, uint16_t ta, const char *sa, const uint8_t *kb,
		  size_t lb, uint16_t tb, const char *sb)
{
	int c = memcmp(ka, kb, la < lb ? la : lb);

	if (c != 0)
		return c;
	if (la != lb)
		return la < lb ? -1 : 1;
	if (ta != tb)
		return ta < tb ? -1 : 1;
	if (sa == NULL || sb == NULL)
		return (sb == NULL) - (sa == NULL); /* a simple set first */
	return strcmp(sa, sb);
}

int store_entry_cmp(const void *a, const void *b)
{
	const struct store_entry *x = *(const struct store_entry *const *)a;
	const struct store_entry *y = *(const struct store_entry *const *)b;

	return store_key_cmp(x->key, x->key_len, x->rr.type, x->rr.set_identifier, y->key,
			     y->key_len, y->rr.type, y->rr.set_identifier);
}

size_t store_lower_in(const struct mv_store *s, size_t lo, size_t hi, const uint8_t *key,
		      size_t klen, uint16_t type, const char *setid)
{

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct store_entry *e = s->v[mid];

		if (store_key_cmp(e->key, e->key_len, e->rr.type, e->rr.set_identifier, key, klen,
				  type, setid) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

size_t store_lower(const struct mv_store *s, const uint8_t *key, size_t klen, uint16_t type,
		   const char *setid)
{
	return store_lower_in(s, 0, s->n, key, klen, type, setid);
}

/* Whether v[i] sorts before (key, type, setid). */
static int store_below(const struct mv_store *s, size_t i, const uint8_t *key, size_t klen,
		       uint16_t type, const char *setid)
{
	const struct store_entry *e = s->v[i];

	return store_key_cmp(e->key, e->key_len, e->rr.type, e->rr.set_identifier, key, klen, type,
			     setid) < 0;
}

/*
 * store_lower, galloping from hint (any index): steps of 1, 2, 4, ... away
 * from it bracket the place, then a binary search finds it, O(log d) for a
 * place d sets away. A batch's names mostly land next to each other, so
 * searching from the last place found is a few comparisons instead of 17 at
 * 100,000 sets (two such searches per change were a tenth of a batch).
 */
size_t store_lower_near(const struct mv_store *s, size_t hint, const uint8_t *key, size_t klen,
			uint16_t type, const char *setid)
{
	size_t lo, hi, step = 1;

	if (hint < s->n && store_below(s, hint, key, klen, type, setid)) {
		/* The place is in (hint, n]: up until v[hi] is not below. */
		for (lo = hi = hint + 1; hi < s->n && store_below(s, hi, key, klen, type, setid);
		     step *= 2) {
			lo = hi + 1;
			hi += step;
		}
		hi = hi < s->n ? hi : s->n;
	} else {
		/* The place is in [0, hint]: down while v[lo - 1] is not below. */
		for (lo = hi = hint < s->n ? hint : s->n;
		     lo > 0 && !store_below(s, lo - 1, key, klen, type, setid); step *= 2) {
			hi = lo - 1;
			lo = lo > step ? lo - step : 0;
		}
	}
	return store_lower_in(s, lo, hi, key, klen, type, setid);
}

size_t store_index(const struct mv_store *s, const uint8_t *owner, uint16_t type, const char *setid)
{
	uint8_t key[STORE_KEY_MAX];
	size_t klen = store_key_make(owner, key);
	size_t i = store_lower(s, key, klen, type, setid);

	if (i < s->n && store_key_cmp(s->v[i]->key, s->v[i]->key_len, s->v[i]->rr.type,
				      s->v[i]->rr.set_identifier, key, klen, type, setid) == 0)
		return i;
	return SIZE_MAX;
}
