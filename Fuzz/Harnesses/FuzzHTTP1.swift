@testable import SwitchpointCore

/// The HTTP/1 session (and through it the parser, the switch verdict and its findings):
/// chunks alternate directions as the input says; small limits reach the limit paths.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTP1(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    var limits = HTTP1Limits()
    limits.maxLineLength = 256
    limits.maxHeaderCount = 16
    limits.maxHeaderBytes = 1024
    limits.maxPendingRequests = 8
    var session = HTTP1Session(limits: limits)
    var events = EventBuffer(connection: 1)
    var offsets: [UInt64] = [0, 0]
    for (direction, chunk) in FuzzInput.chunks(bytes) {
        let offset = offsets[direction.rawValue]
        if chunk.count == 128, let first = chunk.first, first & 0x3f == 0x3f {
            _ = session.gap(
                direction: direction, offset: offset, length: UInt64(first), capture: FuzzInput.capture, events: &events
            )
            offsets[direction.rawValue] += UInt64(first)
        } else {
            switch direction {
            case .clientToServer:
                _ = session.receiveFromClient(chunk, offset: offset, capture: FuzzInput.capture, events: &events)
            case .serverToClient:
                _ = session.receiveFromServer(chunk, offset: offset, capture: FuzzInput.capture, events: &events)
            }
            offsets[direction.rawValue] += UInt64(chunk.count)
        }
        events.removeAll()
    }
    session.finish(clientOffset: offsets[0], serverOffset: offsets[1], capture: FuzzInput.capture, events: &events)
    // The bare parser too, on the whole input as a request stream.
    var parser = HTTP1Parser(role: .request, limits: limits)
    var parserEvents: [HTTP1ParserEvent] = []
    var consumed = 0
    var rounds = 0
    while consumed < bytes.count, rounds < FuzzInput.maxChunks {
        let used = parser.parse(
            UnsafeRawBufferPointer(rebasing: bytes[consumed...]), at: UInt64(consumed), events: &parserEvents)
        if used == 0 { break }
        consumed += used
        rounds += 1
        parserEvents.removeAll(keepingCapacity: true)
    }
    parser.finish(at: UInt64(consumed), events: &parserEvents)
    return 0
}
