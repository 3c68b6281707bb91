/// A WebSocket frame header (RFC 6455 §5.2), every field as sent.
package struct WebSocketFrameHeader: Sendable, Equatable {
    package var fin: Bool
    /// RSV1..RSV3 as the integer `(byte0 >> 4) & 7` (RSV1 = 4).
    package var rsv: UInt8
    package var opcode: UInt8
    package var masked: Bool
    package var maskKey: (UInt8, UInt8, UInt8, UInt8)
    package var payloadLength: UInt64
    package var headerLength: Int
    /// A 16- or 64-bit length that would have fit a shorter form (§5.2 requires minimal).
    package var nonMinimalLength: Bool
    /// The 64-bit length had its most significant bit set (§5.2 forbids it).
    package var lengthTopBitSet: Bool

    package var isControl: Bool { opcodeValue.isControl }
    /// The opcode as its named type (the event keeps the wire byte).
    @inline(__always)
    package var opcodeValue: WebSocketOpcode { WebSocketOpcode(rawValue: opcode) }
    package var rsv1: Bool { rsv & 0x4 != 0 }

    package static func == (lhs: WebSocketFrameHeader, rhs: WebSocketFrameHeader) -> Bool {
        lhs.fin == rhs.fin && lhs.rsv == rhs.rsv && lhs.opcode == rhs.opcode && lhs.masked == rhs.masked
            && lhs.maskKey.0 == rhs.maskKey.0 && lhs.maskKey.1 == rhs.maskKey.1 && lhs.maskKey.2 == rhs.maskKey.2
            && lhs.maskKey.3 == rhs.maskKey.3 && lhs.payloadLength == rhs.payloadLength
            && lhs.headerLength == rhs.headerLength && lhs.nonMinimalLength == rhs.nonMinimalLength
            && lhs.lengthTopBitSet == rhs.lengthTopBitSet
    }

    /// Parses a header from `bytes`; nil when more bytes are needed. Every read is checked.
    static func parse(_ bytes: [UInt8]) -> WebSocketFrameHeader? {
        bytes.withUnsafeBytes { parse($0) }
    }

    /// Parses a header from the start of `bytes`; nil when more bytes are needed.
    static func parse(_ bytes: UnsafeRawBufferPointer) -> WebSocketFrameHeader? {
        guard bytes.count >= 2 else { return nil }
        let first = bytes[0]
        let second = bytes[1]
        let masked = second & 0x80 != 0
        var length = UInt64(second & 0x7f)
        var index = 2
        var nonMinimal = false
        var topBit = false
        if length == 126 {
            guard bytes.count >= 4 else { return nil }
            length = UInt64(bytes[2]) << 8 | UInt64(bytes[3])
            nonMinimal = length < 126
            index = 4
        } else if length == 127 {
            guard bytes.count >= 10 else { return nil }
            length = 0
            for byte in bytes[2..<10] { length = length << 8 | UInt64(byte) }
            topBit = length >> 63 != 0
            nonMinimal = length <= 0xffff
            index = 10
        }
        var key: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0)
        if masked {
            guard bytes.count >= index + 4 else { return nil }
            key = (bytes[index], bytes[index + 1], bytes[index + 2], bytes[index + 3])
            index += 4
        }
        return WebSocketFrameHeader(
            fin: first & 0x80 != 0, rsv: (first >> 4) & 0x7, opcode: first & 0x0f, masked: masked,
            maskKey: key, payloadLength: length, headerLength: index,
            nonMinimalLength: nonMinimal, lengthTopBitSet: topBit)
    }

    /// Header length implied by the first two bytes (to know how many to wait for).
    static func headerLength(first two: [UInt8]) -> Int? {
        guard two.count >= 2 else { return nil }
        let lengthCode = two[1] & 0x7f
        let extended = lengthCode == 126 ? 2 : (lengthCode == 127 ? 8 : 0)
        return 2 + extended + (two[1] & 0x80 != 0 ? 4 : 0)
    }
}

/// Streaming frame parser for one direction, after SwiftNIO's WebSocketFrameDecoder and
/// swift-nio-http2's frame parser: bytes in, one event per `next` call. Payloads are never
/// held: the caller gets the range of each payload piece and unmasks it with the running
/// mask phase, so a 1 GB frame needs no more memory than a 1 KB one.
struct WebSocketFrameParser {
    enum Event {
        case header(WebSocketFrameHeader, offset: UInt64)
        /// `range` of the bytes given to `next`; `frameOffset` is the position in the payload.
        case payload(range: Range<Int>, frameOffset: UInt64)
        case frameEnd(offset: UInt64)
    }

    enum State {
        case header
        case payload(remaining: UInt64)
        case stopped
    }

    private(set) var state: State = .header
    private var headerBytes: [UInt8] = []
    private var headerStart: UInt64 = 0
    private(set) var header: WebSocketFrameHeader?
    private var payloadDone: UInt64 = 0

    var isStopped: Bool { if case .stopped = state { true } else { false } }
    var isBetweenFrames: Bool { if case .header = state { headerBytes.isEmpty } else { false } }

    /// The next event from `bytes` (which start at stream `offset`), advancing `index`.
    mutating func next(_ bytes: UnsafeRawBufferPointer, index: inout Int, offset: UInt64) -> Event? {
        switch state {
        case .stopped:
            index = bytes.count
            return nil
        case .header:
            while index < bytes.count {
                if headerBytes.isEmpty {
                    headerStart = offset + UInt64(index)
                    // The usual case: the whole header is in this chunk, parsed in place.
                    let rest = UnsafeRawBufferPointer(rebasing: bytes[index...])
                    if let parsed = WebSocketFrameHeader.parse(rest) {
                        index += parsed.headerLength
                        return begin(parsed)
                    }
                }
                let needed = WebSocketFrameHeader.headerLength(first: headerBytes) ?? 2
                let take = min(needed - headerBytes.count, bytes.count - index)
                headerBytes.append(contentsOf: bytes[index..<(index + take)])
                index += take
                guard headerBytes.count >= 2,
                    headerBytes.count == WebSocketFrameHeader.headerLength(first: headerBytes),
                    let parsed = WebSocketFrameHeader.parse(headerBytes)
                else { continue }
                headerBytes.removeAll(keepingCapacity: true)
                return begin(parsed)
            }
            return nil
        case .payload(let remaining):
            if remaining == 0 {
                state = .header
                return .frameEnd(offset: offset + UInt64(index))
            }
            guard index < bytes.count else { return nil }
            let take = Int(min(remaining, UInt64(bytes.count - index)))
            let range = index..<(index + take)
            index += take
            let frameOffset = payloadDone
            payloadDone += UInt64(take)
            state = .payload(remaining: remaining - UInt64(take))
            return .payload(range: range, frameOffset: frameOffset)
        }
    }

    /// Missing bytes: inside a payload they are skipped (returns how many payload bytes
    /// were lost); anywhere else the frame boundaries are lost and parsing stops (nil).
    mutating func skip(_ length: UInt64) -> UInt64? {
        switch state {
        case .payload(let remaining) where length <= remaining:
            payloadDone += length
            state = .payload(remaining: remaining - length)
            return length
        case .header where headerBytes.isEmpty && length == 0:
            return 0
        default:
            state = .stopped
            return nil
        }
    }

    private mutating func begin(_ parsed: WebSocketFrameHeader) -> Event {
        header = parsed
        payloadDone = 0
        state = .payload(remaining: parsed.payloadLength)
        return .header(parsed, offset: headerStart)
    }

    mutating func stop() {
        state = .stopped
    }
}

enum WebSocketMask {
    /// Unmasks `source` into the first `source.count` bytes of `output` (grown to hold
    /// them; what lies past them is stale), continuing the mask at
    /// `phase` (the payload offset of the first byte). Eight bytes at a time: payloads of
    /// gigabytes pass through here.
    static func unmask(
        _ source: UnsafeRawBufferPointer, key: (UInt8, UInt8, UInt8, UInt8), phase: UInt64, into output: inout [UInt8]
    ) {
        let count = source.count
        // Grown, never shrunk: cutting it to each piece and zero-filling it again cost more
        // than the unmasking.
        if output.count < count {
            output.append(contentsOf: repeatElement(0, count: count - output.count))
        }
        guard let input = source.baseAddress, count > 0 else { return }
        // The key as a little-endian word: byte i of the mask is `keyWord >> (8 * i)`.
        let keyWord = UInt32(key.0) | UInt32(key.1) << 8 | UInt32(key.2) << 16 | UInt32(key.3) << 24
        let start = Int(phase & 3)
        // The key rotated to this phase, repeated to fill a word.
        let rotated = start == 0 ? keyWord : keyWord >> UInt32(8 * start) | keyWord << UInt32(32 - 8 * start)
        let word = UInt64(rotated) | UInt64(rotated) << 32
        output.withUnsafeMutableBytes { target in
            guard let destination = target.baseAddress else { return }
            var index = 0
            while index + 8 <= count {
                let value = input.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                destination.storeBytes(of: value ^ word.littleEndian, toByteOffset: index, as: UInt64.self)
                index += 8
            }
            while index < count {
                let maskByte = UInt8(truncatingIfNeeded: keyWord >> UInt32(8 * ((start + index) & 3)))
                destination.storeBytes(
                    of: input.load(fromByteOffset: index, as: UInt8.self) ^ maskByte,
                    toByteOffset: index, as: UInt8.self)
                index += 1
            }
        }
    }
}
