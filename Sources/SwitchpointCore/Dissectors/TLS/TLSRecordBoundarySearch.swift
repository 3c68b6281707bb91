/// Finds where records begin in a direction whose first captured byte fell inside a record
/// (a capture that began mid-connection): the first offset from which a chain of record
/// headers tiles the bytes (`TLSRecordChainRule`). Sans-I/O; holds what it searches.
struct TLSRecordBoundarySearch {
    /// Named limit: bytes searched before giving up (a record is at most 16 KiB + 256).
    static let maxSearchBytes = 4 * TLSRecordLimits.maxCiphertextLength

    enum Outcome: Equatable {
        case searching
        /// Records begin at this stream offset.
        case found(UInt64)
        case notFound
    }

    private var bytes: [UInt8] = []
    private var start: UInt64?
    private var position = 0
    private(set) var outcome = Outcome.searching

    /// Adds a direction's next bytes and searches on.
    mutating func append(_ piece: UnsafeRawBufferPointer, offset: UInt64) -> Outcome {
        guard outcome == .searching else { return outcome }
        if start == nil { start = offset }
        bytes.append(contentsOf: piece)
        search(final: false)
        return outcome
    }

    /// No more bytes are coming: a chain that ends exactly at the end is taken.
    mutating func finish() -> Outcome {
        if outcome == .searching { search(final: true) }
        if outcome == .searching { outcome = .notFound }
        return outcome
    }

    private mutating func search(final: Bool) {
        let rule = TLSRecordChainRule()
        let result: Outcome? = bytes.withUnsafeBytes { all in
            while position < all.count {
                switch rule.chain(all, at: position, direction: .clientToServer) {
                case .plausible:
                    return .found((start ?? 0) + UInt64(position))
                case .endsExactly(let headers) where headers > 0:
                    // Headers that tile the bytes exactly to their end: a false one needs a
                    // valid type, version and a length landing on the last byte (~1e-11).
                    return .found((start ?? 0) + UInt64(position))
                case .broken:
                    position += 1
                case .runsOff, .endsExactly:
                    // Plausible so far: more bytes decide, unless none are coming.
                    guard final else { return nil }
                    position += 1
                }
            }
            return nil
        }
        if let result {
            outcome = result
            bytes = []
        } else if bytes.count > Self.maxSearchBytes {
            outcome = .notFound
            bytes = []
        }
    }
}
