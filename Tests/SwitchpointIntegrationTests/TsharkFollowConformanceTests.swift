import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// Acceptance: for every capture in ../shared/corpus and samples/, the reassembled bytes
/// of each connection and direction equal `tshark -q -z follow,tcp,raw,N`.
@Suite("Reassembly equals tshark's follow,tcp,raw")
struct TsharkFollowConformanceTests {
    @Test(
        "corpus captures", .enabled(if: TestEnvironment.corpusAvailable, TestEnvironment.corpusMissingMessage),
        arguments: TestEnvironment.corpusAvailable ? TestEnvironment.corpusCaptures : [])
    func corpus(capture: URL) throws {
        try compareWithTshark(capture)
    }

    @Test(
        "recorded samples",
        arguments: TestEnvironment.sampleCaptures
            + TestEnvironment.captures(in: TestEnvironment.samplesDirectory.appendingPathComponent("edge-cases")))
    func samples(capture: URL) throws {
        try compareWithTshark(capture)
    }

    struct FollowedStream {
        var index: Int
        var node0: Endpoint
        var node1: Endpoint
        var fromNode0: [UInt8] = []
        var fromNode1: [UInt8] = []
    }

    func compareWithTshark(_ capture: URL) throws {
        let tshark = try TestEnvironment.requiredTool("tshark")
        let streamList = try TestEnvironment.run(
            tshark, ["-r", capture.path, "-Y", "tcp", "-T", "fields", "-e", "tcp.stream"])
        let indices = Set(streamList.text.split(separator: "\n").compactMap { Int($0) }).sorted()
        #expect(!indices.isEmpty, "tshark found no TCP stream in \(capture.lastPathComponent)")
        let follow = try TestEnvironment.run(
            tshark, ["-r", capture.path, "-q"] + indices.flatMap { ["-z", "follow,tcp,raw,\($0)"] })
        #expect(follow.status == 0, "tshark failed: \(follow.errorText)")
        let followed = Self.parseFollowOutput(follow.text)
        #expect(
            followed.count == indices.count,
            "\(capture.lastPathComponent): parsed \(followed.count) of \(indices.count) streams")

        let (sink, _) = try TestEnvironment.reassemble([capture.path])
        var unmatched = sink.openings.values.sorted { $0.connection < $1.connection }
        for stream in followed {
            guard
                let position = unmatched.firstIndex(where: {
                    Set([$0.client, $0.server]) == Set([stream.node0, stream.node1])
                })
            else {
                Issue.record(
                    "\(capture.lastPathComponent): tshark stream \(stream.index) (\(stream.node0) ↔ \(stream.node1)) has no connection"
                )
                continue
            }
            let opening = unmatched.remove(at: position)
            let node0Direction: Direction = opening.client == stream.node0 ? .clientToServer : .serverToClient
            let ours0 = sink.bytes(opening.connection, node0Direction)
            let ours1 = sink.bytes(opening.connection, node0Direction.reversed)
            #expect(
                ours0 == stream.fromNode0,
                "\(capture.lastPathComponent) stream \(stream.index) \(stream.node0)→: \(ours0.count) bytes vs tshark \(stream.fromNode0.count)"
            )
            #expect(
                ours1 == stream.fromNode1,
                "\(capture.lastPathComponent) stream \(stream.index) \(stream.node1)→: \(ours1.count) bytes vs tshark \(stream.fromNode1.count)"
            )
        }
        #expect(
            unmatched.isEmpty,
            "\(capture.lastPathComponent): connections tshark does not list: \(unmatched.map(\.connection))")
    }

    /// Parses blocks of `Follow: tcp,raw` output; lines of node 1 start with a tab.
    static func parseFollowOutput(_ text: String) -> [FollowedStream] {
        var streams: [FollowedStream] = []
        var current: FollowedStream?
        var node0: Endpoint?
        var index = -1
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(rawLine)
            if line.hasPrefix("Filter: tcp.stream eq ") {
                index = Int(line.dropFirst("Filter: tcp.stream eq ".count)) ?? -1
            } else if line.hasPrefix("Node 0: ") {
                node0 = parseEndpoint(String(line.dropFirst(8)))
            } else if line.hasPrefix("Node 1: "), let node0, let node1 = parseEndpoint(String(line.dropFirst(8))) {
                current = FollowedStream(index: index, node0: node0, node1: node1)
            } else if line.hasPrefix("====") {
                if let finished = current { streams.append(finished) }
                current = nil
            } else if current != nil, !line.isEmpty, !line.hasPrefix("Follow:") {
                let fromNode1 = line.hasPrefix("\t")
                let bytes = HexText.bytes(line.trimmingCharacters(in: .whitespaces))
                if fromNode1 { current?.fromNode1 += bytes } else { current?.fromNode0 += bytes }
            }
        }
        return streams
    }

    static func parseEndpoint(_ text: String) -> Endpoint? {
        guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]) else {
            return nil
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard let address = IPAddress(host) else { return nil }
        return Endpoint(address: address, port: port)
    }
}
