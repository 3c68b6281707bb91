import Foundation
import Testing
@testable import SwitchpointCore

/// Issue 14's terminal session checks: the command runs in a real terminal (a tmux pane,
/// its own tmux server on a private socket), and the pane is captured as the user would
/// see it.
@Suite("terminal sessions (tmux)", .serialized)
struct TerminalSessionTests {
    /// Copies of the sample in the generated file: 50 × 1.1 MB, over the 50 MB threshold.
    static let copies = 50
    static let sample = TestEnvironment.samplesDirectory.appendingPathComponent("websocket/ws-session-plain.pcap")
    /// Every wait on the pane is bounded.
    static let paneTimeoutSeconds = 90.0

    /// A tmux server of its own (socket in `directory`), one detached session running `command`.
    final class Session {
        let socket: String
        let tmux: URL

        init(tmux: URL, directory: URL, command: String) throws {
            self.tmux = tmux
            socket = directory.appendingPathComponent("tmux.sock").path
            // A UTF-8 locale and a known terminal, whatever the test runner has.
            let result = try TestEnvironment.run(URL(fileURLWithPath: "/usr/bin/env"),
                                                 ["LC_ALL=C.UTF-8", "TERM=xterm-256color", tmux.path, "-u", "-S", socket, "-f", "/dev/null",
                                                  "new-session", "-d", "-x", "200", "-y", "30", "-s", "t", command])
            guard result.status == 0 else { throw SessionError(message: "tmux new-session failed: \(result.errorText)") }
        }

        /// The pane's text; `escapes` keeps the colour attributes as escape sequences.
        func capture(escapes: Bool = false) throws -> String {
            try TestEnvironment.run(tmux, ["-S", socket, "capture-pane", "-p", "-t", "t"] + (escapes ? ["-e"] : [])).text
        }

        func send(_ keys: String) throws {
            _ = try TestEnvironment.run(tmux, ["-S", socket, "send-keys", "-t", "t", keys])
        }

        /// Polls the pane until `condition` holds, within `timeout` seconds.
        func wait(timeout: Double, escapes: Bool = false, until condition: (String) -> Bool) throws -> String? {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                let pane = try capture(escapes: escapes)
                if condition(pane) { return pane }
                Thread.sleep(forTimeInterval: 0.05)
            }
            return nil
        }

        /// Stops this test's own tmux server (only the one on this socket).
        func close() {
            _ = try? TestEnvironment.run(tmux, ["-S", socket, "kill-server"])
        }
    }

    struct SessionError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    static func quoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    @Test("a read of more than 50 MB shows a progress line on a terminal's stderr, erased at the end")
    func progressLine() throws {
        let tmux = try TestEnvironment.requiredTool("tmux"), mergecap = try TestEnvironment.requiredTool("mergecap", package: "wireshark-common")
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let big = directory.appendingPathComponent("big.pcap")
        let merged = try TestEnvironment.run(mergecap, ["-a", "-F", "pcap", "-w", big.path] + Array(repeating: Self.sample.path, count: Self.copies))
        #expect(merged.status == 0, "\(merged.errorText)")
        let size = try #require(try FileManager.default.attributesOfItem(atPath: big.path)[.size] as? Int)
        #expect(UInt64(size) > ReadProgress.minimumTotalBytes)
        // stdout to a file (the timeline), stderr the terminal: only the progress line shows.
        let output = directory.appendingPathComponent("out.txt")
        let command = "\(Self.quoted(CommandLineTests.binary.path)) -r \(Self.quoted(big.path)) > \(Self.quoted(output.path)); echo \"EXIT=$?\"; sleep 60"
        let session = try Session(tmux: tmux, directory: directory, command: command)
        defer { session.close() }
        let during = try session.wait(timeout: Self.paneTimeoutSeconds) { $0.contains("reading ") || $0.contains("EXIT=") }
        let progress = try #require(during?.split(separator: "\n").first { $0.hasPrefix("reading ") }, "no progress line: \(during ?? "")")
        let pattern = #/^reading [0-9]+\.[0-9] MB of [0-9]+\.[0-9] MB \([0-9]+%\)  [0-9]+ packets  [0-9]+\.[0-9] MB/s  ETA [0-9]+ s *$/#
        #expect(try pattern.wholeMatch(in: String(progress)) != nil, "\(progress)")
        #expect(progress.contains(" of \(ReadProgress.megabytes(UInt64(size))) "))
        let after = try #require(try session.wait(timeout: Self.paneTimeoutSeconds) { $0.contains("EXIT=") })
        #expect(after.contains("EXIT=0"))
        #expect(!after.contains("reading "), "the progress line was not erased:\n\(after)")
        let timeline = try String(contentsOf: output, encoding: .utf8)
        #expect(timeline.contains("== summary\n\(Self.copies) connections"))
        #expect(!timeline.contains("reading "))
    }

    @Test("no progress line when stderr is not a terminal")
    func noProgressOffTerminal() throws {
        let mergecap = try TestEnvironment.requiredTool("mergecap", package: "wireshark-common")
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let big = directory.appendingPathComponent("big.pcap")
        _ = try TestEnvironment.run(mergecap, ["-a", "-F", "pcap", "-w", big.path] + Array(repeating: Self.sample.path, count: Self.copies))
        let result = try TestEnvironment.run(CommandLineTests.binary, ["-r", big.path, "-q"])
        #expect(result.status == 0)
        #expect(result.errorText == "")
    }

    @Test("--color=always through less -R: the colours reach the terminal as colours")
    func colourThroughLess() throws {
        let tmux = try TestEnvironment.requiredTool("tmux"), less = try TestEnvironment.requiredTool("less")
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let capture = TestEnvironment.samplesDirectory.appendingPathComponent("proxy/upgrade-refused-then-retry.pcap").path
        for (option, coloured) in [("--color=always", true), ("--color=never", false)] {
            let command = "\(Self.quoted(CommandLineTests.binary.path)) -r \(Self.quoted(capture)) \(option) | \(Self.quoted(less.path)) -R"
            let session = try Session(tmux: tmux, directory: directory, command: command)
            defer { session.close() }
            let pane = try #require(try session.wait(timeout: Self.paneTimeoutSeconds, escapes: true) { $0.contains("== summary") }, "less showed nothing")
            // less -R passes SGR sequences; tmux reports the cells' attributes as escapes.
            let bold = pane.contains("\u{1b}[1m")
            #expect(bold == coloured, "\(option): \(pane)")
            #expect(pane.contains("\u{1b}[1m== summary") == coloured)
            // Nothing shown as literal escape text (what less without -R would print).
            let plain = try session.capture()
            #expect(!plain.contains("ESC["))
            #expect(!plain.contains("^["))
            #expect(plain.contains("conn 1  "))
            try session.send("q")
        }
    }
}
