/// Kubernetes exec, attach and port-forward over WebSocket (`v5.channel.k8s.io`,
/// `v4.channel.k8s.io`, `channel.k8s.io`, their `base64.` variants, `portforward.k8s.io`):
/// every message starts with its channel (a byte; in the base64 variants an ASCII digit
/// and the data in base64). One event per message, named by its channel; the error
/// channel's Status decoded (its exit code), terminal sizes, v5's close signal; the
/// request's command, container and ports from the upgrade's target.
package struct KubernetesChannelInterpreter: WebSocketMessageInterpreter, SinkDrivenInterpreter {
    package static let protocolName = "k8s"
    /// Malformed-message findings per connection; later ones are only counted.
    package static let maxMalformedFindings = 8
    /// Exit-code and failure findings per connection (a session has one Status; port-forward
    /// errors may repeat); later ones are only counted.
    package static let maxOutcomeFindings = 16

    /// Exec and attach share fixed channels; port-forward pairs them per port.
    package enum Mode: Sendable, Equatable {
        case exec
        case portForward
        /// `SPDY/3.1+portforward.k8s.io` (kubectl 1.31 and later): SPDY frames inside the
        /// messages, not decoded; the messages stay raw and the request is told at the end.
        case spdyTunnel
    }

    package let request: KubernetesStreamRequest?
    package let subprotocol: String?
    package let mode: Mode
    private var announced = false
    private var status: KubernetesStatus?
    /// Data bytes per channel (a channel is one byte, so at most 256 entries).
    private var channelBytes: [KubernetesChannel: UInt64] = [:]
    /// Port-forward: the port each channel's first server message named.
    private var channelPorts: [KubernetesChannel: UInt16] = [:]
    private var prefixSeen: Set<KubernetesChannel> = []
    private var unknownChannels: Set<KubernetesChannel> = []
    private var malformedCount = 0
    private var outcomeCount = 0

    package init(handshake: WebSocketInterpreterHandshake? = nil) {
        subprotocol = handshake?.subprotocol
        request = handshake?.target.flatMap(KubernetesStreamRequest.init(target:))
        let token = subprotocol?.lowercasedASCII ?? ""
        if token.hasPrefix("spdy/") {
            mode = .spdyTunnel
        } else {
            mode = request?.kind == .portForward || token.contains("portforward") ? .portForward : .exec
        }
    }

    package mutating func receive(_ message: borrowing InterpretedMessage, events: inout EventBuffer) {
        interpret(message, into: &events)
    }

    package mutating func finish(capture: CaptureInfo, events: inout EventBuffer) {
        finish(at: capture, into: &events)
    }

    package mutating func interpret<Sink: ApplicationEventSink>(
        _ message: borrowing InterpretedMessage, into sink: inout Sink
    ) {
        guard message.opcode == .text || message.opcode == .binary, mode != .spdyTunnel else { return }
        let place = ApplicationPlace(message)
        if !announced { announce(at: ApplicationPlace(capture: message.capture, direction: nil), into: &sink) }
        let payload = message.payload
        guard let first = payload.first else {
            malformed("an empty message has no channel", at: place, into: &sink)
            return
        }
        let rest = UnsafeRawBufferPointer(rebasing: payload[1...])
        if message.opcode == .binary {
            let length = message.length > 0 ? message.length - 1 : 0
            channelMessage(KubernetesChannel(rawValue: first), rest, length: length, message.truncated, place, &sink)
            return
        }
        guard first >= UInt8(ascii: "0"), first <= UInt8(ascii: "9") else {
            malformed("a text message whose first byte is no channel digit", at: place, into: &sink)
            return
        }
        // A truncated message is decoded up to its last whole base64 quantum.
        let encoded = message.truncated ? UnsafeRawBufferPointer(rebasing: rest.prefix(rest.count / 4 * 4)) : rest
        guard let decoded = Base64.decode(bytes: encoded) else {
            malformed("a base64 channel message that is not base64", at: place, into: &sink)
            return
        }
        let length = message.truncated ? (message.length - 1) / 4 * 3 : UInt64(decoded.count)
        let channel = KubernetesChannel(rawValue: first - UInt8(ascii: "0"))
        decoded.withUnsafeBytes { channelMessage(channel, $0, length: length, message.truncated, place, &sink) }
    }

    package mutating func finish<Sink: ApplicationEventSink>(at capture: CaptureInfo, into sink: inout Sink) {
        let place = ApplicationPlace(capture: capture, direction: nil)
        if mode == .spdyTunnel, !announced { announce(at: place, into: &sink) }
        guard announced else { return }
        var fields: [ApplicationField] = []
        for channel in channelBytes.keys.sorted(by: { $0.rawValue < $1.rawValue }) {
            let name = mode == .exec ? channel.execName ?? "channel_\(channel.rawValue)" : "channel_\(channel.rawValue)"
            fields.append(ApplicationField("\(name)_bytes", .integer(Int64(clamping: channelBytes[channel] ?? 0))))
        }
        if let exitCode = status?.exitCode { fields.append(ApplicationField("exit_code", .integer(exitCode))) }
        let summary = status?.status ?? (mode == .exec ? "no status" : "")
        sink.application(
            ApplicationEvent(protocolName: Self.protocolName, operation: "end", summary: summary, fields: fields),
            at: place)
        if mode == .exec, status == nil {
            sink.finding(
                .kubernetesNoStatus,
                "the \(request?.kind.rawValue ?? "exec") stream ended without a Status on the error channel: the command's outcome is not in the capture",
                at: place)
        }
    }

    /// The request itself, once, before the first message's event.
    private mutating func announce<Sink: ApplicationEventSink>(at place: ApplicationPlace, into sink: inout Sink) {
        announced = true
        var fields: [ApplicationField] = []
        if let namespace = request?.namespace { fields.append(ApplicationField("namespace", .text(namespace))) }
        if let pod = request?.pod { fields.append(ApplicationField("pod", .text(pod))) }
        if let container = request?.container { fields.append(ApplicationField("container", .text(container))) }
        if let stdin = request?.stdin { fields.append(ApplicationField("stdin", .flag(stdin))) }
        if let tty = request?.tty { fields.append(ApplicationField("tty", .flag(tty))) }
        if let subprotocol { fields.append(ApplicationField("subprotocol", .text(subprotocol))) }
        if mode == .spdyTunnel { fields.append(ApplicationField("decoded", .flag(false))) }
        let summary: String
        switch mode {
        case .exec: summary = request?.command.joined(separator: " ") ?? ""
        case .portForward, .spdyTunnel: summary = request?.ports.map(String.init).joined(separator: ",") ?? ""
        }
        let operation = request?.kind.rawValue ?? (mode == .exec ? "exec" : "portforward")
        sink.application(
            ApplicationEvent(protocolName: Self.protocolName, operation: operation, summary: summary, fields: fields),
            at: place)
    }

    private mutating func channelMessage<Sink: ApplicationEventSink>(
        _ channel: KubernetesChannel, _ data: UnsafeRawBufferPointer, length: UInt64, _ truncated: Bool,
        _ place: ApplicationPlace, _ sink: inout Sink
    ) {
        switch mode {
        case .exec: execMessage(channel, data, length: length, truncated, place, &sink)
        case .portForward: portMessage(channel, data, length: length, truncated, place, &sink)
        case .spdyTunnel: break
        }
    }

    mutating func malformed<Sink: ApplicationEventSink>(
        _ reason: String, at place: ApplicationPlace, into sink: inout Sink
    ) {
        malformedCount += 1
        guard malformedCount <= Self.maxMalformedFindings else { return }
        sink.finding(.kubernetesMalformed, "not a Kubernetes channel message: \(reason)", at: place)
    }

    /// A command's or a port's outcome (`k8s.nonzero_exit`, `k8s.failure`), capped.
    mutating func outcome<Sink: ApplicationEventSink>(
        _ code: FindingCode, _ message: String, at place: ApplicationPlace, into sink: inout Sink
    ) {
        outcomeCount += 1
        guard outcomeCount <= Self.maxOutcomeFindings else { return }
        sink.finding(code, message, at: place)
    }

    mutating func count(_ length: UInt64, on channel: KubernetesChannel) {
        channelBytes[channel, default: 0] &+= length
    }

    mutating func record(_ status: KubernetesStatus) {
        self.status = status
    }

    mutating func firstSighting(ofUnknown channel: KubernetesChannel) -> Bool {
        unknownChannels.insert(channel).inserted
    }

    /// Port-forward: the port of a channel, from its first server message's 2-byte
    /// little-endian prefix (taken off `data`), else from the request's `ports=`.
    mutating func port(
        of channel: KubernetesChannel, direction: Direction?, data: inout UnsafeRawBufferPointer, length: inout UInt64
    ) -> UInt16? {
        if direction == .serverToClient, prefixSeen.insert(channel).inserted, data.count >= 2 {
            channelPorts[channel] = UInt16(data[0]) | UInt16(data[1]) << 8
            data = UnsafeRawBufferPointer(rebasing: data[2...])
            length = length >= 2 ? length - 2 : 0
        }
        if let port = channelPorts[channel] { return port }
        guard let ports = request?.ports, channel.portIndex < ports.count else { return nil }
        return ports[channel.portIndex]
    }
}
