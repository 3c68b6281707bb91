extension MQTTInterpreter {
    struct Answered {
        var request: AwaitedRequests<FlowKey>.Request
    }

    /// Records a request, or finds the request an answer answers.
    mutating func pair<Sink: ApplicationEventSink>(
        _ packet: MQTTPacket, at place: ApplicationPlace, into sink: inout Sink
    ) -> Answered? {
        let direction = place.direction
        let requester = direction?.reversed
        let id = packet.packetID ?? 0
        let name = packet.type.name
        switch packet.type {
        case .connect: wait(.connect, name, packet.summary, at: place, into: &sink)
        case .connack: return answer(.connect)
        case .pingreq: wait(.ping(direction), name, "", at: place, into: &sink)
        case .pingresp: return answer(.ping(requester))
        case .publish:
            if packet.qos > 0 { wait(.publish(direction, id), name, packet.summary, at: place, into: &sink) }
        case .puback: return answer(.publish(requester, id))
        case .pubrec:
            let request = answer(.publish(requester, id))
            wait(.received(direction, id), name, request?.request.summary ?? "", at: place, into: &sink)
            return request
        case .pubrel:
            let request = answer(.received(requester, id))
            wait(.release(direction, id), name, request?.request.summary ?? "", at: place, into: &sink)
            return request
        case .pubcomp: return answer(.release(requester, id))
        case .subscribe: wait(.subscribe(direction, id), name, packet.summary, at: place, into: &sink)
        case .suback: return answer(.subscribe(requester, id))
        case .unsubscribe: wait(.unsubscribe(direction, id), name, packet.summary, at: place, into: &sink)
        case .unsuback: return answer(.unsubscribe(requester, id))
        default: break
        }
        return nil
    }

    /// Findings an answer's codes call for.
    func check<Sink: ApplicationEventSink>(
        _ packet: MQTTPacket, answering request: AwaitedRequests<FlowKey>.Request?, at place: ApplicationPlace,
        into sink: inout Sink
    ) {
        switch packet.type {
        case .connack:
            guard let code = packet.codes.first, code != 0 else { return }
            sink.finding(.mqttConnectRefused, "CONNACK refused the connection: \(packet.summary) (\(code))", at: place)
        case .suback:
            let filters = request?.summary.components(separatedBy: ", ") ?? []
            for (position, code) in packet.codes.enumerated() where MQTTReasonCode(rawValue: code).isFailure {
                let filter = position < filters.count ? filters[position] : "#\(position + 1)"
                sink.finding(
                    .mqttSubscriptionRefused,
                    "SUBACK \(packet.packetID ?? 0) refused \(filter) with 0x"
                        + String(code, radix: 16), at: place)
            }
        default: return
        }
    }

    private mutating func wait<Sink: ApplicationEventSink>(
        _ key: FlowKey, _ operation: String, _ summary: String, at place: ApplicationPlace, into sink: inout Sink
    ) {
        guard let evicted = pending.insert(.init(operation, summary, at: place), for: key) else { return }
        if evicted.operation != "CONNECT", evicted.operation != "PINGREQ" {
            sink.finding(
                .mqttFlowIncomplete,
                "\(evicted.operation) \(evicted.summary) at packet \(evicted.capture.packetNumber) pushed out unanswered",
                at: place)
        }
    }

    private mutating func answer(_ key: FlowKey) -> Answered? {
        pending.answer(key).map { Answered(request: $0) }
    }
}
