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
    /// A WebSocket connection was joined mid-stream (its protocol told by content): its
    /// counts leave out what came before the capture, so they are "at least".
    package var webSocketJoinedMidStream = false

    package init() {}

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
        default: return false
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
        webSocketJoinedMidStream = webSocketJoinedMidStream || other.webSocketJoinedMidStream
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
        return parts.isEmpty ? nil : "messages: " + parts.joined(separator: "; ")
    }

    /// The summary's `messages` object (docs/json.md): every protocol, every count. Keys in
    /// sorted order, as `switchpoint merge` writes the objects it adds up.
    var json: String {
        "{\"http1\":{\"requests\":\(http1Requests),\"responses\":\(http1Responses)},"
            + "\"http2\":{\"streams\":\(http2Streams)},\"raw\":{\"chunks\":\(rawChunks)},"
            + "\"websocket\":{\"close\":\(webSocketCloses),\"control\":\(webSocketControl),\"messages\":\(webSocketMessages)}}"
    }
}
