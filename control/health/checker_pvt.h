/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internals of the health-check engine shared by checker.c (the API, the check
 * table and the event queue), loop.c (the engine thread) and probe.c (one
 * libcurl transfer). Not a public header.
 *
 * Ownership and locking. `lock` guards every field marked [L]; the API takes
 * it for each call, the engine for its bookkeeping between epoll_wait and
 * curl calls that may run transfer callbacks. Fields marked [E] belong to the
 * engine thread alone. The API never frees a check or a spec: a removed check
 * is unlinked from the table and left on the dirty list, a replaced spec on
 * the dead list, and the engine frees both once no transfer uses them, so a
 * transfer callback (run without the lock) always sees live data.
 */
#ifndef HEALTH_CHECKER_PVT_H
#define HEALTH_CHECKER_PVT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <curl/curl.h>

#include "checker.h"

#define HC_NOT_QUEUED UINT32_MAX

/* What the engine must do about a check (hc_check.dirty). */
#define HC_DIRTY_ADD        0x1u /* schedule it */
#define HC_DIRTY_RESCHEDULE 0x2u /* config changed: abandon the probe, schedule again */
#define HC_DIRTY_REMOVE     0x4u /* abandon the probe, free it */

/* What one check probes, built once per config; immutable afterwards. */
struct hc_spec {
	struct curl_slist connect_to; /* CURLOPT_CONNECT_TO entry; .data NULL if unused */
	const char *url;
	const char *search; /* NULL unless *_STR_MATCH */
	size_t search_len;
	uint8_t type; /* enum mv_check_type */
	struct hc_spec *next_dead;
	char buf[]; /* the strings above */
};

struct hc_xfer;

struct hc_check {
	uint32_t id;                   /* [L] fixed */
	uint8_t type;                  /* [L] fixed */
	uint8_t threshold;             /* [L] */
	bool inverted;                 /* [L] */
	bool disabled;                 /* [L] */
	bool removed;                  /* [L] unlinked, waiting for the engine to free it */
	bool event_queued;             /* [L] its id is in the event queue */
	uint8_t dirty;                 /* [L] HC_DIRTY_* */
	uint8_t obs_count;             /* [L] */
	uint8_t obs_head;              /* [L] index of the newest */
	uint16_t interval_s;           /* [L] RequestInterval */
	struct mv_check_status status; /* [L] */
	struct hc_spec *spec;          /* [L] written by the API, read by the engine */
	struct hc_check *next_hash;    /* [L] */
	struct hc_check *next_dirty;   /* [L] */
	struct hc_xfer *xfer;          /* [L] probe in flight, or NULL */
	uint32_t heap_idx;             /* [E] position in the schedule, or HC_NOT_QUEUED */
	uint64_t due_ms;               /* [E] CLOCK_MONOTONIC */
	struct mv_check_result obs[MV_CHECKER_OBSERVATIONS]; /* [L] ring */
};

/* One transfer slot: a reusable curl easy handle and the probe's progress. */
struct hc_xfer {
	CURL *easy;                     /* [E] */
	struct hc_check *check;         /* [E] NULL when idle */
	const struct hc_spec *spec;     /* [E] the spec the probe started with */
	struct hc_xfer *next_free;      /* [E] */
	uint32_t active_idx;            /* [E] */
	uint64_t status_deadline_ms;    /* [E] 0 until connected */
	unsigned connect_ms;            /* [E] limits this probe runs with */
	unsigned status_ms;             /* [E] */
	uint16_t status;                /* [E] final HTTP status seen, 0 before */
	bool connected;                 /* [E] */
	bool decided;                   /* [E] `verdict` holds the result */
	struct mv_check_result verdict; /* [E] */
	size_t body_len;                /* [E] */
	char *body;                     /* [E] MV_CHECK_BODY_SEARCH bytes, for *_STR_MATCH */
};

struct mv_checker {
	pthread_mutex_t lock;
	struct hc_check **buckets; /* [L] hash table by id */
	size_t nbuckets;           /* [L] power of two */
	size_t count;              /* [L] */
	struct hc_check *dirty;    /* [L] checks the engine must look at */
	struct hc_spec *dead;      /* [L] specs replaced, to be freed by the engine */
	uint32_t *events;          /* [L] queued ids */
	size_t nevents;            /* [L] */
	size_t events_cap;         /* [L] */
	uint64_t probes;           /* [L] */
	unsigned ms_per_s;         /* [L] test knob */
	unsigned connect_ms;       /* [L] test knob */
	unsigned status_ms;        /* [L] test knob */
	unsigned tcp_ms;           /* [L] test knob */
	bool stop;                 /* [L] */

	/* Fixed after creation. */
	int event_fd;          /* eventfd: readable while events are queued */
	int wake_fd;           /* eventfd: wakes the engine */
	int epfd;              /* the engine's epoll */
	unsigned max_inflight; /* concurrency cap */
	pthread_t thread;

	/* Engine thread only. */
	CURLM *multi;            /* [E] */
	uint64_t curl_due_ms;    /* [E] libcurl's timer, 0 when unset */
	struct hc_check **heap;  /* [E] checks waiting for their next probe, by due_ms */
	size_t heap_len;         /* [E] */
	size_t heap_cap;         /* [E] */
	struct hc_xfer **active; /* [E] transfers in flight (max_inflight slots) */
	size_t nactive;          /* [E] */
	struct hc_xfer *idle;    /* [E] free transfer slots */
	uint64_t rng;            /* [E] xorshift state */
};

/* checker.c */
void hc_queue_event(struct mv_checker *c, struct hc_check *k); /* [L] */
bool hc_probed(const struct hc_check *k);                      /* [L] */

/* loop.c */
void *hc_loop_run(void *arg);
uint64_t hc_now_mono_ms(void);
int64_t hc_now_real_ms(void);

/* probe.c */
struct hc_spec *hc_spec_build(const struct mv_check_config *cfg);
struct hc_xfer *hc_xfer_new(void);
void hc_xfer_free(struct hc_xfer *x);
/* Configure x->easy for x->spec with the given limits and reset its progress. */
int hc_xfer_prepare(struct hc_xfer *x, unsigned connect_ms, unsigned status_ms, unsigned tcp_ms);
/* The probe's result once libcurl reports `rc` (or x->decided). */
void hc_xfer_result(struct hc_xfer *x, CURLcode rc, struct mv_check_result *r);

#endif /* HEALTH_CHECKER_PVT_H */
