import Foundation

@testable import SwitchpointCore

/// Writes a classic pcap file (LINKTYPE_RAW, IPv4) of one scripted TCP connection: the
/// handshake, then payloads in either direction with correct sequence numbers, then FINs.
struct CaptureFileBuilder {
    static let linkTypeRaw: UInt32 = 101
    static let client: (address: UInt32, port: UInt16) = (0x0a00_0001, 40000)
    static let server: (address: UInt32, port: UInt16) = (0x0a00_0002, 8080)

    private(set) var bytes: [UInt8] = []
    private var sequence: [UInt32] = [1000, 5000]
    private var microseconds: UInt64 = 0
    private let startSeconds: UInt32 = 1_700_000_000

    init() {
        append32(0xa1b2_c3d4)
        append16(2)
        append16(4)
        append32(0)
        append32(0)
        append32(262_144)
        append32(Self.linkTypeRaw)
        packet(.clientToServer, flags: 0x02)
        packet(.serverToClient, flags: 0x12)
        packet(.clientToServer, flags: 0x10)
    }

    /// One segment carrying `payload` (PSH|ACK), 10 µs after the previous packet.
    mutating func send(_ direction: Direction, _ payload: [UInt8]) {
        packet(direction, flags: 0x18, payload: payload)
    }

    mutating func send(_ direction: Direction, _ text: String) {
        send(direction, Array(text.utf8))
    }

    /// FIN from both sides.
    mutating func close() {
        packet(.clientToServer, flags: 0x11)
        packet(.serverToClient, flags: 0x11)
        packet(.clientToServer, flags: 0x10)
    }

    func write(to url: URL) throws {
        try Data(bytes).write(to: url)
    }

    private mutating func packet(_ direction: Direction, flags: UInt16, payload: [UInt8] = []) {
        let side = direction.rawValue
        let (source, destination) =
            direction == .clientToServer ? (Self.client, Self.server) : (Self.server, Self.client)
        let tcp = PacketBuilder.tcp(
            sourcePort: source.port, destinationPort: destination.port, seq: sequence[side],
            ack: sequence[1 - side], flags: flags, payload: payload)
        let ip = PacketBuilder.ipv4(source: source.address, destination: destination.address, payload: tcp)
        microseconds += 10
        append32(startSeconds + UInt32(microseconds / 1_000_000))
        append32(UInt32(microseconds % 1_000_000))
        append32(UInt32(ip.count))
        append32(UInt32(ip.count))
        bytes += ip
        let consumed = UInt32(payload.count) + (flags & 0x03 != 0 ? 1 : 0)
        sequence[side] = sequence[side] &+ consumed
    }

    private mutating func append32(_ value: UInt32) {
        bytes += [UInt8(value & 0xff), UInt8(value >> 8 & 0xff), UInt8(value >> 16 & 0xff), UInt8(value >> 24)]
    }

    private mutating func append16(_ value: UInt16) {
        bytes += [UInt8(value & 0xff), UInt8(value >> 8)]
    }

    /// A WebSocket frame (FIN set), masked with `key` when given.
    static func webSocketFrame(opcode: UInt8, _ payload: [UInt8], maskKey: [UInt8]? = nil) -> [UInt8] {
        var frame: [UInt8] = [0x80 | opcode]
        let maskBit: UInt8 = maskKey == nil ? 0 : 0x80
        switch payload.count {
        case ..<126: frame.append(maskBit | UInt8(payload.count))
        case ..<65536: frame += [maskBit | 126] + PacketBuilder.be16(UInt16(payload.count))
        default: frame += [maskBit | 127] + PacketBuilder.be32(0) + PacketBuilder.be32(UInt32(payload.count))
        }
        guard let maskKey else { return frame + payload }
        frame += maskKey
        frame += payload.enumerated().map { $0.element ^ maskKey[$0.offset & 3] }
        return frame
    }

    static let upgradeRequest =
        "GET /chat HTTP/1.1\r\nHost: example.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    static let upgradeResponse =
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"
}

extension CaptureFileBuilder {
    /// One WebSocket connection with `messages` small server messages, many per segment.
    static func longConnection(messages: Int) throws -> URL {
        var capture = CaptureFileBuilder()
        capture.send(.clientToServer, CaptureFileBuilder.upgradeRequest)
        capture.send(.serverToClient, CaptureFileBuilder.upgradeResponse)
        var segment: [UInt8] = []
        for index in 0..<messages {
            segment += CaptureFileBuilder.webSocketFrame(opcode: 1, Array("m\(index)".utf8))
            if segment.count > 1400 || index == messages - 1 {
                capture.send(.serverToClient, segment)
                segment.removeAll(keepingCapacity: true)
            }
        }
        capture.send(
            .clientToServer, CaptureFileBuilder.webSocketFrame(opcode: 8, [0x03, 0xe8], maskKey: [9, 8, 7, 6]))
        capture.send(.serverToClient, CaptureFileBuilder.webSocketFrame(opcode: 8, [0x03, 0xe8]))
        capture.close()
        let url = try TestEnvironment.temporaryDirectory().appendingPathComponent("long.pcap")
        try capture.write(to: url)
        return url
    }
}
