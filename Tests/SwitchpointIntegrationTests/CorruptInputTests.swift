import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// Acceptance: corrupted input never crashes. `editcap -E 0.02` flips 2% of the bytes of
/// each packet; truncated copies end inside headers and packets.
@Suite("Corrupted and truncated input")
struct CorruptInputTests {
    static var corpusInputs: [URL] { TestEnvironment.corpusAvailable ? TestEnvironment.corpusCaptures : [] }

    /// Counts signals and checks the stream invariants on the way.
    struct CheckingSink: StreamSignalSink {
        var nextOffset: [ConnectionID: [Direction: UInt64]] = [:]
        var violations: [String] = []
        var signals = 0

        mutating func receive(_ signal: StreamSignal) {
            signals += 1
            switch signal {
            case .data(let chunk):
                check(chunk.connection, chunk.direction, chunk.offset, UInt64(chunk.bytes.count))
            case .gap(let gap):
                check(gap.connection, gap.direction, gap.offset, gap.length)
            default:
                break
            }
        }

        /// Every delivered byte and gap continues exactly where the last one ended.
        mutating func check(_ connection: ConnectionID, _ direction: Direction, _ offset: UInt64, _ length: UInt64) {
            let expected = nextOffset[connection]?[direction] ?? 0
            if offset != expected {
                violations.append("conn \(connection) \(direction.shortName): offset \(offset), expected \(expected)")
            }
            nextOffset[connection, default: [:]][direction] = offset + length
        }
    }

    @Test("editcap -E 0.02 variants of the samples are read without a crash", arguments: TestEnvironment.sampleCaptures)
    func byteErrors(capture: URL) throws {
        try checkByteErrors(capture)
    }

    @Test(
        "editcap -E 0.02 variants of the corpus captures are read without a crash",
        .enabled(if: TestEnvironment.corpusAvailable, TestEnvironment.corpusMissingMessage), arguments: corpusInputs)
    func corpusByteErrors(capture: URL) throws {
        try checkByteErrors(capture)
    }

    func checkByteErrors(_ capture: URL) throws {
        let editcap = try TestEnvironment.requiredTool("editcap", package: "wireshark-common")
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for seed in 1...4 {
            let variant = directory.appendingPathComponent("variant-\(seed)-\(capture.lastPathComponent)")
            let result = try TestEnvironment.run(
                editcap, ["-E", "0.02", "--seed", String(seed), capture.path, variant.path])
            #expect(result.status == 0, "editcap failed: \(result.errorText)")
            let source = try TestEnvironment.fixtureSource(paths: [variant.path])
            var sink = CheckingSink()
            var runner = CaptureRunner()
            runner.drive(source, into: &sink)
            #expect(sink.violations.isEmpty, "\(sink.violations.prefix(3))")
            #expect(runner.statistics.packets > 0)
            // The whole timeline (every dissector) over the same damaged bytes, and the audit.
            let collector = EventCollector()
            var analyzer = TimelineAnalyzer(output: collector)
            var timelineRunner = CaptureRunner()
            timelineRunner.drive(try TestEnvironment.fixtureSource(paths: [variant.path]), into: &analyzer)
            #expect(!collector.events.isEmpty)
            _ = ProxyAuditor().audit(files: [collector.events])
        }
    }

    @Test(
        "truncated copies of the samples report the packet where they end and keep what came before",
        arguments: TestEnvironment.sampleCaptures)
    func truncatedCopies(capture: URL) throws {
        try checkTruncatedCopies(capture)
    }

    @Test(
        "truncated copies of the corpus captures report the packet where they end and keep what came before",
        .enabled(if: TestEnvironment.corpusAvailable, TestEnvironment.corpusMissingMessage), arguments: corpusInputs)
    func corpusTruncatedCopies(capture: URL) throws {
        try checkTruncatedCopies(capture)
    }

    /// Where a file's header ends at the latest in these captures (a pcap header is 24
    /// bytes; a pcapng section header and interface description block a few hundred).
    static let maxHeaderBytes = 512

    func checkTruncatedCopies(_ capture: URL) throws {
        let data = try Data(contentsOf: capture)
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (_, whole) = try TestEnvironment.reassemble([capture.path])
        let total = whole.statistics.packets
        for cut in Set([10, 24, 30, 60, data.count / 3, data.count / 2, data.count - 7, data.count - 1])
        where cut > 0 && cut < data.count {
            let truncated = directory.appendingPathComponent("cut-\(cut)-\(capture.lastPathComponent)")
            try data.prefix(cut).write(to: truncated)
            var sink = CheckingSink()
            var runner = CaptureRunner()
            do {
                let source = try TestEnvironment.fixtureSource(paths: [truncated.path])
                runner.drive(source, into: &sink)
            } catch CaptureError.cannotOpenFile {
                // Cut inside its file header (pcapng: its section header or first interface
                // block): refused as unreadable before any run, as a missing file is.
                #expect(cut <= Self.maxHeaderBytes, "\(capture.lastPathComponent) cut at \(cut) refused to open")
                continue
            } catch {
                Issue.record("opening a truncated file threw instead of reporting: \(error)")
            }
            #expect(sink.violations.isEmpty)
            #expect(runner.statistics.packets <= total)
            if cut == data.count - 1 {
                // Cut inside the last packet: everything before it was read, and the
                // problem names the packet where the file ends.
                #expect(runner.statistics.packets == total - 1)
                guard case .truncatedFile(_, let packetNumber, _)? = runner.problems.first else {
                    Issue.record(
                        "\(capture.lastPathComponent) cut at \(cut): no truncation reported (\(runner.problems))")
                    continue
                }
                #expect(packetNumber == UInt64(total))
            }
        }
    }

    @Test("random garbage of every kind of link type never crashes the decoder")
    func randomPackets() {
        var generator = SystemRandomNumberGenerator()
        let linkTypes: [LinkType] = [
            .ethernet, .linuxCooked, .linuxCooked2, .bsdNull, .bsdLoop, .rawIP, .rawIPv4, .rawIPv6,
        ]
        var reassembler = TCPReassembler()
        var sink = CheckingSink()
        for index in 0..<20_000 {
            let length = Int.random(in: 0...120, using: &generator)
            var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            // Steer a share of them into IPv4/IPv6 + TCP so the deeper decoders see junk too.
            if length > 40 && index % 2 == 0 { bytes[0] = index % 4 == 0 ? 0x45 : 0x60 }
            for linkType in linkTypes {
                bytes.withUnsafeBytes { buffer in
                    let packet = RawPacket(
                        bytes: buffer, originalLength: length + Int.random(in: 0...2, using: &generator),
                        linkType: linkType,
                        capture: CaptureInfo(
                            packetNumber: UInt64(index), timestamp: Timestamp(nanoseconds: Int64(index))))
                    if case .tcp(let segment) = PacketDecoder.decode(packet) {
                        #expect(segment.payload.count <= segment.payloadLength)
                        reassembler.ingest(segment, capture: packet.capture, into: &sink)
                    }
                }
            }
        }
        reassembler.finish(into: &sink)
        #expect(sink.violations.isEmpty)
    }
}
