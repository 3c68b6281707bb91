/// JSON-RPC 2.0 inside WebSocket (MCP, Ethereum nodes, LSP bridges): chosen by the
/// subprotocols below, or by a first message that is a JSON-RPC 2.0 object (or a batch of
/// them) beyond doubt.
package struct JSONRPCInterpreterFactory: WebSocketInterpreterFactory {
    package init() {}

    package var name: String { JSONRPCInterpreter.protocolName }
    package var subprotocols: [String] { ["jsonrpc", "jsonrpc2", "jsonrpc-2.0", "mcp"] }

    package func recognizes(firstMessage: borrowing InterpretedMessage) -> Bool {
        guard firstMessage.opcode == .text, !firstMessage.truncated else { return false }
        let scanner = JSONScanner(firstMessage.payload)
        guard var value = scanner.topLevel() else { return false }
        if value.kind == .array {
            guard let first = scanner.elements(of: value)?.first else { return false }
            value = first
        }
        guard let members = scanner.members(of: value),
            let version = members.first(where: { $0.key == "jsonrpc" })?.value,
            scanner.stringEquals(version, "2.0")
        else { return false }
        return members.contains { $0.key == "method" || $0.key == "result" || $0.key == "error" }
    }

    package func makeInterpreter() -> any WebSocketMessageInterpreter { JSONRPCInterpreter() }
}
