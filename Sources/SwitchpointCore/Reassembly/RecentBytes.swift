/// The last few delivered bytes of one direction, kept so that a retransmission can be
/// checked against what was already delivered. Storage is allocated on first use and
/// grows with what was delivered, up to `capacity`, so a connection that never carries
/// data costs nothing and one that carried a few bytes costs a few (a flood of 100,000
/// small flows would otherwise hold 100 MB of mostly empty rings).
struct RecentBytes {
    private var storage: [UInt8] = []
    /// Offset just past the newest byte kept.
    private(set) var endOffset: UInt64 = 0
    // Both in 32 bits (a window past 2 GiB is no window to keep per direction): one ring
    // per direction of every connection, so its size counts.
    private let storedCapacity: Int32
    /// How many bytes before `endOffset` are valid.
    private var storedValid: Int32 = 0

    var capacity: Int { Int(storedCapacity) }
    /// Bytes of ring storage held (for the memory tests).
    var allocatedBytes: Int { storage.count }
    private var valid: Int {
        get { Int(storedValid) }
        set { storedValid = Int32(truncatingIfNeeded: newValue) }
    }

    init(capacity: Int) {
        storedCapacity = Int32(clamping: max(0, capacity))
    }

    /// Records bytes delivered at `offset` (always `endOffset` unless a gap came between).
    mutating func append(_ bytes: UnsafeRawBufferPointer, at offset: UInt64) {
        guard capacity > 0, let base = bytes.baseAddress, !bytes.isEmpty else { return }
        if offset != endOffset { valid = 0 }
        grow(toHold: min(capacity, valid + bytes.count))
        let size = storage.count
        let kept = min(bytes.count, size)
        let source = base.advanced(by: bytes.count - kept)
        let firstOffset = offset + UInt64(bytes.count - kept)
        var position = Int(firstOffset % UInt64(size))
        var copied = 0
        storage.withUnsafeMutableBytes { ring in
            guard let ringBase = ring.baseAddress else { return }
            while copied < kept {
                let run = min(kept - copied, size - position)
                ringBase.advanced(by: position).copyMemory(from: source.advanced(by: copied), byteCount: run)
                copied += run
                position = 0
            }
        }
        endOffset = offset + UInt64(bytes.count)
        valid = min(size, valid + bytes.count)
    }

    /// The smallest ring allocated; sizes are multiples of it.
    static let initialSize = 64

    /// Grows the ring to hold `needed` bytes, keeping the valid ones at their positions: to
    /// what is needed (rounded up to `initialSize`) but at least half again the old size, so
    /// a trickle of small deliveries grows it geometrically while one 700-byte delivery
    /// costs 704 bytes, not 1,024 (a flood of small flows holds one ring per direction).
    private mutating func grow(toHold needed: Int) {
        guard storage.count < needed else { return }
        let rounded = (needed + Self.initialSize - 1) / Self.initialSize * Self.initialSize
        let size = min(max(rounded, storage.count + storage.count / 2, Self.initialSize), capacity)
        guard size > storage.count else { return }
        var grown = [UInt8](repeating: 0, count: size)
        if valid > 0, !storage.isEmpty {
            let start = endOffset - UInt64(valid)
            for step in 0..<UInt64(valid) {
                let offset = start + step
                grown[Int(offset % UInt64(size))] = storage[Int(offset % UInt64(storage.count))]
            }
        }
        storage = grown
    }

    /// Forgets everything (after a gap the kept bytes no longer end at the stream's end).
    mutating func reset(at offset: UInt64) {
        endOffset = offset
        valid = 0
    }

    /// Whether `bytes`, claimed to sit at `offset`, differ from the kept bytes where they
    /// overlap. Bytes outside the kept window cannot be checked and count as equal.
    func differs(_ bytes: UnsafeRawBufferPointer, at offset: UInt64) -> Bool {
        guard valid > 0, !bytes.isEmpty else { return false }
        let keptStart = endOffset - UInt64(valid)
        let from = max(offset, keptStart)
        let to = min(offset + UInt64(bytes.count), endOffset)
        guard from < to else { return false }
        var position = from
        while position < to {
            if storage[Int(position % UInt64(storage.count))] != bytes[Int(position - offset)] { return true }
            position += 1
        }
        return false
    }
}
