/// A streaming HTTP/2 frame parser for one direction (after swift-nio-http2's
/// `append(bytes:)`/`nextFrame()`): the 9-byte header, then the payload. DATA payloads are
/// handed out in pieces as they arrive (a 16 MB DATA frame is never held); other frames
/// are buffered whole up to `maxBufferedPayload`.
struct HTTP2FrameParser {
    struct Header: Equatable {
        var length: Int
        var type: HTTP2FrameType
        var flags: HTTP2Flags
        var stream: UInt32
    }

    enum Event {
        /// The client connection preface was read (client direction only).
        case preface
        case prefaceMissing
        case header(Header, offset: UInt64)
        /// A piece of a DATA payload: `range` of the bytes given to `next`.
        case dataPiece(range: Range<Int>, payloadOffset: Int)
        /// A non-DATA frame's whole payload (nil when it was over the buffer limit).
        case payload([UInt8]?)
        case frameEnd(offset: UInt64)
    }

    enum State {
        case preface(matched: Int)
        case header
        case payload(remaining: Int)
        /// A non-DATA payload was handed out; the frame's end comes next.
        case ending
        case stopped
    }

    /// The client connection preface (RFC 9113 §3.4); content detection looks for it too.
    static let connectionPreface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    /// Named limit: non-DATA payloads buffered whole (SETTINGS_MAX_FRAME_SIZE tops at 16 MiB).
    static let maxBufferedPayload = 1 << 20

    private(set) var state: State
    private var headerBytes: [UInt8] = []
    private var headerStart: UInt64 = 0
    private(set) var header: Header?
    private var payload: [UInt8] = []
    private var payloadDone = 0

    init(expectPreface: Bool) {
        state = expectPreface ? .preface(matched: 0) : .header
    }

    var isStopped: Bool { if case .stopped = state { true } else { false } }

    mutating func next(_ bytes: UnsafeRawBufferPointer, index: inout Int, offset: UInt64) -> Event? {
        switch state {
        case .stopped:
            index = bytes.count
            return nil
        case .preface(var matched):
            let preface = Self.connectionPreface
            while index < bytes.count && matched < preface.count {
                guard bytes[index] == preface[matched] else {
                    state = .stopped
                    return .prefaceMissing
                }
                matched += 1
                index += 1
            }
            if matched == preface.count {
                state = .header
                return .preface
            }
            state = .preface(matched: matched)
            return nil
        case .header:
            while index < bytes.count {
                if headerBytes.isEmpty { headerStart = offset + UInt64(index) }
                let take = min(9 - headerBytes.count, bytes.count - index)
                headerBytes.append(contentsOf: bytes[index..<(index + take)])
                index += take
                guard headerBytes.count == 9 else { continue }
                let parsed = Header(
                    length: Int(headerBytes[0]) << 16 | Int(headerBytes[1]) << 8 | Int(headerBytes[2]),
                    type: HTTP2FrameType(rawValue: headerBytes[3]), flags: HTTP2Flags(rawValue: headerBytes[4]),
                    stream: (UInt32(headerBytes[5]) << 24 | UInt32(headerBytes[6]) << 16 | UInt32(headerBytes[7]) << 8
                        | UInt32(headerBytes[8])) & 0x7fff_ffff)
                headerBytes.removeAll(keepingCapacity: true)
                header = parsed
                payload.removeAll(keepingCapacity: true)
                payloadDone = 0
                state = .payload(remaining: parsed.length)
                return .header(parsed, offset: headerStart)
            }
            return nil
        case .ending:
            state = .header
            return .frameEnd(offset: offset + UInt64(index))
        case .payload(let remaining):
            guard let header else {
                state = .header
                return nil
            }
            if remaining == 0 {
                if header.type == .data {
                    state = .header
                    return .frameEnd(offset: offset + UInt64(index))
                }
                state = .ending
                return .payload(payloadDone == payload.count ? payload : nil)
            }
            guard index < bytes.count else { return nil }
            let take = min(remaining, bytes.count - index)
            let range = index..<(index + take)
            index += take
            state = .payload(remaining: remaining - take)
            let position = payloadDone
            payloadDone += take
            if header.type == .data {
                return .dataPiece(range: range, payloadOffset: position)
            }
            if payload.count + take <= Self.maxBufferedPayload {
                payload.append(contentsOf: bytes[range])
            }
            return next(bytes, index: &index, offset: offset)
        }
    }

    /// Missing bytes: skipped inside a DATA payload (true), fatal anywhere else.
    mutating func skip(_ length: Int) -> Bool {
        if case .payload(let remaining) = state, header?.type == .data, length <= remaining {
            state = .payload(remaining: remaining - length)
            payloadDone += length
            return true
        }
        state = .stopped
        return false
    }

    mutating func stop() {
        state = .stopped
    }
}
