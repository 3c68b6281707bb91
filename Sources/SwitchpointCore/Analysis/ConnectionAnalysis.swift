/// Drives one connection: detects its protocol, runs the HTTP/1 session, and after a switch
/// hands each direction's bytes from the switch offset to the dissector the registry picks.
final class ConnectionAnalysis {
    private enum Mode {
        case detecting
        case http1
        case dissector
    }

    let id: ConnectionID
    private let registry: DissectorRegistry
    private let limits: HTTP1Limits
    /// Secrets for decrypting TLS connections (nil: no key log given).
    private let keyLog: TLSKeyLog?
    private var mode: Mode = .detecting
    /// Made when the connection turns out to speak HTTP/1 (a silent connection costs none).
    private var http: HTTP1Session?
    private var dissector: (any UpgradedStreamDissector)?
    /// A direction whose HTTP/1 framing was lost is shown raw from there on.
    private var unparsedClient: RawStreamDissector?
    private var unparsedServer: RawStreamDissector?
    /// Bytes held while detecting, with where they started.
    private var detectionBytes: [UInt8] = []
    private var detectionDirection: Direction = .clientToServer
    private var detectionOffset: UInt64 = 0
    private var detectionCapture: CaptureInfo?
    /// Next offset per direction (where each direction ended, for the close).
    private var clientEnd: UInt64 = 0
    private var serverEnd: UInt64 = 0

    /// `decodeAs` starts a dissector at offset 0 without a handshake (like tshark's
    /// Decode As), for captures that begin after the switch.
    init(id: ConnectionID, registry: DissectorRegistry, limits: HTTP1Limits, keyLog: TLSKeyLog? = nil, decodeAs: String? = nil) {
        self.id = id
        self.registry = registry
        self.limits = limits
        self.keyLog = keyLog
        if let decodeAs {
            dissector = registry.dissector(for: UpgradeContext(protocolName: decodeAs, request: nil, response: nil,
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
            if unparsed(direction) == nil,
               http?.gap(direction: direction, offset: offset, length: length, capture: capture, events: &events) == true {
                setUnparsed(direction, RawStreamDissector(protocolName: "unparsed"))
            }
        case .dissector:
            dissector?.receiveGap(direction: direction, offset: offset, length: length, capture: capture, events: &events)
        }
    }

    func finish(capture: CaptureInfo, events: inout EventBuffer) {
        if mode == .detecting && !detectionBytes.isEmpty {
            finishDetection(forcing: nil, events: &events)
        }
        switch mode {
        case .detecting:
            break
        case .http1:
            http?.finish(clientOffset: clientEnd, serverOffset: serverEnd, capture: capture, events: &events)
        case .dissector:
            dissector?.finish(capture: capture, events: &events)
        }
    }

    // MARK: Detection

    private func detect(_ bytes: UnsafeRawBufferPointer, direction: Direction, offset: UInt64, capture: CaptureInfo, events: inout EventBuffer) {
        if detectionBytes.isEmpty {
            detectionDirection = direction
            detectionOffset = offset
            detectionCapture = capture
        } else if direction != detectionDirection {
            // The other side spoke before the first one said enough: decide with what we have.
            finishDetection(forcing: nil, events: &events)
            receive(bytes, direction: direction, offset: offset, capture: capture, events: &events)
            return
        }
        detectionBytes.append(contentsOf: bytes)
        if ProtocolDetector.detect(detectionBytes, direction: detectionDirection, final: false) != nil {
            finishDetection(forcing: nil, events: &events)
        }
    }

    /// Picks the protocol and replays the bytes held while deciding.
    private func finishDetection(forcing forced: DetectedProtocol?, events: inout EventBuffer) {
        let detected = forced ?? ProtocolDetector.detect(detectionBytes, direction: detectionDirection, final: true) ?? .unknown
        switch detected {
        case .http1:
            http = HTTP1Session(limits: limits)
            mode = .http1
        case .tls:
            dissector = TLSSession(keyLog: keyLog, registry: registry, limits: limits, connection: id)
            mode = .dissector
        case .http2PriorKnowledge:
            dissector = registry.dissector(for: UpgradeContext(protocolName: "h2", request: nil, response: nil,
                                                               clientToServerOffset: detectionOffset, serverToClientOffset: 0))
            mode = .dissector
        case .unknown:
            dissector = RawStreamDissector(protocolName: "unknown")
            mode = .dissector
        }
        let held = detectionBytes
        detectionBytes = []
        guard !held.isEmpty, let capture = detectionCapture else { return }
        held.withUnsafeBytes { bytes in
            receive(bytes, direction: detectionDirection, offset: detectionOffset, capture: capture, events: &events)
        }
    }

    // MARK: HTTP/1

    private func feedHTTP(_ bytes: UnsafeRawBufferPointer, direction: Direction, offset: UInt64, capture: CaptureInfo, events: inout EventBuffer) {
        if direction == .clientToServer, unparsedClient != nil {
            unparsedClient?.receive(bytes, direction: direction, offset: offset, capture: capture, events: &events)
            return
        }
        if direction == .serverToClient, unparsedServer != nil {
            unparsedServer?.receive(bytes, direction: direction, offset: offset, capture: capture, events: &events)
            return
        }
        let received = direction == .clientToServer
            ? http?.receiveFromClient(bytes, offset: offset, capture: capture, events: &events)
            : http?.receiveFromServer(bytes, offset: offset, capture: capture, events: &events)
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

    private func unparsed(_ direction: Direction) -> RawStreamDissector? {
        direction == .clientToServer ? unparsedClient : unparsedServer
    }

    private func setUnparsed(_ direction: Direction, _ raw: RawStreamDissector) {
        if direction == .clientToServer { unparsedClient = raw } else { unparsedServer = raw }
    }

    private func setEnd(_ direction: Direction, _ end: UInt64) {
        if direction == .clientToServer { clientEnd = end } else { serverEnd = end }
    }
}
