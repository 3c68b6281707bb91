/// GraphQL over WebSocket, both protocols: the connection's init and ack, each operation
/// from subscribe/start through its results to complete/stop, paired by id, with the
/// latency to the first result and the count of results.
package struct GraphQLInterpreter: WebSocketMessageInterpreter {
    struct Operation {
        var name: String
        var type: GraphQLDocument.OperationType?
        var packet: UInt64
        var at: Timestamp
        var results = 0
        var errorReported = false
    }

    private(set) var dialect: GraphQLDialect
    private var acknowledged = false
    private var operations = PendingRequests<String, Operation>()
    /// Subscriptions pushed out of the table by newer operations.
    private var evicted = 0
    private var reported: Set<FindingCode> = []
    /// Findings about the message being read, emitted after its event (the line they
    /// explain comes first).
    private var deferred: [Finding] = []

    init(dialect: GraphQLDialect) {
        self.dialect = dialect
    }

    /// The `type` of a first message that is a graphql-ws message object, for content
    /// recognition (nil for anything else).
    static func firstMessageType(_ message: borrowing InterpretedMessage) -> String? {
        guard message.opcode == .text, !message.truncated else { return nil }
        let scanner = JSONScanner(message.payload)
        guard let top = scanner.topLevel(), let members = scanner.members(of: top),
            !members.contains(where: { $0.key == "jsonrpc" }),
            let type = members.first(where: { $0.key == "type" })?.value, type.kind == .string
        else { return nil }
        return scanner.string(type, limit: 32)
    }

    package mutating func receive(_ message: borrowing InterpretedMessage, events: inout EventBuffer) {
        let scanner = JSONScanner(message.payload)
        guard let top = scanner.topLevel(), let parsed = GraphQLMessage(top, scanner: scanner) else {
            if !message.truncated { malformed("a message that is not a JSON object with a type", message, &events) }
            return
        }
        if dialect == .transportWS && GraphQLDialect.legacyOnlyTypes.contains(parsed.type) { dialect = .legacy }
        guard let role = dialect.role(of: parsed.type, direction: message.direction) else {
            malformed("a message of unknown type '\(parsed.type)'", message, &events)
            return
        }
        var event = ApplicationEvent(protocolName: dialect.rawValue, operation: parsed.type, id: parsed.id)
        switch role {
        case .connectionInit, .keepAlive, .other:
            if let payload = parsed.payloadText { event.fields.append(ApplicationField("payload", .text(payload))) }
        case .connectionAck:
            acknowledged = true
            if let payload = parsed.payloadText { event.fields.append(ApplicationField("payload", .text(payload))) }
        case .subscribe:
            subscribe(parsed, &event, message, &events)
        case .result:
            result(parsed, &event, message, &events)
        case .error:
            failed(parsed, &event, message, &events)
        case .serverComplete, .clientStop:
            completed(parsed, &event, answered: role == .serverComplete, message)
        }
        events.add(
            .app(event), capture: message.capture, direction: message.direction, offset: message.offset,
            firstPacket: message.firstPacket)
        flushFindings(message, &events)
    }

    private mutating func flushFindings(_ message: borrowing InterpretedMessage, _ events: inout EventBuffer) {
        for finding in deferred {
            events.add(finding, capture: message.capture, direction: message.direction, offset: message.offset)
        }
        deferred.removeAll(keepingCapacity: true)
    }

    private mutating func subscribe(
        _ parsed: GraphQLMessage, _ event: inout ApplicationEvent, _ message: borrowing InterpretedMessage,
        _ events: inout EventBuffer
    ) {
        let document = GraphQLDocument(parsed.query ?? "")
        let name = parsed.operationName ?? document.name ?? ""
        event.summary = name
        if let type = document.type { event.fields.append(ApplicationField("type", .text(type.rawValue))) }
        if !acknowledged {
            report(
                .graphqlOperationBeforeAck, "\(parsed.type) '\(name)' before the server's connection_ack", message,
                &events, once: true)
        }
        guard let id = parsed.id else { return }
        if let active = operations[id] {
            report(
                .graphqlIDReused, "\(parsed.type) '\(name)' reuses id \(id), still active for '\(active.name)'",
                message, &events, once: false)
        }
        let operation = Operation(
            name: name, type: document.type, packet: message.capture.packetNumber, at: message.capture.timestamp)
        if operations.insert(operation, for: id) != nil { evicted += 1 }
    }

    private mutating func result(
        _ parsed: GraphQLMessage, _ event: inout ApplicationEvent, _ message: borrowing InterpretedMessage,
        _ events: inout EventBuffer
    ) {
        guard let id = parsed.id, var operation = operations[id] else {
            if let data = parsed.payloadText { event.fields.append(ApplicationField("data", .text(data))) }
            return
        }
        operation.results += 1
        event.summary = operation.name
        event.fields.append(ApplicationField("result", .integer(Int64(operation.results))))
        if parsed.resultHasErrors {
            event.fields.append(ApplicationField("errors", .flag(true)))
            if !operation.errorReported {
                operation.errorReported = true
                report(
                    .graphqlErrorResult, "'\(operation.name)' (id \(id)) got a result with errors", message, &events,
                    once: false)
            }
        }
        if let data = parsed.payloadText { event.fields.append(ApplicationField("data", .text(data))) }
        if operation.results == 1 { event.answers = pairing(operation, message) }
        operations.update(id) { $0 = operation }
    }

    private mutating func failed(
        _ parsed: GraphQLMessage, _ event: inout ApplicationEvent, _ message: borrowing InterpretedMessage,
        _ events: inout EventBuffer
    ) {
        if let errors = parsed.payloadText { event.fields.append(ApplicationField("errors", .text(errors))) }
        // An error ends the operation (both protocols send no complete after it).
        guard let id = parsed.id, let operation = operations.remove(id) else { return }
        event.summary = operation.name
        event.answers = pairing(operation, message)
        report(
            .graphqlErrorResult, "'\(operation.name)' (id \(id)) failed with an error", message, &events, once: false)
    }

    private mutating func completed(
        _ parsed: GraphQLMessage, _ event: inout ApplicationEvent, answered: Bool,
        _ message: borrowing InterpretedMessage
    ) {
        guard let id = parsed.id, let operation = operations.remove(id) else { return }
        event.summary = operation.name
        event.fields.append(ApplicationField("results", .integer(Int64(operation.results))))
        if answered { event.answers = pairing(operation, message) }
    }

    private func pairing(_ operation: Operation, _ message: borrowing InterpretedMessage) -> ApplicationPairing {
        ApplicationPairing(
            requestOperation: dialect == .legacy ? "start" : "subscribe", requestPacket: operation.packet,
            latencyMilliseconds: message.capture.timestamp.milliseconds(since: operation.at))
    }

    private mutating func malformed(
        _ what: String, _ message: borrowing InterpretedMessage, _ events: inout EventBuffer
    ) {
        report(
            .graphqlMalformed, "\(what) on a \(dialect.rawValue) WebSocket (reported once per connection)", message,
            &events, once: true)
        flushFindings(message, &events)
    }

    private mutating func report(
        _ code: FindingCode, _ text: String, _ message: borrowing InterpretedMessage, _ events: inout EventBuffer,
        once: Bool
    ) {
        if once { guard reported.insert(code).inserted else { return } }
        deferred.append(Finding(code, text))
    }

    package mutating func finish(capture: CaptureInfo, events: inout EventBuffer) {
        let open = operations.removeAll().filter { $0.type == .subscription }
        let total = open.count + evicted
        guard total > 0 else { return }
        let listed = open.prefix(Self.maxListedOpen).map { "'\($0.name)' (\($0.results) results)" }
        events.finding(
            .graphqlSubscriptionOpenAtClose,
            "\(total) subscription\(total == 1 ? "" : "s") still open at the end: \(listed.joined(separator: ", "))\(total > listed.count ? ", …" : "")",
            capture: capture)
    }

    /// Subscriptions named in the still-open finding.
    static let maxListedOpen = 5
}
