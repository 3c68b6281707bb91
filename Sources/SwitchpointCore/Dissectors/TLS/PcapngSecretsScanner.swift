import Foundation

/// Finds Decryption Secrets Blocks (pcapng block type 0x0000000A, secrets type "TLSK")
/// in a pcapng file. libpcap does not hand these blocks out, so the file is walked block
/// by block here: headers are read, every other block's body is skipped by seeking, so the
/// work is bounded by the number of blocks and memory by the largest secrets block.
package enum PcapngSecretsScanner {
    static let sectionHeaderType: UInt32 = 0x0A0D_0D0A
    static let decryptionSecretsType: UInt32 = 0x0000_000A
    static let byteOrderMagic: UInt32 = 0x1A2B_3C4D
    /// "TLSK": an NSS key log (pcapng spec §4.7).
    static let tlsKeyLogSecretsType: UInt32 = 0x544C_534B
    /// Block header (type, total length) and trailer (total length) around every body.
    static let blockOverhead = 12
    /// Named limit: a secrets block larger than this is skipped (a key log line is ~200
    /// bytes; 64 MiB is hundreds of thousands of connections).
    static let maxSecretsLength = 64 << 20

    package struct Result: Sendable {
        /// The key log text of every TLSK block, in file order.
        package var keyLogs: [String] = []
        /// Why the walk stopped early, if it did (a damaged block).
        package var problem: String?
    }

    /// Whether the file starts like pcapng (a Section Header Block).
    package static func isPcapng(path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        guard let head = try? handle.read(upToCount: 4), head.count == 4 else { return false }
        return head.elementsEqual([0x0A, 0x0D, 0x0D, 0x0A])
    }

    package static func scan(path: String) -> Result {
        var result = Result()
        guard var reader = BufferedFileReader(path: path) else {
            result.problem = "cannot open"
            return result
        }
        var position: UInt64 = 0
        var bigEndian = false
        while true {
            let header = Array(reader.bytes(at: position, upTo: 12))
            if header.isEmpty { break }
            guard header.count >= 8 else {
                result.problem = "a block header cut short at byte \(position)"
                break
            }
            let rawType = word(header, 0, bigEndian: false)
            if rawType == sectionHeaderType {
                // The byte-order magic decides how this section's numbers read.
                guard header.count >= 12 else {
                    result.problem = "a section header cut short"
                    break
                }
                if word(header, 8, bigEndian: false) == byteOrderMagic {
                    bigEndian = false
                } else if word(header, 8, bigEndian: true) == byteOrderMagic {
                    bigEndian = true
                } else {
                    result.problem = "a section header without the byte-order magic at byte \(position)"
                    break
                }
            }
            let type = word(header, 0, bigEndian: bigEndian)
            let total = Int(word(header, 4, bigEndian: bigEndian))
            guard total >= blockOverhead, total % 4 == 0 else {
                result.problem = "a block of impossible length \(total) at byte \(position)"
                break
            }
            if type == decryptionSecretsType, total >= blockOverhead + 8 {
                let bodyLength = total - blockOverhead
                let prefix = Array(reader.bytes(at: position + 8, upTo: 8))
                guard prefix.count == 8 else { break }
                let secretsType = word(prefix, 0, bigEndian: bigEndian)
                let length = Int(word(prefix, 4, bigEndian: bigEndian))
                if secretsType == tlsKeyLogSecretsType, length <= bodyLength - 8, length <= maxSecretsLength {
                    let data = reader.bytes(at: position + 16, upTo: length)
                    if data.count == length {
                        result.keyLogs.append(String(decoding: data, as: UTF8.self))
                    }
                }
            }
            position += UInt64(total)
        }
        return result
    }

    private static func word(_ bytes: [UInt8], _ at: Int, bigEndian: Bool) -> UInt32 {
        guard at + 4 <= bytes.count else { return 0 }
        let b0 = UInt32(bytes[at])
        let b1 = UInt32(bytes[at + 1])
        let b2 = UInt32(bytes[at + 2])
        let b3 = UInt32(bytes[at + 3])
        return bigEndian ? b0 << 24 | b1 << 16 | b2 << 8 | b3 : b3 << 24 | b2 << 16 | b1 << 8 | b0
    }
}
