/// A point on a connection's diagram, in event order.
package struct ReportItem: Sendable {
    package enum Kind: Sendable {
        case request(HTTPRequestHead)
        case response(HTTPResponseHead)
        case upgrade(UpgradeSwitch)
        case message(ReportMessage)
        /// A connection-level HTTP/2 frame (streams are drawn in the waterfall instead).
        case h2Control(ReportHTTP2Control)
        case finding(Finding)
        case gap(length: UInt64, reason: GapReason)
        case raw(protocolName: String, length: Int, preview: [UInt8], hex: Bool)
        case tlsClientHello(serverName: String?, alpn: [String])
        case tlsServerHello(version: String, alpn: String?)
        case closing(WebSocketClosing)
        /// Drawn in place of the messages kept in neither the head nor the tail.
        case elided(count: Int)
        /// A proxy audit finding, drawn on the proxy's lifeline when what it is about happened.
        case auditFinding(AuditFinding)
    }

    package var time: Timestamp
    package var direction: Direction?
    package var offset: UInt64?
    package var stream: UInt32?
    package var kind: Kind
}
