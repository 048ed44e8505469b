/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * XDP: steer DNS queries (UDP to port 53, over IPv4 or IPv6) to the AF_XDP
 * socket of the receiving queue; pass everything else (ARP, ND, ICMP, SSH,
 * BGP, TCP, other UDP) to the kernel, which keeps owning the host's
 * addresses. Loaded by DPDK's af_xdp PMD with `xdp_prog=xdp_dns.bpf.o`; the
 * PMD puts its sockets in the map named xsks_map.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>

#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "mvdns.h"

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u32);
} xsks_map SEC(".maps");

/* The UDP header after an IPv4 or IPv6 header, or NULL; every read checked against data_end. */
static __always_inline struct udphdr *udp_of(void *data, void *data_end)
{
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return NULL;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);
		if ((void *)(ip + 1) > data_end || ip->protocol != IPPROTO_UDP)
			return NULL;
		/* Fragments other than the first carry no UDP header: the kernel's. */
		if (ip->frag_off & bpf_htons(0x1fff))
			return NULL;
		struct udphdr *udp = (void *)ip + ip->ihl * 4;
		return ip->ihl >= 5 && (void *)(udp + 1) <= data_end ? udp : NULL;
	}
	if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);
		if ((void *)(ip6 + 1) > data_end || ip6->nexthdr != IPPROTO_UDP)
			return NULL;
		struct udphdr *udp = (void *)(ip6 + 1);
		return (void *)(udp + 1) <= data_end ? udp : NULL;
	}
	return NULL;
}

SEC("xdp")
int xdp_dns(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct udphdr *udp = udp_of(data, data_end);

	if (udp == NULL || udp->dest != bpf_htons(MVDNS_DNS_PORT))
		return XDP_PASS;
	/* No socket on this queue (dataplane not running): the kernel's, too. */
	return bpf_redirect_map(&xsks_map, ctx->rx_queue_index, XDP_PASS);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
