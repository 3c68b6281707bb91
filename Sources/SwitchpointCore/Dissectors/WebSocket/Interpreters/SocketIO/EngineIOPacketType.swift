/// Engine.IO's packet types: the first character of a text packet.
package struct EngineIOPacketType: RawRepresentable, Hashable, Sendable {
    package var rawValue: UInt8

    package init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// The type the character `byte` names, or nil for a character that names none.
    package init?(character byte: UInt8) {
        guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "6") else { return nil }
        rawValue = byte - UInt8(ascii: "0")
    }

    package static let open = EngineIOPacketType(rawValue: 0)
    package static let close = EngineIOPacketType(rawValue: 1)
    package static let ping = EngineIOPacketType(rawValue: 2)
    package static let pong = EngineIOPacketType(rawValue: 3)
    package static let message = EngineIOPacketType(rawValue: 4)
    package static let upgrade = EngineIOPacketType(rawValue: 5)
    package static let noop = EngineIOPacketType(rawValue: 6)

    package var name: String {
        switch self {
        case .open: "open"
        case .close: "close"
        case .ping: "ping"
        case .pong: "pong"
        case .message: "message"
        case .upgrade: "upgrade"
        case .noop: "noop"
        default: "UNKNOWN_\(rawValue)"
        }
    }
}
