/// Everything that can go wrong while obtaining packets, each with a message a person can
/// act on.
package enum CaptureError: Error, CustomStringConvertible, Equatable, Sendable {
    case cannotOpenFile(path: String, message: String)
    /// `-w`: the file could not be created.
    case cannotWriteFile(path: String, message: String)
    /// `-w`: writing failed (a full disk, an I/O error); the analysis went on, the file
    /// holds the packets before.
    case writeFailed(path: String, packetsWritten: UInt64, message: String)
    case noSuchInterface(name: String, message: String)
    case permissionDenied(interface: String, message: String)
    case activationFailed(interface: String, message: String)
    case invalidFilter(expression: String, message: String)
    case unsupportedLinkType(source: String, dlt: Int32, name: String)
    /// The file ended inside a packet, or its record header was corrupt. Everything before
    /// `packetNumber` was read; the rest of the file is skipped.
    case truncatedFile(path: String, packetNumber: UInt64, message: String)
    case readFailed(source: String, packetNumber: UInt64, message: String)
    case interfaceListingFailed(message: String)
    /// The capture socket could not join a `PACKET_FANOUT` group (`--workers`, `--fanout-group`).
    case fanoutFailed(interface: String, message: String)

    package var description: String {
        switch self {
        case .cannotOpenFile(let path, let message):
            "cannot read \(path): \(message)"
        case .cannotWriteFile(let path, let message):
            "cannot write \(path): \(message)"
        case .writeFailed(let path, let packetsWritten, let message):
            "writing \(path) failed: \(message); the file is incomplete (\(packetsWritten) packets were handed to it before), the analysis went on"
        case .noSuchInterface(let name, let message):
            "no such interface \(name): \(message) (switchpoint -D lists the interfaces)"
        case .permissionDenied(let interface, let message):
            "cannot capture on \(interface): \(message): capturing needs root or the CAP_NET_RAW capability (sudo setcap cap_net_raw,cap_net_admin=eip $(command -v switchpoint))"
        case .activationFailed(let interface, let message):
            "cannot capture on \(interface): \(message)"
        case .invalidFilter(let expression, let message):
            "invalid filter '\(expression)': \(message)"
        case .unsupportedLinkType(let source, _, let name):
            "\(source): unsupported link type \(name); supported: EN10MB (Ethernet, 802.1Q/QinQ), LINUX_SLL, LINUX_SLL2, NULL, LOOP, RAW, IPV4, IPV6"
        case .truncatedFile(let path, let packetNumber, let message):
            "\(path): packet \(packetNumber): \(message); the packets before it were analyzed, the rest of this file is skipped"
        case .readFailed(let source, let packetNumber, let message):
            "\(source): reading packet \(packetNumber) failed: \(message)"
        case .interfaceListingFailed(let message):
            "cannot list interfaces: \(message)"
        case .fanoutFailed(let interface, let message):
            "cannot share \(interface) between workers: \(message)"
        }
    }
}
