import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// The pieces of `--pg` and `--metrics` that need no database or network: the row queue's
/// bound, the rows one capture's events become, the URL, the metrics sink's counters.
@Suite("Export pieces")
struct ExportUnitTests {
    static func row(_ number: Int) -> ExportRow {
        ExportRow(table: .findings, values: [.integer(number)])
    }

    @Test("the row queue holds its capacity, counts the rest as dropped, drains in order after close")
    func boundedQueue() {
        let queue = BoundedRowQueue(capacity: 3)
        let accepted = (1...5).map { queue.push(Self.row($0)) }
        #expect(accepted == [true, true, true, false, false])
        #expect(queue.dropped == 2)
        let first = queue.popBatch(limit: 2, waitingUntil: Date())
        #expect(first.map { $0.values } == [[.integer(1)], [.integer(2)]])
        #expect(queue.push(Self.row(6)))
        queue.close()
        #expect(!queue.push(Self.row(7)))
        let rest = queue.popBatch(limit: 10, waitingUntil: Date().addingTimeInterval(5))
        #expect(rest.map { $0.values } == [[.integer(3)], [.integer(6)]])
        #expect(queue.isClosedAndEmpty)
        #expect(queue.dropped == 3)
    }

    @Test("reading files, a full queue is waited on until the writer makes room; after one wait runs out, rows drop")
    func waitingPush() {
        let queue = BoundedRowQueue(capacity: 2)
        #expect(queue.push(Self.row(1), waitSeconds: 5) && queue.push(Self.row(2), waitSeconds: 5))
        let writer = Thread {
            Thread.sleep(forTimeInterval: 0.2)
            _ = queue.popBatch(limit: 1, waitingUntil: Date())
        }
        writer.start()
        #expect(queue.push(Self.row(3), waitSeconds: 5))
        #expect(queue.dropped == 0)
        #expect(!queue.push(Self.row(4), waitSeconds: 0.1))
        #expect(queue.stoppedWaiting)
        let start = Date()
        #expect(!queue.push(Self.row(5), waitSeconds: 5))
        #expect(Date().timeIntervalSince(start) < 1)
        #expect(queue.dropped == 2)
    }

    @Test("a waiting writer gets an empty batch at its deadline, not a hang")
    func queueDeadline() {
        let queue = BoundedRowQueue(capacity: 3)
        let start = Date()
        #expect(queue.popBatch(limit: 10, waitingUntil: start.addingTimeInterval(0.05)).isEmpty)
        #expect(Date().timeIntervalSince(start) < 2)
    }

    /// The rows of one sample, by table, with each row's values in the table's own column order.
    static func mappedRows(_ sample: String) throws -> [ExportTable: [[String: ExportValue]]] {
        let sink = try WebSocketDissectorTests.timeline(
            TestEnvironment.samplesDirectory.appendingPathComponent(sample).path)
        var mapper = ExportRowMapper()
        var rows: [ExportTable: [[String: ExportValue]]] = [:]
        for event in sink.events {
            mapper.rows(for: event) { row in
                let names = row.table.columns.map(\.name).dropFirst(ExportTable.keyColumns.count)
                #expect(
                    names.count == row.values.count,
                    "\(row.table): \(row.values.count) values for \(names.count) columns")
                rows[row.table, default: []].append(Dictionary(uniqueKeysWithValues: zip(names, row.values)))
            }
        }
        return rows
    }

    @Test("a refused, a refused-426 and a switched upgrade: outcomes, statuses, offsets, the WebSocket session")
    func refusedThenRetry() throws {
        let rows = try Self.mappedRows("proxy/upgrade-refused-then-retry.pcap")
        let upgrades = try #require(rows[.upgrades])
        #expect(upgrades.map { $0["outcome"] } == [.text("refused"), .text("refused"), .text("switched")])
        #expect(upgrades.map { $0["status"] } == [.integer(400), .integer(426), .integer(101)])
        #expect(upgrades.map { $0["cause"] } == [.text("upgrade.refused"), .text("upgrade.refused_426"), .null])
        #expect(upgrades.map { $0["protocol"] } == [.text("websocket"), .text("h2c"), .text("websocket")])
        #expect(upgrades.allSatisfy { $0["path"] == .text("/echo") && $0["host"] == .text("10.201.0.2:8080") })
        #expect(upgrades[2]["c2s_offset"] == .integer(203) && upgrades[2]["s2c_offset"] == .integer(203))
        let sessions = try #require(rows[.websockets])
        #expect(sessions.count == 1)
        #expect(sessions[0]["close_code"] == .integer(1000))
        #expect(sessions[0]["closed_by"] == .text("client"))
        #expect(sessions[0]["messages_c2s"] == .integer(2) && sessions[0]["messages_s2c"] == .integer(2))
        #expect(rows[.connections]?.count == 3)
        #expect(
            rows[.connections]?.allSatisfy {
                $0["server_addr"] == .text("10.201.0.2") && $0["server_port"] == .integer(8080)
            } == true)
    }

    @Test("h2c streams: one row per finished exchange")
    func h2Streams() throws {
        let rows = try Self.mappedRows("http2/h2c-upgrade-curl.pcap")
        let streams = try #require(rows[.h2Streams])
        #expect(streams.map { $0["stream"] } == [.integer(1), .integer(3), .integer(5), .integer(7)])
        #expect(streams.map { $0["method"] } == [.text("GET"), .text("GET"), .text("POST"), .text("GET")])
        #expect(streams.allSatisfy { $0["status"] == .integer(200) })
    }

    @Test("--pg URLs: user, host, port, database, sslmode; the password never printed")
    func targets() throws {
        let target = try PostgresTarget(url: "postgres://ops:secret@db.example:6543/events?sslmode=require")
        #expect(
            (target.user, target.host, target.port, target.database, target.sslMode) == (
                "ops", "db.example", 6543, "events", "require"
            ))
        #expect(!target.description.contains("secret"))
        let socket = try PostgresTarget(url: "postgresql:///events?host=/run/postgresql")
        #expect(socket.host == "/run/postgresql" && socket.port == PostgresTarget.defaultPort)
        #expect(throws: PostgresTargetError.self) { try PostgresTarget(url: "mysql://db/events") }
        #expect(throws: PostgresTargetError.self) { try PostgresTarget(url: "postgres://db/events?sslmode=maybe") }
    }

    @Test("rows bound for PostgreSQL: U+0000 replaced (text cannot hold it), one placeholder per column with its type")
    func insertStatement() {
        #expect(PostgresEventWriter.storable("a\u{0}b") == "a\u{FFFD}b")
        #expect(PostgresEventWriter.storable("plain") == "plain")
        let columns = ExportTable.findings.columns.count
        let query = PostgresEventWriter.insertQuery(.findings, [Self.row(1), Self.row(2)])
        #expect(query.binds.count == 2 * columns)
        #expect(query.sql.hasPrefix("INSERT INTO switchpoint_findings (conn_uid, seq, sensor, run_id, conn, ts, "))
        #expect(query.sql.contains("($\(columns + 1)::text, $\(columns + 2)::bigint"))
        #expect(query.sql.hasSuffix(" ON CONFLICT DO NOTHING"))
    }

    @Test("the metrics sink counts what the summary counts, protocol labels capped")
    func metricsSink() throws {
        let metrics = PrometheusMetricsSink(captureStatistics: {
            ThreadedCaptureSource.Statistics(
                captured: 7, capturedBytes: 700, queueDrops: 1, kernelReceived: nil, kernelDrops: 2, interfaceDrops: nil
            )
        })
        let sink = try WebSocketDissectorTests.timeline(
            TestEnvironment.samplesDirectory.appendingPathComponent("proxy/upgrade-refused-then-retry.pcap").path)
        for event in sink.events { metrics.receive(event) }
        let text = String(decoding: metrics.scrape(), as: UTF8.self)
        for line in [
            "switchpoint_connections_total 3", "switchpoint_open_connections 0.0",
            "switchpoint_upgrades_total{protocol=\"websocket\",outcome=\"switched\"} 1",
            "switchpoint_upgrades_total{protocol=\"websocket\",outcome=\"refused\"} 1",
            "switchpoint_upgrades_total{protocol=\"h2c\",outcome=\"refused\"} 1",
            "switchpoint_findings_total{code=\"upgrade.refused_426\",severity=\"warn\"} 1",
            "switchpoint_packets_total 7", "switchpoint_bytes_total 700",
            "switchpoint_dropped_packets_total{stage=\"kernel\"} 2",
            "switchpoint_dropped_packets_total{stage=\"queue\"} 1",
            "switchpoint_switch_latency_seconds_count{protocol=\"websocket\"} 1",
        ] {
            #expect(text.split(separator: "\n").contains(Substring(line)), "missing: \(line)")
        }
        // A second scrape adds nothing: the capture counters are totals, not increments.
        #expect(
            String(decoding: metrics.scrape(), as: UTF8.self).split(separator: "\n").contains(
                "switchpoint_packets_total 7"))

        // Protocol names come from the wire: past the cap they share one label.
        for index in 0..<(PrometheusMetricsSink.maxProtocolLabels + 10) {
            let upgrade = UpgradeSwitch(
                protocolName: "proto\(index)", status: 101, clientToServerOffset: 0, serverToClientOffset: 0,
                latencyMilliseconds: 1, target: "/", details: [])
            metrics.receive(TimelineEvent(timestamp: .zero, connection: 1, packet: 1, kind: .upgrade(upgrade)))
        }
        let labels = Set(
            String(decoding: metrics.scrape(), as: UTF8.self).split(separator: "\n")
                .filter { $0.hasPrefix("switchpoint_upgrades_total{") }.map { $0.split(separator: ",").first ?? "" })
        #expect(labels.count == PrometheusMetricsSink.maxProtocolLabels + 1)
        #expect(labels.contains("switchpoint_upgrades_total{protocol=\"other\""))
    }
}

/// The metrics server against idle and slow clients (issue 27): capped, timed out, no spin.
@Suite("Metrics server limits")
struct MetricsServerLimitTests {
    /// A TCP connection to 127.0.0.1:port that sends `bytes` and then nothing.
    static func connect(_ port: Int, sending bytes: String = "") -> Int32? {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(descriptor)
            return nil
        }
        if !bytes.isEmpty { _ = bytes.withCString { send(descriptor, $0, strlen($0), 0) } }
        return descriptor
    }

    @Test(
        "idle and half-sent connections are capped and closed after the idle time; a scrape works again",
        .timeLimit(.minutes(1)))
    func idleClients() throws {
        let sink = PrometheusMetricsSink(captureStatistics: {
            ThreadedCaptureSource.Statistics(
                captured: 0, capturedBytes: 0, queueDrops: 0, kernelReceived: nil, kernelDrops: nil, interfaceDrops: nil
            )
        })
        let server = try MetricsHTTPServer(host: "127.0.0.1", port: 0, sink: sink, idleSeconds: 2)
        defer { server.stop() }
        var held: [Int32] = []
        defer { for descriptor in held { close(descriptor) } }
        for index in 0..<(MetricsHTTPServer.maxConnections + 36) {
            // Half of them a request head a byte short of its end (a slow client).
            if let descriptor = Self.connect(
                server.boundPort, sending: index % 2 == 0 ? "" : "GET /metrics HTTP/1.1\r\n")
            {
                held.append(descriptor)
            }
        }
        Thread.sleep(forTimeInterval: 0.5)
        #expect(server.openConnections <= MetricsHTTPServer.maxConnections)
        let deadline = Date().addingTimeInterval(10)
        while server.openConnections > 0 && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        #expect(server.openConnections == 0, "idle connections still open after the idle time")
        let scrape = try #require(Self.connect(server.boundPort, sending: "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"))
        defer { close(scrape) }
        var buffer = [UInt8](repeating: 0, count: 256)
        let got = recv(scrape, &buffer, buffer.count, 0)
        #expect(got > 0 && String(decoding: buffer[..<max(0, got)], as: UTF8.self).hasPrefix("HTTP/1.1 200"))
    }
}
