/// Receives timeline events: a printer, the audit, a test.
package protocol TimelineEventSink: AnyObject {
    func receive(_ event: TimelineEvent)
    /// Whether per-frame events are wanted (false lets dissectors skip them).
    var wantsFrameEvents: Bool { get }
}

extension TimelineEventSink {
    package var wantsFrameEvents: Bool { true }
}
