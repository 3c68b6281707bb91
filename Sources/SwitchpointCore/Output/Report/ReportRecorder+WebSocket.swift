extension ReportRecorder {
    func recordWebSocketMessage(_ message: WebSocketMessage, _ event: TimelineEvent, _ id: ConnectionID) {
        guard let direction = event.direction else { return }
        let kept = keepable(message.kept.count)
        var recorded = ReportMessage(
            direction: direction, time: event.timestamp, offset: event.offset, opcode: message.opcode,
            length: message.length, data: Array(message.kept[..<kept]),
            truncated: !message.keptAll || kept < message.kept.count)
        recorded.compressed = message.compressed
        recorded.complete = message.complete
        recorded.problem = message.problem
        addMessage(recorded, event)
    }

    func recordWebSocketControl(_ control: WebSocketControl, _ event: TimelineEvent, _ id: ConnectionID) {
        guard let direction = event.direction else { return }
        let kept = keepable(control.payload.count)
        var recorded = ReportMessage(
            direction: direction, time: event.timestamp, offset: event.offset, opcode: control.opcode,
            length: UInt64(control.payload.count), data: Array(control.payload.prefix(kept)),
            truncated: control.payload.count > kept)
        recorded.roundTripMilliseconds = control.roundTripMilliseconds
        addMessage(recorded, event)
    }

    func recordWebSocketClose(_ close: WebSocketClose, _ event: TimelineEvent, _ id: ConnectionID) {
        guard let direction = event.direction else { return }
        var recorded = ReportMessage(
            direction: direction, time: event.timestamp, offset: event.offset,
            opcode: WebSocketOpcode.close.rawValue,
            length: UInt64(close.reason.utf8.count), data: Array(close.reason.utf8), truncated: false)
        recorded.closeCode = close.code
        addMessage(recorded, event, landmark: true)
    }

    func recordWebSocketClosing(_ closing: WebSocketClosing, _ event: TimelineEvent, _ id: ConnectionID) {
        guard let state = open[id], state.record.detailed else { return }
        landmark(state, event, .closing(closing))
    }

    /// An application event names the message it came from (the connection's last one
    /// in its direction) in the diagram.
    func labelLastMessage(_ application: ApplicationEvent, _ event: TimelineEvent) {
        guard let state = open[event.connection] else { return }
        let label = OutputBuffer(capacity: 256)
        ApplicationEventText.append(application, to: label)
        let text = String(decoding: label.bytes, as: UTF8.self)
        state.record.bulk.updateLast { item in
            guard case .message(var message) = item.kind, message.direction == event.direction,
                message.applicationLabels.count < ReportLimits.maxApplicationLabelsPerMessage
            else { return }
            message.applicationLabels.append(text)
            item.kind = .message(message)
        }
    }
}
