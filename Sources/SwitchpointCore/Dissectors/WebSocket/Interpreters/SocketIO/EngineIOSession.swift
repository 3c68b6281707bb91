/// One Engine.IO session's packets, whatever carried them (a WebSocket message each, or a
/// polling body's packets): Engine.IO's open, heartbeats, probe and upgrade, and the
/// Socket.IO packets inside its messages, with acks paired to their events.
package struct EngineIOSession {
    package static let protocolName = "socket.io"
    /// Findings for packets that are not Socket.IO, per session: the rest are only counted.
    package static let maxNotSocketIOFindings = 8
    /// Never-answered findings written at the end; the rest go into one summary finding.
    package static let maxFindingsAtFinish = 16

    struct AckKey: Hashable {
        var requester: Direction?
        var namespace: String
        var id: UInt64
    }

    enum ProbeState: Equatable {
        case none
        case sent(CaptureInfo)
        case answered(roundTripMilliseconds: Double)
        case upgraded
    }

    /// Binary attachments still to come in one direction after a BINARY_EVENT or BINARY_ACK.
    struct AttachmentsExpected {
        var remaining: Int
        var total: Int
    }

    package private(set) var open: EngineIOOpen?
    private(set) var probe = ProbeState.none
    package private(set) var closed = false
    package private(set) var notSocketIOCount = 0
    private var lastHeartbeat: Timestamp?
    private var heartbeatReported = false
    private var pendingPings = PerDirection<CaptureInfo?>(repeating: nil)
    private var pendingAcks = AwaitedRequests<AckKey>()
    private var pendingConnects = AwaitedRequests<String>()
    private var attachments = PerDirection<AttachmentsExpected?>(repeating: nil)

    package init() {}

    /// One Engine.IO packet: a text packet's bytes, or a binary one's.
    package mutating func packet<Sink: ApplicationEventSink>(
        _ bytes: UnsafeRawBufferPointer, binary: Bool, at place: ApplicationPlace, into sink: inout Sink
    ) {
        checkHeartbeat(at: place, into: &sink)
        if binary {
            binaryPacket(bytes, at: place, into: &sink)
            return
        }
        guard let first = bytes.first, let type = EngineIOPacketType(character: first) else {
            notSocketIO("not an Engine.IO packet", bytes, at: place, into: &sink)
            return
        }
        let data = UnsafeRawBufferPointer(rebasing: bytes[1...])
        switch type {
        case .open: opened(data, at: place, into: &sink)
        case .ping: ping(data, at: place, into: &sink)
        case .pong: pong(data, at: place, into: &sink)
        case .message: message(data, at: place, into: &sink)
        case .upgrade: upgraded(at: place, into: &sink)
        case .close:
            closed = true
            sink.application(event("close"), at: place)
        case .noop: sink.application(event("noop"), at: place)
        default: notSocketIO("not an Engine.IO packet", bytes, at: place, into: &sink)
        }
    }

    /// The transport ended: reports what was left waiting.
    package mutating func finish<Sink: ApplicationEventSink>(at capture: CaptureInfo, into sink: inout Sink) {
        let place = ApplicationPlace(capture: capture, direction: nil)
        if !closed { checkHeartbeat(at: place, into: &sink) }
        if case .sent(let sent) = probe {
            sink.finding(
                .socketIOUpgradeIncomplete,
                "upgrade probe sent at packet \(sent.packetNumber) was never answered with 3probe",
                at: place)
        } else if case .answered(let rtt) = probe {
            sink.finding(
                .socketIOUpgradeIncomplete,
                "upgrade probe answered (rtt \(Self.milliseconds(rtt)) ms) but the client never sent 5 (upgrade)",
                at: place)
        }
        reportUnanswered(pendingAcks.drain(), what: "ack", at: place, into: &sink)
        _ = pendingConnects.drain()
    }

    package var probeRoundTripMilliseconds: Double? {
        if case .answered(let rtt) = probe { return rtt }
        return nil
    }

    // MARK: Engine.IO

    private mutating func opened<Sink: ApplicationEventSink>(
        _ data: UnsafeRawBufferPointer, at place: ApplicationPlace, into sink: inout Sink
    ) {
        guard let open = EngineIOOpen(json: data) else {
            notSocketIO("open packet without a session id", data, at: place, into: &sink)
            return
        }
        self.open = open
        lastHeartbeat = place.capture.timestamp
        heartbeatReported = false
        sink.application(event("open", summary: open.sid, fields: open.fields), at: place)
    }

    private mutating func ping<Sink: ApplicationEventSink>(
        _ data: UnsafeRawBufferPointer, at place: ApplicationPlace, into sink: inout Sink
    ) {
        let isProbe = Self.equals(data, "probe")
        if isProbe {
            if probe == .none { probe = .sent(place.capture) }
        } else {
            lastHeartbeat = place.capture.timestamp
            heartbeatReported = false
        }
        if let direction = place.direction { pendingPings[direction] = place.capture }
        sink.application(event("ping", summary: TextPreview.of(data)), at: place)
    }

    private mutating func pong<Sink: ApplicationEventSink>(
        _ data: UnsafeRawBufferPointer, at place: ApplicationPlace, into sink: inout Sink
    ) {
        var pairing: ApplicationPairing?
        if let direction = place.direction, let sent = pendingPings[direction.reversed] {
            pendingPings[direction.reversed] = nil
            pairing = ApplicationPairing(
                requestOperation: "ping", requestPacket: sent.packetNumber,
                latencyMilliseconds: place.capture.timestamp.milliseconds(since: sent.timestamp))
        }
        if Self.equals(data, "probe"), case .sent(let sent) = probe {
            probe = .answered(roundTripMilliseconds: place.capture.timestamp.milliseconds(since: sent.timestamp))
        }
        sink.application(event("pong", summary: TextPreview.of(data), answers: pairing), at: place)
    }

    private mutating func upgraded<Sink: ApplicationEventSink>(at place: ApplicationPlace, into sink: inout Sink) {
        var fields: [ApplicationField] = []
        if case .answered(let rtt) = probe { fields.append(ApplicationField("probe_rtt_ms", .number(rtt))) }
        probe = .upgraded
        sink.application(event("upgrade", summary: open?.sid ?? "", fields: fields), at: place)
    }

    private mutating func checkHeartbeat<Sink: ApplicationEventSink>(
        at place: ApplicationPlace, into sink: inout Sink
    ) {
        guard !heartbeatReported, !closed, let last = lastHeartbeat, let deadline = open?.heartbeatDeadlineMilliseconds
        else { return }
        let silence = place.capture.timestamp.milliseconds(since: last)
        guard silence > Double(deadline) else { return }
        heartbeatReported = true
        sink.finding(
            .socketIOHeartbeatMissed,
            "no ping for \(Self.milliseconds(silence)) ms (ping interval + timeout is \(deadline) ms)", at: place)
    }

    // MARK: Socket.IO

    private mutating func message<Sink: ApplicationEventSink>(
        _ data: UnsafeRawBufferPointer, at place: ApplicationPlace, into sink: inout Sink
    ) {
        guard let packet = SocketIOPacket(data) else {
            notSocketIO("message is not a Socket.IO packet", data, at: place, into: &sink)
            sink.application(
                event(
                    "message", summary: TextPreview.of(data),
                    fields: [ApplicationField("bytes", .integer(Int64(data.count)))]),
                at: place)
            return
        }
        let json = UnsafeRawBufferPointer(rebasing: data[packet.dataStart...])
        switch packet.type {
        case .connect: connect(packet, json, at: place, into: &sink)
        case .connectError: connectError(packet, json, at: place, into: &sink)
        case .disconnect:
            sink.application(event("DISCONNECT", summary: packet.namespace), at: place)
        case .event, .binaryEvent: eventPacket(packet, json, at: place, into: &sink)
        case .ack, .binaryAck: ackPacket(packet, json, at: place, into: &sink)
        default: notSocketIO("unknown Socket.IO packet type", data, at: place, into: &sink)
        }
        if packet.attachments > 0, let direction = place.direction {
            attachments[direction] = AttachmentsExpected(remaining: packet.attachments, total: packet.attachments)
        }
    }

    private mutating func connect<Sink: ApplicationEventSink>(
        _ packet: SocketIOPacket, _ json: UnsafeRawBufferPointer, at place: ApplicationPlace, into sink: inout Sink
    ) {
        let scanner = JSONFieldReader(json)
        var fields: [ApplicationField] = []
        var pairing: ApplicationPairing?
        if let sidRange = scanner.member("sid", inObjectAt: 0), let sid = scanner.string(sidRange.lowerBound) {
            // The server's CONNECT answers the client's.
            fields.append(ApplicationField("sid", .text(sid)))
            pairing = pendingConnects.answer(packet.namespace)?.pairing(answeredAt: place)
        } else {
            // An auth payload is noted, never shown (`{}` is none).
            if !json.isEmpty, !Self.isEmptyObject(json) { fields.append(ApplicationField("auth", .flag(true))) }
            _ = pendingConnects.insert(.init("CONNECT", packet.namespace, at: place), for: packet.namespace)
        }
        sink.application(event("CONNECT", summary: packet.namespace, fields: fields, answers: pairing), at: place)
    }

    private mutating func connectError<Sink: ApplicationEventSink>(
        _ packet: SocketIOPacket, _ json: UnsafeRawBufferPointer, at place: ApplicationPlace, into sink: inout Sink
    ) {
        let scanner = JSONFieldReader(json)
        let reason =
            scanner.member("message", inObjectAt: 0).flatMap { scanner.string($0.lowerBound) }
            ?? scanner.string(scanner.skipSpace(0)) ?? TextPreview.of(json)
        let pairing = pendingConnects.answer(packet.namespace)?.pairing(answeredAt: place)
        sink.application(
            event(
                "CONNECT_ERROR", summary: reason, fields: [ApplicationField("namespace", .text(packet.namespace))],
                answers: pairing), at: place)
    }

    private mutating func eventPacket<Sink: ApplicationEventSink>(
        _ packet: SocketIOPacket, _ json: UnsafeRawBufferPointer, at place: ApplicationPlace, into sink: inout Sink
    ) {
        let scanner = JSONFieldReader(json)
        let elements = scanner.arrayElements(0, limit: 2)?.elements ?? []
        let name = elements.first.flatMap { scanner.string($0.lowerBound) } ?? ""
        let ackID = packet.id.map { String($0) }
        if let id = packet.id {
            let key = AckKey(requester: place.direction, namespace: packet.namespace, id: id)
            if let evicted = pendingAcks.insert(.init(packet.type.name, name, at: place), for: key) {
                reportUnanswered([evicted], what: "ack", at: place, into: &sink)
            }
        }
        sink.application(
            event(
                packet.type.name, id: ackID, summary: name,
                fields: Self.dataFields(packet, arguments: Self.arguments(json, after: elements.first))), at: place)
    }

    private mutating func ackPacket<Sink: ApplicationEventSink>(
        _ packet: SocketIOPacket, _ json: UnsafeRawBufferPointer, at place: ApplicationPlace, into sink: inout Sink
    ) {
        var pairing: ApplicationPairing?
        var summary = ""
        if let id = packet.id {
            let key = AckKey(requester: place.direction?.reversed, namespace: packet.namespace, id: id)
            if let request = pendingAcks.answer(key) {
                pairing = request.pairing(answeredAt: place)
                summary = request.summary
            }
        }
        sink.application(
            event(
                packet.type.name, id: packet.id.map { String($0) }, summary: summary,
                fields: Self.dataFields(packet, arguments: TextPreview.of(json)), answers: pairing), at: place)
    }

    private mutating func binaryPacket<Sink: ApplicationEventSink>(
        _ bytes: UnsafeRawBufferPointer, at place: ApplicationPlace, into sink: inout Sink
    ) {
        let size = ApplicationField("bytes", .integer(Int64(bytes.count)))
        guard let direction = place.direction, var expected = attachments[direction] else {
            sink.application(event("message", summary: "binary", fields: [size]), at: place)
            return
        }
        let index = expected.total - expected.remaining + 1
        expected.remaining -= 1
        attachments[direction] = expected.remaining > 0 ? expected : nil
        sink.application(event("attachment", summary: "\(index)/\(expected.total)", fields: [size]), at: place)
    }

    private mutating func notSocketIO<Sink: ApplicationEventSink>(
        _ what: String, _ bytes: UnsafeRawBufferPointer, at place: ApplicationPlace, into sink: inout Sink
    ) {
        notSocketIOCount += 1
        guard notSocketIOCount <= Self.maxNotSocketIOFindings else { return }
        sink.finding(.socketIONotSocketIO, "\(what): \(TextPreview.of(bytes, limit: 40))", at: place)
    }

    private func reportUnanswered<Sink: ApplicationEventSink>(
        _ requests: [AwaitedRequests<AckKey>.Request], what: String, at place: ApplicationPlace,
        into sink: inout Sink
    ) {
        for request in requests.prefix(Self.maxFindingsAtFinish) {
            sink.finding(
                .socketIOAckMissing,
                "\(request.operation) \"\(request.summary)\" at packet \(request.capture.packetNumber) never got its \(what)",
                at: place)
        }
        if requests.count > Self.maxFindingsAtFinish {
            sink.finding(
                .socketIOAckMissing, "\(requests.count - Self.maxFindingsAtFinish) more events never got their \(what)",
                at: place)
        }
    }

    // MARK: Helpers

    private func event(
        _ operation: String, id: String? = nil, summary: String = "", fields: [ApplicationField] = [],
        answers: ApplicationPairing? = nil
    ) -> ApplicationEvent {
        ApplicationEvent(
            protocolName: Self.protocolName, operation: operation, id: id, summary: summary, fields: fields,
            answers: answers)
    }

    private static func dataFields(_ packet: SocketIOPacket, arguments: String) -> [ApplicationField] {
        var fields = [ApplicationField("namespace", .text(packet.namespace))]
        if packet.attachments > 0 {
            fields.append(ApplicationField("attachments", .integer(Int64(packet.attachments))))
        }
        fields.append(ApplicationField("args", .text(arguments)))
        return fields
    }

    /// The arguments after the event's name, as a JSON array preview (`[{"msg":"hi"}]`).
    private static func arguments(_ json: UnsafeRawBufferPointer, after name: Range<Int>?) -> String {
        guard let name else { return TextPreview.of(json) }
        let scanner = JSONFieldReader(json)
        var start = scanner.skipSpace(name.upperBound)
        if start < json.count, json[start] == UInt8(ascii: ",") { start = scanner.skipSpace(start + 1) }
        guard start < json.count, json[start] != UInt8(ascii: "]") else { return "[]" }
        return "[" + TextPreview.of(UnsafeRawBufferPointer(rebasing: json[start...]))
    }

    static func isEmptyObject(_ json: UnsafeRawBufferPointer) -> Bool {
        let scanner = JSONFieldReader(json)
        let open = scanner.skipSpace(0)
        guard open < json.count, json[open] == UInt8(ascii: "{") else { return false }
        let close = scanner.skipSpace(open + 1)
        return close < json.count && json[close] == UInt8(ascii: "}") && scanner.skipSpace(close + 1) == json.count
    }

    static func equals(_ bytes: UnsafeRawBufferPointer, _ text: StaticString) -> Bool {
        guard bytes.count == text.utf8CodeUnitCount else { return false }
        for index in 0..<bytes.count where bytes[index] != text.utf8Start[index] { return false }
        return true
    }

    static func milliseconds(_ value: Double) -> String {
        let tenths = (value * 10).rounded() / 10
        return String(tenths)
    }
}
