/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The engine's API: creation and teardown, the table of checks (a chained
 * hash on the id), the event queue with its eventfd, and the calls the owner
 * makes from its own thread. The engine thread itself is in loop.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <unistd.h>

#include "checker_pvt.h"

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_FAILED_INIT;

static void curl_init_once(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static size_t bucket_of(const struct mv_checker *c, uint32_t id)
{
	return (size_t)((id * 2654435761u) & (c->nbuckets - 1));
}

static struct hc_check *find(const struct mv_checker *c, uint32_t id)
{
	struct hc_check *k = c->buckets[bucket_of(c, id)];

	while (k != NULL && k->id != id)
		k = k->next_hash;
	return k;
}

/* Double the table once it holds as many checks as buckets; failure is harmless. */
static void grow(struct mv_checker *c)
{
	size_t n = c->nbuckets * 2, old = c->nbuckets;
	struct hc_check **b, **prev = c->buckets;

	if (c->count < c->nbuckets || (b = calloc(n, sizeof(*b))) == NULL)
		return;
	c->buckets = b;
	c->nbuckets = n;
	for (size_t i = 0; i < old; i++) {
		struct hc_check *k = prev[i], *next;

		for (; k != NULL; k = next) {
			next = k->next_hash;
			k->next_hash = b[bucket_of(c, k->id)];
			b[bucket_of(c, k->id)] = k;
		}
	}
	free(prev);
}

static void unlink_check(struct mv_checker *c, struct hc_check *k)
{
	struct hc_check **p = &c->buckets[bucket_of(c, k->id)];

	while (*p != k)
		p = &(*p)->next_hash;
	*p = k->next_hash;
	k->next_hash = NULL;
	c->count--;
}

static void wake(struct mv_checker *c)
{
	uint64_t one = 1;

	if (write(c->wake_fd, &one, sizeof(one)) < 0) {
		/* EAGAIN: the counter is saturated, so the engine is awake anyway */
	}
}

static void mark_dirty(struct mv_checker *c, struct hc_check *k, unsigned flags)
{
	if (k->dirty == 0) {
		k->next_dirty = c->dirty;
		c->dirty = k;
	}
	k->dirty |= (uint8_t)flags;
	wake(c);
}

bool hc_probed(const struct hc_check *k)
{
	return !k->removed && !k->disabled && k->type != MV_CHECK_EXTERNAL;
}

void hc_queue_event(struct mv_checker *c, struct hc_check *k)
{
	uint64_t one = 1;

	if (k->event_queued)
		return;
	if (c->nevents == c->events_cap) {
		size_t cap = c->events_cap ? 2 * c->events_cap : 64;
		uint32_t *e = realloc(c->events, cap * sizeof(*e));

		if (e == NULL)
			return; /* the status is still right; only the notice is lost */
		c->events = e;
		c->events_cap = cap;
	}
	c->events[c->nevents++] = k->id;
	k->event_queued = true;
	if (c->nevents == 1 && write(c->event_fd, &one, sizeof(one)) < 0) {
		/* EAGAIN: already readable */
	}
}

struct mv_checker *mv_checker_create(void)
{
	struct mv_checker *c;
	struct rlimit rl;
	sigset_t all, old;
	int err = ENOMEM;

	pthread_once(&curl_once, curl_init_once);
	if (curl_init_rc != CURLE_OK) {
		errno = ENOMEM;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->event_fd = c->wake_fd = c->epfd = -1;
	c->nbuckets = 64;
	c->ms_per_s = 1000;
	c->connect_ms = 4000;
	c->status_ms = 2000;
	c->tcp_ms = 10000;
	c->max_inflight = MV_CHECKER_MAX_INFLIGHT;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur / 2 < c->max_inflight)
		c->max_inflight = rl.rlim_cur / 2 > 16 ? (unsigned)(rl.rlim_cur / 2) : 16;
	if (pthread_mutex_init(&c->lock, NULL) != 0)
		goto fail_free;
	c->buckets = calloc(c->nbuckets, sizeof(*c->buckets));
	c->active = calloc(c->max_inflight, sizeof(*c->active));
	if (c->buckets == NULL || c->active == NULL)
		goto fail_mutex;
	c->event_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	c->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	c->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (c->event_fd < 0 || c->wake_fd < 0 || c->epfd < 0) {
		err = errno;
		goto fail_fds;
	}
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = c->wake_fd};
	c->multi = curl_multi_init();
	if (c->multi == NULL || epoll_ctl(c->epfd, EPOLL_CTL_ADD, c->wake_fd, &ev) != 0)
		goto fail_multi;
	/* The engine thread takes no signals: they stay the owner's business. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&c->thread, NULL, hc_loop_run, c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err == 0)
		return c;
fail_multi:
	curl_multi_cleanup(c->multi);
fail_fds:
	if (c->epfd >= 0)
		close(c->epfd);
	if (c->wake_fd >= 0)
		close(c->wake_fd);
	if (c->event_fd >= 0)
		close(c->event_fd);
fail_mutex:
	free(c->active);
	free(c->buckets);
	pthread_mutex_destroy(&c->lock);
fail_free:
	free(c);
	errno = err;
	return NULL;
}

void mv_checker_destroy(struct mv_checker *c)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&c->lock);
	c->stop = true;
	wake(c);
	pthread_mutex_unlock(&c->lock);
	pthread_join(c->thread, NULL);

	/* Removed checks are on the dirty list only; the others are in the table. */
	for (struct hc_check *k = c->dirty, *next; k != NULL; k = next) {
		next = k->next_dirty;
		if (k->removed) {
			free(k->spec);
			free(k);
		}
	}
	for (size_t i = 0; i < c->nbuckets; i++) {
		struct hc_check *k = c->buckets[i], *next;

		for (; k != NULL; k = next) {
			next = k->next_hash;
			free(k->spec);
			free(k);
		}
	}
	while (c->dead != NULL) {
		struct hc_spec *s = c->dead;

		c->dead = s->next_dead;
		free(s);
	}
	close(c->epfd);
	close(c->wake_fd);
	close(c->event_fd);
	free(c->events);
	free(c->active);
	free(c->buckets);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

/* Copy cfg's scheduling fields into k. */
static void take_config(struct hc_check *k, const struct mv_check_config *cfg)
{
	k->threshold = (uint8_t)(k->type == MV_CHECK_EXTERNAL ? 1 : cfg->failure_threshold);
	k->inverted = cfg->inverted;
	k->disabled = cfg->disabled;
	k->interval_s = (uint16_t)cfg->request_interval;
}

int mv_checker_add(struct mv_checker *c, uint32_t id, const struct mv_check_config *cfg,
		   bool healthy_now)
{
	struct hc_check *k;
	struct hc_spec *spec = NULL;

	if (mv_check_config_validate(cfg, NULL, 0) != 0)
		return -EINVAL;
	if (cfg->type != MV_CHECK_EXTERNAL && (spec = hc_spec_build(cfg)) == NULL)
		return -ENOMEM;
	k = calloc(1, sizeof(*k));
	if (k == NULL) {
		free(spec);
		return -ENOMEM;
	}
	k->id = id;
	k->type = (uint8_t)cfg->type;
	k->spec = spec;
	k->heap_idx = HC_NOT_QUEUED;
	k->obs_head = MV_CHECKER_OBSERVATIONS - 1;
	take_config(k, cfg);
	mv_check_status_init(&k->status, healthy_now);

	pthread_mutex_lock(&c->lock);
	if (find(c, id) != NULL) {
		pthread_mutex_unlock(&c->lock);
		free(spec);
		free(k);
		return -EEXIST;
	}
	k->next_hash = c->buckets[bucket_of(c, id)];
	c->buckets[bucket_of(c, id)] = k;
	c->count++;
	grow(c);
	if (hc_probed(k))
		mark_dirty(c, k, HC_DIRTY_ADD);
	pthread_mutex_unlock(&c->lock);
	return 0;
}

int mv_checker_update(struct mv_checker *c, uint32_t id, const struct mv_check_config *cfg)
{
	struct hc_spec *spec = NULL;
	struct hc_check *k;
	bool before;

	if (mv_check_config_validate(cfg, NULL, 0) != 0)
		return -EINVAL;
	if (cfg->type != MV_CHECK_EXTERNAL && (spec = hc_spec_build(cfg)) == NULL)
		return -ENOMEM;
	pthread_mutex_lock(&c->lock);
	k = find(c, id);
	if (k == NULL || k->type != cfg->type) {
		pthread_mutex_unlock(&c->lock);
		free(spec);
		return k == NULL ? -ENOENT : -EINVAL;
	}
	before = mv_check_status_effective(&k->status, k->disabled);
	if (k->inverted != cfg->inverted)
		mv_check_status_init(&k->status, !k->status.healthy);
	if (k->spec != NULL) {
		k->spec->next_dead = c->dead;
		c->dead = k->spec;
	}
	k->spec = spec;
	take_config(k, cfg);
	if (mv_check_status_effective(&k->status, k->disabled) != before)
		hc_queue_event(c, k);
	if (k->type != MV_CHECK_EXTERNAL)
		mark_dirty(c, k, HC_DIRTY_RESCHEDULE);
	pthread_mutex_unlock(&c->lock);
	return 0;
}

int mv_checker_remove(struct mv_checker *c, uint32_t id)
{
	struct hc_check *k;

	pthread_mutex_lock(&c->lock);
	k = find(c, id);
	if (k == NULL) {
		pthread_mutex_unlock(&c->lock);
		return -ENOENT;
	}
	unlink_check(c, k);
	k->removed = true;
	k->event_queued = false;
	mark_dirty(c, k, HC_DIRTY_REMOVE);
	pthread_mutex_unlock(&c->lock);
	return 0;
}

int mv_checker_set_external(struct mv_checker *c, uint32_t id, bool healthy)
{
	struct mv_check_result r = {
		.time_ms = hc_now_real_ms(), .outcome = MV_OUTCOME_EXTERNAL, .success = healthy};
	struct hc_check *k;
	bool before;

	pthread_mutex_lock(&c->lock);
	k = find(c, id);
	if (k == NULL || k->type != MV_CHECK_EXTERNAL) {
		pthread_mutex_unlock(&c->lock);
		return k == NULL ? -ENOENT : -EINVAL;
	}
	k->obs_head = (uint8_t)((k->obs_head + 1) % MV_CHECKER_OBSERVATIONS);
	k->obs[k->obs_head] = r;
	if (k->obs_count < MV_CHECKER_OBSERVATIONS)
		k->obs_count++;
	before = mv_check_status_effective(&k->status, k->disabled);
	mv_check_status_feed(&k->status, healthy, k->inverted, 1);
	if (mv_check_status_effective(&k->status, k->disabled) != before)
		hc_queue_event(c, k);
	pthread_mutex_unlock(&c->lock);
	return 0;
}

bool mv_checker_healthy(struct mv_checker *c, uint32_t id)
{
	struct hc_check *k;
	bool healthy;

	pthread_mutex_lock(&c->lock);
	k = find(c, id);
	healthy = k != NULL && mv_check_status_effective(&k->status, k->disabled);
	pthread_mutex_unlock(&c->lock);
	return healthy;
}

bool mv_checker_exists(struct mv_checker *c, uint32_t id)
{
	bool found;

	pthread_mutex_lock(&c->lock);
	found = find(c, id) != NULL;
	pthread_mutex_unlock(&c->lock);
	return found;
}

size_t mv_checker_observations(struct mv_checker *c, uint32_t id, struct mv_check_observation *out,
			       size_t max)
{
	struct mv_check_result r[MV_CHECKER_OBSERVATIONS];
	struct hc_check *k;
	size_t n = 0;

	pthread_mutex_lock(&c->lock);
	k = find(c, id);
	if (k != NULL) {
		n = k->obs_count < max ? k->obs_count : max;
		for (size_t i = 0; i < n; i++)
			r[i] = k->obs[(k->obs_head + MV_CHECKER_OBSERVATIONS - i) %
				      MV_CHECKER_OBSERVATIONS];
	}
	pthread_mutex_unlock(&c->lock);
	for (size_t i = 0; i < n; i++) {
		out[i].time_ms = r[i].time_ms;
		out[i].success = r[i].success;
		mv_check_result_format(&r[i], out[i].reason, sizeof(out[i].reason));
	}
	return n;
}

int mv_checker_event_fd(const struct mv_checker *c)
{
	return c->event_fd;
}

struct drained {
	uint32_t id;
	bool healthy;
};

size_t mv_checker_drain(struct mv_checker *c, void (*fn)(uint32_t id, bool healthy, void *arg),
			void *arg)
{
	struct drained *d;
	size_t n = 0;
	uint64_t v;

	pthread_mutex_lock(&c->lock);
	if (c->nevents == 0 || (d = malloc(c->nevents * sizeof(*d))) == NULL) {
		pthread_mutex_unlock(&c->lock);
		return 0;
	}
	for (size_t i = 0; i < c->nevents; i++) {
		struct hc_check *k = find(c, c->events[i]);

		if (k == NULL || !k->event_queued)
			continue; /* removed since */
		k->event_queued = false;
		d[n].id = k->id;
		d[n++].healthy = mv_check_status_effective(&k->status, k->disabled);
	}
	c->nevents = 0;
	if (read(c->event_fd, &v, sizeof(v)) < 0) {
		/* EAGAIN: not readable; nothing to clear */
	}
	pthread_mutex_unlock(&c->lock);
	for (size_t i = 0; i < n; i++)
		fn(d[i].id, d[i].healthy, arg);
	free(d);
	return n;
}

size_t mv_checker_count(struct mv_checker *c)
{
	size_t n;

	pthread_mutex_lock(&c->lock);
	n = c->count;
	pthread_mutex_unlock(&c->lock);
	return n;
}

unsigned mv_checker_max_inflight(const struct mv_checker *c)
{
	return c->max_inflight;
}

uint64_t mv_checker_probes(struct mv_checker *c)
{
	uint64_t n;

	pthread_mutex_lock(&c->lock);
	n = c->probes;
	pthread_mutex_unlock(&c->lock);
	return n;
}

int mv_checker_set_interval_scale(struct mv_checker *c, unsigned ms_per_second)
{
	if (ms_per_second == 0)
		return -EINVAL;
	pthread_mutex_lock(&c->lock);
	c->ms_per_s = ms_per_second;
	pthread_mutex_unlock(&c->lock);
	return 0;
}

int mv_checker_set_timeouts(struct mv_checker *c, unsigned connect_ms, unsigned status_ms,
			    unsigned tcp_connect_ms)
{
	if (connect_ms == 0 || status_ms == 0 || tcp_connect_ms == 0 || connect_ms > 60000 ||
	    status_ms > 60000 || tcp_connect_ms > 60000)
		return -EINVAL;
	pthread_mutex_lock(&c->lock);
	c->connect_ms = connect_ms;
	c->status_ms = status_ms;
	c->tcp_ms = tcp_connect_ms;
	pthread_mutex_unlock(&c->lock);
	return 0;
}
