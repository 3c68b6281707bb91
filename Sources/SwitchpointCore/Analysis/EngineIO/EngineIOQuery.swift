/// The Engine.IO parameters of a request target (`/socket.io/?EIO=4&transport=polling&sid=…`).
package struct EngineIOQuery: Sendable, Equatable {
    package enum Transport: Sendable, Equatable {
        case polling
        case websocket
    }

    package var transport: Transport
    package var sid: String?

    /// Nil unless the target names an Engine.IO version and a transport.
    package init?(target: String) {
        guard let question = target.firstIndex(of: "?") else { return nil }
        var version = false
        var transport: Transport?
        var sid: String?
        for parameter in target[target.index(after: question)...].split(separator: "&") {
            if parameter.hasPrefix("EIO=") {
                version = true
            } else if parameter == "transport=polling" {
                transport = .polling
            } else if parameter == "transport=websocket" {
                transport = .websocket
            } else if parameter.hasPrefix("sid=") {
                sid = String(parameter.dropFirst(4))
            }
        }
        guard version, let transport else { return nil }
        self.transport = transport
        self.sid = sid
    }
}
