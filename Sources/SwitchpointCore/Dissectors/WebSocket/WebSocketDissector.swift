/// RFC 6455 after the switch: frames, messages (fragments assembled, control frames
/// between them allowed), permessage-deflate, the close handshake, and every rule as a
/// finding. Sans-I/O: bytes in, events out; payloads are streamed, never held whole.
package struct WebSocketDissector: UpgradedStreamDissector {
    struct Message {
        var opcode: UInt8
        var offset: UInt64
        var frames = 0
        var wireLength: UInt64 = 0
        var length: UInt64 = 0
        var compressed: Bool
        var utf8 = UTF8Validator()
        var kept: [UInt8]
        var keptAll = true
        var complete = true
        var problem: String?
        var inflating = true
        var lengthUnknown = false
        /// The packet of the first frame's header.
        var firstPacket: UInt64 = 0
    }

    /// One direction's state. A class: every frame touches several of its fields, and a
    /// struct in an array was copied whole on many of those accesses (a tenth of the
    /// profile). A dissector is owned by one connection and never copied.
    final class Side {
        var parser = WebSocketFrameParser()
        var frame: WebSocketFrameHeader?
        /// The current frame's payload belongs to the message in progress.
        var frameInMessage = false
        /// The current frame's payload is inflated on its own (x-webkit-deflate-frame).
        var frameCompressed = false
        var control: [UInt8] = []
        var message: Message?
        var inflater: Inflater?
        /// The inflater's window may lack history (the capture began mid-stream, or a gap
        /// or failure reset it): it then inflates against a placeholder window and marks
        /// the bytes copied from it unknown (`Inflater`), until its window is all known.
        var historyUnknown = false
        var closeSeen = false
        /// Set while frame boundaries are unknown: bytes are held and searched, not parsed.
        var resync: FrameResync?
        /// Frames since the last resync: a continuation may belong to a message whose
        /// first frame was never seen.
        var afterResync = false
        var reported: Set<FindingCode> = []
        var pings: [(payload: [UInt8], at: Timestamp)] = []
        /// Pongs that matched no ping of the peer: a direction held while its frame
        /// boundaries were searched delivers its ping after the pong that answered it.
        var unmatchedPongs: [(payload: [UInt8], at: Timestamp)] = []
        /// Which packets carried the last bytes, for a frame header split across packets.
        var packets = RecentChunkPackets()
        /// The packet of the current frame's header.
        var frameFirstPacket: UInt64 = 0
        /// The current frame's `ws.frame` event waits for the frame's end, so that it names
        /// the packet that completed it (as tshark reports a reassembled frame).
        var frameEventPending = false

        /// The window's earlier content is not known from here on.
        func loseHistory() {
            historyUnknown = true
            inflater?.resetWithoutHistory()
        }
        /// Which bytes of the message in progress are known, from the first one copied from
        /// a history never seen. Kept beside the message, not in it: a larger `Message`
        /// made every optional access to it in the frame loop an outlined call.
        var messageRecovery: WebSocketRecovery?
        /// The message in progress is collected for the interpreter.
        var collecting = false
        /// Its inflated bytes (`WebSocketInterpreterLimits.maxMessageBytes` at most), the
        /// buffer reused from message to message.
        var collected: [UInt8] = []
    }

    package let compression: WebSocketCompression?
    package let options: WebSocketOptions
    /// True when the opening handshake was not captured (decode-as): a compressed
    /// stream's history may be missing.
    let startedWithoutHandshake: Bool
    /// Per direction, indexed by `Direction.rawValue`.
    private let sides = PerDirection(clientToServer: Side(), serverToClient: Side())
    private var scratch: [UInt8] = []
    private var closes: [(direction: Direction, code: UInt16?, at: Timestamp)] = []
    private var lastCapture: CaptureInfo?
    /// Reads the messages as an application protocol (Socket.IO, GraphQL, …), when one
    /// was chosen.
    private var interpreter: (any WebSocketMessageInterpreter)?
    /// Set while the first data message is to choose the interpreter by its content.
    private var candidates: WebSocketInterpreterSet?
    /// `interpreter` or `candidates` is set: a flag, as testing those optionals for nil
    /// copied them on every data frame.
    private var collectsMessages = false
    /// The interpreter's events of one message, held until the message's own event is out.
    private var interpreted: EventBuffer?

    package init(context: UpgradeContext, options: WebSocketOptions = WebSocketOptions()) {
        self.options = options
        startedWithoutHandshake = context.response == nil
        if let response = context.response {
            compression = WebSocketCompression.negotiated(response.headers)
        } else {
            // No handshake seen (decode-as): RSV1 can only mean permessage-deflate in
            // practice; its parameters and the earlier window are unknown.
            compression = WebSocketCompression(kind: .perMessageDeflate)
        }
        if compression != nil {
            sides[.clientToServer].inflater = Inflater()
            sides[.serverToClient].inflater = Inflater()
        }
        if startedWithoutHandshake {
            for direction in Direction.allCases { sides[direction].loseHistory() }
        }
        // Mid-connection, the first frames may continue a message begun before the capture.
        sides[.clientToServer].afterResync = context.midConnection
        sides[.serverToClient].afterResync = context.midConnection
        if !context.clientStartsAtFrameBoundary {
            sides[.clientToServer].resync = FrameResync(from: context.clientToServerOffset)
        }
        if !context.serverStartsAtFrameBoundary {
            sides[.serverToClient].resync = FrameResync(from: context.serverToClientOffset)
        }
        let subprotocol = context.response?.headers.listElements("Sec-WebSocket-Protocol").first
        let target = context.request?.target ?? context.target
        switch context.interpreters.choice(subprotocol: subprotocol, target: target) {
        case .none: break
        case .chosen(let factory):
            interpreter = factory.makeInterpreter(
                handshake: WebSocketInterpreterHandshake(subprotocol: subprotocol, target: target))
            collectsMessages = true
        case .byContent:
            candidates = context.interpreters
            collectsMessages = true
        }
    }

    // MARK: Bytes

    package mutating func receive(
        _ bytes: UnsafeRawBufferPointer, direction: Direction, offset: UInt64, capture: CaptureInfo,
        events: inout EventBuffer
    ) {
        let side = sides[direction]
        lastCapture = capture
        if side.resync != nil {
            resynchronize(bytes, direction: direction, offset: offset, capture: capture, events: &events)
            return
        }
        side.packets.record(chunkAt: offset, capture: capture)
        var index = 0
        while let event = side.parser.next(bytes, index: &index, offset: offset) {
            switch event {
            case .header(let header, let at):
                side.frameFirstPacket = side.packets.packetNumber(at: at, chunkOffset: offset, capture: capture)
                // The frame's event goes out when it ends (however the bytes were split), at
                // the packet that completed it; a header that stops the parser has no end.
                side.frameEventPending = events.wantsFrames && !header.lengthTopBitSet
                beginFrame(header, side: side, direction: direction, offset: at, capture: capture, events: &events)
            case .payload(let range, let frameOffset):
                guard let header = side.frame else { continue }
                let piece = UnsafeRawBufferPointer(rebasing: bytes[range])
                if header.masked {
                    // The scratch leaves `self` for the call (`payload` changes `self`): a
                    // swap, where a copy retained and released it per piece.
                    var plain: [UInt8] = []
                    swap(&plain, &scratch)
                    defer { swap(&plain, &scratch) }
                    WebSocketMask.unmask(piece, key: header.maskKey, phase: frameOffset, into: &plain)
                    plain.withUnsafeBytes {
                        payload(
                            UnsafeRawBufferPointer(rebasing: $0.prefix(piece.count)), side: side, direction: direction,
                            capture: capture, events: &events)
                    }
                } else {
                    payload(piece, side: side, direction: direction, capture: capture, events: &events)
                }
            case .frameEnd(let at):
                endFrame(side: side, direction: direction, offset: at, capture: capture, events: &events)
            }
        }
    }

    // MARK: Resynchronization

    /// Holds `bytes` while this direction's frame boundaries are unknown; once a run of
    /// consistent frame headers shows where frames start, parses from there.
    private mutating func resynchronize(
        _ bytes: UnsafeRawBufferPointer, direction: Direction, offset: UInt64, capture: CaptureInfo,
        events: inout EventBuffer, final: Bool = false
    ) {
        let side = sides[direction]
        guard var resync = side.resync else { return }
        side.resync = nil  // the buffer stays uniquely referenced while it grows
        let step = resync.step(
            bytes, offset: offset, capture: capture, rule: WebSocketFrameChainRule(), direction: direction, final: final
        )
        if let message = FrameResync.message(step, requiredHeaders: WebSocketFrameChainRule.requiredHeaders) {
            report(
                .websocketResync, message, direction: direction, offset: step.offset, capture: capture, events: &events,
                once: false)
        }
        guard case .found(let index, _, _) = step else {
            if case .waiting = step { side.resync = resync }
            return
        }
        side.parser = WebSocketFrameParser()
        side.frame = nil
        side.afterResync = true
        side.loseHistory()
        _ = resync.release(from: index) { piece, at, pieceCapture in
            receive(piece, direction: direction, offset: at, capture: pieceCapture, events: &events)
        }
    }

    private mutating func report(
        _ code: FindingCode, _ message: String, direction: Direction, offset: UInt64?, capture: CaptureInfo,
        events: inout EventBuffer, once: Bool = true
    ) {
        let side = sides[direction]
        if once {
            guard side.reported.insert(code).inserted else { return }
        }
        events.finding(code, message, capture: capture, direction: direction, offset: offset)
    }

    private mutating func beginFrame(
        _ header: WebSocketFrameHeader, side: Side, direction: Direction, offset: UInt64, capture: CaptureInfo,
        events: inout EventBuffer
    ) {
        if events.wantsFrames && !side.frameEventPending {
            events.add(
                .wsFrame(header), capture: capture, direction: direction, offset: offset,
                firstPacket: side.frameFirstPacket)
        }
        side.frame = header
        // Only when there is something to drop: emptying an empty array still went through
        // the generic range replacement, once per frame.
        if !side.control.isEmpty { side.control.removeAll(keepingCapacity: true) }
        side.frameInMessage = false
        side.frameCompressed = false
        // §5.1 / §5.3: clients mask every frame, servers none.
        if direction == .clientToServer && !header.masked {
            report(
                .websocketClientFrameUnmasked,
                "a client frame (opcode \(header.opcode)) is not masked; RFC 6455 §5.1 requires clients to mask every frame",
                direction: direction, offset: offset, capture: capture, events: &events)
        } else if direction == .serverToClient && header.masked {
            report(
                .websocketServerFrameMasked,
                "a server frame (opcode \(header.opcode)) is masked; RFC 6455 §5.1 forbids it", direction: direction,
                offset: offset, capture: capture, events: &events)
        }
        if header.nonMinimalLength {
            report(
                .websocketNonMinimalLength,
                "payload length \(header.payloadLength) uses a longer length encoding than needed (§5.2)",
                direction: direction, offset: offset, capture: capture, events: &events)
        }
        if header.lengthTopBitSet {
            report(
                .websocketLengthTopBit,
                "a 64-bit payload length with its most significant bit set (§5.2); decoding of this direction stops",
                direction: direction, offset: offset, capture: capture, events: &events)
            side.parser.stop()
            return
        }
        if side.closeSeen {
            report(
                .websocketDataAfterClose, "a frame (opcode \(header.opcode)) after this side's close frame (§5.5.1)",
                direction: direction, offset: offset, capture: capture, events: &events)
        }
        let rsvAllowed: UInt8 =
            compression != nil && !header.isControl
                && (header.opcodeValue != .continuation || compression?.kind == .deflateFrame) ? 0x4 : 0
        if header.rsv & ~rsvAllowed != 0 {
            report(
                .websocketRSVWithoutExtension,
                "RSV bits \(header.rsv) set on opcode \(header.opcode) without a negotiated extension that defines them (§5.2)",
                direction: direction, offset: offset, capture: capture, events: &events, once: false)
        }
        switch header.opcodeValue {
        case .close, .ping, .pong:
            if header.payloadLength > 125 {
                report(
                    .websocketControlFrameTooLong,
                    "a control frame (opcode \(header.opcode)) with a \(header.payloadLength)-byte payload; the limit is 125 (§5.5)",
                    direction: direction, offset: offset, capture: capture, events: &events, once: false)
            }
            if !header.fin {
                report(
                    .websocketControlFrameFragmented,
                    "a fragmented control frame (opcode \(header.opcode)); control frames must not be fragmented (§5.5)",
                    direction: direction, offset: offset, capture: capture, events: &events, once: false)
            }
        case .text, .binary:
            side.afterResync = false
            if let unfinished = side.message {
                report(
                    .websocketMessageInterrupted,
                    "a new data frame while a fragmented message (opcode \(unfinished.opcode), \(unfinished.frames) frames) is unfinished (§5.4)",
                    direction: direction, offset: offset, capture: capture, events: &events, once: false)
                side.message?.complete = false
                finishMessage(side: side, direction: direction, capture: capture, events: &events)
            }
            let compressed = compression?.kind == .perMessageDeflate && header.rsv1
            side.messageRecovery = nil
            side.message = Message(
                opcode: header.opcode, offset: offset,
                compressed: compressed || (compression?.kind == .deflateFrame && header.rsv1),
                kept: events.takePayloadBuffer(), firstPacket: side.frameFirstPacket)
            side.frameInMessage = true
            side.frameCompressed = compression?.kind == .deflateFrame && header.rsv1
            if collectsMessages {
                side.collecting = true
                side.collected.removeAll(keepingCapacity: true)
            }
        case .continuation:
            if side.message == nil && side.afterResync {
                // The rest of a message whose first frame came before the resync: skipped.
                side.frameInMessage = false
            } else if side.message == nil {
                report(
                    .websocketUnexpectedContinuation, "a continuation frame with no message in progress (§5.4)",
                    direction: direction, offset: offset, capture: capture, events: &events, once: false)
            } else {
                side.frameInMessage = true
                side.frameCompressed = compression?.kind == .deflateFrame && header.rsv1
                if side.frameCompressed { side.message?.compressed = true }
            }
        default:
            report(
                .websocketReservedOpcode, "reserved opcode \(header.opcode) (§5.2); its payload is skipped",
                direction: direction, offset: offset, capture: capture, events: &events, once: false)
        }
    }

    private mutating func payload(
        _ bytes: UnsafeRawBufferPointer, side: Side, direction: Direction, capture: CaptureInfo,
        events: inout EventBuffer
    ) {
        guard let header = side.frame else { return }
        if header.isControl {
            let room = options.maxControlPayload - side.control.count
            if room > 0 {
                side.control.append(
                    contentsOf: UnsafeRawBufferPointer(rebasing: bytes.prefix(room)).assumingMemoryBound(to: UInt8.self)
                )
            }
            return
        }
        guard side.frameInMessage, side.message != nil else { return }
        side.message?.wireLength += UInt64(bytes.count)
        let compressed = compression?.kind == .deflateFrame ? side.frameCompressed : (side.message?.compressed ?? false)
        if compressed {
            inflate(bytes, side: side, direction: direction, capture: capture, events: &events)
        } else {
            absorb(bytes, side: side, direction: direction)
        }
    }

    /// Plain message bytes: counted, validated, and kept as far as the options say.
    private mutating func absorb(_ bytes: UnsafeRawBufferPointer, side: Side, direction: Direction) {
        // Changed in place, field by field: a copy of the message would share its kept
        // buffer (every append would copy it), and moving it out and back costs a generic
        // destroy of the optional each time.
        guard let opcode = side.message?.opcode else { return }
        side.message?.length += UInt64(bytes.count)
        if opcode == WebSocketOpcode.text.rawValue { side.message?.utf8.feed(bytes) }
        let limit = options.keepFullPayload ? options.maxFullPayloadBytes : options.previewBytes
        let room = limit - (side.message?.kept.count ?? 0)
        if room > 0 {
            side.message?.kept.append(
                contentsOf: UnsafeRawBufferPointer(rebasing: bytes.prefix(room)).assumingMemoryBound(to: UInt8.self))
        }
        if bytes.count > room { side.message?.keptAll = false }
        if side.collecting {
            let space = WebSocketInterpreterLimits.maxMessageBytes - side.collected.count
            if space > 0 {
                side.collected.append(
                    contentsOf: UnsafeRawBufferPointer(rebasing: bytes.prefix(space)).assumingMemoryBound(
                        to: UInt8.self))
            }
        }
    }

    private mutating func inflate(
        _ bytes: UnsafeRawBufferPointer, side: Side, direction: Direction, capture: CaptureInfo,
        events: inout EventBuffer
    ) {
        // Only fields are read here: a copy of the message would share its kept buffer
        // and make every append below copy it whole (quadratic in the message size).
        guard side.message?.inflating == true, let messageOffset = side.message?.offset,
            let inflater = side.inflater
        else { return }
        let limit = options.maxInflatedMessageBytes
        var overLimit = false
        do {
            _ = try inflater.inflate(bytes) { piece, placeholder in
                let produced = side.message?.length ?? 0
                if produced + UInt64(piece.count) > limit {
                    overLimit = true
                    return false
                }
                if let placeholder {
                    Self.noteUnknownBytes(piece, placeholder: placeholder, at: produced, side: side)
                } else {
                    side.messageRecovery?.addKnown(produced..<produced + UInt64(piece.count))
                }
                absorb(piece, side: side, direction: direction)
                return true
            }
            // 32 KiB of known output in a row: the window is whole again.
            if side.historyUnknown && !inflater.windowHasUnknownBytes { side.historyUnknown = false }
        } catch {
            if side.historyUnknown {
                report(
                    .websocketCompressionHistoryMissing,
                    "compressed messages refer to earlier ones (context takeover) that were not captured; their contents and inflated lengths are not known",
                    direction: direction, offset: messageOffset, capture: capture, events: &events)
                side.message?.problem = "compression history missing"
                side.message?.lengthUnknown = true
            } else if case .corrupt(let why) = error {
                report(
                    .websocketInflateFailed, "a compressed message does not inflate (\(why))", direction: direction,
                    offset: messageOffset, capture: capture, events: &events, once: false)
                side.message?.problem = "inflate failed: \(why)"
            }
            // What came out before the error may already be wrong: show none of it.
            side.message?.kept.removeAll()
            side.collected.removeAll(keepingCapacity: true)
            side.message?.keptAll = false
            side.message?.inflating = false
            side.message?.complete = false
            side.messageRecovery = nil
            side.loseHistory()
        }
        if overLimit {
            report(
                .websocketInflateLimit,
                "a message inflates beyond \(limit) bytes (a deflate bomb?); the rest is not inflated",
                direction: direction, offset: messageOffset, capture: capture, events: &events, once: false)
            side.message?.inflating = false
            side.message?.complete = false
            side.message?.problem = "inflated size over the limit"
            side.messageRecovery = nil
            side.loseHistory()
        }
    }

    /// Notes which bytes of an inflated `piece` (at message offset `at`) are known: those
    /// where the placeholder-window stream's `placeholder` agrees.
    private static func noteUnknownBytes(
        _ piece: UnsafeRawBufferPointer, placeholder: UnsafeRawBufferPointer, at: UInt64, side: Side
    ) {
        if side.messageRecovery == nil {
            var recovery = WebSocketRecovery()
            recovery.addKnown(0..<at)
            side.messageRecovery = recovery
        }
        var index = 0
        let count = min(piece.count, placeholder.count)
        while index < count {
            let knownStart = index
            while index < count && piece[index] == placeholder[index] { index += 1 }
            side.messageRecovery?.addKnown(at + UInt64(knownStart)..<at + UInt64(index))
            while index < count && piece[index] != placeholder[index] { index += 1 }
        }
    }

    private mutating func endFrame(
        side: Side, direction: Direction, offset: UInt64, capture: CaptureInfo, events: inout EventBuffer
    ) {
        guard let header = side.frame else { return }
        side.frame = nil
        if side.frameEventPending {
            side.frameEventPending = false
            events.add(
                .wsFrame(header), capture: capture, direction: direction,
                offset: offset - header.payloadLength - UInt64(header.headerLength), firstPacket: side.frameFirstPacket)
        }
        if header.isControl {
            control(header, side: side, direction: direction, offset: offset, capture: capture, events: &events)
            return
        }
        guard side.frameInMessage, side.message != nil else { return }
        side.message?.frames += 1
        if compression?.kind == .deflateFrame && side.frameCompressed {
            inflateTail(side: side, direction: direction, capture: capture, events: &events)
        }
        if header.fin {
            finishMessage(side: side, direction: direction, capture: capture, events: &events)
        }
    }

    /// RFC 7692 §7.2.2: the sender removed 00 00 ff ff from the end; put it back.
    private mutating func inflateTail(side: Side, direction: Direction, capture: CaptureInfo, events: inout EventBuffer)
    {
        // RFC 7692 §7.2.2: the empty stored block the sender removed (a tuple: no allocation).
        let tail: (UInt8, UInt8, UInt8, UInt8) = (0x00, 0x00, 0xff, 0xff)
        withUnsafeBytes(of: tail) { inflate($0, side: side, direction: direction, capture: capture, events: &events) }
    }

    private mutating func finishMessage(
        side: Side, direction: Direction, capture: CaptureInfo, events: inout EventBuffer
    ) {
        if compression?.kind == .perMessageDeflate, side.message?.compressed == true {
            inflateTail(side: side, direction: direction, capture: capture, events: &events)
        }
        guard let message = side.message.take() else { return }
        let recovery = side.messageRecovery.take()
        if options.keepFullPayload, message.problem == nil, message.length > UInt64(options.maxFullPayloadBytes) {
            report(
                .websocketPayloadCap,
                "a \(message.length)-byte message is longer than the \(options.maxFullPayloadBytes) bytes --payload full keeps; the rest is counted, not shown",
                direction: direction, offset: message.offset, capture: capture, events: &events, once: false)
        }
        if let recovery {
            reportHistoryMissing(
                recovery, length: message.length, direction: direction, capture: capture, offset: message.offset,
                events: &events)
        }
        // Placeholder bytes say nothing of the text's encoding.
        if WebSocketOpcode(rawValue: message.opcode) == .text && message.complete && recovery == nil
            && !message.utf8.validAtEnd
        {
            report(
                .websocketInvalidUTF8, "a text message is not valid UTF-8 (§8.1)", direction: direction,
                offset: message.offset, capture: capture, events: &events, once: false)
        }
        var interpretedByApp = false
        let collected = side.collecting
        if collected {
            side.collecting = false
            interpretedByApp = interpret(
                message, side: side, direction: direction, capture: capture, stampedLike: events)
        }
        events.add(
            .wsMessage(
                WebSocketMessage(
                    opcode: message.opcode, length: message.length, wireLength: message.wireLength,
                    frames: message.frames,
                    compressed: message.compressed, kept: message.kept, keptAll: message.keptAll,
                    interpreted: interpretedByApp, complete: message.complete,
                    problem: message.problem, lengthUnknown: message.lengthUnknown, recovery: recovery)),
            capture: capture,
            direction: direction, offset: message.offset,
            firstPacket: message.firstPacket)
        if collected, var held = interpreted.take() {
            for event in held.events { events.deliver(event) }
            held.removeAll()
            interpreted = held
        }
        // RFC 7692 §7.2.3: without context takeover every message starts a fresh window.
        if let compression, message.compressed, compression.noContextTakeover(direction) {
            side.inflater?.reset()
            side.historyUnknown = false
        }
    }

    /// Once per direction: why some inflated bytes are shown as `·`.
    private mutating func reportHistoryMissing(
        _ recovery: WebSocketRecovery, length: UInt64, direction: Direction, capture: CaptureInfo,
        offset: UInt64, events: inout EventBuffer
    ) {
        // RFC 7692 is the only registered extension that gives RSV1 a meaning on data frames.
        let assumed =
            startedWithoutHandshake
            ? "RSV1 is set on data frames and no handshake was captured: permessage-deflate assumed (the only registered extension that uses RSV1 so); "
            : ""
        report(
            .websocketCompressionHistoryMissing,
            "\(assumed)compressed messages refer to earlier ones (context takeover) that were not captured: the bytes copied from them are unknown (shown as ·), the rest is exact (first such message: \(recovery.recovered) of \(length) bytes recovered); once 32 KiB in a row are known, every later message is exact",
            direction: direction, offset: offset, capture: capture, events: &events)
    }

    /// Hands a finished message to the interpreter (choosing it by content first, when the
    /// handshake did not); its events wait in `interpreted` for the message's own. True
    /// when it reported an application event.
    private mutating func interpret(
        _ message: borrowing Message, side: Side, direction: Direction, capture: CaptureInfo,
        stampedLike outer: EventBuffer
    ) -> Bool {
        var held = interpreted.take() ?? EventBuffer(collectingFor: outer)
        held.stamp(like: outer)
        let truncated =
            !message.complete || message.problem != nil || message.lengthUnknown
            || UInt64(side.collected.count) < message.length
        side.collected.withUnsafeBytes { payload in
            let whole = InterpretedMessage(
                direction: direction, opcode: WebSocketOpcode(rawValue: message.opcode), payload: payload,
                length: message.length, truncated: truncated, offset: message.offset, capture: capture,
                firstPacket: message.firstPacket)
            if let set = candidates {
                candidates = nil
                interpreter = set.recognizing(whole)?.makeInterpreter()
                collectsMessages = interpreter != nil
            }
            interpreter?.receive(whole, events: &held)
        }
        let produced = held.events.contains { $0.tag == .app }
        interpreted = held
        return produced
    }

    private mutating func control(
        _ header: WebSocketFrameHeader, side: Side, direction: Direction, offset: UInt64, capture: CaptureInfo,
        events: inout EventBuffer
    ) {
        let payload = side.control
        side.control = events.takePayloadBuffer()  // the old one travels with the event
        let frameStart = offset - header.payloadLength - UInt64(header.headerLength)
        switch header.opcodeValue {
        case .ping:
            let peer = sides[direction.reversed]
            if let answered = peer.unmatchedPongs.firstIndex(where: {
                $0.payload == payload && $0.at >= capture.timestamp
            }) {
                peer.unmatchedPongs.remove(at: answered)  // its pong was seen already: answered
            } else {
                if side.pings.count >= options.maxOutstandingPings { side.pings.removeFirst() }
                side.pings.append((payload, capture.timestamp))
            }
            events.add(
                .wsControl(
                    WebSocketControl(
                        opcode: WebSocketOpcode.ping.rawValue, payload: payload, roundTripMilliseconds: nil)),
                capture: capture, direction: direction, offset: frameStart, firstPacket: side.frameFirstPacket)
        case .pong:
            let peer = direction.reversed
            var roundTrip: Double?
            if let index = sides[peer].pings.firstIndex(where: { $0.payload == payload }) {
                roundTrip = capture.timestamp.milliseconds(since: sides[peer].pings[index].at)
                sides[peer].pings.removeSubrange(...index)  // earlier unanswered pings are answered by this one too
            } else {
                if side.unmatchedPongs.count >= options.maxOutstandingPings { side.unmatchedPongs.removeFirst() }
                side.unmatchedPongs.append((payload, capture.timestamp))
            }
            events.add(
                .wsControl(
                    WebSocketControl(
                        opcode: WebSocketOpcode.pong.rawValue, payload: payload, roundTripMilliseconds: roundTrip)),
                capture: capture, direction: direction, offset: frameStart, firstPacket: side.frameFirstPacket)
        case .close:
            var code: UInt16?
            var reason = ""
            if payload.count == 1 {
                report(
                    .websocketClosePayloadOneByte,
                    "a close frame with a 1-byte payload; a body must hold a 2-byte code (§5.5.1)",
                    direction: direction, offset: frameStart, capture: capture, events: &events, once: false)
            } else if payload.count >= 2 {
                let value = UInt16(payload[0]) << 8 | UInt16(payload[1])
                code = value
                if !WebSocketCloseCode(rawValue: value).maySend {
                    report(
                        .websocketInvalidCloseCode,
                        "close code \(value) may not be sent (§7.4.1: reserved, or only for local use)",
                        direction: direction, offset: frameStart, capture: capture, events: &events, once: false)
                }
                let reasonBytes = Array(payload[2...])
                if let text = String(validating: reasonBytes, as: UTF8.self) {
                    reason = text
                } else {
                    report(
                        .websocketInvalidUTF8, "the close reason is not valid UTF-8 (§5.5.1)", direction: direction,
                        offset: frameStart, capture: capture, events: &events, once: false)
                    reason = String(decoding: reasonBytes, as: UTF8.self)
                }
            }
            side.closeSeen = true
            if !closes.contains(where: { $0.direction == direction }) {  // only a side's first close matters
                closes.append((direction, code, capture.timestamp))
            }
            events.add(
                .wsClose(WebSocketClose(code: code, reason: reason)), capture: capture, direction: direction,
                offset: frameStart, firstPacket: side.frameFirstPacket)
        default:
            break
        }
    }

    // MARK: Gaps and the end

    package mutating func receiveGap(
        direction: Direction, offset: UInt64, length: UInt64, capture: CaptureInfo, events: inout EventBuffer
    ) {
        let side = sides[direction]
        if side.resync != nil {
            side.resync?.gap(length)
            return
        }
        guard !side.parser.isStopped else { return }
        if side.parser.skip(length) != nil {
            // Inside a payload of known length: skip to the frame's end and go on.
            report(
                .websocketGapInPayload, "\(length) payload bytes never captured; the message is marked incomplete",
                direction: direction, offset: offset, capture: capture, events: &events, once: false)
            if side.frameInMessage, side.message != nil {
                side.message?.length += length
                side.message?.wireLength += length
                markDamaged(side)
                if side.message?.compressed == true { side.loseHistory() }
            }
        } else {
            report(
                .websocketGapInFrameHeader,
                "\(length) bytes missing where a frame header was due: frame boundaries are lost until a run of consistent frame headers is found again",
                direction: direction, offset: offset, capture: capture, events: &events, once: false)
            if side.message != nil {
                markDamaged(side)
                finishMessage(side: side, direction: direction, capture: capture, events: &events)
            }
            flushPendingFrameEvent(side, direction: direction, capture: capture, events: &events)
            side.frame = nil
            side.resync = FrameResync(from: offset + length)
        }
    }

    /// A frame that never reached its end still gets its `ws.frame` event (at the packet
    /// where the dissector gave up on it).
    private func flushPendingFrameEvent(
        _ side: Side, direction: Direction, capture: CaptureInfo, events: inout EventBuffer
    ) {
        guard side.frameEventPending, let header = side.frame else { return }
        side.frameEventPending = false
        events.add(
            .wsFrame(header), capture: capture, direction: direction, offset: nil, firstPacket: side.frameFirstPacket)
    }

    /// The message in progress lost bytes: incomplete, and a compressed one of unknown
    /// length (its inflated size cannot be known without them).
    private func markDamaged(_ side: Side) {
        side.message?.complete = false
        side.message?.keptAll = false
        if side.message?.compressed == true {
            side.message?.inflating = false
            side.message?.lengthUnknown = true
            side.message?.problem = "compressed bytes missing"
        }
    }

    package mutating func finish(capture: CaptureInfo, events: inout EventBuffer) {
        finish(capture: capture, captureEnded: false, events: &events)
    }

    /// Messages started and not finished, both directions.
    package var isSearchingForFrames: Bool {
        sides[.clientToServer].resync != nil || sides[.serverToClient].resync != nil
    }

    package var openState: OpenConnectionState {
        OpenConnectionState(
            protocolName: "websocket",
            inFlight: Direction.allCases.reduce(0) { $0 + (sides[$1].message == nil ? 0 : 1) })
    }

    /// With `captureEnded` the connection may well have gone on: an unfinished message,
    /// an unanswered ping or close and a missing close frame are not reported as faults.
    package mutating func finish(capture: CaptureInfo, captureEnded: Bool, events: inout EventBuffer) {
        for direction in [Direction.clientToServer, .serverToClient] where sides[direction].resync?.isEmpty == false {
            // The last frames of a short stream: a chain that ends exactly with the bytes.
            resynchronize(
                UnsafeRawBufferPointer(start: nil, count: 0), direction: direction, offset: 0, capture: capture,
                events: &events, final: true)
        }
        for direction in [Direction.clientToServer, .serverToClient] {
            let side = sides[direction]
            flushPendingFrameEvent(side, direction: direction, capture: capture, events: &events)
            if let unfinished = side.message {
                side.message?.complete = false
                if !captureEnded {
                    report(
                        .websocketMessageIncomplete,
                        "the connection ended inside a message (\(unfinished.frames) frames so far, no final frame)",
                        direction: direction, offset: unfinished.offset, capture: capture, events: &events, once: false)
                }
                finishMessage(side: side, direction: direction, capture: capture, events: &events)
            }
            let unanswered = side.pings.count
            if unanswered > 0 && !captureEnded {
                report(
                    .websocketPingUnanswered,
                    "\(unanswered) ping\(unanswered == 1 ? "" : "s") from the \(direction == .clientToServer ? "client" : "server") never answered",
                    direction: direction, offset: nil, capture: capture, events: &events)
            }
        }
        if interpreter != nil {
            interpreter?.finish(capture: capture, events: &events)
            interpreter = nil
        }
        candidates = nil
        collectsMessages = false
        // The side that closed first by time: a direction held while its frame boundaries
        // were searched delivers its close after a later one of the peer.
        guard let first = closes.min(by: { $0.at < $1.at }) else {
            if !captureEnded {
                events.finding(
                    .websocketClosedWithoutCloseFrame,
                    "the TCP connection ended without a WebSocket close frame (a browser reports 1006 abnormal closure)",
                    capture: capture)
            }
            return
        }
        let answer = closes.first { $0.direction != first.direction }
        // The answer may have come after the capture stopped.
        if answer == nil && captureEnded { return }
        if answer == nil {
            events.finding(
                .websocketCloseNotAnswered,
                "the \(first.direction == .clientToServer ? "client" : "server") sent close \(first.code.map(String.init) ?? "(no code)") and the peer never answered with its own close frame",
                capture: capture)
        }
        events.add(
            .wsClosing(
                WebSocketClosing(
                    firstDirection: first.direction, firstCode: first.code, answered: answer != nil,
                    answerMilliseconds: answer.map { max(0, $0.at.milliseconds(since: first.at)) })),
            capture: capture)
    }
}
