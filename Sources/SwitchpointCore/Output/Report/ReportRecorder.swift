/// Collects what the HTML report and the HAR export show, from the same event stream the
/// printers get: per connection, bounded by `ReportLimits` (first and last messages, counts
/// of the rest), so memory stays flat however long the capture.
package final class ReportRecorder: TimelineEventSink {
    /// Which capture file the events come from (the audit's second leg is file 2).
    package let file: Int
    package internal(set) var capture = ReportCapture()
    /// Closed connections, in the order they closed (sorted by the writers).
    package internal(set) var finished: [ReportConnection] = []
    var open: [ConnectionID: OpenConnection] = [:]
    var listed = 0
    /// Payload bytes kept so far (counted as kept, not freed when a tail drops one).
    private var payloadBytesKept = 0

    /// A connection while it lasts: its record plus the exchanges not finished yet. A class,
    /// so an event updates it in place instead of copying its arrays out of the dictionary.
    final class OpenConnection {
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
        /// HTTP/1.x requests seen so far (the next one's place on the connection).
        var requests = 0

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
        case .h2Reset, .tlsEncrypted, .tlsHelloRetry, .tlsSession:
            // Not shown: decided on the tag, before matching `kind` copies a payload.
            return
        case .h2Settings, .httpBody, .h2Headers, .wsMessage, .wsControl, .wsClose, .rawData, .app, .wsFrame, .h2Frame,
            .h2Ping, .h2GoAway:
            // The hot cases: only detailed connections record them.
            guard open[event.connection]?.record.detailed == true else { return }
        case .connectionOpened, .connectionClosed, .gap, .httpRequest, .httpResponse, .upgrade, .finding,
            .tlsClientHello, .tlsServerHello, .wsClosing, .h2Stream:
            break
        }
        let id = event.connection
        switch event.kind {
        case .connectionOpened(let opening):
            recordConnectionOpened(opening, event, id)
        case .connectionClosed(let summary):
            recordConnectionClosed(summary, event, id)
        case .httpRequest(let head):
            recordHTTPRequest(head, event, id)
        case .httpResponse(let head):
            recordHTTPResponse(head, event, id)
        case .httpBody(let length, _, let kept, let keptAll):
            recordHTTPBody(length, kept, keptAll, event, id)
        case .upgrade(let upgrade):
            recordUpgrade(upgrade, event, id)
        case .finding(let finding):
            recordFinding(finding, event, id)
        case .gap(let length, let reason):
            recordGap(length, reason, event, id)
        case .wsMessage(let message):
            recordWebSocketMessage(message, event, id)
        case .wsControl(let control):
            recordWebSocketControl(control, event, id)
        case .wsClose(let close):
            recordWebSocketClose(close, event, id)
        case .wsClosing(let closing):
            recordWebSocketClosing(closing, event, id)
        case .app(let application):
            labelLastMessage(application, event)
        case .rawData(let chunk):
            recordRawData(chunk, event, id)
        case .tlsClientHello(let hello):
            recordTLSClientHello(hello, event, id)
        case .tlsServerHello(let hello):
            recordTLSServerHello(hello, event, id)
        case .h2Settings(let settings):
            recordHTTP2Settings(settings, event, id)
        case .h2Headers(let block):
            recordHTTP2Headers(block, event, id)
        case .h2Stream(let summary):
            recordHTTP2Stream(summary, event, id)
        case .h2Frame(let frame):
            recordHTTP2Frame(frame, event, id)
        case .h2Ping(let ack, let roundTrip):
            recordHTTP2Control(.ping(ack: ack, roundTripMilliseconds: roundTrip), event, id)
        case .h2GoAway(let lastStream, let error, let debug):
            recordHTTP2Control(.goAway(lastStream: lastStream, error: error, debug: debug), event, id)
        case .wsFrame(let header):
            noteActivity(event, bytes: header.payloadLength &+ UInt64(max(0, header.headerLength)))
        case .tlsHelloRetry, .tlsSession, .tlsEncrypted, .h2Reset:
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
    func keepable(_ count: Int, limit perItem: Int = ReportLimits.payloadBytes) -> Int {
        let limit = payloadBytesKept < ReportLimits.payloadBudgetBytes ? perItem : ReportLimits.payloadBytesPastBudget
        let kept = min(count, limit)
        payloadBytesKept += kept
        return kept
    }

    private func noteTime(_ time: Timestamp) {
        if let first = capture.first, first <= time {} else { capture.first = time }
        if let last = capture.last, time <= last {} else { capture.last = time }
    }

    /// Bytes that moved on a detailed connection at the event's time.
    func noteActivity(_ event: TimelineEvent, bytes: UInt64) {
        open[event.connection]?.record.activity.note(event.timestamp.nanoseconds, bytes: bytes)
    }

    func landmark(_ state: OpenConnection, _ event: TimelineEvent, _ kind: ReportItem.Kind) {
        guard state.record.landmarks.count < ReportLimits.maxLandmarksPerConnection else {
            state.record.landmarksDropped += 1
            return
        }
        state.record.landmarks.append(
            ReportItem(
                time: event.timestamp, direction: event.direction, offset: event.offset, stream: event.stream,
                kind: kind))
    }

    func addMessage(_ message: ReportMessage, _ event: TimelineEvent, landmark isLandmark: Bool = false) {
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
