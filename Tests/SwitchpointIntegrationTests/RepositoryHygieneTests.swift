import Foundation
import Testing

@testable import SwitchpointTestSupport

/// Caches and build output never get committed: `.gitignore` covers them and nothing
/// tracked matches it. Needs the git checkout (a source archive has no history to check).
@Suite("Repository hygiene")
struct RepositoryHygieneTests {
    static var isCheckout: Bool {
        FileManager.default.fileExists(atPath: TestEnvironment.projectRoot.appendingPathComponent(".git").path)
    }

    static func git(_ arguments: [String]) throws -> String {
        let git = try TestEnvironment.requiredTool("git")
        let result = try TestEnvironment.run(
            git, ["-C", TestEnvironment.projectRoot.path] + arguments, timeoutSeconds: 60)
        #expect(result.status == 0, "git \(arguments.joined(separator: " ")): \(result.errorText)")
        return result.text
    }

    @Test(
        "no tracked file is one .gitignore excludes", .enabled(if: isCheckout, "not a git checkout: nothing to check"))
    func nothingIgnoredIsTracked() throws {
        let ignoredButTracked = try Self.git(["ls-files", "--cached", "--ignored", "--exclude-standard"])
        #expect(ignoredButTracked.isEmpty, "tracked but ignored: \(ignoredButTracked)")
    }

    @Test(
        "no cache or build output is tracked, and .gitignore names each kind",
        .enabled(if: isCheckout, "not a git checkout: nothing to check"))
    func noCachesTracked() throws {
        let tracked = try Self.git(["ls-files"]).split(separator: "\n").map(String.init)
        let generated = tracked.filter { path in
            let name = path.split(separator: "/").last.map(String.init) ?? path
            return path.contains("__pycache__/") || name.hasSuffix(".pyc") || name == ".DS_Store"
                || name.hasSuffix(".profraw")
                || path.hasPrefix(".build") || path.hasPrefix(".swiftpm/") || name == "Package.resolved"
                || name.hasSuffix(".o")
        }
        #expect(generated.isEmpty, "generated files are tracked: \(generated)")
        let ignore = try String(
            contentsOf: TestEnvironment.projectRoot.appendingPathComponent(".gitignore"), encoding: .utf8)
        let patterns = Set(ignore.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) })
        for pattern in [
            ".build/", "__pycache__/", "*.pyc", ".DS_Store", "*.profraw", ".swiftpm/", "Package.resolved", "*.o",
        ] {
            #expect(patterns.contains(pattern), ".gitignore does not name \(pattern)")
        }
    }
}
