/// Where a dissector puts the events one call produces; the analyzer drains it after
/// each stream signal (reused, so quiet calls allocate nothing).
public struct EventBuffer {
    public internal(set) var connection: ConnectionID
    /// Stamped on every event added (set by the HTTP/2 dissector for nested streams).
    public var stream: UInt32?
    public private(set) var events: [TimelineEvent] = []

    public init(connection: ConnectionID) {
        self.connection = connection
    }

    public mutating func add(_ kind: TimelineEvent.Kind, capture: CaptureInfo, direction: Direction? = nil, offset: UInt64? = nil) {
        var event = TimelineEvent(timestamp: capture.timestamp, connection: connection, packet: capture.packetNumber,
                                  direction: direction, offset: offset, kind: kind)
        event.stream = stream
        events.append(event)
    }

    public mutating func finding(_ code: FindingCode, _ message: String, capture: CaptureInfo, direction: Direction? = nil, offset: UInt64? = nil) {
        add(.finding(Finding(code, message)), capture: capture, direction: direction, offset: offset)
    }

    public mutating func add(_ finding: Finding, capture: CaptureInfo, direction: Direction? = nil, offset: UInt64? = nil) {
        add(.finding(finding), capture: capture, direction: direction, offset: offset)
    }

    mutating func removeAll() {
        events.removeAll(keepingCapacity: true)
    }
}

extension EventBuffer {
    /// Moves another buffer's events into this one.
    mutating func absorb(_ other: inout EventBuffer) {
        events.append(contentsOf: other.events)
        other.removeAll()
    }
}
