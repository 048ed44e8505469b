/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The JSON shapes the AWS CLI prints for Route 53 calls, built with jansson
 * (members in the AWS CLI's order). Pure; any thread. Every function but
 * render_rrset_text returns a new reference, or NULL when out of memory.
 */
#ifndef CONTROL_RENDER_H
#define CONTROL_RENDER_H

#include <stdbool.h>

#include <jansson.h>

#include "jwrite.h"
#include "zones.h"

/*
 * A ResourceRecordSet: {Name, Type, SetIdentifier?, MultiValueAnswer?, TTL,
 * ResourceRecords[{Value}], HealthCheckId?}. Names print with
 * dns_name_to_text; values with dns_rdata_to_text, or as written when
 * `as_written` (the snapshot keeps what the user sent).
 */
json_t *render_rrset(const struct mv_rrset *rr, bool as_written);

/*
 * render_rrset as compact text appended to w, without a tree (a snapshot
 * writes millions): the one place the shape is spelt, render_rrset reads it
 * back. Returns w->err: 0, -ENOMEM, or -EINVAL for rdata that does not print.
 */
int render_rrset_text(struct jwrite *w, const struct mv_rrset *rr, bool as_written);

/* HostedZone: {Id "/hostedzone/Z...", Name, CallerReference, Config, ResourceRecordSetCount}. */
json_t *render_zone(const struct zones_zone *zone);

/* DelegationSet: {NameServers[...]} (without the trailing dots, as Route 53 prints them). */
json_t *render_delegation(const struct zones_zone *zone);

/* ChangeInfo: {Id "/change/C...", Status, SubmittedAt, Comment?}. */
json_t *render_change(const char *id, bool insync, const char *submitted_at, const char *comment);

/*
 * HealthCheck: {Id, CallerReference, HealthCheckConfig (config.h's mapping),
 * HealthCheckVersion}.
 */
json_t *render_health_check(const struct checks_check *check);

/*
 * {"Error": {"Code", "Message"}}, the message as the AWS CLI prints it after
 * "operation: " (InvalidChangeBatch: "[m1, m2]").
 */
json_t *render_error(const struct mv_error *err, const char *operation);

#endif /* CONTROL_RENDER_H */
