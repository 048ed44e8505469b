// SPDX-License-Identifier: BSD-3-Clause
/*
 * reflector.bpf.c - the load generator's ceiling: a "DNS server" that does
 * nothing. Every IPv4 UDP packet to port 53 goes back out of the interface
 * it came in on (XDP_TX) with Ethernet and IP addresses and UDP ports
 * swapped, QR set and a zero UDP checksum; everything else (ARP above all)
 * passes to the kernel. No lookup, no answer: what the generator measures
 * against it is the cost of the veth pair and of the generator itself.
 *
 *   clang -O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -c reflector.bpf.c -o reflector.o
 *   ip link set dev veth-s xdpdrv obj reflector.o sec xdp
 *
 * On veth, XDP_TX reaches the peer only if the peer has an XDP program too
 * (kxdpgun brings its own; for dnsperf the bench attaches an XDP_PASS one).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define DNS_PORT 53
#define DNS_HDR  12
#define DNS_QR   0x80 /* in the third octet of the DNS header */

SEC("xdp")
int reflect(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	unsigned char mac[ETH_ALEN];
	__u32 addr;
	__u16 port;

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	if (ip->ihl != 5 || ip->protocol != IPPROTO_UDP)
		return XDP_PASS;
	struct udphdr *udp = (void *)(ip + 1);
	unsigned char *dns = (void *)(udp + 1);
	if ((void *)(dns + DNS_HDR) > end || udp->dest != bpf_htons(DNS_PORT))
		return XDP_PASS;

	__builtin_memcpy(mac, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, mac, ETH_ALEN);
	addr = ip->saddr; /* swapping leaves the IP checksum unchanged */
	ip->saddr = ip->daddr;
	ip->daddr = addr;
	port = udp->source;
	udp->source = udp->dest;
	udp->dest = port;
	udp->check = 0; /* none, which IPv4 allows */
	dns[2] |= DNS_QR;
	return XDP_TX;
}

/* Attached to the client's veth so that XDP_TX frames reach its kernel. */
SEC("xdp")
int pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
