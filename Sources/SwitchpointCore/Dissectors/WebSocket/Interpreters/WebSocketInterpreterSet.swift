/// The registered `WebSocketInterpreterFactory`s, and how one is chosen for a WebSocket:
/// an override (`--decode-ws-as`), else the subprotocol the 101 chose, else the request
/// target, else the content of the first data message.
package struct WebSocketInterpreterSet: Sendable {
    package private(set) var factories: [any WebSocketInterpreterFactory] = []
    /// The interpreter for every WebSocket of a connection (its `--decode-ws-as`).
    package var forced: (any WebSocketInterpreterFactory)?
    /// `--decode-ws-as`, as given.
    package var overrides = WebSocketInterpreterOverrides()

    package init() {}

    package var isEmpty: Bool { factories.isEmpty && forced == nil && overrides.everywhere == nil }

    /// The names `--decode-ws-as` and `--protocol` accept, in registration order.
    package var names: [String] { factories.map(\.name) }

    /// Adds `factory`; one registered earlier under the same name is replaced.
    package mutating func register(_ factory: any WebSocketInterpreterFactory) {
        factories.removeAll { $0.name.lowercasedASCII == factory.name.lowercasedASCII }
        factories.append(factory)
    }

    /// Case-insensitive.
    package func factory(named name: String) -> (any WebSocketInterpreterFactory)? {
        let key = name.lowercasedASCII
        return factories.first { $0.name.lowercasedASCII == key }
    }

    /// The override for a connection between these ports, if `--decode-ws-as` named one.
    package func forced(clientPort: UInt16, serverPort: UInt16) -> (any WebSocketInterpreterFactory)? {
        overrides.byPort[serverPort] ?? overrides.byPort[clientPort]
    }

    /// What the handshake decides: the override, the subprotocol, the target; `.byContent`
    /// when none of them did and some factory may still recognize the first message.
    package func choice(subprotocol: String?, target: String?) -> WebSocketInterpreterChoice {
        if let forced = forced ?? overrides.everywhere {
            return forced is PlainMessagesFactory ? .none : .chosen(forced)
        }
        if let subprotocol, !subprotocol.isEmpty {
            let token = subprotocol.lowercasedASCII
            if let found = factories.first(where: { $0.subprotocols.contains { $0.lowercasedASCII == token } }) {
                return .chosen(found)
            }
        }
        if let target, let found = factories.first(where: { $0.matches(target: target) }) { return .chosen(found) }
        return factories.isEmpty ? .none : .byContent
    }

    /// `--decode-ws-as PROTO[=PORT]` entries, resolved by name: unknown names throw, and
    /// the message lists the registered ones.
    package func overrides(
        parsing entries: [String]
    ) throws(WebSocketInterpreterNameError) -> WebSocketInterpreterOverrides {
        var overrides = WebSocketInterpreterOverrides()
        for entry in entries {
            let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let port = parts.count == 2 ? UInt16(parts[1]).flatMap { $0 == 0 ? nil : $0 } : nil
            guard !parts.isEmpty, !parts[0].isEmpty, parts.count == 1 || port != nil else {
                throw WebSocketInterpreterNameError(
                    message: "--decode-ws-as takes PROTOCOL or PROTOCOL=PORT, e.g. jsonrpc=8080 (got '\(entry)')")
            }
            let named = String(parts[0])
            let plain = named.lowercasedASCII == PlainMessagesFactory.optionName
            guard let factory: any WebSocketInterpreterFactory = plain ? PlainMessagesFactory() : factory(named: named)
            else {
                throw WebSocketInterpreterNameError(
                    message:
                        "--decode-ws-as: unknown protocol '\(parts[0])'; use one of \((names + [PlainMessagesFactory.optionName]).joined(separator: ", "))"
                )
            }
            if let port { overrides.byPort[port] = factory } else { overrides.everywhere = factory }
        }
        return overrides
    }

    /// The factory that recognizes `message` as its protocol's first message, if one does.
    package func recognizing(_ message: borrowing InterpretedMessage) -> (any WebSocketInterpreterFactory)? {
        for factory in factories where factory.recognizes(firstMessage: message) { return factory }
        return nil
    }
}

/// How a WebSocket's interpreter was (or will be) chosen.
package enum WebSocketInterpreterChoice {
    /// No interpreter: messages are not collected at all.
    case none
    case chosen(any WebSocketInterpreterFactory)
    /// The first data message decides.
    case byContent
}

/// `--decode-ws-as`: which interpreter reads WebSocket messages, whatever the handshake or
/// the content say.
package struct WebSocketInterpreterOverrides: Sendable {
    /// For every WebSocket.
    package var everywhere: (any WebSocketInterpreterFactory)?
    /// For connections with this port at either end.
    package var byPort: [UInt16: any WebSocketInterpreterFactory] = [:]

    package init() {}
}

/// A `--decode-ws-as` entry that names no registered interpreter (or is malformed).
package struct WebSocketInterpreterNameError: Error, CustomStringConvertible {
    package var message: String
    package var description: String { message }
}
