@testable import SwitchpointCore

/// Checks reassembly's contract while counting: every direction's data and gaps continue
/// exactly where the previous ones ended.
struct ContractSink: StreamSignalSink {
    var next: [ConnectionID: [UInt64]] = [:]

    mutating func receive(_ signal: StreamSignal) {
        switch signal {
        case .data(let chunk): advance(chunk.connection, chunk.direction, chunk.offset, UInt64(chunk.bytes.count))
        case .gap(let gap): advance(gap.connection, gap.direction, gap.offset, gap.length)
        case .closed(let summary): next[summary.connection] = nil
        default: break
        }
    }

    mutating func advance(_ connection: ConnectionID, _ direction: Direction, _ offset: UInt64, _ length: UInt64) {
        var offsets = next[connection] ?? [0, 0]
        precondition(offsets[direction.rawValue] == 0 || offsets[direction.rawValue] == offset, "offset jumped")
        offsets[direction.rawValue] = offset + length
        next[connection] = offsets
    }
}

/// The TCP reassembler: the input is a sequence of segments, each an 8-byte header
/// (flags, endpoints, sequence delta, acknowledgment delta, time step, payload length)
/// and its payload, under small limits so every limit path is reached.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzReassembler(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    var limits = ReassemblyLimits()
    limits.maxBufferedBytesPerConnection = 512
    limits.maxBufferedBytesTotal = 1024
    limits.maxPendingSegmentsPerDirection = 8
    limits.maxConnections = 3
    limits.idleTimeoutNanoseconds = 5_000_000_000
    limits.closedLingerNanoseconds = 2_000_000_000
    limits.overlapCheckWindow = 64
    var reassembler = TCPReassembler(limits: limits)
    var sink = ContractSink()
    let endpoints = (0..<4).map { Endpoint(address: IPAddress("10.0.0.\($0 + 1)")!, port: UInt16(1000 + $0)) }
    var sequences: [UInt32] = [1000, 2000, 3000, 4000]
    var time: Int64 = 1_700_000_000_000_000_000
    var index = 0
    var packet: UInt64 = 0
    while index + 8 <= bytes.count {
        let flags = TCPFlags(rawValue: UInt16(bytes[index]))
        let pair = bytes[index + 1]
        let source = endpoints[Int(pair & 3)]
        let destination = endpoints[Int((pair >> 2) & 3)]
        let sequenceDelta = Int16(bitPattern: UInt16(bytes[index + 2]) << 8 | UInt16(bytes[index + 3]))
        let acknowledgment = UInt32(bytes[index + 4]) << 8 | UInt32(bytes[index + 5])
        time += Int64(bytes[index + 6]) * 50_000_000
        let length = Int(bytes[index + 7] & 0x7f)
        let cut = bytes[index + 7] & 0x80 != 0  // snaplen: half the payload captured
        index += 8
        let available = min(length, bytes.count - index)
        let payload = UnsafeRawBufferPointer(rebasing: bytes[index..<(index + available)])
        index += available
        let slot = Int(pair & 3)
        sequences[slot] = sequences[slot] &+ UInt32(bitPattern: Int32(sequenceDelta))
        packet += 1
        let segment = TCPSegment(
            source: source, destination: destination, sequence: sequences[slot],
            acknowledgment: acknowledgment &+ 1000, flags: flags,
            payload: cut ? payload.prefix(available / 2) : payload, payloadLength: available)
        reassembler.ingest(
            segment, capture: CaptureInfo(packetNumber: packet, timestamp: Timestamp(nanoseconds: time)), into: &sink)
        precondition(
            reassembler.bufferedBytes >= 0 && reassembler.bufferedBytes <= limits.maxBufferedBytesTotal + 128,
            "buffer accounting")
        precondition(reassembler.trackedConnections <= limits.maxConnections, "connection cap")
    }
    reassembler.finish(into: &sink)
    precondition(reassembler.bufferedBytes == 0, "bytes left after finish")
    return 0
}
