/// A protocol that is not an upgrade's but that a connection can be decoded as from its
/// first captured byte (`--decode-as`: HTTP/1, TLS, raw), with what starts it. Upgrade
/// handlers whose protocol `decodesFromFirstByte` need none: their dissector starts it.
package struct FirstByteDecoder: Sendable {
    /// What a decoder started at a connection's first byte learns.
    package struct Context {
        /// Offsets 0, no handshake; whether each direction starts at a frame boundary,
        /// and the WebSocket message interpreters.
        package var stream: UpgradeContext
        package var connection: ConnectionID
        /// Secrets for decrypting TLS (nil: no key log given).
        package var keyLog: TLSKeyLog?
        /// Analyses a decrypted stream (TLS).
        package var makeInner: DecryptedStreamAnalysisMaker?

        package init(
            stream: UpgradeContext, connection: ConnectionID, keyLog: TLSKeyLog? = nil,
            makeInner: DecryptedStreamAnalysisMaker? = nil
        ) {
            self.stream = stream
            self.connection = connection
            self.keyLog = keyLog
            self.makeInner = makeInner
        }
    }

    /// How the connection's analysis goes on.
    package enum Start {
        /// The HTTP/1 session (not a dissector: it hands the connection over at a switch).
        case http1
        case dissector(any UpgradedStreamDissector)
    }

    package let protocolID: ProtocolID
    package let start: @Sendable (Context) -> Start

    package init(_ protocolID: ProtocolID, start: @escaping @Sendable (Context) -> Start) {
        self.protocolID = protocolID
        self.start = start
    }

    /// HTTP/1, TLS and raw, which every registry can decode.
    static let builtIn: [FirstByteDecoder] = [
        FirstByteDecoder(.http1) { _ in .http1 },
        FirstByteDecoder(.tls) {
            .dissector(TLSSession(keyLog: $0.keyLog, connection: $0.connection, makeInner: $0.makeInner))
        },
        FirstByteDecoder(.raw) { .dissector(RawStreamDissector(protocolName: $0.stream.protocolName)) },
    ]
}
