import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// A TLS connection joined after its handshake (issue 23): TLS 1.3 records are opened by
/// trying the key log's secrets, since the client random that names them was not captured.
@Suite("TLS joined after the handshake")
struct TLSMidStreamTests {
    /// The sample with its first `drop` packets left out, as a capture begun late records it.
    static func cut(_ name: String, dropping drop: UInt64) throws -> String {
        let data = try Data(contentsOf: URL(fileURLWithPath: TLSSamples.path(name + ".pcap")))
        let bytes = [UInt8](data)
        try #require(bytes.count >= 24 && bytes[0..<4] == [0xd4, 0xc3, 0xb2, 0xa1], "a little-endian pcap")
        var out = Array(bytes[0..<24])
        var position = 24
        var number: UInt64 = 0
        while position + 16 <= bytes.count {
            let length = bytes[(position + 8)..<(position + 12)].reversed().reduce(0) { $0 << 8 | Int($1) }
            let end = position + 16 + length
            try #require(end <= bytes.count, "a whole record")
            number += 1
            if number > drop { out += bytes[position..<end] }
            position = end
        }
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("switchpoint-cut-\(name)-\(drop)-\(UUID().uuidString).pcap").path
        try Data(out).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func messages(_ sink: EventCollector) -> [(packet: UInt64, direction: Direction?, payload: [UInt8])] {
        sink.events.compactMap { event -> (packet: UInt64, direction: Direction?, payload: [UInt8])? in
            guard case .wsMessage(let message) = event.kind else { return nil }
            return (event.firstPacket, event.direction, message.kept + Array(String(message.length).utf8))
        }
    }

    static func timeline(path: String, keyLog: TLSKeyLog) throws -> EventCollector {
        let sink = EventCollector()
        var analyzer = TimelineAnalyzer(output: sink, keyLog: keyLog)
        var runner = CaptureRunner()
        runner.run(try TestEnvironment.fixtureSource(paths: [path]), into: &analyzer)
        return sink
    }

    /// The sample uncut and begun at its first message (the handshake and the upgrade not
    /// captured), the cut one read with `cutKeyLog` (its own by default).
    static func runCut(
        _ name: String, cutKeyLog: TLSKeyLog? = nil
    ) throws -> (uncut: EventCollector, cut: EventCollector, from: UInt64) {
        let keyLog = try TLSSamples.keyLog(name)
        let uncut = try TLSSamples.timeline(name, keyLog: keyLog)
        let first = try #require(Self.messages(uncut).first?.packet)
        let path = try cut(name, dropping: first - 1)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return (uncut, try timeline(path: path, keyLog: cutKeyLog ?? keyLog), first)
    }

    @Test("wss joined after the handshake: every message decrypted and decoded as uncut")
    func webSocketAfterHandshake() throws {
        let name = "tls13-wss-websockets"
        let (uncut, cut, first) = try Self.runCut(name)
        let expected = Self.messages(uncut).filter { $0.packet >= first }
        let got = Self.messages(cut).map { ($0.packet + first - 1, $0.direction, $0.payload) }
        #expect(expected.count >= 10)
        #expect(got.count == expected.count)
        for (want, have) in zip(expected, got) {
            #expect(want.packet == have.0 && want.direction == have.1 && want.payload == have.2)
        }
        #expect(cut.findings.contains { $0.message.hasPrefix("decrypted without the handshake") })
        #expect(!cut.findings.contains { $0.severity == .error }, "\(cut.findings.map(\.message))")
        let facts = cut.events.compactMap { event -> TLSSessionFacts? in
            if case .tlsSession(let facts) = event.kind { facts } else { nil }
        }
        #expect(facts.count == 1 && facts.first?.decrypted == true && facts.first?.version == "TLS 1.3")
    }

    @Test("another connection's key log: nothing decrypted, one TLS run per direction and the reason")
    func wrongKeyLog() throws {
        let (_, cut, _) = try Self.runCut(
            "tls13-wss-websockets", cutKeyLog: try TLSSamples.keyLog("tls13-h2-curl-nghttpd"))
        #expect(Self.messages(cut).isEmpty)
        let noKey = cut.findings.filter { $0.code == .tlsNoKey }
        #expect(noKey.count == 2 && noKey.allSatisfy { $0.message.contains("joined after the handshake") })
        let runs = cut.events.compactMap { event -> Direction? in
            if case .rawData(let chunk) = event.kind, chunk.protocolName == "tls" { event.direction } else { nil }
        }
        #expect(Set(runs) == [.clientToServer, .serverToClient] && runs.count == 2)
        #expect(!cut.events.contains { $0.decrypted })
    }

    @Test("TLS 1.2 joined after the handshake cannot be opened, and says why")
    func tls12NotOpened() throws {
        let name = "tls12-h2-curl-nghttpd"
        let keyLog = try TLSSamples.keyLog(name)
        let path = try Self.cut(name, dropping: 12)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let cut = try Self.timeline(path: path, keyLog: keyLog)
        #expect(!cut.events.contains { $0.decrypted })
        #expect(cut.findings.contains { $0.code == .tlsNoKey && $0.message.contains("TLS 1.2") })
    }

    @Test("record boundary search: a chain of headers, or one whose lengths tile the bytes to their end")
    func boundarySearch() {
        let record: [UInt8] = [23, 3, 3, 0, 4, 1, 2, 3, 4]
        var search = TLSRecordBoundarySearch()
        let tail: [UInt8] = [9, 9, 9]
        #expect(tail.withUnsafeBytes { search.append($0, offset: 100) } == .searching)
        #expect(record.withUnsafeBytes { search.append($0, offset: 103) } == .found(103))
        var random = SplitRandom(seed: 7)
        var none = TLSRecordBoundarySearch()
        let noise = random.bytes(count: 4096).map { $0 & 0x0f }  // never a record type
        #expect(noise.withUnsafeBytes { none.append($0, offset: 0) } == .searching)
        #expect(none.finish() == .notFound)
    }
}
