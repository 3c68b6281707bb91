extension TextTimelinePrinter {
    func connectionClosedLine(_ summary: ConnectionSummary, _ event: TimelineEvent, _ context: LineContext) {
        let out = context.out
        startLine(context)
        out.append("closed ")
        out.append(trusted: summary.reason.rawValue)
        if let state = summary.openState {
            out.append(" (open, ")
            out.appendTerminalEscaped(state.protocolName)
            if state.inFlight > 0 {
                out.append(", ")
                out.append(decimal: state.inFlight)
                out.append(UInt8(ascii: " "))
                out.append(state.unit.word(state.inFlight))
                out.append(" in flight")
            }
            out.append(UInt8(ascii: ")"))
        }
        out.append("  c2s ")
        out.append(decimal: summary.clientToServer.deliveredBytes)
        out.append(" B  s2c ")
        out.append(decimal: summary.serverToClient.deliveredBytes)
        out.append(" B  after ")
        out.append(fixed: summary.end.seconds(since: summary.start), decimals: 3)
        out.append(" s")
        let gaps = summary.clientToServer.gaps + summary.serverToClient.gaps
        if gaps > 0 {
            out.append("  ")
            out.append(count: gaps, "gap", "gaps")
        }
        endLine(context)
    }

    func gapLine(_ length: UInt64, _ reason: GapReason, _ event: TimelineEvent, _ context: LineContext) {
        let out = context.out
        startLine(context)
        paintStart(.yellow, out)
        out.append("[gap: ")
        out.append(count: length, "byte", "bytes")
        out.append(" never captured at offset ")
        out.append(decimal: event.offset ?? 0)
        out.append(" (")
        out.append(trusted: reason.rawValue)
        out.append(")]")
        paintEnd(.yellow, out)
        endLine(context)
    }

    func findingLine(_ finding: Finding, _ event: TimelineEvent, _ context: LineContext) {
        let out = context.out
        let colour: Colour = finding.severity == .error ? .red : (finding.severity == .warn ? .yellow : .plain)
        startLine(context)
        paintStart(colour, out)
        out.append("!! ")
        out.append(trusted: finding.severity.rawValue)
        out.append(UInt8(ascii: " "))
        out.append(trusted: finding.code.rawValue)
        out.append(": ")
        out.appendTerminalEscaped(finding.message)
        paintEnd(colour, out)
        endLine(context)
    }

    func rawDataLine(_ chunk: RawChunk, _ event: TimelineEvent, _ context: LineContext) {
        let out = context.out
        startLine(context)
        out.appendTerminalEscaped(chunk.protocolName)
        out.append(UInt8(ascii: " "))
        if chunk.notRecognised || chunk.packets > 1 {
            runSize(chunk, into: out)
        } else {
            out.append(decimal: chunk.length)
            out.append(" B  ")
        }
        if chunk.previewIsHex && !chunk.head.withUnsafeBytes({ PrintableText.isMostlyPrintable($0) }) {
            out.append("hex ")
            rawHexPreview(chunk, into: out)
        } else {
            out.append(UInt8(ascii: "\""))
            out.appendTerminalEscaped(chunk.head)
            if chunk.length > chunk.head.count { out.append("…") }
            out.append(UInt8(ascii: "\""))
        }
        endLine(context)
        if hexdumps { hexdumpLines(chunk.head, text: !chunk.previewIsHex, into: out) }
    }

    func rawHexPreview(_ chunk: RawChunk, into out: OutputBuffer) {
        let shown = min(chunk.head.count, RawStreamDissector.previewLength / 2)
        chunk.head.withUnsafeBytes { out.append(spacedHex: UnsafeRawBufferPointer(rebasing: $0[..<shown])) }
        if chunk.length > shown { out.append(" …") }
    }

    /// `12 packets, 17.4 KB not recognised  `: one line for a run of bytes detection found
    /// no protocol in (or TLS it cannot decrypt, without the last words).
    private func runSize(_ chunk: RawChunk, into out: OutputBuffer) {
        out.append(decimal: chunk.packets)
        out.append(chunk.packets == 1 ? " packet, " : " packets, ")
        if chunk.length < 1000 {
            out.append(decimal: chunk.length)
            out.append(" B")
        } else if chunk.length < 1_000_000 {
            out.append(fixed: Double(chunk.length) / 1000, decimals: 1)
            out.append(" KB")
        } else {
            out.append(fixed: Double(chunk.length) / 1_000_000, decimals: 1)
            out.append(" MB")
        }
        out.append(chunk.notRecognised ? " not recognised  " : "  ")
    }
}
