/// An HTTP/2 frame type (RFC 9113 §6, RFC 8336 §2, RFC 9218 §7.1), after swift-nio-http2's
/// `HTTP2FrameType`: a wrapper over the wire byte so that unknown types (which §4.1 says
/// to ignore) stay representable, with a name for the printers.
package struct HTTP2FrameType: RawRepresentable, Hashable, Sendable {
    package var rawValue: UInt8

    @inline(__always)
    package init(rawValue: UInt8) { self.rawValue = rawValue }

    package static let data = HTTP2FrameType(rawValue: 0x0)
    package static let headers = HTTP2FrameType(rawValue: 0x1)
    package static let priority = HTTP2FrameType(rawValue: 0x2)
    package static let rstStream = HTTP2FrameType(rawValue: 0x3)
    package static let settings = HTTP2FrameType(rawValue: 0x4)
    package static let pushPromise = HTTP2FrameType(rawValue: 0x5)
    package static let ping = HTTP2FrameType(rawValue: 0x6)
    package static let goAway = HTTP2FrameType(rawValue: 0x7)
    package static let windowUpdate = HTTP2FrameType(rawValue: 0x8)
    package static let continuation = HTTP2FrameType(rawValue: 0x9)
    package static let origin = HTTP2FrameType(rawValue: 0xc)
    package static let priorityUpdate = HTTP2FrameType(rawValue: 0x10)

    /// Every type with a name, in wire order (the docs table lists these).
    package static let known: [HTTP2FrameType] = [
        .data, .headers, .priority, .rstStream, .settings, .pushPromise, .ping, .goAway, .windowUpdate, .continuation,
        .origin, .priorityUpdate,
    ]

    /// The RFC's name (`WINDOW_UPDATE`), `UNKNOWN_0x…` for other types.
    package var name: String {
        switch self {
        case .data: "DATA"
        case .headers: "HEADERS"
        case .priority: "PRIORITY"
        case .rstStream: "RST_STREAM"
        case .settings: "SETTINGS"
        case .pushPromise: "PUSH_PROMISE"
        case .ping: "PING"
        case .goAway: "GOAWAY"
        case .windowUpdate: "WINDOW_UPDATE"
        case .continuation: "CONTINUATION"
        case .origin: "ORIGIN"
        case .priorityUpdate: "PRIORITY_UPDATE"
        default: "UNKNOWN_0x" + String(rawValue, radix: 16)
        }
    }
}
