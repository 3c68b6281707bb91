/// Messages and streams per protocol for the summary (text and JSON): plain counters, one
/// increment per counted event, no dictionary on the per-event path.
package struct ProtocolTotals: Sendable, Equatable {
    package var http1Requests = 0
    package var http1Responses = 0
    /// Text and binary messages (a fragmented message counts once).
    package var webSocketMessages = 0
    /// Pings and pongs.
    package var webSocketControl = 0
    package var webSocketCloses = 0
    /// Finished request/response exchanges (HTTP/2 streams).
    package var http2Streams = 0
    /// Chunks of upgraded protocols switchpoint does not dissect.
    package var rawChunks = 0
    /// Application events (protocols inside WebSocket) per protocol and operation. A
    /// dictionary, touched by application events only.
    package var applications: [ApplicationOperation: Int] = [:]
    /// Distinct protocol and operation pairs counted; past it (operation names come from
    /// the wire) events count under `otherOperation`.
    static let maxApplicationOperations = 256
    static let otherOperation = "(other)"
    /// A WebSocket connection was joined mid-stream (its protocol told by content): its
    /// counts leave out what came before the capture, so they are "at least".
    package var webSocketJoinedMidStream = false

    package init() {}

    /// One application event.
    mutating func count(_ event: ApplicationEvent) {
        var key = ApplicationOperation(protocolName: event.protocolName, operation: event.operation)
        // One lookup for a known pair (every event but the first of each).
        if let known = applications.index(forKey: key) {
            applications.values[known] += 1
            return
        }
        if applications.count >= Self.maxApplicationOperations { key.operation = Self.otherOperation }
        applications[key, default: 0] += 1
    }

    /// Counts `tag` when it is a message or stream; false when it is not one.
    @inline(__always)
    mutating func count(_ tag: TimelineEvent.Tag) -> Bool {
        switch tag {
        case .httpRequest: http1Requests += 1
        case .httpResponse: http1Responses += 1
        case .wsMessage: webSocketMessages += 1
        case .wsControl: webSocketControl += 1
        case .wsClose: webSocketCloses += 1
        case .h2Stream: http2Streams += 1
        case .rawData: rawChunks += 1
        case .connectionOpened, .connectionClosed, .gap, .httpBody, .upgrade, .finding, .tlsClientHello,
            .tlsServerHello, .tlsHelloRetry, .tlsSession, .tlsEncrypted, .wsFrame, .wsClosing, .h2Frame, .h2Settings,
            .h2Headers, .h2Reset, .h2GoAway, .h2Ping, .app:
            return false
        }
        return true
    }

    mutating func merge(_ other: ProtocolTotals) {
        http1Requests += other.http1Requests
        http1Responses += other.http1Responses
        webSocketMessages += other.webSocketMessages
        webSocketControl += other.webSocketControl
        webSocketCloses += other.webSocketCloses
        http2Streams += other.http2Streams
        rawChunks += other.rawChunks
        applications.merge(other.applications, uniquingKeysWith: +)
        webSocketJoinedMidStream = webSocketJoinedMidStream || other.webSocketJoinedMidStream
    }

    /// Protocol names with their operations' counts, both sorted by name.
    private var applicationsByProtocol: [(protocolName: String, operations: [(String, Int)])] {
        Dictionary(grouping: applications, by: \.key.protocolName)
            .map { name, entries in (name, entries.map { ($0.key.operation, $0.value) }.sorted { $0.0 < $1.0 }) }
            .sorted { $0.protocolName < $1.protocolName }
    }

    /// `messages: http1 2 requests, 2 responses; websocket 5 messages, …`, nil when nothing
    /// was counted.
    var textLine: String? {
        var parts: [String] = []
        let atLeast = webSocketJoinedMidStream ? "at least " : ""
        if http1Requests + http1Responses > 0 {
            parts.append(
                "http1 " + CountedNoun.text(http1Requests, "request") + ", "
                    + CountedNoun.text(http1Responses, "response"))
        }
        if webSocketMessages + webSocketControl + webSocketCloses > 0 {
            parts.append(
                "websocket " + atLeast + CountedNoun.text(webSocketMessages, "message") + ", " + atLeast
                    + CountedNoun.text(webSocketControl, "ping/pong", "pings/pongs") + ", " + atLeast
                    + CountedNoun.text(webSocketCloses, "close frame"))
        }
        if http2Streams > 0 { parts.append("http2 " + CountedNoun.text(http2Streams, "stream")) }
        if rawChunks > 0 { parts.append("raw " + CountedNoun.text(rawChunks, "chunk")) }
        for (name, operations) in applicationsByProtocol {
            parts.append(
                TerminalText.escape(name) + " "
                    + operations.map { TerminalText.escape($0.0) + " " + String($0.1) }.joined(separator: ", "))
        }
        return parts.isEmpty ? nil : "messages: " + parts.joined(separator: "; ")
    }

    /// The summary's `messages` object (docs/json.md): every protocol, every count. Keys in
    /// sorted order, as `switchpoint merge` writes the objects it adds up.
    var json: String {
        applicationsJSON + "\"http1\":{\"requests\":\(http1Requests),\"responses\":\(http1Responses)},"
            + "\"http2\":{\"streams\":\(http2Streams)},\"raw\":{\"chunks\":\(rawChunks)},"
            + "\"websocket\":{\"close\":\(webSocketCloses),\"control\":\(webSocketControl),\"messages\":\(webSocketMessages)}}"
    }

    /// `{"app":{"jsonrpc":{"request":3,…},…},` (sorted, as merge writes it), or `{` with none.
    private var applicationsJSON: String {
        guard !applications.isEmpty else { return "{" }
        let protocols = applicationsByProtocol.map { name, operations in
            Self.quoted(name) + ":{"
                + operations.map { Self.quoted($0.0) + ":" + String($0.1) }.joined(separator: ",") + "}"
        }
        return "{\"app\":{" + protocols.joined(separator: ",") + "},"
    }

    private static func quoted(_ text: String) -> String {
        let out = OutputBuffer(capacity: 64)
        out.appendJSONString(text)
        return String(decoding: out.bytes, as: UTF8.self)
    }
}

/// A protocol inside WebSocket and one of its operations (`jsonrpc`, `request`).
package struct ApplicationOperation: Hashable, Sendable {
    package var protocolName: String
    package var operation: String
}
