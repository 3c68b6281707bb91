/// How a timeline run uses the threads, chosen once by `choose` from the input and from
/// what the analysis and the outputs need. Every strategy prints the same timeline.
package enum RunStrategy: Equatable, Sendable {
    /// Everything on the calling thread (`--threads 1`; live capture, which already reads
    /// on a thread of its own).
    case inline
    /// One thread reads, decodes and reassembles; the calling thread dissects and prints
    /// (the connection listing: reads ahead).
    case pipelined
    /// One thread reads; `workers` threads dissect and format their share of the
    /// connections; the calling thread merges in read order.
    case sharded(workers: Int)
    /// `--workers`: each worker its own input (a capture socket in one kernel fanout group,
    /// or a file's packets split by flow the same way), reassembly and analysis; the
    /// calling thread merges by time.
    case fanout(workers: Int)

    /// What the strategy is chosen from.
    package struct Input: Sendable {
        /// `-i` rather than `-r`.
        package var live = false
        /// `--workers` (1: none asked).
        package var workers = 1
        /// `--threads` (nil: 2 with more than one CPU).
        package var threads: Int?
        package var processors = 1
        /// `--connections`: the listing, not the timeline.
        package var listing = false
        /// `-c` or `-w`: packets are counted or written as they are read, so nothing may read ahead.
        package var readsExactly = false

        package init() {}
    }

    /// What the outputs need of the run.
    package struct OutputNeeds: Sendable {
        /// Every event must reach one sink beside the printer (`--html`, `--har`, `--pg`,
        /// `--metrics`): the printer cannot be split between workers (sharded), but the
        /// fanout merge and the pipelined run feed one sink.
        package var everyEventInOneSink = false
        /// Why an output cannot follow a `--workers` run, said as the refusal says it
        /// ("--metrics serves one capture's counters"). Nil when it can.
        package var notWithWorkers: String?

        package init(everyEventInOneSink: Bool = false, notWithWorkers: String? = nil) {
            self.everyEventInOneSink = everyEventInOneSink
            self.notWithWorkers = notWithWorkers
        }
    }

    /// A combination no strategy runs: refused before any work (exit status 2).
    package struct Refusal: Error, Equatable, CustomStringConvertible {
        package var description: String
    }

    /// The one place a run's strategy is decided.
    package static func choose(
        _ input: Input, analysis: AnalysisConfiguration, needs: OutputNeeds
    ) throws(Refusal) -> RunStrategy {
        if input.workers > 1 {
            if input.listing { throw Refusal(description: "--workers and --connections cannot be combined") }
            if analysis.packetLimit != nil { throw Refusal(description: "--workers and -c cannot be combined") }
            if let reason = needs.notWithWorkers {
                throw Refusal(description: reason + ", so not with --workers")
            }
            if analysis.linksEngineIOSessions {
                throw Refusal(
                    description:
                        "Socket.IO sessions span connections (polling, then the WebSocket) that --workers splits: not with --workers"
                )
            }
            return .fanout(workers: input.workers)
        }
        // Live capture already reads on its own thread and prints as it goes.
        if input.live { return .inline }
        let threads = input.threads ?? (input.processors > 1 ? 2 : 1)
        guard threads == 2 else { return .inline }
        if input.listing { return input.readsExactly ? .inline : .pipelined }
        if analysis.crossesConnections || needs.everyEventInOneSink { return .pipelined }
        return .sharded(workers: ShardedTimelineRun.defaultWorkers)
    }
}
