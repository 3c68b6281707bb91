import Foundation

/// Events on their way from the analysis thread to the output thread, with the input
/// problems that came after them (reported in the same order as a single thread would).
final class EventBatch {
    var events: [TimelineEvent] = []
    var problems: [CaptureError] = []
    /// The analysis thread is done: nothing follows this batch.
    var isLast = false
    /// Payload buffers of the printed events, going back to the analysis thread's pool.
    var returnedBuffers = PayloadBufferPool()

    init() {
        events.reserveCapacity(EventBatchQueue.batchEvents)
    }

    /// Empties the batch, keeping the printed events' payload buffers for reuse.
    func clear() {
        for event in events { returnedBuffers.reclaim(from: event) }
        events.removeAll(keepingCapacity: true)
        problems.removeAll()
        isLast = false
    }
}

/// The bounded hand-over between the two threads of a pipelined run: a fixed set of
/// batches circulates (filled by the analysis thread, printed and emptied by the output
/// thread), so memory stays flat and nothing is allocated per batch once running. A full
/// queue makes the analysis thread wait: output is never dropped.
final class EventBatchQueue: @unchecked Sendable {
    /// Events per batch: large enough that the lock is taken rarely, small enough that the
    /// two threads overlap.
    static let batchEvents = 1024
    /// Batches in circulation.
    static let depth = 8

    private let condition = NSCondition()
    /// Filled batches, oldest first (guarded by `condition`).
    private var filled: [EventBatch] = []
    private var filledHead = 0
    /// Empty batches ready for the analysis thread (guarded by `condition`).
    private var empty: [EventBatch]

    init() {
        empty = (0..<Self.depth).map { _ in EventBatch() }
    }

    /// Analysis thread: an empty batch, waiting for the output thread to give one back.
    func takeEmpty() -> EventBatch {
        condition.lock()
        defer { condition.unlock() }
        while empty.isEmpty { condition.wait() }
        return empty.removeLast()
    }

    /// Analysis thread: hands a filled batch over.
    func send(_ batch: EventBatch) {
        condition.lock()
        filled.append(batch)
        condition.signal()
        condition.unlock()
    }

    /// Output thread: the oldest filled batch, waiting for one.
    func receive() -> EventBatch {
        condition.lock()
        defer { condition.unlock() }
        while filledHead == filled.count { condition.wait() }
        let batch = filled[filledHead]
        filledHead += 1
        if filledHead == filled.count {
            filled.removeAll(keepingCapacity: true)
            filledHead = 0
        }
        return batch
    }

    /// Output thread: gives a printed batch back (emptied here, so the events' payloads
    /// are released on this thread).
    func recycle(_ batch: EventBatch) {
        batch.clear()
        condition.lock()
        empty.append(batch)
        condition.signal()
        condition.unlock()
    }
}
