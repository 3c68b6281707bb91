/// How far a run of bytes needs no escaping or validation, so the escapers and validators
/// copy or skip plain ASCII in runs: escapers by table, the UTF-8 check eight bytes at a time.
enum ByteScanning {
    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let highs: UInt64 = 0x8080_8080_8080_8080

    /// '1' for each byte a JSON string cannot carry as it is (controls, `"`, `\`, DEL and
    /// every byte of a multi-byte sequence, which the escaper validates), '0' otherwise.
    static var jsonAttention: StaticString {
        "1111111111111111111111111111111100100000000000000000000000000000000000000000000000000000000010000000000000000000000000000000000111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111"
    }

    /// The same for the terminal escaper (`"` is plain there).
    static var terminalAttention: StaticString {
        "1111111111111111111111111111111100000000000000000000000000000000000000000000000000000000000010000000000000000000000000000000000111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111"
    }

    /// The length of the prefix of `bytes` from `start` whose bytes are all '0' in `table`
    /// (one load and compare per byte, unrolled by four: most strings are short, where the
    /// word-at-a-time scan spent its time in set-up and tail).
    @inline(__always)
    static func plainRun(_ bytes: UnsafeRawBufferPointer, from start: Int, table: StaticString) -> Int {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return start }
        let attention = table.utf8Start
        let zero = UInt8(ascii: "0")
        let count = bytes.count
        var index = start
        while index + 4 <= count {
            if attention[Int(base[index])] != zero { return index }
            if attention[Int(base[index + 1])] != zero { return index + 1 }
            if attention[Int(base[index + 2])] != zero { return index + 2 }
            if attention[Int(base[index + 3])] != zero { return index + 3 }
            index += 4
        }
        while index < count, attention[Int(base[index])] == zero { index += 1 }
        return index
    }

    /// The index of the first byte from `start` with its top bit set (or the end).
    @inline(__always)
    static func asciiRun(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        var index = start
        while index + 8 <= bytes.count {
            let word = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            if word & highs != 0 { break }
            index += 8
        }
        while index < bytes.count && bytes[index] < 0x80 { index += 1 }
        return index
    }
}
