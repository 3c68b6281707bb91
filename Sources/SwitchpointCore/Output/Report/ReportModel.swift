/// What the HTML report and the HAR export know about one capture: bounded per-connection
/// records built by `ReportRecorder` from the timeline events. Wire text stays raw here;
/// the HTML and HAR writers escape it.

/// One WebSocket frame worth showing: a data message, a ping/pong or a close.
public struct ReportMessage: Sendable {
    public var direction: Direction
    public var time: Timestamp
    public var offset: UInt64?
    /// 1 text, 2 binary, 8 close, 9 ping, 10 pong.
    public var opcode: UInt8
    /// Payload length after inflation (the close frame's reason length for a close).
    public var length: UInt64
    /// The start of the payload (at most `ReportLimits.payloadBytes`).
    public var data: [UInt8]
    /// Fewer bytes kept than the message had.
    public var truncated: Bool
    public var compressed = false
    public var complete = true
    public var problem: String?
    public var closeCode: UInt16?
    public var roundTripMilliseconds: Double?

    public var isText: Bool { opcode == 1 || opcode == 8 }
}

/// One HTTP exchange: an HTTP/1.x request and its answer, or an HTTP/2 stream.
public struct ReportExchange: Sendable {
    public var connection: ConnectionID
    /// The HTTP/2 stream (nil for HTTP/1.x).
    public var stream: UInt32?
    public var requestTime: Timestamp?
    public var requestMethod: String?
    public var requestTarget: String?
    public var requestVersion: String?
    public var requestFields: [HTTPField] = []
    public var requestBodyBytes: UInt64 = 0
    public var requestEnd: Timestamp?
    public var responseTime: Timestamp?
    public var status: Int?
    public var reason: String = ""
    public var responseVersion: String?
    public var responseFields: [HTTPField] = []
    public var responseBodyBytes: UInt64 = 0
    public var responseEnd: Timestamp?
    /// The bytes came out of a decrypted TLS stream (the URL is then `https`).
    public var decrypted = false
    public var upgrade: UpgradeSwitch?
    public var messages = BoundedLog<ReportMessage>(head: ReportLimits.headMessages, tail: ReportLimits.tailMessages)
    public var findings: [Finding] = []
    /// HTTP/2: the stream was reset or did not finish.
    public var reset: UInt32?
    public var unfinished = false

    public var isHTTP2: Bool { stream != nil }
}

/// A point on a connection's diagram, in event order.
public struct ReportItem: Sendable {
    public enum Kind: Sendable {
        case request(HTTPRequestHead)
        case response(HTTPResponseHead)
        case upgrade(UpgradeSwitch)
        case message(ReportMessage)
        /// A finished stream with its request and response header fields (for the detail).
        case h2Stream(HTTP2StreamSummary, request: [HTTPField], response: [HTTPField])
        case finding(Finding)
        case gap(length: UInt64, reason: GapReason)
        case raw(protocolName: String, length: Int, preview: [UInt8], hex: Bool)
        case tlsClientHello(serverName: String?, alpn: [String])
        case tlsServerHello(version: String, alpn: String?)
        case closing(WebSocketClosing)
        /// Drawn in place of the messages kept in neither the head nor the tail.
        case elided(count: Int)
        /// A proxy audit finding, drawn on the proxy's lifeline when what it is about happened.
        case auditFinding(AuditFinding)
    }

    public var time: Timestamp
    public var direction: Direction?
    public var offset: UInt64?
    public var stream: UInt32?
    public var kind: Kind
}

/// Everything kept about one connection.
public struct ReportConnection: Sendable {
    /// Which capture file (1, 2 for the audit's two legs; 1 otherwise).
    public var file: Int
    public var id: ConnectionID
    public var client: Endpoint
    public var server: Endpoint
    public var start: Timestamp
    public var end: Timestamp?
    public var closeReason: CloseReason?
    public var bytesClientToServer: UInt64 = 0
    public var bytesServerToClient: UInt64 = 0
    /// Protocol before the switch: `HTTP/1.1`, `HTTP/2`, `TLS`, `TCP`.
    public var protocolBefore = "TCP"
    /// Protocol after it (the 101's Upgrade token, `connect-tunnel`), nil without a switch.
    public var protocolAfter: String?
    /// `switched`, `refused 426`, `refused 200`, or empty.
    public var outcome = ""
    public var findingCounts: [Severity: Int] = [:]
    /// False past `ReportLimits.maxDetailedConnections`: listed, not drawn.
    public var detailed: Bool
    /// Handshakes, findings, gaps, closes (the first `maxLandmarksPerConnection`).
    public var landmarks: [ReportItem] = []
    public var landmarksDropped = 0
    /// Messages and raw chunks: first and last.
    public var bulk = BoundedLog<ReportItem>(head: ReportLimits.headMessages, tail: ReportLimits.tailMessages)
    public var exchanges = BoundedLog<ReportExchange>(head: ReportLimits.headExchanges, tail: ReportLimits.tailExchanges)

    public var label: String { "\(file):\(id)" }
    public var worstSeverity: Severity? {
        [Severity.error, .warn, .info].first { (findingCounts[$0] ?? 0) > 0 }
    }
    public var findingTotal: Int { findingCounts.values.reduce(0, +) }
    public var durationSeconds: Double { (end ?? start).seconds(since: start) }

    /// The diagram's items in time order: landmarks and kept messages merged, with one
    /// `elided` item where the middle messages were dropped.
    public var diagramItems: [ReportItem] {
        var bulkItems = bulk.head
        let tail = bulk.tail
        if bulk.elided > 0, let first = tail.first {
            bulkItems.append(ReportItem(time: first.time, direction: nil, kind: .elided(count: bulk.elided)))
        }
        bulkItems += tail
        // Both lists are in event order: merge them stably by time.
        var merged: [ReportItem] = []
        merged.reserveCapacity(bulkItems.count + landmarks.count)
        var left = 0, right = 0
        while left < landmarks.count || right < bulkItems.count {
            if right >= bulkItems.count || (left < landmarks.count && landmarks[left].time <= bulkItems[right].time) {
                merged.append(landmarks[left])
                left += 1
            } else {
                merged.append(bulkItems[right])
                right += 1
            }
        }
        return merged
    }
}

/// The capture's facts for the report's header.
public struct ReportCapture: Sendable {
    public var files: [String] = []
    public var first: Timestamp?
    public var last: Timestamp?
    public var packets = 0
    public var connections = 0
    /// Upgrades by protocol, refusals by status.
    public var switched: [String: Int] = [:]
    public var refused: [String: Int] = [:]
    public var findings: [Severity: Int] = [:]
    /// Connections neither listed nor drawn (past the caps).
    public var connectionsNotListed = 0
    public var connectionsNotDetailed = 0
    public init() {}
}
