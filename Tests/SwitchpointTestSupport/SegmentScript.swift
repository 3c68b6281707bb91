@testable import SwitchpointCore

/// Builds TCP segments for reassembly tests without a capture file.
struct SegmentScript {
    var client = Endpoint(address: IPAddress("10.0.0.1")!, port: 40000)
    var server = Endpoint(address: IPAddress("10.0.0.2")!, port: 80)
    var reassembler: TCPReassembler
    var sink = RecordingSink()
    var packetNumber: UInt64 = 0
    /// Capture time in nanoseconds; each packet advances it by `step` unless given.
    var now: Int64 = 1_700_000_000_000_000_000
    var step: Int64 = 1_000_000

    init(limits: ReassemblyLimits = ReassemblyLimits()) {
        reassembler = TCPReassembler(limits: limits)
    }

    enum Side { case client, server }

    /// Sends one segment; `payload` may be shorter than `length` to model a snaplen cut.
    mutating func send(
        _ side: Side, seq: UInt32, ack: UInt32? = nil, flags: TCPFlags = [], _ text: String = "",
        length: Int? = nil, at time: Int64? = nil, from: Endpoint? = nil, to: Endpoint? = nil
    ) {
        packetNumber += 1
        now = time ?? (now + step)
        let source = from ?? (side == .client ? client : server)
        let destination = to ?? (side == .client ? server : client)
        var allFlags = flags
        if ack != nil { allFlags.insert(.ack) }
        let bytes = Array(text.utf8)
        let capture = CaptureInfo(packetNumber: packetNumber, timestamp: Timestamp(nanoseconds: now))
        bytes.withUnsafeBytes { payload in
            let segment = TCPSegment(
                source: source, destination: destination, sequence: seq, acknowledgment: ack ?? 0,
                flags: allFlags, payload: payload, payloadLength: length ?? bytes.count)
            reassembler.ingest(segment, capture: capture, into: &sink)
        }
    }

    /// Client SYN, server SYN-ACK, client ACK.
    mutating func handshake(clientISN: UInt32 = 1000, serverISN: UInt32 = 5000) {
        send(.client, seq: clientISN, flags: .syn)
        send(.server, seq: serverISN, ack: clientISN &+ 1, flags: .syn)
        send(.client, seq: clientISN &+ 1, ack: serverISN &+ 1)
    }

    mutating func finish() {
        reassembler.finish(into: &sink)
    }

    var signals: [RecordedSignal] { sink.signals }

    var openedLine: RecordedSignal {
        .opened(1, client: "10.0.0.1:40000", server: "10.0.0.2:80", evidence: .syn)
    }
}
