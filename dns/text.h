/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Presentation format <-> wire format: domain names, type mnemonics and the
 * record data of every type Route 53 serves. Used by the control process to
 * compile record sets and by the dataplane's --load. Pure, thread-safe.
 *
 * Error messages written to `err` follow Route 53's wording where Route 53
 * has one, so that they can be shown to operators as they are.
 */
#ifndef DNS_TEXT_H
#define DNS_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "mvdns.h"

/*
 * Convert a name in presentation form ("www.Example.com", "www.example.com.",
 * "\052.example.com", "a\.b.example.com") to wire form, lower-cased
 * (ASCII only, RFC 4343). The trailing dot is optional; "." and "" are the root.
 * Out: out (at most MVDNS_NAME_MAX bytes).
 * Returns the wire length (1..255) or -EINVAL with a message in err.
 */
int dns_name_from_text(const char *text, uint8_t out[MVDNS_NAME_MAX], char *err, size_t errlen);

/*
 * Convert a wire name (no compression pointers) to presentation form with a
 * trailing dot, as Route 53 lists names: octets outside [a-z0-9-_] and '*'
 * as the first label octet print as a three-digit octal escape ("\052" is
 * how Route 53 prints '*'; a '.' inside a label prints as "\056").
 * Returns the string length, or -ENOSPC when cap is too small.
 */
int dns_name_to_text(const uint8_t *wire, char *out, size_t cap);

/* Type mnemonic ("A", "aaaa" case-insensitively, "TYPE65") to its number; -EINVAL if unknown. */
int dns_type_from_text(const char *text);
/* Type number to its mnemonic ("A"); "TYPE<n>" into a static per-thread buffer for others. */
const char *dns_type_to_text(uint16_t type);

/*
 * Convert one Route 53 `Value` of the given type to wire rdata. Supported:
 * A, AAAA, CNAME, NS, PTR (a name), MX ("10 mail.example.com"),
 * TXT and SPF (one or more quoted strings of at most 255 octets each, with
 * \" and \DDD escapes), SRV ("priority weight port target"),
 * CAA ('0 issue "ca.example"'), NAPTR, SOA ("mname rname serial refresh retry
 * expire minimum"). Names inside rdata are lower-cased and never compressed.
 * Out: out (at most cap bytes).
 * Returns the rdata length or -EINVAL (bad value, or an unsupported type) with
 * a message in err, or -ENOSPC when cap is too small.
 */
int dns_rdata_from_text(uint16_t type, const char *text, uint8_t *out, size_t cap, char *err,
			size_t errlen);

/*
 * Convert wire rdata of the given type back to the Route 53 presentation of
 * the value (what list-resource-record-sets prints).
 * Returns the string length, -EINVAL for malformed rdata, -ENOSPC if cap is small.
 */
int dns_rdata_to_text(uint16_t type, const uint8_t *rdata, size_t len, char *out, size_t cap);

#endif /* DNS_TEXT_H */
