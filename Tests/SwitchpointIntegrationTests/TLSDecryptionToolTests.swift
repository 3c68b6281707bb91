import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// TLS decryption of the recorded samples in samples/tls/ against tshark (with the same key
/// log) and the peers' own logs, and the key log sources of the built command line.
@Suite("TLS decryption against tshark and the command line")
struct TLSDecryptionToolTests {
    // MARK: Samples against tshark and the peers' logs

    /// tshark's view with the same key log, one row per packet: fields tab-separated,
    /// several occurrences comma-separated.
    static func tshark(_ name: String, filter: String, fields: [String], aggregator: String = ",") throws -> [[String]]
    {
        let tshark = try TestEnvironment.requiredTool("tshark")
        var arguments = [
            "-r", TLSSamples.path(name + ".pcap"), "-o", "tls.keylog_file:" + TLSSamples.path(name + ".keylog"), "-Y",
            filter,
            "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=" + aggregator,
        ]
        for field in fields { arguments += ["-e", field] }
        let result = try TestEnvironment.run(tshark, arguments)
        #expect(result.status == 0, "tshark: \(result.errorText)")
        return result.text.split(separator: "\n").map {
            $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        }
    }

    static func serverPort(_ events: EventCollector) -> String? {
        for event in events.events {
            if case .connectionOpened(let opening) = event.kind { return String(opening.server.port) }
        }
        return nil
    }

    @Test(
        "HTTP/2 inside TLS 1.3 and 1.2 (nghttpd, nginx): frames and header lists equal tshark's, streams what curl logged",
        arguments: ["tls13-h2-curl-nghttpd", "tls12-h2-curl-nghttpd", "tls13-h2-curl-nginx"])
    func http2(_ name: String) throws {
        let events = try TLSSamples.timeline(name, keyLog: TLSSamples.keyLog(name))
        #expect(events.findingCodes.isEmpty)
        let frames = events.events.compactMap { event -> String? in
            guard case .h2Frame(let frame) = event.kind else { return nil }
            #expect(event.decrypted)
            return "\(event.direction == .clientToServer ? "c2s" : "s2c") \(frame.type) \(frame.stream) \(frame.length)"
        }
        let streams = events.events.compactMap { if case .h2Stream(let stream) = $0.kind { stream } else { nil } }
        #expect(streams.map(\.path) == ["/index.html", "/big.txt"])
        #expect(streams.map(\.status) == [200, 200])
        // curl's -w: "2 200 100000" for the last transfer.
        let curl = try String(contentsOfFile: TLSSamples.path(name + ".client.log"), encoding: .utf8)
        #expect(curl.contains("2 200 \(streams.last?.responseBodyBytes ?? 0)"))
        let session = events.events.compactMap { if case .tlsSession(let facts) = $0.kind { facts } else { nil } }
        #expect(session.count == 1)
        #expect(session.first?.alpn == "h2")
        #expect(session.first?.decrypted == true)
        #expect(session.first?.serverName == "tls.example.test")
        // The leaf certificate: in the clear in TLS 1.2, encrypted in TLS 1.3.
        let certificate = try #require(session.first?.certificate)
        #expect(certificate.subject == "O=switchpoint samples,CN=tls.example.test")
        #expect(certificate.issuer == certificate.subject)
        #expect(certificate.notBefore < certificate.notAfter && certificate.notAfter.hasSuffix("Z"))
        let port = try #require(Self.serverPort(events))
        let rows = try Self.tshark(
            name, filter: "http2", fields: ["tcp.srcport", "http2.type", "http2.streamid", "http2.length"])
        var reference: [String] = []
        for row in rows where row.count == 4 && !row[1].isEmpty {
            let types = row[1].split(separator: ",")
            let ids = row[2].split(separator: ",")
            let lengths = row[3].split(separator: ",")
            guard types.count == ids.count, ids.count == lengths.count else { continue }
            for index in types.indices {
                reference.append("\(row[0] == port ? "s2c" : "c2s") \(types[index]) \(ids[index]) \(lengths[index])")
            }
        }
        let byDirection = { (lines: [String], prefix: String) in lines.filter { $0.hasPrefix(prefix) } }
        #expect(byDirection(frames, "c2s") == byDirection(reference, "c2s"))
        #expect(byDirection(frames, "s2c") == byDirection(reference, "s2c"))
        // Header lists: every name and value in order, per direction.
        let headers = events.events.flatMap { event -> [String] in
            guard case .h2Headers(let block) = event.kind else { return [] }
            return block.fields.map { "\(event.direction == .clientToServer ? "c2s" : "s2c") \($0.name): \($0.value)" }
        }
        // "|": header values (a date) hold commas.
        let headerRows = try Self.tshark(
            name, filter: "http2.type == 1", fields: ["tcp.srcport", "http2.header.name", "http2.header.value"],
            aggregator: "|")
        var expected: [String] = []
        for row in headerRows where row.count == 3 {
            let names = row[1].split(separator: "|")
            let values = row[2].split(separator: "|", omittingEmptySubsequences: false)
            #expect(names.count == values.count, "tshark row with \(names.count) names and \(values.count) values")
            guard names.count == values.count else { continue }
            for index in names.indices {
                expected.append("\(row[0] == port ? "s2c" : "c2s") \(names[index]): \(values[index])")
            }
        }
        #expect(!expected.isEmpty, "tshark decoded no HEADERS")
        #expect(headers == expected)
    }

    @Test("HTTP/1.1 inside TLS (ALPN http/1.1): requests and responses equal tshark's")
    func http11() throws {
        let name = "tls13-http11-curl-python"
        let events = try TLSSamples.timeline(name, keyLog: TLSSamples.keyLog(name))
        #expect(events.findingCodes.isEmpty)
        let requests = events.events.compactMap {
            if case .httpRequest(let head) = $0.kind { "\(head.method) \(head.target)" } else { nil }
        }
        let statuses = events.events.compactMap {
            if case .httpResponse(let head) = $0.kind { String(head.status) } else { nil }
        }
        #expect(requests == ["GET /a", "GET /b"])
        #expect(statuses == ["200", "200"])
        let requestRows = try Self.tshark(
            name, filter: "http.request", fields: ["http.request.method", "http.request.uri"])
        #expect(requestRows.map { $0.joined(separator: " ") } == requests)
        let responseRows = try Self.tshark(name, filter: "http.response", fields: ["http.response.code"])
        #expect(responseRows.map { $0.joined() } == statuses)
    }

    @Test(
        "wss:// with and without permessage-deflate: the switch inside TLS, frames equal tshark's and the peers' logs",
        arguments: ["tls13-wss-websockets", "tls13-wss-websockets-deflate"])
    func webSocket(_ name: String) throws {
        let events = try TLSSamples.timeline(name, keyLog: TLSSamples.keyLog(name))
        #expect(events.findingCodes.isEmpty)
        let upgrade = try #require(events.upgrades.first)
        #expect(upgrade.protocolName.lowercased() == "websocket")
        let frames = events.events.compactMap { event -> String? in
            guard case .wsFrame(let frame) = event.kind else { return nil }
            return "\(event.direction == .clientToServer ? "c2s" : "s2c") \(frame.opcode) \(frame.payloadLength)"
        }
        // The peers' log: what each side sent, in order (payload lengths after inflation).
        let log = try String(contentsOfFile: TLSSamples.path(name + ".log"), encoding: .utf8)
        let opcodes = ["text": 1, "binary": 2, "close": 8, "ping": 9, "pong": 10]
        var sent: [String] = []
        for line in log.split(separator: "\n") {
            let entry = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            guard entry["dir"] as? String == "send", let type = entry["type"] as? String, let opcode = opcodes[type],
                let length = entry["len"] as? Int
            else { continue }
            sent.append("\(entry["side"] as? String == "client" ? "c2s" : "s2c") \(opcode) \(length)")
        }
        let messages = events.events.compactMap { event -> String? in
            switch event.kind {
            case .wsMessage(let message):
                "\(event.direction == .clientToServer ? "c2s" : "s2c") \(message.opcode) \(message.length)"
            case .wsControl(let control):
                "\(event.direction == .clientToServer ? "c2s" : "s2c") \(control.opcode) \(control.payload.count)"
            case .wsClose: "\(event.direction == .clientToServer ? "c2s" : "s2c") 8 5"
            default: nil
            }
        }
        #expect(messages.filter { $0.hasPrefix("c2s") } == sent.filter { $0.hasPrefix("c2s") })
        #expect(messages.filter { $0.hasPrefix("s2c") } == sent.filter { $0.hasPrefix("s2c") })
        let port = try #require(Self.serverPort(events))
        let rows = try Self.tshark(
            name, filter: "websocket",
            fields: ["tcp.srcport", "websocket.opcode", "websocket.payload_length", "websocket.payload_length_ext_16"])
        var reference: [String] = []
        for row in rows where row.count == 4 {
            let opcodes = row[1].split(separator: ",")
            let lengths = row[2].split(separator: ",")
            // A 7-bit length of 126 means the 16-bit extended length follows (in order).
            var extended = row[3].split(separator: ",").makeIterator()
            guard opcodes.count == lengths.count else { continue }
            for index in opcodes.indices {
                let length = lengths[index] == "126" ? extended.next() ?? "?" : lengths[index]
                reference.append("\(row[0] == port ? "s2c" : "c2s") \(opcodes[index]) \(length)")
            }
        }
        #expect(frames.filter { $0.hasPrefix("c2s") } == reference.filter { $0.hasPrefix("c2s") })
        #expect(frames.filter { $0.hasPrefix("s2c") } == reference.filter { $0.hasPrefix("s2c") })
    }

    @Test("the same events from --keylog, from SSLKEYLOGFILE and from the pcapng's secrets block")
    func keySources() throws {
        let binary = CommandLineTests.binary
        let name = "tls13-h2-curl-nghttpd"
        let fromOption = try TestEnvironment.run(
            binary, ["-r", TLSSamples.path(name + ".pcap"), "--json", "--keylog", TLSSamples.path(name + ".keylog")])
        let env = try #require(TestEnvironment.tool("env"))
        let fromEnvironment = try TestEnvironment.run(
            env,
            [
                "SSLKEYLOGFILE=" + TLSSamples.path(name + ".keylog"), binary.path,
                "-r", TLSSamples.path(name + ".pcap"), "--json",
            ])
        let fromBlock = try TestEnvironment.run(binary, ["-r", TLSSamples.path(name + "-dsb.pcapng"), "--json"])
        #expect(fromOption.status == 0 && fromEnvironment.status == 0 && fromBlock.status == 0)
        // The events (not the summary, whose packet counts are the same too) line by line.
        let events = { (result: TestEnvironment.ToolResult) in
            result.text.split(separator: "\n").filter { !$0.contains("\"type\":\"summary\"") }
        }
        #expect(events(fromOption).contains { $0.contains("\"type\":\"h2.stream\"") && $0.contains("\"tls\":true") })
        #expect(events(fromOption) == events(fromEnvironment))
        #expect(events(fromOption) == events(fromBlock))
        let missing = try TestEnvironment.run(
            binary, ["-r", TLSSamples.path(name + ".pcap"), "--keylog", "/nonexistent/keylog"])
        #expect(missing.status == 2)
    }
}
