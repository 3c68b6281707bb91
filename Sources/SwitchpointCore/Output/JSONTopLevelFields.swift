/// The top-level fields of one JSON object line, each as its raw key text (without the
/// quotes, escapes kept) and raw value text, in the order written. Enough to merge
/// switchpoint's own summary lines without re-encoding what it does not understand.
struct JSONTopLevelFields {
    struct Field {
        var key: String
        var value: [UInt8]
    }

    private(set) var fields: [Field] = []

    /// Nil when `line` is not a well-formed object at the top level (nested values are
    /// only skipped over, bracket- and string-aware).
    init?(_ line: UnsafeRawBufferPointer) {
        var index = 0
        let count = line.count
        func skipSpace() { while index < count, line[index] == .space || line[index] == .tab { index += 1 } }
        /// Index past the string that starts at `index` (a quote), or nil.
        func endOfString(_ start: Int) -> Int? {
            var at = start + 1
            while at < count {
                switch line[at] {
                case .backslash: at += 2
                case .quote: return at + 1
                default: at += 1
                }
            }
            return nil
        }
        skipSpace()
        guard index < count, line[index] == .openBrace else { return nil }
        index += 1
        skipSpace()
        if index < count, line[index] == .closeBrace { return }
        while true {
            skipSpace()
            guard index < count, line[index] == .quote, let keyEnd = endOfString(index) else { return nil }
            let key = String(
                decoding: UnsafeRawBufferPointer(rebasing: line[(index + 1)..<(keyEnd - 1)]), as: UTF8.self)
            index = keyEnd
            skipSpace()
            guard index < count, line[index] == .colon else { return nil }
            index += 1
            skipSpace()
            let valueStart = index
            var depth = 0
            scan: while index < count {
                switch line[index] {
                case .quote:
                    guard let end = endOfString(index) else { return nil }
                    index = end
                    continue scan
                case .openBrace, .openBracket:
                    depth += 1
                case .closeBrace, .closeBracket:
                    if depth == 0 { break scan }
                    depth -= 1
                case .comma where depth == 0:
                    break scan
                default:
                    break
                }
                index += 1
            }
            guard index < count, depth == 0, index > valueStart else { return nil }
            var valueEnd = index
            while valueEnd > valueStart, line[valueEnd - 1] == .space || line[valueEnd - 1] == .tab { valueEnd -= 1 }
            fields.append(Field(key: key, value: Array(UnsafeRawBufferPointer(rebasing: line[valueStart..<valueEnd]))))
            if line[index] == .closeBrace { return }
            index += 1
        }
    }

    func value(_ key: String) -> [UInt8]? {
        fields.first { $0.key == key }?.value
    }
}

extension UInt8 {
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let quote = UInt8(ascii: "\"")
    static let backslash = UInt8(ascii: "\\")
    static let colon = UInt8(ascii: ":")
    static let comma = UInt8(ascii: ",")
    static let openBrace = UInt8(ascii: "{")
    static let closeBrace = UInt8(ascii: "}")
    static let openBracket = UInt8(ascii: "[")
    static let closeBracket = UInt8(ascii: "]")
}

extension JSONTopLevelFields {
    /// The raw texts of a JSON array's elements (`[a,b]` → `a`, `b`); nil when `array` is
    /// not an array.
    static func elements(ofArray array: [UInt8]) -> [[UInt8]]? {
        guard array.first == .openBracket, array.last == .closeBracket else { return nil }
        var elements: [[UInt8]] = []
        var depth = 0
        var inString = false
        var escaped = false
        var start = 1
        for index in 1..<(array.count - 1) {
            let byte = array[index]
            if inString {
                if escaped {
                    escaped = false
                } else if byte == .backslash {
                    escaped = true
                } else if byte == .quote {
                    inString = false
                }
                continue
            }
            switch byte {
            case .quote: inString = true
            case .openBrace, .openBracket: depth += 1
            case .closeBrace, .closeBracket: depth -= 1
            case .comma where depth == 0:
                elements.append(Array(array[start..<index]))
                start = index + 1
            default: break
            }
        }
        if start < array.count - 1 { elements.append(Array(array[start..<(array.count - 1)])) }
        return elements
    }
}
