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
    /// Exchanges kept per connection (requests of a keep-alive connection, HTTP/2
    /// streams); a flood of pipelined requests beyond it is only counted.
    package static let maxExchangesPerConnection = 1024
    /// Bytes of a response body kept to quote (a proxy's own error page).
    package static let maxBodyPreviewBytes = 256
    /// Connections kept in brief (endpoints, times, bytes) to pair a forward proxy's
    /// CONNECT with its connection to the target; beyond it they are only counted.
    package static let maxConnectionLegs = 200_000
}

/// One proxied (or direct) HTTP exchange as seen on one connection of one capture: one
/// request of a keep-alive HTTP/1.1 connection or one HTTP/2 stream, its answer, the
/// switch, the WebSocket messages and how it ended.
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
    /// The request's place on its connection (1 = the first), for HTTP/1.
    package var exchange = 1
    /// The HTTP/2 stream, for an exchange on one.
    package var stream: UInt32?
    package var client: Endpoint
    package var server: Endpoint
    /// HTTP/2 requests are given as `HTTP/2` heads: `:method`, `:path` (or `:authority`
    /// for CONNECT) and the regular fields; `:authority` is `authority`.
    package var request: HTTPRequestHead?
    /// HTTP/2: the request's `:authority` (HTTP/1's `Host`).
    package var authority: String?
    /// RFC 8441: the `:protocol` of an extended CONNECT.
    package var connectProtocol: String?
    package var requestTime: Timestamp?
    package var response: HTTPResponseHead?
    package var responseTime: Timestamp?
    /// The protocol switched to: a 101's, an extended CONNECT's answered 2xx, or
    /// `connect-tunnel` for a CONNECT.
    package var upgraded: String?
    /// The start of the response body (a proxy's own error page) and its length.
    package var responseBody: [UInt8] = []
    package var responseBodyLength: UInt64 = 0
    /// Bytes each direction carried after the switch (a CONNECT tunnel's payload).
    package var tunnelBytes: PerDirection<UInt64>?
    /// The switch offsets, to count `tunnelBytes` when the connection closes.
    package var switchOffsets: PerDirection<UInt64>?
    /// How the TCP connection ended (nil while open, and for an HTTP/2 stream the
    /// connection's end, which the stream's own `closedAt` precedes).
    package var ending: LegEnding?
    /// The exchange was read from decrypted TLS.
    package var decrypted = false
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

    /// The protocols asked for: an `Upgrade` header's, or an extended CONNECT's.
    package var offeredProtocols: [String] {
        if let connectProtocol { return [connectProtocol] }
        return request?.offeredProtocols ?? []
    }

    /// HTTP/2 (a stream) rather than HTTP/1.x.
    package var isHTTP2: Bool { stream != nil }

    /// A classic CONNECT (a forward proxy's tunnel), not an extended one.
    package var isConnectTunnel: Bool { request?.method == "CONNECT" && connectProtocol == nil }

    /// The method an HTTP/1.1 proxy would send for this request: an extended CONNECT
    /// is a `GET` with `Upgrade` there (RFC 8441 §5).
    package var pairingMethod: String? { connectProtocol != nil ? "GET" : request?.method }

    /// The protocol switch took: a 101, or an extended CONNECT answered 2xx.
    package var switched: Bool { upgraded != nil && !isConnectTunnel }

    /// A request header by name; `Host` is HTTP/2's `:authority`.
    package func requestHeader(_ name: String) -> String? {
        if isHTTP2, name.equalsIgnoringASCIICase("Host") { return authority }
        return request?.headers.combined(name)
    }
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

    /// Builds one record per HTTP exchange (request, or HTTP/2 stream).
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
