/// The legacy `graphql-ws` (subscriptions-transport-ws), chosen by that subprotocol, or by
/// a first message `start` (its connection_init looks like the newer protocol's).
package struct GraphQLWSInterpreterFactory: WebSocketInterpreterFactory {
    package init() {}

    package var name: String { GraphQLDialect.legacy.rawValue }
    package var subprotocols: [String] { [GraphQLDialect.legacy.rawValue] }

    package func recognizes(firstMessage: borrowing InterpretedMessage) -> Bool {
        GraphQLInterpreter.firstMessageType(firstMessage) == "start"
    }

    package func makeInterpreter() -> any WebSocketMessageInterpreter { GraphQLInterpreter(dialect: .legacy) }
}
