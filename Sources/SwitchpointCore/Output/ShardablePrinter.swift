/// A printer whose work can be split by connection: workers format their connections'
/// lines into shard outputs, and the printer itself replays them in signal order.
/// `SendableMetatype`: each worker runs on a thread of its own, specialized for the printer type.
protocol ShardablePrinter: TimelineEventSink, SendableMetatype {
    var summary: TimelineSummary { get }
    /// A printer for one worker, formatting into `shard` (changed per round by `target`).
    func shardWorker(into shard: ShardOutput) -> Self
    func target(_ shard: ShardOutput)
    /// `bytes` is the shard output's bytes (`ShardOutput.bytes.bytes`).
    func replay(_ record: ShardOutput.Record, bytes: UnsafeRawBufferPointer)
    func startCapture(at timestamp: Timestamp)
    func mergeSummary(_ other: TimelineSummary)
    /// Writes the summary (and whatever is still held) at the end of the run.
    func finish(
        statistics: DecodeStatistics, problems: [CaptureError], live: ThreadedCaptureSource.Statistics?,
        scope: SummaryScope)
}

extension JSONTimelinePrinter: ShardablePrinter {
    func startCapture(at timestamp: Timestamp) {}
}

extension TextTimelinePrinter: ShardablePrinter {}
