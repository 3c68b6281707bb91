/// A 2xx answer to CONNECT (RFC 9110 §9.3.6): the tunnel carries a protocol of its own
/// (TLS, usually), detected afresh from its first bytes.
struct ConnectUpgradeHandler: UpgradeHandler {
    /// Reached by the verdict's kind, never by a token.
    var protocolID: ProtocolID { .connectTunnel }

    var switchName: String? { protocolID.name }

    var detectsTunnelledProtocol: Bool { true }

    func makeDissector(_ context: UpgradeContext) -> (any UpgradedStreamDissector)? { nil }
}
