import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// Live mode: key log files that grow after switchpoint started are re-read when a
/// connection's lookup misses, at a bounded rate and by whole lines.
@Suite("TLS key log followed as it grows")
struct TLSKeyLogFollowerTests {
    /// A clock the test moves by hand.
    final class ManualClock: @unchecked Sendable {
        var nanoseconds: UInt64 = 1_000_000_000
    }

    static func temporaryFile(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "switchpoint-keylog-\(UUID().uuidString)"
        ).path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func append(_ text: String, to path: String) throws {
        let handle = try #require(FileHandle(forWritingAtPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
    }

    @Test("a key log appended after the analyzer started decrypts (live); offline the same file read at start does not")
    func appendedAfterStart() throws {
        let name = "tls13-h2-curl-nghttpd"
        let source = try TestEnvironment.fixtureSource(paths: [TLSSamples.path(name + ".pcap")], filter: "")
        var chunks = OrderedChunks()
        var runner = CaptureRunner()
        runner.drive(source, into: &chunks)
        let secrets = try String(contentsOfFile: TLSSamples.path(name + ".keylog"), encoding: .utf8)
        // At start the file holds another connection's keys only.
        let other = try String(contentsOfFile: TLSSamples.path("tls12-h2-curl-nghttpd.keylog"), encoding: .utf8)
        let path = try Self.temporaryFile(other)
        defer { try? FileManager.default.removeItem(atPath: path) }

        var live = TLSKeyLog()
        let offset = try live.add(contentsOf: path)
        #expect(offset == UInt64(other.utf8.count))
        let follower = TLSKeyLogFollower(paths: [(path, offset)])
        live.follower = follower
        var offline = TLSKeyLog()
        try offline.add(contentsOf: path)

        var conversation = Conversation(bytes: chunks.messages)
        conversation.registry = .standard
        conversation.keyLog = offline
        // The browser appends its lines once the analyzer is running.
        try Self.append(secrets, to: path)
        let withoutFollowing = conversation.run(.whole)
        #expect(withoutFollowing.findingCodes == ["tls.no_key"])

        conversation.keyLog = live
        let followed = conversation.run(.whole)
        #expect(followed.findingCodes.isEmpty)
        let streams = followed.events.compactMap { if case .h2Stream(let stream) = $0.kind { stream } else { nil } }
        #expect(streams.map(\.path) == ["/index.html", "/big.txt"])
        #expect(followed.events.contains { $0.decrypted })
        // One miss at the ServerHello re-read the file; later lookups found the keys.
        #expect(follower.rereads == 1)
    }

    @Test("re-reads: only after a miss, at most every 200 ms, whole lines only, from the offset already read")
    func rateAndLines() throws {
        let random = String(repeating: "ab", count: 32)
        let path = try Self.temporaryFile("")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let clock = ManualClock()
        var log = TLSKeyLog()
        let follower = TLSKeyLogFollower(paths: [(path, 0)], now: { clock.nanoseconds })
        log.follower = follower
        let bytes = [UInt8](repeating: 0xab, count: 32)
        let needMaster = { (found: TLSClientSecrets) in found.masterSecret != nil }

        #expect(log.secrets(clientRandom: bytes, complete: needMaster) == nil)
        #expect(follower.rereads == 1)
        // Half a line: the writer is still at it; not parsed, not skipped.
        let line = "CLIENT_RANDOM \(random) \(String(repeating: "01", count: 48))\n"
        try Self.append(String(line.prefix(50)), to: path)
        clock.nanoseconds += TLSKeyLogFollower.minimumIntervalNanoseconds
        #expect(log.secrets(clientRandom: bytes, complete: needMaster) == nil)
        #expect(follower.rereads == 2)
        try Self.append(String(line.dropFirst(50)), to: path)
        // Within the interval: no re-read, still missing.
        clock.nanoseconds += TLSKeyLogFollower.minimumIntervalNanoseconds / 2
        #expect(log.secrets(clientRandom: bytes, complete: needMaster) == nil)
        #expect(follower.rereads == 2)
        clock.nanoseconds += TLSKeyLogFollower.minimumIntervalNanoseconds
        #expect(
            log.secrets(clientRandom: bytes, complete: needMaster)?.masterSecret == [UInt8](repeating: 1, count: 48))
        #expect(follower.rereads == 3)
        // A hit does not re-read.
        clock.nanoseconds += TLSKeyLogFollower.minimumIntervalNanoseconds
        _ = log.secrets(clientRandom: bytes, complete: needMaster)
        #expect(follower.rereads == 3)
        #expect(log.malformedLines == 0)
    }
}
