/// 64-bit FNV-1a: the same value on every machine and in every process (Swift's `Hasher`
/// is seeded per process), for what must agree across runs: `--shard`'s flow split and the
/// capture identity merge compares.
enum FNV1a {
    static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    static let prime: UInt64 = 0x0000_0100_0000_01b3

    /// Folds the eight bytes of `word` (little end first) into `hash`.
    static func mix(_ hash: UInt64, _ word: UInt64) -> UInt64 {
        var hash = hash
        var rest = word
        for _ in 0..<8 {
            hash = (hash ^ (rest & 0xff)) &* prime
            rest >>= 8
        }
        return hash
    }

    /// Folds `bytes` into `hash`, one at a time.
    static func mix(_ hash: UInt64, bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash = hash
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* prime }
        return hash
    }
}
