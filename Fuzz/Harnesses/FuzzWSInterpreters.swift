@testable import SwitchpointCore

/// The WebSocket message interpreters (JSON-RPC, GraphQL, and whatever else the standard
/// registry holds): the first byte picks one; the rest is messages, each a header byte (bit
/// 0 the direction, bit 1 binary, bit 2 truncated) and a 2-byte big-endian length. Every
/// factory's content recognition sees every message too.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWSInterpreters(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    let factories = DissectorRegistry.builtInInterpreters
    guard !factories.isEmpty else { return 0 }
    var interpreter = factories[Int(bytes[0]) % factories.count].makeInterpreter()
    var events = EventBuffer(connection: 1)
    var index = 1
    var packet: UInt64 = 1
    while index + 3 <= bytes.count {
        let header = bytes[index]
        let length = min(Int(bytes[index + 1]) << 8 | Int(bytes[index + 2]), bytes.count - index - 3)
        let payload = UnsafeRawBufferPointer(rebasing: bytes[(index + 3)..<(index + 3 + length)])
        index += 3 + length
        let message = InterpretedMessage(
            direction: header & 1 == 0 ? .clientToServer : .serverToClient,
            opcode: header & 2 == 0 ? .text : .binary, payload: payload, length: UInt64(length),
            truncated: header & 4 != 0, offset: UInt64(index),
            capture: CaptureInfo(packetNumber: packet, timestamp: .zero),
            firstPacket: packet)
        for factory in factories { _ = factory.recognizes(firstMessage: message) }
        interpreter.receive(message, events: &events)
        packet += 1
        events.removeAll()
    }
    interpreter.finish(capture: CaptureInfo(packetNumber: packet, timestamp: .zero), events: &events)
    return 0
}
