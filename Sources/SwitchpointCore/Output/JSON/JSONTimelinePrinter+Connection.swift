extension JSONTimelinePrinter {
    static func connectionOpenedFields(
        _ opening: ConnectionOpening, _ event: TimelineEvent, _ line: inout JSONObjectWriter, includePayloads: Bool,
        out: OutputBuffer
    ) {
        line.add("client", opening.client.description)
        line.add("server", opening.server.description)
        line.add("handshake_seen", opening.startSeen)
        line.add("role_evidence", opening.roleEvidence.rawValue)
    }

    static func connectionClosedFields(
        _ summary: ConnectionSummary, _ event: TimelineEvent, _ line: inout JSONObjectWriter, includePayloads: Bool,
        out: OutputBuffer
    ) {
        line.add("reason", summary.reason.rawValue)
        if let state = summary.openState {
            line.add("open_protocol", state.protocolName)
            line.add("in_flight", state.inFlight)
            line.add("in_flight_unit", state.unit.rawValue)
        }
        line.add("bytes_c2s", summary.clientToServer.deliveredBytes)
        line.add("bytes_s2c", summary.serverToClient.deliveredBytes)
        line.add("packets_c2s", summary.clientToServer.packets)
        line.add("packets_s2c", summary.serverToClient.packets)
        line.add("gaps", summary.clientToServer.gaps + summary.serverToClient.gaps)
        line.add("gap_bytes", summary.clientToServer.gapBytes + summary.serverToClient.gapBytes)
        line.add(
            "retransmitted_bytes",
            summary.clientToServer.retransmittedBytes + summary.serverToClient.retransmittedBytes)
        line.add("handshake", summary.handshake.rawValue)
        line.add("start", timestamp: summary.start)
        line.add("duration", summary.end.seconds(since: summary.start), decimals: 6)
        line.addAnomalyCounts(summary)
    }

    static func gapFields(
        _ length: UInt64, _ reason: GapReason, _ event: TimelineEvent, _ line: inout JSONObjectWriter,
        includePayloads: Bool, out: OutputBuffer
    ) {
        line.add("len", length)
        line.add("reason", reason.rawValue)
    }

    static func findingFields(
        _ finding: Finding, _ event: TimelineEvent, _ line: inout JSONObjectWriter, includePayloads: Bool,
        out: OutputBuffer
    ) {
        line.add("code", finding.code.rawValue)
        line.add("severity", finding.severity.rawValue)
        line.add("message", finding.message)
    }

    static func rawDataFields(
        _ chunk: RawChunk, _ event: TimelineEvent, _ line: inout JSONObjectWriter, includePayloads: Bool,
        out: OutputBuffer
    ) {
        line.add("protocol", chunk.protocolName)
        line.add("len", chunk.length)
        if chunk.notRecognised || chunk.packets > 1 {
            line.add("packets", chunk.packets)
            line.add("not_recognised", chunk.notRecognised)
        }
        if chunk.previewIsHex {
            chunk.head.withUnsafeBytes { head in
                line.add(
                    "preview_hex",
                    spacedHex: UnsafeRawBufferPointer(
                        rebasing: head[..<min(head.count, RawStreamDissector.previewLength / 2)]))
            }
        } else {
            line.add("preview", bytes: chunk.head)
        }
    }
}
