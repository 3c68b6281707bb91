/// GraphQL over WebSocket, `graphql-transport-ws` (chosen by that subprotocol, or by a first
/// message `{"type":"connection_init"…}` or `subscribe`).
package struct GraphQLTransportWSInterpreterFactory: WebSocketInterpreterFactory {
    package init() {}

    package var name: String { GraphQLDialect.transportWS.rawValue }
    package var subprotocols: [String] { [GraphQLDialect.transportWS.rawValue] }

    package func recognizes(firstMessage: borrowing InterpretedMessage) -> Bool {
        guard let type = GraphQLInterpreter.firstMessageType(firstMessage) else { return false }
        return type == "connection_init" || type == "subscribe"
    }

    package func makeInterpreter() -> any WebSocketMessageInterpreter { GraphQLInterpreter(dialect: .transportWS) }
}
