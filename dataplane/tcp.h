/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DNS over TCP (RFC 7766) without connection state, so that TCP costs the
 * workers no memory, no locks and no timers, and a flood of SYNs fills
 * nothing:
 *   - a SYN is answered with a SYN-ACK whose sequence number is a cookie: a
 *     keyed hash (SipHash-2-4) of the addresses and ports, with the client's
 *     MSS in its two low bits (as Linux's SYN cookies do);
 *   - the first data segment, which acknowledges exactly cookie + 1, has
 *     every complete DNS message in it answered in one reply segment that
 *     also carries FIN: the server closes after answering, as RFC 7766
 *     section 6.2.3 allows; a lost reply is recovered by the client
 *     retransmitting its query;
 *   - a FIN is acknowledged (with our FIN too if we had sent nothing), so
 *     the client's side closes cleanly;
 *   - data after our FIN (more pipelined queries), or data and FINs that
 *     no cookie explains, are answered with RST: the client asks again on
 *     a new connection at once;
 *   - pure ACKs and RSTs need no reply.
 * Limits: the replies to one connection fit one segment (the client's MSS,
 * at most 1,460 octets); a larger answer is truncated with TC as over UDP;
 * queries sent after the first segment are reset, not answered.
 * Messages split over several segments are answered once the client's
 * retransmission brings them whole.
 */
#ifndef MV_TCP_H
#define MV_TCP_H

#include <stdint.h>

#include "packet.h"

/*
 * Turn the TCP segment l4[0..l4_len) (checksum verified by the caller) from
 * address src to our address dst (alen octets each: 4 or 16) into the reply
 * segment, in place in a buffer of l4_cap octets, checksum left at zero.
 * Out: *verdict.
 * Returns the reply's length, or 0 for no reply.
 */
uint16_t mv_tcp_handle(const struct mv_packet_ctx *ctx, const uint8_t *src, const uint8_t *dst,
		       unsigned alen, uint8_t *l4, uint16_t l4_len, uint16_t l4_cap,
		       enum mv_verdict *verdict);

#endif /* MV_TCP_H */
