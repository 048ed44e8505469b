/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mvdnsctl: the AWS CLI's `aws route53` verbs and options against mvdns-control.
 * Global options, one round trip per verb (control/api.h), the AWS CLI's
 * error forms and exit codes, and the --wait extension.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "api.h"
#include "cli.h"
#include "client.h"
#include "output.h"
#include "pager.h"
#include "params.h"
#include "query.h"

#ifndef MVDNS_CLI_VERSION
#define MVDNS_CLI_VERSION "0"
#endif

#define CLI_WAIT_POLL_NS (10 * 1000 * 1000) /* --wait polls GetChange every 10 ms */

struct cli_globals {
	const char *socket;
	enum cli_output_format output;
	struct cli_query *query; /* --query, or NULL */
	int read_timeout_ms;
	bool debug;
	bool help;
};

/* Report a failed round trip on stderr. Returns the exit code. */
static int cli_report_transport(const struct cli_globals *g, enum cli_client_stage stage, int err)
{
	static const char *const steps[] = {
		[CLI_CLIENT_CONNECT] = "connecting",
		[CLI_CLIENT_SEND] = "sending the request",
		[CLI_CLIENT_RECEIVE] = "reading the response",
	};

	if (stage == CLI_CLIENT_CONNECT && err != -ETIMEDOUT)
		fprintf(stderr,
			"\nCould not connect to mvdns-control on \"%s\": %s\n"
			"Is mvdns-control running? --socket PATH or MVDNS_CONTROL_SOCKET selects "
			"another socket.\n",
			g->socket, err == -ENAMETOOLONG ? "socket path too long" : strerror(-err));
	else if (err == -ETIMEDOUT)
		fprintf(stderr,
			"\nRead timeout on mvdns-control's socket \"%s\": no response within %d "
			"s\n",
			g->socket, g->read_timeout_ms / 1000);
	else if (err == -ECONNRESET && stage == CLI_CLIENT_RECEIVE)
		fprintf(stderr,
			"\nmvdns-control closed the connection on \"%s\" without answering\n",
			g->socket);
	else if (err == -EMSGSIZE)
		fprintf(stderr, "\nmvdns-control's response on \"%s\" is longer than %u bytes\n",
			g->socket, MV_CONTROL_LINE_MAX);
	else
		fprintf(stderr, "\nConnection to mvdns-control on \"%s\" failed while %s: %s\n",
			g->socket, steps[stage], strerror(-err));
	return CLI_RC_FAILURE;
}

/*
 * One request/response round trip for `operation`.
 * Out: *result (a new reference to the Result) on success.
 * Returns CLI_RC_OK, CLI_RC_SERVICE (the daemon's error printed as the AWS
 * CLI prints it), CLI_RC_USAGE (request too long) or CLI_RC_FAILURE.
 */
static int cli_call(const struct cli_globals *g, const char *operation, json_t *params,
		    json_t **result)
{
	json_t *req = json_pack("{s:s, s:O}", "Operation", operation, "Params", params),
	       *resp = NULL;
	char *line = req != NULL ? json_dumps(req, JSON_COMPACT) : NULL, *answer = NULL;
	enum cli_client_stage stage;
	size_t len = 0, answer_len = 0;
	json_t *err, *res;
	json_error_t jerr;
	int rc;

	json_decref(req);
	if (line == NULL) {
		fprintf(stderr, "\nmvdnsctl: out of memory\n");
		return CLI_RC_FAILURE;
	}
	len = strlen(line);
	if (g->debug)
		fprintf(stderr, "mvdnsctl: request on %s: %s\n", g->socket, line);
	if (len > MV_CONTROL_LINE_MAX) {
		fprintf(stderr, "\nThe request is %zu bytes, more than the control API's %u\n", len,
			MV_CONTROL_LINE_MAX);
		free(line);
		return CLI_RC_USAGE;
	}
	rc = cli_client_call(g->socket, line, len, g->read_timeout_ms, &answer, &answer_len,
			     &stage);
	free(line);
	if (rc < 0)
		return cli_report_transport(g, stage, rc);
	if (g->debug)
		fprintf(stderr, "mvdnsctl: response: %s\n", answer);
	resp = json_loadb(answer, answer_len, 0, &jerr);
	err = json_object_get(resp, "Error");
	res = json_object_get(resp, "Result");
	if (json_is_object(err)) {
		const char *code = json_string_value(json_object_get(err, "Code"));
		const char *msg = json_string_value(json_object_get(err, "Message"));

		fprintf(stderr, "\nAn error occurred (%s) when calling the %s operation: %s\n",
			code != NULL ? code : "Unknown", operation, msg != NULL ? msg : "Unknown");
		rc = CLI_RC_SERVICE;
	} else if (res != NULL) {
		*result = json_incref(res);
		rc = CLI_RC_OK;
	} else {
		fprintf(stderr,
			"\nInvalid response from mvdns-control on \"%s\" to %s: %s\n%.200s\n",
			g->socket, operation,
			resp == NULL ? jerr.text : "neither \"Result\" nor \"Error\"", answer);
		rc = CLI_RC_FAILURE;
	}
	json_decref(resp);
	free(answer);
	return rc;
}

/* cli_call as a cli_call_fn, for the pager. */
static int cli_call_ctx(void *ctx, const char *operation, json_t *params, json_t **result)
{
	return cli_call(ctx, operation, params, result);
}

static double cli_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Print a Result in the chosen format. Returns the exit code. */
static int cli_print(const struct cli_globals *g, const struct cli_verb *verb, json_t *result)
{
	/* With --query the result is what it selects; text pages only whole results. */
	char err[1024];
	json_t *shown = g->query != NULL ? cli_query_apply(g->query, result, err, sizeof(err))
					 : json_incref(result);
	int rc;

	if (shown == NULL) {
		/* As the AWS CLI reports an error jmespath.py raises while it searches
		 * (an unknown function, a bad argument): the message alone, exit 255. */
		fprintf(stderr, "\n%s\n", err);
		return CLI_RC_FAILURE;
	}
	rc = cli_output_print(stdout, g->output, verb->operation,
			      g->query != NULL ? NULL : verb->paging.result_key, shown);
	json_decref(shown);
	if (rc < 0) {
		fprintf(stderr, "\nmvdnsctl: out of memory while printing the result\n");
		return CLI_RC_FAILURE;
	}
	return CLI_RC_OK;
}

/*
 * --wait: poll GetChange for the change in `first` (a ChangeResourceRecordSets
 * Result) until it is INSYNC, then print that ChangeInfo. On timeout, print
 * `first` and say so on stderr. Returns the exit code.
 */
static int cli_wait(const struct cli_globals *g, const struct cli_verb *verb, json_t *first,
		    double timeout)
{
	const char *id =
		json_string_value(json_object_get(json_object_get(first, "ChangeInfo"), "Id"));
	struct timespec poll = {.tv_sec = 0, .tv_nsec = CLI_WAIT_POLL_NS};
	double deadline = cli_now() + timeout;
	json_t *cur = json_incref(first), *params;
	const char *status;
	int rc = CLI_RC_OK;

	if (id == NULL) {
		fprintf(stderr,
			"\nmvdnsctl: --wait: the response has no ChangeInfo.Id to wait for\n");
		cli_print(g, verb, first);
		json_decref(cur);
		return CLI_RC_FAILURE;
	}
	if (strrchr(id, '/') != NULL)
		id = strrchr(id, '/') + 1;
	params = json_pack("{s:s}", "Id", id);
	for (;;) {
		json_t *next = NULL;

		status = json_string_value(
			json_object_get(json_object_get(cur, "ChangeInfo"), "Status"));
		if (status != NULL && strcmp(status, "INSYNC") == 0) {
			rc = cli_print(g, verb, cur);
			break;
		}
		if (cli_now() >= deadline) {
			cli_print(g, verb, first);
			fflush(stdout);
			fprintf(stderr,
				"\nWaiter ResourceRecordSetsChanged failed: change %s is still %s "
				"after "
				"%g seconds (--wait-timeout); check it with: mvdnsctl get-change "
				"--id %s\n",
				id, status != NULL ? status : "without a status", timeout, id);
			rc = CLI_RC_FAILURE;
			break;
		}
		nanosleep(&poll, NULL);
		rc = cli_call(g, "GetChange", params, &next);
		if (rc != CLI_RC_OK)
			break;
		json_decref(cur);
		cur = next;
	}
	json_decref(params);
	json_decref(cur);
	return rc;
}

/*
 * Take the global options out of argv (they may stand anywhere, as with the
 * AWS CLI); what is left goes to rest[0..*nrest). Returns -1 to go on, or an
 * exit code (--version, a bad global option).
 */
static int cli_globals_parse(int argc, char **argv, struct cli_globals *g, char **rest, int *nrest)
{
	const char *env = getenv("MVDNS_CONTROL_SOCKET");

	g->socket = env != NULL && env[0] != '\0' ? env : MV_CONTROL_SOCKET;
	g->output = CLI_OUTPUT_JSON;
	g->read_timeout_ms = 60 * 1000;
	*nrest = 0;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *eq = strchr(arg, '='), *value = NULL;
		size_t len = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
		bool takes = (len == 8 && strncmp(arg, "--socket", 8) == 0) ||
			     (len == 8 && strncmp(arg, "--output", 8) == 0) ||
			     (len == 7 && strncmp(arg, "--query", 7) == 0) ||
			     (len == 18 && strncmp(arg, "--cli-read-timeout", 18) == 0);

		if (strcmp(arg, "--version") == 0) {
			printf("mvdnsctl/%s jansson/%s\n", MVDNS_CLI_VERSION, JANSSON_VERSION);
			return CLI_RC_OK;
		}
		if (strcmp(arg, "--debug") == 0) {
			g->debug = true;
			continue;
		}
		if (strcmp(arg, "--no-cli-pager") == 0 || strcmp(arg, "--no-paginate") == 0 ||
		    strcmp(arg, "--no-verify-ssl") == 0 || strcmp(arg, "--no-sign-request") == 0)
			continue; /* accepted for AWS CLI habits; there is no pager, paging or TLS
				   */
		if ((len == 8 && strncmp(arg, "--region", 8) == 0) ||
		    (len == 9 && strncmp(arg, "--profile", 9) == 0) ||
		    (len == 21 && strncmp(arg, "--cli-connect-timeout", 21) == 0)) {
			/* Scripts written for the AWS CLI pass these; a local socket has no
			 * region, credentials or connection set-up to time: their value is
			 * read and ignored. */
			if (eq == NULL && ++i >= argc)
				return cli_usage_error("argument %s: expected one argument", arg);
			continue;
		}
		if ((strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) && *nrest == 0) {
			g->help = true;
			continue;
		}
		if (!takes) {
			rest[(*nrest)++] = argv[i];
			continue;
		}
		if (eq != NULL)
			value = eq + 1;
		else if (i + 1 < argc)
			value = argv[++i];
		else
			return cli_usage_error("argument %s: expected one argument", arg);
		if (arg[2] == 's') {
			g->socket = value;
		} else if (arg[2] == 'q') {
			char err[128];
			cli_query_free(g->query);
			g->query = cli_query_compile(value, err, sizeof(err));
			if (g->query == NULL) {
				fprintf(stderr,
					"\nBad value for --query %s: Bad jmespath expression: %s\n",
					value, err);
				return CLI_RC_USAGE;
			}
		} else if (arg[2] == 'o') {
			if (cli_output_format_parse(value, &g->output) < 0)
				return cli_usage_error(
					"argument --output: Invalid choice, valid choices "
					"are:\n\njson | table | text");
		} else {
			char *end;
			double s = strtod(value, &end);

			if (end == value || *end != '\0' || !(s >= 0))
				return cli_usage_error(
					"argument --cli-read-timeout: expected a number "
					"of seconds, got '%s'",
					value);
			g->read_timeout_ms =
				s == 0 || s > INT_MAX / 1000 ? INT_MAX : (int)(s * 1000);
		}
	}
	return -1;
}

int main(int argc, char **argv)
{
	struct cli_globals g = {0};
	const struct cli_verb *verb;
	struct cli_request req;
	json_t *result = NULL;
	char **rest = calloc((size_t)argc + 1, sizeof(char *));
	int nrest, rc;

	if (rest == NULL)
		return CLI_RC_FAILURE;
	rc = cli_globals_parse(argc, argv, &g, rest, &nrest);
	if (rc >= 0)
		goto out;
	rc = CLI_RC_OK;
	if (nrest == 0 || strcmp(rest[0], "help") == 0) {
		if (g.help || nrest > 0)
			cli_help(stdout);
		else
			rc = cli_usage_error("the following arguments are required: command");
		goto out;
	}
	verb = cli_verb_find(rest[0]);
	if (verb == NULL) {
		rc = cli_usage_error("argument command: Invalid choice, valid choices are:\n");
		cli_verb_choices(stderr);
		goto out;
	}
	if (g.help) {
		cli_verb_help(stdout, verb);
		goto out;
	}
	rc = cli_params_parse(verb, nrest - 1, rest + 1, &req);
	if (rc != CLI_RC_OK)
		goto out;
	if (req.help) {
		cli_verb_help(stdout, verb);
	} else {
		if (verb->paging.result_key != NULL)
			rc = cli_pager_list(verb, req.params, req.max_items, req.starting_token,
					    cli_call_ctx, &g, &result);
		else
			rc = cli_call(&g, verb->operation, req.params, &result);
		if (rc == CLI_RC_OK && req.wait)
			rc = cli_wait(&g, verb, result, req.wait_timeout);
		else if (rc == CLI_RC_OK)
			rc = cli_print(&g, verb, result);
	}
	json_decref(result);
	json_decref(req.params);
out:
	cli_query_free(g.query);
	free(rest);
	if (fflush(stdout) != 0 && rc == CLI_RC_OK)
		rc = CLI_RC_FAILURE;
	return rc;
}
