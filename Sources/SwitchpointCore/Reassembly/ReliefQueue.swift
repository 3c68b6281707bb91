/// The connections holding out-of-order bytes, largest first, for the total memory limit.
///
/// A binary max-heap with lazy deletion: a connection is pushed again whenever its
/// buffered byte count changes, and entries whose count no longer matches are dropped
/// when they surface. Only out-of-order packets push (the in-order path buffers nothing),
/// and the heap is compacted once stale entries outnumber live ones, so each push is
/// O(log n) and the heap stays proportional to the connections actually buffering.
struct ReliefQueue {
    private struct Entry {
        var bytes: Int
        var connection: TCPConnection
    }

    /// Below this many entries compaction is not worth its pass.
    static let minimumCompactionSize = 1024

    private var heap: [Entry] = []
    private var compactionThreshold = ReliefQueue.minimumCompactionSize

    var entryCount: Int { heap.count }

    /// Records the connection's current buffered count (call after anything changed it).
    mutating func update(_ connection: TCPConnection) {
        let bytes = connection.bufferedBytes
        guard bytes != connection.reliefBytes else { return }
        connection.reliefBytes = bytes
        guard bytes > 0, connection.isOpen else { return }
        heap.append(Entry(bytes: bytes, connection: connection))
        siftUp(heap.count - 1)
        if heap.count > compactionThreshold { compact() }
    }

    /// The open connection holding the most buffered bytes (ties: the older connection).
    mutating func popLargest() -> TCPConnection? {
        while let top = heap.first {
            removeTop()
            if Self.isCurrent(top) { return top.connection }
        }
        return nil
    }

    mutating func removeAll() {
        heap.removeAll()
        compactionThreshold = Self.minimumCompactionSize
    }

    private static func isCurrent(_ entry: Entry) -> Bool {
        entry.connection.isOpen && entry.bytes > 0 && entry.connection.reliefBytes == entry.bytes
            && entry.connection.bufferedBytes == entry.bytes
    }

    /// Drops stale and duplicate entries and rebuilds the heap.
    private mutating func compact() {
        var seen = Set<ObjectIdentifier>()
        heap = heap.filter { Self.isCurrent($0) && seen.insert(ObjectIdentifier($0.connection)).inserted }
        var index = heap.count / 2
        while index > 0 {
            index -= 1
            siftDown(index)
        }
        compactionThreshold = max(Self.minimumCompactionSize, 2 * heap.count)
    }

    private static func outranks(_ a: Entry, _ b: Entry) -> Bool {
        a.bytes != b.bytes ? a.bytes > b.bytes : a.connection.id < b.connection.id
    }

    private mutating func removeTop() {
        let last = heap.removeLast()
        guard !heap.isEmpty else { return }
        heap[0] = last
        siftDown(0)
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.outranks(heap[child], heap[parent]) else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var best = parent
            if left < heap.count, Self.outranks(heap[left], heap[best]) { best = left }
            if right < heap.count, Self.outranks(heap[right], heap[best]) { best = right }
            guard best != parent else { return }
            heap.swapAt(parent, best)
            parent = best
        }
    }
}
