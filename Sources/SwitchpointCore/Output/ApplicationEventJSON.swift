/// The JSON fields of an `app` event (docs/json.md): `protocol`, `op`, `id`, `summary`,
/// `fields` (an object, in the interpreter's order) and `answers` on a reply.
extension JSONObjectWriter {
    mutating func add(application event: ApplicationEvent) {
        add("protocol", event.protocolName)
        add("op", event.operation)
        add("id", event.id)
        add("summary", event.summary)
        key("fields")
        withOut { $0.appendApplicationFields(event.fields) }
        if let answers = event.answers {
            key("answers")
            withOut { out in
                var pairing = JSONObjectWriter(into: out)
                pairing.add("op", answers.requestOperation)
                pairing.add("packet", answers.requestPacket)
                pairing.add("latency_ms", answers.latencyMilliseconds, decimals: 3)
                pairing.close()
            }
        }
    }
}

extension OutputBuffer {
    /// `{"name":value,…}` in the fields' order (the JSON line and the PostgreSQL column).
    func appendApplicationFields(_ fields: [ApplicationField]) {
        var object = JSONObjectWriter(into: self)
        for field in fields {
            object.key(escaping: field.name)
            switch field.value {
            case .text(let text): appendJSONString(text)
            case .integer(let number): append(decimal: number)
            case .number(let number): append(fixed: number, decimals: 3)
            case .flag(let flag): append(flag ? "true" : "false")
            }
        }
        object.close()
    }
}
