/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Open addressing with linear probing over an array of slots. A slot is one
 * 64-bit word holding a node pointer and 16 bits of the name's hash as a
 * tag; a removed node leaves a tombstone so that probe sequences stay
 * intact. Readers load the slot array and slots with acquire; the writer
 * publishes a slot (tag and node at once) with release. The slot array is
 * replaced whole (RCU) to grow or to sweep tombstones.
 */
#include "table.h"

#include <errno.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "arena.h"
#include "name.h"
#include "node.h"
#include "wire.h"
#include "zone_index.h"

#define TOMBSTONE ((struct mv_node *)(uintptr_t)1)
#define MIN_SLOTS 64u
/* From this many slots (2 MiB of them, for 128k names and more) the table
 * outgrows the caches: prefetch. */
#define LARGE_SLOTS (1u << 18)

/*
 * Eight slots share a cache line, so a probe sequence rarely leaves its
 * first line. The node's address fills the low 48 bits (what user-space
 * addresses use on x86-64 and arm64 Linux; publish checks) and the tag the
 * high 16: the hash's upper half, the part the slot index does not already
 * fix in tables of up to 2^16 slots.
 */
struct slot {
	_Atomic uint64_t word; /* 0 (never used), the tombstone, or a node and its tag */
};

#define SLOT_TAG_SHIFT 48
#define SLOT_ADDR_MASK ((UINT64_C(1) << SLOT_TAG_SHIFT) - 1)

static inline uint64_t slot_pack(const struct mv_node *n, uint32_t hash)
{
	return (uint64_t)(hash >> 16) << SLOT_TAG_SHIFT | (uintptr_t)n;
}

static inline struct mv_node *slot_node(uint64_t w)
{
	return (struct mv_node *)(uintptr_t)(w & SLOT_ADDR_MASK);
}

static inline bool slot_tag_matches(uint64_t w, uint32_t hash)
{
	return w >> SLOT_TAG_SHIFT == hash >> 16;
}

/* Writer: the node in slot i (NULL, TOMBSTONE or a node). */
static inline struct mv_node *slot_get(const struct slot *s, size_t i)
{
	return slot_node(atomic_load_explicit(&s[i].word, memory_order_relaxed));
}

/*
 * One mapping: this header, then the slots from the next cache line on, so
 * that no slot straddles two lines (a probe touches as few as it can).
 */
struct slots {
	size_t mask;    /* slot count - 1, a power of two minus one */
	size_t map_len; /* octets mapped, for munmap */
	alignas(64) struct slot s[];
};

struct mv_table;

/* Memory to free after a grace period, and how. */
struct retired {
	void *p;
	void (*release)(struct mv_table *t, void *p);
};

struct mv_table {
	/* Read by workers (acquire), written by the writer (release). */
	struct slots *_Atomic slots;

	/* Nodes whose first label is "*", counted by the writer, read by
	 * workers (relaxed): none, and NXDOMAIN looks for no wildcard. */
	_Atomic size_t wildcards;

	/* Writer-only state below. */
	size_t live;        /* nodes in slots */
	size_t tombstones;  /* tombstones in slots */
	struct slots *next; /* while growing: the array being filled (reserve) */
	size_t cursor;      /* slots [0, cursor) of the current array are in next */
	size_t faulted;     /* octets of next faulted in (prefault) */
	size_t credit;      /* slots of budget not yet spent on a page (migrate) */
	size_t next_tombstones;
	struct mv_zones *zones;  /* the hosted zones, by apex */
	struct retired *retired; /* to free after the next grace period */
	size_t nretired, retired_cap;
	mv_table_sync_fn sync;
	void *sync_arg;
	struct mv_health *health; /* statuses, and which names use each check */
	struct mv_arena *nodes;   /* where every node lives */
};

#define HUGE_PAGE (2u << 20)

/*
 * Zeroed memory for a slot array. A large table's probes land anywhere in
 * it, so on 4 KiB pages nearly every probe also misses the TLB: ask for
 * transparent 2 MiB pages (MADV_HUGEPAGE, honoured in THP mode "madvise" or
 * "always"; 4 KiB pages work too). Not reserved ones (MAP_HUGETLB): those
 * are the pool DPDK draws its memory from, and an operator sizes it for
 * DPDK.
 */
static void *slots_map(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	if (len >= HUGE_PAGE)
		(void)madvise(p, len, MADV_HUGEPAGE); /* a hint */
	return p;
}

static struct slots *slots_alloc(size_t n)
{
	size_t len = sizeof(struct slots) + n * sizeof(struct slot);
	struct slots *s = slots_map(len);

	if (s != NULL) {
		s->mask = n - 1;
		s->map_len = len;
	}
	return s;
}

static void slots_free(struct slots *s)
{
	if (s != NULL)
		munmap(s, s->map_len);
}

/* The release functions of retired memory. */
static void release_slots(struct mv_table *t, void *p)
{
	(void)t;
	slots_free(p);
}

static void release_node(struct mv_table *t, void *p)
{
	mv_node_free(t->nodes, p);
}

static void release_malloc(struct mv_table *t, void *p)
{
	(void)t;
	free(p);
}

static size_t slots_for(size_t names)
{
	size_t n = MIN_SLOTS;
	while (n < names * 2)
		n <<= 1;
	return n;
}

struct mv_table *mv_table_create(size_t names, mv_table_sync_fn sync, void *sync_arg)
{
	struct mv_table *t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	struct slots *s = slots_alloc(slots_for(names));
	if (s == NULL) {
		free(t);
		return NULL;
	}
	t->health = mv_health_create();
	t->nodes = mv_arena_create();
	t->zones = mv_zones_create();
	if (t->health == NULL || t->nodes == NULL || t->zones == NULL) {
		mv_zones_destroy(t->zones);
		mv_arena_destroy(t->nodes);
		mv_health_destroy(t->health);
		slots_free(s);
		free(t);
		return NULL;
	}
	atomic_init(&t->slots, s);
	t->sync = sync;
	t->sync_arg = sync_arg;
	return t;
}

void mv_table_destroy(struct mv_table *t)
{
	if (t == NULL)
		return;
	struct slots *s = atomic_load_explicit(&t->slots, memory_order_relaxed);
	for (size_t i = 0; i <= s->mask; i++) {
		struct mv_node *n = slot_get(s->s, i);
		if (n != NULL && n != TOMBSTONE)
			mv_node_free(t->nodes, n);
	}
	slots_free(s);
	slots_free(t->next);
	mv_zones_destroy(t->zones);
	for (size_t i = 0; i < t->nretired; i++)
		t->retired[i].release(t, t->retired[i].p);
	free(t->retired);
	mv_health_destroy(t->health);
	mv_arena_destroy(t->nodes); /* after the nodes: large ones come from malloc */
	free(t);
}

/* mv_table_lookup, inlined into mv_table_lookup_closest (every query's path). */
static inline const struct mv_node *lookup(const struct mv_table *t, const uint8_t *name,
					   size_t len, uint32_t hash)
{
	const struct slots *s = atomic_load_explicit(&t->slots, memory_order_acquire);

	for (size_t i = hash & s->mask;; i = (i + 1) & s->mask) {
		uint64_t w = atomic_load_explicit(&s->s[i].word, memory_order_acquire);
		const struct mv_node *n = slot_node(w);
		if (n == NULL)
			return NULL;
		if (n == TOMBSTONE)
			continue;
		if (slot_tag_matches(w, hash) && n->name_len == len &&
		    dns_name_equal(n->name, name, len))
			return n;
	}
}

const struct mv_node *mv_table_lookup(const struct mv_table *t, const uint8_t *name, size_t len,
				      uint32_t hash)
{
	return lookup(t, name, len, hash);
}

bool mv_table_is_large(const struct mv_table *t)
{
	const struct slots *s = atomic_load_explicit(&t->slots, memory_order_acquire);

	return s->mask >= LARGE_SLOTS - 1;
}

/*
 * Slots a prefetch covers: four consecutive slots of 8 octets, aligned to
 * 8, lie in at most two cache lines, those of the first and the last (in
 * one, five times out of eight). Most probes end within them (load factor
 * at most 1/2, and 5/8 for a while as the table grows).
 */
#define PREFETCH_SLOTS 4

void mv_table_prefetch_slot(const struct mv_table *t, uint32_t hash)
{
	const struct slots *s = atomic_load_explicit(&t->slots, memory_order_acquire);

	__builtin_prefetch(&s->s[hash & s->mask]);
	__builtin_prefetch(&s->s[(hash + PREFETCH_SLOTS - 1) & s->mask]);
}

void mv_table_prefetch_node(const struct mv_table *t, uint32_t hash)
{
	const struct slots *s = atomic_load_explicit(&t->slots, memory_order_acquire);

	/* Only a hint: the first node among the prefetched slots whose tag matches. */
	for (size_t k = 0; k < PREFETCH_SLOTS; k++) {
		uint64_t w = atomic_load_explicit(&s->s[(hash + k) & s->mask].word,
						  memory_order_acquire);
		const struct mv_node *n = slot_node(w);
		if (n == NULL)
			return;
		if (n != TOMBSTONE && slot_tag_matches(w, hash)) {
			/* A node with one small RRset takes about 100 octets, which
			 * the arena places within two cache lines (arena.h). */
			__builtin_prefetch(n);
			__builtin_prefetch((const uint8_t *)n + 64);
			return;
		}
	}
}

/*
 * The nearest existing proper ancestor of a name that is missing. Out of
 * line: the few queries for missing names pay for its loop, and the
 * lookup of a name that exists stays small enough to be inlined.
 */
static __attribute__((noinline)) const struct mv_node *
lookup_ancestor(const struct mv_table *t, const uint8_t *name, size_t len)
{
	const struct mv_node *n = NULL;

	while (n == NULL && len > 1) {
		len -= 1u + name[0];
		name += 1u + name[0];
		n = lookup(t, name, len, dns_name_hash(name, len));
	}
	return n;
}

/* Inline: with link-time optimization, every query's lookup is one probe in its caller. */
inline const struct mv_node *mv_table_lookup_closest(const struct mv_table *t, const uint8_t *name,
						     size_t len, uint32_t hash, int *exact)
{
	const struct mv_node *n = lookup(t, name, len, hash);

	*exact = n != NULL;
	return n != NULL ? n : lookup_ancestor(t, name, len);
}

/* mv_table_wildcard's lookup, out of line as lookup_ancestor is. */
static __attribute__((noinline)) const struct mv_node *
lookup_wildcard(const struct mv_table *t, const struct mv_node *encloser)
{
	uint8_t name[MVDNS_NAME_MAX];
	size_t len = 2u + encloser->name_len;

	if (len > MVDNS_NAME_MAX)
		return NULL;
	name[0] = 1;
	name[1] = '*';
	memcpy(name + 2, encloser->name, encloser->name_len);
	return lookup(t, name, len, dns_name_hash(name, len));
}

/* Inline: a table without wildcards (nearly every one) costs a load and a test. */
inline const struct mv_node *mv_table_wildcard(const struct mv_table *t,
					       const struct mv_node *encloser)
{
	if (atomic_load_explicit(&t->wildcards, memory_order_relaxed) == 0)
		return NULL;
	return lookup_wildcard(t, encloser);
}

const struct mv_node *mv_table_cut(const struct mv_table *t, const struct mv_node *node)
{
	const struct mv_zone *zone = node->zone;
	const struct mv_node *cut = NULL;
	const uint8_t *name = node->name;
	size_t len = node->name_len;

	if (atomic_load_explicit(&zone->cuts, memory_order_relaxed) == 0)
		return NULL;
	/* Up to the apex; every ancestor of a node exists (empty non-terminals). */
	while (node != NULL && len > zone->apex_len) {
		if (node->flags & MV_NODE_CUT)
			cut = node;
		len -= 1u + name[0];
		name += 1u + name[0];
		node = lookup(t, name, len, dns_name_hash(name, len));
	}
	return cut;
}

/* Writer: index of the slot holding name, or of the slot to insert it into. */
static size_t slot_find(const struct slots *s, const uint8_t *name, size_t len, uint32_t hash,
			int *found)
{
	size_t insert = SIZE_MAX;

	for (size_t i = hash & s->mask;; i = (i + 1) & s->mask) {
		uint64_t w = atomic_load_explicit(&s->s[i].word, memory_order_relaxed);
		struct mv_node *n = slot_node(w);
		if (n == NULL) {
			*found = 0;
			return insert != SIZE_MAX ? insert : i;
		}
		if (n == TOMBSTONE) {
			if (insert == SIZE_MAX)
				insert = i;
			continue;
		}
		if (slot_tag_matches(w, hash) && n->name_len == len &&
		    memcmp(n->name, name, len) == 0) {
			*found = 1;
			return i;
		}
	}
}

/* Writer: free p with release() after the next grace period. */
static int retire_with(struct mv_table *t, void *p, void (*release)(struct mv_table *t, void *p))
{
	if (t->nretired == t->retired_cap) {
		size_t cap = t->retired_cap ? t->retired_cap * 2 : 64;
		struct retired *r = realloc(t->retired, cap * sizeof(*r));
		if (r == NULL)
			return -ENOMEM;
		t->retired = r;
		t->retired_cap = cap;
	}
	t->retired[t->nretired++] = (struct retired){p, release};
	return 0;
}

/* Writer: free node after the next grace period. */
static int retire_node(struct mv_table *t, struct mv_node *node)
{
	return retire_with(t, node, release_node);
}

/*
 * Growing, a little at a time. Once half the slots are used the writer maps
 * the next array and then, with every name it adds (MIGRATE_STEP slots) and
 * while the channel is idle (mv_table_migrate), copies more of the current
 * array into it, mirroring every change to a slot already copied (mirror).
 * Readers see only the current array until the copy is whole and published
 * (RCU). Copying everything at once, when the slots were half used,
 * stopped one batch for 5-9 ms at 131k names and 20 ms at 524k (with the
 * prefetch below; bench/README.md), in proportion to the table.
 */
#define MIGRATE_AT_NUM 4 /* of 8: when the copy starts */
#define LOAD_MAX_NUM   5 /* of 8: the most a table is used, briefly, while copying */
/*
 * Slots copied per name added. From 4/8 to 5/8 used, a table of n slots
 * takes n/8 more names, so at least 8; twice that leaves room for the page
 * faults first (prefault). Should the copy still lag, reserve finishes it
 * at once.
 */
#define MIGRATE_STEP 16

/*
 * Copying reads every node for its name's hash, this many slots ahead of
 * its turn: at 131k names that took the copy from 40 ms to 5-9 ms.
 */
#define REHASH_AHEAD 16

/* Writer: copy the nodes of cur's slots [from, to) into next (where their names are not live). */
static void copy_slots(const struct slots *cur, size_t from, size_t to, struct slots *next)
{
	for (size_t i = from; i < to; i++) {
		if (i + REHASH_AHEAD <= cur->mask) {
			const struct mv_node *ahead = slot_get(cur->s, i + REHASH_AHEAD);
			if (ahead != NULL && ahead != TOMBSTONE)
				__builtin_prefetch(ahead);
		}
		struct mv_node *n = slot_get(cur->s, i);
		if (n == NULL || n == TOMBSTONE)
			continue;
		/* Nodes keep no hash (entry.h): growing is rare, lookups are not. */
		uint32_t hash = dns_name_hash(n->name, n->name_len);
		size_t j = hash & next->mask;
		while (slot_get(next->s, j) != NULL)
			j = (j + 1) & next->mask;
		atomic_init(&next->s[j].word, slot_pack(n, hash));
	}
}

/* Writer: make next the readers' array, the current one retired. */
static int swap_in(struct mv_table *t, struct slots *next, size_t tombstones)
{
	struct slots *cur = atomic_load_explicit(&t->slots, memory_order_relaxed);

	if (retire_with(t, cur, release_slots) != 0)
		return -ENOMEM;
	atomic_store_explicit(&t->slots, next, memory_order_release);
	t->tombstones = tombstones;
	return 0;
}

/*
 * Writer: fault in up to `pages` more 4 KiB pages of the next array; whether
 * all are. The copy writes all over it, so its page faults would otherwise
 * come together in the first slices: on this project's test guests a fresh
 * 2 MiB page took 3.4 ms to fault in, 13 ms for the 8 MiB of 2^20 slots.
 * Its first page holds the header, touched already.
 */
static bool prefault(struct mv_table *t, size_t pages)
{
	volatile uint8_t *base = (volatile uint8_t *)t->next;

	for (; pages > 0 && t->faulted < t->next->map_len; pages--, t->faulted += 4096)
		base[t->faulted] = 0; /* a slot word's octet, still 0 */
	return t->faulted >= t->next->map_len;
}

/*
 * Writer: for a budget of n slots, fault in n/64 more pages of the next
 * array (a page per four names added, 1 MiB per idle slice) or, once all
 * are, copy n more slots into it; swap it in after the last.
 */
static int migrate(struct mv_table *t, size_t n)
{
	const struct slots *cur = atomic_load_explicit(&t->slots, memory_order_relaxed);
	size_t size = cur->mask + 1, to = n < size - t->cursor ? t->cursor + n : size;

	t->credit += n;
	size_t pages = t->credit / 64;
	t->credit %= 64;
	if (!prefault(t, pages))
		return 0;

	copy_slots(cur, t->cursor, to, t->next);
	t->cursor = to;
	if (to < size)
		return 0;
	int rc = swap_in(t, t->next, t->next_tombstones);
	if (rc == 0)
		t->next = NULL;
	return rc; /* on failure, the next call tries the swap again */
}

/*
 * Writer: slot i of the current array now holds node (or the tombstone) for
 * the name name/len/hash; if that slot is already copied, make the next
 * array agree.
 */
static void mirror(struct mv_table *t, size_t i, const uint8_t *name, size_t len, uint32_t hash,
		   struct mv_node *node)
{
	int found;

	if (t->next == NULL || i >= t->cursor)
		return;
	size_t j = slot_find(t->next, name, len, hash, &found);
	if (node == TOMBSTONE)
		t->next_tombstones += found;
	else if (!found && slot_get(t->next->s, j) == TOMBSTONE)
		t->next_tombstones--;
	if (found || node != TOMBSTONE) /* not published yet: no ordering needed */
		atomic_store_explicit(&t->next->s[j].word,
				      slot_pack(node, node == TOMBSTONE ? 0 : hash),
				      memory_order_relaxed);
}

/* Writer: make room for one more node. */
static int reserve(struct mv_table *t)
{
	const struct slots *cur = atomic_load_explicit(&t->slots, memory_order_relaxed);
	size_t size = cur->mask + 1, used = t->live + t->tombstones + 1;
	bool room = used * 8 <= size * LOAD_MAX_NUM;

	if (t->next == NULL && used * 8 > size * MIGRATE_AT_NUM) {
		size_t want = slots_for(2 * (t->live + 1));       /* at most a quarter used after */
		t->next = slots_alloc(want > size ? want : size); /* or a same-size sweep */
		t->cursor = 0;
		t->faulted = 4096;
		t->credit = 0;
		t->next_tombstones = 0;
	}
	if (t->next != NULL) /* all at once, if the current array is full */
		return migrate(t, room ? MIGRATE_STEP : size);
	return room ? 0 : -ENOMEM; /* no memory for the next array, and none left here */
}

bool mv_table_migrate(struct mv_table *t, size_t slots)
{
	if (t->next != NULL && migrate(t, slots) == 0 && t->next == NULL)
		mv_table_commit(t);
	return t->next != NULL;
}

/* Whether a wire name's first label is "*" (RFC 4592 section 2.1.1). */
static inline bool is_wildcard(const uint8_t *name)
{
	return name[0] == 1 && name[1] == '*';
}

/* Writer: count node (by = 1) or stop counting it (by = -1) among the wildcards and cuts. */
static void count_node(struct mv_table *t, const struct mv_node *node, int by)
{
	if (is_wildcard(node->name))
		atomic_fetch_add_explicit(&t->wildcards, (size_t)(ptrdiff_t)by,
					  memory_order_relaxed);
	if ((node->flags & MV_NODE_CUT) && node->zone != NULL)
		atomic_fetch_add_explicit(&node->zone->cuts, (uint32_t)by, memory_order_relaxed);
}

/*
 * Writer: publish node (whose name has `hash`) in place of whatever holds
 * its name (retiring that).
 */
static int publish(struct mv_table *t, struct mv_node *node, uint32_t hash)
{
	struct slots *s = atomic_load_explicit(&t->slots, memory_order_relaxed);
	int found;
	size_t i = slot_find(s, node->name, node->name_len, hash, &found);

	if (((uintptr_t)node & ~SLOT_ADDR_MASK) != 0)
		return -ENOMEM; /* an address a slot cannot hold: never seen on Linux */
	if (found) {
		struct mv_node *old = slot_get(s->s, i);
		if (retire_node(t, old) != 0)
			return -ENOMEM;
		atomic_store_explicit(&s->s[i].word, slot_pack(node, hash), memory_order_release);
		mirror(t, i, node->name, node->name_len, hash, node);
		count_node(t, old, -1);
		count_node(t, node, +1);
		return 0;
	}
	if (slot_get(s->s, i) == TOMBSTONE)
		t->tombstones--;
	atomic_store_explicit(&s->s[i].word, slot_pack(node, hash), memory_order_release);
	mirror(t, i, node->name, node->name_len, hash, node);
	t->live++;
	count_node(t, node, +1);
	return 0;
}

static int unpublish(struct mv_table *t, struct mv_node *node)
{
	struct slots *s = atomic_load_explicit(&t->slots, memory_order_relaxed);
	int found;
	uint32_t hash = dns_name_hash(node->name, node->name_len);
	size_t i = slot_find(s, node->name, node->name_len, hash, &found);

	if (!found || retire_node(t, node) != 0)
		return -ENOMEM;
	atomic_store_explicit(&s->s[i].word, slot_pack(TOMBSTONE, 0), memory_order_release);
	mirror(t, i, node->name, node->name_len, hash, TOMBSTONE);
	t->live--;
	t->tombstones++;
	count_node(t, node, -1);
	return 0;
}

static struct mv_node *writer_lookup(struct mv_table *t, const uint8_t *name, size_t len)
{
	return (struct mv_node *)(uintptr_t)mv_table_lookup(t, name, len, dns_name_hash(name, len));
}

/*
 * Writer: move node's children count by delta, in place. Workers never read
 * `children` (a field of its own), so writing it while they read the node's
 * other fields is no data race, and needs no new copy of the node.
 */
static int adjust_children(struct mv_table *t, struct mv_node *node, int delta)
{
	(void)t;
	node->children = (uint32_t)((int64_t)node->children + delta);
	return 0;
}

/*
 * Writer: make sure every ancestor of name down from an existing node exists,
 * creating empty non-terminals. Out: *zone, the zone the name falls in.
 */
static int ensure_ancestors(struct mv_table *t, const uint8_t *name, size_t len,
			    struct mv_zone **zone)
{
	const uint8_t *parent = name + 1 + name[0];
	size_t plen = len - 1 - name[0];

	if (len <= 1)
		return -ENOENT;
	struct mv_node *p = writer_lookup(t, parent, plen);
	if (p == NULL) {
		struct mv_zone *z;
		int rc = ensure_ancestors(t, parent, plen, &z);
		if (rc != 0)
			return rc;
		struct mv_node *ent = mv_node_build(t->nodes, parent, plen, NULL, 0, z, NULL);
		if (ent == NULL)
			return -ENOMEM;
		ent->children = 1;
		if (reserve(t) != 0 || publish(t, ent, dns_name_hash(parent, plen)) != 0) {
			mv_node_free(t->nodes, ent);
			return -ENOMEM;
		}
		*zone = z;
		return 0;
	}
	*zone = p->zone;
	return adjust_children(t, p, +1);
}

/*
 * Writer: a zone's apex arrived at a name the table already had (an empty
 * non-terminal or a name of the zone `from` above): the names below it that
 * `from` holds move into the new zone `to`, as if the apex had come first.
 * One pass over the slots, for an event as rare as a child zone created
 * under names that exist.
 */
static int rezone_below(struct mv_table *t, const uint8_t *apex, size_t len,
			const struct mv_zone *from, struct mv_zone *to)
{
	struct slots *s = atomic_load_explicit(&t->slots, memory_order_relaxed);

	for (size_t i = 0; i <= s->mask; i++) {
		struct mv_node *n = slot_get(s->s, i);
		if (n == NULL || n == TOMBSTONE || n->zone != from ||
		    !dns_name_is_below(n->name, n->name_len, apex, len) || n->name_len == len)
			continue;
		struct mv_node *copy = mv_node_clone(t->nodes, n);
		if (copy == NULL)
			return -ENOMEM;
		copy->zone = to; /* publish keeps the zones' counts of cuts right */
		int rc = publish(t, copy, dns_name_hash(copy->name, copy->name_len));
		if (rc != 0) {
			mv_node_free(t->nodes, copy);
			return rc;
		}
	}
	return 0;
}

/* Link in orphan zone z below a new zone's apex (adopt_zones_below). */
static int adopt(struct mv_zone *z, void *arg)
{
	struct mv_table *t = arg;
	struct mv_zone *parent_zone;

	if (writer_lookup(t, z->apex, z->apex_len) == NULL)
		return 0; /* emptied meanwhile: nothing to link */
	int rc = reserve(t);
	return rc != 0 ? rc : ensure_ancestors(t, z->apex, z->apex_len, &parent_zone);
}

/*
 * Writer: after the apex of a new zone at apex[0..len), link the zones below
 * it whose apexes arrived first, with no ancestor to count them as a child:
 * the names between become empty non-terminals of the new zone, as if the
 * zones had arrived the other way round.
 */
static int adopt_zones_below(struct mv_table *t, const uint8_t *apex, size_t len)
{
	return mv_zones_adopt_below(t->zones, apex, len, adopt, t);
}

/* Writer: stop watching the health checks old uses and node (NULL: none) does not. */
static void unwatch_dropped(struct mv_table *t, const struct mv_node *old,
			    const struct mv_node *node)
{
	for (unsigned i = 0; old != NULL && i < old->nsets; i++) {
		const uint32_t *ids = mv_rrset_wire_health(old->sets[i]);
		for (unsigned k = 0; k < old->sets[i]->count; k++)
			if (ids[k] != 0 && (node == NULL || !mv_node_uses_health(node, ids[k])))
				mv_health_unwatch(t->health, ids[k], old->name, old->name_len);
	}
}

/* Writer: drop name's link to its parent; remove parents left empty. */
static int release_ancestors(struct mv_table *t, const uint8_t *name, size_t len)
{
	const uint8_t *parent = name + 1 + name[0];
	size_t plen = len - 1 - name[0];
	struct mv_node *p = len > 1 ? writer_lookup(t, parent, plen) : NULL;

	if (p == NULL)
		return 0;
	if (p->children == 1 && p->nsets == 0) {
		int rc = unpublish(t, p);
		return rc != 0 ? rc : release_ancestors(t, parent, plen);
	}
	return adjust_children(t, p, -1);
}

int mv_table_set_name(struct mv_table *t, const uint8_t *owner, size_t owner_len,
		      const struct mv_rrset *const *sets, size_t n)
{
	struct mv_node *old = writer_lookup(t, owner, owner_len);
	const struct mv_rrset *soa = NULL;
	struct mv_zone *zone = old != NULL ? old->zone : NULL;
	struct mv_rrset_wire *negative = NULL;
	int rc = 0;

	for (size_t i = 0; i < n; i++)
		if (sets[i]->type == DNS_TYPE_SOA)
			soa = sets[i];

	if (n == 0) {
		if (old == NULL)
			return 0;
		if (old->children > 0) { /* becomes an empty non-terminal */
			struct mv_node *ent =
				mv_node_build(t->nodes, owner, owner_len, NULL, 0, old->zone, NULL);
			if (ent == NULL)
				return -ENOMEM;
			ent->children = old->children;
			rc = publish(t, ent, dns_name_hash(owner, owner_len));
			if (rc != 0)
				mv_node_free(t->nodes, ent);
		} else {
			rc = unpublish(t, old);
			if (rc == 0)
				rc = release_ancestors(t, owner, owner_len);
		}
		if (rc == 0) /* old stays readable until the next commit */
			unwatch_dropped(t, old, NULL);
		return rc;
	}

	/* Validate everything that can fail before anything is published. */
	if (soa != NULL) {
		negative = mv_node_build_negative(soa);
		if (negative == NULL)
			return -errno;
		zone = mv_zones_get(t->zones, owner, owner_len);
		if (zone == NULL) {
			free(negative);
			return -ENOMEM;
		}
	}
	struct mv_node *node = mv_node_build(t->nodes, owner, owner_len, sets, n, zone, t->health);
	if (node == NULL) {
		free(negative);
		return -errno;
	}
	/* Health watches first: a stale watch is harmless (rehealth_name checks),
	 * and unwatch_dropped removes the ones a name stops using. */
	for (size_t i = 0; i < n && rc == 0; i++)
		if (sets[i]->health != 0)
			rc = mv_health_watch(t->health, sets[i]->health, owner, owner_len);
	if (rc != 0) {
		mv_node_free(t->nodes, node);
		free(negative);
		return rc;
	}
	bool new_apex = old == NULL && soa != NULL;
	if (old == NULL && (rc = reserve(t)) == 0) {
		struct mv_zone *parent_zone = NULL;
		rc = ensure_ancestors(t, owner, owner_len, &parent_zone);
		if (rc == -ENOENT && soa != NULL) /* a zone apex needs no parent */
			rc = mv_zones_orphan(t->zones, zone);
		if (node->zone == NULL)
			node->zone = parent_zone;
	}
	if (rc == 0 && node->zone == NULL)
		rc = -ENOENT;
	if (rc != 0) {
		mv_node_free(t->nodes, node);
		free(negative);
		return rc;
	}
	if (old != NULL)
		node->children = old->children;
	if (negative != NULL) {
		const struct mv_rrset_wire *prev =
			atomic_load_explicit(&zone->negative, memory_order_relaxed);
		atomic_store_explicit(&zone->negative, negative, memory_order_release);
		if (prev != NULL)
			retire_with(t, (void *)(uintptr_t)prev, release_malloc);
	}
	rc = publish(t, node, dns_name_hash(owner, owner_len));
	if (rc != 0) {
		mv_node_free(t->nodes, node);
		return rc;
	}
	unwatch_dropped(t, old, node); /* old stays readable until the next commit */
	if (new_apex)
		return adopt_zones_below(t, owner, owner_len);
	return old != NULL && old->zone != node->zone
		       ? rezone_below(t, owner, owner_len, old->zone, node->zone)
		       : 0;
}

/* Rebuild one watching name if it still uses the changed check. */
static int rehealth_name(const uint8_t *name, size_t len, void *arg)
{
	struct mv_table *t = ((void **)arg)[0];
	uint32_t id = *(const uint32_t *)((void **)arg)[1];
	struct mv_node *node = writer_lookup(t, name, len);

	if (node == NULL || !mv_node_uses_health(node, id))
		return 0;
	struct mv_node *copy = mv_node_rehealth(t->nodes, node, t->health);
	if (copy == NULL)
		return -ENOMEM;
	int rc = publish(t, copy, dns_name_hash(name, len));
	if (rc != 0)
		mv_node_free(t->nodes, copy); /* never published: nobody reads it */
	return rc;
}

int mv_table_set_health(struct mv_table *t, uint32_t id, bool healthy)
{
	int rc = mv_health_set(t->health, id, healthy);
	void *arg[2] = {t, &id};

	if (rc <= 0)
		return rc;
	return mv_health_foreach_name(t->health, id, rehealth_name, arg);
}

unsigned mv_table_health_watchers(const struct mv_table *t, uint32_t id)
{
	return mv_health_watchers(t->health, id);
}

void mv_table_commit(struct mv_table *t)
{
	if (t->nretired == 0)
		return;
	if (t->sync != NULL)
		t->sync(t->sync_arg);
	for (size_t i = 0; i < t->nretired; i++)
		t->retired[i].release(t, t->retired[i].p);
	t->nretired = 0;
}

size_t mv_table_count(const struct mv_table *t)
{
	return t->live;
}
