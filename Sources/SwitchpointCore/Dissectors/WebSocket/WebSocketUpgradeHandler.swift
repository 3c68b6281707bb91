/// `Upgrade: websocket` (RFC 6455 §4): the key/accept pair, version, subprotocol and
/// extensions checked; frames dissected with `options` (nil: shown raw, handshake still
/// checked).
public struct WebSocketUpgradeHandler: UpgradeHandler {
    public let options: WebSocketOptions?

    public init(options: WebSocketOptions?) {
        self.options = options
    }

    public var protocolNames: [String] { ["websocket"] }

    public func checkHandshake(request: HTTPRequestHead, response: HTTPResponseHead) -> UpgradeHandshakeCheck {
        UpgradeHandshakeCheck(findings: WebSocketHandshake.check(request: request, response: response),
                              details: WebSocketHandshake.details(request: request, response: response))
    }

    public func makeDissector(_ context: UpgradeContext) -> (any UpgradedStreamDissector)? {
        options.map { WebSocketDissector(context: context, options: $0) }
    }
}
