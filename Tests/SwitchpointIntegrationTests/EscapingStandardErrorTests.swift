import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// The escaper on the built command line's standard error (EscapingCategoryTests has text and JSON).
@Suite("Escaping on standard error")
struct EscapingStandardErrorTests {
    @Test("standard error escapes the category in a file name", arguments: EscapeCategory.passableAsArgument)
    func standardError(_ category: EscapeCategory) throws {
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // A path that does not exist: the error message names it.
        let name = String(decoding: Array("missing-".utf8) + category.bytes + Array(".pcap".utf8), as: UTF8.self)
        let path = directory.path + "/" + name
        let result = try TestEnvironment.run(CommandLineTests.binary, ["-r", path])
        #expect(result.status == 2)  // an input that cannot be read: one line, no run
        let errorBytes = [UInt8](result.errorOutput)
        #expect(errorBytes.allSatisfy { $0 < 0x80 }, "raw non-ASCII reached stderr: \(result.errorText)")
        #expect(!result.errorText.isEmpty)
    }

    @Test("an OSC sequence in a BPF filter and in an audit file name never reaches stderr raw")
    func controlSequencesOnStandardError() throws {
        let osc = "\u{1b}]0;pwned\u{07}"
        let filter = try TestEnvironment.run(CommandLineTests.binary, ["-r", CommandLineTests.sample, "port", osc])
        #expect(filter.status == 2)
        #expect(!filter.errorText.contains("\u{1b}"))
        #expect(filter.errorText.contains("\\x1b]0;pwned\\x07"))
        let audit = try TestEnvironment.run(CommandLineTests.binary, ["audit", "/nonexistent/\(osc).pcap"])
        #expect(audit.status == 2)
        #expect(!audit.errorText.contains("\u{1b}"))
        let usage = try TestEnvironment.run(CommandLineTests.binary, ["--bogus\(osc)"])
        #expect(usage.status == 2)
        #expect(!usage.errorText.contains("\u{1b}"))
    }

    @Test("the wire's Upgrade token in --connections -v, key log paths and key log lines never reach a terminal raw")
    func listingAndKeyLogEscaped() throws {
        let osc = "\u{1b}]0;pwned\u{07}"
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let token = "web\u{1b}[31msocket\u{9b}2J\u{202e}"
        var capture = CaptureFileBuilder()
        capture.send(
            .clientToServer,
            "GET /chat HTTP/1.1\r\nHost: h\r\nUpgrade: \(token)\r\nConnection: Upgrade\r\n\r\n")
        capture.send(
            .serverToClient, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: \(token)\r\nConnection: Upgrade\r\n\r\n")
        capture.send(.clientToServer, "raw bytes after the switch")
        capture.close()
        let file = directory.appendingPathComponent("token.pcap")
        try capture.write(to: file)
        let listing = try TestEnvironment.run(CommandLineTests.binary, ["-r", file.path, "--connections", "-v"])
        #expect(listing.status == 0, "\(listing.errorText)")
        #expect(listing.text.contains("\\x1b[31m"), "the token is shown, escaped: \(listing.text)")
        for output in [listing.output, listing.errorOutput] {
            #expect(!output.contains(0x1b) && !output.contains(0x07), "a raw control byte: \(listing.text)")
            #expect(!String(decoding: output, as: UTF8.self).contains("\u{202e}"))
        }

        let missing = try TestEnvironment.run(
            CommandLineTests.binary, ["-r", CommandLineTests.sample, "--keylog", directory.path + "/\(osc).keys"])
        #expect(missing.status == 2)
        #expect(!missing.errorText.contains("\u{1b}") && missing.errorText.contains("\\x1b]0;pwned"))
        let keys = directory.appendingPathComponent("keys.txt")
        try Data("CLIENT_RANDOM \(osc) not hex\n".utf8).write(to: keys)
        let malformed = try TestEnvironment.run(
            CommandLineTests.binary, ["-r", CommandLineTests.sample, "--keylog", keys.path])
        #expect(malformed.errorText.contains("not understood"), "\(malformed.errorText)")
        #expect(!malformed.errorText.contains("\u{1b}"))
        let environment = try TestEnvironment.run(
            CommandLineTests.binary, ["-r", CommandLineTests.sample],
            environment: ["SSLKEYLOGFILE": directory.path + "/\(osc)"])
        #expect(environment.errorText.contains("SSLKEYLOGFILE"), "\(environment.errorText)")
        #expect(!environment.errorText.contains("\u{1b}"))
    }
}
