/// Reads one JSON value by the strict grammar, from `index`, without building it.
struct JSONSyntaxReader {
    let bytes: UnsafeRawBufferPointer
    var index = 0

    var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    mutating func skipSpace() {
        while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0a || byte == 0x0d { index += 1 }
    }

    mutating func value(depth: Int) -> Bool {
        guard depth < JSONSyntax.maxDepth, let byte = current else { return false }
        switch byte {
        case UInt8(ascii: "{"): return container(close: UInt8(ascii: "}"), keyed: true, depth: depth)
        case UInt8(ascii: "["): return container(close: UInt8(ascii: "]"), keyed: false, depth: depth)
        case UInt8(ascii: "\""): return string()
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        default: return number()
        }
    }

    mutating func container(close: UInt8, keyed: Bool, depth: Int) -> Bool {
        index += 1
        skipSpace()
        if current == close {
            index += 1
            return true
        }
        while true {
            if keyed {
                guard current == UInt8(ascii: "\""), string() else { return false }
                skipSpace()
                guard current == UInt8(ascii: ":") else { return false }
                index += 1
                skipSpace()
            }
            guard value(depth: depth + 1) else { return false }
            skipSpace()
            guard let byte = current else { return false }
            index += 1
            if byte == close { return true }
            guard byte == UInt8(ascii: ",") else { return false }
            skipSpace()
        }
    }

    mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard bytes.count - index >= count else { return false }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { return false }
        index += count
        return true
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    mutating func number() -> Bool {
        if current == UInt8(ascii: "-") { index += 1 }
        if current == UInt8(ascii: "0") {
            index += 1
        } else {
            guard digits() else { return false }
        }
        if current == UInt8(ascii: ".") {
            index += 1
            guard digits() else { return false }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            guard digits() else { return false }
        }
        return true
    }

    /// One or more decimal digits.
    mutating func digits() -> Bool {
        let start = index
        while let byte = current, byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") { index += 1 }
        return index > start
    }

    mutating func string() -> Bool {
        index += 1
        while let byte = current {
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return true
            case UInt8(ascii: "\\"):
                guard escape() else { return false }
            case 0x00..<0x20:
                return false
            case 0x80...:
                guard utf8Sequence() else { return false }
            default:
                index += 1
            }
        }
        return false
    }

    mutating func escape() -> Bool {
        index += 1
        guard let byte = current else { return false }
        index += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
            UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            return true
        case UInt8(ascii: "u"):
            guard bytes.count - index >= 4 else { return false }
            for _ in 0..<4 {
                guard HexDigit.value(bytes[index]) != nil else { return false }
                index += 1
            }
            return true
        default:
            return false
        }
    }

    /// A well-formed UTF-8 sequence (Unicode Table 3-7: no overlong form, no surrogate,
    /// nothing past U+10FFFF).
    mutating func utf8Sequence() -> Bool {
        guard let lead = current else { return false }
        let length: Int
        var second: ClosedRange<UInt8> = 0x80...0xbf
        switch lead {
        case 0xc2...0xdf: length = 2
        case 0xe0:
            length = 3
            second = 0xa0...0xbf
        case 0xed:
            length = 3
            second = 0x80...0x9f
        case 0xe1...0xef: length = 3
        case 0xf0:
            length = 4
            second = 0x90...0xbf
        case 0xf4:
            length = 4
            second = 0x80...0x8f
        case 0xf1...0xf3: length = 4
        default: return false
        }
        guard bytes.count - index >= length, second.contains(bytes[index + 1]) else { return false }
        for offset in 2..<max(2, length) where !(0x80...0xbf).contains(bytes[index + offset]) { return false }
        index += length
        return true
    }
}
