/// A WebSocket frame opcode (RFC 6455 §5.2, §11.8), after SwiftNIO's `WebSocketOpcode`:
/// a wrapper over the 4-bit wire value, so reserved opcodes stay representable.
package struct WebSocketOpcode: RawRepresentable, Hashable, Sendable {
    package var rawValue: UInt8

    @inline(__always)
    package init(rawValue: UInt8) { self.rawValue = rawValue }

    package static let continuation = WebSocketOpcode(rawValue: 0x0)
    package static let text = WebSocketOpcode(rawValue: 0x1)
    package static let binary = WebSocketOpcode(rawValue: 0x2)
    package static let close = WebSocketOpcode(rawValue: 0x8)
    package static let ping = WebSocketOpcode(rawValue: 0x9)
    package static let pong = WebSocketOpcode(rawValue: 0xA)

    /// Every defined opcode, in wire order.
    package static let known: [WebSocketOpcode] = [.continuation, .text, .binary, .close, .ping, .pong]

    /// Bit 3 set: close, ping, pong and the reserved 0xB-0xF (§5.5).
    @inline(__always)
    package var isControl: Bool { rawValue & 0x08 != 0 }

    /// Text, binary or continuation.
    @inline(__always)
    package var isData: Bool { self == .continuation || self == .text || self == .binary }

    /// The lower-case name the printers show; nil for a reserved opcode. A StaticString:
    /// the text timeline writes one per message.
    package var name: StaticString? {
        switch self {
        case .continuation: "continuation"
        case .text: "text"
        case .binary: "binary"
        case .close: "close"
        case .ping: "ping"
        case .pong: "pong"
        default: nil
        }
    }
}
