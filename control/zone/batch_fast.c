/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fast path of the change batch decoder: a batch in the plain shape that
 * clients send (Comment, Changes of CREATE/DELETE/UPSERT with Name, Type,
 * TTL, ResourceRecords and optionally SetIdentifier, MultiValueAnswer true
 * and HealthCheckId; ASCII strings), read straight from the text into
 * struct mv_batch. jansson built a tree of the whole request first, then
 * freed it: for 1,000 changes, two thirds of the control's instructions.
 *
 * It takes a batch only when the general path (batch.c) would accept it, and
 * compiles every change through the same batch_compile, so both give the
 * same batch. Everything else, and every batch with any problem, it leaves to
 * the general path (-EAGAIN), which words the errors: this file never has to.
 * So each rule below is a condition for taking the batch, mirroring one of
 * batch_check.c's checks; tests/unit/test_batch.c runs both paths on every
 * document it has and compares them.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "batch_pvt.h"
#include "jscan.h"
#include "text.h"
#include "wire.h"

struct fast_ctx {
	struct jscan *s;
	struct mv_batch *out;
	size_t cap;            /* of out->changes */
	unsigned long records; /* ResourceRecord elements, UPSERT twice */
	unsigned long chars;   /* characters of Values, UPSERT twice */
	const char **values;   /* of the change being read (strings in the arena) */
	size_t nvalues, values_cap;
	uint8_t *rdbuf;       /* BATCH_RDATA_MAX octets */
	struct mv_error *err; /* batch_compile's messages: any means not taken */
	unsigned flags;       /* MV_BATCH_* */
	int nomem;
	size_t *element, max; /* scan_sets: elements read so far, the most to read */
	bool more;            /* scan_sets: the array has not ended */
};

/* Members of a ResourceRecordSet, as bits of what was seen. */
enum {
	F_NAME = 1 << 0,
	F_TYPE = 1 << 1,
	F_TTL = 1 << 2,
	F_RECORDS = 1 << 3,
	F_SETID = 1 << 4,
	F_MVA = 1 << 5,
	F_HCID = 1 << 6,
	F_REQUIRED = F_NAME | F_TYPE | F_TTL | F_RECORDS,
};

/* Which member key is, as an F_ bit; 0 for one the fast path does not take. */
static unsigned rrset_member(const char *key)
{
	static const struct {
		const char *key;
		unsigned bit;
	} members[] = {
		{"Name", F_NAME},
		{"Type", F_TYPE},
		{"TTL", F_TTL},
		{"ResourceRecords", F_RECORDS},
		{"SetIdentifier", F_SETID},
		{"MultiValueAnswer", F_MVA},
		{"HealthCheckId", F_HCID},
	};

	/* The first letters tell most apart without a call (the calls took 3% of a batch). */
	for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++)
		if (key[0] == members[i].key[0] && strcmp(key, members[i].key) == 0)
			return members[i].bit;
	return 0;
}

/*
 * The number of type, when it is one of BATCH_TYPES (as spelt there) that
 * mvdns serves (dns_type_from_text knows it), or -1. One pass over the
 * served ones: checking the list, then looking the number up, took 185
 * instructions a change.
 */
static int scan_type(const char *type)
{
	static const struct {
		const char *name;
		uint16_t number;
	} served[] = {
		{"A", DNS_TYPE_A},         {"AAAA", DNS_TYPE_AAAA}, {"CNAME", DNS_TYPE_CNAME},
		{"TXT", DNS_TYPE_TXT},     {"MX", DNS_TYPE_MX},     {"NS", DNS_TYPE_NS},
		{"SOA", DNS_TYPE_SOA},     {"PTR", DNS_TYPE_PTR},   {"SRV", DNS_TYPE_SRV},
		{"NAPTR", DNS_TYPE_NAPTR}, {"DS", DNS_TYPE_DS},     {"SPF", DNS_TYPE_SPF},
		{"CAA", DNS_TYPE_CAA},
	};

	for (size_t i = 0; i < sizeof(served) / sizeof(served[0]); i++)
		if (type[0] == served[i].name[0] && strcmp(type, served[i].name) == 0)
			return served[i].number;
	return -1;
}

/* A string of 1..max characters (the reader takes ASCII only: octets are characters). */
static const char *string_max(struct jscan *s, size_t max)
{
	size_t len;
	const char *v = jscan_string(s, &len);

	if (v != NULL && (len == 0 || len > max))
		s->err = 1;
	return v;
}

/* ResourceRecords: [{"Value": "..."}, ...], at least one. */
static void scan_records(struct fast_ctx *c)
{
	struct jscan *s = c->s;
	size_t n = 0;

	c->nvalues = 0;
	jscan_expect(s, '[');
	while (jscan_element(s, &n)) {
		const char *key, *v = NULL;
		size_t m = 0, len = 0;

		jscan_expect(s, '{');
		while ((key = jscan_member(s, &m)) != NULL) {
			if (strcmp(key, "Value") != 0 || v != NULL)
				s->err = 1;
			v = jscan_string(s, &len);
		}
		if (v == NULL || len > BATCH_VALUE_MAX)
			s->err = 1;
		if (s->err)
			return;
		if (c->nvalues == c->values_cap) {
			size_t cap = c->values_cap != 0 ? 2 * c->values_cap : 16;
			const char **vv = realloc(c->values, cap * sizeof(*vv));

			if (vv == NULL) {
				c->nomem = 1;
				s->err = 1;
				return;
			}
			c->values = vv;
			c->values_cap = cap;
		}
		c->values[c->nvalues++] = v;
		c->chars += len;
	}
	if (c->nvalues == 0)
		s->err = 1;
}

static const char *value_at(const void *values, size_t j)
{
	return ((const char *const *)values)[j];
}

/* ResourceRecordSet into in. */
static void scan_rrset(struct fast_ctx *c, struct batch_rrset_in *in)
{
	struct jscan *s = c->s;
	unsigned seen = 0;
	const char *key;
	size_t n = 0;
	long long ttl;
	int type;

	jscan_expect(s, '{');
	while ((key = jscan_member(s, &n)) != NULL) {
		unsigned bit = rrset_member(key);

		if (bit == 0 || (seen & bit) != 0) {
			s->err = 1;
			break;
		}
		seen |= bit;
		switch (bit) {
		case F_NAME:
			in->name = string_max(s, BATCH_NAME_MAX);
			break;
		case F_TYPE:
			in->type = jscan_string(s, NULL);
			type = in->type != NULL ? scan_type(in->type) : -1;
			if (type < 0)
				s->err = 1;
			in->type_number = (uint16_t)type;
			break;
		case F_TTL:
			ttl = jscan_uint(s, BATCH_TTL_MAX);
			in->ttl = (uint32_t)ttl;
			break;
		case F_RECORDS:
			scan_records(c);
			break;
		case F_SETID:
			in->setid = string_max(s, BATCH_SETID_MAX);
			break;
		case F_MVA:
			/* false is refused in every combination (check_combinations) */
			if (jscan_bool(s) != 1)
				s->err = 1;
			in->multivalue = true;
			break;
		case F_HCID:
			in->hcid = string_max(s, BATCH_HCID_MAX);
			break;
		}
	}
	/* TTL and ResourceRecords, and a SetIdentifier exactly with the routing policy. */
	if ((seen & F_REQUIRED) != F_REQUIRED || !(seen & F_SETID) != !(seen & F_MVA))
		s->err = 1;
}

/*
 * The change read into ch->action and in (its values in c), compiled into
 * ch; records and chars are the counts before it (c->chars its own).
 */
static void compile_change(struct fast_ctx *c, struct mv_change *ch, struct batch_rrset_in *in,
			   unsigned long records, unsigned long chars)
{
	unsigned mult = ch->action == MV_ACTION_UPSERT ? 2 : 1;

	c->records = records + mult * c->nvalues;
	c->chars = chars + mult * c->chars;
	if (c->s->err)
		return;
	in->count = c->nvalues;
	in->src = c->values;
	if (batch_compile(in, c->rdbuf, c->out, c->err, &ch->rrset) != 0)
		c->nomem = 1;
	if (c->nomem || c->err->count > 0)
		c->s->err = 1;
}

/* One change, compiled into ch. */
static void scan_change(struct fast_ctx *c, struct mv_change *ch)
{
	struct jscan *s = c->s;
	struct batch_rrset_in in = {.value = value_at};
	const char *key, *action = NULL;
	bool rrset = false;
	unsigned long records = c->records, chars = c->chars;
	size_t n = 0;

	c->chars = 0;
	jscan_expect(s, '{');
	while ((key = jscan_member(s, &n)) != NULL) {
		if (strcmp(key, "Action") == 0 && action == NULL) {
			action = jscan_string(s, NULL);
		} else if (strcmp(key, "ResourceRecordSet") == 0 && !rrset) {
			rrset = true;
			scan_rrset(c, &in);
		} else {
			s->err = 1;
		}
	}
	if (action == NULL || !rrset || s->err) {
		s->err = 1;
		return;
	}
	if (strcmp(action, "CREATE") == 0)
		ch->action = MV_ACTION_CREATE;
	else if (strcmp(action, "DELETE") == 0)
		ch->action = MV_ACTION_DELETE;
	else if (strcmp(action, "UPSERT") == 0)
		ch->action = MV_ACTION_UPSERT;
	else
		s->err = 1;
	compile_change(c, ch, &in, records, chars);
}

/*
 * The fewest characters a change takes, {"Action":"CREATE",
 * "ResourceRecordSet":{"Name":"a","Type":"A","TTL":0,"ResourceRecords":
 * [{"Value":""}]}} without the spaces.
 */
#define FAST_CHANGE_CHARS_MIN 104

/*
 * Room for as many changes as the rest of the text can hold (up to the most
 * a batch may have), at once: growing the array from 64 by doubling copied
 * it four times for 1,000 changes (2% of a batch). Only a hint: the array
 * still grows if it must, and failing here leaves it to grow.
 */
static void reserve_changes(struct fast_ctx *c)
{
	size_t n = (size_t)(c->s->end - c->s->p) / FAST_CHANGE_CHARS_MIN + 1;

	if (n > MV_BATCH_RECORDS_MAX)
		n = MV_BATCH_RECORDS_MAX;
	if (c->out->changes == NULL && n > 64) {
		c->out->changes = malloc(n * sizeof(*c->out->changes));
		c->cap = c->out->changes != NULL ? n : 0;
	}
}

/*
 * The slot for the next change, with the arena reset to mark: a change's
 * strings are compiled into the batch before the next is read, so each
 * reuses the arena from there, and a state of millions of changes touches
 * a few pages of it, not its size. NULL (the reader's error set) when out
 * of memory.
 */
static struct mv_change *next_change(struct fast_ctx *c, size_t mark)
{
	struct mv_change *ch = batch_change_slot(c->out, &c->cap);

	c->s->arena_len = mark;
	if (ch == NULL) {
		c->nomem = 1;
		c->s->err = 1;
	}
	return ch;
}

static void scan_batch(struct fast_ctx *c)
{
	struct jscan *s = c->s;
	const char *key, *comment = NULL;
	bool changes = false;
	size_t n = 0, k;

	jscan_expect(s, '{');
	while ((key = jscan_member(s, &n)) != NULL) {
		if (strcmp(key, "Comment") == 0 && comment == NULL) {
			size_t len = 0;

			comment = jscan_string(s, &len);
			if (len > BATCH_COMMENT_MAX)
				s->err = 1;
		} else if (strcmp(key, "Changes") == 0 && !changes) {
			changes = true;
			k = 0;
			reserve_changes(c);
			jscan_expect(s, '[');
			size_t mark = s->arena_len;
			while (jscan_element(s, &k)) {
				struct mv_change *ch = next_change(c, mark);

				if (ch == NULL)
					break;
				scan_change(c, ch);
			}
		} else {
			s->err = 1;
		}
	}
	if (!changes || c->out->count == 0)
		s->err = 1;
	if (!(c->flags & MV_BATCH_NO_LIMITS) &&
	    (c->records > MV_BATCH_RECORDS_MAX || c->chars > MV_BATCH_CHARS_MAX))
		s->err = 1;
	if (!s->err && comment != NULL) {
		c->out->comment = strdup(comment);
		if (c->out->comment == NULL) {
			c->nomem = 1;
			s->err = 1;
		}
	}
}

/* Up to c->max record sets, array elements, each an UPSERT (mv_batch_scan_sets). */
static void scan_sets(struct fast_ctx *c)
{
	size_t mark = c->s->arena_len;

	while (c->out->count < c->max && (c->more = jscan_element(c->s, c->element))) {
		struct mv_change *ch = next_change(c, mark);
		struct batch_rrset_in in = {.value = value_at};
		unsigned long chars = c->chars;

		if (ch == NULL)
			return;
		c->chars = 0; /* the set's own, as scan_change counts them */
		scan_rrset(c, &in);
		ch->action = MV_ACTION_UPSERT;
		compile_change(c, ch, &in, c->records, chars);
	}
}

/* Run scan over c's reader into c->out; mv_batch_scan's returns. */
static int scan_with(struct fast_ctx *c, void (*scan)(struct fast_ctx *c))
{
	int rc = -ENOMEM;

	memset(c->out, 0, sizeof(*c->out));
	c->rdbuf = malloc(BATCH_RDATA_MAX);
	c->err = malloc(sizeof(*c->err));
	if (c->rdbuf != NULL && c->err != NULL) {
		mv_error_init(c->err, "InvalidChangeBatch");
		scan(c);
		rc = c->nomem ? -ENOMEM : c->s->err ? -EAGAIN : 0;
	}
	if (rc != 0) {
		mv_batch_free(c->out);
		c->s->err = 1;
	}
	free(c->values);
	free(c->err);
	free(c->rdbuf);
	return rc;
}

int mv_batch_scan(struct jscan *s, unsigned flags, struct mv_batch *out)
{
	struct fast_ctx c = {.s = s, .out = out, .flags = flags};

	return scan_with(&c, scan_batch);
}

int mv_batch_scan_sets(struct jscan *s, size_t *element, size_t max, struct mv_batch *out,
		       bool *more)
{
	struct fast_ctx c = {.s = s,
			     .out = out,
			     .flags = MV_BATCH_NO_LIMITS,
			     .element = element,
			     .max = max,
			     .more = true};
	int rc = scan_with(&c, scan_sets);

	*more = rc == 0 && c.more;
	return rc;
}

int mv_batch_parse_fast(const char *json, size_t len, unsigned flags, struct mv_batch *out)
{
	struct jscan s;
	char *arena = malloc(len + 1);
	int rc;

	memset(out, 0, sizeof(*out));
	if (arena == NULL)
		return -ENOMEM;
	jscan_init(&s, json, len, arena, len + 1);
	rc = mv_batch_scan(&s, flags, out);
	if (rc == 0 && !jscan_done(&s)) {
		mv_batch_free(out);
		rc = -EAGAIN;
	}
	free(arena);
	return rc;
}
