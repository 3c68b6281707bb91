import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// Issue 12: right answers on captures that start late, lose bytes or end early, with no
/// hints (no --decode-as).
@Suite("Detection and recovery without hints")
struct DetectionRecoveryTests {
    static let detection = TestEnvironment.samplesDirectory.appendingPathComponent("detection")

    static func analyze(_ path: String) throws -> CollectingEventSink {
        let sink = CollectingEventSink()
        var analyzer = TimelineAnalyzer(output: sink)
        var runner = CaptureRunner()
        runner.drive(try TestEnvironment.fixtureSource(paths: [path]), into: &analyzer)
        return sink
    }

    static func streams(_ sink: CollectingEventSink) -> [HTTP2StreamSummary] {
        sink.events.compactMap { if case .h2Stream(let stream) = $0.kind { stream } else { nil } }
    }

    static func rawChunks(_ sink: CollectingEventSink) -> Int {
        sink.events.filter { $0.tag == .rawData }.count
    }

    // MARK: Recorded captures

    @Test(
        "prior-knowledge h2c where the server's SETTINGS comes first (nghttpd) and client-first (Apache)",
        arguments: ["h2c-server-first-nghttpd.pcap", "h2c-server-first-apache.pcap"])
    func serverFirst(_ name: String) throws {
        let sink = try Self.analyze(Self.detection.appendingPathComponent(name).path)
        #expect(Self.rawChunks(sink) == 0)
        #expect(Self.streams(sink).map(\.status) == [200])
        #expect(Self.streams(sink).first?.responseBodyBytes == 29)
        #expect(sink.findings.filter { $0.severity != .info }.isEmpty, "\(sink.findings)")
    }

    @Test("nghttpd's SETTINGS is the first payload on the wire in the server-first sample")
    func serverSpokeFirst() throws {
        let sink = try Self.analyze(Self.detection.appendingPathComponent("h2c-server-first-nghttpd.pcap").path)
        let first = sink.events.first { $0.tag == .h2Settings }
        #expect(first?.direction == .serverToClient)
    }

    @Test("h2c inside a CONNECT tunnel: the tunnel is a new stream to classify")
    func connectTunnel() throws {
        let sink = try Self.analyze(Self.detection.appendingPathComponent("h2c-connect-tunnel.pcap").path)
        #expect(sink.upgrades.map(\.protocolName) == ["connect-tunnel"])
        #expect(Self.rawChunks(sink) == 0)
        #expect(Self.streams(sink).map(\.status) == [200])
        #expect(Self.streams(sink).first?.authority == "127.0.0.1:18612")
    }

    @Test("python websockets rejects a bad accept, a missing Connection: upgrade and an unoffered extension")
    func handshakeOutcomes() throws {
        let path = Self.detection.appendingPathComponent("ws-handshake-rejected.pcap").path
        let sink = try Self.analyze(path)
        let outcomes = sink.upgrades.map { $0.outcome }
        #expect(outcomes == [.established, .rejectedByClient(.fin), .rejectedByClient(.fin), .rejectedByClient(.fin)])
        let text = try InProcessCommand.timeline([path])
        #expect(text.text.contains("upgrades: websocket switched ×1, websocket rejected by the client ×3\n"))
        #expect(text.text.contains("══  rejected by the client (closed without a frame)"))
        let json = try InProcessCommand.timeline([path]) { $0.json = true }
        let summary = try #require(json.text.split(separator: "\n").last)
        #expect(summary.contains(#""upgrades":{"websocket":1}"#))
        #expect(summary.contains(#""rejected_by_client":{"websocket":3}"#))
        #expect(summary.contains(#""refused":{}"#))
    }

    // MARK: Late starts and cuts

    static func messages(_ sink: CollectingEventSink) -> [(Direction, WebSocketMessage)] {
        sink.events.compactMap {
            if case .wsMessage(let message) = $0.kind { ($0.direction ?? .clientToServer, message) } else { nil }
        }
    }

    /// Decodes `streams` from `cuts` (per direction) with `make`'s dissector, which is told
    /// nothing about boundaries; returns frame offsets and headers and the findings.
    static func decodeCut<D: UpgradedStreamDissector>(
        _ streams: [[UInt8]], from cuts: [Int], make: () -> D
    ) -> CollectingEventSink {
        let sink = CollectingEventSink()
        var events = EventBuffer(connection: 1)
        var dissector = make()
        for direction in [Direction.clientToServer, .serverToClient] {
            let stream = streams[direction.rawValue]
            var position = cuts[direction.rawValue]
            var packet: UInt64 = 1
            while position < stream.count {
                let end = min(stream.count, position + 1448)
                stream[position..<end].withUnsafeBytes {
                    dissector.receive(
                        $0, direction: direction, offset: UInt64(position),
                        capture: CaptureInfo(packetNumber: packet, timestamp: .zero), events: &events)
                }
                position = end
                packet += 1
            }
        }
        dissector.finish(capture: CaptureInfo(packetNumber: 0, timestamp: .zero), captureEnded: true, events: &events)
        for event in events.events { sink.receive(event) }
        return sink
    }

    static func frameOffsets(_ sink: CollectingEventSink, tag: TimelineEvent.Tag) -> [Direction: [UInt64]] {
        var result: [Direction: [UInt64]] = [:]
        for event in sink.events where event.tag == tag {
            result[event.direction ?? .clientToServer, default: []].append(event.offset ?? 0)
        }
        return result
    }

    @Test(
        "a WebSocket stream cut at a dozen random offsets: every frame after the resync point as in the uncut decode, no rule violations",
        arguments: ["websocket/ws-session-plain.pcap", "websocket/ws-session-deflate.pcap"])
    func webSocketCuts(_ sample: String) throws {
        let path = TestEnvironment.samplesDirectory.appendingPathComponent(sample).path
        let (recorded, _) = try TestEnvironment.reassemble([path])
        let full = try Self.analyze(path)
        let upgrade = try #require(full.upgrades.first)
        let streams = try #require(recorded.streams.values.first)
        let bytes = [streams[.clientToServer] ?? [], streams[.serverToClient] ?? []]
        let starts = [Int(upgrade.clientToServerOffset), Int(upgrade.serverToClientOffset)]
        let uncut = Self.decodeCut(bytes, from: starts) {
            WebSocketDissector(
                context: UpgradeContext(
                    protocolName: "websocket", request: nil, response: nil,
                    clientToServerOffset: UInt64(starts[0]), serverToClientOffset: UInt64(starts[1])))
        }
        let uncutFrames = Self.frameOffsets(uncut, tag: .wsFrame)
        var random = SplitRandom(seed: 12)
        for _ in 0..<12 {
            let cuts = (0..<2).map { side in
                starts[side] + Int(random.next() % UInt64(max(1, bytes[side].count - starts[side])))
            }
            let cut = Self.decodeCut(bytes, from: cuts) {
                var context = UpgradeContext(
                    protocolName: "websocket", request: nil, response: nil,
                    clientToServerOffset: UInt64(cuts[0]), serverToClientOffset: UInt64(cuts[1]))
                context.startsAtFrameBoundary = false
                return WebSocketDissector(context: context)
            }
            let cutFrames = Self.frameOffsets(cut, tag: .wsFrame)
            for direction in [Direction.clientToServer, .serverToClient] {
                let got = cutFrames[direction] ?? []
                let expected = (uncutFrames[direction] ?? []).filter { $0 >= UInt64(cuts[direction.rawValue]) }
                #expect(got == expected, "cut \(cuts) \(direction)")
            }
            let violations = cut.findings.filter {
                $0.severity != .info && $0.code != .websocketCompressionHistoryMissing
            }
            #expect(violations.isEmpty, "cut \(cuts): \(violations)")
        }
    }

    @Test(
        "HTTP/2 cut mid-frame: frames after the resync point as in the uncut decode",
        arguments: ["http2/h2-prior-knowledge-curl.pcap", "http2/rfc8441-websocket-over-h2.pcap"])
    func http2Cuts(_ sample: String) throws {
        let path = TestEnvironment.samplesDirectory.appendingPathComponent(sample).path
        let (recorded, _) = try TestEnvironment.reassemble([path])
        let streams = try #require(recorded.streams.values.first)
        let bytes = [streams[.clientToServer] ?? [], streams[.serverToClient] ?? []]
        let preface = ProtocolDetector.http2Preface.count
        let uncut = Self.decodeCut(bytes, from: [0, 0]) {
            HTTP2Dissector(
                context: UpgradeContext(
                    protocolName: "h2", request: nil, response: nil, clientToServerOffset: 0, serverToClientOffset: 0))
        }
        let uncutFrames = Self.frameOffsets(uncut, tag: .h2Frame)
        #expect((uncutFrames[.clientToServer] ?? []).count >= 3)
        var random = SplitRandom(seed: 2)
        for _ in 0..<12 {
            let cuts = [
                preface + Int(random.next() % UInt64(bytes[0].count - preface)),
                Int(random.next() % UInt64(bytes[1].count)),
            ]
            let cut = Self.decodeCut(bytes, from: cuts) {
                var context = UpgradeContext(
                    protocolName: "h2", request: nil, response: nil,
                    clientToServerOffset: UInt64(cuts[0]), serverToClientOffset: UInt64(cuts[1]))
                context.startsAtFrameBoundary = false
                return HTTP2Dissector(context: context)
            }
            let cutFrames = Self.frameOffsets(cut, tag: .h2Frame)
            for direction in [Direction.clientToServer, .serverToClient] {
                let got = cutFrames[direction] ?? []
                let expected = (uncutFrames[direction] ?? []).filter { $0 >= UInt64(cuts[direction.rawValue]) }
                #expect(got == expected, "cut \(cuts) \(direction)")
            }
            let misaligned = cut.findings.filter {
                [FindingCode.http2BadFrame, .http2FrameTooLarge, .http2ContinuationUnexpected, .http2PrefaceMissing]
                    .contains($0.code)
            }
            #expect(misaligned.isEmpty, "cut \(cuts): \(misaligned)")
        }
    }

    // MARK: Capture end

    @Test(
        "-c N: connections open when the count is reached close as capture-ended, nobody blamed",
        arguments: [14, 30, 60])
    func countCut(_ count: Int) throws {
        let path = TestEnvironment.samplesDirectory.appendingPathComponent("websocket/ws-session-plain.pcap").path
        let result = try InProcessCommand.timeline([path]) { $0.analysis.packetLimit = count }
        #expect(result.status == 0)
        #expect(result.text.contains("closed capture-ended (open, websocket"))
        #expect(!result.text.contains("closed_without_close_frame"))
        #expect(!result.text.contains("message_incomplete"))
        let json = try InProcessCommand.timeline([path]) {
            $0.analysis.packetLimit = count
            $0.json = true
        }
        #expect(json.text.contains(#""reason":"capture-ended","open_protocol":"websocket","in_flight":"#))
    }

    @Test("a truncated file: capture-ended, and the summary says so once, first")
    func truncatedFile() throws {
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = TestEnvironment.samplesDirectory.appendingPathComponent("websocket/ws-session-plain.pcap")
        let data = try Data(contentsOf: path)
        let truncated = directory.appendingPathComponent("truncated.pcap")
        try data.prefix(data.count / 3).write(to: truncated)
        let result = try InProcessCommand.timeline([truncated.path])
        #expect(result.status == 1)
        #expect(result.errorText.hasPrefix("switchpoint: "), "\(result.errorText)")
        let lines = result.text.split(separator: "\n").map(String.init)
        let summary = try #require(lines.firstIndex(of: "== summary"))
        #expect(lines[summary + 1].hasPrefix("input problem: "))
        #expect(lines.filter { $0.hasPrefix("input problem: ") }.count == 1)
        #expect(result.text.contains("closed capture-ended (open, websocket"))
        #expect(!result.text.contains("closed_without_close_frame"))
    }

    // MARK: TLS and HTTP/1.1

    @Test("TLS without keys: a HelloRetryRequest is one, not a ServerHello; no ALPN offered, none said to be encrypted")
    func tlsHellos() throws {
        // The HRR is a ServerHello whose random is the fixed SHA-256("HelloRetryRequest").
        var retry = TLSFixtures.serverHello(alpn: nil, tls13: true)
        retry.replaceSubrange(11..<43, with: TLSHelloRetryRequest.random)
        let sink = Conversation(bytes: [
            (.clientToServer, TLSFixtures.clientHello(serverName: "a.test", alpn: [], tls13: true)),
            (.serverToClient, retry),
            (.clientToServer, TLSFixtures.clientHello(serverName: "a.test", alpn: [], tls13: true)),
            (.serverToClient, TLSFixtures.serverHello(alpn: nil, tls13: true)),
        ]).runAllSplittings()
        let retries = sink.events.filter { $0.tag == .tlsHelloRetry }
        #expect(retries.count == 1)
        let servers = sink.events.compactMap { if case .tlsServerHello(let hello) = $0.kind { hello } else { nil } }
        #expect(
            servers == [
                TLSServerHello(
                    version: "TLS 1.3", alpn: nil, selectionEncrypted: false, cipherSuite: "TLS_AES_128_GCM_SHA256")
            ])
    }

    @Test("HTTP/1.1 cut mid-message: the next request and status lines are found, the rest decoded")
    func http1MidStream() throws {
        let path = TestEnvironment.samplesDirectory.appendingPathComponent("http-nginx-lo.pcap").path
        let (recorded, _) = try TestEnvironment.reassemble([path])
        let streams = try #require(recorded.streams[1])
        let client = try #require(streams[.clientToServer])
        let server = try #require(streams[.serverToClient])
        for (clientCut, serverCut) in [(10, 5), (60, 300), (3, 200)] {
            var conversation = Conversation(bytes: [
                (.clientToServer, Array(client[clientCut...])), (.serverToClient, Array(server[serverCut...])),
            ])
            conversation.registry = .standard
            let sink = conversation.runAllSplittings()
            let verdict = try #require(sink.findings.first { $0.code == .detectedByContent })
            #expect(verdict.message.hasPrefix("http by content: a request line after "))
            let targets = sink.events.compactMap {
                if case .httpRequest(let head) = $0.kind { head.target } else { nil }
            }
            #expect(targets == ["/data.json", "/missing.html"], "cuts \(clientCut) \(serverCut)")
            let statuses = sink.events.compactMap {
                if case .httpResponse(let head) = $0.kind { head.status } else { nil }
            }
            #expect(statuses == [200, 404], "cuts \(clientCut) \(serverCut)")
        }
    }

    /// Every data chunk of a capture in arrival order, with its packet.
    struct OrderedChunks: StreamSignalSink {
        var chunks: [(direction: Direction, offset: UInt64, bytes: [UInt8], capture: CaptureInfo)] = []
        mutating func receive(_ signal: StreamSignal) {
            if case .data(let chunk) = signal {
                chunks.append((chunk.direction, chunk.offset, Array(chunk.bytes), chunk.capture))
            }
        }
    }

    /// The capture's chunks from byte `cuts[direction]` of each direction on, through the
    /// whole analysis of a connection whose start was not seen (tcpdump started late).
    static func analyzeCut(
        _ chunks: [(direction: Direction, offset: UInt64, bytes: [UInt8], capture: CaptureInfo)], cuts: [UInt64],
        decodeAs: [UInt16: ProtocolID]
    ) -> CollectingEventSink {
        let sink = CollectingEventSink()
        var analyzer = TimelineAnalyzer(output: sink, decodeAs: decodeAs)
        let client = Endpoint(address: IPAddress("10.0.0.1")!, port: 40000)
        let server = Endpoint(address: IPAddress("10.0.0.2")!, port: 80)
        let start = chunks.first?.capture ?? CaptureInfo(packetNumber: 1, timestamp: .zero)
        analyzer.receive(
            .opened(
                ConnectionOpening(
                    connection: 1, client: client, server: server, roleEvidence: .portHeuristic, capture: start)))
        for chunk in chunks {
            let cut = cuts[chunk.direction.rawValue]
            let end = chunk.offset + UInt64(chunk.bytes.count)
            guard end > cut else { continue }
            let from = Int(cut > chunk.offset ? cut - chunk.offset : 0)
            chunk.bytes[from...].withUnsafeBytes {
                analyzer.receive(
                    .data(
                        StreamChunk(
                            connection: 1, direction: chunk.direction, offset: chunk.offset + UInt64(from), bytes: $0,
                            capture: chunk.capture)))
            }
        }
        let last = chunks.last?.capture ?? start
        analyzer.receive(
            .closed(
                ConnectionSummary(
                    connection: 1, client: client, server: server, roleEvidence: .portHeuristic, handshake: .none,
                    start: start.timestamp, end: last.timestamp, reason: .fin, clientToServer: DirectionStats(),
                    serverToClient: DirectionStats(), capture: last)))
        return sink
    }

    @Test(
        "the capture cut at a dozen random byte offsets, through the whole analysis, by content and with --decode-as: every message after the resync point as uncut, no rule violations",
        arguments: ["websocket/ws-session-plain.pcap", "websocket/ws-session-deflate.pcap"], [false, true])
    func endToEndCuts(_ sample: String, hinted: Bool) throws {
        let path = TestEnvironment.samplesDirectory.appendingPathComponent(sample).path
        var ordered = OrderedChunks()
        var runner = CaptureRunner()
        runner.drive(try TestEnvironment.fixtureSource(paths: [path]), into: &ordered)
        let full = try Self.analyze(path)
        let upgrade = try #require(full.upgrades.first)
        let fullMessages = Self.messages(full)
        let totals = [Direction.clientToServer, .serverToClient].map { direction in
            ordered.chunks.filter { $0.direction == direction }.map { $0.offset + UInt64($0.bytes.count) }.max() ?? 0
        }
        let starts = [upgrade.clientToServerOffset, upgrade.serverToClientOffset]
        var random = SplitRandom(seed: 1212)
        for _ in 0..<12 {
            let cuts = (0..<2).map { starts[$0] + random.next() % max(1, totals[$0] - starts[$0]) }
            let cut = Self.analyzeCut(ordered.chunks, cuts: cuts, decodeAs: hinted ? [80: .websocket] : [:])
            if !hinted {
                #expect(
                    cut.findings.first { $0.code == .detectedByContent }?.message.hasPrefix("websocket by content: ")
                        == true, "cuts \(cuts)")
            }
            let violations = cut.findings.filter {
                $0.severity != .info && $0.code != .websocketCompressionHistoryMissing
            }
            #expect(violations.isEmpty, "cuts \(cuts): \(violations)")
            for direction in [Direction.clientToServer, .serverToClient] {
                // Messages that began after the cut: the same as uncut (or of unknown
                // length when their compression history is missing).
                let got = cut.events.compactMap { event -> (UInt64, WebSocketMessage)? in
                    guard event.direction == direction, case .wsMessage(let message) = event.kind else { return nil }
                    return (event.offset ?? 0, message)
                }
                let expected = full.events.compactMap { event -> (UInt64, WebSocketMessage)? in
                    guard event.direction == direction, case .wsMessage(let message) = event.kind,
                        let offset = event.offset, offset >= cuts[direction.rawValue]
                    else { return nil }
                    return (offset, message)
                }
                #expect(got.map(\.0) == expected.map(\.0), "cuts \(cuts) \(direction)")
                for ((_, message), (_, reference)) in zip(got, expected) where !message.lengthUnknown {
                    if message.recovery != nil {
                        #expect(DeflateHistoryRecoveryTests.knownBytesAgree(message, reference), "cuts \(cuts)")
                    } else {
                        #expect(message == reference, "cuts \(cuts) \(direction)")
                    }
                }
            }
        }
        #expect(fullMessages.count >= 10)
    }

    @Test(
        "HTTP/2 captured mid-connection, cut at random offsets in its first half: http2 by content, the frames after the boundary as uncut"
    )
    func http2ByContent() throws {
        let path = TestEnvironment.samplesDirectory.appendingPathComponent("http2/rfc8441-websocket-over-h2.pcap").path
        var ordered = OrderedChunks()
        var runner = CaptureRunner()
        runner.drive(try TestEnvironment.fixtureSource(paths: [path]), into: &ordered)
        let full = try Self.analyze(path)
        let totals = [Direction.clientToServer, .serverToClient].map { direction in
            ordered.chunks.filter { $0.direction == direction }.map { $0.offset + UInt64($0.bytes.count) }.max() ?? 0
        }
        var random = SplitRandom(seed: 88)
        for _ in 0..<6 {
            let cuts = (0..<2).map { 24 + random.next() % (totals[$0] / 2) }
            let cut = Self.analyzeCut(ordered.chunks, cuts: cuts, decodeAs: [:])
            #expect(
                cut.findings.first { $0.code == .detectedByContent }?.message.hasPrefix("http2 by content: ") == true,
                "cuts \(cuts): \(cut.findings)")
            for direction in [Direction.clientToServer, .serverToClient] {
                let got = cut.events.filter { $0.tag == .h2Frame && $0.direction == direction && $0.stream == nil }
                    .compactMap(\.offset)
                let expected = full.events.filter {
                    $0.tag == .h2Frame && $0.direction == direction && $0.stream == nil
                }.compactMap(\.offset)
                #expect(Array(expected.suffix(got.count)) == got && !got.isEmpty, "cuts \(cuts) \(direction)")
            }
            let misaligned = cut.findings.filter {
                [FindingCode.http2BadFrame, .http2FrameTooLarge, .http2ContinuationUnexpected, .http2PrefaceMissing]
                    .contains($0.code)
            }
            #expect(misaligned.isEmpty, "cuts \(cuts): \(misaligned)")
        }
    }
}
