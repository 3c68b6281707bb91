/// Hands each event to the printer and to the exports (HTML report, HAR) alike. The
/// printer sees exactly the events it would see alone: per-frame events that only the
/// exports asked for are not passed to it, so the terminal output does not change.
package final class TimelineEventFanOut: TimelineEventSink {
    package let primary: any TimelineEventSink
    package let others: [any TimelineEventSink]
    private let primaryWantsFrames: Bool
    package let wantsFrameEvents: Bool

    package init(primary: any TimelineEventSink, others: [any TimelineEventSink]) {
        self.primary = primary
        self.others = others
        primaryWantsFrames = primary.wantsFrameEvents
        wantsFrameEvents = primaryWantsFrames || others.contains { $0.wantsFrameEvents }
    }

    package func receive(_ event: TimelineEvent) {
        if primaryWantsFrames || !Self.isFrameEvent(event.tag) { primary.receive(event) }
        for sink in others { sink.receive(event) }
    }

    /// The events `EventBuffer.wantsFrames` gates.
    static func isFrameEvent(_ tag: TimelineEvent.Tag) -> Bool {
        tag == .wsFrame || tag == .h2Frame || tag == .h2Headers
    }
}
