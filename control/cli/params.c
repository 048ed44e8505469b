/* SPDX-License-Identifier: BSD-3-Clause */
/* A verb's arguments to its Params object, with the AWS CLI's parsing rules and messages. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api.h"
#include "params.h"

/* Shorthand members that are not strings (Route 53's HostedZoneConfig and HealthCheckConfig). */
static const char *const params_bool_members[] = {"PrivateZone", "MeasureLatency", "Inverted",
						  "Disabled",    "EnableSNI",      NULL};
static const char *const params_int_members[] = {"Port", "RequestInterval", "FailureThreshold",
						 "HealthThreshold", NULL};

static bool params_in(const char *const *names, const char *name)
{
	for (; *names != NULL; names++) {
		if (strcmp(*names, name) == 0)
			return true;
	}
	return false;
}

/*
 * If value names a parameter file (file:// or fileb://, "~/" expanded), load it.
 * Out: *text (malloc'd, NUL-terminated; NULL when value is not a parameter file), *len.
 * Returns 0 or CLI_RC_USAGE (message printed).
 */
static int params_paramfile(const char *opt, const char *value, char **text, size_t *len)
{
	const char *path = NULL, *home = getenv("HOME");
	char full[4096];
	size_t cap = 0, n = 0;
	char *buf = NULL;
	FILE *f;

	*text = NULL;
	if (strncmp(value, "file://", 7) == 0)
		path = value + 7;
	else if (strncmp(value, "fileb://", 8) == 0)
		path = value + 8;
	if (path == NULL)
		return 0;
	if (strncmp(path, "~/", 2) == 0 && home != NULL) {
		snprintf(full, sizeof(full), "%s%s", home, path + 1);
		path = full;
	}
	f = fopen(path, "rb");
	if (f == NULL)
		return cli_param_error(opt, "Unable to load paramfile %s: [Errno %d] %s: '%s'",
				       value, errno, strerror(errno), path);
	for (;;) {
		size_t got;

		if (cap - n < 65536) {
			char *grown = n > MV_CONTROL_LINE_MAX ? NULL
							      : realloc(buf, cap = cap * 2 + 65536);

			if (grown == NULL) {
				free(buf);
				fclose(f);
				return cli_param_error(
					opt, "Unable to load paramfile %s: larger than %u bytes",
					value, MV_CONTROL_LINE_MAX);
			}
			buf = grown;
		}
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		int err = errno;

		free(buf);
		fclose(f);
		return cli_param_error(opt, "Unable to load paramfile %s: [Errno %d] %s: '%s'",
				       value, err, strerror(err), path);
	}
	fclose(f);
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return 0;
}

/* Parse JSON text for option opt. Out: *out. Returns 0 or CLI_RC_USAGE (message printed). */
static int params_json(const char *opt, const char *text, size_t len, json_t **out)
{
	json_error_t jerr;

	*out = json_loadb(text, len, JSON_DECODE_ANY, &jerr);
	if (*out != NULL)
		return 0;
	return cli_param_error(opt,
			       "Invalid JSON: %s: line %d column %d (char %d)\nJSON received: %.*s",
			       jerr.text, jerr.line, jerr.column, jerr.position, (int)len, text);
}

/* The shorthand parser's error: what it expected at s[pos] and what it found. */
static int params_shorthand_error(const char *opt, const char *s, size_t pos, const char *expected)
{
	char got[8];

	if (s[pos] == '\0')
		snprintf(got, sizeof(got), "EOF");
	else
		snprintf(got, sizeof(got), "%c", s[pos]);
	return cli_param_error(opt, "Expected: '%s', received: '%s' for input:\n%s\n%*s^", expected,
			       got, s, (int)pos, "");
}

/* One shorthand scalar at s[*pos]: 'quoted', "quoted", or bare up to one of `stops`. NULL on
 * ENOMEM. */
static char *params_shorthand_scalar(const char *s, size_t *pos, const char *stops, bool *unclosed)
{
	char quote = s[*pos];
	size_t start, end;

	*unclosed = false;
	if (quote == '"' || quote == '\'') {
		char *out = malloc(strlen(s) + 1), *o = out;

		for (start = *pos + 1; out != NULL && s[start] != quote; start++) {
			if (s[start] == '\0') {
				*unclosed = true;
				*pos = start;
				return out;
			}
			if (s[start] == '\\' && s[start + 1] == quote)
				start++;
			*o++ = s[start];
		}
		if (out != NULL)
			*o = '\0';
		*pos = start + 1;
		return out;
	}
	start = *pos;
	end = start + strcspn(s + start, stops);
	*pos = end;
	while (end > start && s[end - 1] == ' ')
		end--;
	return strndup(s + start, end - start);
}

/* A shorthand value converted to the member's type. Returns NULL (message printed) if it is not
 * one. */
static json_t *params_typed(const char *parent, const char *member, const char *value)
{
	char *end;
	long long n;

	if (params_in(params_bool_members, member)) {
		if (strcasecmp(value, "true") == 0 || strcasecmp(value, "false") == 0)
			return json_boolean(strcasecmp(value, "true") == 0);
		fprintf(stderr,
			"\nParameter validation failed:\nInvalid type for parameter %s.%s, value: "
			"%s, "
			"type: <class 'str'>, valid types: <class 'bool'>\n",
			parent, member, value);
		return NULL;
	}
	if (params_in(params_int_members, member)) {
		errno = 0;
		n = strtoll(value, &end, 10);
		if (errno == 0 && end != value && *end == '\0')
			return json_integer(n);
		fprintf(stderr,
			"\nParameter validation failed:\nInvalid type for parameter %s.%s, value: "
			"%s, "
			"type: <class 'str'>, valid types: <class 'int'>\n",
			parent, member, value);
		return NULL;
	}
	return json_string(value);
}

/*
 * Shorthand syntax: Key=Value,Key=Value with 'quoted' or "quoted" values and
 * [a,b] lists. Out: *out (an object). Returns 0 or CLI_RC_USAGE (message printed).
 */
static int params_shorthand(const char *opt, const char *parent, const char *s, json_t **out)
{
	json_t *obj = json_object(), *value = NULL;
	size_t pos = 0;
	bool unclosed;
	int rc = CLI_RC_USAGE;

	while (obj != NULL) {
		size_t klen = strcspn(s + pos, "=,[]");
		char *key = strndup(s + pos, klen), *scalar;

		pos += klen;
		if (key == NULL || klen == 0 || s[pos] != '=') {
			free(key);
			params_shorthand_error(opt, s, pos, "=");
			goto fail;
		}
		pos++;
		if (s[pos] == '[') {
			value = json_array();
			for (pos++; value != NULL && s[pos] != ']';) {
				scalar = params_shorthand_scalar(s, &pos, ",]", &unclosed);
				if (scalar == NULL || unclosed ||
				    json_array_append_new(value, json_string(scalar))) {
					free(scalar);
					free(key);
					params_shorthand_error(opt, s, pos,
							       unclosed ? "quote" : "]");
					goto fail;
				}
				free(scalar);
				if (s[pos] == ',')
					pos++;
				else if (s[pos] != ']')
					break;
			}
			if (s[pos] != ']') {
				free(key);
				params_shorthand_error(opt, s, pos, "]");
				goto fail;
			}
			pos++;
		} else {
			scalar = params_shorthand_scalar(s, &pos, ",", &unclosed);
			if (scalar == NULL || unclosed) {
				free(scalar);
				free(key);
				params_shorthand_error(opt, s, pos, "quote");
				goto fail;
			}
			value = params_typed(parent, key, scalar);
			free(scalar);
		}
		if (value == NULL || json_object_set_new(obj, key, value) < 0) {
			free(key);
			value = NULL;
			goto fail;
		}
		value = NULL;
		free(key);
		if (s[pos] == '\0') {
			*out = obj;
			return 0;
		}
		if (s[pos] != ',') {
			params_shorthand_error(opt, s, pos, ",");
			goto fail;
		}
		pos++;
	}
fail:
	json_decref(value);
	json_decref(obj);
	return rc;
}

/* Check value against the option's choices ("a|b|c"). Returns 0 or CLI_RC_USAGE (message printed).
 */
static int params_choice(const struct cli_opt *o, const char *value)
{
	char list[256] = "";
	const char *c = o->choices;

	while (c != NULL && *c != '\0') {
		size_t n = strcspn(c, "|");

		if (strlen(value) == n && strncmp(c, value, n) == 0)
			return 0;
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s'%.*s'",
			 list[0] != '\0' ? ", " : "", (int)n, c);
		c += n + (c[n] == '|');
	}
	if (o->choices == NULL)
		return 0;
	return cli_usage_error("argument %s: invalid choice: '%s' (choose from %s)", o->name, value,
			       list);
}

/*
 * Convert one option value (after loading a parameter file) to its JSON form.
 * Out: *out. Returns 0 or CLI_RC_USAGE (message printed); CLI_RC_FAILURE on ENOMEM.
 */
static int params_value(const struct cli_opt *o, const char *value, json_t **out)
{
	size_t len = strlen(value);
	char *file, *end;
	long long n;
	int rc;

	rc = params_paramfile(o->name, value, &file, &len);
	if (rc != 0)
		return rc;
	if (file != NULL)
		value = file;
	*out = NULL;
	rc = CLI_RC_OK;
	switch (o->kind) {
	case CLI_OPT_STRUCT: {
		const char *p = value + strspn(value, " \t\r\n");

		if (*p == '{' || *p == '[')
			rc = params_json(o->name, value, len, out);
		else
			rc = params_shorthand(o->name, o->member, value, out);
		break;
	}
	case CLI_OPT_INT:
		errno = 0;
		n = strtoll(value, &end, 10);
		end += strspn(end, " \t\r\n");
		if (errno != 0 || end == value || *end != '\0')
			rc = cli_param_error(o->name,
					     "invalid literal for int() with base 10: '%s'", value);
		else
			*out = json_integer(n);
		break;
	default:
		rc = params_choice(o, value);
		if (rc == 0)
			*out = json_stringn(value, len);
	}
	free(file);
	if (rc == CLI_RC_OK && *out == NULL) {
		fprintf(stderr, "\nmvdnsctl: out of memory\n");
		rc = CLI_RC_FAILURE;
	}
	return rc;
}

/* A value for one of the CLI's own options. Returns 0 or CLI_RC_USAGE (message printed). */
static int params_local(const struct cli_opt *o, const char *value, struct cli_request *req)
{
	char *end;

	switch (o->local) {
	case CLI_LOCAL_WAIT_TIMEOUT:
		req->wait_timeout = strtod(value, &end);
		if (end == value || *end != '\0' || !(req->wait_timeout >= 0))
			return cli_param_error(o->name, "expected a number of seconds, got '%s'",
					       value);
		return 0;
	case CLI_LOCAL_MAX_ITEMS:
		errno = 0;
		req->max_items = strtoll(value, &end, 10);
		if (errno != 0 || end == value || *end != '\0')
			return cli_param_error(
				o->name, "invalid literal for int() with base 10: '%s'", value);
		if (req->max_items < 1)
			return cli_param_error(o->name, "must be at least 1, got %s", value);
		return 0;
	case CLI_LOCAL_STARTING_TOKEN:
		req->starting_token = value;
		return 0;
	default:
		return 0;
	}
}

/* The verb's option named arg ("--no-X" finds boolean X). Out: *negated. */
static const struct cli_opt *params_find(const struct cli_verb *verb, const char *arg, size_t len,
					 bool *negated)
{
	for (const struct cli_opt *o = verb->opts; o->name != NULL; o++) {
		*negated = false;
		if (strlen(o->name) == len && strncmp(o->name, arg, len) == 0)
			return o;
		*negated = true;
		if (o->kind == CLI_OPT_BOOL && len == strlen(o->name) + 3 &&
		    strncmp(arg, "--no-", 5) == 0 && strncmp(o->name + 2, arg + 5, len - 5) == 0)
			return o;
	}
	return NULL;
}

/* Append arg to the comma-separated list of unknown options. */
static void params_unknown(char *list, size_t cap, const char *arg)
{
	size_t used = strlen(list);

	snprintf(list + used, cap - used, "%s%s", used > 0 ? ", " : "", arg);
}

/* --cli-input-json: Params from one JSON object. Out: *out. Returns 0 or CLI_RC_USAGE. */
static int params_input_json(const char *value, json_t **out)
{
	size_t len = strlen(value);
	char *file;
	int rc;

	rc = params_paramfile("--cli-input-json", value, &file, &len);
	if (rc != 0)
		return rc;
	rc = params_json("--cli-input-json", file != NULL ? file : value, len, out);
	free(file);
	if (rc == 0 && !json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		rc = cli_param_error("--cli-input-json",
				     "Invalid JSON received: not a JSON object");
	}
	return rc;
}

/* Merge --cli-input-json, check required options, reduce Route 53 IDs. */
static int params_finish(const struct cli_verb *verb, struct cli_request *req, json_t *input)
{
	char missing[512] = "";
	const char *key;
	json_t *v;

	json_object_foreach(input, key, v)
	{
		if (json_object_get(req->params, key) == NULL)
			json_object_set(req->params, key, v);
	}
	for (const struct cli_opt *o = verb->opts; o->name != NULL; o++) {
		if (o->member == NULL)
			continue;
		v = json_object_get(req->params, o->member);
		if (v == NULL && (o->flags & CLI_OPT_REQUIRED))
			params_unknown(missing, sizeof(missing), o->name);
		if (v != NULL && json_is_string(v) && (o->flags & CLI_OPT_R53_ID)) {
			const char *slash = strrchr(json_string_value(v), '/');

			if (slash != NULL)
				json_object_set_new(req->params, o->member, json_string(slash + 1));
		}
	}
	if (missing[0] != '\0')
		return cli_usage_error("the following arguments are required: %s", missing);
	return CLI_RC_OK;
}

/*
 * One option of the verb at argv[*i] (`eq`: its "=value" part or NULL), the
 * values it takes consumed by advancing *i. Returns 0 or CLI_RC_USAGE (message printed).
 */
static int params_option(const struct cli_opt *o, bool negated, int argc, char **argv, int *i,
			 const char *eq, struct cli_request *req)
{
	const char *value;
	json_t *json;
	int rc;

	if (o->kind == CLI_OPT_BOOL || o->kind == CLI_OPT_FLAG) {
		if (eq != NULL)
			return cli_usage_error("argument %.*s: ignored explicit argument '%s'",
					       (int)(eq - argv[*i]), argv[*i], eq + 1);
		if (o->local == CLI_LOCAL_WAIT)
			req->wait = true;
		else
			json_object_set_new(req->params, o->member, json_boolean(!negated));
		return 0;
	}
	if (o->kind == CLI_OPT_LIST) {
		json = json_array();
		if (eq != NULL)
			json_array_append_new(json, json_string(eq + 1));
		for (; eq == NULL && *i + 1 < argc && strncmp(argv[*i + 1], "--", 2) != 0; ++*i)
			json_array_append_new(json, json_string(argv[*i + 1]));
		json_object_set_new(req->params, o->member, json);
		if (json_array_size(json) == 0)
			return cli_usage_error("argument %s: expected at least one argument",
					       o->name);
		return 0;
	}
	if (eq == NULL && (*i + 1 >= argc || strncmp(argv[*i + 1], "--", 2) == 0))
		return cli_usage_error("argument %s: expected one argument", o->name);
	value = eq != NULL ? eq + 1 : argv[++*i];
	if (o->member == NULL)
		return params_local(o, value, req);
	rc = params_value(o, value, &json);
	if (rc == CLI_RC_OK)
		json_object_set_new(req->params, o->member, json);
	return rc;
}

int cli_params_parse(const struct cli_verb *verb, int argc, char **argv, struct cli_request *req)
{
	char unknown[512] = "";
	json_t *input = NULL;
	bool timeout_set = false;
	int i, rc = CLI_RC_OK;

	memset(req, 0, sizeof(*req));
	req->wait_timeout = 60;
	req->params = json_object();
	if (req->params == NULL)
		return CLI_RC_FAILURE;
	for (i = 0; i < argc && rc == CLI_RC_OK; i++) {
		const char *arg = argv[i], *eq = strchr(arg, '=');
		size_t len = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
		const struct cli_opt *o;
		bool negated;

		if (strcmp(arg, "help") == 0 || strcmp(arg, "--help") == 0 ||
		    strcmp(arg, "-h") == 0) {
			req->help = true;
		} else if (len == 16 && strncmp(arg, "--cli-input-json", len) == 0) {
			if (eq == NULL && i + 1 >= argc) {
				rc = cli_usage_error(
					"argument --cli-input-json: expected one argument");
				break;
			}
			json_decref(input);
			rc = params_input_json(eq != NULL ? eq + 1 : argv[++i], &input);
		} else if (strncmp(arg, "--", 2) != 0 ||
			   (o = params_find(verb, arg, len, &negated)) == NULL) {
			params_unknown(unknown, sizeof(unknown), arg);
		} else {
			rc = params_option(o, negated, argc, argv, &i, eq, req);
			timeout_set |= o->local == CLI_LOCAL_WAIT_TIMEOUT;
		}
	}
	if (rc == CLI_RC_OK && req->help)
		goto out;
	if (rc == CLI_RC_OK && unknown[0] != '\0')
		rc = cli_usage_error("Unknown options: %s", unknown);
	if (rc == CLI_RC_OK && timeout_set && !req->wait)
		rc = cli_usage_error("argument --wait-timeout: only valid with --wait");
	if (rc == CLI_RC_OK)
		rc = params_finish(verb, req, input);
out:
	json_decref(input);
	if (rc != CLI_RC_OK) {
		json_decref(req->params);
		req->params = NULL;
	}
	return rc;
}
