/// Makes text from the wire safe for a terminal: nothing a packet carries may move the
/// cursor, change colours or retitle the window.
///
/// Printable ASCII and valid non-control Unicode pass through; `\` becomes `\\`; tab,
/// CR, LF become `\t`, `\r`, `\n`; other C0 controls, DEL and C1 controls become `\xNN`
/// (C1 as `\u{NN}`); bytes that are not valid UTF-8 become `\xNN`.
public enum TerminalText {
    public static func escape(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            appendEscaped(scalar, to: &output)
        }
        return output
    }

    /// Escapes raw bytes, decoding UTF-8 where it is valid.
    public static func escape(bytes: UnsafeRawBufferPointer) -> String {
        var output = ""
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte < 0x80 {
                appendEscaped(Unicode.Scalar(byte), to: &output)
                index += 1
                continue
            }
            if let (scalar, length) = decodeUTF8(bytes, at: index) {
                appendEscaped(scalar, to: &output)
                index += length
            } else {
                appendHex(byte, to: &output)
                index += 1
            }
        }
        return output
    }

    public static func escape(bytes: [UInt8]) -> String {
        bytes.withUnsafeBytes { escape(bytes: $0) }
    }

    private static func appendEscaped(_ scalar: Unicode.Scalar, to output: inout String) {
        switch scalar.value {
        case 0x5c: output += "\\\\"
        case 0x09: output += "\\t"
        case 0x0a: output += "\\n"
        case 0x0d: output += "\\r"
        case 0x00..<0x20, 0x7f: appendHex(UInt8(scalar.value), to: &output)
        case 0x80..<0xa0, 0x2028, 0x2029, 0x200e, 0x200f, 0x202a...0x202e, 0x2066...0x2069:
            // C1 controls (0x9b is a one-byte CSI) and bidi/line controls that can
            // reorder or hide what follows.
            output += "\\u{\(String(scalar.value, radix: 16))}"
        default: output.unicodeScalars.append(scalar)
        }
    }

    private static func appendHex(_ byte: UInt8, to output: inout String) {
        let digits: [Character] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "b", "c", "d", "e", "f"]
        output += "\\x"
        output.append(digits[Int(byte >> 4)])
        output.append(digits[Int(byte & 0xf)])
    }

    /// Strict UTF-8 decoding of one scalar (no overlongs, no surrogates, max U+10FFFF).
    private static func decodeUTF8(_ bytes: UnsafeRawBufferPointer, at index: Int) -> (Unicode.Scalar, Int)? {
        let lead = bytes[index]
        let length: Int, minimum: UInt32
        var value: UInt32
        switch lead {
        case 0xc2...0xdf: length = 2; minimum = 0x80; value = UInt32(lead & 0x1f)
        case 0xe0...0xef: length = 3; minimum = 0x800; value = UInt32(lead & 0x0f)
        case 0xf0...0xf4: length = 4; minimum = 0x10000; value = UInt32(lead & 0x07)
        default: return nil
        }
        guard index + length <= bytes.count else { return nil }
        for offset in 1..<length {
            let continuation = bytes[index + offset]
            guard continuation & 0xc0 == 0x80 else { return nil }
            value = value << 6 | UInt32(continuation & 0x3f)
        }
        guard value >= minimum, value <= 0x10ffff, let scalar = Unicode.Scalar(value) else { return nil }
        return (scalar, length)
    }
}
