/// Prints every timeline event as one JSON line as it happens (schema: docs/json.md).
public final class JSONTimelinePrinter: TimelineEventSink {
    private let writer: LineWriter
    /// `--payload full`: binary WebSocket messages carry `data_b64`.
    private let includePayloads: Bool
    public private(set) var summary = TimelineSummary()

    public init(writer: LineWriter, includePayloads: Bool = false) {
        self.writer = writer
        self.includePayloads = includePayloads
    }

    public func receive(_ event: TimelineEvent) {
        summary.count(event)
        writer.write(line: Self.line(event, includePayloads: includePayloads))
    }

    public func finish(statistics: DecodeStatistics, problems: [CaptureError], live: ThreadedCaptureSource.Statistics? = nil) {
        writer.write(line: summary.jsonLine(statistics: statistics, problems: problems, live: live))
        writer.flush()
    }

    public static func line(_ event: TimelineEvent, includePayloads: Bool = false) -> String {
        var line = JSONLine()
        line.add("ts", timestamp: event.timestamp)
        line.add("conn", event.connection)
        line.add("type", event.typeName)
        if let direction = event.direction { line.add("dir", direction.shortName) }
        if let offset = event.offset { line.add("offset", offset) }
        if let stream = event.stream { line.add("stream", Int(stream)) }
        switch event.kind {
        case .connectionOpened(let opening):
            line.add("client", opening.client.description)
            line.add("server", opening.server.description)
            line.add("handshake_seen", opening.startSeen)
            line.add("role_evidence", opening.roleEvidence.rawValue)
        case .connectionClosed(let summary):
            line.add("reason", summary.reason.rawValue)
            line.add("bytes_c2s", summary.clientToServer.deliveredBytes)
            line.add("bytes_s2c", summary.serverToClient.deliveredBytes)
            line.add("packets_c2s", summary.clientToServer.packets)
            line.add("packets_s2c", summary.serverToClient.packets)
            line.add("gaps", summary.clientToServer.gaps + summary.serverToClient.gaps)
            line.add("gap_bytes", summary.clientToServer.gapBytes + summary.serverToClient.gapBytes)
            line.add("retransmitted_bytes", summary.clientToServer.retransmittedBytes + summary.serverToClient.retransmittedBytes)
            line.add("handshake", summary.handshake.rawValue)
            line.add("start", timestamp: summary.start)
            line.add("duration", summary.end.seconds(since: summary.start), decimals: 6)
        case .gap(let length, let reason):
            line.add("len", length)
            line.add("reason", reason.rawValue)
        case .httpRequest(let head):
            line.add("method", head.method)
            line.add("target", head.target)
            line.add("version", head.version)
            line.addRaw("headers", json: headersJSON(head.headers))
        case .httpResponse(let head):
            line.add("status", head.status)
            line.add("reason", head.reason)
            line.add("version", head.version)
            line.addRaw("headers", json: headersJSON(head.headers))
        case .httpBody(let length, let chunked):
            line.add("len", length)
            line.add("chunked", chunked)
        case .upgrade(let upgrade):
            line.add("protocol", upgrade.protocolName)
            line.add("status", upgrade.status)
            line.add("c2s_offset", upgrade.clientToServerOffset)
            line.add("s2c_offset", upgrade.serverToClientOffset)
            line.add("latency_ms", upgrade.latencyMilliseconds, decimals: 3)
            line.add("target", upgrade.target)
            for detail in upgrade.details { line.add(detail.name, detail.value) }
        case .finding(let finding):
            line.add("code", finding.code)
            line.add("severity", finding.severity.rawValue)
            line.add("message", finding.message)
        case .rawData(let chunk):
            line.add("protocol", chunk.protocolName)
            line.add("len", chunk.length)
            line.add(chunk.previewIsHex ? "preview_hex" : "preview", chunk.preview)
        case .tlsClientHello(let hello):
            line.add("version", hello.version)
            line.add("sni", hello.serverName)
            line.addRaw("alpn", json: "[" + hello.alpn.map(JSONLine.quoted).joined(separator: ",") + "]")
        case .tlsServerHello(let hello):
            line.add("version", hello.version)
            line.add("alpn", hello.alpn)
            line.add("selection_encrypted", hello.selectionEncrypted)
        case .tlsEncrypted(let clientToServer, let serverToClient):
            line.add("bytes_c2s", clientToServer)
            line.add("bytes_s2c", serverToClient)
        case .wsFrame(let frame):
            line.add("fin", frame.fin)
            line.add("rsv", Int(frame.rsv))
            line.add("opcode", Int(frame.opcode))
            line.add("masked", frame.masked)
            line.add("len", frame.payloadLength)
        case .wsMessage(let message):
            line.add("opcode", Int(message.opcode))
            line.add("len", message.length)
            line.add("frames", message.frames)
            line.add("compressed", message.compressed)
            if message.compressed { line.add("wire_len", message.wireLength) }
            line.add("complete", message.complete)
            if let problem = message.problem { line.add("problem", problem) }
            if message.problem == nil {
                if message.isText {
                    line.add("text", String(decoding: message.kept, as: UTF8.self))
                } else if includePayloads && message.keptAll {
                    line.add("data_b64", Base64.encode(message.kept))
                } else {
                    line.add("preview_hex", hexString(message.kept.prefix(32)))
                }
                if !message.keptAll { line.add("truncated", true) }
            }
        case .wsControl(let control):
            line.add("len", control.payload.count)
            line.add("payload", String(decoding: control.payload, as: UTF8.self))
            if let roundTrip = control.roundTripMilliseconds { line.add("rtt_ms", roundTrip, decimals: 3) }
        case .wsClose(let close):
            if let code = close.code { line.add("code", Int(code)) } else { line.addNull("code") }
            line.add("reason", close.reason)
        case .h2Frame(let frame):
            line.add("frame_type", Int(frame.type))
            line.add("type_name", HTTP2Names.frameType(frame.type))
            line.add("stream", Int(frame.stream))
            line.add("flags", Int(frame.flags))
            line.add("len", frame.length)
        case .h2Settings(let settings):
            line.add("source", settings.source)
            line.add("ack", settings.ack)
            line.addRaw("settings", json: "[" + settings.values.map { "[" + JSONLine.quoted(HTTP2Names.setting($0.identifier)) + "," + String($0.value) + "]" }.joined(separator: ",") + "]")
        case .h2Headers(let block):
            line.add("stream", Int(block.stream))
            line.addRaw("headers", json: headersJSON(HTTPHeaders(block.fields)))
            line.add("end_stream", block.endStream)
            line.add("frames", block.frames)
            if block.unreliable { line.add("unreliable", true) }
            if !block.tableSizeUpdates.isEmpty {
                line.addRaw("table_size_updates", json: "[" + block.tableSizeUpdates.map(String.init).joined(separator: ",") + "]")
            }
            if let promised = block.promisedStream { line.add("promised_stream", Int(promised)) }
        case .h2Reset(let stream, let error):
            line.add("stream", Int(stream))
            line.add("error", HTTP2Names.error(error))
            line.add("error_code", Int(error))
        case .h2GoAway(let lastStream, let error, let debug):
            line.add("last_stream", Int(lastStream))
            line.add("error", HTTP2Names.error(error))
            line.add("error_code", Int(error))
            line.add("debug", debug)
        case .h2Ping(let ack, let roundTrip):
            line.add("ack", ack)
            if let roundTrip { line.add("rtt_ms", roundTrip, decimals: 3) }
        case .h2Stream(let summary):
            line.add("stream", Int(summary.stream))
            line.add("method", summary.method)
            line.add("scheme", summary.scheme)
            line.add("authority", summary.authority)
            line.add("path", summary.path)
            if let connectProtocol = summary.connectProtocol { line.add("protocol", connectProtocol) }
            if let status = summary.status { line.add("status", status) } else { line.addNull("status") }
            line.add("bytes_c2s", summary.requestBodyBytes)
            line.add("bytes_s2c", summary.responseBodyBytes)
            if let reset = summary.reset { line.add("reset", HTTP2Names.error(reset)) }
            if let ttfb = summary.timeToFirstByteMilliseconds { line.add("ttfb_ms", ttfb, decimals: 3) }
            if let total = summary.totalMilliseconds { line.add("total_ms", total, decimals: 3) }
            line.add("unfinished", summary.unfinished)
        case .wsClosing(let closing):
            line.add("first_dir", closing.firstDirection.shortName)
            if let code = closing.firstCode { line.add("code", Int(code)) } else { line.addNull("code") }
            line.add("answered", closing.answered)
            if let answer = closing.answerMilliseconds { line.add("answer_ms", answer, decimals: 3) }
        }
        return line.line
    }

    static func hexString(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { $0 < 16 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined(separator: " ")
    }

    static func headersJSON(_ headers: HTTPHeaders) -> String {
        "[" + headers.fields.map { "[" + JSONLine.quoted($0.name) + "," + JSONLine.quoted($0.value) + "]" }.joined(separator: ",") + "]"
    }
}
