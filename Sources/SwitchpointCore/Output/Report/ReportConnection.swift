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
    /// HTTP/2 frames of stream 0 (SETTINGS, PING, GOAWAY, WINDOW_UPDATE): first and last.
    package var controlFrames = BoundedLog<ReportItem>(
        head: ReportLimits.headControlFrames, tail: ReportLimits.tailControlFrames)
    /// When bytes moved: the diagram collapses only what is idle.
    package var activity = ReportActivity()

    package var label: String { "\(file):\(id)" }
    package var worstSeverity: Severity? {
        [Severity.error, .warn, .info].first { (findingCounts[$0] ?? 0) > 0 }
    }
    package var findingTotal: Int { findingCounts.values.reduce(0, +) }
    package var durationSeconds: Double { (end ?? start).seconds(since: start) }

    /// The HTTP/2 streams kept, in the order they started (then by stream id).
    package var http2Streams: [ReportExchange] {
        exchanges.kept.filter(\.isHTTP2).sorted {
            ($0.requestTime?.nanoseconds ?? .max, $0.stream ?? 0) < (
                $1.requestTime?.nanoseconds ?? .max, $1.stream ?? 0
            )
        }
    }

    /// The diagram's items in time order: landmarks, kept messages and connection-level
    /// frames merged, with one `elided` item where the middle messages were dropped.
    package var diagramItems: [ReportItem] {
        var bulkItems = bulk.head
        let tail = bulk.tail
        if bulk.elided > 0, let first = tail.first {
            bulkItems.append(ReportItem(time: first.time, direction: nil, kind: .elided(count: bulk.elided)))
        }
        bulkItems += tail
        return Self.merged(Self.merged(landmarks, bulkItems), controlFrames.kept)
    }

    /// Two lists in event order merged stably by time (the left one first on a tie).
    static func merged(_ left: [ReportItem], _ right: [ReportItem]) -> [ReportItem] {
        var merged: [ReportItem] = []
        merged.reserveCapacity(left.count + right.count)
        var leftIndex = 0
        var rightIndex = 0
        while leftIndex < left.count || rightIndex < right.count {
            if rightIndex >= right.count
                || (leftIndex < left.count && left[leftIndex].time <= right[rightIndex].time)
            {
                merged.append(left[leftIndex])
                leftIndex += 1
            } else {
                merged.append(right[rightIndex])
                rightIndex += 1
            }
        }
        return merged
    }
}
