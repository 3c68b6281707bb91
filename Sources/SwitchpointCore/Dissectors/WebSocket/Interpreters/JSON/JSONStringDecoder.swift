/// The contents of a JSON string (between its quotes) as text: escapes resolved, a lone or
/// malformed `\u` escape and invalid UTF-8 replaced by U+FFFD. Never traps.
enum JSONStringDecoder {
    static func decode(_ bytes: UnsafeRawBufferPointer, limit: Int) -> String {
        // Most strings (method names, ids, types) hold no escape: one copy.
        if !bytes.contains(UInt8(ascii: "\\")) {
            return String(decoding: bytes.prefix(max(0, limit)), as: UTF8.self)
        }
        var output: [UInt8] = []
        output.reserveCapacity(min(bytes.count, limit))
        var index = 0
        while index < bytes.count && output.count < limit {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "\\"), index + 1 < bytes.count else {
                output.append(byte)
                index += 1
                continue
            }
            let escaped = bytes[index + 1]
            index += 2
            switch escaped {
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0c)
            case UInt8(ascii: "n"): output.append(0x0a)
            case UInt8(ascii: "r"): output.append(0x0d)
            case UInt8(ascii: "t"): output.append(0x09)
            case UInt8(ascii: "u"):
                let scalar = unicodeEscape(bytes, at: &index)
                output.append(contentsOf: String(Character(scalar)).utf8)
            default: output.append(escaped)
            }
        }
        return String(decoding: output.prefix(max(0, limit)), as: UTF8.self)
    }

    /// The scalar of `XXXX` (and a following `\uXXXX` low surrogate) at `index`.
    private static func unicodeEscape(_ bytes: UnsafeRawBufferPointer, at index: inout Int) -> Unicode.Scalar {
        let replacement = Unicode.Scalar(0xFFFD as UInt32) ?? "?"
        guard let high = hex4(bytes, at: index) else { return replacement }
        index += 4
        if (0xD800..<0xDC00).contains(high) {
            guard index + 6 <= bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u"),
                let low = hex4(bytes, at: index + 2), (0xDC00..<0xE000).contains(low)
            else { return replacement }
            index += 6
            return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)) ?? replacement
        }
        return Unicode.Scalar(high) ?? replacement
    }

    private static func hex4(_ bytes: UnsafeRawBufferPointer, at index: Int) -> UInt32? {
        guard index >= 0, index + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for offset in 0..<4 {
            let byte = bytes[index + offset]
            let digit: UInt8
            switch byte {
            case 0x30...0x39: digit = byte - 0x30
            case 0x41...0x46: digit = byte - 0x41 + 10
            case 0x61...0x66: digit = byte - 0x61 + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }
}
