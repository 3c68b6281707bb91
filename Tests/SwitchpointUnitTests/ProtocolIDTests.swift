import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// `--decode-as` and `--protocol` names resolve through the registry's `ProtocolID`s: every
/// spelling accepted before still is, unknown names are refused, and a handler registered
/// with a new identity is selectable by both with no other edit.
@Suite("Protocol identity and name resolution")
struct ProtocolIDTests {
    @Test("every --decode-as spelling resolves through the standard registry, without case")
    func decodeAsSpellings() {
        let registry = DissectorRegistry.standard
        let expected: [(String, ProtocolID)] = [
            ("websocket", .websocket), ("WebSocket", .websocket), ("http2", .http2), ("HTTP2", .http2),
            ("h2", .http2), ("H2", .http2), ("http", .http1), ("HTTP", .http1), ("tls", .tls), ("TLS", .tls),
            ("raw", .raw), ("Raw", .raw),
        ]
        for (name, id) in expected {
            #expect(registry.decodeAsProtocol(named: name) == id, "\(name)")
        }
        #expect(registry.decodeAsNames == ["websocket", "http2", "h2", "http", "tls", "raw"])
        #expect(registry.decodeAsHelpList == "websocket, http2 (or h2), http, tls or raw")
    }

    @Test("every --protocol spelling resolves to the traits it selected before")
    func protocolSpellings() {
        let expected: [(String, ConnectionTraits)] = [
            ("websocket", .websocket), ("WEBSOCKET", .websocket), ("http2", .http2), ("http1", .http1),
            ("tls", .tls), ("raw", .raw),
        ]
        for (name, traits) in expected {
            var selection = TimelineSelection()
            let selected = selection.selectProtocol(named: name, registry: .standard)
            #expect(selected, "\(name)")
            #expect(selection.protocolName == traits, "\(name)")
        }
        #expect(DissectorRegistry.standard.selectionNames == ["websocket", "http2", "http1", "tls", "raw"])
        #expect(
            TimelineSelection.protocolNames(in: .standard)
                == ["websocket", "http2", "http1", "tls", "raw"] + DissectorRegistry.standard.interpreters.names)
    }

    @Test("unknown names are refused by both, tokens and canonical names that are not spellings included")
    func unknownNames() {
        let registry = DissectorRegistry.standard
        for name in ["foo", "h2c", "ws", "http3", "http1", "tcp", "docker-attach", "connect-tunnel", ""] {
            #expect(registry.decodeAsProtocol(named: name) == nil, "\(name)")
        }
        for name in ["ftp", "h2", "h2c", "http", "tcp", "docker-attach", "connect-tunnel", ""] {
            var selection = TimelineSelection()
            let selected = selection.selectProtocol(named: name, registry: registry)
            #expect(!selected, "\(name)")
            #expect(selection.protocolName == nil, "\(name)")
        }
    }

    @Test("upgrade tokens match without case or version; the traits of an upgrade come from its handler")
    func upgradeTokens() {
        #expect(ProtocolID.websocket.matches(token: "WebSocket"))
        #expect(ProtocolID.websocket.matches(token: "websocket/13"))
        #expect(ProtocolID.http2.matches(token: "h2c") && ProtocolID.http2.matches(token: "H2"))
        #expect(!ProtocolID.http2.matches(token: "http2"))
        #expect(ProtocolID.http2.token == "h2" && ProtocolID.websocket.token == "websocket")
        #expect(ProtocolID.raw.token == "raw")
        #expect(DissectorRegistry.standard.handler(named: "TCP").protocolID == .dockerAttach)
        #expect(DissectorRegistry.standard.handler(named: "spdy/3").protocolID == .raw)
        #expect(ConnectionTraits(upgradedTo: "h2c") == .http2)
        #expect(ConnectionTraits(upgradedTo: "WebSocket") == .websocket)
        #expect(ConnectionTraits(upgradedTo: "tcp") == .raw)
        #expect(ConnectionTraits(upgradedTo: "spdy/3") == .raw)
    }

    @Test("a handler registered with a new ProtocolID is accepted by --decode-as and --protocol, nothing else edited")
    func registeredHandlerIsSelectable() throws {
        var registry = DissectorRegistry.standard
        registry.register(FakeUpgradeHandler())
        #expect(DissectorRegistry.standard.decodeAsProtocol(named: "fake") == nil)

        #expect(registry.decodeAsProtocol(named: "FAKE") == .fake)
        #expect(registry.decodeAsProtocol(named: "fk") == .fake)
        #expect(registry.decodeAsNames == ["websocket", "http2", "h2", "fake", "fk", "http", "tls", "raw"])
        #expect(registry.decodeAsHelpList == "websocket, http2 (or h2), fake (or fk), http, tls or raw")
        #expect(registry.handler(named: "Fake/2").protocolID == .fake)

        // Decoded from the first byte by its own dissector.
        let analysis = ConnectionAnalysis(id: 1, registry: registry, limits: HTTP1Limits(), decodeAs: .fake)
        var events = EventBuffer(connection: 1)
        Array("hello".utf8).withUnsafeBytes {
            analysis.receive(
                $0, direction: .clientToServer, offset: 0, capture: CaptureInfo(packetNumber: 1, timestamp: .zero),
                events: &events)
        }
        let chunk = try #require(
            events.events.compactMap { event -> RawChunk? in
                guard case .rawData(let chunk) = event.kind else { return nil }
                return chunk
            }.first)
        #expect(chunk.protocolName == "fake dissector for fake")

        // Selected by `--protocol`: a connection that upgraded to it, and no other.
        var selection = TimelineSelection()
        let selected = selection.selectProtocol(named: "Fake", registry: registry)
        #expect(selected)
        #expect(selection.protocolName == .selectedProtocol && selection.selectedProtocol == .fake)
        #expect(
            TimelineSelection.protocolNames(in: registry).prefix(6) == [
                "websocket", "http2", "fake", "http1", "tls", "raw",
            ])
        #expect(selection.admits(selection.traits(shownBy: Self.upgrade(to: "fake/1"))))
        #expect(!selection.admits(selection.traits(shownBy: Self.upgrade(to: "websocket"))))
    }

    @Test("a first-byte decoder registered with a new ProtocolID is a --decode-as target, started by its factory")
    func registeredFirstByteDecoder() throws {
        var registry = DissectorRegistry()
        let lines = ProtocolID(name: "lines", decodeAsNames: ["lines"], selectionName: "lines", traits: .raw)
        registry.register(FirstByteDecoder(lines) { _ in .dissector(RawStreamDissector(protocolName: "lines")) })
        #expect(registry.decodeAsProtocol(named: "Lines") == lines)
        #expect(registry.decodeAsNames == ["websocket", "http", "tls", "raw", "lines"])
        #expect(registry.selectableProtocol(named: "LINES") == lines)
        let context = FirstByteDecoder.Context(
            stream: UpgradeContext(
                protocolName: lines.token, request: nil, response: nil, clientToServerOffset: 0,
                serverToClientOffset: 0),
            connection: 1)
        guard case .dissector(let dissector) = registry.startFromFirstByte(lines, context) else {
            Issue.record("not started as a dissector")
            return
        }
        #expect((dissector as? RawStreamDissector)?.protocolName == "lines")
        guard case .http1 = registry.startFromFirstByte(.http1, context) else {
            Issue.record("HTTP/1 not started as the HTTP/1 session")
            return
        }
    }

    @Test("the finding for a connection nothing recognised lists the registry's --decode-as protocols")
    func notRecognisedHint() throws {
        var registry = DissectorRegistry.standard
        #expect(try Self.notRecognisedMessage(registry).hasSuffix("(or http2, http, tls, raw for those)"))
        registry.register(FakeUpgradeHandler())
        #expect(try Self.notRecognisedMessage(registry).hasSuffix("(or http2, fake, http, tls, raw for those)"))
    }

    /// The `detect.unknown` message for a mid-stream connection of random bytes.
    static func notRecognisedMessage(_ registry: DissectorRegistry) throws -> String {
        var random = SplitRandom(seed: 23)
        let sink = EventCollector()
        var analyzer = TimelineAnalyzer(output: sink, registry: registry)
        let client = Endpoint(address: try #require(IPAddress("10.0.0.1")), port: 40000)
        let server = Endpoint(address: try #require(IPAddress("10.0.0.2")), port: 8765)
        let start = CaptureInfo(packetNumber: 1, timestamp: .zero)
        analyzer.receive(
            .opened(
                ConnectionOpening(
                    connection: 1, client: client, server: server, roleEvidence: .portHeuristic, capture: start)))
        for direction in [Direction.clientToServer, .serverToClient] {
            random.bytes(count: 1448).withUnsafeBytes {
                analyzer.receive(
                    .data(
                        StreamChunk(
                            connection: 1, direction: direction, offset: 0, bytes: $0,
                            capture: CaptureInfo(packetNumber: 2, timestamp: .zero))))
            }
        }
        analyzer.receive(
            .closed(
                ConnectionSummary(
                    connection: 1, client: client, server: server, roleEvidence: .portHeuristic, handshake: .none,
                    start: .zero, end: .zero, reason: .fin, clientToServer: DirectionStats(),
                    serverToClient: DirectionStats(), capture: CaptureInfo(packetNumber: 3, timestamp: .zero))))
        return try #require(sink.findings.first { $0.code == .detectedNothing }).message
    }

    static func upgrade(to token: String) -> TimelineEvent {
        TimelineEvent(
            timestamp: .zero, connection: 1, packet: 1, direction: .serverToClient, offset: 0,
            kind: .upgrade(
                UpgradeSwitch(
                    protocolName: token, status: 101, clientToServerOffset: 0, serverToClientOffset: 0,
                    latencyMilliseconds: 0, target: "/", details: [])))
    }
}

extension ProtocolID {
    /// A protocol switchpoint does not ship: what a new handler declares.
    fileprivate static let fake = ProtocolID(
        name: "fake", upgradeTokens: ["fake"], decodeAsNames: ["fake", "fk"], selectionName: "fake")
}

/// A handler for `Upgrade: fake` whose stream can also be decoded from its first byte.
private struct FakeUpgradeHandler: UpgradeHandler {
    var protocolID: ProtocolID { .fake }

    func makeDissector(_ context: UpgradeContext) -> (any UpgradedStreamDissector)? {
        RawStreamDissector(protocolName: "fake dissector for \(context.protocolName)")
    }
}
