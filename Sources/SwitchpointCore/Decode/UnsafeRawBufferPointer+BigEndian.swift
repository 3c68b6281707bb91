extension UnsafeRawBufferPointer {
    /// Reads a big-endian integer; callers check `offset + 2 <= count` first.
    @inline(__always)
    func readBigEndianUInt16(at offset: Int) -> UInt16 {
        UInt16(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    /// Reads a big-endian integer; callers check `offset + 4 <= count` first.
    @inline(__always)
    func readBigEndianUInt32(at offset: Int) -> UInt32 {
        UInt32(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    /// Reads a big-endian integer; callers check `offset + 8 <= count` first.
    @inline(__always)
    func readBigEndianUInt64(at offset: Int) -> UInt64 {
        UInt64(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    @inline(__always)
    func slice(_ start: Int, _ end: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: self[start..<end])
    }
}
