import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// Issue 28: a selection that lets nothing through says so on stderr (one note line), the
/// summary still printed and the exit status unchanged; one that matches says nothing.
@Suite("a selection that matched nothing says so")
struct SelectionNoteTests {
    static let sample = TestEnvironment.samplesDirectory.appendingPathComponent("http-nginx-lo.pcap").path

    func run(_ arguments: [String]) throws -> TestEnvironment.ToolResult {
        try #require(FileManager.default.fileExists(atPath: Self.sample), "fixture missing: \(Self.sample)")
        return try TestEnvironment.run(TestEnvironment.switchpointBinary, ["-r", Self.sample] + arguments)
    }

    @Test(
        "--conn, --protocol, --severity, --follow matching nothing: one note line",
        arguments: [
            ["--conn", "7"], ["--protocol", "tls"], ["--severity", "error"], ["--follow", "9"],
            ["--conn", "7", "--stream", "1"], ["--conn", "5,6", "--severity", "warn"],
        ])
    func noteWhenNothingMatched(_ selection: [String]) throws {
        let result = try run(selection)
        #expect(result.status == 0)
        #expect(result.text.hasPrefix("== summary\n"), "\(result.text)")
        #expect(
            result.errorText
                == "switchpoint: note: nothing matched \(selection.joined(separator: " ")); only the summary is printed\n"
        )
    }

    @Test("--json --conn matching nothing: the note on stderr, standard output only the summary line")
    func noteWithJSON() throws {
        let result = try run(["--json", "--conn", "7"])
        #expect(result.status == 0)
        #expect(result.text.split(separator: "\n").count == 1)
        #expect(result.errorText == "switchpoint: note: nothing matched --conn 7; only the summary is printed\n")
    }

    @Test(
        "a selection that matched, and no selection, print no note",
        arguments: [
            [], ["--conn", "2"], ["--severity", "warn"], ["--protocol", "http1"], ["-q", "--conn", "7"],
            ["--json", "--conn", "1"],
        ])
    func silentWhenSomethingMatched(_ selection: [String]) throws {
        let result = try run(selection)
        #expect(result.status == 0)
        #expect(result.errorText.isEmpty, "\(result.errorText)")
    }
}
