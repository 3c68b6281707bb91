extension ReportRecorder {
    /// h2c: the stream the upgrading HTTP/1.1 request continues as (RFC 7540 §3.2).
    static let upgradedRequestStream: UInt32 = 1

    /// The frame header's length on the wire (RFC 9113 §4.1).
    static let frameHeaderBytes: UInt64 = 9

    /// Milliseconds as nanoseconds, held within ±2⁶² (capture clocks can be anything).
    static func nanoseconds(milliseconds: Double) -> Int64 {
        let limit = Double(Int64.max / 2)
        let value = milliseconds * 1e6
        return value.isFinite ? Int64(min(limit, max(-limit, value))) : 0
    }

    func recordHTTP2Settings(_ settings: HTTP2Settings, _ event: TimelineEvent, _ id: ConnectionID) {
        guard let state = open[id] else { return }
        if !state.sawHTTP2 {
            state.sawHTTP2 = true
            if state.record.protocolBefore == "TCP" { state.record.protocolBefore = "HTTP/2" }
        }
        // The h2c upgrade's HTTP2-Settings header is part of the drawn HTTP/1.1 request.
        guard settings.source == "frame" else { return }
        recordHTTP2Control(.settings(ack: settings.ack, values: settings.values), event, id)
    }

    /// Every frame is bytes moving; frames of stream 0 that no other event names are drawn.
    func recordHTTP2Frame(_ frame: HTTP2FrameInfo, _ event: TimelineEvent, _ id: ConnectionID) {
        noteActivity(event, bytes: UInt64(max(0, frame.length)) &+ Self.frameHeaderBytes)
        let type = HTTP2FrameType(rawValue: frame.type)
        guard frame.stream == 0, type != .settings, type != .ping, type != .goAway else { return }
        recordHTTP2Control(
            .frame(type: frame.type, length: frame.length, windowIncrement: frame.windowIncrement), event, id)
    }

    func recordHTTP2Control(_ control: ReportHTTP2Control, _ event: TimelineEvent, _ id: ConnectionID) {
        guard let state = open[id], state.record.detailed else { return }
        state.record.controlFrames.append(
            ReportItem(
                time: event.timestamp, direction: event.direction, offset: event.offset, stream: nil,
                kind: .h2Control(control)))
    }

    func recordHTTP2Headers(_ block: HTTP2HeaderBlock, _ event: TimelineEvent, _ id: ConnectionID) {
        guard let state = open[id] else { return }
        let stream = block.stream
        if event.direction == .clientToServer {
            if state.streams[stream] == nil, state.streams.count < ReportLimits.maxOpenStreams {
                var exchange = ReportExchange(connection: id, stream: stream)
                exchange.requestTime = event.timestamp
                exchange.requestVersion = "HTTP/2.0"
                exchange.requestFields = block.fields
                exchange.decrypted = event.decrypted
                state.streams[stream] = exchange
            }
            return
        }
        if state.streams[stream] == nil, stream == Self.upgradedRequestStream,
            state.streams.count < ReportLimits.maxOpenStreams,
            let upgraded = state.current, upgraded.status == 101, upgraded.stream == nil
        {
            // h2c: the HTTP/1.1 request that asked for the upgrade is stream 1's (RFC 9113
            // §3.1 of RFC 7540), so its time is where stream 1's wait starts.
            var exchange = ReportExchange(connection: id, stream: stream)
            exchange.requestTime = upgraded.requestTime
            exchange.requestFields = upgraded.requestFields
            exchange.decrypted = event.decrypted
            state.streams[stream] = exchange
        }
        if state.streams[stream] != nil, state.streams[stream]?.status == nil,
            let status = block.fields.first(where: { $0.name == ":status" }).flatMap({ Int($0.value) }),
            !(100...199).contains(status)
        {
            state.streams[stream]?.status = status
            state.streams[stream]?.responseTime = event.timestamp
            state.streams[stream]?.responseVersion = "HTTP/2.0"
            state.streams[stream]?.responseFields = block.fields
        }
    }

    func recordHTTP2Stream(_ summary: HTTP2StreamSummary, _ event: TimelineEvent, _ id: ConnectionID) {
        guard let state = open[id], state.record.detailed else { return }
        var exchange =
            state.streams.removeValue(forKey: summary.stream)
            ?? ReportExchange(connection: id, stream: summary.stream)
        exchange.requestMethod = summary.method
        exchange.requestTarget = summary.path
        exchange.requestVersion = "HTTP/2.0"
        if exchange.status == nil { exchange.status = summary.status }
        if exchange.responseVersion == nil, summary.status != nil { exchange.responseVersion = "HTTP/2.0" }
        exchange.requestBodyBytes = summary.requestBodyBytes
        exchange.responseBodyBytes = summary.responseBodyBytes
        let requestKept = keepable(summary.requestBody.count, limit: ReportLimits.bodyBytes)
        exchange.requestBody = Array(summary.requestBody[..<requestKept])
        exchange.requestBodyTruncated = UInt64(requestKept) < summary.requestBodyBytes
        let responseKept = keepable(summary.responseBody.count, limit: ReportLimits.bodyBytes)
        exchange.responseBody = Array(summary.responseBody[..<responseKept])
        exchange.responseBodyTruncated = UInt64(responseKept) < summary.responseBodyBytes
        exchange.reset = summary.reset
        exchange.unfinished = summary.unfinished
        // The times were taken at the HEADERS frames; a stream past `maxOpenStreams` (or
        // whose HEADERS were lost) gets them from the summary's durations instead.
        if exchange.requestTime == nil {
            exchange.requestTime = event.timestamp.adding(
                nanoseconds: -Self.nanoseconds(milliseconds: summary.totalMilliseconds ?? 0))
        }
        if exchange.responseTime == nil, let requestTime = exchange.requestTime,
            let ttfb = summary.timeToFirstByteMilliseconds
        {
            exchange.responseTime = requestTime.adding(nanoseconds: Self.nanoseconds(milliseconds: ttfb))
        }
        exchange.responseEnd = event.timestamp
        // Keep the scheme and authority for the URL even when the header block was lost.
        if !exchange.requestFields.contains(where: { $0.name == ":authority" }), let authority = summary.authority {
            exchange.requestFields.append(HTTPField(name: ":authority", value: authority))
        }
        if !exchange.requestFields.contains(where: { $0.name == ":scheme" }), let scheme = summary.scheme {
            exchange.requestFields.append(HTTPField(name: ":scheme", value: scheme))
        }
        state.record.exchanges.append(exchange)
    }
}
