/// Reassembly's output on its way from the reading thread to the analysis thread: the
/// signals in order, each data chunk's bytes copied into one arena, and the input problems
/// where they happened. Nothing in it is reference-counted per signal, so the two threads
/// share no counters (shared payload arrays made every event bounce a cache line between
/// the cores).
final class SignalBatch: RecyclableBatch {
    /// One signal, small: the rare large ones (openings, closes, gaps, anomalies, problems)
    /// wait in their own arrays and are referred to by index.
    enum Entry {
        case opened(Int)
        /// A chunk whose bytes are `arena[start..<start + count]`.
        case data(connection: ConnectionID, direction: Direction, offset: UInt64, start: Int, count: Int, capture: CaptureInfo)
        case gap(Int)
        case anomaly(Int)
        case closed(Int)
        case problem(Int)
    }

    /// Signals per batch and chunk bytes per batch: large enough that the lock is taken
    /// rarely, small enough that the threads overlap.
    static let batchEntries = 4096
    static let batchBytes = 1 << 20
    /// Batches in circulation (about 4 MiB of chunk bytes at most).
    static let queueDepth = 4

    var entries: [Entry] = []
    var arena: [UInt8] = []
    var openings: [ConnectionOpening] = []
    var gaps: [StreamGap] = []
    var anomalies: [ReassemblyAnomaly] = []
    var summaries: [ConnectionSummary] = []
    var problems: [CaptureError] = []
    /// The reading thread is done: nothing follows this batch.
    var isLast = false

    required init() {
        entries.reserveCapacity(Self.batchEntries)
        arena.reserveCapacity(Self.batchBytes + 64 * 1024)
    }

    var isFull: Bool { entries.count >= Self.batchEntries || arena.count >= Self.batchBytes }

    func clear() {
        entries.removeAll(keepingCapacity: true)
        arena.removeAll(keepingCapacity: true)
        openings.removeAll(keepingCapacity: true)
        gaps.removeAll(keepingCapacity: true)
        anomalies.removeAll(keepingCapacity: true)
        summaries.removeAll(keepingCapacity: true)
        problems.removeAll(keepingCapacity: true)
        isLast = false
    }
}
