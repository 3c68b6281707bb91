/// What the dissectors said about each connection, for the `--connections` listing's
/// protocol, upgrade and findings columns: a sink the timeline analyzer feeds while the
/// listing reads the same stream signals. Kept per open connection, taken at its close.
package final class ConnectionFacts: TimelineEventSink {
    package struct Facts: Sendable, Equatable {
        /// The protocol the connection started with (`http1`, `http2`, `tls`, `websocket`
        /// when found by content, a raw protocol's name); nil when nothing was dissected.
        package var initialProtocol: String?
        /// `websocket established`, `h2c rejected`, `refused 426`, …
        package var upgrade: String?
        package var findings = 0
        package var worstSeverity: Severity?

        /// `http1→websocket` / `http2` / `-`.
        package var protocolColumn: String {
            guard let initialProtocol else { return "-" }
            guard let switched = switchedTo else { return initialProtocol }
            return initialProtocol + "→" + switched
        }

        var switchedTo: String?

        /// `0`, `2 (warn)`, `5 (error)`.
        package var findingsColumn: String {
            guard let worstSeverity, findings > 0 else { return "0" }
            return "\(findings) (\(worstSeverity.rawValue))"
        }
    }

    private var open: [ConnectionID: Facts] = [:]
    package let wantsFrameEvents = false

    package init() {}

    package func receive(_ event: TimelineEvent) {
        switch event.tag {
        case .httpRequest, .httpResponse: note(event.connection, protocol: ProtocolID.http1.name)
        case .tlsClientHello, .tlsServerHello: note(event.connection, protocol: ProtocolID.tls.name)
        case .h2Settings, .h2Stream: note(event.connection, protocol: ProtocolID.http2.name)
        case .wsMessage, .wsControl, .wsClose: note(event.connection, protocol: ProtocolID.websocket.name)
        case .rawData:
            if case .rawData(let chunk) = event.kind { note(event.connection, protocol: chunk.protocolName) }
        case .upgrade:
            guard case .upgrade(let upgrade) = event.kind else { return }
            var facts = open[event.connection] ?? Facts()
            if facts.initialProtocol == nil { facts.initialProtocol = ProtocolID.http1.name }
            let name = upgrade.protocolName.lowercasedASCII
            facts.switchedTo = name
            switch upgrade.outcome {
            case .established?, nil: facts.upgrade = "\(name) switched"
            case .rejectedByClient?: facts.upgrade = "\(name) rejected by the client"
            case .unknown?: facts.upgrade = "\(name) outcome unknown"
            }
            open[event.connection] = facts
        case .finding:
            guard case .finding(let finding) = event.kind else { return }
            var facts = open[event.connection] ?? Facts()
            facts.findings += 1
            facts.worstSeverity = max(facts.worstSeverity ?? finding.severity, finding.severity)
            if finding.code == .upgradeRefused426 { facts.upgrade = "refused (426)" }
            if finding.code == .upgradeRefused, facts.upgrade == nil { facts.upgrade = "refused" }
            if finding.code == .upgradeDeclined, facts.upgrade == nil { facts.upgrade = "declined" }
            open[event.connection] = facts
        case .connectionOpened, .connectionClosed, .gap, .httpBody, .tlsHelloRetry, .tlsSession, .tlsEncrypted,
            .wsFrame, .wsClosing, .h2Frame, .h2Headers, .h2Reset, .h2GoAway, .h2Ping, .app:
            break
        }
    }

    /// The first protocol seen stays; events after a switch belong to the new protocol.
    private func note(_ connection: ConnectionID, protocol name: String) {
        var facts = open[connection] ?? Facts()
        if facts.initialProtocol == nil { facts.initialProtocol = name }
        open[connection] = facts
    }

    /// The connection's facts, forgotten here (it closed).
    package func take(_ connection: ConnectionID) -> Facts {
        open.removeValue(forKey: connection) ?? Facts()
    }
}

/// The `--connections` run: each stream signal goes to the timeline analyzer (whose events
/// fill `ConnectionFacts`) and then to the listing, so a row printed at a close already
/// knows what its connection carried.
package struct AnalyzedConnectionListing: StreamSignalSink {
    package var analyzer: TimelineAnalyzer
    package var listing: ConnectionListing

    package init(analyzer: TimelineAnalyzer, listing: ConnectionListing) {
        self.analyzer = analyzer
        self.listing = listing
    }

    package mutating func receive(_ signal: StreamSignal) {
        analyzer.receive(signal)
        listing.receive(signal)
    }
}

extension CaptureRunner {
    /// The text listing's run with its dissectors (a concrete entry point, as for the others).
    package mutating func run(
        _ source: PacketSource, into listing: inout AnalyzedConnectionListing,
        shouldStop: () -> Bool = { false },
        onProblem: (CaptureError) -> Void = { _ in },
        heartbeat: ((DecodeStatistics) -> Void)? = nil
    ) {
        drive(source, into: &listing, shouldStop: shouldStop, onProblem: onProblem, heartbeat: heartbeat)
    }
}
