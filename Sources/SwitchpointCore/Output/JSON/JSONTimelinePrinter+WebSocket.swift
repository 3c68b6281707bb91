extension JSONTimelinePrinter {
    static func webSocketFrameFields(
        _ frame: WebSocketFrameHeader, _ event: TimelineEvent, _ line: inout JSONObjectWriter, includePayloads: Bool,
        out: OutputBuffer
    ) {
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
    }

    static func webSocketMessageFields(
        _ message: WebSocketMessage, _ event: TimelineEvent, _ line: inout JSONObjectWriter, includePayloads: Bool,
        out: OutputBuffer
    ) {
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
        if message.problem == nil, let recovery = message.recovery {
            addRecovery(recovery, kept: message.kept, keptAll: message.keptAll, to: &line)
        } else if message.problem == nil {
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
    }

    static func webSocketControlFields(
        _ control: WebSocketControl, _ event: TimelineEvent, _ line: inout JSONObjectWriter, includePayloads: Bool,
        out: OutputBuffer
    ) {
        line.add("len", control.payload.count)
        line.add("payload", bytes: control.payload)
        if let roundTrip = control.roundTripMilliseconds { line.add("rtt_ms", roundTrip, decimals: 3) }
    }

    static func webSocketCloseFields(
        _ close: WebSocketClose, _ event: TimelineEvent, _ line: inout JSONObjectWriter, includePayloads: Bool,
        out: OutputBuffer
    ) {
        if let code = close.code { line.add("code", Int(code)) } else { line.addNull("code") }
        line.add("reason", close.reason)
    }

    static func webSocketClosingFields(
        _ closing: WebSocketClosing, _ event: TimelineEvent, _ line: inout JSONObjectWriter, includePayloads: Bool,
        out: OutputBuffer
    ) {
        line.add("first_dir", closing.firstDirection.shortName)
        if let code = closing.firstCode { line.add("code", Int(code)) } else { line.addNull("code") }
        line.add("answered", closing.answered)
        if let answer = closing.answerMilliseconds { line.add("answer_ms", answer, decimals: 3) }
    }

    /// A message with bytes from a compression history never captured: its known byte
    /// ranges, how many bytes are known, and the text with `·` for each unknown byte.
    private static func addRecovery(
        _ recovery: WebSocketRecovery, kept: [UInt8], keptAll: Bool, to line: inout JSONObjectWriter
    ) {
        line.add("known", ranges: recovery.known)
        if recovery.knownTruncated { line.add("known_truncated", true) }
        line.add("recovered", recovery.recovered)
        line.add("text", bytes: recovery.display(kept))
        if !keptAll { line.add("truncated", true) }
    }
}
