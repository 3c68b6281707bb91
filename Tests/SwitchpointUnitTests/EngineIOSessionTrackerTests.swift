import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// The Engine.IO session across connections, on a scripted timeline: polling on two
/// connections (v4 bodies separated by 0x1E), then a WebSocket with the same sid.
@Suite("Engine.IO sessions across connections")
struct EngineIOSessionTrackerTests {
    struct Timeline {
        var events: [TimelineEvent] = []
        var packet: UInt64 = 0

        mutating func add(
            _ connection: ConnectionID, _ direction: Direction?, after milliseconds: Int64 = 1,
            _ kind: TimelineEvent.Kind
        ) {
            packet += 1
            let capture = InterpreterScript.capture(packet: packet, milliseconds: Int64(packet) * milliseconds)
            events.append(
                TimelineEvent(
                    timestamp: capture.timestamp, connection: connection, packet: packet, direction: direction,
                    offset: 0, kind: kind))
        }

        mutating func poll(
            _ connection: ConnectionID, method: String, sid: String?, request: String?, response: String?
        ) {
            let target = "/socket.io/?EIO=4&transport=polling" + (sid.map { "&sid=\($0)" } ?? "")
            add(
                connection, .clientToServer,
                .httpRequest(
                    HTTPRequestHead(method: method, target: target, version: "HTTP/1.1", headers: HTTPHeaders())))
            if let request {
                add(
                    connection, .clientToServer,
                    .httpBody(
                        length: UInt64(request.utf8.count), chunked: false, kept: Array(request.utf8), keptAll: true))
            }
            add(
                connection, .serverToClient,
                .httpResponse(HTTPResponseHead(version: "HTTP/1.1", status: 200, reason: "OK", headers: HTTPHeaders())))
            if let response {
                add(
                    connection, .serverToClient,
                    .httpBody(
                        length: UInt64(response.utf8.count), chunked: false, kept: Array(response.utf8), keptAll: true))
            }
        }

        mutating func webSocketText(_ connection: ConnectionID, _ direction: Direction, _ text: String) {
            add(
                connection, direction,
                .wsMessage(
                    WebSocketMessage(
                        opcode: WebSocketOpcode.text.rawValue, length: UInt64(text.utf8.count),
                        wireLength: UInt64(text.utf8.count),
                        frames: 1, compressed: false, kept: Array(text.utf8), keptAll: true, complete: true)))
        }
    }

    static func run(_ timeline: Timeline) -> (tracker: EngineIOSessionTracker, outputs: [EngineIOSessionTracker.Output])
    {
        var tracker = EngineIOSessionTracker()
        var outputs: [EngineIOSessionTracker.Output] = []
        for event in timeline.events { tracker.receive(event, output: &outputs) }
        return (tracker, outputs)
    }

    static func lines(_ outputs: [EngineIOSessionTracker.Output]) -> [String] {
        outputs.map { output in
            switch output.item {
            case .application(let event): "\(output.connection) \(event.operation) \(event.summary)"
            case .finding(let finding): "\(output.connection) ! \(finding.code.rawValue)"
            }
        }
    }

    @Test("polling on conn 1 and 2, then the WebSocket on conn 3: one story at the switch")
    func story() throws {
        var timeline = Timeline()
        timeline.poll(1, method: "GET", sid: nil, request: nil, response: SocketIOInterpreterTests.open)
        timeline.poll(2, method: "POST", sid: "Ab3xyz", request: "40\u{1E}" + #"42["hi"]"#, response: "ok")
        timeline.poll(1, method: "GET", sid: "Ab3xyz", request: nil, response: #"40{"sid":"n1"}"# + "\u{1E}2")
        let upgrade = UpgradeSwitch(
            protocolName: "websocket", status: 101, clientToServerOffset: 0, serverToClientOffset: 0,
            latencyMilliseconds: 1, target: "/socket.io/?EIO=4&transport=websocket&sid=Ab3xyz", details: [])
        timeline.add(3, nil, .upgrade(upgrade))
        timeline.webSocketText(3, .clientToServer, "2probe")
        timeline.webSocketText(3, .serverToClient, "3probe")
        timeline.webSocketText(3, .clientToServer, "5")
        let (tracker, outputs) = Self.run(timeline)
        let lines = Self.lines(outputs)
        #expect(
            Array(lines.prefix(5)) == ["1 open Ab3xyz", "2 CONNECT /", "2 EVENT hi", "1 CONNECT /", "1 ping "])
        let story = try #require(outputs.last)
        #expect(story.connection == 3)
        guard case .application(let event) = story.item else {
            Issue.record("no story")
            return
        }
        #expect(event.operation == "session")
        #expect(event.summary.hasPrefix("Ab3xyz polling on conn 1, 2 → websocket conn 3 after "))
        #expect(event.summary.hasSuffix(" ms (probe rtt 1.0 ms)"))
        #expect(event.fields.contains(ApplicationField("polling_connections", .text("1,2"))))
        #expect(event.fields.contains(ApplicationField("websocket_connection", .integer(3))))
        #expect(tracker.sessionCount == 1)
    }

    @Test("Engine.IO v3 bodies (length-prefixed) and a POST's answer `ok` not read as packets")
    func version3() {
        var timeline = Timeline()
        let open = #"0{"sid":"v3sid","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":5000}"#
        timeline.poll(1, method: "GET", sid: nil, request: nil, response: "\(open.utf8.count):\(open)2:40")
        timeline.poll(1, method: "POST", sid: "v3sid", request: "1:2", response: "ok")
        let lines = Self.lines(Self.run(timeline).outputs)
        #expect(lines == ["1 open v3sid", "1 CONNECT /", "1 ping "])
    }

    @Test("sessions followed are bounded")
    func bounded() {
        var timeline = Timeline()
        for index in 0..<(EngineIOSessionTracker.maxSessions + 10) {
            timeline.poll(1, method: "GET", sid: nil, request: nil, response: #"0{"sid":"s\#(index)"}"#)
        }
        #expect(Self.run(timeline).tracker.sessionCount == EngineIOSessionTracker.maxSessions)
    }
}
