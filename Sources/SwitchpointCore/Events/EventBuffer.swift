/// Where a dissector puts the events it produces: handed straight to a sink (the
/// analyzer's output: each event is printed and released before the dissector goes on, so
/// buffers it shared with the event are its own again), or collected (tests).
package struct EventBuffer {
    package internal(set) var connection: ConnectionID
    /// Stamped on every event added (set by the HTTP/2 dissector for nested streams).
    package var stream: UInt32?
    /// Stamped on every event added (set by the TLS session around decrypted bytes).
    package var decrypted = false
    /// Collected events (none when a sink takes them).
    package private(set) var events: [TimelineEvent] = []
    private let sink: (any TimelineEventSink)?
    /// Whether anyone shows per-frame events (`ws.frame`, `h2.frame`, `h2.headers`): the
    /// text timeline does only with `-v`, so dissectors skip building them otherwise.
    package let wantsFrames: Bool
    /// Where payload buffers come from and, once their events are delivered, go back to.
    package let payloadPool = PayloadBufferPool()

    package init(connection: ConnectionID) {
        self.connection = connection
        sink = nil
        wantsFrames = true
    }

    /// Collected events so far.
    var count: Int { events.count }

    init(connection: ConnectionID, deliveringTo sink: any TimelineEventSink) {
        self.connection = connection
        self.sink = sink
        wantsFrames = sink.wantsFrameEvents
    }

    /// An empty buffer for an event payload (reused when one came back).
    @inline(__always)
    package func takePayloadBuffer() -> [UInt8] {
        payloadPool.take()
    }

    /// `firstPacket`: the packet of the event's first byte when that is an earlier one.
    package mutating func add(
        _ kind: consuming TimelineEvent.Kind, capture: CaptureInfo, direction: Direction? = nil, offset: UInt64? = nil,
        firstPacket: UInt64? = nil
    ) {
        var event = TimelineEvent(
            timestamp: capture.timestamp, connection: connection, packet: capture.packetNumber,
            direction: direction, offset: offset, kind: kind)
        if let firstPacket, firstPacket < capture.packetNumber { event.firstPacket = firstPacket }
        event.stream = stream
        event.decrypted = decrypted
        // Called through the optional in place: binding the sink retained and released it
        // per event.
        if sink != nil {
            sink?.receive(event)
            // A printer is done with the event: its buffers serve the next ones. (A sink
            // that keeps events shares them; the next write then copies, as arrays do.)
            payloadPool.reclaim(from: event)
        } else {
            events.append(event)
        }
    }

    /// A collecting buffer for the same connection and the same frame-event wish, for
    /// events held back until something later is known (a switch's outcome).
    init(collectingFor outer: EventBuffer) {
        connection = outer.connection
        sink = nil
        wantsFrames = outer.wantsFrames
    }

    /// Stamps later events as `outer` stamps its own (stream, decrypted).
    mutating func stamp(like outer: EventBuffer) {
        stream = outer.stream
        decrypted = outer.decrypted
    }

    /// Hands a made event on (to the sink, or collects it): the release of held events.
    mutating func deliver(_ event: TimelineEvent) {
        if let sink {
            sink.receive(event)
            payloadPool.reclaim(from: event)
        } else {
            events.append(event)
        }
    }

    package mutating func finding(
        _ code: FindingCode, _ message: String, capture: CaptureInfo, direction: Direction? = nil, offset: UInt64? = nil
    ) {
        add(.finding(Finding(code, message)), capture: capture, direction: direction, offset: offset)
    }

    package mutating func add(
        _ finding: Finding, capture: CaptureInfo, direction: Direction? = nil, offset: UInt64? = nil
    ) {
        add(.finding(finding), capture: capture, direction: direction, offset: offset)
    }

    /// Drops the collected events (a long-running collector, such as a fuzz harness).
    mutating func removeAll() {
        events.removeAll(keepingCapacity: true)
    }
}
