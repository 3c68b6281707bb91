import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// Kubernetes exec, attach and port-forward channels (issue 25) on scripted messages.
@Suite("Kubernetes channel interpreter")
struct KubernetesChannelInterpreterTests {
    static let target =
        "/api/v1/namespaces/default/pods/demo/exec?command=sh&command=-c&command=cat%3B+exit+3&container=main&stdin=true&stdout=true&stderr=true&tty=true"
    static let failure =
        #"{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: exit code 3","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}"#

    static func channel(_ channel: UInt8, _ text: String) -> [UInt8] { [channel] + Array(text.utf8) }

    /// Every exec channel once: resize, stdin, v5's close of stdin, stdout, stderr, the Status.
    static var session: InterpreterScript {
        var script = InterpreterScript()
        script.add(.clientToServer, channel(4, "{\"Width\":100,\"Height\":30}\n"))
        script.add(.clientToServer, channel(0, "line one\n"))
        script.add(.clientToServer, [255, 0])
        script.add(.serverToClient, channel(1, "line one\n"))
        script.add(.serverToClient, channel(2, "oops\n"))
        script.add(.serverToClient, channel(3, failure))
        return script
    }

    static let sessionLines = [
        "exec sh -c cat; exit 3", "resize 100x30", "stdin line one\n", "close stdin", "stdout line one\n",
        "stderr oops\n", "! k8s.nonzero_exit", "status Failure", "end Failure",
    ]

    static func run(
        _ script: InterpreterScript, subprotocol: String? = "v5.channel.k8s.io", target: String? = target
    ) -> CollectedApplicationEvents {
        var interpreter = KubernetesChannelInterpreter(
            handshake: WebSocketInterpreterHandshake(subprotocol: subprotocol, target: target))
        return script.run(&interpreter)
    }

    /// The same messages in the base64 variant: a text message, an ASCII digit, base64.
    static func base64(_ script: InterpreterScript) -> InterpreterScript {
        var encoded = InterpreterScript()
        for message in script.messages {
            let digit = String(UnicodeScalar(UInt8(ascii: "0") + message.bytes[0]))
            encoded.text(message.direction, digit + Data(message.bytes.dropFirst()).base64EncodedString())
        }
        return encoded
    }

    @Test("every exec channel: the request, a resize, stdin, v5's close signal, stdout, stderr, the Status")
    func session() {
        let events = Self.run(Self.session)
        #expect(events.lines == Self.sessionLines)
        let app = events.applicationEvents
        #expect(
            app[0].fields == [
                ApplicationField("namespace", .text("default")), ApplicationField("pod", .text("demo")),
                ApplicationField("container", .text("main")), ApplicationField("stdin", .flag(true)),
                ApplicationField("tty", .flag(true)), ApplicationField("subprotocol", .text("v5.channel.k8s.io")),
            ])
        #expect(
            app[1].fields.prefix(2) == [
                ApplicationField("width", .integer(100)), ApplicationField("height", .integer(30)),
            ])
        #expect(app[2].fields == [ApplicationField("bytes", .integer(9))])
        #expect(app[3].fields == [ApplicationField("channel", .integer(0))])
        #expect(
            app[6].fields.prefix(2) == [
                ApplicationField("reason", .text("NonZeroExitCode")), ApplicationField("exit_code", .integer(3)),
            ])
        #expect(
            app[7].fields == [
                ApplicationField("stdin_bytes", .integer(9)), ApplicationField("stdout_bytes", .integer(9)),
                ApplicationField("stderr_bytes", .integer(5)),
                ApplicationField("error_bytes", .integer(Int64(Self.failure.utf8.count))),
                ApplicationField("resize_bytes", .integer(26)), ApplicationField("exit_code", .integer(3)),
            ])
        #expect(events.findings.first?.severity == .info)
    }

    @Test("the base64 variant gives the same events as the binary one")
    func base64Variant() {
        // v5's close signal (channel 255) has no base64 form.
        var session = Self.session
        session.messages.removeAll { $0.bytes.first == KubernetesChannel.close.rawValue }
        let binary = Self.run(session)
        let encoded = Self.run(Self.base64(session), subprotocol: "base64.channel.k8s.io")
        #expect(binary.lines.count == Self.sessionLines.count - 1)
        #expect(encoded.lines == binary.lines)
        #expect(
            encoded.applicationEvents.dropFirst().map(\.fields) == binary.applicationEvents.dropFirst().map(\.fields))
    }

    @Test("Status: Success, a Failure with no exit code, v1's error text")
    func statuses() {
        var script = InterpreterScript()
        script.add(.serverToClient, Self.channel(3, #"{"metadata":{},"status":"Success"}"#))
        #expect(Self.run(script).lines == ["exec sh -c cat; exit 3", "status Success", "end Success"])
        script = InterpreterScript()
        script.add(
            .serverToClient,
            Self.channel(
                3,
                #"{"kind":"Status","status":"Failure","message":"container not found (\"x\")","reason":"BadRequest"}"#))
        let failed = Self.run(script, target: nil)
        #expect(failed.lines == ["exec", "! k8s.failure", "status Failure", "end Failure"])
        #expect(failed.findings.first?.message == #"Failure Status: BadRequest: container not found ("x")"#)
        script = InterpreterScript()
        script.add(.serverToClient, Self.channel(3, "error executing command: oops"))
        #expect(
            Self.run(script, subprotocol: "channel.k8s.io").lines == [
                "exec sh -c cat; exit 3", "! k8s.failure", "error error executing command: oops", "end no status",
                "! k8s.no_status",
            ])
    }

    @Test("an unknown channel (one finding per channel), malformed messages, a truncated one, no Status")
    func findings() {
        var script = InterpreterScript()
        script.add(.serverToClient, Self.channel(7, "x"))
        script.add(.serverToClient, Self.channel(7, "y"))
        script.add(.serverToClient, [])
        script.text(.clientToServer, "x")
        script.text(.clientToServer, "1%%%")
        script.add(.clientToServer, Self.channel(4, "80x24"))
        script.add(.clientToServer, [255])
        script.add(.serverToClient, Self.channel(1, String(repeating: "a", count: 300)))
        script.messages[script.messages.count - 1].truncatedTo = 101
        let events = Self.run(script)
        #expect(
            events.lines == [
                "exec sh -c cat; exit 3", "! k8s.unknown_channel", "channel x", "channel y", "! k8s.malformed",
                "! k8s.malformed", "! k8s.malformed", "! k8s.malformed", "resize", "! k8s.malformed",
                "stdout " + String(repeating: "a", count: 100), "end no status", "! k8s.no_status",
            ])
        #expect(
            events.applicationEvents[4].fields == [
                ApplicationField("bytes", .integer(300)), ApplicationField("truncated", .flag(true)),
            ])
        #expect(events.findings.first { $0.code == .kubernetesMalformed }?.severity == .error)
    }

    @Test("port-forward: each port's channel pair, the port prefix of the server's first message, an error")
    func portForward() {
        var script = InterpreterScript()
        script.add(.serverToClient, [0, 0x90, 0x1F])
        script.add(.serverToClient, [1, 0x90, 0x1F])
        script.add(.serverToClient, [2, 0x82, 0x23])
        script.add(.serverToClient, [3, 0x82, 0x23])
        script.add(.clientToServer, Self.channel(0, "GET / HTTP/1.1\r\n\r\n"))
        script.add(.serverToClient, Self.channel(0, "HTTP/1.1 200 OK\r\n"))
        script.add(.serverToClient, Self.channel(3, "connection refused"))
        let events = Self.run(
            script, subprotocol: "v4.channel.k8s.io",
            target: "/api/v1/namespaces/default/pods/demo/portforward?ports=8080,9090")
        #expect(
            events.lines == [
                "portforward 8080,9090", "data", "error", "data", "error", "data GET / HTTP/1.1\r\n\r\n",
                "data HTTP/1.1 200 OK\r\n", "! k8s.failure", "error connection refused", "end",
            ])
        let app = events.applicationEvents
        #expect(
            app[3].fields == [
                ApplicationField("port", .integer(9090)), ApplicationField("channel", .integer(2)),
                ApplicationField("bytes", .integer(0)),
            ])
        #expect(app[5].fields.first == ApplicationField("port", .integer(8080)))
        #expect(events.findings.map(\.message) == ["port 9090: connection refused"])
    }

    @Test("exit-code and failure findings are capped per connection")
    func outcomeCap() {
        var script = InterpreterScript()
        for _ in 0..<(KubernetesChannelInterpreter.maxOutcomeFindings + 4) {
            script.add(.serverToClient, Self.channel(3, Self.failure))
        }
        let events = Self.run(script)
        #expect(events.findings.count == KubernetesChannelInterpreter.maxOutcomeFindings)
        #expect(events.applicationEvents.count == KubernetesChannelInterpreter.maxOutcomeFindings + 4 + 2)
    }

    @Test("kubectl 1.32's SPDY/3.1+portforward.k8s.io: told once, its messages left raw")
    func spdyTunnel() {
        var script = InterpreterScript()
        script.add(.clientToServer, [0x80, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x0A])
        script.add(.serverToClient, [0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x41])
        let events = Self.run(
            script, subprotocol: "SPDY/3.1+portforward.k8s.io",
            target: "/api/v1/namespaces/default/pods/demo/portforward")
        #expect(events.lines == ["portforward", "end"])
        #expect(events.applicationEvents[0].fields.last == ApplicationField("decoded", .flag(false)))
    }

    @Test("the request read from the target; the factory's choice")
    func requestAndFactory() {
        let request = KubernetesStreamRequest(target: Self.target)
        #expect(request?.kind == .exec)
        #expect(request?.command == ["sh", "-c", "cat; exit 3"])
        #expect(request?.stdin == true && request?.tty == true && request?.container == "main")
        #expect(KubernetesStreamRequest(target: "/api/v1/namespaces/ns/pods/p/attach?container=c")?.kind == .attach)
        #expect(
            KubernetesStreamRequest(target: "/api/v1/namespaces/ns/pods/p/portforward?ports=1&ports=2")?.ports == [
                1, 2,
            ])
        let factory = KubernetesChannelInterpreterFactory()
        #expect(factory.subprotocols.contains("v5.channel.k8s.io"))
        #expect(factory.subprotocols.contains("base64.channel.k8s.io"))
        #expect(factory.matches(target: Self.target))
        for other in ["/ws", "/api/v1/namespaces/ns/pods/p/log", "/exec", "/pods/exec", "/socket.io/?EIO=4"] {
            #expect(!factory.matches(target: other), "\(other)")
        }
        #expect(
            DissectorRegistry.standard.interpreters.choice(subprotocol: "v4.channel.k8s.io", target: "/x").name == "k8s"
        )
        #expect(DissectorRegistry.standard.interpreters.choice(subprotocol: nil, target: Self.target).name == "k8s")
    }
}

extension WebSocketInterpreterChoice {
    fileprivate var name: String? {
        switch self {
        case .none, .byContent: nil
        case .chosen(let factory): factory.name
        }
    }
}

/// The same session through the whole analyzer: chosen by subprotocol or by the target,
/// fed whole, byte by byte and in random splits, fragmented and deflated.
@Suite("Kubernetes channels inside the analyzer")
struct KubernetesChannelEndToEndTests {
    @Test("chosen by subprotocol or target, however TCP and WebSocket cut the bytes", arguments: [false, true])
    func session(deflate: Bool) throws {
        let messages = KubernetesChannelInterpreterTests.session.messages.map { ($0.direction, UInt8(2), $0.bytes) }
        let expected = KubernetesChannelInterpreterTests.sessionLines.map { $0.hasPrefix("!") ? $0 : "k8s " + $0 }
        for subprotocol in ["v5.channel.k8s.io", nil] {
            let conversation = try InterpreterEndToEndTests.conversation(
                target: KubernetesChannelInterpreterTests.target, subprotocol: subprotocol, deflate: deflate, messages)
            let sink = conversation.runAllSplittings()
            let lines =
                InterpreterEndToEndTests.applicationLines(sink)
                + sink.findingCodes.filter { $0.hasPrefix("k8s.") }.map { "! " + $0 }
            #expect(
                lines.filter { !$0.hasPrefix("!") } == expected.filter { !$0.hasPrefix("!") },
                "\(subprotocol ?? "by target")")
            #expect(sink.findingCodes.filter { $0.hasPrefix("k8s.") } == ["k8s.nonzero_exit"])
        }
    }
}
