/// How much of each WebSocket payload to keep, and the limits of decoding.
package struct WebSocketOptions: Sendable {
    /// Keep whole payloads (`--payload full`) instead of a preview.
    package var keepFullPayload = false
    /// Bytes of each message kept for display when not keeping everything.
    package var previewBytes = 1024
    /// Bytes of a message kept with `--payload full`: past it the message is counted, not
    /// kept (a finding says so), so one huge message cannot take the memory.
    package var maxFullPayloadBytes = 64 << 20
    /// Control frame payload bytes kept (125 is the protocol's limit; more is kept to show
    /// what an oversized one carried).
    package var maxControlPayload = 64 * 1024
    /// Inflated bytes one message may produce; a deflate bomb stops here with a finding.
    package var maxInflatedMessageBytes: UInt64 = 256 << 20
    /// Pings remembered per direction while waiting for their pongs.
    package var maxOutstandingPings = 64

    package init() {}
}
