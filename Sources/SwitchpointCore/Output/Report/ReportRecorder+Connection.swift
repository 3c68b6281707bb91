extension ReportRecorder {
    func recordConnectionOpened(_ opening: ConnectionOpening, _ event: TimelineEvent, _ id: ConnectionID) {
        capture.connections += 1
        guard listed < ReportLimits.maxListedConnections else {
            capture.connectionsNotListed += 1
            return
        }
        listed += 1
        let detailed = listed <= ReportLimits.maxDetailedConnections
        if !detailed { capture.connectionsNotDetailed += 1 }
        open[id] = OpenConnection(
            record: ReportConnection(
                file: file, id: id, client: opening.client, server: opening.server,
                start: event.timestamp, detailed: detailed))
    }

    func recordConnectionClosed(_ summary: ConnectionSummary, _ event: TimelineEvent, _ id: ConnectionID) {
        guard let state = open.removeValue(forKey: id) else { return }
        state.record.end = summary.end
        state.record.closeReason = summary.reason
        state.record.bytesClientToServer = summary.clientToServer.deliveredBytes
        state.record.bytesServerToClient = summary.serverToClient.deliveredBytes
        if let current = state.current { state.record.exchanges.append(current) }
        for exchange in state.awaiting { state.record.exchanges.append(exchange) }
        for stream in state.streams.keys.sorted() {
            if var exchange = state.streams[stream] {
                exchange.unfinished = true
                state.record.exchanges.append(exchange)
            }
        }
        finished.append(state.record)
    }

    func recordFinding(_ finding: Finding, _ event: TimelineEvent, _ id: ConnectionID) {
        capture.findings[finding.severity, default: 0] += 1
        switch finding.code.upgradeOutcome {
        case .refused426?: capture.refused["426", default: 0] += 1
        case .refusedOtherStatus?: capture.refused["other status", default: 0] += 1
        case .declined?: capture.declined += 1
        case .connectRefused?, .noVerdict?, nil: break
        }
        guard let state = open[id] else { return }
        // A connection joined mid-stream: no handshake to name, the content verdict instead
        // ("websocket by content: …").
        if finding.code == .detectedByContent, !event.decrypted, state.record.protocolAfter == nil,
            let verdict = finding.message.range(of: " by content")
        {
            state.record.protocolBefore = "joined mid-stream"
            state.record.protocolAfter = String(finding.message[..<verdict.lowerBound])
        }
        if finding.code.upgradeOutcome == .declined, state.record.outcome.hasPrefix("refused ") {
            state.record.outcome = "declined " + state.record.outcome.dropFirst("refused ".count)
        }
        state.record.findingCounts[finding.severity, default: 0] += 1
        if state.record.detailed {
            if let stream = event.stream, state.streams[stream] != nil {
                if state.streams[stream]?.findings.count ?? 0 < ReportLimits.maxLandmarksPerConnection {
                    state.streams[stream]?.findings.append(finding)
                }
            } else if event.direction == .clientToServer, !state.awaiting.isEmpty {
                // About a request still waiting for its answer.
                if state.awaiting[state.awaiting.count - 1].findings.count < ReportLimits.maxLandmarksPerConnection {
                    state.awaiting[state.awaiting.count - 1].findings.append(finding)
                }
            } else if state.current != nil {
                if state.current?.findings.count ?? 0 < ReportLimits.maxLandmarksPerConnection {
                    state.current?.findings.append(finding)
                }
            } else if !state.awaiting.isEmpty {
                if state.awaiting[state.awaiting.count - 1].findings.count < ReportLimits.maxLandmarksPerConnection {
                    state.awaiting[state.awaiting.count - 1].findings.append(finding)
                }
            } else if state.pendingFindings.count < ReportLimits.maxLandmarksPerConnection {
                state.pendingFindings.append(finding)
            }
            landmark(state, event, .finding(finding))
        }
    }

    func recordGap(_ length: UInt64, _ reason: GapReason, _ event: TimelineEvent, _ id: ConnectionID) {
        guard let state = open[id], state.record.detailed else { return }
        landmark(state, event, .gap(length: length, reason: reason))
    }

    func recordRawData(_ chunk: RawChunk, _ event: TimelineEvent, _ id: ConnectionID) {
        guard let state = open[id] else { return }
        state.record.activity.note(event.timestamp.nanoseconds, bytes: UInt64(max(0, chunk.length)))
        let preview = Array(chunk.head.prefix(ReportLimits.htmlPreviewBytes))
        state.record.bulk.append(
            ReportItem(
                time: event.timestamp, direction: event.direction, offset: event.offset, stream: event.stream,
                kind: .raw(
                    protocolName: chunk.protocolName, length: chunk.length, preview: preview,
                    hex: chunk.previewIsHex)))
    }
}
