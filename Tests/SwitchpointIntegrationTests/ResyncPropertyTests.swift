import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// Issue 12's property: frame-header chains never call random bytes or other protocols
/// WebSocket or HTTP/2, and resynchronization finds the true frame boundary after almost
/// every cut of a real stream.
@Suite("Content detection and resynchronization properties")
struct ResyncPropertyTests {
    @Test("10,000 random byte strings: no websocket or http2 verdict, one direction or both")
    func randomStrings() {
        var random = SplitRandom(seed: 2026)
        var falsePositives: [String] = []
        var previous: [UInt8] = []
        for index in 0..<10_000 {
            let bytes = random.bytes(count: 16 + Int(random.next() % 2048))
            for final in [false, true] {
                for (client, server) in [(bytes, [UInt8]()), ([], bytes), (bytes, previous)] {
                    if let verdict = ContentClassifier.classify(client: client, server: server, final: final) {
                        falsePositives.append("string \(index): \(verdict.evidence)")
                    }
                }
            }
            previous = bytes
        }
        #expect(falsePositives.isEmpty, "\(falsePositives.count) false positives: \(falsePositives.prefix(5))")
    }

    /// Both directions' streams of every connection in these captures.
    static func streams(_ paths: [URL]) throws -> [[[UInt8]]] {
        var result: [[[UInt8]]] = []
        for path in paths {
            let (sink, _) = try TestEnvironment.reassemble([path.path])
            for id in sink.streams.keys.sorted() {
                let both = sink.streams[id] ?? [:]
                result.append([both[.clientToServer] ?? [], both[.serverToClient] ?? []])
            }
        }
        return result
    }

    static var otherProtocolSamples: [URL] {
        [
            TestEnvironment.samplesDirectory.appendingPathComponent("http-nginx-lo.pcap"),
            TestEnvironment.samplesDirectory.appendingPathComponent("http2/h2c-upgrade-ignored.pcap"),
        ]
            + TestEnvironment.captures(in: TestEnvironment.samplesDirectory.appendingPathComponent("tls"))
    }

    @Test("random-offset cuts of HTTP/1 and TLS streams: no websocket or http2 verdict, tls only for TLS")
    func otherProtocols() throws {
        try Self.expectNoVerdict(Self.otherProtocolSamples, minimumConnections: 5)
    }

    @Test(
        "random-offset cuts of a raw terminal stream (Docker attach) among them: no websocket or http2 verdict",
        .enabled(if: TestEnvironment.corpusAvailable, TestEnvironment.corpusMissingMessage))
    func otherProtocolsWithTerminal() throws {
        let docker = TestEnvironment.corpusDirectory.appendingPathComponent("upgrade-tcp-docker-attach.pcap")
        try #require(FileManager.default.fileExists(atPath: docker.path), "fixture missing: \(docker.path)")
        try Self.expectNoVerdict(Self.otherProtocolSamples + [docker], minimumConnections: 6)
    }

    /// 2,000 random cuts of the connections in `paths`: the content classifier calls none
    /// of them websocket or http2, and only those of TLS connections tls.
    static func expectNoVerdict(_ paths: [URL], minimumConnections: Int) throws {
        let tlsPaths = paths.filter { $0.path.contains("/tls/") }
        let tls = try Self.streams(tlsPaths).filter { !$0[0].isEmpty || !$0[1].isEmpty }
        let others = try Self.streams(paths.filter { !$0.path.contains("/tls/") }).filter {
            !$0[0].isEmpty || !$0[1].isEmpty
        }
        let connections = tls.map { ($0, true) } + others.map { ($0, false) }
        #expect(connections.count >= minimumConnections)
        var random = SplitRandom(seed: 99)
        var falsePositives: [String] = []
        var cuts = 0
        for _ in 0..<2_000 {
            let (pair, isTLS) = connections[Int(random.next() % UInt64(connections.count))]
            let cut = pair.map { stream -> [UInt8] in
                guard !stream.isEmpty else { return [] }
                let start = Int(random.next() % UInt64(stream.count))
                return Array(stream[start..<min(stream.count, start + ConnectionAnalysis.maxDetectionBytes)])
            }
            cuts += 1
            for final in [false, true] {
                if let verdict = ContentClassifier.classify(client: cut[0], server: cut[1], final: final),
                    verdict.protocolKind != .tls || !isTLS
                {
                    falsePositives.append(verdict.evidence)
                }
            }
        }
        #expect(cuts == 2_000)
        #expect(falsePositives.isEmpty, "\(falsePositives.count) false positives: \(falsePositives.prefix(5))")
    }

    /// True frame offsets of a stream, from the dissector reading it from its start.
    static func boundaries<D: UpgradedStreamDissector>(
        _ stream: [UInt8], direction: Direction, start: Int, tag: TimelineEvent.Tag, make: () -> D
    ) -> [Int] {
        var events = EventBuffer(connection: 1)
        var dissector = make()
        stream[start...].withUnsafeBytes {
            dissector.receive(
                $0, direction: direction, offset: UInt64(start),
                capture: CaptureInfo(packetNumber: 1, timestamp: .zero), events: &events)
        }
        return events.events.filter { $0.tag == tag && $0.direction == direction && $0.stream == nil }.map {
            Int($0.offset ?? 0)
        }
    }

    /// Cuts each stream inside random frames (a frame picked at random, then an offset in
    /// its first 4 KiB) and counts how often the search lands on the next true boundary.
    static func resyncRate(
        _ cases: [(stream: [UInt8], direction: Direction, boundaries: [Int])], rule: some FrameChainRule,
        cuts: Int, seed: UInt64
    ) -> (hits: Int, total: Int, misses: [String]) {
        var random = SplitRandom(seed: seed)
        var hits = 0
        var misses: [String] = []
        let usable = cases.filter { !$0.boundaries.isEmpty }
        for _ in 0..<cuts {
            let chosen = usable[Int(random.next() % UInt64(usable.count))]
            let frame = Int(random.next() % UInt64(chosen.boundaries.count))
            let frameStart = chosen.boundaries[frame]
            let frameEnd = frame + 1 < chosen.boundaries.count ? chosen.boundaries[frame + 1] : chosen.stream.count
            let cut = frameStart + 1 + Int(random.next() % UInt64(max(1, min(frameEnd - frameStart - 1, 4096))))
            guard cut < chosen.stream.count else {
                hits += 1
                continue
            }
            var resync = FrameResync(from: UInt64(cut))
            chosen.stream[cut...].withUnsafeBytes {
                resync.append($0, offset: UInt64(cut), capture: CaptureInfo(packetNumber: 1, timestamp: .zero))
            }
            let found = resync.search(rule, direction: chosen.direction, final: true).map { cut + $0 }
            let expected = chosen.boundaries.first { $0 >= cut }
            if found == expected {
                hits += 1
            } else {
                misses.append(
                    "cut \(cut): found \(found.map(String.init) ?? "none"), true \(expected.map(String.init) ?? "none")"
                )
            }
        }
        return (hits, cuts, misses)
    }

    @Test("WebSocket resync finds the true boundary in at least 99% of cuts of real streams")
    func webSocketResync() throws {
        var cases: [(stream: [UInt8], direction: Direction, boundaries: [Int])] = []
        for name in [
            "websocket/ws-session-plain.pcap", "websocket/ws-session-deflate.pcap",
            "websocket/ws-session-deflate-params.pcap", "ws-echo-veth.pcap",
        ] {
            let path = TestEnvironment.samplesDirectory.appendingPathComponent(name).path
            let sink = CollectingEventSink()
            var analyzer = TimelineAnalyzer(output: sink)
            var runner = CaptureRunner()
            runner.drive(try TestEnvironment.fixtureSource(paths: [path]), into: &analyzer)
            let upgrade = try #require(sink.upgrades.first, "\(name)")
            let streams = try #require(try Self.streams([URL(fileURLWithPath: path)]).first)
            for direction in [Direction.clientToServer, .serverToClient] {
                let start = Int(
                    direction == .clientToServer ? upgrade.clientToServerOffset : upgrade.serverToClientOffset)
                let stream = streams[direction.rawValue]
                let found = Self.boundaries(stream, direction: direction, start: start, tag: .wsFrame) {
                    WebSocketDissector(
                        context: UpgradeContext(
                            protocolName: "websocket", request: nil, response: nil, clientToServerOffset: 0,
                            serverToClientOffset: 0))
                }
                cases.append((stream, direction, found))
            }
        }
        let (hits, total, misses) = Self.resyncRate(cases, rule: WebSocketFrameChainRule(), cuts: 2_000, seed: 5)
        print("websocket resync: \(hits)/\(total) cuts found the true boundary; misses: \(misses.prefix(12))")
        #expect(Double(hits) >= 0.99 * Double(total), "\(hits)/\(total): \(misses.prefix(12))")
    }

    @Test("HTTP/2 resync finds the true boundary in at least 99% of cuts of real streams")
    func http2Resync() throws {
        var cases: [(stream: [UInt8], direction: Direction, boundaries: [Int])] = []
        for name in [
            "http2/h2-prior-knowledge-curl.pcap", "http2/rfc8441-websocket-over-h2.pcap",
            "detection/h2c-server-first-nghttpd.pcap",
            "detection/h2c-server-first-apache.pcap",
        ] {
            let streams = try Self.streams([TestEnvironment.samplesDirectory.appendingPathComponent(name)])
            for pair in streams {
                for direction in [Direction.clientToServer, .serverToClient] {
                    let stream = pair[direction.rawValue]
                    guard !stream.isEmpty else { continue }
                    let found = Self.boundaries(stream, direction: direction, start: 0, tag: .h2Frame) {
                        HTTP2Dissector(
                            context: UpgradeContext(
                                protocolName: "h2", request: nil, response: nil, clientToServerOffset: 0,
                                serverToClientOffset: 0))
                    }
                    cases.append((stream, direction, found))
                }
            }
        }
        let (hits, total, misses) = Self.resyncRate(cases, rule: HTTP2FrameChainRule(), cuts: 2_000, seed: 6)
        print("http2 resync: \(hits)/\(total) cuts found the true boundary; misses: \(misses.prefix(12))")
        #expect(Double(hits) >= 0.99 * Double(total), "\(hits)/\(total): \(misses.prefix(12))")
    }

    @Test("long random streams both ways (slid past the first 16 KiB): shown raw, never websocket or http2")
    func longRandomStreams() {
        var random = SplitRandom(seed: 4242)
        let sink = CollectingEventSink()
        var analyzer = TimelineAnalyzer(output: sink)
        let client = Endpoint(address: IPAddress("10.0.0.1")!, port: 40000)
        let server = Endpoint(address: IPAddress("10.0.0.2")!, port: 80)
        let capture = CaptureInfo(packetNumber: 1, timestamp: .zero)
        let connections = 6
        let length = 768 * 1024
        for id in 1...connections {
            let connection = ConnectionID(id)
            analyzer.receive(
                .opened(
                    ConnectionOpening(
                        connection: connection, client: client, server: server, roleEvidence: .portHeuristic,
                        capture: capture)))
            let streams = [random.bytes(count: length), random.bytes(count: length)]
            var offset = 0
            while offset < length {
                for direction in [Direction.clientToServer, .serverToClient] {
                    streams[direction.rawValue][offset..<min(length, offset + 1448)].withUnsafeBytes {
                        analyzer.receive(
                            .data(
                                StreamChunk(
                                    connection: connection, direction: direction, offset: UInt64(offset), bytes: $0,
                                    capture: capture)))
                    }
                }
                offset += 1448
            }
            analyzer.receive(
                .closed(
                    ConnectionSummary(
                        connection: connection, client: client, server: server, roleEvidence: .portHeuristic,
                        handshake: .none, start: .zero, end: .zero, reason: .fin, clientToServer: DirectionStats(),
                        serverToClient: DirectionStats(), capture: capture)))
        }
        #expect(
            !sink.findingCodes.contains("detect.by_content"),
            "\(sink.findings.filter { $0.code == .detectedByContent })")
        #expect(sink.findingCodes.filter { $0 == "detect.unknown" }.count == connections)
        let shown = sink.events.reduce(0) { total, event in
            if case .rawData(let chunk) = event.kind { total + chunk.length } else { total }
        }
        #expect(shown == connections * 2 * length)
    }
}
