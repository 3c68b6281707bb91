import Foundation

/// The timeline on two threads: one reads, decodes and reassembles (packets to stream
/// signals), the other dissects and prints (signals to events to output). Signals cross in
/// batches through a bounded queue, chunk bytes copied once into each batch's arena; the
/// analyzer sees exactly the signals, in exactly the order, that a single-threaded run
/// gives it, so the output is byte-identical (`--threads 1` keeps the single-thread path).
///
/// The split sits after reassembly on purpose: everything reference-counted (events, their
/// payloads, dissector state) stays on one thread, so the cores share no counters.
package enum PipelinedTimelineRun {
    /// Reads `source` to its end on a second thread while the calling thread analyses into
    /// `analyzer` (and its printer). `onProblem` hears each input problem on the calling
    /// thread, after the output of every packet before it. Returns the runner with its
    /// statistics and problems.
    package static func run(
        _ source: PacketSource, runner: CaptureRunner, into analyzer: inout TimelineAnalyzer,
        onProblem: @escaping (CaptureError) -> Void
    ) -> CaptureRunner {
        let queue = BatchQueue<SignalBatch>(depth: SignalBatch.queueDepth)
        let job = SignalReadingJob(source: source, runner: runner, sink: BatchingSignalSink(queue: queue))
        let thread = Thread { job.run() }
        thread.name = "switchpoint reader"
        thread.start()
        while true {
            let batch = queue.receive()
            batch.deliver({ _, signal in analyzer.receive(signal) }, onProblem: { _, problem in onProblem(problem) })
            let last = batch.isLast
            queue.recycle(batch)
            if last { break }
        }
        // The last batch is sent after the runner finished: its state is final and, through
        // the queue's lock, visible here.
        return job.runner
    }
}

/// The pipelined run's signal sink: fills batches in reading order and ships them to the
/// one analysing thread.
final class BatchingSignalSink: ShippingSignalSink {
    let queue: BatchQueue<SignalBatch>
    private var batch: SignalBatch

    init(queue: BatchQueue<SignalBatch>) {
        self.queue = queue
        batch = queue.takeEmpty()
    }

    func receive(_ signal: StreamSignal) {
        // Borrowed, not retained per signal (see ShardingSignalSink).
        let full = Unmanaged.passUnretained(batch)._withUnsafeGuaranteedRef { batch in
            batch.append(signal)
            return batch.isFull
        }
        if full { ship() }
    }

    /// An input problem, in order with the signals around it.
    func problem(_ problem: CaptureError) {
        batch.append(problem: problem)
    }

    private func ship() {
        queue.send(batch)
        batch = queue.takeEmpty()
    }

    func finish() {
        batch.isLast = true
        queue.send(batch)
    }
}
