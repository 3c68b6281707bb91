/// Collects every timeline event of a capture (tests; the audit itself streams through
/// `ExchangeRecordBuilder` and keeps no events).
final class EventCollector: TimelineEventSink {
    var events: [TimelineEvent] = []
    func receive(_ event: TimelineEvent) { events.append(event) }
}

/// What the audit keeps per exchange, whatever the traffic: the bounds that make its
/// memory grow with the number of exchanges, never with the messages seen.
package enum AuditLimits {
    /// Messages compared one by one (digest, length, time) per exchange and direction;
    /// beyond them only counts are compared (lost = the sender's surplus).
    package static let maxMessagesComparedPerDirection = 4096
    /// Single-leg findings kept per exchange (a finding repeated per message is cut here).
    package static let maxFindingsPerExchange = 64
}

/// One proxied (or direct) HTTP exchange as seen on one connection of one capture: the
/// request, the answer, the switch, the WebSocket messages and how it ended.
package struct ExchangeRecord: Sendable {
    package struct Message: Sendable {
        package var direction: Direction
        package var length: UInt64
        /// A digest of the decoded payload's first bytes plus its length: equal messages
        /// on both legs have equal digests.
        package var digest: UInt64
        package var timestamp: Timestamp
    }

    package var file: Int
    package var connection: ConnectionID
    package var client: Endpoint
    package var server: Endpoint
    package var request: HTTPRequestHead?
    package var requestTime: Timestamp?
    package var response: HTTPResponseHead?
    package var responseTime: Timestamp?
    package var upgraded: String?
    /// The first `AuditLimits.maxMessagesComparedPerDirection` messages of each direction.
    package var messages: [Message] = []
    /// Every message seen per direction (c2s, s2c), kept or not.
    package var messageCounts = PerDirection(repeating: 0)
    /// The first close frame of each direction.
    package var closeFrames: [(direction: Direction, code: UInt16?)] = []
    package var closeReason: CloseReason?
    package var closedAt: Timestamp?
    /// The last WebSocket message or control frame (silence before an idle kill).
    package var lastActivity: Timestamp?
    /// Single-leg findings the timeline made (upgrade.* and websocket.* codes), the first
    /// `AuditLimits.maxFindingsPerExchange`.
    package var findings: [Finding] = []

    package var webSocketKey: String? { request?.headers.values("Sec-WebSocket-Key").first }

    package func messageCount(_ direction: Direction) -> Int { messageCounts[direction] }
    package var messageCount: Int { messageCounts.clientToServer + messageCounts.serverToClient }

    /// The messages kept for one direction, in order.
    func keptMessages(_ direction: Direction) -> [Message] { messages.filter { $0.direction == direction } }

    /// Messages of `direction` seen but not kept for comparison.
    func messagesBeyondWindow(_ direction: Direction) -> Int {
        max(0, messageCount(direction) - AuditLimits.maxMessagesComparedPerDirection)
    }

    mutating func add(_ message: Message) {
        let index = message.direction
        if messageCounts[index] < AuditLimits.maxMessagesComparedPerDirection { messages.append(message) }
        messageCounts[index] += 1
    }

    /// Builds one record per connection that carried an HTTP request.
    static func records(from events: [TimelineEvent], file: Int) -> [ExchangeRecord] {
        let builder = ExchangeRecordBuilder(file: file)
        for event in events { builder.receive(event) }
        return builder.finish()
    }

    /// FNV-1a over the kept bytes and the length.
    static func digest(_ bytes: [UInt8], length: UInt64) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return (hash ^ length) &* 0x100_0000_01b3
    }
}

/// Builds exchange records from the timeline as it streams: no event is kept, each
/// record holds summaries and a bounded window of message digests, and a connection that
/// closes without an HTTP request is dropped at once.
package final class ExchangeRecordBuilder: TimelineEventSink {
    let file: Int
    private var byConnection: [ConnectionID: ExchangeRecord] = [:]

    package init(file: Int) {
        self.file = file
    }

    package func receive(_ event: TimelineEvent) {
        let id = event.connection
        switch event.kind {
        case .connectionOpened(let opening):
            byConnection[id] = ExchangeRecord(
                file: file, connection: id, client: opening.client, server: opening.server)
        case .httpRequest(let head):
            // The connection's first request is the one a proxy handshake is about.
            if byConnection[id]?.request == nil {
                byConnection[id]?.request = head
                byConnection[id]?.requestTime = event.timestamp
            }
        case .httpResponse(let head):
            if byConnection[id]?.response == nil, !head.isInterim {
                byConnection[id]?.response = head
                byConnection[id]?.responseTime = event.timestamp
            }
        case .upgrade(let upgrade):
            byConnection[id]?.upgraded = upgrade.protocolName.lowercasedASCII
        case .wsMessage(let message):
            guard let direction = event.direction else { return }
            byConnection[id]?.add(
                ExchangeRecord.Message(
                    direction: direction, length: message.length,
                    digest: ExchangeRecord.digest(message.kept, length: message.length),
                    timestamp: event.timestamp))
            byConnection[id]?.lastActivity = event.timestamp
        case .wsControl:
            byConnection[id]?.lastActivity = event.timestamp
        case .wsClose(let close):
            guard let direction = event.direction else { return }
            if byConnection[id]?.closeFrames.contains(where: { $0.direction == direction }) == false {
                byConnection[id]?.closeFrames.append((direction, close.code))
            }
            byConnection[id]?.lastActivity = event.timestamp
        case .connectionClosed(let summary):
            if byConnection[id]?.request == nil {
                byConnection[id] = nil  // not an exchange: nothing to keep
            } else {
                byConnection[id]?.closeReason = summary.reason
                byConnection[id]?.closedAt = summary.end
            }
        case .finding(let finding):
            if finding.code.family == .upgrade || finding.code.family == .websocket,
                let count = byConnection[id]?.findings.count, count < AuditLimits.maxFindingsPerExchange
            {
                byConnection[id]?.findings.append(finding)
            }
        case .gap, .httpBody, .rawData, .tlsClientHello, .tlsServerHello, .tlsHelloRetry, .tlsSession, .tlsEncrypted,
            .wsFrame, .wsClosing, .h2Frame, .h2Settings, .h2Headers, .h2Reset, .h2GoAway, .h2Ping, .h2Stream, .app:
            break
        }
    }

    /// The exchanges in connection order (connections are numbered as they are seen).
    package func finish() -> [ExchangeRecord] {
        byConnection.values.filter { $0.request != nil }.sorted { $0.connection < $1.connection }
    }

    /// Records built so far (open or closed), for the cost tests.
    var heldRecords: Int { byConnection.count }
}
