import Foundation
import Testing
@testable import SwitchpointCore

/// End-to-end runs of the built `switchpoint` binary.
@Suite("switchpoint command line")
struct CommandLineTests {
    static let binary = TestEnvironment.projectRoot.appendingPathComponent(".build/debug/switchpoint")
    static var binaryBuilt: Bool { FileManager.default.isExecutableFile(atPath: binary.path) }
    static let editcap = TestEnvironment.tool("editcap")
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

    @Test("text listing: one line per connection with packets, bytes, handshake and close", .enabled(if: binaryBuilt))
    func textListing() throws {
        let result = try run(["-r", Self.sample, "--connections"])
        #expect(result.status == 0)
        let lines = result.text.split(separator: "\n").map(String.init)
        #expect(lines.first?.contains("client") == true)
        let rows = lines.filter { $0.contains("127.0.0.1:18080") }
        #expect(rows.count == 2)
        for row in rows {
            #expect(row.contains("complete"))
            #expect(row.hasSuffix("fin"))
        }
        #expect(lines.contains { $0.hasPrefix("2 connections; 24 packets (24 TCP, 0 other)") })
    }

    @Test("--json: conn.open and conn.close with the required fields", .enabled(if: binaryBuilt))
    func jsonListing() throws {
        let result = try run(["-r", Self.sampleIPv6, "--connections", "--json"])
        #expect(result.status == 0)
        let events = try jsonLines(result.text)
        let opens = events.filter { $0["type"] as? String == "conn.open" }
        let closes = events.filter { $0["type"] as? String == "conn.close" }
        #expect(opens.count == 2 && closes.count == 2)
        for open in opens {
            #expect(open["ts"] is Double)
            #expect(open["conn"] is Int)
            #expect((open["client"] as? String)?.hasPrefix("[fd00:5350::1]:") == true)
            #expect(open["server"] as? String == "[fd00:5350::2]:8080")
            #expect(open["handshake_seen"] as? Bool == true)
        }
        for close in closes {
            #expect(close["reason"] as? String == "fin")
            #expect((close["bytes_c2s"] as? Int ?? 0) > 0)
            #expect((close["bytes_s2c"] as? Int ?? 0) > 0)
        }
        #expect(events.last?["type"] as? String == "summary")
    }

    @Test("a BPF filter given as trailing words is applied", .enabled(if: binaryBuilt))
    func filterWords() throws {
        let all = try run(["-r", Self.sample, "--json"])
        let filtered = try run(["-r", Self.sample, "--json", "tcp", "and", "port", "18080", "and", "tcp[tcpflags]", "&", "tcp-syn", "!=", "0"])
        #expect(filtered.status == 0)
        let summary = try #require(try jsonLines(filtered.text).last)
        #expect(summary["packets"] as? Int == 4)     // SYN and SYN-ACK of both connections
        #expect((try jsonLines(all.text).last?["packets"] as? Int) == 24)
    }

    @Test("an invalid filter gives libpcap's message and exit status 2", .enabled(if: binaryBuilt))
    func invalidFilter() throws {
        let result = try run(["-r", Self.sample, "port", "eighty"])
        #expect(result.status == 2)
        #expect(result.errorText.contains("invalid filter 'port eighty'"))
        #expect(result.text.isEmpty)
    }

    @Test("a missing file is one clear line and exit status 1", .enabled(if: binaryBuilt))
    func missingFile() throws {
        let result = try run(["-r", "/nonexistent/capture.pcap"])
        #expect(result.status == 1)
        #expect(result.errorText.contains("cannot read /nonexistent/capture.pcap"))
    }

    @Test("several files in sequence and '-' for standard input", .enabled(if: binaryBuilt))
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

    @Test("-c stops after COUNT packets", .enabled(if: binaryBuilt))
    func packetCount() throws {
        let result = try run(["-r", Self.sample, "-c", "5", "--json"])
        #expect(try jsonLines(result.text).last?["packets"] as? Int == 5)
    }

    @Test("a truncated file: the packets before the cut are analyzed, the cut packet is named, exit 1", .enabled(if: binaryBuilt))
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

    @Test("nanosecond and microsecond files give the same timestamps", .enabled(if: binaryBuilt && editcap != nil))
    func nanosecondFiles() throws {
        guard let editcap = Self.editcap else { return }
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let nano = directory.appendingPathComponent("nano.pcap")
        #expect(try TestEnvironment.run(editcap, ["-F", "nsecpcap", Self.sample, nano.path]).status == 0)
        let micro = try run(["-r", Self.sample, "--json"])
        let converted = try run(["-r", nano.path, "--json"])
        #expect(micro.text == converted.text)
        #expect(micro.text.contains("\"ts\":"))
    }

    @Test("an unsupported link type names the DLT", .enabled(if: binaryBuilt && editcap != nil))
    func unsupportedLinkType() throws {
        guard let editcap = Self.editcap else { return }
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let user0 = directory.appendingPathComponent("user0.pcap")
        #expect(try TestEnvironment.run(editcap, ["-T", "user0", Self.sample, user0.path]).status == 0)
        let result = try run(["-r", user0.path])
        #expect(result.status == 1)
        #expect(result.errorText.contains("unsupported link type"))
        #expect(result.errorText.contains("DLT 147"))
    }

    @Test("-D lists the loopback interface", .enabled(if: binaryBuilt))
    func listInterfaces() throws {
        let result = try run(["-D"])
        #expect(result.status == 0)
        #expect(result.text.split(separator: "\n").contains { $0.contains(".lo ") || $0.hasSuffix(".lo") })
    }

    @Test("-i with a missing interface is one clear line and exit status 2", .enabled(if: binaryBuilt))
    func missingInterface() throws {
        let result = try run(["-i", "nosuchif0"])
        #expect(result.status == 2)
        let message = result.errorText
        #expect(message.contains("nosuchif0"))
        #expect(message.contains("no such interface") || message.contains("root or the CAP_NET_RAW"))
        #expect(message.split(separator: "\n").count == 1)
    }

    static var isRoot: Bool { getuid() == 0 }

    @Test("without permission, -i says that root or CAP_NET_RAW is needed",
          .enabled(if: binaryBuilt, "switchpoint is not built"),
          .enabled(if: isRoot && TestEnvironment.tool("setpriv") != nil, "needs root and setpriv to run as an unprivileged user"))
    func missingPermission() throws {
        guard let setpriv = TestEnvironment.tool("setpriv") else { return }
        // A copy the unprivileged user can execute wherever the checkout lives.
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.path)
        let copy = directory.appendingPathComponent("switchpoint")
        try FileManager.default.copyItem(at: Self.binary, to: copy)
        let result = try TestEnvironment.run(setpriv, ["--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all",
                                                       copy.path, "-i", "lo"], timeoutSeconds: 30)
        #expect(result.status == 2)
        #expect(result.errorText.contains("needs root or the CAP_NET_RAW capability"))
        #expect(result.errorText.split(separator: "\n").count == 1)
    }

    @Test("live on lo: a real exchange appears, Ctrl-C flushes and summarises",
          .enabled(if: binaryBuilt, "switchpoint is not built"),
          .enabled(if: isRoot, "live capture needs root (or CAP_NET_RAW): skipped"),
          .enabled(if: TestEnvironment.tool("python3") != nil, "python3 is not installed"))
    func liveLoopback() throws {
        guard let python = TestEnvironment.tool("python3") else { return }
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
