/// Everything an analysis is built from, whatever the run strategy: every strategy's
/// analyzers (one, or one per worker) come from `makeAnalyzer`, so they cannot differ.
package struct AnalysisConfiguration: Sendable {
    package var limits = ReassemblyLimits()
    /// `-c`.
    package var packetLimit: Int?
    package var shard: ShardSelector?
    /// `--decode-as`: ports whose connections are dissected as a protocol from their first byte.
    package var decodeAs: [UInt16: ProtocolID] = [:]
    /// `--decode-ws-as`: the message interpreter WebSockets get, overriding the choice.
    package var decodeWebSocketAs = WebSocketInterpreterOverrides()
    package var keyLog: TLSKeyLog?
    /// `--redact`: secrets replaced before any output sees them.
    package var redact = false
    /// `--payload full`: whole payloads and bodies kept (up to their named limits).
    package var keepsFullPayloads = false
    /// Bodies of HTTP/2 streams kept for an output that shows or exports them.
    package var keepsStreamBodies = false
    /// Engine.IO sessions followed across connections (polling, then the WebSocket).
    package var linksEngineIOSessions = false

    package init() {}

    /// State that crosses connections (TLS secrets looked up by client random, Engine.IO
    /// sessions): one analyzer must see every connection.
    package var crossesConnections: Bool { keyLog != nil || linksEngineIOSessions }

    package var registry: DissectorRegistry {
        var webSocket = WebSocketOptions()
        webSocket.keepFullPayload = keepsFullPayloads
        var bodies = HTTPBodyOptions()
        bodies.keepFull = keepsFullPayloads
        bodies.keepsStreamBodies = keepsStreamBodies
        var registry = DissectorRegistry.standard(webSocket: webSocket, bodies: bodies)
        registry.interpreters.overrides = decodeWebSocketAs
        return registry
    }

    /// The reading side: capture, decode, reassembly, `-c` and `--shard`.
    package func makeRunner() -> CaptureRunner {
        CaptureRunner(limits: limits, packetLimit: packetLimit, shard: shard)
    }

    /// The analyzer every strategy runs, feeding `output`.
    package func makeAnalyzer(output: any TimelineEventSink, registry: DissectorRegistry) -> TimelineAnalyzer {
        TimelineAnalyzer(
            output: output, registry: registry, decodeAs: decodeAs, keyLog: keyLog, redact: redact,
            linksEngineIOSessions: linksEngineIOSessions)
    }
}
