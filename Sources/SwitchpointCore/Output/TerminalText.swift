/// Makes text from the wire safe for a terminal: nothing a packet carries may move the
/// cursor, change colours or retitle the window. Only printers call it, once, on raw text.
///
/// Printable ASCII and valid non-control Unicode pass through; `\` becomes `\\`; tab,
/// CR, LF become `\t`, `\r`, `\n`; other C0 controls and DEL become `\xNN`; C1 controls
/// and the bidi and line controls that can reorder or hide what follows become `\u{NN}`;
/// bytes that are not valid UTF-8 become `\xNN`.
public enum TerminalText {
    public static func escape(_ text: String) -> String {
        let buffer = OutputBuffer(capacity: text.utf8.count + 16)
        buffer.appendTerminalEscaped(text)
        return String(decoding: buffer.bytes, as: UTF8.self)
    }

    public static func escape(bytes: [UInt8]) -> String {
        let buffer = OutputBuffer(capacity: bytes.count + 16)
        bytes.withUnsafeBytes { buffer.appendTerminalEscaped($0) }
        return String(decoding: buffer.bytes, as: UTF8.self)
    }

    /// Scalars above ASCII that are shown as `\u{…}`: C1 controls (0x9b is a one-byte
    /// CSI) and the bidi and line controls.
    @inline(__always)
    static func escapesScalar(_ value: UInt32) -> Bool {
        switch value {
        case 0x80..<0xa0, 0x2028, 0x2029, 0x200e, 0x200f, 0x202a...0x202e, 0x2066...0x2069: true
        default: false
        }
    }
}

extension OutputBuffer {
    /// Raw wire bytes, escaped for the terminal in one pass (runs of plain ASCII copied
    /// whole).
    public func appendTerminalEscaped(_ bytes: UnsafeRawBufferPointer) {
        var index = 0
        var runStart = 0
        while index < bytes.count {
            index = ByteScanning.plainRun(bytes, from: index, excluding: 0x5c, 0x5c)
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

    public func appendTerminalEscaped(_ text: String) {
        var text = text
        text.withUTF8 { appendTerminalEscaped(UnsafeRawBufferPointer($0)) }
    }

    public func appendTerminalEscaped(_ text: Substring) {
        var text = text
        text.withUTF8 { appendTerminalEscaped(UnsafeRawBufferPointer($0)) }
    }

    public func appendTerminalEscaped(_ bytes: [UInt8]) {
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
