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
            line.add("client", opening.client.description)
            line.add("server", opening.server.description)
            line.add("handshake_seen", opening.startSeen)
            line.add("role_evidence", opening.roleEvidence.rawValue)
        case .connectionClosed(let summary):
            line.add("reason", summary.reason.rawValue)
            if let state = summary.openState {
                line.add("open_protocol", state.protocolName)
                line.add("in_flight", state.inFlight)
                line.add("in_flight_unit", state.unit.rawValue)
            }
            line.add("bytes_c2s", summary.clientToServer.deliveredBytes)
            line.add("bytes_s2c", summary.serverToClient.deliveredBytes)
            line.add("packets_c2s", summary.clientToServer.packets)
            line.add("packets_s2c", summary.serverToClient.packets)
            line.add("gaps", summary.clientToServer.gaps + summary.serverToClient.gaps)
            line.add("gap_bytes", summary.clientToServer.gapBytes + summary.serverToClient.gapBytes)
            line.add(
                "retransmitted_bytes",
                summary.clientToServer.retransmittedBytes + summary.serverToClient.retransmittedBytes)
            line.add("handshake", summary.handshake.rawValue)
            line.add("start", timestamp: summary.start)
            line.add("duration", summary.end.seconds(since: summary.start), decimals: 6)
            line.addAnomalyCounts(summary)
        case .gap(let length, let reason):
            line.add("len", length)
            line.add("reason", reason.rawValue)
        case .httpRequest(let head):
            line.add("method", head.method)
            line.add("target", head.target)
            line.add("version", head.version)
            line.add("headers", headers: head.headers.fields)
        case .httpResponse(let head):
            line.add("status", head.status)
            line.add("reason", head.reason)
            line.add("version", head.version)
            line.add("headers", headers: head.headers.fields)
        case .httpBody(let length, let chunked, _, _):
            line.add("len", length)
            line.add("chunked", chunked)
        case .upgrade(let upgrade):
            line.add("protocol", upgrade.protocolName)
            line.add("status", upgrade.status)
            line.add("c2s_offset", upgrade.clientToServerOffset)
            line.add("s2c_offset", upgrade.serverToClientOffset)
            line.add("latency_ms", upgrade.latencyMilliseconds, decimals: 3)
            line.add("target", upgrade.target)
            if let outcome = upgrade.outcome {
                line.add("outcome", literal: outcome.name)
                if case .rejectedByClient(let how) = outcome { line.add("rejected_with", how.rawValue) }
            }
            for detail in upgrade.details {
                line.key(escaping: detail.name)
                out.appendJSONString(detail.value)
            }
        case .finding(let finding):
            line.add("code", finding.code.rawValue)
            line.add("severity", finding.severity.rawValue)
            line.add("message", finding.message)
        case .rawData(let chunk):
            line.add("protocol", chunk.protocolName)
            line.add("len", chunk.length)
            if chunk.notRecognised || chunk.packets > 1 {
                line.add("packets", chunk.packets)
                line.add("not_recognised", chunk.notRecognised)
            }
            if chunk.previewIsHex {
                chunk.head.withUnsafeBytes { head in
                    line.add(
                        "preview_hex",
                        spacedHex: UnsafeRawBufferPointer(
                            rebasing: head[..<min(head.count, RawStreamDissector.previewLength / 2)]))
                }
            } else {
                line.add("preview", bytes: chunk.head)
            }
        case .tlsClientHello(let hello):
            line.add("version", hello.version)
            line.add("sni", hello.serverName)
            line.add("alpn", strings: hello.alpn)
        case .tlsServerHello(let hello):
            line.add("version", hello.version)
            line.add("alpn", hello.alpn)
            line.add("selection_encrypted", hello.selectionEncrypted)
            line.add("cipher_suite", hello.cipherSuite)
        case .tlsHelloRetry(let retry):
            line.add("cipher_suite", retry.cipherSuite)
            line.add("group", retry.group)
        case .tlsSession(let facts):
            line.add("version", facts.version)
            line.add("cipher_suite", facts.cipherSuite)
            line.add("sni", facts.serverName)
            line.add("alpn_offered", strings: facts.alpnOffered)
            line.add("alpn", facts.alpn)
            line.add("resumed", facts.resumed)
            line.add("decrypted", facts.decrypted)
            if let certificate = facts.certificate {
                line.add("cert_subject", certificate.subject)
                line.add("cert_issuer", certificate.issuer)
                line.add("cert_not_before", certificate.notBefore)
                line.add("cert_not_after", certificate.notAfter)
            }
        case .tlsEncrypted(let clientToServer, let serverToClient):
            line.add("bytes_c2s", clientToServer)
            line.add("bytes_s2c", serverToClient)
        case .wsFrame(let frame):
            // The most frequent lines: their fields in one reservation (`ReservedWriter`).
            out.withReserved(Self.webSocketFrameFieldsRoom) { run in
                run.put(",\"fin\":")
                run.put(frame.fin)
                run.put(",\"rsv\":")
                run.put(decimal: UInt64(frame.rsv))
                run.put(",\"opcode\":")
                run.put(decimal: UInt64(frame.opcode))
                run.put(",\"masked\":")
                run.put(frame.masked)
                run.put(",\"len\":")
                run.put(decimal: frame.payloadLength)
            }
        case .wsMessage(let message):
            out.withReserved(Self.webSocketMessageFieldsRoom) { run in
                run.put(",\"opcode\":")
                run.put(decimal: UInt64(message.opcode))
                run.put(",\"len\":")
                if message.lengthUnknown { run.put("null") } else { run.put(decimal: message.length) }
                run.put(",\"frames\":")
                run.put(decimal: UInt64(max(0, message.frames)))
                run.put(",\"compressed\":")
                run.put(message.compressed)
                if message.compressed {
                    run.put(",\"wire_len\":")
                    run.put(decimal: message.wireLength)
                }
                run.put(",\"complete\":")
                run.put(message.complete)
            }
            if let problem = message.problem { line.add("problem", problem) }
            if message.problem == nil {
                if message.isText {
                    line.add("text", bytes: message.kept)
                } else if includePayloads && message.keptAll {
                    line.add("data_b64", Base64.encode(message.kept))
                } else {
                    message.kept.withUnsafeBytes { kept in
                        line.add(
                            "preview_hex",
                            spacedHex: UnsafeRawBufferPointer(
                                rebasing: kept[..<min(kept.count, TextTimelinePrinter.previewHexBytes)]))
                    }
                }
                if !message.keptAll { line.add("truncated", true) }
            }
        case .wsControl(let control):
            line.add("len", control.payload.count)
            line.add("payload", bytes: control.payload)
            if let roundTrip = control.roundTripMilliseconds { line.add("rtt_ms", roundTrip, decimals: 3) }
        case .wsClose(let close):
            if let code = close.code { line.add("code", Int(code)) } else { line.addNull("code") }
            line.add("reason", close.reason)
        case .h2Frame(let frame):
            line.add("frame_type", Int(frame.type))
            line.add("type_name", HTTP2FrameType(rawValue: frame.type).name)
            out.withReserved(Self.http2FrameFieldsRoom) { run in
                run.put(",\"stream\":")
                run.put(decimal: UInt64(frame.stream))
                run.put(",\"flags\":")
                run.put(decimal: UInt64(frame.flags))
                run.put(",\"len\":")
                if frame.length < 0 { run.put("-") }
                run.put(decimal: frame.length.magnitude.toUInt64)
            }
            if let increment = frame.windowIncrement { line.add("window_increment", Int(increment)) }
            if let data = frame.pingData { line.add("ping_data", data) }
            if let padding = frame.padLength { line.add("pad_length", padding) }
        case .h2Settings(let settings):
            line.add("source", settings.source)
            line.add("ack", settings.ack)
            line.key("settings")
            out.append(UInt8(ascii: "["))
            for (index, setting) in settings.values.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                out.append(UInt8(ascii: "["))
                out.appendJSONString(HTTP2SettingID(rawValue: setting.identifier).name)
                out.append(UInt8(ascii: ","))
                out.append(decimal: UInt64(setting.value))
                out.append(UInt8(ascii: "]"))
            }
            out.append(UInt8(ascii: "]"))
        case .h2Headers(let block):
            line.add("stream", Int(block.stream))
            line.add("headers", headers: block.fields)
            line.add("end_stream", block.endStream)
            line.add("frames", block.frames)
            if block.unreliable { line.add("unreliable", true) }
            if !block.tableSizeUpdates.isEmpty {
                line.key("table_size_updates")
                out.append(UInt8(ascii: "["))
                for (index, size) in block.tableSizeUpdates.enumerated() {
                    if index > 0 { out.append(UInt8(ascii: ",")) }
                    out.append(decimal: size)
                }
                out.append(UInt8(ascii: "]"))
            }
            if let promised = block.promisedStream { line.add("promised_stream", Int(promised)) }
        case .h2Reset(let stream, let error):
            line.add("stream", Int(stream))
            line.add("error", HTTP2ErrorCode(rawValue: error).name)
            line.add("error_code", Int(error))
        case .h2GoAway(let lastStream, let error, let debug):
            line.add("last_stream", Int(lastStream))
            line.add("error", HTTP2ErrorCode(rawValue: error).name)
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
            if let reset = summary.reset { line.add("reset", HTTP2ErrorCode(rawValue: reset).name) }
            if let ttfb = summary.timeToFirstByteMilliseconds { line.add("ttfb_ms", ttfb, decimals: 3) }
            if let total = summary.totalMilliseconds { line.add("total_ms", total, decimals: 3) }
            line.add("unfinished", summary.unfinished)
        case .wsClosing(let closing):
            line.add("first_dir", closing.firstDirection.shortName)
            if let code = closing.firstCode { line.add("code", Int(code)) } else { line.addNull("code") }
            line.add("answered", closing.answered)
            if let answer = closing.answerMilliseconds { line.add("answer_ms", answer, decimals: 3) }
        }
    }
}
