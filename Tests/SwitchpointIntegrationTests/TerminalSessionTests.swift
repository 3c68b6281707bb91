import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 14's terminal session checks: the command runs in a real terminal (a tmux pane,
/// its own tmux server on a private socket), and the pane is captured as the user would
/// see it.
@Suite("terminal sessions (tmux)", .serialized)
struct TerminalSessionTests {
    /// Copies of the sample in the generated file: 500 × 217 KB (186 packets each), over the
    /// 50 MB threshold, small packets so the read lasts a few seconds (`-v --threads 1`).
    static let copies = 500
    static let sample = TestEnvironment.samplesDirectory.appendingPathComponent("ws-echo-veth.pcap")
    /// Every wait on the pane is bounded.
    static let paneTimeoutSeconds = 90.0

    /// A tmux server of its own (socket in `directory`), one detached session running `command`.
    final class Session {
        let socket: String
        let tmux: URL
        /// This test's tmux server, stopped by its id at the end.
        private(set) var serverPID: Int32 = 0

        init(tmux: URL, directory: URL, command: String) throws {
            self.tmux = tmux
            socket = directory.appendingPathComponent("tmux.sock").path
            // A UTF-8 locale and a known terminal, whatever the test runner has. Started with
            // system(3), which waits for the tmux client only: Foundation's Process would wait
            // on the server it forks, which keeps the descriptors it inherited open.
            let line = [
                "LC_ALL=C.UTF-8", "TERM=xterm-256color", tmux.path, "-u", "-S", socket, "-f", "/dev/null",
                "new-session", "-d", "-x", "200", "-y", "50", "-s", "t", command,
            ].map(TerminalSessionTests.quoted).joined(separator: " ")
            let status = system("exec /usr/bin/env " + line + " </dev/null >/dev/null 2>&1")
            guard status == 0 else { throw SessionError(message: "tmux new-session failed: status \(status)") }
            serverPID =
                Int32(
                    try TestEnvironment.run(tmux, ["-S", socket, "display-message", "-p", "#{pid}"]).text
                        .trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        }

        /// The pane's text; `escapes` keeps the colour attributes as escape sequences.
        func capture(escapes: Bool = false) throws -> String {
            try TestEnvironment.run(tmux, ["-S", socket, "capture-pane", "-p", "-t", "t"] + (escapes ? ["-e"] : []))
                .text
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
            if serverPID > 0 { kill(serverPID, SIGKILL) }
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
        let tmux = try TestEnvironment.requiredTool("tmux")
        let mergecap = try TestEnvironment.requiredTool("mergecap", package: "wireshark-common")
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let big = directory.appendingPathComponent("big.pcap")
        let merged = try TestEnvironment.run(
            mergecap, ["-a", "-F", "pcap", "-w", big.path] + Array(repeating: Self.sample.path, count: Self.copies))
        #expect(merged.status == 0, "\(merged.errorText)")
        let size = try #require(try FileManager.default.attributesOfItem(atPath: big.path)[.size] as? Int)
        #expect(UInt64(size) > ReadProgress.minimumTotalBytes)
        // stdout to a file (the timeline), stderr the terminal: only the progress line shows.
        let output = directory.appendingPathComponent("out.txt")
        // Waits for the go file, so everything the pane is sent is recorded (pipe-pane) from the start.
        let go = directory.appendingPathComponent("go").path
        let record = directory.appendingPathComponent("pane.log").path
        let command =
            "while [ ! -e \(Self.quoted(go)) ]; do sleep 0.05; done; \(Self.quoted(CommandLineTests.binary.path)) -r \(Self.quoted(big.path)) -v --threads 1 > \(Self.quoted(output.path)); echo \"EXIT=$?\"; sleep 20"
        let session = try Session(tmux: tmux, directory: directory, command: command)
        defer { session.close() }
        _ = try TestEnvironment.run(
            tmux, ["-S", session.socket, "pipe-pane", "-o", "-t", "t", "cat >> \(Self.quoted(record))"])
        #expect(FileManager.default.createFile(atPath: go, contents: nil))
        _ = try session.wait(timeout: Self.paneTimeoutSeconds) { $0.contains("EXIT=") }
        // What the terminal was sent: each redraw starts with CR and erase-line.
        let sent = try String(contentsOfFile: record, encoding: .utf8)
        let drawn = sent.components(separatedBy: "\r\u{1b}[K").filter { $0.hasPrefix("reading ") }
        let progress = try #require(drawn.first, "no progress line was drawn: \(sent.debugDescription)")
        let pattern =
            #/^reading [0-9]+\.[0-9] MB of [0-9]+\.[0-9] MB \([0-9]+%\)  [0-9]+ packets  [0-9]+\.[0-9] MB/s  ETA [0-9]+ s *$/#
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
        _ = try TestEnvironment.run(
            mergecap, ["-a", "-F", "pcap", "-w", big.path] + Array(repeating: Self.sample.path, count: Self.copies))
        let result = try TestEnvironment.run(CommandLineTests.binary, ["-r", big.path, "-q"])
        #expect(result.status == 0)
        #expect(result.errorText == "")
    }

    @Test("--color=always through less -R: the colours reach the terminal as colours")
    func colourThroughLess() throws {
        let tmux = try TestEnvironment.requiredTool("tmux")
        let less = try TestEnvironment.requiredTool("less")
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let capture = TestEnvironment.samplesDirectory.appendingPathComponent("proxy/upgrade-refused-then-retry.pcap")
            .path
        for (option, coloured) in [("--color=always", true), ("--color=never", false)] {
            let command =
                "\(Self.quoted(CommandLineTests.binary.path)) -r \(Self.quoted(capture)) \(option) | \(Self.quoted(less.path)) -R"
            let session = try Session(tmux: tmux, directory: directory, command: command)
            defer { session.close() }
            // The first screen (the summary may be below it): the first block's header.
            let pane = try #require(
                try session.wait(timeout: Self.paneTimeoutSeconds, escapes: true) { $0.contains("conn 2  ") },
                "less showed nothing")
            // less -R passes SGR sequences; tmux reports the cells' attributes as escapes.
            #expect(pane.contains("\u{1b}[1mconn 1  ") == coloured, "\(option): \(pane)")
            #expect(pane.contains("\u{1b}[1m") == coloured)
            // Nothing shown as literal escape text (what less without -R would print).
            let plain = try session.capture()
            #expect(!plain.contains("ESC["))
            #expect(!plain.contains("^["))
            #expect(plain.contains("conn 1  "))
            try session.send("q")
        }
    }
}
