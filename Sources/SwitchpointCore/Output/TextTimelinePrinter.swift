/// The human timeline. Offline, each connection is a block (a header line, then its events
/// with times relative to its start) printed once it closed, in connection order;
/// `--interleave` (and live capture) prints every event as it happens, in one time order,
/// tagged with its connection. Lines are formatted as bytes straight into buffers; wire
/// text is escaped here, once. Colour only when asked (a terminal).
///
/// Memory stays flat: held blocks share one budget (`Options.pendingBudget`); past it the
/// first held block in the order is printed so far and its connection goes on in a new block headed
/// `conn N (continued)`. New blocks are sized to their first lines, so the slack above the
/// budget stays small however many blocks are held.
package final class TextTimelinePrinter: TimelineEventSink {
    package struct Options: Sendable {
        package var interleave = false
        package var colour = false
        /// Every header of every message, not just the ones that matter for upgrades, and
        /// every WebSocket frame.
        package var verbose = false
        /// Whole message payloads instead of previews.
        package var fullPayload = false
        /// `-q`: only the summary (events are counted, not printed).
        package var summaryOnly = false
        /// Bytes of text held in unprinted blocks, over all connections.
        package var pendingBudget = TextTimelinePrinter.defaultPendingBudget
        /// Packet numbers on every line (`--frames`; `-v` too).
        package var frames = false
        /// How each line's time is shown (`--time`).
        package var time = TimeFormat.relative
        /// Which payloads get hexdump lines under their line (`-x`/`-X`, `--follow`).
        package var hexdump = HexdumpPayloads.none
        /// What is shown (`--conn`, `--stream`, `--protocol`, `--severity`).
        package var selection = TimelineSelection()
        package init() {}
    }

    /// `--time`: relative to the connection's start (the interleaved timeline: the
    /// capture's), absolute UTC date and time (tcpdump -tttt), the delta from the
    /// connection's previous line (-ttt), epoch seconds (-tt), none (-t), or relative to
    /// the capture's first packet (-ttttt).
    package enum TimeFormat: String, Sendable, CaseIterable {
        case relative = "rel"
        case absolute = "abs"
        case delta, epoch
        case omitted = "none"
        case capture
    }

    package enum HexdumpPayloads: Sendable {
        case none
        /// Binary payloads (`--follow`).
        case binary
        /// Every payload (`-x`, `-X`).
        case all
        /// Every payload as text, the rest of the bytes as dots (`-A`, as tcpdump prints it).
        case ascii
    }

    package static let defaultPendingBudget = 8 << 20
    /// Bytes of a text payload shown in a preview.
    static let previewTextBytes = 200
    /// Bytes of a binary payload shown in a preview (as hex).
    static let previewHexBytes = 32
    /// Characters of a close reason shown.
    static let closeReasonCharacters = 200

    /// What the printer keeps per open connection (offline blocks): one per connection of
    /// a flood, so it stays small. Its held text lives in the block assembler.
    private final class ConnectionState {
        /// The opening (its packet is the connection's time origin); for a connection whose
        /// opening was not seen, a stand-in carrying only that origin.
        private let origin: ConnectionOpening
        /// The header line is still to be written, with the connection's first line: an
        /// open connection costs no buffer before it has something to show.
        private var headerPending: Bool
        /// The previous line's time (`--time delta`).
        var previous: Timestamp

        init(opening: ConnectionOpening) {
            origin = opening
            headerPending = true
            previous = opening.capture.timestamp
        }

        /// Events of a connection whose opening was not seen: no header, time from `start`.
        init(connection: ConnectionID, start: Timestamp) {
            let nowhere = Endpoint(address: IPAddress(ipv4: 0), port: 0)
            origin = ConnectionOpening(
                connection: connection, client: nowhere, server: nowhere, roleEvidence: .firstPacket,
                capture: CaptureInfo(packetNumber: 0, timestamp: start))
            headerPending = false
            previous = start
        }

        var start: Timestamp { origin.capture.timestamp }

        /// The opening while its header line is pending; nil once written (or never seen).
        var opening: ConnectionOpening? { headerPending ? origin : nil }

        func headerWritten() { headerPending = false }
    }

    /// Where finished lines go: held and printed here, or recorded for the merge of a
    /// sharded run (which holds and prints them in the order one thread would have).
    private enum Destination {
        case assembler(TextBlockAssembler)
        case shard(ShardOutput)
    }

    /// `Destination`'s object unretained, for the per-event path (`destination` holds it):
    /// binding the enum's case per event cost a retain and a release.
    private enum HeldTarget {
        case assembler(Unmanaged<TextBlockAssembler>)
        case shard(Unmanaged<ShardOutput>)

        init(_ destination: Destination) {
            switch destination {
            case .assembler(let assembler): self = .assembler(Unmanaged.passUnretained(assembler))
            case .shard(let shard): self = .shard(Unmanaged.passUnretained(shard))
            }
        }
    }

    private let writer: LineWriter
    let options: Options
    /// `options.selection` filters events / judges blocks (read per event: plain flags,
    /// so the selection's set is not touched, or retained, when nothing is selected).
    private let selects: Bool
    private let judgesBlocks: Bool
    /// Hexdump lines are asked for (`-x`, `--follow`): checked before a payload is looked at.
    let hexdumps: Bool
    private var destination: Destination {
        didSet { heldTarget = HeldTarget(destination) }
    }
    private var heldTarget: HeldTarget
    package private(set) var summary = TimelineSummary()
    private var states: [ConnectionID: ConnectionState] = [:]
    /// The previous event's connection: events come in runs per connection (`states`
    /// holds it; it is forgotten whenever its entry goes).
    private var recent = RecentEntry<ConnectionID, ConnectionState>()
    /// Connections whose block was printed at their close: anything later (a late
    /// retransmission) goes out at once, tagged with the connection.
    private var printed: Set<ConnectionID> = []
    private var captureStart: Timestamp?
    /// `--time delta` on the interleaved timeline: each connection's previous line's time.
    private var previousLine: [ConnectionID: Timestamp] = [:]
    /// One event's lines, and a connection's header line, before they go to the destination.
    private let lines = OutputBuffer(capacity: 4096)
    private let header = OutputBuffer(capacity: 256)
    /// The last line's prefix width (time, direction, tags), for the lines indented under it.
    private var prefixColumns = 0
    /// Connections whose upgrade request was answered with something other than 101: the
    /// answer's body is the evidence (`upgradeRefusalBody`). Touched only by HTTP/1 heads.
    var upgradeAsked: Set<ConnectionID> = []
    var refusalBodyDue: Set<ConnectionID> = []

    package convenience init(writer: LineWriter, options: Options) {
        self.init(
            writer: writer, options: options,
            destination: .assembler(
                TextBlockAssembler(
                    writer: writer, colour: options.colour, budget: options.pendingBudget,
                    selection: options.selection)))
    }

    private init(writer: LineWriter, options: Options, destination: Destination) {
        self.writer = writer
        self.options = options
        selects = !options.selection.isEmpty
        judgesBlocks = options.selection.judgesBlocks
        hexdumps = options.hexdump != .none
        self.destination = destination
        heldTarget = HeldTarget(destination)
    }

    /// Whether any event's line was printed (before the summary): with a selection, none
    /// means it matched nothing.
    package var printedEventLines: Bool {
        switch destination {
        case .assembler(let assembler): assembler.wroteLines
        case .shard: false
        }
    }

    /// Frames and header blocks are shown only with `-v`.
    package var wantsFrameEvents: Bool { options.verbose }

    package func receive(_ event: TimelineEvent) {
        summary.count(event)
        if options.summaryOnly { return }
        if captureStart == nil { captureStart = event.timestamp }
        if selects && !options.selection.admits(event) { return }
        // The tag first: matching `kind` copies its payload, and most events are not openings.
        if event.tag == .connectionOpened, case .connectionOpened(let opening) = event.kind {
            if options.interleave {
                lines.removeAll()
                headerLine(opening, into: lines)
                lines.append(0x0a)
                direct(lines.bytes)
            } else {
                let state = ConnectionState(opening: opening)
                states[event.connection] = state
                recent.remember(event.connection, state)
                switch destination {
                case .assembler(let assembler): assembler.opened(event.connection)
                case .shard(let shard): shard.opened(event.connection)
                }
            }
            return
        }
        let state = options.interleave ? nil : self.state(event.connection, at: event.timestamp)
        var origin = state?.start ?? captureStart ?? event.timestamp
        switch options.time {
        case .delta: origin = previousLineTime(event, state)
        case .capture: origin = captureStart ?? event.timestamp
        case .relative, .absolute, .epoch, .omitted: break
        }
        lines.removeAll()
        body(
            event,
            LineContext(
                out: lines, timestamp: event.timestamp, connection: event.connection, direction: event.direction,
                stream: event.stream, origin: origin, tagged: state == nil, decrypted: event.decrypted,
                packet: event.packet, firstPacket: event.firstPacket))
        guard let state else {
            direct(lines.bytes)
            return
        }
        // The header line goes with the connection's first lines.
        var headerBytes: UnsafeRawBufferPointer?
        if !lines.isEmpty, let opening = state.opening {
            header.removeAll()
            headerLine(opening, into: header)
            state.headerWritten()
            headerBytes = header.bytes
        }
        let closes = event.tag == .connectionClosed
        let shown = judgesBlocks ? options.selection.traits(shownBy: event) : []
        switch heldTarget {
        case .assembler(let assembler):
            assembler._withUnsafeGuaranteedRef {
                $0.held(event.connection, header: headerBytes, lines: lines.bytes, closes: closes, shown: shown)
            }
        case .shard(let shard):
            shard._withUnsafeGuaranteedRef {
                $0.held(event.connection, header: headerBytes, lines: lines.bytes, closes: closes, shown: shown)
            }
        }
        if closes {
            states[event.connection] = nil
            recent.forget()
            printed.insert(event.connection)
        }
    }

    /// `--time delta`: the previous line's time in the event's connection, now this one's.
    private func previousLineTime(_ event: TimelineEvent, _ state: ConnectionState?) -> Timestamp {
        if let state {
            defer { state.previous = event.timestamp }
            return state.previous
        }
        defer {
            if event.tag == .connectionClosed {
                previousLine[event.connection] = nil
            } else {
                previousLine[event.connection] = event.timestamp
            }
        }
        return previousLine[event.connection] ?? event.timestamp
    }

    private func direct(_ bytes: UnsafeRawBufferPointer) {
        switch destination {
        case .assembler(let assembler): assembler.direct(bytes)
        case .shard(let shard): shard.direct(bytes)
        }
    }

    package func finish(
        statistics: DecodeStatistics, problems: [CaptureError], live: ThreadedCaptureSource.Statistics? = nil,
        scope: SummaryScope = SummaryScope()
    ) {
        if case .assembler(let assembler) = destination { assembler.finish() }
        writer.write(line: paint("== summary", .bold))
        for line in summary.textLines(statistics: statistics, problems: problems, live: live, scope: scope) {
            writer.write(line: line)
        }
        writer.flush()
    }

    // MARK: Sharded runs

    /// A printer for one worker of a sharded run: it formats its connections' lines into
    /// `shard` instead of holding and printing them.
    func shardWorker(into shard: ShardOutput) -> TextTimelinePrinter {
        TextTimelinePrinter(writer: writer, options: options, destination: .shard(shard))
    }

    /// The worker's lines go to `shard` from now on (one shard output per round).
    func target(_ shard: ShardOutput) {
        destination = .shard(shard)
    }

    /// The merge: one worker's record, held and printed as this printer would have.
    func replay(_ record: ShardOutput.Record, bytes: UnsafeRawBufferPointer) {
        // The assembler borrowed (`heldTarget`): binding `destination`'s case retained and
        // released it per record, a tenth of the merging thread's time.
        guard case .assembler(let reference) = heldTarget else { return }
        reference._withUnsafeGuaranteedRef { assembler in
            let lines = UnsafeRawBufferPointer(rebasing: bytes[record.linesStart..<record.linesEnd])
            switch record.kind {
            case .direct:
                assembler.direct(lines)
            case .held(let connection, let closes, let shown):
                let header =
                    record.headerStart < record.linesStart
                    ? UnsafeRawBufferPointer(rebasing: bytes[record.headerStart..<record.linesStart]) : nil
                assembler.held(connection, header: header, lines: lines, closes: closes, shown: shown)
            case .opened(let connection):
                assembler.opened(connection)
            case .problem:
                break  // the run reports problems itself
            }
        }
    }

    /// The first event's time (tagged lines count from it): a worker sees only its share.
    func startCapture(at timestamp: Timestamp) {
        if captureStart == nil { captureStart = timestamp }
    }

    func mergeSummary(_ other: TimelineSummary) {
        summary.merge(other)
    }

    // MARK: Connections

    /// The open connection's state, or nil when its lines go out at once tagged (it was
    /// printed at its close already).
    private func state(_ connection: ConnectionID, at timestamp: Timestamp) -> ConnectionState? {
        if let known = recent.object(for: connection) { return known.takeUnretainedValue() }
        if let found = states[connection] {
            recent.remember(connection, found)
            return found
        }
        if printed.contains(connection) { return nil }
        // Events of a connection whose opening was not seen: a block of its own.
        let state = ConnectionState(connection: connection, start: timestamp)
        states[connection] = state
        recent.remember(connection, state)
        return state
    }

    // MARK: Lines

    /// Where the lines of one event go and how each starts.
    struct LineContext {
        /// Where the lines go: a held block or the writer's buffer (passed down, so the
        /// helpers borrow it rather than retain it per call).
        var out: OutputBuffer
        var timestamp: Timestamp
        var connection: ConnectionID
        var direction: Direction?
        var stream: UInt32?
        var origin: Timestamp
        var tagged: Bool
        var decrypted = false
        var packet: UInt64 = 0
        var firstPacket: UInt64 = 0
    }

    /// Starts one line of an event: `[conn N ]  +time  [#packet]  dir  [stream N] `
    /// (connections are always `conn N`, packets always `#N`).
    func startLine(_ context: LineContext) {
        let out = context.out
        let lineStart = out.count
        defer {
            // Columns of the prefix (the arrow is three bytes, one column): `-v` lines under
            // this one are indented to its text.
            prefixColumns = out.count - lineStart - (context.direction == nil ? 0 : 2)
        }
        if context.tagged {
            out.append("conn ")
            out.append(decimal: context.connection)
            out.append(UInt8(ascii: " "))
        }
        out.append("  ")
        switch options.time {
        case .relative, .delta, .capture: out.append(relative: context.timestamp, to: context.origin)
        case .absolute: out.append(dateTime: context.timestamp)
        case .epoch: out.append(epochSeconds: context.timestamp)
        case .omitted: break
        }
        if options.frames || options.verbose {
            out.append("  #")
            if context.firstPacket < context.packet {
                out.append(decimal: context.firstPacket)
                out.append(UInt8(ascii: "-"))
            }
            out.append(decimal: context.packet)
        }
        switch context.direction {
        case .clientToServer: out.append("  c→s  ")
        case .serverToClient: out.append("  s→c  ")
        case nil: out.append("       ")
        }
        if context.decrypted { out.append("[tls] ") }
        if let stream = context.stream {
            out.append("[stream ")
            out.append(decimal: UInt64(stream))
            out.append("] ")
        }
    }

    func endLine(_ context: LineContext) {
        context.out.append(0x0a)
    }

    private func headerLine(_ opening: ConnectionOpening, into out: OutputBuffer) {
        if options.colour { out.append("\u{1b}[1m") }
        out.append("conn ")
        out.append(decimal: opening.connection)
        out.append("  ")
        out.append(trusted: opening.client.description)
        out.append(" → ")
        out.append(trusted: opening.server.description)
        out.append("  ")
        out.append(utc: opening.capture.timestamp)
        switch opening.roleEvidence {
        case .syn: break
        case .synAck: out.append("  (SYN not captured)")
        case .portHeuristic, .firstPacket:
            out.append("  (mid-stream: no handshake captured, roles by ")
            out.append(trusted: opening.roleEvidence.rawValue)
            out.append(")")
        }
        if options.colour { out.append("\u{1b}[0m") }
    }

    /// The event's lines: each protocol's in its own file (Output/Text/).
    private func body(_ event: TimelineEvent, _ context: LineContext) {
        switch event.kind {
        case .connectionOpened:
            return
        case .connectionClosed(let summary):
            connectionClosedLine(summary, event, context)
        case .gap(let length, let reason):
            gapLine(length, reason, event, context)
        case .httpRequest(let head):
            httpRequestLine(head, event, context)
        case .httpResponse(let head):
            httpResponseLine(head, event, context)
        case .httpBody(let length, let chunked, let kept, let keptAll):
            httpBodyLine(length, chunked, kept, keptAll, event, context)
        case .upgrade(let upgrade):
            upgradeLine(upgrade, event, context)
        case .finding(let finding):
            findingLine(finding, event, context)
        case .rawData(let chunk):
            rawDataLine(chunk, event, context)
        case .tlsClientHello(let hello):
            tlsClientHelloLine(hello, event, context)
        case .tlsServerHello(let hello):
            tlsServerHelloLine(hello, event, context)
        case .tlsHelloRetry(let retry):
            tlsHelloRetryLine(retry, event, context)
        case .tlsSession(let facts):
            tlsSessionLine(facts, event, context)
        case .tlsEncrypted(let clientToServer, let serverToClient):
            tlsEncryptedLine(clientToServer, serverToClient, event, context)
        case .wsFrame(let frame):
            webSocketFrameLine(frame, event, context)
        case .wsMessage(let message):
            webSocketMessageLine(message, event, context)
        case .wsControl(let control):
            webSocketControlLine(control, event, context)
        case .wsClose(let close):
            webSocketCloseLine(close, event, context)
        case .h2Frame(let frame):
            http2FrameLine(frame, event, context)
        case .h2Settings(let settings):
            http2SettingsLine(settings, event, context)
        case .h2Headers(let block):
            http2HeadersLine(block, event, context)
        case .h2Reset(let stream, let error):
            http2ResetLine(stream, error, event, context)
        case .h2GoAway(let lastStream, let error, let debug):
            http2GoAwayLine(lastStream, error, debug, event, context)
        case .h2Ping(let ack, let roundTrip):
            http2PingLine(ack, roundTrip, event, context)
        case .h2Stream(let summary):
            http2StreamLine(summary, event, context)
        case .wsClosing(let closing):
            webSocketClosingLine(closing, event, context)
        case .app(let application):
            startLine(context)
            ApplicationEventText.append(application, to: context.out)
            endLine(context)
        }
    }

    /// `a,b,c` with each element escaped.
    func appendList(_ items: [String], separator: StaticString, into out: OutputBuffer) {
        for (index, item) in items.enumerated() {
            if index > 0 { out.append(separator) }
            out.appendTerminalEscaped(item)
        }
    }

    /// A payload on one line: escaped text (quoted), or hex for binary.
    func preview(_ bytes: [UInt8], text: Bool, all: Bool, into out: OutputBuffer) {
        bytes.withUnsafeBytes { preview($0, text: text, all: all, into: out) }
    }

    func preview(_ bytes: UnsafeRawBufferPointer, text: Bool, all: Bool, into out: OutputBuffer) {
        // Binary that reads as text (JSON in a binary frame) is shown as escaped text.
        if text
            || PrintableText.isMostlyPrintable(
                UnsafeRawBufferPointer(rebasing: bytes[..<min(bytes.count, Self.previewTextBytes)]))
        {
            let limit = options.fullPayload ? bytes.count : Self.previewTextBytes
            let cut = bytes.count > limit || !all
            var shown = UnsafeRawBufferPointer(rebasing: bytes[..<min(limit, bytes.count)])
            // A preview cut inside a character loses that character, not the whole text.
            if cut && !UTF8Scanner.isValid(shown) {
                let shorter = UnsafeRawBufferPointer(rebasing: shown[..<max(0, shown.count - 3)])
                if UTF8Scanner.isValid(shorter) { shown = shorter }
            }
            out.append(UInt8(ascii: "\""))
            out.appendTerminalEscaped(shown)
            if cut { out.append("…") }
            out.append(UInt8(ascii: "\""))
            return
        }
        // With hexdump lines below, the line keeps its short preview.
        let limit = options.fullPayload && options.hexdump == .none ? bytes.count : Self.previewHexBytes
        out.append("hex ")
        out.append(spacedHex: UnsafeRawBufferPointer(rebasing: bytes[..<min(limit, bytes.count)]))
        if bytes.count > limit || !all { out.append(" …") }
    }

    /// Indentation of hexdump lines under their event's line.
    static let hexdumpIndent: StaticString = "        "

    /// A payload's hexdump lines (`-x`/`-X` every payload, `--follow` binary ones; `-A`
    /// every payload as ASCII lines).
    func hexdumpLines(_ bytes: [UInt8], text: @autoclosure () -> Bool, into out: OutputBuffer) {
        guard !bytes.isEmpty else { return }
        switch options.hexdump {
        case .none: return
        case .binary: if text() { return }
        case .all: break
        case .ascii: return bytes.withUnsafeBytes { out.append(asciiDump: $0, indent: Self.hexdumpIndent) }
        }
        bytes.withUnsafeBytes { out.append(hexdump: $0, indent: Self.hexdumpIndent) }
    }

    /// Columns a `-v` header line is indented past its message's text start.
    static let headerIndent = 4
    /// Bytes of a refused upgrade's body shown (escaped) on its body line.
    static let refusalBodyPreviewBytes = 160

    /// The headers that explain an upgrade, shown on the message's line.
    static let notable = [
        "host", "upgrade", "connection", "sec-websocket-protocol", "sec-websocket-extensions",
        "sec-websocket-version", "http2-settings", "content-length", "transfer-encoding",
    ]

    func allHeaders(_ headers: HTTPHeaders, _ context: LineContext) {
        guard options.verbose else { return }
        for field in headers.fields { headerFieldLine(field, context) }
    }

    /// One header under its message, indented to the message's text: time and direction
    /// are the message's, not repeated.
    func headerFieldLine(_ field: HTTPField, _ context: LineContext) {
        let out = context.out
        out.append(repeating: UInt8(ascii: " "), count: prefixColumns + Self.headerIndent)
        out.appendTerminalEscaped(field.name)
        out.append(": ")
        out.appendTerminalEscaped(field.value)
        endLine(context)
    }

    // MARK: Colour

    enum Colour {
        case plain, bold, green, yellow, red

        var code: StaticString {
            switch self {
            case .plain: ""
            case .bold: "\u{1b}[1m"
            case .green: "\u{1b}[1;32m"
            case .yellow: "\u{1b}[33m"
            case .red: "\u{1b}[1;31m"
            }
        }
    }

    func paintStart(_ colour: Colour, _ out: OutputBuffer) {
        guard options.colour, colour != .plain else { return }
        out.append(colour.code)
    }

    func paintEnd(_ colour: Colour, _ out: OutputBuffer) {
        guard options.colour, colour != .plain else { return }
        out.append("\u{1b}[0m")
    }

    private func paint(_ text: String, _ colour: Colour) -> String {
        guard options.colour, colour != .plain else { return text }
        var painted = ""
        colour.code.withUTF8Buffer { painted = String(decoding: $0, as: UTF8.self) }
        return painted + text + "\u{1b}[0m"
    }
}
