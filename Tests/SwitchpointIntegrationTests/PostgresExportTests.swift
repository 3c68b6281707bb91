import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// Issue 17, events into PostgreSQL: the samples loaded with `--pg` into a private cluster,
/// row counts and docs/queries.md's answers checked against the JSON output of the same runs;
/// the server killed mid-load, the reconnect and the dropped-row count shown.
@Suite("PostgreSQL export", .serialized)
struct PostgresExportTests {
    typealias Event = [String: Any]

    static let queriesFile = TestEnvironment.projectRoot.appendingPathComponent("docs/queries.md")
    static let schemaFile = TestEnvironment.projectRoot.appendingPathComponent("docs/postgres.sql")

    /// Every capture under samples/, the subfolders too.
    static var samples: [URL] {
        let root = TestEnvironment.samplesDirectory
        let folders = [root] + ["http2", "proxy", "tls", "websocket"].map { root.appendingPathComponent($0) }
        return folders.flatMap { TestEnvironment.captures(in: $0) }
    }

    /// The SQL block of docs/queries.md that follows the heading with this title (the `index`th one under it).
    static func query(_ heading: String, _ index: Int = 0) throws -> String {
        let text = try String(contentsOf: queriesFile, encoding: .utf8)
        let section = try #require(
            text.components(separatedBy: "## " + heading + "\n").dropFirst().first,
            "docs/queries.md has no section '\(heading)'")
        let blocks = section.components(separatedBy: "```sql\n").dropFirst()
            .map { $0.components(separatedBy: "```").first ?? "" }
        let next = section.components(separatedBy: "\n## ").first ?? section
        let inSection = blocks.filter { next.contains($0) }
        return try #require(inSection.dropFirst(index).first, "no SQL block \(index) under '\(heading)'")
    }

    static func events(_ text: String) throws -> [Event] {
        try text.split(separator: "\n").map {
            try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? Event)
        }
    }

    /// "ip:port" or "[ip]:port" as PostgreSQL prints `host(addr) || ':' || port`.
    static func endpoint(_ text: String) -> String {
        text.replacingOccurrences(of: "[", with: "").replacingOccurrences(of: "]", with: "")
    }

    static let outcomeCodes: Set<String> = [
        "upgrade.refused_426", "upgrade.refused", "connect.refused", "upgrade.no_verdict", "upgrade.declined",
    ]
    static let refusalCodes: Set<String> = ["upgrade.refused_426", "upgrade.refused", "connect.refused"]

    /// What the tables should hold for one run's JSON lines, and the answers the queries should give.
    struct Expected {
        var rows: [String: Int] = [:]
        var refusals: [String: Int] = [:]  // "status|code"
        var closes: [String: Int] = [:]  // "endpoint|close"
        var latencies: [String: [Double]] = [:]  // "host|protocol"
        var stripped: [String: Int] = [:]  // "proxy|path|code"

        mutating func add(_ events: [Event]) {
            var server: [Int: String] = [:]
            var client: [Int: String] = [:]
            var lastStatus: [Int: Int] = [:]
            var lastHost: [Int: String] = [:]
            var lastPath: [Int: String] = [:]
            var sessions: [String: String] = [:]  // "conn|stream" -> close label
            var sessionOrder: [String] = []
            func session(_ conn: Int, _ stream: Int, server: String) -> String {
                let key = "\(conn)|\(stream)"
                if sessions[key] == nil {
                    sessions[key] = "1006 (no close frame)"
                    sessionOrder.append(key + "|" + server)
                }
                return key
            }
            var closeSeen: Set<String> = []
            for event in events {
                guard let type = event["type"] as? String, let conn = event["conn"] as? Int else { continue }
                let stream = event["stream"] as? Int ?? 0
                switch type {
                case "conn.open":
                    server[conn] = PostgresExportTests.endpoint(event["server"] as? String ?? "")
                    client[conn] = PostgresExportTests.endpoint(event["client"] as? String ?? "")
                case "conn.close":
                    rows["switchpoint_connections", default: 0] += 1
                case "http.request":
                    let headers = event["headers"] as? [[String]] ?? []
                    lastHost[conn] = headers.first { $0.first?.lowercased() == "host" }?.last
                    lastPath[conn] = event["target"] as? String
                case "http.response":
                    if let status = event["status"] as? Int, !(100...199).contains(status) || status == 101 {
                        lastStatus[conn] = status
                    }
                case "h2.stream":
                    rows["switchpoint_h2_streams", default: 0] += 1
                case "upgrade":
                    rows["switchpoint_upgrades", default: 0] += 1
                    let name = event["protocol"] as? String ?? ""
                    let serverText = server[conn] ?? ""
                    let host = lastHost[conn] ?? serverText
                    latencies["\(host)|\(name)", default: []].append(event["latency_ms"] as? Double ?? -1)
                    if name.lowercased() == "websocket" { _ = session(conn, 0, server: serverText) }
                case "finding":
                    rows["switchpoint_findings", default: 0] += 1
                    let code = event["code"] as? String ?? ""
                    if PostgresExportTests.outcomeCodes.contains(code) { rows["switchpoint_upgrades", default: 0] += 1 }
                    if PostgresExportTests.refusalCodes.contains(code) {
                        refusals["\(lastStatus[conn].map(String.init) ?? "")|\(code)", default: 0] += 1
                    }
                    if code == "upgrade.upgrade_header_missing" || code == "upgrade.connection_header_missing" {
                        let proxy = (client[conn] ?? "").split(separator: ":").dropLast().joined(separator: ":")
                        stripped["\(proxy)|\(lastPath[conn] ?? "")|\(code)", default: 0] += 1
                    }
                case "ws.message", "ws.ping", "ws.pong", "ws.closing":
                    _ = session(conn, stream, server: server[conn] ?? "")
                case "ws.close":
                    let key = session(conn, stream, server: server[conn] ?? "")
                    if !closeSeen.contains(key) {
                        closeSeen.insert(key)
                        sessions[key] = (event["code"] as? Int).map(String.init) ?? "close without code"
                    }
                default:
                    break
                }
            }
            rows["switchpoint_websockets", default: 0] += sessions.count
            for entry in sessionOrder {
                let parts = entry.split(separator: "|", maxSplits: 2).map(String.init)
                closes["\(parts[2])|\(sessions[parts[0] + "|" + parts[1]] ?? "")", default: 0] += 1
            }
        }
    }

    /// percentile_cont: linear interpolation between the closest ranks.
    static func percentile(_ values: [Double], _ fraction: Double) -> Double {
        let sorted = values.sorted()
        let position = fraction * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = Int(position.rounded(.up))
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - Double(lower))
    }

    @Test("docs/postgres.sql is the schema switchpoint creates")
    func schemaFileMatches() throws {
        let file = try String(contentsOf: Self.schemaFile, encoding: .utf8)
        #expect(file == PostgresSchema.sql)
        #expect(PostgresSchema.statements.count == 12)
        // Every column the writer binds exists in the schema text.
        for table in ExportTable.allCases {
            let body =
                try #require(
                    file.components(separatedBy: "CREATE TABLE IF NOT EXISTS \(table.rawValue) (").dropFirst().first
                )
                .components(separatedBy: ");").first ?? ""
            for column in table.columns {
                #expect(
                    body.contains("    \(column.name) \(column.type)"),
                    "\(table.rawValue).\(column.name) \(column.type)")
            }
        }
    }

    @Test(
        "the samples loaded with --pg: row counts and docs/queries.md answers equal the JSON output",
        .enabled(if: PrivatePostgres.canRun, PrivatePostgres.skipReason), .timeLimit(.minutes(5)))
    func samplesLoaded() throws {
        let database = try PrivatePostgres()
        let samples = Self.samples
        #expect(samples.count >= 20, "samples/ holds \(samples.count) captures")
        var expected = Expected()
        var written = 0
        for sample in samples {
            let run = try TestEnvironment.run(
                CommandLineTests.binary, ["-r", sample.path, "--json", "--pg", database.url, "--sensor", "test-sensor"])
            #expect(run.status == 0, "\(sample.lastPathComponent): \(run.errorText)")
            expected.add(try Self.events(run.text))
            let report = try #require(
                run.errorText.split(separator: "\n").first { $0.contains("postgres: ") && $0.contains("rows written") },
                "\(sample.lastPathComponent): no postgres report on stderr: \(run.errorText)")
            #expect(report.contains(", 0 dropped, 0 reconnects"), "\(report)")
            written += Int(report.split(separator: " ").drop { $0 != "postgres:" }.dropFirst().first ?? "") ?? -1
        }
        var total = 0
        for table in ExportTable.allCases where table != .auditFindings {
            let count = try database.count(table.rawValue)
            #expect(count == expected.rows[table.rawValue, default: 0], "\(table.rawValue): \(count) rows")
            total += count
        }
        #expect(total == written)
        #expect(
            expected.rows["switchpoint_upgrades", default: 0] > 10
                && expected.rows["switchpoint_websockets", default: 0] > 5)
        let runs = try database.query(
            "SELECT count(*), sum(rows_written), sum(rows_dropped), min(sensor) FROM switchpoint_runs")
        #expect(runs.first == [String(samples.count), String(written), "0", "test-sensor"])

        // Refusal causes by status.
        var refusals: [String: Int] = [:]
        for row in try database.query(try Self.query("Refusal causes by status")) {
            refusals["\(row[0])|\(row[1])", default: 0] += Int(row[3]) ?? -1
        }
        #expect(refusals == expected.refusals)
        #expect(!refusals.isEmpty)

        // WebSocket close codes by endpoint (summed over paths).
        var closes: [String: Int] = [:]
        for row in try database.query(try Self.query("WebSocket close codes by endpoint")) {
            closes["\(row[0])|\(row[2])", default: 0] += Int(row[3]) ?? -1
        }
        #expect(closes == expected.closes)
        #expect(closes.keys.contains { $0.hasSuffix("|1000") })

        // p99 switch latency by host: the same switches, the same percentile (JSON rounds to µs).
        let latencyRows = try database.query(try Self.query("p99 switch latency by host"))
        #expect(latencyRows.count == expected.latencies.count)
        for row in latencyRows {
            let values = try #require(
                expected.latencies["\(row[0])|\(row[1])"], "no switches to \(row[0]) \(row[1]) in the JSON")
            #expect(Int(row[2]) == values.count)
            #expect(abs((Double(row[4]) ?? -1) - Self.percentile(values, 0.99)) < 0.002, "\(row)")
        }

        // Stripped upgrades seen behind the proxy.
        var stripped: [String: Int] = [:]
        for row in try database.query(try Self.query("Stripped upgrades by proxy and path", 1)) {
            stripped["\(row[0])|\(row[1])|\(row[2])", default: 0] += Int(row[3]) ?? -1
        }
        #expect(stripped == expected.stripped)
        #expect(!stripped.isEmpty)
    }

    @Test(
        "audit --pg: stripped upgrades by proxy and path equal the audit's JSON findings",
        .enabled(if: PrivatePostgres.canRun, PrivatePostgres.skipReason), .timeLimit(.minutes(3)))
    func auditLoaded() throws {
        let database = try PrivatePostgres()
        let proxy = TestEnvironment.samplesDirectory.appendingPathComponent("proxy")
        let combined = TestEnvironment.captures(in: proxy).filter {
            !$0.lastPathComponent.contains("-front") && !$0.lastPathComponent.contains("-back")
        }
        #expect(combined.count >= 5)
        var expected: [String: Int] = [:]
        var findings = 0
        for capture in combined {
            let run = try TestEnvironment.run(
                CommandLineTests.binary, ["audit", capture.path, "--json", "--pg", database.url])
            let lines = try Self.events(run.text)
            // 1 exactly when the audit found an error.
            let errorFound = lines.contains {
                $0["type"] as? String == "audit.finding" && $0["severity"] as? String == "error"
            }
            #expect(run.status == (errorFound ? 1 : 0), "\(capture.lastPathComponent): \(run.errorText)")
            var pairs: [String: Event] = [:]
            for pair in lines where pair["type"] as? String == "audit.pair" {
                pairs[pair["front"] as? String ?? ""] = pair
            }
            for finding in lines where finding["type"] as? String == "audit.finding" {
                findings += 1
                let code = finding["code"] as? String ?? ""
                guard
                    ["audit.upgrade_header_dropped", "audit.connection_header_dropped", "audit.http10_upstream"]
                        .contains(code),
                    let pair = pairs[finding["front"] as? String ?? ""]
                else { continue }
                let path =
                    (pair["front_request"] as? String ?? "").split(separator: " ").dropFirst().first.map(String.init)
                    ?? ""
                expected["\(pair["front_server"] as? String ?? "")|\(path)|\(code)", default: 0] += 1
            }
        }
        #expect(try database.count("switchpoint_audit_findings") == findings)
        var stripped: [String: Int] = [:]
        for row in try database.query(try Self.query("Stripped upgrades by proxy and path")) {
            stripped["\(row[0])|\(row[1])|\(row[2])", default: 0] += Int(row[3]) ?? -1
        }
        #expect(stripped == expected)
        #expect(stripped.keys.contains { $0.hasSuffix("audit.upgrade_header_dropped") })
    }

    @Test("--pg to a port nothing listens on: said at once, not retried, exit 1 (no server needed)")
    func refusedFailsFast() throws {
        let port = try PrivatePostgres.freeLoopbackPort()
        let started = Date()
        let run = try TestEnvironment.run(
            CommandLineTests.binary,
            ["-r", CommandLineTests.sample, "--pg", "postgres://switchpoint@127.0.0.1:\(port)/switchpoint"],
            timeoutSeconds: 60)
        #expect(run.status == 1, "\(run.errorText)")
        #expect(run.errorText.contains("not retried, nothing is stored"), "\(run.errorText)")
        #expect(run.errorText.contains("the server was never reached"))
        #expect(Date().timeIntervalSince(started) < 20)
    }

    @Test(
        "--pg with an unknown role or database fails fast with exit 1; an empty capture still records its run (exit 0)",
        .enabled(if: PrivatePostgres.canRun, PrivatePostgres.skipReason), .timeLimit(.minutes(3)))
    func permanentErrorsAndEmptyCapture() throws {
        let database = try PrivatePostgres()
        for url in [
            "postgres://nosuchrole@127.0.0.1:\(database.port)/switchpoint?sslmode=disable",
            "postgres://switchpoint@127.0.0.1:\(database.port)/nosuchdb?sslmode=disable",
        ] {
            let started = Date()
            let run = try TestEnvironment.run(
                CommandLineTests.binary, ["-r", CommandLineTests.sample, "--pg", url], timeoutSeconds: 60)
            #expect(run.status == 1, "\(url): \(run.errorText)")
            #expect(run.errorText.contains("not retried"), "\(url): \(run.errorText)")
            #expect(Date().timeIntervalSince(started) < 20, "\(url)")
        }
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let empty = directory.appendingPathComponent("empty.pcap")
        let header: [UInt8] = [
            0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0,
        ]
        try Data(header).write(to: empty)
        let run = try TestEnvironment.run(
            CommandLineTests.binary, ["-r", empty.path, "--pg", database.url], timeoutSeconds: 60)
        #expect(run.status == 0, "\(run.errorText)")
        #expect(try database.count("switchpoint_runs") == 1)
    }

    @Test(
        "the server killed mid-load: switchpoint reconnects; dropping, it counts what it dropped and stores the rest; waiting, it stores all",
        .enabled(if: PrivatePostgres.canRun, PrivatePostgres.skipReason), .timeLimit(.minutes(3)),
        arguments: ["drop", "wait"])
    func serverKilledMidLoad(overflow: String) throws {
        let database = try PrivatePostgres()
        let capture = ManyUpgradesCapture(connections: 1200)
        let half = capture.recordOffsets[capture.recordOffsets.count / 2]
        let bytes = capture.bytes

        let process = Process()
        process.executableURL = CommandLineTests.binary
        process.arguments = [
            "-r", "-", "--json", "--threads", "1", "--pg", database.url, "--pg-queue", "300", "--pg-wait", "60",
            "--pg-overflow", overflow,
        ]
        let input = Pipe()
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let outputFile = directory.appendingPathComponent("out.jsonl")
        let errorFile = directory.appendingPathComponent("err.txt")
        _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        process.standardInput = input
        process.standardOutput = try FileHandle(forWritingTo: outputFile)
        process.standardError = try FileHandle(forWritingTo: errorFile)
        try process.run()
        defer {
            if process.isRunning {
                process.terminate()
                process.waitUntilExit()
            }
        }

        // The first half, then wait until rows arrive in the database.
        input.fileHandleForWriting.write(Data(bytes[..<half]))
        var stored = 0
        for _ in 0..<200 where stored == 0 {
            Thread.sleep(forTimeInterval: 0.1)
            stored = (try? database.count("switchpoint_connections")) ?? 0
        }
        #expect(stored > 0, "no rows arrived before the kill")
        // The crash: SIGKILL to the postmaster. The second half arrives while it is gone.
        #expect(try database.run("kill").status == 0)
        // Fed from another thread: waiting for room, switchpoint stops reading its input
        // until the server is back, so this write blocks until then.
        let writer = input.fileHandleForWriting
        let rest = Data(bytes[half...])
        let feeder = Thread {
            writer.write(rest)
            try? writer.close()
        }
        feeder.start()
        Thread.sleep(forTimeInterval: 1.5)
        #expect(try database.run("restart", String(database.port)).status == 0)
        let deadline = Date().addingTimeInterval(90)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        #expect(!process.isRunning)
        let errors = try String(contentsOf: errorFile, encoding: .utf8)
        let output = try String(contentsOf: outputFile, encoding: .utf8)
        var expected = Expected()
        expected.add(try Self.events(output))
        #expect(expected.rows["switchpoint_connections"] == 1200)
        let expectedTotal = expected.rows.values.reduce(0, +)
        #expect(errors.contains("postgres: connection lost"), "\(errors)")
        #expect(errors.contains("postgres: reconnected"), "\(errors)")
        let report = try #require(errors.split(separator: "\n").first { $0.contains("rows written") }, "\(errors)")
        let words = report.split(separator: " ").map(String.init)
        let written = Int(words[words.firstIndex(of: "postgres:")! + 1]) ?? -1
        let dropped = Int(words[try #require(words.firstIndex(of: "dropped,")) - 1]) ?? -1
        print(
            "kill mid-load (\(overflow)): \(expectedTotal) rows made, \(written) written, \(dropped) dropped; \(report)"
        )
        if overflow == "drop" {
            #expect(dropped > 0, "the queue of 300 rows should have overflowed while the server was down")
            // Rows lost: the run did not do what was asked, and its status says so.
            #expect(process.terminationStatus == 1)
        } else {
            #expect(dropped == 0, "waiting for room loses nothing")
            #expect(process.terminationStatus == 0)
        }
        #expect(report.contains("1 reconnect"))
        #expect(written + dropped == expectedTotal)
        var inDatabase = 0
        for table in ExportTable.allCases { inDatabase += try database.count(table.rawValue) }
        #expect(inDatabase == written)
        let runRow = try database.query("SELECT rows_written, rows_dropped, reconnects FROM switchpoint_runs")
        #expect(runRow == [[String(written), String(dropped), "1"]])
    }
}

/// A pcap of many short WebSocket connections (handshake, a message each way, close
/// frames, FINs), each from its own client port: rows for every table but h2.
struct ManyUpgradesCapture {
    private(set) var bytes: [UInt8] = []
    /// Where each packet record starts (to cut the file between packets).
    private(set) var recordOffsets: [Int] = []
    private var microseconds: UInt64 = 0

    init(connections: Int) {
        append32(0xa1b2_c3d4)
        append16(2)
        append16(4)
        append32(0)
        append32(0)
        append32(262_144)
        append32(CaptureFileBuilder.linkTypeRaw)
        let request = Array(
            "GET /chat HTTP/1.1\r\nHost: many.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
                .utf8)
        let response = Array(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"
                .utf8)
        let mask: [UInt8] = [1, 2, 3, 4]
        for index in 0..<connections {
            let port = UInt16(20000 + index)
            var sequence: [UInt32] = [1000, 5000]
            func packet(_ fromClient: Bool, _ flags: UInt16, _ payload: [UInt8] = []) {
                let side = fromClient ? 0 : 1
                let tcp = PacketBuilder.tcp(
                    sourcePort: fromClient ? port : 8080, destinationPort: fromClient ? 8080 : port,
                    seq: sequence[side], ack: sequence[1 - side], flags: flags, payload: payload)
                let ip = PacketBuilder.ipv4(
                    source: fromClient ? 0x7f00_0001 : 0x7f00_0002,
                    destination: fromClient ? 0x7f00_0002 : 0x7f00_0001, payload: tcp)
                record(ip)
                sequence[side] = sequence[side] &+ UInt32(payload.count) + (flags & 0x03 != 0 ? 1 : 0)
            }
            packet(true, 0x02)
            packet(false, 0x12)
            packet(true, 0x10)
            packet(true, 0x18, request)
            packet(false, 0x18, response)
            packet(
                true, 0x18, CaptureFileBuilder.webSocketFrame(opcode: 1, Array("hello \(index)".utf8), maskKey: mask))
            packet(false, 0x18, CaptureFileBuilder.webSocketFrame(opcode: 1, Array("hello \(index)".utf8)))
            packet(true, 0x18, CaptureFileBuilder.webSocketFrame(opcode: 8, [0x03, 0xe8], maskKey: mask))
            packet(false, 0x18, CaptureFileBuilder.webSocketFrame(opcode: 8, [0x03, 0xe8]))
            packet(true, 0x11)
            packet(false, 0x11)
            packet(true, 0x10)
        }
    }

    private mutating func record(_ packet: [UInt8]) {
        recordOffsets.append(bytes.count)
        microseconds += 10
        append32(1_700_000_000 + UInt32(microseconds / 1_000_000))
        append32(UInt32(microseconds % 1_000_000))
        append32(UInt32(packet.count))
        append32(UInt32(packet.count))
        bytes += packet
    }

    private mutating func append32(_ value: UInt32) {
        bytes += [UInt8(value & 0xff), UInt8(value >> 8 & 0xff), UInt8(value >> 16 & 0xff), UInt8(value >> 24)]
    }

    private mutating func append16(_ value: UInt16) {
        bytes += [UInt8(value & 0xff), UInt8(value >> 8)]
    }
}
