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
        case data(
            connection: ConnectionID, direction: Direction, offset: UInt64, start: Int, count: Int, capture: CaptureInfo
        )
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
    /// Sharded runs: each entry's place among all the round's signals (every shard's).
    var sequences: [Int] = []
    /// Sharded runs: the first signal's time, for lines timed from the capture's start.
    var captureStart: Timestamp?
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
        sequences.removeAll(keepingCapacity: true)
        isLast = false
    }

    /// Adds a signal, its chunk bytes copied into the arena.
    func append(_ signal: StreamSignal) {
        switch signal {
        case .opened(let opening):
            entries.append(.opened(openings.count))
            openings.append(opening)
        case .data(let chunk):
            let start = arena.count
            arena.append(contentsOf: chunk.bytes)
            entries.append(
                .data(
                    connection: chunk.connection, direction: chunk.direction, offset: chunk.offset,
                    start: start, count: chunk.bytes.count, capture: chunk.capture))
        case .gap(let gap):
            entries.append(.gap(gaps.count))
            gaps.append(gap)
        case .anomaly(let anomaly):
            entries.append(.anomaly(anomalies.count))
            anomalies.append(anomaly)
        case .closed(let summary):
            entries.append(.closed(summaries.count))
            summaries.append(summary)
        }
    }

    /// An input problem, in order with the signals around it.
    func append(problem: CaptureError) {
        entries.append(.problem(problems.count))
        problems.append(problem)
    }

    /// Hands each entry to `receive` (signals, chunk bytes pointing into the arena) or to
    /// `onProblem`, with the entry's index.
    func deliver(_ receive: (Int, StreamSignal) -> Void, onProblem: (Int, CaptureError) -> Void) {
        arena.withUnsafeBytes { arena in
            for (index, entry) in entries.enumerated() {
                switch entry {
                case .opened(let item):
                    receive(index, .opened(openings[item]))
                case .data(let connection, let direction, let offset, let start, let count, let capture):
                    let bytes = UnsafeRawBufferPointer(rebasing: arena[start..<(start + count)])
                    receive(
                        index,
                        .data(
                            StreamChunk(
                                connection: connection, direction: direction, offset: offset,
                                bytes: bytes, capture: capture)))
                case .gap(let item):
                    receive(index, .gap(gaps[item]))
                case .anomaly(let item):
                    receive(index, .anomaly(anomalies[item]))
                case .closed(let item):
                    receive(index, .closed(summaries[item]))
                case .problem(let item):
                    onProblem(index, problems[item])
                }
            }
        }
    }
}
