/* SPDX-License-Identifier: BSD-3-Clause */
#include "snapshot.h"

#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "grow.h"
#include "journal.h"
#include "jscan.h"
#include "render.h"

/*
 * Hand the pages freed after a whole state's JSON back to the system. The
 * tree and its text take several times the state itself (1M record sets:
 * 1.8 GB, of which the state holds 190 MB), and malloc keeps what is freed
 * among live blocks: without this the process stays that size.
 */
static void release_free_pages(void)
{
	(void)malloc_trim(0);
}

/* ---- encoding ---- */

/*
 * The text is written with jwrite.h, the record sets without a jansson tree
 * even one at a time (a tree per set, dumped, took 3.6-4.6 s for 1M sets);
 * snapshot_save hands it to the file a piece at a time, so that a state of
 * millions of sets is never whole in memory as text either (10M: 1 GB).
 * Only the health checks' configurations, few and mapped by config.h, go
 * through jansson.
 */
struct sets_ctx {
	struct jwrite *w;
	bool first;
};

static int put_rrset(const struct mv_rrset *rr, void *arg)
{
	struct sets_ctx *c = arg;

	if (!c->first)
		JWRITE_LIT(c->w, ",");
	c->first = false;
	return render_rrset_text(c->w, rr, true);
}

/* The zone object: its members, then ResourceRecordSets, then Comment if any. */
static void put_zone(struct jwrite *w, const struct zones_zone *zone)
{
	struct sets_ctx sets = {.w = w, .first = true};

	JWRITE_MEMBER(w, "{\"Id\":", zone->id);
	JWRITE_MEMBER(w, ",\"Name\":", zone->name);
	JWRITE_MEMBER(w, ",\"CallerReference\":", zone->caller_reference);
	JWRITE_LIT(w, ",\"NameServers\":[");
	for (size_t i = 0; i < zone->name_server_count; i++)
		JWRITE_MEMBER(w, i > 0 ? "," : "", zone->name_servers[i]);
	JWRITE_LIT(w, "],\"ResourceRecordSets\":[");
	if (w->err == 0)
		(void)mv_store_foreach(zone->store, put_rrset, &sets); /* its error is w's */
	JWRITE_LIT(w, "]");
	if (zone->comment != NULL)
		JWRITE_MEMBER(w, ",\"Comment\":", zone->comment);
	JWRITE_LIT(w, "}");
}

static void put_change(struct jwrite *w, const struct zones_change *c)
{
	JWRITE_MEMBER(w, "{\"Id\":", c->id);
	JWRITE_MEMBER(w, ",\"SubmittedAt\":", c->submitted_at);
	JWRITE_LIT(w, ",\"Seq\":");
	jwrite_uint(w, c->seq);
	if (c->insync)
		JWRITE_LIT(w, ",\"InSync\":true");
	else
		JWRITE_LIT(w, ",\"InSync\":false");
	if (c->comment != NULL)
		JWRITE_MEMBER(w, ",\"Comment\":", c->comment);
	JWRITE_LIT(w, "}");
}

static json_t *encode_check(const struct checks_check *check)
{
	return json_pack("{s:s,s:s,s:o,s:I,s:I,s:b}", "Id", check->id, "CallerReference",
			 check->caller_reference, "HealthCheckConfig",
			 mv_check_config_to_json(&check->config), "HealthCheckVersion",
			 (json_int_t)check->version, "Index", (json_int_t)check->index, "Healthy",
			 check->healthy);
}

static void put_state(struct jwrite *w, const struct zones *z, uint64_t lsn)
{
	const struct checks *c = zones_checks(z);

	JWRITE_LIT(w, "{\"Version\":");
	jwrite_uint(w, SNAPSHOT_VERSION);
	JWRITE_LIT(w, ",\"Lsn\":");
	jwrite_uint(w, lsn);
	JWRITE_LIT(w, ",\"Seq\":");
	jwrite_uint(w, zones_seq(z));
	JWRITE_LIT(w, ",\"HealthChecks\":[");
	for (size_t i = 0; i < checks_count(c); i++) {
		json_t *check = encode_check(checks_at(c, i));

		if (i > 0)
			JWRITE_LIT(w, ",");
		jwrite_json(w, check);
		json_decref(check);
	}
	JWRITE_LIT(w, "],\"DeletedHealthCheckReferences\":[");
	for (size_t i = 0; i < checks_deleted_count(c); i++)
		JWRITE_MEMBER(w, i > 0 ? "," : "", checks_deleted_at(c, i));
	JWRITE_LIT(w, "],\"HostedZones\":[");
	for (size_t i = 0; i < zones_count(z); i++) {
		if (i > 0)
			JWRITE_LIT(w, ",");
		put_zone(w, zones_at(z, i));
	}
	JWRITE_LIT(w, "],\"Changes\":[");
	for (size_t i = 0; i < zones_change_count(z); i++) {
		if (i > 0)
			JWRITE_LIT(w, ",");
		put_change(w, zones_change_at(z, i));
	}
	JWRITE_LIT(w, "]}");
}

char *snapshot_encode(const struct zones *z, uint64_t lsn)
{
	struct jwrite w = {0};
	size_t len;

	put_state(&w, z, lsn);
	return jwrite_finish(&w, &len);
}

/* ---- decoding ---- */

/* The zone's record sets (a batch of UPSERTs over its SOA and NS), health checks resolved. */
static int apply_sets(const struct checks *checks, struct zones_zone *zone, struct mv_batch *batch,
		      struct mv_error *err)
{
	int rc = checks_resolve_batch(checks, batch, err);

	if (rc == 0)
		rc = mv_store_apply(zone->store, zone->apex, batch, err);
	mv_batch_free(batch);
	return rc;
}

/* Every record set of the zone, from the tree (a snapshot cut_sets could not cut). */
static int decode_sets(const struct checks *checks, struct zones_zone *zone, json_t *sets,
		       struct mv_error *err)
{
	json_t *changes = json_array(), *doc, *rrs;
	struct mv_batch batch = {0};
	size_t i;
	int rc;

	json_array_foreach(sets, i, rrs)
	{
		json_array_append_new(changes, json_pack("{s:s,s:O}", "Action", "UPSERT",
							 "ResourceRecordSet", rrs));
	}
	doc = json_pack("{s:o}", "Changes", changes);
	if (doc == NULL)
		return -ENOMEM;
	rc = mv_batch_parse_doc(doc, MV_BATCH_NO_LIMITS, &batch, err);
	json_decref(doc);
	return rc == 0 ? apply_sets(checks, zone, &batch, err) : rc;
}

/* ---- the record sets as text ---- */

/* Where each hosted zone's ResourceRecordSets array lies in the text, in order. */
struct sets_spans {
	struct {
		size_t at, len;
	} * v;
	size_t n, cap;
};

/*
 * The snapshot without the record sets: each zone's ResourceRecordSets
 * array cut to [] and its place kept in spans, so that jansson's tree holds
 * everything but them (1M sets: a tree of 1.9 GB). NULL when the text is not
 * a JSON document it can cut (the caller then reads it whole, and jansson
 * says what is wrong).
 */
static char *cut_sets(const char *t, size_t len, size_t *small_len, struct sets_spans *spans)
{
	const char *end = t + len;
	char *small = malloc(len + 1);
	size_t depth = 0, o = 0, from = 0;
	bool zones_key = false, zones = false, sets_key = false;

	for (size_t i = 0; small != NULL && i < len; i++) {
		if (t[i] == '"') {
			const char *e = jscan_skip_value(t + i, end), *k;
			size_t n;

			if (e == NULL)
				goto fail;
			k = jscan_skip_space(e, end);
			n = (size_t)(e - t) - i - 2;
			if (k < end && *k == ':' && depth == 1)
				zones_key = n == 11 && memcmp(t + i + 1, "HostedZones", n) == 0;
			if (k < end && *k == ':' && depth == 3)
				sets_key = zones && n == 18 &&
					   memcmp(t + i + 1, "ResourceRecordSets", n) == 0;
			i = (size_t)(e - t) - 1;
		} else if (t[i] == '[' && depth == 3 && sets_key) {
			const char *e = jscan_skip_value(t + i, end);

			if (e == NULL || MV_GROW(spans->v, spans->cap, spans->n + 1, 16) != 0)
				goto fail;
			spans->v[spans->n].at = i;
			spans->v[spans->n++].len = (size_t)(e - t) - i;
			memcpy(small + o, t + from, i - from);
			o += i - from;
			small[o++] = '[';
			small[o++] = ']';
			from = (size_t)(e - t);
			i = from - 1;
			sets_key = false;
		} else if (t[i] == '{' || t[i] == '[') {
			depth++;
			zones |= depth == 2 && t[i] == '[' && zones_key;
		} else if (t[i] == '}' || t[i] == ']') {
			if (depth == 0)
				goto fail;
			if (--depth == 1)
				zones = false;
		}
	}
	if (small == NULL)
		goto fail;
	memcpy(small + o, t + from, len - from);
	o += len - from;
	small[o] = '\0';
	*small_len = o;
	return small;
fail:
	free(small);
	free(spans->v);
	*spans = (struct sets_spans){0};
	return NULL;
}

char *snapshot_cut_sets(const char *text, size_t len, size_t *small_len, size_t *nsets)
{
	struct sets_spans spans = {0};
	char *small = cut_sets(text, len, small_len, &spans);

	*nsets = spans.n;
	free(spans.v);
	return small;
}

/*
 * Record sets read as one change batch: a batch of 1M sets and the text
 * wrapping it doubled a restart's peak, for nothing (the sets of a valid
 * state are valid in any grouping).
 */
#define SNAPSHOT_SETS_BATCH 4096

/*
 * decode_sets_text's general path: the sets wrapped as UPSERT changes and
 * read like a change batch (jansson words what is wrong),
 * SNAPSHOT_SETS_BATCH sets at a time.
 */
static int decode_sets_wrapped(const struct checks *checks, struct zones_zone *zone, const char *t,
			       size_t len, struct mv_error *err)
{
	const char *end = t + len, *p = jscan_skip_space(t + 1, end);
	int rc = 0;

	while (rc == 0 && p < end && *p == '{') {
		struct mv_batch batch = {0};
		char *doc = NULL;
		size_t size = 0, n = 0;
		FILE *f = open_memstream(&doc, &size);
		int bad = f == NULL;

		bad |= bad || fputs("{\"Changes\":[", f) < 0;
		for (; !bad && p < end && *p == '{' && n < SNAPSHOT_SETS_BATCH; n++) {
			const char *e = jscan_skip_value(p, end);

			bad |= (n > 0 && fputc(',', f) == EOF) || e == NULL ||
			       fputs("{\"Action\":\"UPSERT\",\"ResourceRecordSet\":", f) < 0 ||
			       fwrite(p, 1, (size_t)(e - p), f) != (size_t)(e - p) ||
			       fputc('}', f) == EOF;
			p = e != NULL ? jscan_skip_space(e, end) : end;
			if (p < end && *p == ',')
				p = jscan_skip_space(p + 1, end);
		}
		if (f != NULL) {
			bad |= fputs("]}", f) < 0;
			bad |= fclose(f) != 0;
		}
		rc = f == NULL ? -ENOMEM
		     : bad     ? -EINVAL
			       : mv_batch_parse_opts(doc, size, MV_BATCH_NO_LIMITS, &batch, err);
		free(doc);
		if (rc == 0)
			rc = apply_sets(checks, zone, &batch, err);
	}
	if (rc == 0 && (p + 1 != end || *p != ']'))
		rc = -EINVAL;
	if (rc == -EINVAL && err->count == 0) {
		mv_error_init(err, "InvalidInput");
		mv_error_add(err, "malformed record sets");
	}
	return rc;
}

/*
 * Every record set of the zone from the text of its ResourceRecordSets
 * array t[0..len): read as UPSERT changes straight from the text
 * (mv_batch_scan_sets), SNAPSHOT_SETS_BATCH sets at a time. Where a set is
 * not in the reader's plain shape, the whole array again by the general
 * path: the sets applied already are UPSERTed again, to the same state.
 */
static int decode_sets_text(const struct checks *checks, struct zones_zone *zone, const char *t,
			    size_t len, struct mv_error *err)
{
	char *arena = malloc(len + 1);
	struct jscan s;
	size_t element = 0;
	bool more = true;
	int rc = 0;

	if (arena == NULL)
		return -ENOMEM;
	jscan_init(&s, t, len, arena, len + 1);
	jscan_expect(&s, '[');
	while (rc == 0 && more) {
		struct mv_batch batch;

		rc = mv_batch_scan_sets(&s, &element, SNAPSHOT_SETS_BATCH, &batch, &more);
		if (rc == 0)
			rc = apply_sets(checks, zone, &batch, err);
	}
	if (rc == 0 && !jscan_done(&s))
		rc = -EAGAIN;
	free(arena);
	return rc == -EAGAIN ? decode_sets_wrapped(checks, zone, t, len, err) : rc;
}

static int decode_check(struct checks *c, json_t *jc, struct mv_error *err)
{
	char msg[MV_ERROR_MESSAGE_MAX];
	json_int_t version, index;
	struct mv_check_config cfg;
	struct checks_check *check;
	const char *id, *ref;
	json_t *jcfg;
	int healthy, rc;

	if (json_unpack(jc, "{s:s,s:s,s:o,s:I,s:I,s:b}", "Id", &id, "CallerReference", &ref,
			"HealthCheckConfig", &jcfg, "HealthCheckVersion", &version, "Index", &index,
			"Healthy", &healthy) != 0 ||
	    version < 1 || index < 1 || index > CHECKS_INDEX_MAX) {
		mv_error_add(err, "malformed health check");
		return -EINVAL;
	}
	if (mv_check_config_from_json(jcfg, &cfg, msg, sizeof(msg)) != 0) {
		mv_error_add(err, "health check %s: %s", id, msg);
		return -EINVAL;
	}
	rc = checks_add(c, id, ref, &cfg, (uint32_t)index, healthy, &check);
	if (rc == 0)
		check->version = (uint64_t)version;
	else if (rc != -ENOMEM)
		mv_error_add(err, "health check %s: duplicate or invalid", id);
	return rc;
}

/* HealthChecks and DeletedHealthCheckReferences (both optional). */
static int decode_checks(struct checks *c, json_t *root, struct mv_error *err)
{
	json_t *jchecks = json_object_get(root, "HealthChecks"), *v;
	json_t *deleted = json_object_get(root, "DeletedHealthCheckReferences");
	size_t i;
	int rc;

	if ((jchecks != NULL && !json_is_array(jchecks)) ||
	    (deleted != NULL && !json_is_array(deleted))) {
		mv_error_add(err, "malformed health checks");
		return -EINVAL;
	}
	json_array_foreach(jchecks, i, v)
	{
		rc = decode_check(c, v, err);
		if (rc != 0)
			return rc;
	}
	json_array_foreach(deleted, i, v)
	{
		if (!json_is_string(v)) {
			mv_error_add(err, "malformed deleted health check reference");
			return -EINVAL;
		}
		rc = checks_deleted_add(c, json_string_value(v));
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* A zone from its part of the tree; sets_text, when not NULL, holds its record sets. */
static int decode_zone(struct zones *z, json_t *jz, const char *sets_text, size_t sets_len,
		       struct mv_error *err)
{
	const char *ns[64];
	struct zones_new nz = {.name_servers = ns};
	struct zones_zone *zone;
	json_t *jns, *sets, *v;
	size_t i;
	int rc;

	if (json_unpack(jz, "{s:s,s:s,s:s,s?s,s:o,s:o}", "Id", &nz.id, "Name", &nz.name,
			"CallerReference", &nz.caller_reference, "Comment", &nz.comment,
			"NameServers", &jns, "ResourceRecordSets", &sets) != 0 ||
	    !json_is_array(jns) || json_array_size(jns) > 64 || !json_is_array(sets))
		goto bad;
	json_array_foreach(jns, i, v)
	{
		if ((ns[i] = json_string_value(v)) == NULL)
			goto bad;
	}
	nz.name_server_count = json_array_size(jns);
	rc = zones_add(z, &nz, &zone, err);
	if (rc == 0 && sets_text != NULL)
		rc = decode_sets_text(zones_checks(z), zone, sets_text, sets_len, err);
	else if (rc == 0)
		rc = decode_sets(zones_checks(z), zone, sets, err);
	return rc;
bad:
	mv_error_init(err, "InvalidInput");
	mv_error_add(err, "malformed hosted zone");
	return -EINVAL;
}

int snapshot_decode(struct zones *z, const char *text, size_t len, uint64_t *lsn,
		    struct mv_error *err)
{
	struct sets_spans spans = {0};
	size_t small_len = 0, i;
	char *small = cut_sets(text, len, &small_len, &spans);
	bool cut = small != NULL;
	json_t *root = json_loadb(cut ? small : text, cut ? small_len : len, JSON_REJECT_DUPLICATES,
				  NULL),
	       *jzones, *jchanges, *v;
	json_int_t version = 0, jlsn = 0, seq = 0;
	int rc = -EINVAL;

	free(small);

	mv_error_init(err, "InvalidInput");
	if (root == NULL ||
	    json_unpack(root, "{s:I,s:I,s:I,s:o,s:o}", "Version", &version, "Lsn", &jlsn, "Seq",
			&seq, "HostedZones", &jzones, "Changes", &jchanges) != 0 ||
	    version != SNAPSHOT_VERSION || jlsn < 0 || seq < 0 || !json_is_array(jzones) ||
	    !json_is_array(jchanges)) {
		mv_error_add(err, "not a version %d snapshot", SNAPSHOT_VERSION);
		goto finish;
	}
	rc = decode_checks(zones_checks(z), root, err);
	if (rc != 0)
		goto finish;
	if (cut && spans.n != json_array_size(jzones)) {
		mv_error_add(err, "malformed hosted zone");
		goto finish;
	}
	json_array_foreach(jzones, i, v)
	{
		rc = cut ? decode_zone(z, v, text + spans.v[i].at, spans.v[i].len, err)
			 : decode_zone(z, v, NULL, 0, err);
		if (rc != 0)
			goto finish;
	}
	json_array_foreach(jchanges, i, v)
	{
		const char *id, *at, *comment = NULL;
		json_int_t cseq;
		int insync;

		rc = -EINVAL;
		if (json_unpack(v, "{s:s,s:s,s?s,s:I,s:b}", "Id", &id, "SubmittedAt", &at,
				"Comment", &comment, "Seq", &cseq, "InSync", &insync) != 0) {
			mv_error_add(err, "malformed change");
			goto finish;
		}
		rc = zones_change_add(z, id, at, comment, (uint64_t)cseq, insync);
		if (rc != 0)
			goto finish;
	}
	zones_seq_raise(z, (uint64_t)seq);
	*lsn = (uint64_t)jlsn;
	rc = 0;
finish:
	json_decref(root);
	free(spans.v);
	return rc;
}

/* ---- files ---- */

static int put_piece(void *file, const char *text, size_t len)
{
	return journal_replace_write(file, text, len);
}

int snapshot_save(const struct zones *z, uint64_t lsn, const char *dir)
{
	struct journal_replace file;
	int rc = journal_replace_open(&file, dir, SNAPSHOT_FILE);
	struct jwrite w = {.sink = put_piece, .sink_arg = &file};

	if (rc != 0)
		return rc;
	put_state(&w, z, lsn);
	return journal_replace_finish(&file, jwrite_end(&w));
}

int snapshot_load(struct zones *z, const char *dir, uint64_t *lsn)
{
	struct mv_error *err = malloc(sizeof(*err));
	char path[PATH_MAX], *text = NULL;
	size_t len;
	int rc;

	*lsn = 0;
	if (err == NULL)
		return -ENOMEM;
	snprintf(path, sizeof(path), "%s/%s", dir, SNAPSHOT_FILE);
	rc = journal_read_file(path, &text, &len);
	if (rc == -ENOENT) {
		rc = 0;
		goto finish;
	}
	if (rc == 0)
		rc = snapshot_decode(z, text, len, lsn, err);
	if (rc != 0)
		fprintf(stderr, "mvdns-control: snapshot %s: %s%s%s\n", path, strerror(-rc),
			err->count > 0 ? ": " : "", err->count > 0 ? err->messages[0] : "");
finish:
	free(text);
	free(err);
	release_free_pages();
	return rc;
}
