/// Both directions of an HTTP/1.x connection: matches responses to requests (pipelining
/// included), and decides whether and where the protocol switched.
///
/// The switch happens right after the 101's head (s2c) and right after the upgrade
/// request including its body (c2s). Client bytes after an upgrade request are held until
/// the verdict: they belong to the new protocol on a 101, and are the next request
/// otherwise.
struct HTTP1Session {
    /// What one chunk did to the session.
    enum Outcome {
        case continuing
        /// The connection left HTTP/1: everything the next protocol needs, in one value.
        case switched(UpgradeVerdict)
        /// This direction is not HTTP from `replay.offset` on (limit or malformed): the
        /// parser's retained bytes of the failed message, then the chunk from `index`.
        case stopped(replay: HeldBytes, index: Int)
    }

    struct HeldBytes {
        var offset: UInt64
        var bytes: [UInt8]
        var capture: CaptureInfo
    }

    struct PendingRequest {
        var head: HTTPRequestHead
        var end: UInt64?
        var endCapture: CaptureInfo?
        /// An upgrade request per RFC 9110 §7.8 (Upgrade + Connection: upgrade, HTTP/1.1).
        var upgradeOffered: Bool { !head.offeredProtocols.isEmpty && head.connectionUpgrade && !head.isHTTP10 }
        var isConnect: Bool { head.method == "CONNECT" }
        var waitsForVerdict: Bool { upgradeOffered || isConnect }
    }

    private var reportedEarlyData = false
    /// The capture began mid-connection: a response may answer a request never captured.
    var requestsMayPrecedeCapture = false
    private var reportedPendingLimit = false
    private var reportedPipelineLimit = false
    private var requestParser: HTTP1Parser
    private var responseParser: HTTP1Parser
    private var pending: [PendingRequest] = []
    private var held: HeldBytes?
    private var parserEvents: [HTTP1ParserEvent] = []
    /// The two bounds of `HTTP1Limits` the session itself checks (the parsers keep theirs).
    private let limits: SessionLimits
    /// Per direction: which packets carried the bytes of the message head being read, so a
    /// head split across packets names the packet it began in.
    private var packets = PerDirection(repeating: StreamOffsetMap())
    /// Per direction: the packet where the current message's body began.
    private var bodyFirstPacket = PerDirection<UInt64>(repeating: 0)
    /// Bytes before a chunk that a message head may span.
    private let headWindow: UInt64
    /// Request headers that only make sense with an Upgrade (the registry's handlers say
    /// which): with none, their presence means the Upgrade header was stripped.
    private let handshakeOnlyHeaders: [String]

    private struct SessionLimits {
        var maxPendingRequests: Int
        var maxPendingClientBytes: Int
    }

    init(
        limits: HTTP1Limits = HTTP1Limits(), bodies: HTTPBodyOptions = HTTPBodyOptions(),
        handshakeOnlyHeaders: [String] = []
    ) {
        self.handshakeOnlyHeaders = handshakeOnlyHeaders
        self.limits = SessionLimits(
            maxPendingRequests: limits.maxPendingRequests, maxPendingClientBytes: limits.maxPendingClientBytes)
        headWindow = UInt64(limits.maxHeaderBytes + limits.maxLineLength)
        requestParser = HTTP1Parser(role: .request, limits: limits, bodies: bodies)
        responseParser = HTTP1Parser(role: .response, limits: limits, bodies: bodies)
    }

    /// The body event of a finished message (its kept bytes return to the pool once the
    /// event is delivered); a message without a body hands its unused buffer straight back.
    private func addBody(
        length: UInt64, chunked: Bool, kept: [UInt8], keptAll: Bool, direction: Direction,
        offset: UInt64, capture: CaptureInfo, events: inout EventBuffer
    ) {
        guard length > 0 else {
            events.payloadPool.put(kept)
            return
        }
        events.add(
            .httpBody(length: length, chunked: chunked, kept: kept, keptAll: keptAll), capture: capture,
            direction: direction, offset: offset,
            firstPacket: bodyFirstPacket[direction])
    }

    /// The request whose verdict the client is waiting for, if any.
    private var verdictPending: Bool { requestParser.state == .paused }

    // MARK: Client → server

    mutating func receiveFromClient(
        _ bytes: UnsafeRawBufferPointer, offset: UInt64, capture: CaptureInfo, events: inout EventBuffer
    ) -> Outcome {
        packets[.clientToServer].record(chunkAt: offset, capture: capture, keeping: headWindow)
        var index = 0
        while index < bytes.count {
            if verdictPending {
                hold(bytes.droppingPrefix(index), offset: offset + UInt64(index), capture: capture, events: &events)
                return .continuing
            }
            parserEvents.removeAll(keepingCapacity: true)
            let consumed = requestParser.parse(
                bytes.droppingPrefix(index), at: offset + UInt64(index), events: &parserEvents)
            index += consumed
            var queue = parserEvents
            var cursor = 0
            while cursor < queue.count {
                let event = queue[cursor]
                cursor += 1
                switch event {
                case .requestHead(let head, let start, let end):
                    let side = Direction.clientToServer
                    events.add(
                        .httpRequest(head), capture: capture, direction: .clientToServer, offset: start,
                        firstPacket: packets[side].packetNumber(at: start, chunkOffset: offset, capture: capture))
                    bodyFirstPacket[side] = packets[side].packetNumber(at: end, chunkOffset: offset, capture: capture)
                    packets[side].forget(below: end)
                    checkUpgradeRequest(head, start: start, capture: capture, events: &events)
                    let request = PendingRequest(head: head)
                    if pending.count >= limits.maxPendingRequests {
                        pending.removeFirst()
                        if !reportedPipelineLimit {
                            reportedPipelineLimit = true
                            events.finding(
                                .httpPipelineLimit,
                                "more than \(limits.maxPendingRequests) requests wait for responses; the oldest are no longer matched",
                                capture: capture, direction: .clientToServer, offset: start)
                        }
                    }
                    pending.append(request)
                    // For the body; it leaves with the message's end (at once without one).
                    requestParser.supplyBodyBuffer(events.takePayloadBuffer())
                    // An upgrade request's verdict decides what the next client byte is.
                    requestParser.startRequestBody(pauseAfter: request.waitsForVerdict, endOfHead: end, events: &queue)
                case .messageEnd(_, _, let end, _, _):
                    _ = forward(event, direction: .clientToServer, index: index, capture: capture, events: &events)
                    if let last = pending.indices.last, pending[last].end == nil {
                        pending[last].end = end
                        pending[last].endCapture = capture
                    }
                case .finding, .gaveUp, .responseHead:
                    if let stopped = forward(
                        event, direction: .clientToServer, index: index, capture: capture, events: &events)
                    {
                        return stopped
                    }
                }
            }
            if consumed == 0 && !verdictPending { break }
        }
        return .continuing
    }

    private mutating func hold(
        _ bytes: UnsafeRawBufferPointer, offset: UInt64, capture: CaptureInfo, events: inout EventBuffer
    ) {
        guard !bytes.isEmpty else { return }
        if !reportedEarlyData {
            reportedEarlyData = true
            let method = pending.last?.head.method ?? "the request"
            events.finding(
                .upgradeClientDataBeforeVerdict,
                "the client sent data after its \(method) upgrade request, before the server's answer (it must wait for the 101)",
                capture: capture, direction: .clientToServer, offset: offset)
        }
        if held == nil { held = HeldBytes(offset: offset, bytes: [], capture: capture) }
        let room = limits.maxPendingClientBytes - (held?.bytes.count ?? 0)
        if bytes.count > room && !reportedPendingLimit {
            reportedPendingLimit = true
            events.finding(
                .pendingBytesLimit,
                "more than \(limits.maxPendingClientBytes) client bytes waiting for the verdict; the rest is not analyzed",
                capture: capture, direction: .clientToServer,
                offset: (held?.offset ?? offset) + UInt64(limits.maxPendingClientBytes))
        }
        held?.bytes.append(contentsOf: bytes.prefix(max(0, room)))
    }

    private func checkUpgradeRequest(
        _ head: HTTPRequestHead, start: UInt64, capture: CaptureInfo, events: inout EventBuffer
    ) {
        let offered = head.offeredProtocols
        guard !offered.isEmpty else {
            // Handshake headers that only make sense with an Upgrade: someone removed it.
            let evidence = handshakeOnlyHeaders.filter { head.headers.contains($0) }
            if !evidence.isEmpty {
                events.finding(
                    .upgradeHeaderStripped,
                    "the request carries \(evidence.joined(separator: " and ")) but no Upgrade header: a proxy on the way likely dropped the hop-by-hop Upgrade/Connection headers (nginx does unless told to forward them)",
                    capture: capture, direction: .clientToServer, offset: start)
            }
            return
        }
        if head.isHTTP10 {
            events.finding(
                .upgradeHTTP10Request,
                "an HTTP/1.0 request offers Upgrade: \(offered.joined(separator: ", ")); servers must ignore it (RFC 9110 §7.8)",
                capture: capture, direction: .clientToServer, offset: start)
        }
        if !head.connectionUpgrade {
            let connection = head.headers.combined("Connection").map { "Connection: \($0)" } ?? "no Connection header"
            events.finding(
                .upgradeConnectionHeaderMissing,
                "Upgrade: \(offered.joined(separator: ", ")) without Connection: upgrade (\(connection)); a proxy likely stripped the hop-by-hop header, so no server will switch",
                capture: capture, direction: .clientToServer, offset: start)
        }
    }

    // MARK: Server → client

    mutating func receiveFromServer(
        _ bytes: UnsafeRawBufferPointer, offset: UInt64, capture: CaptureInfo, events: inout EventBuffer
    ) -> Outcome {
        packets[.serverToClient].record(chunkAt: offset, capture: capture, keeping: headWindow)
        var index = 0
        while index < bytes.count {
            parserEvents.removeAll(keepingCapacity: true)
            let consumed = responseParser.parse(
                bytes.droppingPrefix(index), at: offset + UInt64(index), events: &parserEvents)
            index += consumed
            for event in parserEvents {
                switch event {
                case .responseHead(var head, let start, let end):
                    let requestIndex = pending.firstIndex { _ in true }
                    head.requestMethod = requestIndex.map { pending[$0].head.method }
                    let side = Direction.serverToClient
                    events.add(
                        .httpResponse(head), capture: capture, direction: .serverToClient, offset: start,
                        firstPacket: packets[side].packetNumber(at: start, chunkOffset: offset, capture: capture))
                    bodyFirstPacket[side] = packets[side].packetNumber(at: end, chunkOffset: offset, capture: capture)
                    packets[side].forget(below: end)
                    if let outcome = verdict(
                        on: head, requestIndex: requestIndex, start: start, end: end,
                        remainderIndex: Int(end - offset), capture: capture, events: &events)
                    {
                        return outcome
                    }
                case .messageEnd, .finding, .gaveUp, .requestHead:
                    if let stopped = forward(
                        event, direction: .serverToClient, index: index, capture: capture, events: &events)
                    {
                        return stopped
                    }
                }
            }
            if consumed == 0 { break }
        }
        return .continuing
    }

    /// A parser event that needs nothing from the session's own state, delivered: bodies
    /// and findings become events; giving up stops this direction (`.stopped`, whose
    /// replay holds the parser's retained bytes of the failed message). The one place
    /// parser events are forwarded.
    private func forward(
        _ event: HTTP1ParserEvent, direction: Direction, index: Int, capture: CaptureInfo,
        events: inout EventBuffer
    ) -> Outcome? {
        switch event {
        case .messageEnd(let bodyLength, let chunked, let end, let kept, let keptAll):
            addBody(
                length: bodyLength, chunked: chunked, kept: kept, keptAll: keptAll, direction: direction,
                offset: end, capture: capture, events: &events)
        case .finding(let code, let message, let at):
            events.finding(code, message, capture: capture, direction: direction, offset: at)
        case .gaveUp(let at):
            let retained = direction == .clientToServer ? requestParser.retained : responseParser.retained
            return .stopped(replay: HeldBytes(offset: at, bytes: retained, capture: capture), index: index)
        case .requestHead, .responseHead:
            break
        }
        return nil
    }

    /// Decides what a response head means for framing and for a pending upgrade.
    private mutating func verdict(
        on head: HTTPResponseHead, requestIndex: Int?, start: UInt64, end: UInt64, remainderIndex: Int,
        capture: CaptureInfo, events: inout EventBuffer
    ) -> Outcome? {
        let request = requestIndex.map { pending[$0] }
        if head.status == 101 {
            return switchProtocols(
                head, request: request, requestIndex: requestIndex, end: end, remainderIndex: remainderIndex,
                capture: capture, events: &events)
        }
        if head.isInterim {
            parserEventsFraming(.none, end: end, capture: capture, events: &events)
            return nil
        }
        // A final answer: the request is done.
        if let requestIndex { pending.remove(at: requestIndex) }
        if request == nil {
            events.finding(
                .httpResponseWithoutRequest, "a \(head.status) response with no request seen before it",
                capture: capture, direction: .serverToClient, offset: start)
        }
        if let request, request.isConnect, (200...299).contains(head.status) {
            responseParser.stop()
            requestParser.stop()
            let heldBytes = held
            held = nil
            // The tunnel's bytes start after the response head: the chunk's rest is the
            // tunnel's too, handed over with the verdict.
            return .switched(
                UpgradeVerdict(
                    kind: .connectTunnel, status: head.status, request: request.head, response: head,
                    requestTimestamp: nil, latencyMilliseconds: latency(request, capture),
                    clientToServerOffset: request.end ?? 0, serverToClientOffset: end,
                    serverRemainderIndex: remainderIndex, clientBytes: heldBytes))
        }
        if let request, request.waitsForVerdict || !request.head.offeredProtocols.isEmpty {
            events.add(
                UpgradeRefusal.finding(head, request: request.head), capture: capture, direction: .serverToClient,
                offset: start)
        } else if head.status == UpgradeRefusal.upgradeRequiredStatus {
            events.add(
                UpgradeRefusal.upgradeRequired(head, request: request?.head), capture: capture,
                direction: .serverToClient, offset: start)
        }
        parserEventsFraming(
            responseFraming(head, request: request, end: end, capture: capture, events: &events), end: end,
            capture: capture, events: &events)
        if let request, request.waitsForVerdict {
            resumeClient(capture: capture, events: &events)
        }
        return nil
    }

    private mutating func switchProtocols(
        _ head: HTTPResponseHead, request: PendingRequest?, requestIndex: Int?, end: UInt64,
        remainderIndex: Int, capture: CaptureInfo, events: inout EventBuffer
    ) -> Outcome {
        let chosen = head.headers.listElements("Upgrade")
        let offered = request?.head.offeredProtocols ?? []
        // A capture that began after the request cannot call the 101 unsolicited.
        if request?.upgradeOffered != true && !(request == nil && requestsMayPrecedeCapture) {
            let why =
                request == nil
                ? "no request was seen"
                : "the request did not offer an upgrade (\(request.map { $0.head.method + " " + $0.head.target } ?? ""))"
            events.finding(
                .upgradeUnsolicited101, "101 Switching Protocols but \(why)", capture: capture,
                direction: .serverToClient, offset: end)
        }
        if chosen.isEmpty {
            events.finding(
                .upgradeWithoutUpgradeHeader, "101 without an Upgrade header (RFC 9110 §15.2.2 requires one)",
                capture: capture, direction: .serverToClient, offset: end)
        } else if let first = chosen.first, !offered.isEmpty,
            !offered.contains(where: { $0.lowercasedASCII == first.lowercasedASCII })
        {
            events.finding(
                .upgradeProtocolNotOffered,
                "the 101 switches to \(first), the client offered \(offered.joined(separator: ", "))",
                capture: capture, direction: .serverToClient, offset: end)
        }
        if !chosen.isEmpty && !head.headers.listContains("Connection", token: "upgrade") {
            events.finding(
                .upgradeWithoutConnectionHeader, "the 101 does not carry Connection: upgrade",
                capture: capture, direction: .serverToClient, offset: end)
        }
        // The token as the wire names it; the registry's handler checks the handshake.
        let token = chosen.first ?? offered.first ?? "unknown"
        if let requestIndex { pending.remove(at: requestIndex) }
        responseParser.stop()
        requestParser.stop()
        // c2s: after the upgrade request and its body; without one, where the client is now.
        let clientOffset = request?.end ?? held?.offset ?? 0
        let heldBytes = held
        held = nil
        return .switched(
            UpgradeVerdict(
                kind: .upgrade(token: token), status: 101, request: request?.head, response: head,
                requestTimestamp: request?.endCapture?.timestamp,
                latencyMilliseconds: request.map { latency($0, capture) } ?? 0,
                clientToServerOffset: clientOffset, serverToClientOffset: end,
                serverRemainderIndex: remainderIndex, clientBytes: heldBytes))
    }

    private func latency(_ request: PendingRequest, _ capture: CaptureInfo) -> Double {
        guard let sent = request.endCapture else { return 0 }
        return capture.timestamp.milliseconds(since: sent.timestamp)
    }

    /// RFC 9112 §6.3 for responses.
    private func responseFraming(
        _ head: HTTPResponseHead, request: PendingRequest?, end: UInt64, capture: CaptureInfo, events: inout EventBuffer
    ) -> HTTP1BodyFraming {
        if request?.head.method == "HEAD" || head.status == 204 || head.status == 304 || head.isInterim { return .none }
        let codings = head.headers.listElements("Transfer-Encoding")
        if !codings.isEmpty {
            return codings.last?.lowercasedASCII == "chunked" ? .chunked : .untilClose
        }
        var problems: [HTTP1ParserEvent] = []
        let length = HTTP1Parser.contentLength(head.headers, at: end, events: &problems)
        for problem in problems {
            _ = forward(problem, direction: .serverToClient, index: 0, capture: capture, events: &events)
        }
        return length.map { .length($0) } ?? .untilClose
    }

    private mutating func parserEventsFraming(
        _ framing: HTTP1BodyFraming, end: UInt64, capture: CaptureInfo, events: inout EventBuffer
    ) {
        parserEvents.removeAll(keepingCapacity: true)
        // Only now, with the response staying HTTP/1: a 101's parser must not hold a buffer
        // for the rest of the connection.
        if framing != .none { responseParser.supplyBodyBuffer(events.takePayloadBuffer()) }
        responseParser.setResponseFraming(framing, endOfHead: end, events: &parserEvents)
        for event in parserEvents where event.isMessageEnd {
            _ = forward(event, direction: .serverToClient, index: 0, capture: capture, events: &events)
        }
    }

    /// The upgrade was refused: the client's held bytes are its next request, parsed now
    /// (their events belong after the refusal). What parsing them decides is dropped: a
    /// new upgrade request among them pauses the parser again and holds what follows.
    private mutating func resumeClient(capture: CaptureInfo, events: inout EventBuffer) {
        requestParser.resume()
        guard let waiting = held else { return }
        held = nil
        reportedEarlyData = false
        waiting.bytes.withUnsafeBytes { bytes in
            _ = receiveFromClient(bytes, offset: waiting.offset, capture: waiting.capture, events: &events)
        }
    }

    // MARK: Gaps and the end

    mutating func gap(
        direction: Direction, offset: UInt64, length: UInt64, capture: CaptureInfo, events: inout EventBuffer
    ) -> Bool {
        parserEvents.removeAll(keepingCapacity: true)
        switch direction {
        case .clientToServer: requestParser.gap(at: offset, length: length, events: &parserEvents)
        case .serverToClient: responseParser.gap(at: offset, length: length, events: &parserEvents)
        }
        var stopped = false
        for event in parserEvents {
            if case .gaveUp = event {
                stopped = true  // the caller shows this direction raw from here
            } else {
                _ = forward(event, direction: direction, index: 0, capture: capture, events: &events)
            }
        }
        return stopped
    }

    /// Requests sent and not yet answered.
    var requestsInFlight: Int { pending.count }

    mutating func finish(
        clientOffset: UInt64, serverOffset: UInt64, captureEnded: Bool = false, capture: CaptureInfo,
        events: inout EventBuffer
    ) {
        if verdictPending, let request = pending.last {
            events.finding(
                .upgradeNoVerdict,
                "the \(captureEnded ? "capture" : "connection") ended before the server answered the \(request.head.method) upgrade request",
                capture: capture, direction: .serverToClient)
        }
        for (parserDirection, offset) in [(Direction.clientToServer, clientOffset), (.serverToClient, serverOffset)] {
            parserEvents.removeAll(keepingCapacity: true)
            if parserDirection == .clientToServer {
                requestParser.finish(at: offset, events: &parserEvents)
            } else {
                responseParser.finish(at: offset, events: &parserEvents)
            }
            // Giving up at the end changes nothing: the connection is over.
            for event in parserEvents where !event.isGaveUp {
                _ = forward(event, direction: parserDirection, index: 0, capture: capture, events: &events)
            }
        }
    }
}

extension HTTP1ParserEvent {
    fileprivate var isGaveUp: Bool { if case .gaveUp = self { true } else { false } }
    fileprivate var isMessageEnd: Bool { if case .messageEnd = self { true } else { false } }
}
