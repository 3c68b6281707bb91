/// What reassembly tells its consumer, in capture order. This is the contract every
/// dissector builds on: bytes arrive once, in stream order, each chunk with its absolute
/// offset and the packet that carried it; a hole becomes an explicit `gap`, never silence.
///
/// The rare large payloads (an opening, a 280-byte close summary) are boxed: a signal is
/// copied several times on its way to the dissectors, and inline they made every data
/// signal 280 bytes, moved by `memcpy` at each copy.
package enum StreamSignal {
    indirect case opened(ConnectionOpening)
    /// `bytes` points into the capture buffer or reassembly's own buffer and is valid only
    /// during the call: copy what must outlive it.
    case data(StreamChunk)
    case gap(StreamGap)
    case anomaly(ReassemblyAnomaly)
    indirect case closed(ConnectionSummary)
}

/// A consumer of stream signals (a dissector driver, the connection listing, a test).
package protocol StreamSignalSink {
    mutating func receive(_ signal: StreamSignal)
}

/// How the client and server roles were decided.
package enum RoleEvidence: String, Sendable {
    /// The client's SYN was seen.
    case syn
    /// Only the server's SYN-ACK was seen.
    case synAck = "syn-ack"
    /// No handshake: the endpoint with a port below 1024, or the only non-ephemeral port,
    /// is the server.
    case portHeuristic = "port-heuristic"
    /// No handshake and the ports do not tell: the sender of the first packet is the client.
    case firstPacket = "first-packet"
}

package struct ConnectionOpening: Sendable {
    package var connection: ConnectionID
    package var client: Endpoint
    package var server: Endpoint
    package var roleEvidence: RoleEvidence
    package var capture: CaptureInfo

    /// The connection's start was captured (it began with SYN or SYN-ACK); otherwise the
    /// capture started mid-stream.
    package var startSeen: Bool { roleEvidence == .syn || roleEvidence == .synAck }
}

package struct StreamChunk {
    package var connection: ConnectionID
    package var direction: Direction
    /// Absolute offset of `bytes.first` in this direction's stream (0 = first byte after SYN).
    package var offset: UInt64
    package var bytes: UnsafeRawBufferPointer
    /// The packet that carried these bytes.
    package var capture: CaptureInfo
}

/// Why reassembly gave up waiting for missing bytes.
package enum GapReason: String, Sendable {
    /// Later data piled up past the per-connection buffer limit.
    case bufferLimit = "buffer-limit"
    /// Too many out-of-order segments waiting.
    case segmentLimit = "segment-limit"
    /// Reassembly's total memory limit forced this connection to flush.
    case memoryLimit = "memory-limit"
    /// The receiver acknowledged bytes the capture never saw.
    case acknowledgedUnseen = "acked-unseen"
    /// Decrypted TLS: a record lost in a TCP gap (its plaintext length is estimated).
    case tlsRecordLost = "tls-record-lost"
    /// The snaplen cut the packet's payload.
    case snaplen
    /// The direction sent its FIN, or the connection closed or expired with a hole.
    case closing
}

package struct StreamGap: Sendable {
    package var connection: ConnectionID
    package var direction: Direction
    package var offset: UInt64
    package var length: UInt64
    package var reason: GapReason
    /// The packet whose arrival (or the last packet before the close) triggered the skip.
    package var capture: CaptureInfo
}

/// Named oddities ("weirds") reassembly reports; `rawValue` is the stable code.
package enum ReassemblyAnomalyCode: String, Sendable, CaseIterable {
    case overlapConflict = "tcp.overlap_conflict"
    case dataBeforeStreamStart = "tcp.data_before_stream_start"
    case dataAfterFIN = "tcp.data_after_fin"
    case dataAfterClose = "tcp.data_after_close"
    case finMoved = "tcp.fin_moved"
    case portReuseWhileOpen = "tcp.port_reuse_while_open"
    case snaplenTruncated = "tcp.snaplen_truncated"
    case bufferLimit = "reassembly.buffer_limit"
    case segmentLimit = "reassembly.segment_limit"
    case memoryLimit = "reassembly.memory_limit"
    case connectionLimit = "reassembly.connection_limit"
}

package struct ReassemblyAnomaly: Sendable {
    package var connection: ConnectionID
    package var direction: Direction?
    package var code: ReassemblyAnomalyCode
    package var detail: String
    package var capture: CaptureInfo
}

package enum CloseReason: String, Sendable {
    case fin
    case rst
    /// No packet for the idle timeout (capture time).
    case idle
    /// The input ended (end of file, `-c`, a truncated file, an interrupted live capture)
    /// with the connection open: the capture ended, not the connection.
    case captureEnded = "capture-ended"
    /// Dropped to stay under the connection limit.
    case evicted
    /// A new SYN reused the 4-tuple while the old connection was still open.
    case reused
}

/// Which parts of the three-way handshake were captured.
package enum HandshakeSeen: String, Sendable {
    case complete
    case synOnly = "syn-only"
    case synAckOnly = "synack-only"
    case none
}

package struct DirectionStats: Sendable, Equatable {
    package var packets = 0
    /// Payload bytes carried by this direction's packets, retransmissions included.
    package var payloadBytes: UInt64 = 0
    /// Bytes handed to the consumer (each stream byte once).
    package var deliveredBytes: UInt64 = 0
    package var retransmittedBytes: UInt64 = 0
    package var outOfOrderSegments = 0
    package var gaps = 0
    package var gapBytes: UInt64 = 0
    package var overlapConflicts = 0
    package var finSeen = false
    package var rstSeen = false
    /// When this direction's first FIN or RST was sent: who closed first, and when.
    package var closingAt: Timestamp?
    /// When this direction last carried payload (the silence before a close).
    package var lastPayloadAt: Timestamp?

    package init() {}
}

package struct ConnectionSummary: Sendable {
    package var connection: ConnectionID
    package var client: Endpoint
    package var server: Endpoint
    package var roleEvidence: RoleEvidence
    package var handshake: HandshakeSeen
    package var start: Timestamp
    package var end: Timestamp
    package var reason: CloseReason
    package var clientToServer: DirectionStats
    package var serverToClient: DirectionStats
    /// The packet at which the close was decided (the last one for `capture-ended`/`idle`).
    package var capture: CaptureInfo
    /// With `capture-ended`: what the connection was doing when the capture stopped
    /// (filled in by the analysis; nil for other reasons).
    package var openState: OpenConnectionState?
    /// Every reassembly anomaly of the connection with how often it happened: each code
    /// is reported once per connection and direction, the rest only counted here.
    package var anomalyCounts: [AnomalyCount] = []

    /// Occurrences by code, both directions together (for JSON's `anomaly_counts`).
    package var anomalyTotals: [(code: ReassemblyAnomalyCode, count: Int)] {
        var totals: [(code: ReassemblyAnomalyCode, count: Int)] = []
        for entry in anomalyCounts {
            if let index = totals.firstIndex(where: { $0.code == entry.code }) {
                totals[index].count += entry.count
            } else {
                totals.append((entry.code, entry.count))
            }
        }
        return totals.sorted { $0.code.rawValue < $1.code.rawValue }
    }

    package func stats(_ direction: Direction) -> DirectionStats {
        direction == .clientToServer ? clientToServer : serverToClient
    }
}

/// What an open connection was in the middle of when the capture ended:
/// "open, websocket, 3 messages in flight".
package struct OpenConnectionState: Sendable, Equatable {
    /// The protocol spoken at the end (`http`, `websocket`, `h2`, `tls`, a raw token, or
    /// `unknown`).
    package var protocolName: String
    /// Units of work started and not finished: messages, streams, requests.
    package var inFlight: Int
    /// What `inFlight` counts.
    package var unit: Unit

    package enum Unit: String, Sendable {
        case messages, streams, requests

        /// The word for `count` of them: "1 message", "3 messages".
        package func word(_ count: Int) -> StaticString {
            switch self {
            case .messages: count == 1 ? "message" : "messages"
            case .streams: count == 1 ? "stream" : "streams"
            case .requests: count == 1 ? "request" : "requests"
            }
        }
    }

    package init(protocolName: String, inFlight: Int = 0, unit: Unit = .messages) {
        self.protocolName = protocolName
        self.inFlight = inFlight
        self.unit = unit
    }
}
