/// Who a protocol is, as switchpoint names it: one value declares its canonical name, the
/// wire tokens that select it, the names the command line accepts for it and what its
/// connections show. Every `UpgradeHandler` declares one, and the registry resolves
/// `--decode-as` and `--protocol` names through them, so a protocol registered is a
/// protocol selectable. Equal when the canonical names are.
package struct ProtocolID: Sendable, Hashable, CustomStringConvertible {
    /// The canonical name (`websocket`, `http2`, `http1`, `tls`, `raw`, `docker-attach`).
    package let name: String
    /// The `Upgrade` tokens (and RFC 8441 `:protocol` values) that select it, matched
    /// without case or version. The first is the name a stream of it carries when no
    /// handshake named it (`--decode-as`, content detection, prior knowledge).
    package let upgradeTokens: [String]
    /// The names `--decode-as` accepts for it, without case; the first is the one a usage
    /// message lists first. Empty: it cannot be decoded from a connection's first byte
    /// without the handshake that selects it.
    package let decodeAsNames: [String]
    /// The name `--protocol` selects its connections by; nil: not selectable.
    package let selectionName: String?
    /// What its connections' events show (`--protocol` keeps connections with one of
    /// them). Empty: a protocol without a bit of its own, selected by its upgrade.
    package let traits: ConnectionTraits

    package init(
        name: String, upgradeTokens: [String] = [], decodeAsNames: [String] = [], selectionName: String? = nil,
        traits: ConnectionTraits = []
    ) {
        self.name = name
        self.upgradeTokens = upgradeTokens.map { Self.key($0) }
        self.decodeAsNames = decodeAsNames.map(\.lowercasedASCII)
        self.selectionName = selectionName?.lowercasedASCII
        self.traits = traits
    }

    /// Whether a connection can be decoded as it from its first captured byte, without a
    /// handshake (`--decode-as`).
    package var decodesFromFirstByte: Bool { !decodeAsNames.isEmpty }

    /// The name a stream of it carries when no handshake named it.
    package var token: String { upgradeTokens.first ?? name }

    /// Whether a wire token (`WebSocket`, `h2c`, `websocket/13`) selects it.
    package func matches(token: String) -> Bool {
        upgradeTokens.contains(Self.key(token))
    }

    /// Whether `--decode-as` accepts `name` for it.
    package func isDecodeAsName(_ name: String) -> Bool {
        decodeAsNames.contains(name.lowercasedASCII)
    }

    /// Whether `--protocol` selects it by `name`.
    package func isSelectionName(_ name: String) -> Bool {
        selectionName == name.lowercasedASCII
    }

    /// `WebSocket` → `websocket`, `SPDY/3.1` → `spdy`: tokens match by name, not version.
    static func key(_ token: String) -> String {
        let name = token.split(separator: "/", maxSplits: 1).first.map(String.init) ?? token
        return name.lowercasedASCII
    }

    package var description: String { name }

    package static func == (lhs: ProtocolID, rhs: ProtocolID) -> Bool { lhs.name == rhs.name }

    package func hash(into hasher: inout Hasher) { hasher.combine(name) }
}

extension ProtocolID {
    /// RFC 6455, after `Upgrade: websocket` or by content.
    package static let websocket = ProtocolID(
        name: "websocket", upgradeTokens: ["websocket"], decodeAsNames: ["websocket"], selectionName: "websocket",
        traits: .websocket)
    /// RFC 9113: `Upgrade: h2c`, the prior-knowledge preface, ALPN `h2`, or by content.
    package static let http2 = ProtocolID(
        name: "http2", upgradeTokens: ["h2", "h2c"], decodeAsNames: ["http2", "h2"], selectionName: "http2",
        traits: .http2)
    /// HTTP/1.x: detected from a connection's first bytes, never upgraded to.
    package static let http1 = ProtocolID(
        name: "http1", decodeAsNames: ["http"], selectionName: "http1", traits: .http1)
    /// TLS records: detected from the ClientHello, decrypted with a key log.
    package static let tls = ProtocolID(name: "tls", decodeAsNames: ["tls"], selectionName: "tls", traits: .tls)
    /// Bytes shown as they are: an upgrade without a handler, or `--decode-as raw`.
    package static let raw = ProtocolID(name: "raw", decodeAsNames: ["raw"], selectionName: "raw", traits: .raw)
    /// A 2xx to CONNECT: reached by the verdict's kind, never by a token.
    package static let connectTunnel = ProtocolID(name: "connect-tunnel")
}
