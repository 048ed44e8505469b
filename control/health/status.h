/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The pure part of a health check: Route 53's debouncing of probe results into
 * a status, and the compact record of one probe result with its Route 53
 * StatusReport.Status wording. No state beyond the structs passed in: any
 * thread may call these on structs it owns.
 *
 * Rules (Route 53): a check starts healthy (or at a restored status); each
 * result is inverted first when Inverted is set; the status flips only after
 * FailureThreshold consecutive results opposite to it, and any result that
 * agrees with it resets the count; a disabled check counts as healthy whatever
 * its status.
 */
#ifndef HEALTH_STATUS_H
#define HEALTH_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mv_check_status {
	bool healthy;   /* debounced status, Inverted already applied */
	uint8_t streak; /* consecutive results opposite to `healthy` */
};

/* Start at `healthy` with no streak. */
void mv_check_status_init(struct mv_check_status *s, bool healthy);

/*
 * Feed one probe result. success is the endpoint's own result; inverted
 * flips it; threshold is FailureThreshold (0 counts as 1).
 * Returns true if s->healthy flipped.
 */
bool mv_check_status_feed(struct mv_check_status *s, bool success, bool inverted,
			  unsigned threshold);

/* What the answers use: healthy if disabled, else the debounced status. */
bool mv_check_status_effective(const struct mv_check_status *s, bool disabled);

/* What a probe found. `detail` in struct mv_check_result qualifies it. */
enum mv_check_outcome {
	MV_OUTCOME_HTTP,            /* detail: HTTP status; success iff 2xx or 3xx */
	MV_OUTCOME_NO_MATCH,        /* detail: HTTP status (2xx/3xx), search string absent */
	MV_OUTCOME_TCP,             /* connected */
	MV_OUTCOME_CONNECT_TIMEOUT, /* detail: the limit in ms */
	MV_OUTCOME_STATUS_TIMEOUT,  /* detail: the limit in ms after connecting */
	MV_OUTCOME_CONNECT_FAILED,  /* detail: errno (ECONNREFUSED, EHOSTUNREACH, ...) */
	MV_OUTCOME_DNS,             /* name resolution failed */
	MV_OUTCOME_TLS,             /* TLS handshake failed */
	MV_OUTCOME_NO_RESPONSE,     /* closed or reset before an HTTP status */
	MV_OUTCOME_BAD_RESPONSE,    /* not an HTTP/1.x response */
	MV_OUTCOME_CURL,            /* detail: another CURLcode */
	MV_OUTCOME_EXTERNAL,        /* set through mv_checker_set_external */
};

/* One probe result, compact (16 bytes) so each check can keep several. */
struct mv_check_result {
	int64_t time_ms; /* CLOCK_REALTIME, milliseconds since the epoch */
	uint16_t detail;
	uint8_t outcome; /* enum mv_check_outcome */
	bool success;    /* the endpoint's own result, before Inverted */
};

/*
 * Format r as Route 53's StatusReport.Status does, e.g. "Success: HTTP Status
 * Code 200, OK", "Failure: HTTP Status Code 503, Service Unavailable",
 * "Failure: Connection timed out after 4000 ms". Always NUL-terminates when cap > 0.
 * Returns the length snprintf would have written.
 */
int mv_check_result_format(const struct mv_check_result *r, char *out, size_t cap);

/* The standard reason phrase of an HTTP status ("OK", "Not Found"), or "" if unknown. */
const char *mv_check_http_phrase(unsigned status);

#endif /* HEALTH_STATUS_H */
