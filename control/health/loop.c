/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The engine thread: one epoll loop driving libcurl's multi interface
 * (curl_multi_socket_action, so each wake-up costs what is ready, not what is
 * in flight), a binary heap of checks ordered by their next probe time, and
 * the status deadlines that libcurl has no option for (2 s from connection to
 * status line). Each turn: wait, let libcurl work, then under the lock reap
 * finished probes, enforce deadlines, apply the API's changes and start what
 * is due, up to the concurrency cap.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "checker_pvt.h"
#include "grow.h"

#define LOOP_EVENTS      256
#define LOOP_MAX_WAIT_MS 1000 /* wake at least this often, as a safety net */
#define LOOP_RETRY_MS    1000 /* a probe that could not start is tried again after this */

uint64_t hc_now_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int64_t hc_now_real_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t rng_next(struct mv_checker *c)
{
	c->rng ^= c->rng << 13;
	c->rng ^= c->rng >> 7;
	c->rng ^= c->rng << 17;
	return c->rng;
}

/* ---- the schedule: a binary min-heap on due_ms ---------------------------- */

static void heap_set(struct mv_checker *c, size_t i, struct hc_check *k)
{
	c->heap[i] = k;
	k->heap_idx = (uint32_t)i;
}

static void heap_up(struct mv_checker *c, size_t i)
{
	struct hc_check *k = c->heap[i];

	while (i > 0 && c->heap[(i - 1) / 2]->due_ms > k->due_ms) {
		heap_set(c, i, c->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	heap_set(c, i, k);
}

static void heap_down(struct mv_checker *c, size_t i)
{
	struct hc_check *k = c->heap[i];

	for (;;) {
		size_t l = 2 * i + 1, m = i;
		uint64_t best = k->due_ms;

		if (l < c->heap_len && c->heap[l]->due_ms < best)
			m = l, best = c->heap[l]->due_ms;
		if (l + 1 < c->heap_len && c->heap[l + 1]->due_ms < best)
			m = l + 1;
		if (m == i)
			break;
		heap_set(c, i, c->heap[m]);
		i = m;
	}
	heap_set(c, i, k);
}

static void heap_remove(struct mv_checker *c, struct hc_check *k)
{
	size_t i = k->heap_idx;
	struct hc_check *last;

	if (i == HC_NOT_QUEUED)
		return;
	k->heap_idx = HC_NOT_QUEUED;
	last = c->heap[--c->heap_len];
	if (last == k)
		return;
	heap_set(c, i, last);
	heap_up(c, i);
	heap_down(c, last->heap_idx);
}

/* Queue k for due_ms. Returns 0 or -ENOMEM (k stays unscheduled). */
static int schedule_at(struct mv_checker *c, struct hc_check *k, uint64_t due_ms)
{
	heap_remove(c, k);
	if (MV_GROW(c->heap, c->heap_cap, c->heap_len + 1, 64) != 0)
		return -ENOMEM;
	k->due_ms = due_ms;
	heap_set(c, c->heap_len++, k);
	heap_up(c, c->heap_len - 1);
	return 0;
}

static uint64_t interval_ms(const struct mv_checker *c, const struct hc_check *k)
{
	return (uint64_t)k->interval_s * c->ms_per_s;
}

/* ---- libcurl's callbacks (engine thread, inside curl calls) --------------- */

static int on_socket(CURL *easy, curl_socket_t s, int what, void *arg, void *socketp)
{
	struct mv_checker *c = arg;
	struct epoll_event ev = {.data.fd = s};

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		epoll_ctl(c->epfd, EPOLL_CTL_DEL, s, NULL);
		return 0;
	}
	ev.events = (what & CURL_POLL_IN ? EPOLLIN : 0u) | (what & CURL_POLL_OUT ? EPOLLOUT : 0u);
	if (socketp == NULL) {
		if (epoll_ctl(c->epfd, EPOLL_CTL_ADD, s, &ev) != 0 && errno == EEXIST)
			epoll_ctl(c->epfd, EPOLL_CTL_MOD, s, &ev);
		curl_multi_assign(c->multi, s, c);
	} else {
		epoll_ctl(c->epfd, EPOLL_CTL_MOD, s, &ev);
	}
	return 0;
}

static int on_timer(CURLM *multi, long timeout_ms, void *arg)
{
	struct mv_checker *c = arg;

	(void)multi;
	c->curl_due_ms = timeout_ms < 0 ? 0 : hc_now_mono_ms() + (uint64_t)timeout_ms;
	if (c->curl_due_ms == 0 && timeout_ms >= 0)
		c->curl_due_ms = 1;
	return 0;
}

/* ---- probes (under the lock) ---------------------------------------------- */

static void active_remove(struct mv_checker *c, struct hc_xfer *x)
{
	struct hc_xfer *last = c->active[--c->nactive];

	c->active[x->active_idx] = last;
	last->active_idx = x->active_idx;
	x->active_idx = HC_NOT_QUEUED;
}

/* Detach x from libcurl and its check; x goes back to the idle slots. */
static void xfer_release(struct mv_checker *c, struct hc_xfer *x)
{
	curl_multi_remove_handle(c->multi, x->easy);
	active_remove(c, x);
	if (x->check != NULL && x->check->xfer == x)
		x->check->xfer = NULL;
	x->check = NULL;
	x->spec = NULL;
	x->next_free = c->idle;
	c->idle = x;
}

/* Keep result r for k, update its status, and schedule its next probe. */
static void record(struct mv_checker *c, struct hc_check *k, const struct mv_check_result *r)
{
	bool before;

	c->probes++;
	if (k->removed)
		return;
	k->obs_head = (uint8_t)((k->obs_head + 1) % MV_CHECKER_OBSERVATIONS);
	k->obs[k->obs_head] = *r;
	if (k->obs_count < MV_CHECKER_OBSERVATIONS)
		k->obs_count++;
	before = mv_check_status_effective(&k->status, k->disabled);
	mv_check_status_feed(&k->status, r->success, k->inverted, k->threshold);
	if (mv_check_status_effective(&k->status, k->disabled) != before)
		hc_queue_event(c, k);
	if (hc_probed(k))
		schedule_at(c, k, hc_now_mono_ms() + interval_ms(c, k));
}

static void finish(struct mv_checker *c, struct hc_xfer *x, CURLcode rc)
{
	struct hc_check *k = x->check;
	struct mv_check_result r;

	hc_xfer_result(x, rc, &r);
	xfer_release(c, x);
	if (k != NULL)
		record(c, k, &r);
}

static void reap(struct mv_checker *c)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(c->multi, &left)) != NULL) {
		struct hc_xfer *x = NULL;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
		if (x != NULL)
			finish(c, x, msg->data.result);
	}
}

/* Probes connected for longer than the status limit without a status fail now. */
static uint64_t enforce_deadlines(struct mv_checker *c, uint64_t now)
{
	uint64_t next = 0;

	for (size_t i = 0; i < c->nactive;) {
		struct hc_xfer *x = c->active[i];
		uint64_t d = x->status_deadline_ms;

		if (d != 0 && !x->decided && now >= d) {
			x->decided = true;
			x->verdict.outcome = MV_OUTCOME_STATUS_TIMEOUT;
			x->verdict.detail = (uint16_t)x->status_ms;
			x->verdict.success = false;
			finish(c, x, CURLE_OPERATION_TIMEDOUT); /* swaps the last slot into i */
			continue;
		}
		if (d != 0 && !x->decided && (next == 0 || d < next))
			next = d;
		i++;
	}
	return next;
}

/* Apply what the API changed: new, updated and removed checks, replaced specs. */
static void apply_changes(struct mv_checker *c, uint64_t now)
{
	struct hc_check *k;

	while ((k = c->dirty) != NULL) {
		unsigned flags = k->dirty;

		c->dirty = k->next_dirty;
		k->next_dirty = NULL;
		k->dirty = 0;
		if ((flags & (HC_DIRTY_REMOVE | HC_DIRTY_RESCHEDULE)) && k->xfer != NULL)
			xfer_release(c, k->xfer);
		if (flags & HC_DIRTY_REMOVE) {
			heap_remove(c, k);
			free(k->spec);
			free(k);
			continue;
		}
		if (flags & HC_DIRTY_RESCHEDULE)
			heap_remove(c, k);
		if (hc_probed(k) && k->xfer == NULL && k->heap_idx == HC_NOT_QUEUED)
			schedule_at(c, k, now + rng_next(c) % (interval_ms(c, k) + 1));
		else if (!hc_probed(k))
			heap_remove(c, k);
	}
	while (c->dead != NULL) {
		struct hc_spec *s = c->dead;

		c->dead = s->next_dead;
		free(s);
	}
}

static struct hc_xfer *xfer_get(struct mv_checker *c)
{
	struct hc_xfer *x = c->idle;

	if (x != NULL) {
		c->idle = x->next_free;
		return x;
	}
	return hc_xfer_new();
}

/* Start every probe that is due, within the cap. */
static void start_due(struct mv_checker *c, uint64_t now)
{
	while (c->heap_len > 0 && c->heap[0]->due_ms <= now && c->nactive < c->max_inflight) {
		struct hc_check *k = c->heap[0];
		struct hc_xfer *x = xfer_get(c);

		heap_remove(c, k);
		if (x == NULL) {
			schedule_at(c, k, now + LOOP_RETRY_MS);
			return;
		}
		x->check = k;
		x->spec = k->spec;
		if (hc_xfer_prepare(x, c->connect_ms, c->status_ms, c->tcp_ms) != 0 ||
		    curl_multi_add_handle(c->multi, x->easy) != CURLM_OK) {
			struct mv_check_result r = {.time_ms = hc_now_real_ms(),
						    .outcome = MV_OUTCOME_CURL,
						    .detail = CURLE_FAILED_INIT};

			x->check = NULL;
			x->next_free = c->idle;
			c->idle = x;
			record(c, k, &r);
			continue;
		}
		k->xfer = x;
		x->active_idx = (uint32_t)c->nactive;
		c->active[c->nactive++] = x;
	}
}

/* How long epoll_wait may sleep. */
static int wait_ms(const struct mv_checker *c, uint64_t now, uint64_t status_due)
{
	uint64_t due = now + LOOP_MAX_WAIT_MS;

	if (c->curl_due_ms != 0 && c->curl_due_ms < due)
		due = c->curl_due_ms;
	if (status_due != 0 && status_due < due)
		due = status_due;
	if (c->heap_len > 0 && c->nactive < c->max_inflight && c->heap[0]->due_ms < due)
		due = c->heap[0]->due_ms;
	return due <= now ? 0 : (int)(due - now);
}

static void teardown(struct mv_checker *c)
{
	while (c->nactive > 0)
		xfer_release(c, c->active[0]);
	while (c->idle != NULL) {
		struct hc_xfer *x = c->idle;

		c->idle = x->next_free;
		hc_xfer_free(x);
	}
	curl_multi_cleanup(c->multi);
	c->multi = NULL;
	free(c->heap);
	c->heap = NULL;
	c->heap_len = c->heap_cap = 0;
}

void *hc_loop_run(void *arg)
{
	struct mv_checker *c = arg;
	struct epoll_event evs[LOOP_EVENTS];
	uint64_t status_due = 0;
	int running;

	curl_multi_setopt(c->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(c->multi, CURLMOPT_SOCKETDATA, c);
	curl_multi_setopt(c->multi, CURLMOPT_TIMERFUNCTION, on_timer);
	curl_multi_setopt(c->multi, CURLMOPT_TIMERDATA, c);
	c->rng = (uint64_t)hc_now_real_ms() * 0x9E3779B97F4A7C15ull | 1;

	for (;;) {
		uint64_t now = hc_now_mono_ms();
		int n = epoll_wait(c->epfd, evs, LOOP_EVENTS, wait_ms(c, now, status_due));

		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd, flags = 0;
			uint64_t v;

			if (fd == c->wake_fd) {
				if (read(fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
					break;
				continue;
			}
			flags |= evs[i].events & EPOLLIN ? CURL_CSELECT_IN : 0;
			flags |= evs[i].events & EPOLLOUT ? CURL_CSELECT_OUT : 0;
			flags |= evs[i].events & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0;
			curl_multi_socket_action(c->multi, fd, flags, &running);
		}
		now = hc_now_mono_ms();
		if (c->curl_due_ms != 0 && now >= c->curl_due_ms) {
			c->curl_due_ms = 0;
			curl_multi_socket_action(c->multi, CURL_SOCKET_TIMEOUT, 0, &running);
		}

		pthread_mutex_lock(&c->lock);
		if (c->stop) {
			pthread_mutex_unlock(&c->lock);
			break;
		}
		reap(c);
		now = hc_now_mono_ms();
		status_due = enforce_deadlines(c, now);
		apply_changes(c, now);
		start_due(c, now);
		pthread_mutex_unlock(&c->lock);
	}
	teardown(c);
	return NULL;
}
