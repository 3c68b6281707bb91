import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// Issue 27, item 6: `--pg` and `audit --pg` with `--redact` store no secret. One WebSocket
/// connection carries a marker in each place a secret travels; every table is read back as
/// text. The in-process matrix (`RedactionMatrixTests`) checks the same rows as mapped,
/// HTTP/2 included, without a server.
@Suite("--redact into PostgreSQL", .serialized)
struct RedactionPostgresTests {
    /// A capture whose markers all start with `prefix`, and the markers.
    static func capture(prefix: String, in directory: URL) throws -> (path: String, markers: [String]) {
        let markers = (1...9).map { "\(prefix)Marker\($0)x" }
        var capture = CaptureFileBuilder()
        capture.send(
            .clientToServer,
            "GET http://al:\(markers[0])@example.test/chat?room=1;token=\(markers[1])&%74oken=\(markers[2]) HTTP/1.1\r\n"
                + "Host: example.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Protocol: bearer, \(markers[3])\r\nX-Api-Key \(markers[4])\r\n"
                + "Authorization: Bearer \(markers[5])\r\n\r\n")
        capture.send(
            .serverToClient,
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Protocol: \(markers[3])\r\nSec-WebSocket-Accept: \(markers[6])\r\n\r\n")
        let call = #"{"jsonrpc":"2.0","id":1,"method":"login","params":{"user":"\#(markers[7])"}}"#
        capture.send(
            .clientToServer,
            CaptureFileBuilder.webSocketFrame(opcode: 1, Array(call.utf8), maskKey: [1, 2, 3, 4]))
        capture.send(
            .serverToClient, CaptureFileBuilder.webSocketFrame(opcode: 8, [0x03, 0xe8] + Array(markers[8].utf8)))
        capture.close()
        let url = directory.appendingPathComponent("\(prefix).pcap")
        try capture.write(to: url)
        return (url.path, markers)
    }

    /// Every row of every table, as text.
    static func stored(_ database: PrivatePostgres) throws -> String {
        try ExportTable.allCases.map { table in
            try database.query("SELECT t::text FROM \(table.rawValue) t").map { $0.joined(separator: "\t") }
                .joined(separator: "\n")
        }.joined(separator: "\n")
    }

    @Test(
        "timeline and audit --pg --redact store no marker; without --redact the markers are stored",
        .enabled(if: PrivatePostgres.canRun, PrivatePostgres.skipReason), .timeLimit(.minutes(3)))
    func noSecretStored() throws {
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try PrivatePostgres()
        let plain = try Self.capture(prefix: "Plain", in: directory)
        let secret = try Self.capture(prefix: "Hidden", in: directory)
        for (capture, redact) in [(plain, false), (secret, true)] {
            let flag = redact ? ["--redact"] : []
            let timeline = try TestEnvironment.run(
                CommandLineTests.binary, ["-r", capture.path, "-q", "--pg", database.url] + flag)
            #expect(timeline.status == 0, "\(timeline.errorText)")
            let audit = try TestEnvironment.run(
                CommandLineTests.binary, ["audit", capture.path, "--pg", database.url] + flag)
            #expect(
                audit.errorText.contains("rows written") && audit.errorText.contains(" 0 dropped"), "\(audit.errorText)"
            )
        }
        let rows = try Self.stored(database)
        let storedPlain = plain.markers.filter { rows.contains($0) }
        // Userinfo and parameters (the target), the malformed line and the accept (findings),
        // the JSON-RPC params (app events), the close reason. The schema keeps no request
        // header values, so the bearer subprotocol (4) and Authorization (6) are not stored.
        #expect(storedPlain == plain.markers.enumerated().filter { ![3, 5].contains($0.offset) }.map(\.element))
        for marker in secret.markers {
            #expect(!rows.contains(marker), "\(marker) stored despite --redact")
        }
        #expect(rows.contains("‹redacted len="))
    }
}
