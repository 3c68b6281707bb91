/// Eight bytes at a time (SWAR): how far a run of bytes needs no escaping, so the escapers
/// and validators copy or skip plain ASCII in words instead of byte by byte.
enum ByteScanning {
    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let highs: UInt64 = 0x8080_8080_8080_8080

    /// A byte of `word` is zero.
    @inline(__always)
    static func hasZeroByte(_ word: UInt64) -> Bool {
        (word &- ones) & ~word & highs != 0
    }

    /// A byte of `word` equals `byte`.
    @inline(__always)
    static func hasByte(_ word: UInt64, _ byte: UInt8) -> Bool {
        hasZeroByte(word ^ (ones &* UInt64(byte)))
    }

    /// A byte of `word` is below `limit` (at most 128), or has its top bit set.
    @inline(__always)
    static func hasControlOrHigh(_ word: UInt64) -> Bool {
        ((word &- ones &* 0x20) | word) & highs != 0
    }

    /// The length of the prefix of `bytes` from `start` in which every byte is printable
    /// ASCII (0x20...0x7e) and none is `special1` or `special2`, stepping by words.
    @inline(__always)
    static func plainRun(_ bytes: UnsafeRawBufferPointer, from start: Int, excluding special1: UInt8, _ special2: UInt8) -> Int {
        var index = start
        while index + 8 <= bytes.count {
            let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            if hasControlOrHigh(word) || hasByte(word, 0x7f) || hasByte(word, special1) || hasByte(word, special2) { break }
            index += 8
        }
        while index < bytes.count {
            let byte = bytes[index]
            guard byte >= 0x20 && byte < 0x7f && byte != special1 && byte != special2 else { break }
            index += 1
        }
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
