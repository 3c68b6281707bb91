extension TextTimelinePrinter {
    func http2FrameLine(_ frame: HTTP2FrameInfo, _ event: TimelineEvent, _ context: LineContext) {
        let out = context.out
        guard options.verbose else { return }
        startLine(context)
        out.append("frame ")
        out.append(trusted: HTTP2FrameType(rawValue: frame.type).name)
        out.append(" stream ")
        out.append(decimal: UInt64(frame.stream))
        out.append(" flags ")
        appendHTTP2FlagNames(type: frame.type, flags: frame.flags, into: out)
        out.append(" len ")
        out.append(decimal: frame.length)
        if let padding = frame.padLength {
            out.append(" padding ")
            out.append(decimal: padding)
        }
        if let increment = frame.windowIncrement {
            out.append(" increment ")
            out.append(decimal: UInt64(increment))
        }
        if let data = frame.pingData {
            out.append(" data 0x")
            for shift in stride(from: 56, through: 0, by: -8) {
                out.append(hexByte: UInt8(truncatingIfNeeded: data >> UInt64(shift)))
            }
        }
        if let origins = frame.origins {
            out.append(" origins ")
            if origins.isEmpty { out.append("(none)") }
            appendList(origins, separator: ",", into: out)
        }
        endLine(context)
    }

    func http2SettingsLine(_ settings: HTTP2Settings, _ event: TimelineEvent, _ context: LineContext) {
        let out = context.out
        startLine(context)
        if settings.ack {
            out.append("SETTINGS ack")
        } else {
            out.append("SETTINGS")
            if settings.source != "frame" {
                out.append(" (")
                out.append(trusted: settings.source)
                out.append(UInt8(ascii: ")"))
            }
            out.append(UInt8(ascii: " "))
            if settings.values.isEmpty { out.append("(empty)") }
            for (index, setting) in settings.values.enumerated() {
                if index > 0 { out.append(UInt8(ascii: " ")) }
                out.append(trusted: HTTP2SettingID(rawValue: setting.identifier).name)
                out.append(UInt8(ascii: "="))
                out.append(decimal: UInt64(setting.value))
            }
        }
        endLine(context)
    }

    func http2HeadersLine(_ block: HTTP2HeaderBlock, _ event: TimelineEvent, _ context: LineContext) {
        let out = context.out
        guard options.verbose else { return }
        startLine(context)
        if let promised = block.promisedStream {
            out.append("push_promise stream ")
            out.append(decimal: UInt64(block.stream))
            out.append(" → ")
            out.append(decimal: UInt64(promised))
        } else {
            out.append("headers stream ")
            out.append(decimal: UInt64(block.stream))
        }
        if block.endStream { out.append(" end_stream") }
        // Trailers carry no pseudo-header (RFC 9113 §8.1): a block without one ends a message.
        if block.promisedStream == nil, !block.unreliable, !block.fields.isEmpty,
            !block.fields.contains(where: { $0.name.utf8.first == UInt8(ascii: ":") })
        {
            out.append(" trailers")
        }
        if block.frames > 1 {
            out.append(" (")
            out.append(decimal: block.frames)
            out.append(" frames)")
        }
        if !block.tableSizeUpdates.isEmpty {
            out.append(" table size update ")
            for (index, size) in block.tableSizeUpdates.enumerated() {
                if index > 0 { out.append(", ") }
                out.append(decimal: size)
            }
        }
        if block.unreliable {
            out.append("  [HPACK state lost: not shown]")
            endLine(context)
            return
        }
        if block.unknownFields > 0 {
            out.append("  [")
            out.append(decimal: block.unknownFields)
            out.append(block.unknownFields == 1 ? " field" : " fields")
            out.append(" from HPACK history before the capture]")
        }
        endLine(context)
        for field in block.fields { headerFieldLine(field, context) }
    }

    func http2ResetLine(_ stream: UInt32, _ error: UInt32, _ event: TimelineEvent, _ context: LineContext) {
        let out = context.out
        startLine(context)
        out.append("RST_STREAM stream ")
        out.append(decimal: UInt64(stream))
        out.append(UInt8(ascii: " "))
        out.append(trusted: HTTP2ErrorCode(rawValue: error).name)
        endLine(context)
    }

    func http2GoAwayLine(
        _ lastStream: UInt32, _ error: UInt32, _ debug: String, _ event: TimelineEvent, _ context: LineContext
    ) {
        let out = context.out
        startLine(context)
        out.append("GOAWAY last stream ")
        out.append(decimal: UInt64(lastStream))
        out.append(UInt8(ascii: " "))
        out.append(trusted: HTTP2ErrorCode(rawValue: error).name)
        if !debug.isEmpty {
            out.append("  \"")
            out.appendTerminalEscaped(debug)
            out.append(UInt8(ascii: "\""))
        }
        endLine(context)
    }

    func http2PingLine(_ ack: Bool, _ roundTrip: Double?, _ event: TimelineEvent, _ context: LineContext) {
        let out = context.out
        startLine(context)
        out.append(ack ? "PING ack" : "PING")
        if ack, let roundTrip {
            out.append("  rtt ")
            out.append(duration: roundTrip)
        }
        endLine(context)
    }

    func http2StreamLine(_ summary: HTTP2StreamSummary, _ event: TimelineEvent, _ context: LineContext) {
        let out = context.out
        startLine(context)
        out.append("stream ")
        out.append(decimal: UInt64(summary.stream))
        out.append("  ")
        out.appendTerminalEscaped(summary.method ?? "?")
        out.append(UInt8(ascii: " "))
        if let authority = summary.authority {
            if let scheme = summary.scheme {
                out.appendTerminalEscaped(scheme)
                out.append("://")
            }
            out.appendTerminalEscaped(authority)
        }
        out.appendTerminalEscaped(summary.path ?? "")
        if let connectProtocol = summary.connectProtocol {
            out.append(" (:protocol ")
            out.appendTerminalEscaped(connectProtocol)
            out.append(UInt8(ascii: ")"))
        }
        out.append(" → ")
        if let status = summary.status { out.append(decimal: status) } else { out.append("no response") }
        out.append("  c2s ")
        out.append(decimal: summary.requestBodyBytes)
        out.append(" B  s2c ")
        out.append(decimal: summary.responseBodyBytes)
        out.append(" B")
        if let ttfb = summary.timeToFirstByteMilliseconds {
            out.append("  ttfb ")
            out.append(duration: ttfb)
        }
        if let total = summary.totalMilliseconds {
            out.append("  total ")
            out.append(duration: total)
        }
        if let reset = summary.reset {
            out.append("  reset ")
            out.append(trusted: HTTP2ErrorCode(rawValue: reset).name)
        }
        if summary.unfinished { out.append("  [unfinished]") }
        endLine(context)
        if hexdumps {
            hexdumpLines(summary.requestBody, text: Hexdump.looksLikeText(summary.requestBody), into: out)
            hexdumpLines(summary.responseBody, text: Hexdump.looksLikeText(summary.responseBody), into: out)
        }
    }

    /// `END_STREAM|END_HEADERS` (RFC 9113 §6), `0x0` for none, unknown bits as hex after the
    /// names (the names are the dissector's `HTTP2Flags`; `-v` only, so the small array per
    /// frame does not matter).
    func appendHTTP2FlagNames(type: UInt8, flags: UInt8, into out: OutputBuffer) {
        var rest = flags
        var first = true
        for (flag, name) in HTTP2Flags.defined(for: HTTP2FrameType(rawValue: type)) where flags & flag.rawValue != 0 {
            if !first { out.append(UInt8(ascii: "|")) }
            out.append(trusted: name)
            rest &= ~flag.rawValue
            first = false
        }
        if rest != 0 || first {
            if !first { out.append(UInt8(ascii: "|")) }
            out.append("0x")
            out.append(hex: UInt32(rest))
        }
    }
}
