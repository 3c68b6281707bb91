import Glibc

/// Reads a file at arbitrary offsets through one large buffer, for walks that visit many
/// small headers in order (pcapng blocks): one `pread` per `chunkSize` bytes instead of a
/// seek and a read per header, which cost three system calls per packet.
struct BufferedFileReader: ~Copyable {
    /// Named limit: bytes fetched per read.
    static let chunkSize = 1 << 20

    private let descriptor: Int32
    private var buffer: [UInt8]
    /// File offset of `buffer[0]`.
    private var bufferStart: UInt64 = 0
    /// Valid bytes in `buffer`.
    private var valid = 0

    init?(path: String) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        self.descriptor = descriptor
        buffer = [UInt8](repeating: 0, count: Self.chunkSize)
    }

    deinit { close(descriptor) }

    /// Up to `count` bytes from `position` (fewer at the end of the file, none past it).
    mutating func bytes(at position: UInt64, upTo count: Int) -> ArraySlice<UInt8> {
        guard count > 0 else { return [] }
        if count > Self.chunkSize { return readDirect(at: position, count: count) }
        let end = bufferStart + UInt64(valid)
        if position < bufferStart || position + UInt64(count) > end {
            refill(at: position)
        }
        guard position >= bufferStart else { return [] }
        let start = Int(position - bufferStart)
        guard start < valid else { return [] }
        return buffer[start..<min(start + count, valid)]
    }

    private mutating func refill(at position: UInt64) {
        bufferStart = position
        let descriptor = self.descriptor
        valid = buffer.withUnsafeMutableBytes { Self.read(descriptor, into: $0, at: position) }
    }

    /// A read larger than the buffer (a big secrets block) bypasses it.
    private func readDirect(at position: UInt64, count: Int) -> ArraySlice<UInt8> {
        var bytes = [UInt8](repeating: 0, count: count)
        let descriptor = self.descriptor
        let filled = bytes.withUnsafeMutableBytes { Self.read(descriptor, into: $0, at: position) }
        return bytes[0..<filled]
    }

    /// Fills `target` from `position` (less at the end of the file); the bytes read.
    private static func read(
        _ descriptor: Int32, into target: UnsafeMutableRawBufferPointer, at position: UInt64
    ) -> Int {
        guard let base = target.baseAddress else { return 0 }
        var filled = 0
        while filled < target.count {
            let got = pread(descriptor, base + filled, target.count - filled, off_t(position) + off_t(filled))
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { break }
            filled += got
        }
        return filled
    }
}
