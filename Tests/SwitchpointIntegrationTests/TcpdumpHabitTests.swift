import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// Issue 28: tcpdump's timestamp and display habits, end to end through the binary and
/// against tcpdump itself: `-t` … `-ttttt` print the times tcpdump prints for the same
/// packets (a line's packet is the one `--frames` names), `-A`, `-l`, and values attached
/// to their flag (`-rFILE`, `-c10`).
@Suite("tcpdump habits: -t … -ttttt, -A, -l, attached values")
struct TcpdumpHabitTests {
    static let sample = TestEnvironment.samplesDirectory.appendingPathComponent("http-nginx-lo.pcap").path

    func run(_ arguments: [String]) throws -> TestEnvironment.ToolResult {
        try TestEnvironment.run(TestEnvironment.switchpointBinary, arguments, timeoutSeconds: 60)
    }

    /// tcpdump's time column for each packet of the sample (index 0 is packet 1).
    func tcpdumpTimes(_ flag: String) throws -> [String] {
        try #require(FileManager.default.fileExists(atPath: Self.sample), "fixture missing: \(Self.sample)")
        let tcpdump = try TestEnvironment.requiredTool("tcpdump")
        let result = try TestEnvironment.run(tcpdump, ["-n", flag, "-r", Self.sample], environment: ["TZ": "UTC"])
        #expect(result.status == 0, "tcpdump: \(result.errorText)")
        let fields = flag == "-tttt" ? 2 : 1
        return result.text.split(separator: "\n").map { line in
            line.split(separator: " ").prefix(fields).joined(separator: " ")
        }
    }

    /// One event line of the text timeline: its time text, its (last) packet number, and
    /// whether it is the first line of its connection's block.
    struct Line {
        var time: String
        var packet: Int
        var firstOfBlock: Bool
    }

    /// The event lines of `switchpoint -r sample --frames FLAG`.
    func switchpointLines(_ flag: String) throws -> [Line] {
        let result = try run(["-r", Self.sample, "--frames", flag])
        #expect(result.status == 0, "\(flag): \(result.errorText)")
        var lines: [Line] = []
        var blockStarts = false
        for text in result.text.split(separator: "\n").map(String.init) {
            if text.hasPrefix("== summary") { break }
            if text.hasPrefix("conn ") {
                blockStarts = true
                continue
            }
            // "  TIME  #N  …" or "  TIME  #FIRST-LAST  …" (TIME empty with -t).
            guard text.hasPrefix("  "), let mark = text.range(of: "  #") else { continue }
            let time = String(text[text.index(text.startIndex, offsetBy: 2)..<mark.lowerBound])
            let number = text[mark.upperBound...].prefix { $0.isNumber || $0 == "-" }
            guard let last = number.split(separator: "-").last, let packet = Int(last) else { continue }
            lines.append(Line(time: time, packet: packet, firstOfBlock: blockStarts))
            blockStarts = false
        }
        #expect(lines.count >= 10, "\(flag): too few lines to compare")
        return lines
    }

    /// Microseconds of `+S.ffffff`, `S.ffffff` or tcpdump's `HH:MM:SS.ffffff`.
    func microseconds(_ text: String) -> Int64? {
        let parts = text.trimmingCharacters(in: CharacterSet(charactersIn: "+")).split(separator: ":")
        var minutes: Int64 = 0
        for part in parts.dropLast() {
            guard let value = Int64(part) else { return nil }
            minutes = minutes * 60 + value
        }
        let last = (parts.last ?? "").split(separator: ".")
        guard last.count == 2, last[1].count == 6, let whole = Int64(last[0]), let fraction = Int64(last[1]) else {
            return nil
        }
        return (minutes * 60 + whole) * 1_000_000 + fraction
    }

    @Test(
        "-tt (epoch) and -tttt (date and time) print tcpdump's time of the line's packet", arguments: ["-tt", "-tttt"])
    func sameTimesAsTcpdump(_ flag: String) throws {
        let expected = try tcpdumpTimes(flag)
        for line in try switchpointLines(flag) {
            try #require(line.packet >= 1 && line.packet <= expected.count)
            #expect(line.time == expected[line.packet - 1], "\(flag) packet \(line.packet)")
        }
    }

    @Test("-ttttt: since the first packet, as tcpdump -ttttt")
    func sinceFirstPacket() throws {
        let expected = try tcpdumpTimes("-ttttt")
        for line in try switchpointLines("-ttttt") {
            #expect(line.time.hasPrefix("+"))
            let ours = try #require(microseconds(line.time), "\(line.time)")
            #expect(ours == microseconds(expected[line.packet - 1]), "packet \(line.packet): \(line.time)")
        }
    }

    @Test("-ttt: since the line above (in a block), tcpdump -ttt's value where that line is the packet before")
    func deltaFromPreviousLine() throws {
        let epoch = try tcpdumpTimes("-tt").map { try #require(microseconds($0)) }
        let tcpdumpDelta = try tcpdumpTimes("-ttt")
        var previous: Line?
        var comparedWithTcpdump = 0
        for line in try switchpointLines("-ttt") {
            defer { previous = line }
            guard let above = previous, !line.firstOfBlock else { continue }
            let ours = try #require(microseconds(line.time), "\(line.time)")
            #expect(ours == epoch[line.packet - 1] - epoch[above.packet - 1], "packet \(line.packet)")
            if above.packet == line.packet - 1 {
                #expect(ours == microseconds(tcpdumpDelta[line.packet - 1]), "packet \(line.packet)")
                comparedWithTcpdump += 1
            }
        }
        #expect(comparedWithTcpdump >= 2)
    }

    @Test("-t: no time on any line, as tcpdump -t")
    func noTime() throws {
        #expect(try switchpointLines("-t").allSatisfy { $0.time.isEmpty })
        #expect(try tcpdumpTimes("-t").allSatisfy { $0 == "IP" })
    }

    @Test(
        "each tcpdump form is its --time; stacked, repeated and attached forms parse alike",
        arguments: [
            (["-t"], ["--time", "none"]), (["-tt"], ["--time", "epoch"]), (["-ttt"], ["--time", "delta"]),
            (["-tttt"], ["--time", "abs"]), (["-ttttt"], ["--time", "capture"]), (["-t", "-t"], ["-tt"]),
            (["-tt", "-nn"], ["-ttnn"]), (["-c", "10"], ["-c10"]),
        ])
    func formsAgree(_ tcpdumpForm: [String], _ switchpointForm: [String]) throws {
        let first = try run(["-r", Self.sample, "--frames"] + tcpdumpForm)
        let second = try run(["-r" + Self.sample, "--frames"] + switchpointForm)
        #expect(first.status == 0 && second.status == 0, "\(first.errorText) \(second.errorText)")
        #expect(!first.text.isEmpty)
        #expect(first.text == second.text)
    }

    @Test(
        "usage errors: six t's, -tt with --time, -A with -x",
        arguments: [["-tttttt"], ["-tt", "--time", "rel"], ["-A", "-x"]])
    func usageErrors(_ arguments: [String]) throws {
        let result = try run(["-r", Self.sample] + arguments)
        #expect(result.status == 2)
        #expect(result.errorText.hasPrefix("Error: "), "\(result.errorText)")
    }

    @Test("-A: a payload's lines as tcpdump -A prints them, under the line that shows it")
    func asciiPayload() throws {
        let result = try run(["-r", Self.sample, "-A"])
        #expect(result.status == 0)
        let lines = result.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let body = try #require(lines.firstIndex { $0.contains("body 41 bytes") })
        #expect(lines[body + 1] == "        hello from the switchpoint sample server")
        let tcpdump = try TestEnvironment.run(
            try TestEnvironment.requiredTool("tcpdump"), ["-n", "-A", "-r", Self.sample])
        let tcpdumpLines = Set(tcpdump.text.split(separator: "\n").map(String.init))
        #expect(tcpdumpLines.contains("hello from the switchpoint sample server"))
        // Without -A the body has no lines of its own.
        let plain = try run(["-r", Self.sample])
        #expect(!plain.text.contains("\n        hello from the switchpoint sample server\n"))
    }

    /// The sample's first `count` packets as a pcap file's bytes (the header, then records).
    func firstPackets(_ count: Int) throws -> Data {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: Self.sample))
        var end = 24
        for _ in 0..<count {
            let length = bytes[end + 8..<end + 12].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
            end += 16 + length
        }
        return bytes.prefix(end)
    }

    /// Whether the GET line of the sample's first packets reaches a pipe within `seconds`
    /// while standard input, the capture, stays open.
    func lineArrivesBeforeEnd(_ flags: [String], seconds: Double) throws -> Bool {
        let process = Process()
        process.executableURL = TestEnvironment.switchpointBinary
        process.arguments = ["-r", "-", "--interleave", "--threads", "1"] + flags
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            try? input.fileHandleForWriting.close()
            process.waitUntilExit()
        }
        // Packets 1-6: the handshake, the GET (4) and its answer (6); the file goes on.
        input.fileHandleForWriting.write(try firstPackets(6))
        var seen: [UInt8] = []
        let deadline = Date().addingTimeInterval(seconds)
        // poll, then read: a blocking read would hang the test if the line never came.
        var ready = pollfd(fd: output.fileHandleForReading.fileDescriptor, events: Int16(POLLIN), revents: 0)
        var chunk = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline, !String(decoding: seen, as: UTF8.self).contains("GET /index.html") {
            guard poll(&ready, 1, 100) > 0 else { continue }
            let count = read(ready.fd, &chunk, chunk.count)
            if count <= 0 { break }
            seen += chunk[..<count]
        }
        #expect(process.isRunning)
        return String(decoding: seen, as: UTF8.self).contains("GET /index.html")
    }

    @Test("-l: a line reaches a pipe while the capture is still being read; without it, not before the end")
    func lineBuffered() throws {
        #expect(try lineArrivesBeforeEnd(["-l"], seconds: 20))
        #expect(try !lineArrivesBeforeEnd([], seconds: 1))
    }
}
