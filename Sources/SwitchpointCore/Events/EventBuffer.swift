/// Where a dissector puts the events it produces: handed straight to a sink (the
/// analyzer's output: each event is printed and released before the dissector goes on, so
/// buffers it shared with the event are its own again), or collected (tests).
public struct EventBuffer {
    public internal(set) var connection: ConnectionID
    /// Stamped on every event added (set by the HTTP/2 dissector for nested streams).
    public var stream: UInt32?
    /// Collected events (none when a sink takes them).
    public private(set) var events: [TimelineEvent] = []
    private let sink: (any TimelineEventSink)?

    public init(connection: ConnectionID) {
        self.connection = connection
        sink = nil
    }

    init(connection: ConnectionID, deliveringTo sink: any TimelineEventSink) {
        self.connection = connection
        self.sink = sink
    }

    public mutating func add(_ kind: TimelineEvent.Kind, capture: CaptureInfo, direction: Direction? = nil, offset: UInt64? = nil) {
        var event = TimelineEvent(timestamp: capture.timestamp, connection: connection, packet: capture.packetNumber,
                                  direction: direction, offset: offset, kind: kind)
        event.stream = stream
        if let sink {
            sink.receive(event)
        } else {
            events.append(event)
        }
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
