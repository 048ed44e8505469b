/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The health-check engine: probes endpoints as Route 53's health checkers do
 * and reports debounced status changes. This header is the whole contract
 * between the engine and its owner (the control daemon).
 *
 * Threads. mv_checker_create starts one engine thread that runs a single
 * epoll loop driving libcurl's multi interface for every probe (HTTP, HTTPS,
 * *_STR_MATCH, and TCP through CURLOPT_CONNECT_ONLY, so that name resolution,
 * IPv6 and timeouts work the same way for all types). Every other function may
 * be called from any thread, typically the daemon's own; they take a mutex
 * that the engine holds only for bookkeeping, never across I/O, so calls
 * return in microseconds. Callbacks given to mv_checker_drain run on the
 * caller's thread, without that mutex held, and may call any function here
 * except mv_checker_destroy.
 *
 * Checks. Each check has a caller-chosen 32-bit id. A probed check runs every
 * RequestInterval seconds, counted (as Route 53 does) from the end of one
 * probe to the start of the next, the first one at a random offset within the
 * interval so that checks added together spread out. Probes of one check never
 * overlap. Concurrent probes are capped (mv_checker_max_inflight()); checks
 * due beyond the cap wait their turn, oldest due first.
 *
 * Route 53's rules. HTTP/HTTPS: healthy on a 2xx or 3xx status (redirects are
 * not followed), with the TCP connection (and TLS handshake) made within 4 s
 * and the status line received within 2 s after it; certificates are not
 * verified; a fresh connection per probe; Host header and TLS SNI carry
 * FullyQualifiedDomainName when given (the connection still goes to IPAddress
 * when both are given), else IPAddress. *_STR_MATCH: additionally SearchString
 * within the first 5,120 bytes of the body, received within the same 2 s.
 * TCP: healthy when the connection is made within 10 s. Status flips after
 * FailureThreshold consecutive opposite results (status.h); Inverted inverts
 * each result; a Disabled check is not probed and counts as healthy.
 * EXTERNAL: never probed; mv_checker_set_external sets its result, which takes
 * effect at once (threshold 1), Inverted and Disabled applying as above.
 *
 * Events. When a check's effective status (mv_checker_healthy) changes, its
 * id is queued and mv_checker_event_fd() becomes readable. The owner polls
 * that fd and calls mv_checker_drain, which reports each queued id with its
 * status at drain time: several flips between two drains coalesce into one
 * report of the current status (which may equal the last one reported).
 * Adding a check reports nothing: its status is the healthy_now given.
 *
 * Errors: int functions return 0 or -errno; mv_checker_create returns NULL
 * with errno set.
 *
 * Use (the daemon's thread):
 *   struct mv_checker *hc = mv_checker_create();
 *   mv_check_config_from_json(json, &cfg, msg, sizeof(msg));   // InvalidInput: msg
 *   mv_checker_add(hc, id, &cfg, true);                          // restart: saved status
 *   ... poll mv_checker_event_fd(hc) with the daemon's other fds; when readable:
 *   mv_checker_drain(hc, on_health, ctx);  // on_health(id, healthy, ctx): to the dataplane
 *   ... GetHealthCheckStatus: mv_checker_observations(hc, id, obs, n)
 *   mv_checker_destroy(hc);
 */
#ifndef HEALTH_CHECKER_H
#define HEALTH_CHECKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "status.h"

struct mv_checker; /* opaque */

/* How many recent results each check keeps for mv_checker_observations. */
#define MV_CHECKER_OBSERVATIONS 8
/* Room for the longest reason mv_check_result_format writes. */
#define MV_CHECK_REASON_MAX 160
/* Upper bound of concurrent probes (see mv_checker_max_inflight). */
#define MV_CHECKER_MAX_INFLIGHT 4096

/* One recent probe result, as GetHealthCheckStatus reports it. */
struct mv_check_observation {
	int64_t time_ms; /* CheckedTime: CLOCK_REALTIME, milliseconds since the epoch */
	bool success;    /* the endpoint's own result, before Inverted */
	char reason[MV_CHECK_REASON_MAX]; /* StatusReport.Status, e.g. "Success: HTTP ..." */
};

/*
 * Create an engine with no checks and start its thread (signals blocked in
 * it). Initialises libcurl once per process. The concurrency cap is
 * MV_CHECKER_MAX_INFLIGHT or half the RLIMIT_NOFILE soft limit at this call,
 * whichever is lower: raise that limit before for large check counts.
 * Returns the engine, or NULL with errno set (ENOMEM, EMFILE, or what
 * pthread_create, epoll_create1 or eventfd return).
 */
struct mv_checker *mv_checker_create(void);

/*
 * Stop the engine thread (in-flight probes are abandoned), release every
 * check and queued event, close the event fd. Accepts NULL. Must not be called
 * from a drain callback, nor concurrently with any other call on c.
 */
void mv_checker_destroy(struct mv_checker *c);

/*
 * Add check `id` with configuration cfg (validated as
 * mv_check_config_validate does; the engine keeps its own copy), starting at
 * status healthy_now: true for a new check (Route 53 starts new checks
 * healthy), the persisted status when restoring after a restart.
 * Returns 0; -EINVAL (cfg invalid); -EEXIST (id in use); -ENOMEM.
 */
int mv_checker_add(struct mv_checker *c, uint32_t id, const struct mv_check_config *cfg,
		   bool healthy_now);

/*
 * Replace check id's configuration. Type must not change (Route 53 forbids
 * it). A probe in flight is abandoned and the check is probed again within
 * one interval; its status and streak carry over, except that toggling
 * Inverted flips the status at once (the same endpoint read the other way) and
 * any change that alters the effective status (Disabled, Inverted) queues an
 * event. Returns 0; -ENOENT; -EINVAL (cfg invalid or Type changed); -ENOMEM.
 */
int mv_checker_update(struct mv_checker *c, uint32_t id, const struct mv_check_config *cfg);

/*
 * Remove check id; any probe in flight is abandoned and a queued event for it
 * is dropped. The id may be added again at once. Returns 0 or -ENOENT.
 */
int mv_checker_remove(struct mv_checker *c, uint32_t id);

/*
 * Record an EXTERNAL check's result: healthy true or false, as the operator's
 * SetHealthCheckStatus says. It becomes the status at once (Inverted applied)
 * and is kept as an observation. Returns 0; -ENOENT; -EINVAL (not EXTERNAL).
 */
int mv_checker_set_external(struct mv_checker *c, uint32_t id, bool healthy);

/* Effective status of check id (Disabled counts healthy); false if unknown. */
bool mv_checker_healthy(struct mv_checker *c, uint32_t id);

/* Whether check id exists. */
bool mv_checker_exists(struct mv_checker *c, uint32_t id);

/*
 * Copy up to max of check id's most recent results, newest first, into out.
 * Returns how many were copied (0 for an unknown id or a check not yet probed).
 */
size_t mv_checker_observations(struct mv_checker *c, uint32_t id, struct mv_check_observation *out,
			       size_t max);

/*
 * The event fd: readable (POLLIN) while status changes are queued. Owned by
 * the engine (do not read or close it); valid until mv_checker_destroy.
 */
int mv_checker_event_fd(const struct mv_checker *c);

/*
 * Take every queued change and call fn (not NULL) as fn(id, healthy, arg) for each, on the
 * caller's thread, without the engine's mutex held, in the order the changes
 * were first queued. Clears the event fd's readiness when the queue empties.
 * Returns how many were reported; 0 when none were queued (or on ENOMEM,
 * leaving them queued).
 */
size_t mv_checker_drain(struct mv_checker *c, void (*fn)(uint32_t id, bool healthy, void *arg),
			void *arg);

/* Number of checks held. */
size_t mv_checker_count(struct mv_checker *c);

/* The concurrency cap chosen at creation. */
unsigned mv_checker_max_inflight(const struct mv_checker *c);

/* Probes completed since creation (any result), for benchmarks and counters. */
uint64_t mv_checker_probes(struct mv_checker *c);

/*
 * TEST ONLY: how many milliseconds one second of RequestInterval lasts
 * (default 1000), e.g. 10 makes a 10 s interval last 100 ms. Applies from
 * each check's next scheduling. Returns 0 or -EINVAL (0).
 */
int mv_checker_set_interval_scale(struct mv_checker *c, unsigned ms_per_second);

/*
 * TEST ONLY: replace Route 53's time limits (defaults 4000, 2000 and 10000
 * ms): connecting for HTTP(S), the status after connecting, connecting for
 * TCP. Applies to probes started afterwards. Returns 0 or -EINVAL (a zero).
 */
int mv_checker_set_timeouts(struct mv_checker *c, unsigned connect_ms, unsigned status_ms,
			    unsigned tcp_connect_ms);

#endif /* HEALTH_CHECKER_H */
