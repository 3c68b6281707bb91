/// The HTTP/1 session's one answer when a connection leaves HTTP/1: which protocol (as
/// the wire names it), where each direction's new bytes start, and the client bytes that
/// already arrived for it. The session hands this over and keeps nothing; the analysis
/// asks the registry's handler for the rest.
struct UpgradeVerdict {
    enum Kind: Equatable {
        /// A 101: the token the server chose (else the client's first offer).
        case upgrade(token: String)
        /// A 2xx to CONNECT.
        case connectTunnel
    }

    var kind: Kind
    var status: Int
    var request: HTTPRequestHead?
    var response: HTTPResponseHead
    /// When the request's last byte was captured.
    var requestTimestamp: Timestamp?
    var latencyMilliseconds: Double
    /// First byte of the new protocol from the client: after the request and its body.
    var clientToServerOffset: UInt64
    /// First byte of the new protocol from the server: after the response head.
    var serverToClientOffset: UInt64
    /// Where the server's new bytes start in the chunk that carried the response head.
    var serverRemainderIndex: Int
    /// Client bytes received since the request (sent before the verdict arrived): the
    /// new protocol's first.
    var clientBytes: HTTP1Session.HeldBytes?
}
