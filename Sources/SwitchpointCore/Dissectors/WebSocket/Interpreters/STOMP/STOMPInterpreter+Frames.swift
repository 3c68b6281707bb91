extension STOMPInterpreter {
    /// One frame's event, its pairing and its findings.
    mutating func frame<Sink: ApplicationEventSink>(
        _ frame: STOMPFrame, at place: ApplicationPlace, into sink: inout Sink
    ) {
        let command = frame.command
        var event = ApplicationEvent(
            protocolName: Self.protocolName, operation: command.rawValue, summary: Self.summary(frame),
            fields: Self.fields(frame))
        // Only a client frame asks for a receipt (a broker may copy the header onto a MESSAGE).
        if let receipt = frame.header("receipt"), command.isClientFrame {
            event.id = receipt
            wait(.receipt(receipt), command.rawValue, event.summary, at: place, into: &sink)
        }
        switch command {
        case .connect, .stomp: wait(.connect, command.rawValue, event.summary, at: place, into: &sink)
        case .connected: event.answers = answer(.connect, at: place)
        case .message:
            if let ack = frame.header("ack") ?? frame.header("message-id") {
                event.id = ack
                if frame.header("ack") != nil {
                    wait(.ack(ack), command.rawValue, event.summary, at: place, into: &sink)
                }
            }
        case .ack, .nack:
            let ack = frame.header("id") ?? frame.header("message-id") ?? ""
            event.id = ack
            event.answers = answer(.ack(ack), at: place)
        case .receipt, .error:
            if let receipt = frame.header("receipt-id") {
                event.id = receipt
                event.answers = answer(.receipt(receipt), at: place)
            }
            if command == .error {
                sink.finding(.stompError, "ERROR frame: \(TextPreview.of(Array(event.summary.utf8)[...]))", at: place)
            }
        default: break
        }
        sink.application(event, at: place)
    }

    private mutating func wait<Sink: ApplicationEventSink>(
        _ key: AnswerKey, _ operation: String, _ summary: String, at place: ApplicationPlace, into sink: inout Sink
    ) {
        guard let evicted = pending.insert(.init(operation, summary, at: place), for: key) else { return }
        if case .receipt = key {
            sink.finding(
                .stompReceiptMissing,
                "\(evicted.operation) \(evicted.summary) at packet \(evicted.capture.packetNumber) pushed out before its receipt",
                at: place)
        }
    }

    private mutating func answer(_ key: AnswerKey, at place: ApplicationPlace) -> ApplicationPairing? {
        pending.answer(key)?.pairing(answeredAt: place)
    }

    /// What a reader looks for first in each frame.
    static func summary(_ frame: STOMPFrame) -> String {
        switch frame.command {
        case .connect, .stomp: frame.header("host") ?? ""
        case .connected: frame.header("version") ?? "1.0"
        case .send, .subscribe, .message: frame.header("destination") ?? ""
        case .unsubscribe: frame.header("id") ?? frame.header("destination") ?? ""
        case .begin, .commit, .abort: frame.header("transaction") ?? ""
        case .error: frame.header("message") ?? TextPreview.of(frame.body)
        default: ""
        }
    }

    /// The headers shown, in wire order, credentials replaced by a flag; then the body.
    static func fields(_ frame: STOMPFrame) -> [ApplicationField] {
        var fields: [ApplicationField] = []
        for (name, value) in frame.headers where !shownInSummary(name, frame.command) {
            if STOMPFrame.credentialHeaders.contains(name) {
                fields.append(ApplicationField(name + "_present", .flag(true)))
            } else {
                fields.append(ApplicationField(name, .text(value)))
            }
        }
        if !frame.body.isEmpty {
            fields.append(ApplicationField("bytes", .integer(Int64(frame.body.count))))
            fields.append(ApplicationField("body", .text(TextPreview.of(frame.body))))
        }
        return fields
    }

    private static func shownInSummary(_ name: String, _ command: STOMPCommand) -> Bool {
        switch command {
        case .send, .subscribe, .message: name == "destination"
        case .connect, .stomp: name == "host"
        case .connected: name == "version"
        case .error: name == "message"
        default: false
        }
    }
}
