/// Strict JSON syntax (RFC 8259) for lines merge copies out unchanged: number grammar,
/// string escapes, well-formed UTF-8, no raw control character, nesting bounded. The
/// interpreters' `JSONFieldReader` only skims (it accepts `1-2` or `"\x"`), which is right
/// for reading a message and wrong for vouching that output is JSON.
enum JSONSyntax {
    /// Nesting deeper than this is not a switchpoint line (its deepest is a few levels).
    static let maxDepth = 64

    /// Whether `bytes` is exactly one JSON object, without surrounding white space.
    static func isWholeObject(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.first == UInt8(ascii: "{") else { return false }
        var reader = JSONSyntaxReader(bytes: bytes)
        return reader.value(depth: 0) && reader.index == bytes.count
    }
}
