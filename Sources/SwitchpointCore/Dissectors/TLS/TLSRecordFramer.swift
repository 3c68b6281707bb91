/// Cuts one direction's bytes into TLS records (RFC 8446 §5.1): records may span segments
/// and a segment may hold several. Sans-I/O: bytes in, records out, gaps handled by
/// skipping to the next record boundary when the cut record's length is known.
struct TLSRecordFramer {
    struct Header: Equatable {
        var type: UInt8
        var version: UInt16
        var length: Int
        /// Stream offset of the header's first byte.
        var offset: UInt64
    }

    enum Problem: Error, Equatable {
        /// A header whose type, version or length is impossible: framing is lost.
        case badHeader(type: UInt8, version: UInt16, length: Int)
    }

    enum GapOutcome: Equatable {
        /// The gap fell inside this record (length known): it is lost, framing goes on.
        case lostRecord(Header)
        /// The gap covered where a header was due: the boundary is unknown from here on.
        case lostBoundary
    }

    private var buffer: [UInt8] = []
    private var start = 0
    /// Stream offset of `buffer[start]`.
    private var bufferOffset: UInt64 = 0
    private var started = false
    /// Bytes still to drop: the rest of a record cut by a gap.
    private var skipping = 0
    /// Framing is lost (a bad header or a gap where a header was due): bytes are ignored.
    private(set) var lost = false

    var bufferedCount: Int { buffer.count - start }

    mutating func append(_ bytes: UnsafeRawBufferPointer, offset: UInt64) {
        guard !lost else { return }
        var bytes = bytes
        var offset = offset
        if skipping > 0 {
            let dropped = min(skipping, bytes.count)
            skipping -= dropped
            bytes = UnsafeRawBufferPointer(rebasing: bytes[dropped...])
            offset += UInt64(dropped)
        }
        guard !bytes.isEmpty else { return }
        if !started || bufferedCount == 0 {
            started = true
            bufferOffset = offset
        }
        if start > 0 && start * 2 >= buffer.count {
            buffer.removeSubrange(0..<start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next whole record: its header and its body (valid until the next mutation).
    mutating func next() -> Result<(Header, Range<Int>), Problem>? {
        guard !lost, bufferedCount >= TLSRecordLimits.headerLength else { return nil }
        let type = buffer[start]
        let version = UInt16(buffer[start + 1]) << 8 | UInt16(buffer[start + 2])
        let length = Int(buffer[start + 3]) << 8 | Int(buffer[start + 4])
        guard TLSContentType(rawValue: type) != nil, version >> 8 == 3, length <= TLSRecordLimits.maxCiphertextLength
        else {
            lost = true
            return .failure(.badHeader(type: type, version: version, length: length))
        }
        guard bufferedCount >= TLSRecordLimits.headerLength + length else { return nil }
        let header = Header(type: type, version: version, length: length, offset: bufferOffset)
        let bodyStart = start + TLSRecordLimits.headerLength
        start = bodyStart + length
        bufferOffset += UInt64(TLSRecordLimits.headerLength + length)
        return .success((header, bodyStart..<(bodyStart + length)))
    }

    func withBody<R>(_ range: Range<Int>, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        buffer.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[range])) }
    }

    /// Bytes never captured at the end of what was received.
    mutating func gap(length: UInt64) -> GapOutcome? {
        guard !lost else { return nil }
        if skipping > 0 {
            // Still inside a record already lost.
            if length <= UInt64(skipping) {
                skipping -= Int(length)
                return nil
            }
            lost = true
            return .lostBoundary
        }
        let buffered = bufferedCount
        guard buffered >= TLSRecordLimits.headerLength else {
            lost = true
            return .lostBoundary
        }
        let type = buffer[start]
        let version = UInt16(buffer[start + 1]) << 8 | UInt16(buffer[start + 2])
        let recordLength = Int(buffer[start + 3]) << 8 | Int(buffer[start + 4])
        let missing = TLSRecordLimits.headerLength + recordLength - buffered
        let header = Header(type: type, version: version, length: recordLength, offset: bufferOffset)
        guard length <= UInt64(missing) else {
            lost = true
            return .lostBoundary
        }
        // Drop what is held of the record; the rest of it arrives (or not) after the gap.
        skipping = missing - Int(length)
        bufferOffset += UInt64(TLSRecordLimits.headerLength + recordLength)
        start = buffer.count
        return .lostRecord(header)
    }
}

/// Reassembles handshake messages (RFC 8446 §4) from record fragments: a message may span
/// records and a record may hold several.
struct TLSHandshakeReassembler {
    struct Message {
        var type: UInt8
        var body: [UInt8]
        /// The offset of the record where the message began.
        var offset: UInt64
    }

    enum Problem: Error, Equatable {
        case tooLarge(type: UInt8, length: Int)
    }

    private var buffer: [UInt8] = []
    /// Offset of the record holding the first byte of `buffer`.
    private var firstRecordOffset: UInt64 = 0
    private(set) var failed = false

    var isEmpty: Bool { buffer.isEmpty }

    mutating func append(_ fragment: UnsafeRawBufferPointer, recordOffset: UInt64) {
        guard !failed else { return }
        if buffer.isEmpty { firstRecordOffset = recordOffset }
        buffer.append(contentsOf: fragment)
    }

    mutating func append(_ fragment: [UInt8], recordOffset: UInt64) {
        fragment.withUnsafeBytes { append($0, recordOffset: recordOffset) }
    }

    /// The next whole message; nil when more bytes are needed.
    mutating func next(limit: Int = TLSRecordLimits.maxHandshakeMessageLength) -> Result<Message, Problem>? {
        guard !failed, buffer.count >= 4 else { return nil }
        let length = Int(buffer[1]) << 16 | Int(buffer[2]) << 8 | Int(buffer[3])
        guard length <= limit else {
            failed = true
            return .failure(.tooLarge(type: buffer[0], length: length))
        }
        guard buffer.count >= 4 + length else { return nil }
        let message = Message(type: buffer[0], body: Array(buffer[4..<(4 + length)]), offset: firstRecordOffset)
        buffer.removeSubrange(0..<(4 + length))
        return .success(message)
    }

    /// Held bytes belong to a key epoch that ended, or to a record lost in a gap.
    mutating func reset() {
        buffer.removeAll(keepingCapacity: false)
    }
}
