/// One Engine.IO session across its connections: the polling connections that carried
/// it, the WebSocket that took it over, and when the probe and the switch happened.
package struct EngineIOSessionStory {
    /// Polling connections named in one story (a long session polls on a few at most).
    package static let maxPollingConnections = 16

    package var sid: String
    /// The polling packets, interpreted as the WebSocket's are.
    package var engine = EngineIOSession()
    package var opened: CaptureInfo
    package var pollingConnections: [ConnectionID] = []
    package var webSocketConnection: ConnectionID?
    package var probeSent: CaptureInfo?
    package var probeRoundTripMilliseconds: Double?
    package var switched = false

    package init(sid: String, opened: CaptureInfo) {
        self.sid = sid
        self.opened = opened
    }

    package mutating func addPolling(_ connection: ConnectionID) {
        guard !pollingConnections.contains(connection), pollingConnections.count < Self.maxPollingConnections
        else { return }
        pollingConnections.append(connection)
    }

    /// The event that tells the story, at the `5` that switched the session over.
    package func switchEvent(at capture: CaptureInfo) -> ApplicationEvent {
        let afterMilliseconds = capture.timestamp.milliseconds(since: opened.timestamp)
        var text = "\(sid) polling on conn "
        text += pollingConnections.map { String($0) }.joined(separator: ", ")
        text += " → websocket conn \(webSocketConnection.map { String($0) } ?? "?")"
        text += " after \(EngineIOSession.milliseconds(afterMilliseconds)) ms"
        var fields: [ApplicationField] = [
            ApplicationField("sid", .text(sid)),
            ApplicationField(
                "polling_connections", .text(pollingConnections.map { String($0) }.joined(separator: ","))),
        ]
        if let webSocketConnection {
            fields.append(ApplicationField("websocket_connection", .integer(Int64(webSocketConnection))))
        }
        fields.append(ApplicationField("switch_ms", .number(afterMilliseconds)))
        if let probeSent { fields.append(ApplicationField("probe_packet", .integer(Int64(probeSent.packetNumber)))) }
        if let rtt = probeRoundTripMilliseconds {
            text += " (probe rtt \(EngineIOSession.milliseconds(rtt)) ms)"
            fields.append(ApplicationField("probe_rtt_ms", .number(rtt)))
        }
        return ApplicationEvent(
            protocolName: EngineIOSession.protocolName, operation: "session", summary: text, fields: fields)
    }
}
