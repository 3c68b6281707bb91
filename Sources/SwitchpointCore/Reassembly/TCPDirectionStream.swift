/// Who a direction's signals belong to, and the packet being processed.
struct StreamContext {
    var connection: ConnectionID
    var direction: Direction
    var capture: CaptureInfo
}

/// One direction of a TCP connection: maps sequence numbers to absolute offsets, delivers
/// bytes in order, buffers what arrives early and turns holes into gaps.
///
/// Overlap policy ("first copy wins"): a byte is delivered from the first copy that
/// reassembly accepted for that offset. A byte already delivered never changes; among
/// out-of-order segments the one that arrived first keeps its bytes. A later copy whose
/// bytes differ raises `tcp.overlap_conflict`; the check covers everything still
/// buffered and the last `overlapCheckWindow` bytes delivered.
struct TCPDirectionStream {
    // Declaration order is layout order: the flags and the optional FIN offset sit where
    // they add no padding (two of these per connection).
    /// Sequence number of offset 0 (ISN + 1 when the SYN was seen).
    private(set) var baseSequence: UInt32 = 0
    private(set) var initialSequence: UInt32 = 0
    /// Next offset to deliver; everything below it was delivered or declared a gap.
    private(set) var nextOffset: UInt64 = 0
    /// The highest offset the peer acknowledged.
    private(set) var acknowledgedOffset: UInt64 = 0
    private(set) var pending: [PendingSegment] = []
    private(set) var pendingBytes = 0
    private var recent: RecentBytes
    var stats = DirectionStats()
    private(set) var hasBase = false
    private(set) var synSeen = false
    /// Whether `finAt` holds the FIN's offset (a flag here rather than an optional, whose
    /// tag byte would pad every stream by 8 bytes).
    private var hasFIN = false
    /// This direction's anomalies: each code reported once, then only counted.
    private(set) var anomalies = AnomalyTally()
    private var finAt: UInt64 = 0

    /// The offset of the FIN, once one was seen.
    var finOffset: UInt64? { hasFIN ? finAt : nil }

    init(overlapCheckWindow: Int) {
        recent = RecentBytes(capacity: overlapCheckWindow)
    }

    /// All bytes up to the FIN were delivered (or skipped as gaps).
    var finished: Bool {
        guard let finOffset else { return false }
        return nextOffset >= finOffset
    }

    // MARK: Sequence space

    /// Records a SYN's sequence number; the stream's bytes start right after it.
    mutating func noteSYN(sequence: UInt32) {
        guard !hasBase else { return }
        initialSequence = sequence
        baseSequence = sequence &+ 1
        hasBase = true
        synSeen = true
    }

    /// Without a SYN, the first sequence number seen becomes offset 0.
    mutating func adoptBaseIfNeeded(sequence: UInt32) {
        guard !hasBase else { return }
        baseSequence = sequence
        hasBase = true
    }

    /// The absolute offset of `sequence`, unwrapped around the next expected offset so
    /// that 32-bit wraparound is invisible. Negative: before the stream's start.
    func offset(ofSequence sequence: UInt32) -> Int64 {
        let expected = baseSequence &+ UInt32(truncatingIfNeeded: nextOffset)
        let delta = Int32(bitPattern: sequence &- expected)
        return Int64(nextOffset) + Int64(delta)
    }

    /// Returns false when the FIN moved (a second FIN at another offset).
    mutating func noteFIN(at offset: UInt64) -> Bool {
        stats.finSeen = true
        guard let existing = finOffset else {
            finAt = offset
            hasFIN = true
            return true
        }
        return existing == offset
    }

    /// Records the peer's ACK; when it covers bytes after a hole, the hole was received by
    /// the endpoint but never captured, so it is skipped at once.
    mutating func noteAcknowledgment<Sink: StreamSignalSink>(
        _ sequence: UInt32, context: StreamContext, sink: inout Sink
    ) {
        guard hasBase else { return }
        let offset = self.offset(ofSequence: sequence)
        guard offset > 0 else { return }
        let acknowledged = UInt64(offset)
        if acknowledged > acknowledgedOffset { acknowledgedOffset = acknowledged }
        if let first = pending.first, acknowledged > first.offset {
            skipHoles(before: acknowledged, reason: .acknowledgedUnseen, context: context, sink: &sink)
        }
    }

    // MARK: Payload

    /// Takes a segment's payload. `start` is its offset (may be negative or old);
    /// `payload` is what was captured of `length` bytes.
    mutating func accept<Sink: StreamSignalSink>(
        start rawStart: Int64, payload rawPayload: UnsafeRawBufferPointer, length rawLength: Int,
        context: StreamContext, sink: inout Sink
    ) {
        var start = rawStart
        var payload = rawPayload
        var length = Int64(rawLength)
        if start < 0 {
            report(
                .dataBeforeStreamStart, detail: "\(min(-start, length)) bytes before offset 0", context: context,
                sink: &sink)
            guard start + length > 0 else { return }
            payload = payload.droppingPrefix(Int(-start))
            length += start
            start = 0
        }
        let next = Int64(nextOffset)
        if start < next {
            let old = min(next - start, length)
            stats.retransmittedBytes += UInt64(old)
            // A 1-byte segment just below the edge is a keep-alive carrying a junk byte.
            let isKeepAlive = length == 1 && start + 1 == next
            if !isKeepAlive, recent.differs(payload.prefix(Int(old)), at: UInt64(start)) {
                reportConflict(at: UInt64(start), length: UInt64(old), context: context, sink: &sink)
            }
            guard start + length > next else { return }
            payload = payload.droppingPrefix(Int(next - start))
            length -= next - start
            start = next
        }
        if start == next {
            // In order. Fast path: nothing buffered, deliver straight from the capture buffer.
            let limit = pending.first.map { Int64($0.offset) } ?? Int64.max
            let direct = max(0, min(length, limit - start))
            deliver(
                payload.prefix(Int(direct)), length: UInt64(direct), at: UInt64(start), capture: context.capture,
                context: context, sink: &sink)
            if direct < length {
                insertPending(
                    start: UInt64(start) + UInt64(direct), payload: payload.droppingPrefix(Int(direct)),
                    length: UInt64(length - direct), context: context, sink: &sink)
            }
            drain(context: context, sink: &sink)
        } else {
            stats.outOfOrderSegments += 1
            insertPending(start: UInt64(start), payload: payload, length: UInt64(length), context: context, sink: &sink)
        }
    }

    /// Hands bytes to the consumer; a snaplen-cut tail becomes a gap right after them.
    private mutating func deliver<Sink: StreamSignalSink>(
        _ captured: UnsafeRawBufferPointer, length: UInt64, at offset: UInt64, capture: CaptureInfo,
        context: StreamContext, sink: inout Sink
    ) {
        if !captured.isEmpty {
            sink.receive(
                .data(
                    StreamChunk(
                        connection: context.connection, direction: context.direction,
                        offset: offset, bytes: captured, capture: capture)))
            recent.append(captured, at: offset)
            stats.deliveredBytes += UInt64(captured.count)
        }
        nextOffset = offset + UInt64(captured.count)
        let missing = length - UInt64(captured.count)
        if missing > 0 {
            // Once per direction (then counted): a capture with a short snaplen cuts every packet.
            report(
                .snaplenTruncated,
                detail: "payload bytes beyond the snaplen (first: \(missing) bytes); each cut is a gap",
                context: StreamContext(connection: context.connection, direction: context.direction, capture: capture),
                sink: &sink)
            emitGap(length: missing, reason: .snaplen, context: context, sink: &sink)
        }
    }

    private mutating func emitGap<Sink: StreamSignalSink>(
        length: UInt64, reason: GapReason, context: StreamContext, sink: inout Sink
    ) {
        guard length > 0 else { return }
        sink.receive(
            .gap(
                StreamGap(
                    connection: context.connection, direction: context.direction,
                    offset: nextOffset, length: length, reason: reason, capture: context.capture)))
        stats.gaps += 1
        stats.gapBytes += length
        nextOffset += length
        recent.reset(at: nextOffset)
    }

    /// Buffers an early piece, keeping only bytes no earlier copy covers (first copy wins)
    /// and comparing the ones it does.
    private mutating func insertPending<Sink: StreamSignalSink>(
        start: UInt64, payload: UnsafeRawBufferPointer, length: UInt64, context: StreamContext, sink: inout Sink
    ) {
        let end = start + length
        let capturedEnd = start + UInt64(payload.count)
        var cursor = start
        var index = firstPendingIndex(endingAfter: start)
        var conflict = false
        while cursor < end {
            if index < pending.count, pending[index].offset <= cursor {
                let existing = pending[index]
                let overlapEnd = min(end, existing.end)
                let compareEnd = min(overlapEnd, capturedEnd, existing.capturedEnd)
                if cursor < compareEnd {
                    existing.bytes.withUnsafeBytes { kept in
                        let mine = payload.slice(Int(cursor - start), Int(compareEnd - start))
                        let theirs = kept.slice(Int(cursor - existing.offset), Int(compareEnd - existing.offset))
                        if !mine.elementsEqual(theirs) { conflict = true }
                    }
                }
                cursor = overlapEnd
                index += 1
            } else {
                let pieceEnd = index < pending.count ? min(end, pending[index].offset) : end
                let copyFrom = Int(min(cursor, capturedEnd) - start)
                let copyTo = Int(min(pieceEnd, capturedEnd) - start)
                let piece = PendingSegment(
                    offset: cursor, bytes: Array(payload.slice(copyFrom, copyTo)),
                    length: pieceEnd - cursor, capture: context.capture)
                pending.insert(piece, at: index)
                pendingBytes += piece.bytes.count
                index += 1
                cursor = pieceEnd
            }
        }
        if conflict {
            reportConflict(at: start, length: length, context: context, sink: &sink)
        }
    }

    private func firstPendingIndex(endingAfter offset: UInt64) -> Int {
        var low = 0
        var high = pending.count
        while low < high {
            let middle = (low + high) / 2
            if pending[middle].end <= offset { low = middle + 1 } else { high = middle }
        }
        return low
    }

    private mutating func reportConflict<Sink: StreamSignalSink>(
        at offset: UInt64, length: UInt64, context: StreamContext, sink: inout Sink
    ) {
        stats.overlapConflicts += 1
        report(
            .overlapConflict,
            detail: "a copy of offsets \(offset)..<\(offset + length) differs from the bytes kept (first copy wins)",
            context: context, sink: &sink)
    }

    /// Reports `code` the first time this direction hits it; later hits are only counted
    /// (and the detail string never built).
    mutating func report<Sink: StreamSignalSink>(
        _ code: ReassemblyAnomalyCode, detail: @autoclosure () -> String,
        context: StreamContext, sink: inout Sink
    ) {
        guard anomalies.note(code, direction: context.direction) else { return }
        sink.receive(
            .anomaly(
                ReassemblyAnomaly(
                    connection: context.connection, direction: context.direction, code: code,
                    detail: detail(), capture: context.capture)))
    }

    /// Delivers buffered pieces that have become contiguous.
    private mutating func drain<Sink: StreamSignalSink>(context: StreamContext, sink: inout Sink) {
        var drained = false
        defer {
            // A direction that caught up holds no array storage (a flood of relieved
            // connections would keep one small buffer each).
            if drained && pending.isEmpty { pending = [] }
        }
        while let first = pending.first, first.offset <= nextOffset {
            drained = true
            pending.removeFirst()
            pendingBytes -= first.bytes.count
            guard first.end > nextOffset else { continue }
            let skip = Int(nextOffset - first.offset)
            first.bytes.withUnsafeBytes { kept in
                let captured = kept.droppingPrefix(skip)
                deliver(
                    captured, length: first.end - nextOffset, at: nextOffset, capture: first.capture, context: context,
                    sink: &sink)
            }
        }
    }

    /// Declares the holes before buffered pieces that start below `limit` as gaps and
    /// delivers what follows them.
    mutating func skipHoles<Sink: StreamSignalSink>(
        before limit: UInt64, reason: GapReason, context: StreamContext, sink: inout Sink
    ) {
        while let first = pending.first, first.offset < limit {
            if first.offset > nextOffset {
                emitGap(length: first.offset - nextOffset, reason: reason, context: context, sink: &sink)
            }
            drain(context: context, sink: &sink)
        }
    }

    /// Skips only the first hole (used to relieve a buffer limit a step at a time).
    mutating func skipFirstHole<Sink: StreamSignalSink>(reason: GapReason, context: StreamContext, sink: inout Sink) {
        guard let first = pending.first else { return }
        skipHoles(before: first.offset + 1, reason: reason, context: context, sink: &sink)
    }

    /// Drops the overlap-check ring after a flush under memory pressure: the direction just
    /// lost bytes to gaps, and a flood of relieved connections would otherwise keep ~1 KiB
    /// of history each (97,000 connections: 70 MB). Its later deliveries start a new one.
    var overlapHistoryBytes: Int { recent.allocatedBytes }

    mutating func forgetDeliveredBytes() {
        recent = RecentBytes(capacity: recent.capacity)
    }

    /// Drops the overlap-check ring and the pending array's storage: a closed connection
    /// lingers only to absorb late packets, which are counted, never compared.
    mutating func releaseMemory() {
        recent = RecentBytes(capacity: recent.capacity)
        pending = []
    }

    /// Flushes everything at a FIN or when the connection ends: buffered pieces after
    /// their holes, then a final gap up to the FIN, or up to what the peer acknowledged.
    mutating func flush<Sink: StreamSignalSink>(reason: GapReason, context: StreamContext, sink: inout Sink) {
        skipHoles(before: UInt64.max, reason: reason, context: context, sink: &sink)
        let end = finOffset ?? acknowledgedOffset
        if end > nextOffset {
            emitGap(length: end - nextOffset, reason: reason, context: context, sink: &sink)
        }
    }
}

extension UnsafeRawBufferPointer {
    @inline(__always)
    func droppingPrefix(_ count: Int) -> UnsafeRawBufferPointer {
        let start = Swift.min(Swift.max(count, 0), self.count)
        return UnsafeRawBufferPointer(rebasing: self[start...])
    }

    @inline(__always)
    func prefix(_ count: Int) -> UnsafeRawBufferPointer {
        let end = Swift.min(Swift.max(count, 0), self.count)
        return UnsafeRawBufferPointer(rebasing: self[..<end])
    }
}
