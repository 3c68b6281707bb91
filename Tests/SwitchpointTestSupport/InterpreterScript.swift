import Foundation

@testable import SwitchpointCore

/// WebSocket messages scripted for an interpreter, fed straight to it (no analyzer).
struct InterpreterScript {
    struct Message {
        var direction: Direction
        var opcode: WebSocketOpcode
        var bytes: [UInt8]
        var milliseconds: Int64
        var truncatedTo: Int?
    }

    var messages: [Message] = []
    private var clock: Int64 = 0

    mutating func add(
        _ direction: Direction, _ bytes: [UInt8], opcode: WebSocketOpcode = .binary, after milliseconds: Int64 = 1
    ) {
        clock += milliseconds
        messages.append(Message(direction: direction, opcode: opcode, bytes: bytes, milliseconds: clock))
    }

    mutating func text(_ direction: Direction, _ text: String, after milliseconds: Int64 = 1) {
        add(direction, Array(text.utf8), opcode: .text, after: milliseconds)
    }

    /// Feeds every message (packet numbers from 1), then finishes 1 ms after the last.
    func run<Interpreter: SinkDrivenInterpreter>(_ interpreter: inout Interpreter) -> CollectedApplicationEvents {
        var sink = CollectedApplicationEvents()
        var offsets = PerDirection<UInt64>(repeating: 0)
        for (index, message) in messages.enumerated() {
            let capture = Self.capture(packet: UInt64(index + 1), milliseconds: message.milliseconds)
            let given = message.truncatedTo.map { Array(message.bytes.prefix($0)) } ?? message.bytes
            given.withUnsafeBytes { payload in
                let interpreted = InterpretedMessage(
                    direction: message.direction, opcode: message.opcode, payload: payload,
                    length: UInt64(message.bytes.count), truncated: message.truncatedTo != nil,
                    offset: offsets[message.direction], capture: capture, firstPacket: capture.packetNumber)
                interpreter.interpret(interpreted, into: &sink)
            }
            offsets[message.direction] += UInt64(message.bytes.count) + 2
        }
        let end = Self.capture(packet: UInt64(messages.count + 1), milliseconds: clock + 1)
        interpreter.finish(at: end, into: &sink)
        return sink
    }

    static func capture(packet: UInt64, milliseconds: Int64) -> CaptureInfo {
        CaptureInfo(
            packetNumber: packet,
            timestamp: Timestamp(nanoseconds: 1_700_000_000_000_000_000 + milliseconds * 1_000_000))
    }

    /// The same bytes per direction, cut into messages at other places (runs of messages in
    /// one direction are joined, then cut every `sizes` bytes in turn).
    func resplit(sizes: [Int]) -> InterpreterScript {
        var result = InterpreterScript()
        var run: [UInt8] = []
        var runDirection: Direction?
        var sizeIndex = 0
        func flush() {
            guard let direction = runDirection else { return }
            var start = 0
            while start < run.count {
                let size = max(1, sizes[sizeIndex % sizes.count])
                sizeIndex += 1
                let end = min(run.count, start + size)
                result.add(direction, Array(run[start..<end]), opcode: .binary, after: 0)
                start = end
            }
            run.removeAll()
        }
        for message in messages {
            if message.direction != runDirection {
                flush()
                runDirection = message.direction
            }
            run += message.bytes
        }
        flush()
        return result
    }
}

extension CollectedApplicationEvents {
    /// `OPERATION id summary` per event, and `! code` per finding: what a test compares.
    var lines: [String] {
        items.map { entry in
            switch entry.item {
            case .application(let event):
                var line = event.operation
                if let id = event.id { line += " #\(id)" }
                if !event.summary.isEmpty { line += " \(event.summary)" }
                if let answers = event.answers { line += " <- \(answers.requestOperation)@\(answers.requestPacket)" }
                return line
            case .finding(let finding):
                return "! \(finding.code.rawValue)"
            }
        }
    }

    /// Events without their places and pairings' packets (equal however the bytes were cut).
    var shapes: [String] {
        items.map { entry in
            switch entry.item {
            case .application(let event):
                return
                    "\(event.operation) \(event.id ?? "-") \(event.summary) \(event.fields.map { "\($0.name)=\($0.value)" })"
                    + (event.answers.map { " <- \($0.requestOperation)" } ?? "")
            case .finding(let finding):
                return "! \(finding.code.rawValue)"
            }
        }
    }
}
