/// The packets of one polling body: Engine.IO v4 separates them with a record separator
/// (0x1E); v2/v3 prefix each with its length and a colon (`97:0{"sid":…}2:40`).
package enum EngineIOPollingPayload {
    package static let recordSeparator: UInt8 = 0x1E
    /// Packets read from one body; the rest are not looked at.
    package static let maxPackets = 4096
    /// Digits of a v3 length prefix.
    private static let maxLengthDigits = 9

    package static func packets(_ bytes: UnsafeRawBufferPointer) -> [Range<Int>] {
        if let lengthPrefixed = lengthPrefixedPackets(bytes) { return lengthPrefixed }
        var result: [Range<Int>] = []
        var start = 0
        for index in 0...bytes.count where index == bytes.count || bytes[index] == recordSeparator {
            if index > start, result.count < maxPackets { result.append(start..<index) }
            start = index + 1
        }
        return result
    }

    /// Nil unless the whole body is `length:packet` records (lengths counted in bytes, which
    /// is what v3 servers send for ASCII packets).
    private static func lengthPrefixedPackets(_ bytes: UnsafeRawBufferPointer) -> [Range<Int>]? {
        var result: [Range<Int>] = []
        var index = 0
        while index < bytes.count, result.count < maxPackets {
            var length = 0
            var digits = 0
            while index < bytes.count, digits < maxLengthDigits, bytes[index] >= UInt8(ascii: "0"),
                bytes[index] <= UInt8(ascii: "9")
            {
                length = length * 10 + Int(bytes[index] - UInt8(ascii: "0"))
                index += 1
                digits += 1
            }
            guard digits > 0, index < bytes.count, bytes[index] == UInt8(ascii: ":"), length > 0,
                bytes.count - index - 1 >= length
            else { return nil }
            result.append((index + 1)..<(index + 1 + length))
            index += 1 + length
        }
        return result.isEmpty ? nil : result
    }
}
