/// Tells whether one HTTP/2 stream whose request was not seen (its HEADERS came before the
/// capture, or their HPACK history is missing) carries WebSocket frames (RFC 8441), from its
/// DATA bytes alone. Each direction's DATA is a byte stream; its first captured byte is the
/// start of a DATA payload, so mostly of a sender's WebSocket write: the chain of frames from
/// there is walked over every byte held (not only the first few frames), and scored as the
/// connection-level classifier scores an anchored chain (`ContentClassifier.score`), two per
/// header, plus two per checked payload (a whole text frame of 16 bytes or more that is valid
/// UTF-8, a close frame with a code an endpoint may send and a UTF-8 reason) and two when the
/// chain ends exactly where the direction's END_STREAM ended it. A direction whose first byte
/// starts no chain is searched as a connection's is (`ContentClassifier.first`, one per
/// header). The stream is WebSocket at `requiredPoints`: more than a connection needs, since
/// one connection may carry thousands of streams.
struct WebSocketStreamClassifier {
    /// Points a verdict needs (a connection's WebSocket verdict needs 6).
    static let requiredPoints = 8

    /// The walk of one direction's frames from its first held byte.
    struct AnchoredWalk {
        /// Where the next frame header is expected.
        var position = 0
        var headers = 0
        var checked = 0
        /// nil until a data frame says whether a message is in progress.
        var inMessage: Bool?
        var broken = false
    }

    /// What one direction's bytes show.
    struct DirectionState {
        var walk = AnchoredWalk()
        /// The search past the first byte, once the anchored walk broke (its next candidate).
        var searchFrom = 1
    }

    enum Outcome: Equatable {
        /// Frames start at each direction's offset (nil: no boundary found yet, searched on).
        case webSocket(boundaries: PerDirection<Int?>, evidence: String)
        /// Not (yet) shown to be WebSocket.
        case undecided
    }

    private var states = PerDirection(repeating: DirectionState())

    /// `ended`: the direction's END_STREAM was seen (no more bytes will come on it);
    /// `final`: nothing more will come on either (the stream or the connection ended, or the
    /// hold is full).
    mutating func classify(client: [UInt8], server: [UInt8], ended: PerDirection<Bool>, final: Bool) -> Outcome {
        var points = 0
        var boundaries = PerDirection<Int?>(repeating: nil)
        var parts: [String] = []
        for direction in Direction.allCases {
            let bytes = direction == .clientToServer ? client : server
            guard !bytes.isEmpty else { continue }
            let (score, boundary, part) = evaluate(
                bytes, direction: direction, ended: ended[direction], final: final)
            points += score
            boundaries[direction] = boundary
            if let part { parts.append(part) }
        }
        guard points >= Self.requiredPoints else { return .undecided }
        return .webSocket(
            boundaries: boundaries, evidence: "websocket by content inside the stream: " + parts.joined(separator: ", ")
        )
    }

    /// One direction's points, its first frame boundary and what it showed.
    private mutating func evaluate(
        _ bytes: [UInt8], direction: Direction, ended: Bool, final: Bool
    ) -> (Int, Int?, String?) {
        let side = direction == .clientToServer ? "client (masked)" : "server (unmasked)"
        var walk = states[direction].walk
        let pending = bytes.withUnsafeBytes { Self.advance(&walk, $0, direction: direction) }
        states[direction].walk = walk
        if !walk.broken {
            let exact = ended && walk.position == bytes.count
            if ended && !exact {
                // END_STREAM inside a frame: no sender writes that.
                states[direction].walk.broken = true
            } else {
                let headers = walk.headers + (pending ? 1 : 0)
                let score = (headers + walk.checked + (exact ? 1 : 0)) * ContentClassifier.anchoredWeight
                var part =
                    "\(headers) consistent frame header\(headers == 1 ? "" : "s") from the \(side) from the stream's first captured byte"
                if walk.checked > 0 { part += " (\(walk.checked) with a checked payload)" }
                if exact { part += ", ending exactly at END_STREAM" }
                return (score, 0, headers > 0 ? part : nil)
            }
        }
        var from = states[direction].searchFrom
        defer { states[direction].searchFrom = from }
        guard
            let found = ContentClassifier.first(
                WebSocketFrameChainRule(), bytes, direction, final: final, from: &from, anchored: false)
        else { return (0, nil, nil) }
        let part = "\(found.headers) consistent frame headers from the \(side) after \(found.offset) bytes skipped"
        return (ContentClassifier.score(found), found.offset, part)
    }

    /// Walks whole frames from `walk.position`; true when the bytes end inside a frame whose
    /// header is whole and plausible (its payload still arriving).
    static func advance(_ walk: inout AnchoredWalk, _ bytes: UnsafeRawBufferPointer, direction: Direction) -> Bool {
        while !walk.broken, walk.position < bytes.count {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[walk.position...])
            guard let header = WebSocketFrameHeader.parse(rest) else { return false }
            guard plausible(header, walk: walk, direction: direction) else {
                walk.broken = true
                return false
            }
            let payloadStart = walk.position + header.headerLength
            guard header.payloadLength <= UInt64(bytes.count - payloadStart) else {
                // A frame no hold would see the end of (a length read from random bytes,
                // mostly) confirms nothing.
                if header.payloadLength > UInt64(ContentClassifier.maxAwaitedChainBytes) { walk.broken = true }
                return !walk.broken
            }
            let length = Int(header.payloadLength)
            switch payloadCheck(header, bytes, payloadStart, length) {
            case .broken:
                walk.broken = true
                return false
            case .checked: walk.checked += 1
            case .unchecked: break
            }
            if header.opcodeValue.isData { walk.inMessage = !header.fin }
            walk.headers += 1
            walk.position = payloadStart + length
        }
        return false
    }

    /// A header as a sender writes it (the rules of `WebSocketFrameChainRule`).
    private static func plausible(_ header: WebSocketFrameHeader, walk: AnchoredWalk, direction: Direction) -> Bool {
        guard header.masked == (direction == .clientToServer), !header.nonMinimalLength, !header.lengthTopBitSet
        else { return false }
        switch header.opcodeValue {
        case .continuation:
            guard header.rsv == 0, walk.inMessage != false else { return false }
        case .text, .binary:
            guard header.rsv == 0 || header.rsv == 0x4, walk.inMessage != true else { return false }
        case .close, .ping, .pong:
            guard header.rsv == 0, header.fin, header.payloadLength <= WebSocketFrameChainRule.maxControlPayload
            else { return false }
        default:
            return false
        }
        if !header.fin && header.payloadLength == 0 && header.opcodeValue.isData { return false }
        return !(walk.headers == 0 && header.payloadLength == 0 && !header.masked)
    }

    enum PayloadCheck {
        case broken
        case checked
        case unchecked
    }

    /// What a whole payload says: text must be UTF-8 (a whole one of `minCheckedText` bytes
    /// or more is evidence), a close frame must carry a code an endpoint may send and a
    /// UTF-8 reason (evidence too).
    private static func payloadCheck(
        _ header: WebSocketFrameHeader, _ bytes: UnsafeRawBufferPointer, _ start: Int, _ length: Int
    ) -> PayloadCheck {
        let maskAt = header.masked ? start - 4 : nil
        switch header.opcodeValue {
        case .text where header.fin && header.rsv == 0 && length <= WebSocketFrameChainRule.maxCheckedText:
            guard WebSocketFrameChainRule.isUTF8(bytes, start, length, maskAt: maskAt) else { return .broken }
            return length >= WebSocketFrameChainRule.minCheckedText ? .checked : .unchecked
        case .close where length > 0:
            return WebSocketFrameChainRule.isValidClose(bytes, start, length, maskAt: maskAt) ? .checked : .broken
        default:
            return .unchecked
        }
    }
}
