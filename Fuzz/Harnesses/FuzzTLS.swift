@testable import SwitchpointCore

/// The TLS session without keys (record framing, handshake reassembly, hellos, HRR), the
/// session joined after its handshake (boundary search, trial decryption under a logged
/// secret) and the hello parsers on raw bodies.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTLS(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    var session = TLSSession()
    FuzzInput.drive(&session, bytes)
    var joined = TLSMidStreamSession(
        keyLog: joinedKeyLog, makeInner: nil,
        aligned: PerDirection(clientToServer: size % 2 == 0, serverToClient: size % 3 == 0))
    FuzzInput.drive(&joined, bytes)
    let body = Array(bytes)
    _ = TLSHelloParser.clientHello(body)
    _ = TLSHelloParser.serverHello(body)
    return 0
}

/// One logged TLS 1.3 connection (SHA-256 and SHA-384 sized secrets) for trial decryption.
private let joinedKeyLog = TLSKeyLog(
    text: """
        CLIENT_TRAFFIC_SECRET_0 \(String(repeating: "11", count: 32)) \(String(repeating: "22", count: 32))
        SERVER_TRAFFIC_SECRET_0 \(String(repeating: "11", count: 32)) \(String(repeating: "33", count: 48))
        """)
