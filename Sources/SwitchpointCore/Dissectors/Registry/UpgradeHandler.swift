/// One protocol an HTTP/1 connection can switch to (after SwiftNIO's
/// `HTTPServerProtocolUpgrader`): it checks the handshake that selected it and makes the
/// dissector for what follows. The HTTP/1 session never names a protocol; the registry
/// picks the handler by the token the 101 (or the request) names.
package protocol UpgradeHandler: Sendable {
    /// Who its protocol is: the tokens it answers to (`websocket`; `h2c`, `h2`), matched
    /// without case or version, and the names `--decode-as` and `--protocol` know it by.
    var protocolID: ProtocolID { get }

    /// Findings about the handshake and the details the switch event shows. Called with
    /// the request the response answers (a 101 without one is checked by nobody).
    func checkHandshake(request: HTTPRequestHead, response: HTTPResponseHead) -> UpgradeHandshakeCheck

    /// The dissector for the new protocol's bytes; nil shows them raw.
    func makeDissector(_ context: UpgradeContext) -> (any UpgradedStreamDissector)?

    /// The protocol the tunnel carries is detected afresh (CONNECT), instead of dissected.
    var detectsTunnelledProtocol: Bool { get }

    /// The name the switch event carries when it is not the token (CONNECT has none).
    var switchName: String? { get }

    /// Request headers that only make sense with this protocol's Upgrade: a request that
    /// carries one without any Upgrade header lost it on the way (`Sec-WebSocket-Key`).
    var handshakeOnlyHeaders: [String] { get }
}

extension UpgradeHandler {
    package func checkHandshake(request: HTTPRequestHead, response: HTTPResponseHead) -> UpgradeHandshakeCheck {
        UpgradeHandshakeCheck()
    }

    package var detectsTunnelledProtocol: Bool { false }

    package var switchName: String? { nil }

    package var handshakeOnlyHeaders: [String] { [] }
}
