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
    static let batchEntries = 2048
    static let batchBytes = 512 << 10
    /// Batches in circulation (about 2 MiB of chunk bytes at most).
    static let queueDepth = 4
    /// Side arrays (openings, closes, …) larger than this are let go when a batch is
    /// emptied: a burst of closes must not stay allocated in every batch.
    static let sideArrayKeep = 256

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
        openings.removeAll(keepingCapacity: openings.capacity <= Self.sideArrayKeep)
        gaps.removeAll(keepingCapacity: gaps.capacity <= Self.sideArrayKeep)
        anomalies.removeAll(keepingCapacity: anomalies.capacity <= Self.sideArrayKeep)
        summaries.removeAll(keepingCapacity: summaries.capacity <= Self.sideArrayKeep)
        problems.removeAll()
        isLast = false
    }
}
