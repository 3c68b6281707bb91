import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// The export options as the built command line refuses them (ExportUnitTests has the pieces).
@Suite("Export options on the command line")
struct ExportCommandLineTests {
    @Test("--metrics needs -i, --sensor needs --pg, a bad --pg URL is refused: exit 2")
    func commandLine() throws {
        let sample = TestEnvironment.samplesDirectory.appendingPathComponent("http-nginx-lo.pcap").path
        for (arguments, message) in [
            (["--metrics", "127.0.0.1:9464"], "--metrics serves a live capture"),
            (["--sensor", "edge-1"], "--sensor names the rows"),
            (["--pg", "mysql://db/x"], "--pg takes postgres://"),
            (["--pg", "postgres://127.0.0.1/x", "--connections"], "does not go with --connections"),
            (["--pg", "postgres://127.0.0.1/x", "--pg-queue", "0"], "--pg-queue must be"),
        ] {
            let run = try TestEnvironment.run(CommandLineTests.binary, ["-r", sample] + arguments)
            #expect(run.status == 2, "\(arguments)")
            #expect(run.errorText.contains(message), "\(arguments): \(run.errorText)")
        }
    }
}
