/// JSON string escaping on bytes, in one pass: the output is always valid UTF-8. `"`, `\`
/// and the C0 controls are escaped as JSON requires; DEL, the C1 controls and U+2028/
/// U+2029 as `\u00XX` too (they break line-oriented readers); bytes that are not valid
/// UTF-8 become U+FFFD, one per maximal invalid subpart, as `String(decoding:as:)` does.
/// How JSON strings are escaped: `standard` keeps text as UTF-8 (escaping what JSON and
/// line-oriented readers need); `ascii` (`--json-ascii`) escapes every character past
/// U+007F as `\uXXXX` (a surrogate pair above the BMP), so the output is pure ASCII.
public enum JSONEscaping: Sendable {
    case standard
    case ascii
}

enum JSONText {
    @inline(__always)
    static func escapesScalar(_ value: UInt32) -> Bool {
        (0x7f...0x9f).contains(value) || value == 0x2028 || value == 0x2029
    }
}

extension OutputBuffer {
    /// `bytes` as a quoted JSON string.
    public func appendJSONString(_ bytes: UnsafeRawBufferPointer) {
        append(UInt8(ascii: "\""))
        appendJSONEscaped(bytes)
        append(UInt8(ascii: "\""))
    }

    public func appendJSONString(_ text: String) {
        var text = text
        text.withUTF8 { appendJSONString(UnsafeRawBufferPointer($0)) }
    }

    public func appendJSONString(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { appendJSONString($0) }
    }

    public func appendJSONEscaped(_ bytes: UnsafeRawBufferPointer) {
        if jsonEscaping == .ascii {
            appendJSONEscapedASCII(bytes)
            return
        }
        var index = 0
        var runStart = 0
        while index < bytes.count {
            index = ByteScanning.plainRun(bytes, from: index, excluding: 0x5c, 0x22)
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
                default: appendUnicodeEscape(UInt32(byte))
                }
                index += 1
            } else {
                switch UTF8Scanner.step(bytes, at: index) {
                case .scalar(let value, let length):
                    if JSONText.escapesScalar(value) {
                        appendUnicodeEscape(value)
                    } else {
                        append(UnsafeRawBufferPointer(rebasing: bytes[index..<(index + length)]))
                    }
                    index += length
                case .invalid(let length):
                    append("\u{FFFD}")
                    index += length
                }
            }
            runStart = index
        }
        if runStart < index { append(UnsafeRawBufferPointer(rebasing: bytes[runStart..<index])) }
    }

    /// `\u00XX` (four lower-case hex digits).
    private func appendUnicodeEscape(_ value: UInt32) {
        append("\\u")
        append(hexByte: UInt8(truncatingIfNeeded: value >> 8))
        append(hexByte: UInt8(truncatingIfNeeded: value))
    }
}

extension JSONText {
    /// The `--json-ascii`-style set: what JSON always escapes, plus every code point the
    /// terminal escaper shows as `\u{…}` (controls, format and bidi characters, separators,
    /// private use, unassigned), so a JSON reader that prints strings raw cannot be fooled.
    @inline(__always)
    static func escapesScalarStrictly(_ value: UInt32) -> Bool {
        value == 0x7f || TerminalText.escapesScalar(value)
    }
}

extension OutputBuffer {
    /// Like `appendJSONEscaped`, but the invisible and unsafe categories become `\uXXXX`
    /// too (a surrogate pair above the BMP). Still valid UTF-8; invalid bytes become U+FFFD.
    public func appendJSONEscapedStrictly(_ bytes: UnsafeRawBufferPointer) {
        appendJSONEscapedStrictly(bytes, asciiOnly: false)
    }

    /// `--json-ascii`: every character past U+007F as `\uXXXX` (surrogate pairs above the
    /// BMP), the strict set included, invalid bytes as `\ufffd`: pure ASCII out, and a
    /// JSON reader decodes the same text as from the UTF-8 form.
    public func appendJSONEscapedASCII(_ bytes: UnsafeRawBufferPointer) {
        appendJSONEscapedStrictly(bytes, asciiOnly: true)
    }

    private func appendJSONEscapedStrictly(_ bytes: UnsafeRawBufferPointer, asciiOnly: Bool) {
        var index = 0
        var runStart = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte >= 0x20 && byte < 0x7f && byte != 0x5c && byte != 0x22 {
                index += 1
                continue
            }
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
                    if asciiOnly || JSONText.escapesScalarStrictly(value) {
                        appendScalarEscape(value)
                    } else {
                        append(UnsafeRawBufferPointer(rebasing: bytes[index..<(index + length)]))
                    }
                    index += length
                case .invalid(let length):
                    if asciiOnly { appendUTF16Escape(0xfffd) } else { append("\u{FFFD}") }
                    index += length
                }
            }
            runStart = index
        }
        if runStart < index { append(UnsafeRawBufferPointer(rebasing: bytes[runStart..<index])) }
    }

    public func appendJSONStringStrictly(_ text: String) {
        var text = text
        append(UInt8(ascii: "\""))
        text.withUTF8 { appendJSONEscapedStrictly(UnsafeRawBufferPointer($0)) }
        append(UInt8(ascii: "\""))
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

    private func appendUTF16Escape(_ unit: UInt16) {
        append("\\u")
        append(hexByte: UInt8(truncatingIfNeeded: unit >> 8))
        append(hexByte: UInt8(truncatingIfNeeded: unit))
    }
}
