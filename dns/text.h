/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Presentation format <-> wire format: domain names, type mnemonics and the
 * record data of every type Route 53 serves. Used by the control process to
 * compile record sets and by the dataplane's --load. Pure and thread-safe:
 * no allocation, no global state but dns_type_to_text()'s per-thread buffer.
 *
 * Route 53's API is the reference, not RFC 1035, where they differ:
 * - Escapes "\ooo" are three OCTAL digits (000-377), as Route 53 documents
 *   for names and TXT strings (Developer Guide, "DNS domain name format" and
 *   "Supported DNS record types", TXT: "\351" is an accented e). So "\052"
 *   is '*'; RFC 1035 would read it as decimal 52, '4'. "\8" or "\9..." is
 *   refused rather than guessed. "\X" with a non-digit X stands for X.
 * - Octets 0x00-0x20 and 0x7f-0xff must be written as escapes, except
 *   spaces inside quoted strings.
 * - TXT and SPF strings must be quoted; a bare word is refused, as Route 53
 *   does ("InvalidCharacterString (Value should be enclosed in quotation
 *   marks)").
 *
 * Error messages written to `err` follow Route 53's shape and, where it has
 * one, its wording, so that they can be shown to operators as they are:
 *   Invalid Resource Record: 'FATAL problem: ARRDATAIllegalIPv4Address (Value
 *   is not a valid IPv4 address) encountered with '1.2.3''
 * Names outside record data drop the "Invalid Resource Record" wrapper:
 *   FATAL problem: DomainLabelEmpty (Domain label is empty) encountered with 'a..b'
 * A message longer than errlen is truncated; err may be NULL.
 */
#ifndef DNS_TEXT_H
#define DNS_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "mvdns.h"

/*
 * Convert a name in presentation form ("www.Example.com", "www.example.com.",
 * "\052.example.com", "a\.b.example.com") to wire form, lower-cased
 * (ASCII only, RFC 4343, escaped letters too). The trailing dot is optional;
 * "." and "" are the root.
 * Out: out (at most MVDNS_NAME_MAX bytes).
 * Returns the wire length (1..255) or -EINVAL with a message in err:
 * DomainLabelEmpty (".." or a leading dot), DomainLabelTooLong (over 63
 * octets), DomainNameTooLong (over 255 octets in wire form),
 * InvalidEscapeCode, UnsupportedCharacter (a raw space, control or non-ASCII
 * octet).
 */
int dns_name_from_text(const char *text, uint8_t out[MVDNS_NAME_MAX], char *err, size_t errlen);

/*
 * Convert a wire name (no compression pointers) to presentation form with a
 * trailing dot, as Route 53's ListResourceRecordSets prints names: octets
 * other than [a-z0-9-_] print as a three-digit octal escape ("\052" for
 * '*', "\056" for a '.' inside a label, "\100" for '@'). The root is ".".
 * Returns the string length, -ENOSPC when cap is too small, or -EINVAL for a
 * malformed name (a label over 63 octets, a pointer, over 255 octets).
 */
int dns_name_to_text(const uint8_t *wire, char *out, size_t cap);

/* Type mnemonic ("A", "aaaa" case-insensitively, "TYPE65") to its number; -EINVAL if unknown. */
int dns_type_from_text(const char *text);
/* Type number to its mnemonic ("A"); "TYPE<n>" into a static per-thread buffer for others. */
const char *dns_type_to_text(uint16_t type);

/*
 * Convert one Route 53 `Value` of the given type to wire rdata. Supported:
 * A (dotted quad, inet_pton rules: no leading zeros), AAAA, CNAME, NS, PTR
 * (a name), MX ("10 mail.example.com"), TXT and SPF (one or more quoted
 * strings of at most 255 octets each after unescaping \" \\ and \ooo),
 * SRV ("priority weight port target"), CAA ('0 issue "ca.example"': flags
 * 0-255, a tag of 1-15 letters or digits, a quoted value), NAPTR ('order
 * preference "flags" "services" "regexp" replacement', with replacement "."
 * when regexp is set), SOA ("mname rname serial refresh retry expire
 * minimum") and DS ("key-tag algorithm digest-type hex-digest"). Fields are
 * separated by one or more spaces; the Value must not begin or end with one.
 * Numbers are decimal and range-checked (16 or 32 bits, 8 for CAA flags and
 * DS algorithm and digest type). Names inside rdata are lower-cased and never
 * compressed.
 * Out: out (at most cap bytes).
 * Returns the rdata length or -EINVAL (bad value, or an unsupported type) with
 * a message in err, or -ENOSPC when cap is too small.
 */
int dns_rdata_from_text(uint16_t type, const char *text, uint8_t *out, size_t cap, char *err,
			size_t errlen);

/*
 * Convert wire rdata of the given type back to the Route 53 presentation of
 * the value (what list-resource-record-sets prints): names with a trailing
 * dot and octal escapes, strings quoted with \" \\ and \ooo escapes, AAAA
 * in its shortest form, DS digests in upper-case hex. The output always
 * parses back to the same rdata (with upper-case letters in names lower-cased).
 * Returns the string length, -EINVAL for malformed rdata (including rdata
 * dns_rdata_from_text() would refuse, and unsupported types), -ENOSPC if cap
 * is small.
 */
int dns_rdata_to_text(uint16_t type, const uint8_t *rdata, size_t len, char *out, size_t cap);

#endif /* DNS_TEXT_H */
