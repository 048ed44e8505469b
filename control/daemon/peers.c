/* SPDX-License-Identifier: BSD-3-Clause */
#include "peers.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "channel.h"
#include "feed.h"
#include "grow.h"
#include "name.h"
#include "pid.h"
#include "text.h"

#define WAIT_NS       50000     /* sleep while a ring is full */
#define STEP_NS       2000000   /* work of one peers_step before the loop serves again */
#define STEP_CHECK    64        /* owners written between two looks at the clock */
#define STEP_WAIT_MS  1         /* how long the loop sleeps when the rings are full */
#define GIVE_UP_NS    100000000 /* a ring full this long: its peer gets a full state instead */
#define PEER_NAME_MAX 256

struct peer {
	char file[PEER_NAME_MAX]; /* name in the directory */
	dev_t dev;
	ino_t ino;
	struct mv_chan_shm *shm; /* NULL when not attached */
	size_t map_size;
	uint64_t epoch;
	uint64_t sync_seq; /* our last full state: nothing before it counts as applied */
	uint64_t rejected; /* last seen, to report increases */
	int ignored;       /* reported as not ours; re-checked quietly */
	int seen;          /* found by the current scan */
	int dead;          /* detach at the end of the current operation */
	/*
	 * A full state on its way (peers_step): the walk's place, the zone
	 * zones_at(zone) and in it the last owner written (none: last_len 0);
	 * and the owners behind that place that batches changed since, one
	 * length octet and the wire name each, sent again before the COMMIT.
	 */
	int syncing;
	int begun; /* its SYNC_BEGIN is written */
	size_t zone;
	uint8_t last[MVDNS_NAME_MAX];
	size_t last_len;
	uint8_t *behind;
	size_t nbehind, behindcap;
	size_t behind_at; /* the next of them to send, once the zones are walked */
};

struct peers {
	char dir[PEER_NAME_MAX];
	struct zones *zones;
	struct peer *v;
	size_t n, cap;
	uint8_t *buf; /* one encoded message, MV_CHAN_MSG_MAX octets */
	const struct mv_rrset **sets;
	size_t nsets, setcap;
	uint64_t self;
	char **only; /* peers_restrict: the segment files to attach; none: all */
	size_t nonly;
};

static void log_peer(const struct peer *pe, const char *what)
{
	fprintf(stderr, "mvdns-control: dataplane %s: %s\n", pe->file, what);
}

/* ---- writing, with the dataplane's liveness checked while we wait ---- */

static int peer_gone(const struct peers *p, const struct peer *pe)
{
	char path[2 * PEER_NAME_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", p->dir, pe->file);
	return stat(path, &st) != 0 || st.st_ino != pe->ino || st.st_dev != pe->dev ||
	       !mv_pid_runs(pe->shm->dp_pid);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

struct wait_ctx {
	const struct peers *p;
	struct peer *pe;
	uint64_t since;
};

static int peer_wait(void *arg)
{
	struct wait_ctx *w = arg;
	struct timespec ts = {0, WAIT_NS};

	nanosleep(&ts, NULL);
	if (now_ns() - w->since < GIVE_UP_NS)
		return 0;
	return peer_gone(w->p, w->pe) ? -EPIPE : -ETIMEDOUT;
}

static void sync_begin(struct peers *p, struct peer *pe);

/*
 * Write a message, waiting while the ring is full. A dataplane that leaves
 * it full for GIVE_UP_NS (stopped, or far behind) does not hold up the
 * control and every other dataplane any longer: what it lacks goes in a
 * full state, which peers_step writes as its ring makes room.
 */
static void peer_write(struct peers *p, struct peer *pe, const void *msg, size_t len)
{
	struct wait_ctx w = {p, pe, now_ns()};
	int rc;

	if (pe->shm == NULL || pe->dead)
		return;
	rc = feed_ring_write(pe->shm, msg, (uint32_t)len, peer_wait, &w);
	if (rc == -ETIMEDOUT) {
		log_peer(pe, "its ring stayed full; it gets the full state once it has room");
		sync_begin(p, pe);
	} else if (rc != 0) {
		log_peer(pe, rc == -EPIPE ? "gone while its ring was full; detached"
					  : "inconsistent ring positions; detached");
		pe->dead = 1;
	}
}

/* A write that never waits: -EAGAIN when the ring lacks room now. */
static int no_wait(void *arg)
{
	(void)arg;
	return -EAGAIN;
}

/* peer_write without waiting; 0, -EAGAIN (nothing written), or -EPIPE (now dead). */
static int peer_try_write(struct peer *pe, const void *msg, size_t len)
{
	int rc;

	if (pe->shm == NULL || pe->dead)
		return -EPIPE;
	rc = feed_ring_write(pe->shm, msg, (uint32_t)len, no_wait, NULL);
	if (rc == 0 || rc == -EAGAIN)
		return rc;
	log_peer(pe, "inconsistent ring positions; detached");
	pe->dead = 1;
	return -EPIPE;
}

/* No full state under way any more. */
static void sync_end(struct peer *pe)
{
	pe->syncing = 0;
	free(pe->behind);
	pe->behind = NULL;
	pe->nbehind = pe->behindcap = pe->behind_at = 0;
}

static void peer_unmap(struct peer *pe)
{
	if (pe->shm != NULL)
		munmap(pe->shm, pe->map_size);
	pe->shm = NULL;
	pe->dead = 0;
	sync_end(pe);
}

/* ---- names: collect the sets at one owner, encode, send ---- */

static int collect(const struct mv_rrset *rr, void *arg)
{
	struct peers *p = arg;

	if (MV_GROW(p->sets, p->setcap, p->nsets + 1, 64) != 0)
		return -ENOMEM;
	p->sets[p->nsets++] = rr;
	return 0;
}

/* Encode the collected sets of owner into p->buf; returns the length or 0 (logged). */
static size_t encode_collected(struct peers *p, const uint8_t *owner, uint64_t seq)
{
	long len = feed_encode_name(owner, p->sets, p->nsets, seq, p->buf, MV_CHAN_MSG_MAX);
	char text[1024];

	if (len > 0)
		return (size_t)len;
	dns_name_to_text(owner, text, sizeof(text));
	fprintf(stderr, "mvdns-control: %s: too large for one channel message; not sent\n", text);
	return 0;
}

/* ---- health statuses ---- */

/* MV_CHAN_HEALTH messages for st[0..n), to one peer or (pe NULL) to all. */
static void health_write(struct peers *p, struct peer *pe, const struct feed_health *st, size_t n,
			 uint64_t seq)
{
	while (n > 0) {
		size_t chunk = n < FEED_HEALTH_MAX ? n : FEED_HEALTH_MAX;
		long len = feed_encode_health(st, chunk, seq, p->buf, MV_CHAN_MSG_MAX);

		/* A peer receiving its full state gets every status at its end. */
		for (size_t k = 0; len > 0 && k < p->n; k++)
			if (pe == &p->v[k] || (pe == NULL && !p->v[k].syncing))
				peer_write(p, &p->v[k], p->buf, (size_t)len);
		st += chunk;
		n -= chunk;
	}
}

/* The status of every health check, after a SYNC_BEGIN; 0 or -ENOMEM. */
static int sync_health(struct peers *p, struct peer *pe, uint64_t seq)
{
	const struct checks *c = zones_checks(p->zones);
	size_t n = checks_count(c), done = 0;
	struct feed_health *st;

	if (n == 0)
		return 0;
	st = malloc((n < FEED_HEALTH_MAX ? n : FEED_HEALTH_MAX) * sizeof(*st));
	if (st == NULL)
		return -ENOMEM;
	while (done < n) {
		size_t k = 0;

		for (; k < FEED_HEALTH_MAX && done < n; k++, done++) {
			const struct checks_check *check = checks_at(c, done);

			st[k] = (struct feed_health){
				check->index, check->healthy ? MV_CHAN_HEALTHY : MV_CHAN_UNHEALTHY};
		}
		health_write(p, pe, st, k, seq);
	}
	free(st);
	return 0;
}

/* ---- full state ---- */

/*
 * A full state goes out a slice at a time from the daemon's loop
 * (peers_step), so that mvdns-control serves its API while a dataplane
 * takes millions of names at its own pace: written in one go, it served
 * nothing for as long as the dataplane took to stage them (10M names: 3.9 s,
 * bench/HISTORY.md, seventeenth stop). SYNC_BEGIN goes first (sync_begin);
 * then the zones are walked in their order and each zone's owners in the
 * store's, then again every owner behind the walk's place that a batch
 * changed meanwhile, as many as the ring takes without waiting (sync_walk);
 * at the end, every health status and the COMMIT with the latest batch's
 * number (sync_finish). Batches published meanwhile are not written to that
 * peer (peers_publish_batch notes their owners, sync_note): an owner ahead
 * of the walk goes with the content the walk finds.
 *
 * The dataplane applies the names of a full state in the order they came
 * (from a name whose zone has not come yet on, apexes first at the COMMIT),
 * so a name sent twice ends with its second content, as long as it is not
 * an apex once and not the other time. Only a zone deleted
 * during the walk can bring that about (a name of it that becomes the apex
 * of a new zone), and a deletion also moves the zones behind the walk's
 * place: it starts the full state again.
 */

/* Start sending pe its full state, under a number of its own, from the start. */
static void sync_begin(struct peers *p, struct peer *pe)
{
	uint64_t applied = __atomic_load_n(&pe->shm->applied_seq, __ATOMIC_ACQUIRE);

	/* Above anything this dataplane applied or may yet apply from a predecessor. */
	zones_seq_raise(p->zones, applied);
	zones_seq_raise(p->zones, feed_ring_max_seq(pe->shm));
	pe->sync_seq = zones_seq(p->zones) + 1;
	zones_seq_raise(p->zones, pe->sync_seq);
	pe->syncing = 1;
	pe->begun = 0; /* peers_step writes the SYNC_BEGIN */
	pe->zone = 0;
	pe->last_len = 0;
	pe->nbehind = pe->behind_at = 0;
}

/* Note a batch's owner for a peer receiving its full state. */
static void sync_note(struct peers *p, struct peer *pe, const uint8_t *owner)
{
	const struct zones_zone *z = zones_owner(p->zones, owner);
	size_t len = dns_name_len(owner);
	int behind;

	if (z == NULL) { /* its zone was deleted: see above */
		log_peer(pe, "a zone was deleted during its full state; starting it again");
		sync_begin(p, pe);
		return;
	}
	if (pe->zone >= zones_count(p->zones))
		behind = 1;
	else if (z != zones_at(p->zones, pe->zone))
		behind = z->order < zones_at(p->zones, pe->zone)->order;
	else
		behind = pe->last_len > 0 && mv_store_name_cmp(owner, pe->last) <= 0;
	if (!behind)
		return;
	if (MV_GROW(pe->behind, pe->behindcap, pe->nbehind + 1 + len, 4096) != 0) {
		log_peer(pe, "out of memory during the full state; detached");
		pe->dead = 1;
		return;
	}
	pe->behind[pe->nbehind] = (uint8_t)len;
	memcpy(pe->behind + pe->nbehind + 1, owner, len);
	pe->nbehind += 1 + len;
}

struct walk_ctx {
	struct peers *p;
	struct peer *pe;
	uint64_t deadline; /* CLOCK_MONOTONIC, ns */
	unsigned written;
};

/* Write the collected sets (one owner's) without waiting: 0, -EAGAIN, -EPIPE. */
static int walk_flush(struct walk_ctx *w)
{
	struct peers *p = w->p;
	const struct mv_rrset *first;
	size_t len;

	if (p->nsets == 0)
		return 0;
	first = p->sets[0];
	len = encode_collected(p, first->owner, w->pe->sync_seq);
	if (len > 0) {
		int rc = peer_try_write(w->pe, p->buf, len);
		if (rc != 0)
			return rc;
	}
	memcpy(w->pe->last, first->owner, first->owner_len);
	w->pe->last_len = first->owner_len;
	p->nsets = 0;
	return 0;
}

static int walk_one(const struct mv_rrset *rr, void *arg)
{
	struct walk_ctx *w = arg;
	struct peers *p = w->p;
	int rc;

	if (w->pe->last_len == rr->owner_len && memcmp(w->pe->last, rr->owner, rr->owner_len) == 0)
		return 0; /* written by an earlier step */
	if (p->nsets > 0 && (p->sets[0]->owner_len != rr->owner_len ||
			     memcmp(p->sets[0]->owner, rr->owner, rr->owner_len) != 0)) {
		rc = walk_flush(w);
		if (rc != 0)
			return rc;
		if (++w->written % STEP_CHECK == 0 && now_ns() >= w->deadline)
			return -ETIME;
	}
	return collect(rr, p);
}

/*
 * Write pe's SYNC_BEGIN if it is not yet, then its next owners, those of the
 * zones, then those behind the walk that batches changed, until its ring is
 * full or the deadline passes.
 * Returns 0 once every zone is written, -EAGAIN (ring full), -ETIME
 * (deadline), -EPIPE (pe died), -ENOMEM.
 */
static int sync_walk(struct peers *p, struct peer *pe, uint64_t deadline)
{
	struct walk_ctx w = {p, pe, deadline, 0};

	if (!pe->begun) {
		uint8_t msg[sizeof(struct mv_chan_msg)];
		int rc = peer_try_write(pe, msg,
					feed_encode_ctl(MV_CHAN_SYNC_BEGIN, pe->sync_seq, msg));
		if (rc != 0)
			return rc;
		pe->begun = 1;
	}
	while (pe->zone < zones_count(p->zones)) {
		const struct mv_store *store = zones_at(p->zones, pe->zone)->store;
		int rc;

		p->nsets = 0;
		rc = mv_store_foreach_from(store, pe->last_len > 0 ? pe->last : NULL, 0, NULL,
					   walk_one, &w);
		if (rc == 0)
			rc = walk_flush(&w);
		p->nsets = 0;
		if (rc != 0)
			return rc;
		pe->zone++;
		pe->last_len = 0;
	}
	/* Then the owners behind the walk that batches changed (every one, now). */
	while (pe->behind_at < pe->nbehind) {
		const uint8_t *owner = pe->behind + pe->behind_at + 1;
		size_t near = 0, len;
		int rc = 0;

		p->nsets = 0;
		if (zones_foreach_at(p->zones, owner, &near, collect, p) != 0)
			rc = -ENOMEM;
		len = rc == 0 ? encode_collected(p, owner, pe->sync_seq) : 0;
		p->nsets = 0;
		if (len > 0)
			rc = peer_try_write(pe, p->buf, len);
		if (rc != 0)
			return rc;
		pe->behind_at += 1u + pe->behind[pe->behind_at];
		if (++w.written % STEP_CHECK == 0 && now_ns() >= deadline)
			return -ETIME;
	}
	return 0;
}

/* Every status and the COMMIT: the full state is complete. */
static void sync_finish(struct peers *p, struct peer *pe)
{
	uint64_t seq = zones_seq(p->zones); /* every batch so far is in this state */
	uint8_t msg[sizeof(struct mv_chan_msg)];

	if (sync_health(p, pe, seq) != 0 && !pe->dead) {
		log_peer(pe, "out of memory during the full state; detached");
		pe->dead = 1;
	}
	/*
	 * Never COMMIT a partial state: a dead peer is detached (the next scan
	 * starts over), and one whose ring stayed full has begun again.
	 */
	if (!pe->dead && pe->begun)
		peer_write(p, pe, msg, feed_encode_ctl(MV_CHAN_COMMIT, seq, msg));
	if (pe->dead || !pe->begun)
		return;
	pe->sync_seq = seq;
	sync_end(pe);
	char line[160];

	snprintf(line, sizeof(line), "pid %lu attached; full state sent as batch %lu",
		 (unsigned long)pe->shm->dp_pid, (unsigned long)seq);
	log_peer(pe, line);
}

int peers_step(struct peers *p)
{
	uint64_t deadline = now_ns() + STEP_NS;
	int wait = -1;

	for (size_t k = 0; k < p->n; k++) {
		struct peer *pe = &p->v[k];
		int rc;

		if (!pe->syncing || pe->dead || pe->shm == NULL)
			continue;
		rc = sync_walk(p, pe, deadline);
		if (rc == 0) {
			sync_finish(p, pe);
		} else if (rc == -ENOMEM) {
			log_peer(pe, "out of memory during the full state; detached");
			pe->dead = 1;
		} else if (rc == -ETIME) {
			wait = 0; /* more at once: ahead of any wait for room */
		} else if (rc == -EAGAIN && wait != 0) {
			wait = STEP_WAIT_MS;
		}
	}
	return wait;
}

/* ---- scanning ---- */

struct peers *peers_create(const char *dir, struct zones *zones)
{
	struct peers *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return NULL;
	snprintf(p->dir, sizeof(p->dir), "%s", dir);
	p->zones = zones;
	p->self = (uint64_t)getpid();
	p->buf = malloc(MV_CHAN_MSG_MAX);
	if (p->buf == NULL) {
		free(p);
		errno = ENOMEM;
		return NULL;
	}
	return p;
}

void peers_destroy(struct peers *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->n; i++) {
		if (p->v[i].shm != NULL && !p->v[i].dead)
			__atomic_store_n(&p->v[i].shm->ctl_pid, 0, __ATOMIC_RELEASE);
		peer_unmap(&p->v[i]);
	}
	free(p->v);
	free(p->sets);
	free(p->buf);
	for (size_t i = 0; i < p->nonly; i++)
		free(p->only[i]);
	free(p->only);
	free(p);
}

int peers_restrict(struct peers *p, const char *const *names, size_t n)
{
	size_t prefix = strlen(MV_CHAN_SHM_PREFIX);
	char **only = NULL;

	for (size_t i = 0; i < n; i++)
		if (names[i][0] == '\0' || strchr(names[i], '/') != NULL ||
		    prefix + strlen(names[i]) >= PEER_NAME_MAX)
			return -EINVAL;
	if (n > 0 && (only = calloc(n, sizeof(*only))) == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		only[i] = malloc(PEER_NAME_MAX);
		if (only[i] == NULL) {
			while (i-- > 0)
				free(only[i]);
			free(only);
			return -ENOMEM;
		}
		snprintf(only[i], PEER_NAME_MAX, "%s%s", MV_CHAN_SHM_PREFIX, names[i]);
	}
	for (size_t i = 0; i < p->nonly; i++)
		free(p->only[i]);
	free(p->only);
	p->only = only;
	p->nonly = n;
	return 0;
}

/* Whether peers_restrict lets us attach this segment file. */
static int peer_wanted(const struct peers *p, const char *file)
{
	if (p->nonly == 0)
		return 1;
	for (size_t i = 0; i < p->nonly; i++)
		if (strcmp(p->only[i], file) == 0)
			return 1;
	return 0;
}

/* Map the segment if it is complete, valid, alive and not fed by another control. */
static int peer_map(struct peers *p, struct peer *pe, int fd, const struct stat *st)
{
	struct mv_chan_shm *shm;
	const char *why = NULL;
	uint64_t ring, ctl;

	if ((size_t)st->st_size < sizeof(*shm))
		return 0; /* being created */
	shm = mmap(NULL, (size_t)st->st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (shm == MAP_FAILED)
		return 0;
	ring = shm->ring_size;
	ctl = __atomic_load_n(&shm->ctl_pid, __ATOMIC_ACQUIRE);
	/* Acquire: the creator writes the magic last. */
	if (__atomic_load_n(&shm->magic, __ATOMIC_ACQUIRE) != MV_CHAN_MAGIC)
		goto skip; /* not ready yet */
	if (shm->version != MV_CHAN_VERSION || shm->hdr_size != sizeof(*shm))
		why = "unsupported channel version or header size";
	else if (ring < 64 || (ring & (ring - 1)) != 0 ||
		 ring > (uint64_t)st->st_size - sizeof(*shm))
		why = "bad ring size";
	else if (shm->dp_epoch == 0 || !mv_pid_runs(shm->dp_pid))
		why = "its dataplane is not running";
	else if (ctl != 0 && ctl != p->self && mv_pid_runs(ctl))
		why = "fed by another control process";
	if (why != NULL) {
		if (!pe->ignored)
			log_peer(pe, why);
		pe->ignored = 1;
		goto skip;
	}
	pe->shm = shm;
	pe->map_size = (size_t)st->st_size;
	pe->epoch = shm->dp_epoch;
	pe->rejected = shm->rejected;
	pe->ignored = 0;
	__atomic_store_n(&shm->ctl_pid, p->self, __ATOMIC_RELEASE);
	return 1;
skip:
	munmap(shm, (size_t)st->st_size);
	return 0;
}

static struct peer *peer_slot(struct peers *p, const char *file, const struct stat *st)
{
	for (size_t i = 0; i < p->n; i++) {
		struct peer *pe = &p->v[i];

		if (strcmp(pe->file, file) == 0) {
			if (pe->ino == st->st_ino && pe->dev == st->st_dev)
				return pe;
			peer_unmap(pe); /* a new file under the old name */
			pe->ignored = 0;
			pe->ino = st->st_ino;
			pe->dev = st->st_dev;
			return pe;
		}
	}
	if (MV_GROW(p->v, p->cap, p->n + 1, 8) != 0)
		return NULL;
	memset(&p->v[p->n], 0, sizeof(p->v[p->n]));
	snprintf(p->v[p->n].file, PEER_NAME_MAX, "%s", file);
	p->v[p->n].ino = st->st_ino;
	p->v[p->n].dev = st->st_dev;
	return &p->v[p->n++];
}

/*
 * The dataplane rejected a message, so it lacks a batch we sent: send the
 * full state again, once it has applied our last one (a full state that
 * is itself rejected is not sent again and again; its log says why).
 */
static void peer_rejected(struct peers *p, struct peer *pe)
{
	/* Acquire: pairs with the dataplane's release after publishing a batch. */
	uint64_t applied = __atomic_load_n(&pe->shm->applied_seq, __ATOMIC_ACQUIRE);

	if (applied < pe->sync_seq) {
		log_peer(pe, "rejected a message of our full state (see its log)");
		return;
	}
	log_peer(pe, "rejected a message (see its log); sending the full state again");
	sync_begin(p, pe);
}

/* Attach, re-sync or detach one segment found by the scan. */
static void peer_visit(struct peers *p, const char *file)
{
	char path[2 * PEER_NAME_MAX];
	struct peer *pe;
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", p->dir, file);
	fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (pe = peer_slot(p, file, &st)) == NULL) {
		close(fd);
		return;
	}
	pe->seen = 1;
	if (pe->shm == NULL) {
		if (peer_map(p, pe, fd, &st))
			sync_begin(p, pe);
	} else if (!mv_pid_runs(pe->shm->dp_pid)) {
		log_peer(pe, "its dataplane died; detached");
		peer_unmap(pe);
		pe->ignored = 1;
	} else if (pe->shm->dp_epoch != pe->epoch) {
		pe->epoch = pe->shm->dp_epoch;
		sync_begin(p, pe);
	}
	close(fd);
}

size_t peers_scan(struct peers *p)
{
	size_t prefix = strlen(MV_CHAN_SHM_PREFIX), n = 0, i = 0;
	DIR *d = opendir(p->dir);
	struct dirent *e;

	if (d == NULL)
		return peers_count(p);
	for (size_t k = 0; k < p->n; k++)
		p->v[k].seen = 0;
	while ((e = readdir(d)) != NULL)
		if (strncmp(e->d_name, MV_CHAN_SHM_PREFIX, prefix) == 0 &&
		    peer_wanted(p, e->d_name))
			peer_visit(p, e->d_name);
	closedir(d);
	while (i < p->n) {
		struct peer *pe = &p->v[i];

		uint64_t rejected =
			pe->shm != NULL ? __atomic_load_n(&pe->shm->rejected, __ATOMIC_RELAXED) : 0;

		if (pe->shm != NULL && rejected != pe->rejected) {
			pe->rejected = rejected;
			peer_rejected(p, pe);
		}
		if (!pe->seen || pe->dead) {
			if (pe->shm != NULL && !pe->dead)
				log_peer(pe, "segment removed; detached");
			peer_unmap(pe);
			p->v[i] = p->v[--p->n];
			continue;
		}
		n += pe->shm != NULL;
		i++;
	}
	return n;
}

/* ---- batches ---- */

void peers_publish(struct peers *p, const uint8_t (*owners)[MVDNS_NAME_MAX], size_t n, uint64_t seq)
{
	peers_publish_batch(p, NULL, 0, owners, n, seq);
}

void peers_publish_batch(struct peers *p, const struct feed_health *health, size_t nhealth,
			 const uint8_t (*owners)[MVDNS_NAME_MAX], size_t n, uint64_t seq)
{
	uint8_t msg[sizeof(struct mv_chan_msg)];
	size_t near = 0; /* the owners are a batch's: most lie close together */

	health_write(p, NULL, health, nhealth, seq);
	for (size_t i = 0; i < n; i++) {
		size_t len;

		p->nsets = 0;
		if (zones_foreach_at(p->zones, owners[i], &near, collect, p) != 0) {
			/* Never COMMIT a partial batch: detach all; the next scan re-syncs. */
			for (size_t k = 0; k < p->n; k++) {
				if (p->v[k].shm != NULL && !p->v[k].dead)
					log_peer(&p->v[k], "out of memory while publishing; "
							   "detached");
				p->v[k].dead = 1;
			}
			return;
		}
		len = encode_collected(p, owners[i], seq);
		for (size_t k = 0; k < p->n; k++)
			if (p->v[k].syncing)
				sync_note(p, &p->v[k], owners[i]);
			else if (len > 0)
				peer_write(p, &p->v[k], p->buf, len);
	}
	p->nsets = 0;
	feed_encode_ctl(MV_CHAN_COMMIT, seq, msg);
	for (size_t k = 0; k < p->n; k++)
		if (!p->v[k].syncing)
			peer_write(p, &p->v[k], msg, sizeof(msg));
}

bool peers_applied(const struct peers *p, uint64_t seq)
{
	for (size_t k = 0; k < p->n; k++) {
		const struct peer *pe = &p->v[k];
		uint64_t applied;

		if (pe->shm == NULL || pe->dead)
			continue;
		/* Acquire: pairs with the dataplane's release after publishing the batch. */
		applied = __atomic_load_n(&pe->shm->applied_seq, __ATOMIC_ACQUIRE);
		if (applied < seq || applied < pe->sync_seq)
			return false;
	}
	return true;
}

size_t peers_count(const struct peers *p)
{
	size_t n = 0;

	for (size_t k = 0; k < p->n; k++)
		n += p->v[k].shm != NULL && !p->v[k].dead;
	return n;
}
