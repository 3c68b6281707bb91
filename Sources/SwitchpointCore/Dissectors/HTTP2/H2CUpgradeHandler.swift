/// `Upgrade: h2c` (RFC 7540 §3.2), and `h2` for prior knowledge and content detection:
/// the HTTP2-Settings header is read by the dissector itself (it is the client's first
/// SETTINGS).
package struct H2CUpgradeHandler: UpgradeHandler {
    package let webSocket: WebSocketOptions
    package let bodies: HTTPBodyOptions

    package init(webSocket: WebSocketOptions, bodies: HTTPBodyOptions) {
        self.webSocket = webSocket
        self.bodies = bodies
    }

    package var protocolID: ProtocolID { .http2 }
    package var handshakeOnlyHeaders: [String] { ["HTTP2-Settings"] }

    package func makeDissector(_ context: UpgradeContext) -> (any UpgradedStreamDissector)? {
        HTTP2Dissector(context: context, webSocket: webSocket, bodies: bodies)
    }
}
