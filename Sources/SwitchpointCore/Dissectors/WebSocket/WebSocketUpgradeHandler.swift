/// `Upgrade: websocket` (RFC 6455 §4): the key/accept pair, version, subprotocol and
/// extensions checked; frames dissected with `options` (nil: shown raw, handshake still
/// checked).
package struct WebSocketUpgradeHandler: UpgradeHandler {
    package let options: WebSocketOptions?

    package init(options: WebSocketOptions?) {
        self.options = options
    }

    package var protocolID: ProtocolID { .websocket }
    package var handshakeOnlyHeaders: [String] { ["Sec-WebSocket-Key"] }

    package func checkHandshake(request: HTTPRequestHead, response: HTTPResponseHead) -> UpgradeHandshakeCheck {
        UpgradeHandshakeCheck(
            findings: WebSocketHandshake.check(request: request, response: response),
            details: WebSocketHandshake.details(request: request, response: response))
    }

    package func makeDissector(_ context: UpgradeContext) -> (any UpgradedStreamDissector)? {
        options.map { WebSocketDissector(context: context, options: $0) }
    }
}
