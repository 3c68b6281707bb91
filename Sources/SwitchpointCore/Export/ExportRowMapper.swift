/// Turns the timeline's events into rows of the export tables: one per closed connection,
/// upgrade attempt (with its outcome), finding, WebSocket session and HTTP/2 exchange. Holds
/// a little state per open connection (endpoints, the requests awaiting an answer, WebSocket
/// counters), released when the connection closes. Values are copied out of the events, so
/// their buffers go back to the dissectors' pools at once.
struct ExportRowMapper {
    /// What the mapper produces: a table, the connection the row belongs to, the values of the
    /// table's own columns (after the key columns, which the sink adds).
    struct MappedRow {
        var table: ExportTable
        var connection: ConnectionID
        var values: [ExportValue]
    }

    /// Pipelined requests remembered per connection while they wait for a final response.
    static let maxPendingRequests = 16
    /// WebSocket sessions remembered per connection (RFC 8441 puts one on each HTTP/2
    /// stream): a hostile connection opening stream after stream stops growing here.
    static let maxWebSocketSessionsPerConnection = 1024

    struct RequestContext {
        var method: String
        var path: String
        var host: String?
        var offered: [String]
    }

    struct WebSocketSession {
        var messages = PerDirection(repeating: 0)
        var bytes = PerDirection<UInt64>(repeating: 0)
        var pings = 0
        var closeCode: UInt16?
        var closeReason: String?
        var closeFrameSeen = false
        var closedBy: Direction?
        var closeAnswered: Bool?
        var request: RequestContext?
        var lastSeen: Timestamp
    }

    struct ConnectionState {
        var client: Endpoint
        var server: Endpoint
        /// Requests not answered yet (oldest first), and the one the last final response answered.
        var pending: [RequestContext] = []
        var answered: RequestContext?
        var lastStatus: Int?
        var lastRequest: RequestContext?
        /// WebSocket sessions by HTTP/2 stream (0 for the connection itself after its 101).
        var webSockets: [UInt32: WebSocketSession] = [:]
        var webSocketOrder: [UInt32] = []
    }

    private var connections: [ConnectionID: ConnectionState] = [:]

    /// Rows for one event (most events give none).
    mutating func rows(for event: TimelineEvent, into output: (MappedRow) -> Void) {
        switch event.tag {
        case .connectionOpened, .connectionClosed, .httpRequest, .httpResponse, .upgrade, .finding,
            .wsMessage, .wsControl, .wsClose, .wsClosing, .h2Stream, .app:
            break
        case .gap, .httpBody, .rawData, .tlsClientHello, .tlsServerHello, .tlsHelloRetry, .tlsSession, .tlsEncrypted,
            .wsFrame, .h2Frame, .h2Settings, .h2Headers, .h2Reset, .h2GoAway, .h2Ping:
            return
        }
        let id = event.connection
        switch event.kind {
        case .connectionOpened(let opening):
            connections[id] = ConnectionState(client: opening.client, server: opening.server)
        // The state is changed in place (through the dictionary's subscript), never copied out
        // and back: its arrays and dictionaries would be copied on every event.
        case .httpRequest(let head):
            guard connections[id] != nil else { return }
            let context = RequestContext(
                method: head.method, path: head.target, host: head.headers.values("Host").first,
                offered: head.offeredProtocols)
            connections[id]?.request(context)
        case .httpResponse(let head):
            guard !head.isInterim else { return }
            connections[id]?.response(status: head.status)
        case .upgrade(let upgrade):
            guard let state = connections[id] else { return }
            let request = state.answered ?? state.lastRequest
            if ProtocolID.websocket.matches(token: upgrade.protocolName) {
                connections[id]?.startWebSocket(stream: 0, request: request, at: event.timestamp)
            }
            output(
                MappedRow(
                    table: .upgrades, connection: id,
                    values: [.time(event.timestamp)] + state.endpointValues + [
                        .boolean(event.decrypted), .text(request?.method), .text(request?.path ?? upgrade.target),
                        .text(request?.host),
                        .text(request.map { $0.offered.joined(separator: ", ") }), .text(upgrade.protocolName),
                        .text("switched"),
                        .integer(upgrade.status), .null, .null,
                        .integer(upgrade.clientToServerOffset), .integer(upgrade.serverToClientOffset),
                        .real(upgrade.latencyMilliseconds),
                    ]))
        case .finding(let finding):
            guard let state = connections[id] else { return }
            let outcome = Self.upgradeOutcome(finding.code)
            let request =
                outcome == "refused" || outcome == "declined"
                ? (state.answered ?? state.lastRequest)
                : outcome == "no_verdict" ? (state.pending.first ?? state.lastRequest) : state.lastRequest
            let endpoints = state.endpointValues
            let status = state.lastStatus
            output(
                MappedRow(
                    table: .findings, connection: id,
                    values: [.time(event.timestamp)] + endpoints + [
                        .text(finding.code.rawValue), .text(finding.severity.rawValue), .text(finding.message),
                        .text(event.direction?.shortName),
                        .integer(event.offset), .integer(event.stream), .boolean(event.decrypted),
                        .text(request?.method), .text(request?.path), .text(request?.host),
                    ]))
            if let outcome {
                output(
                    MappedRow(
                        table: .upgrades, connection: id,
                        values: [.time(event.timestamp)] + endpoints + [
                            .boolean(event.decrypted), .text(request?.method), .text(request?.path),
                            .text(request?.host),
                            .text(request.map { $0.offered.joined(separator: ", ") }), .text(request?.offered.first),
                            .text(outcome),
                            .integer(outcome == "no_verdict" ? nil : status), .text(finding.code.rawValue),
                            .text(finding.message),
                            .null, .null, .null,
                        ]))
            }
        case .wsMessage(let message):
            guard let direction = event.direction else { return }
            updateWebSocket(id, stream: event.stream ?? 0, at: event.timestamp) {
                $0.messages[direction] += 1
                $0.bytes[direction] += message.length
            }
        case .wsControl(let control):
            if WebSocketOpcode(rawValue: control.opcode) == .ping {
                updateWebSocket(id, stream: event.stream ?? 0, at: event.timestamp) { $0.pings += 1 }
            }
        case .wsClose(let close):
            updateWebSocket(id, stream: event.stream ?? 0, at: event.timestamp) {
                if !$0.closeFrameSeen {
                    $0.closeCode = close.code
                    $0.closeReason = close.reason
                }
                $0.closeFrameSeen = true
            }
        case .wsClosing(let closing):
            updateWebSocket(id, stream: event.stream ?? 0, at: event.timestamp) {
                $0.closedBy = closing.firstDirection
                $0.closeAnswered = closing.answered
            }
        case .h2Stream(let summary):
            guard let state = connections[id] else { return }
            output(
                MappedRow(
                    table: .h2Streams, connection: id,
                    values: [.time(event.timestamp)] + state.endpointValues + [
                        .integer(summary.stream), .text(summary.method), .text(summary.scheme),
                        .text(summary.authority),
                        .text(summary.path), .text(summary.connectProtocol), .integer(summary.status),
                        .integer(summary.requestBodyBytes), .integer(summary.responseBodyBytes),
                        .integer(summary.reset),
                        .real(summary.timeToFirstByteMilliseconds), .real(summary.totalMilliseconds),
                        .boolean(summary.unfinished), .boolean(event.decrypted),
                    ]))
        case .app(let application):
            guard let state = connections[id] else { return }
            output(
                MappedRow(
                    table: .appEvents, connection: id,
                    values: [.time(event.timestamp)] + state.endpointValues + [
                        .integer(event.stream), .boolean(event.decrypted), .text(event.direction?.shortName),
                        .integer(event.packet), .text(application.protocolName), .text(application.operation),
                        .text(application.id), .text(application.summary), .text(Self.fieldsJSON(application.fields)),
                        .text(application.answers?.requestOperation), .integer(application.answers?.requestPacket),
                        .real(application.answers?.latencyMilliseconds),
                    ]))
        case .connectionClosed(let summary):
            guard let state = connections.removeValue(forKey: id) else { return }
            for stream in state.webSocketOrder {
                guard let session = state.webSockets[stream] else { continue }
                output(
                    MappedRow(
                        table: .websockets, connection: id,
                        values: [.time(event.timestamp)] + state.endpointValues + [
                            .integer(stream == 0 ? nil : stream), .text(session.request?.method),
                            .text(session.request?.path),
                            .text(session.request?.host),
                            .integer(session.messages.clientToServer), .integer(session.messages.serverToClient),
                            .integer(session.bytes.clientToServer), .integer(session.bytes.serverToClient),
                            .integer(session.pings), .integer(session.closeCode), .text(session.closeReason),
                            .text(session.closedBy.map { $0 == .clientToServer ? "client" : "server" }),
                            session.closeAnswered.map { .boolean($0) } ?? .null, .boolean(session.closeFrameSeen),
                        ]))
            }
            let c2s = summary.clientToServer
            let s2c = summary.serverToClient
            output(
                MappedRow(
                    table: .connections, connection: id,
                    values: state.endpointValues + [
                        .time(summary.start), .time(summary.end), .text(summary.reason.rawValue),
                        .text(summary.handshake.rawValue),
                        .integer(c2s.deliveredBytes), .integer(s2c.deliveredBytes), .integer(c2s.packets),
                        .integer(s2c.packets),
                        .integer(c2s.gaps + s2c.gaps), .integer(c2s.gapBytes + s2c.gapBytes),
                    ]))
        case .gap, .httpBody, .rawData, .tlsClientHello, .tlsServerHello, .tlsHelloRetry, .tlsSession, .tlsEncrypted,
            .wsFrame, .h2Frame, .h2Settings, .h2Headers, .h2Reset, .h2GoAway, .h2Ping:
            break
        }
    }

    /// An application event's fields as one JSON object (the `fields` jsonb column).
    static func fieldsJSON(_ fields: [ApplicationField]) -> String {
        let out = OutputBuffer(capacity: 256)
        out.appendApplicationFields(fields)
        return String(decoding: out.bytes, as: UTF8.self)
    }

    /// The `outcome` an upgrade finding records, nil for findings that are not an outcome.
    static func upgradeOutcome(_ code: FindingCode) -> String? {
        switch code.upgradeOutcome {
        case .refused426?, .refusedOtherStatus?, .connectRefused?: "refused"
        case .declined?: "declined"
        case .noVerdict?: "no_verdict"
        case nil: nil
        }
    }

    /// WebSocket events of a stream that had no 101 on this connection (RFC 8441 over
    /// HTTP/2, or `--decode-as`) start a session of their own.
    private mutating func updateWebSocket(
        _ id: ConnectionID, stream: UInt32, at time: Timestamp,
        _ change: (inout WebSocketSession) -> Void
    ) {
        connections[id]?.updateWebSocket(stream: stream, at: time, change)
    }
}

extension ExportRowMapper.ConnectionState {
    var endpointValues: [ExportValue] {
        [
            .text(client.address.description), .integer(client.port), .text(server.address.description),
            .integer(server.port),
        ]
    }

    mutating func request(_ context: ExportRowMapper.RequestContext) {
        lastRequest = context
        if pending.count < ExportRowMapper.maxPendingRequests { pending.append(context) }
    }

    mutating func response(status: Int) {
        answered = pending.isEmpty ? nil : pending.removeFirst()
        lastStatus = status
    }

    mutating func updateWebSocket(
        stream: UInt32, at time: Timestamp, _ change: (inout ExportRowMapper.WebSocketSession) -> Void
    ) {
        if webSockets[stream] == nil { startWebSocket(stream: stream, request: nil, at: time) }
        // Taken out and put back, so the session's arrays are not shared while they change.
        guard var session = webSockets.removeValue(forKey: stream) else { return }
        change(&session)
        session.lastSeen = time
        webSockets[stream] = session
    }

    mutating func startWebSocket(stream: UInt32, request: ExportRowMapper.RequestContext?, at time: Timestamp) {
        guard webSockets[stream] == nil, webSocketOrder.count < ExportRowMapper.maxWebSocketSessionsPerConnection else {
            return
        }
        webSockets[stream] = ExportRowMapper.WebSocketSession(request: request, lastSeen: time)
        webSocketOrder.append(stream)
    }
}
