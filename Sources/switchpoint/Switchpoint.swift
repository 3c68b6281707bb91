import ArgumentParser
import Foundation
import SwitchpointCore

#if canImport(Glibc)
    import Glibc
#endif

/// `switchpoint audit …` goes to the audit; everything else is the analyzer, whose
/// trailing words are a BPF filter (so ArgumentParser cannot tell a subcommand apart).
@main
enum Entry {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        // `switchpoint help [audit|merge]`, as ArgumentParser offers it for real subcommands.
        if arguments.first == "help" {
            let rest = Array(arguments.dropFirst())
            if rest.isEmpty || rest == ["switchpoint"] { run(Switchpoint.self, ["--help"]) }
            if rest == ["audit"] { run(Audit.self, ["--help"]) }
            if rest == ["merge"] { run(Merge.self, ["--help"]) }
        }
        // The completion scripts know the subcommands too (`CompletionRoot`).
        if arguments.first == "--generate-completion-script" { run(CompletionRoot.self, arguments) }
        if arguments.first == "audit" {
            run(Audit.self, Array(arguments.dropFirst()))
        } else if arguments.first == "merge" {
            run(Merge.self, Array(arguments.dropFirst()))
        } else {
            run(Switchpoint.self, arguments)
        }
    }

    /// `switchpoint audit` for the subcommand `audit`; the program's own name unchanged.
    static func programName(of commandName: String) -> String {
        commandName == "switchpoint" ? commandName : "switchpoint " + commandName
    }

    /// Exit status of a usage error, as the help promises (ArgumentParser's own is 64).
    static let usageErrorStatus: Int32 = 2

    /// Parses and runs `Command`; usage errors exit 2 with ArgumentParser's message, which
    /// echoes what was typed and so is escaped like everything else reaching stderr.
    static func run<Command: ParsableCommand>(_ type: Command.Type, _ arguments: [String]) -> Never {
        do {
            var command = try type.parseAsRoot(arguments)
            try command.run()
            type.exit()
        } catch {
            guard type.exitCode(for: error) == .validationFailure else { type.exit(withError: error) }
            let errors = LineWriter.standardError()
            // A subcommand's hint names the program too ("See 'switchpoint audit --help'").
            let name = type._commandName
            let message = type.fullMessage(for: error).replacingOccurrences(
                of: "See '\(name) --help'", with: "See '\(Self.programName(of: name)) --help'")
            for line in message.split(separator: "\n", omittingEmptySubsequences: false) {
                errors.write(line: TerminalText.escape(String(line)))
            }
            errors.flush()
            exit(usageErrorStatus)
        }
    }
}

/// The accepted range of every numeric option.
enum OptionRange {
    /// Bytes kept per packet: tcpdump's maximum.
    static let snaplen: ClosedRange<Int32> = 1...262_144
    /// Kernel buffer in KiB: the byte count must fit libpcap's Int32.
    static let bufferKiB: ClosedRange<Int32> = 1...(Int32.max / 1024)
    /// Seconds, as long as the nanosecond count fits an Int64.
    static let idleTimeoutSeconds: ClosedRange<Int> = 1...Int(Int64.max / 1_000_000_000)
    static let port: ClosedRange<Int> = 1...Int(UInt16.max)

    static func check<Value: Comparable>(_ value: Value, in range: ClosedRange<Value>, _ option: String) throws {
        guard range.contains(value) else {
            throw ValidationError(
                "\(option) must be between \(range.lowerBound) and \(range.upperBound) (got \(value))")
        }
    }
}

/// Whether two paths name the same file: the same text, or the same device and inode
/// (a link or another spelling). Used so `-w` never overwrites an input.
func sameFile(_ first: String, _ second: String) -> Bool {
    if first == second { return true }
    var a = stat()
    var b = stat()
    guard stat(first, &a) == 0, stat(second, &b) == 0 else { return false }
    return a.st_dev == b.st_dev && a.st_ino == b.st_ino
}

struct Switchpoint: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchpoint",
        abstract: "Packet analyzer for HTTP protocol upgrades (WebSocket, h2c) and the proxies in between.",
        discussion: """
            Reads pcap/pcapng files (-r) or captures live (-i). Trailing words are a BPF filter, \
            as tcpdump takes them: switchpoint -r capture.pcap tcp port 8080

            Exit status: 0 all input read; 1 an input ended early (truncated or unreadable file); \
            2 bad arguments, the capture could not start, or an --html/--har file could not be written.

            --decode-as PROTOCOL=PORT overrides detection; PROTOCOL is websocket, http2 (or h2), http, \
            tls or raw (anything else is a usage error).

            switchpoint audit FILE… audits a reverse proxy (switchpoint help audit). \
            switchpoint merge FILE… joins the --json output of --shard runs (switchpoint help merge).
            """
    )

    @OptionGroup(title: "Input")
    var input: InputArguments

    @OptionGroup(title: "Decoding")
    var decoding: DecodingArguments

    @OptionGroup(title: "Output")
    var output: OutputArguments

    @OptionGroup(title: "Selection and display")
    var display: DisplayArguments

    @OptionGroup(title: "Display and exit status")
    var terminal: TerminalArguments

    @OptionGroup(title: "Output files")
    var outputFiles: OutputFileArguments

    @OptionGroup(title: "Scale-out (docs/postgres.sql, README: Scaling out)")
    var parallel: ParallelArguments

    @OptionGroup(title: "Scale-out (docs/postgres.sql, README: Scaling out)")
    var export: ExportArguments

    @OptionGroup(title: "Scale-out (docs/postgres.sql, README: Scaling out)")
    var metricsArguments: MetricsArguments

    @Argument(help: ArgumentHelp("BPF filter expression (tcpdump syntax).", valueName: "filter"))
    var filter: [String] = []

    // The options live in their help sections' groups; the command reads them by name.
    var readFiles: [String] {
        get { input.readFiles }
        set { input.readFiles = newValue }
    }
    var interface: String? {
        get { input.interface }
        set { input.interface = newValue }
    }
    var listInterfaces: Bool {
        get { input.listInterfaces }
        set { input.listInterfaces = newValue }
    }
    var snaplen: Int32 {
        get { input.snaplen }
        set { input.snaplen = newValue }
    }
    var noPromiscuous: Bool {
        get { input.noPromiscuous }
        set { input.noPromiscuous = newValue }
    }
    var immediateMode: Bool {
        get { input.immediateMode }
        set { input.immediateMode = newValue }
    }
    var bufferSizeKiB: Int32? {
        get { input.bufferSizeKiB }
        set { input.bufferSizeKiB = newValue }
    }
    var count: Int? {
        get { input.count }
        set { input.count = newValue }
    }
    var dropToUser: String? {
        get { input.dropToUser }
        set { input.dropToUser = newValue }
    }
    var decodeAs: [String] {
        get { decoding.decodeAs }
        set { decoding.decodeAs = newValue }
    }
    var decodeWebSocketAs: [String] {
        get { decoding.decodeWebSocketAs }
        set { decoding.decodeWebSocketAs = newValue }
    }
    var keylog: [String] {
        get { decoding.keylog }
        set { decoding.keylog = newValue }
    }
    var idleTimeout: Int {
        get { decoding.idleTimeout }
        set { decoding.idleTimeout = newValue }
    }
    var json: Bool {
        get { output.json }
        set { output.json = newValue }
    }
    var jsonASCII: Bool {
        get { output.jsonASCII }
        set { output.jsonASCII = newValue }
    }
    var connections: Bool {
        get { output.connections }
        set { output.connections = newValue }
    }
    var interleave: Bool {
        get { output.interleave }
        set { output.interleave = newValue }
    }
    var verbose: Bool {
        get { output.verbose }
        set { output.verbose = newValue }
    }
    var payload: Switchpoint.PayloadMode {
        get { output.payload }
        set { output.payload = newValue }
    }
    var lineBuffered: Bool {
        get { output.lineBuffered }
        set { output.lineBuffered = newValue }
    }
    var writeFile: String? {
        get { outputFiles.writeFile }
        set { outputFiles.writeFile = newValue }
    }
    var html: String? {
        get { outputFiles.html }
        set { outputFiles.html = newValue }
    }
    var har: String? {
        get { outputFiles.har }
        set { outputFiles.har = newValue }
    }
    var threads: Int? {
        get { parallel.threads }
        set { parallel.threads = newValue }
    }
    var workers: Int {
        get { parallel.workers }
        set { parallel.workers = newValue }
    }
    var fanoutGroup: Int? {
        get { parallel.fanoutGroup }
        set { parallel.fanoutGroup = newValue }
    }
    var shard: String? {
        get { parallel.shard }
        set { parallel.shard = newValue }
    }

    enum PayloadMode: String, ExpressibleByArgument {
        case preview
        case full
    }

    /// `websocket=8080` → [8080: .websocket].
    func decodeAsMap() throws -> [UInt16: ProtocolID] {
        var map: [UInt16: ProtocolID] = [:]
        for entry in decodeAs {
            let parts = entry.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let port = UInt16(parts[1]), OptionRange.port.contains(Int(port)), !parts[0].isEmpty
            else {
                throw ValidationError("--decode-as takes PROTOCOL=PORT, e.g. websocket=8080 (got '\(entry)')")
            }
            let registry = DissectorRegistry.standard
            guard let named = registry.decodeAsProtocol(named: String(parts[0])) else {
                throw ValidationError(
                    "--decode-as: unknown protocol '\(parts[0])'; use one of \(registry.decodeAsNames.joined(separator: ", "))"
                )
            }
            map[port] = named
        }
        return map
    }

    /// `jsonrpc=8080` → the JSON-RPC interpreter for port 8080's WebSockets.
    func decodeWebSocketAsOverrides() throws -> WebSocketInterpreterOverrides {
        do {
            return try DissectorRegistry.standard.interpreters.overrides(parsing: decodeWebSocketAs)
        } catch {
            throw ValidationError(error.message)
        }
    }

    mutating func validate() throws {
        if listInterfaces || terminal.version { return }
        if terminal.quiet && connections {
            throw ValidationError("-q prints only the timeline's summary; the --connections listing has its own")
        }
        _ = try decodeAsMap()
        _ = try decodeWebSocketAsOverrides()
        if readFiles.isEmpty && interface == nil {
            throw ValidationError(
                "name a capture file with -r FILE or an interface with -i IFACE (switchpoint -D lists them)")
        }
        if !readFiles.isEmpty && interface != nil {
            throw ValidationError("-r and -i cannot be combined")
        }
        if let count, count <= 0 { throw ValidationError("-c needs a positive count") }
        try OptionRange.check(idleTimeout, in: OptionRange.idleTimeoutSeconds, "--idle-timeout")
        try OptionRange.check(snaplen, in: OptionRange.snaplen, "-s")
        if let bufferSizeKiB { try OptionRange.check(bufferSizeKiB, in: OptionRange.bufferKiB, "-B") }
        if let writeFile, writeFile != "-" {
            for input in readFiles where input != "-" && sameFile(input, writeFile) {
                throw ValidationError(
                    "-w \(TerminalText.escape(writeFile)) would overwrite the input \(TerminalText.escape(input))")
            }
            try checkWritable("-w", writeFile)
        }
        if let threads, !(1...2).contains(threads) { throw ValidationError("--threads takes 1 or 2") }
        try OptionRange.check(workers, in: 1...FanoutTimelineRun.maxWorkers, "--workers")
        if let fanoutGroup { try OptionRange.check(fanoutGroup, in: PacketFanout.groupIDs, "--fanout-group") }
        if fanoutGroup != nil && interface == nil {
            throw ValidationError("--fanout-group joins live capture (-i) to a kernel fanout group")
        }
        if (workers > 1 || fanoutGroup != nil) && interface == "any" {
            throw ValidationError("-i any does not fan out (PACKET_FANOUT needs one interface): name the interface")
        }
        if let shard {
            guard ShardSelector(shard) != nil else {
                throw ValidationError(
                    "--shard takes I/N with 0 <= I < N <= \(ShardSelector.maxCount), e.g. 0/4 (got '\(TerminalText.escape(shard))')"
                )
            }
            if interface != nil {
                throw ValidationError("--shard splits files (-r); live capture splits with --workers")
            }
            if count != nil {
                throw ValidationError("--shard and -c cannot be combined (each shard counts only its own packets)")
            }
            if writeFile != nil {
                throw ValidationError("--shard and -w cannot be combined (every shard reads every packet)")
            }
        }
        try validateExports()
        try display.check(json: json || jsonASCII, interleaved: interleave || interface != nil)
        if display.follow != nil {
            verbose = true
            payload = .full
        }
        try export.check(live: interface != nil, connectionsListing: connections, metrics: metricsArguments.metrics)
        let options = try timelineOptions(keyLog: nil)
        do {
            _ = try TimelineCommand.strategy(
                options, live: interface != nil, exportOptions: exportOptions,
                processors: ProcessInfo.processInfo.activeProcessorCount)
        } catch {
            throw ValidationError(error.description)
        }
    }

    /// `--shard`, parsed (validated above).
    var shardSelector: ShardSelector? { shard.flatMap(ShardSelector.init) }

    func run() throws {
        let errors = LineWriter.standardError()
        if terminal.version { return TerminalArguments.printVersion() }
        if listInterfaces {
            do {
                for (index, device) in try CaptureInterface.all().enumerated() {
                    print(device.listingLine(number: index + 1))
                }
            } catch {
                errors.write(line: "switchpoint: " + TerminalText.escape("\(error)"))
                throw ExitCode(2)
            }
            return
        }
        let expression = filter.joined(separator: " ")
        let input: TimelineCommand.Input
        var threaded: ThreadedCaptureSource?
        /// A long read's progress line on stderr (a terminal only).
        var progress: ReadProgress?
        do {
            if let interface {
                var options = LiveCaptureOptions()
                options.snaplen = snaplen
                options.promiscuous = !noPromiscuous
                if let bufferSizeKiB { options.bufferSize = bufferSizeKiB * 1024 }
                options.immediate = immediateMode
                if workers > 1 {
                    let sources = try LiveFanoutSources(
                        interface: interface, options: options, filter: expression, workers: workers,
                        group: fanoutGroup.map { UInt16($0) }, writeTo: writeFile)
                    sources.stopOnInterrupt()
                    input = .fanout(sources)
                } else {
                    let live = try LiveCaptureSource(interface: interface, options: options, filter: expression)
                    if let fanoutGroup { _ = try live.joinFanout(group: UInt16(fanoutGroup)) }
                    let capture = try ThreadedCaptureSource(live: live, writeTo: writeFile)
                    live.stopOnInterrupt()
                    threaded = capture
                    input = .source(capture)
                }
            } else {
                let offline = try OfflineCaptureSource(paths: readFiles, filter: expression, writeTo: writeFile)
                progress = ReadProgress.totalToShow(paths: readFiles).map { ReadProgress(totalBytes: $0) }
                offline.progress = progress
                input = .source(offline)
            }
            if let dropToUser { try PrivilegeDrop.switchUser(to: dropToUser) }
        } catch {
            errors.write(line: "switchpoint: " + TerminalText.escape("\(error)"))
            throw ExitCode(2)
        }
        let keyLog = try loadKeyLogOrExit(errors: errors)
        let scaleOut: ExportSession
        do {
            scaleOut = try export.start(
                command: "timeline", capture: threaded, live: interface != nil, metrics: metricsArguments.metrics)
        } catch {
            errors.write(line: "switchpoint: " + TerminalText.escape("\(error)"))
            throw ExitCode(2)
        }
        threaded?.start()
        var options = try timelineOptions(keyLog: keyLog)
        let output = LineWriter.standardOutput(flushEachLine: interface != nil || lineBuffered)
        output.asciiOnly = !(json || jsonASCII) && terminal.asciiOnly(stdoutIsTerminal: output.isTerminal)
        options.colour = terminal.colour(stdoutIsTerminal: output.isTerminal)
        let exports = ReportExports(html: html, har: har)
        let recorder = exports.map { _ in ReportRecorder() }
        var command = TimelineCommand(options: options, liveCapture: threaded, recorder: recorder)
        command.exports = scaleOut.exports
        command.progress = progress
        let outcome = command.run(input, output: output, errors: errors)
        var stored = true
        if outcome.selectedNothing {
            errors.write(
                line: "switchpoint: note: nothing matched \(display.selectionWords); only the summary is printed")
            errors.flush()
        }
        if !connections {
            stored = scaleOut.finish()
            try writeExports(exports, recorder, packets: outcome.statistics.packets, errors: errors)
        }
        if outcome.exitStatus != 0 { throw ExitCode(outcome.exitStatus) }
        // --pg that lost rows or reached no server: not a success.
        if !stored { throw ExitCode(1) }
    }

    /// The options' flags as `TimelineCommand` takes them (the one place they are turned
    /// into its options, for validation and for the run).
    func timelineOptions(keyLog: TLSKeyLog?) throws -> TimelineCommand.Options {
        var options = TimelineCommand.Options()
        options.json = json
        options.jsonASCII = jsonASCII
        options.connections = connections
        options.interleave = interleave
        options.verbose = verbose
        options.fullPayload = payload == .full
        options.analysis.limits.idleTimeoutNanoseconds = Int64(idleTimeout) * 1_000_000_000
        options.analysis.packetLimit = count
        options.analysis.shard = shardSelector
        options.analysis.decodeAs = try decodeAsMap()
        options.analysis.decodeWebSocketAs = try decodeWebSocketAsOverrides()
        options.analysis.keyLog = keyLog
        options.analysis.redact = terminal.redact
        options.threads = threads
        options.workers = workers
        options.fanoutGroup = fanoutGroup
        options.writesPackets = writeFile != nil
        options.summaryOnly = terminal.quiet
        options.failOn = terminal.failOn?.severity
        try display.apply(to: &options)
        return options
    }

    /// The exports besides the printer, by option (what the run strategy is chosen from).
    var exportOptions: [String] {
        [
            ("--html", html), ("--har", har), ("--pg", export.postgresURL),
            (TimelineExport.metricsOption, metricsArguments.metrics),
        ]
        .compactMap { $0.1 == nil ? nil : $0.0 }
    }
}

extension Switchpoint {
    /// `--html`/`--har` need the timeline, and never overwrite an input.
    func validateExports() throws {
        if connections && (html != nil || har != nil) {
            throw ValidationError("--html and --har export the timeline; they do not combine with --connections")
        }
        try checkExportPaths([("--html", html), ("--har", har)], inputs: readFiles + (writeFile.map { [$0] } ?? []))
    }

    /// Writes the exports after the terminal output is complete; a failure is reported on
    /// stderr and exits 2 (the timeline above it is unchanged).
    func writeExports(_ exports: ReportExports?, _ recorder: ReportRecorder?, packets: Int, errors: LineWriter) throws {
        guard let exports, let recorder else { return }
        recorder.finish(packets: packets, files: interface.map { ["live: " + $0] } ?? readFiles)
        do {
            try exports.write(recorders: [recorder])
        } catch {
            errors.write(line: "switchpoint: " + TerminalText.escape(error.description))
            errors.flush()
            throw ExitCode(2)
        }
    }
}

/// The export file can be written: not a directory, and its directory exists and takes
/// new files (or the file itself is writable).
func checkWritable(_ option: String, _ path: String) throws {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
        guard !isDirectory.boolValue else {
            throw ValidationError("\(option) \(TerminalText.escape(path)) is a directory")
        }
        guard access(path, W_OK) == 0 else {
            throw ValidationError("\(option) \(TerminalText.escape(path)) is not writable")
        }
        return
    }
    let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
    guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
        throw ValidationError("\(option) \(TerminalText.escape(path)): no directory \(TerminalText.escape(directory))")
    }
    guard access(directory, W_OK) == 0 else {
        throw ValidationError(
            "\(option) \(TerminalText.escape(path)): the directory \(TerminalText.escape(directory)) is not writable")
    }
}

/// An export path must not name an input or another output.
func checkExportPaths(_ exports: [(option: String, path: String?)], inputs: [String]) throws {
    let given = exports.compactMap { entry in entry.path.map { (entry.option, $0) } }
    for (option, path) in given {
        guard !path.isEmpty, path != "-" else { throw ValidationError("\(option) needs a file name") }
        for input in inputs where input != "-" && sameFile(input, path) {
            throw ValidationError(
                "\(option) \(TerminalText.escape(path)) would overwrite \(TerminalText.escape(input))")
        }
        // Before reading anything: a run must not end with its report unwritable.
        try checkWritable(option, path)
    }
    if given.count == 2, sameFile(given[0].1, given[1].1) {
        throw ValidationError("--html and --har name the same file")
    }
}

extension Switchpoint {
    /// The TLS secrets from `--keylog` files, `SSLKEYLOGFILE` and the Decryption Secrets
    /// Blocks of pcapng inputs; nil when there are none to use (TLS stays encrypted, as
    /// without this feature). Lines that are not key log lines are reported once.
    /// The key log, or exit status 2 with the reason when a named file cannot be read.
    func loadKeyLogOrExit(errors: LineWriter) throws -> TLSKeyLog? {
        do {
            return try loadKeyLog(errors: errors)
        } catch {
            errors.write(line: "switchpoint: " + TerminalText.escape("\(error)"))
            throw ExitCode(2)
        }
    }

    func loadKeyLog(errors: LineWriter) throws -> TLSKeyLog? {
        try KeyLogSources(files: keylog, inputs: readFiles, live: interface != nil).load(errors: errors)
    }
}

/// Whether an environment variable is set (to anything, as NO_COLOR asks).
func environmentHas(_ name: String) -> Bool {
    getenv(name) != nil
}

/// `switchpoint audit FILE…`: what a reverse proxy did to each upgrade.
struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", _superCommandName: "switchpoint",
        abstract:
            "Audit a reverse proxy from a capture of both legs (or two captures: client side first, upstream side second).",
        discussion: """
            Pairs each client→proxy exchange with the proxy→upstream one (by Sec-WebSocket-Key, else by request and timing) \
            and reports what the proxy changed: dropped Upgrade/Connection headers, HTTP/1.0 upstream, rewritten statuses, \
            changed WebSocket headers, idle kills, close codes not relayed, h2c smuggling, per-message delay.

            Exit status: 0 no finding of severity error; 1 at least one, or an input ended early; 2 bad input, or an --html/--har file could not be written.
            """
    )

    @Argument(
        help: ArgumentHelp(
            "One capture with both legs, or two: the client side, then the upstream side; trailing words are a BPF filter, as for the timeline.",
            valueName: "file… [filter]"))
    var words: [String] = []

    @Option(
        name: .customShort("r", allowingJoined: true),
        help: ArgumentHelp(
            "A capture to read, as the timeline takes it (repeatable: the client side, then the upstream side). With -r, every trailing word is the filter.",
            valueName: "file"))
    var readFiles: [String] = []

    @Option(
        name: .customLong("front-file"),
        help: ArgumentHelp(
            "A capture of the client side (clients to the proxy); repeatable, with --back-file, for several captures per leg.",
            valueName: "file"))
    var frontFiles: [String] = []

    @Option(
        name: .customLong("back-file"),
        help: ArgumentHelp(
            "A capture of the upstream side (the proxy to its upstreams); repeatable.", valueName: "file"))
    var backFiles: [String] = []

    /// The captures given by position: `-r` files, else the first word and the second
    /// when it names a file (`AuditWords`).
    var positionalFiles: [String] {
        guard frontFiles.isEmpty && backFiles.isEmpty else { return [] }
        return readFiles.isEmpty ? AuditWords(words).files : readFiles
    }

    /// Every capture: by role, else by position.
    var files: [String] { frontFiles.isEmpty && backFiles.isEmpty ? positionalFiles : frontFiles + backFiles }

    /// The leg of each of `files` (nil: by position).
    var roles: [CaptureRole]? {
        guard !frontFiles.isEmpty || !backFiles.isEmpty else { return nil }
        return frontFiles.map { _ in .front } + backFiles.map { _ in .back }
    }

    /// The filter given as trailing words.
    var trailingFilter: String {
        readFiles.isEmpty && roles == nil ? AuditWords(words).filter : words.joined(separator: " ")
    }

    @Option(
        name: .long,
        help: ArgumentHelp("Where clients connect to the proxy (HOST:PORT or :PORT).", valueName: "host:port"))
    var front: String?

    @Option(
        name: .long,
        help: ArgumentHelp("The upstream the proxy connects to (HOST:PORT or :PORT).", valueName: "host:port"))
    var back: String?

    @Option(
        name: .long,
        help: ArgumentHelp("BPF filter applied to every file (the same as trailing words).", valueName: "expression"))
    var filter: String = ""

    @Option(
        name: .customLong("keylog"),
        help: ArgumentHelp(
            "Decrypt TLS legs with the secrets of this NSS key log file (as SSLKEYLOGFILE writes it); repeatable. SSLKEYLOGFILE is read too when set, and pcapng files' embedded secrets.",
            valueName: "file"))
    var keylog: [String] = []

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The proxy audited, when its marks on the traffic do not tell: fixes are given in its configuration language (\(ProxyKind.allCases.map(\.rawValue).joined(separator: ", "))).",
            valueName: "name"))
    var proxy: ProxyKind?

    @Flag(
        name: .customLong("redact"),
        help:
            "Replace credentials, cookies, WebSocket keys, token-like URL parameters and userinfo, bearer-like subprotocols and every payload (bodies, messages) with ‹redacted len=N› in every output (the README says exactly what)."
    )
    var redact = false

    /// `--filter` or the trailing words.
    var expression: String { filter.isEmpty ? trailingFilter : filter }

    @Flag(name: .long, help: "JSON lines instead of text.")
    var json = false

    @Flag(
        name: .customLong("json-ascii"),
        help: "JSON lines (implies --json) in pure ASCII: every character past U+007F escaped as \\uXXXX.")
    var jsonASCII = false

    @OptionGroup(title: "Scale-out")
    var export: ExportArguments

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Also write a self-contained HTML report (both legs of each exchange side by side) to this file.",
            valueName: "file"))
    var html: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Also write an HTTP Archive (HAR 1.2) of both legs, audit findings on the entries, to this file.",
            valueName: "file"))
    var har: String?

    mutating func validate() throws {
        try export.check(live: false)
        try checkExportPaths([("--html", html), ("--har", har)], inputs: files)
        if !frontFiles.isEmpty || !backFiles.isEmpty {
            guard readFiles.isEmpty else {
                throw ValidationError("give the captures by role (--front-file/--back-file) or with -r, not both")
            }
        } else {
            guard (1...2).contains(files.count) else {
                throw ValidationError(
                    "give one capture with both legs, or two (client side, upstream side); more per leg with --front-file and --back-file"
                )
            }
        }
        if !filter.isEmpty && !trailingFilter.isEmpty {
            throw ValidationError("give the filter as trailing words or with --filter, not both")
        }
        for (name, value) in [("--front", front), ("--back", back)] {
            if let value, HostPort(value) == nil {
                throw ValidationError(
                    "\(name) takes HOST:PORT, :PORT or [IPv6]:PORT with a port from 1 to 65535 (got '\(TerminalText.escape(value))')"
                )
            }
        }
    }

    func run() throws {
        let errors = LineWriter.standardError()
        var command = AuditCommand(paths: files)
        command.roles = roles
        command.filter = expression
        command.redact = redact
        command.options.front = front
        command.options.back = back
        command.options.proxy = proxy
        do {
            command.keyLog = try KeyLogSources(
                files: keylog, inputs: files, live: false, commandName: "switchpoint audit"
            )
            .load(errors: errors)
        } catch {
            errors.write(line: "switchpoint audit: " + TerminalText.escape("\(error)"))
            throw ExitCode(2)
        }
        command.json = json
        command.jsonASCII = jsonASCII
        let exports = ReportExports(html: html, har: har)
        command.recorders = exports == nil ? [] : files.indices.map { ReportRecorder(file: $0 + 1) }
        let output = LineWriter.standardOutput(flushEachLine: false)
        let outcome: AuditCommand.Outcome
        do {
            outcome = try command.run(output: output, errors: errors)
        } catch {
            errors.write(line: "switchpoint audit: " + TerminalText.escape("\(error)"))
            throw ExitCode(2)
        }
        output.flush()
        let report = outcome.report
        let recorders = command.recorders
        var stored = true
        if export.postgresURL != nil {
            let scaleOut = try export.start(command: "audit", capture: nil)
            scaleOut.postgres?.receive(audit: report)
            stored = scaleOut.finish()
        }
        if let exports {
            do {
                try exports.write(recorders: recorders, audit: report)
            } catch {
                errors.write(line: "switchpoint audit: " + TerminalText.escape(error.description))
                errors.flush()
                throw ExitCode(2)
            }
        }
        if outcome.exitStatus != 0 { throw ExitCode(outcome.exitStatus) }
        if !stored { throw ExitCode(1) }
    }
}

extension ProxyKind: ExpressibleByArgument {}

/// Why `merge` could not open an input, in the system's words.
struct MergeInputError: Error, LocalizedError {
    var errno: Int32
    var errorDescription: String? { String(cString: strerror(errno)) }
}

/// `switchpoint merge FILE…`: the --json output of `--shard I/N` runs as one stream.
struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge", _superCommandName: "switchpoint",
        abstract:
            "Merge the --json output of several switchpoint runs (--shard I/N) into one time-ordered stream and one summary.",
        discussion: """
            Each input holds one or more runs' JSON lines, each run ended by its summary line (the \
            runs' outputs may be concatenated, as GNU parallel prints them). Events go out by time, \
            connections renumbered 1, 2, … in the order they first appear; the summaries' counts are \
            added up. With no FILE (or '-'), standard input is read (spooled to a temporary file).

            parallel switchpoint -r FILE --json --shard {}/4 ::: 0 1 2 3 | switchpoint merge

            The runs must be the --shard I/N runs of one capture: each summary names its shard and \
            the capture it read (its "capture" identity), and merge refuses a run without --shard, \
            shards of different captures or shard counts, a shard given twice and an incomplete set.

            Exit status: 0 merged; 2 an input cannot be read, the shards do not belong together \
            (above), a line is not a whole switchpoint JSON line, or the summaries' counts are not \
            counts (nothing is written then; the message names the file and line).
            """
    )

    @Argument(help: ArgumentHelp("JSON lines of --shard runs ('-' or none: standard input).", valueName: "file"))
    var positionalFiles: [String] = []

    @Option(
        name: .customShort("r", allowingJoined: true),
        help: ArgumentHelp(
            "A --shard run's JSON lines to read, as the timeline takes -r (repeatable).", valueName: "file"))
    var readFiles: [String] = []

    /// `-r` files and positional ones, in the order given by kind (`-r` first).
    var files: [String] { readFiles + positionalFiles }

    func run() throws {
        let errors = LineWriter.standardError()
        var loaded: [(name: String, data: Data)] = []
        for path in files.isEmpty ? ["-"] : files {
            do {
                if path == "-" {
                    loaded.append(("standard input", try Self.spooled(FileHandle.standardInput)))
                } else if !Self.isRegularFile(path) {
                    // A FIFO or a device cannot be mapped: read as standard input is.
                    // open(2) itself, so a missing file says so (Foundation calls every
                    // failure "no permission").
                    let descriptor = open(path, O_RDONLY)
                    guard descriptor >= 0 else { throw MergeInputError(errno: errno) }
                    let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
                    loaded.append((path, try Self.spooled(handle)))
                } else {
                    // Mapped, not read: shards of a large archive print a lot of lines.
                    loaded.append((path, try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)))
                }
            } catch {
                errors.write(
                    line: "switchpoint merge: cannot read " + TerminalText.escape(path) + ": "
                        + TerminalText.escape(error.localizedDescription))
                throw ExitCode(2)
            }
        }
        var merge = ShardMerge()
        let output = LineWriter.standardOutput(flushEachLine: false)
        do {
            try Self.withBytes(of: loaded[...], collected: []) { inputs in
                try merge.merge(inputs, into: output)
            }
        } catch {
            output.flush()
            errors.write(line: "switchpoint merge: " + TerminalText.escape("\(error)"))
            throw ExitCode(2)
        }
    }

    static func isRegularFile(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG
    }

    /// Standard input (or a FIFO) copied to an unlinked temporary file and mapped, so a
    /// large merge is held by the page cache, not the heap.
    static func spooled(_ input: FileHandle) throws -> Data {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "switchpoint-merge-\(getpid())-\(UUID().uuidString)"
        ).path
        guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]),
            let spool = FileHandle(forWritingAtPath: path)
        else {
            throw CocoaError(.fileWriteUnknown)
        }
        defer { try? FileManager.default.removeItem(atPath: path) }
        while let chunk = try input.read(upToCount: spoolChunkBytes), !chunk.isEmpty {
            try spool.write(contentsOf: chunk)
        }
        try spool.close()
        // Mapped before the file is removed: the mapping keeps its pages.
        return try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
    }

    /// Bytes copied from standard input at a time.
    static let spoolChunkBytes = 1 << 20

    /// Calls `body` with every input's bytes pinned at once.
    static func withBytes(
        of rest: ArraySlice<(name: String, data: Data)>, collected: [ShardMerge.Input],
        _ body: ([ShardMerge.Input]) throws -> Void
    ) throws {
        guard let first = rest.first else { return try body(collected) }
        try first.data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            try withBytes(
                of: rest.dropFirst(), collected: collected + [ShardMerge.Input(name: first.name, bytes: bytes)], body)
        }
    }
}
