/// Which leg a capture given to the audit holds.
package enum CaptureRole: String, Sendable {
    /// The client side: clients and the proxy's front (`--front-file`, the first of two).
    case front
    /// The upstream side: the proxy's connections to its upstreams (`--back-file`, the
    /// second of two).
    case back
    /// Both legs in one capture (`tcpdump -i any` on the proxy host): pairing splits them.
    case both

    /// The roles of captures given by position: one holds both legs; of two, the client
    /// side comes first.
    package static func byPosition(count: Int) -> [CaptureRole] {
        count == 2 ? [.front, .back] : Array(repeating: .both, count: count)
    }

    /// How the report names it.
    package var description: String {
        switch self {
        case .front: "client side (front)"
        case .back: "upstream side (back)"
        case .both: "both legs"
        }
    }
}
