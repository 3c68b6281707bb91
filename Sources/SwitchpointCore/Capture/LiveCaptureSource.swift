import CPcap

#if canImport(Glibc)
    import Glibc
#endif

/// Settings for a live capture, named as tcpdump names them.
///
/// The defaults keep what tcpdump keeps at the rates tcpdump handles, and print within
/// 100 ms. libpcap's immediate mode uses TPACKET_V2, a ring of fixed frames each as large
/// as the biggest packet (65,554 bytes on `lo`): a 2 MiB buffer holds 32 packets, and a burst
/// overflows it. Without immediate mode libpcap uses TPACKET_V3, blocks of 256 KiB that hold
/// packets at their own size (hundreds of small ones each), which the kernel hands over when
/// full or after the block timeout; a short timeout keeps the latency low.
package struct LiveCaptureOptions: Sendable {
    /// Kernel ring size when `-B` is not given: 32 TPACKET_V3 blocks, which at the block
    /// timeout ride out a reader stalled for 640 ms at low rates and hold 8 MiB of packets at
    /// high ones (libpcap's own default, 2 MiB, is 8 blocks).
    package static let defaultBufferBytes: Int32 = 8 << 20
    /// How long the kernel holds a partly filled block before handing it over: the longest
    /// a packet waits before analysis sees it.
    package static let defaultBlockTimeoutMilliseconds: Int32 = 20

    package var snaplen: Int32 = 262_144
    package var promiscuous = true
    /// Deliver each packet as it arrives (TPACKET_V2 frames): lower latency, but a ring
    /// that holds few packets (`--immediate-mode`).
    package var immediate = false
    /// Kernel buffer size in bytes.
    package var bufferSize: Int32 = defaultBufferBytes
    /// The block timeout (TPACKET_V3), or how long one read waits in immediate mode.
    package var readTimeoutMilliseconds: Int32 = defaultBlockTimeoutMilliseconds

    package init() {}
}

/// Captures from a network interface with `pcap_create`/`pcap_activate`.
package final class LiveCaptureSource: PacketSource {
    package let label: String
    private let handle: PcapHandle
    private let linkType: LinkType
    private var packetNumber: UInt64 = 0

    package init(
        interface: String, options: LiveCaptureOptions = LiveCaptureOptions(), filter: String = ""
    ) throws(CaptureError) {
        label = interface
        var errorBuffer = [CChar](repeating: 0, count: pcapErrorBufferSize)
        guard let pointer = pcap_create(interface, &errorBuffer) else {
            throw .activationFailed(interface: interface, message: pcapErrorString(errorBuffer))
        }
        let handle = PcapHandle(pointer)
        pcap_set_snaplen(pointer, options.snaplen)
        pcap_set_promisc(pointer, options.promiscuous ? 1 : 0)
        pcap_set_immediate_mode(pointer, options.immediate ? 1 : 0)
        pcap_set_timeout(pointer, options.readTimeoutMilliseconds)
        pcap_set_buffer_size(pointer, options.bufferSize)
        // Nanosecond stamps where the platform has them; libpcap keeps microseconds otherwise.
        _ = pcap_set_tstamp_precision(pointer, Int32(PCAP_TSTAMP_PRECISION_NANO))
        let status = pcap_activate(pointer)
        if status < 0 {
            let message = handle.lastError
            switch status {
            case PCAP_ERROR_NO_SUCH_DEVICE:
                throw .noSuchInterface(name: interface, message: message)
            case PCAP_ERROR_PERM_DENIED, PCAP_ERROR_PROMISC_PERM_DENIED:
                throw .permissionDenied(interface: interface, message: message)
            default:
                throw .activationFailed(interface: interface, message: message)
            }
        }
        let dlt = handle.dlt
        guard let type = LinkType(dlt: dlt) else {
            throw .unsupportedLinkType(source: interface, dlt: dlt, name: LinkType.name(ofDLT: dlt))
        }
        var network: bpf_u_int32 = 0
        var netmask: bpf_u_int32 = PCAP_NETMASK_UNKNOWN
        if pcap_lookupnet(interface, &network, &netmask, &errorBuffer) != 0 {
            netmask = PCAP_NETMASK_UNKNOWN
        }
        try handle.install(filter: filter, netmask: netmask)
        self.handle = handle
        self.linkType = type
        blockTimeout = .milliseconds(Int(options.readTimeoutMilliseconds))
    }

    /// How long a captured packet may stay in the kernel before it can be read.
    package let blockTimeout: Duration

    /// Whether timestamps come in nanoseconds (otherwise libpcap delivers microseconds).
    private var nanosecondStamps: Bool {
        pcap_get_tstamp_precision(handle.pointer) == Int32(PCAP_TSTAMP_PRECISION_NANO)
    }

    package func next() -> PacketReadOutcome {
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        let status = pcap_next_ex(handle.pointer, &header, &data)
        switch status {
        case 1:
            guard let header, let data else { return .idle }
            packetNumber += 1
            let fraction = Int64(header.pointee.ts.tv_usec)
            let ts = Timestamp(
                seconds: Int64(header.pointee.ts.tv_sec), nanoseconds: nanosecondStamps ? fraction : fraction * 1000)
            return .packet(
                RawPacket(
                    bytes: UnsafeRawBufferPointer(start: data, count: Int(header.pointee.caplen)),
                    originalLength: Int(header.pointee.len),
                    linkType: linkType,
                    capture: CaptureInfo(packetNumber: packetNumber, timestamp: ts)))
        case 0:
            return .idle
        case PCAP_ERROR_BREAK:
            return .end
        default:
            return .problem(.readFailed(source: label, packetNumber: packetNumber + 1, message: handle.lastError))
        }
    }

    var pcapPointer: OpaquePointer { handle.pointer }

    /// Joins this capture's socket to a `PACKET_FANOUT` hash group (`group` nil: a new
    /// group with a kernel-chosen identifier) and returns the group's identifier. Linux
    /// only; packets the socket queued before joining stay with it.
    package func joinFanout(group: UInt16?) throws(CaptureError) -> UInt16 {
        #if os(Linux)
            let descriptor = pcap_get_selectable_fd(handle.pointer)
            guard descriptor >= 0 else {
                throw .fanoutFailed(interface: label, message: "libpcap gives no socket for this capture")
            }
            return try PacketFanout.join(descriptor: descriptor, group: group, interface: label)
        #else
            throw .fanoutFailed(interface: label, message: "PACKET_FANOUT exists on Linux only")
        #endif
    }

    /// Makes `next()` return `.idle` at once when nothing is readable instead of waiting (a
    /// capture being drained after a stop). False if libpcap refused.
    package func stopWaiting() -> Bool {
        var errorBuffer = [CChar](repeating: 0, count: pcapErrorBufferSize)
        return pcap_setnonblock(handle.pointer, 1, &errorBuffer) == 0
    }

    /// Whether the kernel has handed over packets not read yet (a poll that does not wait).
    package var hasReadablePackets: Bool {
        var descriptor = pollfd(fd: pcap_get_selectable_fd(handle.pointer), events: Int16(POLLIN), revents: 0)
        guard descriptor.fd >= 0 else { return true }
        return poll(&descriptor, 1, 0) != 0
    }

    /// Makes a blocked `next()` return `.end`; safe to call from a signal-handling thread.
    package func breakLoop() {
        pcap_breakloop(handle.pointer)
    }

    /// Kernel and interface drop counters from `pcap_stats`.
    package func statistics() -> (received: UInt32, droppedByKernel: UInt32, droppedByInterface: UInt32)? {
        var stats = pcap_stat()
        guard pcap_stats(handle.pointer, &stats) == 0 else { return nil }
        return (stats.ps_recv, stats.ps_drop, stats.ps_ifdrop)
    }
}
