import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// The real kubectl 1.32 against scripts/k8s-fake-apiserver.py (samples/apps/k8s-exec-*,
/// scripts/record-samples-k8s): every channel message switchpoint reports equals what the
/// fake API server logged sending and receiving (channel, bytes, text), the request's
/// command and container equal the upgrade it logged, the Status its exit code.
@Suite("Kubernetes exec samples against the fake API server's log")
struct KubernetesSampleTests {
    static let channelNames: [Int: String] = [0: "stdin", 1: "stdout", 2: "stderr", 4: "resize", 255: "close"]

    @Test(
        "k8s samples: the request, every message's channel, size and text, the Status and exit code",
        arguments: ["k8s-exec-v5", "k8s-exec-stdin-exit3", "k8s-exec-tty"])
    func sample(_ name: String) throws {
        let log = try AppSampleTests.logLines(name)
        let upgrade = try #require(log.first { $0["event"] as? String == "upgrade" })
        let exitCode = try #require(log.first { $0["event"] as? String == "exit" }?["code"] as? Int)
        let logged = log.filter { $0["event"] as? String == "ws" && $0["channel"] != nil }
        let connections = try AppSampleTests.analyze(name)
        let exec = try #require(connections.first { Self.appEvents($0).contains { $0.operation == "exec" } })
        let events = Self.appEvents(exec)
        #expect(events.allSatisfy { $0.protocolName == "k8s" })
        let request = try #require(events.first)
        #expect(request.summary == (upgrade["command"] as? [String] ?? []).joined(separator: " "))
        #expect(request.fields.contains(ApplicationField("container", .text(upgrade["container"] as? String ?? ""))))
        #expect(request.fields.contains(ApplicationField("subprotocol", .text("v5.channel.k8s.io"))))
        // Per direction in order: the server's `send` is server→client, its `recv` client→server.
        let messages = exec.filter {
            if case .app(let app) = $0.kind { app.operation != "exec" && app.operation != "end" } else { false }
        }
        for (direction, side) in [(Direction.serverToClient, "send"), (.clientToServer, "recv")] {
            let shown = messages.filter { $0.direction == direction }.compactMap { event -> ApplicationEvent? in
                if case .app(let app) = event.kind { app } else { nil }
            }
            let expected = logged.filter { $0["dir"] as? String == side }
            try #require(shown.count == expected.count, "\(name) \(side): \(shown.map(\.operation))")
            for (event, entry) in zip(shown, expected) {
                let channel = entry["channel"] as? Int ?? -1
                let text = entry["text"] as? String ?? ""
                let bytes = (entry["hex"] as? String ?? "").count / 2
                switch channel {
                case 3:
                    #expect(event.operation == "status")
                    #expect(event.summary == (exitCode == 0 ? "Success" : "Failure"))
                case 255:
                    #expect(event.operation == "close")
                    #expect(event.summary == "stdin")
                case 4:
                    #expect(event.operation == "resize")
                    let size = try #require(try AppSampleTests.json(text) as? [String: Any])
                    #expect(event.summary == "\(size["Width"] as? Int ?? -1)x\(size["Height"] as? Int ?? -1)")
                    #expect(event.fields.contains(ApplicationField("bytes", .integer(Int64(bytes)))))
                default:
                    #expect(event.operation == Self.channelNames[channel])
                    #expect(event.summary == text)
                    #expect(event.fields.contains(ApplicationField("bytes", .integer(Int64(bytes)))))
                }
            }
        }
        let end = try #require(events.last)
        #expect(end.operation == "end")
        let findings = exec.compactMap { if case .finding(let finding) = $0.kind { finding.code } else { nil } }
        #expect(findings.filter { $0.family == .kubernetes } == (exitCode == 0 ? [] : [.kubernetesNonZeroExit]))
        if exitCode != 0 { #expect(end.fields.contains(ApplicationField("exit_code", .integer(Int64(exitCode))))) }
    }

    @Test("kubectl's SPDY/3.1+portforward.k8s.io tunnel: named once, every message it sent left raw")
    func spdyPortForward() throws {
        let log = try AppSampleTests.logLines("k8s-portforward-spdy")
        let logged = log.filter { $0["event"] as? String == "ws" }
        try #require(!logged.isEmpty)
        let connections = try AppSampleTests.analyze("k8s-portforward-spdy")
        let tunnel = try #require(connections.first { Self.appEvents($0).contains { $0.operation == "portforward" } })
        let events = Self.appEvents(tunnel)
        #expect(events.map(\.operation) == ["portforward", "end"])
        #expect(events.first?.fields.contains(ApplicationField("decoded", .flag(false))) == true)
        let messages = tunnel.compactMap { event -> WebSocketMessage? in
            if case .wsMessage(let message) = event.kind, event.direction == .clientToServer { message } else { nil }
        }
        #expect(messages.allSatisfy { !$0.interpreted })
        #expect(
            messages.map { $0.kept.map { String(format: "%02x", $0) }.joined() }
                == logged.map { $0["hex"] as? String ?? "" })
    }

    static func appEvents(_ events: [TimelineEvent]) -> [ApplicationEvent] {
        events.compactMap { if case .app(let app) = $0.kind { app } else { nil } }
    }
}
