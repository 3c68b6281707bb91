import CPcap

/// One capture interface as `pcap_findalldevs` reports it (what `tcpdump -D` lists).
package struct CaptureInterface: Sendable, Equatable {
    package var name: String
    package var description: String?
    package var flags: [String]

    /// All interfaces libpcap can capture on, in libpcap's order.
    package static func all() throws(CaptureError) -> [CaptureInterface] {
        var errorBuffer = [CChar](repeating: 0, count: pcapErrorBufferSize)
        var list: UnsafeMutablePointer<pcap_if_t>?
        guard pcap_findalldevs(&list, &errorBuffer) == 0 else {
            throw .interfaceListingFailed(message: pcapErrorString(errorBuffer))
        }
        defer { pcap_freealldevs(list) }
        var result: [CaptureInterface] = []
        var cursor = list
        while let device = cursor {
            let raw = device.pointee.flags
            var flags: [String] = []
            if raw & UInt32(PCAP_IF_UP) != 0 { flags.append("Up") }
            if raw & UInt32(PCAP_IF_RUNNING) != 0 { flags.append("Running") }
            if raw & UInt32(PCAP_IF_WIRELESS) != 0 { flags.append("Wireless") }
            if raw & UInt32(PCAP_IF_LOOPBACK) != 0 { flags.append("Loopback") }
            switch raw & UInt32(PCAP_IF_CONNECTION_STATUS) {
            case UInt32(PCAP_IF_CONNECTION_STATUS_CONNECTED): flags.append("Connected")
            case UInt32(PCAP_IF_CONNECTION_STATUS_DISCONNECTED): flags.append("Disconnected")
            default: break
            }
            result.append(
                CaptureInterface(
                    name: String(cString: device.pointee.name),
                    description: device.pointee.description.map { String(cString: $0) },
                    flags: flags))
            cursor = device.pointee.next
        }
        return result
    }
}
