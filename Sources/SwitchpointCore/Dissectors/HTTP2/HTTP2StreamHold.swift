/// The DATA of one stream of a connection joined mid-stream whose request was not read (its
/// HEADERS came before the capture or cannot be decoded without the HPACK history), held
/// until its content tells whether it carries WebSocket (`WebSocketStreamClassifier`), then
/// replayed piece by piece, each with its own packet.
struct HTTP2StreamHold {
    /// DATA bytes held per stream (both directions), at most: a stream not told apart by
    /// then is plain DATA.
    static let maxHeldBytes = 64 * 1024

    /// A received piece of DATA, in arrival order across both directions.
    struct Piece {
        var direction: Direction
        /// Where it lies in its direction's held bytes.
        var range: Range<Int>
        var offset: UInt64
        var capture: CaptureInfo
    }

    enum Decision: Equatable {
        case waiting
        /// WebSocket from each direction's boundary on (nil: none found, searched for).
        case webSocket(boundaries: PerDirection<Int?>, evidence: String)
        case plain
    }

    private(set) var bytes = PerDirection<[UInt8]>(repeating: [])
    private(set) var pieces: [Piece] = []
    /// END_STREAM seen per direction.
    var ended = PerDirection(repeating: false)
    private var classifier = WebSocketStreamClassifier()

    var heldCount: Int { bytes.clientToServer.count + bytes.serverToClient.count }

    /// Holds a piece; false when it does not fit (the hold is then decided as it is).
    mutating func append(
        _ piece: UnsafeRawBufferPointer, direction: Direction, offset: UInt64, capture: CaptureInfo
    ) -> Bool {
        guard heldCount + piece.count <= Self.maxHeldBytes else { return false }
        let start = bytes[direction].count
        bytes[direction].append(contentsOf: piece)
        pieces.append(
            Piece(direction: direction, range: start..<(start + piece.count), offset: offset, capture: capture))
        return true
    }

    /// What the held bytes show; `final`: nothing more will come.
    mutating func decide(final: Bool) -> Decision {
        let done = final || (ended.clientToServer && ended.serverToClient)
        switch classifier.classify(
            client: bytes.clientToServer, server: bytes.serverToClient, ended: ended, final: done)
        {
        case .webSocket(let boundaries, let evidence):
            return .webSocket(boundaries: boundaries, evidence: evidence)
        case .undecided:
            return done ? .plain : .waiting
        }
    }

    /// Hands the held pieces to `body` in arrival order, each from `skip` of its direction
    /// on, and empties the hold.
    mutating func release(
        skipping skip: PerDirection<Int>, _ body: (UnsafeRawBufferPointer, Direction, UInt64, CaptureInfo) -> Void
    ) {
        let held = bytes
        let kept = pieces
        bytes = PerDirection(repeating: [])
        pieces = []
        for piece in kept {
            let from = max(piece.range.lowerBound, skip[piece.direction])
            guard from < piece.range.upperBound else { continue }
            held[piece.direction].withUnsafeBytes { all in
                body(
                    UnsafeRawBufferPointer(rebasing: all[from..<piece.range.upperBound]), piece.direction,
                    piece.offset + UInt64(from - piece.range.lowerBound), piece.capture)
            }
        }
    }
}
