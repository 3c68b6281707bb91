import Foundation

/// One run of `TimelineCommand`: its strategy carried out, the printer and the exports fed,
/// the summary written. Every strategy's analyzers come from the one configuration.
struct TimelineRun {
    let command: TimelineCommand
    let strategy: RunStrategy
    let input: TimelineCommand.Input
    let output: LineWriter
    let onProblem: (CaptureError) -> Void
    let configuration: AnalysisConfiguration
    let registry: DissectorRegistry
    /// The live status line: what was captured and analyzed so far.
    let status = StatusLine()
    private(set) var statistics = DecodeStatistics()
    private(set) var problems: [CaptureError] = []

    init(
        command: TimelineCommand, strategy: RunStrategy, input: TimelineCommand.Input, output: LineWriter,
        onProblem: @escaping (CaptureError) -> Void
    ) {
        self.command = command
        self.strategy = strategy
        self.input = input
        self.output = output
        self.onProblem = onProblem
        configuration = command.configuration
        registry = configuration.registry
        let status = status
        // The progress line steps aside only for output to the same terminal.
        let sharesTerminal = output.isTerminal ? command.progress : nil
        output.beforeFlush = {
            status.clear()
            sharesTerminal?.pause()
        }
    }

    /// The text or JSON timeline: the run into the printer (and the exports beside it),
    /// then its summary. Returns the worst finding reported.
    mutating func timeline<Printer: ShardablePrinter>(_ printer: Printer) -> Severity? {
        let exports = command.allExports.map(\.sink)
        let sink: any TimelineEventSink =
            exports.isEmpty ? printer : TimelineEventFanOut(primary: printer, others: exports)
        var scope = SummaryScope(shard: configuration.shard)
        switch (strategy, input) {
        case (.fanout(let workers), _):
            scope = fanout(workers: workers, into: sink)
        case (.sharded(let workers), .source(let source)) where exports.isEmpty:
            // The printer is split itself: only with nothing beside it (`RunStrategy.choose`).
            take(
                ShardedTimelineRun.run(
                    source, runner: configuration.makeRunner(), printer: printer, workers: workers,
                    makeAnalyzer: { [configuration, registry] in
                        configuration.makeAnalyzer(output: $0, registry: registry)
                    },
                    onProblem: onProblem))
        case (.pipelined, .source(let source)), (.sharded, .source(let source)):
            var analyzer = configuration.makeAnalyzer(output: sink, registry: registry)
            take(
                PipelinedTimelineRun.run(
                    source, runner: configuration.makeRunner(), into: &analyzer, onProblem: onProblem))
        case (.inline, .source(let source)):
            var runner = configuration.makeRunner()
            var analyzer = configuration.makeAnalyzer(output: sink, registry: registry)
            runner.run(source, into: &analyzer, onProblem: onProblem, heartbeat: heartbeat { printer.summary })
            take(runner)
        case (.inline, .fanout(let sources)), (.pipelined, .fanout(let sources)), (.sharded, .fanout(let sources)):
            // Opened for workers, so run by them (the strategy says fanout for these inputs).
            scope = fanout(workers: sources.lanes.count, into: sink)
        }
        finishReading()
        if scope.shard != nil, case .source(let source) = input, let offline = source as? OfflineCaptureSource {
            scope.capture = offline.identity.text
        }
        scope.fanoutGroup = command.options.fanoutGroup
        printer.finish(
            statistics: statistics, problems: problems, live: liveStatistics ?? command.liveCapture?.statistics(),
            scope: scope)
        return printer.summary.worstSeverity
    }

    /// Capture counters of a `--workers` run live (all workers added up).
    private var liveStatistics: ThreadedCaptureSource.Statistics?

    /// `--workers`: the input split between workers (a file by flow, as the kernel splits
    /// live traffic), merged by time into `sink`. Returns the summary's scope: per-worker
    /// counts live, none for a file (its timeline is the one other strategies print).
    private mutating func fanout(workers: Int, into sink: any TimelineEventSink) -> SummaryScope {
        let sources: any FanoutSources
        let live: Bool
        switch input {
        case .source(let source):
            sources = FlowSplitReader(source, workers: workers)
            live = false
        case .fanout(let opened):
            sources = opened
            live = true
        }
        let result = FanoutTimelineRun(sources: sources).run(
            into: sink, configuration: configuration, registry: registry, onProblem: onProblem)
        statistics = result.statistics
        problems = result.problems
        guard live else { return SummaryScope(shard: configuration.shard) }
        liveStatistics = result.capture
        return result.scope
    }

    /// `--connections`: the listing, dissectors alongside only with `-v` text.
    mutating func listing() -> TimelineCommand.Outcome {
        let options = command.options
        guard case .source(let source) = input else {
            return TimelineCommand.Outcome(statistics: statistics, problems: problems, refused: true)
        }
        // With -v, text rows name the protocol, upgrade and findings: the dissectors run
        // alongside. Without, the listing is capture, decode and reassembly only (its
        // speed, near tcpdump's, is what it is for).
        let facts = options.jsonOutput || !options.verbose ? nil : ConnectionFacts()
        let listing = ConnectionListing(
            writer: output, format: options.jsonOutput ? .json : .text, streaming: command.liveCapture != nil,
            facts: facts)
        // The listing's own work is light: pipelined, a second thread reads the file ahead.
        let listed: PacketSource =
            if strategy == .pipelined, let offline = source as? OfflineCaptureSource {
                PrefetchingPacketSource(offline)
            } else {
                source
            }
        var analyzed = AnalyzedConnectionListing(
            analyzer: TimelineAnalyzer(
                output: facts ?? ConnectionFacts(), registry: registry, decodeAs: configuration.decodeAs,
                keyLog: configuration.keyLog),
            listing: listing)
        var runner = configuration.makeRunner()
        if facts == nil {
            runner.run(listed, into: &analyzed.listing, onProblem: onProblem, heartbeat: heartbeat { nil })
        } else {
            runner.run(listed, into: &analyzed, onProblem: onProblem, heartbeat: heartbeat { nil })
        }
        take(runner)
        finishReading()
        analyzed.listing.finish(statistics: statistics, problems: problems)
        return TimelineCommand.Outcome(statistics: statistics, problems: problems, failOn: options.failOn)
    }

    private mutating func take(_ runner: CaptureRunner) {
        statistics = runner.statistics
        problems = runner.problems
    }

    private func finishReading() {
        command.liveCapture?.stopAndWait()
        status.clear()
        command.progress?.finish()
    }

    /// The live status line's update, called by the runner as packets arrive.
    private func heartbeat(_ summary: @escaping () -> TimelineSummary?) -> ((DecodeStatistics) -> Void)? {
        guard let threaded = command.liveCapture else { return nil }
        let status = status
        return { statistics in
            status.update(
                {
                    let capture = threaded.statistics()
                    var line = "\(statistics.packets) packets  \(capture.capturedBytes) bytes"
                    if let summary = summary() {
                        line +=
                            "  \(summary.connections) connections  \(summary.switched.values.reduce(0, +)) upgrades"
                    }
                    let drops = Int(capture.kernelDrops ?? 0) + Int(capture.interfaceDrops ?? 0) + capture.queueDrops
                    return line + "  \(drops) dropped"
                }())
        }
    }
}
