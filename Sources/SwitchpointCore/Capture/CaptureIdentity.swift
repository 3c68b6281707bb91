/// Which capture a `--shard` run read, as `switchpoint merge` compares it: every shard reads
/// every packet that passes the filter, so the shards of one capture agree on all of this,
/// and two different captures (or the same files under another filter) almost never do.
/// Cheap: three counters per packet and the first packet's bytes hashed once; stable across
/// machines and paths (no file names, no process-seeded hashing).
package struct CaptureIdentity: Sendable, Equatable {
    package private(set) var packets: UInt64 = 0
    package private(set) var capturedBytes: UInt64 = 0
    package private(set) var firstTimestamp = Timestamp.zero
    package private(set) var lastTimestamp = Timestamp.zero
    /// FNV-1a of the first packet's captured bytes (its link header, addresses, ports).
    package private(set) var firstPacketHash = FNV1a.offsetBasis

    /// Hex digits of `text`.
    package static let textLength = 16

    package init() {}

    /// Counts one packet read (every packet, whichever shard analyses it).
    @inline(__always)
    package mutating func add(_ packet: RawPacket) {
        if packets == 0 {
            firstTimestamp = packet.capture.timestamp
            firstPacketHash = FNV1a.mix(FNV1a.offsetBasis, bytes: packet.bytes)
        }
        packets &+= 1
        capturedBytes &+= UInt64(packet.bytes.count)
        lastTimestamp = packet.capture.timestamp
    }

    /// The identity as the summary's `capture` field: 16 lowercase hex digits, FNV-1a over
    /// the counters, both timestamps and the first packet's hash.
    package var text: String {
        var hash = FNV1a.offsetBasis
        for word in [
            packets, capturedBytes, UInt64(bitPattern: firstTimestamp.nanoseconds),
            UInt64(bitPattern: lastTimestamp.nanoseconds), firstPacketHash,
        ] {
            hash = FNV1a.mix(hash, word)
        }
        let digits = String(hash, radix: 16)
        return String(repeating: "0", count: Self.textLength - digits.count) + digits
    }

    /// Whether `bytes` (a JSON value, quotes included) is an identity as `text` writes it.
    package static func isWellFormed(json bytes: some BidirectionalCollection<UInt8>) -> Bool {
        guard bytes.count == textLength + 2, bytes.first == UInt8(ascii: "\""), bytes.last == UInt8(ascii: "\"")
        else { return false }
        return bytes.dropFirst().dropLast().allSatisfy {
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0)
        }
    }
}
