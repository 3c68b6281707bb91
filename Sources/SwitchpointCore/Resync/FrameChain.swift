/// What a run of frame headers starting at one offset says about that offset.
enum FrameChainResult: Equatable {
    /// `headers` consecutive plausible headers, each where the previous frame ends.
    case plausible(headers: Int)
    /// A header that no sender would write: this offset is not a frame boundary.
    case broken
    /// The chain is plausible as far as the bytes go (`headers` of them), which end before
    /// it is long enough; it goes on only once the bytes reach index `needs`.
    case runsOff(headers: Int, needs: Int)
    /// Plausible, and its last frame ends exactly where the bytes end.
    case endsExactly(headers: Int)
}

/// A protocol's rule for "a frame header can start here".
protocol FrameChainRule {
    /// Headers in a row, tiling the data, that make an offset a frame boundary. Chosen so
    /// that random bytes and other protocols pass with a vanishingly small probability
    /// (the property test in ResyncPropertyTests counts them).
    var requiredHeaders: Int { get }
    func chain(_ bytes: UnsafeRawBufferPointer, at start: Int, direction: Direction) -> FrameChainResult
    /// Frames of the chain at `start` whose content was checked and passed, beyond their
    /// headers (a whole text payload of some length that is valid UTF-8): evidence that
    /// random bytes give with a vanishing probability.
    func checkedFrames(_ bytes: UnsafeRawBufferPointer, at start: Int, direction: Direction) -> Int
    /// Close frames of the chain at `start` whose payload was checked and passed (a code an
    /// endpoint may send and a UTF-8 reason).
    func checkedCloseFrames(_ bytes: UnsafeRawBufferPointer, at start: Int, direction: Direction) -> Int
}

extension FrameChainRule {
    func checkedFrames(_ bytes: UnsafeRawBufferPointer, at start: Int, direction: Direction) -> Int { 0 }
    func checkedCloseFrames(_ bytes: UnsafeRawBufferPointer, at start: Int, direction: Direction) -> Int { 0 }
    /// Headers a chain at a direction's first captured byte needs to count at all.
    var minAnchoredHeaders: Int { requiredHeaders > ContentClassifier.anchoredWeight + 1 ? 1 : 2 }
}

/// WebSocket frames (RFC 6455 §5.2) as a sender writes them: a defined opcode, masked
/// exactly when the client sends, RSV1 only on the first frame of a data message
/// (permessage-deflate), control frames final and at most 125 bytes, minimal lengths,
/// continuations only inside a message and new messages only outside one, and the text of
/// a whole uncompressed text frame valid UTF-8.
struct WebSocketFrameChainRule: FrameChainRule {
    static let requiredHeaders = 6
    var requiredHeaders: Int { Self.requiredHeaders }

    static let maxControlPayload: UInt64 = 125
    /// Longest text payload checked for UTF-8 while searching.
    static let maxCheckedText = 4096

    func chain(_ bytes: UnsafeRawBufferPointer, at start: Int, direction: Direction) -> FrameChainResult {
        var position = start
        var headers = 0
        /// nil: unknown at the chain's start (the search may begin inside a message).
        var inMessage: Bool?
        let expectMasked = direction == .clientToServer
        while headers < requiredHeaders {
            guard position + 2 <= bytes.count else { return .runsOff(headers: headers, needs: position + 2) }
            let first = bytes[position]
            let second = bytes[position + 1]
            let fin = first & 0x80 != 0
            let rsv = (first >> 4) & 0x7
            let opcode = WebSocketOpcode(rawValue: first & 0x0f)
            let masked = second & 0x80 != 0
            guard masked == expectMasked else { return .broken }
            switch opcode {
            case .continuation:
                guard rsv == 0, inMessage != false else { return .broken }
                inMessage = !fin
            case .text, .binary:
                guard rsv == 0 || rsv == 0x4, inMessage != true else { return .broken }
                inMessage = !fin
            case .close, .ping, .pong:
                guard rsv == 0, fin, UInt64(second & 0x7f) <= Self.maxControlPayload else { return .broken }
            default:
                return .broken
            }
            var length = UInt64(second & 0x7f)
            var headerLength = 2
            if length == 126 {
                guard position + 4 <= bytes.count else { return .runsOff(headers: headers, needs: position + 4) }
                length = UInt64(bytes[position + 2]) << 8 | UInt64(bytes[position + 3])
                guard length >= 126 else { return .broken }
                headerLength = 4
            } else if length == 127 {
                guard position + 10 <= bytes.count else { return .runsOff(headers: headers, needs: position + 10) }
                length = 0
                for index in 2..<10 { length = length << 8 | UInt64(bytes[position + index]) }
                guard length > 0xffff, length >> 63 == 0 else { return .broken }
                headerLength = 10
            }
            // An empty fragment that is not the last says nothing and no sender writes one;
            // the last bytes of a payload often look like it. A chain does not start with
            // an empty unmasked frame either: two payload bytes before a true boundary
            // often read as one (an empty server frame at a resync point is the price).
            if !fin && length == 0 && opcode.isData { return .broken }
            if headers == 0 && length == 0 && !masked { return .broken }
            if masked { headerLength += 4 }
            guard position + headerLength <= bytes.count else {
                return .runsOff(headers: headers, needs: position + headerLength)
            }
            let payloadStart = position + headerLength
            if opcode == .text, fin, rsv == 0, length <= UInt64(Self.maxCheckedText),
                payloadStart + Int(length) <= bytes.count,
                !Self.isUTF8(bytes, payloadStart, Int(length), maskAt: masked ? position + headerLength - 4 : nil)
            {
                return .broken
            }
            headers += 1
            guard length <= UInt64(Int.max / 2) else { return .broken }
            position = payloadStart + Int(length)
            if headers < requiredHeaders && position > bytes.count {
                return .runsOff(headers: headers, needs: position)
            }
            if headers < requiredHeaders && position == bytes.count { return .endsExactly(headers: headers) }
        }
        return .plausible(headers: headers)
    }

    /// Shortest text payload whose UTF-8 validity counts as evidence of its own: 16 random
    /// (or unmasked random) bytes are valid UTF-8 with a probability under 1 in 30,000.
    static let minCheckedText = 16

    /// A frame of the chain's first `requiredHeaders` with a 7- or 16-bit length: its first
    /// header byte, where its payload starts, its length and whether it is masked.
    struct ShortFrame {
        var first: UInt8
        var payloadStart: Int
        var length: Int
        var masked: Bool
    }

    /// Walks the chain's first `requiredHeaders` frames from `start`, stopping at one whose
    /// header runs past the bytes or has a 64-bit length (longer than any frame checked).
    func forEachShortFrame(_ bytes: UnsafeRawBufferPointer, at start: Int, _ body: (ShortFrame) -> Void) {
        var position = start
        for _ in 0..<requiredHeaders {
            guard position + 2 <= bytes.count else { return }
            let second = bytes[position + 1]
            var length = Int(second & 0x7f)
            var headerLength = 2
            if length == 126 {
                guard position + 4 <= bytes.count else { return }
                length = Int(bytes[position + 2]) << 8 | Int(bytes[position + 3])
                headerLength = 4
            } else if length == 127 {
                return
            }
            let masked = second & 0x80 != 0
            if masked { headerLength += 4 }
            body(
                ShortFrame(
                    first: bytes[position], payloadStart: position + headerLength, length: length, masked: masked))
            position += headerLength + length
        }
    }

    /// Whole, final, uncompressed text frames of `minCheckedText` to `maxCheckedText` bytes
    /// among the chain's first `requiredHeaders` frames (`chain` found their text valid).
    func checkedFrames(_ bytes: UnsafeRawBufferPointer, at start: Int, direction: Direction) -> Int {
        var checked = 0
        forEachShortFrame(bytes, at: start) { frame in
            if WebSocketOpcode(rawValue: frame.first & 0x0f) == .text, frame.first & 0xf0 == 0x80,
                frame.payloadStart + frame.length <= bytes.count,
                (Self.minCheckedText...Self.maxCheckedText).contains(frame.length)
            {
                checked += 1
            }
        }
        return checked
    }

    /// Whole close frames among the chain's first `requiredHeaders` frames whose code an
    /// endpoint may send and whose reason is UTF-8 (`isValidClose`): a random frame passes
    /// with a probability of about 1 in 30 after its header.
    func checkedCloseFrames(_ bytes: UnsafeRawBufferPointer, at start: Int, direction: Direction) -> Int {
        var checked = 0
        forEachShortFrame(bytes, at: start) { frame in
            if frame.first == 0x88, frame.payloadStart + frame.length <= bytes.count, frame.length >= 2,
                Self.isValidClose(
                    bytes, frame.payloadStart, frame.length, maskAt: frame.masked ? frame.payloadStart - 4 : nil)
            {
                checked += 1
            }
        }
        return checked
    }

    /// A close payload (RFC 6455 §5.5.1) of 2 bytes or more: a code an endpoint may send
    /// (§7.4) and a reason that is UTF-8 (the mask phase goes on from the code).
    static func isValidClose(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ length: Int, maskAt: Int?) -> Bool {
        guard length >= 2 else { return false }
        var code = UInt16(bytes[start]) << 8 | UInt16(bytes[start + 1])
        if let maskAt { code ^= UInt16(bytes[maskAt]) << 8 | UInt16(bytes[maskAt + 1]) }
        guard WebSocketCloseCode(rawValue: code).maySend else { return false }
        return isUTF8(bytes, start + 2, length - 2, maskAt: maskAt, phase: 2)
    }

    /// UTF-8 validity of a (masked) payload, byte by byte: only while searching.
    /// `phase`: the payload index of `start` (the mask repeats every 4 bytes from the payload's first).
    static func isUTF8(
        _ bytes: UnsafeRawBufferPointer, _ start: Int, _ count: Int, maskAt: Int?, phase: Int = 0
    ) -> Bool {
        var needed = 0
        for index in 0..<count {
            var byte = bytes[start + index]
            if let maskAt { byte ^= bytes[maskAt + ((index + phase) & 3)] }
            if needed > 0 {
                guard byte & 0xc0 == 0x80 else { return false }
                needed -= 1
                continue
            }
            switch byte {
            case 0x00...0x7f: break
            case 0xc2...0xdf: needed = 1
            case 0xe0...0xef: needed = 2
            case 0xf0...0xf4: needed = 3
            default: return false
            }
        }
        return needed == 0
    }
}

/// HTTP/2 frames (RFC 9113 §4.1, §6) as a peer writes them: a defined type, only that
/// type's flags, the reserved bit clear, a length within the default
/// SETTINGS_MAX_FRAME_SIZE and of the size the type fixes, connection-level types on
/// stream 0 and stream-level types off it, and client-opened streams odd.
struct HTTP2FrameChainRule: FrameChainRule {
    static let requiredHeaders = 3
    var requiredHeaders: Int { Self.requiredHeaders }
    static let headerLength = 9
    /// SETTINGS_MAX_FRAME_SIZE's initial value (RFC 9113 §6.5.2).
    static let maxFrameSize = 16_384
    /// Stream identifiers above this are taken as implausible: a client opens them one by
    /// one (odd numbers), and 2^26 is 33 million requests on one connection.
    static let maxPlausibleStream: UInt32 = 1 << 26

    /// The flags each type defines (§6); nil for types a chain does not accept.
    static func definedFlags(_ type: HTTP2FrameType) -> HTTP2Flags? {
        switch type {
        case .data: [.endStream, .padded]
        case .headers: [.endStream, .endHeaders, .padded, .priority]
        case .settings, .ping: .ack
        case .pushPromise: [.endHeaders, .padded]
        case .continuation: .endHeaders
        case .priority, .rstStream, .goAway, .windowUpdate: []
        default: nil
        }
    }

    func chain(_ bytes: UnsafeRawBufferPointer, at start: Int, direction: Direction) -> FrameChainResult {
        var position = start
        var headers = 0
        while headers < requiredHeaders {
            guard position + Self.headerLength <= bytes.count else {
                return .runsOff(headers: headers, needs: position + Self.headerLength)
            }
            let length = Int(bytes[position]) << 16 | Int(bytes[position + 1]) << 8 | Int(bytes[position + 2])
            let type = HTTP2FrameType(rawValue: bytes[position + 3])
            let flags = HTTP2Flags(rawValue: bytes[position + 4])
            let streamHigh = bytes[position + 5]
            let stream =
                UInt32(streamHigh & 0x7f) << 24 | UInt32(bytes[position + 6]) << 16
                | UInt32(bytes[position + 7]) << 8 | UInt32(bytes[position + 8])
            guard length <= Self.maxFrameSize, streamHigh & 0x80 == 0, stream <= Self.maxPlausibleStream,
                let defined = Self.definedFlags(type), flags.isSubset(of: defined)
            else { return .broken }
            switch type {
            case .settings:
                // An acknowledgement is empty; settings that are not carry at least one.
                guard stream == 0, length % 6 == 0, !flags.contains(.ack) == (length > 0) else { return .broken }
            case .ping:
                guard stream == 0, length == 8 else { return .broken }
            case .goAway:
                guard stream == 0, length >= 8 else { return .broken }
            case .windowUpdate:
                guard length == 4 else { return .broken }
            case .priority:
                guard stream != 0, length == 5 else { return .broken }
            case .rstStream:
                guard stream != 0, length == 4 else { return .broken }
            case .headers:
                // Requests open odd streams; a server answers on them (or on pushed even ones).
                guard stream != 0, direction == .serverToClient || stream & 1 == 1 else { return .broken }
            case .pushPromise:
                guard stream != 0, direction == .serverToClient else { return .broken }
            default:
                guard stream != 0 else { return .broken }
            }
            headers += 1
            position += Self.headerLength + length
            if headers < requiredHeaders && position > bytes.count {
                return .runsOff(headers: headers, needs: position)
            }
            if headers < requiredHeaders && position == bytes.count { return .endsExactly(headers: headers) }
        }
        return .plausible(headers: headers)
    }
}
