import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// A recorded sample's WebSocket messages (whole payloads), replayed into an interpreter.
struct SampleReplay {
    struct Message {
        var connection: ConnectionID
        var direction: Direction
        var opcode: UInt8
        var payload: [UInt8]
        var length: UInt64
        var offset: UInt64
        var capture: CaptureInfo
        var firstPacket: UInt64
    }

    let sink: CollectingEventSink
    let messages: [Message]

    init(sample name: String) throws {
        let path = TestEnvironment.samplesDirectory.appendingPathComponent("apps/\(name)").path
        try #require(FileManager.default.fileExists(atPath: path), "sample \(path) missing")
        var options = WebSocketOptions()
        options.keepFullPayload = true
        sink = try WebSocketDissectorTests.timeline(path, options: options)
        messages = sink.events.compactMap { event in
            guard case .wsMessage(let message) = event.kind, let direction = event.direction else { return nil }
            return Message(
                connection: event.connection, direction: direction, opcode: message.opcode, payload: message.kept,
                length: message.length, offset: event.offset ?? 0,
                capture: CaptureInfo(packetNumber: event.packet, timestamp: event.timestamp),
                firstPacket: event.firstPacket)
        }
    }

    /// Every message of `connection` fed to a fresh interpreter, finished at the last packet.
    func replay<Interpreter: SinkDrivenInterpreter>(
        _ interpreter: inout Interpreter, connection: ConnectionID
    ) -> CollectedApplicationEvents {
        var collected = CollectedApplicationEvents()
        var last = CaptureInfo(packetNumber: 0, timestamp: Timestamp(nanoseconds: 0))
        for message in messages where message.connection == connection {
            message.payload.withUnsafeBytes { payload in
                let interpreted = InterpretedMessage(
                    direction: message.direction, opcode: WebSocketOpcode(rawValue: message.opcode), payload: payload,
                    length: message.length, truncated: UInt64(payload.count) < message.length, offset: message.offset,
                    capture: message.capture, firstPacket: message.firstPacket)
                interpreter.interpret(interpreted, into: &collected)
            }
            last = message.capture
        }
        interpreter.finish(at: last, into: &collected)
        return collected
    }

    var webSocketConnections: [ConnectionID] {
        var seen: [ConnectionID] = []
        for message in messages where !seen.contains(message.connection) { seen.append(message.connection) }
        return seen
    }

    /// The lines of a library's log beside the sample.
    static func log(_ name: String) throws -> [Substring] {
        let url = TestEnvironment.samplesDirectory.appendingPathComponent("apps/\(name)")
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
    }
}
