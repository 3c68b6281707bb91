/// The pipeline's sink: application events and findings become the connection's timeline
/// events.
extension EventBuffer: ApplicationEventSink {
    package mutating func application(_ event: ApplicationEvent, at place: ApplicationPlace) {
        // TimelineEvent.Kind.app arrives with the wiring (branch `apps`); until then the
        // interpreters are driven through CollectedApplicationEvents only.
        _ = event
        _ = place
    }

    package mutating func finding(_ finding: Finding, at place: ApplicationPlace) {
        add(finding, capture: place.capture, direction: place.direction, offset: place.offset)
    }
}
