import Foundation

/// What `switchpoint -r FILE…` and `switchpoint -i IFACE` do once the arguments are read
/// and the source is open: the timeline (text or JSON) or the connection listing, on one
/// thread or several, into `output`. The command-line target only turns its options into
/// `Options`, opens the source and writes the exports; the tests run this same code
/// in-process, so the bytes they compare are the command's bytes.
public struct TimelineCommand {
    public struct Options {
        public var json = false
        /// `--json-ascii` (implies JSON).
        public var jsonASCII = false
        /// `--connections`: the listing instead of the timeline.
        public var connections = false
        public var interleave = false
        public var verbose = false
        public var colour = false
        /// `--payload full`: whole payloads printed and HTTP bodies kept.
        public var fullPayload = false
        public var limits = ReassemblyLimits()
        /// `-c`.
        public var packetLimit: Int?
        public var shard: ShardSelector?
        public var decodeAs: [UInt16: DecodeAsProtocol] = [:]
        public var keyLog: TLSKeyLog?
        /// `--threads`: 1 or 2; nil is 2 with more than one CPU.
        public var threads: Int?
        /// `-w`: packets are written as they are read, so the listing must not read ahead.
        public var writesPackets = false

        public init() {}

        var jsonOutput: Bool { json || jsonASCII }
    }

    /// What the run saw.
    public struct Outcome {
        public var statistics: DecodeStatistics
        public var problems: [CaptureError]

        /// 1 when an input ended early or could not be read, else 0.
        public var exitStatus: Int32 { problems.isEmpty ? 0 : 1 }
    }

    public var options: Options
    /// Live capture's reading thread (status line, drop counts); nil reading files.
    public var liveCapture: ThreadedCaptureSource?
    /// `--html`/`--har`: hears the same events as the printer (the run stays on one analyzer).
    public var recorder: ReportRecorder?
    /// Puts more sinks behind the printer (`--pg`, `--metrics`).
    public var wrapPrinter: (any TimelineEventSink) -> any TimelineEventSink = { $0 }

    public init(options: Options, liveCapture: ThreadedCaptureSource? = nil, recorder: ReportRecorder? = nil) {
        self.options = options
        self.liveCapture = liveCapture
        self.recorder = recorder
    }

    /// Runs `source` to its end (or `-c`, or Ctrl-C live) and prints the summary. Input
    /// problems go to `errors` as they happen, prefixed with `commandName`.
    public func run(_ source: PacketSource, output: LineWriter, errors: LineWriter,
                    commandName: String = "switchpoint") -> Outcome {
        let live = liveCapture != nil
        let status = StatusLine()
        output.beforeFlush = { status.clear() }
        var runner = CaptureRunner(limits: options.limits, packetLimit: options.packetLimit, shard: options.shard)
        var webSocket = WebSocketOptions()
        webSocket.keepFullPayload = options.fullPayload
        var bodies = HTTPBodyOptions()
        bodies.keepFull = options.fullPayload
        let registry = DissectorRegistry.standard(webSocket: webSocket, bodies: bodies)
        let reportProblem: (CaptureError) -> Void = { problem in
            output.flush()
            errors.write(line: commandName + ": " + TerminalText.escape(problem.description))
        }
        let threaded = liveCapture
        /// The live status line: what was captured and analyzed so far.
        func heartbeat(_ summary: @escaping () -> TimelineSummary?) -> ((DecodeStatistics) -> Void)? {
            guard let threaded else { return nil }
            return { statistics in
                status.update({
                    let capture = threaded.statistics()
                    var line = "\(statistics.packets) packets  \(capture.capturedBytes) bytes"
                    if let summary = summary() {
                        line += "  \(summary.connections) connections  \(summary.switched.values.reduce(0, +)) upgrades"
                    }
                    let drops = Int(capture.kernelDrops ?? 0) + Int(capture.interfaceDrops ?? 0) + capture.queueDrops
                    return line + "  \(drops) dropped"
                }())
            }
        }
        // Live capture already reads on its own thread and prints as it goes.
        let pipelined = !live && (options.threads ?? (ProcessInfo.processInfo.activeProcessorCount > 1 ? 2 : 1)) == 2
        let keyLog = options.keyLog
        let decodeAs = options.decodeAs
        let recorder = recorder
        /// The timeline's run into `printer`, on two threads when asked.
        func analyse(into printer: any TimelineEventSink, summary: @escaping () -> TimelineSummary) {
            // Without a key log no state crosses connections: they are split between workers.
            // (Not with exports: they need every connection's events in one place.)
            if pipelined, keyLog == nil, recorder == nil,
               let sharded = ShardedTimelineRun.runIfShardable(
                   source, runner: runner, printer: printer, workers: ShardedTimelineRun.defaultWorkers,
                   makeAnalyzer: { TimelineAnalyzer(output: $0, registry: registry, decodeAs: decodeAs) },
                   onProblem: reportProblem) {
                runner = sharded
                return
            }
            // The exports hear the same events as the printer (which sees no more than alone).
            let output: any TimelineEventSink = recorder.map { TimelineEventFanOut(primary: printer, others: [$0]) } ?? printer
            var analyzer = TimelineAnalyzer(output: output, registry: registry, decodeAs: decodeAs, keyLog: keyLog)
            if pipelined {
                runner = PipelinedTimelineRun.run(source, runner: runner, into: &analyzer, onProblem: reportProblem)
            } else {
                runner.run(source, into: &analyzer, onProblem: reportProblem, heartbeat: heartbeat(summary))
            }
        }
        if options.connections {
            var listing = ConnectionListing(writer: output, format: options.jsonOutput ? .json : .text, streaming: live)
            // The listing's own work is light: the second thread reads the file ahead. Not with
            // -c or -w: reading ahead would write packets past the count to the -w file.
            let listed: PacketSource = if pipelined, options.packetLimit == nil, !options.writesPackets,
                                          let offline = source as? OfflineCaptureSource {
                PrefetchingPacketSource(offline)
            } else {
                source
            }
            runner.run(listed, into: &listing, onProblem: reportProblem, heartbeat: heartbeat { nil })
            threaded?.stopAndWait()
            status.clear()
            listing.finish(statistics: runner.statistics, problems: runner.problems)
        } else if options.jsonOutput {
            let printer = JSONTimelinePrinter(writer: output, includePayloads: options.fullPayload,
                                              escaping: options.jsonASCII ? .ascii : .standard)
            analyse(into: wrapPrinter(printer)) { printer.summary }
            threaded?.stopAndWait()
            status.clear()
            printer.finish(statistics: runner.statistics, problems: runner.problems, live: threaded?.statistics(),
                           scope: SummaryScope(shard: options.shard))
        } else {
            var printerOptions = TextTimelinePrinter.Options()
            printerOptions.interleave = options.interleave || live
            printerOptions.verbose = options.verbose
            printerOptions.colour = options.colour
            printerOptions.fullPayload = options.fullPayload
            let printer = TextTimelinePrinter(writer: output, options: printerOptions)
            analyse(into: wrapPrinter(printer)) { printer.summary }
            threaded?.stopAndWait()
            status.clear()
            printer.finish(statistics: runner.statistics, problems: runner.problems, live: threaded?.statistics(),
                           scope: SummaryScope(shard: options.shard))
        }
        return Outcome(statistics: runner.statistics, problems: runner.problems)
    }
}
