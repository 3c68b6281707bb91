import Foundation

/// What `switchpoint -r FILE…` and `switchpoint -i IFACE` do once the arguments are read
/// and the input is open: the timeline (text or JSON) or the connection listing, into
/// `output`, by the strategy `RunStrategy.choose` picks. The command-line target only turns
/// its options into `Options`, opens the input and writes the exports; the tests run this
/// same code in-process, so the bytes they compare are the command's bytes.
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
        /// Limits, `-c`, `--shard`, `--decode-as`, `--decode-ws-as`, key log, `--redact`.
        package var analysis = AnalysisConfiguration()
        /// `--threads`: 1 or 2; nil is 2 with more than one CPU.
        package var threads: Int?
        /// `--workers` (1: none).
        package var workers = 1
        /// Live `--fanout-group ID`: named in the summary, so merge can tell the group's runs.
        package var fanoutGroup: Int?
        /// `-w`: packets are written as they are read, so nothing may read ahead.
        package var writesPackets = false
        /// `--conn`, `--stream`, `--protocol`, `--severity`, `--follow`: what is shown.
        package var selection = TimelineSelection()
        /// Text timeline: `--frames`, `--time`/`-tttt`, `-x`/`-X` (and `--follow`'s hexdumps).
        package var frames = false
        package var time = TextTimelinePrinter.TimeFormat.relative
        package var hexdump = TextTimelinePrinter.HexdumpPayloads.none
        /// `-q`: only the summary.
        package var summaryOnly = false
        /// `--fail-on`: the exit status is 1 with a finding at or above this severity.
        package var failOn: Severity?

        package init() {}

        var jsonOutput: Bool { json || jsonASCII }
    }

    /// Where the packets come from.
    package enum Input {
        /// Files (one reader) or one live capture.
        case source(PacketSource)
        /// `--workers` live: one capture socket per worker.
        case fanout(any FanoutSources)
    }

    /// What the run saw.
    package struct Outcome {
        package var statistics: DecodeStatistics
        package var problems: [CaptureError]
        /// The worst finding reported (`--fail-on`); nil with none, and for the listing.
        package var worstSeverity: Severity?
        /// `--fail-on`: findings at or above this severity make the exit status 1.
        package var failOn: Severity?
        /// The options asked for a combination no strategy runs (nothing was read).
        package var refused = false
        /// The timeline's selection (`--conn`, `--stream`, `--protocol`, `--severity`,
        /// `--follow`) let no line through: only the summary was printed.
        package var selectedNothing = false

        /// 2 when refused; 1 when an input ended early or could not be read, or with a
        /// finding at or above `failOn`; else 0.
        package var exitStatus: Int32 {
            if refused { return 2 }
            if !problems.isEmpty { return 1 }
            if let failOn, let worstSeverity, worstSeverity >= failOn { return 1 }
            return 0
        }
    }

    package var options: Options
    /// Live capture's reading thread (status line, drop counts); nil reading files.
    package var liveCapture: ThreadedCaptureSource?
    /// `--html`/`--har`: hears the same events as the printer.
    package var recorder: ReportRecorder?
    /// `--pg`, `--metrics`: hear the same events as the printer.
    package var exports: [TimelineExport] = []
    /// A long read's progress line on stderr (set on the offline source too).
    package var progress: ReadProgress?

    package init(options: Options, liveCapture: ThreadedCaptureSource? = nil, recorder: ReportRecorder? = nil) {
        self.options = options
        self.liveCapture = liveCapture
        self.recorder = recorder
    }

    /// Every output besides the printer, each with the option that asked for it.
    var allExports: [TimelineExport] {
        (recorder.map { [TimelineExport(option: "--html/--har", sink: $0)] } ?? []) + exports
    }

    /// The analysis as these options and outputs need it.
    var configuration: AnalysisConfiguration {
        var configuration = options.analysis
        configuration.keepsFullPayloads = options.fullPayload
        configuration.keepsStreamBodies =
            recorder != nil || (!options.jsonOutput && options.hexdump != .none)
        configuration.linksEngineIOSessions = Self.followsEngineIOSessions(options)
        return configuration
    }

    /// The run's strategy, or why none runs these options; the command line asks before
    /// opening anything, with `exportOptions` naming the exports it will add.
    package static func strategy(
        _ options: Options, live: Bool, exportOptions: [String], processors: Int
    ) throws(RunStrategy.Refusal) -> RunStrategy {
        var input = RunStrategy.Input()
        input.live = live
        input.workers = options.workers
        input.threads = options.threads
        input.processors = processors
        input.listing = options.connections
        input.readsExactly = options.analysis.packetLimit != nil || options.writesPackets
        var analysis = options.analysis
        analysis.linksEngineIOSessions = followsEngineIOSessions(options)
        return try RunStrategy.choose(input, analysis: analysis, needs: TimelineExport.needs(exportOptions))
    }

    /// Runs `input` to its end (or `-c`, or Ctrl-C live) and prints the summary. Input
    /// problems go to `errors` as they happen, prefixed with `commandName`.
    package func run(
        _ input: Input, output: LineWriter, errors: LineWriter, commandName: String = "switchpoint"
    ) -> Outcome {
        let live = liveCapture != nil || input.isFanout
        do {
            let strategy = try Self.strategy(
                options, live: live, exportOptions: allExports.map(\.option),
                processors: ProcessInfo.processInfo.activeProcessorCount)
            return run(input, strategy: strategy, output: output, errors: errors, commandName: commandName)
        } catch {
            errors.write(line: commandName + ": " + error.description)
            return Outcome(statistics: DecodeStatistics(), problems: [], refused: true)
        }
    }

    /// The run by `strategy` (the tests name each strategy; the command chooses).
    func run(
        _ input: Input, strategy: RunStrategy, output: LineWriter, errors: LineWriter, commandName: String
    ) -> Outcome {
        let live = liveCapture != nil || input.isFanout
        let report: (CaptureError) -> Void = { problem in
            output.flush()
            errors.write(line: commandName + ": " + TerminalText.escape(problem.description))
        }
        var run = TimelineRun(
            command: self, strategy: strategy, input: input, output: output, onProblem: report)
        if options.connections {
            return run.listing()
        }
        let worst: Severity?
        var selectedNothing = false
        if options.jsonOutput {
            let printer = JSONTimelinePrinter(
                writer: output, includePayloads: options.fullPayload,
                escaping: options.jsonASCII ? .ascii : .standard)
            printer.selection = options.selection
            printer.summaryOnly = options.summaryOnly
            worst = run.timeline(printer)
            selectedNothing = !options.selection.isEmpty && !options.summaryOnly && !printer.printedEventLines
        } else {
            let printer = TextTimelinePrinter(writer: output, options: textOptions(live: live))
            worst = run.timeline(printer)
            selectedNothing = !options.selection.isEmpty && !options.summaryOnly && !printer.printedEventLines
        }
        var outcome = Outcome(
            statistics: run.statistics, problems: run.problems, worstSeverity: worst, failOn: options.failOn)
        outcome.selectedNothing = selectedNothing
        return outcome
    }

    /// The text printer's options from the command's (live, lines print as they happen).
    func textOptions(live: Bool) -> TextTimelinePrinter.Options {
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
        return printerOptions
    }

    /// `--protocol socket.io` or `--decode-ws-as socket.io[=PORT]`.
    static func followsEngineIOSessions(_ options: Options) -> Bool {
        let name = EngineIOSession.protocolName
        if options.selection.applicationProtocol == name { return true }
        let overrides = options.analysis.decodeWebSocketAs
        return overrides.everywhere?.name == name || overrides.byPort.values.contains { $0.name == name }
    }
}

extension TimelineCommand.Input {
    var isFanout: Bool {
        switch self {
        case .source: false
        case .fanout: true
        }
    }
}
