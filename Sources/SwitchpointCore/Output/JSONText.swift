/// How JSON strings are escaped. All forms are valid UTF-8 JSON: `"`, `\` and the C0
/// controls are escaped as JSON requires, bytes that are not valid UTF-8 stand for U+FFFD
/// (one per maximal invalid subpart, as `String(decoding:as:)` replaces them).
package enum JSONEscaping: Sendable {
    /// Text stays UTF-8; DEL, the C1 controls and U+2028/U+2029 become `\u00XX`/`\u2028`
    /// too (they break line-oriented readers).
    case standard
    /// Also every code point the terminal escaper shows as `\u{…}` (controls, format and
    /// bidi characters, separators, private use, unassigned), so a reader that prints
    /// strings raw cannot be fooled.
    case strict
    /// `--json-ascii`: every character past U+007F as `\uXXXX` (a surrogate pair above
    /// the BMP): pure ASCII out, decoding to the same text.
    case ascii

    /// Whether a non-ASCII scalar is written as an escape.
    @inline(__always)
    func escapes(_ value: UInt32) -> Bool {
        switch self {
        case .standard: (0x7f...0x9f).contains(value) || value == 0x2028 || value == 0x2029
        case .strict: value == 0x7f || TerminalText.escapesScalar(value)
        case .ascii: true
        }
    }
}

extension OutputBuffer {
    /// `bytes` as a quoted JSON string, escaped as `jsonEscaping` says.
    package func appendJSONString(_ bytes: UnsafeRawBufferPointer) {
        append(UInt8(ascii: "\""))
        appendJSONEscaped(bytes, jsonEscaping)
        append(UInt8(ascii: "\""))
    }

    package func appendJSONString(_ text: String) {
        text.withUTF8Bytes { appendJSONString($0) }
    }

    package func appendJSONString(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { appendJSONString($0) }
    }

    /// The inside of a JSON string, in one pass (runs of plain ASCII copied whole).
    package func appendJSONEscaped(_ bytes: UnsafeRawBufferPointer, _ escaping: JSONEscaping = .standard) {
        var index = 0
        var runStart = 0
        while index < bytes.count {
            index = ByteScanning.plainRun(bytes, from: index, table: ByteScanning.jsonAttention)
            guard index < bytes.count else { break }
            let byte = bytes[index]
            if runStart < index { append(UnsafeRawBufferPointer(rebasing: bytes[runStart..<index])) }
            if byte < 0x80 {
                switch byte {
                case 0x22: append("\\\"")
                case 0x5c: append("\\\\")
                case 0x0a: append("\\n")
                case 0x0d: append("\\r")
                case 0x09: append("\\t")
                default: appendUTF16Escape(UInt16(byte))
                }
                index += 1
            } else {
                switch UTF8Scanner.step(bytes, at: index) {
                case .scalar(let value, let length):
                    if escaping.escapes(value) {
                        appendScalarEscape(value)
                    } else {
                        append(UnsafeRawBufferPointer(rebasing: bytes[index..<(index + length)]))
                    }
                    index += length
                case .invalid(let length):
                    if escaping == .ascii { appendUTF16Escape(0xfffd) } else { append("\u{FFFD}") }
                    index += length
                }
            }
            runStart = index
        }
        if runStart < index { append(UnsafeRawBufferPointer(rebasing: bytes[runStart..<index])) }
    }

    /// `\uXXXX`, or a surrogate pair for a scalar above the BMP.
    private func appendScalarEscape(_ value: UInt32) {
        guard value > 0xffff else {
            appendUTF16Escape(UInt16(truncatingIfNeeded: value))
            return
        }
        let offset = value - 0x10000
        appendUTF16Escape(UInt16(truncatingIfNeeded: 0xd800 + (offset >> 10)))
        appendUTF16Escape(UInt16(truncatingIfNeeded: 0xdc00 + (offset & 0x3ff)))
    }

    /// `\uXXXX` (four lower-case hex digits).
    private func appendUTF16Escape(_ unit: UInt16) {
        append("\\u")
        append(hexByte: UInt8(truncatingIfNeeded: unit >> 8))
        append(hexByte: UInt8(truncatingIfNeeded: unit))
    }
}
