/// The HTML report's only escaper. Everything from the wire (and every string the report
/// did not write itself) reaches the page through here, once, as text: in element content,
/// in a double-quoted attribute value, or in inline SVG's `<text>` (which the HTML parser
/// reads as foreign content, where the same rules hold). Nothing from the wire is ever
/// written as markup, a URL, an id or an event handler.
///
/// `&`, `<`, `>`, `"` and `'` become character references, so no tag, attribute or
/// entity can start; C0 controls, DEL and the C1 controls become visible `\xNN`; bidi
/// overrides and isolates become visible `\u{…}` (they could reorder the text around them);
/// bytes that are not valid UTF-8 become U+FFFD.
package enum HTMLEscaper {
    /// Appends `bytes` escaped into `out`.
    package static func append(_ bytes: UnsafeRawBufferPointer, to out: OutputBuffer) {
        var index = 0
        var runStart = 0
        func flushRun(upTo end: Int) {
            if runStart < end { out.append(UnsafeRawBufferPointer(rebasing: bytes[runStart..<end])) }
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte >= 0x20 && byte < 0x7f {
                let reference: StaticString? =
                    switch byte {
                    case UInt8(ascii: "&"): "&amp;"
                    case UInt8(ascii: "<"): "&lt;"
                    case UInt8(ascii: ">"): "&gt;"
                    case UInt8(ascii: "\""): "&quot;"
                    case UInt8(ascii: "'"): "&#39;"
                    default: nil
                    }
                if let reference {
                    flushRun(upTo: index)
                    out.append(reference)
                    runStart = index + 1
                }
                index += 1
                continue
            }
            if byte == 0x0a || byte == 0x09 {
                index += 1  // line feeds and tabs are kept: previews are in <pre>
                continue
            }
            flushRun(upTo: index)
            if byte < 0x80 {
                appendVisible(UInt32(byte), to: out)
                index += 1
            } else {
                switch UTF8Scanner.step(bytes, at: index) {
                case .scalar(let value, let length):
                    if isHidden(value) {
                        appendVisible(value, to: out)
                    } else {
                        out.append(UnsafeRawBufferPointer(rebasing: bytes[index..<(index + length)]))
                    }
                    index += length
                case .invalid(let length):
                    out.append("\u{FFFD}")
                    index += length
                }
            }
            runStart = index
        }
        flushRun(upTo: index)
    }

    package static func append(_ text: String, to out: OutputBuffer) {
        text.withUTF8Bytes { append($0, to: out) }
    }

    package static func append(_ bytes: [UInt8], to out: OutputBuffer) {
        bytes.withUnsafeBytes { append($0, to: out) }
    }

    /// The escaped form as a string (tests).
    package static func escape(_ text: String) -> String {
        let out = OutputBuffer(capacity: text.utf8.count + 16)
        append(text, to: out)
        return String(decoding: out.bytes, as: UTF8.self)
    }

    /// Controls and bidi formatting characters: shown as escapes instead of acting.
    static func isHidden(_ value: UInt32) -> Bool {
        (0x80...0x9f).contains(value) || (0x202a...0x202e).contains(value) || (0x2066...0x2069).contains(value)
            || value == 0x200e || value == 0x200f || value == 0x061c || value == 0x2028 || value == 0x2029
    }

    private static func appendVisible(_ value: UInt32, to out: OutputBuffer) {
        if value <= 0xff {
            out.append("\\x")
            out.append(hexByte: UInt8(value))
        } else {
            out.append("\\u{")
            out.append(hex: value)
            out.append(UInt8(ascii: "}"))
        }
    }
}
