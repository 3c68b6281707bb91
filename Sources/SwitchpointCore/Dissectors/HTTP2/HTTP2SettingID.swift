/// An HTTP/2 setting identifier (RFC 9113 §6.5.2, RFC 8441 §3, RFC 9218 §2.1).
package struct HTTP2SettingID: RawRepresentable, Hashable, Sendable {
    package var rawValue: UInt16

    @inline(__always)
    package init(rawValue: UInt16) { self.rawValue = rawValue }

    package static let headerTableSize = HTTP2SettingID(rawValue: 0x1)
    package static let enablePush = HTTP2SettingID(rawValue: 0x2)
    package static let maxConcurrentStreams = HTTP2SettingID(rawValue: 0x3)
    package static let initialWindowSize = HTTP2SettingID(rawValue: 0x4)
    package static let maxFrameSize = HTTP2SettingID(rawValue: 0x5)
    package static let maxHeaderListSize = HTTP2SettingID(rawValue: 0x6)
    package static let enableConnectProtocol = HTTP2SettingID(rawValue: 0x8)
    package static let noRFC7540Priorities = HTTP2SettingID(rawValue: 0x9)

    /// Every identifier with a name, in wire order.
    package static let known: [HTTP2SettingID] = [
        .headerTableSize, .enablePush, .maxConcurrentStreams, .initialWindowSize, .maxFrameSize, .maxHeaderListSize,
        .enableConnectProtocol, .noRFC7540Priorities,
    ]

    /// Defaults the dissector relies on when a side has not said otherwise (§6.5.2).
    package static let defaultHeaderTableSize: UInt32 = 4096
    package static let defaultMaxFrameSize: UInt32 = 16_384

    package var name: String {
        switch self {
        case .headerTableSize: "HEADER_TABLE_SIZE"
        case .enablePush: "ENABLE_PUSH"
        case .maxConcurrentStreams: "MAX_CONCURRENT_STREAMS"
        case .initialWindowSize: "INITIAL_WINDOW_SIZE"
        case .maxFrameSize: "MAX_FRAME_SIZE"
        case .maxHeaderListSize: "MAX_HEADER_LIST_SIZE"
        case .enableConnectProtocol: "ENABLE_CONNECT_PROTOCOL"
        case .noRFC7540Priorities: "NO_RFC7540_PRIORITIES"
        default: "UNKNOWN_0x" + String(rawValue, radix: 16)
        }
    }
}
