/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * JSON text written straight into a growing buffer, for documents too big to
 * build as a jansson tree first (a snapshot's millions of record sets): the
 * writing counterpart of jscan.h. The caller writes the punctuation; strings
 * come out escaped as jansson's compact dump escapes them, so that text
 * written here and text dumped by jansson are the same octets. A sticky
 * error: write a whole document, then check once. Pure; one thread per
 * writer.
 */
#ifndef ZONE_JWRITE_H
#define ZONE_JWRITE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

struct jwrite {
	char *text; /* len octets, NUL after them */
	size_t len, cap;
	int err; /* 0, -ENOMEM, or the sink's -errno; sticky */
	/*
	 * When not NULL, the text is handed to sink (with sink_arg) whenever
	 * it would grow past JWRITE_PIECE octets, and the buffer reused: a
	 * document of any size written through about that much memory (more
	 * only for one string of over a sixth of it, which jwrite_string
	 * makes room for whole). sink returns 0 or -errno; jwrite_end hands
	 * it the rest.
	 */
	int (*sink)(void *sink_arg, const char *text, size_t len);
	void *sink_arg;
};

#define JWRITE_PIECE (1u << 20)

/* n octets as they are (punctuation, a member's key with its quotes). */
void jwrite_raw(struct jwrite *w, const char *s, size_t n);

/* A string literal as it is. */
#define JWRITE_LIT(w, lit) jwrite_raw((w), "" lit, sizeof(lit) - 1)

/* s (valid UTF-8) as a JSON string: quoted, with '"', '\' and controls escaped. */
void jwrite_string(struct jwrite *w, const char *s);

/*
 * The string s after the C string `before` (a member's key with its quotes
 * and colon, and the comma before it; or "," or "" in an array).
 */
#define JWRITE_MEMBER(w, before, s) \
	(jwrite_raw((w), (before), strlen(before)), jwrite_string((w), (s)))

/* v in decimal. */
void jwrite_uint(struct jwrite *w, uint64_t v);

/* Any jansson value, compact (a small part of a big document). */
void jwrite_json(struct jwrite *w, const json_t *v);

/*
 * Without a sink: the text written (NUL-terminated; free it) and its length
 * in *len, or NULL after an error. Either way w holds nothing after.
 */
char *jwrite_finish(struct jwrite *w, size_t *len);

/*
 * With a sink: hand it what is left and free the buffer. Returns 0, or the
 * first error (then the sink may have had part of the text).
 */
int jwrite_end(struct jwrite *w);

#endif /* ZONE_JWRITE_H */
