/// The human timeline. Offline, each connection is a block (a header line, then its events
/// with times relative to its start) printed when it closes; `--interleave` (and live
/// capture) prints every event as it happens, in one time order, tagged with its
/// connection. Everything from the wire is escaped; colour only on a terminal.
public final class TextTimelinePrinter: TimelineEventSink {
    public struct Options: Sendable {
        public var interleave = false
        public var colour = false
        /// Every header of every message, not just the ones that matter for upgrades, and
        /// every WebSocket frame.
        public var verbose = false
        /// Whole message payloads instead of previews.
        public var fullPayload = false
        public init() {}
    }

    /// A block is printed early once it holds this many lines, so a long keep-alive
    /// connection does not pile up in memory.
    public static let maxHeldLinesPerConnection = 5000

    private let writer: LineWriter
    private let options: Options
    public private(set) var summary = TimelineSummary()
    private var blocks: [ConnectionID: [String]] = [:]
    private var starts: [ConnectionID: Timestamp] = [:]
    /// Connections whose block was printed: anything later (a late retransmission after
    /// the close) goes out at once, tagged with the connection.
    private var printed: Set<ConnectionID> = []
    private var captureStart: Timestamp?

    public init(writer: LineWriter, options: Options) {
        self.writer = writer
        self.options = options
    }

    public func receive(_ event: TimelineEvent) {
        summary.count(event)
        if captureStart == nil { captureStart = event.timestamp }
        if case .connectionOpened(let opening) = event.kind {
            starts[event.connection] = event.timestamp
            let header = paint(headerLine(opening), .bold)
            if options.interleave {
                writer.write(line: header)
            } else {
                blocks[event.connection] = [header]
            }
            return
        }
        let late = !options.interleave && printed.contains(event.connection)
        let origin = options.interleave || late ? (captureStart ?? event.timestamp) : (starts[event.connection] ?? event.timestamp)
        let lines = body(event).map { text in
            var prefix = "  " + TimestampText.relative(event.timestamp, to: origin)
            if options.interleave || late { prefix = "#\(event.connection) " + prefix }
            let stream = event.stream.map { "[stream \($0)] " } ?? ""
            return prefix + "  " + arrow(event.direction) + "  " + stream + text
        }
        if options.interleave || late {
            for line in lines { writer.write(line: line) }
            return
        }
        blocks[event.connection, default: []].append(contentsOf: lines)
        if case .connectionClosed = event.kind {
            flushBlock(event.connection)
            starts[event.connection] = nil
            printed.insert(event.connection)
        } else if (blocks[event.connection]?.count ?? 0) >= Self.maxHeldLinesPerConnection {
            flushBlock(event.connection)
            blocks[event.connection] = ["conn \(event.connection) (continued)"]
        }
    }

    private func flushBlock(_ connection: ConnectionID) {
        guard let lines = blocks.removeValue(forKey: connection) else { return }
        for line in lines { writer.write(line: line) }
        writer.write(line: "")
    }

    public func finish(statistics: DecodeStatistics, problems: [CaptureError], live: ThreadedCaptureSource.Statistics? = nil) {
        for connection in blocks.keys.sorted() { flushBlock(connection) }
        writer.write(line: paint("== summary", .bold))
        for line in summary.textLines(statistics: statistics, problems: problems, live: live) { writer.write(line: line) }
        writer.flush()
    }

    // MARK: Lines

    private func headerLine(_ opening: ConnectionOpening) -> String {
        var line = "conn \(opening.connection)  \(opening.client) → \(opening.server)  \(TimestampText.utc(opening.capture.timestamp))"
        switch opening.roleEvidence {
        case .syn: break
        case .synAck: line += "  (SYN not captured)"
        case .portHeuristic, .firstPacket: line += "  (mid-stream: no handshake captured, roles by \(opening.roleEvidence.rawValue))"
        }
        return line
    }

    private func arrow(_ direction: Direction?) -> String {
        switch direction {
        case .clientToServer: "c→s"
        case .serverToClient: "s→c"
        case nil: "   "
        }
    }

    private func body(_ event: TimelineEvent) -> [String] {
        switch event.kind {
        case .connectionOpened:
            return []
        case .connectionClosed(let summary):
            var line = "closed \(summary.reason.rawValue)  c2s \(summary.clientToServer.deliveredBytes) B  s2c \(summary.serverToClient.deliveredBytes) B  after \(JSONLine.fixed(summary.end.seconds(since: summary.start), decimals: 3)) s"
            let gaps = summary.clientToServer.gaps + summary.serverToClient.gaps
            if gaps > 0 { line += "  \(gaps) gaps" }
            return [line]
        case .gap(let length, let reason):
            return [paint("[gap: \(length) bytes never captured at offset \(event.offset ?? 0) (\(reason.rawValue))]", .yellow)]
        case .httpRequest(let head):
            return [TerminalText.escape("\(head.method) \(head.target) \(head.version)") + notableHeaders(head.headers)] + allHeaders(head.headers)
        case .httpResponse(let head):
            return [TerminalText.escape("\(head.status) \(head.reason)") + notableHeaders(head.headers)] + allHeaders(head.headers)
        case .httpBody(let length, let chunked):
            return ["body \(length) bytes\(chunked ? " (chunked)" : "")"]
        case .upgrade(let upgrade):
            var line = "══ switch to \(TerminalText.escape(upgrade.protocolName)) at c2s+\(upgrade.clientToServerOffset) s2c+\(upgrade.serverToClientOffset) after \(TimestampText.duration(milliseconds: upgrade.latencyMilliseconds))"
            if !upgrade.target.isEmpty { line += "  \(TerminalText.escape(upgrade.target))" }
            for detail in upgrade.details { line += "  \(detail.name)=\(TerminalText.escape(detail.value))" }
            return [paint(line + " ══", .green)]
        case .finding(let finding):
            let colour: Colour = finding.severity == .error ? .red : (finding.severity == .warn ? .yellow : .plain)
            return [paint("!! \(finding.severity.rawValue) \(finding.code): \(TerminalText.escape(finding.message))", colour)]
        case .rawData(let chunk):
            let preview = chunk.previewIsHex ? "hex " + chunk.preview : "\"" + chunk.preview + "\""
            return ["\(TerminalText.escape(chunk.protocolName)) \(chunk.length) B  \(preview)"]
        case .tlsClientHello(let hello):
            var line = "\(hello.version) client hello"
            if let name = hello.serverName { line += " sni=\(TerminalText.escape(name))" }
            line += hello.alpn.isEmpty ? " (no alpn)" : " alpn offered \(TerminalText.escape(hello.alpn.joined(separator: ",")))"
            return [line]
        case .tlsServerHello(let hello):
            var line = "\(hello.version) server hello"
            if hello.selectionEncrypted {
                line += " (alpn selection encrypted)"
            } else {
                line += hello.alpn.map { " alpn \(TerminalText.escape($0))" } ?? " (no alpn)"
            }
            return [line]
        case .tlsEncrypted(let clientToServer, let serverToClient):
            return ["encrypted: c2s \(clientToServer) B, s2c \(serverToClient) B"]
        case .wsFrame(let frame):
            guard options.verbose else { return [] }
            return ["frame \(Self.opcodeName(frame.opcode)) fin=\(frame.fin ? 1 : 0) rsv=\(frame.rsv)\(frame.masked ? " masked" : "") len=\(frame.payloadLength)"]
        case .wsMessage(let message):
            var line = "\(Self.opcodeName(message.opcode)) \(message.length) B"
            var notes: [String] = []
            if message.compressed { notes.append("deflate, \(message.wireLength) B on the wire") }
            if message.frames > 1 { notes.append("\(message.frames) frames") }
            if !notes.isEmpty { line += " (" + notes.joined(separator: ", ") + ")" }
            if let problem = message.problem {
                line += "  [\(problem)]"
            } else {
                line += "  " + preview(message.kept, text: message.isText, all: message.keptAll)
                if !message.complete { line += "  [incomplete]" }
            }
            return [line]
        case .wsControl(let control):
            var line = "\(control.opcode == 9 ? "ping" : "pong") \(control.payload.count) B"
            if !control.payload.isEmpty { line += "  " + preview(control.payload, text: true, all: true) }
            if let roundTrip = control.roundTripMilliseconds { line += "  rtt \(TimestampText.duration(milliseconds: roundTrip))" }
            return [line]
        case .wsClose(let close):
            var line = "close " + (close.code.map { "\($0) \(Self.closeCodeName($0))" } ?? "(no code)")
            if !close.reason.isEmpty { line += "  \"" + TerminalText.escape(String(close.reason.prefix(200))) + (close.reason.count > 200 ? "…" : "") + "\"" }
            return [line]
        case .h2Frame(let frame):
            guard options.verbose else { return [] }
            return ["frame \(HTTP2Names.frameType(frame.type)) stream \(frame.stream) flags 0x\(String(frame.flags, radix: 16)) len \(frame.length)"]
        case .h2Settings(let settings):
            if settings.ack { return ["SETTINGS ack"] }
            let source = settings.source == "frame" ? "" : " (\(settings.source))"
            let values = settings.values.map { "\(HTTP2Names.setting($0.identifier))=\($0.value)" }.joined(separator: " ")
            return ["SETTINGS\(source) " + (values.isEmpty ? "(empty)" : values)]
        case .h2Headers(let block):
            guard options.verbose else { return [] }
            var line = "headers stream \(block.stream)"
            if let promised = block.promisedStream { line = "push_promise stream \(block.stream) → \(promised)" }
            if block.endStream { line += " end_stream" }
            if block.frames > 1 { line += " (\(block.frames) frames)" }
            if !block.tableSizeUpdates.isEmpty { line += " table size update \(block.tableSizeUpdates.map(String.init).joined(separator: ", "))" }
            if block.unreliable { return [line + "  [HPACK state lost: not shown]"] }
            return [line] + block.fields.map { "    \(TerminalText.escape($0.name)): \(TerminalText.escape($0.value))" }
        case .h2Reset(let stream, let error):
            return ["RST_STREAM stream \(stream) \(HTTP2Names.error(error))"]
        case .h2GoAway(let lastStream, let error, let debug):
            return ["GOAWAY last stream \(lastStream) \(HTTP2Names.error(error))" + (debug.isEmpty ? "" : "  \"\(debug)\"")]
        case .h2Ping(let ack, let roundTrip):
            return [ack ? "PING ack" + (roundTrip.map { "  rtt \(TimestampText.duration(milliseconds: $0))" } ?? "") : "PING"]
        case .h2Stream(let summary):
            var target = summary.path ?? ""
            if let authority = summary.authority { target = (summary.scheme.map { $0 + "://" } ?? "") + authority + target }
            var line = "stream \(summary.stream)  \(TerminalText.escape(summary.method ?? "?")) \(TerminalText.escape(target))"
            if let connectProtocol = summary.connectProtocol { line += " (:protocol \(TerminalText.escape(connectProtocol)))" }
            line += " → " + (summary.status.map(String.init) ?? "no response")
            line += "  c2s \(summary.requestBodyBytes) B  s2c \(summary.responseBodyBytes) B"
            if let ttfb = summary.timeToFirstByteMilliseconds { line += "  ttfb \(TimestampText.duration(milliseconds: ttfb))" }
            if let total = summary.totalMilliseconds { line += "  total \(TimestampText.duration(milliseconds: total))" }
            if let reset = summary.reset { line += "  reset \(HTTP2Names.error(reset))" }
            if summary.unfinished { line += "  [unfinished]" }
            return [line]
        case .wsClosing(let closing):
            let who = closing.firstDirection == .clientToServer ? "client" : "server"
            var line = "websocket closed by the \(who)" + (closing.firstCode.map { " with \($0)" } ?? "")
            line += closing.answered ? ", answered after \(TimestampText.duration(milliseconds: closing.answerMilliseconds ?? 0))" : ", never answered"
            return [line]
        }
    }

    /// A payload shown on one line: escaped text (quoted), or hex for binary.
    private func preview(_ bytes: [UInt8], text: Bool, all: Bool) -> String {
        let limit = options.fullPayload ? bytes.count : 200
        let cut = bytes.count > limit || !all
        if text, let decoded = String(validating: bytes.prefix(limit), as: UTF8.self) ?? (cut ? String(validating: bytes.prefix(limit).dropLast(3), as: UTF8.self) : nil) {
            return "\"" + TerminalText.escape(decoded) + (cut ? "…" : "") + "\""
        }
        if text { return "\"" + TerminalText.escape(bytes: bytes.prefix(limit).map { $0 }) + (cut ? "…" : "") + "\"" }
        let hexLimit = options.fullPayload ? bytes.count : 32
        return "hex " + JSONTimelinePrinter.hexString(bytes.prefix(hexLimit)) + (bytes.count > hexLimit || !all ? " …" : "")
    }

    static func opcodeName(_ opcode: UInt8) -> String {
        switch opcode {
        case 0: "continuation"
        case 1: "text"
        case 2: "binary"
        case 8: "close"
        case 9: "ping"
        case 10: "pong"
        default: "opcode \(opcode)"
        }
    }

    static func closeCodeName(_ code: UInt16) -> String {
        switch code {
        case 1000: "normal"
        case 1001: "going away"
        case 1002: "protocol error"
        case 1003: "unsupported data"
        case 1005: "no status"
        case 1006: "abnormal"
        case 1007: "invalid payload"
        case 1008: "policy violation"
        case 1009: "message too big"
        case 1010: "extension required"
        case 1011: "internal error"
        case 1012: "service restart"
        case 1013: "try again later"
        case 1014: "bad gateway"
        case 1015: "TLS handshake"
        default: ""
        }
    }

    /// The headers that explain an upgrade, shown on the message's line.
    private static let notable = ["host", "upgrade", "connection", "sec-websocket-protocol", "sec-websocket-extensions",
                                  "sec-websocket-version", "http2-settings", "content-length", "transfer-encoding"]

    private func notableHeaders(_ headers: HTTPHeaders) -> String {
        guard !options.verbose else { return "" }
        let shown = headers.fields.filter { Self.notable.contains($0.name.lowercasedASCII) }
        return shown.map { "  \(TerminalText.escape($0.name)): \(TerminalText.escape($0.value))" }.joined()
    }

    private func allHeaders(_ headers: HTTPHeaders) -> [String] {
        guard options.verbose else { return [] }
        return headers.fields.map { "    \(TerminalText.escape($0.name)): \(TerminalText.escape($0.value))" }
    }

    // MARK: Colour

    private enum Colour: String {
        case plain = ""
        case bold = "1"
        case green = "1;32"
        case yellow = "33"
        case red = "1;31"
    }

    private func paint(_ text: String, _ colour: Colour) -> String {
        guard options.colour, colour != .plain else { return text }
        return "\u{1b}[\(colour.rawValue)m" + text + "\u{1b}[0m"
    }
}
