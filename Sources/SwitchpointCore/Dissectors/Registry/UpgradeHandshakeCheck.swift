/// What an `UpgradeHandler` found in the handshake that selected it.
package struct UpgradeHandshakeCheck: Sendable {
    /// Reported at the response's end, before the switch event.
    package var findings: [Finding]
    /// Shown with the switch (Origin, subprotocol, extensions), in order.
    package var details: [HTTPField]

    package init(findings: [Finding] = [], details: [HTTPField] = []) {
        self.findings = findings
        self.details = details
    }
}
