/// Drives one connection: detects its protocol, runs the HTTP/1 session, and after a switch
/// hands each direction's bytes from the switch offset to the dissector the registry picks.
final class ConnectionAnalysis {
    private enum Mode {
        case detecting
        case http1
        case dissector
    }

    /// What every connection of one analyzer shares: one reference per connection instead
    /// of a copy of each (a flood of 100,000 connections pays for it once).
    final class Settings {
        let registry: DissectorRegistry
        let limits: HTTP1Limits
        /// Secrets for decrypting TLS connections (nil: no key log given).
        let keyLog: TLSKeyLog?

        init(registry: DissectorRegistry, limits: HTTP1Limits, keyLog: TLSKeyLog?) {
            self.registry = registry
            self.limits = limits
            self.keyLog = keyLog
        }
    }

    /// The HTTP/1 session behind a reference: it holds two parsers (several hundred bytes
    /// inline), and most connections of a flood never get one.
    private final class HTTP1SessionBox {
        var session: HTTP1Session
        init(_ session: HTTP1Session) { self.session = session }
    }

    /// Bytes held while detecting, both directions, with the pieces they came in (made
    /// with the first byte and dropped once the protocol is known, so it costs nothing for
    /// most of a connection). Whoever speaks first, the client's start decides; a stream
    /// whose start was not captured is classified by content.
    private final class Detection {
        struct Piece {
            var direction: Direction
            var offset: UInt64
            var capture: CaptureInfo
            var range: Range<Int>
        }
        var bytes = PerDirection<[UInt8]>(repeating: [])
        var pieces: [Piece] = []
        /// Offset of each direction's first held byte.
        var first = PerDirection<UInt64?>(repeating: nil)
        var classification = ContentClassifier.Progress()
        /// Whether the held bytes were searched for HTTP/1 start lines (once when a
        /// direction fills `maxDetectionBytes`, again at the end).
        var startLinesSearched = false
        /// Bytes of each direction let go as a run not recognised (the hold filled).
        var released = PerDirection<UInt64>(repeating: 0)

        /// Lets go of everything `direction` holds (a run nothing was recognised in),
        /// handing each piece to `body`; its later bytes are classified afresh, and a chain
        /// at their start is no longer at the capture's start.
        func release(_ direction: Direction, _ body: (Piece, UnsafeRawBufferPointer) -> Void) {
            bytes[direction].withUnsafeBytes { all in
                for piece in pieces where piece.direction == direction {
                    body(piece, UnsafeRawBufferPointer(rebasing: all[piece.range]))
                }
            }
            pieces.removeAll { $0.direction == direction }
            released[direction] += UInt64(bytes[direction].count)
            bytes[direction].removeAll()
            first[direction] = nil
            classification.http2[direction] = 0
            classification.webSocket[direction] = 0
            classification.tls[direction] = 0
            classification.anchored[direction] = false
            classification.writeStarts[direction] = []
            startLinesSearched = false
        }

        /// `writeStart`: the chunk is a sender's whole write (a TLS record's plaintext).
        func append(
            _ chunk: UnsafeRawBufferPointer, direction: Direction, offset: UInt64, capture: CaptureInfo,
            writeStart: Bool = false
        ) {
            let side = direction
            if first[side] == nil { first[side] = offset }
            let start = bytes[side].count
            if writeStart && start > 0 { classification.writeStarts[side].insert(start) }
            bytes[side].append(contentsOf: chunk)
            pieces.append(
                Piece(direction: direction, offset: offset, capture: capture, range: start..<bytes[side].count))
        }
    }

    /// Bytes a direction holds before an HTTP/1 start line is looked for mid-stream, and
    /// before a client start that is HTTP, TLS or HTTP/2 but still undecided is settled.
    static let maxDetectionBytes = 16 * 1024
    /// Bytes held per direction while a stream without a recognizable start is classified
    /// by content (a capture that began inside a large frame finds its first boundary
    /// later): nothing is shown until the verdict, which then decodes from the first frame
    /// with each packet's own number and time. When a direction fills it, what is held is
    /// decided as if the stream ended there, and shown as one unrecognised run if nothing
    /// was found.
    /// A megabyte (python websockets' default max_size) and room for the frame headers
    /// after it: a message that large, seen from its header, is still decided on.
    static let maxHeldDetectionBytes = (1 << 20) + (64 << 10)
    /// Bytes per direction let go unrecognised before the connection is shown as bytes
    /// not recognised to its end (classification stops).
    static let maxReleasedDetectionBytes: UInt64 = 16 << 20

    /// The directions whose HTTP/1 framing was lost, shown raw from there on (rare, so
    /// behind one reference).
    private final class Unparsed {
        var sides = PerDirection<RawStreamDissector?>(repeating: nil)
    }

    /// A 101 whose outcome is not known yet: its switch event and every event after it are
    /// held until the client speaks (established) or the connection ends (rejected by
    /// the client, or unknown when the capture ended first).
    private final class PendingOutcome {
        var upgrade: UpgradeSwitch
        let capture: CaptureInfo
        let direction: Direction
        var held: EventBuffer
        init(upgrade: UpgradeSwitch, capture: CaptureInfo, direction: Direction, collectingFor outer: EventBuffer) {
            self.upgrade = upgrade
            self.capture = capture
            self.direction = direction
            held = EventBuffer(collectingFor: outer)
        }
    }

    /// Events held while a switch's outcome is pending, at most: a server that talks on
    /// and on to a silent client does not make the analysis hold its whole stream.
    static let maxHeldOutcomeEvents = 1024
    /// Events held for time order while a direction's frame boundaries are searched, at
    /// most; past it they go out as they are.
    static let maxReorderedEvents = 4096

    let id: ConnectionID
    private let settings: Settings
    private var registry: DissectorRegistry { settings.registry }
    private var limits: HTTP1Limits { settings.limits }
    private var keyLog: TLSKeyLog? { settings.keyLog }
    private var mode: Mode = .detecting
    /// Made when the connection turns out to speak HTTP/1 (a silent connection costs none).
    private var http: HTTP1SessionBox?
    private var dissector: (any UpgradedStreamDissector)?
    private var unparsed: Unparsed?
    private var detection: Detection?
    private var pendingOutcome: PendingOutcome?
    /// Events of a connection classified by content, held while the dissector still
    /// searches a direction's frame boundaries (that direction's events come late, in a
    /// batch) and then delivered in capture order across both directions.
    private var reordering: EventBuffer?
    /// The server's port, for a connection whose start was not captured: the finding that
    /// nothing was recognised names the `--decode-as` that would apply.
    var serverPort: UInt16?
    /// The connection's first bytes were captured (false: the capture began mid-stream,
    /// and its first bytes are not a start).
    var startSeen = true
    /// Each chunk received is a sender's whole write (the plaintext of one TLS record), so
    /// its start is as likely a frame boundary as a capture's first byte.
    var receivesWholeWrites = false
    /// Next offset per direction (where each direction ended, for the close).
    private var ends = PerDirection<UInt64>(repeating: 0)
    private let interpreterOverride: (any WebSocketInterpreterFactory)?

    /// The registry's interpreters, with this connection's override.
    private var interpreters: WebSocketInterpreterSet {
        var set = registry.interpreters
        if let interpreterOverride { set.forced = interpreterOverride }
        return set
    }

    /// `decodeAs` starts a dissector at offset 0 without a handshake (like tshark's
    /// Decode As), for captures that begin after the switch.
    convenience init(
        id: ConnectionID, registry: DissectorRegistry, limits: HTTP1Limits, keyLog: TLSKeyLog? = nil,
        decodeAs: ProtocolID? = nil
    ) {
        self.init(id: id, settings: Settings(registry: registry, limits: limits, keyLog: keyLog), decodeAs: decodeAs)
    }

    /// `startSeen`: the connection's first bytes were captured (decode-as then parses from
    /// them; otherwise the dissector first looks for frame boundaries).
    /// `interpreter`: `--decode-ws-as PROTO=PORT` named one for this connection's WebSockets.
    init(
        id: ConnectionID, settings: Settings, decodeAs: ProtocolID? = nil, startSeen: Bool = true,
        interpreter: (any WebSocketInterpreterFactory)? = nil
    ) {
        self.id = id
        self.settings = settings
        interpreterOverride = interpreter
        if let decodeAs { start(decodeAs, aligned: startSeen) }
    }

    /// The decrypted stream of a TLS connection is analysed as a cleartext one would be,
    /// with the same registry and limits (and no key log: TLS inside TLS is not decrypted).
    private var decryptedAnalysisMaker: DecryptedStreamAnalysisMaker {
        let (id, registry, limits) = (id, registry, limits)
        return { start in
            switch start {
            case .http2: return ConnectionAnalysis(id: id, registry: registry, limits: limits, decodeAs: .http2)
            case .detect: return ConnectionAnalysis(id: id, registry: registry, limits: limits)
            case .midStream:
                let analysis = ConnectionAnalysis(id: id, registry: registry, limits: limits)
                analysis.startSeen = false
                analysis.receivesWholeWrites = true
                return analysis
            }
        }
    }

    /// `protocolID` from offset 0, without a handshake (decode-as), as the registry starts it.
    private func start(_ protocolID: ProtocolID, aligned: Bool) {
        var context = UpgradeContext(
            protocolName: protocolID.token, request: nil, response: nil, clientToServerOffset: 0,
            serverToClientOffset: 0)
        context.startsAtFrameBoundary = aligned
        context.interpreters = interpreters
        let start = registry.startFromFirstByte(
            protocolID,
            FirstByteDecoder.Context(stream: context, connection: id, keyLog: keyLog, makeInner: decryptedAnalysisMaker)
        )
        switch start {
        case .http1:
            http = HTTP1SessionBox(
                HTTP1Session(
                    limits: limits, bodies: registry.bodies, handshakeOnlyHeaders: registry.handshakeOnlyHeaders))
            mode = .http1
        case .dissector(let started):
            dissector = started
            mode = .dissector
        }
    }

    func receive(
        _ bytes: UnsafeRawBufferPointer, direction: Direction, offset: UInt64, capture: CaptureInfo,
        events: inout EventBuffer
    ) {
        if let pending = pendingOutcome {
            if direction == .clientToServer && !bytes.isEmpty {
                resolveOutcome(.established, events: &events)
            } else {
                pending.held.stamp(like: events)
                dispatch(bytes, direction: direction, offset: offset, capture: capture, events: &pending.held)
                if pending.held.count > Self.maxHeldOutcomeEvents { resolveOutcome(.unknown, events: &events) }
                return
            }
        }
        dispatch(bytes, direction: direction, offset: offset, capture: capture, events: &events)
    }

    private func dispatch(
        _ bytes: UnsafeRawBufferPointer, direction: Direction, offset: UInt64, capture: CaptureInfo,
        events: inout EventBuffer
    ) {
        setEnd(direction, offset + UInt64(bytes.count))
        switch mode {
        case .detecting:
            detect(bytes, direction: direction, offset: offset, capture: capture, events: &events)
        case .http1:
            feedHTTP(bytes, direction: direction, offset: offset, capture: capture, events: &events)
        case .dissector:
            if var held = reordering {
                reordering = nil
                held.stamp(like: events)
                dissector?.receive(bytes, direction: direction, offset: offset, capture: capture, events: &held)
                settle(held, events: &events)
            } else {
                dissector?.receive(bytes, direction: direction, offset: offset, capture: capture, events: &events)
            }
        }
    }

    /// Keeps holding `held` while the dissector searches frame boundaries (within the
    /// limit), else delivers it in capture order: by packet, and in order within one.
    private func settle(_ held: EventBuffer, final: Bool = false, events: inout EventBuffer) {
        if !final, dissector?.isSearchingForFrames == true, held.count < Self.maxReorderedEvents {
            reordering = held
            return
        }
        let ordered = held.events.enumerated().sorted {
            ($0.element.packet, $0.offset) < ($1.element.packet, $1.offset)
        }
        for (_, event) in ordered { events.deliver(event) }
    }

    func gap(
        direction: Direction, offset: UInt64, length: UInt64, reason: GapReason, capture: CaptureInfo,
        events: inout EventBuffer
    ) {
        if let pending = pendingOutcome {
            // Bytes the client sent and the capture lost still show it went on.
            if direction == .clientToServer {
                resolveOutcome(.established, events: &events)
            } else {
                pending.held.stamp(like: events)
                dispatchGap(
                    direction: direction, offset: offset, length: length, reason: reason, capture: capture,
                    events: &pending.held)
                return
            }
        }
        dispatchGap(
            direction: direction, offset: offset, length: length, reason: reason, capture: capture, events: &events)
    }

    private func dispatchGap(
        direction: Direction, offset: UInt64, length: UInt64, reason: GapReason, capture: CaptureInfo,
        events: inout EventBuffer
    ) {
        if mode == .detecting, detection != nil {
            // What was held cannot be followed across the gap: decide with it.
            finishDetection(final: true, events: &events)
        }
        if var runs = dissector as? ByteRunDissector {
            // The run before the gap goes out before the gap's line.
            runs.flush(direction, events: &events)
            dissector = runs
        }
        if reordering != nil {
            reordering?.add(
                .gap(length: length, reason: reason), capture: capture, direction: direction, offset: offset)
        } else {
            events.add(.gap(length: length, reason: reason), capture: capture, direction: direction, offset: offset)
        }
        setEnd(direction, offset + length)
        switch mode {
        case .detecting:
            break  // nothing held yet: the bytes after the gap are classified
        case .http1:
            if unparsedDissector(direction) == nil,
                http?.session.gap(
                    direction: direction, offset: offset, length: length, capture: capture, events: &events) == true
            {
                setUnparsed(direction, RawStreamDissector(protocolName: "unparsed"))
            }
        case .dissector:
            if var held = reordering {
                reordering = nil
                dissector?.receiveGap(
                    direction: direction, offset: offset, length: length, capture: capture, events: &held)
                settle(held, events: &events)
            } else {
                dissector?.receiveGap(
                    direction: direction, offset: offset, length: length, capture: capture, events: &events)
            }
        }
    }

    /// The connection closed for `reason` (`captureEnded`: only the capture did).
    func finish(capture: CaptureInfo, reason: CloseReason? = nil, events: inout EventBuffer) {
        let captureEnded = reason == .captureEnded
        if pendingOutcome != nil {
            switch reason {
            case .fin?, .rst?, .reused?:
                resolveOutcome(.rejectedByClient(reason ?? .fin), events: &events)
            default:
                resolveOutcome(.unknown, events: &events)
            }
        }
        if mode == .detecting, detection != nil {
            finishDetection(final: true, events: &events)
        }
        switch mode {
        case .detecting:
            break
        case .http1:
            http?.session.finish(
                clientOffset: ends.clientToServer, serverOffset: ends.serverToClient, captureEnded: captureEnded,
                capture: capture, events: &events)
        case .dissector:
            if var held = reordering {
                reordering = nil
                dissector?.finish(capture: capture, captureEnded: captureEnded, events: &held)
                settle(held, final: true, events: &events)
            } else {
                dissector?.finish(capture: capture, captureEnded: captureEnded, events: &events)
            }
        }
    }

    /// What the connection was doing (for a close by the capture's end).
    var openState: OpenConnectionState {
        switch mode {
        case .detecting: OpenConnectionState(protocolName: "unknown")
        case .http1:
            OpenConnectionState(protocolName: "http", inFlight: http?.session.requestsInFlight ?? 0, unit: .requests)
        case .dissector: dissector?.openState ?? OpenConnectionState(protocolName: "unknown")
        }
    }

    // MARK: Switch outcome

    /// Emits the held switch with its outcome, then every event held behind it.
    private func resolveOutcome(_ outcome: UpgradeOutcome, events: inout EventBuffer) {
        guard let pending = pendingOutcome else { return }
        pendingOutcome = nil
        pending.upgrade.outcome = outcome
        events.add(
            .upgrade(pending.upgrade), capture: pending.capture, direction: pending.direction,
            offset: pending.upgrade.serverToClientOffset)
        for event in pending.held.events { events.deliver(event) }
    }

    // MARK: Detection

    private func detect(
        _ bytes: UnsafeRawBufferPointer, direction: Direction, offset: UInt64, capture: CaptureInfo,
        events: inout EventBuffer
    ) {
        guard !bytes.isEmpty else { return }
        let detection = self.detection ?? Detection()
        self.detection = detection
        detection.append(
            bytes, direction: direction, offset: offset, capture: capture, writeStart: receivesWholeWrites && !startSeen
        )
        if let verdict = decide(detection, final: false) {
            finishDetection(final: false, verdict: verdict, events: &events)
            return
        }
        let held = detection.bytes[direction].count
        guard held >= Self.maxDetectionBytes else { return }
        // A client start that is HTTP, TLS or HTTP/2 but still undecided is settled now; a
        // stream that began mid-way is held on, within the limit.
        let client = detection.bytes[.clientToServer]
        let startKnown =
            !client.isEmpty
            && ProtocolDetector.detect(client, direction: .clientToServer, final: true, midStream: !startSeen)
                != .unknown
        if startKnown {
            finishDetection(final: false, events: &events)
        } else if held >= Self.maxHeldDetectionBytes {
            guard detection.released[direction] < Self.maxReleasedDetectionBytes else {
                finishDetection(final: true, events: &events)
                return
            }
            // One run not recognised, and the search goes on after it.
            var run = ByteRunDissector()
            detection.release(direction) { piece, pieceBytes in
                run.receive(
                    pieceBytes, direction: piece.direction, offset: piece.offset, capture: piece.capture,
                    events: &events)
            }
            run.flush(direction, events: &events)
        }
    }

    /// What the held bytes say; nil while more are needed. The client's first bytes
    /// decide whoever spoke first (a server's SETTINGS or banner may come before the
    /// client's preface); without a known start, the content decides.
    private func decide(_ detection: Detection, final: Bool) -> Verdict? {
        let client = detection.bytes[.clientToServer]
        let server = detection.bytes[.serverToClient]
        if !client.isEmpty {
            switch ProtocolDetector.detect(client, direction: .clientToServer, final: final, midStream: !startSeen) {
            case nil: return nil
            case .unknown?: break
            case let known?: return .start(known)
            }
        } else if ProtocolDetector.detect(server, direction: .serverToClient, final: false) == .http1 {
            return .start(.http1)
        } else if startSeen && !final {
            // The server spoke first on a connection whose start was captured (nghttpd's
            // SETTINGS before the preface arrives): the client's first bytes decide.
            return nil
        }
        if let verdict = ContentClassifier.classify(
            client: client, server: server, final: final, progress: &detection.classification)
        {
            return .content(verdict)
        }
        // A server that begins with a status line while the client's bytes are the rest of
        // a request head (the capture began inside it): HTTP/1 from the head's end on.
        if HTTP1StartLineScanner.isStatusLine(server, at: 0), let headEnd = Self.requestHeadEnd(client) {
            return .http1ResponseFirst(clientHeadEnd: headEnd)
        }
        // HTTP/1.x mid-stream: a request line after a CRLF, at a later offset. Looked for
        // when the frame classifiers had their chance (once a direction held
        // `maxDetectionBytes`, and at the end): not again with every packet held.
        let full = client.count >= Self.maxDetectionBytes || server.count >= Self.maxDetectionBytes
        guard final || (full && !detection.startLinesSearched) else { return nil }
        if !final { detection.startLinesSearched = true }
        if let request = HTTP1StartLineScanner.firstStartLine(client, direction: .clientToServer) {
            return .http1MidStream(
                client: request, server: HTTP1StartLineScanner.firstStartLine(server, direction: .serverToClient))
        }
        guard final else { return nil }
        return decryptableRecords(client: client, server: server) ?? .start(.unknown)
    }

    /// At the end, with a key log: too few records for a TLS verdict by their headers alone
    /// (a capture that began near a connection's end), but records that tile a direction
    /// to its last byte are worth a decryption try; TLSMidStreamSession says whether one
    /// opened (an AEAD tag cannot pass by chance), and shows them as TLS records if not.
    private func decryptableRecords(client: [UInt8], server: [UInt8]) -> Verdict? {
        guard let keyLog, !keyLog.isEmpty else { return nil }
        func boundary(_ bytes: [UInt8]) -> Int? {
            var search = TLSRecordBoundarySearch()
            let outcome = bytes.withUnsafeBytes { search.append($0, offset: 0) }
            guard case .found(let offset) = outcome == .searching ? search.finish() : outcome else { return nil }
            return Int(offset)
        }
        let found = PerDirection(clientToServer: boundary(client), serverToClient: boundary(server))
        guard found.clientToServer != nil || found.serverToClient != nil else { return nil }
        return .content(
            ContentClassifier.Verdict(
                protocolKind: .tls, boundaries: found,
                evidence:
                    "tls by content: too few records to tell by their headers, whose lengths tile the bytes to the end; tried with the key log"
            ))
    }

    /// Where the first blank line after a request's header lines ends in `client`
    /// (searched within `maxDetectionBytes`), nil when there is none.
    private static func requestHeadEnd(_ client: [UInt8]) -> Int? {
        let blankLine: [UInt8] = [0x0d, 0x0a, 0x0d, 0x0a]
        let limit = min(client.count, maxDetectionBytes)
        guard limit >= blankLine.count else { return nil }
        for index in 0...(limit - blankLine.count) where client[index] == blankLine[0] {
            if client[index..<(index + blankLine.count)].elementsEqual(blankLine) { return index + blankLine.count }
        }
        return nil
    }

    private enum Verdict {
        /// Told by the stream's first bytes.
        case start(DetectedProtocol)
        /// Told by frame headers in a stream whose start was not captured.
        case content(ContentClassifier.Verdict)
        /// HTTP/1.x from a request line found after the start (and the server's first
        /// status line, when one was held).
        case http1MidStream(client: Int, server: Int?)
        /// HTTP/1.x from the server's status line at its first byte, and the client's bytes
        /// after the request head the capture began inside.
        case http1ResponseFirst(clientHeadEnd: Int)
    }

    /// Picks the protocol and replays the bytes held while deciding, piece by piece, each
    /// with its own packet. `final`: no more bytes will come (the connection ended, a gap
    /// cut the stream, or a direction filled the hold). `verdict`: one already reached.
    private func finishDetection(final: Bool, verdict reached: Verdict? = nil, events: inout EventBuffer) {
        guard let held = detection else { return }
        detection = nil
        let verdict =
            reached ?? decide(held, final: false) ?? (final ? decide(held, final: true) : nil) ?? .start(.unknown)
        var skip = PerDirection(repeating: 0)
        switch verdict {
        case .start(.http1):
            startHTTP1()
            if !startSeen {
                // A request line began the client's bytes, but the server's held bytes may be
                // the rest of a response to a request before the capture: from its first
                // status line on (none: all of them are that rest).
                let server = held.bytes.serverToClient
                let start =
                    HTTP1StartLineScanner.isStatusLine(server, at: 0)
                    ? 0 : HTTP1StartLineScanner.firstStartLine(server, direction: .serverToClient) ?? server.count
                skip = PerDirection(clientToServer: 0, serverToClient: start)
                reportNotRecognised(held, before: skip, events: &events)
            }
        case .http1MidStream(let client, let server):
            startHTTP1()
            // Bytes before the first start line of each direction belong to messages whose
            // start was not captured: skipped, and said so. A server direction without a
            // status line held is parsed as it comes.
            skip = PerDirection(clientToServer: client, serverToClient: server ?? 0)
            var evidence = "http by content: a request line after \(client) bytes of the client's stream"
            if let server { evidence += ", a status line after \(server) bytes of the server's" }
            let first = held.pieces.first
            events.finding(
                .detectedByContent, evidence, capture: first?.capture ?? CaptureInfo(packetNumber: 0, timestamp: .zero),
                direction: first?.direction, offset: first?.offset)
        case .http1ResponseFirst(let headEnd):
            startHTTP1()
            skip = PerDirection(clientToServer: headEnd, serverToClient: 0)
            let first = held.pieces.first
            events.finding(
                .detectedByContent,
                "http by content: a status line at the server's first byte; the client's first \(headEnd) bytes end a request head whose start was not captured",
                capture: first?.capture ?? CaptureInfo(packetNumber: 0, timestamp: .zero),
                direction: first?.direction, offset: first?.offset)
        case .start(.tls):
            dissector = TLSSession(keyLog: keyLog, connection: id, makeInner: decryptedAnalysisMaker)
            mode = .dissector
        case .start(.http2PriorKnowledge):
            var context = UpgradeContext(
                protocolName: ProtocolID.http2.token, request: nil, response: nil,
                clientToServerOffset: held.first[.clientToServer] ?? 0,
                serverToClientOffset: held.first[.serverToClient] ?? 0)
            context.interpreters = interpreters
            dissector = registry.dissector(for: context)
            mode = .dissector
        case .start(.unknown):
            startNotRecognised(held, events: &events)
        case .content(let found):
            // Everything from the verdict on in capture order: the runs not recognised, the
            // replayed frames, and those of a direction still searched for boundaries.
            var ordered = EventBuffer(collectingFor: events)
            ordered.stamp(like: events)
            skip = startByContent(found, held, events: &ordered)
            reordering = ordered
            replay(held, skipping: skip, events: &events)
            if let ordered = reordering {
                reordering = nil
                settle(ordered, events: &events)
            }
            return
        }
        replay(held, skipping: skip, events: &events)
    }

    private func startHTTP1() {
        var session = HTTP1Session(
            limits: limits, bodies: registry.bodies, handshakeOnlyHeaders: registry.handshakeOnlyHeaders)
        session.requestsMayPrecedeCapture = !startSeen
        http = HTTP1SessionBox(session)
        mode = .http1
    }

    /// Nothing recognised: the held bytes and what follows are shown as one run per
    /// direction, and the finding says once what the user can do about it.
    private func startNotRecognised(_ held: Detection, events: inout EventBuffer) {
        dissector = ByteRunDissector()
        mode = .dissector
        guard let first = held.pieces.first else { return }
        let port = serverPort.map { String($0) } ?? "PORT"
        let others = registry.protocols.filter { $0.decodesFromFirstByte && $0 != .websocket }
            .compactMap(\.decodeAsNames.first).joined(separator: ", ")
        events.finding(
            .detectedNothing,
            "no protocol recognized in the first \(held.bytes.clientToServer.count) client and \(held.bytes.serverToClient.count) server bytes (no HTTP, TLS or HTTP/2 start, no run of WebSocket or HTTP/2 frame headers); if this is a WebSocket whose handshake was not captured, --decode-as websocket=\(port) decodes it (or \(others) for those)",
            capture: first.capture, direction: first.direction, offset: first.offset)
    }

    /// A content verdict: the dissector starts where each direction's first frame boundary
    /// was found (elsewhere it looks for one); the bytes before a boundary are one run
    /// not recognised. Returns how many held bytes of each direction it took.
    private func startByContent(
        _ found: ContentClassifier.Verdict, _ held: Detection, events: inout EventBuffer
    ) -> PerDirection<Int> {
        let clientBoundary = found.boundaries.clientToServer
        let serverBoundary = found.boundaries.serverToClient
        var context = UpgradeContext(
            protocolName: found.protocolKind.protocolID.token, request: nil, response: nil,
            clientToServerOffset: (held.first[.clientToServer] ?? 0) + UInt64(clientBoundary ?? 0),
            serverToClientOffset: (held.first[.serverToClient] ?? 0) + UInt64(serverBoundary ?? 0))
        context.midConnection = true
        context.clientStartsAtFrameBoundary = clientBoundary != nil
        context.serverStartsAtFrameBoundary = serverBoundary != nil
        context.interpreters = interpreters
        let skip = PerDirection(clientToServer: clientBoundary ?? 0, serverToClient: serverBoundary ?? 0)
        var evidence = found.evidence
        switch found.protocolKind {
        case .websocket, .http2:
            dissector = registry.dissector(for: context)
        case .tls:
            if let keyLog, !keyLog.isEmpty {
                // The handshake was not captured: TLS 1.3 records are opened by trying the
                // logged secrets (TLSMidStreamSession says which opened what).
                dissector = TLSMidStreamSession(
                    keyLog: keyLog, makeInner: decryptedAnalysisMaker,
                    aligned: PerDirection(clientToServer: clientBoundary != nil, serverToClient: serverBoundary != nil))
            } else {
                dissector = ByteRunDissector(protocolName: ProtocolID.tls.token, notRecognised: false)
                evidence +=
                    "; not decrypted: no key log (with one, TLS 1.3 records are opened by trying its secrets)"
            }
        }
        mode = .dissector
        let first = held.pieces.first
        events.finding(
            .detectedByContent, evidence,
            capture: first?.capture ?? CaptureInfo(packetNumber: 0, timestamp: .zero),
            direction: first?.direction, offset: first?.offset)
        reportNotRecognised(held, before: skip, events: &events)
        return skip
    }

    /// The held bytes of each direction before `skip` as one run not recognised.
    private func reportNotRecognised(_ held: Detection, before skip: PerDirection<Int>, events: inout EventBuffer) {
        var skipped = ByteRunDissector()
        for piece in held.pieces where piece.range.lowerBound < skip[piece.direction] {
            let end = min(piece.range.upperBound, skip[piece.direction])
            held.bytes[piece.direction].withUnsafeBytes { all in
                skipped.receive(
                    UnsafeRawBufferPointer(rebasing: all[piece.range.lowerBound..<end]), direction: piece.direction,
                    offset: piece.offset, capture: piece.capture, events: &events)
            }
        }
        skipped.flushAll(events: &events)
    }

    /// The held pieces from `skip` of each direction on, through `receive`, in the order
    /// they arrived and each with its own packet.
    private func replay(_ held: Detection, skipping skip: PerDirection<Int>, events: inout EventBuffer) {
        for piece in held.pieces {
            let from = max(piece.range.lowerBound, skip[piece.direction])
            guard from < piece.range.upperBound else { continue }
            held.bytes[piece.direction].withUnsafeBytes { all in
                receive(
                    UnsafeRawBufferPointer(rebasing: all[from..<piece.range.upperBound]), direction: piece.direction,
                    offset: piece.offset + UInt64(from - piece.range.lowerBound), capture: piece.capture,
                    events: &events)
            }
        }
    }

    // MARK: HTTP/1

    private func feedHTTP(
        _ bytes: UnsafeRawBufferPointer, direction: Direction, offset: UInt64, capture: CaptureInfo,
        events: inout EventBuffer
    ) {
        if let unparsed, unparsed.sides[direction] != nil {
            unparsed.sides[direction]?.receive(
                bytes, direction: direction, offset: offset, capture: capture, events: &events)
            return
        }
        let received =
            direction == .clientToServer
            ? http?.session.receiveFromClient(bytes, offset: offset, capture: capture, events: &events)
            : http?.session.receiveFromServer(bytes, offset: offset, capture: capture, events: &events)
        guard let outcome = received else { return }
        switch outcome {
        case .continuing:
            break
        case .stopped(let replay, let index):
            var raw = RawStreamDissector(protocolName: "unparsed")
            replay.bytes.withUnsafeBytes { retained in
                raw.receive(
                    retained, direction: direction, offset: replay.offset, capture: replay.capture, events: &events)
            }
            raw.receive(
                bytes.droppingPrefix(index), direction: direction, offset: offset + UInt64(index), capture: capture,
                events: &events)
            setUnparsed(direction, raw)
        case .switched(let verdict):
            handOff(verdict, chunk: bytes, direction: direction, offset: offset, capture: capture, events: &events)
        }
    }

    /// The connection leaves HTTP/1: the registry's handler checks the handshake and makes
    /// the dissector; the switch event waits for the client's answer (101s); the bytes
    /// that already arrived for the new protocol go to it, the client's first (they were
    /// sent before the verdict came).
    private func handOff(
        _ verdict: UpgradeVerdict, chunk bytes: UnsafeRawBufferPointer, direction: Direction, offset: UInt64,
        capture: CaptureInfo, events: inout EventBuffer
    ) {
        let handler = registry.handler(for: verdict)
        var token = handler.switchName ?? ""
        if case .upgrade(let offered) = verdict.kind { token = handler.switchName ?? offered }
        var check = UpgradeHandshakeCheck()
        if let request = verdict.request, verdict.status == 101 {
            check = handler.checkHandshake(request: request, response: verdict.response)
        }
        for finding in check.findings {
            events.add(finding, capture: capture, direction: .serverToClient, offset: verdict.serverToClientOffset)
        }
        let upgrade = UpgradeSwitch(
            protocolName: token, status: verdict.status, clientToServerOffset: verdict.clientToServerOffset,
            serverToClientOffset: verdict.serverToClientOffset, latencyMilliseconds: verdict.latencyMilliseconds,
            target: verdict.request?.target ?? "", details: check.details)
        if verdict.status == 101 {
            // Only what the client does next tells whether it took the switch.
            pendingOutcome = PendingOutcome(
                upgrade: upgrade, capture: capture, direction: direction, collectingFor: events)
        } else {
            events.add(.upgrade(upgrade), capture: capture, direction: direction, offset: upgrade.serverToClientOffset)
        }
        if handler.detectsTunnelledProtocol {
            mode = .detecting
        } else {
            var context = UpgradeContext(
                protocolName: token, request: verdict.request, response: verdict.response,
                clientToServerOffset: verdict.clientToServerOffset,
                serverToClientOffset: verdict.serverToClientOffset)
            context.requestTimestamp = verdict.requestTimestamp
            context.interpreters = interpreters
            dissector = handler.makeDissector(context) ?? RawStreamDissector(protocolName: token)
            mode = .dissector
        }
        // Through `receive`, as if they arrived now: client bytes settle a pending outcome.
        if let held = verdict.clientBytes {
            held.bytes.withUnsafeBytes { heldBytes in
                receive(
                    heldBytes, direction: .clientToServer, offset: held.offset, capture: held.capture, events: &events)
            }
        }
        let remainder = bytes.droppingPrefix(verdict.serverRemainderIndex)
        if !remainder.isEmpty {
            receive(
                remainder, direction: direction, offset: offset + UInt64(verdict.serverRemainderIndex),
                capture: capture, events: &events)
        }
    }

    // MARK: Per direction

    private func unparsedDissector(_ direction: Direction) -> RawStreamDissector? {
        unparsed?.sides[direction] ?? nil
    }

    private func setUnparsed(_ direction: Direction, _ raw: RawStreamDissector) {
        let unparsed = self.unparsed ?? Unparsed()
        self.unparsed = unparsed
        unparsed.sides[direction] = raw
    }

    private func setEnd(_ direction: Direction, _ end: UInt64) {
        ends[direction] = end
    }
}

extension ConnectionAnalysis: DecryptedStreamAnalysis {}
