extension TextTimelinePrinter {
    func webSocketFrameLine(_ frame: WebSocketFrameHeader, _ event: TimelineEvent, _ context: LineContext) {
        let out = context.out
        guard options.verbose else { return }
        startLine(context)
        out.append("frame ")
        appendOpcodeName(frame.opcode, into: out)
        out.append(" fin=")
        out.append(frame.fin ? UInt8(ascii: "1") : UInt8(ascii: "0"))
        out.append(" rsv=")
        out.append(decimal: Int(frame.rsv))
        if frame.masked { out.append(" masked") }
        out.append(" len=")
        out.append(decimal: frame.payloadLength)
        endLine(context)
    }

    func webSocketMessageLine(_ message: WebSocketMessage, _ event: TimelineEvent, _ context: LineContext) {
        // Its application events stand for it (both are shown with -v).
        if message.interpreted && !options.verbose { return }
        let out = context.out
        startLine(context)
        appendOpcodeName(message.opcode, into: out)
        if message.lengthUnknown {
            out.append(" ? B")
        } else {
            out.append(UInt8(ascii: " "))
            out.append(decimal: message.length)
            out.append(" B")
        }
        if message.compressed || message.frames > 1 {
            out.append(" (")
            if message.compressed {
                out.append("deflate, ")
                out.append(decimal: message.wireLength)
                out.append(" B on the wire")
                if message.frames > 1 { out.append(", ") }
            }
            if message.frames > 1 {
                out.append(decimal: message.frames)
                out.append(" frames")
            }
            out.append(UInt8(ascii: ")"))
        }
        if let problem = message.problem {
            out.append("  [")
            out.append(trusted: problem)
            out.append(UInt8(ascii: "]"))
        } else if let recovery = message.recovery {
            // Bytes copied from a compression history never captured are shown as `·`.
            let shown = recovery.display(message.kept)
            out.append("  ")
            preview(shown, text: true, all: message.keptAll, into: out)
            out.append("  [")
            out.append(decimal: recovery.recovered)
            out.append(" of ")
            out.append(decimal: message.length)
            out.append(" bytes recovered]")
            if !message.complete { out.append("  [incomplete]") }
            endLine(context)
            if hexdumps { hexdumpLines(shown, text: true, into: out) }
            return
        } else {
            out.append("  ")
            preview(message.kept, text: message.isText, all: message.keptAll, into: out)
            if !message.complete { out.append("  [incomplete]") }
        }
        endLine(context)
        if hexdumps && message.problem == nil { hexdumpLines(message.kept, text: message.isText, into: out) }
    }

    func webSocketControlLine(_ control: WebSocketControl, _ event: TimelineEvent, _ context: LineContext) {
        let out = context.out
        startLine(context)
        out.append(WebSocketOpcode(rawValue: control.opcode) == .ping ? "ping " : "pong ")
        out.append(decimal: control.payload.count)
        out.append(" B")
        if !control.payload.isEmpty {
            out.append("  ")
            preview(control.payload, text: true, all: true, into: out)
        }
        if let roundTrip = control.roundTripMilliseconds {
            out.append("  rtt ")
            out.append(duration: roundTrip)
        }
        endLine(context)
        if hexdumps { hexdumpLines(control.payload, text: Hexdump.looksLikeText(control.payload), into: out) }
    }

    func webSocketCloseLine(_ close: WebSocketClose, _ event: TimelineEvent, _ context: LineContext) {
        let out = context.out
        startLine(context)
        out.append("close ")
        if let code = close.code {
            out.append(decimal: Int(code))
            out.append(UInt8(ascii: " "))
            out.append(trusted: WebSocketCloseCode(rawValue: code).name)
        } else {
            out.append("(no code)")
        }
        if !close.reason.isEmpty {
            out.append("  \"")
            out.appendTerminalEscaped(close.reason.prefix(Self.closeReasonCharacters))
            if close.reason.count > Self.closeReasonCharacters { out.append("…") }
            out.append(UInt8(ascii: "\""))
        }
        endLine(context)
    }

    func webSocketClosingLine(_ closing: WebSocketClosing, _ event: TimelineEvent, _ context: LineContext) {
        let out = context.out
        startLine(context)
        out.append(
            closing.firstDirection == .clientToServer
                ? "websocket closed by the client" : "websocket closed by the server")
        if let code = closing.firstCode {
            out.append(" with ")
            out.append(decimal: Int(code))
        }
        if closing.answered {
            out.append(", answered after ")
            out.append(duration: closing.answerMilliseconds ?? 0)
        } else {
            out.append(", never answered")
        }
        endLine(context)
    }

    func appendOpcodeName(_ opcode: UInt8, into out: OutputBuffer) {
        if let name = WebSocketOpcode(rawValue: opcode).name {
            out.append(name)
        } else {
            out.append("opcode ")
            out.append(decimal: Int(opcode))
        }
    }
}
