extension TextTimelinePrinter {
    func httpRequestLine(_ head: HTTPRequestHead, _ event: TimelineEvent, _ context: LineContext) {
        let out = context.out
        startLine(context)
        out.appendTerminalEscaped(head.method)
        out.append(UInt8(ascii: " "))
        out.appendTerminalEscaped(head.target)
        out.append(UInt8(ascii: " "))
        out.appendTerminalEscaped(head.version)
        notableHeaders(head.headers, into: out)
        endLine(context)
        allHeaders(head.headers, context)
        if head.headers.fields.contains(where: { $0.name.equalsIgnoringASCIICase("upgrade") }) {
            upgradeAsked.insert(event.connection)
        } else {
            upgradeAsked.remove(event.connection)
        }
    }

    func httpResponseLine(_ head: HTTPResponseHead, _ event: TimelineEvent, _ context: LineContext) {
        let out = context.out
        startLine(context)
        // The version is evidence (an HTTP/1.0 answer ignores Upgrade).
        out.appendTerminalEscaped(head.version)
        out.append(UInt8(ascii: " "))
        out.append(decimal: head.status)
        out.append(UInt8(ascii: " "))
        out.appendTerminalEscaped(head.reason)
        notableHeaders(head.headers, into: out)
        endLine(context)
        allHeaders(head.headers, context)
        let asked = !head.isInterim && upgradeAsked.remove(event.connection) != nil
        // A 426 is about upgrading whatever the request asked: its body is the evidence.
        if asked && head.status != 101 || head.status == UpgradeRefusal.upgradeRequiredStatus {
            refusalBodyDue.insert(event.connection)
        }
    }

    func httpBodyLine(
        _ length: UInt64, _ chunked: Bool, _ kept: [UInt8], _ keptAll: Bool, _ event: TimelineEvent,
        _ context: LineContext
    ) {
        let out = context.out
        startLine(context)
        out.append("body ")
        out.append(count: length, "byte", "bytes")
        if chunked { out.append(" (chunked)") }
        // The body of a refused upgrade usually says why ("invalid Connection header").
        if event.direction == .serverToClient, !refusalBodyDue.isEmpty,
            refusalBodyDue.remove(event.connection) != nil, !kept.isEmpty
        {
            out.append("  ")
            upgradeRefusalBody(kept, all: keptAll && UInt64(kept.count) == length, into: out)
        }
        endLine(context)
        if hexdumps { hexdumpLines(kept, text: Hexdump.looksLikeText(kept), into: out) }
    }

    func upgradeLine(_ upgrade: UpgradeSwitch, _ event: TimelineEvent, _ context: LineContext) {
        let out = context.out
        startLine(context)
        // Coloured by outcome: a switch the client then refused is no success.
        let colour: Colour =
            switch upgrade.outcome {
            case .established?, nil: .green
            case .rejectedByClient?: .red
            case .unknown?: .yellow
            }
        paintStart(colour, out)
        out.append("══ switch to ")
        out.appendTerminalEscaped(upgrade.protocolName)
        out.append(" at c2s+")
        out.append(decimal: upgrade.clientToServerOffset)
        out.append(" s2c+")
        out.append(decimal: upgrade.serverToClientOffset)
        out.append(" after ")
        out.append(duration: upgrade.latencyMilliseconds)
        if !upgrade.target.isEmpty {
            out.append("  ")
            out.appendTerminalEscaped(upgrade.target)
        }
        for detail in upgrade.details {
            out.append("  ")
            out.appendTerminalEscaped(detail.name)
            out.append(UInt8(ascii: "="))
            out.appendTerminalEscaped(detail.value)
        }
        out.append(" ══")
        switch upgrade.outcome {
        case .established?: out.append("  established")
        case .rejectedByClient(let how)?:
            out.append(
                how == .rst
                    ? "  rejected by the client (reset without a frame)"
                    : "  rejected by the client (closed without a frame)")
        case .unknown?: out.append("  outcome unknown (the client had not spoken when the capture ended)")
        case nil: break
        }
        paintEnd(colour, out)
        endLine(context)
    }

    /// A refused upgrade's body as an escaped, bounded, quoted preview; binary as hex.
    func upgradeRefusalBody(_ body: [UInt8], all: Bool, into out: OutputBuffer) {
        body.withUnsafeBytes { bytes in
            let shown = UnsafeRawBufferPointer(rebasing: bytes[..<min(bytes.count, Self.refusalBodyPreviewBytes)])
            let cut = !all || bytes.count > shown.count
            if PrintableText.isMostlyPrintable(shown) {
                out.append(UInt8(ascii: "\""))
                out.appendTerminalEscaped(PrintableText.trimmedToCharacter(shown, cut: cut))
                if cut { out.append("…") }
                out.append(UInt8(ascii: "\""))
            } else {
                out.append("hex ")
                out.append(
                    spacedHex: UnsafeRawBufferPointer(rebasing: shown[..<min(shown.count, Self.previewHexBytes)]))
                if cut || shown.count > Self.previewHexBytes { out.append(" …") }
            }
        }
    }

    func notableHeaders(_ headers: HTTPHeaders, into out: OutputBuffer) {
        guard !options.verbose else { return }
        for field in headers.fields where Self.notable.contains(field.name.lowercasedASCII) {
            out.append("  ")
            out.appendTerminalEscaped(field.name)
            out.append(": ")
            out.appendTerminalEscaped(field.value)
        }
    }
}
