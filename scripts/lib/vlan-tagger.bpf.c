// SPDX-License-Identifier: GPL-2.0
//
// Fallback VLAN "subinterfaces" for kernels built without the 8021q module
// (e.g. minimal VMs where `ip link add ... type vlan` fails with
// "Unknown device type"). Attached with tc clsact on the veth:
//
//   egress  (section "tc_push"): pick the tag(s) by the IPv4 destination
//           address (or the ARP target address) and push them with the
//           kernel's own bpf_skb_vlan_push(), so the frames on the veth carry
//           real 802.1Q / 802.1ad headers exactly like a vlan subinterface
//           would produce.
//   ingress (section "tc_pop"):  strip up to two tags so the untagged packet
//           reaches the IP stack of the namespace.
//
// The rule table comes from a generated header (see netns.sh):
//   #define SP_RULES { {net, mask, inner_proto, inner_id, outer_proto, outer_id}, ... }
// Addresses/masks are host-order integers; protos are ethertypes (0 = none).
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>

#define SEC(n) __attribute__((section(n), used))

static long (*bpf_skb_load_bytes)(const struct __sk_buff *skb, __u32 off,
                                  void *to, __u32 len) = (void *)BPF_FUNC_skb_load_bytes;
static long (*bpf_skb_vlan_push)(struct __sk_buff *skb, __u16 proto,
                                 __u16 tci) = (void *)BPF_FUNC_skb_vlan_push;
static long (*bpf_skb_vlan_pop)(struct __sk_buff *skb) = (void *)BPF_FUNC_skb_vlan_pop;

struct sp_rule {
    __u32 net, mask;
    __u16 inner_proto, inner_id; // pushed first (ends up innermost)
    __u16 outer_proto, outer_id; // pushed second (outermost), optional
};

#include "sp-vlan-rules.h"

static const struct sp_rule rules[] = SP_RULES;
#define NRULES (sizeof(rules) / sizeof(rules[0]))

SEC("tc_push") int sp_push(struct __sk_buff *skb)
{
    __u16 ethertype;
    __u32 addr;
    if (bpf_skb_load_bytes(skb, 12, &ethertype, 2) < 0)
        return TC_ACT_OK;
    ethertype = __builtin_bswap16(ethertype);
    if (ethertype == ETH_P_IP) {
        if (bpf_skb_load_bytes(skb, 14 + 16, &addr, 4) < 0) // IPv4 daddr
            return TC_ACT_OK;
    } else if (ethertype == ETH_P_ARP) {
        if (bpf_skb_load_bytes(skb, 14 + 24, &addr, 4) < 0) // ARP target IP
            return TC_ACT_OK;
    } else {
        return TC_ACT_OK; // IPv6 etc. stay untagged (native link)
    }
    addr = __builtin_bswap32(addr);
#pragma unroll
    for (unsigned i = 0; i < NRULES; i++) {
        if ((addr & rules[i].mask) != rules[i].net)
            continue;
        bpf_skb_vlan_push(skb, __builtin_bswap16(rules[i].inner_proto), rules[i].inner_id);
        if (rules[i].outer_proto)
            bpf_skb_vlan_push(skb, __builtin_bswap16(rules[i].outer_proto), rules[i].outer_id);
        break;
    }
    return TC_ACT_OK;
}

SEC("tc_pop") int sp_pop(struct __sk_buff *skb)
{
    // skb_vlan_pop() is a no-op on untagged frames, so popping twice is safe.
    bpf_skb_vlan_pop(skb);
    bpf_skb_vlan_pop(skb);
    return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
