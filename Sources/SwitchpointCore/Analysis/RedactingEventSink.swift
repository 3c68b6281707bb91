/// `--redact`, in the one place every output reads from: `TimelineAnalyzer` hands its events
/// through this before any printer, export, database row or the audit sees them, so text,
/// JSON, HTML, HAR and PostgreSQL all get the same redacted values.
///
/// Headers and targets are rewritten by `Redaction`; each value replaced is remembered for
/// its connection (until it closes) so a finding quoting it (a wrong
/// `Sec-WebSocket-Accept`) does not print it either. Events that carry no secret pass
/// through untouched, by their tag.
package final class RedactingEventSink: TimelineEventSink {
    private let next: any TimelineEventSink
    package let wantsFrameEvents: Bool
    private var secrets: [ConnectionID: [String]] = [:]

    package init(_ next: any TimelineEventSink) {
        self.next = next
        wantsFrameEvents = next.wantsFrameEvents
    }

    package func receive(_ event: TimelineEvent) {
        switch event.tag {
        case .httpRequest, .httpResponse, .h2Headers, .h2Stream, .upgrade, .finding, .app:
            next.receive(redacted(event))
        case .connectionClosed:
            secrets[event.connection] = nil
            next.receive(event)
        // Sizes, offsets, frame headers, TLS parameters: no credential in them. WebSocket
        // payloads and raw data are the application's bytes, shown as captured.
        case .connectionOpened, .gap, .httpBody, .rawData, .tlsClientHello, .tlsServerHello, .tlsHelloRetry,
            .tlsSession, .tlsEncrypted, .wsFrame, .wsMessage, .wsControl, .wsClose, .wsClosing, .h2Frame, .h2Settings,
            .h2Reset, .h2GoAway, .h2Ping:
            next.receive(event)
        }
    }

    private func redacted(_ event: TimelineEvent) -> TimelineEvent {
        var found = secrets[event.connection] ?? []
        let kind: TimelineEvent.Kind
        switch event.kind {
        case .httpRequest(var head):
            head.target = Redaction.target(head.target, secrets: &found)
            if let fields = Redaction.fields(head.headers.fields, secrets: &found) { head.headers.fields = fields }
            kind = .httpRequest(head)
        case .httpResponse(var head):
            if let fields = Redaction.fields(head.headers.fields, secrets: &found) { head.headers.fields = fields }
            kind = .httpResponse(head)
        case .h2Headers(var block):
            if let fields = Redaction.fields(block.fields, secrets: &found) { block.fields = fields }
            kind = .h2Headers(block)
        case .h2Stream(var summary):
            summary.path = summary.path.map { Redaction.target($0, secrets: &found) }
            kind = .h2Stream(summary)
        case .upgrade(var upgrade):
            upgrade.target = Redaction.target(upgrade.target, secrets: &found)
            if let fields = Redaction.fields(upgrade.details, secrets: &found) { upgrade.details = fields }
            kind = .upgrade(upgrade)
        case .finding(var finding):
            guard !found.isEmpty else { return event }
            finding.message = Redaction.text(finding.message, secrets: found)
            kind = .finding(finding)
        case .app(let application):
            guard let changed = Redaction.application(application, secrets: &found) else { return event }
            kind = .app(changed)
        case .connectionOpened, .connectionClosed, .gap, .httpBody, .rawData, .tlsClientHello, .tlsServerHello,
            .tlsHelloRetry, .tlsSession, .tlsEncrypted, .wsFrame, .wsMessage, .wsControl, .wsClose, .wsClosing,
            .h2Frame, .h2Settings, .h2Reset, .h2GoAway, .h2Ping:
            return event
        }
        if !found.isEmpty { secrets[event.connection] = found }
        return event.replacingKind(kind)
    }
}

extension TimelineEvent {
    /// The same event (time, place, packet, stream, TLS mark) with another payload.
    func replacingKind(_ kind: Kind) -> TimelineEvent {
        var copy = TimelineEvent(
            timestamp: timestamp, connection: connection, packet: packet, direction: direction,
            offset: offset, kind: kind)
        copy.firstPacket = firstPacket
        copy.stream = stream
        copy.decrypted = decrypted
        return copy
    }
}
