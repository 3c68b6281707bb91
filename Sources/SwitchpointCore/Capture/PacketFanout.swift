#if canImport(Glibc)
    import Glibc
#endif

/// Linux `PACKET_FANOUT` (packet(7)): several packet sockets in one group share an
/// interface's packets, each flow always to the same socket. switchpoint uses the flow
/// hash mode, which the kernel computes symmetrically (both directions of a TCP connection
/// land on one worker), with IP defragmentation before the hash. Set on each libpcap
/// handle's socket after activation.
package enum PacketFanout {
    /// Socket option level and name from <linux/socket.h> / <linux/if_packet.h>, which the
    /// Glibc module does not import.
    enum SocketLevel {
        static let packet: Int32 = 263  // SOL_PACKET
    }
    enum PacketSocketOption: Int32 {
        case fanout = 18  // PACKET_FANOUT
    }
    /// How the kernel picks a group member for a packet.
    enum Mode: UInt32 {
        case hash = 0  // PACKET_FANOUT_HASH
    }
    struct Flags: OptionSet {
        let rawValue: UInt32
        static let uniqueID = Flags(rawValue: 0x2000)  // PACKET_FANOUT_FLAG_UNIQUEID
        static let defragment = Flags(rawValue: 0x8000)  // PACKET_FANOUT_FLAG_DEFRAG
    }

    /// Group identifiers are the low 16 bits of the option's value.
    package static let groupIDs: ClosedRange<Int> = 1...Int(UInt16.max)

    /// Joins the socket `descriptor` to fanout group `group`; with nil the kernel makes a
    /// new group with an identifier no other group on the host uses. Returns the group's
    /// identifier (for the other workers to join).
    static func join(descriptor: Int32, group: UInt16?, interface: String) throws(CaptureError) -> UInt16 {
        var flags: Flags = [.defragment]
        if group == nil { flags.insert(.uniqueID) }
        var value = UInt32(group ?? 0) | (Mode.hash.rawValue | flags.rawValue) << 16
        let length = socklen_t(MemoryLayout<UInt32>.size)
        guard setsockopt(descriptor, SocketLevel.packet, PacketSocketOption.fanout.rawValue, &value, length) == 0 else {
            let reason = String(cString: strerror(errno))
            throw .fanoutFailed(interface: interface, message: "PACKET_FANOUT on the capture socket: \(reason)")
        }
        if let group { return group }
        // The kernel chose the identifier: read it back.
        var chosen: UInt32 = 0
        var chosenLength = length
        guard
            getsockopt(descriptor, SocketLevel.packet, PacketSocketOption.fanout.rawValue, &chosen, &chosenLength) == 0
        else {
            let reason = String(cString: strerror(errno))
            throw .fanoutFailed(interface: interface, message: "reading the PACKET_FANOUT group back: \(reason)")
        }
        return UInt16(truncatingIfNeeded: chosen)
    }
}
