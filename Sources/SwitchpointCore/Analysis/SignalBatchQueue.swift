import Foundation

/// Reassembly's output on its way from the reading thread to the analysis thread: the
/// signals in order, each data chunk's bytes copied into one arena, and the input problems
/// where they happened. Nothing in it is reference-counted per signal, so the two threads
/// share no counters (shared payload arrays made every event bounce a cache line between
/// the cores).
final class SignalBatch {
    enum Entry {
        case opened(ConnectionOpening)
        /// A chunk whose bytes are `arena[start..<start + count]`.
        case data(connection: ConnectionID, direction: Direction, offset: UInt64, start: Int, count: Int, capture: CaptureInfo)
        case gap(StreamGap)
        case anomaly(ReassemblyAnomaly)
        case closed(ConnectionSummary)
        case problem(CaptureError)
    }

    var entries: [Entry] = []
    var arena: [UInt8] = []
    /// The reading thread is done: nothing follows this batch.
    var isLast = false

    init() {
        entries.reserveCapacity(SignalBatchQueue.batchEntries)
        arena.reserveCapacity(SignalBatchQueue.batchBytes + 64 * 1024)
    }

    var isFull: Bool { entries.count >= SignalBatchQueue.batchEntries || arena.count >= SignalBatchQueue.batchBytes }

    func clear() {
        entries.removeAll(keepingCapacity: true)
        arena.removeAll(keepingCapacity: true)
        isLast = false
    }
}

/// The bounded hand-over between the two threads of a pipelined run: a fixed set of
/// batches circulates (filled by the reading thread, analysed and emptied by the other),
/// so memory stays flat and nothing is allocated per batch once running. When every batch
/// is full the reading thread waits: nothing is dropped.
final class SignalBatchQueue: @unchecked Sendable {
    /// Signals per batch and chunk bytes per batch: large enough that the lock is taken
    /// rarely, small enough that the threads overlap.
    static let batchEntries = 4096
    static let batchBytes = 1 << 20
    /// Batches in circulation (about 8 MiB of chunk bytes at most).
    static let depth = 8

    private let condition = NSCondition()
    /// Filled batches, oldest first (guarded by `condition`).
    private var filled: [SignalBatch] = []
    private var filledHead = 0
    /// Empty batches ready for the reading thread (guarded by `condition`).
    private var empty: [SignalBatch]

    init() {
        empty = (0..<Self.depth).map { _ in SignalBatch() }
    }

    /// Reading thread: an empty batch, waiting for the other thread to give one back.
    func takeEmpty() -> SignalBatch {
        condition.lock()
        defer { condition.unlock() }
        while empty.isEmpty { condition.wait() }
        return empty.removeLast()
    }

    /// Reading thread: hands a filled batch over.
    func send(_ batch: SignalBatch) {
        condition.lock()
        filled.append(batch)
        condition.signal()
        condition.unlock()
    }

    /// Analysis thread: the oldest filled batch, waiting for one.
    func receive() -> SignalBatch {
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

    /// Analysis thread: gives an analysed batch back.
    func recycle(_ batch: SignalBatch) {
        batch.clear()
        condition.lock()
        empty.append(batch)
        condition.signal()
        condition.unlock()
    }
}
