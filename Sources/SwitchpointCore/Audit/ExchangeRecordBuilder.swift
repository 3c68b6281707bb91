/// Builds exchange records from the timeline as it streams: no event is kept, each
/// record holds summaries and a bounded window of message digests. Every request of a
/// keep-alive connection and every HTTP/2 stream is its own exchange; what follows a
/// switch belongs to the exchange that switched.
package final class ExchangeRecordBuilder: TimelineEventSink {
    let file: Int
    private var open: [ConnectionID: ConnectionExchanges] = [:]
    private var closed: [ExchangeRecord] = []
    private var connections: [ConnectionLeg] = []
    private var connectionsNotKept = 0
    private var exchangesNotKept = 0
    private var tlsLegs: [TLSLegStatus] = []

    package init(file: Int) {
        self.file = file
    }

    package func receive(_ event: TimelineEvent) {
        let id = event.connection
        switch event.kind {
        case .connectionOpened(let opening):
            open[id] = ConnectionExchanges(file: file, connection: id, client: opening.client, server: opening.server)
        case .httpRequest(let head):
            open[id]?.request(head, at: event.timestamp)
        case .httpResponse(let head):
            open[id]?.response(head, at: event.timestamp)
        case .httpBody(let length, _, let kept, _):
            if event.direction == .serverToClient { open[id]?.responseBody(kept, length: length) }
        case .upgrade(let upgrade):
            open[id]?.switched(upgrade)
        case .h2Headers(let block):
            open[id]?.headers(block, direction: event.direction, at: event.timestamp)
        case .h2Stream(let summary):
            open[id]?.streamEnded(summary, at: event.timestamp)
        case .wsMessage(let message):
            guard let direction = event.direction else { return }
            open[id]?.withTarget(stream: event.stream) { record in
                record.add(
                    ExchangeRecord.Message(
                        direction: direction, length: message.length,
                        digest: ExchangeRecord.digest(message.kept, length: message.length),
                        timestamp: event.timestamp))
                record.lastActivity = event.timestamp
            }
        case .wsControl:
            open[id]?.withTarget(stream: event.stream) { $0.lastActivity = event.timestamp }
        case .wsClose(let close):
            guard let direction = event.direction else { return }
            open[id]?.withTarget(stream: event.stream) { record in
                if !record.closeFrames.contains(where: { $0.direction == direction }) {
                    record.closeFrames.append((direction, close.code))
                }
                record.lastActivity = event.timestamp
            }
        case .tlsClientHello(let hello):
            open[id]?.tls = TLSLegStatus(
                leg: LegID(file: file, connection: id), serverName: hello.serverName, decrypted: false)
        case .tlsSession(let facts):
            open[id]?.tls?.decrypted = facts.decrypted
            if facts.decrypted, open[id]?.tls == nil {
                open[id]?.tls = TLSLegStatus(
                    leg: LegID(file: file, connection: id), serverName: facts.serverName, decrypted: true)
            }
        case .connectionClosed(let summary):
            close(id, summary)
        case .finding(let finding):
            if finding.code.family == .upgrade || finding.code.family == .websocket {
                open[id]?.withTarget(stream: event.stream) { record in
                    if record.findings.count < AuditLimits.maxFindingsPerExchange { record.findings.append(finding) }
                }
            }
        case .gap, .rawData, .tlsServerHello, .tlsHelloRetry, .tlsEncrypted, .wsFrame, .wsClosing, .h2Frame,
            .h2Settings, .h2Reset, .h2GoAway, .h2Ping, .app:
            break
        }
    }

    private func close(_ id: ConnectionID, _ summary: ConnectionSummary) {
        guard var connection = open.removeValue(forKey: id) else { return }
        let ending = LegEnding(summary)
        connection.closed(summary, ending: ending)
        if let tls = connection.tls { tlsLegs.append(tls) }
        exchangesNotKept += connection.exchangesNotKept
        // Every connection, small, for a CONNECT's pairing (the proxy's connection to
        // the target may carry no HTTP the audit can read), up to a bound.
        if connections.count < AuditLimits.maxConnectionLegs {
            connections.append(ConnectionLeg(file: file, summary, ending: ending, exchanges: connection.records.count))
        } else {
            connectionsNotKept += 1
        }
        closed += connection.records
    }

    /// The exchanges in connection order (connections are numbered as they are seen),
    /// then by request or stream.
    package func finish() -> [ExchangeRecord] {
        finishCapture().records
    }

    /// Everything the audit takes from one capture.
    package func finishCapture() -> CaptureExchanges {
        // Moved out, not copied: the builder is done.
        var records = closed
        closed = []
        var tls = tlsLegs
        for connection in open.values {
            records += connection.records
            exchangesNotKept += connection.exchangesNotKept
            if let status = connection.tls { tls.append(status) }
        }
        records.sort { ($0.connection, $0.exchange, $0.stream ?? 0) < ($1.connection, $1.exchange, $1.stream ?? 0) }
        tls.sort { $0.leg.connection < $1.leg.connection }
        var capture = CaptureExchanges(
            records: records, connections: connections, connectionsNotKept: connectionsNotKept, tls: tls)
        capture.exchangesNotKept = exchangesNotKept
        return capture
    }

    /// Connections still open (records and all), for the cost tests.
    var heldRecords: Int { open.count }
    /// Exchanges of closed connections, for the cost tests.
    var closedRecords: Int { closed.count }
}

/// What the audit takes from one capture: the exchanges, every closed connection in
/// brief (a CONNECT's other leg may carry no HTTP) and the TLS legs.
package struct CaptureExchanges: Sendable {
    package var records: [ExchangeRecord]
    package var connections: [ConnectionLeg] = []
    package var connectionsNotKept = 0
    /// Exchanges past `AuditLimits.maxExchangesPerConnection` on their connection.
    package var exchangesNotKept = 0
    package var tls: [TLSLegStatus] = []

    package init(
        records: [ExchangeRecord], connections: [ConnectionLeg] = [], connectionsNotKept: Int = 0,
        tls: [TLSLegStatus] = []
    ) {
        self.records = records
        self.connections = connections
        self.connectionsNotKept = connectionsNotKept
        self.tls = tls
    }
}

/// A TLS connection of one capture: decrypted with the key log, or not.
package struct TLSLegStatus: Sendable {
    package var leg: LegID
    package var serverName: String?
    package var decrypted: Bool
}
