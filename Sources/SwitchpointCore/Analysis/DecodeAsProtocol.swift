/// What `--decode-as PROTOCOL=PORT` may name: the protocols a connection can be dissected
/// as from its first captured byte, without the handshake that would have selected them.
package enum DecodeAsProtocol: String, Sendable, CaseIterable {
    case websocket
    case http2
    case http
    case tls
    case raw

    /// The accepted spellings, as the help and the usage error list them.
    package static let acceptedNames = ["websocket", "http2", "h2", "http", "tls", "raw"]

    /// `h2` is HTTP/2 too; names are case-insensitive. Anything else is not accepted (a
    /// typo must not silently print hex).
    package init?(name: String) {
        switch name.lowercasedASCII {
        case "websocket": self = .websocket
        case "http2", "h2": self = .http2
        case "http": self = .http
        case "tls": self = .tls
        case "raw": self = .raw
        default: return nil
        }
    }
}
