/// The Huffman code of HPACK (RFC 7541 §5.2, Appendix B), decoded bit by bit.
///
/// The code is canonical: the lengths of the 257 symbols' codes (256 octets and EOS)
/// determine every code, so only the lengths are written here, in symbol order.
struct HPACKHuffman {
    static let eos = 256
    /// Code length of each symbol, RFC 7541 Appendix B.
    static let codeLengths: [UInt8] = [
        13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28,
        28, 28, 28, 28, 28, 6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7,
        8, 15, 6, 12, 10, 13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19,
        13, 14, 6, 15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, 6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13,
        28, 20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, 24, 24, 22, 23, 24, 23, 23, 23, 23, 21,
        22, 23, 22, 23, 23, 24, 22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, 21, 21, 22, 21, 23,
        22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23, 26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25,
        19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27, 20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25,
        25, 24, 24, 26, 23, 26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26, 30,
    ]

    /// For each code length: the first code of that length, where its symbols start in
    /// `symbols`, and how many there are (canonical Huffman decoding).
    private static let decoding: (firstCode: [UInt32], firstIndex: [Int], count: [Int], symbols: [Int]) = {
        let maxLength = 30
        var count = [Int](repeating: 0, count: maxLength + 1)
        for length in codeLengths { count[Int(length)] += 1 }
        let symbols = (0..<codeLengths.count).sorted {
            (codeLengths[$0], $0) < (codeLengths[$1], $1)
        }
        var firstCode = [UInt32](repeating: 0, count: maxLength + 1)
        var firstIndex = [Int](repeating: 0, count: maxLength + 1)
        var code: UInt32 = 0
        var index = 0
        for length in 1...maxLength {
            firstCode[length] = code
            firstIndex[length] = index
            code = (code + UInt32(count[length])) << 1
            index += count[length]
        }
        return (firstCode, firstIndex, count, symbols)
    }()

    enum Failure: Error {
        /// EOS inside the string, padding of 8 bits or more, or padding that is not EOS's
        /// leading ones (§5.2).
        case invalidCode
    }

    /// Decodes `bytes` (a Huffman-coded string literal).
    static func decode(_ bytes: ArraySlice<UInt8>) throws(Failure) -> [UInt8] {
        let table = decoding
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count * 8 / 5)
        var code: UInt32 = 0
        var length = 0
        var allOnes = true
        for byte in bytes {
            for shift in stride(from: 7, through: 0, by: -1) {
                let bit = UInt32(byte >> UInt8(shift)) & 1
                code = code << 1 | bit
                length += 1
                allOnes = allOnes && bit == 1
                let offset = Int(code) - Int(table.firstCode[length])
                if offset >= 0 && offset < table.count[length] {
                    let symbol = table.symbols[table.firstIndex[length] + offset]
                    guard symbol != eos else { throw .invalidCode }
                    output.append(UInt8(symbol))
                    code = 0
                    length = 0
                    allOnes = true
                } else if length >= 30 {
                    throw .invalidCode
                }
            }
        }
        guard length < 8, allOnes else { throw .invalidCode }
        return output
    }
}
