/// Collects what the HTML report and the HAR export show, from the same event stream the
/// printers get: per connection, bounded by `ReportLimits` (first and last messages, counts
/// of the rest), so memory stays flat however long the capture.
package final class ReportRecorder: TimelineEventSink {
    /// Which capture file the events come from (the audit's second leg is file 2).
    package let file: Int
    package private(set) var capture = ReportCapture()
    /// Closed connections, in the order they closed (sorted by the writers).
    package private(set) var finished: [ReportConnection] = []
    private var open: [ConnectionID: OpenConnection] = [:]
    private var listed = 0
    /// Payload bytes kept so far (counted as kept, not freed when a tail drops one).
    private var payloadBytesKept = 0

    /// A connection while it lasts: its record plus the exchanges not finished yet. A class,
    /// so an event updates it in place instead of copying its arrays out of the dictionary.
    private final class OpenConnection {
        var record: ReportConnection
        /// The HTTP/1.x exchange last answered (its body, switch and messages may still come).
        var current: ReportExchange?
        /// HTTP/1.x requests not answered yet, oldest first (answers come in request order).
        var awaiting: [ReportExchange] = []
        /// Whether each unanswered request offered an upgrade (every listed connection, for
        /// its outcome).
        var offers: [Bool] = []
        /// HTTP/2 streams by id, until their `h2.stream` summary.
        var streams: [UInt32: ReportExchange] = [:]
        var sawHTTP2 = false
        /// Findings before the first exchange: attached to it when it comes.
        var pendingFindings: [Finding] = []

        init(record: ReportConnection) {
            self.record = record
        }
    }

    package init(file: Int = 1) {
        self.file = file
    }

    /// Per-frame events carry the HTTP/2 header blocks the HAR needs.
    package var wantsFrameEvents: Bool { true }

    package func receive(_ event: TimelineEvent) {
        noteTime(event.timestamp)
        switch event.tag {
        case .wsFrame, .h2Frame, .h2Ping, .h2Reset, .h2GoAway, .tlsEncrypted, .tlsHelloRetry, .tlsSession:
            // Not shown: decided on the tag, before matching `kind` copies a payload.
            return
        case .h2Settings, .httpBody, .h2Headers, .wsMessage, .wsControl, .wsClose, .rawData, .app:
            // The hot cases: only detailed connections record them.
            guard open[event.connection]?.record.detailed == true else { return }
        default:
            break
        }
        let id = event.connection
        switch event.kind {
        case .connectionOpened(let opening):
            capture.connections += 1
            guard listed < ReportLimits.maxListedConnections else {
                capture.connectionsNotListed += 1
                return
            }
            listed += 1
            let detailed = listed <= ReportLimits.maxDetailedConnections
            if !detailed { capture.connectionsNotDetailed += 1 }
            open[id] = OpenConnection(
                record: ReportConnection(
                    file: file, id: id, client: opening.client, server: opening.server,
                    start: event.timestamp, detailed: detailed))
        case .connectionClosed(let summary):
            guard let state = open.removeValue(forKey: id) else { return }
            state.record.end = summary.end
            state.record.closeReason = summary.reason
            state.record.bytesClientToServer = summary.clientToServer.deliveredBytes
            state.record.bytesServerToClient = summary.serverToClient.deliveredBytes
            if let current = state.current { state.record.exchanges.append(current) }
            for exchange in state.awaiting { state.record.exchanges.append(exchange) }
            for stream in state.streams.keys.sorted() {
                if var exchange = state.streams[stream] {
                    exchange.unfinished = true
                    state.record.exchanges.append(exchange)
                }
            }
            finished.append(state.record)
        case .httpRequest(let head):
            guard let state = open[id] else { return }
            if state.record.protocolBefore == "TCP" { state.record.protocolBefore = head.version }
            if state.offers.count < ReportLimits.maxAwaitingResponses {
                state.offers.append(head.headers.contains("Upgrade"))
            }
            if state.record.detailed {
                var exchange = ReportExchange(connection: id)
                exchange.requestTime = event.timestamp
                exchange.requestMethod = head.method
                exchange.requestTarget = head.target
                exchange.requestVersion = head.version
                exchange.requestFields = head.headers.fields
                exchange.decrypted = event.decrypted
                exchange.findings = state.pendingFindings
                state.pendingFindings = []
                if state.awaiting.count < ReportLimits.maxAwaitingResponses {
                    state.awaiting.append(exchange)
                } else {
                    state.record.exchanges.append(exchange)
                }
                landmark(state, event, .request(head))
            }
        case .httpResponse(let head):
            guard let state = open[id] else { return }
            if !head.isInterim, !state.offers.isEmpty {
                let offered = state.offers.removeFirst()
                if offered && head.status != 101 { state.record.outcome = "refused \(head.status)" }
            }
            if state.record.detailed {
                if !head.isInterim {
                    // A final answer: to the oldest request waiting for one.
                    var exchange =
                        state.awaiting.isEmpty ? ReportExchange(connection: id) : state.awaiting.removeFirst()
                    exchange.responseTime = event.timestamp
                    exchange.status = head.status
                    exchange.reason = head.reason
                    exchange.responseVersion = head.version
                    exchange.responseFields = head.headers.fields
                    exchange.decrypted = event.decrypted
                    if let current = state.current { state.record.exchanges.append(current) }
                    state.current = exchange
                }
                landmark(state, event, .response(head))
            }
        case .httpBody(let length, _, let kept, let keptAll):
            guard let state = open[id] else { return }
            let count = keepable(kept.count, limit: ReportLimits.bodyBytes)
            let body = Array(kept[..<count])
            let truncated = !keptAll || count < kept.count
            if event.direction == .clientToServer {
                // The body of the latest request (answered already when the server did not wait).
                if state.awaiting.isEmpty {
                    state.current?.requestBodyBytes += length
                    state.current?.requestEnd = event.timestamp
                    state.current?.requestBody = body
                    state.current?.requestBodyTruncated = truncated
                } else {
                    state.awaiting[state.awaiting.count - 1].requestBodyBytes += length
                    state.awaiting[state.awaiting.count - 1].requestEnd = event.timestamp
                    state.awaiting[state.awaiting.count - 1].requestBody = body
                    state.awaiting[state.awaiting.count - 1].requestBodyTruncated = truncated
                }
            } else {
                state.current?.responseBodyBytes += length
                state.current?.responseEnd = event.timestamp
                state.current?.responseBody = body
                state.current?.responseBodyTruncated = truncated
            }
        case .upgrade(let upgrade):
            let name = upgrade.protocolName.lowercasedASCII
            capture.switched[name, default: 0] += 1
            guard let state = open[id] else { return }
            state.record.protocolAfter = upgrade.protocolName
            state.record.outcome = "switched"
            if state.record.detailed {
                if let stream = event.stream {
                    state.streams[stream]?.upgrade = upgrade
                } else {
                    state.current?.upgrade = upgrade
                }
                landmark(state, event, .upgrade(upgrade))
            }
        case .finding(let finding):
            capture.findings[finding.severity, default: 0] += 1
            switch finding.code.upgradeOutcome {
            case .refused426?: capture.refused["426", default: 0] += 1
            case .refusedOtherStatus?: capture.refused["other status", default: 0] += 1
            case .connectRefused?, .noVerdict?, nil: break
            }
            guard let state = open[id] else { return }
            state.record.findingCounts[finding.severity, default: 0] += 1
            if state.record.detailed {
                if let stream = event.stream, state.streams[stream] != nil {
                    if state.streams[stream]?.findings.count ?? 0 < ReportLimits.maxLandmarksPerConnection {
                        state.streams[stream]?.findings.append(finding)
                    }
                } else if event.direction == .clientToServer, !state.awaiting.isEmpty {
                    // About a request still waiting for its answer.
                    if state.awaiting[state.awaiting.count - 1].findings.count < ReportLimits.maxLandmarksPerConnection
                    {
                        state.awaiting[state.awaiting.count - 1].findings.append(finding)
                    }
                } else if state.current != nil {
                    if state.current?.findings.count ?? 0 < ReportLimits.maxLandmarksPerConnection {
                        state.current?.findings.append(finding)
                    }
                } else if !state.awaiting.isEmpty {
                    if state.awaiting[state.awaiting.count - 1].findings.count < ReportLimits.maxLandmarksPerConnection
                    {
                        state.awaiting[state.awaiting.count - 1].findings.append(finding)
                    }
                } else if state.pendingFindings.count < ReportLimits.maxLandmarksPerConnection {
                    state.pendingFindings.append(finding)
                }
                landmark(state, event, .finding(finding))
            }
        case .gap(let length, let reason):
            guard let state = open[id], state.record.detailed else { return }
            landmark(state, event, .gap(length: length, reason: reason))
        case .wsMessage(let message):
            guard let direction = event.direction else { return }
            let kept = keepable(message.kept.count)
            var recorded = ReportMessage(
                direction: direction, time: event.timestamp, offset: event.offset, opcode: message.opcode,
                length: message.length, data: Array(message.kept[..<kept]),
                truncated: !message.keptAll || kept < message.kept.count)
            recorded.compressed = message.compressed
            recorded.complete = message.complete
            recorded.problem = message.problem
            addMessage(recorded, event)
        case .wsControl(let control):
            guard let direction = event.direction else { return }
            let kept = keepable(control.payload.count)
            var recorded = ReportMessage(
                direction: direction, time: event.timestamp, offset: event.offset, opcode: control.opcode,
                length: UInt64(control.payload.count), data: Array(control.payload.prefix(kept)),
                truncated: control.payload.count > kept)
            recorded.roundTripMilliseconds = control.roundTripMilliseconds
            addMessage(recorded, event)
        case .wsClose(let close):
            guard let direction = event.direction else { return }
            var recorded = ReportMessage(
                direction: direction, time: event.timestamp, offset: event.offset,
                opcode: WebSocketOpcode.close.rawValue,
                length: UInt64(close.reason.utf8.count), data: Array(close.reason.utf8), truncated: false)
            recorded.closeCode = close.code
            addMessage(recorded, event, landmark: true)
        case .wsClosing(let closing):
            guard let state = open[id], state.record.detailed else { return }
            landmark(state, event, .closing(closing))
        case .app(let application):
            labelLastMessage(application, event)
        case .rawData(let chunk):
            guard let state = open[id] else { return }
            let preview = Array(chunk.head.prefix(ReportLimits.htmlPreviewBytes))
            state.record.bulk.append(
                ReportItem(
                    time: event.timestamp, direction: event.direction, offset: event.offset, stream: event.stream,
                    kind: .raw(
                        protocolName: chunk.protocolName, length: chunk.length, preview: preview,
                        hex: chunk.previewIsHex)))
        case .tlsClientHello(let hello):
            guard let state = open[id] else { return }
            if state.record.protocolBefore == "TCP" { state.record.protocolBefore = "TLS" }
            if state.record.detailed {
                landmark(state, event, .tlsClientHello(serverName: hello.serverName, alpn: hello.alpn))
            }
        case .tlsServerHello(let hello):
            guard let state = open[id], state.record.detailed else { return }
            landmark(state, event, .tlsServerHello(version: hello.version, alpn: hello.alpn))
        case .h2Settings:
            guard let state = open[id], !state.sawHTTP2 else { return }
            state.sawHTTP2 = true
            if state.record.protocolBefore == "TCP" { state.record.protocolBefore = "HTTP/2" }
        case .h2Headers(let block):
            guard let state = open[id] else { return }
            let stream = block.stream
            if event.direction == .clientToServer {
                if state.streams[stream] == nil, state.streams.count < ReportLimits.maxOpenStreams {
                    var exchange = ReportExchange(connection: id, stream: stream)
                    exchange.requestTime = event.timestamp
                    exchange.requestVersion = "HTTP/2.0"
                    exchange.requestFields = block.fields
                    exchange.decrypted = event.decrypted
                    state.streams[stream] = exchange
                }
            } else if state.streams[stream] != nil, state.streams[stream]?.status == nil,
                let status = block.fields.first(where: { $0.name == ":status" }).flatMap({ Int($0.value) }),
                !(100...199).contains(status)
            {
                state.streams[stream]?.status = status
                state.streams[stream]?.responseTime = event.timestamp
                state.streams[stream]?.responseVersion = "HTTP/2.0"
                state.streams[stream]?.responseFields = block.fields
            }
        case .h2Stream(let summary):
            guard let state = open[id], state.record.detailed else { return }
            var exchange =
                state.streams.removeValue(forKey: summary.stream)
                ?? ReportExchange(connection: id, stream: summary.stream)
            exchange.requestMethod = summary.method
            exchange.requestTarget = summary.path
            exchange.requestVersion = "HTTP/2.0"
            if exchange.status == nil { exchange.status = summary.status }
            if exchange.responseVersion == nil, summary.status != nil { exchange.responseVersion = "HTTP/2.0" }
            exchange.requestBodyBytes = summary.requestBodyBytes
            exchange.responseBodyBytes = summary.responseBodyBytes
            let requestKept = keepable(summary.requestBody.count, limit: ReportLimits.bodyBytes)
            exchange.requestBody = Array(summary.requestBody[..<requestKept])
            exchange.requestBodyTruncated = UInt64(requestKept) < summary.requestBodyBytes
            let responseKept = keepable(summary.responseBody.count, limit: ReportLimits.bodyBytes)
            exchange.responseBody = Array(summary.responseBody[..<responseKept])
            exchange.responseBodyTruncated = UInt64(responseKept) < summary.responseBodyBytes
            exchange.reset = summary.reset
            exchange.unfinished = summary.unfinished
            if exchange.requestTime == nil { exchange.requestTime = event.timestamp }
            exchange.responseEnd = event.timestamp
            // Keep the scheme and authority for the URL even when the header block was lost.
            if !exchange.requestFields.contains(where: { $0.name == ":authority" }), let authority = summary.authority {
                exchange.requestFields.append(HTTPField(name: ":authority", value: authority))
            }
            if !exchange.requestFields.contains(where: { $0.name == ":scheme" }), let scheme = summary.scheme {
                exchange.requestFields.append(HTTPField(name: ":scheme", value: scheme))
            }
            state.record.exchanges.append(exchange)
            state.record.bulk.append(
                ReportItem(
                    time: event.timestamp, direction: nil, offset: nil, stream: summary.stream,
                    kind: .h2Stream(summary, request: exchange.requestFields, response: exchange.responseFields)))
        default:
            break
        }
    }

    /// Called by the runner's caller when the capture ends: the packet count for the header.
    package func finish(packets: Int, files: [String]) {
        capture.packets = packets
        capture.files = files
        // Connections still open (only when the run stopped without closing them).
        for id in open.keys.sorted() {
            if let state = open[id] {
                if let current = state.current { state.record.exchanges.append(current) }
                for exchange in state.awaiting { state.record.exchanges.append(exchange) }
                finished.append(state.record)
            }
        }
        open.removeAll()
    }

    /// Every connection recorded, by number.
    package var connections: [ReportConnection] {
        finished.sorted { ($0.file, $0.id) < ($1.file, $1.id) }
    }

    /// How many of `count` payload bytes a message may keep, counted against the budget.
    private func keepable(_ count: Int, limit perItem: Int = ReportLimits.payloadBytes) -> Int {
        let limit = payloadBytesKept < ReportLimits.payloadBudgetBytes ? perItem : ReportLimits.payloadBytesPastBudget
        let kept = min(count, limit)
        payloadBytesKept += kept
        return kept
    }

    private func noteTime(_ time: Timestamp) {
        if let first = capture.first, first <= time {} else { capture.first = time }
        if let last = capture.last, time <= last {} else { capture.last = time }
    }

    private func landmark(_ state: OpenConnection, _ event: TimelineEvent, _ kind: ReportItem.Kind) {
        guard state.record.landmarks.count < ReportLimits.maxLandmarksPerConnection else {
            state.record.landmarksDropped += 1
            return
        }
        state.record.landmarks.append(
            ReportItem(
                time: event.timestamp, direction: event.direction, offset: event.offset, stream: event.stream,
                kind: kind))
    }

    /// An application event names the message it came from (the connection's last one
    /// in its direction) in the diagram.
    private func labelLastMessage(_ application: ApplicationEvent, _ event: TimelineEvent) {
        guard let state = open[event.connection] else { return }
        let label = OutputBuffer(capacity: 256)
        ApplicationEventText.append(application, to: label)
        let text = String(decoding: label.bytes, as: UTF8.self)
        state.record.bulk.updateLast { item in
            guard case .message(var message) = item.kind, message.direction == event.direction,
                message.applicationLabels.count < ReportLimits.maxApplicationLabelsPerMessage
            else { return }
            message.applicationLabels.append(text)
            item.kind = .message(message)
        }
    }

    private func addMessage(_ message: ReportMessage, _ event: TimelineEvent, landmark isLandmark: Bool = false) {
        guard let state = open[event.connection] else { return }
        if let stream = event.stream {
            state.streams[stream]?.messages.append(message)
        } else if state.current != nil {
            state.current?.messages.append(message)
        } else if !state.awaiting.isEmpty {
            // The answer was not captured (a gap): the messages still belong to the request.
            state.awaiting[state.awaiting.count - 1].messages.append(message)
        }
        let item = ReportItem(
            time: event.timestamp, direction: event.direction, offset: event.offset, stream: event.stream,
            kind: .message(message))
        if isLandmark { landmark(state, event, item.kind) } else { state.record.bulk.append(item) }
    }
}
