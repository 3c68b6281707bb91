#if canImport(Glibc)
    import Glibc
#endif

/// What the HTTP/1 parser reports.
enum HTTP1ParserEvent: Equatable {
    /// `start`..<`end` is the head (start line through the blank line).
    case requestHead(HTTPRequestHead, start: UInt64, end: UInt64)
    case responseHead(HTTPResponseHead, start: UInt64, end: UInt64)
    /// The message is complete; `end` is the offset after its last byte. `kept` is the
    /// body's start (de-chunked), `keptAll` whether it is the whole body.
    case messageEnd(bodyLength: UInt64, chunked: Bool, end: UInt64, kept: [UInt8], keptAll: Bool)
    case finding(FindingCode, String, at: UInt64)
    /// Parsing cannot continue; the direction's bytes from `at` on are not HTTP/1.
    case gaveUp(at: UInt64)
}

/// How a response's body is delimited (RFC 9112 §6.3); the session decides it because it
/// depends on the request (HEAD, CONNECT) and on the status.
enum HTTP1BodyFraming: Equatable {
    case none
    case length(UInt64)
    case chunked
    case untilClose
}

/// A sans-I/O HTTP/1.x parser for one direction: bytes in, events out.
///
/// `parse` stops right after each head so the caller can decide what follows: the body
/// framing of a response, or a pause after an upgrade request while the verdict is
/// pending. Body bytes are counted; only the first `HTTPBodyOptions.keptBytes` of each
/// body are copied (de-chunked, up to the first gap), in bulk.
struct HTTP1Parser {
    enum Role { case request, response }

    enum State: Equatable {
        case startLine
        case headers
        /// A response head was reported; waiting for `setResponseFraming`.
        case awaitingFraming
        case body(remaining: UInt64)
        case chunkSize
        case chunkData(remaining: UInt64)
        case chunkDataEnd
        case trailers
        case untilClose
        /// A message ended and the caller asked to stop there (upgrade request, 101).
        case paused
        /// Not HTTP from here on.
        case stopped
    }

    // Stored properties are laid out in declaration order: the small ones come first so
    // that padding does not grow every connection's two parsers.
    private(set) var state: State = .startLine
    let role: Role
    /// Pause after the current message ends (set by the caller on an upgrade request).
    var pauseAfterMessage = false
    private var chunked = false
    private var foldReported = false
    /// The bounds of `HTTP1Limits` the parser checks, in 32 bits (a limit past 2 GiB is
    /// as good as none).
    private let maxLineLength: Int32
    private let maxHeaderBytes: Int32
    private let maxHeaderCount: Int32
    /// Body bytes kept per message (`HTTPBodyOptions`).
    private let maxKeptBodyBytes: Int32

    private var line: [UInt8] = []
    /// Stream offset of the first byte of `line`.
    private var lineStart: UInt64 = 0
    /// Every byte of the head (or chunk line) being parsed, so that a direction that turns
    /// out not to be HTTP can be shown raw from the message's first byte, however the
    /// bytes were split. Bounded by the header limits.
    private(set) var retained: [UInt8] = []
    /// A request's framing, held until the caller says whether to pause after it.
    private var requestBodyFraming: HTTP1BodyFraming = .none
    private var startLineText = ""
    private var fields: [HTTPField] = []
    private var headerBytes = 0
    private var messageStart: UInt64 = 0
    private var bodyLength: UInt64 = 0
    /// The current body's first bytes; moved into its `messageEnd` event.
    private var keptBody: [UInt8] = []

    init(role: Role, limits: HTTP1Limits, bodies: HTTPBodyOptions = HTTPBodyOptions()) {
        self.role = role
        maxLineLength = Int32(clamping: limits.maxLineLength)
        maxHeaderBytes = Int32(clamping: limits.maxHeaderBytes)
        maxHeaderCount = Int32(clamping: limits.maxHeaderCount)
        maxKeptBodyBytes = Int32(clamping: max(0, bodies.keptBytes))
    }

    /// Gives the parser an empty buffer (from the event payload pool) for the body of the
    /// message whose head was just reported; it leaves with the message's `messageEnd`, so
    /// an idle connection holds none.
    mutating func supplyBodyBuffer(_ buffer: @autoclosure () -> [UInt8]) {
        if keptBody.capacity == 0 && maxKeptBodyBytes > 0 { keptBody = buffer() }
    }

    /// Copies the start of body bytes while the kept prefix is contiguous (nothing missed
    /// before them) and under the limit. Called before `bodyLength` counts them.
    @inline(__always)
    private mutating func keep(_ bytes: UnsafeRawBufferPointer, from start: Int, count: Int) {
        let room = Int(maxKeptBodyBytes) - keptBody.count
        guard room > 0, count > 0, UInt64(keptBody.count) == bodyLength else { return }
        keptBody.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<(start + min(room, count))]))
    }

    var isIdle: Bool { state == .startLine && line.isEmpty }

    /// Consumes bytes from `bytes` (which start at stream `offset`) and returns how many it
    /// took. It returns early after a head, at a pause, or when it stops.
    mutating func parse(_ bytes: UnsafeRawBufferPointer, at offset: UInt64, events: inout [HTTP1ParserEvent]) -> Int {
        var index = 0
        while index < bytes.count {
            switch state {
            case .paused, .stopped, .awaitingFraming:
                return index
            case .body(let remaining):
                let take = Int(min(remaining, UInt64(bytes.count - index)))
                keep(bytes, from: index, count: take)
                index += take
                bodyLength += UInt64(take)
                if remaining == UInt64(take) {
                    endMessage(at: offset + UInt64(index), events: &events)
                } else {
                    state = .body(remaining: remaining - UInt64(take))
                }
            case .chunkData(let remaining):
                let take = Int(min(remaining, UInt64(bytes.count - index)))
                keep(bytes, from: index, count: take)
                index += take
                bodyLength += UInt64(take)
                state = remaining == UInt64(take) ? .chunkDataEnd : .chunkData(remaining: remaining - UInt64(take))
            case .untilClose:
                keep(bytes, from: index, count: bytes.count - index)
                bodyLength += UInt64(bytes.count - index)
                return bytes.count
            case .startLine, .headers, .chunkSize, .chunkDataEnd, .trailers:
                let lineStartOffset = offset + UInt64(index)
                guard
                    let (lineBytesEnd, consumed) = takeLine(
                        bytes, from: index, lineStartOffset: lineStartOffset, events: &events)
                else {
                    return bytes.count  // the line continues in the next chunk, or we stopped
                }
                let lineEndOffset = offset + UInt64(index + consumed)
                index += consumed
                _ = lineBytesEnd
                let headComplete = handleLine(endingAt: lineEndOffset, events: &events)
                if headComplete { return index }
            }
        }
        return index
    }

    /// Starts the body of the request head just reported (its framing comes from its own
    /// headers); `pauseAfter` stops the parser at the message's end (an upgrade request).
    mutating func startRequestBody(pauseAfter: Bool, endOfHead: UInt64, events: inout [HTTP1ParserEvent]) {
        guard state == .awaitingFraming, role == .request else { return }
        pauseAfterMessage = pauseAfter
        startBody(requestBodyFraming, endOfHead: endOfHead, events: &events)
    }

    /// The body framing of the response head just reported.
    mutating func setResponseFraming(_ framing: HTTP1BodyFraming, endOfHead: UInt64, events: inout [HTTP1ParserEvent]) {
        guard state == .awaitingFraming else { return }
        startBody(framing, endOfHead: endOfHead, events: &events)
    }

    /// Leaves the paused state to parse the next message (the upgrade was refused).
    mutating func resume() {
        if state == .paused { state = .startLine }
        pauseAfterMessage = false
    }

    /// Stops for good: everything that follows belongs to another protocol.
    mutating func stop() {
        state = .stopped
    }

    /// Missing bytes. Inside a body of known length they are skipped; anywhere else the
    /// framing is lost and parsing stops.
    mutating func gap(at offset: UInt64, length: UInt64, events: inout [HTTP1ParserEvent]) {
        switch state {
        case .body(let remaining) where length < remaining:
            events.append(.finding(.httpGapInMessage, "\(length) body bytes missing at offset \(offset)", at: offset))
            bodyLength += length
            state = .body(remaining: remaining - length)
        case .body(let remaining) where length == remaining:
            events.append(.finding(.httpGapInMessage, "\(length) body bytes missing at offset \(offset)", at: offset))
            bodyLength += length
            endMessage(at: offset + length, events: &events)
        case .chunkData(let remaining) where length < remaining:
            events.append(.finding(.httpGapInMessage, "\(length) body bytes missing at offset \(offset)", at: offset))
            bodyLength += length
            state = .chunkData(remaining: remaining - length)
        case .untilClose:
            bodyLength += length
        case .paused, .stopped:
            break
        case .startLine where line.isEmpty:
            // Between messages: the next start line cannot be found reliably.
            events.append(
                .finding(
                    .httpGapInMessage,
                    "\(length) bytes missing between messages at offset \(offset); the rest is not parsed", at: offset))
            events.append(.gaveUp(at: offset))
            state = .stopped
        default:
            events.append(
                .finding(
                    .httpGapInMessage,
                    "\(length) bytes missing inside the message framing at offset \(offset); the rest is not parsed",
                    at: offset))
            events.append(.gaveUp(at: offset))
            state = .stopped
        }
    }

    /// The direction ended (FIN, RST or end of capture).
    mutating func finish(at offset: UInt64, events: inout [HTTP1ParserEvent]) {
        switch state {
        case .untilClose:
            endMessage(at: offset, events: &events)
        case .startLine where line.isEmpty:
            break
        case .paused, .stopped, .awaitingFraming:
            break
        case .body(let remaining), .chunkData(let remaining):
            events.append(
                .finding(
                    .httpTruncatedMessage, "the stream ended \(remaining) body bytes short of the message's end",
                    at: offset))
        default:
            events.append(
                .finding(.httpTruncatedMessage, "the stream ended inside a message head or chunk framing", at: offset))
        }
        state = .stopped
    }

    // MARK: Lines

    /// Finds the end of the current line (LF) from `start`. Returns the number of bytes
    /// consumed including the LF, with the line (CR stripped) in `line`; nil when the line
    /// is not complete in this chunk (its bytes are kept) or a limit stopped parsing.
    private mutating func takeLine(
        _ bytes: UnsafeRawBufferPointer, from start: Int, lineStartOffset: UInt64,
        events: inout [HTTP1ParserEvent]
    ) -> (Int, Int)? {
        guard let base = bytes.baseAddress else { return nil }
        let available = bytes.count - start
        let found = memchr(base + start, 0x0a, available)
        let length = found.map { UnsafeRawPointer($0) - (base + start) } ?? available
        if line.isEmpty { lineStart = lineStartOffset }
        if line.count + length > Int(maxLineLength) {
            events.append(.finding(.httpLineTooLong, "a line longer than \(maxLineLength) bytes", at: lineStart))
            events.append(.gaveUp(at: state == .startLine || state == .headers ? messageStart : lineStart))
            retained.append(contentsOf: UnsafeRawBufferPointer(start: base + start, count: available))
            state = .stopped
            return nil
        }
        line.append(contentsOf: UnsafeRawBufferPointer(start: base + start, count: length))
        retained.append(
            contentsOf: UnsafeRawBufferPointer(start: base + start, count: found == nil ? length : length + 1))
        guard found != nil else { return nil }
        if line.last == 0x0d { line.removeLast() }
        return (length, length + 1)
    }

    /// Handles the complete line in `line`; returns true when a head was just completed.
    private mutating func handleLine(endingAt end: UInt64, events: inout [HTTP1ParserEvent]) -> Bool {
        defer { line.removeAll(keepingCapacity: true) }
        switch state {
        case .startLine:
            if line.isEmpty {
                retained.removeAll(keepingCapacity: true)
                return false  // tolerated empty lines between messages (RFC 9112 §2.2)
            }
            messageStart = lineStart
            startLineText = HTTPText.decode(line)
            fields.removeAll(keepingCapacity: true)
            headerBytes = line.count
            foldReported = false
            state = .headers
            return false
        case .headers:
            if line.isEmpty {
                return completeHead(end: end, events: &events)
            }
            headerBytes += line.count + 2
            if headerBytes > Int(maxHeaderBytes) {
                events.append(
                    .finding(.httpHeadersTooLarge, "the header block exceeds \(maxHeaderBytes) bytes", at: end))
                events.append(.gaveUp(at: messageStart))
                state = .stopped
                return false
            }
            addHeaderLine(at: end, events: &events)
            return false
        case .chunkSize:
            guard let size = Self.chunkSize(line) else {
                events.append(
                    .finding(
                        .httpBadChunk, "bad chunk size line \"\(String(decoding: line.prefix(40), as: UTF8.self))\"",
                        at: end))
                events.append(.gaveUp(at: lineStart))
                state = .stopped
                return false
            }
            state = size == 0 ? .trailers : .chunkData(remaining: size)
            if size == 0 { headerBytes = 0 }  // trailers count against the header limit afresh
            retained.removeAll(keepingCapacity: true)
            return false
        case .chunkDataEnd:
            if !line.isEmpty {
                events.append(.finding(.httpBadChunk, "chunk data not followed by CRLF", at: end))
                events.append(.gaveUp(at: lineStart))
                state = .stopped
                return false
            }
            state = .chunkSize
            retained.removeAll(keepingCapacity: true)
            return false
        case .trailers:
            if line.isEmpty {
                endMessage(at: end, events: &events)
                return false
            }
            headerBytes += line.count + 2
            retained.removeAll(keepingCapacity: true)
            if headerBytes > Int(maxHeaderBytes) {
                events.append(
                    .finding(.httpHeadersTooLarge, "the trailer section exceeds \(maxHeaderBytes) bytes", at: end))
                events.append(.gaveUp(at: end))
                state = .stopped
            }
            return false
        default:
            return false
        }
    }

    private mutating func addHeaderLine(at end: UInt64, events: inout [HTTP1ParserEvent]) {
        if let first = line.first, first == 0x20 || first == 0x09 {
            // obs-fold (RFC 9112 §5.2): a continuation of the previous field's value.
            if !foldReported {
                foldReported = true
                events.append(.finding(.httpObsFold, "a header value continues on a folded line (obs-fold)", at: end))
            }
            if !fields.isEmpty {
                fields[fields.count - 1].value += " " + HTTPText.decode(line).trimmingOWS
            }
            return
        }
        guard let colon = line.firstIndex(of: 0x3a), colon > 0 else {
            events.append(
                .finding(
                    .httpMalformedHeader,
                    "a header line without a field name and colon: \"\(String(decoding: line.prefix(60), as: UTF8.self))\"",
                    at: end))
            return
        }
        let nameBytes = line[..<colon]
        if nameBytes.contains(where: { $0 == 0x20 || $0 == 0x09 }) {
            events.append(
                .finding(
                    .httpMalformedHeader,
                    "white space in the header name \"\(String(decoding: nameBytes, as: UTF8.self))\" (RFC 9112 §5.1 says reject)",
                    at: end))
        }
        guard fields.count < Int(maxHeaderCount) else {
            events.append(.finding(.httpTooManyHeaders, "more than \(maxHeaderCount) header fields", at: end))
            events.append(.gaveUp(at: messageStart))
            state = .stopped
            return
        }
        let name = HTTPText.decode(Array(nameBytes)).trimmingOWS
        let value = HTTPText.decode(Array(line[(colon + 1)...])).trimmingOWS
        fields.append(HTTPField(name: name, value: value))
    }

    private mutating func completeHead(end: UInt64, events: inout [HTTP1ParserEvent]) -> Bool {
        let headers = HTTPHeaders(fields)
        switch role {
        case .request:
            guard let (method, target, version) = Self.requestLine(startLineText) else {
                events.append(
                    .finding(
                        .httpMalformedStartLine, "not an HTTP request line: \"\(String(startLineText.prefix(80)))\"",
                        at: messageStart))
                events.append(.gaveUp(at: messageStart))
                state = .stopped
                return false
            }
            retained.removeAll(keepingCapacity: true)
            requestBodyFraming = requestFraming(headers, at: end, events: &events)
            events.append(
                .requestHead(
                    HTTPRequestHead(method: method, target: target, version: version, headers: headers),
                    start: messageStart, end: end))
            state = .awaitingFraming
        case .response:
            guard let (version, status, reason) = Self.statusLine(startLineText) else {
                events.append(
                    .finding(
                        .httpMalformedStartLine, "not an HTTP status line: \"\(String(startLineText.prefix(80)))\"",
                        at: messageStart))
                events.append(.gaveUp(at: messageStart))
                state = .stopped
                return false
            }
            retained.removeAll(keepingCapacity: true)
            events.append(
                .responseHead(
                    HTTPResponseHead(version: version, status: status, reason: reason, headers: headers),
                    start: messageStart, end: end))
            state = .awaitingFraming
        }
        return true
    }

    /// RFC 9112 §6.3 for requests: chunked if the last coding is chunked, else
    /// Content-Length, else no body.
    private func requestFraming(
        _ headers: HTTPHeaders, at end: UInt64, events: inout [HTTP1ParserEvent]
    ) -> HTTP1BodyFraming {
        let codings = headers.listElements("Transfer-Encoding")
        if !codings.isEmpty {
            if headers.contains("Content-Length") {
                events.append(
                    .finding(
                        .httpBadContentLength,
                        "both Transfer-Encoding and Content-Length (a request smuggling pattern); Transfer-Encoding wins",
                        at: end))
            }
            return codings.last?.lowercasedASCII == "chunked" ? .chunked : .untilClose
        }
        return Self.contentLength(headers, at: end, events: &events).map { .length($0) } ?? .none
    }

    /// The single Content-Length value; differing or invalid values are a finding.
    static func contentLength(_ headers: HTTPHeaders, at end: UInt64, events: inout [HTTP1ParserEvent]) -> UInt64? {
        let values = headers.listElements("Content-Length")
        guard let first = values.first else { return nil }
        guard let length = UInt64(first), values.allSatisfy({ $0 == first }) else {
            events.append(
                .finding(
                    .httpBadContentLength, "invalid or conflicting Content-Length: \(values.joined(separator: ", "))",
                    at: end))
            return nil
        }
        return length
    }

    private mutating func startBody(_ framing: HTTP1BodyFraming, endOfHead: UInt64, events: inout [HTTP1ParserEvent]) {
        bodyLength = 0
        keptBody.removeAll(keepingCapacity: true)
        switch framing {
        case .none, .length(0):
            chunked = false
            endMessage(at: endOfHead, events: &events)
        case .length(let length):
            chunked = false
            state = .body(remaining: length)
        case .chunked:
            chunked = true
            state = .chunkSize
        case .untilClose:
            chunked = false
            state = .untilClose
        }
    }

    private mutating func endMessage(at end: UInt64, events: inout [HTTP1ParserEvent]) {
        retained.removeAll(keepingCapacity: true)
        var kept: [UInt8] = []
        swap(&kept, &keptBody)
        events.append(
            .messageEnd(
                bodyLength: bodyLength, chunked: chunked, end: end, kept: kept,
                keptAll: UInt64(kept.count) == bodyLength))
        state = pauseAfterMessage ? .paused : .startLine
    }

    // MARK: Grammar

    static func requestLine(_ text: String) -> (String, String, String)? {
        let parts = text.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty,
            parts[0].utf8.allSatisfy(isTokenCharacter), isHTTPVersion(parts[2])
        else { return nil }
        return (String(parts[0]), String(parts[1]), String(parts[2]))
    }

    static func statusLine(_ text: String) -> (String, Int, String)? {
        let parts = text.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, isHTTPVersion(parts[0]), parts[1].utf8.count == 3,
            let status = Int(parts[1]), status >= 100
        else { return nil }
        return (String(parts[0]), status, parts.count == 3 ? String(parts[2]) : "")
    }

    static func isHTTPVersion(_ text: Substring) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.count == 8 && text.hasPrefix("HTTP/") && (0x30...0x39).contains(bytes[5])
            && bytes[6] == 0x2e && (0x30...0x39).contains(bytes[7])
    }

    static func isTokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5a, 0x61...0x7a: true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
            UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            true
        default: false
        }
    }

    /// Hex chunk size, extensions after `;` ignored; nil when invalid or absurd (> 2^60).
    static func chunkSize(_ line: [UInt8]) -> UInt64? {
        var value: UInt64 = 0
        var digits = 0
        for byte in line {
            let digit: UInt64
            switch byte {
            case 0x30...0x39: digit = UInt64(byte - 0x30)
            case 0x41...0x46: digit = UInt64(byte - 0x41 + 10)
            case 0x61...0x66: digit = UInt64(byte - 0x61 + 10)
            case 0x3b, 0x20, 0x09:
                return digits > 0 ? value : nil
            default:
                return nil
            }
            digits += 1
            guard digits <= 15 else { return nil }
            value = value << 4 | digit
        }
        return digits > 0 ? value : nil
    }
}

/// Text of header bytes: UTF-8 when valid, otherwise each byte as its Latin-1 character
/// (what HTTP/1.1 historically meant), so no byte is lost or replaced.
enum HTTPText {
    static func decode(_ bytes: [UInt8]) -> String {
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
    }
}
