/// STOMP frame commands (STOMP 1.2 §"Client Frames", §"Server Frames"; 1.0 and 1.1 use the
/// same, minus STOMP and NACK in 1.0).
package struct STOMPCommand: RawRepresentable, Hashable, Sendable {
    package var rawValue: String

    package init(rawValue: String) {
        self.rawValue = rawValue
    }

    package static let connect = STOMPCommand(rawValue: "CONNECT")
    package static let stomp = STOMPCommand(rawValue: "STOMP")
    package static let connected = STOMPCommand(rawValue: "CONNECTED")
    package static let send = STOMPCommand(rawValue: "SEND")
    package static let subscribe = STOMPCommand(rawValue: "SUBSCRIBE")
    package static let unsubscribe = STOMPCommand(rawValue: "UNSUBSCRIBE")
    package static let ack = STOMPCommand(rawValue: "ACK")
    package static let nack = STOMPCommand(rawValue: "NACK")
    package static let begin = STOMPCommand(rawValue: "BEGIN")
    package static let commit = STOMPCommand(rawValue: "COMMIT")
    package static let abort = STOMPCommand(rawValue: "ABORT")
    package static let disconnect = STOMPCommand(rawValue: "DISCONNECT")
    package static let message = STOMPCommand(rawValue: "MESSAGE")
    package static let receipt = STOMPCommand(rawValue: "RECEIPT")
    package static let error = STOMPCommand(rawValue: "ERROR")

    package static let known: Set<STOMPCommand> = [
        .connect, .stomp, .connected, .send, .subscribe, .unsubscribe, .ack, .nack, .begin, .commit, .abort,
        .disconnect, .message, .receipt, .error,
    ]

    package var isKnown: Bool { Self.known.contains(self) }

    /// Sent by the server (the rest are client frames).
    package var isClientFrame: Bool {
        self != .connected && self != .message && self != .receipt && self != .error
    }
}
