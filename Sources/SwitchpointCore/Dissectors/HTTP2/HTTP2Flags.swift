/// The flags byte of an HTTP/2 frame header (RFC 9113 §4.1), after swift-nio-http2's
/// `FrameFlags`. A bit's meaning depends on the frame type: `endStream` and `ack` are the
/// same bit (DATA/HEADERS vs. SETTINGS/PING).
package struct HTTP2Flags: OptionSet, Hashable, Sendable {
    package var rawValue: UInt8

    @inline(__always)
    package init(rawValue: UInt8) { self.rawValue = rawValue }

    /// DATA, HEADERS (§6.1, §6.2).
    package static let endStream = HTTP2Flags(rawValue: 0x01)
    /// SETTINGS, PING (§6.5, §6.7).
    package static let ack = HTTP2Flags(rawValue: 0x01)
    /// HEADERS, PUSH_PROMISE, CONTINUATION (§6.2, §6.6, §6.10).
    package static let endHeaders = HTTP2Flags(rawValue: 0x04)
    /// DATA, HEADERS, PUSH_PROMISE (§6.1).
    package static let padded = HTTP2Flags(rawValue: 0x08)
    /// HEADERS: the deprecated priority fields follow (§6.2).
    package static let priority = HTTP2Flags(rawValue: 0x20)

    /// The flags `type` defines, with their RFC names, in bit order.
    package static func defined(for type: HTTP2FrameType) -> [(flag: HTTP2Flags, name: String)] {
        switch type {
        case .data: [(.endStream, "END_STREAM"), (.padded, "PADDED")]
        case .headers:
            [(.endStream, "END_STREAM"), (.endHeaders, "END_HEADERS"), (.padded, "PADDED"), (.priority, "PRIORITY")]
        case .pushPromise: [(.endHeaders, "END_HEADERS"), (.padded, "PADDED")]
        case .continuation: [(.endHeaders, "END_HEADERS")]
        case .settings, .ping: [(.ack, "ACK")]
        default: []
        }
    }
}
