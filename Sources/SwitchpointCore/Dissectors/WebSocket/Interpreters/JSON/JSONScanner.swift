/// A bounded JSON scanner for the message interpreters: it reads the members of one object
/// (or the elements of one array) and skips nested values by counting brackets, without
/// recursion and without Foundation. Untrusted input: every read is bounds-checked, nesting
/// deeper than `maxDepth` or more than `maxMembers` members makes the value unreadable
/// (nil), never a trap. Values are spans of the bytes; strings are decoded on demand.
package struct JSONScanner {
    /// Nesting a skipped value may have.
    package static let maxDepth = 64
    /// Members of one object, elements of one array.
    package static let maxMembers = 1024

    package enum Kind: Equatable, Sendable {
        case object, array, string, number, literalTrue, literalFalse, null
    }

    /// One value: its kind and where its bytes are (for a string, inside the quotes).
    package struct Value: Equatable, Sendable {
        package var kind: Kind
        package var range: Range<Int>
    }

    package struct Member: Equatable, Sendable {
        package var key: String
        package var value: Value
    }

    let bytes: UnsafeRawBufferPointer

    package init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// The whole input as one value (white space around it allowed); nil when it is not one.
    package func topLevel() -> Value? {
        var index = skipSpace(0)
        guard let value = value(at: &index) else { return nil }
        return skipSpace(index) == bytes.count ? value : nil
    }

    /// The members of an object value, in order; nil when it is not a well-formed object.
    package func members(of object: Value) -> [Member]? {
        guard object.kind == .object else { return nil }
        var index = skipSpace(object.range.lowerBound + 1)
        var members: [Member] = []
        if index < object.range.upperBound, bytes[index] == UInt8(ascii: "}") { return members }
        while members.count < Self.maxMembers {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\""), let key = value(at: &index),
                key.kind == .string
            else { return nil }
            index = skipSpace(index)
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
            index = skipSpace(index + 1)
            guard let member = value(at: &index) else { return nil }
            members.append(Member(key: string(key), value: member))
            index = skipSpace(index)
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: "}") { return members }
            guard bytes[index] == UInt8(ascii: ",") else { return nil }
            index = skipSpace(index + 1)
        }
        return nil
    }

    /// The elements of an array value; nil when it is not a well-formed array.
    package func elements(of array: Value) -> [Value]? {
        guard array.kind == .array else { return nil }
        var index = skipSpace(array.range.lowerBound + 1)
        var elements: [Value] = []
        if index < array.range.upperBound, bytes[index] == UInt8(ascii: "]") { return elements }
        while elements.count < Self.maxMembers {
            guard let element = value(at: &index) else { return nil }
            elements.append(element)
            index = skipSpace(index)
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: "]") { return elements }
            guard bytes[index] == UInt8(ascii: ",") else { return nil }
            index = skipSpace(index + 1)
        }
        return nil
    }

    /// A string value decoded (escapes resolved, invalid UTF-8 replaced), at most `limit`
    /// bytes of it; any other value as its JSON text.
    package func string(_ value: Value, limit: Int = Int.max) -> String {
        let slice = UnsafeRawBufferPointer(rebasing: bytes[value.range])
        guard value.kind == .string else {
            return String(decoding: slice.prefix(max(0, limit)), as: UTF8.self)
        }
        return JSONStringDecoder.decode(slice, limit: limit)
    }

    /// The JSON text of a value (a string with its quotes), at most `limit` bytes.
    package func text(_ value: Value, limit: Int) -> String {
        let range = value.kind == .string ? (value.range.lowerBound - 1)..<(value.range.upperBound + 1) : value.range
        let clamped = max(0, range.lowerBound)..<min(bytes.count, range.upperBound)
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[clamped]).prefix(max(0, limit)), as: UTF8.self)
    }

    /// An integer value, when it is one that fits.
    package func integer(_ value: Value) -> Int64? {
        guard value.kind == .number else { return nil }
        var result: Int64 = 0
        var negative = false
        for index in value.range {
            let byte = bytes[index]
            if index == value.range.lowerBound && byte == UInt8(ascii: "-") {
                negative = true
                continue
            }
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            let (times, overflow) = result.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(Int64(byte - 0x30))
            guard !overflow && !overflow2 else { return nil }
            result = sum
        }
        return negative ? -result : result
    }

    /// Whether a string value equals `text` exactly (no escapes in it).
    package func stringEquals(_ value: Value, _ text: StaticString) -> Bool {
        guard value.kind == .string, value.range.count == text.utf8CodeUnitCount else { return false }
        return text.withUTF8Buffer { expected in
            for offset in 0..<expected.count where bytes[value.range.lowerBound + offset] != expected[offset] {
                return false
            }
            return true
        }
    }

    // MARK: Skipping

    private func skipSpace(_ start: Int) -> Int {
        var index = start
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0a, 0x0d: index += 1
            default: return index
            }
        }
        return index
    }

    /// The value starting at `index` (after white space): `index` moves past it.
    private func value(at index: inout Int) -> Value? {
        guard index < bytes.count else { return nil }
        let start = index
        switch bytes[index] {
        case UInt8(ascii: "\""):
            guard let end = stringEnd(from: index + 1) else { return nil }
            index = end + 1
            return Value(kind: .string, range: (start + 1)..<end)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            guard let end = containerEnd(from: index) else { return nil }
            index = end + 1
            return Value(kind: bytes[start] == UInt8(ascii: "{") ? .object : .array, range: start..<(end + 1))
        case UInt8(ascii: "t"):
            return literal("true", .literalTrue, at: &index)
        case UInt8(ascii: "f"):
            return literal("false", .literalFalse, at: &index)
        case UInt8(ascii: "n"):
            return literal("null", .null, at: &index)
        default:
            guard let end = numberEnd(from: index) else { return nil }
            index = end
            return Value(kind: .number, range: start..<end)
        }
    }

    private func literal(_ word: StaticString, _ kind: Kind, at index: inout Int) -> Value? {
        let count = word.utf8CodeUnitCount
        guard bytes.count - index >= count else { return nil }
        let matches = word.withUTF8Buffer { expected in
            (0..<count).allSatisfy { bytes[index + $0] == expected[$0] }
        }
        guard matches else { return nil }
        let start = index
        index += count
        return Value(kind: kind, range: start..<index)
    }

    /// The index of the closing quote of a string whose contents start at `start`.
    private func stringEnd(from start: Int) -> Int? {
        var index = start
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""): return index
            case UInt8(ascii: "\\"): index += 2
            case 0x00..<0x20: return nil
            default: index += 1
            }
        }
        return nil
    }

    /// JSON numbers: `-? digits (. digits)? ([eE] [+-]? digits)?`; the index past it.
    private func numberEnd(from start: Int) -> Int? {
        var index = start
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        let digitsStart = index
        while index < bytes.count, bytes[index] >= 0x30 && bytes[index] <= 0x39 { index += 1 }
        guard index > digitsStart else { return nil }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            let fraction = index
            while index < bytes.count, bytes[index] >= 0x30 && bytes[index] <= 0x39 { index += 1 }
            guard index > fraction else { return nil }
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            let exponent = index
            while index < bytes.count, bytes[index] >= 0x30 && bytes[index] <= 0x39 { index += 1 }
            guard index > exponent else { return nil }
        }
        return index
    }

    /// The index of the bracket that closes the object or array opening at `start`:
    /// brackets counted outside strings, nesting bounded (a stack of bits, no recursion).
    private func containerEnd(from start: Int) -> Int? {
        var openers: [UInt8] = []
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                guard let end = stringEnd(from: index + 1) else { return nil }
                index = end + 1
                continue
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                guard openers.count < Self.maxDepth else { return nil }
                openers.append(byte)
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                guard let opener = openers.popLast(), opener + 2 == byte else { return nil }
                if openers.isEmpty { return index }
            default:
                break
            }
            index += 1
        }
        return nil
    }
}
