/// What a packet source yields on each pull.
package enum PacketReadOutcome {
    case packet(RawPacket)
    /// Live capture only: the read timeout expired with no packet (lets a caller do
    /// periodic work without a packet arriving).
    case idle
    /// A problem that ends one input but not the whole run (e.g. a truncated file; the
    /// next file is read after it).
    case problem(CaptureError)
    case end
}

/// A pull-based source of packets: offline files or a live interface, both over libpcap.
///
/// Pull rather than callback because `pcap_loop` takes a C function pointer that cannot
/// capture Swift context; `pcap_next_ex` hands back a pointer into libpcap's buffer that
/// stays valid until the next call, which is what lets decoding work in place.
package protocol PacketSource: AnyObject {
    /// Reads the next packet. The returned packet's bytes are valid until the next call.
    func next() -> PacketReadOutcome
    /// A short label for messages (file name or interface).
    var label: String { get }
}
