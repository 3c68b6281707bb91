import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// The README's audit reports are the tool's real output: each ```` $ switchpoint audit
/// FILE… ```` block is run on its samples and compared line for line.
@Suite("README audit examples")
struct ReadmeAuditExampleTests {
    struct Example: CustomTestStringConvertible {
        var paths: [String]
        var expected: [String]
        var testDescription: String { paths.joined(separator: " ") }
    }

    static func examples() throws -> [Example] {
        let readme = try String(
            contentsOf: TestEnvironment.projectRoot.appendingPathComponent("README.md"), encoding: .utf8)
        var examples: [Example] = []
        var current: Example?
        for line in readme.components(separatedBy: "\n") {
            if let example = current {
                if line == "```" {
                    examples.append(example)
                    current = nil
                } else {
                    current?.expected.append(line)
                }
            } else if line.hasPrefix("$ switchpoint audit ") {
                let words = line.dropFirst("$ switchpoint audit ".count).split(separator: " ").map(String.init)
                current = Example(paths: words, expected: [])
            }
        }
        return examples
    }

    @Test("every audit report in the README is what the audit prints for its samples")
    func reports() throws {
        let examples = try Self.examples()
        // Acceptance (issue 26): one HAProxy report and one Apache report.
        #expect(examples.contains { $0.paths.contains { $0.contains("haproxy-") } })
        #expect(examples.contains { $0.paths.contains { $0.contains("apache-") } })
        for example in examples {
            #expect(example.paths.allSatisfy { $0.hasPrefix("samples/") && $0.hasSuffix(".pcap") })
            let paths = example.paths.map { TestEnvironment.projectRoot.appendingPathComponent($0).path }
            let result = try InProcessCommand.audit(paths)
            // The report names the files as given: the README gives them from the project root.
            let text = result.text.replacingOccurrences(of: TestEnvironment.projectRoot.path + "/", with: "")
            #expect(
                text.components(separatedBy: "\n").filter { !$0.isEmpty }
                    == example.expected.filter { !$0.isEmpty }, "\(example.testDescription)")
        }
    }
}
