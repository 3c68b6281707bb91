/// The two GraphQL-over-WebSocket protocols: `graphql-transport-ws` (the graphql-ws
/// library, its PROTOCOL.md) and the legacy `graphql-ws` of subscriptions-transport-ws.
enum GraphQLDialect: String {
    case transportWS = "graphql-transport-ws"
    case legacy = "graphql-ws"

    /// Message types only the legacy protocol has: a connection chosen as
    /// `graphql-transport-ws` by content that shows one is the legacy protocol.
    static let legacyOnlyTypes: Set<String> = ["start", "data", "stop", "ka", "connection_terminate"]
    /// Message types only `graphql-transport-ws` has.
    static let transportOnlyTypes: Set<String> = ["subscribe", "next", "ping", "pong"]

    /// What a message type does in the operation's life.
    enum Role {
        case connectionInit, connectionAck, subscribe, result, error, serverComplete, clientStop, keepAlive, other
    }

    func role(of type: String, direction: Direction) -> Role? {
        switch type {
        case "connection_init": .connectionInit
        case "connection_ack": .connectionAck
        case "subscribe", "start": .subscribe
        case "next", "data": .result
        case "error": .error
        // graphql-transport-ws: either side completes (the client's cancels); legacy: only
        // the server sends complete, the client stops.
        case "complete": direction == .serverToClient ? .serverComplete : .clientStop
        case "stop": .clientStop
        case "ping", "pong", "ka": .keepAlive
        case "connection_error", "connection_terminate": .other
        default: nil
        }
    }
}
