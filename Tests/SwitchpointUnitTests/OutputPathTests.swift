import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// The output path: wire text escaped once, by the printer of each format; the two-thread
/// run byte-identical to the single-thread one (memory on a long-lived connection: OutputMemoryTests).
@Suite("Output path")
struct OutputPathTests {
    enum Format: String, CaseIterable, Sendable {
        case text, verbose, json, fullPayloadJSON, asciiJSON
        /// Text with packet numbers, delta times and hexdumps (issue 14's display options).
        case display
        /// Text showing only connections with a warning or worse (judged per block).
        case judged
    }

    /// Runs the timeline in-process as the command line does, into a file; returns its bytes.
    /// How the run is spread over threads: as `--threads 1`, reading on a thread of its own
    /// (the key-log path), or split between workers by connection (the default).
    enum RunMode: Sendable, Equatable {
        case single, pipelined
        case sharded(workers: Int)
    }

    static func timeline(_ paths: [String], _ format: Format, threads: Int, budget: Int? = nil) throws -> [UInt8] {
        try timeline(paths, format, run: threads == 1 ? .single : .sharded(workers: 2), budget: budget)
    }

    static func timeline(_ paths: [String], _ format: Format, run: RunMode, budget: Int? = nil) throws -> [UInt8] {
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let outputPath = directory.appendingPathComponent("out").path
        let descriptor = open(outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        try #require(descriptor >= 0)
        do {
            let writer = LineWriter(descriptor: descriptor, flushEachLine: false)
            var webSocket = WebSocketOptions()
            webSocket.keepFullPayload = format == .fullPayloadJSON
            let registry = DissectorRegistry.standard(webSocket: webSocket)
            let source = try TestEnvironment.fixtureSource(paths: paths)
            var runner = CaptureRunner()
            let finish: (CaptureRunner) -> Void
            let printer: any TimelineEventSink
            switch format {
            case .json, .fullPayloadJSON, .asciiJSON:
                let json = JSONTimelinePrinter(
                    writer: writer, includePayloads: format == .fullPayloadJSON,
                    escaping: format == .asciiJSON ? .ascii : .standard)
                printer = json
                finish = { json.finish(statistics: $0.statistics, problems: $0.problems) }
            case .text, .verbose, .display, .judged:
                var options = TextTimelinePrinter.Options()
                options.verbose = format == .verbose
                if format == .display {
                    options.frames = true
                    options.time = .delta
                    options.hexdump = .all
                }
                if format == .judged { options.selection.severity = .warn }
                if let budget { options.pendingBudget = budget }
                let text = TextTimelinePrinter(writer: writer, options: options)
                printer = text
                finish = { text.finish(statistics: $0.statistics, problems: $0.problems) }
            }
            var analyzer = TimelineAnalyzer(output: printer, registry: registry)
            switch run {
            case .single:
                runner.run(source, into: &analyzer)
            case .pipelined:
                runner = PipelinedTimelineRun.run(source, runner: runner, into: &analyzer, onProblem: { _ in })
            case .sharded(let workers):
                let makeAnalyzer = { (output: any TimelineEventSink) in
                    TimelineAnalyzer(output: output, registry: registry)
                }
                if let text = printer as? TextTimelinePrinter {
                    runner = ShardedTimelineRun.run(
                        source, runner: runner, printer: text, workers: workers, makeAnalyzer: makeAnalyzer,
                        onProblem: { _ in })
                } else if let json = printer as? JSONTimelinePrinter {
                    runner = ShardedTimelineRun.run(
                        source, runner: runner, printer: json, workers: workers, makeAnalyzer: makeAnalyzer,
                        onProblem: { _ in })
                } else {
                    Issue.record("only the text and JSON timelines shard")
                }
            }
            finish(runner)
            writer.flush()
        }
        close(descriptor)
        return Array(try Data(contentsOf: URL(fileURLWithPath: outputPath)))
    }

    // MARK: Escaping

    /// A header line holding `X ESC [31mbad\line`, a text message with ESC, `\` and a
    /// quote, and a close reason with a bidi override.
    static func hostileCapture() throws -> URL {
        var capture = CaptureFileBuilder()
        capture.send(
            .clientToServer,
            CaptureFileBuilder.upgradeRequest.replacingOccurrences(
                of: "\r\n\r\n", with: "\r\nX-Note: X\u{1b}[31mbad\\line\r\n\r\n"))
        capture.send(.serverToClient, CaptureFileBuilder.upgradeResponse)
        capture.send(
            .serverToClient,
            CaptureFileBuilder.webSocketFrame(opcode: 1, Array("say \"hi\"\u{1b}]0;pwned\u{07}\\".utf8)))
        capture.send(
            .clientToServer,
            CaptureFileBuilder.webSocketFrame(
                opcode: 8, [0x03, 0xe8] + Array("bye\u{202e}olleh".utf8),
                maskKey: [1, 2, 3, 4]))
        capture.send(.serverToClient, CaptureFileBuilder.webSocketFrame(opcode: 8, [0x03, 0xe8]))
        capture.close()
        let url = try TestEnvironment.temporaryDirectory().appendingPathComponent("hostile.pcap")
        try capture.write(to: url)
        return url
    }

    static func lines(_ bytes: [UInt8]) -> [String] {
        String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    @Test("the text timeline escapes wire bytes exactly once")
    func textEscapesOnce() throws {
        let capture = try Self.hostileCapture()
        defer { try? FileManager.default.removeItem(at: capture.deletingLastPathComponent()) }
        let output = try Self.timeline([capture.path], .verbose, threads: 1)
        #expect(!output.contains(0x1b), "a raw ESC reached the terminal")
        let lines = Self.lines(output)
        #expect(lines.contains("                          X-Note: X\\x1b[31mbad\\\\line"))
        #expect(lines.contains("  +0.000050  #6  s→c  text 19 B  \"say \"hi\"\\x1b]0;pwned\\x07\\\\\""))
        #expect(lines.contains("  +0.000060  #7  c→s  close 1000 normal  \"bye\\u{202e}olleh\""))
    }

    @Test("JSON carries the wire text itself, escaped for JSON only")
    func jsonEscapesOnce() throws {
        let capture = try Self.hostileCapture()
        defer { try? FileManager.default.removeItem(at: capture.deletingLastPathComponent()) }
        let output = try Self.timeline([capture.path], .json, threads: 1)
        let text = String(decoding: output, as: UTF8.self)
        #expect(text.contains(#"["X-Note","X\u001b[31mbad\\line"]"#))
        #expect(text.contains(#""text":"say \"hi\"\u001b]0;pwned\u0007\\""#))
        #expect(text.contains("\"reason\":\"bye\u{202e}olleh\""))
        #expect(!text.contains(#"\\x1b"#), "terminal escapes in JSON")
        for line in Self.lines(output) where !line.isEmpty {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil, "not JSON: \(line)")
        }
    }

    @Test("invalid UTF-8 becomes \\xNN in text and U+FFFD in JSON, and the JSON stays valid UTF-8")
    func invalidUTF8() throws {
        let buffer = OutputBuffer()
        let bytes: [UInt8] = [0x61, 0xff, 0xe2, 0x82, 0x62, 0xc3, 0xa9]
        buffer.appendTerminalEscaped(bytes)
        #expect(String(decoding: buffer.bytes, as: UTF8.self) == "a\\xff\\xe2\\x82bé")
        buffer.removeAll()
        buffer.appendJSONString(bytes)
        // One replacement per maximal invalid subpart, as String(decoding:) does.
        #expect(String(decoding: buffer.bytes, as: UTF8.self) == "\"" + String(decoding: bytes, as: UTF8.self) + "\"")
        #expect(String(validating: Array(buffer.bytes), as: UTF8.self) != nil)
    }

    @Test("JSON fields written in one reservation equal key and value written apart")
    func jsonFieldFormatting() {
        let buffer = OutputBuffer(capacity: 8)  // small: every field grows it
        var expected = ""
        for (index, value) in [Int.min + 1, -1, 0, 7, 10_000, Int.max].enumerated() {
            buffer.appendJSONField("n", first: index == 0, magnitude: value.magnitude.toUInt64, negative: value < 0)
            expected += (index == 0 ? "" : ",") + "\"n\":\(value)"
        }
        buffer.appendJSONField("a_longer_key_name", first: false, magnitude: 123, negative: false)
        expected += ",\"a_longer_key_name\":123"
        buffer.appendJSONField("x", first: false, word: "true", quoted: false)
        buffer.appendJSONField("type", first: false, word: "ws.message", quoted: true)
        buffer.appendJSONField("dir", first: false, word: "→", quoted: true)  // a one-scalar literal
        expected += ",\"x\":true,\"type\":\"ws.message\",\"dir\":\"→\""
        #expect(String(decoding: buffer.bytes, as: UTF8.self) == expected)
    }

    @Test("the one-reservation head of a JSON event line equals its fields written one by one")
    func jsonEventHead() {
        let times = [
            Timestamp(nanoseconds: 0), Timestamp(nanoseconds: 999), Timestamp(nanoseconds: 1_795_884_245_458_768_123),
            Timestamp(nanoseconds: Int64.max),
        ]
        let extras: [(UInt64?, Direction?, UInt64?)] = [
            (nil, nil, nil), (7, .clientToServer, 0), (nil, .serverToClient, UInt64.max), (1, nil, 523),
        ]
        for time in times {
            for (connection, packet) in [(0, UInt64(1)), (109, 1935), (Int.max, UInt64.max)] {
                for (firstPacket, direction, offset) in extras {
                    let fast = OutputBuffer(capacity: 8)
                    #expect(
                        fast.appendJSONEventHead(
                            timestamp: time, connection: connection, type: "ws.frame", packet: packet,
                            firstPacket: firstPacket, direction: direction, offset: offset))
                    let slow = OutputBuffer(capacity: 8)
                    var line = JSONObjectWriter(into: slow)
                    line.add("ts", timestamp: time)
                    line.add("conn", connection)
                    line.add("type", literal: "ws.frame")
                    line.add("frame", packet)
                    if let firstPacket { line.add("frame_first", firstPacket) }
                    if let direction { line.add("dir", literal: direction == .clientToServer ? "c2s" : "s2c") }
                    if let offset { line.add("offset", offset) }
                    #expect(Array(fast.bytes) == Array(slow.bytes))
                }
            }
        }
        // What only the field-by-field path writes.
        let buffer = OutputBuffer(capacity: 8)
        #expect(
            !buffer.appendJSONEventHead(timestamp: Timestamp(nanoseconds: -1_500), connection: 1, type: "x", packet: 1))
        #expect(!buffer.appendJSONEventHead(timestamp: Timestamp(nanoseconds: 0), connection: -1, type: "x", packet: 1))
        #expect(buffer.isEmpty)
    }

    @Test("relative times in whole microseconds print as the floating-point path prints them")
    func relativeTimes() {
        var generator = SystemRandomNumberGenerator()
        var deltas: [Int64] = [0, 1000, -1000, 999_000, 1_000_000, -1_000_000, 59_999_999_000, 1_123_456_789_000]
        for _ in 0..<2000 {
            deltas.append(
                Int64.random(in: -1_000_000_000_000_000...1_000_000_000_000_000, using: &generator) / 1000 * 1000)
        }
        let origin = Timestamp(nanoseconds: 1_795_884_245_000_000_000)
        for delta in deltas {
            let fast = OutputBuffer(capacity: 8)
            fast.append(relative: Timestamp(nanoseconds: origin.nanoseconds + delta), to: origin)
            let reference = OutputBuffer(capacity: 8)
            let seconds = Double(delta) / 1e9
            if !(seconds < 0) { reference.append(UInt8(ascii: "+")) }
            reference.append(fixed: seconds, decimals: 6)
            #expect(Array(fast.bytes) == Array(reference.bytes), "delta \(delta) ns")
        }
    }

    @Test("appends of every short length copy exactly their bytes")
    func shortCopies() {
        let source = Array("abcdefghijklmnopqrstuvwxyz0123456789".utf8)
        for length in 0...OutputBuffer.smallCopyLimit + 3 {
            let buffer = OutputBuffer(capacity: 4)
            buffer.append(UInt8(ascii: "<"))
            source.withUnsafeBytes { buffer.append(UnsafeRawBufferPointer(rebasing: $0[0..<length])) }
            buffer.append(UInt8(ascii: ">"))
            #expect(Array(buffer.bytes) == [UInt8(ascii: "<")] + source[0..<length] + [UInt8(ascii: ">")])
        }
    }

    @Test("numbers and times formatted into the buffer equal the String forms")
    func numberFormatting() {
        let buffer = OutputBuffer(capacity: 64)
        // Every digit count's edges: the count is found by comparisons and the digits are
        // written four at a time.
        var edges: [UInt64] = [0, 12_345, UInt64.max, UInt64.max - 1]
        var power: UInt64 = 1
        for _ in 0..<20 {
            edges += [power, power - 1, power + 1]
            if power > UInt64.max / 10 { break }
            power *= 10
        }
        for value in edges {
            buffer.removeAll()
            buffer.append(decimal: value)
            #expect(String(decoding: buffer.bytes, as: UTF8.self) == String(value))
        }
        for value in [Int.min + 1, -1, 0, 42] {
            buffer.removeAll()
            buffer.append(decimal: value)
            #expect(String(decoding: buffer.bytes, as: UTF8.self) == String(value))
        }
        for (value, decimals) in [(0.0, 3), (1.5, 0), (-0.0004, 3), (123.456789, 6), (-2.5, 1), (Double.nan, 2)] {
            buffer.removeAll()
            buffer.append(fixed: value, decimals: decimals)
            #expect(String(decoding: buffer.bytes, as: UTF8.self) == JSONLine.fixed(value, decimals: decimals))
        }
        buffer.removeAll()
        buffer.append(utc: Timestamp(nanoseconds: 1_700_000_000_123_456_789))
        #expect(String(decoding: buffer.bytes, as: UTF8.self) == "2023-11-14 22:13:20.123456 UTC")
    }

    @Test("nothing under Dissectors or Audit calls the terminal escaper: events carry raw text")
    func escapingBelongsToPrinters() throws {
        let sources = TestEnvironment.projectRoot.appendingPathComponent("Sources/SwitchpointCore")
        var offenders: [String] = []
        for folder in ["Dissectors", "Audit"] {
            let root = sources.appendingPathComponent(folder)
            let files = try #require(FileManager.default.enumerator(atPath: root.path)).compactMap { $0 as? String }
            #expect(!files.isEmpty, "no sources found under \(folder)")
            for file in files where file.hasSuffix(".swift") {
                let text = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
                if text.contains("TerminalText") || text.contains("appendTerminalEscaped") {
                    offenders.append("\(folder)/\(file)")
                }
            }
        }
        #expect(offenders.isEmpty, "escaping outside the printers: \(offenders)")
    }

    // MARK: Threads

    static let threadedModes: [RunMode] = [.pipelined, .sharded(workers: 2), .sharded(workers: 3)]

    @Test("every threaded run prints exactly what one thread prints, on every sample", arguments: Format.allCases)
    func threadsIdentical(_ format: Format) throws {
        let captures = TestEnvironment.allSampleCaptures
        #expect(captures.count >= 20, "samples/ holds \(captures.count) captures")
        for capture in captures {
            let single = try Self.timeline([capture.path], format, run: .single)
            #expect(!single.isEmpty)
            for mode in Self.threadedModes {
                #expect(
                    try Self.timeline([capture.path], format, run: mode) == single,
                    "\(capture.lastPathComponent) \(format) \(mode): outputs differ")
            }
        }
    }

    @Test(
        "every threaded run prints exactly what one thread prints, on the corpus",
        .enabled(if: TestEnvironment.corpusAvailable, TestEnvironment.corpusMissingMessage))
    func threadsIdenticalCorpus() throws {
        for capture in TestEnvironment.corpusCaptures {
            for format in Format.allCases {
                let single = try Self.timeline([capture.path], format, run: .single)
                for mode in Self.threadedModes {
                    #expect(
                        try Self.timeline([capture.path], format, run: mode) == single,
                        "\(capture.lastPathComponent) \(format) \(mode): outputs differ")
                }
            }
        }
    }

    @Test("sharded runs print early blocks exactly when one thread does (a budget crossed by many connections)")
    func shardedBudget() throws {
        // Many connections at once, their blocks held together: a small budget makes the
        // merge print blocks early in the order only a view of all connections gives.
        let captures = TestEnvironment.allSampleCaptures.filter {
            $0.lastPathComponent.hasPrefix("ws-") || $0.lastPathComponent.contains("h2")
        }
        #expect(captures.count >= 5)
        var continued = 0
        for capture in captures {
            for budget in [512, 4 << 10] {
                let single = try Self.timeline([capture.path], .verbose, run: .single, budget: budget)
                continued += Self.lines(single).filter { $0.hasSuffix(" (continued)") }.count
                for workers in [2, 3] {
                    #expect(
                        try Self.timeline([capture.path], .verbose, run: .sharded(workers: workers), budget: budget)
                            == single,
                        "\(capture.lastPathComponent) budget \(budget), \(workers) workers: outputs differ")
                }
            }
        }
        #expect(continued > 10, "the budget must actually be crossed (\(continued) continued blocks)")
    }

    // MARK: Memory

    @Test("held blocks over the budget are printed early, marked, and nothing is lost")
    func pendingBudget() throws {
        let capture = try CaptureFileBuilder.longConnection(messages: 2_000)
        defer { try? FileManager.default.removeItem(at: capture.deletingLastPathComponent()) }
        let unlimited = Self.lines(try Self.timeline([capture.path], .text, threads: 1))
        let budgeted = Self.lines(try Self.timeline([capture.path], .text, threads: 1, budget: 16 << 10))
        let markers = budgeted.filter { $0 == "conn 1 (continued)" }
        #expect(!unlimited.contains("conn 1 (continued)"))
        #expect(markers.count >= 3)
        // The same lines, apart from the markers and the blank line ending each early print.
        let content = { (lines: [String]) in lines.filter { !$0.isEmpty && $0 != "conn 1 (continued)" } }
        #expect(content(budgeted) == content(unlimited))
    }
}
