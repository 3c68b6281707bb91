/// What an Engine.IO open packet says about its session.
package struct EngineIOOpen: Sendable, Equatable {
    package var sid: String
    package var pingIntervalMilliseconds: Int64?
    package var pingTimeoutMilliseconds: Int64?
    package var upgrades: [String]
    package var maxPayload: Int64?

    /// Parses the open packet's JSON (the bytes after the `0`); nil without a `sid`.
    package init?(json bytes: UnsafeRawBufferPointer) {
        let scanner = JSONFieldReader(bytes)
        guard let sidRange = scanner.member("sid", inObjectAt: 0), let sid = scanner.string(sidRange.lowerBound)
        else { return nil }
        self.sid = sid
        pingIntervalMilliseconds = scanner.member("pingInterval", inObjectAt: 0).flatMap(scanner.integer)
        pingTimeoutMilliseconds = scanner.member("pingTimeout", inObjectAt: 0).flatMap(scanner.integer)
        maxPayload = scanner.member("maxPayload", inObjectAt: 0).flatMap(scanner.integer)
        upgrades = []
        if let range = scanner.member("upgrades", inObjectAt: 0),
            let (elements, _) = scanner.arrayElements(range.lowerBound, limit: 8)
        {
            upgrades = elements.compactMap { scanner.string($0.lowerBound) }
        }
    }

    /// The longest a healthy session goes without a ping: interval plus timeout.
    package var heartbeatDeadlineMilliseconds: Int64? {
        guard let pingIntervalMilliseconds, let pingTimeoutMilliseconds else { return nil }
        return pingIntervalMilliseconds + pingTimeoutMilliseconds
    }

    var fields: [ApplicationField] {
        var fields: [ApplicationField] = [ApplicationField("sid", .text(sid))]
        if let pingIntervalMilliseconds {
            fields.append(ApplicationField("ping_interval_ms", .integer(pingIntervalMilliseconds)))
        }
        if let pingTimeoutMilliseconds {
            fields.append(ApplicationField("ping_timeout_ms", .integer(pingTimeoutMilliseconds)))
        }
        fields.append(ApplicationField("upgrades", .text(upgrades.joined(separator: ","))))
        if let maxPayload { fields.append(ApplicationField("max_payload", .integer(maxPayload))) }
        return fields
    }
}
