/// `--redact` for what the application sent: bodies, WebSocket messages and control
/// payloads, raw bytes, HTTP/2 GOAWAY debug data. They are replaced whole (sizes, opcodes,
/// frame counts and times stay): a body or message can hold any secret in any shape, and
/// guessing which part is one would leak the rest.
extension Redaction {
    /// Interpreted fields (inside WebSocket) that quote a message's content rather than
    /// name its structure: replaced whole, as the message itself is.
    static let contentFieldNames: [String] = [
        "payload", "data", "body", "params", "args", "result", "errors", "message",
    ]

    static func replacementBytes(length: some BinaryInteger) -> [UInt8] {
        Array(replacement(length: Int(clamping: length)).utf8)
    }

    /// `kind` with its payload replaced; nil when it carries none (or an empty one).
    static func payload(_ kind: TimelineEvent.Kind) -> TimelineEvent.Kind? {
        switch kind {
        case .httpBody(let length, let chunked, let kept, _):
            guard !kept.isEmpty else { return nil }
            return .httpBody(length: length, chunked: chunked, kept: replacementBytes(length: length), keptAll: true)
        case .wsMessage(var message):
            guard message.length > 0 || !message.kept.isEmpty else { return nil }
            message.recovery = nil
            if message.isText {
                message.kept = replacementBytes(length: message.length)
                message.keptAll = true
            } else {
                // Binary previews print as hex: the replacement is said as the reason instead.
                message.kept = []
                message.problem = replacement(length: Int(clamping: message.length))
            }
            return .wsMessage(message)
        case .wsControl(var control):
            guard !control.payload.isEmpty else { return nil }
            control.payload = replacementBytes(length: control.payload.count)
            return .wsControl(control)
        case .wsClose(var close):
            guard !close.reason.isEmpty else { return nil }
            close.reason = replacement(length: close.reason.utf8.count)
            return .wsClose(close)
        case .rawData(var chunk):
            guard !chunk.head.isEmpty else { return nil }
            chunk.head = replacementBytes(length: chunk.length)
            chunk.previewIsHex = false
            return .rawData(chunk)
        case .h2GoAway(let lastStream, let error, let debug):
            guard !debug.isEmpty else { return nil }
            return .h2GoAway(lastStream: lastStream, error: error, debug: replacement(length: debug.utf8.count))
        case .h2Stream(var summary):
            guard !summary.requestBody.isEmpty || !summary.responseBody.isEmpty else { return nil }
            if !summary.requestBody.isEmpty { summary.requestBody = replacementBytes(length: summary.requestBodyBytes) }
            if !summary.responseBody.isEmpty {
                summary.responseBody = replacementBytes(length: summary.responseBodyBytes)
            }
            return .h2Stream(summary)
        case .connectionOpened, .connectionClosed, .gap, .httpRequest, .httpResponse, .upgrade, .finding,
            .tlsClientHello, .tlsServerHello, .tlsHelloRetry, .tlsSession, .tlsEncrypted, .wsFrame, .wsClosing,
            .h2Frame, .h2Settings, .h2Headers, .h2Reset, .h2Ping, .app:
            return nil
        }
    }

    /// Values of a payload a finding may quote: the close reason, the GOAWAY debug text.
    static func quotable(_ kind: TimelineEvent.Kind) -> String? {
        switch kind {
        case .wsClose(let close): close.reason
        case .h2GoAway(_, _, let debug): debug
        case .connectionOpened, .connectionClosed, .gap, .httpRequest, .httpResponse, .httpBody, .upgrade, .finding,
            .rawData, .tlsClientHello, .tlsServerHello, .tlsHelloRetry, .tlsSession, .tlsEncrypted, .wsFrame,
            .wsMessage, .wsControl, .wsClosing, .h2Frame, .h2Settings, .h2Headers, .h2Reset, .h2Ping, .h2Stream, .app:
            nil
        }
    }
}
