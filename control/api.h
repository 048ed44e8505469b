/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control API between mvdnsctl and mvdns-control: newline-delimited JSON
 * over a unix stream socket, one request and one response per line.
 *
 * Request:  {"Operation": "<Route 53 API action>", "Params": {<the action's
 *            input, with Route 53 API member names>}}
 * Response: {"Result": {<what the AWS CLI prints for that call>}}
 *       or  {"Error": {"Code": "<Route 53 error code>", "Message": "..."}}
 *
 * Operations: CreateHostedZone, GetHostedZone, ListHostedZones,
 * DeleteHostedZone, ChangeResourceRecordSets, ListResourceRecordSets,
 * GetChange (and, with health checks, CreateHealthCheck, GetHealthCheck,
 * ListHealthChecks, UpdateHealthCheck, DeleteHealthCheck,
 * GetHealthCheckStatus, and our SetHealthCheckStatus).
 */
#ifndef MV_CONTROL_API_H
#define MV_CONTROL_API_H

#define MV_CONTROL_SOCKET    "/run/mvdns/control.sock"
#define MV_CONTROL_STATE_DIR "/var/lib/mvdns"
#define MV_CONTROL_LINE_MAX  (4u << 20) /* longest request or response line */

#endif /* MV_CONTROL_API_H */
