/// Cuts one direction's bytes into MQTT packets, across WebSocket messages: a packet may
/// span many messages, a message may hold many packets. Holds at most
/// `WebSocketInterpreterLimits.maxHeldBytes` of a packet (the rest is skipped and the
/// packet decoded from its start).
package struct MQTTStreamFramer {
    /// A fixed header is at most five bytes: the type byte and four of remaining length.
    package static let maxFixedHeaderBytes = 5

    package enum Output {
        case packet(typeAndFlags: UInt8, body: ArraySlice<UInt8>, whole: Bool, firstPacket: UInt64)
        case malformedLength(firstPacket: UInt64)
        case tooLarge(length: Int)
    }

    private var header: [UInt8] = []
    private var bodyLength: Int?
    private var held: [UInt8] = []
    private var skipped = 0
    private var firstPacket: UInt64 = 0
    /// The framing was lost (a malformed length, bytes never captured): wait for the next
    /// message, where a client starts a packet again.
    private var lost = false

    package init() {}

    /// Whether a packet is part-way.
    package var inPacket: Bool { !header.isEmpty }

    package mutating func startMessage() {
        guard lost else { return }
        reset()
        lost = false
    }

    /// Reads from `bytes[index...]` up to the next thing to report (a packet completed, a
    /// malformed length, a packet over the limit); nil when the bytes are used up.
    package mutating func next(_ bytes: UnsafeRawBufferPointer, index: inout Int, packet: UInt64) -> Output? {
        while index < bytes.count, !lost {
            if header.isEmpty { firstPacket = packet }
            guard let length = bodyLength else {
                header.append(bytes[index])
                index += 1
                if let output = headerByteAdded() { return output }
                continue
            }
            let wanted = length - held.count - skipped
            let take = min(wanted, bytes.count - index)
            let keep = max(0, min(take, WebSocketInterpreterLimits.maxHeldBytes - held.count))
            held.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[index..<(index + keep)]))
            skipped += take - keep
            index += take
            if held.count + skipped == length { return complete() }
        }
        return nil
    }

    /// Bytes of a message that were not given (a message cut by the limit or a gap):
    /// skipped when they fall inside the packet's body, otherwise the framing is lost.
    package mutating func missing(_ count: Int) -> Output? {
        guard count > 0, !lost else { return nil }
        if let length = bodyLength, count <= length - held.count - skipped {
            skipped += count
            if held.count + skipped == length { return complete() }
        } else {
            lost = true
        }
        return nil
    }

    private mutating func headerByteAdded() -> Output? {
        guard header.count >= 2 else { return nil }
        let last = header[header.count - 1]
        if last & 0x80 != 0 {
            guard header.count == Self.maxFixedHeaderBytes else { return nil }
            lost = true
            return .malformedLength(firstPacket: firstPacket)
        }
        var length = 0
        for (position, byte) in header.dropFirst().enumerated() { length |= Int(byte & 0x7F) << (7 * position) }
        bodyLength = length
        if length == 0 { return complete() }
        if length > WebSocketInterpreterLimits.maxHeldBytes { return .tooLarge(length: length) }
        return nil
    }

    private mutating func complete() -> Output {
        let body = held
        held = []
        let output = Output.packet(
            typeAndFlags: header[0], body: body[...], whole: skipped == 0, firstPacket: firstPacket)
        reset()
        return output
    }

    private mutating func reset() {
        header.removeAll(keepingCapacity: true)
        held.removeAll(keepingCapacity: true)
        bodyLength = nil
        skipped = 0
    }
}
