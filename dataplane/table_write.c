/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The record table's single writer (the main lcore): creating and
 * destroying the table, publishing and unpublishing nodes, the empty
 * non-terminals and zones above and below a name (mv_table_set_name), the
 * health checks' rebuilds, and the memory retired until mv_table_commit.
 * Nothing here runs on a worker; the readers are in table.c, the growth of
 * the slot arrays in table_grow.c.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "name.h"
#include "node.h"
#include "table_pvt.h"
#include "wire.h"
#include "zone_index.h"

/* The release functions of retired memory. */
static void release_node(struct mv_table *t, void *p)
{
	mv_node_free(t->nodes, p);
}

static void release_malloc(struct mv_table *t, void *p)
{
	(void)t;
	free(p);
}

struct mv_table *mv_table_create(size_t names, mv_table_sync_fn sync, void *sync_arg)
{
	struct mv_table *t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	struct slots *s = table_slots_alloc(table_slots_for(names));
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
		table_slots_free(s);
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
	table_slots_free(s);
	table_slots_free(t->next);
	mv_zones_destroy(t->zones);
	for (size_t i = 0; i < t->nretired; i++)
		t->retired[i].release(t, t->retired[i].p);
	free(t->retired);
	mv_health_destroy(t->health);
	mv_arena_destroy(t->nodes); /* after the nodes: large ones come from malloc */
	free(t);
}

/* Writer: index of the slot holding name, or of the slot to insert it into. */
size_t table_slot_find(const struct slots *s, const uint8_t *name, size_t len, uint32_t hash,
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
int table_retire_with(struct mv_table *t, void *p, void (*release)(struct mv_table *t, void *p))
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
	return table_retire_with(t, node, release_node);
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
	size_t i = table_slot_find(s, node->name, node->name_len, hash, &found);

	if (((uintptr_t)node & ~SLOT_ADDR_MASK) != 0)
		return -ENOMEM; /* an address a slot cannot hold: never seen on Linux */
	if (found) {
		struct mv_node *old = slot_get(s->s, i);
		if (retire_node(t, old) != 0)
			return -ENOMEM;
		atomic_store_explicit(&s->s[i].word, slot_pack(node, hash), memory_order_release);
		table_mirror(t, i, node->name, node->name_len, hash, node);
		count_node(t, old, -1);
		count_node(t, node, +1);
		return 0;
	}
	if (slot_get(s->s, i) == TOMBSTONE)
		t->tombstones--;
	atomic_store_explicit(&s->s[i].word, slot_pack(node, hash), memory_order_release);
	table_mirror(t, i, node->name, node->name_len, hash, node);
	t->live++;
	count_node(t, node, +1);
	return 0;
}

static int unpublish(struct mv_table *t, struct mv_node *node)
{
	struct slots *s = atomic_load_explicit(&t->slots, memory_order_relaxed);
	int found;
	uint32_t hash = dns_name_hash(node->name, node->name_len);
	size_t i = table_slot_find(s, node->name, node->name_len, hash, &found);

	if (!found || retire_node(t, node) != 0)
		return -ENOMEM;
	atomic_store_explicit(&s->s[i].word, slot_pack(TOMBSTONE, 0), memory_order_release);
	table_mirror(t, i, node->name, node->name_len, hash, TOMBSTONE);
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
		if (table_reserve(t) != 0 || publish(t, ent, dns_name_hash(parent, plen)) != 0) {
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
	int rc = table_reserve(t);
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
	if (old == NULL && (rc = table_reserve(t)) == 0) {
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
			table_retire_with(t, (void *)(uintptr_t)prev, release_malloc);
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

bool mv_table_prepare(struct mv_table *t)
{
	return mv_arena_prepare(t->nodes);
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
