/// MQTT 3.1.1 and 5.0 over one WebSocket: packets cut out of each direction's messages
/// (`MQTTStreamFramer`), decoded (`MQTTPacket`), and their acknowledgements paired by
/// packet id with latency.
package struct MQTTInterpreter: WebSocketMessageInterpreter, SinkDrivenInterpreter {
    package static let protocolName = "mqtt"
    /// Malformed-packet findings per connection; later ones are only counted.
    package static let maxMalformedFindings = 8
    /// Never-answered findings written at the end; the rest go into one summary finding.
    package static let maxFindingsAtFinish = 16

    /// What an answer answers: the requester's direction and the packet id.
    enum FlowKey: Hashable {
        case connect
        case ping(Direction?)
        case publish(Direction?, UInt16)
        case received(Direction?, UInt16)
        case release(Direction?, UInt16)
        case subscribe(Direction?, UInt16)
        case unsubscribe(Direction?, UInt16)
    }

    var framers = PerDirection(repeating: MQTTStreamFramer())
    /// The protocol level CONNECT named (3.1.1 until one is seen).
    package private(set) var level: UInt8 = 4
    var pending = AwaitedRequests<FlowKey>()
    private var subscriptions: [UInt16: [String]] = [:]
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
        guard message.opcode == .binary || message.opcode == .text else { return }
        let direction = message.direction
        var place = ApplicationPlace(message)
        framers[direction].startMessage()
        var index = 0
        let payload = message.payload
        while let output = framers[direction].next(payload, index: &index, packet: message.firstPacket) {
            handle(output, at: &place, into: &sink)
        }
        let missing = message.length > UInt64(payload.count) ? Int(clamping: message.length - UInt64(payload.count)) : 0
        if let output = framers[direction].missing(missing) { handle(output, at: &place, into: &sink) }
    }

    package mutating func finish<Sink: ApplicationEventSink>(at capture: CaptureInfo, into sink: inout Sink) {
        let place = ApplicationPlace(capture: capture, direction: nil)
        var flows: [AwaitedRequests<FlowKey>.Request] = []
        for request in pending.drain() where request.operation != "CONNECT" && request.operation != "PINGREQ" {
            flows.append(request)
        }
        for request in flows.prefix(Self.maxFindingsAtFinish) {
            sink.finding(
                .mqttFlowIncomplete,
                "\([request.operation, request.summary].filter { !$0.isEmpty }.joined(separator: " ")) at packet \(request.capture.packetNumber) never got its answer",
                at: place)
        }
        if flows.count > Self.maxFindingsAtFinish {
            sink.finding(
                .mqttFlowIncomplete, "\(flows.count - Self.maxFindingsAtFinish) more flows left incomplete", at: place)
        }
    }

    private mutating func handle<Sink: ApplicationEventSink>(
        _ output: MQTTStreamFramer.Output, at place: inout ApplicationPlace, into sink: inout Sink
    ) {
        switch output {
        case .malformedLength(let firstPacket):
            place.firstPacket = firstPacket
            sink.finding(
                .mqttMalformedLength, "remaining length runs past four bytes; framing lost until the next message",
                at: place)
        case .tooLarge(let length):
            sink.finding(
                .mqttPacketTooLarge,
                "packet of \(length) bytes over the \(WebSocketInterpreterLimits.maxHeldBytes) held: its start is decoded",
                at: place)
        case .packet(let typeAndFlags, let body, let whole, let firstPacket):
            place.firstPacket = firstPacket
            body.withUnsafeBytes { packet(typeAndFlags: typeAndFlags, body: $0, whole: whole, at: place, into: &sink) }
        }
    }

    private mutating func packet<Sink: ApplicationEventSink>(
        typeAndFlags: UInt8, body: UnsafeRawBufferPointer, whole: Bool, at place: ApplicationPlace,
        into sink: inout Sink
    ) {
        let type = MQTTPacketType(rawValue: typeAndFlags >> 4)
        guard
            let packet = MQTTPacket(
                type: type, flags: typeAndFlags & 0x0F, body: body, whole: whole,
                level: level)
        else {
            malformed(type, body, at: place, into: &sink)
            return
        }
        if let protocolLevel = packet.protocolLevel { level = protocolLevel }
        let pairing = pair(packet, at: place, into: &sink)
        var summary = packet.summary
        if summary.isEmpty, let request = pairing?.request { summary = request.summary }
        let event = ApplicationEvent(
            protocolName: Self.protocolName, operation: type.name, id: packet.packetID.map { String($0) },
            summary: summary, fields: packet.fields, answers: pairing?.request.pairing(answeredAt: place))
        sink.application(event, at: place)
        check(packet, answering: pairing?.request, at: place, into: &sink)
    }

    private mutating func malformed<Sink: ApplicationEventSink>(
        _ type: MQTTPacketType, _ body: UnsafeRawBufferPointer, at place: ApplicationPlace, into sink: inout Sink
    ) {
        malformedCount += 1
        guard malformedCount <= Self.maxMalformedFindings else { return }
        sink.finding(
            .mqttMalformedPacket, "\(type.name) of \(body.count) bytes whose fields do not fit the packet", at: place)
    }
}
