extension KubernetesChannelInterpreter {
    /// One exec or attach message: data, the Status, a terminal size, a close signal.
    mutating func execMessage<Sink: ApplicationEventSink>(
        _ channel: KubernetesChannel, _ data: UnsafeRawBufferPointer, length: UInt64, _ truncated: Bool,
        _ place: ApplicationPlace, _ sink: inout Sink
    ) {
        if channel != .close { count(length, on: channel) }
        var fields: [ApplicationField] = []
        var operation = channel.execName ?? "channel"
        var summary = ""
        switch channel {
        case .stdin, .stdout, .stderr:
            summary = TextPreview.of(data)
        case .error:
            if let status = KubernetesStatus(data) {
                operation = "status"
                (summary, fields) = statusEvent(status, at: place, into: &sink)
            } else {
                summary = TextPreview.of(data)
                if !data.isEmpty, !truncated {
                    outcome(.kubernetesFailure, "error channel: \(summary)", at: place, into: &sink)
                }
            }
        case .resize:
            if let size = KubernetesTerminalSize(data) {
                summary = "\(size.width)x\(size.height)"
                fields = [
                    ApplicationField("width", .integer(size.width)), ApplicationField("height", .integer(size.height)),
                ]
            } else if !truncated {
                malformed("a resize message that is not {\"Width\":…,\"Height\":…}", at: place, into: &sink)
            }
        case .close:
            guard let closed = data.first.map(KubernetesChannel.init(rawValue:)) else {
                malformed("a close signal without the channel it closes", at: place, into: &sink)
                return
            }
            summary = closed.execName ?? "channel \(closed.rawValue)"
            fields = [ApplicationField("channel", .integer(Int64(closed.rawValue)))]
        default:
            fields = [ApplicationField("channel", .integer(Int64(channel.rawValue)))]
            summary = TextPreview.of(data)
            if firstSighting(ofUnknown: channel) {
                sink.finding(
                    .kubernetesUnknownChannel,
                    "a message on channel \(channel.rawValue), which exec and attach do not define (0-4, 255)",
                    at: place)
            }
        }
        if channel != .close { fields.append(ApplicationField("bytes", .integer(Int64(clamping: length)))) }
        if truncated { fields.append(ApplicationField("truncated", .flag(true))) }
        sink.application(
            ApplicationEvent(protocolName: Self.protocolName, operation: operation, summary: summary, fields: fields),
            at: place)
    }

    /// The Status's summary and fields; a non-zero exit code or a Failure is a finding.
    private mutating func statusEvent<Sink: ApplicationEventSink>(
        _ status: KubernetesStatus, at place: ApplicationPlace, into sink: inout Sink
    ) -> (String, [ApplicationField]) {
        record(status)
        var fields: [ApplicationField] = []
        if let reason = status.reason { fields.append(ApplicationField("reason", .text(reason))) }
        if let exitCode = status.exitCode { fields.append(ApplicationField("exit_code", .integer(exitCode))) }
        if let message = status.message { fields.append(ApplicationField("message", .text(message))) }
        if let exitCode = status.exitCode, exitCode != 0 {
            outcome(.kubernetesNonZeroExit, "the command exited with code \(exitCode)", at: place, into: &sink)
        } else if status.isFailure {
            outcome(
                .kubernetesFailure,
                "Failure Status: \([status.reason, status.message].compactMap { $0 }.joined(separator: ": "))",
                at: place, into: &sink)
        }
        return (status.status ?? "", fields)
    }

    /// One port-forward message: the port's data or its error text.
    mutating func portMessage<Sink: ApplicationEventSink>(
        _ channel: KubernetesChannel, _ data: UnsafeRawBufferPointer, length: UInt64, _ truncated: Bool,
        _ place: ApplicationPlace, _ sink: inout Sink
    ) {
        var data = data
        var length = length
        let port = self.port(of: channel, direction: place.direction, data: &data, length: &length)
        count(length, on: channel)
        var fields: [ApplicationField] = []
        if let port { fields.append(ApplicationField("port", .integer(Int64(port)))) }
        fields.append(ApplicationField("channel", .integer(Int64(channel.rawValue))))
        fields.append(ApplicationField("bytes", .integer(Int64(clamping: length))))
        if truncated { fields.append(ApplicationField("truncated", .flag(true))) }
        let summary = TextPreview.of(data)
        if channel.isPortError, !data.isEmpty {
            outcome(.kubernetesFailure, "port \(port.map(String.init) ?? "?"): \(summary)", at: place, into: &sink)
        }
        sink.application(
            ApplicationEvent(
                protocolName: Self.protocolName, operation: channel.isPortError ? "error" : "data", summary: summary,
                fields: fields),
            at: place)
    }
}
