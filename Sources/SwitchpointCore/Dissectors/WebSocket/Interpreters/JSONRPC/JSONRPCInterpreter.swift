/// JSON-RPC 2.0 (jsonrpc.org/specification) over WebSocket: requests, notifications,
/// responses and errors, batches element by element; each response paired with its request
/// by id (per direction: either peer may ask), with the latency.
package struct JSONRPCInterpreter: WebSocketMessageInterpreter {
    package static let protocolName = "jsonrpc"

    struct Request {
        var method: String
        var id: String
        var packet: UInt64
        var at: Timestamp
    }

    /// The asking side and the id's JSON kind and text (`1` and `"1"` are different ids).
    struct RequestKey: Hashable {
        var direction: Direction
        var id: String
        var isString: Bool
    }

    private var pending = PendingRequests<RequestKey, Request>()
    /// Requests that made room for newer ones (never answered within the limit).
    private var evicted = 0
    private var malformedReported = false

    package init() {}

    package mutating func receive(_ message: borrowing InterpretedMessage, events: inout EventBuffer) {
        let scanner = JSONScanner(message.payload)
        guard let top = scanner.topLevel() else {
            if !message.truncated { malformed("a message that is not JSON", message, events: &events) }
            return
        }
        if top.kind == .array {
            guard let elements = scanner.elements(of: top), !elements.isEmpty else {
                malformed("an empty or unreadable batch", message, events: &events)
                return
            }
            for element in elements {
                interpret(element, scanner: scanner, batch: elements.count, message, events: &events)
            }
        } else {
            interpret(top, scanner: scanner, batch: nil, message, events: &events)
        }
    }

    private mutating func interpret(
        _ value: JSONScanner.Value, scanner: JSONScanner, batch: Int?, _ message: borrowing InterpretedMessage,
        events: inout EventBuffer
    ) {
        guard let parsed = JSONRPCMessage(value, scanner: scanner) else {
            malformed("a JSON value that is not a JSON-RPC 2.0 message", message, events: &events)
            return
        }
        var event = ApplicationEvent(protocolName: Self.protocolName, operation: parsed.kind.rawValue)
        event.id = parsed.id?.text
        if let batch { event.fields.append(ApplicationField("batch", .integer(Int64(batch)))) }
        switch parsed.kind {
        case .request, .notification:
            event.summary = parsed.method ?? ""
            if let params = parsed.preview { event.fields.append(ApplicationField("params", .text(params))) }
            if parsed.kind == .request, let id = parsed.id {
                let request = Request(
                    method: event.summary, id: id.text, packet: message.capture.packetNumber,
                    at: message.capture.timestamp)
                if pending.insert(
                    request, for: RequestKey(direction: message.direction, id: id.text, isString: id.isString))
                    != nil
                {
                    evicted += 1
                }
            }
        case .response, .error:
            if parsed.kind == .error {
                if let code = parsed.errorCode { event.fields.append(ApplicationField("code", .integer(code))) }
                event.fields.append(ApplicationField("message", .text(parsed.errorMessage ?? "")))
            } else if let result = parsed.preview {
                event.fields.append(ApplicationField("result", .text(result)))
            }
            answer(&event, parsed.id, message, events: &events)
        }
        events.add(
            .app(event), capture: message.capture, direction: message.direction, offset: message.offset,
            firstPacket: message.firstPacket)
    }

    /// Pairs a response with its request (the peer's), or reports that there was none.
    private mutating func answer(
        _ event: inout ApplicationEvent, _ id: JSONRPCMessage.ID?, _ message: borrowing InterpretedMessage,
        events: inout EventBuffer
    ) {
        // An error with a null id answers a request that could not be read: nothing to pair.
        guard let id else { return }
        let key = RequestKey(direction: message.direction.reversed, id: id.text, isString: id.isString)
        guard let request = pending.remove(key) else {
            events.finding(
                .jsonrpcResponseWithoutRequest,
                "a JSON-RPC \(event.operation) with id \(id.text) answers no request seen (or one already answered)",
                capture: message.capture, direction: message.direction, offset: message.offset)
            return
        }
        event.summary = request.method
        event.answers = ApplicationPairing(
            requestOperation: JSONRPCMessage.Kind.request.rawValue, requestPacket: request.packet,
            latencyMilliseconds: message.capture.timestamp.milliseconds(since: request.at))
    }

    private mutating func malformed(
        _ what: String, _ message: borrowing InterpretedMessage, events: inout EventBuffer
    ) {
        guard !malformedReported else { return }
        malformedReported = true
        events.finding(
            .jsonrpcMalformed, "\(what) on a JSON-RPC WebSocket (reported once per connection)",
            capture: message.capture, direction: message.direction, offset: message.offset)
    }

    package mutating func finish(capture: CaptureInfo, events: inout EventBuffer) {
        let unanswered = pending.removeAll()
        let total = unanswered.count + evicted
        guard total > 0 else { return }
        let listed = unanswered.prefix(Self.maxListedUnanswered).map { "\($0.method) id \($0.id)" }
        let more = total > listed.count ? ", …" : ""
        events.finding(
            .jsonrpcRequestUnanswered,
            "\(total) JSON-RPC request\(total == 1 ? "" : "s") never answered: \(listed.joined(separator: ", "))\(more)",
            capture: capture)
    }

    /// Requests named in the never-answered finding.
    static let maxListedUnanswered = 5
}
