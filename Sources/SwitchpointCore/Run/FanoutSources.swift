/// The inputs of a `--workers` run: one lane per worker, each a packet source of its own
/// (a capture socket in one kernel fanout group, or a file's share of the flows).
package protocol FanoutSources: AnyObject {
    var lanes: [any FanoutLane] { get }
    /// Starts reading (after privileges are dropped).
    func start()
    /// Stops reading (from any thread; SIGINT live).
    func stop()
    /// Stops and waits, bounded, until every lane's reader has ended.
    func stopAndWait()
}

/// One worker's input.
package protocol FanoutLane: PacketSource {
    func statistics() -> ThreadedCaptureSource.Statistics
    /// After `next` said idle: every packet still to reach the lane comes after this.
    func idleWatermark() -> FanoutMergeKey
}
