/// The text timeline's line for an application event (a protocol inside WebSocket):
/// `jsonrpc response "subtract" id 1  result=19  after 1.2 ms`. One layout for every
/// interpreter; wire text is escaped here.
enum ApplicationEventText {
    /// Characters of one text field shown before `…`.
    static let maxFieldCharacters = 120

    static func append(_ event: ApplicationEvent, to out: OutputBuffer) {
        out.appendTerminalEscaped(event.protocolName)
        out.append(UInt8(ascii: " "))
        out.appendTerminalEscaped(event.operation)
        if !event.summary.isEmpty {
            out.append(" \"")
            appendClipped(event.summary, to: out)
            out.append(UInt8(ascii: "\""))
        }
        if let id = event.id {
            out.append(" id ")
            out.appendTerminalEscaped(id)
        }
        if !event.fields.isEmpty { out.append(UInt8(ascii: " ")) }
        for field in event.fields {
            out.append(UInt8(ascii: " "))
            out.appendTerminalEscaped(field.name)
            out.append(UInt8(ascii: "="))
            append(field.value, to: out)
        }
        if let answers = event.answers {
            out.append("  after ")
            out.append(duration: answers.latencyMilliseconds)
        }
    }

    static func append(_ value: ApplicationField.Value, to out: OutputBuffer) {
        switch value {
        case .text(let text): appendClipped(text, to: out)
        case .integer(let number): out.append(decimal: number)
        case .number(let number): out.append(trusted: number.isFinite ? String(number) : "null")
        case .flag(let flag): out.append(flag ? "true" : "false")
        }
    }

    private static func appendClipped(_ text: String, to out: OutputBuffer) {
        if text.utf8.count <= maxFieldCharacters {
            out.appendTerminalEscaped(text)
            return
        }
        let clippedASCII: Bool = text.withUTF8Bytes { bytes in
            guard let prefix = asciiPrefix(bytes) else { return false }
            out.appendTerminalEscaped(prefix)
            return true
        }
        if !clippedASCII { out.appendTerminalEscaped(text.prefix(maxFieldCharacters)) }
        out.append("…")
    }

    /// The first `maxFieldCharacters` characters without walking grapheme clusters, when
    /// they are ASCII other than CR (each byte is then one character; CR LF would be one).
    /// The byte after them is checked too: a CR there could join an LF.
    private static func asciiPrefix(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        guard bytes.count > maxFieldCharacters else { return nil }
        for byte in bytes[..<(maxFieldCharacters + 1)] where byte >= 0x80 || byte == UInt8(ascii: "\r") {
            return nil
        }
        return UnsafeRawBufferPointer(rebasing: bytes[..<maxFieldCharacters])
    }
}
