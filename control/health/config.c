/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HealthCheckConfig: Route 53's validation rules and its JSON mapping. See
 * config.h for where each message's wording comes from.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config.h"

#define AT        "healthCheckConfig."
#define INVALID   "Invalid parameter : "
#define QUOTE_MAX 64
#define TYPES_ENUM                                                         \
	"[HTTP, HTTPS, HTTP_STR_MATCH, HTTPS_STR_MATCH, TCP, CALCULATED, " \
	"CLOUDWATCH_METRIC, RECOVERY_CONTROL, EXTERNAL]"
#define MEMBERS                                                                         \
	"IPAddress, Port, Type, ResourcePath, FullyQualifiedDomainName, SearchString, " \
	"RequestInterval, FailureThreshold, MeasureLatency, Inverted, Disabled, "       \
	"HealthThreshold, ChildHealthChecks, EnableSNI, Regions, AlarmIdentifier, "     \
	"InsufficientDataHealthStatus, RoutingControlArn"

static const char *const type_names[] = {
	[MV_CHECK_HTTP] = "HTTP",
	[MV_CHECK_HTTPS] = "HTTPS",
	[MV_CHECK_HTTP_STR_MATCH] = "HTTP_STR_MATCH",
	[MV_CHECK_HTTPS_STR_MATCH] = "HTTPS_STR_MATCH",
	[MV_CHECK_TCP] = "TCP",
	[MV_CHECK_EXTERNAL] = "EXTERNAL",
};
#define TYPE_COUNT (sizeof(type_names) / sizeof(type_names[0]))

/* Route 53 members that mvdns does not implement: refused by name. */
static const char *const unsupported_members[] = {
	"HealthThreshold",
	"ChildHealthChecks",
	"Regions",
	"AlarmIdentifier",
	"InsufficientDataHealthStatus",
	"RoutingControlArn",
};

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* At most QUOTE_MAX bytes of s, then "..." if cut. */
static void quote(const char *s, size_t len, char out[QUOTE_MAX + 4])
{
	size_t n = len < QUOTE_MAX ? len : QUOTE_MAX;

	memcpy(out, s, n);
	strcpy(out + n, len > QUOTE_MAX ? "..." : "");
}

static int too_long(char *err, size_t errlen, const char *s, size_t len, const char *member,
		    size_t max)
{
	char q[QUOTE_MAX + 4];

	quote(s, len, q);
	return fail(err, errlen,
		    "Value '%s' at '" AT "%s' failed to satisfy constraint: Member must have "
		    "length less than or equal to %zu",
		    q, member, max);
}

static int out_of_range(char *err, size_t errlen, long long v, const char *member, long long min,
			long long max)
{
	return fail(err, errlen,
		    "Value '%lld' at '" AT "%s' failed to satisfy constraint: Member must have "
		    "value %s than or equal to %lld",
		    v, member, v < min ? "greater" : "less", v < min ? min : max);
}

void mv_check_config_init(struct mv_check_config *c, enum mv_check_type type)
{
	memset(c, 0, sizeof(*c));
	c->type = type;
	c->request_interval = MV_CHECK_DEFAULT_INTERVAL;
	c->failure_threshold = MV_CHECK_DEFAULT_THRESHOLD;
}

const char *mv_check_type_name(enum mv_check_type type)
{
	return (unsigned)type < TYPE_COUNT ? type_names[type] : "?";
}

int mv_check_type_parse(const char *name, enum mv_check_type *type)
{
	for (size_t i = 0; i < TYPE_COUNT; i++) {
		if (strcmp(name, type_names[i]) == 0) {
			*type = (enum mv_check_type)i;
			return 0;
		}
	}
	return -EINVAL;
}

bool mv_check_type_is_str_match(enum mv_check_type type)
{
	return type == MV_CHECK_HTTP_STR_MATCH || type == MV_CHECK_HTTPS_STR_MATCH;
}

uint16_t mv_check_config_port(const struct mv_check_config *c)
{
	if (c->port != 0)
		return c->port;
	if (c->type == MV_CHECK_HTTPS || c->type == MV_CHECK_HTTPS_STR_MATCH)
		return MV_CHECK_PORT_HTTPS;
	return c->type == MV_CHECK_EXTERNAL ? 0 : MV_CHECK_PORT_HTTP;
}

static bool ip_valid(const char *ip)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, ip, buf) == 1 || inet_pton(AF_INET6, ip, buf) == 1;
}

/* Each string member NUL-terminated within its array. */
static int check_lengths(const struct mv_check_config *c, char *err, size_t errlen)
{
	const struct {
		const char *s;
		size_t size;
		const char *member;
	} f[] = {
		{c->ip, sizeof(c->ip), "iPAddress"},
		{c->fqdn, sizeof(c->fqdn), "fullyQualifiedDomainName"},
		{c->resource_path, sizeof(c->resource_path), "resourcePath"},
		{c->search_string, sizeof(c->search_string), "searchString"},
	};

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		size_t len = strnlen(f[i].s, f[i].size);

		if (len == f[i].size)
			return too_long(err, errlen, f[i].s, len, f[i].member, f[i].size - 1);
	}
	return 0;
}

static int check_endpoint(const struct mv_check_config *c, char *err, size_t errlen)
{
	const char *type = mv_check_type_name(c->type);

	if (c->type == MV_CHECK_EXTERNAL) {
		if (c->ip[0] || c->fqdn[0] || c->port || c->resource_path[0] || c->search_string[0])
			return fail(err, errlen,
				    INVALID "EXTERNAL health checks must not have IPAddress, "
					    "FullyQualifiedDomainName, Port, ResourcePath or "
					    "SearchString specified.");
		return 0;
	}
	if (!c->ip[0] && !c->fqdn[0])
		return fail(err, errlen,
			    INVALID "%s health checks must have either IPAddress or "
				    "FullyQualifiedDomainName specified.",
			    type);
	if (c->ip[0] && !ip_valid(c->ip))
		return fail(err, errlen,
			    INVALID "IPAddress '%s' is not a valid IPv4 or IPv6 address.", c->ip);
	if (c->type == MV_CHECK_TCP && c->ip[0] && c->fqdn[0])
		return fail(err, errlen,
			    "TCP health checks that have IP address must not have a fully "
			    "qualified domain name specified.");
	if (c->type == MV_CHECK_TCP && c->port == 0)
		return fail(err, errlen, INVALID "Port is required for TCP health checks.");
	if (mv_check_type_is_str_match(c->type) && !c->search_string[0])
		return fail(err, errlen, INVALID "SearchString is required for %s health checks.",
			    type);
	if (!mv_check_type_is_str_match(c->type) && c->search_string[0])
		return fail(err, errlen,
			    INVALID "SearchString is only allowed for HTTP_STR_MATCH and "
				    "HTTPS_STR_MATCH health checks.");
	return 0;
}

int mv_check_config_validate(const struct mv_check_config *c, char *err, size_t errlen)
{
	int rc;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if ((unsigned)c->type >= TYPE_COUNT)
		return fail(err, errlen,
			    "Value '%d' at '" AT "type' failed to satisfy constraint: Member must "
			    "satisfy enum value set: " TYPES_ENUM,
			    (int)c->type);
	rc = check_lengths(c, err, errlen);
	if (rc == 0)
		rc = check_endpoint(c, err, errlen);
	if (rc != 0)
		return rc;
	if (c->request_interval < 10 || c->request_interval > 30)
		return out_of_range(err, errlen, c->request_interval, "requestInterval", 10, 30);
	if (c->request_interval != 10 && c->request_interval != 30)
		return fail(err, errlen, INVALID "RequestInterval must be either 10 or 30.");
	if (c->failure_threshold < 1 || c->failure_threshold > 10)
		return out_of_range(err, errlen, c->failure_threshold, "failureThreshold", 1, 10);
	return 0;
}

/* ---- JSON ---------------------------------------------------------------- */

static const char *json_kind(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "object";
	case JSON_ARRAY:
		return "list";
	case JSON_STRING:
		return "string";
	case JSON_INTEGER:
		return "integer";
	case JSON_REAL:
		return "float";
	case JSON_TRUE:
	case JSON_FALSE:
		return "boolean";
	default:
		return "null";
	}
}

static int bad_type(char *err, size_t errlen, const char *key, const json_t *v, const char *want)
{
	return fail(err, errlen,
		    "Invalid type for parameter HealthCheckConfig.%s, value type: %s, valid "
		    "types: %s",
		    key, json_kind(v), want);
}

/* A string member into dst (size bytes with the NUL); absent leaves dst "". */
static int get_str(const json_t *obj, const char *key, const char *member, char *dst, size_t size,
		   char *err, size_t errlen)
{
	const json_t *v = json_object_get(obj, key);
	size_t len;

	if (v == NULL)
		return 0;
	if (!json_is_string(v))
		return bad_type(err, errlen, key, v, "string");
	len = json_string_length(v);
	if (len >= size || memchr(json_string_value(v), '\0', len) != NULL)
		return too_long(err, errlen, json_string_value(v), len, member, size - 1);
	memcpy(dst, json_string_value(v), len + 1);
	return 0;
}

/* An integer member within [min, max]; absent leaves *dst. */
static int get_int(const json_t *obj, const char *key, const char *member, long long min,
		   long long max, unsigned *dst, char *err, size_t errlen)
{
	const json_t *v = json_object_get(obj, key);

	if (v == NULL)
		return 0;
	if (!json_is_integer(v))
		return bad_type(err, errlen, key, v, "integer");
	if (json_integer_value(v) < min || json_integer_value(v) > max)
		return out_of_range(err, errlen, json_integer_value(v), member, min, max);
	*dst = (unsigned)json_integer_value(v);
	return 0;
}

static int get_bool(const json_t *obj, const char *key, bool *dst, char *err, size_t errlen)
{
	const json_t *v = json_object_get(obj, key);

	if (v == NULL)
		return 0;
	if (!json_is_boolean(v))
		return bad_type(err, errlen, key, v, "boolean");
	*dst = json_is_true(v);
	return 0;
}

/* Every member known, supported and of the right Type. */
static int check_members(const json_t *obj, enum mv_check_type *type, char *err, size_t errlen)
{
	static const char *const known[] = {
		"IPAddress",
		"Port",
		"Type",
		"ResourcePath",
		"FullyQualifiedDomainName",
		"SearchString",
		"RequestInterval",
		"FailureThreshold",
		"MeasureLatency",
		"Inverted",
		"Disabled",
		"EnableSNI",
	};
	const json_t *t;
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)obj, key, v)
	{
		bool ok = false;

		for (size_t i = 0; i < sizeof(unsupported_members) / sizeof(char *); i++)
			if (strcmp(key, unsupported_members[i]) == 0)
				return fail(err, errlen,
					    INVALID "mvdns does not support %s in health checks.",
					    key);
		for (size_t i = 0; i < sizeof(known) / sizeof(known[0]) && !ok; i++)
			ok = strcmp(key, known[i]) == 0;
		if (!ok)
			return fail(err, errlen,
				    "Unknown parameter in HealthCheckConfig: \"%s\", must be one "
				    "of: " MEMBERS,
				    key);
	}
	t = json_object_get(obj, "Type");
	if (t == NULL)
		return fail(err, errlen,
			    "Missing required parameter in HealthCheckConfig: \"Type\"");
	if (!json_is_string(t))
		return bad_type(err, errlen, "Type", t, "string");
	if (mv_check_type_parse(json_string_value(t), type) == 0)
		return 0;
	key = json_string_value(t);
	if (strcmp(key, "CALCULATED") == 0 || strcmp(key, "CLOUDWATCH_METRIC") == 0 ||
	    strcmp(key, "RECOVERY_CONTROL") == 0)
		return fail(err, errlen, INVALID "mvdns does not support %s health checks.", key);
	char q[QUOTE_MAX + 4];
	quote(key, strlen(key), q);
	return fail(err, errlen,
		    "Value '%s' at '" AT "type' failed to satisfy constraint: Member must satisfy "
		    "enum value set: " TYPES_ENUM,
		    q);
}

int mv_check_config_from_json(const json_t *obj, struct mv_check_config *out, char *err,
			      size_t errlen)
{
	struct mv_check_config c;
	enum mv_check_type type;
	unsigned port = 0;
	bool ignored;
	int rc;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (!json_is_object(obj))
		return fail(err, errlen,
			    "Invalid type for parameter HealthCheckConfig, value type: %s, valid "
			    "types: object",
			    obj == NULL ? "null" : json_kind(obj));
	rc = check_members(obj, &type, err, errlen);
	if (rc != 0)
		return rc;
	mv_check_config_init(&c, type);
	if ((rc = get_str(obj, "IPAddress", "iPAddress", c.ip, sizeof(c.ip), err, errlen)) ||
	    (rc = get_str(obj, "FullyQualifiedDomainName", "fullyQualifiedDomainName", c.fqdn,
			  sizeof(c.fqdn), err, errlen)) ||
	    (rc = get_str(obj, "ResourcePath", "resourcePath", c.resource_path,
			  sizeof(c.resource_path), err, errlen)) ||
	    (rc = get_str(obj, "SearchString", "searchString", c.search_string,
			  sizeof(c.search_string), err, errlen)) ||
	    (rc = get_int(obj, "Port", "port", 1, 65535, &port, err, errlen)) ||
	    (rc = get_int(obj, "RequestInterval", "requestInterval", 10, 30, &c.request_interval,
			  err, errlen)) ||
	    (rc = get_int(obj, "FailureThreshold", "failureThreshold", 1, 10, &c.failure_threshold,
			  err, errlen)) ||
	    (rc = get_bool(obj, "Inverted", &c.inverted, err, errlen)) ||
	    (rc = get_bool(obj, "Disabled", &c.disabled, err, errlen)) ||
	    (rc = get_bool(obj, "MeasureLatency", &ignored, err, errlen)) ||
	    (rc = get_bool(obj, "EnableSNI", &ignored, err, errlen)))
		return rc;
	c.port = (uint16_t)port;
	if (c.port == 0 && type != MV_CHECK_TCP)
		c.port = mv_check_config_port(&c);
	rc = mv_check_config_validate(&c, err, errlen);
	if (rc == 0)
		*out = c;
	return rc;
}

static int set_new(json_t *obj, const char *key, json_t *v)
{
	return v == NULL ? -1 : json_object_set_new(obj, key, v);
}

json_t *mv_check_config_to_json(const struct mv_check_config *c)
{
	json_t *obj = json_object();
	int bad;

	if (obj == NULL)
		goto nomem;
	bad = set_new(obj, "Type", json_string(mv_check_type_name(c->type)));
	if (c->ip[0])
		bad |= set_new(obj, "IPAddress", json_string(c->ip));
	if (c->type != MV_CHECK_EXTERNAL)
		bad |= set_new(obj, "Port", json_integer(mv_check_config_port(c)));
	if (c->resource_path[0])
		bad |= set_new(obj, "ResourcePath", json_string(c->resource_path));
	if (c->fqdn[0])
		bad |= set_new(obj, "FullyQualifiedDomainName", json_string(c->fqdn));
	if (c->search_string[0])
		bad |= set_new(obj, "SearchString", json_string(c->search_string));
	bad |= set_new(obj, "RequestInterval", json_integer(c->request_interval));
	bad |= set_new(obj, "FailureThreshold", json_integer(c->failure_threshold));
	bad |= set_new(obj, "MeasureLatency", json_false());
	bad |= set_new(obj, "Inverted", json_boolean(c->inverted));
	bad |= set_new(obj, "Disabled", json_boolean(c->disabled));
	if (bad == 0)
		return obj;
	json_decref(obj);
nomem:
	errno = ENOMEM;
	return NULL;
}
