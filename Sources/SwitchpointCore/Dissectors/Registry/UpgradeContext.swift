/// What a dissector factory learns from the handshake that selected it.
package struct UpgradeContext: Sendable {
    /// The protocol token as the server named it (`websocket`, `h2c`, `tcp`, …).
    package var protocolName: String
    package var request: HTTPRequestHead?
    package var response: HTTPResponseHead?
    package var clientToServerOffset: UInt64
    package var serverToClientOffset: UInt64
    /// When the upgrade request's last byte was captured (h2c: stream 1's request time).
    package var requestTimestamp: Timestamp?
    /// The first bytes given are the first of a frame (a handshake or the connection's
    /// start was captured). False when the capture began mid-stream: the dissector then
    /// looks for frame boundaries before parsing.
    package var startsAtFrameBoundary: Bool {
        get { clientStartsAtFrameBoundary && serverStartsAtFrameBoundary }
        set {
            clientStartsAtFrameBoundary = newValue
            serverStartsAtFrameBoundary = newValue
        }
    }
    /// The stream did not start at the protocol's start (no preface to expect), even where
    /// a frame boundary is known.
    package var midConnection = false
    /// The same per direction (content detection may have found one side's boundary).
    package var clientStartsAtFrameBoundary = true
    package var serverStartsAtFrameBoundary = true
    /// The message interpreters a WebSocket may hand its messages to (empty: none, and
    /// messages are not collected for them).
    package var interpreters = WebSocketInterpreterSet()
    /// The request target when there is no HTTP/1 request (an RFC 8441 stream's `:path`).
    package var target: String?

    package init(
        protocolName: String, request: HTTPRequestHead?, response: HTTPResponseHead?,
        clientToServerOffset: UInt64, serverToClientOffset: UInt64, requestTimestamp: Timestamp? = nil
    ) {
        self.protocolName = protocolName
        self.request = request
        self.response = response
        self.clientToServerOffset = clientToServerOffset
        self.serverToClientOffset = serverToClientOffset
        self.requestTimestamp = requestTimestamp
    }
}
