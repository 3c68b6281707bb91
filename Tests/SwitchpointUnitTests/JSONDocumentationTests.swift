import Foundation
import Testing

@testable import SwitchpointCore
@testable import SwitchpointTestSupport

/// docs/json.md is the schema users script against: every event type a JSON line can carry
/// and every finding code must have its row there.
@Suite("JSON documentation")
struct JSONDocumentationTests {
    static func documentation() throws -> String {
        try String(
            contentsOf: TestEnvironment.projectRoot.appendingPathComponent("docs/json.md"), encoding: .utf8)
    }

    @Test("every event type is documented")
    func eventTypes() throws {
        let text = try Self.documentation()
        let names = TimelineEvent.Tag.allCases.map { "\($0.typeName)" } + ["\(TimelineEvent.Tag.pongTypeName)"]
        #expect(names.count > 20)
        let missing = names.filter { !text.contains("`\($0)`") }
        #expect(missing.isEmpty, "event types not in docs/json.md: \(missing)")
    }

    @Test("every finding code is documented")
    func findingCodes() throws {
        let text = try Self.documentation()
        let missing = FindingCode.allCases.map(\.rawValue).filter { !text.contains("`\($0)`") }
        #expect(missing.isEmpty, "finding codes not in docs/json.md: \(missing)")
    }
}
