/// What the HTML report and the HAR export know about one capture: bounded per-connection
/// records built by `ReportRecorder` from the timeline events. Wire text stays raw here;
/// the HTML and HAR writers escape it.

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
