/// A `HOST:PORT` leg given to the audit (`--front`, `--back`), parsed strictly: `:PORT`
/// (any host), `*:PORT`, `1.2.3.4:PORT`, `[IPv6]:PORT` or `name:PORT`, with PORT 1-65535
/// in decimal. An IPv6 address must be bracketed (so `a:b:c:80` is refused, not guessed).
package struct HostPort: Sendable, Equatable {
    /// Empty for any host.
    package var host: String
    package var port: UInt16

    /// The longest host name DNS allows.
    static let maxHostLength = 253
    /// Decimal digits in the largest port.
    static let maxPortDigits = 5

    package init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        let portText = text[text.index(after: colon)...]
        guard (1...Self.maxPortDigits).contains(portText.count), portText.allSatisfy({ $0.isASCII && $0.isNumber }),
            let port = UInt16(portText), port > 0
        else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") {
            guard host.hasSuffix("]"), host.count > 2 else { return nil }
            host = String(host.dropFirst().dropLast())
            guard host.contains(":"), IPAddress(host) != nil else { return nil }
        } else if !host.isEmpty && host != "*" {
            guard host.utf8.count <= Self.maxHostLength, !host.contains(":"),
                host.utf8.allSatisfy({ Self.isHostByte($0) }),
                !host.hasPrefix("."), !host.hasPrefix("-")
            else { return nil }
        }
        self.host = host == "*" ? "" : host
        self.port = port
    }

    /// Letters, digits, `-`, `.` and `_` (names), which also covers dotted IPv4.
    private static func isHostByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"):
            true
        default:
            false
        }
    }

    /// Whether `endpoint` is this leg. A name matches nothing (the audit resolves no names),
    /// only an address or the any-host form does.
    package func matches(_ endpoint: Endpoint) -> Bool {
        endpoint.port == port && (host.isEmpty || IPAddress(host) == endpoint.address)
    }
}
