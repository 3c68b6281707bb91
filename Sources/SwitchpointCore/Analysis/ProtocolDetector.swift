/// Decides what a connection speaks from its first bytes.
enum DetectedProtocol: Equatable {
    case http1
    case tls
    /// The HTTP/2 connection preface: HTTP/2 with prior knowledge, on any port.
    case http2PriorKnowledge
    case unknown
}

enum ProtocolDetector {
    static let http2Preface = HTTP2FrameParser.connectionPreface
    /// Longest method token considered before giving up on HTTP/1 (RFC 9110 methods are
    /// short; extension methods rarely exceed a dozen letters).
    static let maxMethodLength = 20

    /// Where a TLS record's first handshake message names its type.
    static let handshakeTypeIndex = 5

    /// Nil while more bytes are needed to decide. `midStream`: the bytes are not the
    /// connection's start (it was not captured), so more is asked of a start: a whole
    /// request line, not an uppercase word and a space (which random bytes often hold).
    static func detect(
        _ bytes: [UInt8], direction: Direction, final: Bool, midStream: Bool = false
    )
        -> DetectedProtocol?
    {
        guard let first = bytes.first else { return final ? .unknown : nil }
        switch direction {
        case .clientToServer:
            if first == TLSContentType.handshake.rawValue {
                if bytes.count < 2 { return final ? .unknown : nil }
                // A client's first record carries its ClientHello; a later handshake record
                // (a capture that began after the hello) is left to content detection.
                if bytes.count > handshakeTypeIndex
                    && bytes[handshakeTypeIndex] != TLSHandshakeType.clientHello.rawValue
                {
                    return .unknown
                }
                return bytes[1] == TLSRecordChainRule.versionMajor ? .tls : .unknown
            }
            let prefaceLength = min(bytes.count, http2Preface.count)
            if bytes[..<prefaceLength].elementsEqual(http2Preface[..<prefaceLength]) {
                if prefaceLength == http2Preface.count { return .http2PriorKnowledge }
                if !final && bytes.count < 4 { return nil }  // "PRI " is also a method token
                if !final { return nil }
            }
            for (index, byte) in bytes.enumerated() {
                if byte == 0x20 {
                    // An uppercase word is a method (a malformed line is then HTTP's to
                    // report); any other token must start a whole request line.
                    if !midStream && index > 0
                        && bytes[..<index].allSatisfy({ (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) })
                    {
                        return .http1
                    }
                    return index > 0 ? requestLine(bytes, final: final) : .unknown
                }
                if !HTTP1Parser.isTokenCharacter(byte) || index >= maxMethodLength { return .unknown }
            }
            return final ? .unknown : nil
        case .serverToClient:
            return statusLine(bytes, final: final)
        }
    }

    /// A first line that starts like a request: HTTP/1 when the whole line is a request
    /// line (a stream captured mid-message often starts with a word and a space, as
    /// "x.html HTTP/1.1" does); a line still incomplete waits, up to the longest looked at.
    private static func requestLine(_ bytes: [UInt8], final: Bool) -> DetectedProtocol? {
        let limit = min(bytes.count, HTTP1StartLineScanner.maxRequestLine)
        guard let end = (0..<limit).first(where: { bytes[$0] == 0x0a }) else {
            return final || bytes.count >= HTTP1StartLineScanner.maxRequestLine ? .http1 : nil
        }
        return HTTP1StartLineScanner.isRequestLine(Array(bytes[...end]), at: 0, anyToken: true) ? .http1 : .unknown
    }

    private static func statusLine(_ bytes: [UInt8], final: Bool) -> DetectedProtocol? {
        let prefix = Array("HTTP/".utf8)
        let length = min(bytes.count, prefix.count)
        guard bytes[..<length].elementsEqual(prefix[..<length]) else { return .unknown }
        return length == prefix.count ? .http1 : (final ? .unknown : nil)
    }
}
