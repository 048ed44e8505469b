/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A health check's configuration, as Route 53's HealthCheckConfig has it, with
 * Route 53's validation rules and its JSON member names. Pure functions: any
 * thread may call them, on its own structs.
 *
 * Types: HTTP, HTTPS, HTTP_STR_MATCH, HTTPS_STR_MATCH and TCP probe an
 * endpoint (IPAddress and/or FullyQualifiedDomainName); EXTERNAL is mvdns's
 * own: never probed, its status is set from outside (mv_checker_set_external).
 *
 * Message sources. Range and length limits use Route 53's server-side wording
 * ("Value '...' at 'healthCheckConfig.port' failed to satisfy constraint:
 * Member must ..."), with the limits of botocore's route53 service-2.json.
 * "TCP health checks that have IP address must not have a fully qualified
 * domain name specified." is Route 53's verbatim. JSON shape errors use
 * botocore's parameter validation wording ("Missing required parameter in
 * HealthCheckConfig: ...", "Unknown parameter in ...", "Invalid type for
 * parameter ..."). The other rule messages ("Invalid parameter : ...") follow
 * Route 53's prefix, but their text is mvdns's own: no Route 53 wording was found.
 */
#ifndef HEALTH_CONFIG_H
#define HEALTH_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

enum mv_check_type {
	MV_CHECK_HTTP,
	MV_CHECK_HTTPS,
	MV_CHECK_HTTP_STR_MATCH,
	MV_CHECK_HTTPS_STR_MATCH,
	MV_CHECK_TCP,
	MV_CHECK_EXTERNAL,
};

#define MV_CHECK_IP_MAX      45  /* IPAddress: characters */
#define MV_CHECK_FIELD_MAX   255 /* FullyQualifiedDomainName, ResourcePath, SearchString */
#define MV_CHECK_PORT_HTTP   80
#define MV_CHECK_PORT_HTTPS  443
#define MV_CHECK_BODY_SEARCH 5120 /* bytes of the body searched for SearchString */

/* Defaults Route 53 applies when the member is absent. */
#define MV_CHECK_DEFAULT_INTERVAL  30
#define MV_CHECK_DEFAULT_THRESHOLD 3

/* Every string is NUL-terminated; "" means absent. */
struct mv_check_config {
	enum mv_check_type type;
	char ip[MV_CHECK_IP_MAX + 1];               /* IPAddress (v4 or v6) */
	char fqdn[MV_CHECK_FIELD_MAX + 1];          /* FullyQualifiedDomainName */
	uint16_t port;                              /* 0: the type's default (80/443) */
	char resource_path[MV_CHECK_FIELD_MAX + 1]; /* "" requests "/" */
	char search_string[MV_CHECK_FIELD_MAX + 1]; /* *_STR_MATCH only */
	unsigned request_interval;                  /* seconds: 10 or 30 */
	unsigned failure_threshold;                 /* 1..10 */
	bool inverted;
	bool disabled;
};

/* Zero c and set type with Route 53's defaults (interval 30, threshold 3). */
void mv_check_config_init(struct mv_check_config *c, enum mv_check_type type);

/* "HTTP", "HTTPS", ..., "EXTERNAL"; "?" for a value outside the enum. */
const char *mv_check_type_name(enum mv_check_type type);

/* Parse a Type name (exact case). Out: type. Returns 0 or -EINVAL. */
int mv_check_type_parse(const char *name, enum mv_check_type *type);

/* True for HTTP_STR_MATCH and HTTPS_STR_MATCH. */
bool mv_check_type_is_str_match(enum mv_check_type type);

/* The port probed: c->port, or 80 (HTTP, HTTP_STR_MATCH) / 443 (HTTPS*) when 0. */
uint16_t mv_check_config_port(const struct mv_check_config *c);

/*
 * Check c against Route 53's rules: an endpoint (IPAddress, a valid v4 or v6
 * address, or FullyQualifiedDomainName) for every type but EXTERNAL, no FQDN
 * beside an IPAddress for TCP, a Port for TCP, SearchString present exactly
 * for *_STR_MATCH, RequestInterval 10 or 30, FailureThreshold 1..10, strings
 * NUL-terminated within their arrays; EXTERNAL takes no endpoint, port, path
 * or search string.
 * Out: err (may be NULL), the first problem found as a Route 53 InvalidInput
 * message, always NUL-terminated when errlen > 0.
 * Returns 0 or -EINVAL.
 */
int mv_check_config_validate(const struct mv_check_config *c, char *err, size_t errlen);

/*
 * Read a HealthCheckConfig JSON object (Route 53 member names: Type,
 * IPAddress, Port, ResourcePath, FullyQualifiedDomainName, SearchString,
 * RequestInterval, FailureThreshold, Inverted, Disabled; MeasureLatency and
 * EnableSNI are accepted and ignored, SNI being sent whenever
 * FullyQualifiedDomainName is set). Absent members take Route 53's defaults
 * (Port 80 or 443 for HTTP(S) types, RequestInterval 30, FailureThreshold 3),
 * then the result is validated as mv_check_config_validate does. Route 53
 * members mvdns does not implement (AlarmIdentifier, ChildHealthChecks,
 * HealthThreshold, Regions, InsufficientDataHealthStatus, RoutingControlArn)
 * and the types CALCULATED, CLOUDWATCH_METRIC and RECOVERY_CONTROL are refused.
 * Out: out (fully written on success); err as for mv_check_config_validate.
 * Returns 0 or -EINVAL (InvalidInput).
 */
int mv_check_config_from_json(const json_t *obj, struct mv_check_config *out, char *err,
			      size_t errlen);

/*
 * c as a HealthCheckConfig JSON object, as GetHealthCheck returns it: Type,
 * the endpoint members that are set, Port (effective; absent for EXTERNAL),
 * RequestInterval, FailureThreshold, MeasureLatency (false), Inverted, Disabled.
 * Returns a new reference, or NULL with errno set (ENOMEM).
 */
json_t *mv_check_config_to_json(const struct mv_check_config *c);

#endif /* HEALTH_CONFIG_H */
