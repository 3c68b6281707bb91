/// The pipeline's sink: application events and findings become the connection's timeline
/// events.
extension EventBuffer: ApplicationEventSink {
    package mutating func application(_ event: ApplicationEvent, at place: ApplicationPlace) {
        add(
            .app(event), capture: place.capture, direction: place.direction, offset: place.offset,
            firstPacket: place.firstPacket)
    }

    package mutating func finding(_ finding: Finding, at place: ApplicationPlace) {
        add(finding, capture: place.capture, direction: place.direction, offset: place.offset)
    }
}
