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

/// Where the decrypted stream begins, which decides how its analysis starts.
package enum DecryptedStreamStart {
    /// ALPN chose h2: HTTP/2 from the first application byte.
    case http2
    /// The first application byte, protocol by detection (HTTP/1.1 with its upgrades, …).
    case detect
    /// Somewhere in the middle (a connection joined after its handshake): by content.
    case midStream
}

/// Makes the decrypted stream's analysis at its first byte.
package typealias DecryptedStreamAnalysisMaker = (_ start: DecryptedStreamStart) -> any DecryptedStreamAnalysis
