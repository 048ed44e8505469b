/* SPDX-License-Identifier: BSD-3-Clause */
/* The verb table (AWS CLI names and options, Route 53 actions), help texts and usage errors. */
#include <stdarg.h>
#include <string.h>

#include "api.h"
#include "cli.h"

/* clang-format off: a table reads best aligned by hand. */
/* One option: name, Params member (NULL: the CLI's own), kind, CLI_OPT_* flags, choices, help. */
#define OPT(n, m, k, f, c, h)                                                          \
	{                                                                              \
		.name = n, .member = m, .kind = k, .flags = f, .choices = c, .help = h \
	}
/* The CLI's own option, setting `l` (enum cli_local). */
#define OPT_LOCAL(n, k, l, h)                               \
	{                                                   \
		.name = n, .kind = k, .local = l, .help = h \
	}

#define OPT_ID(n, m, h) OPT(n, m, CLI_OPT_STRING, CLI_OPT_REQUIRED | CLI_OPT_R53_ID, NULL, h)
#define OPT_HC_ID                                                                         \
	OPT("--health-check-id", "HealthCheckId", CLI_OPT_STRING, CLI_OPT_REQUIRED, NULL, \
	    "The ID of the health check.")
#define OPT_CALLER_REF                                                                       \
	OPT("--caller-reference", "CallerReference", CLI_OPT_STRING, CLI_OPT_REQUIRED, NULL, \
	    "A unique string that identifies the request, so that a failed request can be "  \
	    "retried without the risk of running it twice.")
/* The AWS CLI's pagination options of the list verbs. */
#define OPT_PAGING                                                                                \
	OPT_LOCAL("--max-items", CLI_OPT_INT, CLI_LOCAL_MAX_ITEMS,                                \
		  "The total number of items to print; if there are more, a NextToken follows."), \
		OPT_LOCAL("--starting-token", CLI_OPT_STRING, CLI_LOCAL_STARTING_TOKEN,           \
			  "Go on from the NextToken that a --max-items listing printed."),        \
		OPT("--page-size", "MaxItems", CLI_OPT_INT, 0, NULL,                              \
		    "Items per request to mvdns-control (the output is the same).")

static const struct cli_verb cli_verbs[] = {
	{
		.name = "change-resource-record-sets",
		.operation = "ChangeResourceRecordSets",
		.summary = "Creates, changes or deletes resource record sets in a hosted zone, all "
			   "or nothing. Prints ChangeInfo; the change is PENDING until every "
			   "attached dataplane serves it, then INSYNC.",
		.opts =
			{
				OPT_ID("--hosted-zone-id", "HostedZoneId",
				       "The ID of the hosted zone."),
				OPT("--change-batch", "ChangeBatch", CLI_OPT_STRUCT,
				    CLI_OPT_REQUIRED, NULL,
				    "The change batch, inline or file://batch.json: {\"Comment\": "
				    "..., "
				    "\"Changes\": [{\"Action\": \"CREATE|DELETE|UPSERT\", "
				    "\"ResourceRecordSet\": {...}}]}."),
				OPT_LOCAL("--wait", CLI_OPT_FLAG, CLI_LOCAL_WAIT,
					  "mvdns extension: poll GetChange every 10 ms until the "
					  "change is "
					  "INSYNC, then print its ChangeInfo."),
				OPT_LOCAL("--wait-timeout", CLI_OPT_SECONDS, CLI_LOCAL_WAIT_TIMEOUT,
					  "With --wait: give up after this many seconds (default "
					  "60), "
					  "print the PENDING ChangeInfo and exit 255."),
			},
	},
	{
		.name = "create-hosted-zone",
		.operation = "CreateHostedZone",
		.summary = "Creates a public hosted zone with its SOA and NS record sets.",
		.opts =
			{
				OPT("--name", "Name", CLI_OPT_STRING, CLI_OPT_REQUIRED, NULL,
				    "The domain name of the zone, for example example.com."),
				OPT_CALLER_REF,
				OPT("--hosted-zone-config", "HostedZoneConfig", CLI_OPT_STRUCT, 0,
				    NULL,
				    "Comment=string,PrivateZone=boolean, or the same as JSON."),
				OPT("--vpc", "VPC", CLI_OPT_STRUCT, 0, NULL,
				    "VPCRegion=string,VPCId=string (private zones)."),
				OPT("--delegation-set-id", "DelegationSetId", CLI_OPT_STRING,
				    CLI_OPT_R53_ID, NULL, "A reusable delegation set's ID."),
			},
	},
	{
		.name = "delete-hosted-zone",
		.operation = "DeleteHostedZone",
		.summary =
			"Deletes a hosted zone that holds nothing but its SOA and NS record sets.",
		.opts = {OPT_ID("--id", "Id", "The ID of the hosted zone.")},
	},
	{
		.name = "get-hosted-zone",
		.operation = "GetHostedZone",
		.summary = "Gets a hosted zone, its record set count and its name servers.",
		.opts = {OPT_ID("--id", "Id", "The ID of the hosted zone.")},
	},
	{
		.name = "list-hosted-zones",
		.operation = "ListHostedZones",
		.paging = {"HostedZones", {"Marker"}, {"NextMarker"}},
		.summary = "Lists the hosted zones, all of them unless --max-items says otherwise.",
		.opts =
			{
				OPT_PAGING,
				OPT("--delegation-set-id", "DelegationSetId", CLI_OPT_STRING,
				    CLI_OPT_R53_ID, NULL,
				    "Only the zones using this reusable delegation set."),
			},
	},
	{
		.name = "get-change",
		.operation = "GetChange",
		.summary = "Gets a change's status: PENDING until every attached dataplane has "
			   "applied it, then INSYNC.",
		.opts = {OPT_ID("--id", "Id",
				"The change ID that change-resource-record-sets printed.")},
	},
	{
		.name = "list-resource-record-sets",
		.operation = "ListResourceRecordSets",
		.paging = {"ResourceRecordSets",
			   {"StartRecordName", "StartRecordType", "StartRecordIdentifier"},
			   {"NextRecordName", "NextRecordType", "NextRecordIdentifier"}},
		.summary =
			"Lists the resource record sets of a hosted zone in Route 53's order, all "
			"of them unless --max-items says otherwise.",
		.opts =
			{
				OPT_ID("--hosted-zone-id", "HostedZoneId",
				       "The ID of the hosted zone."),
				OPT("--start-record-name", "StartRecordName", CLI_OPT_STRING, 0,
				    NULL,
				    "Start at the first record set whose name is greater than or "
				    "equal "
				    "to this."),
				OPT("--start-record-type", "StartRecordType", CLI_OPT_STRING, 0,
				    NULL, "With --start-record-name: start at this type."),
				OPT("--start-record-identifier", "StartRecordIdentifier",
				    CLI_OPT_STRING, 0, NULL,
				    "With --start-record-type: start at this SetIdentifier."),
				OPT_PAGING,
			},
	},
	{
		.name = "create-health-check",
		.operation = "CreateHealthCheck",
		.summary = "Creates a health check.",
		.opts =
			{
				OPT_CALLER_REF,
				OPT("--health-check-config", "HealthCheckConfig", CLI_OPT_STRUCT,
				    CLI_OPT_REQUIRED, NULL,
				    "The health check: JSON, file://, or shorthand "
				    "Type=HTTP,IPAddress=192.0.2.1,Port=80,ResourcePath=/"
				    "health,..."),
			},
	},
	{
		.name = "get-health-check",
		.operation = "GetHealthCheck",
		.summary = "Gets a health check.",
		.opts = {OPT_HC_ID},
	},
	{
		.name = "list-health-checks",
		.operation = "ListHealthChecks",
		.paging = {"HealthChecks", {"Marker"}, {"NextMarker"}},
		.summary =
			"Lists the health checks, all of them unless --max-items says otherwise.",
		.opts = {OPT_PAGING},
	},
	{
		.name = "update-health-check",
		.operation = "UpdateHealthCheck",
		.summary = "Updates a health check; only the options given change.",
		.opts =
			{
				OPT_HC_ID,
				OPT("--health-check-version", "HealthCheckVersion", CLI_OPT_INT, 0,
				    NULL,
				    "Refuse the update unless the health check is at this "
				    "version."),
				OPT("--ip-address", "IPAddress", CLI_OPT_STRING, 0, NULL,
				    "The IPv4 or IPv6 address to check."),
				OPT("--port", "Port", CLI_OPT_INT, 0, NULL, "The port to check."),
				OPT("--resource-path", "ResourcePath", CLI_OPT_STRING, 0, NULL,
				    "The HTTP path to request."),
				OPT("--fully-qualified-domain-name", "FullyQualifiedDomainName",
				    CLI_OPT_STRING, 0, NULL,
				    "The host name to check (and to send in Host)."),
				OPT("--search-string", "SearchString", CLI_OPT_STRING, 0, NULL,
				    "For *_STR_MATCH checks: the string the body must contain."),
				OPT("--failure-threshold", "FailureThreshold", CLI_OPT_INT, 0, NULL,
				    "Consecutive results needed to change the status."),
				OPT("--inverted", "Inverted", CLI_OPT_BOOL, 0, NULL,
				    "Invert the status (--no-inverted: do not)."),
				OPT("--disabled", "Disabled", CLI_OPT_BOOL, 0, NULL,
				    "Stop checking and consider the target healthy (--no-disabled: "
				    "check)."),
				OPT("--health-threshold", "HealthThreshold", CLI_OPT_INT, 0, NULL,
				    "For CALCULATED checks: healthy children needed."),
				OPT("--child-health-checks", "ChildHealthChecks", CLI_OPT_LIST, 0,
				    NULL, "For CALCULATED checks: the children's IDs."),
				OPT("--enable-sni", "EnableSNI", CLI_OPT_BOOL, 0, NULL,
				    "Send SNI in HTTPS checks (--no-enable-sni: do not)."),
				OPT("--regions", "Regions", CLI_OPT_LIST, 0, NULL,
				    "The regions to check from."),
				OPT("--alarm-identifier", "AlarmIdentifier", CLI_OPT_STRUCT, 0,
				    NULL, "Region=string,Name=string."),
				OPT("--insufficient-data-health-status",
				    "InsufficientDataHealthStatus", CLI_OPT_STRING, 0,
				    "Healthy|Unhealthy|LastKnownStatus",
				    "The status when data is insufficient."),
				OPT("--reset-elements", "ResetElements", CLI_OPT_LIST, 0, NULL,
				    "Elements to reset to their defaults: "
				    "FullyQualifiedDomainName, "
				    "Regions, ResourcePath, ChildHealthChecks."),
			},
	},
	{
		.name = "delete-health-check",
		.operation = "DeleteHealthCheck",
		.summary = "Deletes a health check.",
		.opts = {OPT_HC_ID},
	},
	{
		.name = "get-health-check-status",
		.operation = "GetHealthCheckStatus",
		.summary = "Gets a health check's latest observations.",
		.opts = {OPT_HC_ID},
	},
	{
		.name = "set-health-check-status",
		.operation = "SetHealthCheckStatus",
		.summary = "mvdns extension: forces a health check's status, for tests and "
			   "maintenance.",
		.opts =
			{
				OPT_HC_ID,
				OPT("--status", "Status", CLI_OPT_STRING, CLI_OPT_REQUIRED,
				    "Healthy|Unhealthy", "The status to set."),
			},
	},
};
/* clang-format on */

#define CLI_NVERBS (sizeof(cli_verbs) / sizeof(cli_verbs[0]))

const struct cli_verb *cli_verb_find(const char *name)
{
	for (size_t i = 0; i < CLI_NVERBS; i++) {
		if (strcmp(cli_verbs[i].name, name) == 0)
			return &cli_verbs[i];
	}
	return NULL;
}

void cli_verb_choices(FILE *f)
{
	for (size_t i = 0; i < CLI_NVERBS; i += 2) {
		if (i + 1 < CLI_NVERBS)
			fprintf(f, "%-40s | %s\n", cli_verbs[i].name, cli_verbs[i + 1].name);
		else
			fprintf(f, "%s\n", cli_verbs[i].name);
	}
}

/* Print text wrapped at 79 columns, every line indented by `indent`. */
static void cli_wrap(FILE *f, const char *text, int indent)
{
	int col = 0;

	while (*text != '\0') {
		size_t word = strcspn(text, " ");

		if (col > 0 && col + 1 + (int)word > 79) {
			fputc('\n', f);
			col = 0;
		}
		if (col == 0)
			col = fprintf(f, "%*s%.*s", indent, "", (int)word, text);
		else
			col += fprintf(f, " %.*s", (int)word, text);
		text += word;
		text += strspn(text, " ");
	}
	fputc('\n', f);
}

static void cli_global_help(FILE *f)
{
	fprintf(f,
		"GLOBAL OPTIONS\n"
		"  --socket PATH             mvdns-control's socket (default: "
		"$MVDNS_CONTROL_SOCKET,\n"
		"                            else %s)\n"
		"  --output json|table|text  output format (default json)\n"
		"  --query EXPRESSION        a JMESPath expression selecting what to print\n"
		"  --region, --profile, --cli-connect-timeout, --no-verify-ssl, "
		"--no-sign-request,\n"
		"  --no-paginate, --no-cli-pager  accepted for AWS CLI scripts, no effect\n"
		"  --cli-read-timeout SECONDS  give up on a response after this long (default 60)\n"
		"  --debug                   print the request and response lines on stderr\n"
		"  --cli-input-json JSON|file://  the parameters as one JSON object, with Route "
		"53's\n"
		"                            member names; options given as well take precedence\n"
		"  --version, --help\n",
		MV_CONTROL_SOCKET);
}

void cli_help(FILE *f)
{
	fputs("mvdnsctl - manage mvdns hosted zones, record sets and health checks with the\n"
	      "AWS CLI's commands and options (aws route53 ...), through mvdns-control.\n\n"
	      "usage: mvdnsctl [options] <command> [parameters]\n\nCOMMANDS\n",
	      f);
	for (size_t i = 0; i < CLI_NVERBS; i++)
		fprintf(f, "  %s\n", cli_verbs[i].name);
	fputc('\n', f);
	cli_global_help(f);
	fputs("\nEXIT STATUS\n"
	      "  0 success; 252 bad command line or parameter; 254 mvdns-control answered\n"
	      "  with an error; 255 mvdns-control unreachable, bad response, or --wait timed "
	      "out.\n\n"
	      "Run 'mvdnsctl <command> help' for a command's options.\n",
	      f);
}

static const char *const cli_kind_names[] = {
	[CLI_OPT_STRING] = "string",   [CLI_OPT_INT] = "integer",      [CLI_OPT_BOOL] = "boolean",
	[CLI_OPT_LIST] = "list",       [CLI_OPT_STRUCT] = "structure", [CLI_OPT_FLAG] = "boolean",
	[CLI_OPT_SECONDS] = "seconds",
};

void cli_verb_help(FILE *f, const struct cli_verb *verb)
{
	const struct cli_opt *o;

	fprintf(f, "NAME\n       %s -\n\nDESCRIPTION\n", verb->name);
	cli_wrap(f, verb->summary, 7);
	fprintf(f, "\n       Route 53 action: %s\n\nSYNOPSIS\n            %s\n", verb->operation,
		verb->name);
	for (o = verb->opts; o->name != NULL; o++) {
		const char *value = o->kind == CLI_OPT_FLAG ? "" : " <value>";

		if (o->kind == CLI_OPT_BOOL)
			fprintf(f, "          [%s | --no-%s]\n", o->name, o->name + 2);
		else if (o->flags & CLI_OPT_REQUIRED)
			fprintf(f, "          %s%s\n", o->name, value);
		else
			fprintf(f, "          [%s%s]\n", o->name, value);
	}
	fputs("          [--cli-input-json <value>]\n\nOPTIONS\n", f);
	for (o = verb->opts; o->name != NULL; o++) {
		fprintf(f, "       %s (%s)%s\n", o->name, cli_kind_names[o->kind],
			o->flags & CLI_OPT_REQUIRED ? " [required]" : "");
		cli_wrap(f, o->help, 10);
		if (o->choices != NULL)
			fprintf(f, "          Possible values: %s\n", o->choices);
		fputc('\n', f);
	}
	cli_global_help(f);
}

int cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("usage: mvdnsctl [options] <command> [parameters]\n"
	      "To see help text, you can run:\n\n"
	      "  mvdnsctl help\n"
	      "  mvdnsctl <command> help\n\n"
	      "mvdnsctl: error: ",
	      stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return CLI_RC_USAGE;
}

int cli_param_error(const char *option, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "\nError parsing parameter '%s': ", option);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return CLI_RC_USAGE;
}
