import CPcap

/// The link-layer framings switchpoint decodes. Values are libpcap DLT numbers.
package enum LinkType: Hashable, Sendable {
    case ethernet
    case linuxCooked
    case linuxCooked2
    case bsdNull
    case bsdLoop
    case rawIP
    case rawIPv4
    case rawIPv6

    /// Maps a DLT value (as `pcap_datalink` returns it) to a supported link type.
    package init?(dlt: Int32) {
        switch dlt {
        case 1: self = .ethernet  // DLT_EN10MB
        case 113: self = .linuxCooked  // DLT_LINUX_SLL
        case 276: self = .linuxCooked2  // DLT_LINUX_SLL2
        case 0: self = .bsdNull  // DLT_NULL (host byte order)
        case 108: self = .bsdLoop  // DLT_LOOP (network byte order)
        case 12, 14, 101: self = .rawIP  // DLT_RAW on its platform values, LINKTYPE_RAW
        case 228: self = .rawIPv4  // DLT_IPV4
        case 229: self = .rawIPv6  // DLT_IPV6
        default: return nil
        }
    }

    package var dlt: Int32 {
        switch self {
        case .ethernet: 1
        case .linuxCooked: 113
        case .linuxCooked2: 276
        case .bsdNull: 0
        case .bsdLoop: 108
        case .rawIP: 12
        case .rawIPv4: 228
        case .rawIPv6: 229
        }
    }

    /// libpcap's name for a DLT value with the number, e.g. `EN10MB (DLT 1)`; just the
    /// number when libpcap has no name for it.
    package static func name(ofDLT dlt: Int32) -> String {
        guard let name = pcap_datalink_val_to_name(dlt) else { return "DLT \(dlt)" }
        return "\(String(cString: name)) (DLT \(dlt))"
    }
}
