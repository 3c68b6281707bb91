/// Socket.IO's packet types: the first character of an Engine.IO message's data.
package struct SocketIOPacketType: RawRepresentable, Hashable, Sendable {
    package var rawValue: UInt8

    package init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    package init?(character byte: UInt8) {
        guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "6") else { return nil }
        rawValue = byte - UInt8(ascii: "0")
    }

    package static let connect = SocketIOPacketType(rawValue: 0)
    package static let disconnect = SocketIOPacketType(rawValue: 1)
    package static let event = SocketIOPacketType(rawValue: 2)
    package static let ack = SocketIOPacketType(rawValue: 3)
    package static let connectError = SocketIOPacketType(rawValue: 4)
    package static let binaryEvent = SocketIOPacketType(rawValue: 5)
    package static let binaryAck = SocketIOPacketType(rawValue: 6)

    package var name: String {
        switch self {
        case .connect: "CONNECT"
        case .disconnect: "DISCONNECT"
        case .event: "EVENT"
        case .ack: "ACK"
        case .connectError: "CONNECT_ERROR"
        case .binaryEvent: "BINARY_EVENT"
        case .binaryAck: "BINARY_ACK"
        default: "UNKNOWN_\(rawValue)"
        }
    }

    /// The packet carries binary attachments after it.
    package var hasAttachments: Bool { self == .binaryEvent || self == .binaryAck }
}
