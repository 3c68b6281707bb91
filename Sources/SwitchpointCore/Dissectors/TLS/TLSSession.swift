/// A TLS connection seen without keys: the hellos are parsed, the rest is counted.
struct TLSSession: UpgradedStreamDissector {
    private var readers = [TLSHelloReader(), TLSHelloReader()]
    private var encrypted: [UInt64] = [0, 0]
    /// Where each direction's first record (its hello) starts.
    private var helloOffsets: [UInt64?] = [nil, nil]

    mutating func receive(_ bytes: UnsafeRawBufferPointer, direction: Direction, offset: UInt64, capture: CaptureInfo, events: inout EventBuffer) {
        let side = direction.rawValue
        guard !readers[side].finished else {
            encrypted[side] += UInt64(bytes.count)
            return
        }
        if helloOffsets[side] == nil { helloOffsets[side] = offset }
        let offset = helloOffsets[side] ?? offset
        switch readers[side].append(bytes) {
        case .needMore:
            break
        case .failed(let why):
            events.finding(.tlsHelloTooLarge, "TLS hello not parsed: \(why)", capture: capture, direction: direction, offset: offset)
        case .message(let type, let body):
            encrypted[side] += UInt64(readers[side].leftover)
            switch (direction, type) {
            case (.clientToServer, 1):
                if let hello = TLSHelloParser.clientHello(body) {
                    events.add(.tlsClientHello(hello), capture: capture, direction: direction, offset: offset)
                } else {
                    events.finding(.tlsMalformedHello, "a ClientHello whose lengths do not add up", capture: capture, direction: direction, offset: offset)
                }
            case (.serverToClient, 2):
                if let hello = TLSHelloParser.serverHello(body) {
                    events.add(.tlsServerHello(hello), capture: capture, direction: direction, offset: offset)
                } else {
                    events.finding(.tlsMalformedHello, "a ServerHello whose lengths do not add up", capture: capture, direction: direction, offset: offset)
                }
            default:
                events.finding(.tlsMalformedHello, "the first handshake message is of type \(type), not a hello", capture: capture, direction: direction, offset: offset)
            }
        }
    }

    mutating func receiveGap(direction: Direction, offset: UInt64, length: UInt64, capture: CaptureInfo, events: inout EventBuffer) {
        encrypted[direction.rawValue] += length
    }

    mutating func finish(capture: CaptureInfo, events: inout EventBuffer) {
        events.add(.tlsEncrypted(clientToServer: encrypted[0], serverToClient: encrypted[1]), capture: capture)
    }
}
