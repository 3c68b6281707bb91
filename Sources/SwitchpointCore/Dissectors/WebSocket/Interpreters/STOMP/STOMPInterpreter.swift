/// STOMP 1.0-1.2 over one WebSocket: frames cut out of each direction's messages (a frame
/// may span messages, a message may hold several), RECEIPTs paired with the frame that
/// asked for them, CONNECTED with CONNECT, ACK/NACK with their MESSAGE.
package struct STOMPInterpreter: WebSocketMessageInterpreter, SinkDrivenInterpreter {
    package static let protocolName = "stomp"
    /// Malformed-frame findings per connection; later ones are only counted.
    package static let maxMalformedFindings = 8
    /// Never-answered findings written at the end; the rest go into one summary finding.
    package static let maxFindingsAtFinish = 16

    enum AnswerKey: Hashable {
        case connect
        case receipt(String)
        case ack(String)
    }

    private var held = PerDirection<[UInt8]>(repeating: [])
    private var lost = PerDirection(repeating: false)
    var pending = AwaitedRequests<AnswerKey>()
    private var malformedCount = 0

    package init() {}

    package mutating func receive(_ message: borrowing InterpretedMessage, events: inout EventBuffer) {
        interpret(message, into: &events)
    }

    package mutating func finish(capture: CaptureInfo, events: inout EventBuffer) {
        finish(at: capture, into: &events)
    }

    package mutating func interpret<Sink: ApplicationEventSink>(
        _ message: borrowing InterpretedMessage, into sink: inout Sink
    ) {
        guard message.opcode == .text || message.opcode == .binary else { return }
        let direction = message.direction
        let place = ApplicationPlace(message)
        if lost[direction] {
            // A client or server starts a frame with a message again.
            held[direction].removeAll(keepingCapacity: true)
            lost[direction] = false
        }
        let startedEmpty = held[direction].isEmpty
        if startedEmpty, !message.payload.isEmpty, message.payload.allSatisfy({ $0 == 0x0A || $0 == 0x0D }) {
            sink.application(
                ApplicationEvent(protocolName: Self.protocolName, operation: "heart-beat"), at: place)
            return
        }
        held[direction].append(contentsOf: message.payload)
        if message.truncated {
            // The frame's end is missing: show what is there, never call it malformed.
            held[direction].append(0)
            lost[direction] = true
        }
        frames(at: place, into: &sink)
    }

    package mutating func finish<Sink: ApplicationEventSink>(at capture: CaptureInfo, into sink: inout Sink) {
        let place = ApplicationPlace(capture: capture, direction: nil)
        let receipts = pending.drain().filter { $0.operation != "CONNECT" && $0.operation != "MESSAGE" }
        for request in receipts.prefix(Self.maxFindingsAtFinish) {
            sink.finding(
                .stompReceiptMissing,
                "\([request.operation, request.summary].filter { !$0.isEmpty }.joined(separator: " ")) at packet \(request.capture.packetNumber) asked for a receipt that never came",
                at: place)
        }
        if receipts.count > Self.maxFindingsAtFinish {
            sink.finding(
                .stompReceiptMissing, "\(receipts.count - Self.maxFindingsAtFinish) more receipts never came", at: place
            )
        }
    }

    private mutating func frames<Sink: ApplicationEventSink>(at place: ApplicationPlace, into sink: inout Sink) {
        guard let direction = place.direction else { return }
        var start = 0
        defer {
            if start > 0 { held[direction].removeFirst(min(start, held[direction].count)) }
            if held[direction].count > WebSocketInterpreterLimits.maxHeldBytes {
                malformed("a frame over \(WebSocketInterpreterLimits.maxHeldBytes) bytes", at: place, into: &sink)
                held[direction].removeAll()
                lost[direction] = true
            }
        }
        while !lost[direction] {
            let bytes = held[direction]
            while start < bytes.count, bytes[start] == 0x0A || bytes[start] == 0x0D { start += 1 }
            guard start < bytes.count else { return }
            switch STOMPFrame.parse(bytes[start...]) {
            case .needMore: return
            case .malformed(let reason):
                malformed(reason, at: place, into: &sink)
                lost[direction] = true
                start = bytes.count
            case .frame(let frame, let consumed):
                start += consumed
                self.frame(frame, at: place, into: &sink)
            }
        }
    }

    private mutating func malformed<Sink: ApplicationEventSink>(
        _ reason: String, at place: ApplicationPlace, into sink: inout Sink
    ) {
        malformedCount += 1
        guard malformedCount <= Self.maxMalformedFindings else { return }
        sink.finding(.stompMalformedFrame, "not a STOMP frame: \(reason)", at: place)
    }
}
