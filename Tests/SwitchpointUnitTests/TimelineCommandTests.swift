import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// What `switchpoint -r` prints, run in-process through `TimelineCommand` (the code the
/// command line calls): the connection listing and `-c`.
@Suite("Timeline command in-process")
struct TimelineCommandTests {
    static let sample = TestEnvironment.samplesDirectory.appendingPathComponent("http-nginx-lo.pcap").path
    static let sampleIPv6 = TestEnvironment.samplesDirectory.appendingPathComponent("ipv6-veth.pcap").path

    func jsonLines(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
            return try #require(object as? [String: Any], "not an object: \(line)")
        }
    }

    @Test("text listing: one line per connection with packets, bytes, handshake and close")
    func textListing() throws {
        let result = try InProcessCommand.timeline([Self.sample]) { $0.connections = true }
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

    @Test("--json: conn.open and conn.close with the required fields")
    func jsonListing() throws {
        let result = try InProcessCommand.timeline([Self.sampleIPv6]) {
            $0.connections = true
            $0.json = true
        }
        #expect(result.status == 0)
        let events = try jsonLines(result.text)
        let opens = events.filter { $0["type"] as? String == "conn.open" }
        let closes = events.filter { $0["type"] as? String == "conn.close" }
        #expect(opens.count == 2)
        #expect(closes.count == 2)
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

    @Test("-c stops after COUNT packets")
    func packetCount() throws {
        let result = try InProcessCommand.timeline([Self.sample]) {
            $0.analysis.packetLimit = 5
            $0.json = true
        }
        #expect(try jsonLines(result.text).last?["packets"] as? Int == 5)
    }
}
