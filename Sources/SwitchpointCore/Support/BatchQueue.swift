import Foundation

/// A batch that can be emptied for reuse.
protocol RecyclableBatch: AnyObject {
    init()
    func clear()
}

/// The bounded hand-over between the two threads of a pipelined run: a fixed set of
/// batches circulates (filled by the producing thread, consumed and emptied by the other),
/// so memory stays flat and nothing is allocated per batch once running. When every batch
/// is full the producer waits: nothing is dropped.
final class BatchQueue<Batch: RecyclableBatch>: @unchecked Sendable {
    private let condition = NSCondition()
    /// Filled batches, oldest first (guarded by `condition`).
    private var filled: [Batch] = []
    private var filledHead = 0
    /// Empty batches ready for the producer (guarded by `condition`).
    private var empty: [Batch]

    init(depth: Int) {
        empty = (0..<depth).map { _ in Batch() }
    }

    /// Producer: an empty batch, waiting for the consumer to give one back.
    func takeEmpty() -> Batch {
        condition.lock()
        defer { condition.unlock() }
        while empty.isEmpty { condition.wait() }
        return empty.removeLast()
    }

    /// Producer: hands a filled batch over.
    func send(_ batch: Batch) {
        condition.lock()
        filled.append(batch)
        condition.signal()
        condition.unlock()
    }

    /// Consumer: the oldest filled batch, waiting for one.
    func receive() -> Batch {
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

    /// Consumer: gives a used batch back.
    func recycle(_ batch: Batch) {
        batch.clear()
        condition.lock()
        empty.append(batch)
        condition.signal()
        condition.unlock()
    }
}
