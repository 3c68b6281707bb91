import Foundation

/// The rows between the analysis (which must never wait for the database) and the writer
/// thread: at most `capacity` rows; a row that finds the queue full is counted as dropped,
/// never waited for and never lost silently (the count is reported and stored in
/// switchpoint_runs).
final class BoundedRowQueue: @unchecked Sendable {
    let capacity: Int
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var rows: [ExportRow] = []
    private var head = 0
    private var closed = false
    private var droppedCount = 0
    private var highWater = 0
    /// A waiting push timed out: the database is away, later pushes drop instead of waiting.
    private var gaveUpWaiting = false

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Adds a row unless the queue is full; never blocks beyond the lock. With `waitSeconds`
    /// (reading files, where nothing is lost by waiting) a full queue is waited on instead, at
    /// most that long; after one such wait runs out, pushes drop as live ones do.
    @discardableResult
    func push(_ row: ExportRow, waitSeconds: Double? = nil) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        if let waitSeconds, !gaveUpWaiting, rows.count - head >= capacity, !closed {
            let deadline = Date().addingTimeInterval(waitSeconds)
            while rows.count - head >= capacity && !closed {
                if !condition.wait(until: deadline) {
                    gaveUpWaiting = rows.count - head >= capacity
                    break
                }
            }
        }
        guard rows.count - head < capacity, !closed else {
            droppedCount += 1
            return false
        }
        rows.append(row)
        highWater = max(highWater, rows.count - head)
        condition.signal()
        return true
    }

    /// Up to `limit` rows, waiting at most until `deadline` for the first; empty when the
    /// deadline passed or the queue is closed and drained.
    func popBatch(limit: Int, waitingUntil deadline: Date) -> [ExportRow] {
        condition.lock()
        defer { condition.unlock() }
        while rows.count == head && !closed {
            if !condition.wait(until: deadline) { break }
        }
        let end = min(rows.count, head + limit)
        let batch = Array(rows[head..<end])
        head = end
        // Room again: a push waiting for it goes on.
        if !batch.isEmpty { condition.broadcast() }
        // Compact once the consumed prefix dominates, so memory follows the backlog.
        if head == rows.count {
            rows.removeAll(keepingCapacity: rows.count <= capacity)
            head = 0
        } else if head > 4096 && head * 2 > rows.count {
            rows.removeFirst(head)
            head = 0
        }
        return batch
    }

    /// No more rows will come: the writer drains what is left and stops.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    /// Rows that will never be sent: counted as dropped (the writer gave up at its deadline).
    func discardRemaining() -> Int {
        condition.lock()
        defer { condition.unlock() }
        let left = rows.count - head
        droppedCount += left
        rows.removeAll()
        head = 0
        closed = true
        return left
    }

    /// Counts a row taken from the queue that could not be stored (rejected by the server).
    func countDropped(_ count: Int) {
        condition.lock()
        droppedCount += count
        condition.unlock()
    }

    var dropped: Int {
        condition.lock()
        defer { condition.unlock() }
        return droppedCount
    }

    var isClosedAndEmpty: Bool {
        condition.lock()
        defer { condition.unlock() }
        return closed && rows.count == head
    }

    /// Whether a waiting push ran out of time (the database stayed away).
    var stoppedWaiting: Bool {
        condition.lock()
        defer { condition.unlock() }
        return gaveUpWaiting
    }

    var depth: Int {
        condition.lock()
        defer { condition.unlock() }
        return rows.count - head
    }
}
