/// Where a TLS session's plaintext goes: the decrypted stream's analysis, made at the first
/// application byte, with each direction's plaintext offset, and the events it emits marked
/// as decrypted. Shared by the session that saw its handshake and the one joined mid-way.
struct DecryptedPlaintextFeed {
    private(set) var inner: (any DecryptedStreamAnalysis)?
    private var offsets = PerDirection<UInt64>(repeating: 0)

    /// Hands application data on; `make` builds the analysis at the first byte (nil: the
    /// bytes are counted, not analysed).
    mutating func deliver(
        _ plaintext: [UInt8], direction: Direction, capture: CaptureInfo, events: inout EventBuffer,
        make: () -> (any DecryptedStreamAnalysis)?
    ) {
        guard !plaintext.isEmpty else { return }
        if inner == nil { inner = make() }
        guard let inner else { return }
        let offset = offsets[direction]
        offsets[direction] += UInt64(plaintext.count)
        events.decrypted = true
        plaintext.withUnsafeBytes {
            inner.receive($0, direction: direction, offset: offset, capture: capture, events: &events)
        }
        events.decrypted = false
    }

    /// Plaintext that was lost (a record in a gap, or the rest of a direction).
    mutating func gap(_ direction: Direction, length: UInt64, capture: CaptureInfo, events: inout EventBuffer) {
        guard let inner else { return }
        let offset = offsets[direction]
        offsets[direction] += length
        events.decrypted = true
        inner.gap(
            direction: direction, offset: offset, length: length, reason: .tlsRecordLost, capture: capture,
            events: &events)
        events.decrypted = false
    }

    func finish(capture: CaptureInfo, captureEnded: Bool, events: inout EventBuffer) {
        guard let inner else { return }
        events.decrypted = true
        inner.finish(capture: capture, reason: captureEnded ? .captureEnded : .fin, events: &events)
        events.decrypted = false
    }

    /// The decrypted protocol's state ("websocket over tls"), or plain "tls" before any.
    var openState: OpenConnectionState {
        guard let inner else { return OpenConnectionState(protocolName: ProtocolID.tls.token) }
        var state = inner.openState
        state.protocolName += " over tls"
        return state
    }
}
