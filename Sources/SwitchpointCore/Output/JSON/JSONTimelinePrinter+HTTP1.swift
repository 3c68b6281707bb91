extension JSONTimelinePrinter {
    static func httpRequestFields(
        _ head: HTTPRequestHead, _ event: TimelineEvent, _ line: inout JSONObjectWriter, includePayloads: Bool,
        out: OutputBuffer
    ) {
        line.add("method", head.method)
        line.add("target", head.target)
        line.add("version", head.version)
        line.add("headers", headers: head.headers.fields)
    }

    static func httpResponseFields(
        _ head: HTTPResponseHead, _ event: TimelineEvent, _ line: inout JSONObjectWriter, includePayloads: Bool,
        out: OutputBuffer
    ) {
        line.add("status", head.status)
        line.add("reason", head.reason)
        line.add("version", head.version)
        line.add("headers", headers: head.headers.fields)
    }

    static func httpBodyFields(
        _ length: UInt64, _ chunked: Bool, _ event: TimelineEvent, _ line: inout JSONObjectWriter,
        includePayloads: Bool, out: OutputBuffer
    ) {
        line.add("len", length)
        line.add("chunked", chunked)
    }

    static func upgradeFields(
        _ upgrade: UpgradeSwitch, _ event: TimelineEvent, _ line: inout JSONObjectWriter, includePayloads: Bool,
        out: OutputBuffer
    ) {
        line.add("protocol", upgrade.protocolName)
        line.add("status", upgrade.status)
        line.add("c2s_offset", upgrade.clientToServerOffset)
        line.add("s2c_offset", upgrade.serverToClientOffset)
        line.add("latency_ms", upgrade.latencyMilliseconds, decimals: 3)
        line.add("target", upgrade.target)
        if let outcome = upgrade.outcome {
            line.add("outcome", literal: outcome.name)
            if case .rejectedByClient(let how) = outcome { line.add("rejected_with", how.rawValue) }
        }
        for detail in upgrade.details {
            line.key(escaping: detail.name)
            out.appendJSONString(detail.value)
        }
    }
}
