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
    /// connection's previous line, or epoch seconds.
    package enum TimeFormat: String, Sendable, CaseIterable {
        case relative = "rel"
        case absolute = "abs"
        case delta, epoch
    }

    package enum HexdumpPayloads: Sendable {
        case none
        /// Binary payloads (`--follow`).
        case binary
        /// Every payload (`-x`, `-X`).
        case all
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
    private let options: Options
    /// `options.selection` filters events / judges blocks (read per event: plain flags,
    /// so the selection's set is not touched, or retained, when nothing is selected).
    private let selects: Bool
    private let judgesBlocks: Bool
    /// Hexdump lines are asked for (`-x`, `--follow`): checked before a payload is looked at.
    private let hexdumps: Bool
    private var destination: Destination {
        didSet { heldTarget = HeldTarget(destination) }
    }
    private var heldTarget: HeldTarget
    package private(set) var summary = TimelineSummary()
    private var states: [ConnectionID: ConnectionState] = [:]
    /// The previous event's connection: events come in runs per connection. Unretained
    /// (`states` holds it; it is cleared whenever its entry goes).
    private var recent: (id: ConnectionID, state: Unmanaged<ConnectionState>)?
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
    private var upgradeAsked: Set<ConnectionID> = []
    private var refusalBodyDue: Set<ConnectionID> = []

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
                recent = (event.connection, Unmanaged.passUnretained(state))
                switch destination {
                case .assembler(let assembler): assembler.opened(event.connection)
                case .shard(let shard): shard.opened(event.connection)
                }
            }
            return
        }
        let state = options.interleave ? nil : self.state(event.connection, at: event.timestamp)
        var origin = state?.start ?? captureStart ?? event.timestamp
        if options.time == .delta { origin = previousLineTime(event, state) }
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
        let shown = judgesBlocks ? ConnectionTraits(shownBy: event) : []
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
            recent = nil
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
        if let recent, recent.id == connection { return recent.state.takeUnretainedValue() }
        if let found = states[connection] {
            recent = (connection, Unmanaged.passUnretained(found))
            return found
        }
        if printed.contains(connection) { return nil }
        // Events of a connection whose opening was not seen: a block of its own.
        let state = ConnectionState(connection: connection, start: timestamp)
        states[connection] = state
        recent = (connection, Unmanaged.passUnretained(state))
        return state
    }

    // MARK: Lines

    /// Where the lines of one event go and how each starts.
    private struct LineContext {
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

    /// Starts one line of an event: `[#conn ]  +time  dir  [stream N] `.
    private func startLine(_ context: LineContext) {
        let out = context.out
        let lineStart = out.count
        defer {
            // Columns of the prefix (the arrow is three bytes, one column): `-v` lines under
            // this one are indented to its text.
            prefixColumns = out.count - lineStart - (context.direction == nil ? 0 : 2)
        }
        if context.tagged {
            out.append(UInt8(ascii: "#"))
            out.append(decimal: context.connection)
            out.append(UInt8(ascii: " "))
        }
        out.append("  ")
        switch options.time {
        case .relative, .delta: out.append(relative: context.timestamp, to: context.origin)
        case .absolute: out.append(dateTime: context.timestamp)
        case .epoch: out.append(epochSeconds: context.timestamp)
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

    private func endLine(_ context: LineContext) {
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

    private func body(_ event: TimelineEvent, _ context: LineContext) {
        let out = context.out
        switch event.kind {
        case .connectionOpened:
            return
        case .connectionClosed(let summary):
            startLine(context)
            out.append("closed ")
            out.append(trusted: summary.reason.rawValue)
            if let state = summary.openState {
                out.append(" (open, ")
                out.appendTerminalEscaped(state.protocolName)
                if state.inFlight > 0 {
                    out.append(", ")
                    out.append(decimal: state.inFlight)
                    out.append(UInt8(ascii: " "))
                    out.append(state.unit.word(state.inFlight))
                    out.append(" in flight")
                }
                out.append(UInt8(ascii: ")"))
            }
            out.append("  c2s ")
            out.append(decimal: summary.clientToServer.deliveredBytes)
            out.append(" B  s2c ")
            out.append(decimal: summary.serverToClient.deliveredBytes)
            out.append(" B  after ")
            out.append(fixed: summary.end.seconds(since: summary.start), decimals: 3)
            out.append(" s")
            let gaps = summary.clientToServer.gaps + summary.serverToClient.gaps
            if gaps > 0 {
                out.append("  ")
                out.append(count: gaps, "gap", "gaps")
            }
            endLine(context)
        case .gap(let length, let reason):
            startLine(context)
            paintStart(.yellow, out)
            out.append("[gap: ")
            out.append(count: length, "byte", "bytes")
            out.append(" never captured at offset ")
            out.append(decimal: event.offset ?? 0)
            out.append(" (")
            out.append(trusted: reason.rawValue)
            out.append(")]")
            paintEnd(.yellow, out)
            endLine(context)
        case .httpRequest(let head):
            startLine(context)
            out.appendTerminalEscaped(head.method)
            out.append(UInt8(ascii: " "))
            out.appendTerminalEscaped(head.target)
            out.append(UInt8(ascii: " "))
            out.appendTerminalEscaped(head.version)
            notableHeaders(head.headers, into: out)
            endLine(context)
            allHeaders(head.headers, context)
            if head.headers.fields.contains(where: { $0.name.equalsIgnoringASCIICase("upgrade") }) {
                upgradeAsked.insert(event.connection)
            } else {
                upgradeAsked.remove(event.connection)
            }
        case .httpResponse(let head):
            startLine(context)
            // The version is evidence (an HTTP/1.0 answer ignores Upgrade).
            out.appendTerminalEscaped(head.version)
            out.append(UInt8(ascii: " "))
            out.append(decimal: head.status)
            out.append(UInt8(ascii: " "))
            out.appendTerminalEscaped(head.reason)
            notableHeaders(head.headers, into: out)
            endLine(context)
            allHeaders(head.headers, context)
            if !head.isInterim, upgradeAsked.remove(event.connection) != nil, head.status != 101 {
                refusalBodyDue.insert(event.connection)
            }
        case .httpBody(let length, let chunked, let kept, let keptAll):
            startLine(context)
            out.append("body ")
            out.append(count: length, "byte", "bytes")
            if chunked { out.append(" (chunked)") }
            // The body of a refused upgrade usually says why ("invalid Connection header").
            if event.direction == .serverToClient, !refusalBodyDue.isEmpty,
                refusalBodyDue.remove(event.connection) != nil, !kept.isEmpty
            {
                out.append("  ")
                upgradeRefusalBody(kept, all: keptAll && UInt64(kept.count) == length, into: out)
            }
            endLine(context)
            if hexdumps { hexdumpLines(kept, text: Hexdump.looksLikeText(kept), into: out) }
        case .upgrade(let upgrade):
            startLine(context)
            paintStart(.green, out)
            out.append("══ switch to ")
            out.appendTerminalEscaped(upgrade.protocolName)
            out.append(" at c2s+")
            out.append(decimal: upgrade.clientToServerOffset)
            out.append(" s2c+")
            out.append(decimal: upgrade.serverToClientOffset)
            out.append(" after ")
            out.append(duration: upgrade.latencyMilliseconds)
            if !upgrade.target.isEmpty {
                out.append("  ")
                out.appendTerminalEscaped(upgrade.target)
            }
            for detail in upgrade.details {
                out.append("  ")
                out.appendTerminalEscaped(detail.name)
                out.append(UInt8(ascii: "="))
                out.appendTerminalEscaped(detail.value)
            }
            out.append(" ══")
            switch upgrade.outcome {
            case .established?: out.append("  established")
            case .rejectedByClient(let how)?:
                out.append(
                    how == .rst
                        ? "  rejected by the client (reset without a frame)"
                        : "  rejected by the client (closed without a frame)")
            case .unknown?: out.append("  outcome unknown (the client had not spoken when the capture ended)")
            case nil: break
            }
            paintEnd(.green, out)
            endLine(context)
        case .finding(let finding):
            let colour: Colour = finding.severity == .error ? .red : (finding.severity == .warn ? .yellow : .plain)
            startLine(context)
            paintStart(colour, out)
            out.append("!! ")
            out.append(trusted: finding.severity.rawValue)
            out.append(UInt8(ascii: " "))
            out.append(trusted: finding.code.rawValue)
            out.append(": ")
            out.appendTerminalEscaped(finding.message)
            paintEnd(colour, out)
            endLine(context)
        case .rawData(let chunk):
            startLine(context)
            out.appendTerminalEscaped(chunk.protocolName)
            out.append(UInt8(ascii: " "))
            if chunk.notRecognised || chunk.packets > 1 {
                runSize(chunk, into: out)
            } else {
                out.append(decimal: chunk.length)
                out.append(" B  ")
            }
            if chunk.previewIsHex && !chunk.head.withUnsafeBytes({ PrintableText.isMostlyPrintable($0) }) {
                out.append("hex ")
                rawHexPreview(chunk, into: out)
            } else {
                out.append(UInt8(ascii: "\""))
                out.appendTerminalEscaped(chunk.head)
                if chunk.length > chunk.head.count { out.append("…") }
                out.append(UInt8(ascii: "\""))
            }
            endLine(context)
            if hexdumps { hexdumpLines(chunk.head, text: !chunk.previewIsHex, into: out) }
        case .tlsClientHello(let hello):
            startLine(context)
            out.appendTerminalEscaped(hello.version)
            out.append(" client hello")
            if let name = hello.serverName {
                out.append(" sni=")
                out.appendTerminalEscaped(name)
            }
            if hello.alpn.isEmpty {
                out.append(" (no alpn)")
            } else {
                out.append(" alpn offered ")
                appendList(hello.alpn, separator: ",", into: out)
            }
            endLine(context)
        case .tlsServerHello(let hello):
            startLine(context)
            out.appendTerminalEscaped(hello.version)
            out.append(" server hello")
            if hello.selectionEncrypted {
                out.append(" (alpn selection encrypted)")
            } else if let alpn = hello.alpn {
                out.append(" alpn ")
                out.appendTerminalEscaped(alpn)
            } else {
                out.append(" (no alpn)")
            }
            if let suite = hello.cipherSuite {
                out.append("  ")
                out.appendTerminalEscaped(suite)
            }
            endLine(context)
        case .tlsHelloRetry(let retry):
            startLine(context)
            out.append("TLS 1.3 hello retry request")
            if let group = retry.group {
                out.append(": the server asks for key share ")
                out.appendTerminalEscaped(group)
            }
            endLine(context)
        case .tlsSession(let facts):
            startLine(context)
            out.append(facts.decrypted ? "══ decrypted " : "══ not decrypted ")
            out.appendTerminalEscaped(facts.version)
            out.append(UInt8(ascii: " "))
            out.appendTerminalEscaped(facts.cipherSuite)
            if let name = facts.serverName {
                out.append("  sni=")
                out.appendTerminalEscaped(name)
            }
            out.append("  alpn ")
            if let alpn = facts.alpn { out.appendTerminalEscaped(alpn) } else { out.append("none") }
            if !facts.alpnOffered.isEmpty {
                out.append(" (offered ")
                appendList(facts.alpnOffered, separator: ",", into: out)
                out.append(")")
            }
            if facts.resumed { out.append("  resumed") }
            if let certificate = facts.certificate {
                out.append("  cert ")
                out.appendTerminalEscaped(certificate.subject)
                out.append(" issuer ")
                out.appendTerminalEscaped(certificate.issuer)
                out.append(" valid ")
                out.appendTerminalEscaped(certificate.notBefore)
                out.append(" to ")
                out.appendTerminalEscaped(certificate.notAfter)
            }
            out.append(" ══")
            endLine(context)
        case .tlsEncrypted(let clientToServer, let serverToClient):
            startLine(context)
            out.append("encrypted: c2s ")
            out.append(decimal: clientToServer)
            out.append(" B, s2c ")
            out.append(decimal: serverToClient)
            out.append(" B")
            endLine(context)
        case .wsFrame(let frame):
            guard options.verbose else { return }
            startLine(context)
            out.append("frame ")
            appendOpcodeName(frame.opcode, into: out)
            out.append(" fin=")
            out.append(frame.fin ? UInt8(ascii: "1") : UInt8(ascii: "0"))
            out.append(" rsv=")
            out.append(decimal: Int(frame.rsv))
            if frame.masked { out.append(" masked") }
            out.append(" len=")
            out.append(decimal: frame.payloadLength)
            endLine(context)
        case .wsMessage(let message):
            startLine(context)
            appendOpcodeName(message.opcode, into: out)
            if message.lengthUnknown {
                out.append(" ? B")
            } else {
                out.append(UInt8(ascii: " "))
                out.append(decimal: message.length)
                out.append(" B")
            }
            if message.compressed || message.frames > 1 {
                out.append(" (")
                if message.compressed {
                    out.append("deflate, ")
                    out.append(decimal: message.wireLength)
                    out.append(" B on the wire")
                    if message.frames > 1 { out.append(", ") }
                }
                if message.frames > 1 {
                    out.append(decimal: message.frames)
                    out.append(" frames")
                }
                out.append(UInt8(ascii: ")"))
            }
            if let problem = message.problem {
                out.append("  [")
                out.append(trusted: problem)
                out.append(UInt8(ascii: "]"))
            } else {
                out.append("  ")
                preview(message.kept, text: message.isText, all: message.keptAll, into: out)
                if !message.complete { out.append("  [incomplete]") }
            }
            endLine(context)
            if hexdumps && message.problem == nil { hexdumpLines(message.kept, text: message.isText, into: out) }
        case .wsControl(let control):
            startLine(context)
            out.append(WebSocketOpcode(rawValue: control.opcode) == .ping ? "ping " : "pong ")
            out.append(decimal: control.payload.count)
            out.append(" B")
            if !control.payload.isEmpty {
                out.append("  ")
                preview(control.payload, text: true, all: true, into: out)
            }
            if let roundTrip = control.roundTripMilliseconds {
                out.append("  rtt ")
                out.append(duration: roundTrip)
            }
            endLine(context)
            if hexdumps { hexdumpLines(control.payload, text: Hexdump.looksLikeText(control.payload), into: out) }
        case .wsClose(let close):
            startLine(context)
            out.append("close ")
            if let code = close.code {
                out.append(decimal: Int(code))
                out.append(UInt8(ascii: " "))
                out.append(trusted: WebSocketCloseCode(rawValue: code).name)
            } else {
                out.append("(no code)")
            }
            if !close.reason.isEmpty {
                out.append("  \"")
                out.appendTerminalEscaped(close.reason.prefix(Self.closeReasonCharacters))
                if close.reason.count > Self.closeReasonCharacters { out.append("…") }
                out.append(UInt8(ascii: "\""))
            }
            endLine(context)
        case .h2Frame(let frame):
            guard options.verbose else { return }
            startLine(context)
            out.append("frame ")
            out.append(trusted: HTTP2FrameType(rawValue: frame.type).name)
            out.append(" stream ")
            out.append(decimal: UInt64(frame.stream))
            out.append(" flags ")
            appendHTTP2FlagNames(type: frame.type, flags: frame.flags, into: out)
            out.append(" len ")
            out.append(decimal: frame.length)
            if let padding = frame.padLength {
                out.append(" padding ")
                out.append(decimal: padding)
            }
            if let increment = frame.windowIncrement {
                out.append(" increment ")
                out.append(decimal: UInt64(increment))
            }
            if let data = frame.pingData {
                out.append(" data 0x")
                for shift in stride(from: 56, through: 0, by: -8) {
                    out.append(hexByte: UInt8(truncatingIfNeeded: data >> UInt64(shift)))
                }
            }
            endLine(context)
        case .h2Settings(let settings):
            startLine(context)
            if settings.ack {
                out.append("SETTINGS ack")
            } else {
                out.append("SETTINGS")
                if settings.source != "frame" {
                    out.append(" (")
                    out.append(trusted: settings.source)
                    out.append(UInt8(ascii: ")"))
                }
                out.append(UInt8(ascii: " "))
                if settings.values.isEmpty { out.append("(empty)") }
                for (index, setting) in settings.values.enumerated() {
                    if index > 0 { out.append(UInt8(ascii: " ")) }
                    out.append(trusted: HTTP2SettingID(rawValue: setting.identifier).name)
                    out.append(UInt8(ascii: "="))
                    out.append(decimal: UInt64(setting.value))
                }
            }
            endLine(context)
        case .h2Headers(let block):
            guard options.verbose else { return }
            startLine(context)
            if let promised = block.promisedStream {
                out.append("push_promise stream ")
                out.append(decimal: UInt64(block.stream))
                out.append(" → ")
                out.append(decimal: UInt64(promised))
            } else {
                out.append("headers stream ")
                out.append(decimal: UInt64(block.stream))
            }
            if block.endStream { out.append(" end_stream") }
            // Trailers carry no pseudo-header (RFC 9113 §8.1): a block without one ends a message.
            if block.promisedStream == nil, !block.unreliable, !block.fields.isEmpty,
                !block.fields.contains(where: { $0.name.utf8.first == UInt8(ascii: ":") })
            {
                out.append(" trailers")
            }
            if block.frames > 1 {
                out.append(" (")
                out.append(decimal: block.frames)
                out.append(" frames)")
            }
            if !block.tableSizeUpdates.isEmpty {
                out.append(" table size update ")
                for (index, size) in block.tableSizeUpdates.enumerated() {
                    if index > 0 { out.append(", ") }
                    out.append(decimal: size)
                }
            }
            if block.unreliable {
                out.append("  [HPACK state lost: not shown]")
                endLine(context)
                return
            }
            endLine(context)
            for field in block.fields { headerFieldLine(field, context) }
        case .h2Reset(let stream, let error):
            startLine(context)
            out.append("RST_STREAM stream ")
            out.append(decimal: UInt64(stream))
            out.append(UInt8(ascii: " "))
            out.append(trusted: HTTP2ErrorCode(rawValue: error).name)
            endLine(context)
        case .h2GoAway(let lastStream, let error, let debug):
            startLine(context)
            out.append("GOAWAY last stream ")
            out.append(decimal: UInt64(lastStream))
            out.append(UInt8(ascii: " "))
            out.append(trusted: HTTP2ErrorCode(rawValue: error).name)
            if !debug.isEmpty {
                out.append("  \"")
                out.appendTerminalEscaped(debug)
                out.append(UInt8(ascii: "\""))
            }
            endLine(context)
        case .h2Ping(let ack, let roundTrip):
            startLine(context)
            out.append(ack ? "PING ack" : "PING")
            if ack, let roundTrip {
                out.append("  rtt ")
                out.append(duration: roundTrip)
            }
            endLine(context)
        case .h2Stream(let summary):
            startLine(context)
            out.append("stream ")
            out.append(decimal: UInt64(summary.stream))
            out.append("  ")
            out.appendTerminalEscaped(summary.method ?? "?")
            out.append(UInt8(ascii: " "))
            if let authority = summary.authority {
                if let scheme = summary.scheme {
                    out.appendTerminalEscaped(scheme)
                    out.append("://")
                }
                out.appendTerminalEscaped(authority)
            }
            out.appendTerminalEscaped(summary.path ?? "")
            if let connectProtocol = summary.connectProtocol {
                out.append(" (:protocol ")
                out.appendTerminalEscaped(connectProtocol)
                out.append(UInt8(ascii: ")"))
            }
            out.append(" → ")
            if let status = summary.status { out.append(decimal: status) } else { out.append("no response") }
            out.append("  c2s ")
            out.append(decimal: summary.requestBodyBytes)
            out.append(" B  s2c ")
            out.append(decimal: summary.responseBodyBytes)
            out.append(" B")
            if let ttfb = summary.timeToFirstByteMilliseconds {
                out.append("  ttfb ")
                out.append(duration: ttfb)
            }
            if let total = summary.totalMilliseconds {
                out.append("  total ")
                out.append(duration: total)
            }
            if let reset = summary.reset {
                out.append("  reset ")
                out.append(trusted: HTTP2ErrorCode(rawValue: reset).name)
            }
            if summary.unfinished { out.append("  [unfinished]") }
            endLine(context)
            if hexdumps {
                hexdumpLines(summary.requestBody, text: Hexdump.looksLikeText(summary.requestBody), into: out)
                hexdumpLines(summary.responseBody, text: Hexdump.looksLikeText(summary.responseBody), into: out)
            }
        case .wsClosing(let closing):
            startLine(context)
            out.append(
                closing.firstDirection == .clientToServer
                    ? "websocket closed by the client" : "websocket closed by the server")
            if let code = closing.firstCode {
                out.append(" with ")
                out.append(decimal: Int(code))
            }
            if closing.answered {
                out.append(", answered after ")
                out.append(duration: closing.answerMilliseconds ?? 0)
            } else {
                out.append(", never answered")
            }
            endLine(context)
        }
    }

    /// `a,b,c` with each element escaped.
    private func appendList(_ items: [String], separator: StaticString, into out: OutputBuffer) {
        for (index, item) in items.enumerated() {
            if index > 0 { out.append(separator) }
            out.appendTerminalEscaped(item)
        }
    }

    /// `12 packets, 17.4 KB not recognised  `: one line for a run of bytes detection found
    /// no protocol in (or TLS it cannot decrypt, without the last words).
    private func runSize(_ chunk: RawChunk, into out: OutputBuffer) {
        out.append(decimal: chunk.packets)
        out.append(chunk.packets == 1 ? " packet, " : " packets, ")
        if chunk.length < 1000 {
            out.append(decimal: chunk.length)
            out.append(" B")
        } else if chunk.length < 1_000_000 {
            out.append(fixed: Double(chunk.length) / 1000, decimals: 1)
            out.append(" KB")
        } else {
            out.append(fixed: Double(chunk.length) / 1_000_000, decimals: 1)
            out.append(" MB")
        }
        out.append(chunk.notRecognised ? " not recognised  " : "  ")
    }

    private func rawHexPreview(_ chunk: RawChunk, into out: OutputBuffer) {
        let shown = min(chunk.head.count, RawStreamDissector.previewLength / 2)
        chunk.head.withUnsafeBytes { out.append(spacedHex: UnsafeRawBufferPointer(rebasing: $0[..<shown])) }
        if chunk.length > shown { out.append(" …") }
    }

    /// A payload on one line: escaped text (quoted), or hex for binary.
    private func preview(_ bytes: [UInt8], text: Bool, all: Bool, into out: OutputBuffer) {
        bytes.withUnsafeBytes { preview($0, text: text, all: all, into: out) }
    }

    private func preview(_ bytes: UnsafeRawBufferPointer, text: Bool, all: Bool, into out: OutputBuffer) {
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

    /// A payload's hexdump lines (`-x`/`-X` every payload, `--follow` binary ones).
    private func hexdumpLines(_ bytes: [UInt8], text: @autoclosure () -> Bool, into out: OutputBuffer) {
        guard !bytes.isEmpty else { return }
        switch options.hexdump {
        case .none: return
        case .binary: if text() { return }
        case .all: break
        }
        bytes.withUnsafeBytes { out.append(hexdump: $0, indent: Self.hexdumpIndent) }
    }

    private func appendOpcodeName(_ opcode: UInt8, into out: OutputBuffer) {
        if let name = WebSocketOpcode(rawValue: opcode).name {
            out.append(name)
        } else {
            out.append("opcode ")
            out.append(decimal: Int(opcode))
        }
    }

    /// `END_STREAM|END_HEADERS` (RFC 9113 §6), `0x0` for none, unknown bits as hex after the
    /// names (the names are the dissector's `HTTP2Flags`; `-v` only, so the small array per
    /// frame does not matter).
    private func appendHTTP2FlagNames(type: UInt8, flags: UInt8, into out: OutputBuffer) {
        var rest = flags
        var first = true
        for (flag, name) in HTTP2Flags.defined(for: HTTP2FrameType(rawValue: type)) where flags & flag.rawValue != 0 {
            if !first { out.append(UInt8(ascii: "|")) }
            out.append(trusted: name)
            rest &= ~flag.rawValue
            first = false
        }
        if rest != 0 || first {
            if !first { out.append(UInt8(ascii: "|")) }
            out.append("0x")
            out.append(hex: UInt32(rest))
        }
    }

    /// Columns a `-v` header line is indented past its message's text start.
    static let headerIndent = 4
    /// Bytes of a refused upgrade's body shown (escaped) on its body line.
    static let refusalBodyPreviewBytes = 160

    /// A refused upgrade's body as an escaped, bounded, quoted preview; binary as hex.
    private func upgradeRefusalBody(_ body: [UInt8], all: Bool, into out: OutputBuffer) {
        body.withUnsafeBytes { bytes in
            let shown = UnsafeRawBufferPointer(rebasing: bytes[..<min(bytes.count, Self.refusalBodyPreviewBytes)])
            let cut = !all || bytes.count > shown.count
            if PrintableText.isMostlyPrintable(shown) {
                out.append(UInt8(ascii: "\""))
                out.appendTerminalEscaped(PrintableText.trimmedToCharacter(shown, cut: cut))
                if cut { out.append("…") }
                out.append(UInt8(ascii: "\""))
            } else {
                out.append("hex ")
                out.append(
                    spacedHex: UnsafeRawBufferPointer(rebasing: shown[..<min(shown.count, Self.previewHexBytes)]))
                if cut || shown.count > Self.previewHexBytes { out.append(" …") }
            }
        }
    }

    /// The headers that explain an upgrade, shown on the message's line.
    private static let notable = [
        "host", "upgrade", "connection", "sec-websocket-protocol", "sec-websocket-extensions",
        "sec-websocket-version", "http2-settings", "content-length", "transfer-encoding",
    ]

    private func notableHeaders(_ headers: HTTPHeaders, into out: OutputBuffer) {
        guard !options.verbose else { return }
        for field in headers.fields where Self.notable.contains(field.name.lowercasedASCII) {
            out.append("  ")
            out.appendTerminalEscaped(field.name)
            out.append(": ")
            out.appendTerminalEscaped(field.value)
        }
    }

    private func allHeaders(_ headers: HTTPHeaders, _ context: LineContext) {
        guard options.verbose else { return }
        for field in headers.fields { headerFieldLine(field, context) }
    }

    /// One header under its message, indented to the message's text: time and direction
    /// are the message's, not repeated.
    private func headerFieldLine(_ field: HTTPField, _ context: LineContext) {
        let out = context.out
        out.append(repeating: UInt8(ascii: " "), count: prefixColumns + Self.headerIndent)
        out.appendTerminalEscaped(field.name)
        out.append(": ")
        out.appendTerminalEscaped(field.value)
        endLine(context)
    }

    // MARK: Colour

    private enum Colour {
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

    private func paintStart(_ colour: Colour, _ out: OutputBuffer) {
        guard options.colour, colour != .plain else { return }
        out.append(colour.code)
    }

    private func paintEnd(_ colour: Colour, _ out: OutputBuffer) {
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
