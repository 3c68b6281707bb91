# shellcheck shell=bash
# scripts/lib/netns.sh -- sourced helpers for recording real traffic in
# private network namespaces.
#
# Network rule: everything here stays on loopback or inside the two
# namespaces created below (joined only to each other by one veth pair).
# Nothing is ever attached to a host interface.
#
# Typical use:
#   source "$(dirname "$0")/lib/netns.sh"
#   sp_init                       # workdir + EXIT trap (kills PIDs, deletes netns)
#   sp_netns_create 1500          # sp-cli <-veth-> sp-srv, IPv4 + IPv6
#   sp_tcpdump_start sp-cli sp-c0 out.pcap 'tcp port 80'
#   ... traffic ...
#   sp_tcpdump_stop "$SP_TCPDUMP_PID"
#
# All names are prefixed "sp-" so leftovers are easy to recognise and every
# function first removes what an earlier (possibly killed) run left behind.

# ---- names and addresses (override before calling sp_netns_create) --------
: "${SP_CLI_NS:=sp-cli}"
: "${SP_SRV_NS:=sp-srv}"
: "${SP_CLI_IF:=sp-c0}"            # veth end inside sp-cli
: "${SP_SRV_IF:=sp-s0}"            # veth end inside sp-srv
: "${SP_CLI_MAC:=02:53:50:00:00:01}"   # fixed MACs -> reproducible captures
: "${SP_SRV_MAC:=02:53:50:00:00:02}"
: "${SP_CLI_IP4:=10.200.0.1}"
: "${SP_SRV_IP4:=10.200.0.2}"
: "${SP_IP4_PREFIX:=24}"
: "${SP_CLI_IP6:=fd00:5350::1}"
: "${SP_SRV_IP6:=fd00:5350::2}"
: "${SP_IP6_PREFIX:=64}"
: "${SP_IPV6:=1}"                  # 0 = disable IPv6 in the namespaces (quieter captures)
: "${SP_VLAN_MODE:=auto}"          # auto | kernel (8021q subinterfaces) | bpf (tc tagger)
: "${SP_TCPDUMP_MAX_SECONDS:=600}" # hard upper bound for any capture
: "${SP_SERVER_MAX_SECONDS:=600}"  # hard upper bound for any server we start

SP_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SP_PIDS=()                  # every background PID we started (stopped on exit)
declare -A SP_TCPDUMP_LOGS  # tcpdump PID -> its stderr file
SP_TCPDUMP_PID=
SP_TCPDUMP_DROPPED=
SP_VLAN_RULES=()            # rules for the bpf fallback tagger
SP_WORKDIR=${SP_WORKDIR:-}

sp_log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
sp_die() { sp_log "ERROR: $*"; exit 1; }

# Install a Debian package if a command is missing (fresh machines).
sp_need_cmd() { # CMD [DEBIAN_PACKAGE]
    command -v "$1" >/dev/null 2>&1 && return 0
    sp_log "installing ${2:-$1} (needed for $1)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${2:-$1}" >/dev/null ||
        { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${2:-$1}" >/dev/null; } ||
        sp_die "cannot install ${2:-$1}"
}

# Work dir + cleanup trap. Call once near the top of a script.
sp_init() {
    [[ $EUID -eq 0 ]] || sp_die "must run as root (network namespaces, tcpdump)"
    for c in ip tc tcpdump timeout; do command -v "$c" >/dev/null || sp_die "missing $c"; done
    sp_need_cmd ethtool
    SP_WORKDIR=$(mktemp -d /tmp/sp-work.XXXXXX)
    trap sp_cleanup EXIT
    trap 'exit 130' INT TERM
}

sp_track_pid() { SP_PIDS+=("$1"); }

# Stop one PID we started: SIGNAL, wait (bounded), then SIGKILL; reap it.
sp_stop_pid() { # PID [SIGNAL] [TENTHS_OF_SECONDS]
    local pid=$1 sig=${2:-TERM} n=${3:-50} i
    [[ -n $pid ]] || return 0
    if kill -0 "$pid" 2>/dev/null; then
        kill "-$sig" "$pid" 2>/dev/null || true
        for ((i = 0; i < n; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    fi
    wait "$pid" 2>/dev/null || true
}

sp_cleanup() {
    local rc=$? i
    trap - EXIT
    for ((i = ${#SP_PIDS[@]} - 1; i >= 0; i--)); do sp_stop_pid "${SP_PIDS[i]}" TERM 30; done
    sp_netns_teardown
    [[ -n $SP_WORKDIR && -d $SP_WORKDIR ]] && rm -rf "$SP_WORKDIR"
    exit "$rc"
}

# ---- namespaces -------------------------------------------------------------

# Kill processes still living in one of *our* namespaces (by PID, as listed
# by the kernel for that namespace), e.g. from an interrupted earlier run.
sp_ns_kill_leftovers() { # NS
    local pid
    ip netns list | awk '{print $1}' | grep -qx "$1" || return 0
    for pid in $(ip netns pids "$1" 2>/dev/null); do kill -TERM "$pid" 2>/dev/null || true; done
    sleep 0.2
    for pid in $(ip netns pids "$1" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
}

sp_netns_teardown() {
    local ns
    for ns in "$SP_CLI_NS" "$SP_SRV_NS"; do
        sp_ns_kill_leftovers "$ns"
        ip netns del "$ns" 2>/dev/null || true
    done
    # A veth end can only be left in the root namespace if a run died while
    # creating it; the peer goes with it.
    ip link del "$SP_CLI_IF" 2>/dev/null || true
    ip link del "$SP_SRV_IF" 2>/dev/null || true
    SP_VLAN_RULES=()
}

# Checksums computed in software and no TSO/GSO: the capture then shows
# MTU-sized segments with valid checksums, like frames on a real wire.
sp_offloads_off() { # NS IFACE
    ip netns exec "$1" ethtool -K "$2" tx off tso off gso off gro off >/dev/null 2>&1 || true
    if ip netns exec "$1" ethtool -k "$2" 2>/dev/null | grep -q '^tcp-segmentation-offload: on'; then
        sp_die "could not disable TSO on $1/$2"
    fi
}

# Two namespaces joined by one veth pair with the given MTU.
sp_netns_create() { # [MTU]
    local mtu=${1:-1500} ns
    sp_netns_teardown
    for ns in "$SP_CLI_NS" "$SP_SRV_NS"; do
        ip netns add "$ns"
        ip -n "$ns" link set lo up
        if [[ $SP_IPV6 == 0 ]]; then
            ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
        else
            # No router solicitations: nothing answers them here, they are noise.
            ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.router_solicitations=0
        fi
    done
    # Created directly inside the namespaces: never visible in the root netns.
    ip link add "$SP_CLI_IF" netns "$SP_CLI_NS" mtu "$mtu" address "$SP_CLI_MAC" type veth \
        peer name "$SP_SRV_IF" netns "$SP_SRV_NS" mtu "$mtu" address "$SP_SRV_MAC"
    ip -n "$SP_CLI_NS" addr add "$SP_CLI_IP4/$SP_IP4_PREFIX" dev "$SP_CLI_IF"
    ip -n "$SP_SRV_NS" addr add "$SP_SRV_IP4/$SP_IP4_PREFIX" dev "$SP_SRV_IF"
    if [[ $SP_IPV6 != 0 ]]; then
        ip -n "$SP_CLI_NS" addr add "$SP_CLI_IP6/$SP_IP6_PREFIX" dev "$SP_CLI_IF" nodad
        ip -n "$SP_SRV_NS" addr add "$SP_SRV_IP6/$SP_IP6_PREFIX" dev "$SP_SRV_IF" nodad
    fi
    sp_offloads_off "$SP_CLI_NS" "$SP_CLI_IF"
    sp_offloads_off "$SP_SRV_NS" "$SP_SRV_IF"
    ip -n "$SP_CLI_NS" link set "$SP_CLI_IF" up
    ip -n "$SP_SRV_NS" link set "$SP_SRV_IF" up
    sp_log "netns $SP_CLI_NS($SP_CLI_IF $SP_CLI_IP4) <-> $SP_SRV_NS($SP_SRV_IF $SP_SRV_IP4) mtu $mtu"
}

# ---- VLAN / QinQ ------------------------------------------------------------

# Is the kernel's 8021q driver usable? (minimal VM kernels often lack it)
sp_have_8021q() {
    case $SP_VLAN_MODE in kernel) return 0 ;; bpf) return 1 ;; esac
    if ip -n "$SP_CLI_NS" link add link "$SP_CLI_IF" name sp-probe type vlan id 4094 2>/dev/null; then
        ip -n "$SP_CLI_NS" link del sp-probe
        return 0
    fi
    return 1
}

# shellcheck disable=SC2086 # splitting on "." is the point
sp_ip4_to_int() { local IFS=.; set -- $1; echo $((($1 << 24) | ($2 << 16) | ($3 << 8) | $4)); }

# Fallback tagger: same frames on the veth as vlan subinterfaces would send.
# The addresses live on the veth itself; a tc eBPF program pushes the tags on
# egress (chosen by destination subnet) and pops them on ingress.
sp_bpf_tagger_apply() {
    local dir=$SP_WORKDIR/bpf r arch clang
    mkdir -p "$dir"
    clang=$(command -v clang || true)
    [[ -n $clang ]] || { sp_need_cmd clang; clang=$(command -v clang); }
    arch=$(gcc -print-multiarch 2>/dev/null || echo "$(uname -m)-linux-gnu")
    {
        echo "#define SP_RULES { \\"
        for r in "${SP_VLAN_RULES[@]}"; do echo "  { $r }, \\"; done
        echo "}"
    } >"$dir/sp-vlan-rules.h"
    "$clang" -O2 -g0 -target bpf -I"$dir" -I"/usr/include/$arch" \
        -c "$SP_LIB_DIR/vlan-tagger.bpf.c" -o "$dir/vlan-tagger.o" ||
        sp_die "cannot compile the eBPF vlan tagger"
    local ns ifc
    for ns_if in "$SP_CLI_NS:$SP_CLI_IF" "$SP_SRV_NS:$SP_SRV_IF"; do
        ns=${ns_if%%:*} ifc=${ns_if#*:}
        ip netns exec "$ns" tc qdisc replace dev "$ifc" clsact
        ip netns exec "$ns" tc filter del dev "$ifc" egress 2>/dev/null || true
        ip netns exec "$ns" tc filter del dev "$ifc" ingress 2>/dev/null || true
        ip netns exec "$ns" tc filter add dev "$ifc" egress bpf da obj "$dir/vlan-tagger.o" sec tc_push
        ip netns exec "$ns" tc filter add dev "$ifc" ingress bpf da obj "$dir/vlan-tagger.o" sec tc_pop
    done
}

# Register an IPv4 subnet for the bpf tagger and put the addresses on the veth.
sp_bpf_tag_subnet() { # CLI_CIDR SRV_CIDR INNER_PROTO INNER_ID [OUTER_PROTO OUTER_ID]
    local cli=$1 srv=$2 plen=${1#*/} net mask
    mask=$(((0xffffffff << (32 - plen)) & 0xffffffff))
    net=$(($(sp_ip4_to_int "${cli%/*}") & mask))
    SP_VLAN_RULES+=("$net, $mask, $3, $4, ${5:-0}, ${6:-0}")
    ip -n "$SP_CLI_NS" addr add "$cli" dev "$SP_CLI_IF"
    ip -n "$SP_SRV_NS" addr add "$srv" dev "$SP_SRV_IF"
    sp_bpf_tagger_apply
}

# 802.1Q subinterface VID on both veth ends.
sp_vlan_add() { # VID CLI_CIDR SRV_CIDR
    local vid=$1 cli=$2 srv=$3
    if sp_have_8021q; then
        local ns ifc addr
        for t in "$SP_CLI_NS:$SP_CLI_IF:$cli" "$SP_SRV_NS:$SP_SRV_IF:$srv"; do
            IFS=: read -r ns ifc addr <<<"$t"
            ip -n "$ns" link add link "$ifc" name "$ifc.$vid" type vlan proto 802.1Q id "$vid"
            ip -n "$ns" addr add "$addr" dev "$ifc.$vid"
            sp_offloads_off "$ns" "$ifc.$vid"
            ip -n "$ns" link set "$ifc.$vid" up
        done
        sp_log "vlan $vid: 8021q subinterfaces $SP_CLI_IF.$vid / $SP_SRV_IF.$vid"
    else
        sp_bpf_tag_subnet "$cli" "$srv" 0x8100 "$vid"
        sp_log "vlan $vid: no 8021q in this kernel -> tc/eBPF tagger on $SP_CLI_IF/$SP_SRV_IF"
    fi
}

# QinQ: 802.1ad outer tag SVID, 802.1Q inner tag CVID.
sp_qinq_add() { # SVID CVID CLI_CIDR SRV_CIDR
    local svid=$1 cvid=$2 cli=$3 srv=$4
    if sp_have_8021q; then
        local ns ifc addr outer inner
        for t in "$SP_CLI_NS:$SP_CLI_IF:$cli" "$SP_SRV_NS:$SP_SRV_IF:$srv"; do
            IFS=: read -r ns ifc addr <<<"$t"
            outer=$ifc.s$svid inner=$ifc.s$svid.$cvid
            ((${#inner} <= 15)) || sp_die "interface name too long: $inner"
            ip -n "$ns" link add link "$ifc" name "$outer" type vlan proto 802.1ad id "$svid"
            ip -n "$ns" link add link "$outer" name "$inner" type vlan proto 802.1Q id "$cvid"
            ip -n "$ns" addr add "$addr" dev "$inner"
            sp_offloads_off "$ns" "$outer"
            sp_offloads_off "$ns" "$inner"
            ip -n "$ns" link set "$outer" up
            ip -n "$ns" link set "$inner" up
        done
        sp_log "qinq $svid/$cvid: 8021q subinterfaces $SP_CLI_IF.s$svid.$cvid / $SP_SRV_IF.s$svid.$cvid"
    else
        sp_bpf_tag_subnet "$cli" "$srv" 0x8100 "$cvid" 0x88a8 "$svid"
        sp_log "qinq $svid/$cvid: no 8021q in this kernel -> tc/eBPF tagger on $SP_CLI_IF/$SP_SRV_IF"
    fi
}

# ---- processes --------------------------------------------------------------

# Start a server in a namespace ("-" = root namespace) in the background,
# bounded by SP_SERVER_MAX_SECONDS; its PID is tracked and left in SP_LAST_PID.
sp_ns_spawn() { # NS LOGFILE CMD...
    local ns=$1 log=$2; shift 2
    local -a pre=()
    [[ $ns != - ]] && pre=(ip netns exec "$ns")
    timeout "$SP_SERVER_MAX_SECONDS" "${pre[@]}" "$@" >"$log" 2>&1 &
    SP_LAST_PID=$!
    sp_track_pid "$SP_LAST_PID"
}

# Wait (bounded) until something listens on TCP PORT in NS.
sp_wait_port() { # NS PORT [TENTHS]
    local ns=$1 port=$2 n=${3:-100} i
    local -a pre=()
    [[ $ns != - ]] && pre=(ip netns exec "$ns")
    for ((i = 0; i < n; i++)); do
        [[ -n $("${pre[@]}" ss -Hltn "sport = :$port" 2>/dev/null) ]] && return 0
        sleep 0.1
    done
    sp_die "nothing listening on port $port in ${ns/#-/root netns}"
}

# ---- tcpdump ------------------------------------------------------------------

# Start tcpdump on IFACE in NS ("-" = root namespace) writing FILE; returns
# only once tcpdump reports "listening on". PID in SP_TCPDUMP_PID.
sp_tcpdump_start() { # NS IFACE FILE [tcpdump options and filter...]
    local ns=$1 ifc=$2 file=$3 log i; shift 3
    local -a pre=()
    [[ $ns != - ]] && pre=(ip netns exec "$ns")
    log=$(mktemp "$SP_WORKDIR/tcpdump.XXXXXX")
    rm -f "$file"
    # -Z root: Debian's tcpdump otherwise drops to user "tcpdump" and the file
    # ends up owned by it (or cannot be created in the repo at all).
    timeout -s INT "$SP_TCPDUMP_MAX_SECONDS" "${pre[@]}" \
        tcpdump -Z root -n -i "$ifc" -w "$file" "$@" 2>"$log" &
    SP_TCPDUMP_PID=$!
    SP_TCPDUMP_LOGS[$SP_TCPDUMP_PID]=$log
    sp_track_pid "$SP_TCPDUMP_PID"
    for ((i = 0; i < 100; i++)); do
        grep -q 'listening on' "$log" && { sleep 0.2; return 0; }
        kill -0 "$SP_TCPDUMP_PID" 2>/dev/null || break
        sleep 0.1
    done
    cat "$log" >&2
    sp_die "tcpdump on $ifc did not start"
}

# Stop a capture: settle, SIGINT, wait. The settle must exceed libpcap's
# 1 s TPACKET_V3 block timeout: on SIGINT tcpdump does not flush a block the
# kernel has not yet handed over, so without it the last packets are lost.
# Prints tcpdump's statistics; sets SP_TCPDUMP_DROPPED.
sp_tcpdump_stop() { # PID
    local pid=$1 log=${SP_TCPDUMP_LOGS[$1]}
    sleep "${SP_TCPDUMP_SETTLE:-1.5}"
    sp_stop_pid "$pid" INT 100
    grep -E 'packets (captured|received|dropped)' "$log" | sed 's/^/    tcpdump: /' >&2 || true
    SP_TCPDUMP_DROPPED=$(awk '/dropped by kernel/ {print $1}' "$log")
    [[ -n $SP_TCPDUMP_DROPPED ]] || sp_die "tcpdump gave no statistics: $(cat "$log")"
}
