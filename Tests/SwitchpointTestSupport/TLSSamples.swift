import Foundation

@testable import SwitchpointCore

/// The TLS samples (samples/tls/): captures, their key logs, and their timelines.
enum TLSSamples {
    static let directory = TestEnvironment.samplesDirectory.appendingPathComponent("tls")

    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// A committed fixture: missing is a failure, not a skip.
    static func keyLog(_ name: String) throws -> TLSKeyLog {
        var log = TLSKeyLog()
        try log.add(contentsOf: path(name + ".keylog"))
        return log
    }

    static func timeline(_ name: String, keyLog: TLSKeyLog?, file: String? = nil) throws -> EventCollector {
        let source = try TestEnvironment.fixtureSource(paths: [path(file ?? name + ".pcap")], filter: "")
        let sink = EventCollector()
        var analyzer = TimelineAnalyzer(output: sink, keyLog: keyLog)
        var runner = CaptureRunner()
        runner.run(source, into: &analyzer)
        return sink
    }
}
