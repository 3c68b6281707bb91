import Foundation
import NIOCore
import NIOHPACK
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// Issue 23 #4: HPACK header blocks of a connection joined mid-stream.
@Suite("HPACK without the dynamic table's history")
struct PartialHPACKDecoderTests {
    typealias Field = PartialHPACKDecoder.Field

    static func decoder(historyKnown: Bool) -> PartialHPACKDecoder {
        PartialHPACKDecoder(
            maxTableSize: 4096, maxHeaderListSize: HTTP2Dissector.maxHeaderListSize, historyKnown: historyKnown)
    }

    static func hex(_ text: String) -> [UInt8] {
        let digits = Array(text.filter { !$0.isWhitespace })
        return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16) ?? 0 }
    }

    // RFC 7541 C.4: requests with Huffman coding.
    static let firstRequest = hex("8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff")
    static let secondRequest = hex("8286 84be 5886 a8eb 1064 9cbf")
    static let thirdRequest = hex("8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf")

    @Test("RFC 7541 C.4 decodes exactly from the connection's start")
    func rfcExamples() throws {
        var decoder = Self.decoder(historyKnown: true)
        let first = try decoder.decode(Self.firstRequest)
        #expect(
            first.map { [$0.name, $0.value] } == [
                [":method", "GET"], [":scheme", "http"], [":path", "/"], [":authority", "www.example.com"],
            ])
        let second = try decoder.decode(Self.secondRequest)
        #expect(second.last == Field(name: "cache-control", value: "no-cache"))
        #expect(second[3] == Field(name: ":authority", value: "www.example.com"))
        let third = try decoder.decode(Self.thirdRequest)
        #expect(third.last == Field(name: "custom-key", value: "custom-value"))
        #expect(third[3] == Field(name: ":authority", value: "www.example.com"))
    }

    @Test("joined after the first request: its entry is unknown, the ones inserted since are known")
    func joinedMidStream() throws {
        var decoder = Self.decoder(historyKnown: false)
        let second = try decoder.decode(Self.secondRequest)
        #expect(second[3] == Field(name: nil, value: nil, unknownIndex: 62))
        #expect(second[4] == Field(name: "cache-control", value: "no-cache"))
        // The third request refers to :authority, 63 now: still unknown.
        let third = try decoder.decode(Self.thirdRequest)
        #expect(third[3] == Field(name: nil, value: nil, unknownIndex: 63))
        #expect(third.last == Field(name: "custom-key", value: "custom-value"))
        #expect(decoder.knownEntries == 2)
        #expect(decoder.tailUnknown)
    }

    @Test("the unknown tail is gone once a known entry is evicted or no room is left for one")
    func tailHeals() throws {
        var decoder = PartialHPACKDecoder(maxTableSize: 200, maxHeaderListSize: 4096, historyKnown: false)
        // 0x40: literal with incremental indexing, new name "a", a 40-byte value: 73 bytes.
        let insert: [UInt8] = [0x40, 0x01, 0x61, 0x28] + [UInt8](repeating: 0x62, count: 40)
        _ = try decoder.decode(insert)
        _ = try decoder.decode(insert)
        #expect(decoder.tailUnknown)  // 54 bytes left: an older entry may still be there
        #expect(try decoder.decode([0xc0]) == [Field(name: nil, value: nil, unknownIndex: 64)])
        _ = try decoder.decode(insert)  // 219 > 200: the oldest known entry goes, the tail before it
        #expect(!decoder.tailUnknown)
        #expect(decoder.knownEntries == 2)
        #expect(throws: PartialHPACKDecoder.Failure.indexOutOfRange(64)) { try decoder.decode([0xc0]) }
        var small = PartialHPACKDecoder(maxTableSize: 100, maxHeaderListSize: 4096, historyKnown: false)
        _ = try small.decode(insert)
        #expect(!small.tailUnknown)  // 27 bytes left: no entry fits beside it
        var resized = Self.decoder(historyKnown: false)
        _ = try resized.decode([0x20])  // a size update to 0 empties the table
        #expect(!resized.tailUnknown)
    }

    // MARK: Differential: the same output as NIOHPACK from a connection's start

    /// HEADERS / PUSH_PROMISE / CONTINUATION header blocks of one direction's HTTP/2 frames.
    static func headerBlocks(_ stream: ArraySlice<UInt8>) -> [[UInt8]] {
        var blocks: [[UInt8]] = []
        var pending: [UInt8]?
        var index = stream.startIndex
        while index + 9 <= stream.endIndex {
            let length = Int(stream[index]) << 16 | Int(stream[index + 1]) << 8 | Int(stream[index + 2])
            let type = HTTP2FrameType(rawValue: stream[index + 3])
            let flags = HTTP2Flags(rawValue: stream[index + 4])
            let start = index + 9
            guard start + length <= stream.endIndex else { break }
            var payload = stream[start..<start + length]
            index = start + length
            if type == .headers || type == .pushPromise {
                if flags.contains(.padded), let pad = payload.first {
                    payload = payload.dropFirst().dropLast(Int(pad))
                }
                if type == .headers && flags.contains(.priority) { payload = payload.dropFirst(5) }
                if type == .pushPromise { payload = payload.dropFirst(4) }
                pending = Array(payload)
            } else if type == .continuation {
                pending?.append(contentsOf: payload)
            } else {
                continue
            }
            if flags.contains(.endHeaders), let block = pending {
                blocks.append(block)
                pending = nil
            }
        }
        return blocks
    }

    /// Each HTTP/2 connection's header blocks per direction, from the frames' start (after
    /// the client's preface; after the 101 for an h2c upgrade). Connections without a
    /// preface (HTTP/1.1, TLS) are left out.
    static func sampleHeaderBlocks(_ path: String) throws -> [[[UInt8]]] {
        let (recorded, _) = try TestEnvironment.reassemble([path])
        let preface = HTTP2FrameParser.connectionPreface
        var result: [[[UInt8]]] = []
        for connection in recorded.streams.keys.sorted() {
            let client = recorded.bytes(connection, .clientToServer)
            let server = recorded.bytes(connection, .serverToClient)
            guard let at = client.firstRange(of: preface) else { continue }
            var serverStart = server.startIndex
            if server.starts(with: Array("HTTP/1.1 101".utf8)),
                let end = server.firstRange(of: Array("\r\n\r\n".utf8))
            {
                serverStart = end.upperBound
            }
            result.append(headerBlocks(client[at.upperBound...]))
            result.append(headerBlocks(server[serverStart...]))
        }
        return result
    }

    @Test("every sample's header blocks: this decoder from the start equals NIOHPACK exactly")
    func differentialOverSamples() throws {
        var compared = 0
        let root = TestEnvironment.samplesDirectory
        let samples = (FileManager.default.subpaths(atPath: root.path) ?? []).filter {
            $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng")
        }.sorted().map { root.appendingPathComponent($0) }
        // The shared corpus too, when it is there (CONTINUATION, table size updates).
        let captures = samples + TestEnvironment.corpusCaptures
        for capture in captures {
            for blocks in try Self.sampleHeaderBlocks(capture.path) {
                var reference = HPACKDecoder(
                    allocator: ByteBufferAllocator(), maxDynamicTableSize: HTTP2Dissector.maxHeaderTableSize,
                    maxHeaderListSize: HTTP2Dissector.maxHeaderListSize)
                var decoder = PartialHPACKDecoder(
                    maxTableSize: HTTP2Dissector.maxHeaderTableSize,
                    maxHeaderListSize: HTTP2Dissector.maxHeaderListSize,
                    historyKnown: true)
                for block in blocks {
                    var buffer = ByteBufferAllocator().buffer(bytes: block)
                    let expected = try reference.decodeHeaders(from: &buffer).map {
                        Field(name: $0.name, value: $0.value)
                    }
                    #expect(try decoder.decode(block) == expected, "\(capture.lastPathComponent)")
                    compared += 1
                }
            }
        }
        #expect(compared >= 60, "header blocks compared: \(compared)")
        print("HPACK differential: \(compared) header blocks equal to NIOHPACK's")
    }

    // MARK: Acceptance: an h2 session cut after N requests

    /// nghttp2 indexes neither :path nor content-length: the tables stay as the first
    /// request left them, and what came before the cut stays unknown.
    static let sequentialSample = "http2/h2-sequential-h2load.pcap"
    /// python hpack indexes every field (an x-request-id each): the client's table turns
    /// over, the entries from before the cut are evicted and sent again, and it heals.
    static let healingSample = "http2/h2-sequential-python.pcap"
    static let requestCount = 120

    /// Every data chunk of a capture in arrival order.
    struct ChunkCollector: StreamSignalSink {
        var chunks: [(direction: Direction, offset: UInt64, bytes: [UInt8])] = []
        mutating func receive(_ signal: StreamSignal) {
            if case .data(let chunk) = signal { chunks.append((chunk.direction, chunk.offset, Array(chunk.bytes))) }
        }
    }

    static func headerEvents(_ sink: CollectingEventSink) -> [(Direction, HTTP2HeaderBlock)] {
        sink.events.compactMap {
            if case .h2Headers(let block) = $0.kind, let direction = $0.direction { (direction, block) } else { nil }
        }
    }

    @Test(
        "cut after N requests: fields from before the cut are placeholders, every other field is exact",
        arguments: [sequentialSample, healingSample], [3, 10, 20])
    func cutAfterRequests(_ sample: String, _ requests: Int) throws {
        let path = TestEnvironment.samplesDirectory.appendingPathComponent(sample).path
        var collector = ChunkCollector()
        var runner = CaptureRunner()
        runner.drive(try TestEnvironment.fixtureSource(paths: [path]), into: &collector)
        let chunks = collector.chunks
        var whole = Conversation(bytes: chunks.map { ($0.direction, $0.bytes) })
        whole.registry = .standard
        let full = Self.headerEvents(whole.run(.whole))
        #expect(full.filter { $0.0 == .clientToServer }.count == Self.requestCount)
        // The cut: from the packet that carries request N+1's HEADERS on; the blocks before
        // it (both directions) are not seen.
        let preface = HTTP2FrameParser.connectionPreface
        let requestChunks = chunks.indices.filter { index in
            let bytes = chunks[index].bytes
            let frames = bytes.starts(with: preface) ? bytes[preface.count...] : bytes[...]
            return chunks[index].direction == .clientToServer && !Self.headerBlocks(frames).isEmpty
        }
        try #require(requestChunks.count == Self.requestCount, "one packet per request")
        let first = requestChunks[requests]
        var late = Conversation(bytes: chunks[first...].map { ($0.direction, $0.bytes) })
        late.registry = .standard
        let sink = late.runAllSplittings()
        #expect(sink.findings.contains { $0.code == .detectedByContent })
        let errors = sink.findings.filter { $0.severity == .error }
        #expect(errors.isEmpty, "\(errors)")
        let cut = Self.headerEvents(sink)
        // The cut run's blocks are the uncut run's last ones, per direction.
        var unknownPerBlock: [String] = []
        for direction in [Direction.clientToServer, .serverToClient] {
            let expected = full.filter { $0.0 == direction }.map(\.1)
            let got = cut.filter { $0.0 == direction }.map(\.1)
            #expect(got.count == Self.requestCount - requests)
            for (block, truth) in zip(got, expected.suffix(got.count)) {
                #expect(!block.unreliable)
                #expect(block.fields.count == truth.fields.count)
                var unknown = 0
                for (field, real) in zip(block.fields, truth.fields) {
                    let nameUnknown = field.name.hasPrefix("<unknown: dynamic index ")
                    let valueUnknown = field.value.hasPrefix("<unknown: dynamic index ")
                    if nameUnknown || valueUnknown { unknown += 1 }
                    if !nameUnknown { #expect(field.name == real.name) }
                    if !valueUnknown { #expect(field.value == real.value) }
                }
                #expect(unknown == block.unknownFields)
                unknownPerBlock.append(
                    "\(direction.shortName) stream \(block.stream): \(unknown) of \(block.fields.count)")
            }
        }
        #expect(sink.findings.filter { $0.code == .http2HPACKHistoryMissing }.count == 1)
        if sample == Self.healingSample {
            // The client's 4 KiB table turns over: :authority and user-agent, inserted
            // before the cut, are evicted and sent again, known from then on. x-request-id
            // stays a field of unknown name: each request takes its name from the previous
            // request's entry, a chain that starts before the cut.
            let requests = cut.filter { $0.0 == .clientToServer }.map(\.1)
            #expect(requests.first?.unknownFields == 3)
            #expect(requests.last?.unknownFields == 1)
            #expect(requests.last?.fields.contains { $0.name == "user-agent" } == true)
        }
        print(
            "HPACK without history, \(sample) cut after \(requests) requests (unknown fields per block):"
        )
        for line in unknownPerBlock { print("  " + line) }
    }

    /// Which fields of a block refer to the dynamic table, and whether to an entry inserted
    /// since the cut, by the representations alone (§6): an independent count of what the
    /// decoder must know. Returns, per field, whether it must be known; `insertedSinceCut`
    /// lists the entries inserted since the cut (oldest first), whether their name is known.
    static func mustBeKnown(_ block: [UInt8], insertedSinceCut: inout [Bool]) throws -> [Bool] {
        var result: [Bool] = []
        var index = 0
        while index < block.count {
            let first = block[index]
            if first & 0xe0 == 0x20 {
                _ = try PartialHPACKDecoder.integer(block, at: &index, prefix: 5)
                continue
            }
            let indexed = first & 0x80 != 0
            let indexing = first & 0xc0 == 0x40
            let reference = try PartialHPACKDecoder.integer(
                block, at: &index, prefix: indexed ? 7 : (indexing ? 6 : 4))
            // An entry inserted since the cut is known when its name was (its value always is).
            let age = reference - HPACKStaticTable.firstDynamicIndex
            let known = age < 0 || (age < insertedSinceCut.count && insertedSinceCut[insertedSinceCut.count - 1 - age])
            if !indexed {
                if reference == 0 { _ = try PartialHPACKDecoder.string(block, at: &index) }
                _ = try PartialHPACKDecoder.string(block, at: &index)
            }
            if indexing { insertedSinceCut.append(known || reference == 0) }
            result.append(known)
        }
        return result
    }

    @Test(
        "cut after N requests, block by block: a field is known exactly when it refers to no entry from before the cut",
        arguments: [sequentialSample, healingSample], [1, 3, 10, 20])
    func knownExactlyWhenInsertedAfterCut(_ sample: String, _ requests: Int) throws {
        let path = TestEnvironment.samplesDirectory.appendingPathComponent(sample).path
        let directions = try Self.sampleHeaderBlocks(path)
        #expect(directions.count == 2)
        var unknownCounts: [Int] = []
        for blocks in directions {
            try #require(blocks.count == Self.requestCount)
            var reference = HPACKDecoder(
                allocator: ByteBufferAllocator(), maxDynamicTableSize: 4096,
                maxHeaderListSize: HTTP2Dissector.maxHeaderListSize)
            var decoder = Self.decoder(historyKnown: false)
            var inserted: [Bool] = []
            for (number, block) in blocks.enumerated() {
                var buffer = ByteBufferAllocator().buffer(bytes: block)
                let truth = try reference.decodeHeaders(from: &buffer)
                guard number >= requests else { continue }
                // Eviction removes the oldest entries only: an index below the count of
                // entries inserted since the cut still names one of them.
                let known = try Self.mustBeKnown(block, insertedSinceCut: &inserted)
                let fields = try decoder.decode(block)
                #expect(fields.count == truth.count)
                for (field, (real, mustKnow)) in zip(fields, zip(truth, known)) {
                    #expect(field.isKnown == mustKnow, "block \(number)")
                    if let name = field.name { #expect(name == real.name) }
                    if let value = field.value { #expect(value == real.value) }
                }
                unknownCounts.append(fields.filter { !$0.isKnown }.count)
            }
        }
        print(
            "HPACK \(sample) cut after \(requests) requests, unknown fields per block (c2s then s2c): \(unknownCounts)")
    }
}
