/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The general decoder's checks of a change batch document (jansson's tree):
 * the request's shape, as botocore and Route 53 check it (InvalidInput), from
 * the document down to each change and its values, and the request limits
 * (InvalidChangeBatch). A change whose shape passed goes to batch_compile
 * (batch_compile.c) for what it means. Apart from batch.c because this is
 * where every InvalidInput rule and its wording lives.
 *
 * Message sources. Parameter validation as botocore words it (the AWS CLI
 * checks these before sending): "Missing required parameter in ...",
 * "Unknown parameter in ...", "Invalid type for parameter ...", "Invalid
 * length ...", "Invalid value ...". Route 53's server-side checks: "Value
 * '...' at 'changeBatch.changes.1.member...' failed to satisfy constraint:
 * Member must ...", "Invalid request: Expected exactly one of [...], but found
 * none in Change with [...]", "Invalid request: Missing field 'SetIdentifier'
 * in Change with [...]", "Number of records limit of 1000 exceeded.", "RDATA
 * character limit of 32000 exceeded.". Messages about what mvdns does not
 * serve are mvdns's own.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "batch.h"
#include "batch_parse_pvt.h"
#include "batch_pvt.h"
#include "text.h"

#define BATCH_ZONEID_MAX 32
/* Room for a parameter path such as ChangeBatch.Changes[12].ResourceRecordSet.TTL. */
#define BATCH_PATH_MAX 160
/* How much of an offending value a message quotes. */
#define BATCH_QUOTE_MAX 64

/* Members as botocore lists them ("must be one of: ..."), then mvdns's RoutingPolicy. */
#define F_REQUEST "HostedZoneId, ChangeBatch"
#define F_BATCH   "Comment, Changes"
#define F_CHANGE  "Action, ResourceRecordSet"
#define F_RRSET                                                                                \
	"Name, Type, SetIdentifier, Weight, Region, GeoLocation, Failover, MultiValueAnswer, " \
	"TTL, ResourceRecords, AliasTarget, HealthCheckId, TrafficPolicyInstanceId, "          \
	"CidrRoutingConfig, GeoProximityLocation, RoutingPolicy"
/* Route 53's routing policy elements. */
#define F_POLICIES                                                                        \
	"Weight, Region, Failover, GeoLocation, MultiValueAnswer, GeoProximityLocation, " \
	"CidrRoutingConfig"
#define E_ACTIONS "CREATE, DELETE, UPSERT"
#define E_TYPES   BATCH_TYPES

#define PY_DICT "<class 'dict'>"
#define PY_LIST "<class 'list'>, <class 'tuple'>"
#define PY_STR  "<class 'str'>"
#define PY_INT  "<class 'int'>"
#define PY_BOOL "<class 'bool'>"

/* Route 53's server-side paths ("Value '...' at '<where>'"), formatted with (change, value). */
#define AT_RRSET "changeBatch.changes.%zu.member.resourceRecordSet."
#define AT_VALUE AT_RRSET "resourceRecords.%zu.member.value"

/* A parameter path as botocore names it, formatted (with i and j) only for a message. */
struct bpath {
	const char *fmt;
	size_t i, j;
};

static const char *bpath_text(const struct bpath *p, char buf[BATCH_PATH_MAX])
{
	snprintf(buf, BATCH_PATH_MAX, p->fmt, p->i, p->j);
	return buf;
}

void batch_input_msg(struct batch_ctx *ctx, const char *fmt, ...)
{
	char msg[MV_ERROR_MESSAGE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mv_error_add(ctx->input, "%s", msg);
	ctx->n_input++;
}

/* ---- what messages quote ---- */

/* Characters (code points) of a UTF-8 string. */
static size_t batch_utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* At most BATCH_QUOTE_MAX bytes of s, marking a cut with "...". */
static void quote(const char *s, char out[BATCH_QUOTE_MAX + 4])
{
	snprintf(out, BATCH_QUOTE_MAX + 4, "%.*s%s", BATCH_QUOTE_MAX, s,
		 strlen(s) > BATCH_QUOTE_MAX ? "..." : "");
}

/* Python's name for the type a JSON value decodes to (botocore prints it). */
static const char *py_type(const json_t *v)
{
	static const char *const names[] = {
		[JSON_OBJECT] = "<class 'dict'>", [JSON_ARRAY] = "<class 'list'>",
		[JSON_STRING] = "<class 'str'>",  [JSON_INTEGER] = "<class 'int'>",
		[JSON_REAL] = "<class 'float'>",  [JSON_TRUE] = "<class 'bool'>",
		[JSON_FALSE] = "<class 'bool'>",  [JSON_NULL] = "<class 'NoneType'>",
	};

	return names[json_typeof(v)];
}

/* The value as botocore's messages print it (Python style for scalars). */
static void py_repr(const json_t *v, char out[BATCH_QUOTE_MAX + 4])
{
	char *dump = NULL;

	if (json_is_string(v))
		quote(json_string_value(v), out);
	else if (json_is_boolean(v) || json_is_null(v))
		quote(json_is_true(v) ? "True" : json_is_false(v) ? "False" : "None", out);
	else {
		dump = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_REAL_PRECISION(15));
		quote(dump != NULL ? dump : "?", out);
	}
	free(dump);
}

/* ---- botocore's parameter checks and Route 53's constraints ---- */

enum batch_want { WANT_OBJECT, WANT_ARRAY, WANT_STRING, WANT_INTEGER, WANT_BOOLEAN };

/* Whether v (parameter path.key, key may be NULL) has the wanted type; reports it when not. */
static int want(struct batch_ctx *ctx, const json_t *v, enum batch_want w, const struct bpath *path,
		const char *key)
{
	static const char *const valid[] = {PY_DICT, PY_LIST, PY_STR, PY_INT, PY_BOOL};
	static const int types[] = {JSON_OBJECT, JSON_ARRAY, JSON_STRING, JSON_INTEGER, JSON_TRUE};
	char repr[BATCH_QUOTE_MAX + 4], buf[BATCH_PATH_MAX];
	int t = json_typeof(v) == JSON_FALSE ? JSON_TRUE : json_typeof(v);

	if (t == types[w])
		return 1;
	py_repr(v, repr);
	bpath_text(path, buf);
	batch_input_msg(ctx,
			"Invalid type for parameter %s%s%s, value: %s, type: %s, valid types: %s",
			buf, key != NULL && buf[0] != '\0' ? "." : "", key != NULL ? key : "", repr,
			py_type(v), valid[w]);
	return 0;
}

int batch_list_index(const char *list, const char *key)
{
	size_t n = strlen(key);
	int i = 0;

	if (n == 0 || strchr(key, ',') != NULL)
		return -1;
	for (const char *p = list; p != NULL; p = strchr(p, ','), p = p != NULL ? p + 2 : NULL, i++)
		if (strncmp(p, key, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return i;
	return -1;
}

static int listed(const char *list, const char *key)
{
	return batch_list_index(list, key) >= 0;
}

/* Report members of `required` missing from obj, then members not in `fields`. */
static void want_fields(struct batch_ctx *ctx, json_t *obj, const struct bpath *path,
			const char *const *required, const char *fields)
{
	char buf[BATCH_PATH_MAX];
	const char *key;
	json_t *v;

	for (; *required != NULL; required++)
		if (json_object_get(obj, *required) == NULL)
			batch_input_msg(ctx, "Missing required parameter in %s: \"%s\"",
					bpath_text(path, buf), *required);
	json_object_foreach(obj, key, v) if (!listed(fields, key))
		batch_input_msg(ctx, "Unknown parameter in %s: \"%s\", must be one of: %s",
				bpath_text(path, buf), key, fields);
}

/* Member key of obj if present and of the wanted type, else NULL (reported). */
static json_t *member(struct batch_ctx *ctx, json_t *obj, const char *key, enum batch_want w,
		      const struct bpath *path)
{
	json_t *v = json_object_get(obj, key);

	return v != NULL && want(ctx, v, w, path, key) ? v : NULL;
}

static const char *member_str(struct batch_ctx *ctx, json_t *obj, const char *key,
			      const struct bpath *path)
{
	return json_string_value(member(ctx, obj, key, WANT_STRING, path));
}

/* Route 53's "Value '...' at '<at, formatted with a and b>' failed to satisfy constraint". */
static void constraint(struct batch_ctx *ctx, const char *value, const char *at, size_t a, size_t b,
		       const char *member_must)
{
	char q[BATCH_QUOTE_MAX + 4], where[BATCH_PATH_MAX];

	quote(value, q);
	snprintf(where, sizeof(where), at, a, b);
	batch_input_msg(ctx, "Value '%s' at '%s' failed to satisfy constraint: Member must %s", q,
			where, member_must);
}

/* Route 53's length limit (characters). Returns whether it holds. */
static int want_len(struct batch_ctx *ctx, const char *s, size_t max, const char *at, size_t a,
		    size_t b)
{
	char must[64];

	if (batch_utf8_chars(s) <= max)
		return 1;
	snprintf(must, sizeof(must), "have length less than or equal to %zu", max);
	constraint(ctx, s, at, a, b, must);
	return 0;
}

/* Index of s in the enum ("A, B, C"), or -1 after reporting it. */
static int want_enum(struct batch_ctx *ctx, const char *s, const char *set, const char *at,
		     size_t a)
{
	char must[160];
	int i = batch_list_index(set, s);

	if (i < 0) {
		snprintf(must, sizeof(must), "satisfy enum value set: [%s]", set);
		constraint(ctx, s, at, a, 0, must);
	}
	return i;
}

/* ---- one change ---- */

/* What one change holds, before compiling it. */
struct batch_fields {
	json_t *rrs;
	const char *action;
	const char *name;
	const char *type;
	const char *setid;
	const char *hcid;
	json_t *records;
	json_t *mva;
	json_t *policy;
	long long ttl;
	int type_index; /* in E_TYPES, or -1 */
	int type_number;
};

static int has(const struct batch_fields *f, const char *key)
{
	return json_object_get(f->rrs, key) != NULL;
}

/* ResourceRecords: shapes of the values, and the request's counts. */
static void parse_records(struct batch_ctx *ctx, json_t *records, size_t i, unsigned mult)
{
	static const char *const required[] = {"Value", NULL};
	struct bpath p = {"ChangeBatch.Changes[%zu].ResourceRecordSet.ResourceRecords[%zu]", i, 0};
	size_t j;
	json_t *r;

	if (json_array_size(records) == 0)
		batch_input_msg(
			ctx,
			"Invalid length for parameter ChangeBatch.Changes[%zu].ResourceRecordSet."
			"ResourceRecords, value: 0, valid min length: 1",
			i);
	json_array_foreach(records, j, r)
	{
		const char *s;

		p.j = j;
		if (!want(ctx, r, WANT_OBJECT, &p, NULL))
			continue;
		want_fields(ctx, r, &p, required, "Value");
		s = member_str(ctx, r, "Value", &p);
		ctx->records += mult;
		if (s == NULL)
			continue;
		want_len(ctx, s, BATCH_VALUE_MAX, AT_VALUE, i + 1, j + 1);
		ctx->chars += mult * batch_utf8_chars(s);
	}
}

/* The change as Route 53's "Invalid request" messages describe it. */
static void describe(const struct batch_fields *f, char desc[200])
{
	snprintf(desc, 200, "[Action=%.16s, Name=%.80s, Type=%.16s, SetIdentifier=%.40s]",
		 f->action != NULL ? f->action : "null", f->name != NULL ? f->name : "null",
		 f->type != NULL ? f->type : "null", f->setid != NULL ? f->setid : "null");
}

/* The "Invalid request" rules on which elements come together, and what mvdns serves. */
static void check_combinations(struct batch_ctx *ctx, const struct batch_fields *f)
{
	/* Valid in Route 53, not served by mvdns; the routing policies among them are in
	 * F_POLICIES. */
	static const char *const unsupported_fields[] = {
		"AliasTarget", "TrafficPolicyInstanceId", "Weight",           "Region", "Failover",
		"GeoLocation", "GeoProximityLocation",    "CidrRoutingConfig"};
	char desc[200] = "";
	int unsupported = 0, policies = 0;

	for (size_t k = 0; k < sizeof(unsupported_fields) / sizeof(unsupported_fields[0]); k++) {
		const char *name = unsupported_fields[k];

		if (!has(f, name))
			continue;
		policies += listed(F_POLICIES, name);
		unsupported++;
		if (desc[0] == '\0')
			describe(f, desc);
		batch_input_msg(
			ctx,
			"Invalid request: %s is not supported by mvdns, which serves simple and "
			"multivalue answer record sets only, in Change with %s",
			name, desc);
	}
	/* Formatting the description for every change cost more than the rest of
	 * the checks: only a change with a problem gets one. */
	if (desc[0] == '\0' && ((f->type_index >= 0 && f->type_number < 0) || !has(f, "TTL") ||
				!has(f, "ResourceRecords") || has(f, "SetIdentifier") ||
				has(f, "MultiValueAnswer") || has(f, "RoutingPolicy")))
		describe(f, desc);
	if (f->type_index >= 0 && f->type_number < 0)
		batch_input_msg(
			ctx, "Invalid request: Type %s is not supported by mvdns in Change with %s",
			f->type, desc);
	if (!has(f, "AliasTarget") && !has(f, "TrafficPolicyInstanceId") &&
	    (!has(f, "TTL") || !has(f, "ResourceRecords")))
		batch_input_msg(
			ctx,
			"Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and "
			"ResourceRecords], or TrafficPolicyInstanceId], but found none in Change "
			"with %s",
			desc);
	policies += has(f, "MultiValueAnswer") || has(f, "RoutingPolicy");
	if (has(f, "SetIdentifier") && policies == 0)
		batch_input_msg(
			ctx,
			"Invalid request: Expected exactly one of [Weight, Region, Failover, "
			"GeoLocation, MultiValueAnswer, GeoProximityLocation, or "
			"CidrRoutingConfig], but found none in Change with %s",
			desc);
	if (unsupported > 0)
		return;
	if (!has(f, "SetIdentifier") && policies > 0)
		batch_input_msg(ctx,
				"Invalid request: Missing field 'SetIdentifier' in Change with %s",
				desc);
	if (json_is_false(f->mva) && f->policy != NULL)
		batch_input_msg(ctx,
				"Invalid request: MultiValueAnswer false contradicts RoutingPolicy "
				"MULTIVALUE in Change with %s",
				desc);
	else if (json_is_false(f->mva) && f->setid != NULL)
		batch_input_msg(
			ctx,
			"Invalid request: a SetIdentifier with MultiValueAnswer false is not "
			"supported by mvdns, which serves simple and multivalue answer record sets "
			"only, in Change with %s",
			desc);
}

/* Shape of ResourceRecordSet. */
static void parse_rrset(struct batch_ctx *ctx, json_t *rrs, size_t i, unsigned mult,
			struct batch_fields *f)
{
	static const char *const required[] = {"Name", "Type", NULL};
	const struct bpath rpath = {"ChangeBatch.Changes[%zu].ResourceRecordSet", i, 0};
	const struct bpath *path = &rpath;
	json_t *ttl;

	f->rrs = rrs;
	want_fields(ctx, rrs, path, required, F_RRSET);
	f->name = member_str(ctx, rrs, "Name", path);
	if (f->name != NULL)
		want_len(ctx, f->name, BATCH_NAME_MAX, AT_RRSET "name", i + 1, 0);
	f->type = member_str(ctx, rrs, "Type", path);
	if (f->type != NULL)
		f->type_index = want_enum(ctx, f->type, E_TYPES, AT_RRSET "type", i + 1);
	if (f->type_index >= 0)
		f->type_number = dns_type_from_text(f->type);
	f->setid = member_str(ctx, rrs, "SetIdentifier", path);
	if (f->setid != NULL && f->setid[0] == '\0')
		batch_input_msg(
			ctx,
			"Invalid length for parameter ChangeBatch.Changes[%zu].ResourceRecordSet."
			"SetIdentifier, value: 0, valid min length: 1",
			i);
	else if (f->setid != NULL)
		want_len(ctx, f->setid, BATCH_SETID_MAX, AT_RRSET "setIdentifier", i + 1, 0);
	f->mva = member(ctx, rrs, "MultiValueAnswer", WANT_BOOLEAN, path);
	f->policy = member(ctx, rrs, "RoutingPolicy", WANT_OBJECT, path);
	if (f->policy != NULL) {
		static const char *const prequired[] = {"Type", NULL};
		const struct bpath p = {"ChangeBatch.Changes[%zu].ResourceRecordSet.RoutingPolicy",
					i, 0};
		const char *t;

		want_fields(ctx, f->policy, &p, prequired, "Type");
		t = member_str(ctx, f->policy, "Type", &p);
		if (t != NULL)
			want_enum(ctx, t, "MULTIVALUE", AT_RRSET "routingPolicy.type", i + 1);
	}
	ttl = member(ctx, rrs, "TTL", WANT_INTEGER, path);
	f->ttl = json_integer_value(ttl);
	if (f->ttl < 0)
		batch_input_msg(ctx,
				"Invalid value for parameter "
				"ChangeBatch.Changes[%zu].ResourceRecordSet.TTL, "
				"value: %lld, valid min value: 0",
				i, f->ttl);
	else if (f->ttl > BATCH_TTL_MAX)
		batch_input_msg(ctx,
				"Value '%lld' at '" AT_RRSET
				"tTL' failed to satisfy constraint: Member "
				"must have value less than or equal to %lld",
				f->ttl, i + 1, BATCH_TTL_MAX);
	f->records = member(ctx, rrs, "ResourceRecords", WANT_ARRAY, path);
	if (f->records != NULL)
		parse_records(ctx, f->records, i, mult);
	f->hcid = member_str(ctx, rrs, "HealthCheckId", path);
	if (f->hcid != NULL)
		want_len(ctx, f->hcid, BATCH_HCID_MAX, AT_RRSET "healthCheckId", i + 1, 0);
	check_combinations(ctx, f);
}

/* strdup of s (NULL stays NULL); *nomem set when out of memory. */
static char *dup_opt(const char *s, int *nomem)
{
	char *d = s != NULL ? strdup(s) : NULL;

	*nomem |= s != NULL && d == NULL;
	return d;
}

/* Value j of a ResourceRecords array whose shape passed. */
static const char *record_value(const void *records, size_t j)
{
	return json_string_value(json_object_get(json_array_get(records, j), "Value"));
}

/* Compile a change whose shape passed: names, values, and the rules on them. */
static void compile(struct batch_ctx *ctx, const struct batch_fields *f, struct mv_rrset *rr)
{
	const struct batch_rrset_in in = {
		.name = f->name,
		.type = f->type,
		.type_number = (uint16_t)f->type_number,
		.ttl = (uint32_t)f->ttl,
		.setid = f->setid,
		.hcid = f->hcid,
		.multivalue = json_is_true(f->mva) || f->policy != NULL,
		.count = json_array_size(f->records),
		.value = record_value,
		.src = f->records,
	};

	if (batch_compile(&in, ctx->rdbuf, ctx->out, ctx->batch, rr) != 0)
		ctx->nomem = 1;
}

void batch_parse_change(struct batch_ctx *ctx, json_t *c, size_t i, struct mv_change *ch)
{
	static const char *const required[] = {"Action", "ResourceRecordSet", NULL};
	static const enum mv_action action_of[] = {MV_ACTION_CREATE, MV_ACTION_DELETE,
						   MV_ACTION_UPSERT};
	struct batch_fields f = {.type_index = -1, .type_number = -1};
	const struct bpath path = {"ChangeBatch.Changes[%zu]", i, 0};
	int action = -1;
	json_t *rrs;

	if (!want(ctx, c, WANT_OBJECT, &path, NULL))
		return;
	want_fields(ctx, c, &path, required, F_CHANGE);
	f.action = member_str(ctx, c, "Action", &path);
	if (f.action != NULL)
		action = want_enum(ctx, f.action, E_ACTIONS,
				   "changeBatch.changes.%zu.member.action", i + 1);
	rrs = member(ctx, c, "ResourceRecordSet", WANT_OBJECT, &path);
	if (rrs == NULL)
		return;
	parse_rrset(ctx, rrs, i, action == MV_ACTION_UPSERT ? 2 : 1, &f);
	if (ctx->n_input > 0)
		return; /* the answer is InvalidInput: compiling would be wasted */
	ch->action = action_of[action];
	compile(ctx, &f, &ch->rrset);
}

/* ---- the document ---- */

/* The change batch object of the document, after checking what surrounds it. */
static json_t *batch_object(struct batch_ctx *ctx, json_t *root, struct mv_batch *out)
{
	static const char *const request_required[] = {"HostedZoneId", "ChangeBatch", NULL};
	static const char *const batch_required[] = {"Changes", NULL};
	static const struct bpath input = {"input"}, top = {""}, doc = {"ChangeBatch"};
	json_t *batch = root;
	const char *s;

	if (!want(ctx, root, WANT_OBJECT, &doc, NULL))
		return NULL;
	if (json_object_get(root, "ChangeBatch") != NULL) {
		want_fields(ctx, root, &input, request_required, F_REQUEST);
		s = member_str(ctx, root, "HostedZoneId", &top);
		if (s != NULL && want_len(ctx, s, BATCH_ZONEID_MAX, "hostedZoneId", 0, 0))
			out->hosted_zone_id = dup_opt(s, &ctx->nomem);
		batch = json_object_get(root, "ChangeBatch");
		if (!want(ctx, batch, WANT_OBJECT, &doc, NULL))
			return NULL;
	}
	want_fields(ctx, batch, &doc, batch_required, F_BATCH);
	s = member_str(ctx, batch, "Comment", &doc);
	if (s != NULL && want_len(ctx, s, BATCH_COMMENT_MAX, "changeBatch.comment", 0, 0))
		out->comment = dup_opt(s, &ctx->nomem);
	return batch;
}

void batch_parse_document(struct batch_ctx *ctx, json_t *root, struct mv_batch *out)
{
	json_t *batch = batch_object(ctx, root, out);
	json_t *changes = NULL, *c;
	size_t i;

	if (batch != NULL && !ctx->streamed)
		changes = member(ctx, batch, "Changes", WANT_ARRAY,
				 &(const struct bpath){"ChangeBatch"});
	if (changes != NULL && json_array_size(changes) > 0) {
		out->changes = calloc(json_array_size(changes), sizeof(*out->changes));
		ctx->nomem |= out->changes == NULL;
		json_array_foreach(changes, i, c)
		{
			if (ctx->nomem)
				return;
			batch_parse_change(ctx, c, i, &out->changes[out->count++]);
		}
	}
	if ((changes != NULL || (batch != NULL && ctx->streamed)) && out->count == 0)
		batch_input_msg(ctx,
				"Invalid length for parameter ChangeBatch.Changes, value: 0, valid "
				"min length: 1");
	if (ctx->flags & MV_BATCH_NO_LIMITS)
		return;
	if (ctx->records > MV_BATCH_RECORDS_MAX)
		mv_error_add(ctx->batch, "Number of records limit of %d exceeded.",
			     MV_BATCH_RECORDS_MAX);
	if (ctx->chars > MV_BATCH_CHARS_MAX)
		mv_error_add(ctx->batch, "RDATA character limit of %d exceeded.",
			     MV_BATCH_CHARS_MAX);
}
