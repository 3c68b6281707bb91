/// The packets that carried the last three chunks of one stream direction: where a unit
/// that starts a few bytes back (a frame header split across packets) began, with no
/// allocation and no search (three fixed slots, updated once per packet). A
/// `StreamOffsetMap` in miniature for the per-frame hot path; a header spread over more
/// than three packets is dated to the oldest one kept.
struct RecentChunkPackets {
    private var current = (offset: UInt64(0), packet: UInt64(0))
    private var previous = (offset: UInt64(0), packet: UInt64(0))
    private var older = (offset: UInt64(0), packet: UInt64(0))

    /// A chunk arrives (bytes given again, held bytes replayed, change nothing).
    @inline(__always)
    mutating func record(chunkAt offset: UInt64, capture: CaptureInfo) {
        guard capture.packetNumber != current.packet, offset >= current.offset else { return }
        older = previous
        previous = current
        current = (offset, capture.packetNumber)
    }

    /// The packet that carried `offset`, for a unit read from the chunk at `chunkOffset`
    /// carried by `capture`: that packet when the unit starts in the chunk (the usual case).
    @inline(__always)
    func packetNumber(at offset: UInt64, chunkOffset: UInt64, capture: CaptureInfo) -> UInt64 {
        if offset >= chunkOffset { return capture.packetNumber }
        if offset >= current.offset && current.packet != 0 { return current.packet }
        if offset >= previous.offset && previous.packet != 0 { return previous.packet }
        return older.packet != 0 ? older.packet : capture.packetNumber
    }
}
