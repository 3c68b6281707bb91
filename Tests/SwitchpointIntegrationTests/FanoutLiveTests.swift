import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// Acceptance (issue 17, many cores): `--workers 2` live on a veth pair in namespaces of
/// its own, several clients at once, SIGINT; every connection once, the same events as one
/// process reading the -w file, and each worker's counts in the summary.
@Suite("Live fanout workers")
struct FanoutLiveTests {
    static let script = TestEnvironment.projectRoot.appendingPathComponent("scripts/test-live-fanout")
    /// What the script starts: 12 websockets clients and 4 h2c curl requests.
    static let clientConnections = 16

    @Test(
        "--workers 2: every connection once, events equal to one process over the -w file, per-worker counts",
        .enabled(if: LiveCaptureTests.canRun, "needs root (network namespaces, live capture): skipped"),
        .timeLimit(.minutes(3)))
    func twoWorkers() throws {
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try TestEnvironment.run(
            URL(fileURLWithPath: "/bin/bash"), [Self.script.path, directory.path], timeoutSeconds: 150,
            environment: TestEnvironment.scriptEnvironment)
        #expect(run.status == 0, "test-live-fanout failed: \(run.errorText.suffix(2000))")
        let status = try String(contentsOf: directory.appendingPathComponent("switchpoint.status"), encoding: .utf8)
        #expect(status.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        let clients = try String(contentsOf: directory.appendingPathComponent("clients.txt"), encoding: .utf8)
        #expect(clients.contains(", 0 clients failed"), "\(clients)")

        let lines = try String(contentsOf: directory.appendingPathComponent("events.jsonl"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        let live = CanonicalTimeline(lines: lines)
        // Every connection reported exactly once.
        #expect(live.openings.count == Self.clientConnections)
        #expect(live.openings.values.allSatisfy { $0 == 1 })
        for (name, events) in live.connections {
            #expect(events.filter { $0.contains(#""type":"conn.close""#) }.count == 1, "\(name)")
        }

        // Per-worker counts, adding up to the totals; no drops anywhere.
        let summaryLine = try #require(live.summary)
        let summary = try #require(JSONSerialization.jsonObject(with: Data(summaryLine.utf8)) as? [String: Any])
        let workers = try #require(summary["workers"] as? [[String: Any]])
        #expect(workers.count == 2)
        #expect(workers.map { $0["worker"] as? Int } == [0, 1])
        for worker in workers {
            // Both got flows: with 16 connections, all on one worker has odds of 2^-15.
            #expect((worker["packets"] as? Int ?? 0) > 0, "\(worker)")
            #expect(worker["kernel_drops"] as? Int == 0)
            #expect(worker["interface_drops"] as? Int == 0)
            #expect(worker["queue_drops"] as? Int == 0)
        }
        #expect(workers.compactMap { $0["packets"] as? Int }.reduce(0, +) == summary["packets"] as? Int)
        #expect(workers.compactMap { $0["captured"] as? Int }.reduce(0, +) == summary["captured"] as? Int)
        #expect(summary["queue_drops"] as? Int == 0)

        // One process over the -w file: the same events, connection by connection.
        let capture = directory.appendingPathComponent("capture.pcap").path
        let offline = try TestEnvironment.run(CommandLineTests.binary, ["-r", capture, "--json"])
        #expect(offline.status == 0)
        let single = CanonicalTimeline(lines: offline.text.split(separator: "\n").map(String.init))
        #expect(live.sortedLines.count == single.sortedLines.count)
        #expect(live.sortedLines == single.sortedLines)
        #expect(live.connections == single.connections)
        let offlineSummary = try #require(
            JSONSerialization.jsonObject(with: Data((single.summary ?? "").utf8)) as? [String: Any])
        for key in ["connections", "packets", "tcp_packets", "gaps"] {
            #expect(summary[key] as? Int == offlineSummary[key] as? Int, "\(key)")
        }
        #expect(summary["upgrades"] as? [String: Int] == offlineSummary["upgrades"] as? [String: Int])
        // (Connection numbers are not compared as such: -w gets packets in the order each
        // worker's capture thread reads them, so two openings a moment apart on different
        // workers can be in the file in the other order, and one run numbers by file order.)
    }

    @Test(
        "--fanout-group: two invocations share the flows; switchpoint merge of both equals a capture of everything",
        .enabled(if: LiveCaptureTests.canRun, "needs root (network namespaces, live capture): skipped"),
        .timeLimit(.minutes(3)))
    func sharedGroup() throws {
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try TestEnvironment.run(
            URL(fileURLWithPath: "/usr/bin/env"), ["MODE=group", "/bin/bash", Self.script.path, directory.path],
            timeoutSeconds: 150, environment: TestEnvironment.scriptEnvironment)
        #expect(run.status == 0, "test-live-fanout MODE=group failed: \(run.errorText.suffix(2000))")
        let status = try String(contentsOf: directory.appendingPathComponent("switchpoint.status"), encoding: .utf8)
        #expect(status.trimmingCharacters(in: .whitespacesAndNewlines) == "0 0 0")
        let events = { (name: String) throws -> String in
            try String(contentsOf: directory.appendingPathComponent("events-\(name).jsonl"), encoding: .utf8)
        }
        // Separate sockets stamp the same packet a few microseconds apart: connections are
        // compared by endpoints and events by type, direction and stream offset.
        let parts = try ["a", "b"].map { try Self.eventsByEndpoints(events($0)) }
        #expect(parts.allSatisfy { !$0.isEmpty }, "\(parts.map(\.count))")
        #expect(Set(parts[0].keys).isDisjoint(with: parts[1].keys))
        let everything = try Self.eventsByEndpoints(events("ref"))
        #expect(everything.count == Self.clientConnections)
        #expect(parts[0].merging(parts[1]) { first, _ in first } == everything)
        // The merged stream: every connection once, the reference's summary.
        let merge = try TestEnvironment.run(
            CommandLineTests.binary,
            [
                "merge",
                directory.appendingPathComponent("events-a.jsonl").path,
                directory.appendingPathComponent("events-b.jsonl").path,
            ])
        #expect(merge.status == 0, "\(merge.errorText)")
        #expect(try Self.eventsByEndpoints(merge.text) == everything)
        #expect(merge.text.split(separator: "\n").last == (try events("ref")).split(separator: "\n").last)
    }

    /// Each connection (client>server) with its events as `type dir offset`, in order.
    static func eventsByEndpoints(_ text: String) throws -> [String: [String]] {
        var names: [Int: String] = [:]
        var result: [String: [String]] = [:]
        for line in text.split(separator: "\n") {
            let object = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            guard let connection = object["conn"] as? Int else { continue }
            if object["type"] as? String == "conn.open" {
                names[connection] = "\(object["client"] ?? "?")>\(object["server"] ?? "?")"
            }
            let name = names[connection] ?? "unopened \(connection)"
            result[name, default: []].append(
                "\(object["type"] ?? "?") \(object["dir"] ?? "-") \(object["offset"] ?? "-")")
        }
        return result
    }

    @Test("--workers and --fanout-group are refused where they cannot fan out, before any work")
    func refusedWhereNoFanout() throws {
        let sample = TestEnvironment.samplesDirectory.appendingPathComponent("ws-echo-veth.pcap").path
        for arguments in [
            ["-i", "any", "--workers", "2"], ["-i", "lo", "--fanout-group", "0"],
            ["-i", "lo", "--workers", "2", "-c", "5"], ["-r", sample, "--fanout-group", "7"],
            ["-i", "lo", "--workers", "2", "--metrics", "127.0.0.1:9464"],
            ["-r", sample, "--workers", "2", "--connections"],
            ["-r", sample, "--workers", "2", "--protocol", "socket.io"],
        ] {
            let run = try TestEnvironment.run(CommandLineTests.binary, arguments)
            #expect(run.status == 2, "\(arguments): \(run.errorText)")
            #expect(run.output.isEmpty, "\(arguments): refused before any output")
        }
    }
}
