import Foundation
import Testing

@testable import SwitchpointTestSupport

/// The library's only clients are the command line and the tests, both in this package: its
/// API is `package` (the rest internal, reached by the tests through `@testable import`),
/// nothing `public` or `open`.
@Suite("Access levels")
struct AccessLevelTests {
    @Test("no public or open declaration in SwitchpointCore")
    func noPublicSurface() throws {
        let sources = TestEnvironment.projectRoot.appendingPathComponent("Sources/SwitchpointCore")
        let files = try #require(FileManager.default.enumerator(atPath: sources.path)?.compactMap { $0 as? String })
            .filter { $0.hasSuffix(".swift") }
        #expect(files.count > 100, "Sources/SwitchpointCore not found at \(sources.path)")
        var offenders: [String] = []
        for file in files {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            where line.contains(
                /(^|\s)(public|open)\s+(func|var|let|init|struct|class|enum|protocol|extension|typealias|static|final|subscript)\b/
            ) {
                offenders.append("\(file):\(number + 1): \(line.trimmingCharacters(in: .whitespaces))")
            }
        }
        #expect(offenders.isEmpty, "\(offenders.prefix(10).joined(separator: "\n"))")
    }
}
