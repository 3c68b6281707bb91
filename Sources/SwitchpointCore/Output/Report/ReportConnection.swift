/// What the HTML report and the HAR export know about one capture: bounded per-connection
/// records built by `ReportRecorder` from the timeline events. Wire text stays raw here;
/// the HTML and HAR writers escape it.

/// Everything kept about one connection.
package struct ReportConnection: Sendable {
    /// Which capture file (1, 2 for the audit's two legs; 1 otherwise).
    package var file: Int
    package var id: ConnectionID
    package var client: Endpoint
    package var server: Endpoint
    package var start: Timestamp
    package var end: Timestamp?
    package var closeReason: CloseReason?
    package var bytesClientToServer: UInt64 = 0
    package var bytesServerToClient: UInt64 = 0
    /// Protocol before the switch: `HTTP/1.1`, `HTTP/2`, `TLS`, `TCP`.
    package var protocolBefore = "TCP"
    /// Protocol after it (the 101's Upgrade token, `connect-tunnel`), nil without a switch.
    package var protocolAfter: String?
    /// `switched`, `refused 426`, `refused 200`, or empty.
    package var outcome = ""
    package var findingCounts: [Severity: Int] = [:]
    /// False past `ReportLimits.maxDetailedConnections`: listed, not drawn.
    package var detailed: Bool
    /// Handshakes, findings, gaps, closes (the first `maxLandmarksPerConnection`).
    package var landmarks: [ReportItem] = []
    package var landmarksDropped = 0
    /// Messages and raw chunks: first and last.
    package var bulk = BoundedLog<ReportItem>(head: ReportLimits.headMessages, tail: ReportLimits.tailMessages)
    package var exchanges = BoundedLog<ReportExchange>(
        head: ReportLimits.headExchanges, tail: ReportLimits.tailExchanges)

    package var label: String { "\(file):\(id)" }
    package var worstSeverity: Severity? {
        [Severity.error, .warn, .info].first { (findingCounts[$0] ?? 0) > 0 }
    }
    package var findingTotal: Int { findingCounts.values.reduce(0, +) }
    package var durationSeconds: Double { (end ?? start).seconds(since: start) }

    /// The diagram's items in time order: landmarks and kept messages merged, with one
    /// `elided` item where the middle messages were dropped.
    package var diagramItems: [ReportItem] {
        var bulkItems = bulk.head
        let tail = bulk.tail
        if bulk.elided > 0, let first = tail.first {
            bulkItems.append(ReportItem(time: first.time, direction: nil, kind: .elided(count: bulk.elided)))
        }
        bulkItems += tail
        // Both lists are in event order: merge them stably by time.
        var merged: [ReportItem] = []
        merged.reserveCapacity(bulkItems.count + landmarks.count)
        var left = 0
        var right = 0
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
