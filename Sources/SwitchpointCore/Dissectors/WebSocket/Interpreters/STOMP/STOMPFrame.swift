/// One STOMP frame: `COMMAND EOL (name:value EOL)* EOL body NUL`.
package struct STOMPFrame {
    /// Header lines read from one frame.
    package static let maxHeaders = 128
    /// A command line longer than this is not a STOMP command.
    package static let maxCommandBytes = 16
    /// Header names never shown (credentials): only that they were sent.
    package static let credentialHeaders: Set<String> = ["passcode", "login"]

    package var command: STOMPCommand
    package var headers: [(name: String, value: String)]
    package var body: ArraySlice<UInt8>

    /// STOMP 1.2: repeated headers keep the first.
    package func header(_ name: String) -> String? {
        headers.first { $0.name == name }?.value
    }

    package enum ParseResult {
        /// A frame, and how many bytes it took (its trailing NUL included).
        case frame(STOMPFrame, consumed: Int)
        case needMore
        case malformed(String)
    }

    /// Parses one frame from the start of `bytes` (no leading EOLs).
    package static func parse(_ bytes: ArraySlice<UInt8>) -> ParseResult {
        var lines: [ArraySlice<UInt8>] = []
        var cursor = bytes.startIndex
        // Header lines up to the blank one.
        while true {
            guard let newline = bytes[cursor...].firstIndex(of: 0x0A) else {
                return bytes.count > WebSocketInterpreterLimits.maxHeldBytes
                    ? .malformed("no end of headers") : .needMore
            }
            var line = bytes[cursor..<newline]
            if line.last == 0x0D { line = line.dropLast() }
            cursor = newline + 1
            if line.isEmpty { break }
            lines.append(line)
            if lines.count > maxHeaders + 1 { return .malformed("more than \(maxHeaders) headers") }
        }
        guard let commandLine = lines.first, commandLine.count <= maxCommandBytes else {
            return .malformed("no command")
        }
        let command = STOMPCommand(rawValue: String(decoding: commandLine, as: UTF8.self))
        guard command.isKnown else { return .malformed("unknown command") }
        var headers: [(String, String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
                return .malformed("header line without a colon")
            }
            headers.append(
                (String(decoding: line[..<colon], as: UTF8.self), String(decoding: line[(colon + 1)...], as: UTF8.self))
            )
        }
        var frame = STOMPFrame(command: command, headers: headers, body: [])
        return frame.takeBody(bytes, from: cursor)
    }

    private mutating func takeBody(_ bytes: ArraySlice<UInt8>, from start: Int) -> ParseResult {
        let end: Int
        if let lengthText = header("content-length") {
            guard let length = Int(lengthText), length >= 0 else { return .malformed("bad content-length") }
            guard bytes.endIndex - start > length else { return .needMore }
            end = start + length
            guard bytes[end] == 0 else { return .malformed("body longer than its content-length") }
        } else {
            guard let nul = bytes[start...].firstIndex(of: 0) else { return .needMore }
            end = nul
        }
        body = bytes[start..<end]
        return .frame(self, consumed: end + 1 - bytes.startIndex)
    }
}
