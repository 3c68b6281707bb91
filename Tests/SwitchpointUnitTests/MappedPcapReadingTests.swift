import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// Plain pcap files are read from memory-mapped windows instead of through libpcap's
/// `fread`: every packet (bytes, lengths, time, number) and every problem must be the same
/// as libpcap's own reading, with and without a filter, and on files libpcap must finish.
@Suite("Memory-mapped pcap reading")
struct MappedPcapReadingTests {
    /// What a source hands over, copied out (its bytes are valid only until the next call).
    struct ReadPacket: Equatable {
        var bytes: [UInt8]
        var originalLength: Int
        var packetNumber: UInt64
        var timestamp: Timestamp
    }

    static func read(
        _ path: String, filter: String = "", mapped: Bool
    ) throws -> (packets: [ReadPacket], problems: [String]) {
        let source = try OfflineCaptureSource(paths: [path], filter: filter)
        source.readsMappedFiles = mapped
        var packets: [ReadPacket] = []
        var problems: [String] = []
        for _ in 0..<10_000_000 {
            switch source.next() {
            case .packet(let packet):
                packets.append(
                    ReadPacket(
                        bytes: Array(packet.bytes), originalLength: packet.originalLength,
                        packetNumber: packet.capture.packetNumber, timestamp: packet.capture.timestamp))
            case .problem(let problem):
                problems.append("\(problem)")
            case .end:
                return (packets, problems)
            default:
                continue
            }
        }
        Issue.record("\(path): no end after 10 M reads")
        return (packets, problems)
    }

    static func expectSameReading(_ path: String, filter: String = "") throws {
        let mapped = try read(path, filter: filter, mapped: true)
        let libpcap = try read(path, filter: filter, mapped: false)
        #expect(mapped.packets.count == libpcap.packets.count, "\(path) filter '\(filter)'")
        #expect(mapped.packets == libpcap.packets, "\(path) filter '\(filter)'")
        #expect(mapped.problems == libpcap.problems, "\(path) filter '\(filter)'")
    }

    static var captures: [URL] {
        TestEnvironment.sampleCaptures + (TestEnvironment.corpusAvailable ? TestEnvironment.corpusCaptures : [])
    }

    @Test("every sample and corpus capture reads the same as through libpcap", arguments: captures)
    func sameAsLibpcap(capture: URL) throws {
        try Self.expectSameReading(capture.path)
        try Self.expectSameReading(capture.path, filter: "tcp and len > 100")
    }

    /// A file with a microsecond or nanosecond header and the given records.
    static func pcapFile(
        magic: UInt32, snaplen: UInt32, records: [(caplen: UInt32, len: UInt32, bytes: Int)]
    ) -> [UInt8] {
        var file: [UInt8] = []
        func put32(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { file.append(contentsOf: $0) } }
        func put16(_ value: UInt16) { withUnsafeBytes(of: value.littleEndian) { file.append(contentsOf: $0) } }
        put32(magic)
        put16(2)
        put16(4)
        put32(0)
        put32(0)
        put32(snaplen)
        put32(1)
        for (index, record) in records.enumerated() {
            put32(1_700_000_000 + UInt32(index))
            put32(999_999)
            put32(record.caplen)
            put32(record.len)
            file.append(contentsOf: (0..<record.bytes).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ index) })
        }
        return file
    }

    @Test("odd files: nanosecond times, a record over the snapshot length, a cut record, a cut header")
    func oddFiles() throws {
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let cases: [(String, [UInt8])] = [
            ("micro", Self.pcapFile(magic: 0xA1B2_C3D4, snaplen: 65535, records: [(60, 60, 60), (80, 1500, 80)])),
            ("nano", Self.pcapFile(magic: 0xA1B2_3C4D, snaplen: 65535, records: [(60, 60, 60), (80, 80, 80)])),
            (
                "over-snaplen",
                Self.pcapFile(magic: 0xA1B2_C3D4, snaplen: 64, records: [(60, 60, 60), (100, 100, 100), (60, 60, 60)])
            ),
            (
                "cut-record",
                Array(
                    Self.pcapFile(magic: 0xA1B2_C3D4, snaplen: 65535, records: [(60, 60, 60), (80, 80, 80)]).dropLast(
                        30))
            ),
            (
                "cut-header",
                Array(
                    Self.pcapFile(magic: 0xA1B2_C3D4, snaplen: 65535, records: [(60, 60, 60), (80, 80, 80)]).dropLast(
                        90))
            ),
            (
                "huge-caplen",
                Self.pcapFile(magic: 0xA1B2_C3D4, snaplen: 65535, records: [(60, 60, 60), (400_000, 400_000, 10)])
            ),
        ]
        for (name, bytes) in cases {
            let url = directory.appendingPathComponent("\(name).pcap")
            try Data(bytes).write(to: url)
            try Self.expectSameReading(url.path)
            let mapped = try Self.read(url.path, mapped: true)
            #expect(!mapped.packets.isEmpty, "\(name)")
        }
        // The mapped reader takes these files itself (it is not libpcap reading both times).
        for name in ["micro", "nano", "over-snaplen", "cut-record"] {
            #expect(MappedPcapRecords(path: directory.appendingPathComponent("\(name).pcap").path) != nil, "\(name)")
        }
        let nano = try Self.read(directory.appendingPathComponent("nano.pcap").path, mapped: true)
        #expect(nano.packets.first?.timestamp == Timestamp(seconds: 1_700_000_000, nanoseconds: 999_999))
        let micro = try Self.read(directory.appendingPathComponent("micro.pcap").path, mapped: true)
        #expect(micro.packets.first?.timestamp == Timestamp(seconds: 1_700_000_000, nanoseconds: 999_999_000))
        #expect(micro.packets.last?.originalLength == 1500)
        let cut = try Self.read(directory.appendingPathComponent("cut-record.pcap").path, mapped: true)
        #expect(cut.packets.count == 1)
        #expect(cut.problems.count == 1)
    }

    @Test("a file larger than one mapped window reads whole")
    func acrossWindows() throws {
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // 1,500-byte records to well past two windows, so records straddle window ends.
        let count = 2 * MappedPcapRecords.windowSize / 1516 + 100
        let url = directory.appendingPathComponent("large.pcap")
        try Data(
            Self.pcapFile(
                magic: 0xA1B2_C3D4, snaplen: 65535,
                records: Array(repeating: (1500, 1500, 1500), count: count))
        ).write(to: url)
        try Self.expectSameReading(url.path)
        #expect(try Self.read(url.path, mapped: true).packets.count == count)
    }
}
