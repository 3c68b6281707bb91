@testable import SwitchpointCore

/// A stream signal with its bytes copied out, so tests can compare whole sequences.
enum RecordedSignal: Equatable, CustomStringConvertible {
    case opened(ConnectionID, client: String, server: String, evidence: RoleEvidence)
    case data(ConnectionID, Direction, offset: UInt64, bytes: String, packet: UInt64)
    case gap(ConnectionID, Direction, offset: UInt64, length: UInt64, reason: GapReason)
    case anomaly(ConnectionID, ReassemblyAnomalyCode)
    case closed(ConnectionID, CloseReason, handshake: HandshakeSeen)

    var description: String {
        switch self {
        case .opened(let id, let client, let server, let evidence):
            "opened #\(id) \(client)->\(server) (\(evidence.rawValue))"
        case .data(let id, let direction, let offset, let bytes, let packet):
            "data #\(id) \(direction.shortName)@\(offset) \"\(bytes)\" pkt \(packet)"
        case .gap(let id, let direction, let offset, let length, let reason):
            "gap #\(id) \(direction.shortName)@\(offset)+\(length) (\(reason.rawValue))"
        case .anomaly(let id, let code): "anomaly #\(id) \(code.rawValue)"
        case .closed(let id, let reason, let handshake): "closed #\(id) \(reason.rawValue) \(handshake.rawValue)"
        }
    }
}

/// Records every signal; keeps the raw bytes per connection and direction too.
struct RecordingSink: StreamSignalSink {
    var signals: [RecordedSignal] = []
    var streams: [ConnectionID: [Direction: [UInt8]]] = [:]
    var openings: [ConnectionID: ConnectionOpening] = [:]
    var summaries: [ConnectionID: ConnectionSummary] = [:]
    var recordData = true

    mutating func receive(_ signal: StreamSignal) {
        switch signal {
        case .opened(let opening):
            openings[opening.connection] = opening
            signals.append(
                .opened(
                    opening.connection, client: opening.client.description,
                    server: opening.server.description, evidence: opening.roleEvidence))
        case .data(let chunk):
            streams[chunk.connection, default: [:]][chunk.direction, default: []].append(contentsOf: chunk.bytes)
            if recordData {
                signals.append(
                    .data(
                        chunk.connection, chunk.direction, offset: chunk.offset,
                        bytes: String(decoding: chunk.bytes, as: UTF8.self), packet: chunk.capture.packetNumber))
            }
        case .gap(let gap):
            signals.append(
                .gap(gap.connection, gap.direction, offset: gap.offset, length: gap.length, reason: gap.reason))
        case .anomaly(let anomaly):
            signals.append(.anomaly(anomaly.connection, anomaly.code))
        case .closed(let summary):
            summaries[summary.connection] = summary
            signals.append(.closed(summary.connection, summary.reason, handshake: summary.handshake))
        }
    }

    func bytes(_ connection: ConnectionID, _ direction: Direction) -> [UInt8] {
        streams[connection]?[direction] ?? []
    }
}
