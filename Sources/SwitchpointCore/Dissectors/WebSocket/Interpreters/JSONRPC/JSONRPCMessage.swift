/// One JSON-RPC 2.0 object, as far as the timeline needs it: what it is, its id, its
/// method, an error's code and message, a preview of params or result.
struct JSONRPCMessage {
    enum Kind: String {
        case request, notification, response, error
    }

    struct ID {
        var text: String
        var isString: Bool
    }

    var kind: Kind
    var id: ID?
    var method: String?
    var errorCode: Int64?
    var errorMessage: String?
    /// `params` of a request, `result` of a response: JSON text, clipped.
    var preview: String?

    /// Nil unless `value` is an object with `"jsonrpc":"2.0"` and a method, result or error.
    init?(_ value: JSONScanner.Value, scanner: JSONScanner) {
        guard let members = scanner.members(of: value),
            let version = members.first(where: { $0.key == "jsonrpc" })?.value, scanner.stringEquals(version, "2.0")
        else { return nil }
        let limit = WebSocketInterpreterLimits.maxPreviewBytes
        var method: JSONScanner.Value?
        var result: JSONScanner.Value?
        var error: JSONScanner.Value?
        var params: JSONScanner.Value?
        for member in members {
            switch member.key {
            case "id":
                switch member.value.kind {
                case .string: id = ID(text: scanner.string(member.value, limit: limit), isString: true)
                case .number: id = ID(text: scanner.string(member.value, limit: limit), isString: false)
                case .null, .object, .array, .literalTrue, .literalFalse: break
                }
            case "method": method = member.value
            case "result": result = member.value
            case "error": error = member.value
            case "params": params = member.value
            default: break
            }
        }
        if let method {
            guard method.kind == .string else { return nil }
            self.method = scanner.string(method, limit: limit)
            kind = id == nil ? .notification : .request
            preview = params.map { scanner.text($0, limit: limit) }
        } else if let error {
            kind = .error
            let fields = scanner.members(of: error) ?? []
            if let code = fields.first(where: { $0.key == "code" })?.value { errorCode = scanner.integer(code) }
            if let text = fields.first(where: { $0.key == "message" })?.value, text.kind == .string {
                errorMessage = scanner.string(text, limit: limit)
            }
        } else if let result {
            kind = .response
            preview = scanner.text(result, limit: limit)
        } else {
            return nil
        }
    }
}
