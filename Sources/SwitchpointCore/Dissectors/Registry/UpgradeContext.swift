/// What a dissector factory learns from the handshake that selected it.
public struct UpgradeContext: Sendable {
    /// The protocol token as the server named it (`websocket`, `h2c`, `tcp`, …).
    public var protocolName: String
    public var request: HTTPRequestHead?
    public var response: HTTPResponseHead?
    public var clientToServerOffset: UInt64
    public var serverToClientOffset: UInt64
    /// When the upgrade request's last byte was captured (h2c: stream 1's request time).
    public var requestTimestamp: Timestamp?
    /// The first bytes given are the first of a frame (a handshake or the connection's
    /// start was captured). False when the capture began mid-stream: the dissector then
    /// looks for frame boundaries before parsing.
    public var startsAtFrameBoundary: Bool {
        get { clientStartsAtFrameBoundary && serverStartsAtFrameBoundary }
        set {
            clientStartsAtFrameBoundary = newValue
            serverStartsAtFrameBoundary = newValue
        }
    }
    /// The stream did not start at the protocol's start (no preface to expect), even where
    /// a frame boundary is known.
    public var midConnection = false
    /// The same per direction (content detection may have found one side's boundary).
    public var clientStartsAtFrameBoundary = true
    public var serverStartsAtFrameBoundary = true

    public init(protocolName: String, request: HTTPRequestHead?, response: HTTPResponseHead?,
                clientToServerOffset: UInt64, serverToClientOffset: UInt64, requestTimestamp: Timestamp? = nil) {
        self.protocolName = protocolName
        self.request = request
        self.response = response
        self.clientToServerOffset = clientToServerOffset
        self.serverToClientOffset = serverToClientOffset
        self.requestTimestamp = requestTimestamp
    }
}
