/* SPDX-License-Identifier: BSD-3-Clause */
/* The verb table (AWS CLI names and options, Route 53 actions), help texts and usage errors. */
#include <stdarg.h>
#include <string.h>

#include "api.h"
#include "cli.h"

#define OPT_ID(n, m, h)                                                          \
	{                                                                        \
		n, m, CLI_OPT_STRING, CLI_OPT_REQUIRED | CLI_OPT_R53_ID, NULL, h \
	}
#define OPT_HC_ID                                                                             \
	{                                                                                     \
		"--health-check-id", "HealthCheckId", CLI_OPT_STRING, CLI_OPT_REQUIRED, NULL, \
			"The ID of the health check."                                         \
	}
#define OPT_MAX_ITEMS                                                                       \
	{                                                                                   \
		"--max-items", "MaxItems", CLI_OPT_INT, 0, NULL,                            \
			"The largest number of items to return (the daemon's default when " \
			"omitted)."                                                         \
	}
#define OPT_CALLER_REF                                                                            \
	{                                                                                         \
		"--caller-reference", "CallerReference", CLI_OPT_STRING, CLI_OPT_REQUIRED, NULL,  \
			"A unique string that identifies the request and allows failed requests " \
			"to be retried without the risk of running the operation twice."          \
	}

static const struct cli_verb cli_verbs[] = {
	{"change-resource-record-sets",
	 "ChangeResourceRecordSets",
	 NULL,
	 "Creates, changes or deletes resource record sets in a hosted zone, all or nothing. "
	 "Prints ChangeInfo; the change is PENDING until every attached dataplane serves it.",
	 {
		 OPT_ID("--hosted-zone-id", "HostedZoneId", "The ID of the hosted zone."),
		 {"--change-batch", "ChangeBatch", CLI_OPT_STRUCT, CLI_OPT_REQUIRED, NULL,
		  "The change batch: {\"Comment\": ..., \"Changes\": [{\"Action\": "
		  "\"CREATE|DELETE|UPSERT\", \"ResourceRecordSet\": {...}}]}, inline or "
		  "file://batch.json."},
		 {"--wait", NULL, CLI_OPT_FLAG, 0, NULL,
		  "mvdns extension: poll GetChange every 10 ms until the change is INSYNC, then "
		  "print "
		  "its ChangeInfo."},
		 {"--wait-timeout", NULL, CLI_OPT_SECONDS, 0, NULL,
		  "With --wait: give up after this many seconds (default 60) and exit 255."},
	 }},
	{"create-hosted-zone",
	 "CreateHostedZone",
	 NULL,
	 "Creates a public hosted zone with its SOA and NS record sets.",
	 {
		 {"--name", "Name", CLI_OPT_STRING, CLI_OPT_REQUIRED, NULL,
		  "The domain name of the zone, for example example.com."},
		 OPT_CALLER_REF,
		 {"--hosted-zone-config", "HostedZoneConfig", CLI_OPT_STRUCT, 0, NULL,
		  "Comment=string,PrivateZone=boolean, or the same as JSON."},
		 {"--vpc", "VPC", CLI_OPT_STRUCT, 0, NULL,
		  "VPCRegion=string,VPCId=string (private zones)."},
		 {"--delegation-set-id", "DelegationSetId", CLI_OPT_STRING, CLI_OPT_R53_ID, NULL,
		  "A reusable delegation set's ID."},
	 }},
	{"delete-hosted-zone",
	 "DeleteHostedZone",
	 NULL,
	 "Deletes a hosted zone that holds nothing but its SOA and NS record sets.",
	 {OPT_ID("--id", "Id", "The ID of the hosted zone.")}},
	{"get-hosted-zone",
	 "GetHostedZone",
	 NULL,
	 "Gets a hosted zone, its record set count and its name servers.",
	 {OPT_ID("--id", "Id", "The ID of the hosted zone.")}},
	{"list-hosted-zones",
	 "ListHostedZones",
	 "HostedZones",
	 "Lists the hosted zones.",
	 {
		 OPT_MAX_ITEMS,
		 {"--delegation-set-id", "DelegationSetId", CLI_OPT_STRING, CLI_OPT_R53_ID, NULL,
		  "Only the zones using this reusable delegation set."},
	 }},
	{"get-change",
	 "GetChange",
	 NULL,
	 "Gets a change's status: PENDING until every attached dataplane has applied it, then "
	 "INSYNC.",
	 {OPT_ID("--id", "Id", "The change ID that change-resource-record-sets printed.")}},
	{"list-resource-record-sets",
	 "ListResourceRecordSets",
	 "ResourceRecordSets",
	 "Lists the resource record sets of a hosted zone, in Route 53's order.",
	 {
		 OPT_ID("--hosted-zone-id", "HostedZoneId", "The ID of the hosted zone."),
		 {"--start-record-name", "StartRecordName", CLI_OPT_STRING, 0, NULL,
		  "Start at the first record set whose name is greater than or equal to this."},
		 {"--start-record-type", "StartRecordType", CLI_OPT_STRING, 0, NULL,
		  "With --start-record-name: start at this type."},
		 {"--start-record-identifier", "StartRecordIdentifier", CLI_OPT_STRING, 0, NULL,
		  "With --start-record-type: start at this SetIdentifier."},
		 OPT_MAX_ITEMS,
	 }},
	{"create-health-check",
	 "CreateHealthCheck",
	 NULL,
	 "Creates a health check.",
	 {
		 OPT_CALLER_REF,
		 {"--health-check-config", "HealthCheckConfig", CLI_OPT_STRUCT, CLI_OPT_REQUIRED,
		  NULL,
		  "The health check: JSON, file://, or shorthand "
		  "Type=HTTP,IPAddress=...,Port=80,..."},
	 }},
	{"get-health-check", "GetHealthCheck", NULL, "Gets a health check.", {OPT_HC_ID}},
	{"list-health-checks",
	 "ListHealthChecks",
	 "HealthChecks",
	 "Lists the health checks.",
	 {OPT_MAX_ITEMS}},
	{"update-health-check",
	 "UpdateHealthCheck",
	 NULL,
	 "Updates a health check; only the options given change.",
	 {
		 OPT_HC_ID,
		 {"--health-check-version", "HealthCheckVersion", CLI_OPT_INT, 0, NULL,
		  "Refuse the update unless the health check is at this version."},
		 {"--ip-address", "IPAddress", CLI_OPT_STRING, 0, NULL,
		  "The IPv4 or IPv6 address to check."},
		 {"--port", "Port", CLI_OPT_INT, 0, NULL, "The port to check."},
		 {"--resource-path", "ResourcePath", CLI_OPT_STRING, 0, NULL,
		  "The HTTP path to request."},
		 {"--fully-qualified-domain-name", "FullyQualifiedDomainName", CLI_OPT_STRING, 0,
		  NULL, "The host name to check (and to send in Host)."},
		 {"--search-string", "SearchString", CLI_OPT_STRING, 0, NULL,
		  "For *_STR_MATCH checks: the string the body must contain."},
		 {"--failure-threshold", "FailureThreshold", CLI_OPT_INT, 0, NULL,
		  "Consecutive results needed to change the status."},
		 {"--inverted", "Inverted", CLI_OPT_BOOL, 0, NULL,
		  "Invert the status (--no-inverted)."},
		 {"--disabled", "Disabled", CLI_OPT_BOOL, 0, NULL,
		  "Stop checking and consider the target healthy (--no-disabled)."},
		 {"--health-threshold", "HealthThreshold", CLI_OPT_INT, 0, NULL,
		  "For CALCULATED checks: healthy children needed."},
		 {"--child-health-checks", "ChildHealthChecks", CLI_OPT_LIST, 0, NULL,
		  "For CALCULATED checks: the children's IDs."},
		 {"--enable-sni", "EnableSNI", CLI_OPT_BOOL, 0, NULL,
		  "Send SNI in HTTPS checks (--no-enable-sni)."},
		 {"--regions", "Regions", CLI_OPT_LIST, 0, NULL, "The regions to check from."},
		 {"--alarm-identifier", "AlarmIdentifier", CLI_OPT_STRUCT, 0, NULL,
		  "Region=string,Name=string."},
		 {"--insufficient-data-health-status", "InsufficientDataHealthStatus",
		  CLI_OPT_STRING, 0, "Healthy|Unhealthy|LastKnownStatus",
		  "Status when data is insufficient."},
		 {"--reset-elements", "ResetElements", CLI_OPT_LIST, 0, NULL,
		  "Elements to reset to their defaults: FullyQualifiedDomainName Regions "
		  "ResourcePath "
		  "ChildHealthChecks."},
	 }},
	{"delete-health-check", "DeleteHealthCheck", NULL, "Deletes a health check.", {OPT_HC_ID}},
	{"get-health-check-status",
	 "GetHealthCheckStatus",
	 NULL,
	 "Gets a health check's latest observations.",
	 {OPT_HC_ID}},
	{"set-health-check-status",
	 "SetHealthCheckStatus",
	 NULL,
	 "mvdns extension: forces a health check's status, for tests and maintenance.",
	 {
		 OPT_HC_ID,
		 {"--status", "Status", CLI_OPT_STRING, CLI_OPT_REQUIRED, "Healthy|Unhealthy",
		  "The status to set."},
	 }},
};

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
