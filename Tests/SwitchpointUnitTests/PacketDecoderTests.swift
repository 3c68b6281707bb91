import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

@Suite("Packet decoding")
struct PacketDecoderTests {
    typealias P = PacketBuilder
    let payload = Array("hello".utf8)
    var v4Packet: [UInt8] { P.ipv4(payload: P.tcp(seq: 7, payload: payload)) }
    var expectedV4: P.Summary {
        P.Summary(
            source: "10.0.0.1:40000", destination: "10.0.0.2:80", seq: 7, flags: 0x018, payload: payload,
            payloadLength: 5)
    }

    @Test("Ethernet, with 802.1Q, QinQ (802.1ad) and legacy 0x9100 tags")
    func ethernetTags() {
        #expect(P.summary(P.ethernet(payload: v4Packet), linkType: .ethernet) == expectedV4)
        #expect(P.summary(P.ethernet(tags: [(0x8100, 10)], payload: v4Packet), linkType: .ethernet) == expectedV4)
        #expect(
            P.summary(P.ethernet(tags: [(0x88a8, 100), (0x8100, 200)], payload: v4Packet), linkType: .ethernet)
                == expectedV4)
        #expect(
            P.summary(P.ethernet(tags: [(0x9100, 1), (0x8100, 2)], payload: v4Packet), linkType: .ethernet)
                == expectedV4)
        let tooMany = P.ethernet(
            tags: Array(repeating: (0x8100, 1), count: PacketDecoder.maxVLANTags + 1), payload: v4Packet)
        guard case .malformed(.tooManyVLANTags) = P.decode(tooMany, linkType: .ethernet) else {
            Issue.record("too many tags not reported")
            return
        }
    }

    @Test("Linux cooked v1 and v2, BSD NULL in both byte orders, LOOP, raw IP")
    func otherLinkTypes() {
        let sll: [UInt8] = [0, 0, 0, 1, 0, 6] + [UInt8](repeating: 0, count: 8) + P.be16(0x0800) + v4Packet
        #expect(P.summary(sll, linkType: .linuxCooked) == expectedV4)
        let sll2: [UInt8] =
            P.be16(0x0800) + [0, 0] + P.be32(1) + [0, 1, 0, 6] + [UInt8](repeating: 0, count: 8) + v4Packet
        #expect(P.summary(sll2, linkType: .linuxCooked2) == expectedV4)
        #expect(P.summary([2, 0, 0, 0] + v4Packet, linkType: .bsdNull) == expectedV4)  // little-endian host
        #expect(P.summary([0, 0, 0, 2] + v4Packet, linkType: .bsdNull) == expectedV4)  // big-endian host
        #expect(P.summary([0, 0, 0, 2] + v4Packet, linkType: .bsdLoop) == expectedV4)
        #expect(P.summary(v4Packet, linkType: .rawIP) == expectedV4)
        #expect(P.summary(v4Packet, linkType: .rawIPv4) == expectedV4)
        let v6 = P.ipv6(payload: P.tcp(seq: 7, payload: payload))
        #expect(P.summary(v6, linkType: .rawIP)?.source == "[fd00:5350::1]:40000")
        // 30: macOS's AF_INET6.
        #expect(P.summary([30, 0, 0, 0] + v6, linkType: .bsdNull)?.destination == "[fd00:5350::2]:80")
        #expect(P.summary(v6, linkType: .rawIPv6)?.payload == payload)
    }

    @Test("IPv4 options are skipped and Ethernet padding is trimmed by Total Length")
    func ipv4OptionsAndPadding() {
        let withOptions = P.ipv4(options: [1, 1, 1, 0], payload: P.tcp(seq: 7, payload: payload))
        #expect(P.summary(withOptions, linkType: .rawIP) == expectedV4)
        let padded = P.ethernet(payload: P.ipv4(payload: P.tcp(seq: 7, payload: [])) + [0, 0, 0, 0, 0, 0])
        #expect(P.summary(padded, linkType: .ethernet)?.payload == [])
    }

    @Test("IPv4 and IPv6 fragments are recognised, not misread as TCP")
    func fragments() {
        let moreFragments = P.ipv4(flagsAndFragment: 0x2000, payload: P.tcp(payload: payload))
        let laterFragment = P.ipv4(flagsAndFragment: 0x0010, payload: payload)
        guard case .fragment = P.decode(moreFragments, linkType: .rawIP),
            case .fragment = P.decode(laterFragment, linkType: .rawIP)
        else {
            Issue.record("IPv4 fragment not recognised")
            return
        }
        let fragmentHeader: [UInt8] = [6, 0] + P.be16(0x0001) + P.be32(99)
        guard
            case .fragment = P.decode(
                P.ipv6(nextHeader: 44, extensions: fragmentHeader, payload: P.tcp(payload: payload)), linkType: .rawIP)
        else {
            Issue.record("IPv6 fragment not recognised")
            return
        }
        // An atomic fragment (offset 0, no more fragments) carries the whole segment.
        let atomic: [UInt8] = [6, 0, 0, 0] + P.be32(99)
        #expect(
            P.summary(P.ipv6(nextHeader: 44, extensions: atomic, payload: P.tcp(payload: payload)), linkType: .rawIP)?
                .payload == payload)
    }

    @Test("IPv6 extension headers are walked to TCP")
    func ipv6Extensions() {
        let hopByHop: [UInt8] = [60, 0, 1, 4, 0, 0, 0, 0]  // next: destination options
        let destination: [UInt8] = [43, 0, 1, 4, 0, 0, 0, 0]  // next: routing
        let routing: [UInt8] = [51, 0, 0, 0, 0, 0, 0, 0]  // next: AH
        let authentication: [UInt8] = [6, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1]  // (1 + 2) * 4 = 12 bytes, next: TCP
        let packet = P.ipv6(
            nextHeader: 0, extensions: hopByHop + destination + routing + authentication,
            payload: P.tcp(payload: payload))
        #expect(P.summary(packet, linkType: .rawIP)?.payload == payload)
        let loop = [UInt8](repeating: 0, count: 8 * (PacketDecoder.maxIPv6ExtensionHeaders + 1))  // hop-by-hop forever
        guard
            case .malformed(.ipv6TooManyExtensionHeaders) = P.decode(
                P.ipv6(nextHeader: 0, extensions: loop, payload: []), linkType: .rawIP)
        else {
            Issue.record("extension header loop not bounded")
            return
        }
    }

    @Test("TCP options are parsed; a bad option length is flagged")
    func tcpOptions() throws {
        let options: [UInt8] = [2, 4, 0x05, 0xb4, 1, 3, 3, 7, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0]
        let packet = P.ipv4(payload: P.tcp(flags: 0x002, options: options))
        let parsed: TCPOptions? = packet.withUnsafeBytes { buffer in
            guard
                case .tcp(let segment) = PacketDecoder.decode(
                    RawPacket(
                        bytes: buffer, originalLength: buffer.count, linkType: .rawIP,
                        capture: CaptureInfo(packetNumber: 1, timestamp: .zero)))
            else { return nil }
            return segment.options
        }
        let value = try #require(parsed)
        #expect(value.maximumSegmentSize == 1460)
        #expect(value.windowScale == 7)
        #expect(value.sackPermitted)
        #expect(value.timestampValue == 1 && value.timestampEcho == 2)
        #expect(!value.malformed)
        let broken: [UInt8] = [2, 40, 0, 0]
        broken.withUnsafeBytes { #expect(TCPOptions(parsing: $0).malformed) }
    }

    @Test("snaplen cuts are marked and never read past; contradictions are malformed")
    func truncatedAndMalformed() {
        let full = P.ethernet(payload: v4Packet)
        // Cut inside the payload: the segment is decoded with the captured part only.
        let cut = Array(full.prefix(full.count - 3))
        let summary = P.summary(cut, linkType: .ethernet, originalLength: full.count)
        #expect(summary?.payload == Array(payload.prefix(2)))
        #expect(summary?.payloadLength == 5)
        // Cut inside the TCP header.
        guard
            case .truncated(.tcpHeaderTruncated) = P.decode(
                Array(full.prefix(14 + 20 + 10)), linkType: .ethernet, originalLength: full.count)
        else {
            Issue.record("cut TCP header not marked as truncated")
            return
        }
        // The same bytes without a snaplen cut contradict the IP length: malformed.
        guard case .malformed = P.decode(Array(full.prefix(14 + 20 + 10)), linkType: .ethernet) else {
            Issue.record("short packet not malformed")
            return
        }
        guard
            case .malformed(.tcpBadDataOffset) = P.decode(
                P.ipv4(
                    payload: [0, 1, 0, 2] + [UInt8](repeating: 0, count: 8) + [0xf0, 0x18]
                        + [UInt8](repeating: 0, count: 6)), linkType: .rawIP)
        else {
            Issue.record("TCP data offset beyond the segment not caught")
            return
        }
        for length in 0..<14 {
            guard
                case .truncated = P.decode(Array(full.prefix(length)), linkType: .ethernet, originalLength: full.count)
            else {
                Issue.record("\(length)-byte Ethernet packet not truncated")
                return
            }
        }
        guard case .notTCP = P.decode(P.ipv4(protocolNumber: 17, payload: [0, 0, 0, 0, 0, 0, 0, 0]), linkType: .rawIP)
        else {
            Issue.record("UDP not classified as not-TCP")
            return
        }
    }

    @Test("IPv6 address text follows RFC 5952")
    func ipv6Text() {
        #expect(IPAddress("fd00:5350::1")?.description == "fd00:5350::1")
        #expect(IPAddress("::1")?.description == "::1")
        #expect(IPAddress("2001:db8:0:0:1:0:0:1")?.description == "2001:db8::1:0:0:1")
        #expect(IPAddress("::ffff:c000:0280")?.description == "::ffff:192.0.2.128")
        #expect(IPAddress("1:2:3:4:5:6:7:8")?.description == "1:2:3:4:5:6:7:8")
        #expect(IPAddress("1::2::3") == nil)
        #expect(IPAddress("256.1.1.1") == nil)
    }

    // MARK: Real captures of each link type (acceptance 4)

    struct RecordedLinkCase: Sendable, CustomTestStringConvertible {
        var file: String
        var dlt: Int32
        var connections: Int
        var ipv6: Bool
        var testDescription: String { file }
    }

    @Test(
        "captures recorded with tcpdump decode completely",
        arguments: [
            RecordedLinkCase(file: "any-sll2.pcap", dlt: 276, connections: 1, ipv6: false),
            RecordedLinkCase(file: "any-sll.pcap", dlt: 113, connections: 1, ipv6: false),
            RecordedLinkCase(file: "vlan-qinq-veth.pcap", dlt: 1, connections: 2, ipv6: false),
            RecordedLinkCase(file: "ipv6-veth.pcap", dlt: 1, connections: 2, ipv6: true),
        ])
    func recordedLinkTypes(_ recorded: RecordedLinkCase) throws {
        let path = TestEnvironment.samplesDirectory.appendingPathComponent(recorded.file).path
        let (sink, runner) = try TestEnvironment.reassemble([path])
        #expect(runner.problems.isEmpty)
        #expect(runner.statistics.malformedTotal == 0 && runner.statistics.truncatedTotal == 0)
        #expect(runner.statistics.tcpPackets > 0)
        #expect(sink.openings.count == recorded.connections)
        for opening in sink.openings.values {
            #expect(opening.client.address.isIPv6 == recorded.ipv6)
            #expect(opening.roleEvidence == .syn)
            #expect(!sink.bytes(opening.connection, .clientToServer).isEmpty)
            #expect(!sink.bytes(opening.connection, .serverToClient).isEmpty)
        }
        for summary in sink.summaries.values {
            #expect(summary.handshake == .complete)
            #expect(summary.clientToServer.gaps + summary.serverToClient.gaps == 0)
        }
        // The file's link type is the one the test claims (checked through libpcap).
        let source = try TestEnvironment.fixtureSource(paths: [path])
        guard case .packet(let packet) = source.next() else {
            Issue.record("no packet in \(recorded.file)")
            return
        }
        #expect(packet.linkType == LinkType(dlt: recorded.dlt))
    }

    @Test("VLAN sample carries 802.1Q and 802.1ad tags")
    func vlanSampleHasTags() throws {
        let source = try TestEnvironment.fixtureSource(paths: [
            TestEnvironment.samplesDirectory.appendingPathComponent("vlan-qinq-veth.pcap").path
        ])
        var tpids = Set<UInt16>()
        while case .packet(let packet) = source.next() {
            if packet.bytes.count >= 14 { tpids.insert(packet.bytes.readBigEndianUInt16(at: 12)) }
        }
        #expect(tpids.contains(0x8100))
        #expect(tpids.contains(0x88a8))
    }
}
