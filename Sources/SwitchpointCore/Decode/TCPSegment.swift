/// TCP header flags.
package struct TCPFlags: OptionSet, Hashable, Sendable {
    package var rawValue: UInt16
    package init(rawValue: UInt16) { self.rawValue = rawValue }

    package static let fin = TCPFlags(rawValue: 0x001)
    package static let syn = TCPFlags(rawValue: 0x002)
    package static let rst = TCPFlags(rawValue: 0x004)
    package static let psh = TCPFlags(rawValue: 0x008)
    package static let ack = TCPFlags(rawValue: 0x010)
    package static let urg = TCPFlags(rawValue: 0x020)
    package static let ece = TCPFlags(rawValue: 0x040)
    package static let cwr = TCPFlags(rawValue: 0x080)
    package static let ae = TCPFlags(rawValue: 0x100)
}

/// A decoded TCP segment whose payload still points into the capture buffer.
///
/// `payload` holds the bytes that were captured; `payloadLength` is what the IP header
/// says the segment carried. They differ when the snaplen cut the packet, and the
/// reassembler turns the missing tail into a gap rather than reading past the capture.
package struct TCPSegment {
    package var source: Endpoint
    package var destination: Endpoint
    package var sequence: UInt32
    package var acknowledgment: UInt32
    package var flags: TCPFlags
    package var window: UInt16
    package var payload: UnsafeRawBufferPointer
    package var payloadLength: Int
    /// Raw option bytes (between the fixed header and the payload); parsed on demand.
    package var optionBytes: UnsafeRawBufferPointer

    package init(
        source: Endpoint, destination: Endpoint, sequence: UInt32, acknowledgment: UInt32,
        flags: TCPFlags, window: UInt16 = 65535, payload: UnsafeRawBufferPointer,
        payloadLength: Int? = nil, optionBytes: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0)
    ) {
        self.source = source
        self.destination = destination
        self.sequence = sequence
        self.acknowledgment = acknowledgment
        self.flags = flags
        self.window = window
        self.payload = payload
        self.payloadLength = payloadLength ?? payload.count
        self.optionBytes = optionBytes
    }

    package var isPayloadTruncated: Bool { payload.count < payloadLength }

    /// The options a handshake negotiates.
    package var options: TCPOptions { TCPOptions(parsing: optionBytes) }
}

/// TCP options (RFC 9293, RFC 7323, RFC 2018), parsed defensively: a length that runs
/// past the option area ends parsing and sets `malformed`.
package struct TCPOptions: Equatable, Sendable {
    package var maximumSegmentSize: UInt16?
    package var windowScale: UInt8?
    package var sackPermitted = false
    package var timestampValue: UInt32?
    package var timestampEcho: UInt32?
    package var malformed = false

    package init(parsing bytes: UnsafeRawBufferPointer) {
        var index = 0
        while index < bytes.count {
            let kind = bytes[index]
            if kind == 0 { break }  // end of option list
            if kind == 1 {
                index += 1
                continue
            }  // no-operation
            guard index + 1 < bytes.count else {
                malformed = true
                break
            }
            let length = Int(bytes[index + 1])
            guard length >= 2, index + length <= bytes.count else {
                malformed = true
                break
            }
            switch (kind, length) {
            case (2, 4): maximumSegmentSize = bytes.readBigEndianUInt16(at: index + 2)
            case (3, 3): windowScale = bytes[index + 2]
            case (4, 2): sackPermitted = true
            case (8, 10):
                timestampValue = bytes.readBigEndianUInt32(at: index + 2)
                timestampEcho = bytes.readBigEndianUInt32(at: index + 6)
            default: break
            }
            index += length
        }
    }
}
