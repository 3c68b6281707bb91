#if canImport(Glibc)
    import Glibc
#endif

/// Just enough JSON for the interpreters: skip a value, read a string or an integer, find
/// an object's member or an array's elements. No tree is built; nesting is bounded
/// (`maxDepth`), so hostile input costs at most one pass.
package struct JSONFieldReader {
    /// Nesting deeper than this is not JSON these interpreters accept.
    package static let maxDepth = 64
    /// Elements or members looked at in one array or object.
    package static let maxItems = 4096

    package let bytes: UnsafeRawBufferPointer

    package init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    package func skipSpace(_ index: Int) -> Int {
        var index = index
        while index < bytes.count,
            bytes[index] == 0x20 || bytes[index] == 0x09 || bytes[index] == 0x0A
                || bytes[index] == 0x0D
        {
            index += 1
        }
        return index
    }

    /// The end of the value starting at `index` (after leading space), or nil when it is
    /// not one or stops short.
    package func valueEnd(_ index: Int, depth: Int = 0) -> Int? {
        let index = skipSpace(index)
        guard index < bytes.count, depth < Self.maxDepth else { return nil }
        switch bytes[index] {
        case UInt8(ascii: "\""): return stringEnd(index)
        case UInt8(ascii: "{"), UInt8(ascii: "["): return containerEnd(index, depth: depth)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            var end = index + 1
            while end < bytes.count, Self.isNumberByte(bytes[end]) { end += 1 }
            return end
        case UInt8(ascii: "t"): return literalEnd(index, "true")
        case UInt8(ascii: "f"): return literalEnd(index, "false")
        case UInt8(ascii: "n"): return literalEnd(index, "null")
        default: return nil
        }
    }

    /// Ranges of the elements of the array at `index` (at most `limit`), and the array's end.
    package func arrayElements(_ index: Int, limit: Int = maxItems) -> (elements: [Range<Int>], end: Int)? {
        var index = skipSpace(index)
        guard index < bytes.count, bytes[index] == UInt8(ascii: "[") else { return nil }
        index = skipSpace(index + 1)
        var elements: [Range<Int>] = []
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") { return (elements, index + 1) }
        while elements.count < Self.maxItems {
            let start = skipSpace(index)
            guard let end = valueEnd(start, depth: 1) else { return nil }
            if elements.count < limit { elements.append(start..<end) }
            index = skipSpace(end)
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: "]") { return (elements, index + 1) }
            guard bytes[index] == UInt8(ascii: ",") else { return nil }
            index += 1
        }
        return nil
    }

    /// The value of `key` in the object at `index`, as a range.
    package func member(_ key: String, inObjectAt index: Int) -> Range<Int>? {
        var index = skipSpace(index)
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { return nil }
        index = skipSpace(index + 1)
        for _ in 0..<Self.maxItems {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\""), let keyEnd = stringEnd(index) else {
                return nil
            }
            let name = string(index)
            index = skipSpace(keyEnd)
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
            let valueStart = skipSpace(index + 1)
            guard let valueEnd = valueEnd(valueStart, depth: 1) else { return nil }
            if name == key { return valueStart..<valueEnd }
            index = skipSpace(valueEnd)
            guard index < bytes.count, bytes[index] == UInt8(ascii: ",") else { return nil }
            index = skipSpace(index + 1)
        }
        return nil
    }

    /// The string at `index`, unescaped (nil when it is not a whole string).
    package func string(_ index: Int) -> String? {
        guard let end = stringEnd(index) else { return nil }
        let body = UnsafeRawBufferPointer(rebasing: bytes[(index + 1)..<(end - 1)])
        guard body.contains(UInt8(ascii: "\\")) else { return String(decoding: body, as: UTF8.self) }
        return Self.unescape(body)
    }

    package func integer(_ range: Range<Int>) -> Int64? {
        guard !range.isEmpty, range.count <= 19 else { return nil }
        var value: Int64 = 0
        for index in range {
            let byte = bytes[index]
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int64(byte - UInt8(ascii: "0"))
        }
        return value
    }

    package func text(_ range: Range<Int>) -> String {
        TextPreview.of(UnsafeRawBufferPointer(rebasing: bytes[range]))
    }

    /// Past the string that opens at `index`. Quotes are found with `memchr` (strings are
    /// most of a message's bytes); one is the end unless an odd run of backslashes escapes it.
    private func stringEnd(_ index: Int) -> Int? {
        let quote = UInt8(ascii: "\"")
        guard index < bytes.count, bytes[index] == quote, let base = bytes.baseAddress else { return nil }
        var cursor = index + 1
        while cursor < bytes.count {
            guard let found = memchr(base + cursor, Int32(quote), bytes.count - cursor) else { return nil }
            let position = base.distance(to: UnsafeRawPointer(found))
            var backslashes = 0
            while position - backslashes - 1 > index, bytes[position - backslashes - 1] == UInt8(ascii: "\\") {
                backslashes += 1
            }
            if backslashes % 2 == 0 { return position + 1 }
            cursor = position + 1
        }
        return nil
    }

    private func containerEnd(_ index: Int, depth: Int) -> Int? {
        let close = bytes[index] == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
        let isObject = close == UInt8(ascii: "}")
        var cursor = skipSpace(index + 1)
        if cursor < bytes.count, bytes[cursor] == close { return cursor + 1 }
        while cursor < bytes.count {
            if isObject {
                guard bytes[cursor] == UInt8(ascii: "\""), let keyEnd = stringEnd(cursor) else { return nil }
                cursor = skipSpace(keyEnd)
                guard cursor < bytes.count, bytes[cursor] == UInt8(ascii: ":") else { return nil }
                cursor += 1
            }
            guard let end = valueEnd(cursor, depth: depth + 1) else { return nil }
            cursor = skipSpace(end)
            guard cursor < bytes.count else { return nil }
            if bytes[cursor] == close { return cursor + 1 }
            guard bytes[cursor] == UInt8(ascii: ",") else { return nil }
            cursor = skipSpace(cursor + 1)
        }
        return nil
    }

    private func literalEnd(_ index: Int, _ literal: StaticString) -> Int? {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { return nil }
        for offset in 0..<count where bytes[index + offset] != literal.utf8Start[offset] { return nil }
        return index + count
    }

    private static func isNumberByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: ".")
            || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") || byte == UInt8(ascii: "+")
            || byte == UInt8(ascii: "-")
    }

    private static func unescape(_ body: UnsafeRawBufferPointer) -> String {
        var scalars = String.UnicodeScalarView()
        var decoded: [UInt8] = []
        var index = 0
        func flush() {
            scalars.append(contentsOf: String(decoding: decoded, as: UTF8.self).unicodeScalars)
            decoded.removeAll(keepingCapacity: true)
        }
        while index < body.count {
            let byte = body[index]
            guard byte == UInt8(ascii: "\\"), index + 1 < body.count else {
                decoded.append(byte)
                index += 1
                continue
            }
            let escaped = body[index + 1]
            index += 2
            switch escaped {
            case UInt8(ascii: "n"): decoded.append(0x0A)
            case UInt8(ascii: "t"): decoded.append(0x09)
            case UInt8(ascii: "r"): decoded.append(0x0D)
            case UInt8(ascii: "b"): decoded.append(0x08)
            case UInt8(ascii: "f"): decoded.append(0x0C)
            case UInt8(ascii: "u"):
                guard index + 4 <= body.count,
                    let code = UInt32(
                        String(decoding: UnsafeRawBufferPointer(rebasing: body[index..<(index + 4)]), as: UTF8.self),
                        radix: 16)
                else { continue }
                index += 4
                flush()
                scalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
            default: decoded.append(escaped)
            }
        }
        flush()
        return String(scalars)
    }
}
