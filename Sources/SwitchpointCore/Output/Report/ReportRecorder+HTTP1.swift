extension ReportRecorder {
    func recordHTTPRequest(_ head: HTTPRequestHead, _ event: TimelineEvent, _ id: ConnectionID) {
        guard let state = open[id] else { return }
        if state.record.protocolBefore == "TCP" { state.record.protocolBefore = head.version }
        if state.offers.count < ReportLimits.maxAwaitingResponses {
            state.offers.append(head.headers.contains("Upgrade"))
        }
        state.requests += 1
        if state.record.detailed {
            var exchange = ReportExchange(connection: id)
            exchange.ordinal = state.requests
            exchange.requestTime = event.timestamp
            exchange.requestMethod = head.method
            exchange.requestTarget = head.target
            exchange.requestVersion = head.version
            exchange.requestFields = head.headers.fields
            exchange.decrypted = event.decrypted
            exchange.findings = state.pendingFindings
            state.pendingFindings = []
            if state.awaiting.count < ReportLimits.maxAwaitingResponses {
                state.awaiting.append(exchange)
            } else {
                state.record.exchanges.append(exchange)
            }
            landmark(state, event, .request(head))
        }
    }

    func recordHTTPResponse(_ head: HTTPResponseHead, _ event: TimelineEvent, _ id: ConnectionID) {
        guard let state = open[id] else { return }
        if !head.isInterim, !state.offers.isEmpty {
            let offered = state.offers.removeFirst()
            if offered && head.status != 101 { state.record.outcome = "refused \(head.status)" }
        }
        if state.record.detailed {
            if !head.isInterim {
                // A final answer: to the oldest request waiting for one.
                var exchange =
                    state.awaiting.isEmpty ? ReportExchange(connection: id) : state.awaiting.removeFirst()
                exchange.responseTime = event.timestamp
                exchange.status = head.status
                exchange.reason = head.reason
                exchange.responseVersion = head.version
                exchange.responseFields = head.headers.fields
                exchange.decrypted = event.decrypted
                if let current = state.current { state.record.exchanges.append(current) }
                state.current = exchange
            }
            landmark(state, event, .response(head))
        }
    }

    func recordHTTPBody(_ length: UInt64, _ kept: [UInt8], _ keptAll: Bool, _ event: TimelineEvent, _ id: ConnectionID)
    {
        guard let state = open[id] else { return }
        let count = keepable(kept.count, limit: ReportLimits.bodyBytes)
        let body = Array(kept[..<count])
        let truncated = !keptAll || count < kept.count
        // The body moved between its head and its end.
        let head =
            event.direction == .clientToServer
            ? (state.awaiting.last ?? state.current)?.requestTime : state.current?.responseTime
        state.record.activity.note(
            from: (head ?? event.timestamp).nanoseconds, to: event.timestamp.nanoseconds, bytes: length)
        if event.direction == .clientToServer {
            // The body of the latest request (answered already when the server did not wait).
            if state.awaiting.isEmpty {
                state.current?.requestBodyBytes += length
                state.current?.requestEnd = event.timestamp
                state.current?.requestBody = body
                state.current?.requestBodyTruncated = truncated
            } else {
                state.awaiting[state.awaiting.count - 1].requestBodyBytes += length
                state.awaiting[state.awaiting.count - 1].requestEnd = event.timestamp
                state.awaiting[state.awaiting.count - 1].requestBody = body
                state.awaiting[state.awaiting.count - 1].requestBodyTruncated = truncated
            }
        } else {
            state.current?.responseBodyBytes += length
            state.current?.responseEnd = event.timestamp
            state.current?.responseBody = body
            state.current?.responseBodyTruncated = truncated
        }
    }

    func recordUpgrade(_ upgrade: UpgradeSwitch, _ event: TimelineEvent, _ id: ConnectionID) {
        let name = upgrade.protocolName.lowercasedASCII
        capture.switched[name, default: 0] += 1
        guard let state = open[id] else { return }
        state.record.protocolAfter = upgrade.protocolName
        state.record.outcome = "switched"
        if state.record.detailed {
            if let stream = event.stream {
                state.streams[stream]?.upgrade = upgrade
            } else {
                state.current?.upgrade = upgrade
            }
            landmark(state, event, .upgrade(upgrade))
        }
    }
}
