/// One application-level happening inside a protocol carried over WebSocket (or over HTTP,
/// as Engine.IO's polling): a Socket.IO EVENT, a GraphQL `next`, an MQTT PUBLISH. One shape
/// for every interpreter, so the printers, exports and summary need no per-protocol code:
/// an interpreter fills `operation`, an optional pairing `id`, a short `summary` and its
/// `fields` in the order a reader wants them. Text is wire text, raw: printers escape it.
package struct ApplicationEvent: Sendable, Equatable {
    /// The interpreter's name (`socket.io`, `graphql-transport-ws`, `mqtt`, `stomp`, …).
    package var protocolName: String
    /// The packet or message type as the protocol names it (`EVENT`, `subscribe`, `PUBLISH`).
    package var operation: String
    /// What pairs a request with its answer (ack id, operation id, packet id), as text.
    package var id: String?
    /// The one thing a reader looks for first: an event name, a topic, a destination.
    package var summary: String
    /// Further facts, in display order.
    package var fields: [ApplicationField]
    /// Set on an answer: which request it answers and how long that took.
    package var answers: ApplicationPairing?

    package init(
        protocolName: String, operation: String, id: String? = nil, summary: String = "",
        fields: [ApplicationField] = [], answers: ApplicationPairing? = nil
    ) {
        self.protocolName = protocolName
        self.operation = operation
        self.id = id
        self.summary = summary
        self.fields = fields
        self.answers = answers
    }
}

package struct ApplicationField: Sendable, Equatable {
    package enum Value: Sendable, Equatable {
        case text(String)
        case integer(Int64)
        case number(Double)
        case flag(Bool)
    }
    package var name: String
    package var value: Value

    package init(_ name: String, _ value: Value) {
        self.name = name
        self.value = value
    }
}

/// The request an answer belongs to.
package struct ApplicationPairing: Sendable, Equatable {
    package var requestOperation: String
    /// The packet that carried the request.
    package var requestPacket: UInt64
    package var latencyMilliseconds: Double

    package init(requestOperation: String, requestPacket: UInt64, latencyMilliseconds: Double) {
        self.requestOperation = requestOperation
        self.requestPacket = requestPacket
        self.latencyMilliseconds = latencyMilliseconds
    }
}
