/// `--redact`, in the one place every output reads from: `TimelineAnalyzer` hands its events
/// through this before any printer, export, database row or the audit's exports see them,
/// so text, JSON, HTML, HAR and PostgreSQL all get the same redacted values. `Redaction`
/// holds the policy.
///
/// Headers, targets and payloads are rewritten by `Redaction`; each secret value replaced is
/// remembered for its connection (until it closes) so a finding quoting it (a wrong
/// `Sec-WebSocket-Accept`, a close reason) does not print it either. Events that carry no
/// secret pass through untouched, by their tag.
package final class RedactingEventSink: TimelineEventSink {
    /// Secret values remembered per connection to find in its findings (the latest kept).
    static let maxSecretsPerConnection = 256

    private let next: any TimelineEventSink
    package let wantsFrameEvents: Bool
    private var secrets: [ConnectionID: [String]] = [:]

    package init(_ next: any TimelineEventSink) {
        self.next = next
        wantsFrameEvents = next.wantsFrameEvents
    }

    package func receive(_ event: TimelineEvent) {
        switch event.tag {
        case .httpRequest, .httpResponse, .h2Headers, .h2Stream, .upgrade, .finding, .app, .httpBody, .rawData,
            .wsMessage, .wsControl, .wsClose, .h2GoAway:
            next.receive(redacted(event))
        case .connectionClosed:
            secrets[event.connection] = nil
            next.receive(event)
        // Sizes, offsets, frame headers, TLS parameters: no credential in them.
        case .connectionOpened, .gap, .tlsClientHello, .tlsServerHello, .tlsHelloRetry, .tlsSession, .tlsEncrypted,
            .wsFrame, .wsClosing, .h2Frame, .h2Settings, .h2Reset, .h2Ping:
            next.receive(event)
        }
    }

    private func redacted(_ event: TimelineEvent) -> TimelineEvent {
        var found = secrets[event.connection] ?? []
        let known = found.count
        if let quoted = Redaction.quotable(event.kind), !quoted.isEmpty { found.append(quoted) }
        var kind = fields(event.kind, secrets: &found)
        if let payload = Redaction.payload(kind ?? event.kind) { kind = payload }
        if case .finding(let finding) = event.kind, let changed = Redaction.finding(finding, secrets: found) {
            kind = .finding(changed)
        }
        if found.count != known { remember(found, for: event.connection) }
        return kind.map { event.replacingKind($0) } ?? event
    }

    /// Header fields, targets and interpreted fields; nil when none changed.
    private func fields(_ kind: TimelineEvent.Kind, secrets found: inout [String]) -> TimelineEvent.Kind? {
        switch kind {
        case .httpRequest(var head):
            let target = Redaction.target(head.target, secrets: &found)
            let fields = Redaction.fields(head.headers.fields, secrets: &found)
            guard target != head.target || fields != nil else { return nil }
            head.target = target
            if let fields { head.headers.fields = fields }
            return .httpRequest(head)
        case .httpResponse(var head):
            guard let fields = Redaction.fields(head.headers.fields, secrets: &found) else { return nil }
            head.headers.fields = fields
            return .httpResponse(head)
        case .h2Headers(var block):
            guard let fields = Redaction.fields(block.fields, secrets: &found) else { return nil }
            block.fields = fields
            return .h2Headers(block)
        case .h2Stream(var summary):
            guard let path = summary.path else { return nil }
            summary.path = Redaction.target(path, secrets: &found)
            return summary.path == path ? nil : .h2Stream(summary)
        case .upgrade(var upgrade):
            let target = Redaction.target(upgrade.target, secrets: &found)
            let fields = Redaction.fields(upgrade.details, secrets: &found)
            guard target != upgrade.target || fields != nil else { return nil }
            upgrade.target = target
            if let fields { upgrade.details = fields }
            return .upgrade(upgrade)
        case .app(let application):
            return Redaction.application(application, secrets: &found).map { .app($0) }
        case .connectionOpened, .connectionClosed, .gap, .httpBody, .finding, .rawData, .tlsClientHello,
            .tlsServerHello, .tlsHelloRetry, .tlsSession, .tlsEncrypted, .wsFrame, .wsMessage, .wsControl, .wsClose,
            .wsClosing, .h2Frame, .h2Settings, .h2Reset, .h2GoAway, .h2Ping:
            return nil
        }
    }

    private func remember(_ found: [String], for connection: ConnectionID) {
        var unique: [String] = []
        var seen = Set<String>()
        for secret in found.reversed() where seen.insert(secret).inserted {
            unique.append(secret)
            if unique.count == Self.maxSecretsPerConnection { break }
        }
        secrets[connection] = unique.reversed()
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
