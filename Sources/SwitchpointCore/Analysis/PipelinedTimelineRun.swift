import Foundation

/// The timeline on two threads: one reads, decodes, reassembles and dissects (everything up
/// to events), the other formats and writes (the printer). Events cross in batches through
/// a bounded queue; the printer sees exactly the events, in exactly the order, that a
/// single-threaded run gives it, so the output is byte-identical (`--threads 1` keeps the
/// single-thread path).
public enum PipelinedTimelineRun {
    /// Reads `source` to its end on a second thread while the calling thread prints into
    /// `printer`. `onProblem` hears each input problem on the calling thread, after the
    /// events that came before it. Returns the runner with its statistics and problems.
    public static func run(
        _ source: PacketSource, runner: CaptureRunner, registry: DissectorRegistry, decodeAs: [UInt16: String],
        printer: any TimelineEventSink, onProblem: @escaping (CaptureError) -> Void
    ) -> CaptureRunner {
        let queue = EventBatchQueue()
        let job = AnalysisJob(source: source, runner: runner, registry: registry, decodeAs: decodeAs, queue: queue,
                              wantsFrames: printer.wantsFrameEvents)
        let thread = Thread { job.run() }
        thread.name = "switchpoint analysis"
        thread.stackSize = 8 << 20
        thread.start()
        while true {
            let batch = queue.receive()
            batch.events.withUnsafeBufferPointer { events in
                for index in events.indices { printer.receive(events[index]) }
            }
            for problem in batch.problems { onProblem(problem) }
            let last = batch.isLast
            queue.recycle(batch)
            if last { break }
        }
        // The last batch is sent after the runner finished: its state is final and, through
        // the queue's lock, visible here.
        return job.runner
    }
}

/// What the analysis thread owns while it runs; the calling thread reads `runner` only
/// after the last batch.
private final class AnalysisJob: @unchecked Sendable {
    let source: PacketSource
    var runner: CaptureRunner
    let registry: DissectorRegistry
    let decodeAs: [UInt16: String]
    let queue: EventBatchQueue
    let wantsFrames: Bool

    init(source: PacketSource, runner: CaptureRunner, registry: DissectorRegistry, decodeAs: [UInt16: String],
         queue: EventBatchQueue, wantsFrames: Bool) {
        self.source = source
        self.runner = runner
        self.registry = registry
        self.decodeAs = decodeAs
        self.queue = queue
        self.wantsFrames = wantsFrames
    }

    func run() {
        let sink = BatchingEventSink(queue: queue, wantsFrames: wantsFrames)
        var analyzer = TimelineAnalyzer(output: sink, registry: registry, decodeAs: decodeAs)
        runner.run(source, into: &analyzer, onProblem: { sink.ship(after: $0) })
        sink.finish()
    }
}

/// The analysis thread's event sink: fills batches and ships them.
private final class BatchingEventSink: TimelineEventSink {
    let queue: EventBatchQueue
    let wantsFrameEvents: Bool
    let payloadPool: PayloadBufferPool? = PayloadBufferPool()
    private var batch: EventBatch

    init(queue: EventBatchQueue, wantsFrames: Bool) {
        self.queue = queue
        wantsFrameEvents = wantsFrames
        batch = queue.takeEmpty()
    }

    func receive(_ event: TimelineEvent) {
        batch.events.append(event)
        if batch.events.count >= EventBatchQueue.batchEvents { ship() }
    }

    private func ship() {
        queue.send(batch)
        batch = queue.takeEmpty()
        payloadPool?.takeAll(from: batch.returnedBuffers)
    }

    /// An input problem: the events so far go out first, then the problem.
    func ship(after problem: CaptureError) {
        batch.problems.append(problem)
        ship()
    }

    func finish() {
        batch.isLast = true
        queue.send(batch)
    }
}
