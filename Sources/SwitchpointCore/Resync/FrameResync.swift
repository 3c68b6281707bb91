/// One direction's bytes held while its frame boundaries are unknown (the capture began
/// inside a frame, or a gap swallowed a header): candidate offsets are tried in order and
/// the first where `rule` finds enough consecutive plausible frame headers is where
/// parsing starts again. Bytes before it are skipped and counted, never parsed.
struct FrameResync {
    /// Bytes held while searching, at most; past it the oldest candidates are given up.
    static let maxHeldBytes = 1 << 20

    /// A received piece of the held bytes: replayed with its own packet once in sync.
    struct Piece {
        var start: Int
        var capture: CaptureInfo
    }

    private(set) var held: [UInt8] = []
    /// Stream offset of `held[0]`.
    private(set) var heldStart: UInt64 = 0
    private(set) var pieces: [Piece] = []
    /// First candidate not yet ruled out: ruled-out offsets stay ruled out as bytes come.
    private var scanFrom = 0
    /// Bytes given up (dropped over the limit, or lost in gaps) since the search began.
    private(set) var skipped: UInt64 = 0

    init(from offset: UInt64) {
        heldStart = offset
    }

    var isEmpty: Bool { held.isEmpty }

    mutating func append(_ bytes: UnsafeRawBufferPointer, offset: UInt64, capture: CaptureInfo) {
        guard !bytes.isEmpty else { return }
        if held.isEmpty {
            heldStart = offset
            scanFrom = 0
        }
        pieces.append(Piece(start: held.count, capture: capture))
        held.append(contentsOf: bytes)
    }

    /// A gap: what was held cannot be followed across it, so it is all given up.
    mutating func gap(_ length: UInt64) {
        skipped += UInt64(held.count) + length
        held.removeAll(keepingCapacity: true)
        pieces.removeAll(keepingCapacity: true)
        scanFrom = 0
    }

    /// The index in `held` of the first frame boundary, nil while undecided. `final`: no
    /// more bytes will come, so a chain that ends exactly with the bytes is accepted too
    /// (the last frames of a stream).
    mutating func search(_ rule: some FrameChainRule, direction: Direction, final: Bool = false) -> Int? {
        let found: Int? = held.withUnsafeBytes { bytes in
            var candidate = scanFrom
            while candidate < bytes.count {
                switch rule.chain(bytes, at: candidate, direction: direction) {
                case .plausible:
                    return candidate
                case .endsExactly where final:
                    return candidate
                case .broken:
                    candidate += 1
                    scanFrom = candidate
                case .runsOff, .endsExactly:
                    if !final && bytes.count < Self.maxHeldBytes { return nil }
                    candidate += 1
                    scanFrom = candidate
                }
            }
            return nil
        }
        if found == nil && held.count >= Self.maxHeldBytes { dropScanned() }
        return found
    }

    /// Gives up the bytes before the first candidate still open.
    private mutating func dropScanned() {
        let drop = min(scanFrom, held.count)
        guard drop > 0 else { return }
        held.removeFirst(drop)
        heldStart += UInt64(drop)
        skipped += UInt64(drop)
        scanFrom = 0
        var moved: [Piece] = []
        for piece in pieces {
            let start = max(0, piece.start - drop)
            if start == 0 { moved.removeAll() }  // only the last piece reaching the new start counts
            moved.append(Piece(start: start, capture: piece.capture))
        }
        pieces = moved
    }

    /// Hands the held bytes from `index` on to `body`, piece by piece with each piece's
    /// packet, and empties the buffer. Returns the bytes skipped before `index` in all.
    mutating func release(from index: Int, _ body: (UnsafeRawBufferPointer, UInt64, CaptureInfo) -> Void) -> UInt64 {
        let total = skipped + UInt64(index)
        let bytes = held
        let kept = pieces
        held = []
        pieces = []
        skipped = 0
        scanFrom = 0
        bytes.withUnsafeBytes { all in
            for (number, piece) in kept.enumerated() {
                let end = number + 1 < kept.count ? kept[number + 1].start : all.count
                let start = max(piece.start, index)
                guard start < end else { continue }
                body(UnsafeRawBufferPointer(rebasing: all[start..<end]), heldStart + UInt64(start), piece.capture)
            }
        }
        return total
    }

    /// Everything held, given up (the connection ended before a boundary was found).
    mutating func abandon() -> UInt64 {
        let total = skipped + UInt64(held.count)
        held = []
        pieces = []
        skipped = 0
        return total
    }

    /// What one step of a dissector's resynchronization came to.
    enum Step {
        /// No boundary yet: keep holding.
        case waiting
        /// The stream ended (or the hold limit) without a boundary: `lost` bytes never parsed.
        case abandoned(lost: UInt64, at: UInt64)
        /// Frames start at `index` of the held bytes; `skipped` bytes before it were dropped.
        case found(index: Int, skipped: UInt64, at: UInt64)

        /// Where the finding about it points.
        var offset: UInt64? {
            switch self {
            case .waiting: nil
            case .abandoned(_, let at), .found(_, _, let at): at
            }
        }
    }

    /// Holds `bytes` and looks for the first offset where `rule`'s chain of frame headers
    /// holds; the one step every frame-based dissector takes while out of sync.
    mutating func step(
        _ bytes: UnsafeRawBufferPointer, offset: UInt64, capture: CaptureInfo, rule: some FrameChainRule,
        direction: Direction, final: Bool
    ) -> Step {
        append(bytes, offset: offset, capture: capture)
        guard let index = search(rule, direction: direction, final: final) else {
            guard final else { return .waiting }
            let start = heldStart
            return .abandoned(lost: abandon(), at: start)
        }
        return .found(index: index, skipped: skipped + UInt64(index), at: heldStart + UInt64(index))
    }

    /// The finding text for `step`'s outcome (nil when there is nothing to say).
    static func message(_ step: Step, requiredHeaders: Int) -> String? {
        switch step {
        case .waiting:
            return nil
        case .abandoned(let lost, _):
            return lost > 0 ? "\(lost) bytes never parsed: no run of consistent frame headers was found in them" : nil
        case .found(_, let skipped, _):
            return skipped > 0
                ? "skipped \(skipped) bytes to the first of \(requiredHeaders) consistent frame headers; frames from there on are decoded"
                : nil
        }
    }
}
