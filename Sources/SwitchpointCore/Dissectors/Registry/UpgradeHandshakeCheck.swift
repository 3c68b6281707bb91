/// What an `UpgradeHandler` found in the handshake that selected it.
public struct UpgradeHandshakeCheck: Sendable {
    /// Reported at the response's end, before the switch event.
    public var findings: [Finding]
    /// Shown with the switch (Origin, subprotocol, extensions), in order.
    public var details: [HTTPField]

    public init(findings: [Finding] = [], details: [HTTPField] = []) {
        self.findings = findings
        self.details = details
    }
}
