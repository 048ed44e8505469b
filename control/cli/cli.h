/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mvdnsctl's command table and its operator-facing messages: one entry per
 * verb (AWS CLI name, Route 53 action, options), the help texts and the AWS
 * CLI's usage and parameter error formats. Single-threaded.
 */
#ifndef CLI_CLI_H
#define CLI_CLI_H

#include <stdio.h>

/* Exit codes, as the AWS CLI v2 uses them. */
enum cli_rc {
	CLI_RC_OK = 0,
	CLI_RC_USAGE = 252,   /* bad command line or parameter value */
	CLI_RC_SERVICE = 254, /* the daemon answered with an error */
	CLI_RC_FAILURE = 255, /* daemon unreachable, bad response, --wait timed out */
};

enum cli_opt_kind {
	CLI_OPT_STRING,  /* one value, sent as a JSON string (file:// loads it) */
	CLI_OPT_INT,     /* one value, sent as a JSON integer */
	CLI_OPT_BOOL,    /* --name / --no-name, sent as true / false */
	CLI_OPT_LIST,    /* one or more values, sent as an array of strings */
	CLI_OPT_STRUCT,  /* JSON, file://, or shorthand Key=Value,Key=Value */
	CLI_OPT_FLAG,    /* the CLI's own switch (no member) */
	CLI_OPT_SECONDS, /* the CLI's own duration in seconds (no member) */
};

/* What the CLI's own options (those without a member) set. */
enum cli_local {
	CLI_LOCAL_NONE,
	CLI_LOCAL_WAIT,           /* --wait */
	CLI_LOCAL_WAIT_TIMEOUT,   /* --wait-timeout SECONDS */
	CLI_LOCAL_MAX_ITEMS,      /* --max-items N: items in all, across pages */
	CLI_LOCAL_STARTING_TOKEN, /* --starting-token: a NextToken printed before */
};

#define CLI_OPT_REQUIRED 0x1u /* must be given, on the command line or in --cli-input-json */
#define CLI_OPT_R53_ID   0x2u /* Route 53 resource ID: "/hostedzone/Z1" is sent as "Z1" */

struct cli_opt {
	const char *name;   /* "--hosted-zone-id" */
	const char *member; /* "HostedZoneId" in Params; NULL for the CLI's own options */
	enum cli_opt_kind kind;
	unsigned flags;      /* CLI_OPT_* */
	const char *choices; /* "Healthy|Unhealthy": the values accepted, or NULL for any */
	const char *help;
	enum cli_local local; /* for options without a member */
};

/*
 * How the AWS CLI pages a list operation (botocore's paginator for Route 53):
 * while the response says IsTruncated, send its output tokens back as the
 * input tokens; the pages' result_key lists are joined. MaxItems is the page
 * size the daemon honours.
 */
#define CLI_PAGING_TOKENS 3
struct cli_paging {
	const char *result_key;                /* "ResourceRecordSets"; NULL: not paginated */
	const char *input[CLI_PAGING_TOKENS];  /* "StartRecordName", ... (NULL-terminated) */
	const char *output[CLI_PAGING_TOKENS]; /* "NextRecordName", ... */
};

#define CLI_VERB_OPTS_MAX 20

struct cli_verb {
	const char *name;      /* "change-resource-record-sets" */
	const char *operation; /* "ChangeResourceRecordSets" */
	struct cli_paging paging;
	const char *summary;
	struct cli_opt opts[CLI_VERB_OPTS_MAX]; /* up to the first entry without a name */
};

/* The verb called `name`, or NULL. */
const struct cli_verb *cli_verb_find(const char *name);

/* The verb names in two columns, as the AWS CLI lists valid choices. */
void cli_verb_choices(FILE *f);

/* The operator's help: the verbs and the global options (`mvdnsctl help`). */
void cli_help(FILE *f);

/* One verb's help: synopsis and options (`mvdnsctl VERB help`). */
void cli_verb_help(FILE *f, const struct cli_verb *verb);

/*
 * Print the AWS CLI's usage banner and "mvdnsctl: error: <message>" to stderr.
 * Returns CLI_RC_USAGE, for `return cli_usage_error(...)`.
 */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Print "\nError parsing parameter '<option>': <message>" to stderr, as the AWS
 * CLI reports a value it cannot read. Returns CLI_RC_USAGE.
 */
int cli_param_error(const char *option, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif /* CLI_CLI_H */
