/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * XDP: steer DNS (UDP and TCP to port 53, over IPv4 or IPv6) to the AF_XDP
 * socket of the receiving queue; pass everything else (ARP, ND, ICMP, SSH,
 * BGP, other TCP and UDP) to the kernel, which keeps owning the host's
 * addresses. The dataplane answers DNS over TCP without connection state
 * (dataplane/tcp.h). Loaded by DPDK's af_xdp PMD with
 * `xdp_prog=xdp_dns.bpf.o`; the PMD puts its sockets in the map named
 * xsks_map.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>

#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "mvdns.h"

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u32);
} xsks_map SEC(".maps");

/* The ports of a UDP or TCP header (both start with source and destination). */
struct ports {
	__be16 source;
	__be16 dest;
};

static __always_inline int is_udp_or_tcp(__u8 proto)
{
	return proto == IPPROTO_UDP || proto == IPPROTO_TCP;
}

/*
 * The ports after an IPv4 or IPv6 header carrying UDP or TCP, or NULL;
 * every read checked against data_end.
 */
static __always_inline struct ports *ports_of(void *data, void *data_end)
{
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return NULL;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);
		if ((void *)(ip + 1) > data_end || !is_udp_or_tcp(ip->protocol))
			return NULL;
		/* Fragments other than the first carry no ports: the kernel's. */
		if (ip->frag_off & bpf_htons(0x1fff))
			return NULL;
		struct ports *p = (void *)ip + ip->ihl * 4;
		return ip->ihl >= 5 && (void *)(p + 1) <= data_end ? p : NULL;
	}
	if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);
		if ((void *)(ip6 + 1) > data_end || !is_udp_or_tcp(ip6->nexthdr))
			return NULL;
		struct ports *p = (void *)(ip6 + 1);
		return (void *)(p + 1) <= data_end ? p : NULL;
	}
	return NULL;
}

SEC("xdp")
int xdp_dns(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ports *p = ports_of(data, data_end);

	if (p == NULL || p->dest != bpf_htons(MVDNS_DNS_PORT))
		return XDP_PASS;
	/* No socket on this queue (dataplane not running): the kernel's, too. */
	return bpf_redirect_map(&xsks_map, ctx->rx_queue_index, XDP_PASS);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
