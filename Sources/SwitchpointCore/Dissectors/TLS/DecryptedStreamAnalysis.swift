/// Where a TLS session hands its decrypted bytes: the analysis a cleartext connection gets
/// (detection, HTTP/1 with its upgrades, HTTP/2). The analysis layer makes it and injects
/// the maker, so the dissectors never build an analysis themselves.
package protocol DecryptedStreamAnalysis: AnyObject {
    func receive(
        _ bytes: UnsafeRawBufferPointer, direction: Direction, offset: UInt64, capture: CaptureInfo,
        events: inout EventBuffer)
    func gap(
        direction: Direction, offset: UInt64, length: UInt64, reason: GapReason, capture: CaptureInfo,
        events: inout EventBuffer)
    func finish(capture: CaptureInfo, reason: CloseReason?, events: inout EventBuffer)
    var openState: OpenConnectionState { get }
}

/// Makes the decrypted stream's analysis at its first byte; `http2`: ALPN chose h2, so
/// HTTP/2 starts at the first application byte.
package typealias DecryptedStreamAnalysisMaker = (_ http2: Bool) -> any DecryptedStreamAnalysis
