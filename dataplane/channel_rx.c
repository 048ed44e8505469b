/* SPDX-License-Identifier: BSD-3-Clause */
#include "channel_rx.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "blocks.h"
#include "channel.h"
#include "grow.h"
#include "pid.h"
#include "cursor.h"
#include "name.h"
#include "node.h"
#include "wire.h"

/* Most record sets at one name (one per SetIdentifier, several types). */
#define MAX_SETS 1024
/* Slots of a growing table copied per idle poll: about half a millisecond. */
#define IDLE_MIGRATE_SLOTS 16384u
/* Messages consumed between two releases of their room to the producer. */
#define RELEASE_EVERY 256u

/* One health status received and waiting for its batch's COMMIT. */
struct health_status {
	uint32_t id;
	uint32_t status;
};

/* A batch's staged names live in blocks of this size, released after its COMMIT. */
#define STAGING_BLOCK (1u << 20)
/* A full state's names are decoded one at a time at its COMMIT, in blocks of this size. */
#define DECODED_BLOCK (64u << 10)
/* Names a full state's new table is first sized for: it grows as they come. */
#define SYNC_NAMES 1024
/* Staged names whose array outlives a COMMIT; a larger one (a full state's) is freed. */
#define STAGED_KEEP 65536u

/* What a NAME payload holds, found by checking it (check_name). */
struct name_shape {
	uint32_t nvalues;  /* over all its sets */
	uint16_t nsets;    /* none: the name is deleted */
	uint8_t owner_len; /* the owner follows its length octet: payload + 1 */
	bool soa;          /* one of its sets is an SOA: a zone apex */
};

/*
 * One owner name received and waiting for its batch's COMMIT: a copy of its
 * message and, in an ordinary batch, its record sets decoded and checked
 * against what the table would refuse, so that a batch fails before any of
 * it is applied. A full state's names go straight into its new table as
 * they come (build_name); only one not in a zone yet waits here, checked
 * as a message, and is decoded at the COMMIT.
 */
struct staged {
	uint8_t *payload;      /* private copy, its owner lower-cased in place */
	struct mv_rrset *sets; /* decoded; NULL in a full state */
	uint32_t len;
	struct name_shape shape;
};

struct mv_channel {
	struct mv_chan_shm *shm;
	size_t map_size;
	char path[64];
	struct mv_table *_Atomic *current;
	mv_table_sync_fn sync;
	void *sync_arg;
	uint64_t consumed;         /* our position; published to shm->consumed */
	bool syncing;              /* a SYNC_BEGIN is open: build a new table */
	struct mv_table *building; /* that new table, unpublished: names go in as they come */
	bool batch_bad;            /* a message of this batch was rejected */
	bool adding;               /* a batch since the last full sync added names: grow ahead */
	struct staged *staged;
	size_t nstaged, staged_cap;
	struct mv_blocks pool;    /* what staged points into (common/blocks.h) */
	struct mv_blocks decoded; /* a full state's name being applied (a copy, its sets) */
	size_t *apexes;           /* indices in staged of the names with an SOA set */
	size_t napexes, apexes_cap;
	struct health_status *health; /* statuses staged for the COMMIT */
	size_t nhealth, health_cap;
	uint64_t rejected;
};

static uint64_t load_acquire(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void store_release(uint64_t *p, uint64_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/* Whether the segment at path exists and its dataplane (another process) still runs. */
static bool channel_owner_alive(const char *path)
{
	struct mv_chan_shm hdr;
	int fd = shm_open(path, O_RDONLY, 0);
	bool alive = false;

	if (fd < 0)
		return false;
	if (pread(fd, &hdr, sizeof(hdr), 0) == (ssize_t)sizeof(hdr) && hdr.magic == MV_CHAN_MAGIC &&
	    hdr.dp_pid != 0 && (pid_t)hdr.dp_pid != getpid())
		alive = mv_pid_runs(hdr.dp_pid);
	close(fd);
	return alive;
}

struct mv_channel *mv_channel_create(const char *name, struct mv_table *_Atomic *current,
				     mv_table_sync_fn sync, void *sync_arg)
{
	struct mv_channel *ch = calloc(1, sizeof(*ch));
	int fd = -1;

	if (ch == NULL)
		return NULL;
	ch->pool.size = STAGING_BLOCK;
	ch->decoded.size = DECODED_BLOCK;
	ch->current = current;
	ch->sync = sync;
	ch->sync_arg = sync_arg;
	ch->map_size = sizeof(struct mv_chan_shm) + MV_CHAN_RING_SIZE;
	snprintf(ch->path, sizeof(ch->path), "/%s%s", MV_CHAN_SHM_PREFIX, name);

	/* A live dataplane on the same channel keeps it: refuse rather than steal. */
	if (channel_owner_alive(ch->path)) {
		free(ch);
		errno = EBUSY;
		return NULL;
	}
	/* A new file every start, so a control process can tell us from a stale map. */
	shm_unlink(ch->path);
	fd = shm_open(ch->path, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd < 0 || ftruncate(fd, (off_t)ch->map_size) != 0)
		goto fail;
	ch->shm = mmap(NULL, ch->map_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (ch->shm == MAP_FAILED) {
		ch->shm = NULL;
		goto fail;
	}
	close(fd);

	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ch->shm->version = MV_CHAN_VERSION;
	ch->shm->hdr_size = sizeof(struct mv_chan_shm);
	ch->shm->ring_size = MV_CHAN_RING_SIZE;
	ch->shm->dp_epoch = ((uint64_t)ts.tv_sec << 32 | (uint64_t)ts.tv_nsec) ^ (uint64_t)getpid();
	ch->shm->dp_pid = (uint64_t)getpid();
	store_release(&ch->shm->magic, MV_CHAN_MAGIC);
	return ch;

fail:;
	int saved = errno;
	if (fd >= 0) {
		close(fd);
		shm_unlink(ch->path);
	}
	free(ch);
	errno = saved;
	return NULL;
}

void mv_channel_free_sets(struct mv_rrset *sets, uint16_t nsets)
{
	(void)nsets; /* one block (mv_channel_decode_name) */
	free(sets);
}

static void staging_clear(struct mv_channel *ch)
{
	mv_table_destroy(ch->building); /* a full state not committed: never published */
	ch->building = NULL;
	mv_blocks_release(&ch->pool, true); /* one block kept for the next batch */
	if (ch->staged_cap > STAGED_KEEP) {
		free(ch->staged);
		ch->staged = NULL;
		ch->staged_cap = 0;
	}
	mv_blocks_release(&ch->decoded, true);
	ch->nstaged = 0;
	ch->napexes = 0;
	ch->nhealth = 0;
	ch->batch_bad = false;
}

void mv_channel_destroy(struct mv_channel *ch)
{
	if (ch == NULL)
		return;
	staging_clear(ch);
	mv_blocks_release(&ch->pool, false);
	mv_blocks_release(&ch->decoded, false);
	free(ch->staged);
	free(ch->apexes);
	free(ch->health);
	munmap(ch->shm, ch->map_size);
	shm_unlink(ch->path);
	free(ch);
}

uint64_t mv_channel_rejected(const struct mv_channel *ch)
{
	return ch->rejected;
}

/* A wire name of exactly len octets: labels of at most 63, ending at the root. */
static bool name_valid(const uint8_t *name, size_t len)
{
	size_t off = 0;

	while (off < len && name[off] != 0) {
		if (name[off] > MVDNS_LABEL_MAX)
			return false;
		off += 1u + name[off];
	}
	return off + 1 == len;
}

/*
 * The record sets after an owner, sh->nsets of them: checked, their values
 * counted and an SOA noted in *sh (s NULL), or written into s[0..nsets),
 * whose value arrays follow it (fill_sets' one block). Returns 0 or -EBADMSG.
 */
static int read_sets(struct dns_cursor *c, const uint8_t *owner, struct mv_rrset *s,
		     struct name_shape *sh)
{
	uint8_t **rdata = s != NULL ? (uint8_t **)(void *)(s + sh->nsets) : NULL;
	uint16_t *rdata_len = s != NULL ? (uint16_t *)(void *)(rdata + sh->nvalues) : NULL;
	uint32_t values = 0;
	bool soa = false;

	for (uint16_t i = 0; i < sh->nsets; i++) {
		struct {
			uint16_t type, flags;
			uint32_t ttl, health;
			uint16_t count;
		} h;
		if (!dns_cursor_need(c, 14))
			return -EBADMSG;
		memcpy(&h.type, c->pos, 2);
		memcpy(&h.flags, c->pos + 2, 2);
		memcpy(&h.ttl, c->pos + 4, 4);
		memcpy(&h.health, c->pos + 8, 4);
		memcpy(&h.count, c->pos + 12, 2);
		c->pos += 14;
		if (h.count == 0 || h.count > 1000 || h.ttl > INT32_MAX)
			return -EBADMSG;
		soa |= h.type == DNS_TYPE_SOA;
		if (s != NULL) {
			s[i].owner = owner;
			s[i].owner_len = sh->owner_len;
			s[i].type = h.type;
			s[i].ttl = h.ttl;
			s[i].multivalue = (h.flags & MV_CHAN_SET_MULTIVALUE) != 0;
			s[i].health = h.health;
			s[i].count = h.count;
			s[i].rdata = rdata + values;
			s[i].rdata_len = rdata_len + values;
		}
		for (uint16_t v = 0; v < h.count; v++, values++) {
			uint16_t rdlen;
			if (!dns_cursor_need(c, 2))
				return -EBADMSG;
			memcpy(&rdlen, c->pos, 2);
			c->pos += 2;
			if (!dns_cursor_need(c, rdlen))
				return -EBADMSG;
			if (s != NULL) {
				rdata_len[values] = rdlen;
				rdata[values] = (uint8_t *)(uintptr_t)c->pos;
			}
			c->pos += rdlen;
		}
	}
	if (s != NULL)
		return 0;
	/* Only zero padding to the 8-octet boundary may follow. */
	static const uint8_t zeros[MV_CHAN_ALIGN];
	size_t pad = dns_cursor_left(c);
	if (pad >= MV_CHAN_ALIGN || memcmp(c->pos, zeros, pad) != 0)
		return -EBADMSG;
	sh->nvalues = values;
	sh->soa = soa;
	return 0;
}

/* Check a NAME payload whole (owner, record sets, padding) and learn its shape. */
static int check_name(const uint8_t *payload, uint32_t len, struct name_shape *sh)
{
	struct dns_cursor c;

	/* Host byte order, as the ABI says: read through memcpy, not the DNS cursor's
	 * network-order helpers. */
	dns_cursor_init(&c, payload, len);
	sh->owner_len = dns_cursor_u8(&c);
	if (c.err != 0 || sh->owner_len == 0 || !dns_cursor_need(&c, sh->owner_len + 2u) ||
	    !name_valid(c.pos, sh->owner_len))
		return -EBADMSG;
	c.pos += sh->owner_len;
	memcpy(&sh->nsets, c.pos, 2);
	c.pos += 2;
	return read_sets(&c, NULL, NULL, sh);
}

/*
 * The record sets of a payload check_name accepted, in one block from pool
 * (NULL: malloc): the sets, every value's rdata pointer and length, then
 * the owner (lower-cased) the sets point to. The rdata point into payload.
 * NULL when out of memory.
 */
static struct mv_rrset *fill_sets(struct mv_blocks *pool, const uint8_t *payload, uint32_t len,
				  struct name_shape *sh)
{
	size_t arrays = sh->nsets * sizeof(struct mv_rrset) +
			sh->nvalues * (sizeof(uint8_t *) + sizeof(uint16_t));
	size_t size = arrays + sh->owner_len;
	struct mv_rrset *s = pool != NULL ? mv_blocks_alloc(pool, size) : malloc(size);
	struct dns_cursor c;

	if (s == NULL)
		return NULL;
	memset(s, 0, size);
	uint8_t *owner = memcpy((uint8_t *)s + arrays, payload + 1, sh->owner_len);
	dns_name_lower(owner, sh->owner_len);
	dns_cursor_init(&c, payload, len);
	c.pos += 1u + sh->owner_len + 2u;
	(void)read_sets(&c, owner, s, sh); /* checked by check_name */
	return s;
}

int mv_channel_decode_name(const uint8_t *payload, uint32_t len, uint8_t *owner, uint8_t *owner_len,
			   struct mv_rrset **sets, uint16_t *nsets)
{
	struct name_shape sh;

	if (check_name(payload, len, &sh) != 0)
		return -EBADMSG;
	*sets = NULL;
	if (sh.nsets > 0 && (*sets = fill_sets(NULL, payload, len, &sh)) == NULL)
		return -ENOMEM;
	*owner_len = sh.owner_len;
	memcpy(owner, payload + 1, sh.owner_len);
	dns_name_lower(owner, sh.owner_len);
	*nsets = sh.nsets;
	return 0;
}

static void reject(struct mv_channel *ch)
{
	ch->rejected++;
	__atomic_store_n(&ch->shm->rejected, ch->rejected, __ATOMIC_RELAXED);
	ch->batch_bad = true;
}

/* Remember that staged name i is a zone apex (staged_apex looks only at those). */
static int note_apex(struct mv_channel *ch, size_t i)
{
	if (MV_GROW(ch->apexes, ch->apexes_cap, ch->napexes + 1, 16) != 0)
		return -ENOMEM;
	ch->apexes[ch->napexes++] = i;
	return 0;
}

/* Its owner: lower-cased, after its length octet. */
static const uint8_t *staged_owner(const struct staged *st)
{
	return st->payload + 1;
}

static void set_ptrs(const struct mv_rrset *ptrs[MAX_SETS], const struct mv_rrset *sets, uint16_t n)
{
	for (uint16_t k = 0; k < n; k++)
		ptrs[k] = &sets[k];
}

static int stage_name(struct mv_channel *ch, const uint8_t *payload, uint32_t len)
{
	if (MV_GROW(ch->staged, ch->staged_cap, ch->nstaged + 1, 256) != 0)
		return -ENOMEM;
	struct staged *st = &ch->staged[ch->nstaged];
	st->payload = mv_blocks_alloc(&ch->pool, len);
	if (st->payload == NULL)
		return -ENOMEM;
	memcpy(st->payload, payload, len); /* decode a private copy, never shared memory */
	st->len = len;
	st->sets = NULL;
	/* A rejected name's octets stay in the pool until the batch ends. */
	int rc = check_name(st->payload, len, &st->shape);
	if (rc == 0 && st->shape.nsets > MAX_SETS)
		rc = -EBADMSG;
	if (rc == 0 && !ch->syncing && st->shape.nsets > 0) {
		const struct mv_rrset *ptrs[MAX_SETS];
		st->sets = fill_sets(&ch->pool, st->payload, len, &st->shape);
		if (st->sets == NULL)
			return -ENOMEM;
		set_ptrs(ptrs, st->sets, st->shape.nsets);
		rc = mv_node_check(ptrs, st->shape.nsets); /* what the table would refuse */
	}
	if (rc == 0 && st->shape.soa)
		rc = note_apex(ch, ch->nstaged);
	if (rc != 0)
		return rc;
	dns_name_lower(st->payload + 1, st->shape.owner_len);
	ch->nstaged++;
	return 0;
}

static int stage_health(struct mv_channel *ch, const uint8_t *payload, uint32_t len)
{
	uint32_t n;

	if (len < 4)
		return -EBADMSG;
	memcpy(&n, payload, 4);
	if (n > (len - 4) / sizeof(struct health_status) || len - 4 - n * 8 >= MV_CHAN_ALIGN)
		return -EBADMSG;
	if (MV_GROW(ch->health, ch->health_cap, ch->nhealth + n, 64) != 0)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		struct health_status st;
		memcpy(&st, payload + 4 + 8 * i, sizeof(st));
		if (st.id == 0 || st.status > MV_CHAN_HEALTHY)
			return -EBADMSG;
		ch->health[ch->nhealth++] = st;
	}
	return 0;
}

/* Health statuses (staged) into t, before names, so that names are built with them. */
static int apply_health(struct mv_channel *ch, struct mv_table *t)
{
	for (size_t i = 0; i < ch->nhealth; i++) {
		int rc = mv_table_set_health(t, ch->health[i].id,
					     ch->health[i].status == MV_CHAN_HEALTHY);
		if (rc != 0)
			return rc;
	}
	ch->nhealth = 0;
	return 0;
}

/*
 * A full state's name, into its new table at once: the message copied,
 * checked and decoded into the block `decoded`, used again by the next.
 * Returns what mv_table_set_name does: -ENOENT for a name in no zone the
 * table has yet, which the caller stages for the COMMIT instead.
 */
static int build_name(struct mv_channel *ch, const uint8_t *payload, uint32_t len)
{
	const struct mv_rrset *ptrs[MAX_SETS];
	struct mv_rrset *sets = NULL;
	struct name_shape sh;

	mv_blocks_release(&ch->decoded, true);
	uint8_t *copy = mv_blocks_alloc(&ch->decoded, len);
	if (copy == NULL)
		return -ENOMEM;
	memcpy(copy, payload, len); /* decode a private copy, never shared memory */
	int rc = check_name(copy, len, &sh);
	if (rc == 0 && sh.nsets > MAX_SETS)
		rc = -EBADMSG;
	if (rc == 0 && sh.nsets > 0 && (sets = fill_sets(&ch->decoded, copy, len, &sh)) == NULL)
		rc = -ENOMEM;
	if (rc != 0)
		return rc;
	dns_name_lower(copy + 1, sh.owner_len);
	set_ptrs(ptrs, sets, sh.nsets);
	return mv_table_set_name(ch->building, copy + 1, sh.owner_len, ptrs, sh.nsets);
}

/* A name of the batch: built at once in a full state's table, else staged. Once
 * one is staged, so are those after it, so that names are applied in order. */
static int take_name(struct mv_channel *ch, const uint8_t *payload, uint32_t len)
{
	int rc = ch->building != NULL && ch->nstaged == 0 ? build_name(ch, payload, len) : -ENOENT;

	return rc == -ENOENT ? stage_name(ch, payload, len) : rc;
}

/*
 * Whether name falls in a zone this batch creates. Only the apexes are
 * looked at: going through every staged name for every staged name made a
 * 1,000-name batch cost a million steps, most of the dataplane's time for it.
 */
static bool staged_apex(const struct mv_channel *ch, const uint8_t *name, size_t len)
{
	for (size_t i = 0; i < ch->napexes; i++) {
		const struct staged *st = &ch->staged[ch->apexes[i]];
		if (dns_name_is_below(name, len, staged_owner(st), st->shape.owner_len))
			return true;
	}
	return false;
}

/*
 * Whether every staged name with data falls inside a zone, either one t
 * already has or one this batch creates: the last rule mv_table_set_name
 * checks, tested before anything is applied.
 */
static bool staged_in_zones(const struct mv_channel *ch, const struct mv_table *t)
{
	for (size_t i = 0; i < ch->nstaged; i++) {
		const struct staged *st = &ch->staged[i];
		int exact;
		const uint8_t *owner = staged_owner(st);
		if (st->shape.nsets == 0 || staged_apex(ch, owner, st->shape.owner_len))
			continue;
		if (t == NULL || mv_table_lookup_closest(t, owner, st->shape.owner_len,
							 dns_name_hash(owner, st->shape.owner_len),
							 &exact) == NULL)
			return false;
	}
	return true;
}

/*
 * Apply every staged name to t: zone apexes first, so that names of a zone
 * created by this batch find it whatever order they came in. Stops at the
 * first failure. Health statuses go before names, so names are built with them.
 */
static int apply_staged(struct mv_channel *ch, struct mv_table *t)
{
	int rc = apply_health(ch, t);
	if (rc != 0)
		return rc;
	for (int apexes = 1; apexes >= 0; apexes--)
		for (size_t i = 0; i < ch->nstaged; i++) {
			struct staged *st = &ch->staged[i];
			const struct mv_rrset *ptrs[MAX_SETS];
			const struct mv_rrset *sets = st->sets;
			if (st->shape.soa != apexes)
				continue;
			if (sets == NULL && st->shape.nsets > 0) { /* a full state's */
				mv_blocks_release(&ch->decoded, true);
				sets = fill_sets(&ch->decoded, st->payload, st->len, &st->shape);
				if (sets == NULL)
					return -ENOMEM;
			}
			set_ptrs(ptrs, sets, st->shape.nsets);
			rc = mv_table_set_name(t, staged_owner(st), st->shape.owner_len, ptrs,
					       st->shape.nsets);
			if (rc != 0)
				return rc;
		}
	return 0;
}

static void commit(struct mv_channel *ch, uint64_t seq)
{
	struct mv_table *live = atomic_load_explicit(ch->current, memory_order_relaxed);
	int rc;

	if (ch->batch_bad) {
		rc = -EBADMSG;
	} else if (!staged_in_zones(ch, ch->syncing ? ch->building : live)) {
		rc = -ENOENT;
	} else if (ch->syncing) {
		/* Built beside the live table: the names staged (none, in the control's
		 * order: an apex before its names) go in now, then swap. */
		struct mv_table *t = ch->building;
		ch->building = NULL;
		rc = apply_staged(ch, t);
		if (rc == 0) {
			mv_table_commit(t);
			atomic_store_explicit(ch->current, t, memory_order_release);
			if (ch->sync != NULL)
				ch->sync(ch->sync_arg);
			mv_table_destroy(live);
			live = t;
			ch->adding = false; /* sized for what it holds */
			malloc_trim(0); /* the old table and the staging go back to the system */
		} else {
			mv_table_destroy(t);
		}
	} else {
		size_t before = mv_table_count(live);
		rc = apply_staged(ch, live);
		mv_table_commit(live);
		ch->adding |= mv_table_count(live) > before;
	}
	if (rc != 0) {
		fprintf(stderr, "mvdns-dataplane: channel: batch %lu not applied: %s\n",
			(unsigned long)seq, strerror(-rc));
		if (!ch->batch_bad) /* a bad message was counted when it came */
			reject(ch);
	} else {
		__atomic_store_n(&ch->shm->names, mv_table_count(live), __ATOMIC_RELAXED);
		store_release(&ch->shm->applied_seq, seq);
	}
	ch->syncing = false;
	staging_clear(ch);
}

int mv_channel_wait(struct mv_channel *ch, unsigned timeout_ms)
{
	struct mv_chan_shm *shm = ch->shm;
	struct timespec ts = {(time_t)(timeout_ms / 1000), (long)(timeout_ms % 1000) * 1000000L};
	int woken = 1;

	/* Sequentially consistent with ring_bell in the control process: either
	 * it sees `waiting` and wakes us, or we see its doorbell or data. */
	__atomic_store_n(&shm->waiting, 1, __ATOMIC_SEQ_CST);
	uint32_t bell = __atomic_load_n(&shm->doorbell, __ATOMIC_SEQ_CST);
	if (load_acquire(&shm->produced) == ch->consumed &&
	    syscall(SYS_futex, &shm->doorbell, FUTEX_WAIT, bell, &ts, NULL, 0) != 0 &&
	    errno == ETIMEDOUT)
		woken = 0;
	__atomic_store_n(&shm->waiting, 0, __ATOMIC_RELAXED);
	return woken;
}

int mv_channel_poll(struct mv_channel *ch)
{
	struct mv_chan_shm *shm = ch->shm;
	const uint64_t size = MV_CHAN_RING_SIZE;
	uint64_t produced = load_acquire(&shm->produced);
	int n = 0;

	while (ch->consumed < produced) {
		uint64_t off = ch->consumed & (size - 1);
		struct mv_chan_msg m;
		if (size - off < sizeof(m)) { /* too little room left for a header: skip */
			ch->consumed += size - off;
			continue;
		}
		memcpy(&m, shm->ring + off, sizeof(m));
		if (m.len < sizeof(m) || m.len % MV_CHAN_ALIGN != 0 || m.len > MV_CHAN_MSG_MAX ||
		    m.len > size - off || m.len > produced - ch->consumed) {
			/* The framing itself is broken: nothing after it can be trusted. */
			reject(ch);
			staging_clear(ch);
			ch->consumed = produced;
			break;
		}
		const uint8_t *payload = shm->ring + off + sizeof(m);
		uint32_t plen = m.len - (uint32_t)sizeof(m);
		switch (m.type) {
		case MV_CHAN_PAD:
			break;
		case MV_CHAN_SYNC_BEGIN:
			staging_clear(ch);
			ch->syncing = true;
			ch->building = mv_table_create(SYNC_NAMES, ch->sync, ch->sync_arg);
			if (ch->building == NULL) {
				fprintf(stderr,
					"mvdns-dataplane: channel: no memory for a new table\n");
				reject(ch);
			}
			break;
		case MV_CHAN_NAME:
			if (take_name(ch, payload, plen) != 0)
				reject(ch);
			break;
		case MV_CHAN_HEALTH:
			if (stage_health(ch, payload, plen) != 0 ||
			    (ch->building != NULL && apply_health(ch, ch->building) != 0))
				reject(ch);
			break;
		case MV_CHAN_COMMIT:
			/* The room of what came before goes back first: a large
			 * table takes seconds to build, and the control's next
			 * batch would wait for it in a ring left full. */
			store_release(&shm->consumed, ch->consumed);
			commit(ch, m.seq);
			break;
		default:
			reject(ch);
		}
		ch->consumed += m.len;
		/* Staged messages are copies: their room goes back as we go,
		 * so that the control writes on while we stage. */
		if (++n % RELEASE_EVERY == 0)
			store_release(&shm->consumed, ch->consumed);
	}
	store_release(&shm->consumed, ch->consumed);
	/*
	 * Idle: one piece of the table's work ahead, so that the batches to
	 * come do not pay for it, then back to sleep. The next nodes' memory
	 * faulted in if it is not (rare, and the slower: a huge page), else
	 * one slice of a growing table's copy, started early in a table that
	 * is taking names. Not more: the main lcore may share its CPU with
	 * mvdns-control, and a loop here took that CPU from the next batch's
	 * parsing.
	 */
	if (n == 0) {
		struct mv_table *t = atomic_load_explicit(ch->current, memory_order_relaxed);
		if (!mv_table_prepare(t))
			mv_table_migrate(t, IDLE_MIGRATE_SLOTS, ch->adding);
	}
	return n;
}
