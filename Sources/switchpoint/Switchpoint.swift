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
        if arguments.first == "audit" {
            run(Audit.self, Array(arguments.dropFirst()))
        } else {
            run(Switchpoint.self, arguments)
        }
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
            for line in type.fullMessage(for: error).split(separator: "\n", omittingEmptySubsequences: false) {
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
            throw ValidationError("\(option) must be between \(range.lowerBound) and \(range.upperBound) (got \(value))")
        }
    }
}

/// Whether two paths name the same file: the same text, or the same device and inode
/// (a link or another spelling). Used so `-w` never overwrites an input.
func sameFile(_ first: String, _ second: String) -> Bool {
    if first == second { return true }
    var a = stat(), b = stat()
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
        2 bad arguments or the capture could not start.

        switchpoint audit FILE… audits a reverse proxy (switchpoint audit --help).
        """
    )

    @Option(name: .customShort("r"), help: ArgumentHelp("Read packets from a pcap or pcapng file ('-' for standard input); repeat to read several in sequence.", valueName: "file"))
    var readFiles: [String] = []

    @Option(name: .customShort("i"), help: ArgumentHelp("Capture live on this interface ('any' for all).", valueName: "interface"))
    var interface: String?

    @Flag(name: .customShort("D"), help: "List the interfaces available for live capture and exit.")
    var listInterfaces = false

    @Option(name: .customShort("s"), help: ArgumentHelp("Snapshot length for live capture (bytes per packet kept).", valueName: "snaplen"))
    var snaplen: Int32 = 262_144

    @Flag(name: .customShort("p"), help: "Do not put the interface into promiscuous mode.")
    var noPromiscuous = false

    @Option(name: .customShort("B"), help: ArgumentHelp("Kernel capture buffer size in KiB.", valueName: "KiB"))
    var bufferSizeKiB: Int32?

    @Option(name: .customShort("c"), help: ArgumentHelp("Stop after this many packets.", valueName: "count"))
    var count: Int?

    @Option(name: .customShort("w"), help: ArgumentHelp("Also write the captured packets (those that pass the filter) to this pcap file.", valueName: "file"))
    var writeFile: String?

    @Option(name: .customShort("Z"), help: ArgumentHelp("After opening the interface and the -w file, run as this user (like tcpdump -Z).", valueName: "user"))
    var dropToUser: String?

    @Flag(name: .long, help: "Print JSON lines instead of text (schema: docs/json.md).")
    var json = false

    @Flag(name: .customLong("json-ascii"), help: "JSON lines (implies --json) in pure ASCII: every character past U+007F escaped as \\uXXXX.")
    var jsonASCII = false

    @Flag(name: .long, help: "List TCP connections with what reassembly saw (like tshark -z conv,tcp) instead of the timeline.")
    var connections = false

    @Flag(name: .long, help: "One global time order instead of one block per connection (the default live).")
    var interleave = false

    @Flag(name: .customShort("v"), help: "Show every header of every message and every WebSocket frame.")
    var verbose = false

    @Option(name: .long, help: ArgumentHelp("How much of each message payload to show: preview or full (JSON adds data_b64 for binary).", valueName: "preview|full"))
    var payload: PayloadMode = .preview

    @Option(name: .long, help: ArgumentHelp("Dissect connections on PORT as PROTOCOL from their first byte, without a handshake (like tshark's Decode As); repeatable.", valueName: "websocket=PORT"))
    var decodeAs: [String] = []

    @Option(name: .long, help: ArgumentHelp("Decrypt TLS with the secrets of this NSS key log file (as SSLKEYLOGFILE writes it); repeatable. SSLKEYLOGFILE is read too when set, and pcapng files' embedded secrets.", valueName: "file"))
    var keylog: [String] = []

    @Option(name: .long, help: ArgumentHelp("Close connections idle this long (capture time).", valueName: "seconds"))
    var idleTimeout: Int = 300

    @Option(name: .long, help: ArgumentHelp("Reading files, reassemble on one thread and dissect and print on another (2, the default with more than one CPU), or do all on one (1). The output is the same.", valueName: "1|2"))
    var threads: Int?

    @OptionGroup(title: "Scale-out (docs/postgres.sql, README: Scaling out)")
    var export: ExportArguments

    @Argument(help: ArgumentHelp("BPF filter expression (tcpdump syntax).", valueName: "filter"))
    var filter: [String] = []

    enum PayloadMode: String, ExpressibleByArgument {
        case preview
        case full
    }

    /// `websocket=8080` → [8080: "websocket"].
    func decodeAsMap() throws -> [UInt16: String] {
        var map: [UInt16: String] = [:]
        for entry in decodeAs {
            let parts = entry.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let port = UInt16(parts[1]), OptionRange.port.contains(Int(port)), !parts[0].isEmpty else {
                throw ValidationError("--decode-as takes PROTOCOL=PORT, e.g. websocket=8080 (got '\(entry)')")
            }
            map[port] = String(parts[0])
        }
        return map
    }

    mutating func validate() throws {
        if listInterfaces { return }
        _ = try decodeAsMap()
        if readFiles.isEmpty && interface == nil {
            throw ValidationError("name a capture file with -r FILE or an interface with -i IFACE (switchpoint -D lists them)")
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
                throw ValidationError("-w \(TerminalText.escape(writeFile)) would overwrite the input \(TerminalText.escape(input))")
            }
        }
        if let threads, !(1...2).contains(threads) { throw ValidationError("--threads takes 1 or 2") }
        try export.check(live: interface != nil, connectionsListing: connections)
    }

    func run() throws {
        let errors = LineWriter.standardError()
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
        let source: PacketSource
        var threaded: ThreadedCaptureSource?
        do {
            if let interface {
                var options = LiveCaptureOptions()
                options.snaplen = snaplen
                options.promiscuous = !noPromiscuous
                options.bufferSize = bufferSizeKiB.map { $0 * 1024 }
                let live = try LiveCaptureSource(interface: interface, options: options, filter: expression)
                let capture = try ThreadedCaptureSource(live: live, writeTo: writeFile)
                live.stopOnInterrupt()
                threaded = capture
                source = capture
            } else {
                source = try OfflineCaptureSource(paths: readFiles, filter: expression, writeTo: writeFile)
            }
            if let dropToUser { try PrivilegeDrop.switchUser(to: dropToUser) }
        } catch {
            errors.write(line: "switchpoint: " + TerminalText.escape("\(error)"))
            throw ExitCode(2)
        }
        let keyLog: TLSKeyLog?
        do {
            keyLog = try loadKeyLog(errors: errors)
        } catch {
            errors.write(line: "switchpoint: \(error)")
            throw ExitCode(2)
        }
        let exports: ExportSession
        do {
            exports = try export.start(command: "timeline", capture: threaded)
        } catch {
            errors.write(line: "switchpoint: " + TerminalText.escape("\(error)"))
            throw ExitCode(2)
        }
        threaded?.start()
        var limits = ReassemblyLimits()
        limits.idleTimeoutNanoseconds = Int64(idleTimeout) * 1_000_000_000
        let live = interface != nil
        let output = LineWriter.standardOutput(flushEachLine: live)
        let status = StatusLine()
        output.beforeFlush = { status.clear() }
        var runner = CaptureRunner(limits: limits, packetLimit: count)
        var webSocket = WebSocketOptions()
        webSocket.keepFullPayload = payload == .full
        let registry = DissectorRegistry.standard(webSocket: webSocket)
        let reportProblem: (CaptureError) -> Void = { problem in
            output.flush()
            errors.write(line: "switchpoint: " + TerminalText.escape(problem.description))
        }
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
        let pipelined = !live && (threads ?? (ProcessInfo.processInfo.activeProcessorCount > 1 ? 2 : 1)) == 2
        /// The timeline's run into `printer`, on two threads when asked.
        func analyse(into printer: any TimelineEventSink, summary: @escaping () -> TimelineSummary) throws {
            var analyzer = TimelineAnalyzer(output: printer, registry: registry, decodeAs: try decodeAsMap(), keyLog: keyLog)
            if pipelined {
                runner = PipelinedTimelineRun.run(source, runner: runner, into: &analyzer, onProblem: reportProblem)
            } else {
                runner.run(source, into: &analyzer, onProblem: reportProblem, heartbeat: heartbeat(summary))
            }
        }
        if connections {
            var listing = ConnectionListing(writer: output, format: json || jsonASCII ? .json : .text, streaming: live)
            // The listing's own work is light: the second thread reads the file ahead. Not with
            // -c or -w: reading ahead would write packets past the count to the -w file.
            let listed: PacketSource = if pipelined, count == nil, writeFile == nil,
                                          let offline = source as? OfflineCaptureSource {
                PrefetchingPacketSource(offline)
            } else {
                source
            }
            runner.run(listed, into: &listing, onProblem: reportProblem, heartbeat: heartbeat { nil })
            threaded?.stopAndWait()
            status.clear()
            listing.finish(statistics: runner.statistics, problems: runner.problems)
        } else if json || jsonASCII {
            let printer = JSONTimelinePrinter(writer: output, includePayloads: payload == .full, escaping: jsonASCII ? .ascii : .standard)
            try analyse(into: exports.wrap(printer)) { printer.summary }
            threaded?.stopAndWait()
            status.clear()
            printer.finish(statistics: runner.statistics, problems: runner.problems, live: threaded?.statistics())
            exports.finish()
        } else {
            var options = TextTimelinePrinter.Options()
            options.interleave = interleave || live
            options.verbose = verbose
            options.colour = output.isTerminal && !environmentHas("NO_COLOR")
            options.fullPayload = payload == .full
            let printer = TextTimelinePrinter(writer: output, options: options)
            try analyse(into: exports.wrap(printer)) { printer.summary }
            threaded?.stopAndWait()
            status.clear()
            printer.finish(statistics: runner.statistics, problems: runner.problems, live: threaded?.statistics())
            exports.finish()
        }
        if !runner.problems.isEmpty {
            throw ExitCode(1)
        }
    }
}

extension Switchpoint {
    struct KeyLogError: Error, CustomStringConvertible {
        var description: String
    }

    /// The TLS secrets from `--keylog` files, `SSLKEYLOGFILE` and the Decryption Secrets
    /// Blocks of pcapng inputs; nil when there are none to use (TLS stays encrypted, as
    /// without this feature). Lines that are not key log lines are reported once.
    func loadKeyLog(errors: LineWriter) throws -> TLSKeyLog? {
        var keyLog = TLSKeyLog()
        var given = false
        /// Live: the files and how far they were read, followed as they grow.
        var followed: [(path: String, offset: UInt64)] = []
        for path in keylog {
            do {
                followed.append((path, try keyLog.add(contentsOf: path)))
            } catch {
                throw KeyLogError(description: "cannot read key log \(path): \(error.localizedDescription)")
            }
            given = true
        }
        if let path = ProcessInfo.processInfo.environment["SSLKEYLOGFILE"], !path.isEmpty {
            // The variable is often set for other programs: a missing file is only noted.
            do {
                followed.append((path, try keyLog.add(contentsOf: path)))
                given = true
            } catch {
                errors.write(line: "switchpoint: SSLKEYLOGFILE=\(path) could not be read; TLS is not decrypted with it")
            }
        }
        for path in readFiles where path != "-" && PcapngSecretsScanner.isPcapng(path: path) {
            let found = PcapngSecretsScanner.scan(path: path)
            for text in found.keyLogs {
                keyLog.add(text: text, source: "\(path) (decryption secrets block)")
                given = true
            }
        }
        if let summary = keyLog.malformedSummary { errors.write(line: "switchpoint: \(summary)") }
        // Browsers append as they connect: live, a lookup that misses re-reads the files.
        if interface != nil && !followed.isEmpty { keyLog.follower = TLSKeyLogFollower(paths: followed) }
        return given ? keyLog : nil
    }
}

/// Whether an environment variable is set (to anything, as NO_COLOR asks).
func environmentHas(_ name: String) -> Bool {
    getenv(name) != nil
}


/// `switchpoint audit FILE…`: what a reverse proxy did to each upgrade.
struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchpoint audit",
        abstract: "Audit a reverse proxy from a capture of both legs (or two captures: client side first, upstream side second).",
        discussion: """
        Pairs each client→proxy exchange with the proxy→upstream one (by Sec-WebSocket-Key, else by request and timing) \
        and reports what the proxy changed: dropped Upgrade/Connection headers, HTTP/1.0 upstream, rewritten statuses, \
        changed WebSocket headers, idle kills, close codes not relayed, h2c smuggling, per-message delay.

        Exit status: 0 no finding of severity error; 1 at least one, or an input ended early; 2 bad input.
        """
    )

    @Argument(help: ArgumentHelp("One capture with both legs, or two: the client side, then the upstream side.", valueName: "file"))
    var files: [String]

    @Option(name: .long, help: ArgumentHelp("Where clients connect to the proxy (HOST:PORT or :PORT).", valueName: "host:port"))
    var front: String?

    @Option(name: .long, help: ArgumentHelp("The upstream the proxy connects to (HOST:PORT or :PORT).", valueName: "host:port"))
    var back: String?

    @Option(name: .long, help: ArgumentHelp("BPF filter applied to every file.", valueName: "expression"))
    var filter: String = ""

    @Flag(name: .long, help: "JSON lines instead of text.")
    var json = false

    @Flag(name: .customLong("json-ascii"), help: "JSON lines (implies --json) in pure ASCII: every character past U+007F escaped as \\uXXXX.")
    var jsonASCII = false

    @OptionGroup(title: "Scale-out")
    var export: ExportArguments

    mutating func validate() throws {
        try export.check(live: false)
        guard (1...2).contains(files.count) else { throw ValidationError("give one capture with both legs, or two (client side, upstream side)") }
        for (name, value) in [("--front", front), ("--back", back)] {
            if let value, HostPort(value) == nil {
                throw ValidationError("\(name) takes HOST:PORT, :PORT or [IPv6]:PORT with a port from 1 to 65535 (got '\(TerminalText.escape(value))')")
            }
        }
    }

    func run() throws {
        let errors = LineWriter.standardError()
        var options = ProxyAuditor.Options()
        options.front = front
        options.back = back
        let report: ProxyAuditor.Report
        let problems: [CaptureError]
        do {
            (report, problems) = try ProxyAudit.run(paths: files, filter: filter, options: options)
        } catch {
            errors.write(line: "switchpoint audit: " + TerminalText.escape("\(error)"))
            throw ExitCode(2)
        }
        for problem in problems { errors.write(line: "switchpoint audit: " + TerminalText.escape(problem.description)) }
        let printer = AuditReportPrinter(writer: LineWriter.standardOutput(flushEachLine: false))
        if json || jsonASCII { printer.json(report, problems: problems, escaping: jsonASCII ? .ascii : .standard) } else { printer.text(report, problems: problems) }
        if export.postgresURL != nil {
            let exports = try export.start(command: "audit", capture: nil)
            exports.postgres?.receive(audit: report)
            exports.finish()
        }
        if problems.contains(where: { if case .cannotOpenFile = $0 { true } else if case .unsupportedLinkType = $0 { true } else { false } }) {
            throw ExitCode(2)
        }
        // An input that ended early (a truncated file) exits 1, as the timeline does.
        if report.worstSeverity == .error || !problems.isEmpty { throw ExitCode(1) }
    }
}
