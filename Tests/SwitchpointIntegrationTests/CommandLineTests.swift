import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// End-to-end runs of the `switchpoint` binary built with this test bundle (same build
/// directory): argument parsing, standard error and exit statuses. A missing binary fails
/// these tests. What the output holds is tested in-process (`InProcessCommand`).
@Suite("switchpoint command line")
struct CommandLineTests {
    static let binary = TestEnvironment.switchpointBinary
    static let sample = TestEnvironment.samplesDirectory.appendingPathComponent("http-nginx-lo.pcap").path
    static let sampleIPv6 = TestEnvironment.samplesDirectory.appendingPathComponent("ipv6-veth.pcap").path

    func run(_ arguments: [String], input: Data? = nil) throws -> TestEnvironment.ToolResult {
        try TestEnvironment.run(Self.binary, arguments, input: input, timeoutSeconds: 60)
    }

    func jsonLines(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
            return try #require(object as? [String: Any], "not an object: \(line)")
        }
    }

    @Test(
        "the binary prints what the library entry point prints: text, JSON, listing",
        arguments: [[], ["--json"], ["--connections"]])
    func sameAsInProcess(_ options: [String]) throws {
        let result = try run(["-r", Self.sample] + options)
        #expect(result.status == 0)
        let inProcess = try InProcessCommand.timeline([Self.sample]) {
            $0.json = options.contains("--json")
            $0.connections = options.contains("--connections")
        }
        #expect(!inProcess.output.isEmpty)
        #expect([UInt8](result.output) == inProcess.output)
    }

    @Test("a BPF filter given as trailing words is applied")
    func filterWords() throws {
        let all = try run(["-r", Self.sample, "--json"])
        let filtered = try run([
            "-r", Self.sample, "--json", "tcp", "and", "port", "18080", "and", "tcp[tcpflags]", "&", "tcp-syn", "!=",
            "0",
        ])
        #expect(filtered.status == 0)
        let summary = try #require(try jsonLines(filtered.text).last)
        #expect(summary["packets"] as? Int == 4)  // SYN and SYN-ACK of both connections
        #expect((try jsonLines(all.text).last?["packets"] as? Int) == 24)
    }

    @Test("an invalid filter gives libpcap's message and exit status 2")
    func invalidFilter() throws {
        let result = try run(["-r", Self.sample, "port", "eighty"])
        #expect(result.status == 2)
        #expect(result.errorText.contains("invalid filter 'port eighty'"))
        #expect(result.text.isEmpty)
    }

    @Test("a missing file is one clear line, exit status 2 and no summary")
    func missingFile() throws {
        let result = try run(["-r", "/nonexistent/capture.pcap"])
        #expect(result.status == 2)
        #expect(result.errorText.contains("cannot read /nonexistent/capture.pcap"))
        #expect(result.text.isEmpty)
    }

    @Test("several files in sequence and '-' for standard input")
    func sequenceAndStdin() throws {
        let both = try run(["-r", Self.sample, "-r", Self.sampleIPv6, "--json"])
        #expect(both.status == 0)
        let summary = try #require(try jsonLines(both.text).last)
        #expect(summary["connections"] as? Int == 4)
        #expect(summary["packets"] as? Int == 24 + 44)
        let piped = try run(["-r", "-", "--json"], input: try Data(contentsOf: URL(fileURLWithPath: Self.sample)))
        #expect(piped.status == 0)
        #expect(try jsonLines(piped.text).last?["connections"] as? Int == 2)
    }

    @Test("a truncated file: the packets before the cut are analyzed, the cut packet is named, exit 1")
    func truncatedFile() throws {
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.sample))
        let cut = directory.appendingPathComponent("cut.pcap")
        try data.prefix(data.count - 10).write(to: cut)
        let result = try run(["-r", cut.path])
        #expect(result.status == 1)
        #expect(result.errorText.contains("packet 24:"))
        #expect(result.text.contains("23 packets"))
    }

    @Test("an unsupported link type names the DLT")
    func unsupportedLinkType() throws {
        let editcap = try TestEnvironment.requiredTool("editcap", package: "wireshark-common")
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let user0 = directory.appendingPathComponent("user0.pcap")
        #expect(try TestEnvironment.run(editcap, ["-T", "user0", Self.sample, user0.path]).status == 0)
        let result = try run(["-r", user0.path])
        #expect(result.status == 1)
        #expect(result.errorText.contains("unsupported link type"))
        #expect(result.errorText.contains("DLT 147"))
    }

    @Test("-D lists the loopback interface")
    func listInterfaces() throws {
        let result = try run(["-D"])
        #expect(result.status == 0)
        // The same list libpcap gives this process, loopback among it.
        let devices = try CaptureInterface.all()
        let lines = devices.enumerated().map { $0.element.listingLine(number: $0.offset + 1) }
        #expect(devices.contains { $0.name == "lo" })
        #expect(result.text == lines.map { $0 + "\n" }.joined())
    }

    @Test("-i with a missing interface is one clear line and exit status 2")
    func missingInterface() throws {
        let result = try run(["-i", "nosuchif0"])
        #expect(result.status == 2)
        let message = result.errorText
        #expect(message.contains("nosuchif0"))
        // Without root libpcap cannot look the interface up: it says what is missing instead.
        if Self.isRoot {
            #expect(message.contains("no such interface"))
        } else {
            #expect(message.contains("root or the CAP_NET_RAW"))
        }
        #expect(message.split(separator: "\n").count == 1)
    }

    static var isRoot: Bool { getuid() == 0 }

    @Test(
        "without permission, -i says that root or CAP_NET_RAW is needed",
        .enabled(if: isRoot, "needs root to run as an unprivileged user: skipped"))
    func missingPermission() throws {
        let setpriv = try TestEnvironment.requiredTool("setpriv", package: "util-linux")
        // A copy the unprivileged user can execute wherever the checkout lives.
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.path)
        let copy = directory.appendingPathComponent("switchpoint")
        try FileManager.default.copyItem(at: Self.binary, to: copy)
        let result = try TestEnvironment.run(
            setpriv,
            [
                "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all",
                copy.path, "-i", "lo",
            ], timeoutSeconds: 30)
        #expect(result.status == 2)
        #expect(result.errorText.contains("needs root or the CAP_NET_RAW capability"))
        #expect(result.errorText.split(separator: "\n").count == 1)
    }

    @Test(
        "live on lo: a real exchange appears, Ctrl-C flushes and summarises",
        .enabled(if: isRoot, "live capture needs root (or CAP_NET_RAW): skipped"))
    func liveLoopback() throws {
        let python = try TestEnvironment.requiredTool("python3")
        let port = Int.random(in: 20_000...29_999)
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let outputURL = directory.appendingPathComponent("live.jsonl")
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        let output = try FileHandle(forWritingTo: outputURL)
        let capture = Process()
        capture.executableURL = Self.binary
        capture.arguments = ["-i", "lo", "--json", "tcp", "port", String(port)]
        capture.standardOutput = output
        capture.standardError = FileHandle.nullDevice
        try capture.run()
        defer { if capture.isRunning { capture.terminate() } }
        Thread.sleep(forTimeInterval: 1.0)
        // One bounded loopback exchange: connect, send, echo, close.
        let script = """
            import socket, threading
            srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            srv.bind(("127.0.0.1", \(port))); srv.listen(1); srv.settimeout(5)
            def serve():
                c, _ = srv.accept(); c.settimeout(5); d = c.recv(100); c.sendall(b"echo:" + d); c.close()
            t = threading.Thread(target=serve); t.start()
            cl = socket.create_connection(("127.0.0.1", \(port)), timeout=5); cl.sendall(b"hello"); cl.recv(100); cl.close()
            t.join(5); srv.close()
            """
        let exchange = try TestEnvironment.run(python, ["-c", script], timeoutSeconds: 15)
        #expect(exchange.status == 0, "\(exchange.errorText)")
        Thread.sleep(forTimeInterval: 0.5)
        capture.interrupt()
        let deadline = Date().addingTimeInterval(10)
        while capture.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        #expect(!capture.isRunning)
        #expect(capture.terminationStatus == 0)
        try output.close()
        let events = try jsonLines(String(decoding: try Data(contentsOf: outputURL), as: UTF8.self))
        let close = events.first { $0["type"] as? String == "conn.close" }
        #expect(events.first?["type"] as? String == "conn.open")
        #expect(events.first?["server"] as? String == "127.0.0.1:\(port)")
        #expect(close?["bytes_c2s"] as? Int == 5)
        #expect(close?["bytes_s2c"] as? Int == 10)
        #expect(close?["reason"] as? String == "fin")
        #expect(events.last?["type"] as? String == "summary")
    }
}
