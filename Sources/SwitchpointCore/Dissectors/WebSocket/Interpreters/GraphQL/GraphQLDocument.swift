/// The first operation of a GraphQL document (the `query` of a subscribe): its type and
/// name, read by a token scan that skips strings, comments and fragment bodies. Untrusted
/// text: bounded by the input, no recursion.
struct GraphQLDocument {
    enum OperationType: String {
        case query, mutation, subscription
    }

    var type: OperationType?
    var name: String?

    /// Bytes of a document scanned for its first operation.
    static let maxScannedBytes = 16 * 1024

    init(_ text: String) {
        let bytes = Array(text.utf8.prefix(Self.maxScannedBytes))
        var index = 0
        var depth = 0
        var expectName = false
        /// A fragment definition's body is next: its `{` is no query shorthand.
        var inFragment = false
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "#"):
                while index < bytes.count, bytes[index] != 0x0a, bytes[index] != 0x0d { index += 1 }
                continue
            case UInt8(ascii: "\""):
                index = Self.skipString(bytes, from: index)
                continue
            case UInt8(ascii: "{"):
                // A selection set at the top level with no keyword: the query shorthand.
                if depth == 0 && type == nil && !inFragment {
                    type = .query
                    return
                }
                if depth == 0 && expectName { return }
                if depth == 0 { inFragment = false }
                depth += 1
            case UInt8(ascii: "}"):
                depth = max(0, depth - 1)
            case UInt8(ascii: "("), UInt8(ascii: "@"):
                if expectName { return }
            default:
                if Self.isNameStart(byte) {
                    let start = index
                    while index < bytes.count, Self.isNameContinue(bytes[index]) { index += 1 }
                    let word = String(decoding: bytes[start..<index], as: UTF8.self)
                    if expectName {
                        name = word
                        return
                    }
                    if depth == 0, let found = OperationType(rawValue: word) {
                        type = found
                        expectName = true
                    } else if depth == 0 && word == "fragment" {
                        inFragment = true
                    }
                    continue
                }
            }
            index += 1
        }
    }

    /// Past a string or a block string (`"""…"""`).
    private static func skipString(_ bytes: [UInt8], from start: Int) -> Int {
        let quote = UInt8(ascii: "\"")
        if start + 2 < bytes.count, bytes[start + 1] == quote, bytes[start + 2] == quote {
            var index = start + 3
            while index + 2 < bytes.count {
                if bytes[index] == quote && bytes[index + 1] == quote && bytes[index + 2] == quote { return index + 3 }
                index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
            }
            return bytes.count
        }
        var index = start + 1
        while index < bytes.count {
            if bytes[index] == quote { return index + 1 }
            if bytes[index] == 0x0a { return index }
            index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
        }
        return bytes.count
    }

    private static func isNameStart(_ byte: UInt8) -> Bool {
        (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") || byte == UInt8(ascii: "_")
    }

    private static func isNameContinue(_ byte: UInt8) -> Bool {
        isNameStart(byte) || (byte >= 0x30 && byte <= 0x39)
    }
}
