/// `Upgrade: h2c` (RFC 7540 §3.2), and `h2` for prior knowledge and content detection:
/// the HTTP2-Settings header is read by the dissector itself (it is the client's first
/// SETTINGS).
public struct H2CUpgradeHandler: UpgradeHandler {
    public let webSocket: WebSocketOptions
    public let bodies: HTTPBodyOptions

    public init(webSocket: WebSocketOptions, bodies: HTTPBodyOptions) {
        self.webSocket = webSocket
        self.bodies = bodies
    }

    public var protocolNames: [String] { ["h2c", "h2"] }

    public func makeDissector(_ context: UpgradeContext) -> (any UpgradedStreamDissector)? {
        HTTP2Dissector(context: context, webSocket: webSocket, bodies: bodies)
    }
}
