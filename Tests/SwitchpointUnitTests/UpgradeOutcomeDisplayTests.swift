import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// How upgrade outcomes read (issue 28): a 426 explained whatever the request asked, an
/// h2c offer answered 200 as declined, and the switch line coloured by its outcome.
@Suite("Upgrade outcomes as shown")
struct UpgradeOutcomeDisplayTests {
    static func render(_ events: [TimelineEvent], colour: Bool = false) throws -> String {
        try TextRendering.render(events, colour: colour)
    }

    @Test("a 426 to a request that offered no upgrade: explained, with its body on the body line")
    func upgradeRequiredWithoutOffer() throws {
        let body = "missing Connection header"
        let sink = Conversation([
            (.clientToServer, "GET /socket HTTP/1.1\r\nHost: example.test\r\n\r\n"),
            (
                .serverToClient,
                "HTTP/1.1 426 Upgrade Required\r\nUpgrade: websocket\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
            ),
        ]).runAllSplittings()
        #expect(sink.findingCodes == ["upgrade.refused_426"])
        let message = try #require(sink.findings.first?.message)
        #expect(message.contains("offered no upgrade") && message.contains("the server demands Upgrade: websocket"))
        let text = try Self.render(sink.events)
        #expect(text.contains("body 25 bytes  \"missing Connection header\""), "\(text)")
    }

    @Test("an h2c offer answered 200 is declined (info), counted apart from refusals; a WebSocket one stays refused")
    func h2cDeclined() throws {
        let offer =
            "GET / HTTP/1.1\r\nHost: example.test\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n"
        let ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"
        let declined = Conversation([(.clientToServer, offer), (.serverToClient, ok)]).runAllSplittings()
        #expect(declined.findingCodes == ["upgrade.declined"])
        #expect(declined.findings.first?.severity == .info)
        var summary = TimelineSummary()
        for event in declined.events { summary.count(event) }
        #expect(summary.declined == 1 && summary.refused.isEmpty)
        let webSocket =
            "GET / HTTP/1.1\r\nHost: example.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        let refused = Conversation([(.clientToServer, webSocket), (.serverToClient, ok)]).runAllSplittings()
        #expect(refused.findingCodes == ["upgrade.refused"])
    }

    @Test("the switch line: green when established, red when the client rejected it, yellow when unknown")
    func switchColour() throws {
        func line(_ outcome: UpgradeOutcome?) throws -> String {
            var upgrade = UpgradeSwitch(
                protocolName: "websocket", status: 101, clientToServerOffset: 10, serverToClientOffset: 20,
                latencyMilliseconds: 1, target: "/", details: [])
            upgrade.outcome = outcome
            let event = TimelineEvent(
                timestamp: .zero, connection: 1, packet: 1, direction: .serverToClient, kind: .upgrade(upgrade))
            return try Self.render([event], colour: true)
        }
        #expect(try line(.established).contains("\u{1b}[1;32m══ switch to websocket"))
        #expect(try line(.rejectedByClient(.fin)).contains("\u{1b}[1;31m══ switch to websocket"))
        #expect(try line(.unknown).contains("\u{1b}[33m══ switch to websocket"))
    }
}

extension UpgradeOutcomeDisplayTests {
    @Test("the report names a connection joined mid-stream by its content verdict, not 'TCP → —'")
    func reportJoinedMidStream() throws {
        let recorder = ReportRecorder()
        let client = Endpoint(address: IPAddress(ipv4: 0x0a00_0001), port: 40000)
        let server = Endpoint(address: IPAddress(ipv4: 0x0a00_0002), port: 8765)
        let capture = CaptureInfo(packetNumber: 1, timestamp: Timestamp(nanoseconds: 1_000_000_000))
        func send(_ kind: TimelineEvent.Kind) {
            recorder.receive(TimelineEvent(timestamp: capture.timestamp, connection: 1, packet: 1, kind: kind))
        }
        send(
            .connectionOpened(
                ConnectionOpening(
                    connection: 1, client: client, server: server, roleEvidence: .portHeuristic, capture: capture)))
        send(.finding(Finding(.detectedByContent, "websocket by content: 3 consistent frame headers from the client")))
        send(
            .connectionClosed(
                ConnectionSummary(
                    connection: 1, client: client, server: server, roleEvidence: .portHeuristic, handshake: .none,
                    start: capture.timestamp, end: capture.timestamp, reason: .fin, clientToServer: DirectionStats(),
                    serverToClient: DirectionStats(), capture: capture)))
        recorder.finish(packets: 1, files: ["synthetic"])
        let connection = try #require(recorder.connections.first)
        #expect(connection.protocolBefore == "joined mid-stream" && connection.protocolAfter == "websocket")
    }
}
