/// Maps absolute stream offsets of one direction back to the packet that carried them.
///
/// A dissector records each chunk as it arrives and later asks where a given offset came
/// from (a WebSocket frame header, the switch point). Entries below what the dissector has
/// consumed can be forgotten, so memory follows the unparsed window, not the stream.
package struct StreamOffsetMap: Sendable {
    private var starts: [UInt64] = []
    private var captures: [CaptureInfo] = []
    private var head = 0

    package init() {}

    package var count: Int { starts.count - head }

    /// Records that bytes from `offset` on came with `capture` (a chunk or a gap).
    package mutating func record(offset: UInt64, capture: CaptureInfo) {
        if let last = captures.last, starts.count > head, last == capture, let lastStart = starts.last,
            lastStart <= offset
        {
            return  // same packet continues
        }
        starts.append(offset)
        captures.append(capture)
    }

    package mutating func record(_ chunk: StreamChunk) {
        record(offset: chunk.offset, capture: chunk.capture)
    }

    /// The packet that carried `offset`: the latest entry starting at or before it.
    package func capture(at offset: UInt64) -> CaptureInfo? {
        var low = head
        var high = starts.count
        while low < high {
            let middle = (low + high) / 2
            if starts[middle] <= offset { low = middle + 1 } else { high = middle }
        }
        return low > head ? captures[low - 1] : nil
    }

    /// Drops entries no offset at or after `offset` can map to.
    package mutating func forget(below offset: UInt64) {
        while head + 1 < starts.count && starts[head + 1] <= offset {
            head += 1
        }
        // Compact once the dead prefix dominates, keeping removal amortized O(1).
        if head > 64 && head * 2 > starts.count {
            starts.removeFirst(head)
            captures.removeFirst(head)
            head = 0
        }
    }

    /// Records a chunk arriving and forgets what lies more than `window` bytes before it:
    /// a dissector whose units (frame headers, message heads) are at most `window` bytes
    /// before their end can still look up where a unit split across packets began.
    package mutating func record(chunkAt offset: UInt64, capture: CaptureInfo, keeping window: UInt64) {
        // Bytes given again (held bytes replayed) are already mapped: entries stay sorted.
        if starts.count > head, let lastStart = starts.last, offset < lastStart { return }
        record(offset: offset, capture: capture)
        if offset > window { forget(below: offset - window) }
    }

    /// The number of the packet that carried `offset`, for a unit that began there and is
    /// being read from the chunk at `chunkOffset` carried by `capture`: that packet when
    /// the unit starts inside the chunk (no lookup, the usual case), else the recorded one.
    @inline(__always)
    package func packetNumber(at offset: UInt64, chunkOffset: UInt64, capture: CaptureInfo) -> UInt64 {
        if offset >= chunkOffset { return capture.packetNumber }
        return self.capture(at: offset)?.packetNumber ?? capture.packetNumber
    }
}
