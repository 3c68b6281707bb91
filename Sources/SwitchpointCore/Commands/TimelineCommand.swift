import Foundation

/// What `switchpoint -r FILE…` and `switchpoint -i IFACE` do once the arguments are read
/// and the source is open: the timeline (text or JSON) or the connection listing, on one
/// thread or several, into `output`. The command-line target only turns its options into
/// `Options`, opens the source and writes the exports; the tests run this same code
/// in-process, so the bytes they compare are the command's bytes.
package struct TimelineCommand {
    package struct Options {
        package var json = false
        /// `--json-ascii` (implies JSON).
        package var jsonASCII = false
        /// `--connections`: the listing instead of the timeline.
        package var connections = false
        package var interleave = false
        package var verbose = false
        package var colour = false
        /// `--payload full`: whole payloads printed and HTTP bodies kept.
        package var fullPayload = false
        package var limits = ReassemblyLimits()
        /// `-c`.
        package var packetLimit: Int?
        package var shard: ShardSelector?
        package var decodeAs: [UInt16: DecodeAsProtocol] = [:]
        /// `--decode-ws-as`: the message interpreter WebSockets get, overriding the choice.
        package var decodeWebSocketAs = WebSocketInterpreterOverrides()
        package var keyLog: TLSKeyLog?
        /// `--threads`: 1 or 2; nil is 2 with more than one CPU.
        package var threads: Int?
        /// `-w`: packets are written as they are read, so the listing must not read ahead.
        package var writesPackets = false
        /// `--conn`, `--stream`, `--protocol`, `--severity`, `--follow`: what is shown.
        package var selection = TimelineSelection()
        /// Text timeline: `--frames`, `--time`/`-tttt`, `-x`/`-X` (and `--follow`'s hexdumps).
        package var frames = false
        package var time = TextTimelinePrinter.TimeFormat.relative
        package var hexdump = TextTimelinePrinter.HexdumpPayloads.none
        /// `--redact`: credentials, cookies, WebSocket keys and token-like parameters hidden.
        package var redact = false
        /// `-q`: only the summary.
        package var summaryOnly = false
        /// `--fail-on`: the exit status is 1 with a finding at or above this severity.
        package var failOn: Severity?

        package init() {}

        var jsonOutput: Bool { json || jsonASCII }
    }

    /// What the run saw.
    package struct Outcome {
        package var statistics: DecodeStatistics
        package var problems: [CaptureError]
        /// The worst finding reported (`--fail-on`); nil with none, and for the listing.
        package var worstSeverity: Severity?
        /// `--fail-on`: findings at or above this severity make the exit status 1.
        package var failOn: Severity?

        /// 1 when an input ended early or could not be read, or with a finding at or above
        /// `failOn`; else 0.
        package var exitStatus: Int32 {
            if !problems.isEmpty { return 1 }
            if let failOn, let worstSeverity, worstSeverity >= failOn { return 1 }
            return 0
        }
    }

    package var options: Options
    /// Live capture's reading thread (status line, drop counts); nil reading files.
    package var liveCapture: ThreadedCaptureSource?
    /// `--html`/`--har`: hears the same events as the printer (the run stays on one analyzer).
    package var recorder: ReportRecorder?
    /// Puts more sinks behind the printer (`--pg`, `--metrics`).
    package var wrapPrinter: (any TimelineEventSink) -> any TimelineEventSink = { $0 }
    /// A long read's progress line on stderr (set on the offline source too).
    package var progress: ReadProgress?

    package init(options: Options, liveCapture: ThreadedCaptureSource? = nil, recorder: ReportRecorder? = nil) {
        self.options = options
        self.liveCapture = liveCapture
        self.recorder = recorder
    }

    /// Runs `source` to its end (or `-c`, or Ctrl-C live) and prints the summary. Input
    /// problems go to `errors` as they happen, prefixed with `commandName`.
    package func run(
        _ source: PacketSource, output: LineWriter, errors: LineWriter,
        commandName: String = "switchpoint"
    ) -> Outcome {
        let live = liveCapture != nil
        let status = StatusLine()
        // The progress line steps aside only for output to the same terminal.
        let sharesTerminal = output.isTerminal ? progress : nil
        output.beforeFlush = {
            status.clear()
            sharesTerminal?.pause()
        }
        var runner = CaptureRunner(limits: options.limits, packetLimit: options.packetLimit, shard: options.shard)
        var webSocket = WebSocketOptions()
        webSocket.keepFullPayload = options.fullPayload
        var bodies = HTTPBodyOptions()
        bodies.keepFull = options.fullPayload
        bodies.keepsStreamBodies = recorder != nil || (!options.jsonOutput && options.hexdump != .none)
        var registry = DissectorRegistry.standard(webSocket: webSocket, bodies: bodies)
        registry.interpreters.overrides = options.decodeWebSocketAs
        let reportProblem: (CaptureError) -> Void = { problem in
            output.flush()
            errors.write(line: commandName + ": " + TerminalText.escape(problem.description))
        }
        let threaded = liveCapture
        /// The live status line: what was captured and analyzed so far.
        func heartbeat(_ summary: @escaping () -> TimelineSummary?) -> ((DecodeStatistics) -> Void)? {
            guard let threaded else { return nil }
            return { statistics in
                status.update(
                    {
                        let capture = threaded.statistics()
                        var line = "\(statistics.packets) packets  \(capture.capturedBytes) bytes"
                        if let summary = summary() {
                            line +=
                                "  \(summary.connections) connections  \(summary.switched.values.reduce(0, +)) upgrades"
                        }
                        let drops =
                            Int(capture.kernelDrops ?? 0) + Int(capture.interfaceDrops ?? 0) + capture.queueDrops
                        return line + "  \(drops) dropped"
                    }())
            }
        }
        // Live capture already reads on its own thread and prints as it goes.
        let pipelined = !live && (options.threads ?? (ProcessInfo.processInfo.activeProcessorCount > 1 ? 2 : 1)) == 2
        let keyLog = options.keyLog
        let decodeAs = options.decodeAs
        let recorder = recorder
        let redact = options.redact
        // Engine.IO sessions span connections (polling, then the WebSocket): asked for by
        // name, they are followed (polling bodies read, the session linked) in one analyzer
        // rather than split between workers.
        let linksSessions = Self.followsEngineIOSessions(options)
        var worst: Severity?
        /// The timeline's run into `printer`, on two threads when asked.
        func analyse(into printer: any TimelineEventSink, summary: @escaping () -> TimelineSummary) {
            // Without a key log no state crosses connections: they are split between workers.
            // (Not with exports: they need every connection's events in one place.)
            if pipelined, keyLog == nil, recorder == nil, !linksSessions,
                let sharded = ShardedTimelineRun.runIfShardable(
                    source, runner: runner, printer: printer, workers: ShardedTimelineRun.defaultWorkers,
                    makeAnalyzer: {
                        TimelineAnalyzer(output: $0, registry: registry, decodeAs: decodeAs, redact: redact)
                    },
                    onProblem: reportProblem)
            {
                runner = sharded
                return
            }
            // The exports hear the same events as the printer (which sees no more than alone).
            let output: any TimelineEventSink =
                recorder.map { TimelineEventFanOut(primary: printer, others: [$0]) } ?? printer
            var analyzer = TimelineAnalyzer(
                output: output, registry: registry, decodeAs: decodeAs, keyLog: keyLog, redact: redact,
                linksEngineIOSessions: linksSessions)
            if pipelined {
                runner = PipelinedTimelineRun.run(source, runner: runner, into: &analyzer, onProblem: reportProblem)
            } else {
                runner.run(source, into: &analyzer, onProblem: reportProblem, heartbeat: heartbeat(summary))
            }
        }
        // The text and JSON timelines alike: the run into the printer, then its summary.
        func timeline<Printer: ShardablePrinter>(_ printer: Printer) -> Severity? {
            analyse(into: wrapPrinter(printer)) { printer.summary }
            threaded?.stopAndWait()
            status.clear()
            progress?.finish()
            printer.finish(
                statistics: runner.statistics, problems: runner.problems, live: threaded?.statistics(),
                scope: SummaryScope(shard: options.shard))
            return printer.summary.worstSeverity
        }
        if options.connections {
            // With -v, text rows name the protocol, upgrade and findings: the dissectors run
            // alongside. Without, the listing is capture, decode and reassembly only (its
            // speed, near tcpdump's, is what it is for).
            let facts = options.jsonOutput || !options.verbose ? nil : ConnectionFacts()
            let listing = ConnectionListing(
                writer: output, format: options.jsonOutput ? .json : .text, streaming: live, facts: facts)
            // The listing's own work is light: the second thread reads the file ahead. Not with
            // -c or -w: reading ahead would write packets past the count to the -w file.
            let listed: PacketSource =
                if pipelined, options.packetLimit == nil, !options.writesPackets,
                    let offline = source as? OfflineCaptureSource
                {
                    PrefetchingPacketSource(offline)
                } else {
                    source
                }
            var analyzed = AnalyzedConnectionListing(
                analyzer: TimelineAnalyzer(
                    output: facts ?? ConnectionFacts(), registry: registry, decodeAs: decodeAs, keyLog: keyLog),
                listing: listing)
            if facts == nil {
                runner.run(listed, into: &analyzed.listing, onProblem: reportProblem, heartbeat: heartbeat { nil })
            } else {
                runner.run(listed, into: &analyzed, onProblem: reportProblem, heartbeat: heartbeat { nil })
            }
            threaded?.stopAndWait()
            status.clear()
            progress?.finish()
            analyzed.listing.finish(statistics: runner.statistics, problems: runner.problems)
        } else if options.jsonOutput {
            let printer = JSONTimelinePrinter(
                writer: output, includePayloads: options.fullPayload,
                escaping: options.jsonASCII ? .ascii : .standard)
            printer.selection = options.selection
            printer.summaryOnly = options.summaryOnly
            worst = timeline(printer)
        } else {
            var printerOptions = TextTimelinePrinter.Options()
            printerOptions.interleave = options.interleave || live
            printerOptions.verbose = options.verbose
            printerOptions.colour = options.colour
            printerOptions.fullPayload = options.fullPayload
            printerOptions.selection = options.selection
            printerOptions.frames = options.frames
            printerOptions.time = options.time
            printerOptions.hexdump = options.hexdump
            printerOptions.summaryOnly = options.summaryOnly
            worst = timeline(TextTimelinePrinter(writer: output, options: printerOptions))
        }
        return Outcome(
            statistics: runner.statistics, problems: runner.problems, worstSeverity: worst, failOn: options.failOn)
    }

    /// `--protocol socket.io` or `--decode-ws-as socket.io[=PORT]`.
    static func followsEngineIOSessions(_ options: Options) -> Bool {
        let name = EngineIOSession.protocolName
        if options.selection.applicationProtocol == name { return true }
        let overrides = options.decodeWebSocketAs
        return overrides.everywhere?.name == name || overrides.byPort.values.contains { $0.name == name }
    }
}
