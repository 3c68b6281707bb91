@testable import SwitchpointCore

/// The WebSocket frame parser and dissector; the first byte chooses permessage-deflate
/// (bit 0) and --payload full (bit 1).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWebSocket(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    var options = WebSocketOptions()
    options.keepFullPayload = bytes[0] & 2 != 0
    options.maxInflatedMessageBytes = 1 << 20  // keeps each run short; the limit path is reached
    var dissector = WebSocketDissector(
        context: FuzzInput.webSocketContext(deflate: bytes[0] & 1 != 0), options: options)
    let rest = UnsafeRawBufferPointer(rebasing: bytes[1...])
    FuzzInput.drive(&dissector, rest)
    // The bare frame parser over the whole input.
    var parser = WebSocketFrameParser()
    var index = 0
    var rounds = 0
    while index < rest.count, rounds < 1 << 16 {
        let before = index
        guard let event = parser.next(rest, index: &index, offset: UInt64(before)) else { break }
        if case .payload(let range, _) = event {
            precondition(range.upperBound <= rest.count, "payload range outside the input")
        }
        rounds += 1
    }
    return 0
}
