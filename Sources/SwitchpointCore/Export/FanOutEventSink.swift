/// Hands each event to the printer first, then to the export sinks (`--pg`, `--metrics`),
/// all on the analysis thread: the exports only copy what they need and queue it.
public final class FanOutEventSink: TimelineEventSink {
    public let primary: any TimelineEventSink
    public let others: [any TimelineEventSink]

    public init(primary: any TimelineEventSink, others: [any TimelineEventSink]) {
        self.primary = primary
        self.others = others
    }

    /// Frames go to whoever wants them; the exports do not.
    public var wantsFrameEvents: Bool { primary.wantsFrameEvents || others.contains { $0.wantsFrameEvents } }

    public func receive(_ event: TimelineEvent) {
        primary.receive(event)
        for sink in others { sink.receive(event) }
    }
}
