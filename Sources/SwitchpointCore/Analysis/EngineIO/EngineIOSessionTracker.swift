/// Links Engine.IO's transports across connections (issue 25, acceptance 2): the polling
/// requests (`transport=polling&sid=…`, bodies of packets separated by `\x1e`) and the
/// WebSocket that names the same `sid`. It reads the timeline of every connection, in
/// capture order, so it lives at the analysis level, after the per-connection dissectors:
/// it interprets the polling bodies (which no WebSocket interpreter sees) and, at the `5`
/// that switches a session over, tells the session's story.
package struct EngineIOSessionTracker {
    /// Sessions followed at once; the oldest is forgotten past it.
    package static let maxSessions = 1024
    /// Requests of one connection waiting for their response (HTTP/1.1 pipelining).
    package static let maxPipelined = 64

    /// What the tracker adds to the timeline, on the connection it belongs to.
    package struct Output {
        package var connection: ConnectionID
        package var item: CollectedApplicationEvents.Item
        package var place: ApplicationPlace
    }

    struct PollingRequest {
        var method: String
        var query: EngineIOQuery?
    }

    struct ConnectionState {
        var requests: [PollingRequest] = []
        var responding: PollingRequest?
        /// The session whose WebSocket this connection is.
        var webSocketSession: String?
    }

    private var sessions: [String: EngineIOSessionStory] = [:]
    private var sessionOrder: [String] = []
    private var connections: [ConnectionID: ConnectionState] = [:]

    package init() {}

    package var sessionCount: Int { sessions.count }

    package func story(_ sid: String) -> EngineIOSessionStory? { sessions[sid] }

    /// One timeline event; what it adds goes to `output`.
    package mutating func receive(_ event: TimelineEvent, output: inout [Output]) {
        switch event.kind {
        case .httpRequest(let head): request(head, on: event.connection)
        case .httpResponse:
            let request = popRequest(event.connection)
            connections[event.connection]?.responding = request
        case .httpBody(_, _, let kept, _): body(kept, event, output: &output)
        case .upgrade(let upgrade): webSocket(upgrade, on: event.connection)
        case .wsMessage(let message): webSocketMessage(message, event, output: &output)
        case .connectionClosed: connections[event.connection] = nil
        case .connectionOpened, .gap, .finding, .rawData, .tlsClientHello, .tlsServerHello, .tlsHelloRetry, .tlsSession,
            .tlsEncrypted, .wsFrame, .wsControl, .wsClose, .wsClosing, .h2Frame, .h2Settings, .h2Headers, .h2Reset,
            .h2GoAway, .h2Ping, .h2Stream, .app:
            return
        }
    }

    private mutating func request(_ head: HTTPRequestHead, on connection: ConnectionID) {
        let query = EngineIOQuery(target: head.target)
        guard query?.transport == .polling || connections[connection] != nil else { return }
        var state = connections[connection] ?? ConnectionState()
        if state.requests.count < Self.maxPipelined {
            state.requests.append(PollingRequest(method: head.method, query: query))
        }
        connections[connection] = state
    }

    private mutating func popRequest(_ connection: ConnectionID) -> PollingRequest? {
        guard var state = connections[connection], !state.requests.isEmpty else { return nil }
        let first = state.requests.removeFirst()
        connections[connection] = state
        return first
    }

    private mutating func body(_ kept: [UInt8], _ event: TimelineEvent, output: inout [Output]) {
        guard let direction = event.direction, let state = connections[event.connection] else { return }
        // A POST's packets are in its request body, a GET's in its response body.
        let request = direction == .clientToServer ? state.requests.last : state.responding
        guard let request, let query = request.query, query.transport == .polling else { return }
        let isPost = request.method == "POST"
        guard isPost == (direction == .clientToServer) else { return }
        let place = ApplicationPlace(
            capture: CaptureInfo(packetNumber: event.packet, timestamp: event.timestamp), direction: direction,
            offset: event.offset, firstPacket: event.firstPacket)
        kept.withUnsafeBytes { bytes in
            // The handshake's body names the sid for the packets after its open packet.
            var sid = query.sid
            for packet in EngineIOPollingPayload.packets(bytes) {
                sid = pollingPacket(
                    UnsafeRawBufferPointer(rebasing: bytes[packet]), sid: sid, on: event.connection, at: place,
                    output: &output)
            }
        }
    }

    private mutating func pollingPacket(
        _ packet: UnsafeRawBufferPointer, sid: String?, on connection: ConnectionID, at place: ApplicationPlace,
        output: inout [Output]
    ) -> String? {
        var sid = sid
        if sid == nil, packet.first == UInt8(ascii: "0"),
            let open = EngineIOOpen(json: UnsafeRawBufferPointer(rebasing: packet[1...]))
        {
            sid = open.sid
            startSession(open.sid, at: place.capture)
        }
        guard let sid, var story = sessions[sid] else { return sid }
        story.addPolling(connection)
        // Engine.IO v4 sends binary over polling as `b` + base64.
        let binary = packet.first == UInt8(ascii: "b")
        var collected = CollectedApplicationEvents()
        story.engine.packet(packet, binary: binary, at: place, into: &collected)
        sessions[sid] = story
        for entry in collected.items { output.append(Output(connection: connection, item: entry.item, place: place)) }
        return sid
    }

    private mutating func startSession(_ sid: String, at capture: CaptureInfo) {
        guard sessions[sid] == nil else { return }
        if sessions.count >= Self.maxSessions, !sessionOrder.isEmpty {
            sessions[sessionOrder.removeFirst()] = nil
        }
        sessions[sid] = EngineIOSessionStory(sid: sid, opened: capture)
        sessionOrder.append(sid)
    }

    private mutating func webSocket(_ upgrade: UpgradeSwitch, on connection: ConnectionID) {
        guard let query = EngineIOQuery(target: upgrade.target), query.transport == .websocket, let sid = query.sid,
            sessions[sid] != nil
        else { return }
        sessions[sid]?.webSocketConnection = connection
        connections[connection, default: ConnectionState()].webSocketSession = sid
    }

    private mutating func webSocketMessage(_ message: WebSocketMessage, _ event: TimelineEvent, output: inout [Output])
    {
        guard let sid = connections[event.connection]?.webSocketSession, var story = sessions[sid],
            message.isText, !story.switched
        else { return }
        let capture = CaptureInfo(packetNumber: event.packet, timestamp: event.timestamp)
        message.kept.withUnsafeBytes { text in
            if EngineIOSession.equals(text, "2probe"), story.probeSent == nil {
                story.probeSent = capture
            } else if EngineIOSession.equals(text, "3probe"), let sent = story.probeSent {
                story.probeRoundTripMilliseconds = capture.timestamp.milliseconds(since: sent.timestamp)
            } else if EngineIOSession.equals(text, "5") {
                story.switched = true
                output.append(
                    Output(
                        connection: event.connection, item: .application(story.switchEvent(at: capture)),
                        place: ApplicationPlace(capture: capture, direction: event.direction, offset: event.offset)))
            }
        }
        sessions[sid] = story
    }
}
