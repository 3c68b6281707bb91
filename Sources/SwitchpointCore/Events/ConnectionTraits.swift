/// What a connection's events showed so far: the protocols it carried and its worst
/// finding. Bits, so the printer can record them per event without allocating.
package struct ConnectionTraits: OptionSet, Sendable, Hashable {
    package let rawValue: UInt16
    package init(rawValue: UInt16) { self.rawValue = rawValue }

    package static let http1 = ConnectionTraits(rawValue: 1 << 0)
    package static let websocket = ConnectionTraits(rawValue: 1 << 1)
    package static let http2 = ConnectionTraits(rawValue: 1 << 2)
    package static let tls = ConnectionTraits(rawValue: 1 << 3)
    package static let raw = ConnectionTraits(rawValue: 1 << 4)
    package static let warnFinding = ConnectionTraits(rawValue: 1 << 5)
    package static let errorFinding = ConnectionTraits(rawValue: 1 << 6)
    /// An application event of the protocol `--protocol` named (`TimelineSelection.traits`).
    package static let selectedApplication = ConnectionTraits(rawValue: 1 << 7)
    /// An upgrade to the protocol `--protocol` named, when it has no bit of its own
    /// (`ProtocolID.traits` empty; `TimelineSelection.traits`).
    package static let selectedProtocol = ConnectionTraits(rawValue: 1 << 8)

    /// The traits of the protocol an upgrade switched to, as the standard registry's
    /// handler for the token declares them (a token without a handler is raw).
    init(upgradedTo token: String) {
        self = DissectorRegistry.standard.handler(named: token).protocolID.traits
    }

    /// What one event says about its connection.
    package init(shownBy event: TimelineEvent) {
        switch event.tag {
        case .httpRequest, .httpResponse, .httpBody: self = .http1
        case .wsFrame, .wsMessage, .wsControl, .wsClose, .wsClosing: self = .websocket
        case .h2Frame, .h2Settings, .h2Headers, .h2Reset, .h2GoAway, .h2Ping, .h2Stream: self = .http2
        case .tlsClientHello, .tlsServerHello, .tlsHelloRetry, .tlsSession, .tlsEncrypted: self = .tls
        case .rawData: self = .raw
        case .upgrade:
            guard case .upgrade(let upgrade) = event.kind else {
                self = []
                return
            }
            self = ConnectionTraits(upgradedTo: upgrade.protocolName)
        case .finding:
            guard case .finding(let finding) = event.kind else {
                self = []
                return
            }
            switch finding.severity {
            case .error: self = .errorFinding
            case .warn: self = .warnFinding
            case .info: self = []
            }
        case .app: self = .websocket
        case .connectionOpened, .connectionClosed, .gap: self = []
        }
    }
}
