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

    /// Bytes held while detecting, with where they started (made with the first byte and
    /// dropped once the protocol is known, so it costs nothing for most of a connection).
    private final class Detection {
        var bytes: [UInt8] = []
        let direction: Direction
        let offset: UInt64
        let capture: CaptureInfo
        init(direction: Direction, offset: UInt64, capture: CaptureInfo) {
            self.direction = direction
            self.offset = offset
            self.capture = capture
        }
    }

    /// The directions whose HTTP/1 framing was lost, shown raw from there on (rare, so
    /// behind one reference).
    private final class Unparsed {
        var client: RawStreamDissector?
        var server: RawStreamDissector?
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
    /// Next offset per direction (where each direction ended, for the close).
    private var clientEnd: UInt64 = 0
    private var serverEnd: UInt64 = 0

    /// `decodeAs` starts a dissector at offset 0 without a handshake (like tshark's
    /// Decode As), for captures that begin after the switch.
    convenience init(id: ConnectionID, registry: DissectorRegistry, limits: HTTP1Limits, keyLog: TLSKeyLog? = nil, decodeAs: DecodeAsProtocol? = nil) {
        self.init(id: id, settings: Settings(registry: registry, limits: limits, keyLog: keyLog), decodeAs: decodeAs)
    }

    /// `startSeen`: the connection's first bytes were captured (decode-as then parses from
    /// them; otherwise the dissector first looks for frame boundaries).
    init(id: ConnectionID, settings: Settings, decodeAs: DecodeAsProtocol? = nil, startSeen: Bool = true) {
        self.id = id
        self.settings = settings
        switch decodeAs {
        case nil:
            break
        case .websocket:
            start(dissectorNamed: "websocket", aligned: startSeen)
        case .http2:
            start(dissectorNamed: "h2", aligned: startSeen)
        case .raw:
            dissector = RawStreamDissector(protocolName: "raw")
            mode = .dissector
        case .http:
            http = HTTP1SessionBox(HTTP1Session(limits: limits))
            mode = .http1
        case .tls:
            dissector = TLSSession(keyLog: keyLog, registry: registry, limits: limits, connection: id)
            mode = .dissector
        }
    }

    /// A registry dissector from offset 0, without a handshake (decode-as).
    private func start(dissectorNamed name: String, aligned: Bool) {
        var context = UpgradeContext(protocolName: name, request: nil, response: nil, clientToServerOffset: 0, serverToClientOffset: 0)
        context.startsAtFrameBoundary = aligned
        dissector = registry.dissector(for: context)
        mode = .dissector
    }

    func receive(_ bytes: UnsafeRawBufferPointer, direction: Direction, offset: UInt64, capture: CaptureInfo, events: inout EventBuffer) {
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

    private func dispatch(_ bytes: UnsafeRawBufferPointer, direction: Direction, offset: UInt64, capture: CaptureInfo, events: inout EventBuffer) {
        setEnd(direction, offset + UInt64(bytes.count))
        switch mode {
        case .detecting:
            detect(bytes, direction: direction, offset: offset, capture: capture, events: &events)
        case .http1:
            feedHTTP(bytes, direction: direction, offset: offset, capture: capture, events: &events)
        case .dissector:
            dissector?.receive(bytes, direction: direction, offset: offset, capture: capture, events: &events)
        }
    }

    func gap(direction: Direction, offset: UInt64, length: UInt64, reason: GapReason, capture: CaptureInfo, events: inout EventBuffer) {
        if let pending = pendingOutcome {
            // Bytes the client sent and the capture lost still show it went on.
            if direction == .clientToServer {
                resolveOutcome(.established, events: &events)
            } else {
                pending.held.stamp(like: events)
                dispatchGap(direction: direction, offset: offset, length: length, reason: reason, capture: capture, events: &pending.held)
                return
            }
        }
        dispatchGap(direction: direction, offset: offset, length: length, reason: reason, capture: capture, events: &events)
    }

    private func dispatchGap(direction: Direction, offset: UInt64, length: UInt64, reason: GapReason, capture: CaptureInfo, events: inout EventBuffer) {
        events.add(.gap(length: length, reason: reason), capture: capture, direction: direction, offset: offset)
        setEnd(direction, offset + length)
        switch mode {
        case .detecting:
            // Without the first bytes nothing can be told about the protocol.
            finishDetection(forcing: .unknown, events: &events)
            dissector?.receiveGap(direction: direction, offset: offset, length: length, capture: capture, events: &events)
        case .http1:
            if unparsedDissector(direction) == nil,
               http?.session.gap(direction: direction, offset: offset, length: length, capture: capture, events: &events) == true {
                setUnparsed(direction, RawStreamDissector(protocolName: "unparsed"))
            }
        case .dissector:
            dissector?.receiveGap(direction: direction, offset: offset, length: length, capture: capture, events: &events)
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
        if mode == .detecting, let detection, !detection.bytes.isEmpty {
            finishDetection(forcing: nil, events: &events)
        }
        switch mode {
        case .detecting:
            break
        case .http1:
            http?.session.finish(clientOffset: clientEnd, serverOffset: serverEnd, captureEnded: captureEnded, capture: capture, events: &events)
        case .dissector:
            dissector?.finish(capture: capture, captureEnded: captureEnded, events: &events)
        }
    }

    /// What the connection was doing (for a close by the capture's end).
    var openState: OpenConnectionState {
        switch mode {
        case .detecting: OpenConnectionState(protocolName: "unknown")
        case .http1: OpenConnectionState(protocolName: "http", inFlight: http?.session.requestsInFlight ?? 0, unit: .requests)
        case .dissector: dissector?.openState ?? OpenConnectionState(protocolName: "unknown")
        }
    }

    // MARK: Switch outcome

    /// Emits the held switch with its outcome, then every event held behind it.
    private func resolveOutcome(_ outcome: UpgradeOutcome, events: inout EventBuffer) {
        guard let pending = pendingOutcome else { return }
        pendingOutcome = nil
        pending.upgrade.outcome = outcome
        events.add(.upgrade(pending.upgrade), capture: pending.capture, direction: pending.direction,
                   offset: pending.upgrade.serverToClientOffset)
        for event in pending.held.events { events.deliver(event) }
    }

    // MARK: Detection

    private func detect(_ bytes: UnsafeRawBufferPointer, direction: Direction, offset: UInt64, capture: CaptureInfo, events: inout EventBuffer) {
        let detection: Detection
        if let held = self.detection, !held.bytes.isEmpty {
            detection = held
        } else {
            detection = Detection(direction: direction, offset: offset, capture: capture)
            self.detection = detection
        }
        if direction != detection.direction {
            // The other side spoke before the first one said enough: decide with what we have.
            finishDetection(forcing: nil, events: &events)
            receive(bytes, direction: direction, offset: offset, capture: capture, events: &events)
            return
        }
        detection.bytes.append(contentsOf: bytes)
        if ProtocolDetector.detect(detection.bytes, direction: detection.direction, final: false) != nil {
            finishDetection(forcing: nil, events: &events)
        }
    }

    /// Picks the protocol and replays the bytes held while deciding.
    private func finishDetection(forcing forced: DetectedProtocol?, events: inout EventBuffer) {
        let held = detection
        detection = nil
        let heldBytes = held?.bytes ?? []
        let detected = forced ?? held.flatMap { ProtocolDetector.detect($0.bytes, direction: $0.direction, final: true) } ?? .unknown
        switch detected {
        case .http1:
            http = HTTP1SessionBox(HTTP1Session(limits: limits))
            mode = .http1
        case .tls:
            dissector = TLSSession(keyLog: keyLog, registry: registry, limits: limits, connection: id)
            mode = .dissector
        case .http2PriorKnowledge:
            dissector = registry.dissector(for: UpgradeContext(protocolName: "h2", request: nil, response: nil,
                                                               clientToServerOffset: held?.offset ?? 0, serverToClientOffset: 0))
            mode = .dissector
        case .unknown:
            dissector = RawStreamDissector(protocolName: "unknown")
            mode = .dissector
        }
        guard let held, !heldBytes.isEmpty else { return }
        heldBytes.withUnsafeBytes { bytes in
            receive(bytes, direction: held.direction, offset: held.offset, capture: held.capture, events: &events)
        }
    }

    // MARK: HTTP/1

    private func feedHTTP(_ bytes: UnsafeRawBufferPointer, direction: Direction, offset: UInt64, capture: CaptureInfo, events: inout EventBuffer) {
        if let unparsed {
            if direction == .clientToServer, unparsed.client != nil {
                unparsed.client?.receive(bytes, direction: direction, offset: offset, capture: capture, events: &events)
                return
            }
            if direction == .serverToClient, unparsed.server != nil {
                unparsed.server?.receive(bytes, direction: direction, offset: offset, capture: capture, events: &events)
                return
            }
        }
        let received = direction == .clientToServer
            ? http?.session.receiveFromClient(bytes, offset: offset, capture: capture, events: &events)
            : http?.session.receiveFromServer(bytes, offset: offset, capture: capture, events: &events)
        guard let outcome = received else { return }
        switch outcome {
        case .continuing:
            break
        case .stopped(let replay, let index):
            var raw = RawStreamDissector(protocolName: "unparsed")
            replay.bytes.withUnsafeBytes { retained in
                raw.receive(retained, direction: direction, offset: replay.offset, capture: replay.capture, events: &events)
            }
            raw.receive(bytes.droppingPrefix(index), direction: direction, offset: offset + UInt64(index), capture: capture, events: &events)
            setUnparsed(direction, raw)
        case .switched(let upgrade, let context, let remainderIndex, let held):
            if upgrade.status == 101 {
                // Only what the client does next tells whether it took the switch.
                pendingOutcome = PendingOutcome(upgrade: upgrade, capture: capture, direction: direction, collectingFor: events)
            } else {
                events.add(.upgrade(upgrade), capture: capture, direction: direction, offset: upgrade.serverToClientOffset)
            }
            if context.protocolName == "connect-tunnel" {
                // A tunnel carries its own protocol (TLS, usually): detect it afresh.
                mode = .detecting
            } else {
                dissector = registry.dissector(for: context)
                mode = .dissector
            }
            // Client bytes held since the request were sent before the 101 arrived.
            if let held {
                held.bytes.withUnsafeBytes { heldBytes in
                    receive(heldBytes, direction: .clientToServer, offset: held.offset, capture: held.capture, events: &events)
                }
            }
            let remainder = bytes.droppingPrefix(remainderIndex)
            if !remainder.isEmpty {
                receive(remainder, direction: direction, offset: offset + UInt64(remainderIndex), capture: capture, events: &events)
            }
        }
    }

    // MARK: Per direction

    private func unparsedDissector(_ direction: Direction) -> RawStreamDissector? {
        direction == .clientToServer ? unparsed?.client : unparsed?.server
    }

    private func setUnparsed(_ direction: Direction, _ raw: RawStreamDissector) {
        let unparsed = self.unparsed ?? Unparsed()
        self.unparsed = unparsed
        if direction == .clientToServer { unparsed.client = raw } else { unparsed.server = raw }
    }

    private func setEnd(_ direction: Direction, _ end: UInt64) {
        if direction == .clientToServer { clientEnd = end } else { serverEnd = end }
    }
}
