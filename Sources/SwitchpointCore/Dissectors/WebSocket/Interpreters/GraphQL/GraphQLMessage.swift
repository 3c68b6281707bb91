/// One graphql-ws message object, as far as the timeline needs it.
struct GraphQLMessage {
    var type: String
    var id: String?
    /// The payload as JSON text, clipped (init, ack, ping payloads; a result's data).
    var payloadText: String?
    /// subscribe/start: the document and the operation name.
    var query: String?
    var operationName: String?
    /// next/data: the result carries a non-empty `errors`.
    var resultHasErrors = false

    /// Bytes of a subscribe's query decoded for `GraphQLDocument`.
    static let maxQueryBytes = GraphQLDocument.maxScannedBytes

    init?(_ value: JSONScanner.Value, scanner: JSONScanner) {
        guard let members = scanner.members(of: value),
            let type = members.first(where: { $0.key == "type" })?.value, type.kind == .string
        else { return nil }
        let limit = WebSocketInterpreterLimits.maxPreviewBytes
        self.type = scanner.string(type, limit: limit)
        if let id = members.first(where: { $0.key == "id" })?.value, id.kind == .string || id.kind == .number {
            self.id = scanner.string(id, limit: limit)
        }
        guard let payload = members.first(where: { $0.key == "payload" })?.value, payload.kind != .null else { return }
        payloadText = scanner.text(payload, limit: limit)
        guard let fields = scanner.members(of: payload) else { return }
        for field in fields {
            switch field.key {
            case "query" where field.value.kind == .string:
                query = scanner.string(field.value, limit: Self.maxQueryBytes)
            case "operationName" where field.value.kind == .string:
                operationName = scanner.string(field.value, limit: limit)
            case "errors" where field.value.kind == .array:
                resultHasErrors = !(scanner.elements(of: field.value)?.isEmpty ?? true)
            default:
                break
            }
        }
        // A subscribe's payload is the request; a result's `data` is what a reader wants.
        if query != nil {
            payloadText = nil
        } else if let data = fields.first(where: { $0.key == "data" })?.value {
            payloadText = scanner.text(data, limit: limit)
        }
    }
}
