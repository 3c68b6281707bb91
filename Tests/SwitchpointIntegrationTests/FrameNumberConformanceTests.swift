import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// Acceptance (issue 14): the `frame` of every HTTP message, WebSocket frame and HTTP/2
/// frame is tshark's `frame.number` for it. tshark reports a reassembled PDU at the packet
/// that completes it; so does switchpoint (an HTTP message with a body completes with its
/// `http.body` event, one without with its head).
@Suite("Packet numbers equal tshark's frame.number")
struct FrameNumberConformanceTests {

    /// One direction of one connection, by its ports: what each tool saw, in order.
    struct Side: Hashable {
        var sourcePort: Int
        var destinationPort: Int
    }

    /// Per side, the packet numbers of each unit in order: HTTP/1 messages, WebSocket
    /// frames (with opcodes), HTTP/2 frames (with types).
    struct Units: Equatable, CustomStringConvertible {
        var http: [Int] = []
        var webSocket: [String] = []
        var http2: [String] = []
        var description: String { "http \(http) ws \(webSocket) h2 \(http2)" }
    }

    @Test(
        "HTTP messages, WebSocket frames and HTTP/2 frames of every corpus capture",
        .enabled(if: TestEnvironment.corpusAvailable, TestEnvironment.corpusMissingMessage),
        arguments: TestEnvironment.corpusAvailable ? TestEnvironment.corpusCaptures : [])
    func corpus(capture: URL) throws {
        let theirs = try Self.tsharkUnits(capture)
        #expect(!theirs.isEmpty, "tshark found no HTTP, WebSocket or HTTP/2 in \(capture.lastPathComponent)")
        for threads in ["1", "2"] {
            let ours = try Self.switchpointUnits(capture, threads: threads)
            for side in Set(theirs.keys).union(ours.keys) {
                #expect(
                    ours[side] ?? Units() == theirs[side] ?? Units(),
                    "\(capture.lastPathComponent) --threads \(threads) \(side.sourcePort)→\(side.destinationPort): ours \(ours[side] ?? Units()), tshark \(theirs[side] ?? Units())"
                )
            }
        }
    }

    /// tshark's units: one row per packet, several units of a kind comma-separated.
    static func tsharkUnits(_ capture: URL) throws -> [Side: Units] {
        let tshark = try TestEnvironment.requiredTool("tshark")
        let result = try TestEnvironment.run(
            tshark,
            [
                "-r", capture.path, "-Y", "http || websocket || http2", "-T", "fields", "-E", "separator=/t",
                "-e", "frame.number", "-e", "tcp.srcport", "-e", "tcp.dstport",
                "-e", "http.request.method", "-e", "http.response.code", "-e", "websocket.opcode", "-e", "http2.type",
            ])
        #expect(result.status == 0, "tshark failed: \(result.errorText)")
        var units: [Side: Units] = [:]
        for line in result.text.split(separator: "\n") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 7, let frame = Int(fields[0]), let source = Int(fields[1]),
                let destination = Int(fields[2])
            else { continue }
            let side = Side(sourcePort: source, destinationPort: destination)
            var entry = units[side] ?? Units()
            for _ in fields[3].split(separator: ",") { entry.http.append(frame) }
            for _ in fields[4].split(separator: ",") { entry.http.append(frame) }
            for opcode in fields[5].split(separator: ",") { entry.webSocket.append("\(frame):\(opcode)") }
            for type in fields[6].split(separator: ",") { entry.http2.append("\(frame):\(type)") }
            units[side] = entry
        }
        return units
    }

    /// switchpoint's units from its JSON lines.
    static func switchpointUnits(_ capture: URL, threads: String) throws -> [Side: Units] {
        let result = try TestEnvironment.run(
            CommandLineTests.binary, ["-r", capture.path, "--json", "--threads", threads])
        #expect(result.status == 0)
        var endpoints: [Int: (client: Int, server: Int)] = [:]
        var units: [Side: Units] = [:]
        /// The HTTP message whose head was seen and whose end (a body) may follow, per side.
        var openMessage: [Side: Int] = [:]
        for line in result.text.split(separator: "\n") {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            guard let type = object["type"] as? String, let connection = object["conn"] as? Int else { continue }
            if type == "conn.open", let client = object["client"] as? String, let server = object["server"] as? String {
                endpoints[connection] = (Self.port(client), Self.port(server))
                continue
            }
            guard let ports = endpoints[connection], let direction = object["dir"] as? String else { continue }
            let frame = try #require(object["frame"] as? Int, "\(type) without a frame: \(line)")
            let side =
                direction == "c2s"
                ? Side(sourcePort: ports.client, destinationPort: ports.server)
                : Side(sourcePort: ports.server, destinationPort: ports.client)
            var entry = units[side] ?? Units()
            switch type {
            case "http.request", "http.response":
                entry.http.append(frame)
                openMessage[side] = entry.http.count - 1
            case "http.body":
                // The message completes with its body: tshark reports it there.
                if let index = openMessage[side] { entry.http[index] = frame }
                openMessage[side] = nil
            case "ws.frame":
                entry.webSocket.append("\(frame):\(object["opcode"] as? Int ?? -1)")
            case "h2.frame":
                entry.http2.append("\(frame):\(object["frame_type"] as? Int ?? object["h2_type"] as? Int ?? -1)")
            default:
                break
            }
            units[side] = entry
        }
        return units
    }

    static func port(_ endpoint: String) -> Int {
        Int(endpoint.split(separator: ":").last ?? "") ?? -1
    }
}
