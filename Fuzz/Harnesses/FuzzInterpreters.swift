@testable import SwitchpointCore

/// The WebSocket message interpreters (Socket.IO, MQTT, STOMP, Kubernetes channels) and
/// their factories' content checks. The first byte picks the interpreter (bits 0-1) and the opcode of every
/// message (bit 2: binary); each chunk is one message, a chunk whose length bits are all
/// set is a message cut short (truncated, its length doubled).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzInterpreters(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    let opcode: WebSocketOpcode = bytes[0] & 4 != 0 ? .binary : .text
    let rest = UnsafeRawBufferPointer(rebasing: bytes[1...])
    switch bytes[0] & 3 {
    case 0: driveInterpreter(SocketIOInterpreter(), SocketIOInterpreterFactory(), rest, opcode: opcode)
    case 1: driveInterpreter(MQTTInterpreter(), MQTTInterpreterFactory(), rest, opcode: opcode)
    case 2: driveInterpreter(STOMPInterpreter(), STOMPInterpreterFactory(), rest, opcode: opcode)
    default:
        // Exec or port-forward by bit 3: the two read channels differently.
        let target =
            bytes[0] & 8 != 0 ? "/api/v1/namespaces/n/pods/p/portforward?ports=80" : "/api/v1/namespaces/n/pods/p/exec"
        driveInterpreter(
            KubernetesChannelInterpreter(handshake: WebSocketInterpreterHandshake(subprotocol: nil, target: target)),
            KubernetesChannelInterpreterFactory(), rest, opcode: opcode)
    }
    return 0
}

private func driveInterpreter<Interpreter: SinkDrivenInterpreter, Factory: WebSocketInterpreterFactory>(
    _ interpreter: Interpreter, _ factory: Factory, _ data: UnsafeRawBufferPointer, opcode: WebSocketOpcode
) {
    var interpreter = interpreter
    var sink = CollectedApplicationEvents()
    var offsets = PerDirection<UInt64>(repeating: 0)
    for (index, (direction, payload)) in FuzzInput.chunks(data).enumerated() {
        let truncated = payload.count == 128
        let length = UInt64(payload.count) * (truncated ? 2 : 1)
        let capture = CaptureInfo(
            packetNumber: UInt64(index + 1),
            timestamp: FuzzInput.capture.timestamp.adding(nanoseconds: Int64(index) * 1_000_000_000))
        let message = InterpretedMessage(
            direction: direction, opcode: opcode, payload: payload, length: length, truncated: truncated,
            offset: offsets[direction], capture: capture, firstPacket: capture.packetNumber)
        if index == 0 { _ = factory.recognizes(firstMessage: message) }
        interpreter.interpret(message, into: &sink)
        offsets[direction] += length
        sink.removeAll()
    }
    interpreter.finish(at: FuzzInput.capture, into: &sink)
}
