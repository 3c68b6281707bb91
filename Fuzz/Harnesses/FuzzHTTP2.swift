@testable import SwitchpointCore

/// The HTTP/2 frame parser and dissector (HPACK, streams, RFC 8441 WebSocket inside).
/// First byte bit 0: the client must send the preface first (prior knowledge) or not.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTP2(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    let rest = UnsafeRawBufferPointer(rebasing: bytes[1...])
    var input = Array(rest)
    if bytes[0] & 1 != 0 {
        // Prepend a client chunk holding the preface so the frames behind it are reached.
        input = [UInt8(ProtocolDetector.http2Preface.count - 1) << 1] + ProtocolDetector.http2Preface + input
    }
    let context = UpgradeContext(
        protocolName: "h2c", request: nil, response: nil, clientToServerOffset: 0, serverToClientOffset: 0)
    var dissector = HTTP2Dissector(context: context)
    input.withUnsafeBytes { FuzzInput.drive(&dissector, $0) }
    var parser = HTTP2FrameParser(expectPreface: false)
    var index = 0
    var rounds = 0
    while index < rest.count, rounds < 1 << 16 {
        let before = index
        guard let event = parser.next(rest, index: &index, offset: UInt64(before)) else { break }
        if case .dataPiece(let range, _) = event {
            precondition(range.upperBound <= rest.count, "DATA range outside the input")
        }
        rounds += 1
    }
    return 0
}
