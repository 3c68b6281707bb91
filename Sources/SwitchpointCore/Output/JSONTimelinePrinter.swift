/// Prints every timeline event as one JSON line as it happens (schema: docs/json.md).
public final class JSONTimelinePrinter: TimelineEventSink {
    private let writer: LineWriter
    public private(set) var summary = TimelineSummary()

    public init(writer: LineWriter) {
        self.writer = writer
    }

    public func receive(_ event: TimelineEvent) {
        summary.count(event)
        writer.write(line: Self.line(event))
    }

    public func finish(statistics: DecodeStatistics, problems: [CaptureError]) {
        writer.write(line: summary.jsonLine(statistics: statistics, problems: problems))
        writer.flush()
    }

    public static func line(_ event: TimelineEvent) -> String {
        var line = JSONLine()
        line.add("ts", timestamp: event.timestamp)
        line.add("conn", event.connection)
        line.add("type", event.typeName)
        if let direction = event.direction { line.add("dir", direction.shortName) }
        if let offset = event.offset { line.add("offset", offset) }
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
            line.add("handshake", summary.handshake.rawValue)
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
        }
        return line.line
    }

    static func headersJSON(_ headers: HTTPHeaders) -> String {
        "[" + headers.fields.map { "[" + JSONLine.quoted($0.name) + "," + JSONLine.quoted($0.value) + "]" }.joined(separator: ",") + "]"
    }
}
