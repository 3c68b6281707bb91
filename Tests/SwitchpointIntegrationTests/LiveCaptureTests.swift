import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// Acceptance (live sniffing): switchpoint live on a veth pair in namespaces of its own,
/// a real websockets exchange and an h2c curl request across it, SIGINT, then the JSON
/// lines, the drop counters and the -w file are checked.
@Suite("Live capture end to end")
struct LiveCaptureTests {
    static let script = TestEnvironment.projectRoot.appendingPathComponent("scripts/test-live-e2e")
    static var canRun: Bool { getuid() == 0 }

    struct LoggedFrame: Decodable {
        var side: String
        var dir: String
        var type: String
        var len: Int?
        var text: String?
        var code: Int?
    }

    @Test(
        "websockets and h2c across a veth pair, SIGINT, zero drops, -w reads back the same",
        .enabled(if: canRun, "needs root (network namespaces, live capture): skipped"),
        .timeLimit(.minutes(3)))
    func liveExchange() throws {
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try TestEnvironment.run(
            URL(fileURLWithPath: "/bin/bash"), [Self.script.path, directory.path], timeoutSeconds: 150,
            environment: TestEnvironment.scriptEnvironment)
        #expect(run.status == 0, "test-live-e2e failed: \(run.errorText.suffix(2000))")
        let status = try String(contentsOf: directory.appendingPathComponent("switchpoint.status"), encoding: .utf8)
        #expect(status.trimmingCharacters(in: .whitespacesAndNewlines) == "0")

        let lines = try String(contentsOf: directory.appendingPathComponent("events.jsonl"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        let events = try lines.map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        let upgrades = events.filter { $0["type"] as? String == "upgrade" }.compactMap { $0["protocol"] as? String }
        #expect(upgrades.sorted() == ["h2c", "websocket"])

        // Every message both websockets peers logged sending, in order, per direction.
        let logged = try String(contentsOf: directory.appendingPathComponent("ws.log"), encoding: .utf8)
            .split(separator: "\n").compactMap { try? JSONDecoder().decode(LoggedFrame.self, from: Data($0.utf8)) }
        for (side, direction) in [("client", "c2s"), ("server", "s2c")] {
            let sent = logged.filter {
                $0.side == side && $0.dir == "send" && ($0.type == "text" || $0.type == "binary")
            }
            let decoded = events.filter { $0["type"] as? String == "ws.message" && $0["dir"] as? String == direction }
            #expect(decoded.count == sent.count, "\(side): \(decoded.count) decoded, \(sent.count) logged")
            for (ours, theirs) in zip(decoded, sent) {
                #expect(ours["len"] as? Int == theirs.len)
                if let text = theirs.text { #expect((ours["text"] as? String)?.hasPrefix(text) == true) }
            }
            let closes = events.filter { $0["type"] as? String == "ws.close" && $0["dir"] as? String == direction }
            let loggedCloses = logged.filter { $0.side == side && $0.dir == "send" && $0.type == "close" }
            #expect(closes.map { $0["code"] as? Int } == loggedCloses.map(\.code))
        }
        // The h2c request, as curl saw it.
        let curl = try String(contentsOf: directory.appendingPathComponent("curl.txt"), encoding: .utf8).split(
            separator: " ")
        let stream = try #require(events.first { $0["type"] as? String == "h2.stream" })
        #expect(stream["status"] as? Int == Int(curl[0]))
        #expect(stream["bytes_s2c"] as? Int == Int(curl[1]))

        // No drops anywhere.
        let summary = try #require(events.last)
        #expect(summary["type"] as? String == "summary")
        #expect(summary["kernel_drops"] as? Int == 0)
        #expect(summary["interface_drops"] as? Int == 0)
        #expect(summary["queue_drops"] as? Int == 0)
        #expect((summary["captured"] as? Int ?? 0) > 0)

        // The -w file: tshark reads it whole, and switchpoint -r gives the same events.
        let capture = directory.appendingPathComponent("capture.pcap").path
        let tshark = try TestEnvironment.requiredTool("tshark")
        let read = try TestEnvironment.run(tshark, ["-r", capture, "-T", "fields", "-e", "frame.number"])
        #expect(read.status == 0)
        #expect(read.text.split(separator: "\n").count == summary["captured"] as? Int)
        let offline = try TestEnvironment.run(CommandLineTests.binary, ["-r", capture, "--json"])
        #expect(offline.status == 0)
        let offlineLines = offline.text.split(separator: "\n").map(String.init)
        #expect(Array(offlineLines.dropLast()) == Array(lines.dropLast()))

        // --html and --har, written when the capture stopped: checked like the samples'.
        let report = directory.appendingPathComponent("report.html").path
        let archive = directory.appendingPathComponent("report.har").path
        #expect(FileManager.default.fileExists(atPath: report), "missing \(report)")
        #expect(FileManager.default.fileExists(atPath: archive), "missing \(archive)")
        let python = try TestEnvironment.requiredTool("python3")
        let timeline = directory.appendingPathComponent("events.jsonl").path
        let clientLog = directory.appendingPathComponent("ws.log").path
        for arguments in [
            ["har", "--har", archive, "--timeline", timeline, "--log", clientLog],
            ["html", "--html", report, "--timeline", timeline],
        ] {
            let checked = try TestEnvironment.run(
                python, [ReportExportTests.checker.path] + arguments, timeoutSeconds: 240)
            #expect(
                checked.status == 0,
                "check_reports.py \(arguments[0]): \(checked.text)\(checked.errorText.suffix(2000))")
        }
    }
}
