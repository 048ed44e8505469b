/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A bounds-checked read cursor over a DNS message with a sticky error: read a
 * group of fields, then check `err` once. A read past the end sets err and
 * returns zeros; it never touches memory outside [start, end).
 */
#ifndef DNS_CURSOR_H
#define DNS_CURSOR_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct dns_cursor {
	const uint8_t *start; /* first byte of the message (for offsets) */
	const uint8_t *pos;   /* next byte to read */
	const uint8_t *end;   /* one past the last byte */
	int err;              /* 0, or the first -errno seen; sticky */
};

static inline void dns_cursor_init(struct dns_cursor *c, const uint8_t *msg, size_t len)
{
	c->start = msg;
	c->pos = msg;
	c->end = msg + len;
	c->err = 0;
}

static inline size_t dns_cursor_left(const struct dns_cursor *c)
{
	return (size_t)(c->end - c->pos);
}

static inline size_t dns_cursor_offset(const struct dns_cursor *c)
{
	return (size_t)(c->pos - c->start);
}

/* Check that n more bytes can be read; on failure set err (-EMSGSIZE) and return false. */
static inline bool dns_cursor_need(struct dns_cursor *c, size_t n)
{
	if (c->err != 0)
		return false;
	if (dns_cursor_left(c) < n) {
		c->err = -EMSGSIZE;
		return false;
	}
	return true;
}

static inline void dns_cursor_fail(struct dns_cursor *c, int err)
{
	if (c->err == 0)
		c->err = err;
}

static inline uint8_t dns_cursor_u8(struct dns_cursor *c)
{
	if (!dns_cursor_need(c, 1))
		return 0;
	return *c->pos++;
}

static inline uint16_t dns_cursor_u16(struct dns_cursor *c)
{
	if (!dns_cursor_need(c, 2))
		return 0;
	uint16_t v = (uint16_t)((unsigned)c->pos[0] << 8 | c->pos[1]);
	c->pos += 2;
	return v;
}

static inline uint32_t dns_cursor_u32(struct dns_cursor *c)
{
	if (!dns_cursor_need(c, 4))
		return 0;
	uint32_t v = (uint32_t)c->pos[0] << 24 | (uint32_t)c->pos[1] << 16 |
		     (uint32_t)c->pos[2] << 8 | c->pos[3];
	c->pos += 4;
	return v;
}

/* Copy n bytes into out (zeroes on failure). */
static inline void dns_cursor_bytes(struct dns_cursor *c, void *out, size_t n)
{
	if (!dns_cursor_need(c, n)) {
		memset(out, 0, n);
		return;
	}
	memcpy(out, c->pos, n);
	c->pos += n;
}

static inline void dns_cursor_skip(struct dns_cursor *c, size_t n)
{
	if (dns_cursor_need(c, n))
		c->pos += n;
}

#endif /* DNS_CURSOR_H */
