import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// Acceptance 1 of issue 25 for MQTT, STOMP and Socket.IO: the application events of each
/// recorded sample equal what the libraries logged sending and receiving.
@Suite("MQTT and STOMP samples equal the libraries' logs")
struct BrokerSampleTests {
    /// Per direction, `TYPE #id topic` for every packet paho logged (`Sending …` / `Received …`).
    static func pahoPackets(_ lines: [Substring]) -> PerDirection<[String]> {
        var result = PerDirection<[String]>(repeating: [])
        let typePattern = /client paho (Sending|Received) ([A-Z]+)(.*)/
        let midPattern = /[(, ]m(\d+)\)|Mid: (\d+)/
        let topicPattern = /, '(?:b')?([^']+)'?'/
        for line in lines {
            guard let match = line.firstMatch(of: typePattern) else { continue }
            let direction: Direction = match.1 == "Sending" ? .clientToServer : .serverToClient
            let rest = String(match.3)
            var text = String(match.2)
            let qosZero = rest.contains("q0,")
            if let mid = rest.firstMatch(of: midPattern), !(text == "PUBLISH" && qosZero) {
                text += " #" + String(mid.1 ?? mid.2 ?? "")
            }
            if text.hasPrefix("PUBLISH"), let topic = rest.firstMatch(of: topicPattern) { text += " " + topic.1 }
            result[direction].append(text)
        }
        return result
    }

    /// Equal entry by entry; where the log names no id (paho's SUBACK) ours is compared without it.
    static func same(_ ours: [String], _ logged: [String]) -> Bool {
        guard ours.count == logged.count else { return false }
        return zip(ours, logged).allSatisfy { our, log in
            our == log || (!log.contains("#") && our.split(separator: " ").first.map(String.init) == log)
        }
    }

    static func ours(_ events: CollectedApplicationEvents, places: Bool = true) -> PerDirection<[String]> {
        var result = PerDirection<[String]>(repeating: [])
        for entry in events.items {
            guard case .application(let event) = entry.item, let direction = entry.place.direction else { continue }
            var text = event.operation
            if let id = event.id { text += " #\(id)" }
            if event.operation == "PUBLISH" { text += " " + event.summary }
            result[direction].append(text)
        }
        return result
    }

    /// paho-mqtt against RabbitMQ's web-MQTT (3.1.1), and as MQTTv5 against the stub broker
    /// (no 5.0 broker with WebSockets could be had): the findings each should show.
    static let mqttSamples: [(name: String, findings: [FindingCode])] = [
        ("mqtt-rabbitmq-paho", []), ("mqtt5-stub-paho", [.mqttSubscriptionRefused]),
    ]

    @Test("MQTT (paho-mqtt over WebSocket): every packet paho logged, pairing by packet id", arguments: mqttSamples)
    func mqtt(sample: (name: String, findings: [FindingCode])) throws {
        let replay = try SampleReplay(sample: sample.name + ".pcap")
        let logged = Self.pahoPackets(try SampleReplay.log(sample.name + ".client.log"))
        #expect(replay.webSocketConnections.count == 1)
        var interpreter = MQTTInterpreter()
        let events = replay.replay(&interpreter, connection: replay.webSocketConnections[0])
        let ours = Self.ours(events)
        #expect(Self.same(ours.clientToServer, logged.clientToServer), "\(ours.clientToServer)")
        #expect(Self.same(ours.serverToClient, logged.serverToClient), "\(ours.serverToClient)")
        #expect(logged.clientToServer.count >= 7 && logged.serverToClient.count >= 6)
        #expect(events.findings.map(\.code) == sample.findings, "\(events.findings)")
        // Every answer paired with its request.
        let answerNames = ["CONNACK", "SUBACK", "PUBACK", "PUBREC", "PUBREL", "PUBCOMP", "PINGRESP", "UNSUBACK"]
        let answers = events.applicationEvents.filter { answerNames.contains($0.operation) }
        #expect(answers.allSatisfy { $0.answers != nil }, "\(answers)")
        #expect(!"\(events.items)".contains("guest"))
    }

    /// Per direction, `COMMAND #receipt` for every frame stomp.py logged.
    static func stompFrames(_ lines: [Substring]) -> PerDirection<[String]> {
        var result = PerDirection<[String]>(repeating: [])
        for line in lines {
            if let match = line.firstMatch(of: /sending frame: \[b'([A-Z]+)'(.*)\]$/) {
                var text = String(match.1)
                if let receipt = match.2.firstMatch(of: /b'receipt:([^\\']+)\\n'/) { text += " #" + receipt.1 }
                result.clientToServer.append(text)
            } else if let match = line.firstMatch(of: /received frame: '([A-Z]+)', headers=(\{.*?\})/) {
                var text = String(match.1)
                if let receipt = match.2.firstMatch(of: /'receipt-id': '([^']+)'/) { text += " #" + receipt.1 }
                result.serverToClient.append(text)
            }
        }
        return result
    }

    @Test("STOMP 1.2 (stomp.py -> RabbitMQ web-STOMP): every frame stomp.py logged, receipts paired")
    func stomp() throws {
        let replay = try SampleReplay(sample: "stomp-rabbitmq-stomppy.pcap")
        let logged = Self.stompFrames(try SampleReplay.log("stomp-rabbitmq-stomppy.client.log"))
        #expect(replay.webSocketConnections.count == 1)
        var interpreter = STOMPInterpreter()
        let events = replay.replay(&interpreter, connection: replay.webSocketConnections[0])
        var ours = PerDirection<[String]>(repeating: [])
        for entry in events.items {
            guard case .application(let event) = entry.item, let direction = entry.place.direction else { continue }
            var text = event.operation
            if event.operation != "MESSAGE", let id = event.id { text += " #\(id)" }
            ours[direction].append(text)
        }
        #expect(ours.clientToServer == logged.clientToServer)
        // stomp.py stops logging once DISCONNECT is sent: what it logged is a prefix of the wire.
        #expect(Array(ours.serverToClient.prefix(logged.serverToClient.count)) == logged.serverToClient)
        let receipts = events.applicationEvents.filter { $0.operation == "RECEIPT" }
        #expect(receipts.allSatisfy { $0.answers != nil } && receipts.count >= 2)
        #expect(!"\(events.items)".contains("passcode:") && !"\(events.items)".contains("\"guest\""))
        let messages = events.applicationEvents.filter { $0.operation == "MESSAGE" }
        #expect(messages.map(\.summary) == Array(repeating: "/queue/sp-test", count: 3))
    }
}
