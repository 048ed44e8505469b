/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Constants shared by the dataplane, the control process and the BPF program.
 * Fixed-width values only: this header is part of every ABI between them.
 */
#ifndef MVDNS_H
#define MVDNS_H

/* DNS over UDP: size of a reply without EDNS (RFC 1035 section 4.2.1). */
#define MVDNS_UDP_PAYLOAD_PLAIN 512
/* The EDNS UDP payload we advertise and the most we send (DNS Flag Day 2020). */
#define MVDNS_UDP_PAYLOAD_EDNS 1232
/* DNS port served by the dataplane and steered by the XDP program. */
#define MVDNS_DNS_PORT 53
/* Most values a multivalue answer carries (Route 53's rule). */
#define MVDNS_MULTIVALUE_MAX 8
/* Longest domain name in wire form, including the root label (RFC 1035). */
#define MVDNS_NAME_MAX 255
/* Longest label (RFC 1035). */
#define MVDNS_LABEL_MAX 63

#endif /* MVDNS_H */
