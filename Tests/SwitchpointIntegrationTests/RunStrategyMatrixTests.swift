import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// Every output option under every run strategy on the samples: each combination prints
/// and exports exactly what `--threads 1` does, or is refused before any work (exit 2 and
/// a message). The `--workers` path runs on the files through the fanout code.
@Suite("Run strategies × outputs")
struct RunStrategyMatrixTests {
    /// One of each kind: WebSocket (deflate, plain), h2c, RFC 8441, TLS with its key log in
    /// the pcapng (a run that crosses connections), server-first detection, Docker attach,
    /// a refused-then-retried upgrade, Socket.IO and MQTT inside WebSocket, findings.
    static let samples = [
        "websocket/ws-deflate-takeover-text.pcap", "websocket/ws-session-plain.pcap", "http2/h2c-upgrade-curl.pcap",
        "http2/rfc8441-websocket-over-h2.pcap", "tls/tls13-h2-curl-nghttpd-dsb.pcapng",
        "detection/h2c-server-first-nghttpd.pcap", "edge-cases/upgrade-tcp-docker-attach-fake-daemon.pcap",
        "proxy/upgrade-refused-then-retry.pcap", "apps/socketio-polling-upgrade.pcap",
        "apps/mqtt-rabbitmq-paho.pcap", "edge-cases/ws-wrong-accept-websockets.pcap", "proxy/ws-proxy-two-clients.pcap",
    ].map { TestEnvironment.samplesDirectory.appendingPathComponent($0).path }

    /// What the user asks for: one thread, the default two (sharded, or pipelined when an
    /// export or the key log needs one analysis), and fanout workers.
    static let strategies: [[String]] = [["--threads", "1"], ["--threads", "2"], ["--workers", "2"]]

    /// Output options; `FILE` stands for an export file of the run.
    static let outputs: [[String]] = [
        [], ["-v"], ["--json"], ["--payload", "full"], ["--json", "--payload", "full"], ["--html", "FILE"],
        ["--har", "FILE"], ["--fail-on", "warn"], ["--redact"], ["--json", "--redact"],
        ["-v", "--redact", "--html", "FILE"],
    ]

    struct Run: Equatable {
        var status: Int32
        var output: String
        var errors: String
        var export: Data?
    }

    static func run(_ sample: String, _ output: [String], _ strategy: [String]) throws -> Run {
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("export").path
        let arguments = ["-r", sample] + output.map { $0 == "FILE" ? file : $0 } + strategy
        let result = try TestEnvironment.run(CommandLineTests.binary, arguments)
        return Run(
            status: result.status, output: result.text, errors: result.errorText,
            export: FileManager.default.contents(atPath: file))
    }

    @Test("every output option under every strategy prints and exports what one thread does")
    func matrix() throws {
        for sample in Self.samples {
            try #require(FileManager.default.fileExists(atPath: sample), "sample missing: \(sample)")
            for output in Self.outputs {
                let reference = try Self.run(sample, output, Self.strategies[0])
                #expect(
                    reference.status == 0 || output.contains("--fail-on"), "\(sample) \(output): \(reference.errors)")
                #expect(!reference.output.isEmpty)
                if output.contains("FILE") { #expect(reference.export?.isEmpty == false, "\(sample) \(output)") }
                for strategy in Self.strategies.dropFirst() {
                    let run = try Self.run(sample, output, strategy)
                    #expect(run == reference, "\(sample) \(output) \(strategy) differs from --threads 1")
                }
            }
        }
    }

    @Test("--fail-on decides the exit status alike under every strategy")
    func failOnAlike() throws {
        let withFindings = Self.samples[10]
        let clean = Self.samples[1]
        for strategy in Self.strategies {
            #expect(try Self.run(withFindings, ["--fail-on", "warn"], strategy).status == 1, "\(strategy)")
            #expect(try Self.run(clean, ["--fail-on", "warn", "-q"], strategy).status == 0, "\(strategy)")
        }
    }

    @Test("combinations no strategy runs are refused before any work, exit 2 with a message")
    func refusals() throws {
        let sample = Self.samples[0]
        for arguments in [
            ["--workers", "2", "--connections"], ["--workers", "2", "-c", "5"],
            ["--workers", "2", "--protocol", "socket.io"], ["--workers", "2", "--decode-ws-as", "socket.io"],
        ] {
            let run = try TestEnvironment.run(CommandLineTests.binary, ["-r", sample] + arguments)
            #expect(run.status == 2, "\(arguments)")
            #expect(run.text.isEmpty, "\(arguments): nothing printed")
            #expect(run.errorText.contains("--workers"), "\(arguments): \(run.errorText)")
        }
    }

    @Test("the pipelined strategy, asked for by name, prints what one thread does (text and JSON)")
    func pipelinedByName() throws {
        for sample in Self.samples {
            for json in [false, true] {
                let printed = try [RunStrategy.inline, .pipelined, .sharded(workers: 2), .fanout(workers: 2)].map {
                    strategy in
                    try InProcessCommand.capture { output, errors in
                        var options = TimelineCommand.Options()
                        options.json = json
                        let source = try TestEnvironment.fixtureSource(paths: [sample], filter: "")
                        return TimelineCommand(options: options).run(
                            .source(source), strategy: strategy, output: output, errors: errors,
                            commandName: "switchpoint"
                        ).exitStatus
                    }.output
                }
                for (index, other) in printed.enumerated().dropFirst() {
                    #expect(other == printed[0], "\(sample) json \(json): strategy \(index) differs")
                }
            }
        }
    }

    @Test(
        "--pg stores the same rows under every strategy",
        .enabled(if: PrivatePostgres.canRun, PrivatePostgres.skipReason), .timeLimit(.minutes(5)))
    func postgresAlike() throws {
        let database = try PrivatePostgres()
        for sample in Self.samples {
            var written: [String] = []
            for strategy in Self.strategies {
                let run = try Self.run(sample, ["--json", "--pg", database.url], strategy)
                let reference = try Self.run(sample, ["--json"], Self.strategies[0])
                #expect(run.status == 0 && run.output == reference.output, "\(sample) \(strategy): \(run.errors)")
                let report = run.errors.split(separator: "\n").first { $0.contains("rows written") } ?? ""
                #expect(report.contains(", 0 dropped"), "\(sample) \(strategy): \(report)")
                written.append(String(report.split(separator: " ").drop { $0 != "postgres:" }.dropFirst().first ?? ""))
            }
            #expect(Set(written).count == 1 && written[0] != "", "\(sample): rows \(written)")
        }
    }
}

@Suite("RunStrategy.choose")
struct RunStrategyChoiceTests {
    static func input(
        live: Bool = false, workers: Int = 1, threads: Int? = nil, processors: Int = 2, listing: Bool = false,
        readsExactly: Bool = false
    ) -> RunStrategy.Input {
        var input = RunStrategy.Input()
        input.live = live
        input.workers = workers
        input.threads = threads
        input.processors = processors
        input.listing = listing
        input.readsExactly = readsExactly
        return input
    }

    @Test(
        "files: sharded by default, inline on one thread or one CPU, pipelined when state or an export needs one analysis"
    )
    func files() throws {
        let plain = AnalysisConfiguration()
        var keyed = AnalysisConfiguration()
        keyed.keyLog = TLSKeyLog()
        let export = RunStrategy.OutputNeeds(everyEventInOneSink: true)
        #expect(try RunStrategy.choose(Self.input(), analysis: plain, needs: .init()) == .sharded(workers: 2))
        #expect(try RunStrategy.choose(Self.input(threads: 1), analysis: plain, needs: .init()) == .inline)
        #expect(try RunStrategy.choose(Self.input(processors: 1), analysis: plain, needs: .init()) == .inline)
        #expect(try RunStrategy.choose(Self.input(), analysis: keyed, needs: .init()) == .pipelined)
        #expect(try RunStrategy.choose(Self.input(), analysis: plain, needs: export) == .pipelined)
        #expect(try RunStrategy.choose(Self.input(listing: true), analysis: plain, needs: .init()) == .pipelined)
        #expect(
            try RunStrategy.choose(Self.input(listing: true, readsExactly: true), analysis: plain, needs: .init())
                == .inline)
    }

    @Test("live: inline (capture has its own thread); --workers: fanout, live or from a file, exports included")
    func liveAndWorkers() throws {
        let plain = AnalysisConfiguration()
        let export = RunStrategy.OutputNeeds(everyEventInOneSink: true)
        #expect(try RunStrategy.choose(Self.input(live: true), analysis: plain, needs: .init()) == .inline)
        #expect(
            try RunStrategy.choose(Self.input(live: true, workers: 4), analysis: plain, needs: export)
                == .fanout(workers: 4))
        #expect(try RunStrategy.choose(Self.input(workers: 2), analysis: plain, needs: export) == .fanout(workers: 2))
    }

    @Test("--workers refusals: the listing, -c, --metrics, Engine.IO sessions")
    func refusals() {
        var counted = AnalysisConfiguration()
        counted.packetLimit = 5
        var linked = AnalysisConfiguration()
        linked.linksEngineIOSessions = true
        let metrics = RunStrategy.OutputNeeds(everyEventInOneSink: true, notWithWorkers: "--metrics serves one capture")
        let workers = Self.input(workers: 2)
        #expect(throws: RunStrategy.Refusal.self) {
            try RunStrategy.choose(
                Self.input(workers: 2, listing: true), analysis: AnalysisConfiguration(), needs: .init())
        }
        #expect(throws: RunStrategy.Refusal.self) { try RunStrategy.choose(workers, analysis: counted, needs: .init()) }
        #expect(throws: RunStrategy.Refusal.self) { try RunStrategy.choose(workers, analysis: linked, needs: .init()) }
        #expect(throws: RunStrategy.Refusal.self) {
            try RunStrategy.choose(workers, analysis: AnalysisConfiguration(), needs: metrics)
        }
    }
}
