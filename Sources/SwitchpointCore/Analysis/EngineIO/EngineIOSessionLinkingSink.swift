/// Puts `EngineIOSessionTracker` in the event stream of all connections: every event goes
/// on unchanged, and what the tracker adds (the packets of polling bodies, the session's
/// story at its switch) follows the event that produced it, on its own connection.
/// Only events of the kinds the tracker reads are looked at; the rest pass by their tag.
package final class EngineIOSessionLinkingSink: TimelineEventSink {
    private let next: any TimelineEventSink
    package let wantsFrameEvents: Bool
    private var tracker = EngineIOSessionTracker()
    private var added: [EngineIOSessionTracker.Output] = []

    package init(_ next: any TimelineEventSink) {
        self.next = next
        wantsFrameEvents = next.wantsFrameEvents
    }

    package func receive(_ event: TimelineEvent) {
        next.receive(event)
        switch event.tag {
        case .httpRequest, .httpResponse, .httpBody, .upgrade, .wsMessage, .connectionClosed: break
        case .connectionOpened, .gap, .finding, .rawData, .tlsClientHello, .tlsServerHello, .tlsHelloRetry, .tlsSession,
            .tlsEncrypted, .wsFrame, .wsControl, .wsClose, .wsClosing, .h2Frame, .h2Settings, .h2Headers, .h2Reset,
            .h2GoAway, .h2Ping, .h2Stream, .app:
            return
        }
        tracker.receive(event, output: &added)
        guard !added.isEmpty else { return }
        for output in added { next.receive(Self.event(output)) }
        added.removeAll(keepingCapacity: true)
    }

    private static func event(_ output: EngineIOSessionTracker.Output) -> TimelineEvent {
        let kind: TimelineEvent.Kind
        switch output.item {
        case .application(let application): kind = .app(application)
        case .finding(let finding): kind = .finding(finding)
        }
        var event = TimelineEvent(
            timestamp: output.place.capture.timestamp, connection: output.connection,
            packet: output.place.capture.packetNumber, direction: output.place.direction, offset: output.place.offset,
            kind: kind)
        if let first = output.place.firstPacket, first < event.packet { event.firstPacket = first }
        return event
    }
}
