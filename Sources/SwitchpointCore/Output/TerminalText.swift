/// Makes text from the wire safe for a terminal: nothing a packet carries may move the
/// cursor, change colours or retitle the window. Only printers call it, once, on raw text.
///
/// Printable ASCII and valid non-control Unicode pass through; `\` becomes `\\`; tab,
/// CR, LF become `\t`, `\r`, `\n`; other C0 controls and DEL become `\xNN`; the code
/// points of the invisible and unsafe categories (`escapesScalar`) become `\u{NN}`;
/// bytes that are not valid UTF-8 become `\xNN`.
package enum TerminalText {
    package static func escape(_ text: String) -> String {
        let buffer = OutputBuffer(capacity: text.utf8.count + 16)
        buffer.appendTerminalEscaped(text)
        return String(decoding: buffer.bytes, as: UTF8.self)
    }

    package static func escape(bytes: [UInt8]) -> String {
        let buffer = OutputBuffer(capacity: bytes.count + 16)
        bytes.withUnsafeBytes { buffer.appendTerminalEscaped($0) }
        return String(decoding: buffer.bytes, as: UTF8.self)
    }

    /// Scalars above ASCII that are shown as `\u{…}`: by Unicode general category, every
    /// control (Cc, with the C1 range and 0x9b, a one-byte CSI), format character (Cf: the
    /// bidi controls U+061C, U+200E/F, U+202A-E, U+2066-9, zero-width U+200B-D, U+2060,
    /// U+FEFF, the soft hyphen, tag characters), line and paragraph separator (Zl, Zp),
    /// private use (Co), surrogate (Cs) and unassigned code point (Cn), plus anything with
    /// the Bidi_Control property: what can hide, reorder or disguise text. Only reached
    /// for non-ASCII scalars; Latin-1 letters and symbols take a fast path.
    @inline(__always)
    static func escapesScalar(_ value: UInt32) -> Bool {
        if value < 0xa0 { return true }  // C1 controls
        if value < 0x100 { return value == 0xad }  // Latin-1: only the soft hyphen (Cf)
        guard let scalar = Unicode.Scalar(value) else { return true }  // a surrogate code point
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .privateUse, .surrogate, .unassigned:
            return true
        default:
            return scalar.properties.isBidiControl
        }
    }
}

extension OutputBuffer {
    /// Raw wire bytes, escaped for the terminal in one pass (runs of plain ASCII copied
    /// whole).
    package func appendTerminalEscaped(_ bytes: UnsafeRawBufferPointer) {
        var index = 0
        var runStart = 0
        while index < bytes.count {
            index = ByteScanning.plainRun(bytes, from: index, table: ByteScanning.terminalAttention)
            guard index < bytes.count else { break }
            let byte = bytes[index]
            if runStart < index { append(UnsafeRawBufferPointer(rebasing: bytes[runStart..<index])) }
            if byte < 0x80 {
                appendEscapedASCII(byte)
                index += 1
            } else {
                switch UTF8Scanner.step(bytes, at: index) {
                case .scalar(let value, let length):
                    if TerminalText.escapesScalar(value) {
                        append("\\u{")
                        append(hex: value)
                        append(UInt8(ascii: "}"))
                    } else {
                        append(UnsafeRawBufferPointer(rebasing: bytes[index..<(index + length)]))
                    }
                    index += length
                case .invalid:
                    append("\\x")
                    append(hexByte: byte)
                    index += 1
                }
            }
            runStart = index
        }
        if runStart < index { append(UnsafeRawBufferPointer(rebasing: bytes[runStart..<index])) }
    }

    package func appendTerminalEscaped(_ text: String) {
        text.withUTF8Bytes { appendTerminalEscaped($0) }
    }

    package func appendTerminalEscaped(_ text: Substring) {
        text.withUTF8Bytes { appendTerminalEscaped($0) }
    }

    package func appendTerminalEscaped(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { appendTerminalEscaped($0) }
    }

    @inline(__always)
    private func appendEscapedASCII(_ byte: UInt8) {
        switch byte {
        case 0x5c: append("\\\\")
        case 0x09: append("\\t")
        case 0x0a: append("\\n")
        case 0x0d: append("\\r")
        default:
            append("\\x")
            append(hexByte: byte)
        }
    }
}
