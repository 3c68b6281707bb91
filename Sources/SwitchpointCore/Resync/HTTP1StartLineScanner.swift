/// Finds where HTTP/1.x messages start in a stream whose start was not captured: a request
/// line (`METHOD SP target SP HTTP/1.x CRLF`) or a status line (`HTTP/1.x SP ddd SP`) at
/// the start of a line. Both are long runs of fixed text that binary data and other protocols do
/// not produce by chance.
enum HTTP1StartLineScanner {
    /// Longest request line looked at (a target may be long; past this it is not found).
    static let maxRequestLine = 8 * 1024
    static let maxMethodLength = 20
    static let carriageReturn = UInt8(ascii: "\r"), lineFeed = UInt8(ascii: "\n"), space = UInt8(ascii: " ")
    static let versionPrefix = Array("HTTP/1.".utf8)

    /// The offset of the first request line (client) or status line (server) that starts
    /// right after a line feed (a body need not end with CRLF), nil when there is none.
    static func firstStartLine(_ bytes: [UInt8], direction: Direction) -> Int? {
        var index = 0
        while index < bytes.count {
            if bytes[index] == lineFeed {
                let start = index + 1
                let found =
                    direction == .clientToServer ? isRequestLine(bytes, at: start) : isStatusLine(bytes, at: start)
                if found { return start }
            }
            index += 1
        }
        return nil
    }

    /// `HTTP/1.x ddd ` at `start`.
    static func isStatusLine(_ bytes: [UInt8], at start: Int) -> Bool {
        guard start + versionPrefix.count + 6 <= bytes.count,
            bytes[start..<(start + versionPrefix.count)].elementsEqual(versionPrefix)
        else { return false }
        let minor = bytes[start + versionPrefix.count]
        let rest = start + versionPrefix.count + 1
        guard minor == UInt8(ascii: "0") || minor == UInt8(ascii: "1"), bytes[rest] == space else { return false }
        for digit in bytes[(rest + 1)...(rest + 3)] where !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(digit) {
            return false
        }
        return bytes[rest + 4] == space || bytes[rest + 4] == carriageReturn
    }

    /// `METHOD SP target SP HTTP/1.x CRLF` at `start` (uppercase method, no spaces or
    /// control bytes in the target).
    /// `anyToken`: any token characters as the method (a stream's first line), not only
    /// uppercase letters (a line found mid-stream, where more is asked of it).
    static func isRequestLine(_ bytes: [UInt8], at start: Int, anyToken: Bool = false) -> Bool {
        var index = start
        while index < bytes.count, index - start < maxMethodLength,
            anyToken
                ? HTTP1Parser.isTokenCharacter(bytes[index])
                : (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(bytes[index])
        { index += 1 }
        guard index > start, index < bytes.count, bytes[index] == space else { return false }
        index += 1
        let targetStart = index
        while index < bytes.count, index - start < maxRequestLine, bytes[index] > space, bytes[index] < 0x7f {
            index += 1
        }
        guard index > targetStart, index < bytes.count, bytes[index] == space else { return false }
        index += 1
        let versionEnd = index + versionPrefix.count + 1
        guard versionEnd < bytes.count, bytes[index..<(index + versionPrefix.count)].elementsEqual(versionPrefix) else {
            return false
        }
        let minor = bytes[versionEnd - 1]
        guard minor == UInt8(ascii: "0") || minor == UInt8(ascii: "1") else { return false }
        // CRLF, or a bare LF as lenient servers accept it.
        if bytes[versionEnd] == lineFeed { return true }
        return versionEnd + 1 < bytes.count && bytes[versionEnd] == carriageReturn && bytes[versionEnd + 1] == lineFeed
    }
}
