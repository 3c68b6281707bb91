/// Prints every timeline event as one JSON line as it happens (schema: docs/json.md).
package final class JSONTimelinePrinter: TimelineEventSink {
    private let writer: LineWriter
    /// `--payload full`: binary WebSocket messages carry `data_b64`.
    private let includePayloads: Bool
    package private(set) var summary = TimelineSummary()
    /// `--conn`, `--stream`: the events shown (the summary counts all).
    package var selection = TimelineSelection()

    /// `escaping: .ascii` (`--json-ascii`): every string, the summary's too, escapes each
    /// character past U+007F, so the output is pure ASCII.
    package init(writer: LineWriter, includePayloads: Bool = false, escaping: JSONEscaping = .standard) {
        self.writer = writer
        self.includePayloads = includePayloads
        writer.out.jsonEscaping = escaping
    }

    /// Set for a worker of a sharded run: lines go there, in records for the merge.
    private var shard: ShardOutput? {
        didSet { shardReference = shard.map { Unmanaged.passUnretained($0) } }
    }
    /// `shard` for the per-event path, not retained per event (the property holds it).
    private var shardReference: Unmanaged<ShardOutput>?
    /// `-q`: only the summary line (events are counted, not printed).
    package var summaryOnly = false
    /// Whether any event's line was printed: with a selection, none means it matched nothing.
    package private(set) var printedEventLines = false

    package func receive(_ event: TimelineEvent) {
        summary.count(event)
        if summaryOnly { return }
        if !selection.connections.isEmpty && !selection.admits(event) { return }
        if let shardReference {
            shardReference._withUnsafeGuaranteedRef { shard in
                let start = shard.bytes.count
                Self.write(event, includePayloads: includePayloads, into: shard.bytes)
                shard.bytes.append(0x0a)
                shard.directWritten(from: start)
            }
            return
        }
        // Borrowed: passing `writer.out` itself retained and released it per event.
        Unmanaged.passUnretained(writer.out)._withUnsafeGuaranteedRef { out in
            Self.write(event, includePayloads: includePayloads, into: out)
        }
        printedEventLines = true
        writer.endLine()
    }

    // MARK: Sharded runs

    /// A printer for one worker of a sharded run, formatting into `shard`.
    func shardWorker(into shard: ShardOutput) -> JSONTimelinePrinter {
        let worker = JSONTimelinePrinter(
            writer: writer, includePayloads: includePayloads, escaping: writer.out.jsonEscaping)
        worker.selection = selection
        shard.setJSONEscaping(writer.out.jsonEscaping)
        worker.shard = shard
        worker.summaryOnly = summaryOnly
        return worker
    }

    func target(_ shard: ShardOutput) {
        shard.setJSONEscaping(writer.out.jsonEscaping)
        self.shard = shard
    }

    /// The merge: one worker's lines, in their place.
    func replay(_ record: ShardOutput.Record, bytes: UnsafeRawBufferPointer) {
        if record.linesEnd > record.linesStart { printedEventLines = true }
        writer.write(lines: UnsafeRawBufferPointer(rebasing: bytes[record.linesStart..<record.linesEnd]))
    }

    func mergeSummary(_ other: TimelineSummary) {
        summary.merge(other)
    }

    package func finish(
        statistics: DecodeStatistics, problems: [CaptureError], live: ThreadedCaptureSource.Statistics? = nil,
        scope: SummaryScope = SummaryScope()
    ) {
        writer.write(
            line: summary.jsonLine(
                statistics: statistics, problems: problems, live: live, escaping: writer.out.jsonEscaping, scope: scope)
        )
        writer.flush()
    }

    /// One event as a JSON line (no newline), for tests and the connection listing.
    package static func line(_ event: TimelineEvent, includePayloads: Bool = false) -> String {
        let buffer = OutputBuffer(capacity: 256)
        write(event, includePayloads: includePayloads, into: buffer)
        return String(decoding: buffer.bytes, as: UTF8.self)
    }

    /// Room for the `ws.frame` fields after the head: keys, two words and three numbers.
    static let webSocketFrameFieldsRoom = 64 + 3 * ReservedWriter.maxDecimalDigits
    /// Room for the `ws.message` fields before the payload: keys, two words, four numbers.
    static let webSocketMessageFieldsRoom = 96 + 4 * ReservedWriter.maxDecimalDigits

    /// Room for the `h2.frame` fields after the type name: three keys, a sign, three numbers.
    static let http2FrameFieldsRoom = 32 + 3 * ReservedWriter.maxDecimalDigits

    /// Formats `event` as one JSON object into `out`.
    static func write(_ event: TimelineEvent, includePayloads: Bool, into out: OutputBuffer) {
        var line: JSONObjectWriter
        if out.appendJSONEventHead(
            timestamp: event.timestamp, connection: event.connection, type: event.typeName, packet: event.packet,
            firstPacket: event.firstPacket < event.packet ? event.firstPacket : nil, direction: event.direction,
            offset: event.offset)
        {
            line = JSONObjectWriter(continuing: out)
        } else {
            line = JSONObjectWriter(into: out)
            line.add("ts", timestamp: event.timestamp)
            line.add("conn", event.connection)
            line.add("type", literal: event.typeName)
            line.add("frame", event.packet)
            if event.firstPacket < event.packet { line.add("frame_first", event.firstPacket) }
            if let direction = event.direction {
                line.add("dir", literal: direction == .clientToServer ? "c2s" : "s2c")
            }
            if let offset = event.offset { line.add("offset", offset) }
        }
        defer { line.close() }
        if let stream = event.stream { line.add("stream", Int(stream)) }
        if event.decrypted { line.add("tls", true) }
        switch event.kind {
        case .connectionOpened(let opening):
            connectionOpenedFields(opening, event, &line, includePayloads: includePayloads, out: out)
        case .connectionClosed(let summary):
            connectionClosedFields(summary, event, &line, includePayloads: includePayloads, out: out)
        case .gap(let length, let reason):
            gapFields(length, reason, event, &line, includePayloads: includePayloads, out: out)
        case .httpRequest(let head):
            httpRequestFields(head, event, &line, includePayloads: includePayloads, out: out)
        case .httpResponse(let head):
            httpResponseFields(head, event, &line, includePayloads: includePayloads, out: out)
        case .httpBody(let length, let chunked, _, _):
            httpBodyFields(length, chunked, event, &line, includePayloads: includePayloads, out: out)
        case .upgrade(let upgrade):
            upgradeFields(upgrade, event, &line, includePayloads: includePayloads, out: out)
        case .finding(let finding):
            findingFields(finding, event, &line, includePayloads: includePayloads, out: out)
        case .rawData(let chunk):
            rawDataFields(chunk, event, &line, includePayloads: includePayloads, out: out)
        case .tlsClientHello(let hello):
            tlsClientHelloFields(hello, event, &line, includePayloads: includePayloads, out: out)
        case .tlsServerHello(let hello):
            tlsServerHelloFields(hello, event, &line, includePayloads: includePayloads, out: out)
        case .tlsHelloRetry(let retry):
            tlsHelloRetryFields(retry, event, &line, includePayloads: includePayloads, out: out)
        case .tlsSession(let facts):
            tlsSessionFields(facts, event, &line, includePayloads: includePayloads, out: out)
        case .tlsEncrypted(let clientToServer, let serverToClient):
            tlsEncryptedFields(clientToServer, serverToClient, event, &line, includePayloads: includePayloads, out: out)
        case .wsFrame(let frame):
            webSocketFrameFields(frame, event, &line, includePayloads: includePayloads, out: out)
        case .wsMessage(let message):
            webSocketMessageFields(message, event, &line, includePayloads: includePayloads, out: out)
        case .wsControl(let control):
            webSocketControlFields(control, event, &line, includePayloads: includePayloads, out: out)
        case .wsClose(let close):
            webSocketCloseFields(close, event, &line, includePayloads: includePayloads, out: out)
        case .h2Frame(let frame):
            http2FrameFields(frame, event, &line, includePayloads: includePayloads, out: out)
        case .h2Settings(let settings):
            http2SettingsFields(settings, event, &line, includePayloads: includePayloads, out: out)
        case .h2Headers(let block):
            http2HeadersFields(block, event, &line, includePayloads: includePayloads, out: out)
        case .h2Reset(let stream, let error):
            http2ResetFields(stream, error, event, &line, includePayloads: includePayloads, out: out)
        case .h2GoAway(let lastStream, let error, let debug):
            http2GoAwayFields(lastStream, error, debug, event, &line, includePayloads: includePayloads, out: out)
        case .h2Ping(let ack, let roundTrip):
            http2PingFields(ack, roundTrip, event, &line, includePayloads: includePayloads, out: out)
        case .h2Stream(let summary):
            http2StreamFields(summary, event, &line, includePayloads: includePayloads, out: out)
        case .wsClosing(let closing):
            webSocketClosingFields(closing, event, &line, includePayloads: includePayloads, out: out)
        case .app(let application):
            line.add(application: application)
        }
    }
}
