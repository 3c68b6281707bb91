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
    /// Next offset per direction (where each direction ended, for the close).
    private var clientEnd: UInt64 = 0
    private var serverEnd: UInt64 = 0

    /// `decodeAs` starts a dissector at offset 0 without a handshake (like tshark's
    /// Decode As), for captures that begin after the switch.
    convenience init(id: ConnectionID, registry: DissectorRegistry, limits: HTTP1Limits, keyLog: TLSKeyLog? = nil, decodeAs: String? = nil) {
        self.init(id: id, settings: Settings(registry: registry, limits: limits, keyLog: keyLog), decodeAs: decodeAs)
    }

    init(id: ConnectionID, settings: Settings, decodeAs: String? = nil) {
        self.id = id
        self.settings = settings
        if let decodeAs {
            dissector = settings.registry.dissector(for: UpgradeContext(protocolName: decodeAs, request: nil, response: nil,
                                                                        clientToServerOffset: 0, serverToClientOffset: 0))
            mode = .dissector
        }
    }

    func receive(_ bytes: UnsafeRawBufferPointer, direction: Direction, offset: UInt64, capture: CaptureInfo, events: inout EventBuffer) {
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

    func finish(capture: CaptureInfo, events: inout EventBuffer) {
        if mode == .detecting, let detection, !detection.bytes.isEmpty {
            finishDetection(forcing: nil, events: &events)
        }
        switch mode {
        case .detecting:
            break
        case .http1:
            http?.session.finish(clientOffset: clientEnd, serverOffset: serverEnd, capture: capture, events: &events)
        case .dissector:
            dissector?.finish(capture: capture, events: &events)
        }
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
            events.add(.upgrade(upgrade), capture: capture, direction: direction, offset: upgrade.serverToClientOffset)
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
