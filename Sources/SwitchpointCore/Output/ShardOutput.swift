/// What one worker of a sharded run printed for one round of signals: the bytes its
/// printer formatted and, per event, a record of where they go. The merge replays the
/// records of all workers in signal order, so the output is the one-thread output.
final class ShardOutput: RecyclableBatch {
    enum Kind {
        /// Lines printed as they come (JSON, tagged and interleaved text).
        case direct
        /// A held connection's lines, and whether its block is printed after them.
        case held(ConnectionID, closes: Bool, shown: ConnectionTraits)
        /// A connection opened (its block's place in the order).
        case opened(ConnectionID)
        /// An input problem (`problems[index]`), reported at its place in the order.
        case problem(Int)
    }

    struct Record {
        /// The signal (within its round) whose analysis printed this.
        var sequence: Int
        var kind: Kind
        /// `bytes[headerStart..<linesStart]` is a held connection's header line (often
        /// empty), `bytes[linesStart..<linesEnd]` the lines.
        var headerStart: Int
        var linesStart: Int
        var linesEnd: Int
    }

    static let initialBytes = 256 << 10
    /// Above this, a round's buffer shrinks back when emptied (a burst of long lines).
    static let keptBytes = 4 << 20
    /// A worker hands an output over once it holds this much, and goes on with the round
    /// in the next: dense events (a packet of empty messages makes 40 KB of JSON) would
    /// otherwise grow one round's output to tens of megabytes per queued batch.
    static let handOverBytes = 1 << 20

    /// A constant: the printers format into it per event, and reading a constant property
    /// needs no retain.
    let bytes = OutputBuffer(capacity: ShardOutput.initialBytes)
    private(set) var records: [Record] = []
    private(set) var problems: [CaptureError] = []
    /// The signal being analysed: set by the worker before each one.
    var sequence = 0
    var isLast = false
    /// The round goes on in the worker's next output (this one was handed over full).
    var continues = false

    required init() {}

    func held(
        _ connection: ConnectionID, header: UnsafeRawBufferPointer?, lines: UnsafeRawBufferPointer, closes: Bool,
        shown: ConnectionTraits = []
    ) {
        // Nothing to hold and nothing to print: the merge would do nothing with it.
        guard !lines.isEmpty || closes || !shown.isEmpty else { return }
        let headerStart = bytes.count
        if let header { bytes.append(header) }
        let linesStart = bytes.count
        bytes.append(lines)
        records.append(
            Record(
                sequence: sequence, kind: .held(connection, closes: closes, shown: shown), headerStart: headerStart,
                linesStart: linesStart, linesEnd: bytes.count))
    }

    func opened(_ connection: ConnectionID) {
        records.append(
            Record(
                sequence: sequence, kind: .opened(connection), headerStart: bytes.count,
                linesStart: bytes.count, linesEnd: bytes.count))
    }

    func direct(_ lines: UnsafeRawBufferPointer) {
        guard !lines.isEmpty else { return }
        let start = bytes.count
        bytes.append(lines)
        directWritten(from: start)
    }

    /// Lines were formatted straight into `bytes` from `start`.
    func directWritten(from start: Int) {
        guard bytes.count > start else { return }
        records.append(
            Record(sequence: sequence, kind: .direct, headerStart: start, linesStart: start, linesEnd: bytes.count))
    }

    func problem(_ problem: CaptureError) {
        records.append(
            Record(
                sequence: sequence, kind: .problem(problems.count), headerStart: bytes.count,
                linesStart: bytes.count, linesEnd: bytes.count))
        problems.append(problem)
    }

    func clear() {
        bytes.removeAll()
        if bytes.capacity > Self.keptBytes { bytes.shrink(toAtMost: Self.initialBytes) }
        records.removeAll(keepingCapacity: records.capacity <= SignalBatch.batchEntries * 4)
        problems.removeAll()
        sequence = 0
        isLast = false
        continues = false
    }

    /// Every buffer of this shard escapes JSON as the output does (`--json-ascii`).
    func setJSONEscaping(_ escaping: JSONEscaping) {
        bytes.jsonEscaping = escaping
    }
}
