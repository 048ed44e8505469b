/* SPDX-License-Identifier: BSD-3-Clause */
#include "node.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "variants.h"
#include "wire.h"

#define ALIGN8(x) (((x) + 7u) & ~(size_t)7u)

/* RR in reply form: owner pointer (2) + type, class, TTL, rdlength (10) + rdata. */
static size_t rr_size(size_t rdlen)
{
	return 2 + DNS_RR_FIXED_LEN + rdlen;
}

static uint8_t *put_rr(uint8_t *p, uint16_t type, uint32_t ttl, const uint8_t *rdata,
		       uint16_t rdlen)
{
	dns_put_u16(p, DNS_PTR_QNAME);
	dns_put_u16(p + 2, type);
	dns_put_u16(p + 4, DNS_CLASS_IN);
	dns_put_u32(p + 6, ttl);
	dns_put_u16(p + 10, rdlen);
	memcpy(p + 12, rdata, rdlen);
	return p + 12 + rdlen;
}

/* Whether value v of set s already appears earlier in the group [first, s]. */
static int is_duplicate(const struct mv_rrset *const *group, size_t s, unsigned v)
{
	for (size_t i = 0; i <= s; i++) {
		unsigned end = i == s ? v : group[i]->count;
		for (unsigned j = 0; j < end; j++)
			if (group[i]->rdata_len[j] == group[s]->rdata_len[v] &&
			    memcmp(group[i]->rdata[j], group[s]->rdata[v],
				   group[s]->rdata_len[v]) == 0)
				return 1;
	}
	return 0;
}

/* Whether a name fills rdata exactly: answer.c follows CNAME targets as names. */
static int rdata_is_name(const uint8_t *rdata, size_t len)
{
	size_t off = 0;

	while (off < len && rdata[off] != 0) {
		if (rdata[off] > MVDNS_LABEL_MAX)
			return 0;
		off += 1u + rdata[off];
	}
	return off + 1 == len;
}

/* Size of the merged RRset of group[0..n) (all of one type); 0 if too large. */
static size_t group_size(const struct mv_rrset *const *group, size_t n, unsigned *count)
{
	size_t len = 0;

	*count = 0;
	for (size_t s = 0; s < n; s++)
		for (unsigned v = 0; v < group[s]->count; v++) {
			if (is_duplicate(group, s, v))
				continue;
			len += rr_size(group[s]->rdata_len[v]);
			(*count)++;
		}
	return len > UINT16_MAX ? 0 : len;
}

/*
 * Room for the precomputed choices of group[0..n) merged into count RRs:
 * out *cap variants of *stride octets. Returns the octets (0 for none).
 */
static size_t group_variants(const struct mv_rrset *const *group, size_t n, unsigned count,
			     uint16_t *cap, uint16_t *stride)
{
	size_t max_rr = 0;
	int multivalue = 0;

	for (size_t s = 0; s < n; s++) {
		multivalue |= group[s]->multivalue;
		for (unsigned v = 0; v < group[s]->count; v++)
			if (rr_size(group[s]->rdata_len[v]) > max_rr)
				max_rr = rr_size(group[s]->rdata_len[v]);
	}
	if (!multivalue) {
		*cap = *stride = 0;
		return 0;
	}
	return mv_variants_room(count, max_rr, cap, stride);
}

/* Recompute which RRs pass their health checks, and the choices among them. */
static void set_healthy(struct mv_rrset_wire *w, const struct mv_health *health)
{
	const uint32_t *ids = mv_rrset_wire_health(w);
	uint16_t *healthy = (uint16_t *)(uintptr_t)mv_rrset_wire_healthy(w);

	w->nhealthy = 0;
	for (unsigned i = 0; i < w->count; i++)
		if (mv_health_ok(health, ids[i]))
			healthy[w->nhealthy++] = (uint16_t)i;
	mv_variants_build(w);
}

static void group_write(struct mv_rrset_wire *w, const struct mv_rrset *const *group, size_t n,
			const struct mv_health *health)
{
	uint32_t *ids = (uint32_t *)(uintptr_t)mv_rrset_wire_health(w);
	uint16_t *off = (uint16_t *)(uintptr_t)mv_rrset_wire_offsets(w);
	uint8_t *rrs = (uint8_t *)(uintptr_t)mv_rrset_wire_rrs(w);
	uint8_t *p = rrs;
	unsigned i = 0;

	for (size_t s = 0; s < n; s++) {
		if (group[s]->multivalue)
			w->flags |= MV_RRSET_MULTIVALUE;
		for (unsigned v = 0; v < group[s]->count; v++) {
			if (is_duplicate(group, s, v))
				continue;
			ids[i] = group[s]->health;
			off[i++] = (uint16_t)(p - rrs);
			p = put_rr(p, group[s]->type, group[s]->ttl, group[s]->rdata[v],
				   group[s]->rdata_len[v]);
		}
	}
	set_healthy(w, health);
}

static int cmp_set_type(const void *a, const void *b)
{
	const struct mv_rrset *x = *(const struct mv_rrset *const *)a;
	const struct mv_rrset *y = *(const struct mv_rrset *const *)b;

	return (int)x->type - (int)y->type;
}

/* What pass 1 learns about a sorted list of record sets. */
struct plan {
	size_t size; /* octets of the node's one allocation */
	size_t ntypes;
	int has_cname, has_soa, has_ns;
};

/* Pass 1: sizes and rules, no allocation. Returns 0 or -EINVAL. */
static int plan_node(const struct mv_rrset *const *sorted, size_t n, size_t owner_len,
		     struct plan *p)
{
	memset(p, 0, sizeof(*p));
	for (size_t i = 0; i < n;) {
		size_t j = i;
		unsigned count;
		while (j < n && sorted[j]->type == sorted[i]->type)
			j++;
		size_t len = group_size(sorted + i, j - i, &count);
		if (len == 0 || p->ntypes == UINT8_MAX)
			return -EINVAL;
		if (sorted[i]->type == DNS_TYPE_CNAME &&
		    (count != 1 || !rdata_is_name(sorted[i]->rdata[0], sorted[i]->rdata_len[0])))
			return -EINVAL;
		if (sorted[i]->type == DNS_TYPE_SOA && (count != 1 || sorted[i]->rdata_len[0] < 22))
			return -EINVAL;
		uint16_t cap, stride;
		p->size += ALIGN8(mv_rrset_wire_size(count, len)) +
			   group_variants(sorted + i, j - i, count, &cap, &stride);
		p->has_cname |= sorted[i]->type == DNS_TYPE_CNAME;
		p->has_soa |= sorted[i]->type == DNS_TYPE_SOA;
		p->has_ns |= sorted[i]->type == DNS_TYPE_NS;
		p->ntypes++;
		i = j;
	}
	/* One set pointer per type: record sets of one type merge into one RRset. */
	p->size += ALIGN8(sizeof(struct mv_node) + sizeof(void *) * p->ntypes + owner_len);
	return p->has_cname && p->ntypes > 1 ? -EINVAL : 0;
}

/* Names with at most this many record sets are sorted on the stack. */
#define SORT_ON_STACK 16

/*
 * A copy of sets sorted by type, in buf (SORT_ON_STACK entries) when it fits,
 * else allocated (NULL on ENOMEM); release it with sorted_free. A name almost
 * always has one set or a few, in order already: a node built per name of a
 * batch paid for a malloc, a free and a qsort call more than for its plan.
 */
static const struct mv_rrset **sort_sets(const struct mv_rrset *const *sets, size_t n,
					 const struct mv_rrset **buf)
{
	const struct mv_rrset **sorted = n <= SORT_ON_STACK ? buf : malloc(n * sizeof(*sorted));

	if (sorted == NULL || n == 0)
		return sorted;
	memcpy(sorted, sets, n * sizeof(*sorted));
	if (n > SORT_ON_STACK) {
		qsort(sorted, n, sizeof(*sorted), cmp_set_type);
		return sorted;
	}
	for (size_t i = 1; i < n; i++) { /* insertion sort: stable, nothing to do when sorted */
		const struct mv_rrset *s = sorted[i];
		size_t j = i;
		for (; j > 0 && sorted[j - 1]->type > s->type; j--)
			sorted[j] = sorted[j - 1];
		sorted[j] = s;
	}
	return sorted;
}

static void sorted_free(const struct mv_rrset **sorted, const struct mv_rrset **buf)
{
	if (sorted != buf)
		free(sorted);
}

int mv_node_check(const struct mv_rrset *const *sets, size_t n)
{
	struct plan p;
	const struct mv_rrset *buf[SORT_ON_STACK];
	const struct mv_rrset **sorted = sort_sets(sets, n, buf);

	if (sorted == NULL)
		return -ENOMEM;
	int rc = plan_node(sorted, n, 0, &p);
	sorted_free(sorted, buf);
	return rc;
}

struct mv_node *mv_node_build(struct mv_arena *arena, const uint8_t *owner, size_t owner_len,
			      const struct mv_rrset *const *sets, size_t n, struct mv_zone *zone,
			      const struct mv_health *health)
{
	const struct mv_rrset *buf[SORT_ON_STACK];
	const struct mv_rrset **sorted = sort_sets(sets, n, buf);
	struct mv_node *node = NULL;
	struct plan plan;

	if (sorted == NULL)
		return NULL;
	if (plan_node(sorted, n, owner_len, &plan) != 0) {
		errno = EINVAL;
		goto out;
	}

	/* Pass 2: fill one allocation. */
	node = mv_arena_alloc(arena, plan.size);
	if (node == NULL)
		goto out;
	memset(node, 0, plan.size);
	node->name_len = (uint8_t)owner_len;
	node->nsets = (uint8_t)plan.ntypes;
	node->flags =
		(uint8_t)((plan.has_soa ? MV_NODE_APEX : 0) | (plan.has_cname ? MV_NODE_CNAME : 0) |
			  (plan.has_ns && !plan.has_soa ? MV_NODE_CUT : 0));
	node->zone = zone;
	uint8_t *p = (uint8_t *)&node->sets[plan.ntypes];
	memcpy(p, owner, owner_len);
	node->name = p;
	p = (uint8_t *)node + ALIGN8((size_t)(p + owner_len - (uint8_t *)node));
	size_t k = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		unsigned count;
		while (j < n && sorted[j]->type == sorted[i]->type)
			j++;
		struct mv_rrset_wire *w = (struct mv_rrset_wire *)(void *)p;
		w->type = sorted[i]->type;
		w->len = (uint16_t)group_size(sorted + i, j - i, &count);
		w->count = (uint16_t)count;
		group_variants(sorted + i, j - i, count, &w->vcap, &w->vstride);
		group_write(w, sorted + i, j - i, health);
		node->sets[k++] = w;
		p += mv_rrset_wire_total(w);
		i = j;
	}
	/* mv_node_free finds the size class from the node: it must agree. */
	assert(mv_node_size(node) == plan.size);
out:
	sorted_free(sorted, buf);
	return node;
}

size_t mv_node_size(const struct mv_node *node)
{
	/* The allocation runs from the node to the end of its last RRset. */
	size_t size = ALIGN8(sizeof(*node) + sizeof(node->sets[0]) * node->nsets + node->name_len);
	for (unsigned i = 0; i < node->nsets; i++) {
		const struct mv_rrset_wire *w = node->sets[i];
		size_t end = (size_t)((const uint8_t *)w - (const uint8_t *)node) +
			     mv_rrset_wire_total(w);
		if (end > size)
			size = end;
	}
	return size;
}

void mv_node_free(struct mv_arena *arena, struct mv_node *node)
{
	if (node != NULL)
		mv_arena_free(arena, node, mv_node_size(node));
}

struct mv_node *mv_node_clone(struct mv_arena *arena, const struct mv_node *node)
{
	size_t size = mv_node_size(node);
	struct mv_node *copy = mv_arena_alloc(arena, size);
	if (copy == NULL)
		return NULL;
	memcpy(copy, node, size);
	/* Rebase the interior pointers onto the copy. */
	ptrdiff_t delta = (const uint8_t *)copy - (const uint8_t *)node;
	copy->name = node->name + delta;
	for (unsigned i = 0; i < node->nsets; i++)
		copy->sets[i] = (const struct mv_rrset_wire *)(const void *)((const uint8_t *)
										     node->sets[i] +
									     delta);
	return copy;
}

struct mv_rrset_wire *mv_node_build_negative(const struct mv_rrset *soa)
{
	if (soa->count != 1 || soa->rdata_len[0] < 22) {
		errno = EINVAL;
		return NULL;
	}
	uint16_t rdlen = soa->rdata_len[0];
	uint32_t minimum = dns_get_u32(soa->rdata[0] + rdlen - 4);
	size_t len = rr_size(rdlen);
	struct mv_rrset_wire *w = calloc(1, mv_rrset_wire_size(1, len));
	if (w == NULL)
		return NULL;
	w->type = DNS_TYPE_SOA;
	w->count = 1;
	w->nhealthy = 1;
	w->len = (uint16_t)len;
	put_rr((uint8_t *)(uintptr_t)mv_rrset_wire_rrs(w), DNS_TYPE_SOA,
	       soa->ttl < minimum ? soa->ttl : minimum, soa->rdata[0], rdlen);
	return w;
}

struct mv_node *mv_node_rehealth(struct mv_arena *arena, const struct mv_node *node,
				 const struct mv_health *health)
{
	struct mv_node *copy = mv_node_clone(arena, node);

	if (copy != NULL)
		for (unsigned i = 0; i < copy->nsets; i++)
			set_healthy((struct mv_rrset_wire *)(uintptr_t)copy->sets[i], health);
	return copy;
}

bool mv_node_uses_health(const struct mv_node *node, uint32_t id)
{
	for (unsigned i = 0; i < node->nsets; i++) {
		const uint32_t *ids = mv_rrset_wire_health(node->sets[i]);
		for (unsigned k = 0; k < node->sets[i]->count; k++)
			if (ids[k] == id)
				return true;
	}
	return false;
}
