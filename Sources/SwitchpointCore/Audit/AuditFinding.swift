/// What the audit can say about a proxy, each with a stable code, a severity, one line of
/// evidence and the usual fix.
package struct AuditFinding: Sendable {
    package enum Code: String, Sendable, CaseIterable {
        case upgradeHeaderDropped = "audit.upgrade_header_dropped"
        case connectionHeaderDropped = "audit.connection_header_dropped"
        case http10Upstream = "audit.http10_upstream"
        case statusRewritten = "audit.status_rewritten"
        case switchWithoutUpstream = "audit.switch_without_upstream_101"
        case proxyErrorStatus = "audit.proxy_error_status"
        case headerChanged = "audit.header_changed"
        case headerAdded = "audit.header_added"
        case idleKill = "audit.idle_kill"
        case closeNotRelayed = "audit.close_not_relayed"
        case h2cSmuggling = "audit.h2c_smuggling"
        case messageLost = "audit.message_lost"
        case messageAltered = "audit.message_altered"
        case messageReordered = "audit.message_reordered"
        case answeredByProxy = "audit.answered_by_proxy"
        case hostRewritten = "audit.host_rewritten"
        case responseHeaderChanged = "audit.response_header_changed"
        case tunnelBytesDiffer = "audit.tunnel_bytes_differ"
        case unpairedFront = "audit.unpaired_front"
        case unpairedBack = "audit.unpaired_back"
        case singleLeg = "audit.single_leg"

        package var severity: Severity {
            switch self {
            case .upgradeHeaderDropped, .connectionHeaderDropped, .http10Upstream, .statusRewritten,
                .switchWithoutUpstream,
                .proxyErrorStatus, .idleKill, .closeNotRelayed, .h2cSmuggling, .messageLost, .messageAltered,
                .tunnelBytesDiffer:
                .error
            case .headerChanged, .messageReordered, .unpairedFront, .unpairedBack, .singleLeg, .answeredByProxy,
                .responseHeaderChanged:
                .warn
            case .headerAdded, .hostRewritten:
                .info
            }
        }
    }

    package var code: Code
    package var message: String
    /// The fix in the proxy's configuration language (nil: nothing to configure).
    package var configFix: ProxyConfigFix?
    /// The fix as one line.
    package var fix: String? { configFix?.text }
    /// The front (client side) and back (upstream side) connections.
    package var front: LegID?
    package var back: LegID?

    package var severity: Severity { code.severity }

    package init(code: Code, message: String, fix: ProxyConfigFix? = nil, front: LegID?, back: LegID?) {
        self.code = code
        self.message = message
        configFix = fix
        self.front = front
        self.back = back
    }
}

/// One client exchange paired with the proxy's upstream exchange.
package struct AuditPair: Sendable {
    package var front: ExchangeRecord
    package var back: ExchangeRecord
    package var evidence: PairEvidence
    package var confidence: Confidence
    /// Per-message delay the proxy added, milliseconds, both directions together.
    package var delays: [Double]
}
