/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The record table's slot arrays, for the writer: mapping them, and growing
 * the table into a larger array (or sweeping its tombstones into one of the
 * same size) a few slots per name added, while readers go on probing the
 * current array until the copy is published. Apart from table_write.c,
 * which decides what the slots hold, because the copy is a mechanism of its
 * own, with writer state of its own (next, cursor, faulted and credit in
 * struct mv_table).
 */
#include <errno.h>
#include <stdatomic.h>
#include <sys/mman.h>

#include "name.h"
#include "table_pvt.h"

#define MIN_SLOTS 64u
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

struct slots *table_slots_alloc(size_t n)
{
	size_t len = sizeof(struct slots) + n * sizeof(struct slot);
	struct slots *s = slots_map(len);

	if (s != NULL) {
		s->mask = n - 1;
		s->map_len = len;
	}
	return s;
}

void table_slots_free(struct slots *s)
{
	if (s != NULL)
		munmap(s, s->map_len);
}

/* The release function of a retired slot array (swap_in). */
static void release_slots(struct mv_table *t, void *p)
{
	(void)t;
	table_slots_free(p);
}

size_t table_slots_for(size_t names)
{
	size_t n = MIN_SLOTS;
	while (n < names * 2)
		n <<= 1;
	return n;
}

/*
 * Growing, a little at a time. In a table that is taking names, once 3/8
 * of the slots are used, idle time (mv_table_migrate, ahead) maps the next
 * array and copies the current one into it a slice at a time, mirroring
 * every change to a slot already copied (table_mirror). Readers see only
 * the current array until the copy is whole and published (RCU). Names
 * added move the copy along only from half the slots used (MIGRATE_STEP
 * slots each; starting it there if idle time has not): the batches that
 * add them then pay for it. A table that takes no names stays as it is up
 * to half used: growing it ahead would only cost memory. Copying
 * everything at once, when the slots were half used, stopped one batch for
 * 5-9 ms at 131k names and 20 ms at 524k (with the prefetch below), in
 * proportion to the table; the copy and the page faults paid by names
 * added made 9 of 100 1,000-name batches 3-7 ms slower (bench/HISTORY.md, second stop).
 */
#define IDLE_AT_NUM    3 /* of 8: when idle time starts the copy, ahead */
#define MIGRATE_AT_NUM 4 /* of 8: when names added start it, and move it along */
#define LOAD_MAX_NUM   5 /* of 8: the most a table is used, briefly, while copying */
/*
 * Slots copied per name added. From 4/8 to 5/8 used, a table of n slots
 * takes n/8 more names, so at least 8; twice that leaves room for the page
 * faults first (prefault). Should the copy still lag, table_reserve finishes it
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

	if (table_retire_with(t, cur, release_slots) != 0)
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
void table_mirror(struct mv_table *t, size_t i, const uint8_t *name, size_t len, uint32_t hash,
		  struct mv_node *node)
{
	int found;

	if (t->next == NULL || i >= t->cursor)
		return;
	size_t j = table_slot_find(t->next, name, len, hash, &found);
	if (node == TOMBSTONE)
		t->next_tombstones += found;
	else if (!found && slot_get(t->next->s, j) == TOMBSTONE)
		t->next_tombstones--;
	if (found || node != TOMBSTONE) /* not published yet: no ordering needed */
		atomic_store_explicit(&t->next->s[j].word,
				      slot_pack(node, node == TOMBSTONE ? 0 : hash),
				      memory_order_relaxed);
}

/* Writer: map the next array unless a copy is under way; whether one is now. */
static bool grow_start(struct mv_table *t, size_t size)
{
	if (t->next == NULL) {
		size_t want = table_slots_for(2 * (t->live + 1)); /* at most a quarter used after */
		t->next = table_slots_alloc(want > size ? want : size); /* or a same-size sweep */
		t->cursor = 0;
		t->faulted = 4096;
		t->credit = 0;
		t->next_tombstones = 0;
	}
	return t->next != NULL; /* NULL: no memory for it now */
}

/* Writer: make room for one more node. */
int table_reserve(struct mv_table *t)
{
	const struct slots *cur = atomic_load_explicit(&t->slots, memory_order_relaxed);
	size_t size = cur->mask + 1, used = t->live + t->tombstones + 1;
	bool room = used * 8 <= size * LOAD_MAX_NUM;

	if (used * 8 > size * MIGRATE_AT_NUM && grow_start(t, size)) /* all at once, if full */
		return migrate(t, room ? MIGRATE_STEP : size);
	return room ? 0 : -ENOMEM; /* no memory for the next array, and none left here */
}

bool mv_table_migrate(struct mv_table *t, size_t slots, bool ahead)
{
	const struct slots *cur = atomic_load_explicit(&t->slots, memory_order_relaxed);
	size_t size = cur->mask + 1, used = t->live + t->tombstones;

	if ((t->next != NULL || (ahead && used * 8 > size * IDLE_AT_NUM)) && grow_start(t, size) &&
	    migrate(t, slots) == 0 && t->next == NULL)
		mv_table_commit(t);
	return t->next != NULL;
}
