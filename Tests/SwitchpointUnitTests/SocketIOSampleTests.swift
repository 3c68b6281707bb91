import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// Issue 25 acceptance 1 and 2 for Socket.IO: python-socketio's client polls, then upgrades;
/// the polling bodies (through `EngineIOSessionTracker`) and the WebSocket (through
/// `SocketIOInterpreter`) together carry every Engine.IO packet the client logged, and the
/// session is one story across the connections.
@Suite("Socket.IO sample: polling, then WebSocket")
struct SocketIOSampleTests {
    /// The client's keep-alive connection carries the polling and then the WebSocket; with a
    /// connection per request (aiohttp force_close) each is its own.
    static let samples = ["socketio-polling-upgrade", "socketio-separate-connections"]

    /// The client's log as `TYPE` per Engine.IO packet, `TYPE #id name` for Socket.IO ones.
    static func loggedPackets(_ lines: [Substring]) -> PerDirection<[String]> {
        var result = PerDirection<[String]>(repeating: [])
        for line in lines {
            if line.contains("Polling connection accepted with") {
                result.serverToClient.append("OPEN")
                continue
            }
            guard
                let match = line.firstMatch(of: /engineio\.client INFO (Sending|Received) packet ([A-Z]+) data ?(.*)$/)
            else { continue }
            let direction: Direction = match.1 == "Sending" ? .clientToServer : .serverToClient
            result[direction].append(match.2 == "MESSAGE" ? socketIO(String(match.3)) : String(match.2))
        }
        return result
    }

    static func socketIO(_ data: String) -> String {
        if data == "<binary>" { return "attachment" }
        let bytes = Array(data.utf8)
        return bytes.withUnsafeBytes { buffer in
            guard let packet = SocketIOPacket(buffer) else { return "?" + data }
            var text = packet.type.name
            if let id = packet.id { text += " #\(id)" }
            if packet.type == .event || packet.type == .binaryEvent,
                let name = data.firstMatch(of: /\["([^"]*)"/)
            {
                text += " " + name.1
            }
            return text
        }
    }

    static func ours(_ event: ApplicationEvent) -> String? {
        switch event.operation {
        case "open", "ping", "pong", "noop", "close":
            return event.summary == "probe" ? nil : event.operation.uppercased()
        case "upgrade", "session": return nil
        case "EVENT", "BINARY_EVENT":
            return "\(event.operation)\(event.id.map { " #\($0)" } ?? "") \(event.summary)"
        default: return event.operation + (event.id.map { " #\($0)" } ?? "")
        }
    }

    @Test(
        "every Engine.IO packet the client logged, over polling and WebSocket; acks paired; one session story",
        arguments: samples)
    func session(sample: String) throws {
        let replay = try SampleReplay(sample: sample + ".pcap")
        let logged = Self.loggedPackets(try SampleReplay.log(sample + ".client.log"))
        var tracker = EngineIOSessionTracker()
        var linked: [EngineIOSessionTracker.Output] = []
        for event in replay.sink.events { tracker.receive(event, output: &linked) }
        #expect(replay.webSocketConnections.count == 1)
        let webSocket = try #require(replay.webSocketConnections.first)
        var interpreter = SocketIOInterpreter()
        let onWebSocket = replay.replay(&interpreter, connection: webSocket)
        var all: [(packet: UInt64, direction: Direction?, event: ApplicationEvent)] = []
        for output in linked {
            if case .application(let event) = output.item {
                all.append((output.place.capture.packetNumber, output.place.direction, event))
            }
        }
        for entry in onWebSocket.items {
            if case .application(let event) = entry.item {
                all.append((entry.place.capture.packetNumber, entry.place.direction, event))
            }
        }
        all.sort { $0.packet < $1.packet }
        var ours = PerDirection<[String]>(repeating: [])
        for entry in all {
            guard let direction = entry.direction, let text = Self.ours(entry.event) else { continue }
            ours[direction].append(text)
        }
        // python-engineio logs "Sending" when it queues a packet; at disconnect it queues
        // DISCONNECT and CLOSE and closes the WebSocket before its write loop sends them (its
        // log says so: "Write loop: WebSocket connection was closed, aborting"), so the wire
        // lacks the last two.
        let lines = try SampleReplay.log(sample + ".client.log")
        #expect(lines.contains { $0.contains("Write loop: WebSocket connection was closed, aborting") })
        #expect(logged.clientToServer.suffix(2) == ["DISCONNECT", "CLOSE"])
        #expect(ours.clientToServer == Array(logged.clientToServer.dropLast(2)))
        #expect(ours.serverToClient == logged.serverToClient)
        #expect(logged.clientToServer.count >= 8)
        // Acks paired with their events.
        let acks = all.map(\.event).filter { $0.operation == "ACK" }
        #expect(acks.count == 3 && acks.allSatisfy { $0.answers != nil }, "\(acks)")
        #expect(onWebSocket.findings.isEmpty, "\(onWebSocket.findings)")
        // The story: polling on the first connection, then the WebSocket, with the probe's timing.
        let story = try #require(all.map(\.event).first { $0.operation == "session" })
        let open = try #require(all.map(\.event).first { $0.operation == "open" })
        let sid = open.summary
        let polling = try #require(
            linked.first { if case .application(let event) = $0.item { event.operation == "open" } else { false } })
        #expect(
            story.summary.hasPrefix(
                "\(sid) polling on conn \(polling.connection) → websocket conn \(webSocket) after "))
        #expect(story.summary.contains("(probe rtt "))
        #expect(story.fields.contains(ApplicationField("websocket_connection", .integer(Int64(webSocket)))))
        #expect(story.fields.contains(ApplicationField("polling_connections", .text(String(polling.connection)))))
        let probeEvents = onWebSocket.applicationEvents.filter { $0.summary == "probe" || $0.operation == "upgrade" }
        #expect(probeEvents.map(\.operation) == ["ping", "pong", "upgrade"])
    }
}

/// The command line: `--protocol socket.io --json` on the sample with a connection per
/// request shows the session's story with the linked connection numbers.
@Suite("Socket.IO session on the command line")
struct SocketIOSessionCommandTests {
    @Test("--protocol socket.io --json: the session line names polling conn 1 and websocket conn 2")
    func sessionJSON() throws {
        let path = TestEnvironment.samplesDirectory.appendingPathComponent(
            "apps/socketio-separate-connections.pcap"
        ).path
        try #require(FileManager.default.fileExists(atPath: path), "sample missing")
        let result = try InProcessCommand.timeline([path]) { options in
            options.json = true
            options.threads = 2
            _ = options.selection.selectProtocol(
                named: "socket.io", interpreters: DissectorRegistry.standard.interpreters)
        }
        let sessions = result.text.split(separator: "\n").filter { $0.contains(#""op":"session""#) }
        #expect(sessions.count == 1, "\(result.text.prefix(2000))")
        let line = String(sessions.first ?? "")
        #expect(line.contains(#""conn":2"#))
        #expect(line.contains(#""polling_connections":"1""#) && line.contains(#""websocket_connection":2"#), "\(line)")
        #expect(line.contains("probe rtt"))
    }
}
