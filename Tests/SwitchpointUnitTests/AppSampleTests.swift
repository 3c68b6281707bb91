import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// The samples of protocols inside WebSocket (samples/apps/, scripts/record-samples-apps):
/// every application event switchpoint reports equals what the libraries logged sending
/// and receiving (gql's `>>>`/`<<<` lines; both JSON-RPC peers' messages): operations,
/// ids, operation types and names, pairing, counts.
@Suite("Application protocol samples against their libraries' logs")
struct AppSampleTests {
    static let directory = TestEnvironment.samplesDirectory.appendingPathComponent("apps")

    struct Logged {
        var direction: Direction
        var object: [String: Any]
    }

    /// The events of a sample, by connection (in the order connections opened).
    static func analyze(_ name: String) throws -> [[TimelineEvent]] {
        let path = directory.appendingPathComponent(name + ".pcap").path
        try #require(FileManager.default.fileExists(atPath: path), "sample missing: \(path)")
        let sink = CollectingEventSink()
        var analyzer = TimelineAnalyzer(output: sink)
        var runner = CaptureRunner()
        runner.drive(try TestEnvironment.fixtureSource(paths: [path]), into: &analyzer)
        let connections = Array(Set(sink.events.map(\.connection))).sorted()
        return connections.map { id in sink.events.filter { $0.connection == id } }
    }

    static func applicationEvents(_ events: [TimelineEvent]) -> [(Direction, ApplicationEvent)] {
        events.compactMap {
            if case .app(let event) = $0.kind, let direction = $0.direction { (direction, event) } else { nil }
        }
    }

    static func logLines(_ name: String) throws -> [[String: Any]] {
        let url = directory.appendingPathComponent(name + ".log")
        let text = try String(contentsOf: url, encoding: .utf8)
        return try text.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    static func json(_ text: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
    }

    static func idText(_ value: Any?) -> String? {
        switch value {
        case let text as String: text
        case let number as NSNumber: number.stringValue
        default: nil
        }
    }

    // MARK: GraphQL

    /// gql's log: `>>> {…}` sent by the client, `<<< {…}` received.
    static func graphQLLog(_ name: String) throws -> [Logged] {
        try logLines(name).compactMap { line -> Logged? in
            guard let message = line["msg"] as? String else { return nil }
            let direction: Direction
            if message.hasPrefix(">>> ") {
                direction = .clientToServer
            } else if message.hasPrefix("<<< ") {
                direction = .serverToClient
            } else {
                return nil
            }
            let object = try #require(try json(String(message.dropFirst(4))) as? [String: Any])
            return Logged(direction: direction, object: object)
        }
    }

    @Test(
        "GraphQL samples: every message, id, operation type and name, result count and pairing",
        arguments: [
            "graphql-transport-ws", "graphql-ws",
        ])
    func graphQL(_ name: String) throws {
        let connections = try Self.analyze(name)
        try #require(connections.count == 1)
        let events = Self.applicationEvents(connections[0])
        let logged = try Self.graphQLLog(name)
        try #require(!logged.isEmpty)
        #expect(events.map { $0.1.protocolName } == Array(repeating: name, count: events.count))
        // Per direction in order (the two directions may interleave differently in the
        // capture than in the client's log), every event with its logged message.
        let sent = logged.filter { $0.direction == .clientToServer }
        let received = logged.filter { $0.direction == .serverToClient }
        #expect(events.filter { $0.0 == .clientToServer }.count == sent.count)
        #expect(events.filter { $0.0 == .serverToClient }.count == received.count)
        var queues = [sent[...], received[...]]
        var paired: [((Direction, ApplicationEvent), Logged)] = []
        for event in events {
            guard let entry = queues[event.0.rawValue].popFirst() else { break }
            paired.append((event, entry))
        }
        #expect(paired.map { $0.0.1.operation } == paired.map { $0.1.object["type"] as? String ?? "?" })
        #expect(paired.map { $0.0.1.id } == paired.map { Self.idText($0.1.object["id"]) })
        var names: [String: String] = [:]
        var results: [String: Int] = [:]
        for ((_, event), entry) in paired {
            let id = Self.idText(entry.object["id"]) ?? ""
            let payload = entry.object["payload"] as? [String: Any]
            switch event.operation {
            case "subscribe", "start":
                let query = payload?["query"] as? String ?? ""
                let words = query.split(whereSeparator: { !$0.isLetter && !$0.isNumber && $0 != "_" })
                names[id] = words.count > 1 ? String(words[1]) : ""
                #expect(event.summary == names[id])
                #expect(event.fields.first == ApplicationField("type", .text(String(words.first ?? ""))))
            case "next", "data":
                results[id, default: 0] += 1
                #expect(event.summary == names[id])
                #expect(event.fields.first == ApplicationField("result", .integer(Int64(results[id] ?? 0))))
                #expect((event.answers != nil) == (results[id] == 1))
                let hasErrors = !((payload?["errors"] as? [Any])?.isEmpty ?? true)
                #expect(event.fields.contains(ApplicationField("errors", .flag(true))) == hasErrors)
            case "complete":
                #expect(event.summary == names[id])
                #expect(event.fields == [ApplicationField("results", .integer(Int64(results[id] ?? 0)))])
                #expect(event.answers != nil)
            case "error":
                #expect(event.summary == names[id])
                #expect(event.answers != nil)
            default:
                #expect(event.summary.isEmpty)
            }
        }
        // Both samples have error results and close every operation.
        let codes = connections[0].compactMap { if case .finding(let f) = $0.kind { f.code } else { nil } }
        #expect(codes.contains(.graphqlErrorResult))
        #expect(!codes.contains(.graphqlSubscriptionOpenAtClose))
        #expect(!codes.contains(.graphqlOperationBeforeAck) && !codes.contains(.graphqlMalformed))
    }

    // MARK: JSON-RPC

    @Test("JSON-RPC sample: requests, notifications, batches, errors, pairing, on both connections")
    func jsonRPC() throws {
        let connections = try Self.analyze("jsonrpc")
        let lines = try Self.logLines("jsonrpc").filter { $0["side"] as? String == "client" }
        let bySubprotocol = Dictionary(grouping: lines) { $0["subprotocol"] as? String ?? "none" }
        let webSockets = connections.filter { !Self.applicationEvents($0).isEmpty }
        try #require(webSockets.count == 2)
        for (events, key) in zip(webSockets, ["jsonrpc", "none"]) {
            var expected: [(Direction, String, String?, String)] = []
            var methods: [String: String] = [:]
            for line in bySubprotocol[key] ?? [] {
                let direction: Direction = line["dir"] as? String == "send" ? .clientToServer : .serverToClient
                let value = try Self.json(line["text"] as? String ?? "")
                for case let object as [String: Any] in (value as? [Any]) ?? [value] {
                    let id = Self.idText(object["id"])
                    let operation: String
                    var summary = ""
                    if let method = object["method"] as? String {
                        operation = id == nil ? "notification" : "request"
                        summary = method
                        if let id { methods[id] = method }
                    } else {
                        operation = object["error"] != nil ? "error" : "response"
                        summary = id.flatMap { methods[$0] } ?? ""
                    }
                    expected.append((direction, operation, id, summary))
                }
            }
            let found = Self.applicationEvents(events)
            #expect(found.map { $0.0 } == expected.map { $0.0 }, "\(key)")
            #expect(found.map { $0.1.operation } == expected.map { $0.1 }, "\(key)")
            #expect(found.map { $0.1.id } == expected.map { $0.2 }, "\(key)")
            #expect(found.map { $0.1.summary } == expected.map { $0.3 }, "\(key)")
            for (_, event) in found where event.operation == "response" || event.operation == "error" {
                #expect(event.answers?.requestOperation == "request")
            }
            let codes = events.compactMap { if case .finding(let f) = $0.kind { f.code } else { nil } }
            #expect(codes == [.jsonrpcRequestUnanswered], "\(key): the `sleep` request is never answered")
        }
    }
}

extension AppSampleTests {
    @Test("the text timeline shows app lines instead of the raw messages; -v shows both")
    func textReplacesRawLines() throws {
        let path = Self.directory.appendingPathComponent("jsonrpc.pcap").path
        let plain = try InProcessCommand.timeline([path]) { _ in }
        let verbose = try InProcessCommand.timeline([path]) { $0.verbose = true }
        let plainText = String(decoding: plain.output, as: UTF8.self)
        let verboseText = String(decoding: verbose.output, as: UTF8.self)
        #expect(plainText.contains(#"jsonrpc request "subtract" id 1  params=[42, 23]"#))
        #expect(!plainText.contains(#"text 69 B  "{"jsonrpc""#))
        #expect(verboseText.contains(#"jsonrpc request "subtract" id 1  params=[42, 23]"#))
        #expect(verboseText.contains(#"c→s  text 69 B  "{"jsonrpc": "2.0", "method": "subtract", "params": [42, 23]"#))
        #expect(plainText.contains("messages: http1 2 requests, 2 responses; websocket"))
        #expect(plainText.contains("jsonrpc error 2, notification 4, request 10, response 6"))
    }
}
