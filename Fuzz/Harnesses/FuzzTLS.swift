@testable import SwitchpointCore

/// The TLS hello reader (records) and the hello parsers (bodies).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTLS(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    var reader = TLSHelloReader()
    for (_, chunk) in FuzzInput.chunks(bytes) {
        if case .message(let type, let body) = reader.append(chunk) {
            _ = type == 1 ? TLSHelloParser.clientHello(body).map { _ in 0 } : TLSHelloParser.serverHello(body).map { _ in 0 }
            break
        }
    }
    let body = Array(bytes)
    _ = TLSHelloParser.clientHello(body)
    _ = TLSHelloParser.serverHello(body)
    return 0
}
