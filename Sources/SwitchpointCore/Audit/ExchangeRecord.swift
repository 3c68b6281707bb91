/// Collects every timeline event of a capture (the audit reads whole captures).
final class EventCollector: TimelineEventSink {
    var events: [TimelineEvent] = []
    func receive(_ event: TimelineEvent) { events.append(event) }
}

/// One proxied (or direct) HTTP exchange as seen on one connection of one capture: the
/// request, the answer, the switch, the WebSocket messages and how it ended.
public struct ExchangeRecord: Sendable {
    public struct Message: Sendable {
        public var direction: Direction
        public var length: UInt64
        /// A digest of the decoded payload's first bytes plus its length: equal messages
        /// on both legs have equal digests.
        public var digest: UInt64
        public var timestamp: Timestamp
    }

    public var file: Int
    public var connection: ConnectionID
    public var client: Endpoint
    public var server: Endpoint
    public var request: HTTPRequestHead?
    public var requestTime: Timestamp?
    public var response: HTTPResponseHead?
    public var responseTime: Timestamp?
    public var upgraded: String?
    public var messages: [Message] = []
    public var closeFrames: [(direction: Direction, code: UInt16?)] = []
    public var closeReason: CloseReason?
    public var closedAt: Timestamp?
    /// The last WebSocket message or control frame (silence before an idle kill).
    public var lastActivity: Timestamp?
    /// Single-leg findings the timeline made (upgrade.* and websocket.* codes).
    public var findings: [Finding] = []

    public var webSocketKey: String? { request?.headers.values("Sec-WebSocket-Key").first }

    /// Builds one record per connection that carried an HTTP request.
    static func records(from events: [TimelineEvent], file: Int) -> [ExchangeRecord] {
        var byConnection: [ConnectionID: ExchangeRecord] = [:]
        var order: [ConnectionID] = []
        for event in events {
            let id = event.connection
            switch event.kind {
            case .connectionOpened(let opening):
                byConnection[id] = ExchangeRecord(file: file, connection: id, client: opening.client, server: opening.server)
                order.append(id)
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
                guard let direction = event.direction else { continue }
                byConnection[id]?.messages.append(Message(direction: direction, length: message.length,
                                                          digest: Self.digest(message.kept, length: message.length), timestamp: event.timestamp))
                byConnection[id]?.lastActivity = event.timestamp
            case .wsControl:
                byConnection[id]?.lastActivity = event.timestamp
            case .wsClose(let close):
                guard let direction = event.direction else { continue }
                byConnection[id]?.closeFrames.append((direction, close.code))
                byConnection[id]?.lastActivity = event.timestamp
            case .connectionClosed(let summary):
                byConnection[id]?.closeReason = summary.reason
                byConnection[id]?.closedAt = summary.end
            case .finding(let finding):
                if finding.code.hasPrefix("upgrade.") || finding.code.hasPrefix("websocket.") {
                    byConnection[id]?.findings.append(finding)
                }
            default:
                break
            }
        }
        return order.compactMap { byConnection[$0] }.filter { $0.request != nil }
    }

    /// FNV-1a over the kept bytes and the length.
    static func digest(_ bytes: [UInt8], length: UInt64) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return (hash ^ length) &* 0x100_0000_01b3
    }
}
