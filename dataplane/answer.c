/* SPDX-License-Identifier: BSD-3-Clause */
#include "answer.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "name.h"
#include "query.h"
#include "random.h"
#include "wire.h"

/* Longest CNAME chain followed inside a zone before giving up (loops). */
#define CNAME_HOPS_MAX 8
/* OPT RR in our replies: root owner, type, class = payload, TTL, RDLENGTH 0. */
#define OPT_RR_LEN 11
#define PTR_MASK   0xc000

/* The NSID option: code 3, length, the identifier (mv_answer_set_nsid). */
#define OPT_CODE_NSID 3
static uint8_t nsid[MV_NSID_MAX];
static uint16_t nsid_len;

int mv_answer_set_nsid(const uint8_t *id, size_t len)
{
	if (len > MV_NSID_MAX)
		return -EINVAL;
	if (len > 0)
		memcpy(nsid, id, len);
	nsid_len = (uint16_t)len;
	return 0;
}

/* A reply being written over the query, after the echoed question. */
struct reply {
	uint8_t *msg;
	uint64_t *rng;  /* the worker's random state, for multivalue choices */
	uint16_t pos;   /* next octet to write */
	uint16_t limit; /* largest reply allowed, the OPT record's room excluded */
	uint16_t ancount;
	uint16_t nscount;
	uint16_t arcount; /* the OPT record not counted */
	bool overflow;
};

/*
 * Choose up to MVDNS_MULTIVALUE_MAX of n candidates, uniformly and in random
 * order. Out: pick. Returns how many were chosen.
 */
static unsigned choose(uint64_t *rng, unsigned n, uint16_t pick[MVDNS_MULTIVALUE_MAX])
{
	if (n <= MVDNS_MULTIVALUE_MAX) { /* all of them, shuffled (Fisher-Yates) */
		for (unsigned i = 0; i < n; i++)
			pick[i] = (uint16_t)i;
		for (unsigned i = n; i > 1; i--) {
			unsigned j = mv_random_below(rng, i);
			uint16_t tmp = pick[i - 1];
			pick[i - 1] = pick[j];
			pick[j] = tmp;
		}
		return n;
	}
	/* More candidates than room: draw without replacement by rejection,
	 * remembering draws in a bitmap when the pool is small enough. */
	uint64_t taken = 0;
	for (unsigned i = 0; i < MVDNS_MULTIVALUE_MAX; i++) {
		unsigned j;
		do {
			pick[i] = (uint16_t)mv_random_below(rng, n);
			if (n <= 64) {
				j = (taken >> pick[i] & 1) ? 0 : i;
				continue;
			}
			for (j = 0; j < i && pick[j] != pick[i]; j++)
				;
		} while (j < i);
		taken |= n <= 64 ? 1ull << pick[i] : 0;
	}
	return MVDNS_MULTIVALUE_MAX;
}

/* Copy one RR: short, so eight octets at a time beat a call to memcpy. */
static inline void copy_rr(uint8_t *dst, const uint8_t *src, unsigned len)
{
	unsigned i = 0;

	for (; i + 8 <= len; i += 8) {
		uint64_t w;
		memcpy(&w, src + i, 8);
		memcpy(dst + i, &w, 8);
	}
	for (; i < len; i++)
		dst[i] = src[i];
}

/*
 * Append RRs pick[0..n) of a multivalue RRset, those that fit: a choice that
 * does not fit is trimmed to what fits; only when no RR fits does the reply
 * overflow.
 */
static void put_choice(struct reply *r, const struct mv_rrset_wire *s, const uint16_t *pick,
		       unsigned n, uint16_t owner_off, uint16_t *count)
{
	const uint16_t *off = mv_rrset_wire_offsets(s);
	const uint8_t *rrs = mv_rrset_wire_rrs(s);
	unsigned written = 0;

	for (unsigned i = 0; i < n && !r->overflow; i++) {
		uint16_t len = mv_rrset_wire_rr_len(s, pick[i]);
		if (r->pos + len > r->limit)
			continue;
		copy_rr(r->msg + r->pos, rrs + off[pick[i]], len);
		dns_put_u16(r->msg + r->pos, (uint16_t)(PTR_MASK | owner_off));
		r->pos = (uint16_t)(r->pos + len);
		written++;
	}
	if (written == 0)
		r->overflow = true;
	*count = (uint16_t)(*count + written);
}

/*
 * Append a choice of multivalue RRset s drawn per query: variant v rotated
 * to start at its RR first, or (v NULL, for pools without variants) a
 * fresh choice of up to 8 of its healthy RRs, or of all of them when none
 * is healthy (fail open, as Route 53 does), copied RR by RR.
 */
static void reply_chosen(struct reply *r, const struct mv_rrset_wire *s, const struct mv_variant *v,
			 unsigned first, uint16_t owner_off, uint16_t *count)
{
	uint16_t pick[MVDNS_MULTIVALUE_MAX];
	unsigned n;

	if (v != NULL) {
		n = v->count;
		for (unsigned i = 0; i < n; i++)
			pick[i] = v->rr[(first + i) % n];
	} else {
		const uint16_t *healthy = s->nhealthy > 0 ? mv_rrset_wire_healthy(s) : NULL;
		n = choose(r->rng, healthy != NULL ? s->nhealthy : s->count, pick);
		if (healthy != NULL)
			for (unsigned i = 0; i < n; i++)
				pick[i] = healthy[pick[i]];
	}
	put_choice(r, s, pick, n, owner_off, count);
}

/*
 * Append a multivalue RRset. Pools with precomputed variants (variants.h)
 * copy one, rotated by a random number of RRs, in one go when it fits:
 * that case is inlined; the others are reply_chosen's.
 */
static inline __attribute__((always_inline)) void reply_multivalue(struct reply *r,
								   const struct mv_rrset_wire *s,
								   uint16_t owner_off,
								   uint16_t *count)
{
	if (s->nvariants == 0) {
		reply_chosen(r, s, NULL, 0, owner_off, count);
		return;
	}
	const struct mv_variant *v =
		mv_rrset_wire_variant(s, mv_random_below(r->rng, s->nvariants));
	unsigned first = mv_random_below(r->rng, v->count);
	if (r->overflow || r->pos + v->len > r->limit) {
		reply_chosen(r, s, v, first, owner_off, count);
		return;
	}
	uint8_t *dst = r->msg + r->pos;
	uint16_t head = v->boff[first];
	memcpy(dst, v->bytes + head, (size_t)(v->len - head));
	memcpy(dst + v->len - head, v->bytes, head);
	if (owner_off != DNS_HDR_LEN) /* after a CNAME: walk the RRs */
		for (unsigned at = 0; at < v->len;
		     at += 2 + DNS_RR_FIXED_LEN + dns_get_u16(dst + at + 10))
			dns_put_u16(dst + at, (uint16_t)(PTR_MASK | owner_off));
	r->pos = (uint16_t)(r->pos + v->len);
	*count = (uint16_t)(*count + v->count);
}

/*
 * Append the RRs of an RRset that is not a multivalue pool, their owners
 * pointing at `owner_off` (RRs are stored with 0xc00c). Inlined: it is
 * most of a simple answer's work, and its callers know more about their
 * arguments than it does.
 */
static inline __attribute__((always_inline)) void
put_rrset(struct reply *r, const struct mv_rrset_wire *s, uint16_t owner_off, uint16_t *count)
{
	if (r->overflow || r->pos + s->len > r->limit) {
		r->overflow = true;
		return;
	}
	uint8_t *dst = r->msg + r->pos;
	memcpy(dst, mv_rrset_wire_rrs(s), s->len);
	if (owner_off != DNS_HDR_LEN) {
		const uint16_t *off = mv_rrset_wire_offsets(s);
		for (unsigned i = 0; i < s->count; i++)
			dns_put_u16(dst + off[i], (uint16_t)(PTR_MASK | owner_off));
	}
	r->pos = (uint16_t)(r->pos + s->len);
	*count = (uint16_t)(*count + s->count);
}

/* Append an RRset, or a choice of a multivalue pool's RRs; owners as put_rrset. */
static inline __attribute__((always_inline)) void
reply_rrset(struct reply *r, const struct mv_rrset_wire *s, uint16_t owner_off, uint16_t *count)
{
	if (s->flags & MV_RRSET_MULTIVALUE)
		reply_multivalue(r, s, owner_off, count);
	else
		put_rrset(r, s, owner_off, count);
}

/*
 * Append the zone's SOA for a negative answer about the name at name_off:
 * one RR (mv_node_build_negative), never a pool.
 */
static void reply_negative(struct reply *r, const struct mv_zone *z, uint16_t name_off,
			   uint8_t name_len)
{
	const struct mv_rrset_wire *soa = atomic_load_explicit(&z->negative, memory_order_acquire);
	if (soa != NULL)
		put_rrset(r, soa, (uint16_t)(name_off + name_len - z->apex_len), &r->nscount);
}

static void put_header(uint8_t *msg, unsigned rcode, bool aa, bool tc)
{
	msg[DNS_HDR_FLAGS1] =
		(uint8_t)(DNS_FLAG1_QR |
			  (msg[DNS_HDR_FLAGS1] & (DNS_FLAG1_OPCODE_MASK | DNS_FLAG1_RD)) |
			  (aa ? DNS_FLAG1_AA : 0) | (tc ? DNS_FLAG1_TC : 0));
	msg[DNS_HDR_FLAGS2] = (uint8_t)((msg[DNS_HDR_FLAGS2] & DNS_FLAG2_CD) | (rcode & 0xf));
}

/* A reply with no question and no records: for FORMERR and NOTIMP. */
static uint16_t reply_header_only(uint8_t *msg, unsigned rcode)
{
	put_header(msg, rcode, false, false);
	memset(msg + DNS_HDR_QDCOUNT, 0, 8);
	return DNS_HDR_LEN;
}

/*
 * Finish: counts, flags, and the OPT record when the query had one. Inlined
 * at answer's one exit: there a call cost more than the few stores it makes.
 */
static inline __attribute__((always_inline)) uint16_t
reply_finish(struct reply *r, const struct dns_query *q, unsigned rcode, bool aa)
{
	uint8_t *msg = r->msg;

	if (r->overflow) { /* RFC 2181 section 9: TC, and the question only */
		r->pos = q->question_end;
		r->ancount = r->nscount = r->arcount = 0;
	}
	put_header(msg, rcode, aa, r->overflow);
	dns_put_u16(msg + DNS_HDR_QDCOUNT, 1);
	dns_put_u16(msg + DNS_HDR_ANCOUNT, r->ancount);
	dns_put_u16(msg + DNS_HDR_NSCOUNT, r->nscount);
	dns_put_u16(msg + DNS_HDR_ARCOUNT, (uint16_t)(r->arcount + (q->edns ? 1 : 0)));
	if (q->edns) {
		uint8_t *opt = msg + r->pos;
		opt[0] = 0;
		dns_put_u16(opt + 1, DNS_TYPE_OPT);
		dns_put_u16(opt + 3, MVDNS_UDP_PAYLOAD_EDNS);
		opt[5] = (uint8_t)(rcode >> 4); /* extended rcode, upper 8 bits */
		opt[6] = 0;                     /* version */
		opt[7] = q->edns_do ? 0x80 : 0;
		opt[8] = 0;
		dns_put_u16(opt + 9, 0);
		r->pos += OPT_RR_LEN;
		/* The limit kept room for the OPT record only: NSID when it also fits. */
		if (q->edns_nsid && nsid_len > 0 &&
		    r->pos - OPT_RR_LEN + 4 + nsid_len <= r->limit) {
			dns_put_u16(opt + 9, (uint16_t)(4 + nsid_len));
			dns_put_u16(opt + OPT_RR_LEN, OPT_CODE_NSID);
			dns_put_u16(opt + OPT_RR_LEN + 2, nsid_len);
			memcpy(opt + OPT_RR_LEN + 4, nsid, nsid_len);
			r->pos = (uint16_t)(r->pos + 4 + nsid_len);
		}
	}
	return r->pos;
}

/* Whether zone has delegations: nearly none has, and then no query looks for them. */
static inline bool has_cuts(const struct mv_zone *zone)
{
	return atomic_load_explicit(&zone->cuts, memory_order_relaxed) != 0;
}

/*
 * A referral to the delegation at cut, for a name at or below it (RFC 1034
 * 4.3.2 step 3b): its NS RRset in the authority section, and the addresses
 * of those name servers that lie below the cut (glue, which the resolver
 * cannot find elsewhere) in the additional section; TC when they do not
 * all fit (RFC 9471).
 */
static enum mv_verdict referral(const struct mv_table *t, struct reply *r,
				const struct dns_query *q, const struct mv_node *cut)
{
	const struct mv_rrset_wire *ns = mv_node_find(cut, DNS_TYPE_NS);
	uint16_t at = r->pos;

	reply_rrset(r, ns, (uint16_t)(DNS_HDR_LEN + q->qname_len - cut->name_len), &r->nscount);
	for (uint16_t end = r->pos; !r->overflow && at < end;
	     at = (uint16_t)(at + 2 + DNS_RR_FIXED_LEN + dns_get_u16(r->msg + at + 10))) {
		uint16_t target = (uint16_t)(at + 2 + DNS_RR_FIXED_LEN); /* the NS RR's name */
		uint8_t name[MVDNS_NAME_MAX];
		size_t len = dns_name_len(r->msg + target);
		memcpy(name, r->msg + target, len);
		dns_name_lower(name, len);
		if (!dns_name_is_below(name, len, cut->name, cut->name_len))
			continue;
		const struct mv_node *glue =
			mv_table_lookup(t, name, len, dns_name_hash(name, len));
		static const uint16_t types[] = {DNS_TYPE_A, DNS_TYPE_AAAA};
		for (unsigned i = 0; glue != NULL && i < 2; i++) {
			const struct mv_rrset_wire *set = mv_node_find(glue, types[i]);
			if (set != NULL)
				reply_rrset(r, set, target, &r->arcount);
		}
	}
	return MV_VERDICT_ANSWER_REFERRAL;
}

/*
 * CH TXT id.server or hostname.bind (RFC 4892), the questions operators ask
 * a server for its name, answered with the NSID when one is set: one TXT
 * record, TTL 0, owner the question's name. Returns whether r holds it.
 */
static bool identity(uint8_t *msg, uint16_t cap, const struct dns_query *q, struct reply *r)
{
	static const uint8_t id_server[] = "\2id\6server", hostname_bind[] = "\10hostname\4bind";
	uint16_t len = (uint16_t)(2 + DNS_RR_FIXED_LEN + 1 + nsid_len);
	uint16_t room = cap < MVDNS_UDP_PAYLOAD_PLAIN ? cap : MVDNS_UDP_PAYLOAD_PLAIN;

	_Static_assert(MV_NSID_MAX <= 255, "the NSID fits one TXT string");
	if (q->qclass != DNS_CLASS_CH || q->qtype != DNS_TYPE_TXT || nsid_len == 0 ||
	    !((q->qname_len == sizeof(id_server) &&
	       memcmp(q->qname, id_server, sizeof(id_server)) == 0) ||
	      (q->qname_len == sizeof(hostname_bind) &&
	       memcmp(q->qname, hostname_bind, sizeof(hostname_bind)) == 0)) ||
	    q->question_end + len + (q->edns ? OPT_RR_LEN : 0) > room)
		return false;
	uint8_t *rr = msg + q->question_end;
	dns_put_u16(rr, PTR_MASK | DNS_HDR_LEN);
	dns_put_u16(rr + 2, DNS_TYPE_TXT);
	dns_put_u16(rr + 4, DNS_CLASS_CH);
	dns_put_u32(rr + 6, 0);
	dns_put_u16(rr + 10, (uint16_t)(1 + nsid_len));
	rr[12] = (uint8_t)nsid_len;
	memcpy(rr + 13, nsid, nsid_len);
	r->pos = (uint16_t)(q->question_end + len);
	r->ancount = 1;
	return true;
}

/* The RRset at node that answers qtype, or NULL. */
static inline const struct mv_rrset_wire *answer_set(const struct mv_node *node, uint16_t qtype)
{
	if (qtype == DNS_TYPE_ANY)
		return node->nsets > 0 ? node->sets[0] : NULL; /* RFC 8482: one RRset */
	return mv_node_find(node, qtype);
}

/*
 * resolve for a node without an RRset of the query's type: follow its
 * CNAMEs, or answer NODATA. Out of line: resolve's common case, the type
 * found at the query's name, is inlined in answer and needs none of this.
 */
static enum mv_verdict resolve_cname(const struct mv_table *t, struct reply *r,
				     const struct dns_query *q, const struct mv_node *node,
				     unsigned *rcode)
{
	const struct mv_zone *zone = node->zone;
	uint16_t name_off = DNS_HDR_LEN;
	uint8_t name_len = q->qname_len;

	for (unsigned hop = 0;; hop++) {
		if (!(node->flags & MV_NODE_CNAME)) {
			reply_negative(r, zone, name_off, name_len);
			return MV_VERDICT_ANSWER_NODATA;
		}
		/* The CNAME's target starts right after its RR header. */
		uint16_t rr = r->pos;
		reply_rrset(r, node->sets[0], name_off, &r->ancount);
		if (r->overflow || hop + 1 == CNAME_HOPS_MAX)
			return MV_VERDICT_ANSWER_NOERROR;
		name_off = (uint16_t)(rr + 2 + DNS_RR_FIXED_LEN);
		const uint8_t *target = r->msg + name_off;
		name_len = (uint8_t)dns_name_len(target);
		if (!dns_name_is_below(target, name_len, zone->apex, zone->apex_len))
			return MV_VERDICT_ANSWER_NOERROR; /* out of zone: the resolver follows */
		int exact;
		node = mv_table_lookup_closest(t, target, name_len, dns_name_hash(target, name_len),
					       &exact);
		if (node == NULL || node->zone != zone ||
		    (has_cuts(zone) && mv_table_cut(t, node) != NULL))
			return MV_VERDICT_ANSWER_NOERROR; /* delegated: the resolver follows */
		if (!exact) {
			const struct mv_node *wild = mv_table_wildcard(t, node);
			if (wild == NULL || wild->zone != zone) {
				*rcode = DNS_RCODE_NXDOMAIN; /* RFC 6604: rcode of the last name */
				reply_negative(r, zone, name_off, name_len);
				return MV_VERDICT_ANSWER_NXDOMAIN;
			}
			node = wild; /* the target is synthesized from it (RFC 4592) */
		}
		const struct mv_rrset_wire *set = answer_set(node, q->qtype);
		if (set != NULL) {
			reply_rrset(r, set, name_off, &r->ancount);
			return MV_VERDICT_ANSWER_NOERROR;
		}
	}
}

/* Walk from the node at qname through CNAMEs; fill answer and authority. */
static inline enum mv_verdict resolve(const struct mv_table *t, struct reply *r,
				      const struct dns_query *q, const struct mv_node *node,
				      unsigned *rcode)
{
	const struct mv_rrset_wire *set = answer_set(node, q->qtype);

	if (set == NULL)
		return resolve_cname(t, r, q, node, rcode);
	reply_rrset(r, set, DNS_HDR_LEN, &r->ancount);
	return MV_VERDICT_ANSWER_NOERROR;
}

/*
 * The answer to msg, parsed as status and q, over TCP if stream. Inlined in
 * its three callers: a call with this many arguments costs a tenth of a
 * simple answer's work.
 */
static inline __attribute__((always_inline)) uint16_t
answer(const struct mv_table *t, uint8_t *msg, uint16_t cap, bool stream, uint64_t *rng,
       enum dns_query_status status, const struct dns_query *q, enum mv_verdict *verdict)
{
	struct reply r = {.msg = msg, .rng = rng};
	unsigned rcode = DNS_RCODE_NOERROR;
	bool aa = true;

	switch (status) {
	case DNS_QUERY_SHORT:
		*verdict = MV_VERDICT_DROP_SHORT;
		return 0;
	case DNS_QUERY_RESPONSE:
		*verdict = MV_VERDICT_DROP_NOT_QUERY;
		return 0;
	case DNS_QUERY_NOTIMP:
		*verdict = MV_VERDICT_ANSWER_NOTIMP;
		return reply_header_only(msg, DNS_RCODE_NOTIMP);
	case DNS_QUERY_FORMERR:
		*verdict = MV_VERDICT_ANSWER_FORMERR;
		return reply_header_only(msg, DNS_RCODE_FORMERR);
	case DNS_QUERY_BADVERS:
		rcode = DNS_RCODE_BADVERS;
		aa = false;
		*verdict = MV_VERDICT_ANSWER_BADVERS;
		r.pos = q->question_end;
		break;
	case DNS_QUERY_REFUSED:
		if (identity(msg, cap, q, &r)) {
			*verdict = MV_VERDICT_ANSWER_NOERROR;
			break;
		}
		rcode = DNS_RCODE_REFUSED;
		aa = false;
		*verdict = MV_VERDICT_ANSWER_REFUSED;
		r.pos = q->question_end;
		break;
	case DNS_QUERY_OK: {
		int exact;
		const struct mv_node *node =
			mv_table_lookup_closest(t, q->qname, q->qname_len, q->qname_hash, &exact);
		r.pos = q->question_end;
		if (node == NULL) {
			rcode = DNS_RCODE_REFUSED;
			aa = false;
			*verdict = MV_VERDICT_ANSWER_REFUSED;
			break;
		}
		uint16_t room = !stream && dns_query_max_udp(q) < cap ? dns_query_max_udp(q) : cap;
		r.limit = (uint16_t)(room - (q->edns ? OPT_RR_LEN : 0));
		const struct mv_node *cut = has_cuts(node->zone) ? mv_table_cut(t, node) : NULL;
		const struct mv_node *wild = NULL;
		if (cut != NULL && !(cut == node && exact && q->qtype == DNS_TYPE_DS)) {
			aa = false; /* below a delegation: not ours (DS at it is the parent's) */
			*verdict = referral(t, &r, q, cut);
		} else if (exact || (wild = mv_table_wildcard(t, node)) != NULL) {
			/* A wildcard answers with the query's name (RFC 4592). */
			*verdict = resolve(t, &r, q, exact ? node : wild, &rcode);
		} else {
			rcode = DNS_RCODE_NXDOMAIN;
			*verdict = MV_VERDICT_ANSWER_NXDOMAIN;
			reply_negative(&r, node->zone, DNS_HDR_LEN, q->qname_len);
		}
		if (r.overflow)
			*verdict = MV_VERDICT_ANSWER_TRUNCATED;
		break;
	}
	}
	return reply_finish(&r, q, rcode, aa);
}

uint16_t mv_answer(const struct mv_table *t, uint8_t *msg, uint16_t len, uint16_t cap,
		   uint64_t *rng, enum mv_verdict *verdict)
{
	struct dns_query q;
	enum dns_query_status status = dns_query_parse(msg, len, &q);

	return answer(t, msg, cap, false, rng, status, &q, verdict);
}

uint16_t mv_answer_parsed(const struct mv_table *t, const struct mv_parsed *p, uint16_t cap,
			  uint64_t *rng, enum mv_verdict *verdict)
{
	return answer(t, p->msg, cap, false, rng, p->status, &p->q, verdict);
}

uint16_t mv_answer_stream(const struct mv_table *t, uint8_t *msg, uint16_t len, uint16_t cap,
			  uint64_t *rng, enum mv_verdict *verdict)
{
	struct dns_query q;
	enum dns_query_status status = dns_query_parse(msg, len, &q);

	return answer(t, msg, cap, true, rng, status, &q, verdict);
}
