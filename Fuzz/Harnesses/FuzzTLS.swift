@testable import SwitchpointCore

/// The TLS session without keys (record framing, handshake reassembly, hellos, HRR) and the
/// hello parsers on raw bodies.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTLS(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    var session = TLSSession()
    FuzzInput.drive(&session, bytes)
    let body = Array(bytes)
    _ = TLSHelloParser.clientHello(body)
    _ = TLSHelloParser.serverHello(body)
    return 0
}
