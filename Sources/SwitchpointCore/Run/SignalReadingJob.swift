/// A reading thread's signal sink: it ships signals in batches (to one queue, or split by
/// connection) and hears input problems at their place among the signals. A class, so the
/// runner's problem callback adds to the same batch as the signals around it.
protocol ShippingSignalSink: StreamSignalSink, AnyObject {
    func problem(_ problem: CaptureError)
    /// Sends what is held, marked as the last.
    func finish()
}

/// What the reading thread of a threaded run owns while it runs: the source, the runner
/// and the sink its signals go to. The calling thread reads `runner` only after the last
/// batch (sent after the runner finished, through the queue's lock).
final class SignalReadingJob<Sink: ShippingSignalSink>: @unchecked Sendable {
    let source: PacketSource
    var runner: CaptureRunner
    private let sink: Sink

    init(source: PacketSource, runner: CaptureRunner, sink: Sink) {
        self.source = source
        self.runner = runner
        self.sink = sink
    }

    func run() {
        var sink = sink
        let problems = sink
        runner.drive(source, into: &sink, onProblem: { problems.problem($0) })
        sink.finish()
    }
}
