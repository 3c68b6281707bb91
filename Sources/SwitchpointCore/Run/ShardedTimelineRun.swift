import Foundation

/// The timeline on every core: one thread reads, decodes and reassembles; the connections
/// are split between workers (by connection number), each dissecting and formatting its
/// share; the calling thread merges what they formatted back into signal order and prints
/// it, holding blocks as the one-thread printer does. Every signal carries its place in
/// the round it was read in, so the merge restores exactly the one-thread order and the
/// output is byte-identical to `--threads 1`.
///
/// Dissection shares no state across connections except TLS decryption's key log lookups,
/// so runs with a key log stay on `PipelinedTimelineRun`.
package enum ShardedTimelineRun {
    /// Workers of a default run: the reading thread is light, so one per core.
    package static let defaultWorkers = 2
    /// Batches in flight per worker, each way: 8 rather than 4 absorbs the workers' uneven
    /// rounds (ws `--json` 6 % faster in wall time, peak RSS 62 to 78 MB; 16 reached 110 MB).
    static let queueDepth = 8

    /// Reads `source` on a thread of its own, dissects on `workers` threads, and prints
    /// through `printer` on the calling thread (its concrete type, so the run and its
    /// workers are specialized for each printer). Returns the runner with its statistics.
    static func run<Printer: ShardablePrinter>(
        _ source: PacketSource, runner: CaptureRunner, printer: Printer, workers count: Int,
        makeAnalyzer: (any TimelineEventSink) -> TimelineAnalyzer, onProblem: (CaptureError) -> Void
    ) -> CaptureRunner {
        let inputs = (0..<count).map { _ in BatchQueue<SignalBatch>(depth: queueDepth) }
        let outputs = (0..<count).map { _ in BatchQueue<ShardOutput>(depth: queueDepth) }
        let workers = (0..<count).map { index in
            let first = ShardOutput()
            let worker = printer.shardWorker(into: first)
            return ShardWorker(
                printer: worker, analyzer: makeAnalyzer(worker), input: inputs[index], output: outputs[index])
        }
        let reader = SignalReadingJob(source: source, runner: runner, sink: ShardingSignalSink(queues: inputs))
        for (index, worker) in workers.enumerated() {
            let thread = Thread { worker.run() }
            thread.name = "switchpoint worker \(index)"
            thread.start()
        }
        let thread = Thread { reader.run() }
        thread.name = "switchpoint reader"
        thread.start()

        let merge = RoundMerge(outputs: outputs)
        while true {
            let last = merge.mergeRound(printer: printer, onProblem: onProblem)
            if last { break }
        }
        // Each worker's last output followed its final event, and the reader's last batches
        // followed the runner's end: both reached here through the queues' locks.
        for worker in workers { printer.mergeSummary(worker.printer.summary) }
        return reader.runner
    }
}

/// One worker: its connections' analysis and a printer formatting into shard outputs.
private final class ShardWorker<Printer: ShardablePrinter>: @unchecked Sendable {
    let printer: Printer
    var analyzer: TimelineAnalyzer
    let input: BatchQueue<SignalBatch>
    let output: BatchQueue<ShardOutput>

    init(printer: Printer, analyzer: TimelineAnalyzer, input: BatchQueue<SignalBatch>, output: BatchQueue<ShardOutput>)
    {
        self.printer = printer
        self.analyzer = analyzer
        self.input = input
        self.output = output
    }

    func run() {
        while true {
            let batch = input.receive()
            var shard = output.takeEmpty()
            printer.target(shard)
            if let start = batch.captureStart { printer.startCapture(at: start) }
            batch.sequences.withUnsafeBufferPointer { sequences in
                batch.deliver(
                    { index, signal in
                        shard.sequence = sequences[index]
                        analyzer.receive(signal)
                        // Full: handed over now, the round goes on in the next output.
                        if shard.bytes.count >= ShardOutput.handOverBytes {
                            shard.continues = true
                            output.send(shard)
                            shard = output.takeEmpty()
                            printer.target(shard)
                        }
                    },
                    onProblem: { index, problem in
                        shard.sequence = sequences[index]
                        shard.problem(problem)
                    })
            }
            let last = batch.isLast
            shard.isLast = last
            input.recycle(batch)
            output.send(shard)
            if last { return }
        }
    }
}

/// Splits reassembly's signals between the workers' batches by connection, numbering them
/// in reading order; a round ends (every worker's batch is sent) when any batch is full.
final class ShardingSignalSink: ShippingSignalSink {
    let queues: [BatchQueue<SignalBatch>]
    private var batches: [SignalBatch]
    private var sequence = 0
    private var captureStart: Timestamp?

    init(queues: [BatchQueue<SignalBatch>]) {
        self.queues = queues
        batches = queues.map { $0.takeEmpty() }
    }

    func receive(_ signal: StreamSignal) {
        let connection: ConnectionID
        switch signal {
        case .opened(let opening):
            connection = opening.connection
            if captureStart == nil { captureStart = opening.capture.timestamp }
        case .data(let chunk): connection = chunk.connection
        case .gap(let gap): connection = gap.connection
        case .anomaly(let anomaly): connection = anomaly.connection
        case .closed(let summary): connection = summary.connection
        }
        let shard = Int(connection.magnitude % UInt(batches.count))
        // Borrowed, not retained: a retain and release per signal was a fifth of this
        // thread's time.
        let full = Unmanaged.passUnretained(batches[shard])._withUnsafeGuaranteedRef { batch in
            batch.append(signal)
            batch.sequences.append(sequence)
            return batch.isFull
        }
        sequence += 1
        if full { ship() }
    }

    /// An input problem goes with the first worker's signals, at its place in the order.
    func problem(_ problem: CaptureError) {
        batches[0].append(problem: problem)
        batches[0].sequences.append(sequence)
        sequence += 1
    }

    private func ship() {
        for index in batches.indices {
            batches[index].captureStart = captureStart
            queues[index].send(batches[index])
            batches[index] = queues[index].takeEmpty()
        }
        sequence = 0
    }

    func finish() {
        for index in batches.indices {
            batches[index].captureStart = captureStart
            batches[index].isLast = true
            queues[index].send(batches[index])
        }
    }
}
