extension JSONTimelinePrinter {
    static func http2FrameFields(
        _ frame: HTTP2FrameInfo, _ event: TimelineEvent, _ line: inout JSONObjectWriter, includePayloads: Bool,
        out: OutputBuffer
    ) {
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
        if let origins = frame.origins { line.add("origins", strings: origins) }
    }

    static func http2SettingsFields(
        _ settings: HTTP2Settings, _ event: TimelineEvent, _ line: inout JSONObjectWriter, includePayloads: Bool,
        out: OutputBuffer
    ) {
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
    }

    static func http2HeadersFields(
        _ block: HTTP2HeaderBlock, _ event: TimelineEvent, _ line: inout JSONObjectWriter, includePayloads: Bool,
        out: OutputBuffer
    ) {
        line.add("stream", Int(block.stream))
        line.add("headers", headers: block.fields)
        line.add("end_stream", block.endStream)
        line.add("frames", block.frames)
        if block.unreliable { line.add("unreliable", true) }
        if block.unknownFields > 0 { line.add("unknown_fields", block.unknownFields) }
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
    }

    static func http2ResetFields(
        _ stream: UInt32, _ error: UInt32, _ event: TimelineEvent, _ line: inout JSONObjectWriter,
        includePayloads: Bool, out: OutputBuffer
    ) {
        line.add("stream", Int(stream))
        line.add("error", HTTP2ErrorCode(rawValue: error).name)
        line.add("error_code", Int(error))
    }

    static func http2GoAwayFields(
        _ lastStream: UInt32, _ error: UInt32, _ debug: String, _ event: TimelineEvent, _ line: inout JSONObjectWriter,
        includePayloads: Bool, out: OutputBuffer
    ) {
        line.add("last_stream", Int(lastStream))
        line.add("error", HTTP2ErrorCode(rawValue: error).name)
        line.add("error_code", Int(error))
        line.add("debug", debug)
    }

    static func http2PingFields(
        _ ack: Bool, _ roundTrip: Double?, _ event: TimelineEvent, _ line: inout JSONObjectWriter,
        includePayloads: Bool, out: OutputBuffer
    ) {
        line.add("ack", ack)
        if let roundTrip { line.add("rtt_ms", roundTrip, decimals: 3) }
    }

    static func http2StreamFields(
        _ summary: HTTP2StreamSummary, _ event: TimelineEvent, _ line: inout JSONObjectWriter, includePayloads: Bool,
        out: OutputBuffer
    ) {
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
    }
}
