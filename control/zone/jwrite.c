/* SPDX-License-Identifier: BSD-3-Clause */
#include "jwrite.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"

/* The text so far to the sink, and the buffer emptied. */
static void flush(struct jwrite *w)
{
	if (w->err == 0 && w->len > 0)
		w->err = w->sink(w->sink_arg, w->text, w->len);
	w->len = 0;
}

/* Room for n more octets and the NUL; false (err set) when there is none. */
static bool reserve(struct jwrite *w, size_t n)
{
	if (w->sink != NULL && w->len + n > JWRITE_PIECE)
		flush(w);
	if (w->err != 0)
		return false;
	if (n >= SIZE_MAX - w->len || MV_GROW(w->text, w->cap, w->len + n + 1, 4096) != 0) {
		w->err = -ENOMEM;
		return false;
	}
	return true;
}

void jwrite_raw(struct jwrite *w, const char *s, size_t n)
{
	if (!reserve(w, n))
		return;
	memcpy(w->text + w->len, s, n);
	w->len += n;
	w->text[w->len] = '\0';
}

/* What stands for octet c in a string: "" when c stands for itself. */
static const char *escape_of(unsigned char c, char buf[8])
{
	switch (c) {
	case '"':
		return "\\\"";
	case '\\':
		return "\\\\";
	case '\b':
		return "\\b";
	case '\f':
		return "\\f";
	case '\n':
		return "\\n";
	case '\r':
		return "\\r";
	case '\t':
		return "\\t";
	default:
		if (c >= 0x20)
			return "";
		snprintf(buf, 8, "\\u%04X", c); /* jansson's upper-case hex */
		return buf;
	}
}

void jwrite_string(struct jwrite *w, const char *s)
{
	size_t n = strlen(s);

	/* Worst case: every octet a six-octet \u escape, and the quotes. */
	if (!reserve(w, 6 * n + 2))
		return;
	char *o = w->text + w->len;
	*o++ = '"';
	for (size_t i = 0, run; i < n; i += run) {
		/* The run of octets that stand for themselves, copied at once. */
		for (run = 0; i + run < n; run++) {
			unsigned char c = (unsigned char)s[i + run];
			if (c < 0x20 || c == '"' || c == '\\')
				break;
		}
		memcpy(o, s + i, run);
		o += run;
		if (i + run < n) {
			char buf[8];
			const char *e = escape_of((unsigned char)s[i + run], buf);
			size_t elen = strlen(e);

			memcpy(o, e, elen);
			o += elen;
			run++;
		}
	}
	*o++ = '"';
	*o = '\0';
	w->len = (size_t)(o - w->text);
}

void jwrite_uint(struct jwrite *w, uint64_t v)
{
	char buf[24];
	size_t n = sizeof(buf);

	do {
		buf[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	jwrite_raw(w, buf + n, sizeof(buf) - n);
}

void jwrite_json(struct jwrite *w, const json_t *v)
{
	size_t flags = JSON_COMPACT | JSON_ENCODE_ANY;
	size_t n = v != NULL ? json_dumpb(v, NULL, 0, flags) : 0;

	if (n == 0 && w->err == 0)
		w->err = -ENOMEM; /* NULL, or a value jansson cannot dump */
	if (!reserve(w, n))
		return;
	w->len += json_dumpb(v, w->text + w->len, n, flags);
	w->text[w->len] = '\0';
}

int jwrite_end(struct jwrite *w)
{
	int err;

	flush(w);
	err = w->err;
	free(w->text);
	*w = (struct jwrite){0};
	return err;
}

char *jwrite_finish(struct jwrite *w, size_t *len)
{
	char *text = NULL;

	jwrite_raw(w, "", 0); /* a buffer even when nothing was written */
	if (w->err == 0)
		text = w->text;
	else
		free(w->text);
	*len = text != NULL ? w->len : 0;
	*w = (struct jwrite){0};
	return text;
}
