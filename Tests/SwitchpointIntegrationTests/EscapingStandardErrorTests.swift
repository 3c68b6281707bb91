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
        #expect(result.status == 1)  // an input that cannot be read, as any missing file
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
}
