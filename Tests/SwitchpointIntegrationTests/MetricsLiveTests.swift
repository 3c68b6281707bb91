import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// Issue 17, metrics: a live capture on loopback with `--metrics`, scraped with curl, checked
/// by promtool, and its counters equal to the JSON summary printed at SIGINT.
@Suite("Prometheus metrics, live")
struct MetricsLiveTests {
    static let script = TestEnvironment.projectRoot.appendingPathComponent("scripts/test-live-metrics")
    static var canRun: Bool { getuid() == 0 }

    /// `name{labels} value` lines of the exposition, by name and label text.
    static func samples(_ text: String) -> [String: Double] {
        var samples: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                continue
            }
            samples[String(line[..<space])] = value
        }
        return samples
    }

    @Test(
        "--metrics: promtool accepts the scrape, the counters equal the summary's",
        .enabled(if: canRun, "needs root (live capture on lo): skipped"), .timeLimit(.minutes(3)))
    func scrapeMatchesSummary() throws {
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try TestEnvironment.run(
            URL(fileURLWithPath: "/bin/bash"), [Self.script.path, directory.path], timeoutSeconds: 150,
            environment: TestEnvironment.scriptEnvironment)
        #expect(run.status == 0, "test-live-metrics failed: \(run.errorText.suffix(2000))")
        func file(_ name: String) throws -> String {
            try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
        }
        let promtool = try file("promtool.txt")
        let switchpointErrors = try file("switchpoint.stderr")
        #expect(
            try file("promtool.status").trimmingCharacters(in: .whitespacesAndNewlines) == "0",
            "promtool check metrics: \(promtool)")
        #expect(
            try file("switchpoint.status").trimmingCharacters(in: .whitespacesAndNewlines) == "0",
            "\(switchpointErrors)")

        let metrics = Self.samples(try file("metrics.txt"))
        let lines = try file("events.jsonl").split(separator: "\n")
        let last = try #require(lines.last)
        let summary = try #require(JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any])
        #expect(summary["type"] as? String == "summary")

        #expect(metrics["switchpoint_connections_total"] == Double(summary["connections"] as? Int ?? -1))
        #expect(metrics["switchpoint_connections_total"] == 4)
        #expect(metrics["switchpoint_open_connections"] == 0)
        #expect(metrics["switchpoint_packets_total"] == Double(summary["captured"] as? Int ?? -1))
        #expect((metrics["switchpoint_bytes_total"] ?? 0) > 0)
        for (stage, field) in [("kernel", "kernel_drops"), ("interface", "interface_drops"), ("queue", "queue_drops")] {
            #expect(
                metrics["switchpoint_dropped_packets_total{stage=\"\(stage)\"}"]
                    == Double(summary[field] as? Int ?? -1), "\(stage)")
        }
        let switched = try #require(summary["upgrades"] as? [String: Int])
        #expect(switched == ["websocket": 3])
        for (name, count) in switched {
            #expect(metrics["switchpoint_upgrades_total{protocol=\"\(name)\",outcome=\"switched\"}"] == Double(count))
            #expect(metrics["switchpoint_switch_latency_seconds_count{protocol=\"\(name)\"}"] == Double(count))
        }
        let refused = (summary["refused"] as? [String: Int] ?? [:]).values.reduce(0, +)
        #expect(refused == 1)
        #expect(metrics["switchpoint_upgrades_total{protocol=\"websocket\",outcome=\"refused\"}"] == Double(refused))
        let findings = try #require(summary["findings"] as? [String: Int])
        let findingSamples = metrics.filter { $0.key.hasPrefix("switchpoint_findings_total{") }
        #expect(findingSamples.count == findings.count)
        for (code, count) in findings {
            let sample = findingSamples.first { $0.key.hasPrefix("switchpoint_findings_total{code=\"\(code)\"") }
            #expect(sample?.value == Double(count), "\(code)")
        }
    }
}
